/* /ip/firewall (filter, nat, address-list, connection), the same under /ipv6,
 * /interface/list and its members, and /routing/mangle. Rules are kept as the
 * properties the user typed; the firewall compiler (src/sys/nft) checks each rule at
 * add/set time and turns the whole list into one nftables table. */
#include <stdlib.h>
#include <string.h>
#include "router/menus.h"
#include "router/units.h"
#include "sys/prefix.h"

/* add-src-to-list / add-dst-to-list are the seeds' spellings: accepted, stored as
 * RouterOS's add-src-to-address-list (rule_derive). */
#define LIST_ACTIONS "add-src-to-address-list", "add-dst-to-address-list", "add-src-to-list", "add-dst-to-list"
static const char *const filter_actions[] = {
	"accept", "drop", "reject", "jump", "return", "log", "passthrough", "fasttrack-connection",
	LIST_ACTIONS, "tarpit", NULL,
};
/* Both spellings of the NAT actions: the seeds write action=srcnat, RouterOS src-nat. */
static const char *const nat_actions[] = {
	"accept", "masquerade", "srcnat", "src-nat", "dstnat", "dst-nat", "redirect", "netmap", "same",
	"return", "jump", "passthrough", "log", LIST_ACTIONS, NULL,
};
static const char *const mangle_actions[] = {
	"mark-routing", "mark-connection", "mark-packet", "change-mss", "change-ttl", "change-dscp",
	"accept", "passthrough", "jump", "return", "log", LIST_ACTIONS, NULL,
};
static const char *const raw_actions[] = {
	"accept", "drop", "notrack", "jump", "return", "log", "passthrough", LIST_ACTIONS, NULL,
};
static const char *const reject_with[] = {
	"icmp-network-unreachable", "icmp-host-unreachable", "icmp-port-unreachable",
	"icmp-protocol-unreachable", "icmp-net-prohibited", "icmp-host-prohibited",
	"icmp-admin-prohibited", "tcp-reset", NULL,
};

/* RouterOS matchers Linux cannot do: accepted by the parser so that the compiler's
 * check refuses them at add with the reason (nftc_refused), never ignored. */
#define P_REFUSED \
	{ "layer7-protocol", PT_STR, 0, NULL, NULL, 0, 0 }, \
	{ "connection-rate", PT_STR, 0, NULL, NULL, 0, 0 }, \
	{ "connection-type", PT_STR, 0, NULL, NULL, 0, 0 }, \
	{ "psd", PT_STR, 0, NULL, NULL, 0, 0 }, \
	{ "tls-host", PT_STR, 0, NULL, NULL, 0, 0 }, \
	{ "content", PT_STR, 0, NULL, NULL, 0, 0 }, \
	{ "hotspot", PT_STR, 0, NULL, NULL, 0, 0 }, \
	{ "in-bridge-port", PT_STR, 0, NULL, NULL, 0, 0 }, \
	{ "out-bridge-port", PT_STR, 0, NULL, NULL, 0, 0 }, \
	{ "in-bridge-port-list", PT_STR, 0, NULL, NULL, 0, 0 }, \
	{ "out-bridge-port-list", PT_STR, 0, NULL, NULL, 0, 0 }, \
	{ "fragment", PT_STR, 0, NULL, NULL, 0, 0 }, \
	{ "ipv4-options", PT_STR, 0, NULL, NULL, 0, 0 }, \
	{ "headers", PT_STR, 0, NULL, NULL, 0, 0 }, \
	{ "ingress-priority", PT_STR, 0, NULL, NULL, 0, 0 }, \
	{ "priority", PT_STR, 0, NULL, NULL, 0, 0 }, \
	{ "time", PT_STR, 0, NULL, NULL, 0, 0 }

#define P_LISTTARGET \
	{ "address-list", PT_STR, 0, NULL, NULL, 0, 0 }, \
	{ "address-list-timeout", PT_STR, 0, NULL, NULL, 0, 0 }, \
	{ "src-address-list-timeout", PT_STR, 0, NULL, NULL, 0, 0 }

