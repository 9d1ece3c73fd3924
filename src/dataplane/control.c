/* The control thread: the timer and the UAPI socket. Each UAPI client is served on
 * its own short-lived thread, so a slow client never delays the timers. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/socket.h>
#include "dataplane/dp_internal.h"
#include "uapi/uapi_server.h"

struct uapi_client { struct wg_dataplane *dp; int fd; };

static void *serve_client(void *arg)
{
	struct uapi_client *c = arg;
	wg_uapi_serve(c->fd, c->dp->dev, &c->dp->uapi_ops);
	free(c);
	return NULL;
}

static void accept_client(struct wg_dataplane *dp)
{
	int fd = accept4(dp->uapi_fd, NULL, NULL, SOCK_CLOEXEC);
	if (fd < 0)
		return;
	struct uapi_client *c = malloc(sizeof(*c));
	pthread_t th;
	pthread_attr_t attr;
	if (!c) {
		close(fd);
		return;
	}
	*c = (struct uapi_client){ dp, fd };
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	if (pthread_create(&th, &attr, serve_client, c)) {
		close(fd);
		free(c);
	}
	pthread_attr_destroy(&attr);
}

void *dp_ctl_thread(void *arg)
{
	struct wg_dataplane *dp = arg;
	struct pollfd pfd[3] = {
		{ .fd = dp->stopfd, .events = POLLIN },
		{ .fd = dp->timerfd, .events = POLLIN },
		{ .fd = dp->uapi_fd, .events = POLLIN },
	};
	int n = dp->uapi_fd >= 0 ? 3 : 2;
	while (!atomic_load(&dp->stopping)) {
		if (poll(pfd, n, -1) < 0 && errno != EINTR)
			break;
		if (pfd[1].revents & POLLIN)
			dp_timer_fire(dp);
		if (n == 3 && (pfd[2].revents & POLLIN))
			accept_client(dp);
	}
	return NULL;
}
