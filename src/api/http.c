/* See http.h. */
#include "api/http.h"
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "api/metrics.h"
#include "api/rest.h"
#include "api/web.h"
#include "router/services.h"
#include "util/alloc.h"
#include "util/sbuf.h"

enum { QUERY_MAX = 64, IDLE_TIMEOUT_S = 60, REQUEST_MS = 60000 };

struct wg_http {
	struct MHD_Daemon *d;
	struct wg_door_config cfg;
	struct wg_prefix *allow;
	struct wg_door_hooks hooks;
	char *cert, *key;
};

/* What one request has gathered between the calls libmicrohttpd makes for it. */
struct req {
	struct sbuf body;
	bool too_big;
};

static enum MHD_Result accept_policy(void *cls, const struct sockaddr *addr, socklen_t len)
{
	struct wg_http *h = cls;
	return wg_source_allowed(h->allow, h->cfg.nallow, addr) ? MHD_YES : MHD_NO;
}

/* ---- replies ---- */

static enum MHD_Result send_reply(struct MHD_Connection *c, int status, char *body, bool auth_fail)
{
	struct MHD_Response *resp = body ? MHD_create_response_from_buffer(strlen(body), body, MHD_RESPMEM_MUST_FREE)
					 : MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
	if (!resp) {
		free(body);
		return MHD_NO;
	}
	if (body)
		MHD_add_response_header(resp, "Content-Type", "application/json");
	enum MHD_Result rc = auth_fail ? MHD_queue_basic_auth_fail_response(c, "wgrouter", resp)
				       : MHD_queue_response(c, (unsigned)status, resp);
	MHD_destroy_response(resp);
	return rc;
}

static enum MHD_Result send_error(struct MHD_Connection *c, int status, const char *detail)
{
	struct wg_rest_reply r;
	wg_rest_error(&r, status, detail);
	return send_reply(c, status, r.body, status == 401);
}

/* ---- one request ---- */

/* The web page asks with X-Requested-With and shows its own login form: a challenge
 * would make the browser pop up its native password dialog over it. */
static bool quiet_401(struct MHD_Connection *c)
{
	return MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Requested-With") != NULL;
}

static char *unauthorized_body(void)
{
	struct wg_rest_reply r;
	wg_rest_error(&r, 401, NULL);
	return r.body;
}

struct query { struct wg_kv v[QUERY_MAX]; size_t n; };

static enum MHD_Result collect_query(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	struct query *q = cls;
	if (q->n < QUERY_MAX)
		q->v[q->n++] = (struct wg_kv){ key, value };
	return MHD_YES;
}

static const struct sockaddr *client_addr(struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	return ci ? ci->client_addr : NULL;
}

/* /metrics: the same login and source check as REST, then the page under the lock. */
static enum MHD_Result serve_metrics(struct wg_http *h, struct MHD_Connection *c)
{
	pthread_mutex_lock(h->hooks.router_lock);
	char *page = wg_metrics_render(h->hooks.r);
	pthread_mutex_unlock(h->hooks.router_lock);
	struct MHD_Response *resp = MHD_create_response_from_buffer(strlen(page), page, MHD_RESPMEM_MUST_FREE);
	if (!resp) {
		free(page);
		return MHD_NO;
	}
	MHD_add_response_header(resp, "Content-Type", "text/plain; version=0.0.4; charset=utf-8");
	enum MHD_Result rc = MHD_queue_response(c, 200, resp);
	MHD_destroy_response(resp);
	return rc;
}

/* A long command (ping) releases the router while it waits, as on the console. */
static void rest_wait_enter(void *ctx)
{
	pthread_mutex_unlock(ctx);
}

static void rest_wait_leave(void *ctx)
{
	pthread_mutex_lock(ctx);
}

/* /metrics from a source in /system/metrics anonymous-address= needs no login. */
static bool anonymous_metrics(struct wg_http *h, const char *url, const struct sockaddr *from)
{
	char addr[INET6_ADDRSTRLEN];
	if (strcmp(url, "/metrics") || !from || !wg_sockaddr_text(from, addr, sizeof(addr)))
		return false;
	pthread_mutex_lock(h->hooks.router_lock);
	bool ok = wg_metrics_anonymous(wg_router_store(h->hooks.r), addr);
	pthread_mutex_unlock(h->hooks.router_lock);
	return ok;
}

