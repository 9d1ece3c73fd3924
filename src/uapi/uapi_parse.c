/* Parsers for the scalar UAPI values: keys, numbers, flags and IP prefixes. */
#include "uapi/uapi_parse.h"
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

enum { SHOWN_MAX = 64 }; /* longer inputs are cut: the message must stay one line */

/* Copies value for display: control bytes become '?', so a log line stays one line. */
static void printable(char *dst, size_t cap, const char *src)
{
	size_t i = 0;
	for (; src[i] && i < SHOWN_MAX && i + 4 < cap; i++)
		dst[i] = (src[i] >= 0x20 && src[i] < 0x7f) ? src[i] : '?';
	if (src[i])
		dst[i++] = '.', dst[i++] = '.', dst[i++] = '.';
	dst[i] = '\0';
}

bool uapi_fail(struct uapi_diag *d, const char *field, const char *allowed, const char *value)
{
	char shown[SHOWN_MAX + 4];
	if (!d)
		return false;
	if (value) {
		printable(shown, sizeof(shown), value);
		snprintf(d->msg, sizeof(d->msg), "%s: expected %s, got `%s'", field, allowed, shown);
	} else {
		snprintf(d->msg, sizeof(d->msg), "%s: expected %s", field, allowed);
	}
	return false;
}

bool uapi_parse_key(uint8_t key[WG_KEY_LEN], const char *field, const char *value,
		    bool secret, struct uapi_diag *d)
{
	/* The length is checked first: wg_key_from_hex's contract is 64 characters. */
	if (strlen(value) == WG_KEY_HEX_LEN && wg_key_from_hex(key, value))
		return true;
	return uapi_fail(d, field, "a key of 64 hex digits", secret ? NULL : value);
}

bool uapi_parse_uint(uint64_t *out, uint64_t max, const char *field, const char *value,
		     struct uapi_diag *d)
{
	char allowed[48];
	uint64_t v = 0;
	const char *s = value;
	snprintf(allowed, sizeof(allowed), "a number 0..%llu", (unsigned long long)max);
	if (!*s)
		return uapi_fail(d, field, allowed, value);
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || v > (max - (uint64_t)(*s - '0')) / 10)
			return uapi_fail(d, field, allowed, value);
		v = v * 10 + (uint64_t)(*s - '0');
	}
	*out = v;
	return true;
}

bool uapi_parse_true(const char *field, const char *value, struct uapi_diag *d)
{
	return !strcmp(value, "true") || uapi_fail(d, field, "`true'", value);
}

/* A prefix length: plain decimal without sign or leading zeros, at most max. */
static bool parse_cidr(uint8_t *cidr, const char *s, unsigned max)
{
	unsigned v = 0;
	size_t n = strlen(s);
	if (n == 0 || n > 3 || (n > 1 && s[0] == '0'))
		return false;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	*cidr = (uint8_t)v;
	return v <= max;
}

static void mask(uint8_t *addr, size_t len, uint8_t cidr)
{
	for (size_t i = 0; i < len; i++) {
		unsigned bits = cidr >= 8 * (i + 1) ? 8 : cidr > 8 * i ? cidr - 8 * i : 0;
		addr[i] &= (uint8_t)(0xff00u >> bits);
	}
}

bool uapi_parse_prefix(struct uapi_prefix *p, const char *field, const char *value,
		       struct uapi_diag *d)
{
	static const char allowed[] = "an IPv4 prefix a.b.c.d/0..32 or an IPv6 prefix addr/0..128";
	char ip[INET6_ADDRSTRLEN];
	const char *slash = strrchr(value, '/');
	size_t iplen = slash ? (size_t)(slash - value) : 0;
	if (!slash || iplen == 0 || iplen >= sizeof(ip))
		return uapi_fail(d, field, allowed, value);
	memcpy(ip, value, iplen);
	ip[iplen] = '\0';
	memset(p, 0, sizeof(*p));
	p->family = strchr(ip, ':') ? AF_INET6 : AF_INET;
	if (inet_pton(p->family, ip, p->addr) != 1 ||
	    !parse_cidr(&p->cidr, slash + 1, p->family == AF_INET ? 32 : 128))
		return uapi_fail(d, field, allowed, value);
	mask(p->addr, p->family == AF_INET ? 4 : 16, p->cidr);
	return true;
}

const char *uapi_format_prefix(char buf[UAPI_PREFIX_STRLEN], int family, const uint8_t *addr,
			       uint8_t cidr)
{
	char ip[INET6_ADDRSTRLEN];
	if (!inet_ntop(family, addr, ip, sizeof(ip)))
		snprintf(ip, sizeof(ip), "?");
	snprintf(buf, UAPI_PREFIX_STRLEN, "%s/%u", ip, cidr);
	return buf;
}
