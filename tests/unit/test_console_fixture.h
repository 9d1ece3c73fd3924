/* Shared by the console/router unit tests: a router with a recording backend (no data
 * plane, no system changes) and a console session whose output is captured. Every
 * data plane UAPI request and every system call is appended to a log the tests read. */
#ifndef TEST_CONSOLE_FIXTURE_H
#define TEST_CONSOLE_FIXTURE_H
#pragma GCC diagnostic ignored "-Wunused-function" /* each test uses a subset */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <fcntl.h>
#include <time.h>
#include "console/console.h"
#include "router/router.h"
#include "util/alloc.h"
#include "util/sbuf.h"
#include "crypto/crypto.h"

struct fx_dp { char name[32]; int mtu; bool up; };

struct fx {
	struct wg_router *r;
	struct wg_session *s;
	struct sbuf out, err, calls;   /* last run's stdout/stderr; every backend call */
	struct wg_nl_addr addrs[64];
	int naddrs;
	struct wg_nl_route routes[64];
	int nroutes;
	struct wg_nl_rule rules[16];
	int nrules;
	char running[8][16];
	int nrunning;
	uint16_t next_port;
	char state_dir[64];
	uint64_t now_ms;               /* the router's clock: tests move it */
	uint64_t wall_s;               /* its wall clock (unix s); 0: time() */
	char *get_reply;               /* what UAPI get answers (peer counters); NULL: no peers */
	wg_dp_log_fn log;              /* the data plane log sink of the last start */
	void *log_ctx;
};

static struct fx *fx_cur;
/* The port the router's DNS server takes when /ip/dns allow-remote-requests=yes; 0 (the
 * default): none, so tests never take port 53. */
static uint16_t fx_dns_port;

static void *fx_dp_start(void *ctx, const char *ifname, int mtu, wg_dp_log_fn log, void *lc, int *err)
{
	struct fx *f = ctx;
	struct fx_dp *d = calloc(1, sizeof(*d));
	snprintf(d->name, sizeof(d->name), "%s", ifname);
	d->mtu = mtu;
	f->log = log;
	f->log_ctx = lc;
	sb_printf(&f->calls, "start %s mtu=%d\n", ifname, mtu);
	if (f->nrunning < 8)
		snprintf(f->running[f->nrunning++], 16, "%s", ifname);
	return d;
}

static void fx_dp_stop(void *ctx, void *dp)
{
	struct fx *f = ctx;
	struct fx_dp *d = dp;
	sb_printf(&f->calls, "stop %s\n", d->name);
	for (int i = 0; i < f->nrunning; i++)
		if (!strcmp(f->running[i], d->name))
			memmove(f->running[i], f->running[--f->nrunning], 16);
	free(d);
}

static int fx_dp_uapi(void *ctx, void *dp, const char *req, char **reply)
{
	struct fx *f = ctx;
	struct fx_dp *d = dp;
	if (!strncmp(req, "get=1", 5)) {
		if (reply)
			*reply = xstrdup(f->get_reply ? f->get_reply : "errno=0\n\n");
		return 0;
	}
	sb_printf(&f->calls, "uapi %s\n%s", d->name, req);
	return 0;
}

static int fx_dp_mtu(void *ctx, void *dp, int mtu)
{
	struct fx *f = ctx;
	sb_printf(&f->calls, "mtu %s %d\n", ((struct fx_dp *)dp)->name, mtu);
	return 0;
}

static int fx_dp_up(void *ctx, void *dp, bool up) { return 0; }

/* Host names resolve from a table the test can change (dynamic DNS); nothing leaves
 * the machine. */
static char fx_dns_name[64] = "vpn.example.com", fx_dns_addr[64] = "192.0.2.10";

static int fx_resolve(void *ctx, const char *host, const char *port, char *out, size_t len)
{
	if (strcmp(host, fx_dns_name) && strcmp(host, "localhost"))
		return -1;
	snprintf(out, len, "%s:%s", strcmp(host, "localhost") ? fx_dns_addr : "127.0.0.1", port);
	return 0;
}

static const struct wg_dp_ops fx_dp_ops = {
	.start = fx_dp_start, .stop = fx_dp_stop, .uapi = fx_dp_uapi, .set_mtu = fx_dp_mtu, .set_up = fx_dp_up,
	.resolve = fx_resolve,
};

