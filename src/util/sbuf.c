/* See sbuf.h. */
#include "util/sbuf.h"
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "util/alloc.h"

char *xvasprintf(const char *fmt, va_list ap)
{
	struct sbuf b;
	sb_init(&b);
	sb_vprintf(&b, fmt, ap);
	return sb_take(&b);
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = xvasprintf(fmt, ap);
	va_end(ap);
	return s;
}

void sb_init(struct sbuf *b)
{
	b->s = NULL;
	b->len = b->cap = 0;
}

void sb_free(struct sbuf *b)
{
	free(b->s);
	sb_init(b);
}

/* The text moves to a larger block and the old one is wiped before it is freed:
 * strings carry keys (UAPI requests, the state file, wg-quick configs), and realloc
 * would leave a stale copy in freed memory, where a core dump finds it. */
static void grow(struct sbuf *b, size_t extra)
{
	if (b->len + extra + 1 <= b->cap)
		return;
	size_t cap = b->cap ? b->cap * 2 : 64;
	while (cap < b->len + extra + 1)
		cap *= 2;
	char *s = xmalloc(cap);
	if (b->s) {
		memcpy(s, b->s, b->len + 1);
		explicit_bzero(b->s, b->cap);
		free(b->s);
	}
	b->s = s;
	b->cap = cap;
}

void sb_addn(struct sbuf *b, const char *s, size_t n)
{
	grow(b, n);
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = 0;
}

void sb_add(struct sbuf *b, const char *s)
{
	sb_addn(b, s, strlen(s));
}

void sb_addc(struct sbuf *b, char c)
{
	sb_addn(b, &c, 1);
}

void sb_vprintf(struct sbuf *b, const char *fmt, va_list ap)
{
	va_list aq;
	va_copy(aq, ap);
	int n = vsnprintf(NULL, 0, fmt, aq);
	va_end(aq);
	if (n <= 0)
		return;
	grow(b, (size_t)n);
	vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
}

void sb_printf(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	sb_vprintf(b, fmt, ap);
	va_end(ap);
}

void sb_reset(struct sbuf *b)
{
	b->len = 0;
	if (b->s)
		b->s[0] = 0;
}

const char *sb_str(const struct sbuf *b)
{
	return b->s ? b->s : "";
}

char *sb_take(struct sbuf *b)
{
	char *s = b->s ? b->s : xstrdup("");
	sb_init(b);
	return s;
}

char *sb_read_stream(FILE *f)
{
	struct sbuf b;
	sb_init(&b);
	sb_read_stream_max(&b, f, SIZE_MAX);
	return sb_take(&b);
}

int sb_read_stream_max(struct sbuf *b, FILE *f, size_t max)
{
	char buf[4096];
	size_t n, got = 0;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0) {
		if (got + n > max)
			return -1;
		sb_addn(b, buf, n);
		got += n;
	}
	return 0;
}
