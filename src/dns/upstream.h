/* Asking upstream DNS servers, over UDP and over TCP (RFC 1035 4.2, RFC 7766). Every
 * call blocks for at most its deadline and gives up at once when stop_fd becomes
 * readable (-1: no stop fd), so the proxy can be stopped while queries are out. */
#ifndef WG_DNS_UPSTREAM_H
#define WG_DNS_UPSTREAM_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include "dns/wire.h"

enum { WG_DNS_TRY_MS = 2000 }; /* per server, as RouterOS's query-server-timeout */


/* Sends query (q is its parse) to server with a fresh random id, from a fresh socket,
 * and waits up to timeout_ms for the reply: from that server, with that id, for the
 * same question (anything else is ignored, so a spoofed answer has to guess both the
 * id and the port). The reply, with the query's id put back, is written to out; its
 * length, or 0 when none came. */
size_t wg_dns_ask_udp(const struct sockaddr_storage *server, const uint8_t *query, size_t qlen,
		      const struct wg_dns_question *q, uint8_t *out, size_t cap, int timeout_ms, int stop_fd);
size_t wg_dns_ask_tcp(const struct sockaddr_storage *server, const uint8_t *query, size_t qlen,
		      const struct wg_dns_question *q, uint8_t *out, size_t cap, int timeout_ms, int stop_fd);

/* The servers in turn, WG_DNS_TRY_MS each: the first reply that is not SERVFAIL or
 * REFUSED. A truncated reply is asked again over TCP when tcp (the client came over
 * TCP and can take the whole answer); otherwise, or when TCP fails, it is passed on with
 * TC so the client asks again over TCP. The length, or 0 when every server failed. */
size_t wg_dns_forward(const struct sockaddr_storage *servers, size_t n, const uint8_t *query, size_t qlen,
		      const struct wg_dns_question *q, bool tcp, uint8_t *out, size_t cap, int stop_fd);

/* One length-prefixed message over a TCP stream (non-blocking fd), by deadline_ms
 * (wg_mono_ms time): the length read, 0 on end of stream, timeout, stop, error or a
 * message longer than cap. */
size_t wg_dns_tcp_recv(int fd, uint8_t *buf, size_t cap, uint64_t deadline_ms, int stop_fd);
bool wg_dns_tcp_send(int fd, const uint8_t *msg, size_t len, uint64_t deadline_ms, int stop_fd);
#endif
