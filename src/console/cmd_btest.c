/* /tool/bandwidth-test: the btest client (src/tools/btest_client.h) as a long command.
 * The test runs on the client's threads; this command only waits (router released,
 * Ctrl-C or the API's /cancel end it at once) and, every interval, turns the counters
 * into RouterOS's status block: one row per block for the API and REST, the block's
 * text for the console. It ends after duration (none: when cancelled, at most a day)
 * with a last block whose status is "done testing". */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "console/exec.h"
#include "console/interp.h"
#include "router/units.h"
#include "sys/prefix.h"
#include "tools/btest_client.h"
#include "util/clock.h"
#include "tools/cpuload.h"

enum { MAX_MS = 86400000, POLL_MS = 100, HISTORY = 64 };

struct bt_opts {
	struct wg_bt_client_cfg cfg;
	uint64_t duration_ms, interval_ms;
};

/* ---- arguments ---- */

static int parse_num(struct wg_call *c, struct wg_args *a, const char *name, long lo, long hi, long def, long *out)
{
	const char *v = wg_arg_value(a, name);
	char *end;
	*out = v ? strtol(v, &end, 10) : def;
	if (v && (!*v || *end || *out < lo || *out > hi))
		return wg_err(c->s, "invalid value for argument %s", name);
	return 0;
}

static int parse_rate(struct wg_call *c, struct wg_args *a, const char *name, uint32_t *out)
{
	const char *v = wg_arg_value(a, name);
	uint64_t bps = 0;
	if (v && (!wg_rate_parse(v, &bps) || bps > UINT32_MAX))
		return wg_err(c->s, "invalid value for argument %s", name);
	*out = (uint32_t)bps;
	return 0;
}

static int parse_choice(struct wg_call *c, struct wg_args *a, const char *name, const char *const *words, int def,
			int *out)
{
	const char *v = wg_arg_value(a, name);
	*out = def;
	if (!v)
		return 0;
	for (int i = 0; words[i]; i++)
		if (!strcmp(words[i], v)) {
			*out = i;
			return 0;
		}
	return wg_err(c->s, "invalid value for argument %s", name);
}

static int parse_time(struct wg_call *c, struct wg_args *a, const char *name, uint64_t lo, uint64_t def,
		      uint64_t *out)
{
	const char *v = wg_arg_value(a, name);
	*out = def;
	if (v && (!wg_time_parse(v, out) || *out < lo || *out > MAX_MS))
		return wg_err(c->s, "invalid value for argument %s", name);
	return 0;
}

static int parse_address(struct wg_call *c, struct wg_args *a, struct wg_bt_client_cfg *cfg)
{
	struct wg_prefix p;
	const char *v = wg_arg_value(a, "address");
	if (!v) {
		struct wg_arg *g = wg_arg_unnamed(a);
		v = g ? g->value : NULL;
		if (g)
			g->used = true;
	}
	if (!v)
		return wg_err(c->s, "missing value(s) of argument(s) address");
	if (wg_addr_parse(&p, v) < 0)
		return wg_err(c->s, "invalid value for argument address");
	if (p.family == AF_INET6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&cfg->addr;
		s6->sin6_family = AF_INET6;
		memcpy(&s6->sin6_addr, p.addr, 16);
		cfg->addrlen = sizeof(*s6);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&cfg->addr;
		s4->sin_family = AF_INET;
		memcpy(&s4->sin_addr, p.addr, 4);
		cfg->addrlen = sizeof(*s4);
	}
	return 0;
}

static int parse_strings(struct wg_call *c, struct wg_args *a, struct wg_bt_client_cfg *cfg)
{
	const char *user = wg_arg_value(a, "user"), *pw = wg_arg_value(a, "password"), *rnd;
	bool random = false;
	if (user && (strlen(user) > WG_BT_USER_MAX || !*user))
		return wg_err(c->s, "invalid value for argument user");
	if (pw && strlen(pw) >= sizeof(cfg->password))
		return wg_err(c->s, "invalid value for argument password");
	if ((rnd = wg_arg_value(a, "random-data")) && !wg_parse_bool(rnd, &random))
		return wg_err(c->s, "invalid value for argument random-data");
	snprintf(cfg->user, sizeof(cfg->user), "%s", user ? user : "admin");
	snprintf(cfg->password, sizeof(cfg->password), "%s", pw ? pw : "");
	cfg->cmd.random = random;
	return 0;
}

