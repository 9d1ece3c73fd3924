/* /tool/traceroute: rounds of probes, one per hop, each round ending when every probe
 * is answered or timeout= passed; after each round the table of hops (one row per hop
 * through wg_emit_row), as RouterOS refreshes it, until count= rounds or Ctrl-C. With
 * use-dns=yes a hop shows its reverse DNS name where it has one. */
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "console/exec.h"
#include "console/toolargs.h"
#include "sys/prefix.h"
#include "tools/trace.h"
#include <time.h>

enum { ROUND_MS = 1000 };

/* use-dns=yes: each hop's name, looked up once per address. */
struct hop_name {
	uint8_t addr[16];
	bool tried;
	char name[254];
};

struct trace_args {
	struct wg_trace_opts o;
	long count;
	uint64_t timeout_ms;
	bool use_dns;
};

static int parse_src(struct wg_call *c, struct wg_args *a, struct trace_args *t)
{
	const char *src = wg_arg_value(a, "src-address");
	if (!src)
		return 0;
	struct wg_prefix p;
	if (wg_addr_parse(&p, src) < 0 || p.family != t->o.family)
		return wg_err(c->s, "invalid value for argument src-address");
	t->o.have_src = true;
	memcpy(t->o.src, p.addr, 16);
	return 0;
}

static int parse_trace(struct wg_call *c, struct wg_args *a, struct trace_args *t)
{
	long size = 56, hops = 30;
	const char *v, *addr = wg_arg_value(a, "address");
	struct wg_arg *u = addr ? NULL : wg_arg_unnamed(a);
	if (u)
		addr = u->value;
	t->count = 3;
	t->timeout_ms = 1000;
	if (wg_tool_uint(c, a, "count", 1, WG_TRACE_MAX_COUNT, &t->count) < 0 ||
	    wg_tool_uint(c, a, "max-hops", 1, WG_TRACE_MAX_HOPS, &hops) < 0 ||
	    wg_tool_uint(c, a, "size", 28, 1500, &size) < 0 || wg_tool_time(c, a, "timeout", 60000, &t->timeout_ms) < 0)
		return -1;
	if ((v = wg_arg_value(a, "protocol")) && strcmp(v, "icmp") && strcmp(v, "udp"))
		return wg_err(c->s, "invalid value for argument protocol");
	t->o.udp = v && !strcmp(v, "udp");
	if ((v = wg_arg_value(a, "use-dns")) && strcmp(v, "no") && strcmp(v, "yes"))
		return wg_err(c->s, "invalid value for argument use-dns");
	t->use_dns = v && !strcmp(v, "yes");
	const char *src = wg_arg_value(a, "src-address");
	if (wg_args_done(c, a) < 0)
		return -1;
	if (!addr)
		return wg_err(c->s, "missing value(s) of argument(s) address");
	struct wg_prefix sp;
	int want = src && wg_addr_parse(&sp, src) == 0 ? sp.family : 0;
	if (wg_tool_addr(c, "address", addr, want, &t->o.family, t->o.dst) < 0)
		return -1;
	t->o.size = (unsigned)size;
	t->o.max_hops = (unsigned)hops;
	if (t->timeout_ms < 10)
		t->timeout_ms = 10;
	return parse_src(c, a, t);
}

static void header(struct wg_session *s)
{
	if (!s->row_fn && !s->collect_emitted)
		wg_outs(s, "Columns: ADDRESS, LOSS, SENT, LAST, AVG, BEST, WORST, STD-DEV, STATUS\n"
			   " #  ADDRESS                                  LOSS  SENT  LAST     AVG    BEST   WORST  STD-DEV  STATUS\n");
}

/* The hop's name (reverse DNS, the router released meanwhile: the resolver may take
 * seconds), looked up again only when the hop's address changed; "" when none. */
static const char *hop_dns(struct wg_session *s, const struct wg_trace_hop *h, int family, struct hop_name *n)
{
	if (!h->has_addr)
		return "";
	if (n->tried && !memcmp(n->addr, h->addr, 16))
		return n->name;
	struct sockaddr_storage ss = { 0 };
	socklen_t sl = family == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6);
	ss.ss_family = (sa_family_t)family;
	if (family == AF_INET)
		memcpy(&((struct sockaddr_in *)&ss)->sin_addr, h->addr, 4);
	else
		memcpy(&((struct sockaddr_in6 *)&ss)->sin6_addr, h->addr, 16);
	memcpy(n->addr, h->addr, 16);
	n->tried = true;
	wg_session_wait_enter(s);
	if (getnameinfo((struct sockaddr *)&ss, sl, n->name, sizeof(n->name), NULL, 0, NI_NAMEREQD) != 0)
		n->name[0] = 0;
	wg_session_wait_leave(s);
	return n->name;
}

