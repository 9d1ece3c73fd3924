/* See watchfd.h. */
#include "cmd/watchfd.h"
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

/* Under the lock, inside a commit: only noted, for the daemon's loop. */
static void on_change(void *ctx, struct wg_router *r, unsigned what)
{
	struct wg_watchfd *w = ctx;
	uint64_t one = 1;
	if ((what & w->mask) && write(w->fd, &one, sizeof(one)) < 0)
		wg_router_logf(r, "system,error", "%s: %s", w->what, strerror(errno));
}

void wg_watchfd_open(struct wg_watchfd *w, struct wg_router *r, pthread_mutex_t *router_lock, unsigned mask,
		     const char *what)
{
	*w = (struct wg_watchfd){ .r = r, .router_lock = router_lock, .mask = mask, .what = what };
	w->fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	pthread_mutex_lock(router_lock);
	wg_router_watch(r, on_change, w);
	pthread_mutex_unlock(router_lock);
}

void wg_watchfd_clear(struct wg_watchfd *w)
{
	uint64_t x;
	(void)!read(w->fd, &x, sizeof(x));
}

void wg_watchfd_close(struct wg_watchfd *w)
{
	pthread_mutex_lock(w->router_lock);
	wg_router_unwatch(w->r, on_change, w);
	pthread_mutex_unlock(w->router_lock);
	close(w->fd);
}