#define P_MATCHERS \
	{ "protocol", PT_STR, 0, NULL, NULL, 0, 0 }, \
	{ "src-address", PT_FWADDR, 0, NULL, NULL, 0, 0 }, \
	{ "dst-address", PT_FWADDR, 0, NULL, NULL, 0, 0 }, \
	{ "src-port", PT_PORTS, 0, NULL, NULL, 0, 0 }, \
	{ "dst-port", PT_PORTS, 0, NULL, NULL, 0, 0 }, \
	{ "port", PT_PORTS, 0, NULL, NULL, 0, 0 }, \
	{ "in-interface", PT_FWIFACE, 0, NULL, NULL, 0, 0 }, \
	{ "out-interface", PT_FWIFACE, 0, NULL, NULL, 0, 0 }, \
	{ "in-interface-list", PT_IFLIST, 0, NULL, NULL, 0, 0 }, \
	{ "out-interface-list", PT_IFLIST, 0, NULL, NULL, 0, 0 }, \
	{ "connection-state", PT_STR, 0, NULL, NULL, 0, 0 }, /* [!]a,b: checked by the compiler */ \
	{ "connection-nat-state", PT_STR, 0, NULL, NULL, 0, 0 }, \
	{ "src-address-list", PT_STR, 0, NULL, NULL, 0, 0 }, \
	{ "dst-address-list", PT_STR, 0, NULL, NULL, 0, 0 }, \
	{ "icmp-options", PT_STR, 0, NULL, NULL, 0, 0 }, \
	{ "tcp-flags", PT_STR, 0, NULL, NULL, 0, 0 }, \
	{ "limit", PT_STR, 0, NULL, NULL, 0, 0 }, \
	{ "dst-limit", PT_STR, 0, NULL, NULL, 0, 0 }, \
	{ "connection-limit", PT_STR, 0, NULL, NULL, 0, 0 }, \
	{ "connection-mark", PT_STR, 0, NULL, NULL, 0, 0 }, \
	{ "connection-bytes", PT_STR, 0, NULL, NULL, 0, 0 }, \
	{ "packet-mark", PT_STR, 0, NULL, NULL, 0, 0 }, \
	{ "routing-mark", PT_STR, 0, NULL, NULL, 0, 0 }, \
	{ "ipsec-policy", PT_STR, 0, NULL, NULL, 0, 0 }, \
	{ "ttl", PT_STR, 0, NULL, NULL, 0, 0 }, \
	{ "hop-limit", PT_STR, 0, NULL, NULL, 0, 0 }, \
	{ "packet-size", PT_STR, 0, NULL, NULL, 0, 0 }, \
	{ "dscp", PT_STR, 0, NULL, NULL, 0, 0 }, \
	{ "tcp-mss", PT_STR, 0, NULL, NULL, 0, 0 }, \
	{ "src-address-type", PT_STR, 0, NULL, NULL, 0, 0 }, \
	{ "dst-address-type", PT_STR, 0, NULL, NULL, 0, 0 }, \
	{ "src-mac-address", PT_STR, 0, NULL, NULL, 0, 0 }, \
	{ "per-connection-classifier", PT_STR, 0, NULL, NULL, 0, 0 }, \
	{ "random", PT_STR, 0, NULL, NULL, 0, 0 }, \
	{ "nth", PT_STR, 0, NULL, NULL, 0, 0 }, \
	P_REFUSED, \
	{ "log", PT_BOOL, 0, "no", NULL, 0, 0 }, \
	{ "log-prefix", PT_STR, 0, NULL, NULL, 0, 0 }, \
	{ "jump-target", PT_STR, 0, NULL, NULL, 0, 0 }

/* The end of every rule menu's properties. */
#define P_RULE_TAIL P_LISTTARGET, P_COMMENT, P_DISABLED, P_COUNTERS, P_END

