/* /tool/netwatch: hosts watched by a probe every interval (icmp: one echo; tcp-conn: a
 * connection to port; simple: an echo, as RouterOS v7's default), status up or down
 * with since, and the scripts run on a change (up-script, down-script) and after every
 * probe (test-script). The probing is the daemon's netwatch thread (src/cmd/netwatch.c);
 * what it found lands here (wg_netwatch_due, wg_netwatch_result), with the router lock
 * held, and the scripts go to the script thread's queue (scripts.h). */
#include <string.h>
#include <time.h>
#include "router/menus.h"
#include "router/netwatch.h"
#include "router/policy.h"
#include "router/scripts.h"
#include "router/toolsrt.h"
#include "router/units.h"
#include "sys/prefix.h"

static const char *const type_choices[] = { "simple", "icmp", "tcp-conn", NULL };

static const struct wg_prop netwatch_props[] = {
	{ "host", PT_IP, PF_REQUIRED, NULL, NULL, 0, 0 },
	{ "type", PT_ENUM, 0, "simple", type_choices, 0, 0 },
	{ "port", PT_INT, 0, "80", NULL, 1, 65535 },
	{ "interval", PT_TIME, 0, "10s", NULL, 0, 0 },
	{ "timeout", PT_TIME, 0, "1s", NULL, 0, 0 },
	{ "up-script", PT_STR, 0, "", NULL, 0, 0 },
	{ "down-script", PT_STR, 0, "", NULL, 0, 0 },
	{ "test-script", PT_STR, 0, "", NULL, 0, 0 },
	P_DISABLED,
	P_COMMENT,
	{ "status", PT_STR, PF_RO | PF_RUNTIME, NULL, NULL, 0, 0 },
	{ "since", PT_STR, PF_RO | PF_RUNTIME, NULL, NULL, 0, 0 },
	P_END,
};
static const struct wg_flagdef netwatch_flags[] = { { 'X', "disabled", "disabled" }, { 0, NULL, NULL } };
static const char *const netwatch_cols[] = { "host", "type", "interval", "timeout", "status", "since", NULL };

static int netwatch_check(struct wg_vctx *v, struct wg_item *it)
{
	const struct wg_menu *m = v->menu;
	uint64_t iv = 0, to = 0;
	wg_time_parse(wg_item_get(m, it, "interval"), &iv);
	wg_time_parse(wg_item_get(m, it, "timeout"), &to);
	if (iv < 1000 || iv > 86400000ull)
		return wg_fail(v, "failure: interval must be between 1s and 1d");
	if (to < 10 || to > 60000 || to > iv)
		return wg_fail(v, "failure: timeout must be between 10ms and 60s, and not longer than interval");
	static const char *const scripts[] = { "up-script", "down-script", "test-script" };
	for (size_t i = 0; i < 3; i++) {
		const char *src = wg_item_get(m, it, scripts[i]);
		if (src && strlen(src) > 65536)
			return wg_fail(v, "failure: %s longer than 64 KiB", scripts[i]);
	}
	return 0;
}

static void netwatch_runtime(struct wg_router *r, const struct wg_menu *m, const struct wg_item *it, char **vals)
{
	struct wg_netwatch_state *s = wg_toolsrt_netwatch(wg_router_tools(r), it->id);
	char buf[32];
	xset(&vals[wg_menu_prop(m, "status")], s->status);
	if (s->since)
		xset(&vals[wg_menu_prop(m, "since")], wg_datetime_format(s->since, buf, sizeof(buf)));
}

const struct wg_menu wg_menu_netwatch = {
	.path = "/tool/netwatch", .flags = MF_ITEMS, .props = netwatch_props, .columns = netwatch_cols,
	.flagdefs = netwatch_flags, .check = netwatch_check, .runtime = netwatch_runtime,
};

/* ---- what the netwatch thread asks ---- */

static bool job_of(const struct wg_item *it, struct wg_netwatch_job *j)
{
	const struct wg_menu *m = &wg_menu_netwatch;
	struct wg_prefix p;
	uint64_t to = 1000;
	if (wg_addr_parse(&p, wg_item_get(m, it, "host")) < 0)
		return false;
	memset(j, 0, sizeof(*j));
	j->id = it->id;
	j->family = p.family;
	memcpy(j->addr, p.addr, 16);
	j->tcp = !strcmp(wg_item_get(m, it, "type"), "tcp-conn");
	j->port = (uint16_t)atoi(wg_item_get(m, it, "port"));
	wg_time_parse(wg_item_get(m, it, "timeout"), &to);
	j->timeout_ms = to;
	return true;
}

size_t wg_netwatch_due(struct wg_router *r, uint64_t now_ms, struct wg_netwatch_job *out, size_t max)
{
	const struct wg_menu *m = &wg_menu_netwatch;
	const struct wg_table *t = wg_store_ctable(wg_router_store(r), m);
	struct wg_toolsrt *rt = wg_router_tools(r);
	uint32_t *ids = xcalloc(t->n + 1, sizeof(uint32_t));
	size_t n = 0;
	for (size_t i = 0; i < t->n; i++) {
		const struct wg_item *it = t->v[i];
		ids[i] = it->id;
		struct wg_netwatch_state *s = wg_toolsrt_netwatch(rt, it->id);
		uint64_t iv = 10000;
		wg_time_parse(wg_item_get(m, it, "interval"), &iv);
		if (wg_item_flag(m, it, "disabled") || s->probing || (s->done_ms && now_ms - s->done_ms < iv) || n >= max)
			continue;
		if (job_of(it, &out[n])) {
			s->probing = true;
			n++;
		}
	}
	wg_toolsrt_netwatch_keep(rt, ids, t->n); /* removed items are forgotten */
	free(ids);
	return n;
}

static void queue(struct wg_router *r, const struct wg_item *it, const char *prop, const char *host)
{
	const char *src = wg_item_get(&wg_menu_netwatch, it, prop);
	char origin[96];
	if (!src || !*src)
		return;
	snprintf(origin, sizeof(origin), "netwatch %s %s", host, prop);
	if (!wg_scripts_queue(r, src, origin, "", WG_POL_ALL))
		wg_router_logf(r, "netwatch,warning", "%s: the script queue is full", origin);
}

void wg_netwatch_result(struct wg_router *r, uint32_t id, bool up, uint64_t now_ms, uint64_t now_unix)
{
	const struct wg_menu *m = &wg_menu_netwatch;
	const struct wg_item *it = wg_table_by_id(wg_store_ctable(wg_router_store(r), m), id);
	struct wg_netwatch_state *s = wg_toolsrt_netwatch(wg_router_tools(r), id);
	s->probing = false;
	s->done_ms = now_ms ? now_ms : 1;
	if (!it || wg_item_flag(m, it, "disabled"))
		return; /* removed or disabled while the probe ran */
	const char *status = up ? "up" : "down", *host = wg_item_get(m, it, "host");
	if (strcmp(s->status, status)) {
		snprintf(s->status, sizeof(s->status), "%s", status);
		s->since = now_unix;
		wg_router_logf(r, "netwatch,info", "netwatch: %s is %s", host, status);
		queue(r, it, up ? "up-script" : "down-script", host);
	}
	queue(r, it, "test-script", host);
}
