/* The UDP "bind", Linux: one IPv4 and one IPv6 socket on the same port, moving datagrams
 * in batches (recvmmsg/sendmmsg, up to WG_UDP_BATCH per system call) with the kernel's
 * UDP segmentation offload (UDP_SEGMENT: many equal datagrams to one peer leave as one
 * send) and, if asked, receive offload (UDP_GRO: many arrive as one).
 *
 * Every received datagram reports the local address and interface it arrived on, and a
 * send may name the local address to leave from ("sticky source", as the kernel's
 * WireGuard does), both in struct wg_endpoint. Buffers belong to the caller; nothing is
 * allocated per datagram.
 *
 * The sockets are blocking: a receive waits for the first datagram, then takes whatever
 * else is already queued. wg_udp_shutdown wakes receivers blocked on them. */
#ifndef WG_PLATFORM_UDP_H
#define WG_PLATFORM_UDP_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "core/endpoint.h"

enum {
	WG_UDP_BATCH = 128,        /* datagrams per recvmmsg/sendmmsg */
	WG_UDP_GSO_SEGS = 64,      /* datagrams per UDP_SEGMENT send (the kernel's limit) */
	WG_UDP_GRO_BUF = 65536,    /* receive buffer needed per message with GRO on */
};

struct wg_udp_msg {
	uint8_t *buf;
	/* recv: in = room in buf, out = bytes received (0 if the datagram did not fit).
	 * send: bytes to send. */
	size_t len;
	/* recv: the sender, and in src/src_ifindex the local address it was sent to.
	 * send: the destination, and the source address to use (zero: let routing choose).
	 * If that address is gone from the host the send clears src here and retries, so the
	 * caller can see it and forget the stale source. */
	struct wg_endpoint ep;
	/* recv: 0 = one datagram; else buf holds datagrams of this size back to back (GRO),
	 * the last maybe shorter; walk them with wg_udp_next. send: the same layout offered
	 * by the caller; 0 = one datagram. */
	uint16_t gso_size;
};

struct wg_udp {
	int fd4, fd6;      /* -1 when the family is not available on this host */
	uint16_t port;
	uint32_t fwmark;
	bool gso;          /* UDP_SEGMENT works; cleared for good if the kernel says EIO */
	bool gro;          /* UDP_GRO is on */
};

/* Opens both sockets on `port` (0: the kernel picks one free for IPv4 and IPv6 alike),
 * with 7 MB buffers, packet info and, if fwmark != 0, that mark. Returns 0 or -errno
 * (-EADDRINUSE if the port is taken). */
int wg_udp_open(struct wg_udp *u, uint16_t port, uint32_t fwmark);
void wg_udp_close(struct wg_udp *u);
/* As wg_udp_open, with SO_REUSEPORT: more sets join the port with wg_udp_join, and the
 * kernel spreads arriving datagrams over the sets by a hash of their addresses and ports
 * (one sender's datagrams always reach the same set). Fails as wg_udp_open does if
 * anything already holds the port, even another SO_REUSEPORT socket. */
int wg_udp_open_shared(struct wg_udp *u, uint16_t port, uint32_t fwmark);
/* Opens one more set on the port of `set` (opened by wg_udp_open_shared), with its mark
 * and GRO setting and the same families. Returns 0 or -errno. */
int wg_udp_join(struct wg_udp *u, const struct wg_udp *set);
/* Moves to a new port (0: any), keeping mark and GRO. On failure the old sockets stay,
 * unless port equals the current port, which can only be had by closing first. Callers
 * must not be inside wg_udp_recv_batch/send_batch on the old fds meanwhile. */
int wg_udp_rebind(struct wg_udp *u, uint16_t port);
uint16_t wg_udp_port(const struct wg_udp *u);
/* SO_MARK on both sockets (needs CAP_NET_ADMIN); 0 clears it. */
int wg_udp_set_mark(struct wg_udp *u, uint32_t mark);
/* UDP_GRO on both sockets. Only with receive buffers of WG_UDP_GRO_BUF bytes: a GRO
 * message larger than the buffer is cut short and lost. Returns 0 or -errno. */
int wg_udp_set_gro(struct wg_udp *u, bool on);
/* Keeps only datagrams whose first four bytes, read little-endian, are one of the n
 * (<= 8) words: the kernel drops the others before they reach the receive buffer (a
 * garbage flood then costs no receive call). n = 0 removes it. Set it again after an
 * open or rebind. Returns 0 or -errno. */
int wg_udp_set_prefix_filter(struct wg_udp *u, const uint32_t *words, int n);
/* For a set opened with wg_udp_open_shared, once all n sets have joined: the kernel
 * gives each arriving datagram to the set numbered (its payload's byte at `offset`)
 * mod n, sets numbered in the order they joined (the opener is 0); a datagram too short
 * for the byte goes by the kernel's hash. One program serves the whole group, IPv4 and
 * IPv6 alike. Returns 0 or -errno. */
int wg_udp_set_steering(struct wg_udp *u, unsigned offset, unsigned n);
/* Wakes threads blocked in wg_udp_recv_batch; their call returns 0 from then on. */
void wg_udp_shutdown(struct wg_udp *u);

/* Receives up to n (<= WG_UDP_BATCH) messages from fd (u->fd4 or u->fd6). Blocks for the
 * first. Returns the count (0 after shutdown) or -errno. */
int wg_udp_recv_batch(int fd, struct wg_udp_msg *msgs, int n);

/* Sends n messages. Runs of consecutive messages to the same endpoint with the same
 * length (the last of a run may be shorter) leave as one UDP_SEGMENT send when the
 * kernel supports it. Every message is attempted; returns 0 or the -errno of the first
 * that failed. */
int wg_udp_send_batch(struct wg_udp *u, struct wg_udp_msg *msgs, int n);

/* Walks the datagrams in a message: start with *off = 0; each call returns the next
 * datagram's length and start, then 0 at the end. */
static inline size_t wg_udp_next(const struct wg_udp_msg *m, size_t *off, uint8_t **data)
{
	if (*off >= m->len)
		return 0;
	size_t seg = m->gso_size ? m->gso_size : m->len;
	size_t n = m->len - *off < seg ? m->len - *off : seg;
	*data = m->buf + *off;
	*off += n;
	return n;
}
#endif