static int fx_links(void *ctx, struct wg_nl_link **out)
{
	struct fx *f = ctx;
	static const char *const fixed[] = { "lo", "ether1", "bridge-trunk" };
	int n = 3 + f->nrunning;
	*out = calloc((size_t)n, sizeof(**out));
	for (int i = 0; i < n; i++) {
		struct wg_nl_link *l = &(*out)[i];
		l->ifindex = i + 1;
		snprintf(l->name, sizeof(l->name), "%s", i < 3 ? fixed[i] : f->running[i - 3]);
		snprintf(l->kind, sizeof(l->kind), "%s", i == 0 ? "loopback" : i < 3 ? "ether" : "tun");
		l->mtu = 1500;
		l->up = l->running = true;
	}
	(*out)[1].rx_bytes = 50507925242ULL; /* ether1 has carried traffic: print stats */
	(*out)[1].tx_bytes = 1234567;
	(*out)[1].rx_packets = 40123456;
	(*out)[1].tx_packets = 999;
	(*out)[1].rx_dropped = 3;
	(*out)[1].rx_errors = 1000;
	return n;
}

static bool fx_iface_known(struct fx *f, const char *name)
{
	if (!strcmp(name, "lo") || !strcmp(name, "ether1") || !strcmp(name, "bridge-trunk"))
		return true;
	for (int i = 0; i < f->nrunning; i++)
		if (!strcmp(f->running[i], name))
			return true;
	return false;
}

static int fx_addr_add(void *ctx, const char *ifname, const struct wg_prefix *p)
{
	struct fx *f = ctx;
	char buf[WG_PREFIX_STRLEN];
	if (!fx_iface_known(f, ifname))
		return -ENODEV;
	sb_printf(&f->calls, "addr add %s %s\n", ifname, wg_prefix_format(p, false, buf));
	if (f->naddrs < 64) {
		struct wg_nl_addr *a = &f->addrs[f->naddrs++];
		memset(a, 0, sizeof(*a));
		snprintf(a->ifname, sizeof(a->ifname), "%s", ifname);
		a->prefix = *p;
	}
	return 0;
}

static int fx_addr_del(void *ctx, const char *ifname, const struct wg_prefix *p)
{
	struct fx *f = ctx;
	char buf[WG_PREFIX_STRLEN];
	sb_printf(&f->calls, "addr del %s %s\n", ifname, wg_prefix_format(p, false, buf));
	for (int i = 0; i < f->naddrs; i++)
		if (!strcmp(f->addrs[i].ifname, ifname) && wg_prefix_eq(&f->addrs[i].prefix, p))
			f->addrs[i--] = f->addrs[--f->naddrs];
	return 0;
}

static int fx_addr_list(void *ctx, int family, struct wg_nl_addr **out)
{
	struct fx *f = ctx;
	int n = 0;
	*out = calloc((size_t)f->naddrs + 1, sizeof(**out));
	for (int i = 0; i < f->naddrs; i++)
		if (family == AF_UNSPEC || f->addrs[i].prefix.family == family)
			(*out)[n++] = f->addrs[i];
	return n;
}

static int fx_route_add(void *ctx, const struct wg_nl_route *r)
{
	struct fx *f = ctx;
	char buf[WG_PREFIX_STRLEN];
	if (r->oif[0] && !fx_iface_known(f, r->oif))
		return -ENODEV;
	sb_printf(&f->calls, "route add %s dev %s proto %d table %u\n", wg_prefix_format(&r->dst, false, buf),
		  r->oif[0] ? r->oif : "-", r->protocol, r->table);
	if (f->nroutes < 64)
		f->routes[f->nroutes++] = *r;
	return 0;
}

static int fx_route_del(void *ctx, const struct wg_nl_route *r)
{
	struct fx *f = ctx;
	char buf[WG_PREFIX_STRLEN];
	sb_printf(&f->calls, "route del %s\n", wg_prefix_format(&r->dst, false, buf));
	for (int i = 0; i < f->nroutes; i++)
		if (wg_prefix_eq(&f->routes[i].dst, &r->dst) && f->routes[i].table == r->table)
			f->routes[i--] = f->routes[--f->nroutes];
	return 0;
}

static int fx_route_list(void *ctx, int family, struct wg_nl_route **out)
{
	struct fx *f = ctx;
	int n = 0;
	*out = calloc((size_t)f->nroutes + 1, sizeof(**out));
	for (int i = 0; i < f->nroutes; i++)
		if (family == AF_UNSPEC || f->routes[i].dst.family == family)
			(*out)[n++] = f->routes[i];
	return n;
}

static int fx_rule_add(void *ctx, const struct wg_nl_rule *r)
{
	struct fx *f = ctx;
	sb_printf(&f->calls, "rule add fwmark %u table %u pref %u\n", r->fwmark, r->table, r->priority);
	if (f->nrules < 16)
		f->rules[f->nrules++] = *r;
	return 0;
}

