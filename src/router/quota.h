/* Expiry and quotas of peers (/interface/wireguard/peers expires, quota-rx, quota-tx,
 * quota-total, quota-period, quota-action, quota-rate), checked once a second:
 * - expires: at that moment the peer is set disabled=yes (a change of the configuration,
 *   saved and logged like any other); enabling it again needs a later expires or none.
 * - a quota crossed within the period (day and week and month in local time, weeks
 *   from Monday; none: since creation or reset-counters) sets quota-exceeded to the
 *   period's end and, with quota-action=disable, disabled=yes; with rate-limit the peer
 *   is held to quota-rate (router/rates.c). When the period ends the router clears
 *   quota-exceeded and enables the peer again (only one it disabled itself).
 * The bytes used come from the traffic history (router/history.h): its day points
 * since the period began, plus what the data plane counted since the last sample. */
#ifndef WG_ROUTER_QUOTA_H
#define WG_ROUTER_QUOTA_H
#include <stdbool.h>
#include <stdint.h>
#include "router/router.h"

/* Once a second, with the router lock held: commits the changes due. */
void wg_quota_tick(struct wg_router *r);
/* The bytes the peer used in its current quota period; false when it has no quota. */
bool wg_quota_usage(struct wg_router *r, const struct wg_item *peer, const struct wg_peer_status *s,
		    uint64_t *rx, uint64_t *tx);
/* The local start and end of the period ("day", "week", "month") that holds now. */
bool wg_quota_period(const char *period, uint64_t now, uint64_t *start, uint64_t *end);
#endif
