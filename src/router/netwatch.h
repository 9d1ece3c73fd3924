/* /tool/netwatch at run time, between the menu (menus_netwatch.c) and the daemon's
 * netwatch thread (src/cmd/netwatch.c), which probes without the router lock. Both
 * functions are called with the router lock held. */
#ifndef WG_ROUTER_NETWATCH_H
#define WG_ROUTER_NETWATCH_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct wg_router;

/* A probe to run, copied out of the store (the thread holds no item across a probe). */
struct wg_netwatch_job {
	uint32_t id;
	int family;
	uint8_t addr[16];
	bool tcp;
	uint16_t port;
	uint64_t timeout_ms;
};

/* The enabled items whose interval has passed since their last probe ended (at most
 * max), marked as probing. now_ms is monotonic. */
size_t wg_netwatch_due(struct wg_router *r, uint64_t now_ms, struct wg_netwatch_job *out, size_t max);
/* A probe of item id ended: status and since on a change, logged, up-script or
 * down-script queued; test-script after every probe. */
void wg_netwatch_result(struct wg_router *r, uint32_t id, bool up, uint64_t now_ms, uint64_t now_unix);
#endif
