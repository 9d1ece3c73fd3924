/* See quota.h. */
#include "router/quota.h"
#include <string.h>
#include <time.h>
#include "router/menus.h"
#include "router/traffic.h"
#include "router/units.h"

#define P (&wg_menu_peers)

bool wg_quota_period(const char *period, uint64_t now, uint64_t *start, uint64_t *end)
{
	time_t t = (time_t)now;
	struct tm a;
	localtime_r(&t, &a);
	a.tm_hour = a.tm_min = a.tm_sec = 0;
	a.tm_isdst = -1;
	struct tm b = a;
	if (!strcmp(period, "day")) {
		b.tm_mday += 1;
	} else if (!strcmp(period, "week")) {
		a.tm_mday -= (a.tm_wday + 6) % 7; /* back to Monday */
		b = a;
		b.tm_mday += 7;
	} else if (!strcmp(period, "month")) {
		a.tm_mday = 1;
		b = a;
		b.tm_mon += 1;
	} else {
		return false;
	}
	*start = (uint64_t)mktime(&a);
	*end = (uint64_t)mktime(&b);
	return true;
}

static uint64_t size_of(const struct wg_item *p, const char *name)
{
	uint64_t v = 0;
	const char *s = wg_item_get(P, p, name);
	return s && wg_size_parse(s, &v) ? v : 0;
}

static bool has_quota(const struct wg_item *p)
{
	return size_of(p, "quota-rx") || size_of(p, "quota-tx") || size_of(p, "quota-total");
}

bool wg_quota_usage(struct wg_router *r, const struct wg_item *peer, const struct wg_peer_status *s,
		    uint64_t *rx, uint64_t *tx)
{
	uint64_t start, end, now = wg_router_wall(r);
	if (!has_quota(peer))
		return false;
	const char *period = wg_item_show(P, peer, wg_menu_prop(P, "quota-period"));
	if (!wg_quota_period(period ? period : "none", now, &start, &end))
		return wg_hist_totals(wg_router_hist(r), WG_HIST_PEER, peer->id, s->known, s->rx, s->tx, rx, tx, NULL);
	return wg_hist_usage(wg_router_hist(r), WG_HIST_PEER, peer->id, start, now, s->known, s->rx, s->tx, rx, tx);
}

/* The quota crossed, as "quota-total 10M" for the log; NULL: none. */
static const char *crossed(const struct wg_item *p, uint64_t rx, uint64_t tx)
{
	static const char *const names[] = { "quota-rx", "quota-tx", "quota-total" };
	uint64_t used[] = { rx, tx, rx + tx };
	for (size_t i = 0; i < 3; i++) {
		uint64_t q = size_of(p, names[i]);
		if (q && used[i] >= q)
			return names[i];
	}
	return NULL;
}

struct pass {
	struct wg_router *r;
	struct wg_store *next;  /* made on the first change */
	uint64_t now;
};

static struct wg_item *editable(struct pass *ps, const struct wg_item *p)
{
	if (!ps->next)
		ps->next = wg_store_clone(wg_router_store(ps->r));
	return wg_table_by_id(wg_store_table(ps->next, P), p->id);
}

static void expire(struct pass *ps, const struct wg_item *p)
{
	uint64_t at;
	const char *e = wg_item_get(P, p, "expires");
	if (!e || wg_item_flag(P, p, "disabled") || !wg_datetime_parse(e, &at) || ps->now < at)
		return;
	wg_item_set(P, editable(ps, p), "disabled", "yes");
	wg_router_logf(ps->r, "wireguard,info", "peer %s expired at %s, disabled", wg_item_get(P, p, "name"), e);
}

static const char *crossed(const struct wg_item *p, uint64_t rx, uint64_t tx);

/* quota-period=none holds until the quota is raised or removed or the counters reset. */
static bool still_over(struct pass *ps, const struct wg_item *p)
{
	uint64_t rx, tx;
	struct wg_peer_status s;
	wg_router_peer_status(ps->r, p, &s);
	return wg_quota_usage(ps->r, p, &s, &rx, &tx) && crossed(p, rx, tx);
}

/* A period that ended: the quota holds no more. */
static void lift(struct pass *ps, const struct wg_item *p, const char *until)
{
	uint64_t end;
	if (!strcmp(until, "yes") ? still_over(ps, p) : !wg_datetime_parse(until, &end) || ps->now < end)
		return;
	struct wg_item *it = editable(ps, p);
	wg_item_set(P, it, "quota-exceeded", NULL);
	bool was_disabling = streq(wg_item_show(P, p, wg_menu_prop(P, "quota-action")), "disable");
	if (was_disabling)
		wg_item_set(P, it, "disabled", "no");
	wg_router_logf(ps->r, "wireguard,info", "peer %s: quota period ended, %s", wg_item_get(P, p, "name"),
		       was_disabling ? "enabled" : "rate limit lifted");
}

static void enforce(struct pass *ps, const struct wg_item *p)
{
	uint64_t rx, tx, start, end;
	struct wg_peer_status s;
	if (wg_item_flag(P, p, "disabled") || !has_quota(p))
		return;
	wg_router_peer_status(ps->r, p, &s);
	if (!wg_quota_usage(ps->r, p, &s, &rx, &tx))
		return;
	const char *which = crossed(p, rx, tx);
	if (!which)
		return;
	const char *period = wg_item_show(P, p, wg_menu_prop(P, "quota-period"));
	const char *action = wg_item_show(P, p, wg_menu_prop(P, "quota-action"));
	char until[32] = "yes", used[32];
	uint64_t n = !strcmp(which, "quota-rx") ? rx : !strcmp(which, "quota-tx") ? tx : rx + tx;
	if (wg_quota_period(period, ps->now, &start, &end))
		wg_datetime_format(end, until, sizeof(until));
	struct wg_item *it = editable(ps, p);
	wg_item_set(P, it, "quota-exceeded", until);
	bool disable = streq(action, "disable");
	if (disable)
		wg_item_set(P, it, "disabled", "yes");
	wg_router_logf(ps->r, "wireguard,info", "peer %s: %s %s reached (%s used), %s until %s", wg_item_get(P, p, "name"),
		       which, wg_item_get(P, p, which), wg_size_format(n, used, sizeof(used)),
		       disable ? "disabled" : "rate-limited", strcmp(until, "yes") ? until : "the quota changes");
}

void wg_quota_tick(struct wg_router *r)
{
	const struct wg_table *t = wg_store_ctable(wg_router_store(r), P);
	struct pass ps = { r, NULL, wg_router_wall(r) };
	for (size_t i = 0; i < t->n; i++) {
		const struct wg_item *p = t->v[i];
		const char *until = wg_item_get(P, p, "quota-exceeded");
		expire(&ps, p);
		if (until)
			lift(&ps, p, until);
		else
			enforce(&ps, p);
	}
	char err[256];
	if (ps.next && wg_router_commit(r, ps.next, err, sizeof(err)) < 0)
		wg_router_logf(r, "wireguard,error", "expiry/quota change not saved: %s", err);
}
