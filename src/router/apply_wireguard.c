/* The data plane side of the router: one wg_dataplane per enabled /interface/wireguard,
 * configured only through UAPI text (keys in hex) so `wg show` sees exactly what the
 * router set. Every change is a diff of two stores, turned into the smallest UAPI set:
 * an interface key/port change is one device line, a peer change one peer section. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "crypto/crypto.h"
#include "router/apply.h"
#include "router/menus.h"
#include "router/resolver.h"
#include "router/units.h"
#include "sys/prefix.h"
#include "uapi/uapi_reply.h"
#include "core/endpoint.h"
#include "util/clock.h"

#define W (&wg_menu_wireguard)
#define P (&wg_menu_peers)

/* What the data plane was given for one peer. */
struct rt_peer {
	uint32_t id;
	char pub_hex[WG_KEY_HEX_LEN + 1];
	char endpoint[80];     /* the endpoint= value sent, "" = none */
	uint64_t resolved_ms;  /* when a host name endpoint was last resolved */
};

/* Handed to the data plane's log callback; outlives nothing it points to. */
struct dp_logctx { struct wg_log *log; char ifname[32]; };

struct rt_iface {
	uint32_t id;
	char ifname[32];
	void *dp;
	struct dp_logctx *logctx;
	struct rt_peer *peers;
	size_t npeers;
	struct uapi_reply_peers status; /* peers of the last UAPI get reply */
	bool has_status;
	uint64_t status_ms;
};

struct failed { uint32_t id; uint64_t at_ms; };

struct wg_wgrt {
	const struct wg_dp_ops *ops;
	void *ctx;
	struct wg_log *log;
	struct rt_iface *ifs;
	size_t nifs;
	struct failed *failed; /* interfaces whose start failed, retried by tick */
	size_t nfailed;
	uint64_t (*clock)(void *ctx);
	struct wg_resolver *res;
};

/* The router's clock (tests move it without sleeping). */
static uint64_t now_ms(const struct wg_wgrt *w)
{
	return w->clock(w->ctx);
}

struct wg_wgrt *wg_wgrt_new(const struct wg_dp_ops *ops, void *ctx, struct wg_log *log,
			    uint64_t (*clock_ms)(void *ctx))
{
	struct wg_wgrt *w = xcalloc(1, sizeof(*w));
	w->ops = ops;
	w->ctx = ctx;
	w->log = log;
	w->clock = clock_ms ? clock_ms : wg_mono_ms_hook;
	w->res = wg_resolver_new(ops, ctx);
	return w;
}

static struct rt_iface *rt_find(struct wg_wgrt *w, uint32_t id)
{
	for (size_t i = 0; i < w->nifs; i++)
		if (w->ifs[i].id == id)
			return &w->ifs[i];
	return NULL;
}

static struct rt_peer *rt_peer_find(struct rt_iface *f, uint32_t id)
{
	for (size_t i = 0; i < f->npeers; i++)
		if (f->peers[i].id == id)
			return &f->peers[i];
	return NULL;
}

static void rt_stop(struct wg_wgrt *w, struct rt_iface *f)
{
	if (f->dp && w->ops)
		w->ops->stop(w->ctx, f->dp);
	free(f->logctx);
	free(f->peers);
	uapi_reply_peers_free(&f->status);
	*f = w->ifs[--w->nifs];
}

void wg_wgrt_free(struct wg_wgrt *w)
{
	if (!w)
		return;
	wg_resolver_free(w->res);
	while (w->nifs)
		rt_stop(w, &w->ifs[0]);
	free(w->ifs);
	free(w->failed);
	free(w);
}

bool wg_wgrt_running(struct wg_wgrt *w, uint32_t iface_id)
{
	return rt_find(w, iface_id) != NULL;
}

/* ---- UAPI text ---- */

static bool key_hex(const char *b64, char hex[WG_KEY_HEX_LEN + 1])
{
	uint8_t k[WG_KEY_LEN];
	if (!b64 || !wg_key_from_base64(k, b64))
		return false;
	wg_key_to_hex(hex, k);
	wg_wipe(k, sizeof(k));
	return true;
}

