/* "Under load": when the device demands a cookie (MAC2) before it spends an X25519 on a
 * handshake message. Two signals turn it on, and it stays on for WG_UNDER_LOAD_AFTER
 * (1 s) after the last time either held:
 *  - the caller's handshake queue is at least 1/8 full (the kernel's rule; the data
 *    plane reports its queue with wg_device_set_handshake_backlog), which catches a
 *    flood faster than the handshakes can be computed;
 *  - X25519s are wasted (spent on handshake messages that then fail: made up, or
 *    replayed), or refused under load (a cookie reply instead), faster than
 *    WG_LOAD_WASTED_PER_SECOND for long enough to fill 1/8 of a queue of WG_LOAD_QUEUE
 *    served at that rate (a leaky bucket). That catches a flood too slow to fill any
 *    queue that would still keep a CPU busy with X25519, it keeps the load on for as
 *    long as a flood goes on (answered with cookies, it would never fill a queue), and
 *    it counts one message at a time, so it holds whatever the caller's batch size.
 *    Handshakes that succeed never count: a burst of real peers is not a flood.
 * Pure: the caller passes the monotonic time. Internal to the core. */
#ifndef WG_CORE_LOAD_H
#define WG_CORE_LOAD_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ~3.5% of a core at ~35 us per made-up initiation (one X25519 before it fails). */
#define WG_LOAD_WASTED_PER_SECOND 1000
#define WG_LOAD_QUEUE                  4096  /* the kernel's MAX_QUEUED_INCOMING_HANDSHAKES */

struct wg_load {
	uint64_t level;            /* ns of work in the virtual queue, at most its threshold */
	uint64_t level_at;         /* when level was last drained */
	bool backlog_high;         /* the caller's queue, as last reported */
	uint64_t last_under_load;  /* monotonic ns, 0 = never */
};

void wg_load_backlog(struct wg_load *l, size_t queued, size_t capacity, uint64_t now);
void wg_load_wasted(struct wg_load *l, uint64_t now);
bool wg_load_under(struct wg_load *l, uint64_t now);
#endif
