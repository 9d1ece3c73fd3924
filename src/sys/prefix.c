/* Prefix parsing and printing; see prefix.h. */
#include "sys/prefix.h"
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int wg_addr_parse(struct wg_prefix *out, const char *s)
{
	memset(out, 0, sizeof(*out));
	if (inet_pton(AF_INET, s, out->addr) == 1) {
		out->family = AF_INET;
		out->len = 32;
		return 0;
	}
	if (inet_pton(AF_INET6, s, out->addr) == 1) {
		out->family = AF_INET6;
		out->len = 128;
		return 0;
	}
	memset(out, 0, sizeof(*out));
	return -EINVAL;
}

/* Digits only, no sign, no leading '+'; strtoul alone would accept " 24" and "-1". */
static int parse_len(const char *s, int max)
{
	if (!*s || strlen(s) > 3)
		return -1;
	int v = 0;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (*s - '0');
	}
	return v <= max ? v : -1;
}

int wg_prefix_parse(struct wg_prefix *out, const char *s)
{
	char buf[WG_PREFIX_STRLEN];
	const char *slash = strchr(s, '/');
	size_t alen = slash ? (size_t)(slash - s) : strlen(s);
	if (alen >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, alen);
	buf[alen] = '\0';
	if (wg_addr_parse(out, buf) < 0)
		return -EINVAL;
	if (!slash)
		return 0;
	int len = parse_len(slash + 1, wg_prefix_maxlen(out->family));
	if (len < 0) {
		memset(out, 0, sizeof(*out));
		return -EINVAL;
	}
	out->len = (uint8_t)len;
	return 0;
}

char *wg_addr_format(int family, const uint8_t *addr, char *buf)
{
	if (!inet_ntop(family, addr, buf, WG_PREFIX_STRLEN))
		snprintf(buf, WG_PREFIX_STRLEN, "?");
	return buf;
}

char *wg_prefix_format(const struct wg_prefix *p, bool bare_host, char *buf)
{
	wg_addr_format(p->family, p->addr, buf);
	if (!(bare_host && p->len == wg_prefix_maxlen(p->family))) {
		size_t n = strlen(buf);
		snprintf(buf + n, WG_PREFIX_STRLEN - n, "/%u", p->len);
	}
	return buf;
}

/* Bits [len, max) cleared, in a copy of the address. */
static void masked(const struct wg_prefix *p, unsigned len, uint8_t out[16])
{
	int bytes = wg_prefix_addrlen(p->family);
	memcpy(out, p->addr, 16);
	for (int i = 0; i < bytes; i++) {
		unsigned bit = (unsigned)i * 8;
		if (bit >= len)
			out[i] = 0;
		else if (bit + 8 > len)
			out[i] &= (uint8_t)(0xff << (8 - (len - bit)));
	}
}

void wg_prefix_mask(struct wg_prefix *p)
{
	uint8_t m[16];
	masked(p, p->len, m);
	memcpy(p->addr, m, sizeof(m));
}

bool wg_prefix_is_network(const struct wg_prefix *p)
{
	uint8_t m[16];
	masked(p, p->len, m);
	return memcmp(m, p->addr, (size_t)wg_prefix_addrlen(p->family)) == 0;
}

bool wg_prefix_eq(const struct wg_prefix *a, const struct wg_prefix *b)
{
	return a->family == b->family && a->len == b->len &&
	       memcmp(a->addr, b->addr, (size_t)wg_prefix_addrlen(a->family)) == 0;
}

bool wg_prefix_contains(const struct wg_prefix *outer, const struct wg_prefix *inner)
{
	if (outer->family != inner->family || inner->len < outer->len)
		return false;
	uint8_t a[16], b[16];
	masked(outer, outer->len, a);
	masked(inner, outer->len, b);
	return memcmp(a, b, (size_t)wg_prefix_addrlen(outer->family)) == 0;
}

bool wg_prefix_overlaps(const struct wg_prefix *a, const struct wg_prefix *b)
{
	return wg_prefix_contains(a, b) || wg_prefix_contains(b, a);
}
