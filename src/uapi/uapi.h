/* The cross-platform userspace API (UAPI): the text protocol that `wg` and `wg-quick`
 * speak to a userspace WireGuard over /var/run/wireguard/IFNAME.sock.
 *
 * Stream in, stream out: the handler reads one request from a FILE and writes the reply
 * to a FILE, so it runs the same over a socket, over fmemopen() in a test, or under a
 * fuzzer. "get" replies are written as they are produced (never assembled in memory),
 * so a device with 10,000 peers and 100,000 allowed IPs needs no more memory than one
 * line.
 *
 * Behaviour follows wireguard-go 0.0.20220316 (device/uapi.go) except where noted:
 *  - "set" is applied line by line, not as a transaction: the lines before a bad one have
 *    taken effect (as in wireguard-go). Unlike wireguard-go, the remaining lines of the
 *    request are read and discarded up to the blank line, so the stream stays in sync and
 *    the connection can carry the next request.
 *  - A peer opened by public_key= is created only when a line needs it or when its
 *    section ends, so update_only=true on an unknown peer never creates it, and a
 *    section cut short by an error does not leave a new empty peer behind.
 *  - endpoint= also accepts "host:port" (resolved through ops->resolve); wireguard-go
 *    accepts address literals only (`wg` resolves names before sending).
 *  - allowed_ip=-prefix removes one prefix (newer wireguard-go and wg tools).
 *  - An unknown operation is answered with errno=-71 before the stream is abandoned;
 *    wireguard-go closes without answering.
 */
#ifndef WG_UAPI_H
#define WG_UAPI_H
#include <stdint.h>
#include <stdio.h>
#include "core/device.h"

/* What the core does not own: sockets and fwmark live in the data plane. Every
 * callback may be NULL (get_* then read as 0, set_* fail with -EOPNOTSUPP). */
struct wg_uapi_ops {
	void *ctx;
	uint16_t (*get_listen_port)(void *ctx);
	/* 0 = a random free port; returns 0 or -errno (-EADDRINUSE is passed to the client). */
	int (*set_listen_port)(void *ctx, uint16_t port);
	uint32_t (*get_fwmark)(void *ctx);
	int (*set_fwmark)(void *ctx, uint32_t mark);
	/* Passed to wg_peer_set_persistent_keepalive so turning it on sends one at once. */
	const struct wg_sink *sink;

	/* Optional serialisation against the data plane. When set, the handler takes the
	 * lock around each applied "set" line and around a whole "get", and never while it
	 * waits for the client's input, so a slow client cannot stall packet processing.
	 * When NULL, the caller serialises around wg_uapi_handle itself. The get/set
	 * callbacks above run with this lock held; resolve and log run without it. */
	void (*lock)(void *ctx);
	void (*unlock)(void *ctx);

	/* Optional. Resolves a host name of "endpoint=host:port". Returns 0 and fills ep
	 * (port included), or a getaddrinfo EAI_* code. NULL: wg_uapi_resolve (getaddrinfo). */
	int (*resolve)(void *ctx, const char *host, uint16_t port, struct wg_endpoint *ep);
	/* Optional. One line per rejected request, naming the field, the allowed values and
	 * the bad input (as `wg` itself reports parse errors). */
	void (*log)(void *ctx, const char *msg);
};

/* Reads ONE request from in ("get=1\n\n" or "set=1\n" ... "\n"), applies it to dev and
 * writes the reply to out: "key=value\n" lines, then "errno=N\n\n".
 * Returns 0 after a complete request (even one answered with an error), 1 on a clean
 * EOF before a request, -1 on an I/O error or an unknown operation (after replying
 * errno=-71 where possible): the caller should then drop the connection. */
int wg_uapi_handle(struct wg_device *dev, const struct wg_uapi_ops *ops, FILE *in, FILE *out);
/* The same, and *status receives the errno value sent in the reply (0 or negative) for
 * in-process callers that want the outcome without parsing the reply. */
int wg_uapi_handle_status(struct wg_device *dev, const struct wg_uapi_ops *ops, FILE *in,
			  FILE *out, int *status);

/* The default resolver (getaddrinfo, first result, UDP). Blocks while it resolves. */
int wg_uapi_resolve(void *ctx, const char *host, uint16_t port, struct wg_endpoint *ep);
#endif