#define P_COUNTERS \
	{ "bytes", PT_BYTES, PF_RO | PF_RUNTIME | PF_STATS, NULL, NULL, 0, 0 }, \
	{ "packets", PT_NUM, PF_RO | PF_RUNTIME | PF_STATS, NULL, NULL, 0, 0 }, \
	P_INVALID

/* Flag I and, in print detail, why (wg_ref_missing: an interface that does not exist yet). */
#define P_INVALID \
	{ "invalid", PT_BOOL, PF_RO | PF_RUNTIME | PF_NOPRINT, NULL, NULL, 0, 0 }, \
	{ "invalid-reason", PT_STR, PF_RO | PF_RUNTIME | PF_NOPRINT, NULL, NULL, 0, 0 }

static const struct wg_prop filter_props[] = {
	{ "chain", PT_STR, PF_REQUIRED, NULL, NULL, 0, 0 },
	{ "action", PT_ENUM, PF_REQUIRED, NULL, filter_actions, 0, 0 },
	P_MATCHERS,
	{ "reject-with", PT_ENUM, 0, NULL, reject_with, 0, 0 },
	{ "hw-offload", PT_BOOL, 0, NULL, NULL, 0, 0 },
	P_RULE_TAIL,
};

static const struct wg_prop nat_props[] = {
	{ "chain", PT_STR, PF_REQUIRED, NULL, NULL, 0, 0 },
	{ "action", PT_ENUM, PF_REQUIRED, NULL, nat_actions, 0, 0 },
	P_MATCHERS,
	{ "to-addresses", PT_FWADDR, 0, NULL, NULL, 0, 0 },
	{ "to-ports", PT_PORTS, 0, NULL, NULL, 0, 0 },
	P_RULE_TAIL,
};

static const struct wg_prop mangle_props[] = {
	{ "chain", PT_STR, PF_REQUIRED, NULL, NULL, 0, 0 },
	{ "action", PT_ENUM, PF_REQUIRED, NULL, mangle_actions, 0, 0 },
	P_MATCHERS,
	{ "new-routing-mark", PT_TABLE, 0, NULL, NULL, 0, 0 },
	{ "new-packet-mark", PT_STR, 0, NULL, NULL, 0, 0 },
	{ "new-connection-mark", PT_STR, 0, NULL, NULL, 0, 0 },
	{ "new-mss", PT_STR, 0, NULL, NULL, 0, 0 },
	{ "new-ttl", PT_STR, 0, NULL, NULL, 0, 0 },
	{ "new-dscp", PT_STR, 0, NULL, NULL, 0, 0 },
	{ "passthrough", PT_BOOL, 0, "yes", NULL, 0, 0 },
	P_RULE_TAIL,
};

static const struct wg_prop raw_props[] = {
	{ "chain", PT_STR, PF_REQUIRED, NULL, NULL, 0, 0 },
	{ "action", PT_ENUM, PF_REQUIRED, NULL, raw_actions, 0, 0 },
	P_MATCHERS,
	P_RULE_TAIL,
};

static const struct wg_flagdef rule_flags[] = {
	{ 'X', "disabled", "disabled" }, { 'I', "invalid", "invalid" }, { 'D', "dynamic", "dynamic" },
	{ 0, NULL, NULL },
};

bool wg_fw_menu_kind(const struct wg_menu *m, enum wg_fw_family *fam, enum wg_fw_table *tbl)
{
	static const struct { const struct wg_menu *m; enum wg_fw_family f; enum wg_fw_table t; } map[] = {
		{ &wg_menu_fw_filter, WG_FW_IP, WG_FW_FILTER }, { &wg_menu_fw_nat, WG_FW_IP, WG_FW_NAT },
		{ &wg_menu_fw6_filter, WG_FW_IPV6, WG_FW_FILTER }, { &wg_menu_fw6_nat, WG_FW_IPV6, WG_FW_NAT },
		{ &wg_menu_fw_mangle, WG_FW_IP, WG_FW_MANGLE }, { &wg_menu_fw6_mangle, WG_FW_IPV6, WG_FW_MANGLE },
		{ &wg_menu_fw_raw, WG_FW_IP, WG_FW_RAW }, { &wg_menu_fw6_raw, WG_FW_IPV6, WG_FW_RAW },
	};
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		if (map[i].m == m) {
			*fam = map[i].f;
			*tbl = map[i].t;
			return true;
		}
	}
	return false;
}

