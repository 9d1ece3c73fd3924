/* A hop's statistics and the text of RouterOS's traceroute columns (trace.h). */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include "tools/trace.h"

void wg_trace_hop_sent(struct wg_trace_hop *h)
{
	h->sent++;
}

void wg_trace_hop_answer(struct wg_trace_hop *h, int family, const uint8_t *from, double ms)
{
	h->has_addr = true;
	memcpy(h->addr, from, family == AF_INET6 ? 16 : 4);
	if (h->recv == 0 || ms < h->best)
		h->best = ms;
	if (h->recv == 0 || ms > h->worst)
		h->worst = ms;
	h->recv++;
	h->last_ms = ms;
	h->sum += ms;
	h->sumsq += ms * ms;
	h->last_timeout = false;
}

void wg_trace_hop_lost(struct wg_trace_hop *h)
{
	h->last_timeout = true;
}

/* RouterOS prints times with one decimal (0.5ms, 12.3ms) and whole numbers from 100. */
static void ms_text(double ms, char out[24], const char *unit)
{
	if (ms >= 100)
		snprintf(out, 24, "%.0f%s", ms, unit);
	else
		snprintf(out, 24, "%.1f%s", ms, unit);
}

void wg_trace_hop_text(const struct wg_trace_hop *h, char loss[24], char last[24], char avg[24], char best[24],
		       char worst[24], char stddev[24])
{
	unsigned lost = h->sent - h->recv;
	double pct = h->sent ? 100.0 * lost / h->sent : 0;
	if (pct == 0 || pct == 100 || pct * 10 == (double)(long)(pct * 10))
		snprintf(loss, 24, "%g%%", pct);
	else
		snprintf(loss, 24, "%.1f%%", pct);
	last[0] = avg[0] = best[0] = worst[0] = stddev[0] = 0;
	if (h->last_timeout)
		snprintf(last, 24, "timeout");
	else if (h->recv)
		ms_text(h->last_ms, last, "ms");
	if (!h->recv)
		return;
	double mean = h->sum / h->recv;
	double var = h->sumsq / h->recv - mean * mean;
	ms_text(mean, avg, "");
	ms_text(h->best, best, "");
	ms_text(h->worst, worst, "");
	ms_text(var > 0 ? sqrt(var) : 0, stddev, "");
}

const char *wg_trace_status(int family, const struct wg_icmp_msg *m)
{
	if (m->kind == WG_ICMP_TOO_BIG)
		return "fragmentation needed";
	if (m->kind != WG_ICMP_UNREACH)
		return "";
	static const char *const v4[] = { "network unreachable", "host unreachable", "protocol unreachable",
					   "port unreachable" };
	static const char *const v6[] = { "no route", "admin prohibited", "beyond scope", "host unreachable",
					   "port unreachable" };
	if (family == AF_INET)
		return m->code < 4 ? v4[m->code] : m->code == 13 ? "admin prohibited" : "unreachable";
	return m->code < 5 ? v6[m->code] : "unreachable";
}