static void add_key_line(struct sbuf *b, const char *name, const char *b64)
{
	char hex[WG_KEY_HEX_LEN + 1];
	if (key_hex(b64, hex))
		sb_printf(b, "%s=%s\n", name, hex);
	else
		sb_printf(b, "%s=%064d\n", name, 0);
	wg_wipe(hex, sizeof(hex));
}

/* endpoint-address (IP or host name) and endpoint-port as UAPI "ip:port"; "" when the
 * peer has none, or is a responder, or its host name does not resolve (yet). */
static void peer_endpoint(struct wg_wgrt *w, const struct wg_item *p, char *out, size_t len)
{
	const char *host = wg_item_get(P, p, "endpoint-address");
	const char *port = wg_item_get(P, p, "endpoint-port");
	struct wg_prefix a;
	out[0] = 0;
	if (!host || !port || wg_item_flag(P, p, "responder"))
		return;
	if (!wg_addr_parse(&a, host)) { /* a literal needs no resolver */
		char buf[WG_PREFIX_STRLEN];
		snprintf(out, len, a.family == AF_INET6 ? "[%s]:%s" : "%s:%s", wg_addr_format(a.family, a.addr, buf), port);
		return;
	}
	/* the system resolver may block for long: the tick resolves it off the loop */
	if (!w->ops->resolve || w->ops->resolve(w->ctx, host, port, out, len) < 0)
		out[0] = 0;
}

static unsigned keepalive_sec(const struct wg_item *p)
{
	uint64_t ms = 0;
	const char *v = wg_item_get(P, p, "persistent-keepalive");
	return v && wg_time_parse(v, &ms) ? (unsigned)(ms / 1000) : 0;
}

static void add_allowed(struct sbuf *b, const struct wg_item *p)
{
	struct strvec v = { 0 };
	sv_split(&v, wg_item_get(P, p, "allowed-address"), ',');
	sb_add(b, "replace_allowed_ips=true\n");
	for (size_t i = 0; i < v.n; i++)
		sb_printf(b, "allowed_ip=%s\n", v.v[i]);
	sv_free(&v);
}

/* A whole peer section (a new peer, or one whose key changed). */
static void add_peer_full(struct sbuf *b, const struct wg_item *p, struct rt_peer *rp)
{
	sb_printf(b, "public_key=%s\n", rp->pub_hex);
	if (wg_item_get(P, p, "preshared-key"))
		add_key_line(b, "preshared_key", wg_item_get(P, p, "preshared-key"));
	if (rp->endpoint[0])
		sb_printf(b, "endpoint=%s\n", rp->endpoint);
	sb_printf(b, "persistent_keepalive_interval=%u\n", keepalive_sec(p));
	add_allowed(b, p);
}

static bool changed(const struct wg_item *a, const struct wg_item *b, const char *prop)
{
	return !streq(wg_item_get(P, a, prop), wg_item_get(P, b, prop));
}

/* Only the lines that differ, after update_only so a peer that vanished meanwhile is
 * not re-created half-configured. */
static void add_peer_diff(struct sbuf *b, const struct wg_item *old, const struct wg_item *p,
			  struct rt_peer *rp, const char *new_endpoint)
{
	struct sbuf d;
	sb_init(&d);
	if (changed(old, p, "preshared-key"))
		add_key_line(&d, "preshared_key", wg_item_get(P, p, "preshared-key"));
	if (strcmp(rp->endpoint, new_endpoint) && new_endpoint[0])
		sb_printf(&d, "endpoint=%s\n", new_endpoint);
	if (changed(old, p, "persistent-keepalive"))
		sb_printf(&d, "persistent_keepalive_interval=%u\n", keepalive_sec(p));
	if (changed(old, p, "allowed-address"))
		add_allowed(&d, p);
	if (d.len)
		sb_printf(b, "public_key=%s\nupdate_only=true\n%s", rp->pub_hex, sb_str(&d));
	snprintf(rp->endpoint, sizeof(rp->endpoint), "%s", new_endpoint);
	if (d.s)
		wg_wipe(d.s, d.len);
	sb_free(&d);
}

