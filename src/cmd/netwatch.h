/* The daemon's netwatch thread: every TICK_MS it asks the router which /tool/netwatch
 * items are due (router/netwatch.h), starts their probes (src/tools/probe.c), waits on
 * all of them at once without the router lock, and hands each result back with the
 * lock held. The scripts a change runs go to the script thread's queue, so a slow
 * script never delays a probe and a probe never holds up a console. */
#ifndef WG_CMD_NETWATCH_H
#define WG_CMD_NETWATCH_H
#include <pthread.h>
#include "router/router.h"

struct wg_netwatch;
struct wg_netwatch *wg_netwatch_start(struct wg_router *r, pthread_mutex_t *router_lock);
void wg_netwatch_stop(struct wg_netwatch *n);
#endif
