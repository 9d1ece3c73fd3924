/* One-core crypto figures behind src/crypto/README.md: this project's wrappers (OpenSSL
 * underneath) next to libsodium for the same operation, plus the OpenSSL variants the
 * wrappers chose not to use. Each figure is the best of several timed runs, because
 * the shared machines are noisy and the best run is the one least disturbed. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* sched_getcpu, CPU_SET; the Makefile defines it already */
#endif
#include "bench_clock.h"
#include "crypto/crypto.h"
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <sodium.h>

enum { PACKET = 1420, RUNS = 5 };

static uint8_t key[32], key2[32], peer[32], buf[PACKET + 16], pkt[PACKET];
static uint64_t counter;
static size_t len = PACKET; /* the packet size of the ChaCha20-Poly1305 rows */

/* Best microseconds per call of fn over RUNS runs of iters calls each. */
static double time_us(void (*fn)(void), int iters)
{
	double best = 1e30;

	fn(); /* first call pays for fetches and context creation */
	for (int r = 0; r < RUNS; r++) {
		double t = bench_now();
		for (int i = 0; i < iters; i++)
			fn();
		t = (bench_now() - t) / iters * 1e6;
		best = t < best ? t : best;
	}
	return best;
}

static void row(const char *what, const char *lib, void (*fn)(void), int iters, size_t bytes)
{
	double us = time_us(fn, iters);

	if (bytes)
		printf("| %-38s | %-9s | %8.3f | %6.2f |\n", what, lib, us, bytes * 8 / us / 1e3);
	else
		printf("| %-38s | %-9s | %8.3f |        |\n", what, lib, us);
}

/* --- ChaCha20-Poly1305 --- */

static void seal_ours(void)
{
	wg_aead_seal(buf, pkt, len, NULL, 0, counter++, key);
}

/* Two sessions' packets interleaved: every call changes the key, the worst case for a
 * wrapper that keeps the last key. */
static void seal_two_keys(void)
{
	wg_aead_seal(buf, pkt, len, NULL, 0, counter, counter & 1 ? key2 : key);
	counter++;
}

static void seal_sodium(void)
{
	uint8_t nonce[12] = { 0 };

	memcpy(nonce + 4, &counter, 8);
	counter++;
	crypto_aead_chacha20poly1305_ietf_encrypt(buf, NULL, pkt, PACKET, NULL, 0, NULL, nonce, key);
}

static void open_ours(void)
{
	/* buf holds a packet sealed with counter 0; a valid open is the common case. */
	static uint8_t sealed[PACKET + 16], out[PACKET];
	static int ready;

	if (!ready) {
		wg_aead_seal(sealed, pkt, PACKET, NULL, 0, 0, key);
		ready = 1;
	}
	if (!wg_aead_open(out, sealed, sizeof(sealed), NULL, 0, 0, key))
		wg_crypto_die("bench open");
}

/* --- X25519 --- */

static void dh_ours(void)
{
	wg_x25519(buf, key, peer);
}

static void dh_sodium(void)
{
	if (crypto_scalarmult_curve25519(buf, key, peer) != 0)
		wg_crypto_die("bench sodium dh");
}

/* The obvious EVP route: importing the private key alone makes OpenSSL compute its
 * public key too, a second scalar multiplication per DH. */
static void dh_naive_evp(void)
{
	EVP_PKEY *priv = EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, NULL, key, 32);
	EVP_PKEY *pub = EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, NULL, peer, 32);
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(priv, NULL);
	size_t len = 32;

	if (!ctx || EVP_PKEY_derive_init(ctx) <= 0 || EVP_PKEY_derive_set_peer(ctx, pub) <= 0 ||
	    EVP_PKEY_derive(ctx, buf, &len) <= 0)
		wg_crypto_die("bench naive dh");
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(priv);
	EVP_PKEY_free(pub);
}

static void base_ours(void)
{
	wg_x25519_public(buf, key);
}

static void base_sodium(void)
{
	crypto_scalarmult_curve25519_base(buf, key);
}

/* --- BLAKE2s family (handshake-sized inputs) --- */

static void hash_ours(void)
{
	wg_hash(buf, buf, 32, pkt, 64);
}

static void mac16_ours(void)
{
	wg_mac(buf, 16, key, 32, pkt, 116); /* MAC1 over an initiation message */
}