static int uapi_set(struct wg_wgrt *w, struct wg_router *r, struct rt_iface *f, struct sbuf *body)
{
	if (!body->len)
		return 0;
	char *req = xasprintf("set=1\n%s\n", sb_str(body));
	int rc = w->ops->uapi(w->ctx, f->dp, req, NULL);
	wg_wipe(req, strlen(req));
	free(req);
	if (body->s)
		wg_wipe(body->s, body->len);
	sb_reset(body);
	if (rc)
		wg_router_logf(r, "wireguard,error", "%s: configuration refused by the data plane (errno %d)",
			       f->ifname, -rc);
	uapi_reply_peers_free(&f->status);
	f->has_status = false;
	return rc;
}

/* ---- the diff ---- */

static bool peer_wanted(const struct wg_item *p, const char *ifname)
{
	return streq(wg_item_get(P, p, "interface"), ifname) && !wg_item_flag(P, p, "disabled");
}

static void remove_gone_peers(struct rt_iface *f, const struct wg_store *next, struct sbuf *b)
{
	const struct wg_table *pt = wg_store_ctable(next, P);
	for (size_t i = 0; i < f->npeers;) {
		struct rt_peer *rp = &f->peers[i];
		const struct wg_item *p = wg_table_by_id(pt, rp->id);
		char hex[WG_KEY_HEX_LEN + 1];
		if (p && peer_wanted(p, f->ifname) && key_hex(wg_item_get(P, p, "public-key"), hex) &&
		    !strcmp(hex, rp->pub_hex)) {
			i++;
			continue;
		}
		sb_printf(b, "public_key=%s\nremove=true\n", rp->pub_hex);
		*rp = f->peers[--f->npeers];
	}
}

static void apply_peers(struct wg_wgrt *w, struct rt_iface *f, const struct wg_store *prev, const struct wg_store *next, struct sbuf *b)
{
	const struct wg_table *pt = wg_store_ctable(next, P);
	const struct wg_table *old = prev ? wg_store_ctable(prev, P) : NULL;
	remove_gone_peers(f, next, b);
	for (size_t i = 0; i < pt->n; i++) {
		const struct wg_item *p = pt->v[i];
		if (!peer_wanted(p, f->ifname))
			continue;
		char ep[80];
		peer_endpoint(w, p, ep, sizeof(ep));
		struct rt_peer *rp = rt_peer_find(f, p->id);
		const struct wg_item *o = old ? wg_table_by_id(old, p->id) : NULL;
		if (rp && o) {
			if (changed(o, p, "endpoint-address") || changed(o, p, "endpoint-port"))
				rp->resolved_ms = 0; /* a new host name: resolve it on the next tick */
			add_peer_diff(b, o, p, rp, ep);
			continue;
		}
		f->peers = xrealloc(f->peers, (f->npeers + 1) * sizeof(*f->peers));
		rp = &f->peers[f->npeers++];
		memset(rp, 0, sizeof(*rp));
		rp->id = p->id;
		rp->resolved_ms = ep[0] ? now_ms(w) : 0;
		key_hex(wg_item_get(P, p, "public-key"), rp->pub_hex);
		snprintf(rp->endpoint, sizeof(rp->endpoint), "%s", ep);
		add_peer_full(b, p, rp);
	}
}

static void dp_log(void *ctx, int level, const uint8_t *peer_pub, const char *topic, const char *msg)
{
	struct dp_logctx *lc = ctx;
	struct wg_log_raw raw = { .level = level };
	snprintf(raw.ifname, sizeof(raw.ifname), "%s", lc->ifname);
	if (peer_pub) {
		raw.has_peer = true;
		memcpy(raw.peer_pub, peer_pub, 32);
	}
	snprintf(raw.topic, sizeof(raw.topic), "%s", topic ? topic : "");
	snprintf(raw.msg, sizeof(raw.msg), "%s", msg ? msg : "");
	wg_log_post(lc->log, &raw);
}

