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
/* "1.2.3.4:51820" or "[2001:db8::1]:51820"; buf of at least WG_ENDPOINT_STRLEN. */
enum { WG_ENDPOINT_STRLEN = 64 };
const char *wg_endpoint_str(const struct wg_endpoint *e, char *buf);
#endif
