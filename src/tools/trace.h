/* traceroute's engine: probes with a growing TTL (ICMP echo on a raw socket, or UDP to
 * high ports with IP_RECVERR), the answers matched to their probe, and per-hop
 * statistics (loss, last, average, best, worst, standard deviation) as RouterOS shows
 * them. It never waits: the caller polls trace_fd (the console does it with the router
 * released) and calls wg_trace_read when it is readable. Times are passed in (µs), so
 * the statistics are tested without a network. */
#ifndef WG_TOOLS_TRACE_H
#define WG_TOOLS_TRACE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "tools/pkt.h"

enum { WG_TRACE_MAX_HOPS = 64, WG_TRACE_MAX_COUNT = 100, WG_TRACE_MAX_SIZE = 65000 };

struct wg_trace_opts {
	int family;              /* AF_INET / AF_INET6 */
	uint8_t dst[16];
	bool have_src;
	uint8_t src[16];
	bool udp;                /* protocol=udp (else icmp) */
	unsigned size;           /* whole IP packet, RouterOS's size= */
	unsigned max_hops;
};

struct wg_trace_hop {
	bool has_addr;
	uint8_t addr[16];        /* the last router (or the target) that answered */
	unsigned sent, recv;
	double last_ms, sum, sumsq, best, worst;
	bool last_timeout;
	char status[48];         /* "host unreachable", "<fragmentation needed>" ... */
};

struct wg_trace;

/* Opens the sockets. -1 with err set (an address family mismatch, no permission). */
int wg_trace_open(struct wg_trace **out, const struct wg_trace_opts *o, char *err, size_t errlen);
void wg_trace_close(struct wg_trace *t);
int wg_trace_fd(const struct wg_trace *t);
/* Sends one probe to every hop up to the current limit (max-hops until the target
 * answered, then the target's hop); now_us the monotonic time. */
void wg_trace_round_start(struct wg_trace *t, uint64_t now_us);
/* Reads every answer waiting on the socket. */
void wg_trace_read(struct wg_trace *t, uint64_t now_us);
/* Are all of this round's probes answered? */
bool wg_trace_round_done(const struct wg_trace *t);
/* Counts the probes still unanswered as lost. */
void wg_trace_round_end(struct wg_trace *t);
/* The hops to show (1..n): the target's hop once reached, else every hop probed. */
size_t wg_trace_nhops(const struct wg_trace *t);
const struct wg_trace_hop *wg_trace_hop(const struct wg_trace *t, size_t i);
bool wg_trace_reached(const struct wg_trace *t);

/* ---- statistics and their text (pure) ---- */
void wg_trace_hop_sent(struct wg_trace_hop *h);
void wg_trace_hop_answer(struct wg_trace_hop *h, int family, const uint8_t *from, double ms);
void wg_trace_hop_lost(struct wg_trace_hop *h);
/* The columns RouterOS prints: LOSS "33.3%", LAST "0.5ms" or "timeout", AVG/BEST/WORST
 * "0.5", STD-DEV "0.1"; empty when nothing answered. Each into a 24-byte buffer. */
void wg_trace_hop_text(const struct wg_trace_hop *h, char loss[24], char last[24], char avg[24], char best[24],
		       char worst[24], char stddev[24]);
/* Why a hop's answer was not a plain time-exceeded (ICMP type/code), "" for none. */
const char *wg_trace_status(int family, const struct wg_icmp_msg *m);
#endif