static void note_failed(struct wg_wgrt *w, uint32_t id)
{
	for (size_t i = 0; i < w->nfailed; i++) {
		if (w->failed[i].id == id) {
			w->failed[i].at_ms = now_ms(w);
			return;
		}
	}
	w->failed = xrealloc(w->failed, (w->nfailed + 1) * sizeof(*w->failed));
	w->failed[w->nfailed++] = (struct failed){ id, now_ms(w) };
}

static void clear_failed(struct wg_wgrt *w, uint32_t id)
{
	for (size_t i = 0; i < w->nfailed; i++)
		if (w->failed[i].id == id)
			w->failed[i--] = w->failed[--w->nfailed];
}

/* listen-port is required, but a state file saved before it was may lack it: 0 lets the
 * data plane choose a port, so such an interface still comes up. */
static const char *listen_port(const struct wg_item *it)
{
	return wg_item_get(W, it, "listen-port") ?: "0";
}

static void device_lines(struct sbuf *b, const struct wg_item *it)
{
	add_key_line(b, "private_key", wg_item_get(W, it, "private-key"));
	sb_printf(b, "listen_port=%s\n", listen_port(it));
}

/* responder=yes: the data plane never initiates to such a peer, even once it has
 * learned the peer's endpoint from an incoming handshake. */
static void sync_responders(struct wg_wgrt *w, struct rt_iface *f, const struct wg_store *next)
{
	if (!w->ops->set_responder)
		return;
	const struct wg_table *pt = wg_store_ctable(next, P);
	for (size_t i = 0; i < pt->n; i++) {
		const struct wg_item *p = pt->v[i];
		struct rt_peer *rp = peer_wanted(p, f->ifname) ? rt_peer_find(f, p->id) : NULL;
		uint8_t pub[WG_KEY_LEN];
		if (rp && wg_key_from_hex(pub, rp->pub_hex))
			w->ops->set_responder(w->ctx, f->dp, pub, wg_item_flag(P, p, "responder"));
	}
}

static void start_iface(struct wg_wgrt *w, struct wg_router *r, const struct wg_item *it, const struct wg_store *next)
{
	const char *name = wg_item_get(W, it, "name");
	struct dp_logctx *lc = xcalloc(1, sizeof(*lc));
	int err = 0;
	lc->log = w->log;
	snprintf(lc->ifname, sizeof(lc->ifname), "%s", name);
	void *dp = w->ops->start(w->ctx, name, atoi(wg_item_get(W, it, "mtu")), dp_log, lc, &err);
	if (!dp) {
		free(lc);
		note_failed(w, it->id);
		wg_router_logf(r, "wireguard,error", "%s: could not start the interface: %s", name, strerror(-err));
		return;
	}
	clear_failed(w, it->id);
	int up = w->ops->set_up ? w->ops->set_up(w->ctx, dp, true) : 0;
	if (up < 0)
		wg_router_logf(r, "wireguard,error", "%s: could not bring the interface up: %s", name, strerror(-up));
	w->ifs = xrealloc(w->ifs, (w->nifs + 1) * sizeof(*w->ifs));
	struct rt_iface *f = &w->ifs[w->nifs++];
	*f = (struct rt_iface){ .id = it->id, .dp = dp, .logctx = lc };
	snprintf(f->ifname, sizeof(f->ifname), "%s", name);
	struct sbuf b;
	sb_init(&b);
	device_lines(&b, it);
	sb_add(&b, "replace_peers=true\n");
	apply_peers(w, f, NULL, next, &b);
	int rc = uapi_set(w, r, f, &b);
	sb_free(&b);
	if (rc == 0) {
		sync_responders(w, f, next);
		wg_router_logf(r, "wireguard,info", "%s: interface started", name);
		return;
	}
	/* e.g. the listen port is taken: not running, retried later, like a failed start */
	wg_router_logf(r, "wireguard,error", "%s: could not start the interface: %s%s", name, strerror(-rc),
		       rc == -EADDRINUSE ? " (listen-port in use)" : "");
	rt_stop(w, f);
	note_failed(w, it->id);
}

