/* /tool/torch: the traffic of one interface per flow, grouped by the properties given as
 * RouterOS does (src-address=0.0.0.0/0 groups by source, port=any by ports, ...; none:
 * only the totals), a table every freeze-frame-interval until Ctrl-C or duration=.
 * The capture runs in the engine's thread (src/tools/torch.c); this thread only waits
 * with the router released and prints. Without duration= it runs until Ctrl-C, or in a
 * script nobody watches (stdin, the scheduler) for one table. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "console/exec.h"
#include "console/toolargs.h"
#include "sys/prefix.h"
#include "tools/pkt.h"
#include "tools/torch.h"

struct torch_args {
	char ifname[64];
	struct wg_torch_filter f;
	uint64_t duration_ms;        /* 0: until Ctrl-C */
	uint64_t frame_ms;
};

/* src-address=10.0.0.0/8 (filter and group), 0.0.0.0/0 (group only). */
static int parse_net(struct wg_call *c, struct wg_args *a, const char *name, const char *name6, unsigned by,
		     struct torch_args *t, struct wg_torch_net *n)
{
	const char *v = wg_arg_value(a, name), *v6 = wg_arg_value(a, name6);
	if (!v && !v6)
		return 0;
	struct wg_prefix p;
	if ((v && v6) || wg_prefix_parse(&p, v ? v : v6) < 0 || (v6 && p.family != AF_INET6))
		return wg_err(c->s, "invalid value for argument %s", v ? name : name6);
	n->family = p.family;
	memcpy(n->addr, p.addr, 16);
	n->len = p.len;
	t->f.by |= by;
	return 0;
}

static int parse_eth(struct wg_call *c, const char *v, struct torch_args *t)
{
	static const struct { const char *name; int eth; } names[] = { { "ip", 0x0800 }, { "ipv6", 0x86dd },
								       { "arp", 0x0806 }, { "any", 0 } };
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(v, names[i].name)) {
			t->f.eth = names[i].eth;
			t->f.by |= WG_TORCH_BY_ETH;
			return 0;
		}
	char *end;
	long e = strtol(v, &end, 16);
	if (!*v || *end || e <= 0 || e > 0xffff)
		return wg_err(c->s, "invalid value for argument protocol");
	t->f.eth = (int)e;
	t->f.by |= WG_TORCH_BY_ETH;
	return 0;
}

static int parse_matchers(struct wg_call *c, struct wg_args *a, struct torch_args *t)
{
	const char *v;
	t->f.port = t->f.ip_proto = -1;
	if (parse_net(c, a, "src-address", "src-address6", WG_TORCH_BY_SRC, t, &t->f.src) < 0 ||
	    parse_net(c, a, "dst-address", "dst-address6", WG_TORCH_BY_DST, t, &t->f.dst) < 0)
		return -1;
	if ((v = wg_arg_value(a, "port"))) {
		long port = -1;
		char *end;
		if (strcmp(v, "any") && ((port = strtol(v, &end, 10)) < 0 || port > 65535 || !*v || *end))
			return wg_err(c->s, "invalid value for argument port");
		t->f.port = (int)port;
		t->f.by |= WG_TORCH_BY_PORT;
	}
	if ((v = wg_arg_value(a, "ip-protocol"))) {
		if (strcmp(v, "any") && (t->f.ip_proto = wg_ip_proto_parse(v)) < 0)
			return wg_err(c->s, "invalid value for argument ip-protocol");
		t->f.by |= WG_TORCH_BY_PROTO;
	}
	if ((v = wg_arg_value(a, "protocol")) || (v = wg_arg_value(a, "mac-protocol")))
		return parse_eth(c, v, t);
	return 0;
}

