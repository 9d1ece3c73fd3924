/* RouterOS firewall (/ip/firewall, /ipv6/firewall) on Linux nftables.
 *
 * The whole configuration compiles into one table, `table inet wgrouter`, which is
 * replaced atomically: one libnftables transaction "add table; delete table; table {...}"
 * either installs the new ruleset or leaves the old one untouched.
 *
 * The compiler is pure (model in, nft script out). The model is the console's own data:
 * every rule is its id plus its properties as key/value strings. A rule or address-list
 * entry with disabled=yes is left out. Every rule gets a counter and the comment
 * "<ip|ip6> <filter|nat> <id>", which is how counters are read back for `print stats`.
 *
 * Mapping notes: filter chains input/forward/output and nat chains srcnat/dstnat are
 * base chains with policy accept; any other chain name is a regular chain (per family
 * and table, e.g. ip_filter_<name>) reached by action=jump. Interface lists are sets of
 * names (type ifname): list "all" matches every interface, "none" none. Address lists are
 * sets per family; a list that add-src-to-list / add-dst-to-list fills is a dynamic set
 * with timeouts and may then only hold single addresses. With action=add-src-to-list and
 * no address-list=, the seeds' src-address-list= names the target list and
 * src-address-list-timeout= its timeout. action=srcnat without to-addresses masquerades.
 * src-nat/dst-nat are aliases of srcnat/dstnat; netmap and same are supported; tarpit is
 * refused (nftables has no equivalent). port= (either port) compiles to two nft rules
 * with one counter. fasttrack-connection offloads to a flowtable when cfg.flowtable is
 * set and the rule is in chain forward, else it accepts.
 *
 * Mangle (the seeds' /routing/mangle) is a third table: base chains prerouting, input,
 * forward, output and postrouting become nft chains mangle_<chain> at mangle priority
 * (output as a route chain, so a new mark re-routes locally made packets).
 * action=mark-routing new-routing-mark=TABLE sets the packet mark of that routing table
 * (cfg.route_marks; the router adds an ip rule "fwmark MARK lookup TABLE" beside it);
 * with passthrough=no the chain stops there. mark-packet sets the high 16 bits of the
 * mark, mark-connection the ct mark (nft_mark.c). Raw (WG_FW_RAW) has prerouting and
 * output at raw priority (notrack). */
#ifndef WG_SYS_NFT_H
#define WG_SYS_NFT_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "sys/prefix.h"

#define WG_NFT_TABLE "wgrouter"   /* table inet wgrouter */

enum wg_fw_family { WG_FW_IP = 0, WG_FW_IPV6 = 1, WG_FW_NFAMILY };   /* /ip vs /ipv6 */
/* firewall/filter, firewall/nat, firewall/mangle (= routing/mangle), firewall/raw */
enum wg_fw_table { WG_FW_FILTER = 0, WG_FW_NAT = 1, WG_FW_MANGLE = 2, WG_FW_RAW = 3, WG_FW_NTABLE };

/* A routing table's name (RouterOS routing-table / new-routing-mark) and the packet mark
 * that selects it. */
struct wg_fw_route_mark { const char *name; uint32_t mark; };

/* One property exactly as the console stores it, e.g. {"dst-port", "80,443"}. */
struct wg_fw_prop { const char *key, *value; };

struct wg_fw_rule {
	const char *id;                 /* "*3": the console's internal id */
	const struct wg_fw_prop *props; /* chain=, action=, ...; order does not matter */
	size_t nprops;
};

/* /ip/firewall/address-list (or /ipv6/...) entry. */
struct wg_fw_addr_entry {
	const char *list;
	const char *address;  /* "1.2.3.4", "10.0.0.0/8" or "10.0.0.1-10.0.0.9" */
	const char *timeout;  /* NULL or "" = none, else a RouterOS time ("1h", "1d2h") */
	bool disabled;
};

/* /interface/list/member entry. */
struct wg_fw_if_member { const char *list, *interface; };

/* A rule's counter; the key is (family, table, id). */
struct wg_fw_counter {
	enum wg_fw_family family;
	enum wg_fw_table table;
	char id[32];
	uint64_t packets, bytes;
};

/* An address the packet path added to a dynamic list (add-src-to-list), read back so
 * `/ip/firewall/address-list print` can show it (flag D) and so it survives a re-apply. */
