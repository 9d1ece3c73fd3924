/* /system (identity, logging, package, resource), /log, /interface (every interface of
 * the system) and the pure container menus of the tree. */
#include <string.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>
#include "router/log.h"
#include "router/menus.h"
#include "router/units.h"

#define CONTAINER(var, p) const struct wg_menu var = { .path = p, .flags = MF_CONTAINER }
const struct wg_menu wg_menu_root = { .path = "/", .flags = MF_CONTAINER, .actions = wg_root_actions };
CONTAINER(wg_menu_ip, "/ip");
CONTAINER(wg_menu_ip_firewall, "/ip/firewall");
CONTAINER(wg_menu_ipv6, "/ipv6");
CONTAINER(wg_menu_ipv6_firewall, "/ipv6/firewall");
CONTAINER(wg_menu_routing, "/routing");
const struct wg_menu wg_menu_system = { .path = "/system", .flags = MF_CONTAINER, .actions = wg_system_actions };
CONTAINER(wg_menu_tool, "/tool");

/* ---- /system/identity ---- */

static const struct wg_prop identity_props[] = {
	{ "name", PT_STR, 0, "wgrouter", NULL, 0, 0 },
	P_END,
};
const struct wg_menu wg_menu_identity = {
	.path = "/system/identity", .flags = MF_SETTINGS, .props = identity_props,
};

/* ---- /system/logging ---- */

static const char *const log_actions[] = { "memory", "echo", "disk", "remote", NULL };
static const struct wg_prop logging_props[] = {
	{ "topics", PT_LIST, PF_REQUIRED, NULL, NULL, 0, 0 },
	{ "action", PT_ENUM, 0, "memory", log_actions, 0, 0 },
	{ "prefix", PT_STR, 0, NULL, NULL, 0, 0 },
	P_DISABLED,
	{ "default", PT_BOOL, PF_RO | PF_RUNTIME | PF_NOPRINT, NULL, NULL, 0, 0 },
	P_END,
};
static const struct wg_flagdef logging_flags[] = {
	{ 'X', "disabled", "disabled" }, { '*', "default", "default" }, { 0, NULL, NULL },
};
static const char *const logging_cols[] = { "topics", "action", "prefix", NULL };

/* RouterOS's default rules, always there and never exported. */
static const struct { const char *topics, *action; } default_rules[] = {
	{ "info", "memory" }, { "error", "memory" }, { "warning", "memory" }, { "critical", "echo" },
};

static void logging_list(struct wg_router *r, struct wg_itemlist *out)
{
	const struct wg_menu *m = &wg_menu_logging;
	for (size_t i = 0; i < sizeof(default_rules) / sizeof(default_rules[0]); i++) {
		struct wg_item *it = wg_virtual_item(m, 0x80000000u + (uint32_t)i + 1);
		wg_item_set(m, it, "topics", default_rules[i].topics);
		wg_item_set(m, it, "action", default_rules[i].action);
		wg_item_set(m, it, "default", "yes");
		wg_itemlist_push(out, it);
	}
}

const struct wg_menu wg_menu_logging = {
	.path = "/system/logging", .flags = MF_ITEMS, .props = logging_props, .columns = logging_cols,
	.flagdefs = logging_flags, .list = logging_list,
};

/* ---- /log ---- */

static const struct wg_prop log_props[] = {
	{ "time", PT_STR, PF_RO, NULL, NULL, 0, 0 },
	{ "topics", PT_STR, PF_RO, NULL, NULL, 0, 0 },
	{ "message", PT_STR, PF_RO, NULL, NULL, 0, 0 },
	P_END,
};
static const char *const log_cols[] = { "time", "topics", "message", NULL };

static void log_list(struct wg_router *r, struct wg_itemlist *out)
{
	struct wg_log *l = wg_router_log(r);
	wg_router_flush_log(r);
	size_t n = wg_log_count(l);
	for (size_t i = 0; i < n; i++) {
		struct wg_log_entry e;
		char t[32];
		if (!wg_log_get(l, i, &e))
			continue;
		struct wg_item *it = wg_virtual_item(&wg_menu_log, e.id);
		struct tm tm;
		time_t s = (time_t)(e.time_ms / 1000);
		localtime_r(&s, &tm);
		strftime(t, sizeof(t), "%Y-%m-%d %H:%M:%S", &tm);
		wg_item_set(&wg_menu_log, it, "time", t);
		wg_item_set(&wg_menu_log, it, "topics", e.topics);
		wg_item_set(&wg_menu_log, it, "message", e.message);
		wg_itemlist_push(out, it);
	}
}