static int parse_torch(struct wg_call *c, struct wg_args *a, struct torch_args *t)
{
	const char *ifn = wg_arg_value(a, "interface");
	struct wg_arg *u = ifn ? NULL : wg_arg_unnamed(a);
	if (u)
		ifn = u->value;
	t->frame_ms = 1000;
	if (parse_matchers(c, a, t) < 0 || wg_tool_time(c, a, "duration", 86400000, &t->duration_ms) < 0 ||
	    wg_tool_time(c, a, "freeze-frame-interval", 60000, &t->frame_ms) < 0 || wg_args_done(c, a) < 0)
		return -1;
	if (!ifn)
		return wg_err(c->s, "missing value(s) of argument(s) interface");
	if (strlen(ifn) >= 16 || !*ifn)
		return wg_err(c->s, "invalid value for argument interface");
	snprintf(t->ifname, sizeof(t->ifname), "%s", ifn);
	if (t->frame_ms < 100)
		t->frame_ms = 100;
	if (!t->duration_ms && c->s->batch)
		t->duration_ms = t->frame_ms; /* nobody could stop it: one table, as monitor-traffic */
	return 0;
}

static uint64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* The columns shown: those grouped by, then the rates. */
static void header(struct wg_session *s, unsigned by)
{
	struct sbuf cols, line;
	sb_init(&cols);
	sb_init(&line);
	static const struct { unsigned by; const char *name, *fmt; } c[] = {
		{ WG_TORCH_BY_ETH, "ETH-PROTO", "%-10s" }, { WG_TORCH_BY_PROTO, "PROTOCOL", "%-16s" },
		{ WG_TORCH_BY_SRC, "SRC-ADDRESS", "%-40s" }, { WG_TORCH_BY_PORT, "SRC-PORT", "%-9s" },
		{ WG_TORCH_BY_DST, "DST-ADDRESS", "%-40s" }, { WG_TORCH_BY_PORT, "DST-PORT", "%-9s" },
	};
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++)
		if (by & c[i].by) {
			sb_printf(&cols, "%s, ", c[i].name);
			sb_printf(&line, c[i].fmt, c[i].name);
		}
	wg_out(s, "Columns: %sTX, RX, TX-PACKETS, RX-PACKETS\n%s%12s %12s %11s %11s\n", sb_str(&cols), sb_str(&line), "TX",
	       "RX", "TX-PACKETS", "RX-PACKETS");
	sb_free(&cols);
	sb_free(&line);
}

static void put(struct wg_row *row, struct sbuf *line, const char *name, const char *val, const char *fmt)
{
	wg_row_add(row, name, val, WG_V_TEXT);
	if (fmt)
		sb_printf(line, fmt, val);
}

static void key_cells(const struct wg_torch_flow *fl, unsigned by, struct wg_row *row, struct sbuf *line)
{
	char buf[WG_PREFIX_STRLEN + 16], pn[16];
	if (by & WG_TORCH_BY_ETH) {
		snprintf(buf, sizeof(buf), "%x", fl->eth);
		put(row, line, "mac-protocol", buf, "%-10s");
	}
	if (by & WG_TORCH_BY_PROTO) {
		snprintf(buf, sizeof(buf), "%u (%s)", fl->proto, wg_ip_proto_name(fl->proto, pn));
		put(row, line, "ip-protocol", fl->family ? buf : "", "%-16s");
	}
	const char *addr_fmt = "%-40s", *port_fmt = "%-9s";
	if (by & WG_TORCH_BY_SRC)
		put(row, line, "src-address", fl->family ? wg_addr_format(fl->family, fl->src, buf) : "", addr_fmt);
	if (by & WG_TORCH_BY_PORT) {
		snprintf(buf, sizeof(buf), "%u", fl->sport);
		put(row, line, "src-port", buf, port_fmt);
	}
	if (by & WG_TORCH_BY_DST)
		put(row, line, "dst-address", fl->family ? wg_addr_format(fl->family, fl->dst, buf) : "", addr_fmt);
	if (by & WG_TORCH_BY_PORT) {
		snprintf(buf, sizeof(buf), "%u", fl->dport);
		put(row, line, "dst-port", buf, port_fmt);
	}
}

