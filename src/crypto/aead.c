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

/* The keys a thread's two contexts hold, indexed by the enc argument (0 open, 1 seal),
 * so a thread that seals with one session key and opens with another re-keys neither.
 * In secret memory, like OpenSSL's own copies of them (secheap.c); freeing it wipes it. */
struct held_keys {
	uint8_t key[2][WG_KEY_LEN];
	bool valid[2]; /* an all-zero key is still a key */
};

static pthread_once_t once = PTHREAD_ONCE_INIT;
static EVP_CIPHER *chacha;
static pthread_key_t keys_key; /* its destructor frees a thread's contexts, wipes its keys */
/* The context pointers stay in thread-local storage, which leak checkers scan, rather
 * than in secret memory, which they do not. */
static __thread EVP_CIPHER_CTX *thread_ctx[2];
static __thread struct held_keys *thread_keys;

static void free_thread(void *keys)
{
	for (int i = 0; i < 2; i++) {
		EVP_CIPHER_CTX_free(thread_ctx[i]); /* OpenSSL wipes its key schedule */
		thread_ctx[i] = NULL;
	}
	wg_secmem_free(keys);
	thread_keys = NULL;
}

static void setup(void)
{
	chacha = EVP_CIPHER_fetch(NULL, "ChaCha20-Poly1305", NULL);
	if (!chacha || pthread_key_create(&keys_key, free_thread))
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

/* The calling thread's held keys, its contexts created on first use. */
static struct held_keys *held_keys(void)
{
	if (__builtin_expect(thread_keys != NULL, 1))
		return thread_keys;
	pthread_once(&once, setup);
	struct held_keys *held = wg_secmem_alloc(sizeof(*held));
	if (!held)
		wg_crypto_die("no secret memory for the ChaCha20-Poly1305 keys");
	for (int i = 0; i < 2; i++)
		thread_ctx[i] = new_ctx(i);
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
static EVP_CIPHER_CTX *start(int enc, const uint8_t *ad, size_t adlen, const uint8_t nonce[12],
			     const uint8_t key[WG_KEY_LEN])
{
	const uint8_t *set = key_to_set(held_keys(), enc, key);
	EVP_CIPHER_CTX *ctx = thread_ctx[enc];
	int n;

	if (adlen > INT_MAX || !EVP_CipherInit_ex2(ctx, NULL, set, nonce, enc, NULL) ||
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
