/* See trace.h. A probe's sequence number says its round and TTL, so an answer finds its
 * hop without a table search, and a late answer from an earlier round is ignored. */
#include "tools/trace.h"
#include <errno.h>
#include <time.h>
#include <linux/errqueue.h>
#include <linux/icmp.h>
#include <math.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>
#include "util/alloc.h"

/* Probes run at most WINDOW hops ahead of the last hop that answered: hosts limit the
 * ICMP errors they send (Linux: a burst of 6, then one a second per source), so a probe
 * for every TTL at once would have the target's errors for TTLs past it use up the
 * answers the later rounds need. */
enum { UDP_BASE_PORT = 33434, ROUNDS_IN_SEQ = 1000, WINDOW = 3 };

struct probe {
	uint64_t sent_us;
	bool pending;
};

struct wg_trace {
	struct wg_trace_opts o;
	int fd;
	uint16_t ident;
	unsigned round;
	unsigned limit;           /* last hop to probe: max-hops, or the target's */
	unsigned hi;              /* last hop probed in this round */
	unsigned next_hi;         /* where the next round's window starts */
	uint64_t round_us;        /* this round's send time */
	unsigned reached;         /* TTL at which the target (or a final error) answered; 0 */
	unsigned shown;           /* highest hop probed so far */
	struct probe probes[WG_TRACE_MAX_HOPS + 1];
	struct wg_trace_hop hops[WG_TRACE_MAX_HOPS + 1];
	uint8_t *payload;
	size_t plen;
};

static uint16_t seq_of(const struct wg_trace *t, unsigned ttl)
{
	return (uint16_t)((t->round % ROUNDS_IN_SEQ) * WG_TRACE_MAX_HOPS + ttl - 1);
}

/* The TTL of this round's probe seq, or 0 when seq is of another round. */
static unsigned ttl_of(const struct wg_trace *t, uint16_t seq)
{
	if (seq / WG_TRACE_MAX_HOPS != t->round % ROUNDS_IN_SEQ)
		return 0;
	return seq % WG_TRACE_MAX_HOPS + 1u;
}

static void addr_from(const struct sockaddr_storage *ss, uint8_t out[16])
{
	memset(out, 0, 16);
	if (ss->ss_family == AF_INET)
		memcpy(out, &((const struct sockaddr_in *)ss)->sin_addr, 4);
	else if (ss->ss_family == AF_INET6)
		memcpy(out, &((const struct sockaddr_in6 *)ss)->sin6_addr, 16);
}

/* Only the ICMP types a traceroute needs reach the raw socket. */
static void icmp_filter(int fd, int family)
{
	if (family == AF_INET) {
		struct icmp_filter f = { ~((1u << ICMP_ECHOREPLY) | (1u << ICMP_DEST_UNREACH) | (1u << ICMP_TIME_EXCEEDED)) };
		setsockopt(fd, SOL_RAW, ICMP_FILTER, &f, sizeof(f));
		return;
	}
	struct icmp6_filter f;
	ICMP6_FILTER_SETBLOCKALL(&f);
	ICMP6_FILTER_SETPASS(ICMP6_ECHO_REPLY, &f);
	ICMP6_FILTER_SETPASS(ICMP6_DST_UNREACH, &f);
	ICMP6_FILTER_SETPASS(ICMP6_TIME_EXCEEDED, &f);
	ICMP6_FILTER_SETPASS(ICMP6_PACKET_TOO_BIG, &f);
	setsockopt(fd, IPPROTO_ICMPV6, ICMP6_FILTER, &f, sizeof(f));
}

static int open_socket(struct wg_trace *t, char *err, size_t errlen)
{
	int fam = t->o.family, one = 1;
	if (t->o.udp)
		t->fd = socket(fam, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_UDP);
	else
		t->fd = socket(fam, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, fam == AF_INET ? IPPROTO_ICMP : IPPROTO_ICMPV6);
	if (t->fd < 0) {
		snprintf(err, errlen, "failure: cannot open socket (%s)", strerror(errno));
		return -1;
	}
	if (t->o.udp)
		setsockopt(t->fd, fam == AF_INET ? IPPROTO_IP : IPPROTO_IPV6, fam == AF_INET ? IP_RECVERR : IPV6_RECVERR,
			   &one, sizeof(one));
	else
		icmp_filter(t->fd, fam);
	if (t->o.have_src) {
		struct sockaddr_storage ss;
		socklen_t sl = wg_pkt_sockaddr(fam, t->o.src, 0, &ss);
		if (bind(t->fd, (struct sockaddr *)&ss, sl) < 0) {
			snprintf(err, errlen, "failure: cannot use src-address (%s)", strerror(errno));
			return -1;
		}
	}
	return 0;
}

