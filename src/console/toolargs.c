/* See toolargs.h. */
#include "console/toolargs.h"
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "router/units.h"
#include "sys/prefix.h"
#include "util/clock.h"

static int resolve(const char *host, int want, int *family, uint8_t out[16])
{
	struct addrinfo hints = { .ai_family = want ? want : AF_UNSPEC, .ai_socktype = SOCK_DGRAM }, *res = NULL;
	if (getaddrinfo(host, NULL, &hints, &res) != 0 || !res)
		return -1;
	*family = res->ai_family;
	if (res->ai_family == AF_INET)
		memcpy(out, &((struct sockaddr_in *)res->ai_addr)->sin_addr, 4);
	else
		memcpy(out, &((struct sockaddr_in6 *)res->ai_addr)->sin6_addr, 16);
	freeaddrinfo(res);
	return 0;
}

int wg_tool_addr(struct wg_call *c, const char *name, const char *text, int want, int *family, uint8_t out[16])
{
	struct wg_prefix p;
	memset(out, 0, 16);
	if (wg_addr_parse(&p, text) == 0) {
		if (want && p.family != want)
			return wg_err(c->s, "invalid value for argument %s", name);
		*family = p.family;
		memcpy(out, p.addr, 16);
		return 0;
	}
	if (!wg_is_hostname(text) || strlen(text) > 253)
		return wg_err(c->s, "invalid value for argument %s", name);
	wg_session_wait_enter(c->s); /* text points into the arguments, not the store */
	int rc = resolve(text, want, family, out);
	wg_session_wait_leave(c->s);
	return rc < 0 ? wg_err(c->s, "failure: could not resolve %s", text) : 0;
}

int wg_tool_uint(struct wg_call *c, struct wg_args *a, const char *name, long min, long max, long *out)
{
	const char *v = wg_arg_value(a, name);
	if (!v)
		return 0;
	char *end;
	long n = strtol(v, &end, 10);
	if (!*v || *end || n < min || n > max)
		return wg_err(c->s, "invalid value for argument %s", name);
	*out = n;
	return 0;
}

int wg_tool_time(struct wg_call *c, struct wg_args *a, const char *name, uint64_t max_ms, uint64_t *out)
{
	const char *v = wg_arg_value(a, name);
	uint64_t ms;
	if (!v)
		return 0;
	if (!wg_time_parse(v, &ms) || ms > max_ms)
		return wg_err(c->s, "invalid value for argument %s", name);
	*out = ms;
	return 0;
}

bool wg_tool_out_of_time(struct wg_session *s)
{
	return s->deadline_ms && wg_mono_ms() >= s->deadline_ms;
}
