/* HMAC-BLAKE2s and WireGuard's HKDF, built from wg_hash. Done by hand rather than with
 * EVP_MAC "HMAC": every handshake HMAC has a fresh key, and two wg_hash calls with the
 * pads are about 20% quicker than re-keying OpenSSL's HMAC (bench/crypto.c). */
#include "crypto/crypto.h"
#include <string.h>

enum { BLOCK = 64 };

void wg_hmac(uint8_t out[WG_HASH_LEN], const uint8_t *key, size_t keylen, const void *in, size_t len)
{
	uint8_t pad[BLOCK] = { 0 }, inner[WG_HASH_LEN];

	/* Everything is read before out is written, so out may alias key or in. */
	if (keylen > BLOCK)
		wg_hash(pad, key, keylen, NULL, 0);
	else
		memcpy(pad, key, keylen);
	for (int i = 0; i < BLOCK; i++)
		pad[i] ^= 0x36;
	wg_hash(inner, pad, BLOCK, in, len);
	for (int i = 0; i < BLOCK; i++)
		pad[i] ^= 0x36 ^ 0x5c;
	wg_hash(out, pad, BLOCK, inner, sizeof(inner));
	wg_wipe(pad, sizeof(pad));
	wg_wipe(inner, sizeof(inner));
}

void wg_kdf(uint8_t *t1, uint8_t *t2, uint8_t *t3, const uint8_t ck[WG_HASH_LEN], const void *in, size_t inlen)
{
	uint8_t *outs[3] = { t1, t2, t3 };
	uint8_t prk[WG_HASH_LEN], t[WG_HASH_LEN + 1];
	int n = t3 ? 3 : t2 ? 2 : t1 ? 1 : 0;
	size_t tlen = 0;

	/* prk is taken before any output is written, so t1 may alias ck (it usually does). */
	wg_hmac(prk, ck, WG_HASH_LEN, in, inlen);
	for (int i = 0; i < n; i++) {
		/* T(i) = HMAC(prk, T(i-1) || i), with T(0) empty. */
		t[tlen] = (uint8_t)(i + 1);
		wg_hmac(t, prk, sizeof(prk), t, tlen + 1);
		tlen = WG_HASH_LEN;
		if (outs[i])
			memcpy(outs[i], t, WG_HASH_LEN);
	}
	wg_wipe(prk, sizeof(prk));
	wg_wipe(t, sizeof(t));
}