static void update_iface(struct wg_wgrt *w, struct wg_router *r, struct rt_iface *f, const struct wg_item *o,
			 const struct wg_item *it, const struct wg_store *prev, const struct wg_store *next)
{
	struct sbuf b;
	sb_init(&b);
	if (!streq(wg_item_get(W, o, "private-key"), wg_item_get(W, it, "private-key")))
		add_key_line(&b, "private_key", wg_item_get(W, it, "private-key"));
	if (!streq(wg_item_get(W, o, "listen-port"), wg_item_get(W, it, "listen-port")))
		sb_printf(&b, "listen_port=%s\n", listen_port(it));
	if (!streq(wg_item_get(W, o, "mtu"), wg_item_get(W, it, "mtu")))
		w->ops->set_mtu(w->ctx, f->dp, atoi(wg_item_get(W, it, "mtu")));
	apply_peers(w, f, prev, next, &b);
	uapi_set(w, r, f, &b);
	sb_free(&b);
	sync_responders(w, f, next);
}

/* A renamed interface keeps running under its new name: its peers' sessions and
 * clients are not touched (RouterOS renames in place). */
static bool rename_in_place(struct wg_wgrt *w, struct wg_router *r, struct rt_iface *f, const char *name)
{
	int rc = w->ops->rename ? w->ops->rename(w->ctx, f->dp, name) : -EOPNOTSUPP;
	if (rc < 0) {
		wg_router_logf(r, "wireguard,warning", "%s: rename to %s in place failed (%s): restarting it",
			       f->ifname, name, strerror(-rc));
		return false;
	}
	wg_router_logf(r, "wireguard,info", "%s: interface renamed to %s", f->ifname, name);
	snprintf(f->ifname, sizeof(f->ifname), "%s", name);
	snprintf(f->logctx->ifname, sizeof(f->logctx->ifname), "%s", name);
	return true;
}

/* Interfaces that are gone or disabled stop; renamed ones are renamed, or restarted
 * under the new name when the data plane cannot rename. */
static void stop_unwanted(struct wg_wgrt *w, struct wg_router *r, const struct wg_store *next)
{
	const struct wg_table *t = wg_store_ctable(next, W);
	for (size_t i = 0; i < w->nifs;) {
		struct rt_iface *f = &w->ifs[i];
		const struct wg_item *it = wg_table_by_id(t, f->id);
		bool on = it && !wg_item_flag(W, it, "disabled");
		if (on && (streq(wg_item_get(W, it, "name"), f->ifname) ||
			   rename_in_place(w, r, f, wg_item_get(W, it, "name")))) {
			i++;
			continue;
		}
		wg_router_logf(r, "wireguard,info", "%s: interface stopped", f->ifname);
		rt_stop(w, f);
	}
}

void wg_wgrt_apply(struct wg_wgrt *w, struct wg_router *r, const struct wg_store *prev, const struct wg_store *next)
{
	if (!w->ops)
		return;
	stop_unwanted(w, r, next);
	const struct wg_table *t = wg_store_ctable(next, W);
	const struct wg_table *pt = prev ? wg_store_ctable(prev, W) : NULL;
	for (size_t i = 0; i < t->n; i++) {
		const struct wg_item *it = t->v[i];
		if (wg_item_flag(W, it, "disabled"))
			continue;
		struct rt_iface *f = rt_find(w, it->id);
		const struct wg_item *o = pt ? wg_table_by_id(pt, it->id) : NULL;
		if (f && o)
			update_iface(w, r, f, o, it, prev, next);
		else if (!f)
			start_iface(w, r, it, next);
	}
}

/* ---- runtime status from UAPI get ---- */

/* The peers of the interface's last get reply, read again after a second. */
static const struct uapi_reply_peers *status_of(struct wg_wgrt *w, struct rt_iface *f)
{
	uint64_t now = now_ms(w);
	if (f->has_status && now - f->status_ms < 1000)
		return &f->status;
	char *reply = NULL;
	uapi_reply_peers_free(&f->status);
	f->has_status = w->ops->uapi(w->ctx, f->dp, "get=1\n\n", &reply) == 0;
	if (f->has_status)
		uapi_reply_peers_parse(&f->status, reply);
	xfree_secret(reply); /* it holds the interface's private key */
	f->status_ms = now;
	return &f->status;
}

