/* The platform lookups behind endpoint values: DNS names and IPv6 scope names. Kept out
 * of the parser so tests and the fuzzer can run it without touching the network. */
#include "uapi/uapi.h"
#include "uapi/uapi_parse.h"
#include <arpa/inet.h>
#include <net/if.h>
#include <netdb.h>
#include <string.h>

int wg_uapi_resolve(void *ctx, const char *host, uint16_t port, struct wg_endpoint *ep)
{
	struct addrinfo hints = {
		.ai_family = AF_UNSPEC,
		.ai_socktype = SOCK_DGRAM,
		.ai_protocol = IPPROTO_UDP,
	}, *res;
	int rc;
	/* `wg` retries temporary failures too: a resolver that is still starting up
	 * should not make a whole configuration fail. */
	for (int tries = 0; (rc = getaddrinfo(host, NULL, &hints, &res)) == EAI_AGAIN && tries < 3; tries++)
		;
	if (rc)
		return rc;
	memset(ep, 0, sizeof(*ep));
	if (res->ai_addrlen > sizeof(ep->addr)) {
		freeaddrinfo(res);
		return EAI_FAMILY;
	}
	memcpy(&ep->addr, res->ai_addr, res->ai_addrlen);
	if (ep->addr.sa.sa_family == AF_INET)
		ep->addr.sin.sin_port = htons(port);
	else
		ep->addr.sin6.sin6_port = htons(port);
	freeaddrinfo(res);
	return 0;
}

unsigned uapi_scope_index(const char *name)
{
	return if_nametoindex(name);
}
