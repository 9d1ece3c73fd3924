/* The operating system's CSPRNG, for keys and the random callback given to the core. */
#include "crypto/crypto.h"
#include <errno.h>
#include <string.h>
#include <sys/random.h>

static void fill(void *buf, size_t len)
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

/* Small requests (timer jitter, indices, nonces: several per batch of packets) are
 * served from a per-thread block of kernel randomness instead of one system call each;
 * every byte handed out is wiped from the block, so none is ever given twice or kept. */
enum { POOL = 256, SMALL = 32 };
static __thread uint8_t pool[POOL];
static __thread size_t pool_left;

void wg_os_random(void *buf, size_t len)
{
	if (len > SMALL) {
		fill(buf, len);
		return;
	}
	if (pool_left < len) {
		fill(pool, POOL);
		pool_left = POOL;
	}
	uint8_t *src = pool + POOL - pool_left;
	memcpy(buf, src, len);
	wg_wipe(src, len);
	pool_left -= len;
}

void wg_generate_private_key(uint8_t key[WG_KEY_LEN])
{
	wg_os_random(key, WG_KEY_LEN);
	wg_x25519_clamp(key);
}
