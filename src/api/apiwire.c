/* See apiwire.h. */
#include "api/apiwire.h"
#include <stdlib.h>
#include <string.h>
#include "util/alloc.h"

/* The length at buf: 1 with *len and *size, 0 when it is cut short, -1 on a control byte. */
static int read_len(const uint8_t *buf, size_t n, uint32_t *len, size_t *size)
{
	if (!n)
		return 0;
	uint8_t b = buf[0];
	size_t k = b < 0x80 ? 1 : b < 0xC0 ? 2 : b < 0xE0 ? 3 : b < 0xF0 ? 4 : b == 0xF0 ? 5 : 0;
	if (!k)
		return -1;
	if (n < k)
		return 0;
	static const uint8_t mask[] = { 0, 0x7F, 0x3F, 0x1F, 0x0F, 0x00 };
	uint32_t v = b & mask[k];
	for (size_t i = 1; i < k; i++)
		v = v << 8 | buf[i];
	*len = v;
	*size = k;
	return 1;
}

static void push(struct wg_api_sentence *s, const uint8_t *p, size_t len)
{
	s->w = xrealloc(s->w, (s->n + 1) * sizeof(*s->w));
	s->w[s->n++] = xstrndup((const char *)p, len);
}

int wg_api_parse(const uint8_t *buf, size_t n, struct wg_api_sentence *out, size_t *used, const char **err)
{
	size_t pos = 0;
	memset(out, 0, sizeof(*out));
	for (;;) {
		uint32_t len;
		size_t size;
		int rc = read_len(buf + pos, n - pos, &len, &size);
		if (rc > 0 && (len > WG_API_WORD_MAX || (len && out->n >= WG_API_WORDS_MAX) ||
			       pos + size + len > WG_API_SENTENCE_MAX)) {
			*err = len > WG_API_WORD_MAX ? "word too long" : "sentence too long";
			rc = -1;
		} else if (rc < 0) {
			*err = "bad word length";
		}
		if (rc <= 0 || n - pos - size < len) { /* broken, or more bytes needed */
			wg_api_sentence_free(out);
			return rc < 0 ? -1 : 0;
		}
		pos += size;
		if (!len)
			break;
		if (memchr(buf + pos, 0, len)) { /* a NUL would cut the word short silently */
			*err = "NUL byte in a word";
			wg_api_sentence_free(out);
			return -1;
		}
		push(out, buf + pos, len);
		pos += len;
	}
	*used = pos;
	return 1;
}

void wg_api_sentence_free(struct wg_api_sentence *s)
{
	for (size_t i = 0; i < s->n; i++) {
		explicit_bzero(s->w[i], strlen(s->w[i])); /* passwords and keys travel here */
		free(s->w[i]);
	}
	free(s->w);
	memset(s, 0, sizeof(*s));
}

void wg_api_put_word(struct sbuf *b, const char *word, size_t len)
{
	uint8_t p[5];
	size_t k;
	if (len < 0x80)
		p[0] = (uint8_t)len, k = 1;
	else if (len < 0x4000)
		p[0] = (uint8_t)(len >> 8 | 0x80), p[1] = (uint8_t)len, k = 2;
	else if (len < 0x200000)
		p[0] = (uint8_t)(len >> 16 | 0xC0), p[1] = (uint8_t)(len >> 8), p[2] = (uint8_t)len, k = 3;
	else if (len < 0x10000000)
		p[0] = (uint8_t)(len >> 24 | 0xE0), p[1] = (uint8_t)(len >> 16), p[2] = (uint8_t)(len >> 8), p[3] = (uint8_t)len, k = 4;
	else
		p[0] = 0xF0, p[1] = (uint8_t)(len >> 24), p[2] = (uint8_t)(len >> 16), p[3] = (uint8_t)(len >> 8), p[4] = (uint8_t)len, k = 5;
	sb_addn(b, (const char *)p, k);
	sb_addn(b, word, len);
}

void wg_api_put_str(struct sbuf *b, const char *word)
{
	wg_api_put_word(b, word, strlen(word));
}

void wg_api_end(struct sbuf *b)
{
	wg_api_put_word(b, "", 0);
}