static int fx_rule_del(void *ctx, const struct wg_nl_rule *r)
{
	struct fx *f = ctx;
	sb_printf(&f->calls, "rule del fwmark %u table %u\n", r->fwmark, r->table);
	for (int i = 0; i < f->nrules; i++)
		if (f->rules[i].fwmark == r->fwmark && f->rules[i].table == r->table)
			f->rules[i--] = f->rules[--f->nrules];
	return 0;
}

static int fx_rule_list(void *ctx, int family, struct wg_nl_rule **out)
{
	struct fx *f = ctx;
	*out = calloc((size_t)f->nrules + 1, sizeof(**out));
	memcpy(*out, f->rules, (size_t)f->nrules * sizeof(**out));
	return f->nrules;
}

static int fx_fw_check(void *ctx, enum wg_fw_family fam, enum wg_fw_table tbl, const struct wg_fw_rule *rule,
		       char *err, size_t len)
{
	return wg_nft_rule_check(fam, tbl, rule, err, len);
}

static int fx_rates_apply(void *ctx, const struct wg_rate_peer *v, size_t n, char *err, size_t len)
{
	struct fx *f = ctx;
	sb_printf(&f->calls, "rates n=%zu", n);
	for (size_t i = 0; i < n; i++) {
		sb_printf(&f->calls, " %s:*%X:%llu/%llu:", v[i].ifname, v[i].id, (unsigned long long)v[i].rx_bps,
			  (unsigned long long)v[i].tx_bps);
		for (size_t k = 0; k < v[i].nprefixes; k++)
			sb_printf(&f->calls, "%s%s", k ? "," : "", v[i].prefixes[k]);
	}
	sb_printf(&f->calls, "\n");
	return 0;
}

static int fx_fw_apply(void *ctx, const struct wg_fw_config *cfg, int flags, char *err, size_t len)
{
	struct fx *f = ctx;
	sb_printf(&f->calls, "fw apply filter=%zu nat=%zu mangle=%zu lists=%zu", cfg->nrules[WG_FW_IP][WG_FW_FILTER],
		  cfg->nrules[WG_FW_IP][WG_FW_NAT], cfg->nrules[WG_FW_IP][WG_FW_MANGLE], cfg->nif_lists);
	for (size_t i = 0; i < cfg->nroute_marks; i++)
		sb_printf(&f->calls, " %s=%u", cfg->route_marks[i].name, cfg->route_marks[i].mark);
	sb_printf(&f->calls, "\n");
	/* The real compiler judges the configuration, as the real backend would. */
	char *script = NULL;
	int rc = wg_nft_compile(cfg, &script, err, len);
	free(script);
	return rc;
}

static const struct wg_sys_ops fx_sys_ops = {
	.link_list = fx_links, .addr_add = fx_addr_add, .addr_del = fx_addr_del, .addr_list = fx_addr_list,
	.route_add = fx_route_add, .route_del = fx_route_del, .route_list = fx_route_list,
	.rule_add = fx_rule_add, .rule_del = fx_rule_del, .rule_list = fx_rule_list,
	.fw_check = fx_fw_check, .fw_apply = fx_fw_apply, .rates_apply = fx_rates_apply,
};

static uint16_t fx_port(void *ctx)
{
	return ((struct fx *)ctx)->next_port++;
}

static uint64_t fx_clock(void *ctx)
{
	return ((struct fx *)ctx)->now_ms;
}

static uint64_t fx_wall(void *ctx)
{
	struct fx *f = ctx;
	return f->wall_s ? f->wall_s : (uint64_t)time(NULL);
}

static void fx_out(void *ctx, int stream, const char *text, size_t len)
{
	struct fx *f = ctx;
	sb_addn(stream == 2 ? &f->err : &f->out, text, len);
}

/* A router over the recording backend; state_dir NULL: no persistence. */
static struct fx *fx_new_dir(const char *state_dir)
{
	struct fx *f = calloc(1, sizeof(*f));
	char err[256];
	f->next_port = 40000;
	f->now_ms = 1000000;
	struct wg_router_config cfg = { .state_dir = state_dir, .dp = &fx_dp_ops, .dp_ctx = f,
					.sys = &fx_sys_ops, .sys_ctx = f, .pick_port = fx_port,
					.clock_ms = fx_clock, .dns_port = fx_dns_port, .wall_s = fx_wall };
	f->r = wg_router_new(&cfg, err, sizeof(err));
	if (!f->r)
		printf("  fixture: %s\n", err);
	f->s = wg_session_new(f->r, fx_out, f);
	fx_cur = f;
	return f;
}

