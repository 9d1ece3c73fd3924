/* A growable string (allocation never fails, see alloc.h). A zeroed struct sbuf is an
 * empty one, as sb_init leaves it. */
#ifndef WG_UTIL_SBUF_H
#define WG_UTIL_SBUF_H
#include <stdarg.h>
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
/* Appends the rest of f (NUL bytes included) to b, but at most max bytes: -1 when f
 * holds more (what was read stays in b), else 0. */
int sb_read_stream_max(struct sbuf *b, FILE *f, size_t max);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *xvasprintf(const char *fmt, va_list ap);
#endif
