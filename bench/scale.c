/* Many peers on one interface.
 *
 *   scale conf N [SEED]
 *       prints N `wg setconf` [Peer] sections, each with its own public key and one
 *       /32 allowed IP (10.0.0.1 upwards), for bench/scale.sh to load into a running
 *       daemon. The keys are 32 bytes of a hash: as good as real public keys to a
 *       daemon (X25519 takes any 32 bytes), without N scalar multiplications here.
 *   scale core N
 *       the same N peers added through the core API in this process: the time it
 *       takes (the static-static X25519 waits for a peer's first handshake) and the
 *       heap they occupy per peer, then the time to remove them all.
 *
 * Allowed-IPs lookups with 1,000,000 prefixes are bench/allowedips.c's job; scale.sh
 * runs it. Prints key=value lines (core) or the configuration (conf). */
#include "bench_clock.h"
#include <arpa/inet.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "core/device.h"
#include "crypto/crypto.h"

static void peer_key(uint8_t key[WG_KEY_LEN], uint32_t seed, uint32_t i)
{
	uint8_t in[12];
	memcpy(in, "wgsc", 4);
	memcpy(in + 4, &seed, 4);
	memcpy(in + 8, &i, 4);
	wg_hash(key, in, sizeof(in), NULL, 0);
}

/* Peer i's address: 10.0.0.0/8 counted from 10.0.0.1 (up to 16 million peers). */
static void peer_ip(uint8_t ip[4], uint32_t i)
{
	uint32_t a = (10u << 24) + i + 1;
	ip[0] = (uint8_t)(a >> 24);
	ip[1] = (uint8_t)(a >> 16);
	ip[2] = (uint8_t)(a >> 8);
	ip[3] = (uint8_t)a;
}

static int conf(long n, uint32_t seed)
{
	static char buf[1 << 16];
	setvbuf(stdout, buf, _IOFBF, sizeof(buf));
	for (long i = 0; i < n; i++) {
		uint8_t key[WG_KEY_LEN], ip[4];
		char b64[WG_KEY_B64_LEN + 1];
		peer_key(key, seed, (uint32_t)i);
		peer_ip(ip, (uint32_t)i);
		wg_key_to_base64(b64, key);
		printf("[Peer]\nPublicKey = %s\nAllowedIPs = %u.%u.%u.%u/32\n\n", b64, ip[0], ip[1], ip[2], ip[3]);
	}
	return fflush(stdout) ? 1 : 0;
}

static uint64_t mono(void *ctx) { return 1000000000ULL; }
static uint64_t wall(void *ctx) { return 1700000000ULL * 1000000000ULL; }
static void rnd(void *ctx, void *buf, size_t len) { wg_os_random(buf, len); }

static int core(long n)
{
	struct wg_env env = { .mono_ns = mono, .wall_ns = wall, .random = rnd };
	size_t heap0 = bench_heap_used();
	struct wg_device *dev = wg_device_new(&env);
	uint8_t priv[WG_KEY_LEN];
	if (!dev)
		return 1;
	wg_generate_private_key(priv);
	wg_device_set_private_key(dev, priv);
	size_t heap1 = bench_heap_used();
	double t0 = bench_now();
	for (long i = 0; i < n; i++) {
		uint8_t key[WG_KEY_LEN], ip[4];
		peer_key(key, 1, (uint32_t)i);
		peer_ip(ip, (uint32_t)i);
		struct wg_peer *p = wg_device_add_peer(dev, key);
		if (!p || wg_peer_add_allowed_ip(p, AF_INET, ip, 32)) {
			fprintf(stderr, "adding peer %ld failed\n", i);
			return 1;
		}
	}
	double add = bench_now() - t0;
	size_t heap2 = bench_heap_used();
	long count = (long)wg_device_peer_count(dev);
	t0 = bench_now();
	wg_device_remove_all_peers(dev);
	double del = bench_now() - t0;
	wg_device_free(dev);
	printf("peers=%ld add_seconds=%.3f add_per_s=%.0f heap_device_bytes=%zu heap_per_peer_bytes=%.0f "
	       "remove_all_seconds=%.3f\n",
	       count, add, n / add, heap1 - heap0, (double)(heap2 - heap1) / (double)n, del);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 3 && !strcmp(argv[1], "conf"))
		return conf(atol(argv[2]), argc > 3 ? (uint32_t)strtoul(argv[3], NULL, 10) : 1);
	if (argc >= 3 && !strcmp(argv[1], "core") && atol(argv[2]) > 0)
		return core(atol(argv[2]));
	fprintf(stderr, "usage: scale conf N [SEED] | scale core N\n");
	return 2;
}
