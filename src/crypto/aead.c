/* ChaCha20-Poly1305 (RFC 8439) over OpenSSL, whose AVX-512 code seals a 1420-byte
 * packet in about half of libsodium's time (src/crypto/README.md). The cipher is fetched
 * once; each thread keeps one context per direction, and each context remembers the key
 * it holds. A session seals and opens thousands of packets with one key, so when the
 * key is the one held only the nonce is set, 5% quicker at 1420 bytes and 12% for a
 * keepalive (README). Results never depend on what a context held before: every call
 * sets the nonce, which resets the cipher and Poly1305 state.
 *
 * The contexts are the provider's own, driven through the functions of its dispatch
 * table (OpenSSL's public provider API), not through EVP_CIPHER_CTX: EVP's wrapper asks
 * the provider for the IV length by a parameter lookup on every init and turns the tag
 * ctrl into parameters, 40-65 ns a call (README). The calls and their arguments are
 * those EVP makes. */
#include "crypto/crypto.h"
#include <limits.h>
#include <pthread.h>
#include <string.h>
#include <strings.h>
#include <openssl/core_dispatch.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/provider.h>
#include "util/secmem.h"

/* The provider's ChaCha20-Poly1305, found once per process. */
static struct {
	EVP_CIPHER *cipher; /* as fetched: holds its provider loaded, which makes the contexts */
	OSSL_FUNC_cipher_newctx_fn *newctx;
	OSSL_FUNC_cipher_freectx_fn *freectx;
	OSSL_FUNC_cipher_encrypt_init_fn *einit;
	OSSL_FUNC_cipher_decrypt_init_fn *dinit;
	OSSL_FUNC_cipher_update_fn *update;
	OSSL_FUNC_cipher_final_fn *final;
	OSSL_FUNC_cipher_get_ctx_params_fn *get_params;
	OSSL_FUNC_cipher_set_ctx_params_fn *set_params;
} impl;

/* The keys a thread's two contexts hold, indexed by the enc argument (0 open, 1 seal),
 * so a thread that seals with one session key and opens with another re-keys neither.
 * In secret memory, like OpenSSL's own copies of them (secheap.c); freeing it wipes it. */
struct held_keys {
	uint8_t key[2][WG_KEY_LEN];
	bool valid[2]; /* an all-zero key is still a key */
};

static pthread_once_t once = PTHREAD_ONCE_INIT;
static pthread_key_t keys_key; /* its destructor frees a thread's contexts, wipes its keys */
/* The context pointers stay in thread-local storage, which leak checkers scan, rather
 * than in secret memory, which they do not. Index: enc (0 open, 1 seal). */
static __thread void *thread_ctx[2];
static __thread struct held_keys *thread_keys;

static void free_thread(void *keys)
{
	for (int i = 0; i < 2; i++) {
		impl.freectx(thread_ctx[i]); /* the provider wipes its key schedule */
		thread_ctx[i] = NULL;
	}
	wg_secmem_free(keys);
	thread_keys = NULL;
}

static void take(const OSSL_DISPATCH *d)
{
	for (; d->function_id; d++) {
		void (*f)(void) = d->function;
		switch (d->function_id) {
		case OSSL_FUNC_CIPHER_NEWCTX: impl.newctx = (OSSL_FUNC_cipher_newctx_fn *)f; break;
		case OSSL_FUNC_CIPHER_FREECTX: impl.freectx = (OSSL_FUNC_cipher_freectx_fn *)f; break;
		case OSSL_FUNC_CIPHER_ENCRYPT_INIT: impl.einit = (OSSL_FUNC_cipher_encrypt_init_fn *)f; break;
		case OSSL_FUNC_CIPHER_DECRYPT_INIT: impl.dinit = (OSSL_FUNC_cipher_decrypt_init_fn *)f; break;
		case OSSL_FUNC_CIPHER_UPDATE: impl.update = (OSSL_FUNC_cipher_update_fn *)f; break;
		case OSSL_FUNC_CIPHER_FINAL: impl.final = (OSSL_FUNC_cipher_final_fn *)f; break;
		case OSSL_FUNC_CIPHER_GET_CTX_PARAMS: impl.get_params = (OSSL_FUNC_cipher_get_ctx_params_fn *)f; break;
		case OSSL_FUNC_CIPHER_SET_CTX_PARAMS: impl.set_params = (OSSL_FUNC_cipher_set_ctx_params_fn *)f; break;
		}
	}
}

/* An algorithm's names are a list joined by ':'. */
static bool names_include(const char *names, const char *name)
{
	size_t len = strlen(name);
	for (const char *p = names; p; p = strchr(p, ':')) {
		if (*p == ':')
			p++;
		if (!strncasecmp(p, name, len) && (p[len] == ':' || !p[len]))
			return true;
	}
	return false;
}

/* The implementation EVP would use: the provider that the fetch picked, and in its
 * table the algorithm of that name. */
static void setup(void)
{
	impl.cipher = EVP_CIPHER_fetch(NULL, "ChaCha20-Poly1305", NULL);
	const OSSL_PROVIDER *prov = impl.cipher ? EVP_CIPHER_get0_provider(impl.cipher) : NULL;
	int no_cache = 0;
	const OSSL_ALGORITHM *algs = prov ? OSSL_PROVIDER_query_operation(prov, OSSL_OP_CIPHER, &no_cache) : NULL;
	for (const OSSL_ALGORITHM *alg = algs; alg && alg->algorithm_names; alg++)
		if (names_include(alg->algorithm_names, "ChaCha20-Poly1305")) {
			take(alg->implementation); /* the functions live as long as the provider */
			break;
		}
	if (algs)
		OSSL_PROVIDER_unquery_operation(prov, OSSL_OP_CIPHER, algs);
	if (!impl.newctx || !impl.freectx || !impl.einit || !impl.dinit || !impl.update || !impl.final ||
	    !impl.get_params || !impl.set_params || pthread_key_create(&keys_key, free_thread))
		wg_crypto_die("fetching ChaCha20-Poly1305");
}

