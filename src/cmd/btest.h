/* The daemon's bandwidth-test server (/tool/bandwidth-server, src/tools/btest_server.h):
 * started, restarted or stopped to match the settings whenever they change, as the
 * doors are (doors.h): the commit only notes the change (an eventfd the daemon's loop
 * watches), the loop makes the server match. Logins read the users' btest-password
 * under the router lock; the tests themselves run on the server's threads. */
#ifndef WG_CMD_BTEST_H
#define WG_CMD_BTEST_H
#include <pthread.h>
#include "router/router.h"

struct wg_btestd;
/* Without the router lock. */
struct wg_btestd *wg_btestd_new(struct wg_router *r, pthread_mutex_t *router_lock);
/* Readable when the settings changed: then call wg_btestd_sync. */
int wg_btestd_fd(struct wg_btestd *b);
void wg_btestd_sync(struct wg_btestd *b);
void wg_btestd_free(struct wg_btestd *b);
#endif