static void hop_row(struct wg_session *s, const struct wg_trace *t, int family, size_t i, unsigned round,
		    struct hop_name *dns)
{
	const struct wg_trace_hop *h = wg_trace_hop(t, i);
	char loss[24], last[24], avg[24], best[24], worst[24], sd[24], addr[256] = "", sent[16], sec[16];
	wg_trace_hop_text(h, loss, last, avg, best, worst, sd);
	const char *name = dns ? hop_dns(s, h, family, &dns[i]) : "";
	if (*name)
		snprintf(addr, sizeof(addr), "%s", name);
	else if (h->has_addr)
		wg_addr_format(family, h->addr, addr);
	snprintf(sent, sizeof(sent), "%u", h->sent);
	snprintf(sec, sizeof(sec), "%u", round);
	struct wg_row row = { 0 };
	const char *kv[][2] = { { ".section", sec }, { "address", addr }, { "loss", loss }, { "sent", sent },
				{ "last", last }, { "avg", avg }, { "best", best }, { "worst", worst },
				{ "std-dev", sd }, { "status", h->status } };
	for (size_t k = 0; k < sizeof(kv) / sizeof(kv[0]); k++)
		wg_row_add(&row, kv[k][0], kv[k][1], WG_V_TEXT);
	char line[384];
	snprintf(line, sizeof(line), "%2zu  %-40s %5s %5s  %-8s %-6s %-6s %-6s %-8s %s\n", i, addr, loss, sent, last, avg,
		 best, worst, sd, h->status);
	size_t n = strlen(line) - 1; /* no blanks before the newline */
	while (n > 0 && line[n - 1] == ' ')
		n--;
	line[n] = '\n';
	line[n + 1] = 0;
	wg_emit_row(s, &row, line);
	wg_row_clear(&row);
}

static uint64_t mono_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/* One round: probes out, answers in until all came or the timeout; 1 when cancelled. */
static int one_round(struct wg_session *s, struct wg_trace *t, uint64_t timeout_ms)
{
	uint64_t start = mono_us(), limit = timeout_ms * 1000;
	wg_trace_round_start(t, start);
	for (;;) {
		uint64_t now = mono_us();
		if (wg_trace_round_done(t) || now - start >= limit)
			break;
		int rc = wg_wait_fd(s, wg_trace_fd(t), POLLIN, (unsigned)((limit - (now - start) + 999) / 1000));
		if (rc == 1)
			return 1;
		if (rc == 2)
			wg_trace_read(t, mono_us());
	}
	wg_trace_round_end(t);
	return 0;
}

static int cmd_traceroute(struct wg_call *c)
{
	struct wg_args a;
	struct trace_args ta;
	memset(&ta, 0, sizeof(ta));
	int rc = wg_collect_args(c, &a);
	if (!rc)
		rc = parse_trace(c, &a, &ta);
	wg_args_free(&a);
	if (rc)
		return rc;
	char err[160];
	struct wg_trace *t;
	if (wg_trace_open(&t, &ta.o, err, sizeof(err)) < 0)
		return wg_err(c->s, "%s", err);
	struct hop_name *dns = ta.use_dns ? xcalloc(WG_TRACE_MAX_HOPS + 1, sizeof(*dns)) : NULL;
	for (long r = 1; r <= ta.count; r++) {
		uint64_t began = mono_us();
		bool stop = one_round(c->s, t, ta.timeout_ms) == 1 || wg_tool_out_of_time(c->s);
		header(c->s);
		for (size_t i = 1; i <= wg_trace_nhops(t); i++)
			hop_row(c->s, t, ta.o.family, i, (unsigned)r, dns);
		if (stop)
			break;
		if (r == ta.count)
			break;
		if (!c->s->row_fn && !c->s->collect_emitted)
			wg_outs(c->s, "\n");
		uint64_t spent = (mono_us() - began) / 1000; /* a round a second, as RouterOS */
		if (spent < ROUND_MS && wg_wait(c->s, (unsigned)(ROUND_MS - spent)) == 1)
			break;
	}
	wg_trace_close(t);
	free(dns);
	return 0;
}

const struct wg_cmddef wg_trace_cmds[] = {
	{ "traceroute", cmd_traceroute, 0, "/tool" },
	{ NULL, NULL, 0, NULL },
};