/* The width of the key columns (a total row leaves them blank). */
static int key_width(unsigned by)
{
	return (by & WG_TORCH_BY_ETH ? 10 : 0) + (by & WG_TORCH_BY_PROTO ? 16 : 0) + (by & WG_TORCH_BY_SRC ? 40 : 0) +
	       (by & WG_TORCH_BY_DST ? 40 : 0) + (by & WG_TORCH_BY_PORT ? 18 : 0);
}

/* One row: rates over ms, as numbers for the API, in RouterOS's units on the line. */
static void flow_row(struct wg_session *s, const struct wg_torch_flow *fl, unsigned by, bool total, uint64_t ms,
		     unsigned section)
{
	struct wg_row row = { 0 };
	struct sbuf line;
	sb_init(&line);
	char num[32], txt[4][24];
	snprintf(num, sizeof(num), "%u", section);
	wg_row_add(&row, ".section", num, WG_V_TEXT);
	if (total)
		wg_row_add(&row, "total", "yes", WG_V_TEXT);
	else
		key_cells(fl, by, &row, &line);
	double sec = (double)ms / 1000.0, tx = fl->tx_bytes * 8.0 / sec, rx = fl->rx_bytes * 8.0 / sec;
	double txp = fl->tx_pkts / sec, rxp = fl->rx_pkts / sec;
	const char *names[4] = { "tx", "rx", "tx-packets", "rx-packets" };
	double vals[4] = { tx, rx, txp, rxp };
	for (int i = 0; i < 4; i++) {
		snprintf(num, sizeof(num), "%.0f", vals[i]);
		wg_row_add(&row, names[i], num, WG_V_TEXT);
	}
	if (total)
		sb_printf(&line, "%-*s", key_width(by), "");
	wg_bps_format((uint64_t)tx, txt[0], sizeof(txt[0]));
	wg_bps_format((uint64_t)rx, txt[1], sizeof(txt[1]));
	sb_printf(&line, "%12s %12s %11.0f %11.0f%s\n", txt[0], txt[1], txp, rxp, total && by ? "  total" : "");
	wg_emit_row(s, &row, sb_str(&line));
	wg_row_clear(&row);
	sb_free(&line);
}

static void frame(struct wg_session *s, struct wg_torch_table *t, unsigned by, uint64_t ms, unsigned section)
{
	bool text = !s->row_fn && !s->collect_emitted;
	if (text)
		header(s, by);
	wg_torch_sort(t);
	for (size_t i = 0; i < t->n; i++)
		flow_row(s, &t->v[i], by, false, ms, section);
	flow_row(s, &t->total, by, true, ms, section);
	if (text)
		wg_outs(s, "\n");
}

static int cmd_torch(struct wg_call *c)
{
	struct wg_args a;
	struct torch_args ta;
	memset(&ta, 0, sizeof(ta));
	int rc = wg_collect_args(c, &a);
	if (!rc)
		rc = parse_torch(c, &a, &ta);
	wg_args_free(&a);
	if (rc)
		return rc;
	char err[160];
	struct wg_torch *w;
	if (wg_torch_start(&w, ta.ifname, &ta.f, err, sizeof(err)) < 0)
		return wg_err(c->s, "%s", err);
	struct wg_torch_table t = { 0 };
	uint64_t start = mono_ms(), last = start;
	for (unsigned section = 0;; section++) {
		uint64_t wait = ta.frame_ms;
		if (ta.duration_ms && start + ta.duration_ms - last < wait)
			wait = start + ta.duration_ms - last;
		bool stop = wg_wait(c->s, (unsigned)wait) == 1;
		uint64_t now = mono_ms();
		wg_torch_take(w, &t);
		frame(c->s, &t, ta.f.by, now > last ? now - last : 1, section);
		last = now;
		if (stop || (ta.duration_ms && now - start >= ta.duration_ms) || wg_tool_out_of_time(c->s))
			break;
	}
	wg_torch_table_free(&t);
	wg_torch_stop(w);
	return 0;
}

const struct wg_cmddef wg_torch_cmds[] = {
	{ "torch", cmd_torch, 0, "/tool" },
	{ NULL, NULL, 0, NULL },
};
