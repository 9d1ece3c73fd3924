/* Internal to src/router: peers' host-name endpoints resolved off the daemon's thread,
 * so a resolver that does not answer never stalls the consoles. apply_wireguard.c
 * decides which peers are due and what to do with the answers; this file only runs a
 * round of look-ups (one at a time) and hands the finished round back. */
#ifndef WG_ROUTER_RESOLVER_H
#define WG_ROUTER_RESOLVER_H
#include <stddef.h>
#include <stdint.h>
#include "router/backend.h"

struct wg_resolve_job {
	uint32_t iface_id, peer_id;
	char host[256], port[8];
	char servers[256];  /* /ip/dns servers, "" = the host's resolver */
	char out[80];       /* "ip:port" / "[ip6]:port" when rc == 0 */
	int rc;
};

struct wg_resolver;
/* ops->resolve, when set (tests), answers at once: rounds then run inline. */
struct wg_resolver *wg_resolver_new(const struct wg_dp_ops *ops, void *ctx);
/* Waits for a running round and drops it. */
void wg_resolver_free(struct wg_resolver *r);
/* Starts a round over jobs (taken, freed by the resolver) unless one is running;
 * false (jobs freed) when it was not started. */
bool wg_resolver_start(struct wg_resolver *r, struct wg_resolve_job *jobs, size_t n);
bool wg_resolver_busy(struct wg_resolver *r);
/* The finished round's jobs (the caller frees them), or 0 while none has finished. */
size_t wg_resolver_take(struct wg_resolver *r, struct wg_resolve_job **jobs);
#endif