/* The calling thread's held keys, its contexts created on first use. */
static struct held_keys *held_keys(void)
{
	if (__builtin_expect(thread_keys != NULL, 1))
		return thread_keys;
	pthread_once(&once, setup);
	struct held_keys *held = wg_secmem_alloc(sizeof(*held));
	if (!held)
		wg_crypto_die("no secret memory for the ChaCha20-Poly1305 keys");
	void *provctx = OSSL_PROVIDER_get0_provider_ctx(EVP_CIPHER_get0_provider(impl.cipher));
	for (int i = 0; i < 2; i++)
		if (!(thread_ctx[i] = impl.newctx(provctx)))
			wg_crypto_die("ChaCha20-Poly1305 context");
	if (pthread_setspecific(keys_key, held))
		wg_crypto_die("ChaCha20-Poly1305 context");
	return thread_keys = held;
}

/* The key to hand OpenSSL: NULL when the context of direction enc holds it already
 * (compared in constant time, so the time taken says nothing about how much of a key
 * matched). */
static const uint8_t *key_to_set(struct held_keys *held, int enc, const uint8_t key[WG_KEY_LEN])
{
	if (held->valid[enc] && wg_key_eq(held->key[enc], key))
		return NULL;
	memcpy(held->key[enc], key, WG_KEY_LEN);
	held->valid[enc] = true;
	return key;
}

/* Starts an operation in direction enc, keyed, and absorbs the associated data. */
static void *start(int enc, const uint8_t *ad, size_t adlen, const uint8_t nonce[12],
		   const uint8_t key[WG_KEY_LEN])
{
	const uint8_t *set = key_to_set(held_keys(), enc, key);
	void *ctx = thread_ctx[enc];
	size_t keylen = set ? WG_KEY_LEN : 0, n;
	int ok = enc ? impl.einit(ctx, set, keylen, nonce, 12, NULL) : impl.dinit(ctx, set, keylen, nonce, 12, NULL);

	if (!ok || (adlen && !impl.update(ctx, NULL, &n, adlen, ad, adlen)))
		wg_crypto_die("ChaCha20-Poly1305 init");
	return ctx;
}

/* The tag as a parameter: the provider copies it out (seal) or in (open). */
static void tag_param(OSSL_PARAM p[2], uint8_t *tag)
{
	p[0] = OSSL_PARAM_construct_octet_string(OSSL_CIPHER_PARAM_AEAD_TAG, tag, WG_TAG_LEN);
	p[1] = OSSL_PARAM_construct_end();
}

void wg_aead_seal_n12(uint8_t *dst, const uint8_t *src, size_t len, const uint8_t *ad, size_t adlen,
		      const uint8_t nonce[12], const uint8_t key[WG_KEY_LEN])
{
	void *ctx = start(1, ad, adlen, nonce, key);
	OSSL_PARAM tag[2];
	size_t n;

	tag_param(tag, dst + len);
	if (len > INT_MAX - WG_TAG_LEN || (len && !impl.update(ctx, dst, &n, len, src, len)) ||
	    !impl.final(ctx, dst + len, &n, 0) || !impl.get_params(ctx, tag))
		wg_crypto_die("ChaCha20-Poly1305 seal");
}

bool wg_aead_open_n12(uint8_t *dst, const uint8_t *src, size_t len, const uint8_t *ad, size_t adlen,
		      const uint8_t nonce[12], const uint8_t key[WG_KEY_LEN])
{
	if (len < WG_TAG_LEN || len > INT_MAX)
		return false;
	void *ctx = start(0, ad, adlen, nonce, key);
	size_t plen = len - WG_TAG_LEN, n;
	OSSL_PARAM tag[2];

	/* The tag is handed over before decrypting because dst may equal src: the
	 * plaintext never overwrites it (it sits past plen), but this keeps that obvious. */
	tag_param(tag, (uint8_t *)(src + plen));
	if (!impl.set_params(ctx, tag) || (plen && !impl.update(ctx, dst, &n, plen, src, plen)))
		wg_crypto_die("ChaCha20-Poly1305 open");
	if (impl.final(ctx, dst + plen, &n, 0))
		return true;
	/* Forged or corrupted: never leave unauthenticated plaintext behind. */
	ERR_clear_error();
	wg_wipe(dst, plen);
	return false;
}

/* WireGuard's nonce: 32 zero bits, then the 64-bit counter little-endian. */
static void wg_nonce(uint8_t out[12], uint64_t counter)
{
	memset(out, 0, 4);
	for (int i = 0; i < 8; i++)
		out[4 + i] = (uint8_t)(counter >> (8 * i));
}

void wg_aead_seal(uint8_t *dst, const uint8_t *src, size_t len, const uint8_t *ad, size_t adlen,
		  uint64_t nonce, const uint8_t key[WG_KEY_LEN])
{
	uint8_t n12[12];

	wg_nonce(n12, nonce);
	wg_aead_seal_n12(dst, src, len, ad, adlen, n12, key);
}

bool wg_aead_open(uint8_t *dst, const uint8_t *src, size_t len, const uint8_t *ad, size_t adlen,
		  uint64_t nonce, const uint8_t key[WG_KEY_LEN])
{
	uint8_t n12[12];

	wg_nonce(n12, nonce);
	return wg_aead_open_n12(dst, src, len, ad, adlen, n12, key);
}