void wg_fw_rule_of(const struct wg_menu *m, const struct wg_item *it, struct wg_fw_rule *rule,
		   struct wg_fw_prop *props, char *id)
{
	size_t n = 0, np = wg_menu_nprops(m);
	for (size_t i = 0; i < np; i++) {
		const char *name = m->props[i].name;
		if (!it->vals[i] || (m->props[i].flags & PF_RO) || !strcmp(name, "comment") ||
		    !strcmp(name, "disabled"))
			continue;
		props[n++] = (struct wg_fw_prop){ name, it->vals[i] };
	}
	if (!wg_item_get(m, it, "action"))
		props[n++] = (struct wg_fw_prop){ "action", "accept" };
	wg_id_format(it->id, id);
	*rule = (struct wg_fw_rule){ id, props, n };
}

/* The compiler knows what nftables accepts (port ranges, protocol names, jump targets);
 * asking it here keeps a bad rule out of the configuration instead of failing later. */
static int rule_check(struct wg_vctx *v, struct wg_item *it)
{
	enum wg_fw_family fam;
	enum wg_fw_table tbl;
	void *ctx;
	const struct wg_sys_ops *sys = wg_router_sys(v->r, &ctx);
	if (!wg_fw_menu_kind(v->menu, &fam, &tbl) || !sys || !sys->fw_check)
		return 0;
	struct wg_fw_prop *props = xcalloc(wg_menu_nprops(v->menu) + 1, sizeof(*props));
	struct wg_fw_rule rule;
	char id[16];
	wg_fw_rule_of(v->menu, it, &rule, props, id);
	int rc = sys->fw_check(ctx, fam, tbl, &rule, v->err, v->errlen);
	free(props);
	return rc < 0 ? -1 : 0;
}

/* RouterOS writes action=accept out in print and export, so it is stored, not a default
 * (and required: set and unset cannot remove it). */
static int rule_on_add(struct wg_vctx *v, struct wg_item *it)
{
	if (!wg_item_get(v->menu, it, "action"))
		wg_item_set(v->menu, it, "action", "accept");
	return 0;
}

/* Moves a value from one property to another (both of the menu). */
static void move_prop(const struct wg_menu *m, struct wg_item *it, const char *from, const char *to)
{
	const char *v = wg_item_get(m, it, from);
	if (!v)
		return;
	wg_item_set(m, it, to, v);
	wg_item_set(m, it, from, NULL);
}

/* The seeds' add-src-to-list with src-address-list=L src-address-list-timeout=T is
 * RouterOS's add-src-to-address-list address-list=L address-list-timeout=T: stored
 * (and so exported) in RouterOS's form, where src-address-list= is again a matcher. */
static int rule_derive(struct wg_vctx *v, struct wg_item *it)
{
	const struct wg_menu *m = v->menu;
	const char *a = wg_item_get(m, it, "action");
	bool src = streq(a, "add-src-to-list"), dst = streq(a, "add-dst-to-list");
	if (!src && !dst)
		return 0;
	wg_item_set(m, it, "action", src ? "add-src-to-address-list" : "add-dst-to-address-list");
	if (wg_item_get(m, it, "address-list"))
		return 0;
	move_prop(m, it, src ? "src-address-list" : "dst-address-list", "address-list");
	if (!wg_item_get(m, it, "address-list-timeout"))
		move_prop(m, it, "src-address-list-timeout", "address-list-timeout");
	return 0;
}

static void ref_runtime(struct wg_router *r, const struct wg_menu *m, const struct wg_item *it, char **vals)
{
	char reason[96];
	const char *why = wg_ref_missing(r, m, vals, reason, sizeof(reason));
	xset(&vals[wg_menu_prop(m, "invalid")], why ? "yes" : "no");
	if (why)
		xset(&vals[wg_menu_prop(m, "invalid-reason")], why);
}

