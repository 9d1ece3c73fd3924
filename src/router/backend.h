/* Everything the router does to the outside world goes through these two tables of
 * function pointers: the WireGuard data plane and the system (addresses, routes, links,
 * firewall). The daemon passes the real ones (ops_real.c); unit tests pass a recorder,
 * so the whole model, console and apply logic run without root or a data plane. */
#ifndef WG_ROUTER_BACKEND_H
#define WG_ROUTER_BACKEND_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "sys/netlink.h"
#include "sys/nft.h"
#include "sys/nft_rates.h"

/* Called from data plane threads for every log line of an interface. */
typedef void (*wg_dp_log_fn)(void *ctx, int level, const uint8_t *peer_pub, const char *topic,
			     const char *msg);

struct wg_dp_ops {
	/* Creates interface ifname and starts it; NULL and *err = -errno on failure. */
	void *(*start)(void *ctx, const char *ifname, int mtu, wg_dp_log_fn log, void *log_ctx, int *err);
	void (*stop)(void *ctx, void *dp);
	/* A UAPI request; returns 0 or a negative errno; *reply for get (malloc'd). */
	int (*uapi)(void *ctx, void *dp, const char *request, char **reply);
	int (*set_mtu)(void *ctx, void *dp, int mtu);
	int (*set_up)(void *ctx, void *dp, bool up);
	/* optional: rename the running interface keeping its sessions (NULL: restart it) */
	int (*rename)(void *ctx, void *dp, const char *new_name);
	/* Endpoint host name + port to "ip:port" / "[ip6]:port"; 0 or -1. NULL: getaddrinfo. */
	int (*resolve)(void *ctx, const char *host, const char *port, char *out, size_t len);
	/* A peer that only answers handshakes (RouterOS responder=yes); UAPI has no key for
	 * it. 0, or -ENOENT if the peer is not configured. NULL: not supported. */
	int (*set_responder)(void *ctx, void *dp, const uint8_t pub[32], bool responder);
};

struct wg_sys_ops {
	int (*link_list)(void *ctx, struct wg_nl_link **out);
	int (*addr_add)(void *ctx, const char *ifname, const struct wg_prefix *p);
	int (*addr_del)(void *ctx, const char *ifname, const struct wg_prefix *p);
	int (*addr_list)(void *ctx, int family, struct wg_nl_addr **out);
	int (*route_add)(void *ctx, const struct wg_nl_route *r);
	int (*route_del)(void *ctx, const struct wg_nl_route *r);
	int (*route_list)(void *ctx, int family, struct wg_nl_route **out);
	/* Policy rules for mark-routing; NULL members: not available (marks stay unused). */
	int (*rule_add)(void *ctx, const struct wg_nl_rule *r);
	int (*rule_del)(void *ctx, const struct wg_nl_rule *r);
	int (*rule_list)(void *ctx, int family, struct wg_nl_rule **out);
	/* Firewall: NULL members mean "not available in this build". */
	int (*fw_check)(void *ctx, enum wg_fw_family f, enum wg_fw_table t, const struct wg_fw_rule *rule,
			char *err, size_t errlen);
	int (*fw_apply)(void *ctx, const struct wg_fw_config *cfg, int flags, char *err, size_t errlen);
	int (*fw_counters)(void *ctx, struct wg_fw_counter **out);
	int (*fw_dynamic)(void *ctx, struct wg_fw_dyn_entry **out);
	void (*fw_flush)(void *ctx);
	bool (*fw_flowtable)(void *ctx);  /* can the kernel offload fasttrack-connection? */
	/* Per-peer rate limits (sys/nft_rates.h): replaces the whole set; NULL: not available. */
	int (*rates_apply)(void *ctx, const struct wg_rate_peer *v, size_t n, char *err, size_t errlen);
	/* IPv4/IPv6 forwarding, turned on once when the router starts; NULL: left alone. */
	int (*set_forwarding)(void *ctx, bool on);
};

/* The real backends (ops_real.c). */
extern const struct wg_dp_ops wg_dp_ops_real;
extern const struct wg_sys_ops wg_sys_ops_real;
#endif