static struct fx *fx_new(void) { return fx_new_dir(NULL); }

static void fx_free(struct fx *f)
{
	wg_session_free(f->s);
	wg_router_free(f->r);
	sb_free(&f->out);
	sb_free(&f->err);
	sb_free(&f->calls);
	free(f->get_reply);
	free(f);
}

/* The data plane reports one peer (public key in base64) with these counters and
 * handshake time from its UAPI get; the router's one-second cache of get is passed. */
static void fx_peer_counters(struct fx *f, const char *pub, uint64_t rx, uint64_t tx, uint64_t handshake)
{
	uint8_t k[32];
	char hex[65];
	wg_key_from_base64(k, pub);
	for (int i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", k[i]);
	free(f->get_reply);
	f->get_reply = xasprintf("public_key=%s\nrx_bytes=%llu\ntx_bytes=%llu\nlast_handshake_time_sec=%llu\n"
				 "last_handshake_time_nsec=0\nerrno=0\n\n", hex, (unsigned long long)rx,
				 (unsigned long long)tx, (unsigned long long)handshake);
	f->now_ms += 2000;
}

/* Runs a script; stdout/stderr of this run in f->out / f->err. */
static int fx_run(struct fx *f, const char *script)
{
	sb_reset(&f->out);
	sb_reset(&f->err);
	int rc = wg_session_run(f->s, script);
	if (getenv("FX_VERBOSE"))
		printf("  >> %s\n%s%s", script, sb_str(&f->out), sb_str(&f->err));
	return rc;
}

static const char *fx_run_out(struct fx *f, const char *script)
{
	fx_run(f, script);
	return sb_str(&f->out);
}

static const char *fx_last(struct fx *f) { return sb_str(&f->out); }
static const char *fx_err(struct fx *f) { return sb_str(&f->err); }

/* /export without the date line, for comparisons. */
static char *fx_export(struct fx *f, const char *args)
{
	char *cmd = xasprintf("/export %s", args ? args : "");
	fx_run(f, cmd);
	free(cmd);
	const char *t = sb_str(&f->out);
	const char *nl = strchr(t, '\n');
	return xstrdup(nl ? nl + 1 : t);
}

/* The export with wrapped lines joined again, for matching whole commands. */
static char *fx_export_flat(struct fx *f, const char *args)
{
	char *t = fx_export(f, args);
	struct sbuf b;
	sb_init(&b);
	for (const char *p = t; *p; p++) {
		if (!strncmp(p, " \\\n    ", 7)) {
			sb_addc(&b, ' ');
			p += 6;
		} else {
			sb_addc(&b, *p);
		}
	}
	free(t);
	return sb_take(&b);
}

/* A whole text file ("" when it cannot be read). */
static char *fx_read_text(const char *path)
{
	FILE *f = fopen(path, "r");
	char *t = f ? sb_read_stream(f) : xstrdup("");
	if (f)
		fclose(f);
	return t;
}

/* What a router saved in dir: the snapshot followed by the journal of later commits. */
static char *fx_saved(const char *dir)
{
	struct sbuf b;
	sb_init(&b);
	const char *names[] = { "config.state", "config.journal" };
	for (size_t i = 0; i < 2; i++) {
		char *path = xasprintf("%s/%s", dir, names[i]);
		FILE *f = fopen(path, "r");
		char *t = f ? sb_read_stream(f) : NULL;
		if (f)
			fclose(f);
		if (t)
			sb_add(&b, t);
		free(t);
		free(path);
	}
	return sb_take(&b);
}

/* A fresh state directory /tmp/wgr-TAG-XXXXXX (NULL when it cannot be made), and its
 * removal with everything in it (0 when done). */
static char *fx_tmpdir(const char *tag)
{
	char *d = xasprintf("/tmp/wgr-%s-XXXXXX", tag);
	if (!mkdtemp(d)) {
		free(d);
		return NULL;
	}
	return d;
}

static int fx_rmdir_all(const char *d)
{
	char *cmd = xasprintf("rm -rf '%s'", d);
	int rc = system(cmd);
	free(cmd);
	return rc;
}

/* A fresh key pair (base64). */
static void fx_keypair(char priv[45], char pub[45])
{
	uint8_t k[32], p[32];
	wg_generate_private_key(k);
	wg_x25519_public(p, k);
	wg_key_to_base64(priv, k);
	wg_key_to_base64(pub, p);
}
#endif
