/* /ping: the system's ping in the daemon's network namespace, with a bounded count
 * (RouterOS pings until interrupted; a script cannot interrupt), its output rewritten
 * in RouterOS's columns. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "console/interp.h"
#include "router/units.h"
#include "sys/prefix.h"

enum { PING_MAX = 20, PING_DEFAULT = 4 };

struct ping_opts {
	const char *address, *src, *iface;
	long count, size;
	double interval;
	bool dont_fragment;
	int family;
};

static int parse_ping(struct wg_call *c, struct wg_args *a, struct ping_opts *o)
{
	struct wg_prefix p;
	const char *v;
	o->dont_fragment = wg_arg_flag(a, "do-not-fragment");
	o->address = wg_arg_value(a, "address");
	if (!o->address) {
		struct wg_arg *g = wg_arg_unnamed(a);
		o->address = g ? g->value : NULL;
	}
	o->src = wg_arg_value(a, "src-address");
	o->iface = wg_arg_value(a, "interface");
	o->count = (v = wg_arg_value(a, "count")) ? atol(v) : PING_DEFAULT;
	o->size = (v = wg_arg_value(a, "size")) ? atol(v) : 0;
	uint64_t ms = 1000;
	if ((v = wg_arg_value(a, "interval")) && !wg_time_parse(v, &ms))
		return wg_err(c->s, "invalid value for argument interval");
	o->interval = ms < 200 ? 0.2 : (double)ms / 1000;
	if (wg_args_done(c, a) < 0)
		return -1;
	if (!o->address)
		return wg_err(c->s, "missing value(s) of argument(s) address");
	if (wg_addr_parse(&p, o->address) < 0 && !wg_is_hostname(o->address))
		return wg_err(c->s, "invalid value for argument address");
	o->family = p.family;
	if (o->count < 1 || o->count > PING_MAX)
		o->count = o->count < 1 ? 1 : PING_MAX;
	return 0;
}

/* RouterOS size is the whole IP packet; ping's -s is the ICMP payload. */
static void build_argv(const struct ping_opts *o, char **argv, char bufs[][32])
{
	int n = 0;
	argv[n++] = "ping";
	argv[n++] = "-n";
	argv[n++] = "-O";
	snprintf(bufs[0], 32, "%ld", o->count);
	argv[n++] = "-c";
	argv[n++] = bufs[0];
	snprintf(bufs[1], 32, "%.1f", o->interval);
	argv[n++] = "-i";
	argv[n++] = bufs[1];
	argv[n++] = "-W";
	argv[n++] = "1";
	if (o->size) {
		long payload = o->size - (o->family == AF_INET6 ? 48 : 28);
		snprintf(bufs[2], 32, "%ld", payload > 0 ? payload : 0);
		argv[n++] = "-s";
		argv[n++] = bufs[2];
	}
	if (o->dont_fragment) {
		argv[n++] = "-M";
		argv[n++] = "do";
	}
	if (o->src || o->iface) {
		argv[n++] = "-I";
		argv[n++] = (char *)(o->src ? o->src : o->iface);
	}
	argv[n++] = (char *)o->address;
	argv[n] = NULL;
}

static char *run_ping(char **argv, int *status)
{
	int pfd[2];
	struct sbuf b;
	sb_init(&b);
	if (pipe2(pfd, O_CLOEXEC) < 0)
		return NULL;
	pid_t pid = fork();
	if (pid == 0) {
		dup2(pfd[1], 1);
		dup2(pfd[1], 2);
		execvp("ping", argv);
		_exit(127);
	}
	close(pfd[1]);
	char buf[1024];
	ssize_t n;
	while ((n = read(pfd[0], buf, sizeof(buf))) > 0)
		sb_addn(&b, buf, (size_t)n);
	close(pfd[0]);
	if (pid < 0 || waitpid(pid, status, 0) < 0)
		*status = -1;
	return sb_take(&b);
}

