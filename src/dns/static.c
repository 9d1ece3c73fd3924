/* See static.h. Statics are few (a home network's names): a linear scan. */
#include "dns/static.h"
#include <arpa/inet.h>
#include <string.h>

int wg_dns_static_init(struct wg_dns_static *s, const char *name, const char *address, uint32_t ttl)
{
	memset(s, 0, sizeof(*s));
	int n = wg_dns_name_encode(name, s->name, sizeof(s->name), true);
	if (n < 0)
		return -1;
	s->namelen = (size_t)n;
	s->ttl = ttl;
	if (inet_pton(AF_INET, address, s->addr) == 1)
		s->type = WG_DNS_T_A;
	else if (inet_pton(AF_INET6, address, s->addr) == 1)
		s->type = WG_DNS_T_AAAA;
	else
		return -1;
	return 0;
}

/* The question's name is the first part of its key (lowercased wire format). */
static bool same_name(const struct wg_dns_static *s, const struct wg_dns_question *q)
{
	return q->keylen == s->namelen + 4 && !memcmp(q->key, s->name, s->namelen);
}

static bool wanted(const struct wg_dns_static *s, unsigned qtype)
{
	return qtype == s->type || qtype == WG_DNS_T_ANY;
}

size_t wg_dns_static_answer(const struct wg_dns_static *s, size_t n, const uint8_t *query,
			    const struct wg_dns_question *q, uint8_t *out, size_t cap)
{
	size_t len = 0;
	if (q->qclass != WG_DNS_C_IN && q->qclass != WG_DNS_C_ANY)
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (!same_name(&s[i], q))
			continue;
		if (!len && !(len = wg_dns_reply_start(out, cap, query, q, WG_DNS_NOERROR)))
			return 0;
		out[2] |= 0x04; /* AA: the router is the authority for its statics */
		size_t more = wanted(&s[i], q->qtype) ? wg_dns_add_address(out, cap, len, s[i].type, s[i].ttl, s[i].addr) : len;
		if (!more)
			break; /* no more room: what fits is the answer */
		len = more;
	}
	return len;
}
