/* /ip/dns/static as the proxy answers it: a name (case-insensitive) with an IPv4 (A) or
 * IPv6 (AAAA) address and a TTL. A name with static entries is answered here only, never
 * forwarded: a query of a type it has no entry of gets an empty NOERROR answer. */
#ifndef WG_DNS_STATIC_H
#define WG_DNS_STATIC_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "dns/wire.h"

struct wg_dns_static {
	uint8_t name[WG_DNS_NAME_MAX]; /* wire format, lowercased */
	size_t namelen;
	unsigned type;                 /* WG_DNS_T_A or WG_DNS_T_AAAA */
	uint8_t addr[16];
	uint32_t ttl;
};

/* Fills s from the menu's text values; -1 when the name or the address is not valid. */
int wg_dns_static_init(struct wg_dns_static *s, const char *name, const char *address, uint32_t ttl);
/* The reply to query q from the n statics into out (at most cap bytes): its length, or
 * 0 when no static has the name (or the class is not IN), so the query goes on. */
size_t wg_dns_static_answer(const struct wg_dns_static *s, size_t n, const uint8_t *query,
			    const struct wg_dns_question *q, uint8_t *out, size_t cap);
#endif
