/* ChaCha20-Poly1305 (RFC 8439) over OpenSSL, whose AVX-512 code seals a 1420-byte
 * packet in about half of libsodium's time (src/crypto/README.md). The cipher is fetched
 * once; each thread keeps one context per direction, and each context remembers the key
 * it holds. A session seals and opens thousands of packets with one key, so when the
 * key is the one held only the nonce is set, 5% quicker at 1420 bytes and 12% for a
 * keepalive (README). Results never depend on what a context held before: every call
 * sets the nonce, which resets the cipher and Poly1305 state. */
#include "crypto/crypto.h"
#include <limits.h>
#include <pthread.h>
#include <string.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include "util/secmem.h"

/* One direction's context and a copy of the key it was last given. */
struct keyed_ctx {
	EVP_CIPHER_CTX *ctx;
	uint8_t key[WG_KEY_LEN];
	bool keyed; /* key is valid (an all-zero key is still a key) */
};

/* A thread's two contexts, indexed by the enc argument (0 open, 1 seal), so a thread
 * that seals with one session key and opens with another re-keys neither. In secret
 * memory, like OpenSSL's own copies of the keys (secheap.c); freeing it wipes it. */
struct thread_ctxs {
	struct keyed_ctx dir[2];
};

static pthread_once_t once = PTHREAD_ONCE_INIT;
static EVP_CIPHER *chacha;
static pthread_key_t ctxs_key; /* its destructor frees and wipes a thread's contexts */
static __thread struct thread_ctxs *thread_ctxs;

static void free_ctxs(void *p)
{
	struct thread_ctxs *t = p;

	for (int i = 0; i < 2; i++)
		EVP_CIPHER_CTX_free(t->dir[i].ctx); /* OpenSSL wipes its key schedule */
	wg_secmem_free(t);
	thread_ctxs = NULL;
}

static void setup(void)
{
	chacha = EVP_CIPHER_fetch(NULL, "ChaCha20-Poly1305", NULL);
	if (!chacha || pthread_key_create(&ctxs_key, free_ctxs))
		wg_crypto_die("fetching ChaCha20-Poly1305");
}

/* Binds the cipher once in direction enc; later calls pass NULL for it, which skips
 * OpenSSL's provider context rebuild. */
static EVP_CIPHER_CTX *new_ctx(int enc)
{
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();

	if (!ctx || !EVP_CipherInit_ex2(ctx, chacha, NULL, NULL, enc, NULL))
		wg_crypto_die("ChaCha20-Poly1305 context");
	return ctx;
}

static struct thread_ctxs *ctxs(void)
{
	if (__builtin_expect(thread_ctxs != NULL, 1))
		return thread_ctxs;
	pthread_once(&once, setup);
	struct thread_ctxs *t = wg_secmem_alloc(sizeof(*t));
	if (!t)
		wg_crypto_die("no secret memory for the ChaCha20-Poly1305 contexts");
	for (int i = 0; i < 2; i++)
		t->dir[i].ctx = new_ctx(i);
	if (pthread_setspecific(ctxs_key, t))
		wg_crypto_die("ChaCha20-Poly1305 context");
	return thread_ctxs = t;
}

/* The key to hand OpenSSL: NULL when kc holds key already (compared in constant time,
 * so the time taken says nothing about how much of a key matched). */
static const uint8_t *key_to_set(struct keyed_ctx *kc, const uint8_t key[WG_KEY_LEN])
{
	if (kc->keyed && wg_key_eq(kc->key, key))
		return NULL;
	memcpy(kc->key, key, WG_KEY_LEN);
	kc->keyed = true;
	return key;
}

/* Starts an operation in direction enc, keyed, and absorbs the associated data. */
static EVP_CIPHER_CTX *start(int enc, const uint8_t *ad, size_t adlen, const uint8_t nonce[12],
			     const uint8_t key[WG_KEY_LEN])
{
	struct keyed_ctx *kc = &ctxs()->dir[enc];
	int n;

	if (adlen > INT_MAX || !EVP_CipherInit_ex2(kc->ctx, NULL, key_to_set(kc, key), nonce, enc, NULL) ||
	    (adlen && !EVP_CipherUpdate(kc->ctx, NULL, &n, ad, (int)adlen)))
		wg_crypto_die("ChaCha20-Poly1305 init");
	return kc->ctx;
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
