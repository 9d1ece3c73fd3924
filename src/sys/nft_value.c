/* Value syntax shared by the firewall compiler: errors, times, names, addresses. */
#include "sys/nft_internal.h"
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int nftc_err(struct nftc_ctx *c, const char *fmt, ...)
{
	if (c->err && c->errlen) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(c->err, c->errlen, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

int nftc_bad(struct nftc_ctx *c, const char *key, const char *value)
{
	return nftc_err(c, "invalid value for argument %s: \"%s\"", key, value);
}

bool nftc_negated(const char **v)
{
	if (**v != '!')
		return false;
	(*v)++;
	return true;
}

bool nftc_bool(const char *v, bool *out)
{
	if (!strcmp(v, "yes") || !strcmp(v, "true"))
		*out = true;
	else if (!strcmp(v, "no") || !strcmp(v, "false"))
		*out = false;
	else
		return false;
	return true;
}

/* Reads the digits at *s into *v; false if there are none or too many. */
static bool number(const char **s, uint64_t *v)
{
	if (!isdigit((unsigned char)**s))
		return false;
	*v = 0;
	for (; isdigit((unsigned char)**s); (*s)++) {
		if (*v > 1000000000ull)
			return false;
		*v = *v * 10 + (uint64_t)(**s - '0');
	}
	return true;
}

static uint64_t unit_ms(const char **s)
{
	static const struct { const char *u; uint64_t ms; } units[] = {
		{ "ms", 1 }, { "w", 604800000 }, { "d", 86400000 }, { "h", 3600000 },
		{ "m", 60000 }, { "s", 1000 },
	};
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		size_t n = strlen(units[i].u);
		if (!strncmp(*s, units[i].u, n)) {
			*s += n;
			return units[i].ms;
		}
	}
	return 0;
}

/* "hh:mm:ss" (after an optional "Nd"), the form RouterOS prints in detail views. */
static int clock_ms(const char *s, uint64_t days, uint64_t *ms)
{
	uint64_t h, m, sec;
	if (!number(&s, &h) || *s++ != ':' || !number(&s, &m) || *s++ != ':' ||
	    !number(&s, &sec) || *s || m > 59 || sec > 59)
		return -EINVAL;
	*ms = ((days * 24 + h) * 3600 + m * 60 + sec) * 1000;
	return 0;
}

int nftc_time_ms(const char *s, uint64_t *ms)
{
	uint64_t total = 0, v, u;
	if (!*s)
		return -EINVAL;
	if (strchr(s, ':')) {
		const char *d = strchr(s, 'd');
		uint64_t days = 0;
		if (d && (!number(&s, &days) || s != d))
			return -EINVAL;
		return clock_ms(d ? d + 1 : s, days, ms);
	}
	while (*s) {
		if (!number(&s, &v))
			return -EINVAL;
		if (!*s) { /* a bare number is seconds */
			total += v * 1000;
			break;
		}
		if (!(u = unit_ms(&s)))
			return -EINVAL;
		total += v * u;
	}
	*ms = total;
	return 0;
}

void nftc_time_fmt(uint64_t ms, char *buf, size_t n)
{
	static const struct { char u; uint64_t ms; } units[] = {
		{ 'd', 86400000 }, { 'h', 3600000 }, { 'm', 60000 }, { 's', 1000 },
	};
	size_t len = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < 4 && len < n; i++)
		if (ms >= units[i].ms) {
			len += (size_t)snprintf(buf + len, n - len, "%llu%c",
						(unsigned long long)(ms / units[i].ms), units[i].u);
			ms %= units[i].ms;
		}
	if (ms && len < n)
		len += (size_t)snprintf(buf + len, n - len, "%llums", (unsigned long long)ms);
	if (!len)
		snprintf(buf, n, "0s");
}

bool nftc_plain(const char *s, size_t max)
{
	size_t n = strlen(s);
	if (n == 0 || n > max)
		return false;
	for (; *s; s++)
		if (*s == '"' || *s == '\\' || iscntrl((unsigned char)*s))
			return false;
	return true;
}

void nftc_mangle(const char *prefix, const char *name, char *out, size_t n)
{
	size_t len = (size_t)snprintf(out, n, "%s", prefix);
	for (; *name && len + 4 < n; name++) {
		unsigned char ch = (unsigned char)*name;
		if (isalnum(ch) || ch == '-')
			out[len++] = (char)ch;
		else
			len += (size_t)snprintf(out + len, n - len, "_%02x", ch);
	}
	out[len < n ? len : n - 1] = '\0';
}

