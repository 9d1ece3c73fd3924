/* /ping as RouterOS v7 runs it: its own ICMP echo (sys/echo.c), one probe per interval
 * until Ctrl-C (or the API's /cancel) when no count is given, a line per probe (a reply,
 * or timeout, host unreachable, packet too big, no route to host) and the summary
 * sent=N received=N packet-loss=N% min-rtt= avg-rtt= max-rtt=. Each probe is also a row
 * (wg_emit_row): the binary API streams it as !re, REST answers the rows. The router is
 * released while the probe is out (wg_wait_fd): other consoles are never delayed. */
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "console/exec.h"
#include "console/interp.h"
#include "router/schema.h"
#include "router/units.h"
#include "sys/echo.h"
#include "sys/prefix.h"
#include "util/clock.h"

/* A ping without count in a script nobody can interrupt (stdin, the scheduler) sends
 * this many; count= is bounded so that sent fits the counters. */
enum { PING_BATCH_COUNT = 4, PING_MAX_COUNT = 100000000, PING_MIN_MS = 10, PING_MAX_MS = 5000,
       PING_REPLY_MS = 1000 };

struct ping_opts {
	char host[WG_PREFIX_STRLEN];  /* as shown in HOST */
	struct wg_echo_opts echo;
	unsigned long count;          /* 0: until cancelled */
	unsigned interval_ms;
};

struct ping_stats {
	unsigned long sent, received;
	uint64_t min_us, max_us, sum_us;
};

/* ---- formats (also for the unit tests) ---- */

void wg_ping_header(struct sbuf *b)
{
	sb_add(b, "  SEQ HOST                                     SIZE TTL TIME       STATUS\n");
}

/* One line in RouterOS's columns; empty fields are blank, trailing blanks cut. */
void wg_ping_line(struct sbuf *b, unsigned long seq, const char *host, const char *size, const char *ttl,
		  const char *time, const char *status)
{
	size_t start = b->len;
	sb_printf(b, "%5lu %-40s %4s %3s %-10s %s", seq, host, size, ttl, time, status);
	while (b->len > start && b->s[b->len - 1] == ' ')
		b->s[--b->len] = 0;
	sb_addc(b, '\n');
}

static unsigned loss_percent(const struct ping_stats *st)
{
	return st->sent ? (unsigned)((st->sent - st->received) * 100 / st->sent) : 0;
}

void wg_ping_summary(struct sbuf *b, unsigned long sent, unsigned long received, uint64_t min_us,
		     uint64_t avg_us, uint64_t max_us)
{
	struct ping_stats st = { sent, received, 0, 0, 0 };
	char mn[48], av[48], mx[48];
	sb_printf(b, "    sent=%lu received=%lu packet-loss=%u%%", sent, received, loss_percent(&st));
	if (received)
		sb_printf(b, " min-rtt=%s avg-rtt=%s max-rtt=%s", wg_rtt_format(min_us, mn, sizeof(mn)),
			  wg_rtt_format(avg_us, av, sizeof(av)), wg_rtt_format(max_us, mx, sizeof(mx)));
	sb_addc(b, '\n');
}

/* ---- arguments ---- */

static bool parse_ulong(const char *v, unsigned long min, unsigned long max, unsigned long *out)
{
	char *end;
	if (!v || !*v || *v == '-')
		return false;
	errno = 0;
	unsigned long n = strtoul(v, &end, 10);
	if (*end || errno || n < min || n > max)
		return false;
	*out = n;
	return true;
}

/* A name resolved with the router released (the lookup may take seconds). */
static int resolve(struct wg_call *c, const char *name, struct wg_prefix *out)
{
	struct addrinfo hints = { .ai_socktype = SOCK_RAW }, *res = NULL;
	wg_session_wait_enter(c->s);
	int rc = getaddrinfo(name, NULL, &hints, &res);
	wg_session_wait_leave(c->s);
	if (rc || !res)
		return wg_err(c->s, "failure: could not resolve %s", name);
	out->family = res->ai_family;
	if (res->ai_family == AF_INET)
		memcpy(out->addr, &((struct sockaddr_in *)res->ai_addr)->sin_addr, 4);
	else
		memcpy(out->addr, &((struct sockaddr_in6 *)res->ai_addr)->sin6_addr, 16);
	freeaddrinfo(res);
	return 0;
}

static int parse_numbers(struct wg_call *c, struct wg_args *a, struct ping_opts *o)
{
	const char *v;
	unsigned long n;
	uint64_t ms = 1000;
	o->count = c->s->batch ? PING_BATCH_COUNT : 0;
	if ((v = wg_arg_value(a, "count"))) {
		if (!parse_ulong(v, 1, PING_MAX_COUNT, &n))
			return wg_err(c->s, "invalid value for argument count");
		o->count = n;
	}
	o->echo.size = 56;
	if ((v = wg_arg_value(a, "size"))) {
		if (!parse_ulong(v, 14, WG_ECHO_MAX_SIZE, &n))
			return wg_err(c->s, "invalid value for argument size");
		o->echo.size = (unsigned)n;
	}
	if ((v = wg_arg_value(a, "ttl"))) {
		if (!parse_ulong(v, 1, 255, &n))
			return wg_err(c->s, "invalid value for argument ttl");
		o->echo.ttl = (int)n;
	}
	if ((v = wg_arg_value(a, "interval")) && (!wg_time_parse(v, &ms) || ms < PING_MIN_MS || ms > PING_MAX_MS))
		return wg_err(c->s, "invalid value for argument interval");
	o->interval_ms = (unsigned)ms;
	return 0;
}

