/* /tool/sniffer quick: packets as they pass, a row each (interface, time, number,
 * direction, addresses with ports, protocol, size), until Ctrl-C or duration=. The
 * capture is polled with the router released; at most ROWS_PER_SECOND rows a second
 * are printed (a busy link would drown the console), the rest counted in a line. A
 * script nobody watches (stdin, the scheduler) gets 5 s when it gives no duration. */
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "console/exec.h"
#include "console/toolargs.h"
#include "sys/prefix.h"
#include "tools/sniffer.h"

enum { ROWS_PER_SECOND = 100, BATCH_MS = 5000 };

struct quick {
	char iface[16];
	char filter[1024];
	uint64_t duration_ms;
	unsigned num;
	double t0;
};

static int parse_quick(struct wg_call *c, struct wg_args *a, struct quick *q)
{
	char err[128];
	const char *ifn = wg_arg_value(a, "interface");
	const char *addr = wg_arg_value(a, "ip-address"), *port = wg_arg_value(a, "port"),
		   *proto = wg_arg_value(a, "ip-protocol");
	if (wg_tool_time(c, a, "duration", 86400000, &q->duration_ms) < 0 || wg_args_done(c, a) < 0)
		return -1;
	if (ifn && (strlen(ifn) >= sizeof(q->iface) || strchr(ifn, '/')))
		return wg_err(c->s, "invalid value for argument interface");
	snprintf(q->iface, sizeof(q->iface), "%s", ifn && strcmp(ifn, "all") ? ifn : "");
	if (!q->duration_ms && c->s->batch)
		q->duration_ms = BATCH_MS; /* nobody could stop it */
	if (wg_sniff_filter(addr, port, proto, q->filter, sizeof(q->filter), err, sizeof(err)) < 0)
		return wg_err(c->s, "%s", strstr(err, "filter-ip-address") ? "invalid value for argument ip-address"
					 : strstr(err, "filter-port") ? "invalid value for argument port"
					 : "invalid value for argument ip-protocol");
	return 0;
}

static void endpoint(const struct wg_sniff_pkt *p, bool src, char *buf, size_t len)
{
	char a[WG_PREFIX_STRLEN];
	if (!p->ip) {
		buf[0] = 0;
		return;
	}
	wg_addr_format(p->l3.family, src ? p->l3.src : p->l3.dst, a);
	if (p->l3.has_ports)
		snprintf(buf, len, p->l3.family == AF_INET6 ? "[%s]:%u" : "%s:%u", a, src ? p->l3.sport : p->l3.dport);
	else
		snprintf(buf, len, "%s", a);
}

static void proto_text(const struct wg_sniff_pkt *p, char *buf, size_t len)
{
	char pn[16];
	if (p->ip)
		snprintf(buf, len, "%s:%s", p->l3.family == AF_INET6 ? "ipv6" : "ip", wg_ip_proto_name(p->l3.proto, pn));
	else if (p->eth == 0x0806)
		snprintf(buf, len, "arp");
	else
		snprintf(buf, len, "%04x", p->eth);
}

static void packet_row(struct wg_session *s, struct quick *q, const struct wg_sniff_pkt *p)
{
	char src[64], dst[64], proto[32], t[24], num[16], size[16], line[256];
	const char *dir = p->dir == 2 ? "->" : p->dir == 1 ? "<-" : "";
	if (!q->t0)
		q->t0 = p->time;
	endpoint(p, true, src, sizeof(src));
	endpoint(p, false, dst, sizeof(dst));
	proto_text(p, proto, sizeof(proto));
	snprintf(t, sizeof(t), "%.3f", p->time - q->t0);
	snprintf(num, sizeof(num), "%u", ++q->num);
	snprintf(size, sizeof(size), "%u", p->len);
	struct wg_row row = { 0 };
	const char *kv[][2] = { { "interface", p->iface }, { "time", t }, { "num", num }, { "direction", dir },
				{ "src-address", src }, { "dst-address", dst }, { "protocol", proto }, { "size", size } };
	for (size_t i = 0; i < sizeof(kv) / sizeof(kv[0]); i++)
		wg_row_add(&row, kv[i][0], kv[i][1], WG_V_TEXT);
	snprintf(line, sizeof(line), "%-12s %8s %6s %-3s %-40s %-40s %-12s %5s\n", p->iface, t, num, dir, src, dst, proto,
		 size);
	wg_emit_row(s, &row, line);
	wg_row_clear(&row);
}

static uint64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* Rows for what waits; returns how many were left out this second. */
static void drain(struct wg_session *s, struct wg_sniff_live *l, struct quick *q, unsigned *shown, unsigned *skipped)
{
	struct wg_sniff_pkt p;
	for (int i = 0; i < 256 && wg_sniff_live_next(l, &p) == 1; i++) {
		if (*shown >= ROWS_PER_SECOND) {
			(*skipped)++;
			q->num++;
			continue;
		}
		(*shown)++;
		packet_row(s, q, &p);
	}
}

static int cmd_quick(struct wg_call *c)
{
	struct wg_args a;
	struct quick q;
	char err[256];
	memset(&q, 0, sizeof(q));
	int rc = wg_collect_args(c, &a);
	if (!rc)
		rc = parse_quick(c, &a, &q);
	wg_args_free(&a);
	if (rc)
		return rc;
	struct wg_sniff_live *l;
	if (wg_sniff_live_open(&l, q.iface, q.filter, err, sizeof(err)) < 0)
		return wg_err(c->s, "%s", err);
	if (!c->s->row_fn && !c->s->collect_emitted)
		wg_outs(c->s, "Columns: INTERFACE, TIME, NUM, DIR, SRC-ADDRESS, DST-ADDRESS, PROTOCOL, SIZE\n");
	uint64_t start = mono_ms(), second = start;
	unsigned shown = 0, skipped = 0;
	for (;;) {
		uint64_t now = mono_ms(), left = q.duration_ms ? start + q.duration_ms - now : 1000;
		if (q.duration_ms && now - start >= q.duration_ms)
			break;
		int w = wg_wait_fd(c->s, wg_sniff_live_fd(l), POLLIN, (unsigned)(left < 200 ? left : 200));
		if (w == 1 || wg_tool_out_of_time(c->s))
			break;
		drain(c->s, l, &q, &shown, &skipped);
		if (mono_ms() - second >= 1000) {
			if (skipped)
				wg_out(c->s, "(%u more packets in that second not shown)\n", skipped);
			second = mono_ms();
			shown = skipped = 0;
		}
	}
	wg_sniff_live_close(l);
	return 0;
}

const struct wg_cmddef wg_sniffer_cmds[] = {
	{ "quick", cmd_quick, 0, "/tool/sniffer" },
	{ NULL, NULL, 0, NULL },
};