static int parse_opts(struct wg_call *c, struct wg_args *a, struct bt_opts *o)
{
	static const char *const protos[] = { "udp", "tcp", NULL };
	static const char *const dirs[] = { "", "transmit", "receive", "both", NULL };
	int proto = WG_BT_UDP, dir = WG_BT_DIR_RX;
	long conns, lsize, rsize;
	struct wg_bt_cmd *cmd = &o->cfg.cmd;
	if (parse_address(c, a, &o->cfg) < 0 || parse_strings(c, a, &o->cfg) < 0 ||
	    parse_choice(c, a, "protocol", protos, WG_BT_UDP, &proto) < 0 ||
	    parse_choice(c, a, "direction", dirs, WG_BT_DIR_RX, &dir) < 0 ||
	    parse_num(c, a, "tcp-connection-count", 1, WG_BT_CONN_MAX, WG_BT_CONN_MAX, &conns) < 0 ||
	    parse_num(c, a, "local-udp-tx-size", WG_BT_UDP_MIN, WG_BT_UDP_MAX, 1500, &lsize) < 0 ||
	    parse_num(c, a, "remote-udp-tx-size", WG_BT_UDP_MIN, WG_BT_UDP_MAX, 1500, &rsize) < 0 ||
	    parse_rate(c, a, "local-tx-speed", &cmd->local_tx) < 0 ||
	    parse_rate(c, a, "remote-tx-speed", &cmd->remote_tx) < 0 ||
	    parse_time(c, a, "duration", 1000, 0, &o->duration_ms) < 0 ||
	    parse_time(c, a, "interval", 20, 1000, &o->interval_ms) < 0)
		return -1;
	if (dir == 0)
		return wg_err(c->s, "invalid value for argument direction");
	if (o->interval_ms > 5000)
		return wg_err(c->s, "invalid value for argument interval");
	if (wg_args_done(c, a) < 0)
		return -1;
	cmd->proto = (uint8_t)proto;
	cmd->dir = (uint8_t)dir;
	cmd->conns = proto == WG_BT_TCP ? (uint8_t)conns : 1;
	cmd->udp_size = (uint16_t)rsize;
	cmd->bufsize = proto == WG_BT_TCP ? 0xffff : (uint16_t)rsize;
	o->cfg.local_udp_size = (uint16_t)lsize;
	return 0;
}

/* ---- the status block ---- */

struct sample { uint64_t ms, tx, rx; };

struct bt_view {
	const struct bt_opts *o;
	struct sample hist[HISTORY];    /* one per interval, for the 10-second averages */
	size_t nhist;
	struct sample start, prev;
	struct wg_cpuload cpu;
	bool started;
};

static uint64_t rate(uint64_t bytes_from, uint64_t bytes_to, uint64_t ms)
{
	return ms ? (bytes_to - bytes_from) * 8000 / ms : 0;
}

/* The sample at least 10 s old (or the oldest kept). */
static const struct sample *ten_seconds_ago(const struct bt_view *v, uint64_t now)
{
	const struct sample *best = &v->start;
	for (size_t i = 0; i < v->nhist && i < HISTORY; i++) {
		const struct sample *h = &v->hist[i];
		if (now - h->ms >= 10000 && h->ms > best->ms)
			best = h;
	}
	return best;
}

static void add_rate(struct wg_row *row, struct sbuf *text, const char *name, uint64_t bps)
{
	char buf[32];
	wg_bt_rate_format(bps, buf, sizeof(buf));
	wg_row_add(row, name, buf, WG_V_TEXT);
	sb_printf(text, "%22s: %s\n", name, buf);
}

static void add_field(struct wg_row *row, struct sbuf *text, const char *name, const char *value)
{
	wg_row_add(row, name, value, WG_V_TEXT);
	sb_printf(text, "%22s: %s\n", name, value);
}

static void add_rates(struct wg_row *row, struct sbuf *text, const char *dir, uint64_t cur, uint64_t avg10,
		      uint64_t total)
{
	char name[32];
	snprintf(name, sizeof(name), "%s-current", dir);
	add_rate(row, text, name, cur);
	snprintf(name, sizeof(name), "%s-10-second-average", dir);
	add_rate(row, text, name, avg10);
	snprintf(name, sizeof(name), "%s-total-average", dir);
	add_rate(row, text, name, total);
}

