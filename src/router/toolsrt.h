/* The tools' running state that belongs to the router and outlives a command: the
 * sniffer started by /tool/sniffer start (until stop, its packets kept for save) and
 * /tool/netwatch's status per item. Used with the router lock held. */
#ifndef WG_ROUTER_TOOLSRT_H
#define WG_ROUTER_TOOLSRT_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct wg_router;
struct wg_sniffer;
struct wg_toolsrt;

struct wg_toolsrt *wg_toolsrt_new(void);
void wg_toolsrt_free(struct wg_toolsrt *t);
struct wg_toolsrt *wg_router_tools(struct wg_router *r);

/* The sniffer of /tool/sniffer (NULL: never started); set replaces (and frees) it. */
struct wg_sniffer *wg_toolsrt_sniffer(struct wg_toolsrt *t);
void wg_toolsrt_set_sniffer(struct wg_toolsrt *t, struct wg_sniffer *s);

/* A netwatch item's state: status (up, down, unknown) and since (unix time). */
struct wg_netwatch_state {
	uint32_t id;
	char status[8];
	uint64_t since;
	uint64_t done_ms;         /* monotonic time of its last probe's end (0: none yet) */
	bool probing;
};
/* The state of item id, made (status unknown) when new. */
struct wg_netwatch_state *wg_toolsrt_netwatch(struct wg_toolsrt *t, uint32_t id);
/* Forgets the states of items not in ids. */
void wg_toolsrt_netwatch_keep(struct wg_toolsrt *t, const uint32_t *ids, size_t n);
#endif
