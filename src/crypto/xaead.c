/* XChaCha20-Poly1305 for cookie replies, from libsodium because libcrypto has no
 * XChaCha. Only cookie replies use it, so its speed does not matter. */
#include "crypto/crypto.h"
#include <pthread.h>
#include <sodium.h>

static pthread_once_t once = PTHREAD_ONCE_INIT;

/* sodium_init picks the CPU-specific ChaCha20/Poly1305 code; libsodium requires it
 * before any other call. */
static void setup(void)
{
	if (sodium_init() < 0)
		wg_crypto_die("sodium_init");
}

void wg_xaead_seal(uint8_t *dst, const uint8_t *src, size_t len, const uint8_t *ad, size_t adlen,
		   const uint8_t nonce[WG_XNONCE_LEN], const uint8_t key[WG_KEY_LEN])
{
	pthread_once(&once, setup);
	crypto_aead_xchacha20poly1305_ietf_encrypt(dst, NULL, src, len, ad, adlen, NULL, nonce, key);
}

bool wg_xaead_open(uint8_t *dst, const uint8_t *src, size_t len, const uint8_t *ad, size_t adlen,
		   const uint8_t nonce[WG_XNONCE_LEN], const uint8_t key[WG_KEY_LEN])
{
	pthread_once(&once, setup);
	/* libsodium checks the tag before decrypting and zeroes dst when it fails. */
	return len >= WG_TAG_LEN &&
	       crypto_aead_xchacha20poly1305_ietf_decrypt(dst, NULL, NULL, src, len, ad, adlen, nonce, key) == 0;
}