static void reply_line(struct sbuf *out, const char *line, const struct ping_opts *o)
{
	int seq = 0, ttl = 0, bytes = 0;
	double ms = 0;
	const char *p;
	if ((p = strstr(line, "icmp_seq=")))
		seq = atoi(p + 9) - 1;
	if (strstr(line, "bytes from") && sscanf(line, "%d bytes", &bytes) == 1) {
		if ((p = strstr(line, "ttl=")))
			ttl = atoi(p + 4);
		if ((p = strstr(line, "time=")))
			ms = atof(p + 5);
		sb_printf(out, "%5d %-40s %4d %3d %.3fms\n", seq, o->address, bytes + (o->family == AF_INET6 ? 48 : 28) - 8,
			  ttl, ms);
	} else if (strstr(line, "no answer yet")) {
		sb_printf(out, "%5d %-40s %26s\n", seq, o->address, "timeout");
	} else if (strstr(line, "Frag needed") || strstr(line, "Message too long") || strstr(line, "too big")) {
		sb_printf(out, "%5d %-40s %26s\n", seq, o->address, "packet too big");
	} else if (strstr(line, "Unreachable") || strstr(line, "unreachable")) {
		sb_printf(out, "%5d %-40s %26s\n", seq, o->address, "host unreachable");
	}
}

static void summary(struct sbuf *out, const char *text)
{
	int sent = 0, recv = 0, loss = 0;
	double mn = 0, avg = 0, mx = 0;
	const char *p = strstr(text, "packets transmitted");
	if (p) {
		while (p > text && p[-1] != '\n')
			p--;
		sscanf(p, "%d packets transmitted, %d received", &sent, &recv);
		const char *l = strstr(p, "% packet loss");
		if (l) {
			while (l > p && l[-1] != ' ' && l[-1] != ',')
				l--;
			loss = atoi(l);
		}
	}
	if ((p = strstr(text, "min/avg/max")) && (p = strchr(p, '=')))
		sscanf(p + 1, " %lf/%lf/%lf", &mn, &avg, &mx);
	sb_printf(out, "    sent=%d received=%d packet-loss=%d%%", sent, recv, loss);
	if (recv)
		sb_printf(out, " min-rtt=%.3fms avg-rtt=%.3fms max-rtt=%.3fms", mn, avg, mx);
	sb_addc(out, '\n');
}

static int cmd_ping(struct wg_call *c)
{
	struct wg_args a;
	struct ping_opts o = { 0 };
	char *argv[24], bufs[3][32];
	int status = 0;
	int rc = wg_collect_args(c, &a);
	if (!rc)
		rc = parse_ping(c, &a, &o);
	if (!rc) {
		build_argv(&o, argv, bufs);
		wg_session_wait_enter(c->s); /* o and argv point into a, not the store */
		char *text = run_ping(argv, &status);
		wg_session_wait_leave(c->s);
		struct sbuf out, sum;
		sb_init(&out);
		sb_init(&sum);
		summary(&sum, text ? text : ""); /* before the lines are cut apart below */
		sb_printf(&out, "  SEQ HOST                                     SIZE TTL TIME       STATUS\n");
		for (char *l = text, *e; l && *l; l = e ? e + 1 : NULL) {
			e = strchr(l, '\n');
			if (e)
				*e = 0;
			reply_line(&out, l, &o);
		}
		sb_add(&out, sb_str(&sum));
		sb_free(&sum);
		wg_outs(c->s, sb_str(&out));
		if (text && (strstr(out.s, "sent=0 ") && (strstr(text, "unknown host") || strstr(text, "Name or service"))))
			rc = wg_err(c->s, "failure: could not resolve %s", o.address);
		sb_free(&out);
		free(text);
	}
	wg_args_free(&a);
	return rc;
}

const struct wg_cmddef wg_system_cmds[] = {
	{ "ping", cmd_ping, 0, "/" },
	{ "ping", cmd_ping, 0, "/tool" },
	{ NULL, NULL, 0, NULL },
};
