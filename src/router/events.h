/* Counts of the data plane's notable events, by interface and reason, for /metrics:
 * handshake failures (timeout, rejected, unknown-peer, invalid-mac, other) and dropped
 * packets (allowed-address-mismatch, packet-too-big). Counted from the same log lines
 * the data plane queues for /log (router/log.h), on the loop thread, so a line the data
 * plane did not report (its own rate limit) is not counted either. */
#ifndef WG_ROUTER_EVENTS_H
#define WG_ROUTER_EVENTS_H
#include <stddef.h>
#include <stdint.h>
#include "router/log.h"

enum { WG_EVENTS_MAX = 128 };

struct wg_event_count {
	char ifname[32];
	const char *kind;    /* "handshake_failure" or "drop" */
	const char *reason;
	uint64_t n;
};

struct wg_events { struct wg_event_count v[WG_EVENTS_MAX]; size_t n; };

/* Counts raw when it is one of the events above (others are ignored). */
void wg_events_count(struct wg_events *e, const struct wg_log_raw *raw);
#endif