const struct wg_menu wg_menu_log = {
	.path = "/log", .flags = MF_VIRTUAL | MF_NOEXPORT, .props = log_props, .columns = log_cols,
	.list = log_list,
};

/* ---- /system/package ---- */

static const struct wg_prop package_props[] = {
	{ "name", PT_STR, PF_RO, NULL, NULL, 0, 0 },
	{ "version", PT_STR, PF_RO, NULL, NULL, 0, 0 },
	{ "build-time", PT_STR, PF_RO, NULL, NULL, 0, 0 },
	P_END,
};
static const char *const package_cols[] = { "name", "version", "build-time", NULL };

static void package_list(struct wg_router *r, struct wg_itemlist *out)
{
	static const char *const names[] = { "wgrouter", "wireguard" };
	for (size_t i = 0; i < 2; i++) {
		struct wg_item *it = wg_virtual_item(&wg_menu_package, (uint32_t)i + 1);
		wg_item_set(&wg_menu_package, it, "name", names[i]);
		wg_item_set(&wg_menu_package, it, "version", WG_ROUTER_VERSION);
		wg_item_set(&wg_menu_package, it, "build-time", __DATE__ " " __TIME__);
		wg_itemlist_push(out, it);
	}
}

const struct wg_menu wg_menu_package = {
	.path = "/system/package", .flags = MF_VIRTUAL | MF_NOEXPORT, .props = package_props,
	.columns = package_cols, .list = package_list,
};

/* ---- /system/resource and /system/resource/cpu ---- */

struct cpu_times { unsigned long long busy, total; };

/* Load since the previous call (first call: since boot), per CPU; cpu -1 is the total. */
static int cpu_load(int cpu, struct cpu_times *prev)
{
	FILE *f = fopen("/proc/stat", "r");
	char line[256], want[16];
	int load = 0;
	if (!f)
		return 0;
	if (cpu < 0)
		snprintf(want, sizeof(want), "cpu ");
	else
		snprintf(want, sizeof(want), "cpu%d ", cpu);
	while (fgets(line, sizeof(line), f)) {
		unsigned long long u, n, s, idle, io, irq, sirq;
		if (strncmp(line, want, strlen(want)) ||
		    sscanf(line + strlen(want), "%llu %llu %llu %llu %llu %llu %llu", &u, &n, &s, &idle, &io, &irq, &sirq) != 7)
			continue;
		struct cpu_times now = { u + n + s + irq + sirq, u + n + s + idle + io + irq + sirq };
		unsigned long long dt = now.total - prev->total;
		load = dt ? (int)(100 * (now.busy - prev->busy) / dt) : 0;
		*prev = now;
		break;
	}
	fclose(f);
	return load;
}

static const struct wg_prop resource_props[] = {
	{ "uptime", PT_TIME, PF_RO, NULL, NULL, 0, 0 },
	{ "version", PT_STR, PF_RO, NULL, NULL, 0, 0 },
	{ "free-memory", PT_BYTES, PF_RO, NULL, NULL, 0, 0 },
	{ "total-memory", PT_BYTES, PF_RO, NULL, NULL, 0, 0 },
	{ "cpu-count", PT_NUM, PF_RO, NULL, NULL, 0, 0 },
	{ "cpu-load", PT_STR, PF_RO, NULL, NULL, 0, 0 },
	{ "architecture-name", PT_STR, PF_RO, NULL, NULL, 0, 0 },
	{ "board-name", PT_STR, PF_RO, NULL, NULL, 0, 0 },
	{ "platform", PT_STR, PF_RO, NULL, NULL, 0, 0 },
	P_END,
};

static void set_num(const struct wg_menu *m, struct wg_item *it, const char *name, unsigned long long v)
{
	char buf[32];
	snprintf(buf, sizeof(buf), "%llu", v);
	wg_item_set(m, it, name, buf);
}

