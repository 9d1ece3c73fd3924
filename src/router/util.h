/* Small helpers shared by the router and the console: a growable string, a string
 * vector and allocation that never returns NULL (the daemon cannot do anything useful
 * after running out of memory, so it stops instead of half-applying a change). */
#ifndef WG_ROUTER_UTIL_H
#define WG_ROUTER_UTIL_H
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct sbuf { char *s; size_t len, cap; };

void sb_init(struct sbuf *b);
void sb_free(struct sbuf *b);
void sb_add(struct sbuf *b, const char *s);
void sb_addn(struct sbuf *b, const char *s, size_t n);
void sb_addc(struct sbuf *b, char c);
void sb_printf(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sb_vprintf(struct sbuf *b, const char *fmt, va_list ap);
void sb_reset(struct sbuf *b);
/* The text (never NULL); stays owned by b. */
const char *sb_str(const struct sbuf *b);
/* Hands the text to the caller (malloc'd) and leaves b empty. */
char *sb_take(struct sbuf *b);
/* The rest of the stream f as one string (malloc'd); f stays open. */
char *sb_read_stream(FILE *f);

struct strvec { char **v; size_t n, cap; };
void sv_push(struct strvec *v, const char *s);
void sv_push_take(struct strvec *v, char *s);
void sv_free(struct strvec *v);
bool sv_has(const struct strvec *v, const char *s);
/* Splits s at sep (empty parts dropped, surrounding spaces trimmed). */
void sv_split(struct strvec *v, const char *s, char sep);
/* The elements joined with sep, malloc'd. */
char *sv_join(const struct strvec *v, const char *sep);

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *xvasprintf(const char *fmt, va_list ap);
/* Frees *p and stores a copy of s (NULL allowed). */
void xset(char **p, const char *s);
/* Zeroes a string before freeing it: values may hold private keys. */
void xfree_secret(char *s);
bool streq(const char *a, const char *b); /* NULL-safe */
#endif
