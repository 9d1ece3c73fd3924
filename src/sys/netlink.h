/* Addresses, routes and links of the running system through rtnetlink (libmnl).
 *
 * Stateless: every call opens its own NETLINK_ROUTE socket in the caller's network
 * namespace, sends one request and closes it, so calls are thread safe and need no
 * setup. Every call returns 0 (or a count/index) on success and -errno on failure; one
 * call is one kernel request, so a failed call changes nothing.
 * Lists are returned as malloc'ed arrays of plain structs: free() them. */
#ifndef WG_SYS_NETLINK_H
#define WG_SYS_NETLINK_H
#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "sys/prefix.h"

enum {
	WG_NL_TABLE_MAIN = 254,    /* RouterOS routing-table=main */
	WG_NL_PROTO_KERNEL = 2,    /* RTPROT_KERNEL: connected routes (RouterOS DAC) */
	WG_NL_PROTO_BOOT = 3,      /* RTPROT_BOOT: `ip route add` default */
	WG_NL_PROTO_STATIC = 4,    /* RTPROT_STATIC: routes from /ip/route (RouterOS AS) */
	WG_NL_PROTO_WGROUTER = 77, /* routes the router installs itself (allowed-address, DAd) */
};

/* ---- addresses (/ip/address, /ipv6/address) ---- */

struct wg_nl_addr {
	int ifindex;
	char ifname[IF_NAMESIZE];
	struct wg_prefix prefix; /* the address with its prefix length, host bits kept */
	uint8_t scope;           /* RT_SCOPE_UNIVERSE (0), RT_SCOPE_LINK (253), RT_SCOPE_HOST */
	uint32_t flags;          /* IFA_F_* (IFA_F_TENTATIVE, IFA_F_PERMANENT, ...) */
};

/* Adds p (e.g. 10.0.0.1/24) to the interface; IPv4 also gets the broadcast address.
 * -EEXIST if already there, -ENODEV if no such interface. */
int wg_nl_addr_add(const char *ifname, const struct wg_prefix *p);
/* Removes exactly that address and length. -ENOENT if absent, -ENODEV if no interface. */
int wg_nl_addr_del(const char *ifname, const struct wg_prefix *p);
/* Addresses of one interface (ifname NULL: of every interface); family AF_INET,
 * AF_INET6 or AF_UNSPEC for both. Returns the count, *out holds them (free()). */
int wg_nl_addr_list(const char *ifname, int family, struct wg_nl_addr **out);

/* ---- routes (/ip/route, /ipv6/route) ---- */

struct wg_nl_route {
	struct wg_prefix dst;          /* 0.0.0.0/0 for the default route; host bits must be 0 */
	bool has_gateway;
	uint8_t gateway[16];           /* same family as dst */
	char oif[IF_NAMESIZE];         /* "" = none; a device route when no gateway */
	uint32_t table;                /* WG_NL_TABLE_MAIN or 1..0xfffffffe */
	uint32_t metric;               /* RouterOS distance */
	uint8_t protocol;              /* WG_NL_PROTO_*; 0 on add means WG_NL_PROTO_STATIC */
	bool blackhole;                /* RouterOS blackhole=yes; no gateway, no oif */
	/* read only, filled by wg_nl_route_list: */
	uint8_t type;                  /* RTN_UNICAST, RTN_LOCAL, RTN_BLACKHOLE, ... */
	uint8_t scope;                 /* RT_SCOPE_LINK for connected routes */
	int oif_index;
	bool has_prefsrc;
	uint8_t prefsrc[16];           /* RouterOS pref-src / the "local" address of DAC */
};

/* Convenience: is this a route the kernel made for an interface address (connected)? */
static inline bool wg_nl_route_is_connected(const struct wg_nl_route *r)
{ return r->protocol == WG_NL_PROTO_KERNEL; }

/* Adds a route: gateway IP and/or oif (gateway=wg-site is an oif with no gateway IP),
 * or blackhole. -EEXIST if that route (dst, table, metric) already exists,
 * -ENODEV if oif is unknown, -ENETUNREACH if the gateway is not reachable. */
int wg_nl_route_add(const struct wg_nl_route *r);
/* Like add, but replaces a route with the same dst, table and metric. */
int wg_nl_route_replace(const struct wg_nl_route *r);
/* Deletes the route matching dst, table, metric and, when set, gateway and oif.
 * -ENOENT if there is none. */
int wg_nl_route_del(const struct wg_nl_route *r);
/* Unicast and blackhole routes of a table (0 = every table except local) and family
 * (AF_UNSPEC = both), connected and static alike. Returns the count; free(*out). */
int wg_nl_route_list(int family, uint32_t table, struct wg_nl_route **out);

/* ---- policy rules (/routing/mangle mark-routing) ---- */

struct wg_nl_rule {
	int family;          /* AF_INET or AF_INET6 */
	uint32_t fwmark;     /* matched exactly (mask 0xffffffff); 0 when the rule has none */
	uint32_t table;      /* looked up when the mark matches */
	uint32_t priority;   /* `ip rule` preference */
	uint8_t protocol;    /* 0 on add means WG_NL_PROTO_WGROUTER */
};

/* Adds "fwmark MARK lookup TABLE" at PRIORITY. -EEXIST if the same rule exists. */
int wg_nl_rule_add(const struct wg_nl_rule *r);
/* Deletes the rule with these family, fwmark, table, priority and protocol; -ENOENT. */
int wg_nl_rule_del(const struct wg_nl_rule *r);
/* Table-lookup rules of a family (AF_UNSPEC: both). Returns the count; free(*out). */
int wg_nl_rule_list(int family, struct wg_nl_rule **out);

/* ---- links (/interface) ---- */

struct wg_nl_link {
	int ifindex;
	char name[IF_NAMESIZE];
	char kind[24];        /* IFLA_INFO_KIND: "tun", "veth", "bridge", "wireguard", ...;
	                         "ether" for a plain Ethernet NIC, "loopback" for lo */
	unsigned mtu;
	uint8_t mac[6];
	bool has_mac;         /* false for tun / none-type links */
	bool up;              /* IFF_UP: administratively enabled */
	bool running;         /* IFF_RUNNING: operationally up (RouterOS R flag) */
	bool lower_up;        /* IFF_LOWER_UP: carrier */
	int master_index;     /* bridge/bond master, 0 = none */
	uint64_t rx_bytes, tx_bytes, rx_packets, tx_packets;
	uint64_t rx_errors, tx_errors, rx_dropped, tx_dropped;
};

/* Every interface of the namespace, by ifindex. Returns the count; free(*out). */
int wg_nl_link_list(struct wg_nl_link **out);
/* One interface by name. -ENODEV if absent. */
int wg_nl_link_get(const char *name, struct wg_nl_link *out);
/* ifindex (> 0) of an interface, or -ENODEV. */
int wg_nl_ifindex(const char *name);
int wg_nl_link_set_up(const char *name, bool up);
int wg_nl_link_set_mtu(const char *name, unsigned mtu);
int wg_nl_link_rename(const char *name, const char *new_name); /* link must be down */
/* Creates a link of a kind that needs no options ("dummy", "bridge", "ifb");
 * -EEXIST if the name is taken, -EOPNOTSUPP if the kernel lacks that kind. */
int wg_nl_link_create(const char *name, const char *kind);
/* Creates a veth pair name <-> peer in this namespace. */
int wg_nl_link_create_veth(const char *name, const char *peer);
int wg_nl_link_delete(const char *name);
#endif
