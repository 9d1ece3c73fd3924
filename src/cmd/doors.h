/* The daemon's remote doors: /ip/service's www, www-ssl (REST, src/api/http.c), api and
 * api-ssl (the RouterOS API, src/api/apiserver.c), started, restarted and stopped to
 * match the configuration whenever /ip/service or /certificate change; logins through
 * router/auth.h with the password check outside the router lock. */
#ifndef WG_CMD_DOORS_H
#define WG_CMD_DOORS_H
#include <pthread.h>
#include "router/router.h"

struct wg_doors;
/* Without the router lock (it takes it to register for changes). */
struct wg_doors *wg_doors_new(struct wg_router *r, pthread_mutex_t *router_lock);
/* Readable when a commit changed services or certificates: the daemon's loop then calls
 * wg_doors_sync. A commit runs under the router lock, and stopping a server waits for
 * its connections, which may be waiting for that lock: so the servers are changed from
 * the loop, never from inside the commit. */
int wg_doors_fd(struct wg_doors *d);
/* Makes the servers match the configuration. Without the router lock. */
void wg_doors_sync(struct wg_doors *d);
/* Stops every server. Without the router lock. */
void wg_doors_free(struct wg_doors *d);
#endif
