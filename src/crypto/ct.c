/* Comparisons and erasure whose running time and effect do not depend on the bytes. */
#include "crypto/crypto.h"
#include <string.h>
#include <openssl/crypto.h>

bool wg_memeq(const void *a, const void *b, size_t n)
{
	return CRYPTO_memcmp(a, b, n) == 0;
}

/* Word-wise: CRYPTO_memcmp goes byte by byte (~220 instructions for 32 bytes, 7%
 * of sealing a keepalive), and aead.c compares the key on every packet. */
bool wg_key_eq(const uint8_t a[WG_KEY_LEN], const uint8_t b[WG_KEY_LEN])
{
	uint64_t x, y, acc = 0;

	for (size_t i = 0; i < WG_KEY_LEN; i += sizeof(x)) {
		memcpy(&x, a + i, sizeof(x));
		memcpy(&y, b + i, sizeof(y));
		acc |= x ^ y;
		/* Hides acc's value from the optimiser, so it cannot exit early once acc != 0. */
		__asm__("" : "+r"(acc));
	}
	/* acc | -acc has the top bit set exactly when acc != 0: no branch on the keys. */
	return ((acc | (0 - acc)) >> 63) ^ 1;
}

bool wg_is_zero(const void *a, size_t n)
{
	/* volatile keeps the compiler from turning the OR-fold into an early exit. */
	const volatile uint8_t *p = a;
	unsigned acc = 0;

	for (size_t i = 0; i < n; i++)
		acc |= p[i];
	/* acc - 1 borrows into bit 8 only when acc == 0. */
	return ((acc - 1) >> 8) & 1;
}

void wg_wipe(void *p, size_t n)
{
	/* an empty buffer may have no memory at all (NULL): nothing to wipe */
	if (!p)
		return;
	/* explicit_bzero is documented as never elided, unlike memset before free. */
	explicit_bzero(p, n);
}
