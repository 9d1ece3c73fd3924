/* See btest.h. */
#include "cmd/btest.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cmd/watchfd.h"
#include "router/btest.h"
#include "tools/btest_server.h"
#include "util/alloc.h"

struct wg_btestd {
	struct wg_router *r;
	pthread_mutex_t *router_lock;
	struct wg_watchfd watch;
	struct wg_btest_settings running;   /* what the server runs with (enabled: running) */
	struct wg_bt_server *srv;
};

/* On a session's thread: the user's btest-password, read under the router lock. */
static bool secret(void *ctx, const char *user, const char *addr, char *out, size_t len)
{
	struct wg_btestd *b = ctx;
	pthread_mutex_lock(b->router_lock);
	bool ok = wg_btest_user_secret(wg_router_store(b->r), user, addr, out, len);
	pthread_mutex_unlock(b->router_lock);
	return ok;
}

static void log_line(void *ctx, const char *topics, const char *msg)
{
	struct wg_btestd *b = ctx;
	pthread_mutex_lock(b->router_lock);
	wg_router_logf(b->r, topics, "%s", msg);
	pthread_mutex_unlock(b->router_lock);
}

/* /tool/bandwidth-server/session/print, under the router lock (the server's own lock
 * is taken inside; the server never waits for the router's while holding it). */
static size_t sessions(void *ctx, char *buf, size_t len)
{
	static const char *const dirs[] = { "", "transmit", "receive", "both" };
	struct wg_btestd *b = ctx;
	struct wg_bt_session_info v[64];
	size_t n = wg_bt_server_sessions(b->srv, v, 64), used = 0;
	buf[0] = 0;
	for (size_t i = 0; i < n && used < len; i++) {
		int k = snprintf(buf + used, len - used, "%s\t%s\t%s\t%s\t%u\n", v[i].remote, v[i].user,
				 v[i].proto ? "tcp" : "udp", dirs[v[i].dir & 3], v[i].conns);
		used += k > 0 ? (size_t)k : 0;
	}
	return n;
}

static void stop_server(struct wg_btestd *b)
{
	pthread_mutex_lock(b->router_lock);
	wg_btest_set_sessions_hook(NULL, NULL);
	pthread_mutex_unlock(b->router_lock);
	wg_bt_server_stop(b->srv);
	b->srv = NULL;
	memset(&b->running, 0, sizeof(b->running));
}

static void start_server(struct wg_btestd *b, const struct wg_btest_settings *want)
{
	char err[256];
	struct wg_bt_server_cfg cfg = { .port = WG_BT_PORT, .authenticate = want->authenticate,
					.udp_from = want->udp_from, .max_sessions = want->max_sessions,
					.secret = secret, .log = log_line, .ctx = b };
	b->srv = wg_bt_server_start(&cfg, err, sizeof(err));
	pthread_mutex_lock(b->router_lock);
	if (b->srv) {
		b->running = *want;
		wg_btest_set_sessions_hook(sessions, b);
	} else {
		wg_router_logf(b->r, "system,error", "bandwidth-server: %s", err);
	}
	pthread_mutex_unlock(b->router_lock);
}

void wg_btestd_sync(struct wg_btestd *b)
{
	struct wg_btest_settings want;
	wg_watchfd_clear(&b->watch);
	pthread_mutex_lock(b->router_lock);
	wg_btest_settings_get(wg_router_store(b->r), &want);
	pthread_mutex_unlock(b->router_lock);
	if (b->srv && !memcmp(&want, &b->running, sizeof(want)))
		return;
	if (b->srv)
		stop_server(b);
	if (want.enabled)
		start_server(b, &want);
}

int wg_btestd_fd(struct wg_btestd *b)
{
	return b->watch.fd;
}

struct wg_btestd *wg_btestd_new(struct wg_router *r, pthread_mutex_t *router_lock)
{
	struct wg_btestd *b = xcalloc(1, sizeof(*b));
	b->r = r;
	b->router_lock = router_lock;
	wg_watchfd_open(&b->watch, r, router_lock, WG_WATCH_BTEST, "bandwidth-server");
	wg_btestd_sync(b);
	return b;
}

void wg_btestd_free(struct wg_btestd *b)
{
	if (!b)
		return;
	wg_watchfd_close(&b->watch);
	if (b->srv)
		stop_server(b);
	free(b);
}
