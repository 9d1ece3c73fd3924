/* ICMP echo (ping) of our own, IPv4 and IPv6, over raw sockets: the router pings from
 * inside its own process (no fork of ping(8)), so a long ping can be cancelled at once,
 * streams its replies and reads TTL, size and ICMP errors itself. Raw sockets rather
 * than ICMP datagram sockets: those need net.ipv4.ping_group_range, which a fresh
 * network namespace leaves closed even to root; the daemon has CAP_NET_RAW.
 * Every echo gets an identifier of its own so that concurrent pings (two consoles)
 * never take each other's replies. */
#ifndef WG_SYS_ECHO_H
#define WG_SYS_ECHO_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct wg_echo_opts {
	int family;             /* AF_INET or AF_INET6 */
	uint8_t dst[16];
	bool has_src;
	uint8_t src[16];
	const char *iface;      /* NULL: any (SO_BINDTODEVICE otherwise) */
	int ttl;                /* 0: the system's default */
	bool dont_fragment;
	unsigned size;          /* the whole IP packet, as RouterOS counts it */
};

struct wg_echo {
	int fd, family;
	uint16_t id;
	unsigned payload;
	uint8_t dst[16];
};

enum wg_echo_kind {
	WG_ECHO_REPLY = 1,
	WG_ECHO_UNREACHABLE,    /* destination unreachable (any code but frag needed) */
	WG_ECHO_TOO_BIG,        /* fragmentation needed / packet too big */
	WG_ECHO_TTL_EXCEEDED,
};

struct wg_echo_reply {
	int kind;               /* enum wg_echo_kind */
	uint16_t seq;
	int ttl;                /* replies: the TTL / hop limit they came with (-1 unknown) */
	unsigned size;          /* replies: the whole IP packet */
	uint8_t from[16];
};

/* The smallest and largest size= (an IP header and an ICMP header at least). */
unsigned wg_echo_min_size(int family);
enum { WG_ECHO_MAX_SIZE = 65535 };

/* 0, or -errno (EPERM without CAP_NET_RAW, ENODEV for an unknown interface,
 * EADDRNOTAVAIL for a source address the host does not have). */
int wg_echo_open(struct wg_echo *e, const struct wg_echo_opts *o);
/* Sends echo request seq: 0 or -errno (ENETUNREACH: no route, EMSGSIZE: too big for
 * the path with do-not-fragment, EHOSTUNREACH ...). */
int wg_echo_send(struct wg_echo *e, uint16_t seq);
/* Reads one datagram (non-blocking): 1 when it answers one of our requests (*out
 * filled), 0 when it was someone else's or nothing was there, -errno on error. Local
 * errors queued on the socket (no neighbour: host unreachable) count as answers. */
int wg_echo_recv(struct wg_echo *e, struct wg_echo_reply *out);
/* Parses what a raw ICMP socket of family received (IPv4: with its IP header; IPv6:
 * from the ICMPv6 header, hop_limit from the control message or -1): 1 when it answers
 * identifier id, else 0. Pure: bounded reads only (fuzz_echo). */
int wg_echo_parse(int family, const uint8_t *buf, size_t len, uint16_t id, int hop_limit, struct wg_echo_reply *out);
void wg_echo_close(struct wg_echo *e);
#endif
