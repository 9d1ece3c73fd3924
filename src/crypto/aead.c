/* ChaCha20-Poly1305 (RFC 8439) over OpenSSL, whose AVX-512 code seals a 1420-byte
 * packet in about half of libsodium's time (docs/crypto-choice.md). The cipher is
 * fetched once and each thread keeps one context; every call re-keys it in full, so no
 * state carries from one packet to the next. */
#include "crypto/crypto.h"
#include <limits.h>
#include <pthread.h>
#include <string.h>
#include <openssl/err.h>
#include <openssl/evp.h>

static pthread_once_t once = PTHREAD_ONCE_INIT;
static EVP_CIPHER *chacha;
static pthread_key_t ctx_key; /* its destructor frees a thread's context at exit */
static __thread EVP_CIPHER_CTX *thread_ctx;

static void free_ctx(void *p)
{
	EVP_CIPHER_CTX_free(p);
	thread_ctx = NULL;
}

static void setup(void)
{
	chacha = EVP_CIPHER_fetch(NULL, "ChaCha20-Poly1305", NULL);
	if (!chacha || pthread_key_create(&ctx_key, free_ctx))
		wg_crypto_die("fetching ChaCha20-Poly1305");
}

static EVP_CIPHER_CTX *cipher_ctx(void)
{
	if (__builtin_expect(thread_ctx != NULL, 1))
		return thread_ctx;
	pthread_once(&once, setup);
	thread_ctx = EVP_CIPHER_CTX_new();
	/* Bind the cipher once; later calls pass NULL for it and only change key and
	 * nonce, which skips OpenSSL's provider context rebuild. */
	if (!thread_ctx || !EVP_CipherInit_ex2(thread_ctx, chacha, NULL, NULL, 1, NULL) ||
	    pthread_setspecific(ctx_key, thread_ctx))
		wg_crypto_die("ChaCha20-Poly1305 context");
	return thread_ctx;
}

/* Starts an operation in direction enc, keyed, and absorbs the associated data. */
static EVP_CIPHER_CTX *start(int enc, const uint8_t *ad, size_t adlen, const uint8_t nonce[12],
			     const uint8_t key[WG_KEY_LEN])
{
	EVP_CIPHER_CTX *ctx = cipher_ctx();
	int n;

	if (adlen > INT_MAX || !EVP_CipherInit_ex2(ctx, NULL, key, nonce, enc, NULL) ||
	    (adlen && !EVP_CipherUpdate(ctx, NULL, &n, ad, (int)adlen)))
		wg_crypto_die("ChaCha20-Poly1305 init");
	return ctx;
}

void wg_aead_seal_n12(uint8_t *dst, const uint8_t *src, size_t len, const uint8_t *ad, size_t adlen,
		      const uint8_t nonce[12], const uint8_t key[WG_KEY_LEN])
{
	EVP_CIPHER_CTX *ctx = start(1, ad, adlen, nonce, key);
	int n;

	if (len > INT_MAX - WG_TAG_LEN || (len && !EVP_CipherUpdate(ctx, dst, &n, src, (int)len)) ||
	    !EVP_CipherFinal_ex(ctx, dst + len, &n) ||
	    !EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, WG_TAG_LEN, dst + len))
		wg_crypto_die("ChaCha20-Poly1305 seal");
}

bool wg_aead_open_n12(uint8_t *dst, const uint8_t *src, size_t len, const uint8_t *ad, size_t adlen,
		      const uint8_t nonce[12], const uint8_t key[WG_KEY_LEN])
{
	if (len < WG_TAG_LEN || len > INT_MAX)
		return false;
	EVP_CIPHER_CTX *ctx = start(0, ad, adlen, nonce, key);
	size_t plen = len - WG_TAG_LEN;
	int n;

	/* The tag is handed over before decrypting because dst may equal src: the
	 * plaintext never overwrites it (it sits past plen), but this keeps that obvious. */
	if (!EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, WG_TAG_LEN, (void *)(src + plen)) ||
	    (plen && !EVP_CipherUpdate(ctx, dst, &n, src, (int)plen)))
		wg_crypto_die("ChaCha20-Poly1305 open");
	if (EVP_CipherFinal_ex(ctx, dst + plen, &n))
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
