/* Internal to src/router: traffic samples of the running interfaces and peers for the
 * history (history.h), and the commands that read it back. */
#ifndef WG_ROUTER_TRAFFIC_H
#define WG_ROUTER_TRAFFIC_H
#include <stdint.h>
#include "router/history.h"
#include "router/router.h"
#include "router/store.h"

struct wg_hist *wg_router_hist(struct wg_router *r);
/* Samples every interface and peer of st (the data plane's counters and handshakes)
 * and hands the sample to the history's writer thread. */
void wg_traffic_sample(struct wg_router *r, const struct wg_store *st, uint64_t now);
#endif
