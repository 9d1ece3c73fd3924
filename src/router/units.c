/* See units.h. */
#include "router/units.h"
#include <time.h>
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static const struct { const char *suffix; uint64_t ms; } time_units[] = {
	{ "w", 7ULL * 86400000 }, { "d", 86400000 }, { "h", 3600000 },
	{ "ms", 1 }, { "m", 60000 }, { "s", 1000 },
};

/* hh:mm:ss (RouterOS prints old-style times this way and accepts them). */
static bool parse_clock(const char *s, uint64_t *ms)
{
	unsigned h, m, sec;
	int n = 0;
	if (sscanf(s, "%u:%u:%u%n", &h, &m, &sec, &n) != 3 || s[n] || m > 59 || sec > 59)
		return false;
	*ms = ((uint64_t)h * 3600 + m * 60 + sec) * 1000;
	return true;
}

static int unit_at(const char *p, size_t *len)
{
	for (size_t i = 0; i < sizeof(time_units) / sizeof(time_units[0]); i++) {
		size_t l = strlen(time_units[i].suffix);
		if (!strncmp(p, time_units[i].suffix, l)) {
			*len = l;
			return (int)i;
		}
	}
	return -1;
}

bool wg_time_parse(const char *s, uint64_t *ms)
{
	if (!s || !*s)
		return false;
	if (strchr(s, ':'))
		return parse_clock(s, ms);
	uint64_t total = 0;
	const char *p = s;
	while (*p) {
		if (!isdigit((unsigned char)*p))
			return false;
		uint64_t v = 0;
		while (isdigit((unsigned char)*p)) {
			v = v * 10 + (uint64_t)(*p++ - '0');
			if (v > 1000000000ULL)
				return false;
		}
		if (!*p) { /* a bare number is seconds */
			total += v * 1000;
			break;
		}
		size_t l;
		int u = unit_at(p, &l);
		if (u < 0)
			return false;
		total += v * time_units[u].ms;
		p += l;
	}
	*ms = total;
	return true;
}

char *wg_time_format(uint64_t ms, char *buf, size_t len)
{
	static const struct { char c; uint64_t ms; } parts[] = {
		{ 'w', 7ULL * 86400000 }, { 'd', 86400000 }, { 'h', 3600000 }, { 'm', 60000 }, { 's', 1000 },
	};
	size_t o = 0;
	buf[0] = 0;
	for (size_t i = 0; i < 5 && o < len; i++) {
		uint64_t v = ms / parts[i].ms;
		if (!v)
			continue;
		ms -= v * parts[i].ms;
		o += (size_t)snprintf(buf + o, len - o, "%llu%c", (unsigned long long)v, parts[i].c);
	}
	if (ms && o < len)
		o += (size_t)snprintf(buf + o, len - o, "%llums", (unsigned long long)ms);
	if (!o)
		snprintf(buf, len, "0s");
	return buf;
}

char *wg_rtt_format(uint64_t us, char *buf, size_t len)
{
	uint64_t ms = us / 1000;
	buf[0] = 0;
	if (ms)
		wg_time_format(ms, buf, len);
	size_t o = strlen(buf);
	if (us % 1000 || !ms)
		snprintf(buf + o, len - o, "%lluus", (unsigned long long)(us % 1000));
	return buf;
}

char *wg_bytes_format(uint64_t n, char *buf, size_t len)
{
	static const char *const units[] = { "KiB", "MiB", "GiB", "TiB", "PiB" };
	if (n < 1024) {
		snprintf(buf, len, "%llu", (unsigned long long)n);
		return buf;
	}
	double v = (double)n / 1024;
	size_t u = 0;
	while (v >= 1024 && u + 1 < sizeof(units) / sizeof(units[0])) {
		v /= 1024;
		u++;
	}
	snprintf(buf, len, "%.1f%s", v, units[u]);
	return buf;
}

/* ---- sizes, rates, dates ---- */

/* A whole number, then the suffix (returned in *rest); false on no digits or overflow. */
static bool leading_number(const char *s, uint64_t *v, const char **rest)
{
	uint64_t n = 0;
	const char *p = s;
	for (; *p >= '0' && *p <= '9'; p++) {
		if (n > (UINT64_MAX - 9) / 10)
			return false;
		n = n * 10 + (uint64_t)(*p - '0');
	}
	*v = n;
	*rest = p;
	return p != s;
}

static bool scaled(uint64_t n, uint64_t mul, uint64_t *out)
{
	if (mul && n > UINT64_MAX / mul)
		return false;
	*out = n * mul;
	return true;
}

struct unit { const char *sfx; uint64_t mul; };

