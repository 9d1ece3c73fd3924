/* The operating system's CSPRNG, for keys and the random callback given to the core. */
#include "crypto/crypto.h"
#include <errno.h>
#include <sys/random.h>

void wg_os_random(void *buf, size_t len)
{
	uint8_t *p = buf;

	/* getrandom() may return short (large requests) or EINTR; it never returns
	 * predictable bytes, blocking instead until the pool is seeded at boot. */
	while (len > 0) {
		ssize_t n = getrandom(p, len, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			wg_crypto_die("getrandom");
		}
		p += n;
		len -= (size_t)n;
	}
}

void wg_generate_private_key(uint8_t key[WG_KEY_LEN])
{
	wg_os_random(key, WG_KEY_LEN);
	wg_x25519_clamp(key);
}
