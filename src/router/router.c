/* See router.h. The commit path: persist first (a change that cannot be saved is not
 * made), then swap the store, then bring the data plane and the system in line. */
#include "router/router.h"
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "crypto/crypto.h"
#include "router/apply.h"
#include "router/persist.h"
#include "router/auth.h"
#include "router/history.h"
#include "router/events.h"
#include "router/log.h"
#include "router/quota.h"
#include "router/rates.h"
#include "router/traffic.h"
#include "router/menus.h"
#include "router/scripts.h"
#include "router/toolsrt.h"
#include "router/users.h"
#include "util/clock.h"

struct wg_router {
	struct wg_store *st;
	struct wg_router_config cfg;
	char *state_dir;
	struct wg_persist persist;    /* the snapshot's generation and the journal's size */
	struct wg_log *log;
	struct wg_wgrt *wg;
	struct wg_sysrt *sys;
	struct wg_dnsrt *dns;
	struct strvec gnames, gvals;
	struct wg_nl_link *links;
	int nlinks;
	uint64_t links_ms;
	uint64_t started;
	uint64_t last_reconcile_ms;
	struct wg_users_rt *users;
	struct wg_auth_rt *auth;
	struct wg_scripts_rt *scripts;
	bool restart;                 /* /system/reboot asked the daemon to restart */
	struct { wg_watch_fn fn; void *ctx; } watch[8];
	struct wg_hist *hist;
	uint64_t last_sample;
	struct wg_events events;
	struct wg_ratesrt *rates;
	struct wg_toolsrt *tools;     /* the sniffer, netwatch's states */
};

const struct wg_store *wg_router_store(const struct wg_router *r) { return r->st; }
struct wg_log *wg_router_log(struct wg_router *r) { return r->log; }
const char *wg_router_state_dir(const struct wg_router *r) { return r->state_dir; }
uint64_t wg_router_started(const struct wg_router *r) { return r->started; }
size_t wg_router_dns_cache_used(struct wg_router *r) { return wg_dnsrt_cache_used(r->dns); }
struct wg_users_rt *wg_router_users(struct wg_router *r) { return r->users; }
struct wg_auth_rt *wg_router_auth(struct wg_router *r) { return r->auth; }
struct wg_scripts_rt *wg_router_scripts(struct wg_router *r) { return r->scripts; }
struct wg_toolsrt *wg_router_tools(struct wg_router *r) { return r->tools; }
void wg_router_request_restart(struct wg_router *r) { r->restart = true; }
bool wg_router_restart_requested(const struct wg_router *r) { return r->restart; }

struct wg_hist *wg_router_hist(struct wg_router *r) { return r->hist; }
const struct wg_events *wg_router_events(struct wg_router *r) { return &r->events; }
bool wg_router_dns_stats(struct wg_router *r, struct wg_dns_proxy_stats *out) { return wg_dnsrt_stats(r->dns, out); }

uint64_t wg_router_wall(struct wg_router *r)
{
	return r->cfg.wall_s ? r->cfg.wall_s(r->cfg.dp_ctx) : (uint64_t)time(NULL);
}

void wg_router_sample_now(struct wg_router *r)
{
	r->last_sample = wg_router_wall(r);
	wg_traffic_sample(r, r->st, r->last_sample);
	wg_hist_sync(r->hist);
}

uint64_t wg_router_now_ms(struct wg_router *r)
{
	return r->cfg.clock_ms ? r->cfg.clock_ms(r->cfg.dp_ctx) : wg_mono_ms();
}

char *wg_router_files_path(struct wg_router *r, const char *name)
{
	if (!r->state_dir || !name || !*name || name[0] == '.' || strchr(name, '/'))
		return NULL;
	char *dir = xasprintf("%s/files", r->state_dir);
	if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
		free(dir);
		return NULL;
	}
	char *path = xasprintf("%s/%s", dir, name);
	free(dir);
	return path;
}

