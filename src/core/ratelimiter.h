/* Per-source rate limit, consulted only while the device is under load: a token bucket
 * per source of 20 packets a second with a burst of 5. A device has two: one for
 * handshake messages with a valid MAC2 (before their X25519), one for cookie replies.
 * IPv4 sources are counted per address, IPv6 per /64 (one host owns a whole /64).
 * Memory is fixed at creation; when the table is full new sources are refused, as in
 * the kernel. Entries idle for over a second are reclaimed a few buckets per call
 * (every bucket within max_entries calls) or all at once by wg_ratelimiter_gc.
 * No threads and no clock of its own: the caller passes monotonic nanoseconds and
 * serialises calls. */
#ifndef WG_RATELIMITER_H
#define WG_RATELIMITER_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WG_RATELIMITER_PER_SECOND 20
#define WG_RATELIMITER_BURST      5

struct wg_ratelimiter;

/* secret: 16 random bytes keying the table's hash so sources cannot be chosen to
 * collide. max_entries: 1 .. 2^31. NULL on bad arguments or out of memory. */
struct wg_ratelimiter *wg_ratelimiter_new(size_t max_entries, const uint8_t secret[16]);
void wg_ratelimiter_free(struct wg_ratelimiter *rl);
/* family AF_INET (addr: 4 bytes) or AF_INET6 (addr: 16 bytes, only the first 8 used,
 * except that an IPv4-mapped ::ffff:a.b.c.d counts as the IPv4 address a.b.c.d).
 * true if this source may send one more handshake message now; false when its bucket
 * is empty, the table is full, or the family is unknown. */
bool wg_ratelimiter_allow(struct wg_ratelimiter *rl, int family, const uint8_t *addr, uint64_t now_ns);
/* The same, telling a full table apart from an empty bucket: a caller for whom refusing
 * an unknown source costs more than serving it (cookie replies) serves it instead. */
enum wg_ratelimit { WG_RATELIMIT_ALLOW, WG_RATELIMIT_LIMITED, WG_RATELIMIT_FULL };
enum wg_ratelimit wg_ratelimiter_check(struct wg_ratelimiter *rl, int family, const uint8_t *addr, uint64_t now_ns);
/* Drops every entry idle for more than a second. */
void wg_ratelimiter_gc(struct wg_ratelimiter *rl, uint64_t now_ns);
size_t wg_ratelimiter_count(const struct wg_ratelimiter *rl);
#endif
