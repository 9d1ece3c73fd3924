/* /system/metrics: who may read the Prometheus page (/metrics, src/api/metrics.c) and
 * on which door. The www and www-ssl services always serve /metrics to a user whose
 * group has read and rest-api; anonymous-address= lets the listed sources scrape it
 * without a login (a Prometheus server on the management network, as node_exporter is
 * read); disabled=no opens a listener of its own on port= (9586, the port registered
 * for WireGuard exporters) that serves /metrics only, to the sources in address=.
 * RouterOS has no such menu; it is wgrouter's own, exported like any other. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "router/auth.h"
#include "router/menus.h"
#include "router/services.h"

static const struct wg_prop metrics_props[] = {
	{ "disabled", PT_BOOL, 0, "yes", NULL, 0, 0 },
	{ "port", PT_INT, 0, "9586", NULL, 1, 65535 },
	{ "address", PT_NETS, 0, NULL, NULL, 0, 0 },
	{ "anonymous-address", PT_NETS, 0, NULL, NULL, 0, 0 },
	P_END,
};

static int metrics_check(struct wg_vctx *v, struct wg_item *it)
{
	const struct wg_menu *m = v->menu, *s = &wg_menu_ip_service;
	const char *addr = wg_item_get(m, it, "address"), *anon = wg_item_get(m, it, "anonymous-address");
	if ((addr && strlen(addr) >= sizeof(((struct wg_service *)0)->address)) ||
	    (anon && strlen(anon) >= sizeof(((struct wg_service *)0)->address)))
		return wg_fail(v, "failure: too many addresses");
	if (wg_item_flag(m, it, "disabled"))
		return 0;
	const struct wg_table *t = wg_store_ctable(v->st, s);
	for (size_t i = 0; i < t->n; i++)
		if (!wg_item_flag(s, t->v[i], "disabled") &&
		    streq(wg_item_get(s, t->v[i], "port"), wg_item_get(m, it, "port")))
			return wg_fail(v, "failure: port %s is used by service %s", wg_item_get(m, it, "port"),
				       wg_item_get(s, t->v[i], "name"));
	return 0;
}

const struct wg_menu wg_menu_metrics = {
	.path = "/system/metrics", .flags = MF_SETTINGS, .props = metrics_props, .check = metrics_check,
};

static const struct wg_item *settings(const struct wg_store *st)
{
	const struct wg_table *t = wg_store_ctable(st, &wg_menu_metrics);
	return t->n ? t->v[0] : NULL;
}

bool wg_metrics_service_get(const struct wg_store *st, struct wg_service *out)
{
	const struct wg_menu *m = &wg_menu_metrics;
	const struct wg_item *it = settings(st);
	memset(out, 0, sizeof(*out));
	if (!it)
		return false;
	snprintf(out->name, sizeof(out->name), "metrics");
	out->enabled = !wg_item_flag(m, it, "disabled");
	out->port = (uint16_t)atoi(wg_item_get(m, it, "port"));
	snprintf(out->address, sizeof(out->address), "%s", wg_item_get(m, it, "address") ?: "");
	out->max_sessions = 8;
	return true;
}

bool wg_metrics_anonymous(const struct wg_store *st, const char *addr)
{
	const struct wg_item *it = settings(st);
	const char *list = it ? wg_item_get(&wg_menu_metrics, it, "anonymous-address") : NULL;
	return list && *list && wg_addr_allowed(list, addr);
}