static void rule_runtime(struct wg_router *r, const struct wg_menu *m, const struct wg_item *it, char **vals)
{
	uint64_t bytes = 0, packets = 0;
	char buf[32];
	wg_router_fw_counter(r, m, it->id, &bytes, &packets);
	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)bytes);
	xset(&vals[wg_menu_prop(m, "bytes")], buf);
	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)packets);
	xset(&vals[wg_menu_prop(m, "packets")], buf);
	ref_runtime(r, m, it, vals);
}

#define RULE_MENU(var, p, pr) \
	const struct wg_menu var = { \
		.path = p, .flags = MF_ITEMS | MF_ORDERED | MF_COUNTERS | MF_PLAIN, .props = pr, \
		.flagdefs = rule_flags, .on_add = rule_on_add, .derive = rule_derive, .check = rule_check, \
		.runtime = rule_runtime, \
	}
RULE_MENU(wg_menu_fw_filter, "/ip/firewall/filter", filter_props);
RULE_MENU(wg_menu_fw_nat, "/ip/firewall/nat", nat_props);
RULE_MENU(wg_menu_fw_mangle, "/ip/firewall/mangle", mangle_props); /* also /routing/mangle */
RULE_MENU(wg_menu_fw_raw, "/ip/firewall/raw", raw_props);
RULE_MENU(wg_menu_fw6_filter, "/ipv6/firewall/filter", filter_props);
RULE_MENU(wg_menu_fw6_nat, "/ipv6/firewall/nat", nat_props);
RULE_MENU(wg_menu_fw6_mangle, "/ipv6/firewall/mangle", mangle_props);
RULE_MENU(wg_menu_fw6_raw, "/ipv6/firewall/raw", raw_props);

/* ---- address lists ---- */

static const struct wg_prop addrlist_props[] = {
	{ "list", PT_STR, PF_REQUIRED, NULL, NULL, 0, 0 },
	{ "address", PT_FWADDR, PF_REQUIRED, NULL, NULL, 0, 0 },
	{ "timeout", PT_TIME, 0, NULL, NULL, 0, 0 },
	P_COMMENT,
	P_DISABLED,
	P_END,
};
static const char *const addrlist_cols[] = { "list", "address", "timeout", NULL };

static int addrlist_check(struct wg_vctx *v, struct wg_item *it)
{
	struct wg_prefix p;
	const char *a = wg_item_get(v->menu, it, "address");
	int fam = v->menu == &wg_menu_fw_addrlist ? AF_INET : AF_INET6;
	if (a[0] == '!' || (!strchr(a, '-') && (wg_prefix_parse(&p, a) < 0 || p.family != fam)))
		return wg_fail(v, "invalid value for argument address");
	const struct wg_table *t = wg_store_table(v->st, v->menu);
	for (size_t i = 0; i < t->n; i++) {
		const struct wg_item *o = t->v[i];
		if (o->id != it->id && streq(wg_item_get(v->menu, o, "list"), wg_item_get(v->menu, it, "list")) &&
		    streq(wg_item_get(v->menu, o, "address"), a))
			return wg_fail(v, "failure: already have such entry");
	}
	return 0;
}

static void addrlist_list_family(struct wg_router *r, const struct wg_menu *m, enum wg_fw_family fam,
				 struct wg_itemlist *out)
{
	void *ctx;
	const struct wg_sys_ops *sys = wg_router_sys(r, &ctx);
	struct wg_fw_dyn_entry *d = NULL;
	int n = sys && sys->fw_dynamic ? sys->fw_dynamic(ctx, &d) : 0;
	char buf[WG_PREFIX_STRLEN], t[48];
	for (int i = 0; i < n; i++) {
		if (d[i].family != fam)
			continue;
		struct wg_item *it = wg_virtual_item(m, 0x80000000u + (uint32_t)out->n + 1);
		it->dynamic = true;
		wg_item_set(m, it, "list", d[i].list);
		wg_item_set(m, it, "address", wg_prefix_format(&d[i].addr, true, buf));
		if (d[i].expires_ms) /* RouterOS shows the time left as 59m58s */
			wg_item_set(m, it, "timeout", wg_time_format(d[i].expires_ms / 1000 * 1000, t, sizeof(t)));
		wg_itemlist_push(out, it);
	}
	free(d);
}

