/* /interface/monitor-traffic: the rates of one or more interfaces from the kernel's
 * counters, as RouterOS prints them (name right-aligned, a column per interface),
 * once (`once`: after one second of counting) or every second until Ctrl-C. Each
 * interface each second is a row (wg_emit_row): the binary API streams them. Linux has
 * no RouterOS fast path: every packet takes the normal path, so the fp- rates are 0. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "console/exec.h"
#include "console/interp.h"
#include "sys/netlink.h"
#include "tools/btest_proto.h"
#include "util/clock.h"

enum { MONITOR_MAX_IFACES = 16, MONITOR_MS = 1000 };

static const char *const fields[] = {
	"rx-packets-per-second", "rx-bits-per-second", "fp-rx-packets-per-second", "fp-rx-bits-per-second",
	"rx-drops-per-second", "rx-errors-per-second", "tx-packets-per-second", "tx-bits-per-second",
	"fp-tx-packets-per-second", "fp-tx-bits-per-second", "tx-drops-per-second", "tx-errors-per-second", NULL,
};

struct sample {
	char name[IF_NAMESIZE];
	struct wg_nl_link at;
	uint64_t ms;
};

/* Bits per second as RouterOS writes rates: 0bps, 950bps, 3.3kbps, 14.1Mbps, 1.2Gbps. */
void wg_bps_format(uint64_t bps, char *buf, size_t len)
{
	wg_bt_rate_format(bps, buf, len); /* one way to write a rate: btest's */
}

static uint64_t per_second(uint64_t now, uint64_t before, uint64_t ms)
{
	return now >= before && ms ? (now - before) * 1000 / ms : 0;
}

/* The twelve values of one interface between two samples. */
static void rates(const struct sample *a, const struct wg_nl_link *b, uint64_t ms, char vals[][24])
{
	uint64_t v[12] = {
		per_second(b->rx_packets, a->at.rx_packets, ms), per_second(b->rx_bytes, a->at.rx_bytes, ms) * 8, 0, 0,
		per_second(b->rx_dropped, a->at.rx_dropped, ms), per_second(b->rx_errors, a->at.rx_errors, ms),
		per_second(b->tx_packets, a->at.tx_packets, ms), per_second(b->tx_bytes, a->at.tx_bytes, ms) * 8, 0, 0,
		per_second(b->tx_dropped, a->at.tx_dropped, ms), per_second(b->tx_errors, a->at.tx_errors, ms),
	};
	for (int i = 0; i < 12; i++) {
		if (strstr(fields[i], "bits"))
			wg_bps_format(v[i], vals[i], 24);
		else
			snprintf(vals[i], 24, "%llu", (unsigned long long)v[i]);
	}
}

static int parse(struct wg_call *c, struct wg_args *a, struct sample *sm, size_t *n, bool *once)
{
	*once = wg_arg_flag(a, "once");
	const char *list = wg_arg_value(a, "interface");
	if (!list) {
		struct wg_arg *g = wg_arg_unnamed(a);
		list = g ? g->value : NULL;
	}
	if (wg_args_done(c, a) < 0)
		return -1;
	if (!list || !*list)
		return wg_err(c->s, "missing value(s) of argument(s) interface");
	*n = 0;
	for (const char *p = list; *p;) {
		size_t k = strcspn(p, ",");
		if (*n == MONITOR_MAX_IFACES || !k || k >= IF_NAMESIZE)
			return wg_err(c->s, "invalid value for argument interface");
		memcpy(sm[*n].name, p, k);
		sm[*n].name[k] = 0;
		if (wg_nl_link_get(sm[*n].name, &sm[*n].at) < 0)
			return wg_err(c->s, "no such item (%s)", sm[*n].name);
		sm[*n].ms = wg_mono_ms();
		(*n)++;
		p += k + (p[k] == ',');
	}
	return 0;
}

/* One second's block: the rows, and the text with a column per interface. */
static void show(struct wg_session *s, struct sample *sm, size_t n)
{
	char vals[MONITOR_MAX_IFACES][12][24];
	for (size_t i = 0; i < n; i++) {
		struct wg_nl_link now;
		uint64_t t = wg_mono_ms();
		if (wg_nl_link_get(sm[i].name, &now) < 0)
			now = sm[i].at; /* gone meanwhile: no traffic */
		rates(&sm[i], &now, t - sm[i].ms, vals[i]);
		sm[i].at = now;
		sm[i].ms = t;
		struct wg_row row = { 0 };
		wg_row_add(&row, "name", sm[i].name, WG_V_TEXT);
		for (int f = 0; fields[f]; f++)
			wg_row_add(&row, fields[f], vals[i][f], WG_V_TEXT);
		wg_emit_row(s, &row, NULL);
		wg_row_clear(&row);
	}
	struct sbuf b;
	sb_init(&b);
	int w = (int)strlen("fp-rx-packets-per-second") + 2;
	sb_printf(&b, "%*s:", w, "name");
	for (size_t i = 0; i < n; i++)
		sb_printf(&b, " %-12s", sm[i].name);
	sb_addc(&b, '\n');
	for (int f = 0; fields[f]; f++) {
		sb_printf(&b, "%*s:", w, fields[f]);
		for (size_t i = 0; i < n; i++)
			sb_printf(&b, " %-12s", vals[i][f]);
		sb_addc(&b, '\n');
	}
	for (char *p = b.s, *e; p && (e = strchr(p, '\n')); p = e + 1) { /* no trailing blanks */
		char *q = e;
		while (q > p && q[-1] == ' ')
			q--;
		memmove(q, e, strlen(e) + 1);
		e = q;
	}
	sb_addc(&b, '\n');
	wg_outs(s, b.s);
	sb_free(&b);
}

static int cmd_monitor_traffic(struct wg_call *c)
{
	struct wg_args a;
	struct sample sm[MONITOR_MAX_IFACES];
	size_t n = 0;
	bool once;
	int rc = wg_collect_args(c, &a);
	if (!rc)
		rc = parse(c, &a, sm, &n, &once);
	wg_args_free(&a);
	if (rc)
		return rc;
	/* the samples are the kernel's and copied: nothing of the store across the waits */
	while (wg_wait(c->s, MONITOR_MS) == 0) {
		show(c->s, sm, n);
		if (once || c->s->batch || (c->s->deadline_ms && wg_mono_ms() >= c->s->deadline_ms))
			break;
	}
	return 0;
}

const struct wg_cmddef wg_monitor_cmds[] = {
	{ "monitor-traffic", cmd_monitor_traffic, 0, "/interface" },
	{ NULL, NULL, 0, NULL },
};
