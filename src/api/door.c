/* See door.h. */
#include "api/door.h"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

/* An IPv4 client on a dual-stack socket arrives as ::ffff:a.b.c.d: seen as IPv4. */
bool wg_sockaddr_text(const struct sockaddr *sa, char *buf, size_t len)
{
	const struct sockaddr_in6 *s6 = (const void *)sa;
	if (sa->sa_family == AF_INET)
		return inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, buf, (socklen_t)len) != NULL;
	if (sa->sa_family != AF_INET6)
		return false;
	if (IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr))
		return inet_ntop(AF_INET, s6->sin6_addr.s6_addr + 12, buf, (socklen_t)len) != NULL;
	return inet_ntop(AF_INET6, &s6->sin6_addr, buf, (socklen_t)len) != NULL;
}

bool wg_source_allowed(const struct wg_prefix *allow, size_t n, const struct sockaddr *from)
{
	struct wg_prefix a = { 0 };
	if (!n)
		return true;
	if (from->sa_family == AF_INET) {
		a.family = AF_INET;
		memcpy(a.addr, &((const struct sockaddr_in *)from)->sin_addr, 4);
		a.len = 32;
	} else if (from->sa_family == AF_INET6) {
		const struct in6_addr *x = &((const struct sockaddr_in6 *)from)->sin6_addr;
		bool mapped = IN6_IS_ADDR_V4MAPPED(x);
		a.family = mapped ? AF_INET : AF_INET6;
		memcpy(a.addr, mapped ? x->s6_addr + 12 : x->s6_addr, mapped ? 4 : 16);
		a.len = mapped ? 32 : 128;
	} else {
		return false;
	}
	for (size_t i = 0; i < n; i++)
		if (wg_prefix_contains(&allow[i], &a))
			return true;
	return false;
}
