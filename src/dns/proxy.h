/* The router's DNS server for clients (/ip/dns allow-remote-requests=yes): UDP and TCP
 * on one port of every address, answering from /ip/dns/static, then from its cache,
 * else by forwarding to /ip/dns servers. It runs on threads of its own, so a slow or
 * silent server never holds up the daemon's loop: one thread reads the sockets and
 * answers what it can without waiting (statics, cache); a query that has to go upstream
 * and every TCP connection get a short-lived thread (at most 100 and 20 at once, the
 * defaults of RouterOS's max-concurrent-queries and max-concurrent-tcp-sessions). */
#ifndef WG_DNS_PROXY_H
#define WG_DNS_PROXY_H
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include "dns/static.h"

struct wg_dns_proxy_conf {
	uint16_t port;                          /* 53; tests pick a free one */
	const struct sockaddr_storage *servers; /* upstream servers with their ports */
	size_t nservers;
	const struct wg_dns_static *statics;
	size_t nstatics;
	size_t cache_bytes;                     /* cache-size, in bytes */
	uint32_t max_ttl;                       /* cache-max-ttl, in seconds */
};

struct wg_dns_proxy_stats {
	uint64_t queries;     /* every datagram or TCP message received */
	uint64_t malformed;   /* dropped: not a query, cut short, bad names or records */
	uint64_t from_static, from_cache, forwarded;
	uint64_t failed;      /* answered SERVFAIL: no server, or none answered */
	uint64_t dropped;     /* no thread free for it (UDP query) or for the connection */
	size_t cache_used;    /* bytes */
};

struct wg_dns_proxy;

/* Binds UDP and TCP port c->port on every address (IPv6 with IPv4 mapped in, IPv4 alone
 * where the host has no IPv6) and starts serving. NULL with *err = -errno when either
 * cannot be bound (EADDRINUSE: another DNS server has the port). */
struct wg_dns_proxy *wg_dns_proxy_start(const struct wg_dns_proxy_conf *c, int *err);
/* New servers, statics and limits, for the next queries (c->port is not changed). The
 * cache is emptied when the servers or its size change: answers of a server no longer
 * configured must not be served on. */
void wg_dns_proxy_update(struct wg_dns_proxy *p, const struct wg_dns_proxy_conf *c);
/* Stops every thread and closes the sockets: the port is free when it returns. */
void wg_dns_proxy_stop(struct wg_dns_proxy *p);
void wg_dns_proxy_stats(struct wg_dns_proxy *p, struct wg_dns_proxy_stats *out);
#endif
