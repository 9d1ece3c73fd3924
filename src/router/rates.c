/* Per-peer rate limits into table inet wgrouter_rates (sys/nft_rates.h): max-rate of
 * every enabled peer of an enabled interface, or quota-rate while quota-action=rate-limit
 * holds it (quota-exceeded). Applied after every commit, only when the set changed. */
#include "router/rates.h"
#include <string.h>
#include "router/menus.h"
#include "router/units.h"

#define P (&wg_menu_peers)

struct wg_ratesrt { char *last; bool warned; };

struct wg_ratesrt *wg_ratesrt_new(void) { return xcalloc(1, sizeof(struct wg_ratesrt)); }

void wg_ratesrt_free(struct wg_ratesrt *t, struct wg_router *r)
{
	void *ctx;
	const struct wg_sys_ops *sys = wg_router_sys(r, &ctx);
	if (t && t->last && sys && sys->rates_apply) {
		char err[128];
		sys->rates_apply(ctx, NULL, 0, err, sizeof(err)); /* the table goes with us */
	}
	if (t)
		free(t->last);
	free(t);
}

/* The rate that holds the peer now, or NULL. */
static const char *rate_of(const struct wg_store *st, const struct wg_item *p)
{
	const struct wg_item *iface = wg_table_by_name(wg_store_ctable(st, &wg_menu_wireguard), wg_item_get(P, p, "interface"));
	if (!iface || wg_item_flag(&wg_menu_wireguard, iface, "disabled") || wg_item_flag(P, p, "disabled"))
		return NULL;
	if (wg_item_get(P, p, "quota-exceeded") && streq(wg_item_show(P, p, wg_menu_prop(P, "quota-action")), "rate-limit"))
		return wg_item_get(P, p, "quota-rate");
	return wg_item_get(P, p, "max-rate");
}

struct built { struct wg_rate_peer *v; struct strvec *pfx; size_t n; struct sbuf key; };

static void build(const struct wg_store *st, struct built *b)
{
	const struct wg_table *t = wg_store_ctable(st, P);
	b->v = xcalloc(t->n + 1, sizeof(*b->v));
	b->pfx = xcalloc(t->n + 1, sizeof(*b->pfx));
	b->n = 0;
	sb_init(&b->key);
	for (size_t i = 0; i < t->n; i++) {
		const char *rate = rate_of(st, t->v[i]);
		struct wg_rate_peer *rp = &b->v[b->n];
		if (!rate || !wg_rate_pair_parse(rate, &rp->rx_bps, &rp->tx_bps))
			continue;
		sv_split(&b->pfx[b->n], wg_item_get(P, t->v[i], "allowed-address"), ',');
		rp->id = t->v[i]->id;
		rp->ifname = wg_item_get(P, t->v[i], "interface");
		rp->prefixes = (const char *const *)b->pfx[b->n].v;
		rp->nprefixes = b->pfx[b->n].n;
		sb_printf(&b->key, "%u %s %s %s\n", rp->id, rp->ifname, wg_item_get(P, t->v[i], "allowed-address"), rate);
		b->n++;
	}
}

static void built_free(struct built *b)
{
	for (size_t i = 0; i < b->n; i++)
		sv_free(&b->pfx[i]);
	free(b->pfx);
	free(b->v);
	sb_free(&b->key);
}

void wg_ratesrt_apply(struct wg_ratesrt *t, struct wg_router *r, const struct wg_store *st)
{
	void *ctx;
	const struct wg_sys_ops *sys = wg_router_sys(r, &ctx);
	struct built b;
	build(st, &b);
	bool same = t->last ? !strcmp(t->last, sb_str(&b.key)) : !b.n;
	if (!same && (!sys || !sys->rates_apply)) {
		if (!t->warned)
			wg_router_logf(r, "wireguard,error", "max-rate: rate limits are not available here");
		t->warned = true;
	} else if (!same) {
		char err[512];
		if (sys->rates_apply(ctx, b.v, b.n, err, sizeof(err)) < 0)
			wg_router_logf(r, "wireguard,error", "max-rate: could not apply rate limits: %s", err);
		else {
			free(t->last);
			t->last = xstrdup(sb_str(&b.key));
		}
	}
	built_free(&b);
}
