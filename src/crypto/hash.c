/* BLAKE2s-256 and keyed BLAKE2s over OpenSSL. Fetching an algorithm by name costs a
 * locked lookup in the provider store, and a context costs an allocation, so both are
 * done once: algorithms once per process, contexts once per thread. */
#include "crypto/crypto.h"
#include <pthread.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>

static pthread_once_t once = PTHREAD_ONCE_INIT;
static EVP_MD *blake2s;
static EVP_MAC *blake2s_mac;
/* Keys whose destructors free a thread's contexts when the thread exits. */
static pthread_key_t md_key, mac_key;
static __thread EVP_MD_CTX *thread_md;
static __thread EVP_MAC_CTX *thread_mac;
static __thread size_t thread_mac_len; /* the output length thread_mac is set to; 0 = none */

static void free_md(void *p)
{
	EVP_MD_CTX_free(p);
	thread_md = NULL; /* a later destructor in this thread may still hash */
}

static void free_mac(void *p)
{
	EVP_MAC_CTX_free(p);
	thread_mac = NULL;
	thread_mac_len = 0;
}

static void setup(void)
{
	blake2s = EVP_MD_fetch(NULL, "BLAKE2S-256", NULL);
	blake2s_mac = EVP_MAC_fetch(NULL, "BLAKE2SMAC", NULL);
	if (!blake2s || !blake2s_mac || pthread_key_create(&md_key, free_md) ||
	    pthread_key_create(&mac_key, free_mac))
		wg_crypto_die("fetching BLAKE2s");
}

static EVP_MD_CTX *md_ctx(void)
{
	if (__builtin_expect(thread_md != NULL, 1))
		return thread_md;
	pthread_once(&once, setup);
	thread_md = EVP_MD_CTX_new();
	if (!thread_md || pthread_setspecific(md_key, thread_md))
		wg_crypto_die("BLAKE2s context");
	return thread_md;
}

static EVP_MAC_CTX *mac_ctx(void)
{
	if (__builtin_expect(thread_mac != NULL, 1))
		return thread_mac;
	pthread_once(&once, setup);
	thread_mac = EVP_MAC_CTX_new(blake2s_mac);
	if (!thread_mac || pthread_setspecific(mac_key, thread_mac))
		wg_crypto_die("keyed BLAKE2s context");
	return thread_mac;
}

void wg_hash(uint8_t out[WG_HASH_LEN], const void *a, size_t alen, const void *b, size_t blen)
{
	EVP_MD_CTX *ctx = md_ctx();

	if (!EVP_DigestInit_ex2(ctx, blake2s, NULL) || !EVP_DigestUpdate(ctx, a, alen) ||
	    (blen && !EVP_DigestUpdate(ctx, b, blen)) || !EVP_DigestFinal_ex(ctx, out, NULL))
		wg_crypto_die("BLAKE2s");
}

void wg_mac(uint8_t *out, size_t outlen, const uint8_t *key, size_t keylen, const void *in, size_t len)
{
	EVP_MAC_CTX *ctx = mac_ctx();
	/* The output length is a BLAKE2s parameter mixed into the first state word, so a
	 * 16-byte MAC is not a truncated 32-byte one: it must be set before keying. The
	 * context keeps it from one init to the next, so it is passed only when it changes
	 * (parsing it is ~5% of a MAC1 check, which every flooded datagram costs). */
	OSSL_PARAM params[] = {
		OSSL_PARAM_construct_size_t(OSSL_MAC_PARAM_SIZE, &outlen),
		OSSL_PARAM_construct_end(),
	};
	size_t done;

	if (!EVP_MAC_init(ctx, key, keylen, outlen == thread_mac_len ? NULL : params))
		wg_crypto_die("keyed BLAKE2s");
	thread_mac_len = outlen;
	if (!EVP_MAC_update(ctx, in, len) || !EVP_MAC_final(ctx, out, &done, outlen) || done != outlen)
		wg_crypto_die("keyed BLAKE2s");
}
