/* The proxy's answer cache: positive answers keyed by (lowercased name, type, class),
 * each kept for the smallest TTL of its records capped by /ip/dns cache-max-ttl, the
 * whole bounded by cache-size (least recently used answers go first). The clock is
 * passed in; no locking (the proxy holds its lock around every call). */
#ifndef WG_DNS_CACHE_H
#define WG_DNS_CACHE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "dns/wire.h"

struct wg_dns_cache;

struct wg_dns_cache *wg_dns_cache_new(size_t max_bytes);
void wg_dns_cache_free(struct wg_dns_cache *c);

/* Stores reply (an upstream's answer to q) when it is positive: NOERROR, not truncated,
 * at least one answer record, every record well formed, smallest TTL above 0. The
 * additional section (EDNS options of that client) is left out, and no record keeps a
 * TTL above max_ttl seconds. Returns whether it was stored. */
bool wg_dns_cache_put(struct wg_dns_cache *c, const struct wg_dns_question *q, const uint8_t *reply, size_t len,
		      uint32_t max_ttl, uint64_t now_ms);
/* The cached answer to q as a reply to query: its id, RD flag and question (the
 * client's spelling), TTLs counted down by the time it has been cached. The length, or
 * 0 when there is none (or it has expired, or cap is too small). */
size_t wg_dns_cache_get(struct wg_dns_cache *c, const uint8_t *query, const struct wg_dns_question *q,
			uint8_t *out, size_t cap, uint64_t now_ms);
/* Bytes in use (what cache-size bounds). */
size_t wg_dns_cache_used(const struct wg_dns_cache *c);
#endif
