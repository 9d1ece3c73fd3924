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

const char *wg_sockaddr_str(const struct sockaddr *sa, char *buf)
{
	char ip[INET6_ADDRSTRLEN];
	const struct sockaddr_in *s4 = (const void *)sa;
	const struct sockaddr_in6 *s6 = (const void *)sa;
	if (sa->sa_family == AF_INET) {
		inet_ntop(AF_INET, &s4->sin_addr, ip, sizeof(ip));
		snprintf(buf, WG_ENDPOINT_STRLEN, "%s:%u", ip, ntohs(s4->sin_port));
	} else if (sa->sa_family == AF_INET6 && s6->sin6_scope_id) {
		inet_ntop(AF_INET6, &s6->sin6_addr, ip, sizeof(ip));
		snprintf(buf, WG_ENDPOINT_STRLEN, "[%s%%%u]:%u", ip, s6->sin6_scope_id,
			 ntohs(s6->sin6_port));
	} else if (sa->sa_family == AF_INET6) {
		inet_ntop(AF_INET6, &s6->sin6_addr, ip, sizeof(ip));
		snprintf(buf, WG_ENDPOINT_STRLEN, "[%s]:%u", ip, ntohs(s6->sin6_port));
	} else {
		snprintf(buf, WG_ENDPOINT_STRLEN, "(none)");
	}
	return buf;
}

const char *wg_endpoint_str(const struct wg_endpoint *e, char *buf)
{
	return wg_sockaddr_str(&e->addr.sa, buf);
}