void wg_wgrt_status_expire(struct wg_wgrt *w)
{
	for (size_t i = 0; i < w->nifs; i++)
		w->ifs[i].has_status = false;
}

static void fill_status(const struct uapi_peer_state *s, struct wg_peer_status *out)
{
	out->known = true;
	out->last_handshake_sec = s->last_handshake_sec;
	out->rx = s->rx_bytes;
	out->tx = s->tx_bytes;
	const struct wg_endpoint *e = &s->endpoint;
	if (e->addr.sa.sa_family == AF_INET) {
		inet_ntop(AF_INET, &e->addr.sin.sin_addr, out->endpoint_addr, sizeof(out->endpoint_addr));
		out->endpoint_port = ntohs(e->addr.sin.sin_port);
	} else if (e->addr.sa.sa_family == AF_INET6) {
		inet_ntop(AF_INET6, &e->addr.sin6.sin6_addr, out->endpoint_addr, sizeof(out->endpoint_addr));
		out->endpoint_port = ntohs(e->addr.sin6.sin6_port);
	}
}

static struct rt_iface *iface_of_peer(struct wg_wgrt *w, const struct wg_store *st, const struct wg_item *peer)
{
	const struct wg_item *it = wg_table_by_name(wg_store_ctable(st, W), wg_item_get(P, peer, "interface"));
	return it ? rt_find(w, it->id) : NULL;
}

void wg_wgrt_peer_status(struct wg_wgrt *w, const struct wg_store *st, const struct wg_item *peer,
			 struct wg_peer_status *out)
{
	memset(out, 0, sizeof(*out));
	struct rt_iface *f = iface_of_peer(w, st, peer);
	const char *b64 = wg_item_get(P, peer, "public-key");
	uint8_t key[WG_KEY_LEN];
	if (!f || !b64 || !wg_key_from_base64(key, b64))
		return;
	const struct uapi_peer_state *s = uapi_reply_peers_find(status_of(w, f), key);
	if (s)
		fill_status(s, out);
}

/* ---- periodic work ---- */

/* Host name endpoints: every 60 s; every 15 s while unresolved or while the peer has
 * had no handshake for 2 minutes (the address it had may be gone). */
static bool wants_resolve(struct wg_wgrt *w, struct rt_iface *f, const struct wg_store *st,
			  const struct wg_item *p, struct rt_peer *rp, uint64_t now)
{
	const char *host = wg_item_get(P, p, "endpoint-address");
	struct wg_prefix a;
	if (!host || !wg_addr_parse(&a, host) || now - rp->resolved_ms < 15000)
		return false;
	if (!rp->endpoint[0] || now - rp->resolved_ms >= 60000)
		return true;
	struct wg_peer_status s;
	wg_wgrt_peer_status(w, st, p, &s);
	time_t wall = time(NULL);
	return !s.last_handshake_sec || (uint64_t)wall - s.last_handshake_sec > 120;
}

static size_t collect_due(struct wg_wgrt *w, const struct wg_store *st, uint64_t now,
			  struct wg_resolve_job **out)
{
	const struct wg_table *pt = wg_store_ctable(st, P);
	const struct wg_table *dns = wg_store_ctable(st, &wg_menu_ip_dns);
	const char *servers = dns->n ? wg_item_get(&wg_menu_ip_dns, dns->v[0], "servers") : NULL;
	size_t n = 0;
	*out = NULL;
	for (size_t i = 0; i < w->nifs; i++) {
		struct rt_iface *f = &w->ifs[i];
		for (size_t j = 0; j < f->npeers; j++) {
			struct rt_peer *rp = &f->peers[j];
			const struct wg_item *p = wg_table_by_id(pt, rp->id);
			if (!p || wg_item_flag(P, p, "responder") || !wants_resolve(w, f, st, p, rp, now))
				continue;
			rp->resolved_ms = now; /* not again until this round is through */
			*out = xrealloc(*out, (n + 1) * sizeof(**out));
			struct wg_resolve_job *jb = &(*out)[n++];
			memset(jb, 0, sizeof(*jb));
			jb->iface_id = f->id;
			jb->peer_id = rp->id;
			snprintf(jb->host, sizeof(jb->host), "%s", wg_item_get(P, p, "endpoint-address"));
			snprintf(jb->port, sizeof(jb->port), "%s", wg_item_get(P, p, "endpoint-port") ?: "");
			snprintf(jb->servers, sizeof(jb->servers), "%s", servers ? servers : "");
		}
	}
	return n;
}

