/* See netwatch.h. */
#include "cmd/netwatch.h"
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "router/netwatch.h"
#include "tools/probe.h"
#include "util/alloc.h"
#include "util/clock.h"

enum { TICK_MS = 100, MAX_PROBES = 256 };

struct running {
	uint32_t id;
	struct wg_probe *p;
};

struct wg_netwatch {
	struct wg_router *r;
	pthread_mutex_t *router_lock;
	int stop_fd[2];
	pthread_t th;
	struct running run[MAX_PROBES];
	size_t nrun;
};

static void start_due(struct wg_netwatch *n)
{
	struct wg_netwatch_job jobs[MAX_PROBES];
	pthread_mutex_lock(n->router_lock);
	size_t k = wg_netwatch_due(n->r, wg_mono_ms(), jobs, MAX_PROBES - n->nrun);
	pthread_mutex_unlock(n->router_lock);
	for (size_t i = 0; i < k; i++) {
		struct wg_netwatch_job *j = &jobs[i];
		n->run[n->nrun].id = j->id;
		n->run[n->nrun++].p = wg_probe_start(j->tcp ? WG_PROBE_TCP : WG_PROBE_ICMP, j->family, j->addr, j->port,
						     wg_mono_ms(), j->timeout_ms);
	}
}

/* Waits up to TICK_MS for any probe's socket or the stop pipe; true when stopping. */
static bool wait_tick(struct wg_netwatch *n)
{
	struct pollfd p[MAX_PROBES + 1];
	p[0] = (struct pollfd){ .fd = n->stop_fd[0], .events = POLLIN };
	for (size_t i = 0; i < n->nrun; i++)
		p[i + 1] = (struct pollfd){ .fd = wg_probe_fd(n->run[i].p), .events = wg_probe_events(n->run[i].p) };
	poll(p, n->nrun + 1, TICK_MS);
	return p[0].revents != 0;
}

static void collect(struct wg_netwatch *n)
{
	uint64_t now = wg_mono_ms();
	size_t k = 0;
	for (size_t i = 0; i < n->nrun; i++) {
		enum wg_probe_result res = wg_probe_check(n->run[i].p, now);
		if (res == WG_PROBE_PENDING) {
			n->run[k++] = n->run[i];
			continue;
		}
		pthread_mutex_lock(n->router_lock);
		wg_netwatch_result(n->r, n->run[i].id, res == WG_PROBE_UP, now, (uint64_t)time(NULL));
		pthread_mutex_unlock(n->router_lock);
		wg_probe_free(n->run[i].p);
	}
	n->nrun = k;
}

static void *netwatch_main(void *arg)
{
	struct wg_netwatch *n = arg;
	for (;;) {
		start_due(n);
		if (wait_tick(n))
			break;
		collect(n);
	}
	for (size_t i = 0; i < n->nrun; i++)
		wg_probe_free(n->run[i].p);
	return NULL;
}

struct wg_netwatch *wg_netwatch_start(struct wg_router *r, pthread_mutex_t *router_lock)
{
	struct wg_netwatch *n = xcalloc(1, sizeof(*n));
	n->r = r;
	n->router_lock = router_lock;
	if (pipe2(n->stop_fd, O_CLOEXEC) < 0 || pthread_create(&n->th, NULL, netwatch_main, n)) {
		free(n);
		return NULL;
	}
	return n;
}

void wg_netwatch_stop(struct wg_netwatch *n)
{
	if (!n)
		return;
	if (write(n->stop_fd[1], "x", 1) < 0) {
		/* an empty pipe of ours: cannot fail */
	}
	pthread_join(n->th, NULL);
	close(n->stop_fd[0]);
	close(n->stop_fd[1]);
	free(n);
}
