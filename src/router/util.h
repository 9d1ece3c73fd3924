/* Small helpers shared by the router and the console: a string vector and string
 * utilities, on top of the growable string and the allocation of src/util. */
#ifndef WG_ROUTER_UTIL_H
#define WG_ROUTER_UTIL_H
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include "util/alloc.h"
#include "util/sbuf.h"

struct strvec { char **v; size_t n, cap; };
void sv_push(struct strvec *v, const char *s);
void sv_push_take(struct strvec *v, char *s);
void sv_free(struct strvec *v);
bool sv_has(const struct strvec *v, const char *s);
/* Splits s at sep (empty parts dropped, surrounding spaces trimmed). */
void sv_split(struct strvec *v, const char *s, char sep);
/* The elements joined with sep, malloc'd. */
char *sv_join(const struct strvec *v, const char *sep);

/* Frees *p and stores a copy of s (NULL allowed). */
void xset(char **p, const char *s);
/* Zeroes a string before freeing it: values may hold private keys. */
void xfree_secret(char *s);
bool streq(const char *a, const char *b); /* NULL-safe */
#endif