int wg_trace_open(struct wg_trace **out, const struct wg_trace_opts *o, char *err, size_t errlen)
{
	struct wg_trace *t = xcalloc(1, sizeof(*t));
	t->o = *o;
	t->fd = -1;
	t->limit = o->max_hops ? (o->max_hops > WG_TRACE_MAX_HOPS ? WG_TRACE_MAX_HOPS : o->max_hops) : 30;
	unsigned hdr = (o->family == AF_INET6 ? 40 : 20) + 8;
	t->plen = o->size > hdr ? o->size - hdr : 0;
	if (t->plen > WG_TRACE_MAX_SIZE)
		t->plen = WG_TRACE_MAX_SIZE;
	t->payload = xcalloc(1, t->plen + 8);
	if (getrandom(&t->ident, sizeof(t->ident), 0) != sizeof(t->ident))
		t->ident = (uint16_t)getpid();
	if (open_socket(t, err, errlen) < 0) {
		wg_trace_close(t);
		return -1;
	}
	*out = t;
	return 0;
}

void wg_trace_close(struct wg_trace *t)
{
	if (!t)
		return;
	if (t->fd >= 0)
		close(t->fd);
	free(t->payload);
	free(t);
}

int wg_trace_fd(const struct wg_trace *t) { return t->fd; }

static void set_ttl(struct wg_trace *t, unsigned ttl)
{
	int v = (int)ttl;
	if (t->o.family == AF_INET)
		setsockopt(t->fd, IPPROTO_IP, IP_TTL, &v, sizeof(v));
	else
		setsockopt(t->fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &v, sizeof(v));
}

/* ICMP: an echo request carrying ident and seq (ICMPv6's checksum is the kernel's).
 * UDP: the seq in the first two payload bytes, as the error queue hands back the
 * payload. */
static int send_probe(struct wg_trace *t, unsigned ttl, uint16_t seq)
{
	struct sockaddr_storage ss;
	set_ttl(t, ttl);
	if (t->o.udp) {
		socklen_t sl = wg_pkt_sockaddr(t->o.family, t->o.dst, (uint16_t)(UDP_BASE_PORT + ttl - 1), &ss);
		uint8_t *p = t->payload;
		p[0] = (uint8_t)(seq >> 8);
		p[1] = (uint8_t)seq;
		size_t n = t->plen < 2 ? 2 : t->plen;
		/* With IP_RECVERR an earlier probe's ICMP error is reported by the next send
		 * (and cleared by it): that send is tried again. */
		ssize_t rc = -1;
		for (int i = 0; i < 4 && rc < 0; i++)
			rc = sendto(t->fd, p, n, 0, (struct sockaddr *)&ss, sl);
		return (int)rc;
	}
	socklen_t sl = wg_pkt_sockaddr(t->o.family, t->o.dst, 0, &ss);
	size_t n = 8 + t->plen;
	uint8_t *m = xcalloc(1, n);
	m[0] = t->o.family == AF_INET ? 8 : 128;
	m[4] = (uint8_t)(t->ident >> 8);
	m[5] = (uint8_t)t->ident;
	m[6] = (uint8_t)(seq >> 8);
	m[7] = (uint8_t)seq;
	if (t->o.family == AF_INET) {
		uint16_t c = wg_inet_csum(m, n);
		m[2] = (uint8_t)(c >> 8);
		m[3] = (uint8_t)c;
	}
	int rc = (int)sendto(t->fd, m, n, 0, (struct sockaddr *)&ss, sl);
	free(m);
	return rc;
}

/* Probes hops up to `upto` (at most the limit) that this round has not probed yet. */
static void send_upto(struct wg_trace *t, unsigned upto, uint64_t now_us)
{
	if (upto > t->limit)
		upto = t->limit;
	for (unsigned ttl = t->hi + 1; ttl <= upto; ttl++) {
		struct probe *p = &t->probes[ttl];
		p->pending = true;
		p->sent_us = now_us;
		wg_trace_hop_sent(&t->hops[ttl]);
		send_probe(t, ttl, seq_of(t, ttl)); /* a refused send counts as a loss */
	}
	if (upto > t->hi)
		t->hi = upto;
	if (t->hi > t->shown)
		t->shown = t->hi;
}

void wg_trace_round_start(struct wg_trace *t, uint64_t now_us)
{
	t->round++;
	t->hi = 0;
	t->round_us = now_us;
	if (!t->next_hi)
		t->next_hi = WINDOW;
	send_upto(t, t->reached ? t->reached : t->next_hi, now_us);
}

/* The answer from `from` to this round's probe seq, of the kind given. */
static void answered(struct wg_trace *t, uint16_t seq, const uint8_t *from, const struct wg_icmp_msg *m, bool target,
		     uint64_t now_us)
{
	unsigned ttl = ttl_of(t, seq);
	if (!ttl || ttl > t->limit || ttl > t->hi || !t->probes[ttl].pending)
		return;
	struct probe *p = &t->probes[ttl];
	p->pending = false;
	struct wg_trace_hop *h = &t->hops[ttl];
	wg_trace_hop_answer(h, t->o.family, from, (double)(now_us - p->sent_us) / 1000.0);
	snprintf(h->status, sizeof(h->status), "%s", target ? "" : wg_trace_status(t->o.family, m));
	if (target || m->kind == WG_ICMP_UNREACH) { /* nothing lies beyond */
		if (!t->reached || ttl < t->reached)
			t->reached = ttl;
		t->limit = t->reached;
		t->shown = t->reached;
	} else if (!t->reached) {
		send_upto(t, ttl + WINDOW, now_us);
	}
}

