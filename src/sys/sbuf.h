/* A growable text buffer for building nft scripts. Out of memory is sticky: appends
 * become no-ops and wg_sbuf_failed() reports it once at the end, so builders need no
 * error check per append. */
#ifndef WG_SYS_SBUF_H
#define WG_SYS_SBUF_H
#include <stdbool.h>
#include <stddef.h>

struct wg_sbuf {
	char *s;       /* always NUL-terminated once anything was appended */
	size_t len, cap;
	bool oom;
};

void wg_sbuf_add(struct wg_sbuf *b, const char *s);
void wg_sbuf_addf(struct wg_sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The text so far ("" when empty); valid until the next append. */
const char *wg_sbuf_str(const struct wg_sbuf *b);
static inline bool wg_sbuf_failed(const struct wg_sbuf *b) { return b->oom; }
/* Hands the text to the caller (malloc'ed, never NULL unless out of memory). */
char *wg_sbuf_take(struct wg_sbuf *b);
void wg_sbuf_free(struct wg_sbuf *b);
#endif
