/* Parsers and formatters for UAPI values, one per kind of value.
 *
 * Each parser returns true on success; on failure it leaves exactly one message in *d
 * naming the field, the values it allows and the bad input (secrets are never echoed),
 * in the style of wireguard-tools. They are pure: no I/O, no locks, no allocation,
 * except that an IPv6 scope given by interface name is looked up (if_nametoindex). */
#ifndef WG_UAPI_PARSE_H
#define WG_UAPI_PARSE_H
#include <stdbool.h>
#include <stdint.h>
#include "core/endpoint.h"
#include "crypto/crypto.h"

struct uapi_diag { char msg[384]; };

/* Formats "<field>: expected <allowed>, got `<value>'" and returns false. value NULL
 * hides the input (keys). */
bool uapi_fail(struct uapi_diag *d, const char *field, const char *allowed, const char *value);

/* Exactly 64 hex digits (either case), as wireguard-go's FromHex. */
bool uapi_parse_key(uint8_t key[WG_KEY_LEN], const char *field, const char *value,
		    bool secret, struct uapi_diag *d);
/* Decimal digits only (leading zeros allowed, as Go's ParseUint), at most max. */
bool uapi_parse_uint(uint64_t *out, uint64_t max, const char *field, const char *value,
		     struct uapi_diag *d);
/* The only value flags take: "true". */
bool uapi_parse_true(const char *field, const char *value, struct uapi_diag *d);

struct uapi_prefix {
	int family;          /* AF_INET or AF_INET6 */
	uint8_t addr[16];    /* 4 or 16 bytes used, masked to cidr */
	uint8_t cidr;
};
/* "a.b.c.d/n" (n 0..32) or "v6addr/n" (n 0..128); host bits are cleared. */
bool uapi_parse_prefix(struct uapi_prefix *p, const char *field, const char *value,
		       struct uapi_diag *d);
enum { UAPI_PREFIX_STRLEN = 64 };
const char *uapi_format_prefix(char buf[UAPI_PREFIX_STRLEN], int family, const uint8_t *addr,
			       uint8_t cidr);

enum { UAPI_HOST_MAX = 253 };
/* An endpoint as written: an address literal, or a host name still to be resolved. */
struct uapi_endpoint_spec {
	struct wg_endpoint ep;          /* the literal, when host is "" */
	char host[UAPI_HOST_MAX + 1];   /* a DNS name, else "" */
	uint16_t port;
};
/* "a.b.c.d:port", "[v6addr]:port", "[v6addr%scope]:port" (scope: a number or an
 * interface name) or "hostname:port". */
bool uapi_parse_endpoint(struct uapi_endpoint_spec *spec, const char *field, const char *value,
			 struct uapi_diag *d);

/* Interface index of an IPv6 scope name, 0 if there is none (platform lookup). */
unsigned uapi_scope_index(const char *name);
#endif
