/* String helpers for values that may hold secrets, and a NULL-safe comparison. */
#ifndef WG_UTIL_STR_H
#define WG_UTIL_STR_H
#include <stdbool.h>

/* Frees *p (wiped) and stores a copy of s (NULL allowed). */
void xset(char **p, const char *s);
/* Zeroes a string before freeing it: values may hold private keys. */
void xfree_secret(char *s);
bool streq(const char *a, const char *b); /* NULL-safe */
#endif
