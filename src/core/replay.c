/* Anti-replay window; the same decisions as the Linux kernel's counter_validate().
 * (The kernel stores counter + 1; the offset changes no decision, so it is left out.) */
#include "core/replay.h"
#include <string.h>

void wg_replay_init(struct wg_replay *r)
{
	memset(r, 0, sizeof(*r));
}

/* Zeroes the ring words between the greatest counter's word (exclusive) and `to_word`
 * (inclusive): they held counters a whole ring older, which are now outside the window.
 * A jump of a full ring or more clears every word once. */
static void advance(struct wg_replay *r, uint64_t to_word)
{
	uint64_t from = r->greatest / 64;
	uint64_t n = to_word - from;

	if (n > WG_REPLAY_WORDS)
		n = WG_REPLAY_WORDS;
	for (uint64_t i = 1; i <= n; i++)
		r->bitmap[(from + i) % WG_REPLAY_WORDS] = 0;
}

bool wg_replay_check(struct wg_replay *r, uint64_t counter)
{
	if (counter >= WG_REJECT_AFTER_MESSAGES)
		return false;
	/* No overflow: counter < UINT64_MAX - 8192. */
	if (counter + WG_REPLAY_WINDOW < r->greatest)
		return false; /* too old: its bit may already be reused by a newer word */
	if (counter > r->greatest) {
		advance(r, counter / 64);
		r->greatest = counter;
	}
	uint64_t *word = &r->bitmap[(counter / 64) % WG_REPLAY_WORDS];
	uint64_t bit = 1ULL << (counter % 64);
	if (*word & bit)
		return false;
	*word |= bit;
	return true;
}
