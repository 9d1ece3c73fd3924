/* See doors.h. */
#include "cmd/doors.h"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "api/apiserver.h"
#include "cmd/watchfd.h"
#include "api/http.h"
#include "router/auth.h"
#include "router/certs.h"
#include "router/services.h"
#include "util/alloc.h"
#include "util/strvec.h"

/* The four /ip/service rows, and /system/metrics's listener of its own. */
static const char *const ROWS[] = { "www", "www-ssl", "api", "api-ssl", "metrics" };
enum { NROWS = 5 };

struct door {
	struct wg_service want;          /* the row it runs with (enabled: running) */
	char *cert, *key;                /* the TLS material it runs with */
	struct wg_http *http;
	struct wg_apisrv *api;
	bool failed;                     /* could not start: logged, tried again on changes */
};

struct wg_doors {
	struct wg_router *r;
	pthread_mutex_t *router_lock;
	struct wg_watchfd watch;         /* a change to sync */
	struct door doors[NROWS];
};

/* ---- logins ---- */

/* Argon2id outside the router lock: begin and end read the configuration under it. */
static bool login(void *ctx, const char *user, const char *password, const struct sockaddr *from,
		  const char *door, struct wg_auth_user *out)
{
	struct wg_doors *d = ctx;
	struct wg_auth_attempt at;
	char addr[64] = "";
	wg_sockaddr_text(from, addr, sizeof(addr));
	pthread_mutex_lock(d->router_lock);
	enum wg_auth_result rc = wg_auth_begin(d->r, user, addr, door, &at);
	pthread_mutex_unlock(d->router_lock);
	if (rc == WG_AUTH_OK)
		wg_auth_check(d->r, &at, password);
	pthread_mutex_lock(d->router_lock);
	rc = wg_auth_end(d->r, &at, out);
	pthread_mutex_unlock(d->router_lock);
	explicit_bzero(&at, sizeof(at));
	return rc == WG_AUTH_OK;
}

/* ---- servers ---- */

static void stop_door(struct door *o)
{
	wg_http_stop(o->http);
	wg_apisrv_stop(o->api);
	o->http = NULL;
	o->api = NULL;
	if (o->key)
		wg_cert_key_free(o->key);
	free(o->cert);
	o->cert = o->key = NULL;
	memset(&o->want, 0, sizeof(o->want));
}

/* The address list as prefixes (a bad entry was refused at set). */
static size_t allow_list(const char *list, struct wg_prefix *out, size_t max)
{
	struct strvec v = { 0 };
	size_t n = 0;
	sv_split(&v, list, ',');
	for (size_t i = 0; i < v.n && n < max; i++)
		if (!wg_prefix_parse(&out[n], v.v[i]))
			n++;
	sv_free(&v);
	return n;
}

static void start_door(struct wg_doors *d, struct door *o, const struct wg_service *s, char *cert, char *key)
{
	struct wg_prefix allow[64];
	char err[256];
	struct wg_door_config cfg = { .port = s->port, .cert_pem = cert, .key_pem = key, .tls12_only = s->tls12_only,
				      .max_sessions = s->max_sessions, .allow = allow,
				      .nallow = allow_list(s->address, allow, 64),
				      .door = !strncmp(s->name, "api", 3) ? "api" : "rest-api",
				      .metrics_only = !strcmp(s->name, "metrics") };
	struct wg_door_hooks h = { .ctx = d, .login = login, .r = d->r, .router_lock = d->router_lock };
	o->want = *s;
	o->cert = cert;
	o->key = key;
	if (!strncmp(s->name, "api", 3))
		o->api = wg_apisrv_start(&cfg, &h, err, sizeof(err));
	else
		o->http = wg_http_start(&cfg, &h, err, sizeof(err));
	o->failed = !o->api && !o->http;
	if (o->failed) { /* the log is the router's: under its lock */
		pthread_mutex_lock(d->router_lock);
		wg_router_logf(d->r, "system,error", "service %s: %s", s->name, err);
		pthread_mutex_unlock(d->router_lock);
	}
}

static bool same_material(const struct door *o, const char *cert, const char *key)
{
	return (!o->cert && !cert) || (o->cert && cert && !strcmp(o->cert, cert) && !strcmp(o->key, key));
}

/* What a row should run with, read under the lock: false when it should not run. */
static bool wanted(struct wg_doors *d, size_t i, struct wg_service *s, char **cert, char **key)
{
	char err[256];
	const struct wg_store *st = wg_router_store(d->r);
	*cert = *key = NULL;
	bool found = strcmp(ROWS[i], "metrics") ? wg_service_get(st, ROWS[i], s) : wg_metrics_service_get(st, s);
	if (!found || !s->enabled)
		return false;
	if (s->tls && wg_cert_material(st, s->certificate, cert, key, err, sizeof(err)) < 0) {
		wg_router_logf(d->r, "system,error", "service %s: %s", s->name, err);
		return false;
	}
	return true;
}

/* One row: left running, restarted with its new settings, started or stopped. */
static void sync_door(struct wg_doors *d, size_t i)
{
	struct door *o = &d->doors[i];
	struct wg_service s;
	char *cert, *key;
	pthread_mutex_lock(d->router_lock);
	bool on = wanted(d, i, &s, &cert, &key);
	pthread_mutex_unlock(d->router_lock);
	bool running = o->http || o->api;
	if (running && on && !memcmp(&s, &o->want, sizeof(s)) && same_material(o, cert, key)) {
		free(cert);
		if (key)
			wg_cert_key_free(key);
		return;
	}
	stop_door(o);
	if (on) {
		start_door(d, o, &s, cert, key);
	} else {
		free(cert);
		if (key)
			wg_cert_key_free(key);
	}
}

void wg_doors_sync(struct wg_doors *d)
{
	wg_watchfd_clear(&d->watch);
	for (size_t i = 0; i < NROWS; i++)
		sync_door(d, i);
}

int wg_doors_fd(struct wg_doors *d)
{
	return d->watch.fd;
}

struct wg_doors *wg_doors_new(struct wg_router *r, pthread_mutex_t *router_lock)
{
	struct wg_doors *d = xcalloc(1, sizeof(*d));
	d->r = r;
	d->router_lock = router_lock;
	wg_watchfd_open(&d->watch, r, router_lock, WG_WATCH_SERVICES | WG_WATCH_CERTS, "services");
	wg_doors_sync(d);
	return d;
}

void wg_doors_free(struct wg_doors *d)
{
	if (!d)
		return;
	wg_watchfd_close(&d->watch);
	for (size_t i = 0; i < NROWS; i++)
		stop_door(&d->doors[i]);
	free(d);
}