static void addrlist4_list(struct wg_router *r, struct wg_itemlist *out)
{
	addrlist_list_family(r, &wg_menu_fw_addrlist, WG_FW_IP, out);
}

static void addrlist6_list(struct wg_router *r, struct wg_itemlist *out)
{
	addrlist_list_family(r, &wg_menu_fw6_addrlist, WG_FW_IPV6, out);
}

const struct wg_menu wg_menu_fw_addrlist = {
	.path = "/ip/firewall/address-list", .flags = MF_ITEMS | MF_PLAIN, .props = addrlist_props,
	.columns = addrlist_cols, .flagdefs = rule_flags, .check = addrlist_check, .list = addrlist4_list,
};
const struct wg_menu wg_menu_fw6_addrlist = {
	.path = "/ipv6/firewall/address-list", .flags = MF_ITEMS | MF_PLAIN, .props = addrlist_props,
	.columns = addrlist_cols, .flagdefs = rule_flags, .check = addrlist_check, .list = addrlist6_list,
};

/* ---- /interface/list and members ---- */

static const char *const builtin_lists[] = { "all", "none", "dynamic", "static", NULL };

static const struct wg_prop iflist_props[] = {
	{ "name", PT_STR, PF_REQUIRED | PF_UNIQUE, NULL, NULL, 0, 0 },
	{ "include", PT_LIST, 0, NULL, NULL, 0, 0 },
	{ "exclude", PT_LIST, 0, NULL, NULL, 0, 0 },
	P_COMMENT,
	{ "builtin", PT_BOOL, PF_RO | PF_RUNTIME | PF_NOPRINT, NULL, NULL, 0, 0 },
	P_END,
};
static const struct wg_flagdef iflist_flags[] = { { '*', "builtin", "builtin" }, { 0, NULL, NULL } };
static const char *const iflist_cols[] = { "name", "include", "exclude", NULL };

bool wg_iflist_builtin(const char *name)
{
	for (const char *const *b = builtin_lists; *b; b++)
		if (streq(*b, name))
			return true;
	return false;
}

static int iflist_check(struct wg_vctx *v, struct wg_item *it)
{
	if (wg_iflist_builtin(wg_item_get(v->menu, it, "name")))
		return wg_fail(v, "failure: already have such entry");
	return 0;
}

static void iflist_list(struct wg_router *r, struct wg_itemlist *out)
{
	for (size_t i = 0; builtin_lists[i]; i++) {
		struct wg_item *it = wg_virtual_item(&wg_menu_iflist, 0x80000000u + (uint32_t)i + 1);
		wg_item_set(&wg_menu_iflist, it, "name", builtin_lists[i]);
		wg_item_set(&wg_menu_iflist, it, "builtin", "yes");
		wg_itemlist_push(out, it);
	}
}

static int iflist_on_remove(struct wg_vctx *v, const struct wg_item *it);

const struct wg_menu wg_menu_iflist = {
	.path = "/interface/list", .flags = MF_ITEMS, .props = iflist_props, .columns = iflist_cols,
	.flagdefs = iflist_flags, .name_prop = "name", .check = iflist_check, .on_remove = iflist_on_remove,
	.list = iflist_list,
};

static const struct wg_prop member_props[] = {
	{ "list", PT_STR, PF_REQUIRED, NULL, NULL, 0, 0 },
	{ "interface", PT_FWIFACE, PF_REQUIRED, NULL, NULL, 0, 0 },
	P_COMMENT,
	P_DISABLED,
	P_INVALID,
	P_END,
};
static const struct wg_flagdef member_flags[] = {
	{ 'X', "disabled", "disabled" }, { 'I', "invalid", "invalid" }, { 'D', "dynamic", "dynamic" },
	{ 0, NULL, NULL },
};
static const char *const member_cols[] = { "list", "interface", NULL };