static void read_icmp(struct wg_trace *t, uint64_t now_us)
{
	uint8_t buf[1500];
	struct sockaddr_storage ss;
	for (int i = 0; i < 256; i++) {
		socklen_t sl = sizeof(ss);
		ssize_t n = recvfrom(t->fd, buf, sizeof(buf), 0, (struct sockaddr *)&ss, &sl);
		if (n < 0)
			return;
		struct wg_icmp_msg m;
		uint8_t from[16];
		addr_from(&ss, from);
		if (wg_icmp_parse(t->o.family, buf, (size_t)n, &m) < 0 || m.kind == WG_ICMP_OTHER)
			continue;
		bool reply = m.kind == WG_ICMP_ECHO_REPLY;
		if ((reply || m.quotes_echo) && m.id == t->ident)
			answered(t, m.seq, from, &m, reply, now_us);
	}
}

/* One error from the UDP socket's error queue: the ICMP that came back for a probe. */
static bool read_errqueue(struct wg_trace *t, uint64_t now_us)
{
	uint8_t data[64], ctl[512];
	struct sockaddr_storage ss;
	struct iovec iov = { data, sizeof(data) };
	struct msghdr mh = { .msg_name = &ss, .msg_namelen = sizeof(ss), .msg_iov = &iov, .msg_iovlen = 1,
			     .msg_control = ctl, .msg_controllen = sizeof(ctl) };
	ssize_t n = recvmsg(t->fd, &mh, MSG_ERRQUEUE);
	if (n < 0)
		return false;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
		if (!((c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_RECVERR) ||
		      (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_RECVERR)))
			continue;
		struct sock_extended_err *e = (struct sock_extended_err *)CMSG_DATA(c);
		if ((e->ee_origin != SO_EE_ORIGIN_ICMP && e->ee_origin != SO_EE_ORIGIN_ICMP6) || n < 2)
			continue;
		struct sockaddr_storage off;
		memcpy(&off, SO_EE_OFFENDER(e), sizeof(struct sockaddr_in6));
		uint8_t from[16];
		addr_from(&off, from);
		uint8_t v6 = t->o.family == AF_INET6;
		struct wg_icmp_msg m = { .type = e->ee_type, .code = e->ee_code };
		m.kind = v6 ? (e->ee_type == 3 ? WG_ICMP_TIME_EXCEEDED : e->ee_type == 1 ? WG_ICMP_UNREACH : e->ee_type == 2 ? WG_ICMP_TOO_BIG : WG_ICMP_OTHER)
			    : (e->ee_type == 11 ? WG_ICMP_TIME_EXCEEDED : e->ee_type == 3 ? (e->ee_code == 4 ? WG_ICMP_TOO_BIG : WG_ICMP_UNREACH) : WG_ICMP_OTHER);
		bool port_unreach = m.kind == WG_ICMP_UNREACH && e->ee_code == (v6 ? 4 : 3);
		if (m.kind != WG_ICMP_OTHER)
			answered(t, (uint16_t)(data[0] << 8 | data[1]), from, &m, port_unreach, now_us);
	}
	return true;
}

void wg_trace_read(struct wg_trace *t, uint64_t now_us)
{
	if (!t->o.udp) {
		read_icmp(t, now_us);
		return;
	}
	uint8_t junk[64];
	for (int i = 0; i < 256 && read_errqueue(t, now_us); i++)
		;
	while (recv(t->fd, junk, sizeof(junk), MSG_DONTWAIT) >= 0) /* a real UDP answer: ignored */
		;
}

bool wg_trace_round_done(const struct wg_trace *t)
{
	for (unsigned ttl = 1; ttl <= t->hi && ttl <= t->limit; ttl++)
		if (t->probes[ttl].pending)
			return false;
	return true;
}

void wg_trace_round_end(struct wg_trace *t)
{
	for (unsigned ttl = 1; ttl <= t->hi; ttl++)
		if (t->probes[ttl].pending) {
			t->probes[ttl].pending = false;
			if (ttl <= t->limit)
				wg_trace_hop_lost(&t->hops[ttl]);
		}
	t->next_hi = t->hi + WINDOW; /* past hops that keep silent, WINDOW a round */
}

size_t wg_trace_nhops(const struct wg_trace *t) { return t->reached ? t->reached : t->shown; }
const struct wg_trace_hop *wg_trace_hop(const struct wg_trace *t, size_t i) { return &t->hops[i]; }
bool wg_trace_reached(const struct wg_trace *t) { return t->reached != 0; }
