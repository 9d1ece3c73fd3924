/* Thin wrappers over OpenSSL libcrypto (X25519, ChaCha20-Poly1305, BLAKE2s, HMAC) and
 * libsodium (XChaCha20-Poly1305, which libcrypto lacks). Nothing here keeps state
 * that changes results: cached algorithm handles and per-thread cipher contexts (which
 * remember their last key, so the next packet under it sets only the nonce) only avoid
 * OpenSSL's per-call fetches and re-keying. */
#ifndef WG_CRYPTO_H
#define WG_CRYPTO_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
	WG_KEY_LEN = 32,
	WG_HASH_LEN = 32,
	WG_TAG_LEN = 16,
	WG_MAC_LEN = 16,
	WG_XNONCE_LEN = 24,
	WG_KEY_B64_LEN = 44, /* without the terminating NUL */
	WG_KEY_HEX_LEN = 64,
};

/* BLAKE2s-256 of the concatenation a || b (b may be NULL/0). */
void wg_hash(uint8_t out[WG_HASH_LEN], const void *a, size_t alen, const void *b, size_t blen);
/* Keyed BLAKE2s with outlen (1..32) bytes of output; keylen 1..32. */
void wg_mac(uint8_t *out, size_t outlen, const uint8_t *key, size_t keylen, const void *in, size_t len);
/* HMAC-BLAKE2s (64-byte block), 32-byte output. */
void wg_hmac(uint8_t out[WG_HASH_LEN], const uint8_t *key, size_t keylen, const void *in, size_t len);
/* WireGuard's HKDF: t1..t3 = KDF(ck, in); any of t1..t3 may be NULL (KDF1/2/3). */
void wg_kdf(uint8_t *t1, uint8_t *t2, uint8_t *t3, const uint8_t ck[WG_HASH_LEN], const void *in, size_t inlen);

/* X25519(scalar, point); false when the result is all zeros (low-order point). */
bool wg_x25519(uint8_t out[WG_KEY_LEN], const uint8_t scalar[WG_KEY_LEN], const uint8_t point[WG_KEY_LEN]);
/* Public key of a private key (fixed-base). false if priv is all zero. */
bool wg_x25519_public(uint8_t pub[WG_KEY_LEN], const uint8_t priv[WG_KEY_LEN]);
void wg_x25519_clamp(uint8_t key[WG_KEY_LEN]);
/* A private key prepared for several exchanges (each then skips OpenSSL's per-call
 * setup). wg_dh_key_new computes the public key into pub unless pub is NULL; NULL if
 * priv is all zero or memory ran out. A key serves one thread at a time; freeing it
 * wipes the private bytes. wg_dh is wg_x25519 with the prepared scalar. */
struct wg_dh_key;
struct wg_dh_key *wg_dh_key_new(const uint8_t priv[WG_KEY_LEN], uint8_t pub[WG_KEY_LEN]);
bool wg_dh(uint8_t out[WG_KEY_LEN], struct wg_dh_key *key, const uint8_t point[WG_KEY_LEN]);
void wg_dh_key_free(struct wg_dh_key *key);

/* ChaCha20-Poly1305 (RFC 8439) with WireGuard's 64-bit little-endian counter nonce
 * (4 zero bytes then the counter). dst may equal src; dst needs len + 16 bytes. */
void wg_aead_seal(uint8_t *dst, const uint8_t *src, size_t len, const uint8_t *ad, size_t adlen,
		  uint64_t nonce, const uint8_t key[WG_KEY_LEN]);
/* len includes the 16-byte tag; writes len - 16 bytes; false if authentication fails. */
bool wg_aead_open(uint8_t *dst, const uint8_t *src, size_t len, const uint8_t *ad, size_t adlen,
		  uint64_t nonce, const uint8_t key[WG_KEY_LEN]);
/* Same with the full 96-bit nonce given (used by the RFC 8439 vector test). */
void wg_aead_seal_n12(uint8_t *dst, const uint8_t *src, size_t len, const uint8_t *ad, size_t adlen,
		      const uint8_t nonce[12], const uint8_t key[WG_KEY_LEN]);
bool wg_aead_open_n12(uint8_t *dst, const uint8_t *src, size_t len, const uint8_t *ad, size_t adlen,
		      const uint8_t nonce[12], const uint8_t key[WG_KEY_LEN]);
/* XChaCha20-Poly1305 (cookie replies). */
void wg_xaead_seal(uint8_t *dst, const uint8_t *src, size_t len, const uint8_t *ad, size_t adlen,
		   const uint8_t nonce[WG_XNONCE_LEN], const uint8_t key[WG_KEY_LEN]);
bool wg_xaead_open(uint8_t *dst, const uint8_t *src, size_t len, const uint8_t *ad, size_t adlen,
		   const uint8_t nonce[WG_XNONCE_LEN], const uint8_t key[WG_KEY_LEN]);

/* Constant-time helpers. */
bool wg_memeq(const void *a, const void *b, size_t n);
bool wg_key_eq(const uint8_t a[WG_KEY_LEN], const uint8_t b[WG_KEY_LEN]); /* wg_memeq, quicker */
bool wg_is_zero(const void *a, size_t n);
void wg_wipe(void *p, size_t n); /* not optimised away */

/* Keys as text, constant time in the key bytes. from_* accept exactly 44 base64 chars
 * ending in '=' (canonical: the unused low bits must be zero) / 64 hex chars. */
bool wg_key_from_base64(uint8_t key[WG_KEY_LEN], const char *b64);
void wg_key_to_base64(char out[WG_KEY_B64_LEN + 1], const uint8_t key[WG_KEY_LEN]);
bool wg_key_from_hex(uint8_t key[WG_KEY_LEN], const char *hex);
void wg_key_to_hex(char out[WG_KEY_HEX_LEN + 1], const uint8_t key[WG_KEY_LEN]);

/* Whether OpenSSL allocates from secret memory (secheap.c): false only if something
 * made OpenSSL allocate before the program started. */
bool wg_crypto_secret_heap(void);

/* Fills buf from the operating system's CSPRNG (platform edge; the core never calls it,
 * it receives a random callback instead). */
void wg_os_random(void *buf, size_t len);
/* A fresh clamped private key from the OS CSPRNG. */
void wg_generate_private_key(uint8_t key[WG_KEY_LEN]);

/* For src/crypto itself: prints what failed (with OpenSSL's error queue) and aborts.
 * Used where libcrypto or libsodium fails and no safe result exists (an algorithm
 * missing at start-up, no memory for a per-thread context): a void primitive must
 * never hand back a half-computed key or ciphertext instead. */
_Noreturn void wg_crypto_die(const char *what);
#endif
