/* /ip/dns on the system: with allow-remote-requests=yes the router serves DNS to its
 * clients (src/dns/proxy.c) from /ip/dns/static, its cache and /ip/dns servers. A change of
 * any of them reaches the running server without a restart; a port that cannot be had
 * (another DNS server on it) is logged once and tried again every 10 s. */
#include <stdlib.h>
#include <string.h>
#include "router/apply.h"
#include "dns/resolve.h"
#include "dns/proxy.h"
#include "dns/upstream.h"
#include "router/menus.h"
#include "router/units.h"
#include "util/clock.h"

#define D (&wg_menu_ip_dns)
#define S (&wg_menu_ip_dns_static)

enum { RETRY_MS = 10000, TTL_MAX = 0x7fffffff /* RFC 2181 8 */ };

struct wg_dnsrt {
	uint16_t port;               /* 0: never served */
	struct wg_dns_proxy *proxy;  /* NULL: not serving */
	bool failing;                /* wanted, but the port could not be bound */
	uint64_t retry_ms;
};

/* What the store asks for, with the arrays the proxy configuration points at. */
struct wanted {
	bool on;
	struct wg_dns_proxy_conf c;
	struct sockaddr_storage *servers;
	struct wg_dns_static *statics;
};

struct wg_dnsrt *wg_dnsrt_new(uint16_t port)
{
	struct wg_dnsrt *d = xcalloc(1, sizeof(*d));
	d->port = port;
	return d;
}

void wg_dnsrt_free(struct wg_dnsrt *d)
{
	if (d)
		wg_dns_proxy_stop(d->proxy);
	free(d);
}

static uint32_t seconds(const char *time)
{
	uint64_t ms;
	if (!time || !wg_time_parse(time, &ms))
		return 0;
	return ms / 1000 > TTL_MAX ? TTL_MAX : (uint32_t)(ms / 1000);
}

static size_t servers_of(const struct wg_item *it, struct sockaddr_storage **out)
{
	struct strvec v = { 0 };
	size_t n = 0;
	sv_split(&v, wg_item_get(D, it, "servers") ?: "", ',');
	*out = xcalloc(v.n + 1, sizeof(**out));
	for (size_t i = 0; i < v.n; i++)
		n += wg_dns_server_addr(v.v[i], &(*out)[n]) == 0;
	sv_free(&v);
	return n;
}

/* Enabled entries only; the menu's checks made every name and address valid. */
static size_t statics_of(const struct wg_store *st, struct wg_dns_static **out)
{
	const struct wg_table *t = wg_store_ctable(st, S);
	size_t n = 0;
	*out = xcalloc(t->n + 1, sizeof(**out));
	for (size_t i = 0; i < t->n; i++) {
		const struct wg_item *it = t->v[i];
		if (!wg_item_flag(S, it, "disabled") &&
		    wg_dns_static_init(&(*out)[n], wg_item_get(S, it, "name"), wg_item_get(S, it, "address"),
				       seconds(wg_item_get(S, it, "ttl"))) == 0)
			n++;
	}
	return n;
}

static void wanted_of(const struct wg_dnsrt *d, const struct wg_store *st, struct wanted *w)
{
	const struct wg_item *it = wg_store_ctable(st, D)->v[0];
	w->on = wg_item_flag(D, it, "allow-remote-requests");
	w->c = (struct wg_dns_proxy_conf){
		.port = d->port,
		.cache_bytes = (size_t)strtoull(wg_item_get(D, it, "cache-size"), NULL, 10) * 1024, /* KiB */
		.max_ttl = seconds(wg_item_get(D, it, "cache-max-ttl")),
	};
	w->c.nservers = servers_of(it, &w->servers);
	w->c.servers = w->servers;
	w->c.nstatics = statics_of(st, &w->statics);
	w->c.statics = w->statics;
}

static void start(struct wg_dnsrt *d, struct wg_router *r, const struct wg_dns_proxy_conf *c)
{
	int err = 0;
	d->proxy = wg_dns_proxy_start(c, &err);
	if (!d->proxy && !d->failing)
		wg_router_logf(r, "dns,error", "DNS server could not listen on port %u: %s; remote requests are not served, retrying every %us",
			       d->port, strerror(-err), RETRY_MS / 1000);
	else if (d->proxy && d->failing)
		wg_router_logf(r, "dns,info", "DNS server listening on port %u", d->port);
	d->failing = !d->proxy;
	d->retry_ms = wg_mono_ms() + RETRY_MS;
}

void wg_dnsrt_apply(struct wg_dnsrt *d, struct wg_router *r, const struct wg_store *st)
{
	struct wanted w;
	if (!d->port)
		return;
	wanted_of(d, st, &w);
	if (!w.on) {
		wg_dns_proxy_stop(d->proxy);
		d->proxy = NULL;
		d->failing = false;
	} else if (d->proxy) {
		wg_dns_proxy_update(d->proxy, &w.c);
	} else {
		start(d, r, &w.c);
	}
	free(w.servers);
	free(w.statics);
}

void wg_dnsrt_tick(struct wg_dnsrt *d, struct wg_router *r, const struct wg_store *st)
{
	if (d->failing && wg_mono_ms() >= d->retry_ms)
		wg_dnsrt_apply(d, r, st);
}

size_t wg_dnsrt_cache_used(struct wg_dnsrt *d)
{
	struct wg_dns_proxy_stats s = { 0 };
	if (d->proxy)
		wg_dns_proxy_stats(d->proxy, &s);
	return s.cache_used;
}

bool wg_dnsrt_stats(struct wg_dnsrt *d, struct wg_dns_proxy_stats *out)
{
	memset(out, 0, sizeof(*out));
	if (!d->proxy)
		return false;
	wg_dns_proxy_stats(d->proxy, out);
	return true;
}
