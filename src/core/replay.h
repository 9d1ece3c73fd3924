/* The receive-side anti-replay window for one keypair's data counters (RFC 6479 style).
 * A ring of 128 64-bit words (8192 bits); the word the newest counter lives in may be
 * partly ahead of it, so only 8192 - 64 = 8128 counters behind the newest are tracked.
 * Plain data: the caller embeds it and serialises access (one lock per keypair). */
#ifndef WG_REPLAY_H
#define WG_REPLAY_H
#include <stdbool.h>
#include <stdint.h>

/* Also defined, with the same tokens, in messages.h; whichever comes first wins. */
#ifndef WG_REJECT_AFTER_MESSAGES
#define WG_REJECT_AFTER_MESSAGES  (UINT64_MAX - (1ULL << 13))
#endif

enum {
	WG_REPLAY_BITS = 8192,
	WG_REPLAY_WORDS = WG_REPLAY_BITS / 64,
	WG_REPLAY_WINDOW = WG_REPLAY_BITS - 64, /* 8128 */
};

struct wg_replay {
	/* Greatest counter accepted; also 0 before the first, which is harmless because
	 * counter 0's bit is still clear then. */
	uint64_t greatest;
	uint64_t bitmap[WG_REPLAY_WORDS]; /* bit c % 8192 set: counter c was seen */
};

void wg_replay_init(struct wg_replay *r);
/* true if counter is fresh, and records it; false if already seen, more than
 * WG_REPLAY_WINDOW behind the greatest accepted, or >= WG_REJECT_AFTER_MESSAGES.
 * Call it only after the packet authenticated, or forged counters poison the window. */
bool wg_replay_check(struct wg_replay *r, uint64_t counter);
#endif