static void resource_list(struct wg_router *r, struct wg_itemlist *out)
{
	static struct cpu_times prev;
	const struct wg_menu *m = &wg_menu_resource;
	struct wg_item *it = wg_virtual_item(m, 1);
	struct sysinfo si;
	struct utsname u;
	char buf[64];
	sysinfo(&si);
	uname(&u);
	uint64_t up = (uint64_t)time(NULL) - wg_router_started(r);
	wg_item_set(m, it, "uptime", wg_time_format(up * 1000, buf, sizeof(buf)));
	wg_item_set(m, it, "version", WG_ROUTER_VERSION);
	set_num(m, it, "free-memory", (unsigned long long)si.freeram * si.mem_unit);
	set_num(m, it, "total-memory", (unsigned long long)si.totalram * si.mem_unit);
	set_num(m, it, "cpu-count", (unsigned long long)sysconf(_SC_NPROCESSORS_ONLN));
	snprintf(buf, sizeof(buf), "%d%%", cpu_load(-1, &prev));
	wg_item_set(m, it, "cpu-load", buf);
	wg_item_set(m, it, "architecture-name", u.machine);
	wg_item_set(m, it, "board-name", u.nodename);
	wg_item_set(m, it, "platform", "wgrouter");
	wg_itemlist_push(out, it);
}

const struct wg_menu wg_menu_resource = {
	.path = "/system/resource", .flags = MF_SETTINGS | MF_VIRTUAL | MF_NOEXPORT,
	.props = resource_props, .list = resource_list,
};

static const struct wg_prop cpu_props[] = {
	{ "cpu", PT_STR, PF_RO, NULL, NULL, 0, 0 },
	{ "load", PT_STR, PF_RO, NULL, NULL, 0, 0 },
	P_END,
};
static const char *const cpu_cols[] = { "cpu", "load", NULL };

static void cpu_list(struct wg_router *r, struct wg_itemlist *out)
{
	static struct cpu_times prev[256];
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	char buf[16];
	for (long i = 0; i < n && i < 256; i++) {
		struct wg_item *it = wg_virtual_item(&wg_menu_resource_cpu, (uint32_t)i + 1);
		snprintf(buf, sizeof(buf), "cpu%ld", i);
		wg_item_set(&wg_menu_resource_cpu, it, "cpu", buf);
		snprintf(buf, sizeof(buf), "%d%%", cpu_load((int)i, &prev[i]));
		wg_item_set(&wg_menu_resource_cpu, it, "load", buf);
		wg_itemlist_push(out, it);
	}
}

const struct wg_menu wg_menu_resource_cpu = {
	.path = "/system/resource/cpu", .flags = MF_VIRTUAL | MF_NOEXPORT, .props = cpu_props,
	.columns = cpu_cols, .list = cpu_list,
};

/* ---- /interface: every interface of the system ---- */

static const struct wg_prop interface_props[] = {
	{ "name", PT_STR, PF_RO, NULL, NULL, 0, 0 },
	{ "type", PT_STR, PF_RO, NULL, NULL, 0, 0 },
	{ "actual-mtu", PT_NUM, PF_RO, NULL, NULL, 0, 0 },
	{ "mac-address", PT_STR, PF_RO, NULL, NULL, 0, 0 },
	{ "rx-byte", PT_BYTES, PF_RO | PF_NOPRINT, NULL, NULL, 0, 0 },
	{ "tx-byte", PT_BYTES, PF_RO | PF_NOPRINT, NULL, NULL, 0, 0 },
	{ "rx-packet", PT_NUM, PF_RO | PF_NOPRINT, NULL, NULL, 0, 0 },
	{ "tx-packet", PT_NUM, PF_RO | PF_NOPRINT, NULL, NULL, 0, 0 },
	{ "rx-drop", PT_NUM, PF_RO | PF_NOPRINT, NULL, NULL, 0, 0 },
	{ "tx-drop", PT_NUM, PF_RO | PF_NOPRINT, NULL, NULL, 0, 0 },
	{ "rx-error", PT_NUM, PF_RO | PF_NOPRINT, NULL, NULL, 0, 0 },
	{ "tx-error", PT_NUM, PF_RO | PF_NOPRINT, NULL, NULL, 0, 0 },
	{ "running", PT_BOOL, PF_RO | PF_NOPRINT, NULL, NULL, 0, 0 },
	{ "disabled", PT_BOOL, PF_RO | PF_NOPRINT, NULL, NULL, 0, 0 },
	P_END,
};
static const struct wg_flagdef interface_flags[] = {
	{ 'X', "disabled", "disabled" }, { 'R', "running", "running" }, { 0, NULL, NULL },
};
static const char *const interface_cols[] = { "name", "type", "actual-mtu", "mac-address", NULL };
/* print stats, as RouterOS's columns (no tx-queue-drop: Linux has no such counter) */
static const char *const interface_stats_cols[] = { "name", "rx-byte", "tx-byte", "rx-packet", "tx-packet",
						    "rx-drop", "tx-drop", "rx-error", "tx-error", NULL };

