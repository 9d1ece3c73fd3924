/* Traffic samples and the traffic-history commands of /interface/wireguard and
 * /interface/wireguard/peers:
 *   traffic-history number=<id or name> period=hour|day|month|year
 * answer rows (time, rx-bytes, tx-bytes: bytes in that interval), oldest first, through
 * every door (the rows are items of wg_menu_traffic_rows, struct wg_action_ctx). */
#include "router/traffic.h"
#include <string.h>
#include "router/menus.h"
#include "router/policy.h"
#include "router/units.h"

void wg_traffic_sample(struct wg_router *r, const struct wg_store *st, uint64_t now)
{
	const struct wg_table *wt = wg_store_ctable(st, &wg_menu_wireguard);
	const struct wg_table *pt = wg_store_ctable(st, &wg_menu_peers);
	struct wg_hist_sample *s = xcalloc(wt->n + pt->n + 1, sizeof(*s));
	size_t n = 0;
	for (size_t i = 0; i < wt->n; i++)
		s[n++] = (struct wg_hist_sample){ .kind = WG_HIST_IFACE, .id = wt->v[i]->id };
	for (size_t i = 0; i < pt->n; i++) {
		const struct wg_item *p = pt->v[i];
		const struct wg_item *iface = wg_table_by_name(wt, wg_item_get(&wg_menu_peers, p, "interface"));
		struct wg_peer_status ps;
		wg_router_peer_status(r, p, &ps);
		s[n++] = (struct wg_hist_sample){ .kind = WG_HIST_PEER, .id = p->id, .parent = iface ? iface->id : 0,
						  .live = ps.known, .rx = ps.rx, .tx = ps.tx,
						  .handshake = ps.last_handshake_sec };
	}
	wg_hist_post(wg_router_hist(r), now, s, n);
}

bool wg_router_peer_totals(struct wg_router *r, const struct wg_item *peer, const struct wg_peer_status *s,
			   uint64_t *rx, uint64_t *tx)
{
	return wg_hist_totals(wg_router_hist(r), WG_HIST_PEER, peer->id, s->known, s->rx, s->tx, rx, tx, NULL);
}

/* ---- the rows ---- */

static const struct wg_prop row_props[] = {
	{ "time", PT_STR, PF_RO, NULL, NULL, 0, 0 },
	{ "rx-bytes", PT_NUM, PF_RO, NULL, NULL, 0, 0 },
	{ "tx-bytes", PT_NUM, PF_RO, NULL, NULL, 0, 0 },
	P_END,
};
static const char *const row_columns[] = { "time", "rx-bytes", "tx-bytes", NULL };

const struct wg_menu wg_menu_traffic_rows = {
	.path = "/interface/wireguard/traffic-history",
	.flags = MF_VIRTUAL | MF_NOEXPORT,
	.props = row_props,
	.columns = row_columns,
};

static const char *const periods[] = { "hour", "day", "month", "year", NULL };
static const char *const params[] = { "numbers", "number", "period", NULL };

static void push_row(struct wg_itemlist *l, const struct wg_hist_point *pt)
{
	const struct wg_menu *m = &wg_menu_traffic_rows;
	struct wg_item *it = wg_virtual_item(m, (uint32_t)l->n + 1);
	char buf[32];
	wg_item_set(m, it, "time", wg_datetime_format(pt->time, buf, sizeof(buf)));
	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)pt->rx);
	wg_item_set(m, it, "rx-bytes", buf);
	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)pt->tx);
	wg_item_set(m, it, "tx-bytes", buf);
	wg_itemlist_push(l, it);
}

/* number= is what the spelling of the issue and RouterOS's own monitor commands use;
 * numbers= (the unnamed argument) is what the console passes. */
static int history(struct wg_action_ctx *a, uint32_t kind)
{
	const char *num = wg_action_arg(a, "number");
	const char *per = wg_action_arg(a, "period");
	const char *args[] = { "numbers", num, NULL };
	struct wg_action_ctx b = *a;
	if (num)
		b.args = args;
	struct wg_item *it = wg_action_item(&b);
	if (!it)
		return -1;
	size_t p = 0;
	while (per && periods[p] && strcmp(periods[p], per))
		p++;
	if (per && !periods[p]) {
		snprintf(a->err, a->errlen, "invalid value for argument period");
		return -1;
	}
	struct wg_hist_point *pts;
	size_t n = wg_hist_points(wg_router_hist(a->r), kind, it->id, (enum wg_hist_period)p, wg_router_wall(a->r), &pts);
	a->rows_menu = &wg_menu_traffic_rows;
	for (size_t i = 0; i < n; i++)
		push_row(&a->rows, &pts[i]);
	free(pts);
	return 0;
}

static int peer_history(struct wg_action_ctx *a) { return history(a, WG_HIST_PEER); }
static int iface_history(struct wg_action_ctx *a) { return history(a, WG_HIST_IFACE); }

const struct wg_action wg_peer_actions[] = {
	{ "traffic-history", params, WG_POL_READ, peer_history },
	{ NULL, NULL, 0, NULL },
};
const struct wg_action wg_wireguard_actions[] = {
	{ "traffic-history", params, WG_POL_READ, iface_history },
	{ NULL, NULL, 0, NULL },
};
