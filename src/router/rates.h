/* Internal to src/router: per-peer rate limits (max-rate, quota-rate) kept in the
 * kernel through wg_sys_ops.rates_apply (sys/nft_rates.h). */
#ifndef WG_ROUTER_RATES_H
#define WG_ROUTER_RATES_H
#include "router/router.h"
#include "router/store.h"

struct wg_ratesrt;
struct wg_ratesrt *wg_ratesrt_new(void);
/* Removes the table when the router installed one. */
void wg_ratesrt_free(struct wg_ratesrt *t, struct wg_router *r);
/* Makes the kernel's limits match st (nothing is sent when they already do; a failure
 * is logged and retried at the next call). */
void wg_ratesrt_apply(struct wg_ratesrt *t, struct wg_router *r, const struct wg_store *st);
#endif
