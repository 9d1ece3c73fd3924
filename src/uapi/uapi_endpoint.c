/* Endpoint values: "a.b.c.d:port", "[v6%scope]:port" and "hostname:port" in, the same
 * (numeric scope) out. Names are only recognised here; resolving them is the caller's. */
#include "uapi/uapi_parse.h"
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

static const char allowed[] =
	"a.b.c.d:port, [ipv6]:port, [ipv6%scope]:port or hostname:port (port 0..65535)";

static bool parse_port(uint16_t *port, const char *s)
{
	uint64_t v;
	if (!uapi_parse_uint(&v, 65535, "port", s, NULL))
		return false;
	*port = (uint16_t)v;
	return true;
}

/* A scope is an interface index or an interface name. */
static bool parse_scope(uint32_t *scope, const char *s)
{
	uint64_t v;
	if (uapi_parse_uint(&v, UINT32_MAX, "scope", s, NULL)) {
		*scope = (uint32_t)v;
		return true;
	}
	*scope = *s ? uapi_scope_index(s) : 0;
	return *scope != 0;
}

/* "[addr]:port" or "[addr%scope]:port". */
static bool parse_bracketed(struct wg_endpoint *ep, const char *value)
{
	char ip[INET6_ADDRSTRLEN + 1 + 16];
	const char *close = strchr(value, ']');
	size_t len = close ? (size_t)(close - value - 1) : 0;
	uint16_t port;
	uint32_t scope = 0;
	if (!close || close[1] != ':' || len == 0 || len >= sizeof(ip) || !parse_port(&port, close + 2))
		return false;
	memcpy(ip, value + 1, len);
	ip[len] = '\0';
	char *pct = strchr(ip, '%');
	if (pct) {
		*pct = '\0';
		if (!parse_scope(&scope, pct + 1))
			return false;
	}
	if (inet_pton(AF_INET6, ip, &ep->addr.sin6.sin6_addr) != 1)
		return false;
	ep->addr.sin6.sin6_family = AF_INET6;
	ep->addr.sin6.sin6_port = htons(port);
	ep->addr.sin6.sin6_scope_id = scope;
	return true;
}

/* Only digits and dots: meant as an IPv4 address, never a name (getaddrinfo would
 * read "1.2.3" as 1.2.0.3). */
static bool looks_numeric(const char *s)
{
	return s[strspn(s, "0123456789.")] == '\0';
}

/* RFC 1123 names (underscores tolerated): dot-separated labels of 1..63 characters. */
static bool valid_hostname(const char *s)
{
	size_t label = 0, n = strlen(s);
	if (n == 0 || n > UAPI_HOST_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c == '.') {
			if (label == 0)
				return false;
			label = 0;
		} else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			   (c >= '0' && c <= '9') || c == '-' || c == '_') {
			if (++label > 63)
				return false;
		} else {
			return false;
		}
	}
	return true;
}

/* "a.b.c.d:port" or "hostname:port". */
static bool parse_plain(struct uapi_endpoint_spec *spec, const char *value)
{
	const char *colon = strrchr(value, ':');
	size_t len = colon ? (size_t)(colon - value) : 0;
	char host[UAPI_HOST_MAX + 1];
	if (!colon || len == 0 || len > UAPI_HOST_MAX || !parse_port(&spec->port, colon + 1))
		return false;
	memcpy(host, value, len);
	host[len] = '\0';
	if (looks_numeric(host)) {
		spec->ep.addr.sin.sin_family = AF_INET;
		spec->ep.addr.sin.sin_port = htons(spec->port);
		return inet_pton(AF_INET, host, &spec->ep.addr.sin.sin_addr) == 1;
	}
	if (!valid_hostname(host))
		return false;
	memcpy(spec->host, host, len + 1);
	return true;
}

bool uapi_parse_endpoint(struct uapi_endpoint_spec *spec, const char *field, const char *value,
			 struct uapi_diag *d)
{
	bool ok;
	memset(spec, 0, sizeof(*spec));
	ok = value[0] == '[' ? parse_bracketed(&spec->ep, value) : parse_plain(spec, value);
	if (!ok) {
		memset(spec, 0, sizeof(*spec));
		return uapi_fail(d, field, allowed, value);
	}
	if (!spec->host[0])
		spec->port = ntohs(spec->ep.addr.sin.sin_port); /* same offset in sin6 */
	return true;
}