const struct wg_sys_ops *wg_router_sys(struct wg_router *r, void **ctx)
{
	*ctx = r->cfg.sys_ctx;
	return r->cfg.sys;
}

/* ---- logging through /system/logging ---- */

static bool rule_takes(const struct wg_menu *m, const struct wg_item *it, const char *topics, const char *action)
{
	return !wg_item_flag(m, it, "disabled") && streq(wg_item_get(m, it, "action"), action) &&
	       wg_log_rule_matches(wg_item_get(m, it, "topics"), topics);
}

/* The rules of the configuration plus RouterOS's defaults (info, error, warning to
 * memory); a message is stored once however many rules take it. */
static void route_message(struct wg_router *r, const char *topics, const char *text)
{
	static const char *const defaults[] = { "info", "error", "warning", "critical" };
	const struct wg_table *t = wg_store_ctable(r->st, &wg_menu_logging);
	bool memory = false, echo = false;
	for (size_t i = 0; i < 4; i++)
		memory |= wg_log_rule_matches(defaults[i], topics);
	for (size_t i = 0; i < t->n; i++) {
		memory |= rule_takes(&wg_menu_logging, t->v[i], topics, "memory");
		echo |= rule_takes(&wg_menu_logging, t->v[i], topics, "echo");
	}
	if (memory)
		wg_log_append(r->log, topics, text);
	if (echo)
		fprintf(stderr, "%s %s\n", topics, text);
}

