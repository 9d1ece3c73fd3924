/* A peer's network address, plus the local address it last reached us on so replies
 * leave from that same address (sticky source). Plain data: the core compares and
 * copies it, the platform layer fills and uses it. */
#ifndef WG_ENDPOINT_H
#define WG_ENDPOINT_H
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

struct wg_endpoint {
	union {
		struct sockaddr sa;
		struct sockaddr_in sin;
		struct sockaddr_in6 sin6;
	} addr;               /* family AF_UNSPEC (0) = no endpoint */
	union {
		struct in_addr v4;
		struct in6_addr v6;
	} src;                /* local address the peer's packet arrived on; zero = any */
	int src_ifindex;
};

/* Same remote address and port (the local source is not compared). */
bool wg_endpoint_eq(const struct wg_endpoint *a, const struct wg_endpoint *b);
/* "1.2.3.4:51820", "[2001:db8::1]:51820", or with a scope "[fe80::1%3]:51820" (as the UAPI
 * writes it); "(none)" for another family. buf of at least WG_ENDPOINT_STRLEN. The one
 * formatter of socket addresses: the core's logs, the UAPI and the router use it. */
enum { WG_ENDPOINT_STRLEN = 80 };
const char *wg_sockaddr_str(const struct sockaddr *sa, char *buf);
const char *wg_endpoint_str(const struct wg_endpoint *e, char *buf);
#endif