static int parse_ping(struct wg_call *c, struct wg_args *a, struct ping_opts *o)
{
	struct wg_prefix dst, src;
	o->echo.dont_fragment = wg_arg_flag(a, "do-not-fragment");
	const char *addr = wg_arg_value(a, "address");
	if (!addr) {
		struct wg_arg *g = wg_arg_unnamed(a);
		addr = g ? g->value : NULL;
	}
	const char *srcv = wg_arg_value(a, "src-address");
	o->echo.iface = wg_arg_value(a, "interface");
	if (parse_numbers(c, a, o) < 0 || wg_args_done(c, a) < 0)
		return -1;
	if (!addr)
		return wg_err(c->s, "missing value(s) of argument(s) address");
	if (wg_addr_parse(&dst, addr) < 0) {
		if (!wg_is_hostname(addr))
			return wg_err(c->s, "invalid value for argument address");
		if (resolve(c, addr, &dst) < 0)
			return -1;
	}
	o->echo.family = dst.family;
	memcpy(o->echo.dst, dst.addr, 16);
	wg_addr_format(dst.family, dst.addr, o->host);
	if (srcv) {
		if (wg_addr_parse(&src, srcv) < 0 || src.family != dst.family)
			return wg_err(c->s, "invalid value for argument src-address");
		o->echo.has_src = true;
		memcpy(o->echo.src, src.addr, 16);
	}
	if (o->echo.size < wg_echo_min_size(dst.family))
		return wg_err(c->s, "invalid value for argument size");
	return 0;
}

static int open_error(struct wg_call *c, const struct ping_opts *o, int err)
{
	if (err == -ENODEV)
		return wg_err(c->s, "failure: no such interface %s", o->echo.iface);
	if (err == -EADDRNOTAVAIL)
		return wg_err(c->s, "failure: src-address is not an address of this router");
	return wg_err(c->s, "failure: cannot ping: %s", strerror(-err));
}

/* ---- one probe ---- */

static void add_stats(struct wg_row *row, const struct ping_stats *st)
{
	char v[48];
	snprintf(v, sizeof(v), "%lu", st->sent);
	wg_row_add(row, "sent", v, WG_V_TEXT);
	snprintf(v, sizeof(v), "%lu", st->received);
	wg_row_add(row, "received", v, WG_V_TEXT);
	snprintf(v, sizeof(v), "%u", loss_percent(st));
	wg_row_add(row, "packet-loss", v, WG_V_TEXT);
	if (!st->received)
		return;
	wg_row_add(row, "min-rtt", wg_rtt_format(st->min_us, v, sizeof(v)), WG_V_TEXT);
	wg_row_add(row, "avg-rtt", wg_rtt_format(st->sum_us / st->received, v, sizeof(v)), WG_V_TEXT);
	wg_row_add(row, "max-rtt", wg_rtt_format(st->max_us, v, sizeof(v)), WG_V_TEXT);
}

/* The row and the console line of probe seq: a reply (rtt_us, r) or a status. */
static void emit(struct wg_session *s, unsigned long seq, const char *host, const struct wg_echo_reply *r,
		 uint64_t rtt_us, const char *status, const struct ping_stats *st)
{
	struct wg_row row = { 0 };
	struct sbuf line;
	char sq[24], size[16] = "", ttl[16] = "", time[48] = "";
	sb_init(&line);
	snprintf(sq, sizeof(sq), "%lu", seq);
	wg_row_add(&row, "seq", sq, WG_V_TEXT);
	wg_row_add(&row, "host", host, WG_V_TEXT);
	if (!status) {
		snprintf(size, sizeof(size), "%u", r->size);
		if (r->ttl >= 0)
			snprintf(ttl, sizeof(ttl), "%d", r->ttl);
		wg_rtt_format(rtt_us, time, sizeof(time));
		wg_row_add(&row, "size", size, WG_V_TEXT);
		if (*ttl)
			wg_row_add(&row, "ttl", ttl, WG_V_TEXT);
		wg_row_add(&row, "time", time, WG_V_TEXT);
	} else {
		wg_row_add(&row, "status", status, WG_V_TEXT);
	}
	add_stats(&row, st);
	wg_ping_line(&line, seq, host, size, ttl, time, status ? status : "");
	wg_emit_row(s, &row, sb_str(&line));
	wg_row_clear(&row);
	sb_free(&line);
}