struct wg_fw_dyn_entry {
	enum wg_fw_family family;
	char list[64];
	struct wg_prefix addr;
	uint64_t timeout_ms;  /* the element's timeout, 0 = none */
	uint64_t expires_ms;  /* time left, 0 = never expires */
};

struct wg_fw_config {
	/* rules[family][table], each array in list order (the order of `print`) */
	const struct wg_fw_rule *rules[WG_FW_NFAMILY][WG_FW_NTABLE];
	size_t nrules[WG_FW_NFAMILY][WG_FW_NTABLE];
	/* address lists per family */
	const struct wg_fw_addr_entry *addrs[WG_FW_NFAMILY];
	size_t naddrs[WG_FW_NFAMILY];
	/* /interface/list names (empty lists still make sets) and their members */
	const char *const *if_lists;
	size_t nif_lists;
	const struct wg_fw_if_member *members;
	size_t nmembers;
	/* Offload fasttrack-connection to a flowtable over these devices (the system's
	 * interfaces; needs re-apply when they change). false/empty: fasttrack = accept. */
	bool flowtable;
	const char *const *flow_devices;
	size_t nflow_devices;
	/* Initial counter values (carried over a re-apply); rules not listed start at 0. */
	const struct wg_fw_counter *counters;
	size_t ncounters;
	/* Dynamic entries carried over a re-apply; dropped if their list is no longer dynamic. */
	const struct wg_fw_dyn_entry *dyn;
	size_t ndyn;
	/* Routing tables that mark-routing may name. */
	const struct wg_fw_route_mark *route_marks;
	size_t nroute_marks;
};

/* ---- pure: no root, no kernel ---- */

/* Checks one rule as `add`/`set` would, before it enters the configuration. On error
 * writes one message naming the property and value, e.g.
 * `invalid value for argument dst-port: "80-"`, and returns -EINVAL. */
int wg_nft_rule_check(enum wg_fw_family fam, enum wg_fw_table tbl,
		      const struct wg_fw_rule *rule, char *err, size_t errlen);
/* Same for one address-list entry. */
int wg_nft_addr_check(enum wg_fw_family fam, const struct wg_fw_addr_entry *e,
		      char *err, size_t errlen);
/* Compiles the configuration into the nft script that replaces the table. On success
 * *script is malloc'ed (free()) and 0 is returned; on error -EINVAL and err says why,
 * prefixed with the rule, e.g. `ip filter rule *3: invalid value for argument dst-port: "x"`. */
int wg_nft_compile(const struct wg_fw_config *cfg, char **script, char *err, size_t errlen);
/* Parses `nft list table inet wgrouter` text: counters of every rule with our comment.
 * Returns the count; *out is malloc'ed. Pure, so it is unit tested on captured text. */
int wg_nft_parse_counters(const char *listing, struct wg_fw_counter **out);
/* Parses the same text for elements of dynamic address-list sets. */
int wg_nft_parse_dynamic(const char *listing, struct wg_fw_dyn_entry **out);

/* ---- system: root (CAP_NET_ADMIN) in the caller's network namespace ---- */

/* Flags for wg_nft_apply. */
enum {
	WG_NFT_KEEP_COUNTERS = 1, /* rules keep their live counters unless cfg->counters says otherwise */
	WG_NFT_KEEP_DYNAMIC = 2,  /* dynamic address-list entries survive (plus cfg->dyn) */
};
/* Compiles and installs cfg atomically. err gets the compiler's or nft's message.
 * 0, -EINVAL (bad config), or -EIO (the kernel refused; the old table stays). */
int wg_nft_apply(const struct wg_fw_config *cfg, int flags, char *err, size_t errlen);
/* Runs an nft script as one transaction (used by apply; handy for tests). */
int wg_nft_run(const char *script, char *err, size_t errlen);
/* Removes the table (at shutdown). Absent table is not an error. */
int wg_nft_flush(void);
/* Live counters / dynamic entries of the installed table (0 entries if none). */
int wg_nft_read_counters(struct wg_fw_counter **out);
int wg_nft_read_dynamic(struct wg_fw_dyn_entry **out);
/* Full `nft list table inet wgrouter` text, malloc'ed; NULL if no table. */
char *wg_nft_list(void);
/* True when the kernel can create a flowtable (fasttrack offload); leaves nothing behind. */
bool wg_nft_probe_flowtable(void);
/* The RouterOS protocol names protocol= takes (completion, help): i-th, NULL past the end. */
const char *wg_nft_proto_name(size_t i);
#endif
