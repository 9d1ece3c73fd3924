/* See door.h. */
#include "api/door.h"
#include <netinet/in.h>
#include <string.h>

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
