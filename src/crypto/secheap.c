/* OpenSSL allocates from secret memory (util/secmem.h), so its copies of keys stay out
 * of core dumps too: OpenSSL 3.0 keeps an imported X25519 private key (one per
 * interface, prepared for every handshake) on its ordinary heap, and the per-thread
 * cipher and MAC contexts hold the last key they were given. Blocks larger than
 * secret memory's largest (bulk buffers) come from malloc.
 *
 * OpenSSL takes custom allocators only before its first allocation, hence the
 * constructor (it runs before main; libcrypto allocates nothing while loading).
 * Cost: packets allocate nothing; a handshake's ~100 allocations take one lock each. */
#include "crypto/crypto.h"
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>
#include "util/secmem.h"

static bool installed;

static void *ossl_malloc(size_t n, const char *file, int line)
{
	void *p = n <= WG_SECMEM_MAX ? wg_secmem_alloc(n) : NULL;
	return p ? p : malloc(n);
}

static void ossl_free(void *p, const char *file, int line)
{
	if (wg_secmem_owns(p))
		wg_secmem_free(p);
	else
		free(p);
}

static void *ossl_realloc(void *p, size_t n, const char *file, int line)
{
	if (!p)
		return ossl_malloc(n, file, line);
	if (!n) {
		ossl_free(p, file, line);
		return NULL;
	}
	if (!wg_secmem_owns(p))
		return realloc(p, n); /* a bulk buffer stays one */
	size_t have = wg_secmem_size(p);
	if (n <= have)
		return p;
	void *q = ossl_malloc(n, file, line);
	if (q) {
		memcpy(q, p, have);
		wg_secmem_free(p);
	}
	return q;
}

__attribute__((constructor)) static void install(void)
{
	installed = CRYPTO_set_mem_functions(ossl_malloc, ossl_realloc, ossl_free) == 1;
}

bool wg_crypto_secret_heap(void)
{
	return installed;
}