static void hmac_ours(void)
{
	wg_hmac(buf, key, 32, pkt, 32);
}

/* HMAC-BLAKE2s through EVP_MAC "HMAC", the route kdf.c chose not to take. */
static void hmac_evp(void)
{
	static EVP_MAC_CTX *ctx;
	OSSL_PARAM params[] = {
		OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, "BLAKE2S-256", 0),
		OSSL_PARAM_construct_end(),
	};
	size_t len;

	if (!ctx) {
		EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
		ctx = mac ? EVP_MAC_CTX_new(mac) : NULL;
		if (!ctx || !EVP_MAC_CTX_set_params(ctx, params))
			wg_crypto_die("bench HMAC");
	}
	if (!EVP_MAC_init(ctx, key, 32, NULL) || !EVP_MAC_update(ctx, pkt, 32) ||
	    !EVP_MAC_final(ctx, buf, &len, 32))
		wg_crypto_die("bench HMAC");
}

static void kdf3_ours(void)
{
	wg_kdf(buf, buf + 32, buf + 64, key, pkt, 32);
}

static void pin_to_current_cpu(void)
{
	cpu_set_t set;
	int cpu = sched_getcpu();

	CPU_ZERO(&set);
	CPU_SET(cpu < 0 ? 0 : cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

/* `crypto aead` prints the ChaCha20-Poly1305 rows only: a few seconds, so that two builds
 * can be alternated in one sitting. */
int main(int argc, char **argv)
{
	bool aead_only = argc > 1 && strcmp(argv[1], "aead") == 0;

	if (sodium_init() < 0)
		wg_crypto_die("sodium_init");
	pin_to_current_cpu();
	wg_os_random(key, sizeof(key));
	wg_os_random(key2, sizeof(key2));
	wg_os_random(pkt, sizeof(pkt));
	wg_generate_private_key(buf);
	wg_x25519_public(peer, buf);

	printf("%s; libsodium %s; one core, best of %d runs\n\n", OpenSSL_version(OPENSSL_VERSION),
	       sodium_version_string(), RUNS);
	printf("| %-38s | %-9s | %8s | %6s |\n", "operation", "library", "us/op", "Gbit/s");
	printf("|%s|%s|%s|%s|\n", "----------------------------------------", "-----------",
	       "----------", "--------");
	row("ChaCha20-Poly1305 seal, 1420 B", "OpenSSL", seal_ours, 100000, PACKET);
	row("ChaCha20-Poly1305 seal, 1420 B", "libsodium", seal_sodium, 100000, PACKET);
	row("ChaCha20-Poly1305 open, 1420 B", "OpenSSL", open_ours, 100000, PACKET);
	row("ChaCha20-Poly1305 seal, 1420 B, 2 keys", "OpenSSL", seal_two_keys, 100000, PACKET);
	len = 64;
	row("ChaCha20-Poly1305 seal, 64 B", "OpenSSL", seal_ours, 200000, len);
	row("ChaCha20-Poly1305 seal, 64 B, 2 keys", "OpenSSL", seal_two_keys, 200000, len);
	len = 0; /* a keepalive */
	row("ChaCha20-Poly1305 seal, 0 B", "OpenSSL", seal_ours, 200000, 0);
	if (aead_only)
		return 0;
	row("X25519 variable base (wg_x25519)", "OpenSSL", dh_ours, 2000, 0);
	row("X25519 variable base, naive EVP import", "OpenSSL", dh_naive_evp, 2000, 0);
	row("X25519 variable base", "libsodium", dh_sodium, 2000, 0);
	row("X25519 fixed base (wg_x25519_public)", "OpenSSL", base_ours, 2000, 0);
	row("X25519 fixed base", "libsodium", base_sodium, 2000, 0);
	row("BLAKE2s-256, 96 B (wg_hash)", "OpenSSL", hash_ours, 200000, 0);
	row("keyed BLAKE2s-128, 116 B (wg_mac)", "OpenSSL", mac16_ours, 200000, 0);
	row("HMAC-BLAKE2s by hand (wg_hmac)", "OpenSSL", hmac_ours, 200000, 0);
	row("HMAC-BLAKE2s via EVP_MAC \"HMAC\"", "OpenSSL", hmac_evp, 200000, 0);
	row("KDF3 (wg_kdf, 4 HMACs)", "OpenSSL", kdf3_ours, 100000, 0);
	return 0;
}