/* A whole number and one of the n suffixes, scaled. */
static bool suffixed(const char *s, const struct unit *u, size_t n, uint64_t *out)
{
	uint64_t v;
	const char *rest;
	if (!leading_number(s, &v, &rest))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!strcmp(rest, u[i].sfx))
			return scaled(v, u[i].mul, out);
	return false;
}

bool wg_size_parse(const char *s, uint64_t *bytes)
{
	static const struct unit u[] = {
		{ "", 1 }, { "k", 1ull << 10 }, { "K", 1ull << 10 }, { "KiB", 1ull << 10 }, { "M", 1ull << 20 },
		{ "MiB", 1ull << 20 }, { "G", 1ull << 30 }, { "GiB", 1ull << 30 }, { "T", 1ull << 40 },
		{ "TiB", 1ull << 40 },
	};
	return suffixed(s, u, sizeof(u) / sizeof(u[0]), bytes);
}

char *wg_size_format(uint64_t bytes, char *buf, size_t len)
{
	static const char sfx[] = { 'T', 'G', 'M', 'k' };
	for (int i = 0; i < 4 && bytes; i++) {
		uint64_t mul = 1ull << (10 * (4 - i));
		if (bytes % mul == 0) {
			snprintf(buf, len, "%llu%c", (unsigned long long)(bytes / mul), sfx[i]);
			return buf;
		}
	}
	snprintf(buf, len, "%llu", (unsigned long long)bytes);
	return buf;
}

bool wg_rate_parse(const char *s, uint64_t *bps)
{
	static const struct unit u[] = {
		{ "", 1 }, { "k", 1000 }, { "K", 1000 }, { "M", 1000000 }, { "G", 1000000000 },
	};
	return suffixed(s, u, sizeof(u) / sizeof(u[0]), bps) && *bps > 0;
}

bool wg_rate_pair_parse(const char *s, uint64_t *rx, uint64_t *tx)
{
	const char *slash = strchr(s, '/');
	if (!slash)
		return wg_rate_parse(s, rx) && wg_rate_parse(s, tx);
	char a[32];
	size_t n = (size_t)(slash - s);
	if (n >= sizeof(a))
		return false;
	memcpy(a, s, n);
	a[n] = 0;
	return wg_rate_parse(a, rx) && wg_rate_parse(slash + 1, tx);
}

char *wg_rate_format(uint64_t bps, char *buf, size_t len)
{
	static const struct { char c; uint64_t mul; } u[] = { { 'G', 1000000000 }, { 'M', 1000000 }, { 'k', 1000 } };
	for (size_t i = 0; i < 3; i++)
		if (bps && bps % u[i].mul == 0) {
			snprintf(buf, len, "%llu%c", (unsigned long long)(bps / u[i].mul), u[i].c);
			return buf;
		}
	snprintf(buf, len, "%llu", (unsigned long long)bps);
	return buf;
}

bool wg_datetime_parse(const char *s, uint64_t *t)
{
	struct tm tm = { 0 };
	char sep = 0, extra = 0;
	int n = sscanf(s, "%4d-%2d-%2d%c%2d:%2d:%2d%c", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &sep, &tm.tm_hour,
		       &tm.tm_min, &tm.tm_sec, &extra);
	bool shape = n == 3 || ((n == 6 || n == 7) && (sep == ' ' || sep == 'T'));
	if (!shape || strlen(s) > 19 || tm.tm_year < 1970 || tm.tm_year > 9999 || tm.tm_mon < 1 || tm.tm_mon > 12 ||
	    tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 || tm.tm_min > 59 || tm.tm_sec > 59)
		return false;
	int mday = tm.tm_mday, mon = tm.tm_mon;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	tm.tm_isdst = -1;
	time_t v = mktime(&tm);
	if (v == (time_t)-1 || tm.tm_mday != mday || tm.tm_mon != mon - 1) /* Feb 30 rolled over */
		return false;
	*t = (uint64_t)v;
	return true;
}

char *wg_datetime_format(uint64_t t, char *buf, size_t len)
{
	time_t v = (time_t)t;
	struct tm tm;
	localtime_r(&v, &tm);
	strftime(buf, len, "%Y-%m-%d %H:%M:%S", &tm);
	return buf;
}

char *wg_count_format(uint64_t n, char *buf, size_t len)
{
	char digits[24];
	int nd = snprintf(digits, sizeof(digits), "%llu", (unsigned long long)n);
	size_t o = 0;
	for (int i = 0; i < nd && o + 2 < len; i++) {
		if (i && (nd - i) % 3 == 0)
			buf[o++] = ' ';
		buf[o++] = digits[i];
	}
	buf[o] = 0;
	return buf;
}
