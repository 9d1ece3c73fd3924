/* The control thread: the timer and the UAPI socket. Each UAPI client is served on
 * its own short-lived thread, so a slow client never delays the timers. */
#include <errno.h>
#include <sys/epoll.h>
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
	struct wg_dataplane *dp = c->dp;
	wg_uapi_serve(c->fd, dp->dev, &dp->uapi_ops);
	pthread_mutex_lock(&dp->clients_lock);
	for (int i = 0; i < DP_MAX_CLIENTS; i++)
		if (dp->client_fds[i] == c->fd)
			dp->client_fds[i] = -1;
	dp->nclients--;
	pthread_cond_broadcast(&dp->clients_done);
	pthread_mutex_unlock(&dp->clients_lock);
	free(c);
	return NULL;
}

/* Ends every UAPI connection and waits for its thread: none may outlive the device. */
void dp_clients_stop(struct wg_dataplane *dp)
{
	pthread_mutex_lock(&dp->clients_lock);
	for (int i = 0; i < DP_MAX_CLIENTS; i++)
		if (dp->client_fds[i] >= 0)
			shutdown(dp->client_fds[i], SHUT_RDWR);
	while (dp->nclients)
		pthread_cond_wait(&dp->clients_done, &dp->clients_lock);
	pthread_mutex_unlock(&dp->clients_lock);
}

static bool track_client(struct wg_dataplane *dp, int fd)
{
	bool ok = false;
	pthread_mutex_lock(&dp->clients_lock);
	for (int i = 0; i < DP_MAX_CLIENTS && !ok; i++)
		if (dp->client_fds[i] < 0) {
			dp->client_fds[i] = fd;
			dp->nclients++;
			ok = true;
		}
	pthread_mutex_unlock(&dp->clients_lock);
	return ok;
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
	if (!track_client(dp, fd)) { /* too many at once: refuse this one */
		close(fd);
		free(c);
		return;
	}
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	if (pthread_create(&th, &attr, serve_client, c))
		serve_client(c); /* no thread to spare: serve it here */
	pthread_attr_destroy(&attr);
}

/* The event loop of the interface's control plane: the timerfd (armed exactly at the
 * core's next deadline, never a periodic tick), the UAPI listener and the stop event. */
void *dp_ctl_thread(void *arg)
{
	struct wg_dataplane *dp = arg;
	int ep = epoll_create1(EPOLL_CLOEXEC);
	int fds[4] = { dp->stopfd, dp->timerfd, dp->uapi_fd, dp_link_fd(dp) };
	if (ep < 0)
		return NULL;
	for (int i = 0; i < 4; i++) {
		struct epoll_event ev = { .events = EPOLLIN, .data.fd = fds[i] };
		if (fds[i] >= 0)
			epoll_ctl(ep, EPOLL_CTL_ADD, fds[i], &ev);
	}
	while (!atomic_load(&dp->stopping)) {
		struct epoll_event evs[4];
		int n = epoll_wait(ep, evs, 4, -1);
		if (n < 0 && errno != EINTR)
			break;
		for (int i = 0; i < n; i++) {
			if (evs[i].data.fd == dp->timerfd)
				dp_timer_fire(dp);
			else if (evs[i].data.fd == dp->uapi_fd)
				accept_client(dp);
			else if (evs[i].data.fd == dp_link_fd(dp) && dp_link_event(dp))
				dp_lost(dp);
		}
	}
	close(ep);
	return NULL;
}
