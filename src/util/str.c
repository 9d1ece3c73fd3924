/* See str.h. */
#include "util/str.h"
#include <stdlib.h>
#include <string.h>
#include "util/alloc.h"
#include "util/secmem.h"

void xset(char **p, const char *s)
{
	xfree_secret(*p);
	*p = xstrdup(s);
}

/* explicit_bzero rather than the crypto layer's wipe: util sits below crypto, and the
 * C library guarantees the store is not optimised away. */
void xfree_secret(char *s)
{
	if (wg_secmem_owns(s)) { /* a stored key (wg_item_put) */
		wg_secmem_free(s);
		return;
	}
	if (s)
		explicit_bzero(s, strlen(s));
	free(s);
}

bool streq(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return !strcmp(a, b);
}
