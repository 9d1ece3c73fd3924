/* X25519 over OpenSSL's EVP_PKEY interface. Both keys become EVP_PKEYs for each call;
 * the private one is imported together with a placeholder public value, because
 * importing it alone makes OpenSSL derive its public key: a second, wasted scalar
 * multiplication that doubles the cost of every Diffie-Hellman (62 us instead of 33 in
 * bench/crypto.c). Derivation ignores that public value.
 *
 * A one-off exchange still pays ~4.4 us of OpenSSL 3.0 bookkeeping on top of the
 * ~28 us ladder (the exchange context scans the whole algorithm name map on creation).
 * A private key used for several exchanges (the device's static key; an ephemeral
 * used for ee and se) is therefore prepared once as a wg_dh_key, which keeps the
 * imported key and its exchange context: each further exchange costs ~1.5 us extra. */
#include "crypto/crypto.h"
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>

static pthread_once_t once = PTHREAD_ONCE_INIT;
static pthread_key_t ctx_key; /* its destructor frees a thread's context at exit */
/* An import context, created with a locked fetch of the X25519 key manager. */
static __thread EVP_PKEY_CTX *thread_ctx;

static void free_ctx(void *p)
{
	EVP_PKEY_CTX_free(p);
	thread_ctx = NULL;
}

static void setup(void)
{
	if (pthread_key_create(&ctx_key, free_ctx))
		wg_crypto_die("X25519 thread key");
}

static EVP_PKEY_CTX *import_ctx(void)
{
	if (__builtin_expect(thread_ctx != NULL, 1))
		return thread_ctx;
	pthread_once(&once, setup);
	thread_ctx = EVP_PKEY_CTX_new_from_name(NULL, "X25519", NULL);
	if (!thread_ctx || EVP_PKEY_fromdata_init(thread_ctx) <= 0 ||
	    pthread_setspecific(ctx_key, thread_ctx))
		wg_crypto_die("X25519 context");
	return thread_ctx;
}

/* A key from raw bytes: priv and/or pub (NULL to leave out). NULL on failure. */
static EVP_PKEY *import(const uint8_t *priv, const uint8_t *pub)
{
	OSSL_PARAM params[3], *p = params;
	EVP_PKEY *key = NULL;

	if (priv)
		*p++ = OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PRIV_KEY, (void *)priv, WG_KEY_LEN);
	if (pub)
		*p++ = OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, (void *)pub, WG_KEY_LEN);
	*p = OSSL_PARAM_construct_end();
	if (EVP_PKEY_fromdata(import_ctx(), &key, priv ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY, params) <= 0)
		return NULL;
	return key;
}

/* The raw public half of an imported key. */
static bool raw_public(EVP_PKEY *key, uint8_t pub[WG_KEY_LEN])
{
	size_t len = WG_KEY_LEN;
	return EVP_PKEY_get_raw_public_key(key, pub, &len) > 0 && len == WG_KEY_LEN;
}

struct wg_dh_key {
	EVP_PKEY *key;
	EVP_PKEY_CTX *ctx; /* derive-initialised with key; only the peer changes */
};

static void key_release(struct wg_dh_key *k)
{
	EVP_PKEY_CTX_free(k->ctx);
	EVP_PKEY_free(k->key); /* OpenSSL clears the private bytes it holds */
	k->ctx = NULL;
	k->key = NULL;
}

/* Imports priv and readies an exchange context. The public key goes to pub; when pub
 * is NULL a placeholder public value is imported with priv, which spares OpenSSL the
 * fixed-base multiplication (derivation ignores that value). */
static bool key_init(struct wg_dh_key *k, const uint8_t priv[WG_KEY_LEN], uint8_t *pub)
{
	static const uint8_t placeholder[WG_KEY_LEN] = { 9 };

	k->ctx = NULL;
	k->key = import(priv, pub ? NULL : placeholder);
	if (!k->key || (pub && !raw_public(k->key, pub)))
		goto fail;
	k->ctx = EVP_PKEY_CTX_new_from_pkey(NULL, k->key, NULL);
	if (!k->ctx || EVP_PKEY_derive_init(k->ctx) <= 0)
		goto fail;
	return true;
fail:
	ERR_clear_error();
	key_release(k);
	return false;
}

struct wg_dh_key *wg_dh_key_new(const uint8_t priv[WG_KEY_LEN], uint8_t pub[WG_KEY_LEN])
{
	struct wg_dh_key *k;

	if (wg_is_zero(priv, WG_KEY_LEN) || !(k = malloc(sizeof(*k))))
		return NULL;
	if (!key_init(k, priv, pub)) {
		free(k);
		return NULL;
	}
	return k;
}

void wg_dh_key_free(struct wg_dh_key *k)
{
	if (k) {
		key_release(k);
		free(k);
	}
}

/* Peer validation is skipped: for X25519 it only checks that a public key is present,
 * and the all-zero check below is the one that matters. */
bool wg_dh(uint8_t out[WG_KEY_LEN], struct wg_dh_key *k, const uint8_t point[WG_KEY_LEN])
{
	EVP_PKEY *peer = import(NULL, point);
	size_t outlen = WG_KEY_LEN;
	bool ok = peer && EVP_PKEY_derive_set_peer_ex(k->ctx, peer, 0) > 0 &&
		  EVP_PKEY_derive(k->ctx, out, &outlen) > 0 && outlen == WG_KEY_LEN;

	EVP_PKEY_free(peer);
	if (!ok) {
		ERR_clear_error(); /* a low-order peer point is routine; keep the queue empty */
		memset(out, 0, WG_KEY_LEN);
		return false;
	}
	/* A low-order point gives zero; OpenSSL rejects that too, but the check is our
	 * contract, so it does not rest on a library detail. */
	return !wg_is_zero(out, WG_KEY_LEN);
}

bool wg_x25519(uint8_t out[WG_KEY_LEN], const uint8_t scalar[WG_KEY_LEN], const uint8_t point[WG_KEY_LEN])
{
	struct wg_dh_key k;
	bool ok = key_init(&k, scalar, NULL);

	if (ok)
		ok = wg_dh(out, &k, point);
	else
		memset(out, 0, WG_KEY_LEN);
	key_release(&k);
	return ok;
}

bool wg_x25519_public(uint8_t pub[WG_KEY_LEN], const uint8_t priv[WG_KEY_LEN])
{
	if (wg_is_zero(priv, WG_KEY_LEN))
		return false;
	/* Imported without a public value, OpenSSL computes it with its fixed-base table. */
	EVP_PKEY *key = import(priv, NULL);
	bool ok = key && raw_public(key, pub);

	EVP_PKEY_free(key);
	if (!ok)
		wg_crypto_die("X25519 public key");
	return true;
}

void wg_x25519_clamp(uint8_t key[WG_KEY_LEN])
{
	key[0] &= 248;
	key[31] = (key[31] & 127) | 64;
}