/* A peer on dynamic DNS moves: point the data plane at the new address (wg and
 * wireguard-go resolve a host name only once). */
static void apply_results(struct wg_wgrt *w, struct wg_router *r, const struct wg_store *st,
			  struct wg_resolve_job *jobs, size_t n)
{
	const struct wg_table *pt = wg_store_ctable(st, P);
	for (size_t i = 0; i < n; i++) {
		struct wg_resolve_job *jb = &jobs[i];
		struct rt_iface *f = rt_find(w, jb->iface_id);
		struct rt_peer *rp = f ? rt_peer_find(f, jb->peer_id) : NULL;
		const struct wg_item *p = wg_table_by_id(pt, jb->peer_id);
		if (!rp || !p || jb->rc || !strcmp(jb->out, rp->endpoint) ||
		    !streq(wg_item_get(P, p, "endpoint-address"), jb->host))
			continue;
		wg_router_logf(r, "wireguard,info", "%s: [%s] endpoint %s now resolves to %s", f->ifname,
			       wg_item_get(P, p, "name") ?: "", jb->host, jb->out);
		snprintf(rp->endpoint, sizeof(rp->endpoint), "%s", jb->out);
		struct sbuf b;
		sb_init(&b);
		sb_printf(&b, "public_key=%s\nupdate_only=true\nendpoint=%s\n", rp->pub_hex, jb->out);
		uapi_set(w, r, f, &b);
		sb_free(&b);
	}
}

/* The answers of a finished round, if there is one. */
static void take_answers(struct wg_wgrt *w, struct wg_router *r, const struct wg_store *st)
{
	struct wg_resolve_job *jobs;
	size_t n = wg_resolver_take(w->res, &jobs);
	if (!n)
		return;
	if (r)
		apply_results(w, r, st, jobs, n);
	free(jobs);
}

/* One round at a time; with the tests' resolver hook it finishes inside start. */
static void reresolve(struct wg_wgrt *w, struct wg_router *r, const struct wg_store *st, uint64_t now)
{
	take_answers(w, r, st);
	if (wg_resolver_busy(w->res))
		return;
	struct wg_resolve_job *jobs;
	size_t n = collect_due(w, st, now, &jobs);
	if (n && wg_resolver_start(w->res, jobs, n))
		take_answers(w, r, st);
}

/* Starting changes the failed list, so the due ids are collected first. */
static void retry_failed(struct wg_wgrt *w, struct wg_router *r, const struct wg_store *st, uint64_t now)
{
	const struct wg_table *t = wg_store_ctable(st, W);
	uint32_t due[64];
	size_t ndue = 0;
	for (size_t i = 0; i < w->nfailed; i++) {
		const struct wg_item *it = wg_table_by_id(t, w->failed[i].id);
		if (!it || wg_item_flag(W, it, "disabled") || rt_find(w, it->id))
			w->failed[i--] = w->failed[--w->nfailed];
		else if (now - w->failed[i].at_ms >= 30000 && ndue < 64)
			due[ndue++] = it->id;
	}
	for (size_t i = 0; i < ndue; i++)
		start_iface(w, r, wg_table_by_id(t, due[i]), st);
}

void wg_wgrt_tick(struct wg_wgrt *w, struct wg_router *r, const struct wg_store *st)
{
	if (!w->ops)
		return;
	uint64_t now = now_ms(w);
	retry_failed(w, r, st, now);
	reresolve(w, r, st, now);
}