static int member_check(struct wg_vctx *v, struct wg_item *it)
{
	const struct wg_menu *m = v->menu;
	const char *list = wg_item_get(m, it, "list");
	if (!wg_table_by_name(wg_store_table(v->st, &wg_menu_iflist), list) || wg_iflist_builtin(list))
		return wg_fail(v, "input does not match any value of list");
	const struct wg_table *t = wg_store_table(v->st, m);
	for (size_t i = 0; i < t->n; i++) {
		const struct wg_item *o = t->v[i];
		if (o->id != it->id && streq(wg_item_get(m, o, "list"), list) &&
		    streq(wg_item_get(m, o, "interface"), wg_item_get(m, it, "interface")))
			return wg_fail(v, "failure: already have such entry");
	}
	return 0;
}

const struct wg_menu wg_menu_iflist_member = {
	.path = "/interface/list/member", .flags = MF_ITEMS, .props = member_props, .columns = member_cols,
	.flagdefs = member_flags, .check = member_check, .runtime = ref_runtime,
};

static int iflist_on_remove(struct wg_vctx *v, const struct wg_item *it)
{
	const char *name = wg_item_get(v->menu, it, "name");
	const struct wg_table *t = wg_store_table(v->st, &wg_menu_iflist_member);
	for (size_t i = 0; i < t->n; i++)
		if (streq(wg_item_get(&wg_menu_iflist_member, t->v[i], "list"), name))
			return wg_fail(v, "failure: interface list %s has members", name);
	return 0;
}

/* ---- /ip/firewall/connection: the kernel's connection tracking table ---- */

static const struct wg_prop conn_props[] = {
	{ "protocol", PT_STR, PF_RO, NULL, NULL, 0, 0 },
	{ "src-address", PT_STR, PF_RO, NULL, NULL, 0, 0 },
	{ "dst-address", PT_STR, PF_RO, NULL, NULL, 0, 0 },
	{ "src-port", PT_NUM, PF_RO | PF_NOPRINT, NULL, NULL, 0, 0 },
	{ "dst-port", PT_NUM, PF_RO | PF_NOPRINT, NULL, NULL, 0, 0 },
	{ "reply-src-address", PT_STR, PF_RO, NULL, NULL, 0, 0 },
	{ "reply-dst-address", PT_STR, PF_RO, NULL, NULL, 0, 0 },
	{ "tcp-state", PT_STR, PF_RO, NULL, NULL, 0, 0 },
	{ "timeout", PT_TIME, PF_RO, NULL, NULL, 0, 0 },
	{ "assured", PT_BOOL, PF_RO | PF_NOPRINT, NULL, NULL, 0, 0 },
	P_END,
};
static const struct wg_flagdef conn_flags[] = { { 'A', "assured", "assured" }, { 0, NULL, NULL } };
static const char *const conn_cols[] = { "protocol", "src-address", "dst-address", "tcp-state", "timeout", NULL };

static const char *field(const char *line, const char *key, int nth, char *buf, size_t len)
{
	const char *p = line;
	size_t kl = strlen(key);
	for (int seen = 0; (p = strstr(p, key)); p += kl) {
		if ((p == line || p[-1] == ' ') && seen++ == nth) {
			size_t n = strcspn(p + kl, " \n");
			snprintf(buf, len, "%.*s", (int)(n < len ? n : len - 1), p + kl);
			return buf;
		}
	}
	return NULL;
}

/* "src=" value as RouterOS prints it: IPv6 compressed (/proc writes every zero group),
 * with its port as a:p or [a6]:p. */