static const char *link_type(const struct wg_router *r, const struct wg_nl_link *l)
{
	if (wg_table_by_name(wg_store_ctable(wg_router_store(r), &wg_menu_wireguard), l->name))
		return "wg";
	if (!strcmp(l->kind, "wireguard"))
		return "wg";
	return l->kind[0] ? l->kind : "unknown";
}

static void link_item(struct wg_router *r, const struct wg_nl_link *l, struct wg_itemlist *out)
{
	const struct wg_menu *m = &wg_menu_interface;
	struct wg_item *it = wg_virtual_item(m, (uint32_t)l->ifindex);
	char mac[24];
	wg_item_set(m, it, "name", l->name);
	wg_item_set(m, it, "type", link_type(r, l));
	set_num(m, it, "actual-mtu", l->mtu);
	if (l->has_mac) {
		snprintf(mac, sizeof(mac), "%02X:%02X:%02X:%02X:%02X:%02X", l->mac[0], l->mac[1], l->mac[2],
			 l->mac[3], l->mac[4], l->mac[5]);
		wg_item_set(m, it, "mac-address", mac);
	}
	set_num(m, it, "rx-byte", l->rx_bytes);
	set_num(m, it, "tx-byte", l->tx_bytes);
	set_num(m, it, "rx-packet", l->rx_packets);
	set_num(m, it, "tx-packet", l->tx_packets);
	set_num(m, it, "rx-drop", l->rx_dropped);
	set_num(m, it, "tx-drop", l->tx_dropped);
	set_num(m, it, "rx-error", l->rx_errors);
	set_num(m, it, "tx-error", l->tx_errors);
	wg_item_set(m, it, "running", l->running || (l->up && !strcmp(l->kind, "loopback")) ? "yes" : "no");
	wg_item_set(m, it, "disabled", l->up ? "no" : "yes");
	wg_itemlist_push(out, it);
}

/* A configured WireGuard interface that is not running (disabled, or failed to start)
 * has no link in the system but is still an interface of the router. */
static void missing_wireguard(struct wg_router *r, const struct wg_nl_link *links, size_t n, struct wg_itemlist *out)
{
	const struct wg_menu *m = &wg_menu_interface, *w = &wg_menu_wireguard;
	const struct wg_table *t = wg_store_ctable(wg_router_store(r), w);
	for (size_t i = 0; i < t->n; i++) {
		const char *name = wg_item_get(w, t->v[i], "name");
		bool found = false;
		for (size_t j = 0; j < n && !found; j++)
			found = !strcmp(links[j].name, name);
		if (found)
			continue;
		struct wg_item *it = wg_virtual_item(m, 0x40000000u + t->v[i]->id);
		wg_item_set(m, it, "name", name);
		wg_item_set(m, it, "type", "wg");
		wg_item_set(m, it, "actual-mtu", wg_item_get(w, t->v[i], "mtu"));
		wg_item_set(m, it, "running", "no");
		wg_item_set(m, it, "disabled", wg_item_get(w, t->v[i], "disabled"));
		wg_itemlist_push(out, it);
	}
}

static void interface_list(struct wg_router *r, struct wg_itemlist *out)
{
	const struct wg_nl_link *links;
	size_t n = wg_router_links(r, &links);
	for (size_t i = 0; i < n; i++)
		link_item(r, &links[i], out);
	missing_wireguard(r, links, n, out);
}

const struct wg_menu wg_menu_interface = {
	.path = "/interface", .flags = MF_VIRTUAL | MF_NOEXPORT, .props = interface_props,
	.columns = interface_cols, .flagdefs = interface_flags, .name_prop = "name", .list = interface_list,
	.stats_columns = interface_stats_cols,
};

