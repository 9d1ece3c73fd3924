/* See resolver.h. */
#include "router/resolver.h"
#include <netdb.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include "core/endpoint.h"
#include "dns/resolve.h"
#include "util/alloc.h"
#include "util/strvec.h"

struct wg_resolver {
	const struct wg_dp_ops *ops;
	void *ctx;
	pthread_t th;
	bool running;        /* a thread was started and not yet joined */
	atomic_bool done;    /* the thread has finished its round */
	bool finished;       /* a round's answers wait to be taken */
	struct wg_resolve_job *jobs;
	size_t n;
};

static void format_endpoint(const struct sockaddr *sa, char *out, size_t len)
{
	char a[WG_ENDPOINT_STRLEN];
	snprintf(out, len, "%s", wg_sockaddr_str(sa, a));
}

/* With /ip/dns servers configured the router asks them itself, like RouterOS. */
static int dns_resolve(const char *servers, const char *host, const char *port, char *out, size_t len)
{
	struct strvec v = { 0 };
	struct sockaddr_storage ss;
	sv_split(&v, servers, ',');
	int rc = wg_dns_resolve((const char *const *)v.v, v.n, host, (unsigned)atoi(port), &ss, 2000);
	sv_free(&v);
	if (rc == 0)
		format_endpoint((struct sockaddr *)&ss, out, len);
	return rc;
}

static int system_resolve(const char *host, const char *port, char *out, size_t len)
{
	struct addrinfo hints = { .ai_socktype = SOCK_DGRAM, .ai_flags = AI_ADDRCONFIG }, *res = NULL;
	if (getaddrinfo(host, port, &hints, &res) || !res) {
		hints.ai_flags = 0; /* no configured address yet (namespaces, early boot) */
		if (getaddrinfo(host, port, &hints, &res) || !res)
			return -1;
	}
	format_endpoint(res->ai_addr, out, len);
	freeaddrinfo(res);
	return 0;
}

static void run_jobs(struct wg_resolver *r)
{
	for (size_t i = 0; i < r->n; i++) {
		struct wg_resolve_job *jb = &r->jobs[i];
		if (r->ops->resolve)
			jb->rc = r->ops->resolve(r->ctx, jb->host, jb->port, jb->out, sizeof(jb->out));
		else if (jb->servers[0])
			jb->rc = dns_resolve(jb->servers, jb->host, jb->port, jb->out, sizeof(jb->out));
		else
			jb->rc = system_resolve(jb->host, jb->port, jb->out, sizeof(jb->out));
	}
}

static void *resolver_main(void *arg)
{
	struct wg_resolver *r = arg;
	run_jobs(r);
	atomic_store(&r->done, true);
	return NULL;
}

struct wg_resolver *wg_resolver_new(const struct wg_dp_ops *ops, void *ctx)
{
	struct wg_resolver *r = xcalloc(1, sizeof(*r));
	r->ops = ops;
	r->ctx = ctx;
	return r;
}

/* Joins a thread that has finished: its answers become the finished round. */
static void reap(struct wg_resolver *r)
{
	if (!r->running || !atomic_load(&r->done))
		return;
	pthread_join(r->th, NULL);
	r->running = false;
	r->finished = true;
}

bool wg_resolver_busy(struct wg_resolver *r)
{
	reap(r);
	return r->running || r->finished;
}

bool wg_resolver_start(struct wg_resolver *r, struct wg_resolve_job *jobs, size_t n)
{
	if (wg_resolver_busy(r)) {
		free(jobs);
		return false;
	}
	r->jobs = jobs;
	r->n = n;
	if (r->ops->resolve) { /* the test hook answers at once: deterministic, inline */
		run_jobs(r);
		r->finished = true;
		return true;
	}
	atomic_store(&r->done, false);
	r->running = pthread_create(&r->th, NULL, resolver_main, r) == 0;
	if (!r->running) {
		free(r->jobs);
		r->jobs = NULL;
	}
	return r->running;
}

size_t wg_resolver_take(struct wg_resolver *r, struct wg_resolve_job **jobs)
{
	reap(r);
	if (!r->finished)
		return 0;
	*jobs = r->jobs;
	size_t n = r->n;
	r->jobs = NULL;
	r->n = 0;
	r->finished = false;
	return n;
}

void wg_resolver_free(struct wg_resolver *r)
{
	if (!r)
		return;
	if (r->running)
		pthread_join(r->th, NULL);
	free(r->jobs);
	free(r);
}