void wg_router_logf(struct wg_router *r, const char *topics, const char *fmt, ...)
{
	char text[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	route_message(r, topics, text);
}

static const char *peer_name(struct wg_router *r, const char *ifname, const uint8_t pub[32])
{
	char b64[WG_KEY_B64_LEN + 1];
	const struct wg_table *t = wg_store_ctable(r->st, &wg_menu_peers);
	wg_key_to_base64(b64, pub);
	for (size_t i = 0; i < t->n; i++)
		if (streq(wg_item_get(&wg_menu_peers, t->v[i], "interface"), ifname) &&
		    streq(wg_item_get(&wg_menu_peers, t->v[i], "public-key"), b64))
			return wg_item_get(&wg_menu_peers, t->v[i], "name");
	return NULL;
}

static void drain_one(void *ctx, const struct wg_log_raw *raw)
{
	struct wg_router *r = ctx;
	const char *topics, *name = raw->has_peer ? peer_name(r, raw->ifname, raw->peer_pub) : NULL;
	char text[400];
	wg_events_count(&r->events, raw);
	wg_log_map(raw, &topics, text, sizeof(text));
	if (name)
		wg_router_logf(r, topics, "%s: [%s] %s", raw->ifname, name, text);
	else
		wg_router_logf(r, topics, "%s: %s", raw->ifname, text);
}

/* ---- system interfaces ---- */

size_t wg_router_links(struct wg_router *r, const struct wg_nl_link **out)
{
	if (!r->cfg.sys || !r->cfg.sys->link_list) {
		*out = NULL;
		return 0;
	}
	if (!r->links_ms || wg_mono_ms() - r->links_ms > 1000) {
		free(r->links);
		r->links = NULL;
		r->nlinks = r->cfg.sys->link_list(r->cfg.sys_ctx, &r->links);
		if (r->nlinks < 0)
			r->nlinks = 0;
		r->links_ms = wg_mono_ms();
	}
	*out = r->links;
	return (size_t)r->nlinks;
}

bool wg_router_iface_exists(struct wg_router *r, const struct wg_store *st, const char *name)
{
	const struct wg_nl_link *links;
	size_t n = wg_router_links(r, &links);
	if (!name)
		return false;
	if (wg_table_by_name(wg_store_ctable(st, &wg_menu_wireguard), name))
		return true;
	for (size_t i = 0; i < n; i++)
		if (!strcmp(links[i].name, name))
			return true;
	return false;
}

bool wg_router_wg_running(struct wg_router *r, uint32_t iface_id)
{
	return wg_wgrt_running(r->wg, iface_id);
}

void wg_router_status_expire(struct wg_router *r)
{
	wg_wgrt_status_expire(r->wg);
}

void wg_router_peer_status(struct wg_router *r, const struct wg_item *peer, struct wg_peer_status *out)
{
	wg_wgrt_peer_status(r->wg, r->st, peer, out);
}

bool wg_router_applied(struct wg_router *r, const struct wg_menu *m, uint32_t id)
{
	return wg_sysrt_applied(r->sys, m, id);
}

bool wg_router_fw_counter(struct wg_router *r, const struct wg_menu *m, uint32_t id, uint64_t *bytes, uint64_t *packets)
{
	enum wg_fw_family f;
	enum wg_fw_table t;
	return wg_fw_menu_kind(m, &f, &t) && wg_sysrt_counter(r->sys, f, t, id, bytes, packets);
}

static void reset_peers(struct wg_router *r, const uint32_t *ids, size_t n)
{
	const struct wg_table *t = wg_store_ctable(r->st, &wg_menu_peers);
	for (size_t i = 0; i < n; i++) {
		const struct wg_item *p = wg_table_by_id(t, ids[i]);
		struct wg_peer_status s = { 0 };
		if (p)
			wg_router_peer_status(r, p, &s);
		wg_hist_reset(r->hist, WG_HIST_PEER, ids[i], s.known, s.rx, s.tx);
	}
}

void wg_router_reset_counters(struct wg_router *r, const struct wg_menu *m, const uint32_t *ids, size_t n)
{
	enum wg_fw_family f;
	enum wg_fw_table t;
	if (m == &wg_menu_peers)
		reset_peers(r, ids, n);
	else if (wg_fw_menu_kind(m, &f, &t))
		wg_sysrt_reset_counters(r->sys, r, r->st, f, t, ids, n);
}

/* A UDP port nobody here uses: not configured on another interface and bindable now. */
static bool port_free(uint16_t port)
{
	int fd = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	bool ok = false;
	if (fd >= 0) {
		struct sockaddr_in6 a = { .sin6_family = AF_INET6, .sin6_port = htons(port) };
		ok = bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0;
		close(fd);
		return ok;
	}
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return true;
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
	ok = bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0;
	close(fd);
	return ok;
}

static bool port_configured(const struct wg_store *st, uint16_t port)
{
	const struct wg_table *t = wg_store_ctable(st, &wg_menu_wireguard);
	for (size_t i = 0; i < t->n; i++)
		if (atoi(wg_item_get(&wg_menu_wireguard, t->v[i], "listen-port") ?: "0") == port)
			return true;
	return false;
}

uint16_t wg_router_pick_port(struct wg_router *r, const struct wg_store *st)
{
	uint16_t port = 0;
	for (int tries = 0; tries < 200; tries++) {
		uint32_t rnd;
		if (r->cfg.pick_port) {
			port = r->cfg.pick_port(r->cfg.dp_ctx);
		} else {
			wg_os_random(&rnd, sizeof(rnd));
			port = (uint16_t)(10000 + rnd % 50000);
		}
		if (!port_configured(st, port) && (r->cfg.pick_port || port_free(port)))
			return port;
	}
	return port;
}

/* ---- globals ---- */

static int global_index(struct wg_router *r, const char *name)
{
	for (size_t i = 0; i < r->gnames.n; i++)
		if (!strcmp(r->gnames.v[i], name))
			return (int)i;
	return -1;
}

const char *wg_router_global(struct wg_router *r, const char *name)
{
	int i = global_index(r, name);
	return i < 0 ? NULL : r->gvals.v[i];
}

bool wg_router_has_global(struct wg_router *r, const char *name)
{
	return global_index(r, name) >= 0;
}

void wg_router_set_global(struct wg_router *r, const char *name, const char *val)
{
	int i = global_index(r, name);
	if (i >= 0) {
		xset(&r->gvals.v[i], val ? val : "");
		return;
	}
	sv_push(&r->gnames, name);
	sv_push(&r->gvals, val ? val : "");
}

/* ---- lifecycle and commits ---- */

static bool firewall_changed(const struct wg_store *a, const struct wg_store *b)
{
	const struct wg_menu *ms[] = {
		&wg_menu_fw_filter, &wg_menu_fw_nat, &wg_menu_fw6_filter, &wg_menu_fw6_nat, &wg_menu_fw_addrlist,
		&wg_menu_fw6_addrlist, &wg_menu_iflist, &wg_menu_iflist_member, &wg_menu_fw_mangle,
		&wg_menu_fw6_mangle, &wg_menu_fw_raw, &wg_menu_fw6_raw,
		&wg_menu_routing_table, /* mark-routing names a table, the mark is its id */
	};
	for (size_t i = 0; i < sizeof(ms) / sizeof(ms[0]); i++)
		if (!a || wg_store_table_differs(a, b, ms[i]))
			return true;
	return false;
}

static bool dns_changed(const struct wg_store *a, const struct wg_store *b)
{
	return !a || wg_store_table_differs(a, b, &wg_menu_ip_dns) || wg_store_table_differs(a, b, &wg_menu_ip_dns_static);
}

static unsigned watched_changes(const struct wg_store *a, const struct wg_store *b)
{
	unsigned what = 0;
	if (wg_store_table_differs(a, b, &wg_menu_ip_service) || wg_store_table_differs(a, b, &wg_menu_metrics))
		what |= WG_WATCH_SERVICES;
	if (wg_store_table_differs(a, b, &wg_menu_certificate))
		what |= WG_WATCH_CERTS;
	if (wg_store_table_differs(a, b, &wg_menu_user) || wg_store_table_differs(a, b, &wg_menu_user_group))
		what |= WG_WATCH_USERS;
	if (wg_store_table_differs(a, b, &wg_menu_btest_server))
		what |= WG_WATCH_BTEST;
	return what;
}

int wg_router_watch(struct wg_router *r, wg_watch_fn fn, void *ctx)
{
	for (size_t i = 0; i < sizeof(r->watch) / sizeof(r->watch[0]); i++) {
		if (!r->watch[i].fn) {
			r->watch[i].fn = fn;
			r->watch[i].ctx = ctx;
			return 0;
		}
	}
	return -1;
}

void wg_router_unwatch(struct wg_router *r, wg_watch_fn fn, void *ctx)
{
	for (size_t i = 0; i < sizeof(r->watch) / sizeof(r->watch[0]); i++)
		if (r->watch[i].fn == fn && r->watch[i].ctx == ctx)
			r->watch[i].fn = NULL;
}

static void tell_watchers(struct wg_router *r, const struct wg_store *prev)
{
	unsigned what = watched_changes(prev, r->st);
	for (size_t i = 0; what && i < sizeof(r->watch) / sizeof(r->watch[0]); i++)
		if (r->watch[i].fn)
			r->watch[i].fn(r->watch[i].ctx, r, what);
}

static void apply(struct wg_router *r, const struct wg_store *prev)
{
	wg_wgrt_apply(r->wg, r, prev, r->st);
	r->links_ms = 0; /* interfaces may have come or gone */
	/* an interface started, stopped or re-created has lost its addresses and routes:
	 * only then is the kernel asked what it has (the periodic pass asks anyway) */
	bool full = !prev || wg_store_table_differs(prev, r->st, &wg_menu_wireguard);
	wg_sysrt_apply(r->sys, r, r->st, firewall_changed(prev, r->st), true, full);
	if (full)
		r->last_reconcile_ms = wg_mono_ms();
	if (dns_changed(prev, r->st))
		wg_dnsrt_apply(r->dns, r, r->st);
	wg_clock_apply(r, r->st);
	wg_ratesrt_apply(r->rates, r, r->st);
}

static struct wg_hist *open_history(struct wg_router *r)
{
	char note[512];
	char *path = r->state_dir ? xasprintf("%s/history.bin", r->state_dir) : NULL;
	struct wg_hist *h = wg_hist_open(path, note, sizeof(note));
	if (note[0])
		wg_router_logf(r, "system,error", "%s", note);
	free(path);
	return h;
}

struct wg_router *wg_router_new(const struct wg_router_config *cfg, char *err, size_t errlen)
{
	struct wg_router *r = xcalloc(1, sizeof(*r));
	r->cfg = *cfg;
	r->state_dir = xstrdup(cfg->state_dir);
	r->cfg.state_dir = r->state_dir;
	r->log = wg_log_new(1000);
	r->started = (uint64_t)time(NULL);
	r->users = wg_users_rt_new();
	r->auth = wg_auth_rt_new();
	r->scripts = wg_scripts_rt_new();
	r->tools = wg_toolsrt_new();
	if (r->state_dir && wg_persist_load_state(r->state_dir, &r->st, &r->persist, err, errlen) < 0) {
		wg_users_rt_free(r->users);
		wg_auth_rt_free(r->auth);
		wg_scripts_rt_free(r->scripts);
		wg_toolsrt_free(r->tools);
		wg_log_free(r->log);
		free(r->state_dir);
		free(r);
		return NULL;
	}
	if (!r->st)
		r->st = wg_store_new();
	r->hist = open_history(r);
	r->rates = wg_ratesrt_new();
	r->wg = wg_wgrt_new(cfg->dp, cfg->dp_ctx, r->log, cfg->clock_ms);
	r->sys = wg_sysrt_new(cfg->sys, cfg->sys_ctx);
	r->dns = wg_dnsrt_new(cfg->dns_port);
	wg_router_logf(r, "system,info", "router started");
	apply(r, NULL);
	return r;
}

void wg_router_free(struct wg_router *r)
{
	if (!r)
		return;
	wg_router_sample_now(r); /* a stop loses no traffic */
	wg_hist_close(r->hist);
	wg_ratesrt_free(r->rates, r);
	wg_dnsrt_free(r->dns);
	wg_wgrt_free(r->wg);
	wg_sysrt_free(r->sys);
	wg_store_free(r->st);
	wg_log_free(r->log);
	wg_users_rt_free(r->users);
	wg_auth_rt_free(r->auth);
	wg_scripts_rt_free(r->scripts);
	wg_toolsrt_free(r->tools);
	sv_free(&r->gnames);
	sv_free(&r->gvals);
	free(r->links);
	free(r->state_dir);
	free(r);
}

int wg_router_commit(struct wg_router *r, struct wg_store *next, char *err, size_t errlen)
{
	if (r->state_dir && wg_persist_commit(r->state_dir, &r->persist, r->st, next, err, errlen) < 0) {
		wg_store_free(next);
		return -1;
	}
	struct wg_store *prev = r->st;
	r->st = next;
	apply(r, prev);
	tell_watchers(r, prev);
	wg_store_free(prev);
	return 0;
}

void wg_router_flush_log(struct wg_router *r)
{
	wg_log_drain(r->log, drain_one, r);
}

void wg_router_tick(struct wg_router *r)
{
	wg_router_flush_log(r);
	wg_wgrt_tick(r->wg, r, r->st);
	wg_dnsrt_tick(r->dns, r, r->st);
	uint64_t wall = wg_router_wall(r);
	if (wall < r->last_sample || wall - r->last_sample >= (r->cfg.sample_s ? r->cfg.sample_s : 10)) {
		r->last_sample = wall;
		wg_traffic_sample(r, r->st, wall);
	}
	wg_quota_tick(r);
	if (wg_mono_ms() - r->last_reconcile_ms >= 5000) {
		r->links_ms = 0;
		wg_sysrt_apply(r->sys, r, r->st, false, false, true);
		r->last_reconcile_ms = wg_mono_ms();
	}
}
