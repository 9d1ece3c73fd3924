/* See units.h. */
#include "router/units.h"
#include <time.h>
#include <ctype.h>
#include <stdio.h>
#include <string.h>

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

char *wg_datetime_format(uint64_t t, char *buf, size_t len)
{
	struct tm tm;
	time_t s = (time_t)t;
	localtime_r(&s, &tm);
	strftime(buf, len, "%Y-%m-%d %H:%M:%S", &tm);
	return buf;
}
