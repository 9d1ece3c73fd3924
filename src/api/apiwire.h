/* The RouterOS API's wire format (TCP 8728, TLS 8729): a stream of sentences, each a run
 * of words ended by an empty word; a word is its length, then its bytes. The length
 * takes 1 byte below 0x80, 2 bytes (first | 0x80) below 0x4000, 3 (| 0xC0) below
 * 0x200000, 4 (| 0xE0) below 0x10000000, else 0xF0 and 4 bytes. A first byte of 0xF8
 * or more is a control byte, never sent by clients: a protocol error here.
 * Pure: bytes in, sentences out, every length bounded. */
#ifndef WG_API_APIWIRE_H
#define WG_API_APIWIRE_H
#include <stddef.h>
#include <stdint.h>
#include "util/sbuf.h"

enum {
	WG_API_WORD_MAX = 64 * 1024,     /* bytes in one word */
	WG_API_WORDS_MAX = 1024,         /* words in one sentence */
	WG_API_SENTENCE_MAX = 1 << 20,   /* bytes in one sentence */
};

struct wg_api_sentence {
	char **w;                        /* NUL-terminated copies */
	size_t n;
};

/* One sentence from the start of buf[0..n): 1 and *used set when buf holds a whole one,
 * 0 when more bytes are needed, -1 (with *err) when it breaks a limit or the format. */
int wg_api_parse(const uint8_t *buf, size_t n, struct wg_api_sentence *out, size_t *used, const char **err);
void wg_api_sentence_free(struct wg_api_sentence *s);

/* Appends a word (length prefix and bytes) or the empty word that ends a sentence. */
void wg_api_put_word(struct sbuf *b, const char *word, size_t len);
void wg_api_put_str(struct sbuf *b, const char *word);
void wg_api_end(struct sbuf *b);
#endif