bool nftc_unmangle(const char *in, char *out, size_t n)
{
	size_t len = 0;
	for (; *in; in++) {
		unsigned v = (unsigned char)*in;
		if (*in == '_') {
			if (!isxdigit((unsigned char)in[1]) || !isxdigit((unsigned char)in[2]) ||
			    sscanf(in + 1, "%2x", &v) != 1)
				return false;
			in += 2;
		}
		if (len + 1 >= n)
			return false;
		out[len++] = (char)v;
	}
	out[len] = '\0';
	return true;
}

/* Digits only, at most 5 of them, at most 65535. */
static bool port_num(const char *s, size_t len, unsigned *v)
{
	if (len == 0 || len > 5)
		return false;
	*v = 0;
	for (size_t i = 0; i < len; i++) {
		if (!isdigit((unsigned char)s[i]))
			return false;
		*v = *v * 10 + (unsigned)(s[i] - '0');
	}
	return *v <= 65535;
}

bool nftc_port_range(const char *s, size_t len, unsigned *a, unsigned *b)
{
	const char *dash = memchr(s, '-', len);
	if (!dash) {
		*b = 0;
		return port_num(s, len, a) && (*b = *a, true);
	}
	size_t alen = (size_t)(dash - s);
	return port_num(s, alen, a) && port_num(dash + 1, len - alen - 1, b) && *a <= *b;
}

static int family_af(enum wg_fw_family fam)
{
	return fam == WG_FW_IPV6 ? AF_INET6 : AF_INET;
}

/* One endpoint of a range: a bare address of the family. */
static int range_end(int af, const char *s, size_t len, struct wg_prefix *p)
{
	char buf[WG_PREFIX_STRLEN];
	if (len >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, len);
	buf[len] = '\0';
	return wg_addr_parse(p, buf) == 0 && p->family == af ? 0 : -EINVAL;
}

static int range_text(int af, const char *v, const char *dash, char *out, size_t n)
{
	struct wg_prefix a, b;
	char sa[WG_PREFIX_STRLEN], sb[WG_PREFIX_STRLEN];
	if (range_end(af, v, (size_t)(dash - v), &a) < 0 ||
	    range_end(af, dash + 1, strlen(dash + 1), &b) < 0 ||
	    memcmp(a.addr, b.addr, (size_t)wg_prefix_addrlen(af)) > 0)
		return -EINVAL;
	snprintf(out, n, "%s-%s", wg_addr_format(af, a.addr, sa), wg_addr_format(af, b.addr, sb));
	return 0;
}

int nftc_addr_text(enum wg_fw_family fam, const char *v, char *out, size_t n, bool *single)
{
	int af = family_af(fam);
	const char *dash = strchr(v, '-');
	*single = false;
	if (dash)
		return range_text(af, v, dash, out, n);
	struct wg_prefix p;
	if (wg_prefix_parse(&p, v) < 0 || p.family != af)
		return -EINVAL;
	wg_prefix_mask(&p);
	char buf[WG_PREFIX_STRLEN];
	*single = p.len == wg_prefix_maxlen(af);
	snprintf(out, n, "%s", wg_prefix_format(&p, true, buf));
	return 0;
}

const char *nftc_family_name(enum wg_fw_family fam)
{
	return fam == WG_FW_IPV6 ? "ip6" : "ip";
}

const char *nftc_table_name(enum wg_fw_table tbl)
{
	static const char *const names[WG_FW_NTABLE] = { "filter", "nat", "mangle", "raw" };
	return tbl < WG_FW_NTABLE ? names[tbl] : "filter";
}

void nftc_iflist_set(const char *list, char *out, size_t n)
{
	nftc_mangle("ifl_", list, out, n);
}

void nftc_addrlist_set(enum wg_fw_family fam, const char *list, char *out, size_t n)
{
	nftc_mangle(fam == WG_FW_IPV6 ? "al6_" : "al4_", list, out, n);
}

const char *nftc_prop(const struct wg_fw_rule *r, const char *key)
{
	for (size_t i = 0; i < r->nprops; i++)
		if (r->props[i].key && !strcmp(r->props[i].key, key))
			return r->props[i].value ? r->props[i].value : "";
	return NULL;
}

int nftc_names_find(const struct nftc_names *s, const char *name)
{
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->v[i], name))
			return (int)i;
	return -1;
}

int nftc_names_add(struct nftc_names *s, const char *name)
{
	int i = nftc_names_find(s, name);
	if (i >= 0)
		return i;
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 8;
		char **v = realloc(s->v, cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		s->v = v;
		s->cap = cap;
	}
	if (!(s->v[s->n] = strdup(name)))
		return -ENOMEM;
	return (int)s->n++;
}

void nftc_names_free(struct nftc_names *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	memset(s, 0, sizeof(*s));
}
