/* IP prefixes as RouterOS writes them: "10.0.0.0/24", "fd00::/64", and a bare address
 * meaning a host prefix (/32 or /128). Pure code: the router, the netlink layer and the
 * firewall compiler all parse and print addresses through here so they agree. */
#ifndef WG_SYS_PREFIX_H
#define WG_SYS_PREFIX_H
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

struct wg_prefix {
	int family;        /* AF_INET or AF_INET6; 0 = unset */
	uint8_t addr[16];  /* network byte order; IPv4 uses the first 4 bytes */
	uint8_t len;       /* prefix length: 0..32 or 0..128 */
};

/* Longest text wg_prefix_format can produce, with the NUL. */
enum { WG_PREFIX_STRLEN = 48 /* INET6_ADDRSTRLEN + "/128" */ };

/* Parses "a.b.c.d[/n]" or "x::y[/n]". Host bits are kept (an interface address such as
 * 10.0.0.1/24 needs them); use wg_prefix_mask for the network. 0 or -EINVAL. */
int wg_prefix_parse(struct wg_prefix *out, const char *s);
/* Parses a bare address (no "/n"); the result has len 32 or 128. 0 or -EINVAL. */
int wg_addr_parse(struct wg_prefix *out, const char *s);
/* "10.0.0.0/24"; a host prefix prints without "/n" when bare_host is true.
 * buf must hold WG_PREFIX_STRLEN bytes; returns buf. */
char *wg_prefix_format(const struct wg_prefix *p, bool bare_host, char *buf);
/* The address alone, e.g. "10.0.0.1"; buf of WG_PREFIX_STRLEN; returns buf. */
char *wg_addr_format(int family, const uint8_t *addr, char *buf);

static inline int wg_prefix_maxlen(int family) { return family == AF_INET6 ? 128 : 32; }
static inline int wg_prefix_addrlen(int family) { return family == AF_INET6 ? 16 : 4; }
/* Clears the host bits: 10.0.0.1/24 -> 10.0.0.0/24. */
void wg_prefix_mask(struct wg_prefix *p);
/* True when no host bits are set. */
bool wg_prefix_is_network(const struct wg_prefix *p);
/* Same family, same length, same address bytes (host bits included). */
bool wg_prefix_eq(const struct wg_prefix *a, const struct wg_prefix *b);
/* True when every address of inner lies in outer. */
bool wg_prefix_contains(const struct wg_prefix *outer, const struct wg_prefix *inner);
/* True when the two prefixes share at least one address (one contains the other). */
bool wg_prefix_overlaps(const struct wg_prefix *a, const struct wg_prefix *b);
#endif
