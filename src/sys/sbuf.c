/* Growable text buffer; see sbuf.h. */
#include "sys/sbuf.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool reserve(struct wg_sbuf *b, size_t more)
{
	if (b->oom)
		return false;
	if (b->len + more + 1 <= b->cap)
		return true;
	size_t cap = b->cap ? b->cap : 256;
	while (cap < b->len + more + 1)
		cap *= 2;
	char *s = realloc(b->s, cap);
	if (!s) {
		b->oom = true;
		return false;
	}
	b->s = s;
	b->cap = cap;
	return true;
}

void wg_sbuf_add(struct wg_sbuf *b, const char *s)
{
	size_t n = strlen(s);
	if (!reserve(b, n))
		return;
	memcpy(b->s + b->len, s, n + 1);
	b->len += n;
}

void wg_sbuf_addf(struct wg_sbuf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || !reserve(b, (size_t)n))
		return;
	va_start(ap, fmt);
	vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

const char *wg_sbuf_str(const struct wg_sbuf *b)
{
	return b->s ? b->s : "";
}

char *wg_sbuf_take(struct wg_sbuf *b)
{
	char *s = b->oom ? NULL : b->s ? b->s : strdup("");
	if (b->oom)
		free(b->s);
	memset(b, 0, sizeof(*b));
	return s;
}

void wg_sbuf_free(struct wg_sbuf *b)
{
	free(b->s);
	memset(b, 0, sizeof(*b));
}