static void emit_block(struct wg_session *s, struct bt_view *v, const char *status,
		       const struct wg_bt_client_stats *st, uint64_t now)
{
	static const char *const dirs[] = { "", "transmit", "receive", "both" };
	const struct wg_bt_cmd *cmd = &v->o->cfg.cmd;
	struct sample cur = { now, st->tx, st->rx };
	const struct sample *old = ten_seconds_ago(v, now);
	struct wg_row row = { 0 };
	struct sbuf text;
	char buf[64];
	sb_init(&text);
	add_field(&row, &text, "status", status);
	uint64_t secs = v->started ? (now - v->start.ms) / 1000 : 0; /* RouterOS shows whole seconds */
	add_field(&row, &text, "duration", wg_time_format(secs * 1000, buf, sizeof(buf)));
	if (wg_bt_sends(cmd, 0))
		add_rates(&row, &text, "tx", rate(v->prev.tx, cur.tx, now - v->prev.ms), rate(old->tx, cur.tx, now - old->ms),
			  rate(v->start.tx, cur.tx, now - v->start.ms));
	if (wg_bt_receives(cmd, 0))
		add_rates(&row, &text, "rx", rate(v->prev.rx, cur.rx, now - v->prev.ms), rate(old->rx, cur.rx, now - old->ms),
			  rate(v->start.rx, cur.rx, now - v->start.ms));
	if (cmd->proto == WG_BT_UDP && wg_bt_receives(cmd, 0)) {
		snprintf(buf, sizeof(buf), "%llu", (unsigned long long)st->lost);
		add_field(&row, &text, "lost-packets", buf);
	}
	add_field(&row, &text, "random-data", cmd->random ? "yes" : "no");
	add_field(&row, &text, "direction", dirs[cmd->dir & 3]);
	if (cmd->proto == WG_BT_TCP) {
		snprintf(buf, sizeof(buf), "%u", st->conns);
		add_field(&row, &text, "connection-count", buf);
	}
	snprintf(buf, sizeof(buf), "%d%%", wg_cpuload_sample(&v->cpu));
	add_field(&row, &text, "local-cpu-load", buf);
	sb_addc(&text, '\n');
	wg_emit_row(s, &row, sb_str(&text));
	wg_row_clear(&row);
	sb_free(&text);
	v->hist[v->nhist++ % HISTORY] = cur;
	v->prev = cur;
}

/* ---- the command ---- */

static uint64_t now_ms(void)
{
	return wg_mono_ms();
}

/* Waits for the test to run (or fail), printing "connecting" blocks meanwhile. */
static int run_test(struct wg_session *s, struct wg_bt_client *cl, struct bt_view *v)
{
	struct wg_bt_client_stats st;
	uint64_t next = now_ms() + v->o->interval_ms;
	bool cancelled = false;
	for (;;) {
		cancelled = wg_wait(s, v->o->interval_ms < POLL_MS ? (unsigned)v->o->interval_ms : POLL_MS) == 1;
		uint64_t now = now_ms();
		wg_bt_client_stats(cl, &st);
		if (st.state == WG_BT_AUTH_FAILED)
			return wg_err(s, "authentication failed");
		if (st.state == WG_BT_FAILED)
			return wg_err(s, "%s", st.err);
		if (st.state == WG_BT_RUNNING && !v->started) {
			v->started = true;
			v->start = v->prev = (struct sample){ now, st.tx, st.rx };
		}
		bool over = v->started && v->o->duration_ms && now - v->start.ms >= v->o->duration_ms;
		if (cancelled || over || st.state == WG_BT_ENDED || (v->started && now - v->start.ms >= MAX_MS))
			break;
		if (now >= next) {
			emit_block(s, v, v->started ? "running" : "connecting", &st, now);
			next += v->o->interval_ms;
		}
	}
	if (v->started)
		emit_block(s, v, "done testing", &st, now_ms());
	if (st.state == WG_BT_ENDED && !cancelled)
		return wg_err(s, "%s", st.err);
	return 0;
}

static int cmd_bandwidth_test(struct wg_call *c)
{
	struct wg_args a;
	struct bt_opts o = { 0 };
	int rc = wg_collect_args(c, &a);
	if (!rc)
		rc = parse_opts(c, &a, &o);
	wg_args_free(&a);
	if (rc)
		goto out;
	struct bt_view v = { .o = &o };
	wg_cpuload_sample(&v.cpu);
	struct wg_bt_client *cl = wg_bt_client_start(&o.cfg);
	rc = run_test(c->s, cl, &v);
	wg_bt_client_stop(cl);
out:
	explicit_bzero(o.cfg.password, sizeof(o.cfg.password));
	return rc;
}

const struct wg_cmddef wg_btest_cmds[] = {
	{ "bandwidth-test", cmd_bandwidth_test, 0, "/tool" },
	{ NULL, NULL, 0, NULL },
};
