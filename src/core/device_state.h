/* The device's state (the public API in device.h keeps it opaque), its clock,
 * randomness and logging. Internal to the core. */
#ifndef WG_CORE_DEVICE_STATE_H
#define WG_CORE_DEVICE_STATE_H
#include <stdbool.h>
#include <stdint.h>
#include "core/allowedips.h"
#include "core/cookie.h"
#include "core/device.h"
#include "core/load.h"
#include "core/peer.h"
#include "core/ratelimiter.h"

struct wg_device {
	struct wg_env env;
	bool up;
	bool has_identity;
	uint8_t private_key[WG_KEY_LEN];
	uint8_t public_key[WG_KEY_LEN];
	struct wg_dh_key *static_dh;          /* private_key prepared for es/se/ss exchanges */
	struct wg_cookie_checker checker;
	struct wg_ratelimiter *ratelimiter;   /* handshakes with a valid MAC2, under load */
	struct wg_ratelimiter *cookie_limiter; /* cookie replies, under load */
	struct wg_allowedips *aips;
	struct wg_peer *first, *last;
	size_t npeers;
	struct wg_peer **peer_buckets;        /* by public key */
	size_t peer_nbuckets;
	struct wg_index_entry **index_buckets;
	size_t index_nbuckets, nindices;
	struct wg_load load;                  /* when MAC2 is required (load.h) */
	int mtu;
	bool index_lanes;                     /* see wg_device_set_index_lanes */
	struct wg_device_stats stats;
	/* No later than the earliest armed timer of any peer: arming lowers it, a tick
	 * recomputes it. A stale (early) value only costs a tick that finds nothing due,
	 * and keeps next_deadline O(1) however many peers there are. */
	uint64_t deadline_hint;
	/* Per peer, by slot (0 .. npeers - 1, dense; a removal moves the last peer into the
	 * hole): a deadline no later than its earliest armed timer, lowered by arming and
	 * recomputed when a tick visits it. A tick scans these 8 bytes per peer and touches
	 * only the peers that are due: walking every peer's own memory cost 10,000 cache
	 * misses per tick, two thirds of an idle router's CPU with 10,000 keepalive peers. */
	uint64_t *timer_at;
	struct wg_peer **slot_peer;
	size_t slot_cap;
};

/* Clock and randomness of the instance. */
static inline uint64_t wg_now(const struct wg_device *dev) { return dev->env.mono_ns(dev->env.ctx); }
static inline uint64_t wg_wall(const struct wg_device *dev) { return dev->env.wall_ns(dev->env.ctx); }
static inline void wg_random(const struct wg_device *dev, void *buf, size_t len) { dev->env.random(dev->env.ctx, buf, len); }
/* Has a moment (monotonic ns, 0 = never) aged beyond `age`? */
static inline bool wg_expired(uint64_t now, uint64_t when, uint64_t age) { return !when || now >= when + age; }

void wg_log(const struct wg_device *dev, enum wg_log_level lvl, struct wg_peer *peer,
	    const char *topic, const char *fmt, ...) __attribute__((format(printf, 5, 6)));
void wg_drop(struct wg_device *dev, enum wg_drop why);
#endif
