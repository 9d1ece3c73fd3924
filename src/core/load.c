/* Under-load detection (see load.h): the caller's queue, and a virtual queue of wasted
 * X25519s drained at WG_LOAD_WASTED_PER_SECOND. */
#include "core/load.h"
#include "core/messages.h"

#define COST      (WG_NSEC / WG_LOAD_WASTED_PER_SECOND)  /* ns of budget per wasted X25519 */
#define THRESHOLD ((uint64_t)WG_LOAD_QUEUE / 8 * COST)       /* 1/8 of the virtual queue */

static void mark(struct wg_load *l, uint64_t now)
{
	l->last_under_load = now ? now : 1; /* 0 means never */
}

void wg_load_backlog(struct wg_load *l, size_t queued, size_t capacity, uint64_t now)
{
	l->backlog_high = capacity && queued >= capacity / 8;
	if (l->backlog_high)
		mark(l, now);
}

/* The virtual queue drains by the time elapsed; a clock that steps back drains
 * nothing. Capped at the threshold, so load ends as soon as a flood stops (plus the
 * hold time), however long it went on. */
void wg_load_wasted(struct wg_load *l, uint64_t now)
{
	uint64_t elapsed = now > l->level_at ? now - l->level_at : 0;
	l->level = elapsed >= l->level ? 0 : l->level - elapsed;
	l->level_at = now > l->level_at ? now : l->level_at;
	l->level += COST;
	if (l->level >= THRESHOLD) {
		l->level = THRESHOLD;
		mark(l, now);
	}
}

bool wg_load_under(struct wg_load *l, uint64_t now)
{
	if (l->backlog_high)
		mark(l, now);
	return l->last_under_load && now < l->last_under_load + WG_UNDER_LOAD_AFTER;
}
