/* Allocation that never returns NULL: the programs here cannot do anything useful
 * after running out of memory, so they stop (with a message) instead of half-applying
 * a change. */
#ifndef WG_UTIL_ALLOC_H
#define WG_UTIL_ALLOC_H
#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
#endif
