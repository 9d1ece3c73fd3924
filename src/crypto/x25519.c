/* X25519 over OpenSSL's EVP_PKEY interface. Both keys become EVP_PKEYs for each call;
 * the private one is imported together with a placeholder public value, because
 * importing it alone makes OpenSSL derive its public key: a second, wasted scalar
 * multiplication that doubles the cost of every Diffie-Hellman (62 us instead of 33 in
 * bench/crypto.c). Derivation ignores that public value. */
#include "crypto/crypto.h"
#include <pthread.h>
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

/* out = X25519(priv, peer) through an exchange context; false on any failure,
 * including OpenSSL's own refusal of an all-zero result. */
static bool derive(uint8_t out[WG_KEY_LEN], EVP_PKEY *priv, EVP_PKEY *peer)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, priv, NULL);
	size_t outlen = WG_KEY_LEN;
	bool ok;

	/* Peer validation is skipped: for X25519 it only checks that a public key is
	 * present, and the all-zero check below is the one that matters. */
	ok = ctx && EVP_PKEY_derive_init(ctx) > 0 && EVP_PKEY_derive_set_peer_ex(ctx, peer, 0) > 0 &&
	     EVP_PKEY_derive(ctx, out, &outlen) > 0 && outlen == WG_KEY_LEN;
	EVP_PKEY_CTX_free(ctx);
	return ok;
}

bool wg_x25519(uint8_t out[WG_KEY_LEN], const uint8_t scalar[WG_KEY_LEN], const uint8_t point[WG_KEY_LEN])
{
	/* The placeholder public value is the peer's point: any 32 bytes would do. */
	EVP_PKEY *priv = import(scalar, point), *peer = import(NULL, point);
	bool ok = priv && peer && derive(out, priv, peer);

	EVP_PKEY_free(priv);
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

bool wg_x25519_public(uint8_t pub[WG_KEY_LEN], const uint8_t priv[WG_KEY_LEN])
{
	if (wg_is_zero(priv, WG_KEY_LEN))
		return false;
	/* Imported without a public value, OpenSSL computes it with its fixed-base table. */
	EVP_PKEY *key = import(priv, NULL);
	size_t len = WG_KEY_LEN;
	bool ok = key && EVP_PKEY_get_raw_public_key(key, pub, &len) > 0 && len == WG_KEY_LEN;

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
