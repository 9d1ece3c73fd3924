/* A change watcher for the daemon's poll loop: an eventfd that becomes readable when a
 * commit touches what a service cares about (wg_router_watch's bits), so that the
 * service restarts or reconfigures itself outside the commit and outside the lock. */
#ifndef WG_CMD_WATCHFD_H
#define WG_CMD_WATCHFD_H
#include <pthread.h>
#include "router/router.h"

struct wg_watchfd {
	struct wg_router *r;
	pthread_mutex_t *router_lock;
	int fd;             /* eventfd: readable after a change, for poll */
	unsigned mask;      /* the WG_WATCH_* bits that count */
	const char *what;   /* names the service in a log line */
};

/* Registers with the router (taking router_lock). */
void wg_watchfd_open(struct wg_watchfd *w, struct wg_router *r, pthread_mutex_t *router_lock, unsigned mask,
		     const char *what);
/* Clears a pending change (none yet at start: fine). */
void wg_watchfd_clear(struct wg_watchfd *w);
/* Unregisters (taking router_lock) and closes the eventfd. */
void wg_watchfd_close(struct wg_watchfd *w);
#endif
