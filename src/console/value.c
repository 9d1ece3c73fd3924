/* Script values with RouterOS's types. Values travel as text everywhere (variables,
 * arguments, [substitutions]); the type says how an expression treats the text: a bare
 * 5 is num, "5" is str, 10.0.0.1 is ip, 1h is time. What is known is carried (a typed
 * :local, a function's result), what is not is read from the text as RouterOS reads a
 * bare word. */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "console/interp.h"
#include "router/units.h"

const char *wg_vtype_name(enum wg_vtype t)
{
	static const char *const names[] = { "nothing", "nil", "str", "num", "bool", "ip", "ip6", "ip-prefix",
					     "ip6-prefix", "time", "array", "id" };
	return names[t];
}

/* -?digits or 0xHEX, within 64 bits. */
bool wg_val_num(const char *s, int64_t *out)
{
	const char *p = s + (*s == '-');
	int base = 10;
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X') && isxdigit((unsigned char)p[2])) {
		base = 16;
		p += 2;
	}
	if (!isxdigit((unsigned char)*p) || (base == 10 && !isdigit((unsigned char)*p)))
		return false;
	for (const char *q = p; *q; q++)
		if (base == 10 ? !isdigit((unsigned char)*q) : !isxdigit((unsigned char)*q))
			return false;
	errno = 0;
	long long v = strtoll(p, NULL, base);
	if (errno)
		return false;
	*out = *s == '-' ? -v : v;
	return true;
}

static bool prefix_of(const char *s, int af, unsigned char *addr, int *plen)
{
	char buf[64];
	const char *slash = strchr(s, '/');
	if (!slash || (size_t)(slash - s) >= sizeof(buf) || !isdigit((unsigned char)slash[1]))
		return false;
	memcpy(buf, s, (size_t)(slash - s));
	buf[slash - s] = 0;
	char *end;
	long n = strtol(slash + 1, &end, 10);
	if (*end || n > (af == AF_INET ? 32 : 128) || inet_pton(af, buf, addr) != 1)
		return false;
	*plen = (int)n;
	return true;
}

bool wg_val_ip4(const char *s, uint32_t *out)
{
	struct in_addr a;
	if (inet_pton(AF_INET, s, &a) != 1)
		return false;
	*out = ntohl(a.s_addr);
	return true;
}

/* A word that is a duration: digits with units (1h30m) or hh:mm:ss; a plain number is
 * a num, not a time. */
static bool is_time(const char *s, uint64_t *ms)
{
	bool unit = false;
	for (const char *p = s; *p; p++)
		unit |= isalpha((unsigned char)*p) || *p == ':';
	return unit && isdigit((unsigned char)s[0]) && wg_time_parse(s, ms);
}

enum wg_vtype wg_val_infer(const char *s)
{
	unsigned char a[16];
	int plen;
	int64_t n;
	uint64_t ms;
	if (!strcmp(s, "true") || !strcmp(s, "false"))
		return VT_BOOL;
	if (wg_val_num(s, &n))
		return VT_NUM;
	if (inet_pton(AF_INET, s, a) == 1)
		return VT_IP;
	if (prefix_of(s, AF_INET, a, &plen))
		return VT_PREFIX;
	if (strchr(s, ':') && inet_pton(AF_INET6, s, a) == 1)
		return VT_IP6;
	if (strchr(s, ':') && prefix_of(s, AF_INET6, a, &plen))
		return VT_PREFIX6;
	if (is_time(s, &ms))
		return VT_TIME;
	if (s[0] == '*' && s[1] && strspn(s + 1, "0123456789abcdefABCDEF") == strlen(s + 1))
		return VT_ID;
	if (strchr(s, ';'))
		return VT_ARRAY;
	return VT_STR;
}

void wg_val_set(struct wg_val *v, enum wg_vtype t, char *text)
{
	xfree_secret(v->s);
	v->type = t;
	v->s = text;
}

void wg_val_free(struct wg_val *v)
{
	xfree_secret(v->s);
	v->s = NULL;
	v->type = VT_NOTHING;
}

/* Times as RouterOS's scripts print them: 01:30:00, 1d02:00:00, 1w2d00:00:05.250. */
char *wg_val_time_text(uint64_t ms)
{
	struct sbuf b;
	uint64_t s = ms / 1000, w = s / 604800, d = s / 86400 % 7;
	sb_init(&b);
	if (w)
		sb_printf(&b, "%lluw", (unsigned long long)w);
	if (d)
		sb_printf(&b, "%llud", (unsigned long long)d);
	sb_printf(&b, "%02llu:%02llu:%02llu", (unsigned long long)(s / 3600 % 24), (unsigned long long)(s / 60 % 60),
		  (unsigned long long)(s % 60));
	if (ms % 1000)
		sb_printf(&b, ".%03llu", (unsigned long long)(ms % 1000));
	return sb_take(&b);
}

bool wg_val_time(const struct wg_val *v, uint64_t *ms)
{
	int64_t n;
	if (v->type == VT_NUM && wg_val_num(v->s, &n) && n >= 0) {
		*ms = (uint64_t)n * 1000;
		return true;
	}
	if (v->type != VT_TIME && v->type != VT_STR)
		return false;
	if (wg_time_parse(v->s, ms))
		return true;
	/* 1d02:00:00 and 1w2d00:00:00, as wg_val_time_text writes them */
	uint64_t w = 0, d = 0, rest;
	const char *p = v->s;
	if (sscanf(p, "%lluw", (unsigned long long *)&w) == 1 && strchr(p, 'w'))
		p = strchr(p, 'w') + 1;
	if (sscanf(p, "%llud", (unsigned long long *)&d) == 1 && strchr(p, 'd'))
		p = strchr(p, 'd') + 1;
	if (p == v->s || !wg_time_parse(p, &rest))
		return false;
	*ms = (w * 7 + d) * 86400000ULL + rest;
	return true;
}

bool wg_val_truthy(const struct wg_val *v)
{
	const char *s = v->s ? v->s : "";
	return *s && strcmp(s, "false") && strcmp(s, "no") && strcmp(s, "0");
}

/* The elements of an array value ("1;2;3"; a list from print as-value or find too). */
void wg_val_elements(const char *s, struct strvec *out)
{
	if (*s)
		sv_split(out, s, ';');
}

/* :tonum, :toip, :tobool ...: the value as type t; nil when it does not convert. */
void wg_val_convert(enum wg_vtype t, const struct wg_val *in, struct wg_val *out)
{
	enum wg_vtype have = in->type == VT_STR ? wg_val_infer(in->s) : in->type;
	uint64_t ms;
	bool b;
	if (t == VT_STR) {
		wg_val_set(out, VT_STR, xstrdup(in->s));
	} else if (t == VT_TIME && wg_val_time(in, &ms)) {
		wg_val_set(out, VT_TIME, wg_val_time_text(ms));
	} else if (t == VT_BOOL && (have == VT_BOOL || have == VT_NUM || wg_parse_bool(in->s, &b))) {
		wg_val_set(out, VT_BOOL, xstrdup(wg_val_truthy(in) ? "true" : "false"));
	} else if (t == VT_ARRAY) {
		char *a = xstrdup(in->s);
		for (char *p = a; *p; p++)
			if (*p == ',')
				*p = ';';
		wg_val_set(out, VT_ARRAY, a);
	} else if (t == have && t != VT_TIME && t != VT_BOOL) {
		wg_val_set(out, t, xstrdup(in->s));
	} else {
		wg_val_set(out, VT_NIL, xstrdup(""));
	}
}
