#include "core/endpoint.h"
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

bool wg_endpoint_eq(const struct wg_endpoint *a, const struct wg_endpoint *b)
{
	if (a->addr.sa.sa_family != b->addr.sa.sa_family)
		return false;
	if (a->addr.sa.sa_family == AF_INET)
		return a->addr.sin.sin_port == b->addr.sin.sin_port &&
		       a->addr.sin.sin_addr.s_addr == b->addr.sin.sin_addr.s_addr;
	if (a->addr.sa.sa_family == AF_INET6)
		return a->addr.sin6.sin6_port == b->addr.sin6.sin6_port &&
		       !memcmp(&a->addr.sin6.sin6_addr, &b->addr.sin6.sin6_addr, 16) &&
		       a->addr.sin6.sin6_scope_id == b->addr.sin6.sin6_scope_id;
	return true;
}

const char *wg_endpoint_str(const struct wg_endpoint *e, char *buf)
{
	char ip[INET6_ADDRSTRLEN];
	if (e->addr.sa.sa_family == AF_INET) {
		inet_ntop(AF_INET, &e->addr.sin.sin_addr, ip, sizeof(ip));
		snprintf(buf, WG_ENDPOINT_STRLEN, "%s:%u", ip, ntohs(e->addr.sin.sin_port));
	} else if (e->addr.sa.sa_family == AF_INET6) {
		inet_ntop(AF_INET6, &e->addr.sin6.sin6_addr, ip, sizeof(ip));
		snprintf(buf, WG_ENDPOINT_STRLEN, "[%s]:%u", ip, ntohs(e->addr.sin6.sin6_port));
	} else {
		snprintf(buf, WG_ENDPOINT_STRLEN, "(none)");
	}
	return buf;
}
