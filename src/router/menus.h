/* Internal to src/router: the menu definitions (menus_*.c) and shorthand for their
 * property tables. */
#ifndef WG_ROUTER_MENUS_H
#define WG_ROUTER_MENUS_H
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include "router/router.h"
#include "router/schema.h"
#include "router/store.h"
#include "util/alloc.h"
#include "util/sbuf.h"
#include "util/str.h"
#include "util/strvec.h"

#define P_COMMENT { "comment", PT_STR, 0, NULL, NULL, 0, 0 }
#define P_DISABLED { "disabled", PT_BOOL, 0, "no", NULL, 0, 0 }
#define P_END { NULL, PT_STR, 0, NULL, NULL, 0, 0 }

extern const struct wg_menu wg_menu_root, wg_menu_interface, wg_menu_ip, wg_menu_ip_firewall,
	wg_menu_ipv6, wg_menu_ipv6_firewall, wg_menu_routing, wg_menu_system, wg_menu_tool;
extern const struct wg_menu wg_menu_wireguard, wg_menu_peers;
extern const struct wg_menu wg_menu_ip_address, wg_menu_ipv6_address, wg_menu_ip_route,
	wg_menu_ipv6_route, wg_menu_routing_table, wg_menu_ip_dns, wg_menu_ip_dns_static;
/* /interface/list's built-in lists (all, none, dynamic, static). */
bool wg_iflist_builtin(const char *name);
/* Why an item's reference that may appear later (a firewall interface) does not resolve
 * now, into buf; NULL when all resolve. check.c, the one place references are checked. */
const char *wg_ref_missing(struct wg_router *r, const struct wg_menu *m, char *const *vals, char *buf, size_t len);
extern const struct wg_menu wg_menu_fw_filter, wg_menu_fw_nat, wg_menu_fw6_filter, wg_menu_fw6_nat,
	wg_menu_fw_addrlist, wg_menu_fw6_addrlist, wg_menu_iflist, wg_menu_iflist_member,
	wg_menu_fw_mangle, wg_menu_fw6_mangle, wg_menu_fw_raw, wg_menu_fw6_raw, wg_menu_fw_connection,
	wg_menu_fw6_connection;
extern const struct wg_menu wg_menu_identity, wg_menu_logging, wg_menu_log, wg_menu_package,
	wg_menu_resource, wg_menu_resource_cpu;
extern const struct wg_menu wg_menu_user, wg_menu_user_group, wg_menu_user_active, wg_menu_ip_service,
	wg_menu_certificate;
extern const struct wg_menu wg_menu_sniffer, wg_menu_netwatch;
extern const struct wg_menu wg_menu_script, wg_menu_scheduler, wg_menu_backup, wg_menu_file, wg_menu_clock,
	wg_menu_metrics;
extern const struct wg_menu wg_menu_btest_server, wg_menu_btest_session;
/* Every policy name and its !negation (the choices of a policy= property), and the
 * derive hook that writes policy= in RouterOS's order (menus_users.c). */
extern const char *const wg_policy_words[];
int wg_policy_derive(struct wg_vctx *v, struct wg_item *it);
/* traffic-history (traffic.c), and the rows it answers */
extern const struct wg_action wg_peer_actions[], wg_wireguard_actions[];
extern const struct wg_menu wg_menu_traffic_rows;
/* Commands of the root menu: /password (menus_users.c). */
extern const struct wg_action wg_root_actions[];
/* Commands of /system: reboot (menus_backup.c). */
extern const struct wg_action wg_system_actions[];

/* Writes the message into v->err and returns -1 (hooks end with `return fail(v, ...)`). */
int wg_fail(struct wg_vctx *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Is there an item of v->menu, other than it, that same() takes for the same entry? */
bool wg_has_twin(struct wg_vctx *v, const struct wg_item *it,
		 bool (*same)(const struct wg_menu *m, const struct wg_item *a, const struct wg_item *b));
/* A fresh virtual item with the given id, values set by name afterwards. */
struct wg_item *wg_virtual_item(const struct wg_menu *m, uint32_t id);
/* Smallest N >= 1 such that prefixN is not the name_prop of any item of t (and, when
 * ifaces, not an interface of the system either). */
char *wg_next_name(struct wg_vctx *v, const struct wg_table *t, const char *prefix, bool ifaces);
#endif

/* ---- shared by menus and the apply code ---- */
/* Kernel table id of a routing-table name: 254 for main, 10000 + internal id for a
 * /routing/table item (stable across restarts), 0 when unknown. */
uint32_t wg_route_table_id(const struct wg_store *st, const char *name);
const char *wg_route_table_name(const struct wg_store *st, uint32_t id, char *buf, size_t len);
/* Did the router install this /ip/address or /ip/route item on the system? */
bool wg_router_applied(struct wg_router *r, const struct wg_menu *m, uint32_t id);
/* Firewall menus: which nftables family/table a menu feeds (false for other menus). */
bool wg_fw_menu_kind(const struct wg_menu *m, enum wg_fw_family *fam, enum wg_fw_table *tbl);
/* The rule as the firewall compiler takes it: every set property but comment/disabled.
 * props must hold wg_menu_nprops(m) entries; id must hold 16 bytes. */
void wg_fw_rule_of(const struct wg_menu *m, const struct wg_item *it, struct wg_fw_rule *rule,
		   struct wg_fw_prop *props, char *id);
bool wg_router_fw_counter(struct wg_router *r, const struct wg_menu *m, uint32_t id,
			  uint64_t *bytes, uint64_t *packets);