static const char *reply_status(int kind)
{
	switch (kind) {
	case WG_ECHO_TOO_BIG: return "packet too big";
	case WG_ECHO_TTL_EXCEEDED: return "TTL exceeded";
	default: return "host unreachable";
	}
}

static const char *send_status(int err)
{
	switch (err) {
	case -ENETUNREACH: return "no route to host";
	case -EHOSTUNREACH: return "host unreachable";
	case -EMSGSIZE: return "packet too big";
	case -EPERM: case -EACCES: return "not permitted";
	default: return "could not send";
	}
}

static uint64_t now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

/* Out of time: cancelled, or the request's own limit (REST's 60 s, a script's). */
static bool stopped(struct wg_session *s)
{
	return wg_cancelled(s) || (s->deadline_ms && wg_mono_ms() >= s->deadline_ms);
}

/* Waits for the answer to probe seq until deadline_us: 1 answered (reply or error
 * shown), 0 timed out, -1 cancelled. */
static int await(struct wg_session *s, struct wg_echo *e, const struct ping_opts *o, unsigned long seq,
		 uint64_t sent_us, uint64_t deadline_us, struct ping_stats *st)
{
	for (;;) {
		uint64_t now = now_us();
		if (now >= deadline_us)
			return 0;
		int w = wg_wait_fd(s, e->fd, POLLIN, (unsigned)((deadline_us - now + 999) / 1000));
		if (w == 1 || stopped(s))
			return -1;
		if (w != 2)
			continue;
		struct wg_echo_reply r;
		int got;
		while ((got = wg_echo_recv(e, &r)) != 0) {
			if (got < 0 || r.seq != (uint16_t)seq)
				break; /* a late answer to an earlier probe, already shown as timeout */
			if (r.kind != WG_ECHO_REPLY) {
				char from[WG_PREFIX_STRLEN];
				bool known = memcmp(r.from, (uint8_t[16]){ 0 }, 16) != 0;
				emit(s, seq, known ? wg_addr_format(o->echo.family, r.from, from) : o->host, &r, 0,
				     reply_status(r.kind), st);
				return 1;
			}
			uint64_t rtt = now_us() - sent_us;
			st->received++;
			st->sum_us += rtt;
			if (st->received == 1 || rtt < st->min_us)
				st->min_us = rtt;
			if (rtt > st->max_us)
				st->max_us = rtt;
			emit(s, seq, o->host, &r, rtt, NULL, st);
			return 1;
		}
	}
}

static void run_probes(struct wg_session *s, struct wg_echo *e, const struct ping_opts *o, struct ping_stats *st)
{
	for (unsigned long seq = 0; !o->count || seq < o->count; seq++) {
		if (stopped(s))
			return;
		uint64_t t0 = now_us();
		int err = wg_echo_send(e, (uint16_t)seq);
		if (err) {
			st->sent++;
			emit(s, seq, o->host, NULL, 0, send_status(err), st);
		} else {
			unsigned wait_ms = o->interval_ms > PING_REPLY_MS ? o->interval_ms : PING_REPLY_MS;
			st->sent++; /* before its row: the row shows it sent */
			int rc = await(s, e, o, seq, t0, t0 + (uint64_t)wait_ms * 1000, st);
			if (rc < 0) {
				st->sent--; /* interrupted before its answer: it counts for nothing */
				return;
			}
			if (rc == 0)
				emit(s, seq, o->host, NULL, 0, "timeout", st);
		}
		uint64_t next = t0 + (uint64_t)o->interval_ms * 1000, now = now_us();
		if ((o->count && seq + 1 >= o->count) || now >= next)
			continue;
		if (wg_wait(s, (unsigned)((next - now + 999) / 1000)) == 1)
			return;
	}
}

static int cmd_ping(struct wg_call *c)
{
	struct wg_args a;
	struct ping_opts o = { 0 };
	struct wg_echo e;
	int rc = wg_collect_args(c, &a);
	if (!rc)
		rc = parse_ping(c, &a, &o);
	if (!rc && (rc = wg_echo_open(&e, &o.echo)) < 0)
		rc = open_error(c, &o, rc);
	if (!rc) {
		/* o copies what it needs from the arguments: nothing of the store across waits */
		struct ping_stats st = { 0 };
		struct sbuf b;
		sb_init(&b);
		wg_ping_header(&b);
		wg_outs(c->s, sb_str(&b));
		run_probes(c->s, &e, &o, &st);
		wg_echo_close(&e);
		sb_reset(&b);
		wg_ping_summary(&b, st.sent, st.received, st.min_us, st.received ? st.sum_us / st.received : 0, st.max_us);
		wg_outs(c->s, sb_str(&b));
		sb_free(&b);
	}
	wg_args_free(&a);
	return rc;
}

const struct wg_cmddef wg_system_cmds[] = {
	{ "ping", cmd_ping, 0, "/" },
	{ "ping", cmd_ping, 0, "/tool" },
	{ NULL, NULL, 0, NULL },
};