static void conn_endpoint(const char *addr, const char *port, char *buf, size_t len)
{
	struct wg_prefix p;
	char a[WG_PREFIX_STRLEN];
	bool v6 = wg_addr_parse(&p, addr) == 0 && p.family == AF_INET6;
	const char *shown = v6 ? wg_addr_format(AF_INET6, p.addr, a) : addr;
	if (!port)
		snprintf(buf, len, "%s", shown);
	else if (v6)
		snprintf(buf, len, "[%s]:%s", shown, port);
	else
		snprintf(buf, len, "%s:%s", shown, port);
}

static void conn_add(const struct wg_menu *m, const char *line, struct wg_itemlist *out)
{
	char proto[16], s[64], d[64], sp[8], dp[8], buf[96], rs[64], rd[64], rsp[8], rdp[8], st[24];
	int timeout = 0;
	if (sscanf(line, "%*s %*d %15s %*d %d", proto, &timeout) != 2 || !field(line, "src=", 0, s, sizeof(s)) ||
	    !field(line, "dst=", 0, d, sizeof(d)))
		return;
	struct wg_item *it = wg_virtual_item(m, (uint32_t)out->n + 1);
	wg_item_set(m, it, "protocol", proto);
	bool ports = field(line, "sport=", 0, sp, sizeof(sp)) && field(line, "dport=", 0, dp, sizeof(dp));
	conn_endpoint(s, ports ? sp : NULL, buf, sizeof(buf));
	wg_item_set(m, it, "src-address", buf);
	conn_endpoint(d, ports ? dp : NULL, buf, sizeof(buf));
	wg_item_set(m, it, "dst-address", buf);
	if (ports) {
		wg_item_set(m, it, "src-port", sp);
		wg_item_set(m, it, "dst-port", dp);
	}
	if (field(line, "src=", 1, rs, sizeof(rs)) && field(line, "dst=", 1, rd, sizeof(rd))) {
		bool rp = field(line, "sport=", 1, rsp, sizeof(rsp)) && field(line, "dport=", 1, rdp, sizeof(rdp));
		conn_endpoint(rs, rp ? rsp : NULL, buf, sizeof(buf));
		wg_item_set(m, it, "reply-src-address", buf);
		conn_endpoint(rd, rp ? rdp : NULL, buf, sizeof(buf));
		wg_item_set(m, it, "reply-dst-address", buf);
	}
	if (!strcmp(proto, "tcp") && sscanf(line, "%*s %*d %*s %*d %*d %23s", st) == 1)
		wg_item_set(m, it, "tcp-state", st);
	wg_item_set(m, it, "timeout", wg_time_format((uint64_t)(timeout > 0 ? timeout : 0) * 1000, buf, sizeof(buf)));
	wg_item_set(m, it, "assured", strstr(line, "[ASSURED]") ? "yes" : "no");
	wg_itemlist_push(out, it);
}

/* /proc/net/nf_conntrack lines start with the family ("ipv4 2 tcp ..."): each menu
 * shows its own, as RouterOS's /ip and /ipv6 connection tables do. */
static void conn_list_family(const struct wg_menu *m, const char *family, struct wg_itemlist *out)
{
	FILE *f = fopen("/proc/net/nf_conntrack", "r");
	char line[512];
	size_t fl = strlen(family);
	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, family, fl) && line[fl] == ' ')
			conn_add(m, line, out);
	fclose(f);
}

static void conn_list(struct wg_router *r, struct wg_itemlist *out)
{
	conn_list_family(&wg_menu_fw_connection, "ipv4", out);
}

static void conn6_list(struct wg_router *r, struct wg_itemlist *out)
{
	conn_list_family(&wg_menu_fw6_connection, "ipv6", out);
}

const struct wg_menu wg_menu_fw_connection = {
	.path = "/ip/firewall/connection", .flags = MF_VIRTUAL | MF_NOEXPORT, .props = conn_props,
	.columns = conn_cols, .flagdefs = conn_flags, .list = conn_list,
};

const struct wg_menu wg_menu_fw6_connection = {
	.path = "/ipv6/firewall/connection", .flags = MF_VIRTUAL | MF_NOEXPORT, .props = conn_props,
	.columns = conn_cols, .flagdefs = conn_flags, .list = conn6_list,
};