/* Authenticated, then served by the REST mapping (or /metrics) under the router lock. */
static enum MHD_Result serve(struct wg_http *h, struct MHD_Connection *c, const char *method, const char *url,
			     struct req *rq)
{
	if (anonymous_metrics(h, url, client_addr(c)))
		return serve_metrics(h, c);
	char *pass = NULL;
	char *user = MHD_basic_auth_get_username_password(c, &pass);
	struct wg_auth_user who;
	const struct sockaddr *from = client_addr(c);
	bool ok = user && pass && from && h->hooks.login &&
		  h->hooks.login(h->hooks.ctx, user, pass, from, h->cfg.door, &who);
	if (pass)
		explicit_bzero(pass, strlen(pass));
	MHD_free(user);
	MHD_free(pass);
	if (!ok)
		return quiet_401(c) ? send_reply(c, 401, unauthorized_body(), false) : send_error(c, 401, NULL);
	if (!strcmp(url, "/metrics"))
		return serve_metrics(h, c);
	struct query q = { .n = 0 };
	MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, collect_query, &q);
	struct wg_rest_request rr = { method, url, q.v, q.n, rq->body.s, rq->body.len };
	struct wg_rest_reply out;
	pthread_mutex_lock(h->hooks.router_lock);
	struct wg_session *s = wg_session_new(h->hooks.r, NULL, NULL);
	wg_session_set_user(s, &who);
	wg_session_set_wait_hooks(s, &(struct wg_wait_hooks){ .enter = rest_wait_enter, .leave = rest_wait_leave,
							       .ctx = h->hooks.router_lock });
	/* a request is cut after 60 s: a ping without count ends there with its rows */
	wg_session_set_limits(s, REQUEST_MS, 0);
	wg_rest_handle(s, &rr, &out);
	wg_session_free(s);
	pthread_mutex_unlock(h->hooks.router_lock);
	return send_reply(c, out.status, out.body, false);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
				  const char *version, const char *upload, size_t *upload_size, void **con_cls)
{
	struct wg_http *h = cls;
	struct req *rq = *con_cls;
	if (!rq) { /* the first call: headers only */
		*con_cls = xcalloc(1, sizeof(*rq));
		return MHD_YES;
	}
	if (*upload_size) {
		if (rq->body.len + *upload_size > WG_REST_BODY_MAX)
			rq->too_big = true;
		else
			sb_addn(&rq->body, upload, *upload_size);
		*upload_size = 0;
		return MHD_YES;
	}
	if (rq->too_big)
		return send_error(c, 413, "request body over 1 MiB");
	if (h->cfg.metrics_only && strcmp(url, "/metrics"))
		return send_error(c, 404, NULL);
	if (wg_web_is_page(url) && strcmp(url, "/metrics"))
		return (enum MHD_Result)wg_web_serve(c, method, url);
	return serve(h, c, method, url, rq);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode toe)
{
	struct req *rq = *con_cls;
	if (!rq)
		return;
	if (rq->body.s)
		explicit_bzero(rq->body.s, rq->body.len); /* bodies carry keys */
	sb_free(&rq->body);
	free(rq);
	*con_cls = NULL;
}

/* ---- the server ---- */

static const char *tls_priorities(bool only12)
{
	/* "any" keeps the older versions RouterOS's "any" accepts for old clients */
	return only12 ? "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2" : "NORMAL:+VERS-TLS1.1:+VERS-TLS1.0";
}

struct wg_http *wg_http_start(const struct wg_door_config *cfg, const struct wg_door_hooks *hooks,
			      char *err, size_t errlen)
{
	struct wg_http *h = xcalloc(1, sizeof(*h));
	bool tls = cfg->cert_pem && cfg->key_pem;
	h->cfg = *cfg;
	h->hooks = *hooks;
	h->allow = xcalloc(cfg->nallow + 1, sizeof(*h->allow));
	memcpy(h->allow, cfg->allow, cfg->nallow * sizeof(*h->allow));
	h->cert = tls ? xstrdup(cfg->cert_pem) : NULL;
	h->key = tls ? xstrdup(cfg->key_pem) : NULL;
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION | MHD_USE_DUAL_STACK |
			 (tls ? MHD_USE_TLS : 0);
	unsigned max = cfg->max_sessions ? cfg->max_sessions : 20;
	h->d = MHD_start_daemon(flags, cfg->port, accept_policy, h, on_request, h,
				MHD_OPTION_CONNECTION_LIMIT, max, MHD_OPTION_PER_IP_CONNECTION_LIMIT, max,
				MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)IDLE_TIMEOUT_S,
				MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)64 * 1024,
				MHD_OPTION_NOTIFY_COMPLETED, on_completed, h,
				tls ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, h->cert,
				MHD_OPTION_HTTPS_MEM_KEY, h->key,
				MHD_OPTION_HTTPS_PRIORITIES, tls_priorities(cfg->tls12_only), MHD_OPTION_END);
	if (!h->d) {
		snprintf(err, errlen, "could not serve port %u%s", cfg->port, tls ? " with TLS (check the certificate)" : "");
		wg_http_stop(h);
		return NULL;
	}
	return h;
}

void wg_http_stop(struct wg_http *h)
{
	if (!h)
		return;
	if (h->d)
		MHD_stop_daemon(h->d);
	if (h->key)
		explicit_bzero(h->key, strlen(h->key));
	free(h->key);
	free(h->cert);
	free(h->allow);
	free(h);
}
