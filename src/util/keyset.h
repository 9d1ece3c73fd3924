/* A set of fixed-size byte keys (open addressing, linear probing): the router's reconcile asks
 * "is this address/route/rule already there?" for every wanted entry against lists of
 * thousands, which a linear scan made quadratic. A zeroed struct needs wg_keyset_init. */
#ifndef WG_UTIL_KEYSET_H
#define WG_UTIL_KEYSET_H
#include <stdbool.h>
#include <stddef.h>

struct wg_keyset {
	size_t key_len;
	size_t n, cap;          /* cap is a power of two (or 0) */
	unsigned char *keys;    /* cap slots of key_len bytes */
	unsigned char *used;    /* cap flags */
};

void wg_keyset_init(struct wg_keyset *s, size_t key_len);
/* Adds key; true when it was not there yet. */
bool wg_keyset_add(struct wg_keyset *s, const void *key);
bool wg_keyset_has(const struct wg_keyset *s, const void *key);
void wg_keyset_free(struct wg_keyset *s);
#endif
