/* Actions: what a rule does once it matched, written after its counter. Each action
 * checks the properties it needs (jump-target, to-addresses, ...) and where it may be
 * used, so a bad rule fails at `add` with a message instead of at apply time. */
#include "sys/nft_internal.h"
#include <errno.h>
#include <stdio.h>
#include <string.h>

enum {
	IN_FILTER = 1 << WG_FW_FILTER, IN_NAT = 1 << WG_FW_NAT, IN_MANGLE = 1 << WG_FW_MANGLE,
	IN_RAW = 1 << WG_FW_RAW, IN_ALL = IN_FILTER | IN_NAT | IN_MANGLE | IN_RAW,
};

static const char *const base_chains[WG_FW_NTABLE][6] = {
	[WG_FW_FILTER] = { "input", "forward", "output", NULL },
	[WG_FW_NAT] = { "srcnat", "dstnat", NULL },
	[WG_FW_MANGLE] = { "prerouting", "input", "forward", "output", "postrouting", NULL },
	[WG_FW_RAW] = { "prerouting", "output", NULL },
};

bool nftc_base_chain(enum wg_fw_table tbl, const char *chain)
{
	for (int i = 0; base_chains[tbl][i]; i++)
		if (!strcmp(base_chains[tbl][i], chain))
			return true;
	return false;
}

void nftc_chain_name(enum wg_fw_family fam, enum wg_fw_table tbl, const char *chain,
		   char *out, size_t n)
{
	char prefix[16];
	snprintf(prefix, sizeof(prefix), "%s_%s_", nftc_family_name(fam), nftc_table_name(tbl));
	nftc_mangle(prefix, chain, out, n);
}

/* NAT to a base chain of the wrong direction would only fail in the kernel. */
static int nat_chain_ok(struct nftc_rule *fr, const char *action, const char *wrong)
{
	if (!strcmp(fr->chain, wrong))
		return nftc_err(fr->c, "action %s is not valid in chain %s", action, wrong);
	return 0;
}

/* to-ports as ":8080" / ":8000-8010" into out; "" when absent. */
static int to_ports(struct nftc_rule *fr, char *out, size_t n)
{
	const char *v = nftc_prop(fr->r, "to-ports");
	unsigned a, b;
	out[0] = '\0';
	if (!v)
		return 0;
	if (!fr->l4)
		return nftc_err(fr->c, "to-ports needs protocol=tcp, udp, sctp or dccp");
	if (!nftc_port_range(v, strlen(v), &a, &b))
		return nftc_bad(fr->c, "to-ports", v);
	if (a == b)
		snprintf(out, n, ":%u", a);
	else
		snprintf(out, n, ":%u-%u", a, b);
	return 0;
}

/* to-addresses (an address or a range a-b) with to-ports, as snat/dnat write them. */
static int nat_target(struct nftc_rule *fr, const char *v, char *out, size_t n)
{
	char addr[2 * WG_PREFIX_STRLEN], ports[16];
	bool single;
	int ret;
	if (nftc_addr_text(fr->c->fam, v, addr, sizeof(addr), &single) < 0 ||
	    (!single && !strchr(addr, '-')))
		return nftc_bad(fr->c, "to-addresses", v);
	if ((ret = to_ports(fr, ports, sizeof(ports))) < 0)
		return ret;
	if (fr->c->fam == WG_FW_IPV6 && ports[0] && single)
		snprintf(out, n, "[%s]%s", addr, ports);
	else if (fr->c->fam == WG_FW_IPV6 && ports[0])
		return nftc_err(fr->c, "an IPv6 to-addresses range cannot be combined with to-ports");
	else
		snprintf(out, n, "%s%s", addr, ports);
	return 0;
}

static int a_verdict(struct nftc_rule *fr, const char *verdict)
{
	sb_printf(fr->out, "%s", verdict);
	return 0;
}

static int a_accept(struct nftc_rule *fr) { return a_verdict(fr, "accept"); }
static int a_drop(struct nftc_rule *fr) { return a_verdict(fr, "drop"); }
static int a_return(struct nftc_rule *fr) { return a_verdict(fr, "return"); }
static int a_none(struct nftc_rule *fr) { return 0; }

static int a_jump(struct nftc_rule *fr)
{
	const char *t = nftc_prop(fr->r, "jump-target");
	if (!t)
		return nftc_err(fr->c, "action=jump needs jump-target");
	if (!nftc_plain(t, NFTC_NAME_MAX) || nftc_base_chain(fr->c->tbl, t))
		return nftc_bad(fr->c, "jump-target", t);
	if (nftc_names_add(&fr->c->jumps[fr->c->fam][fr->c->tbl], t) < 0)
		return nftc_err(fr->c, "out of memory");
	char name[NFTC_NFT_NAME];
	nftc_chain_name(fr->c->fam, fr->c->tbl, t, name, sizeof(name));
	sb_printf(fr->out, "jump %s", name);
	return 0;
}

static const char *reject_type(enum wg_fw_family fam, const char *with)
{
	static const char *const map[][3] = { /* RouterOS, IPv4, IPv6 */
		{ "icmp-network-unreachable", "icmp type net-unreachable", "icmpv6 type no-route" },
		{ "icmp-no-route", "icmp type net-unreachable", "icmpv6 type no-route" },
		{ "icmp-host-unreachable", "icmp type host-unreachable", "icmpv6 type addr-unreachable" },
		{ "icmp-address-unreachable", "icmp type host-unreachable", "icmpv6 type addr-unreachable" },
		{ "icmp-port-unreachable", "icmp type port-unreachable", "icmpv6 type port-unreachable" },
		{ "icmp-protocol-unreachable", "icmp type prot-unreachable", NULL },
		{ "icmp-network-prohibited", "icmp type net-prohibited", "icmpv6 type admin-prohibited" },
		{ "icmp-net-prohibited", "icmp type net-prohibited", "icmpv6 type admin-prohibited" },
		{ "icmp-host-prohibited", "icmp type host-prohibited", "icmpv6 type admin-prohibited" },
		{ "icmp-admin-prohibited", "icmp type admin-prohibited", "icmpv6 type admin-prohibited" },
		{ "icmp-not-neighbour", NULL, "icmpv6 type policy-fail" },
		{ "tcp-reset", "tcp reset", "tcp reset" },
	};
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (!strcmp(map[i][0], with))
			return map[i][fam == WG_FW_IPV6 ? 2 : 1];
	return NULL;
}

static int a_reject(struct nftc_rule *fr)
{
	const char *with = nftc_prop(fr->r, "reject-with");
	if (!with)
		with = fr->c->fam == WG_FW_IPV6 ? "icmp-no-route" : "icmp-network-unreachable";
	const char *type = reject_type(fr->c->fam, with);
	if (!type)
		return nftc_bad(fr->c, "reject-with", with);
	if (!strcmp(with, "tcp-reset") && !(fr->l4 && !strcmp(fr->l4, "tcp")))
		return nftc_err(fr->c, "reject-with=tcp-reset needs protocol=tcp");
	sb_printf(fr->out, "reject with %s", type);
	return 0;
}

/* "log prefix ..." for action=log and for log=yes before any other action. */
static int log_stmt(struct nftc_rule *fr)
{
	const char *pfx = nftc_prop(fr->r, "log-prefix");
	if (pfx && *pfx && !nftc_plain(pfx, 127))
		return nftc_bad(fr->c, "log-prefix", pfx);
	if (pfx && *pfx)
		sb_printf(fr->out, "log prefix \"%s\" ", pfx);
	else
		sb_add(fr->out, "log ");
	return 0;
}

static int a_log(struct nftc_rule *fr) { return log_stmt(fr); }

static int masquerade(struct nftc_rule *fr, const char *action)
{
	char ports[16];
	int ret;
	if ((ret = nat_chain_ok(fr, action, "dstnat")) < 0 ||
	    (ret = to_ports(fr, ports, sizeof(ports))) < 0)
		return ret;
	sb_printf(fr->out, ports[0] ? "masquerade to %s" : "masquerade", ports);
	return 0;
}

static int a_masquerade(struct nftc_rule *fr) { return masquerade(fr, "masquerade"); }

/* srcnat without to-addresses takes the outgoing interface's address (the seeds use
 * it that way), which is exactly masquerade. */
static int a_srcnat(struct nftc_rule *fr)
{
	const char *to = nftc_prop(fr->r, "to-addresses");
	char target[128];
	int ret;
	if (!to)
		return masquerade(fr, "srcnat");
	if ((ret = nat_chain_ok(fr, "srcnat", "dstnat")) < 0 ||
	    (ret = nat_target(fr, to, target, sizeof(target))) < 0)
		return ret;
	sb_printf(fr->out, "snat %s to %s", nftc_family_name(fr->c->fam), target);
	return 0;
}

static int a_dstnat(struct nftc_rule *fr)
{
	const char *to = nftc_prop(fr->r, "to-addresses");
	char target[128];
	int ret;
	if ((ret = nat_chain_ok(fr, "dstnat", "srcnat")) < 0)
		return ret;
	if (!to)
		return nftc_err(fr->c, "action=dstnat needs to-addresses");
	if ((ret = nat_target(fr, to, target, sizeof(target))) < 0)
		return ret;
	sb_printf(fr->out, "dnat %s to %s", nftc_family_name(fr->c->fam), target);
	return 0;
}

static int a_redirect(struct nftc_rule *fr)
{
	char ports[16];
	int ret;
	if ((ret = nat_chain_ok(fr, "redirect", "srcnat")) < 0 ||
	    (ret = to_ports(fr, ports, sizeof(ports))) < 0)
		return ret;
	sb_printf(fr->out, ports[0] ? "redirect to %s" : "redirect", ports);
	return 0;
}

/* The timeout of an add-*-to-list entry; "none-dynamic"/"none-static" mean none. */
static int list_timeout(struct nftc_rule *fr, const char *dir, char *out, size_t n)
{
	char key[32];
	const char *v = nftc_prop(fr->r, "address-list-timeout");
	snprintf(key, sizeof(key), "%s-address-list-timeout", dir);
	if (!v && (v = nftc_prop(fr->r, key)) == NULL)
		v = "none-dynamic";
	const char *k = nftc_prop(fr->r, "address-list-timeout") ? "address-list-timeout" : key;
	uint64_t ms;
	out[0] = '\0';
	if (!strcmp(v, "none-dynamic") || !strcmp(v, "none-static"))
		return 0;
	if (nftc_time_ms(v, &ms) < 0)
		return nftc_bad(fr->c, k, v);
	if (ms) {
		char t[32];
		nftc_time_fmt(ms, t, sizeof(t));
		snprintf(out, n, " timeout %s", t);
	}
	return 0;
}

/* Target list: address-list=, or (as in the seeds) src-/dst-address-list=. */
static int add_to_list(struct nftc_rule *fr, const char *dir)
{
	char key[32], set[NFTC_NFT_NAME], timeout[48];
	snprintf(key, sizeof(key), "%s-address-list", dir);
	const char *list = nftc_prop(fr->r, "address-list");
	const char *k = list ? "address-list" : key;
	if (!list && !(list = nftc_prop(fr->r, key)))
		return nftc_err(fr->c, "action=add-%s-to-address-list needs address-list", dir);
	if (!nftc_plain(list, NFTC_NAME_MAX))
		return nftc_bad(fr->c, k, list);
	int ret = list_timeout(fr, dir, timeout, sizeof(timeout));
	if (ret < 0)
		return ret;
	enum wg_fw_family fam = fr->c->fam;
	if (nftc_names_add(&fr->c->addr_lists[fam], list) < 0 ||
	    nftc_names_add(&fr->c->dyn_lists[fam], list) < 0)
		return nftc_err(fr->c, "out of memory");
	nftc_addrlist_set(fam, list, set, sizeof(set));
	sb_printf(fr->out, "add @%s { %s %saddr%s }", set, nftc_family_name(fam),
		  dir[0] == 's' ? "s" : "d", timeout);
	return 0;
}

/* netmap maps a prefix onto a prefix of the same size (1:1 NAT); same keeps a client
 * on one address of to-addresses. Both need to know the direction from the chain. */
static int nat_by_chain(struct nftc_rule *fr, const char *action, const char **verb)
{
	*verb = !strcmp(fr->chain, "srcnat") ? "snat" : !strcmp(fr->chain, "dstnat") ? "dnat" : NULL;
	if (!*verb)
		return nftc_err(fr->c, "action %s needs chain srcnat or dstnat", action);
	if (!nftc_prop(fr->r, "to-addresses"))
		return nftc_err(fr->c, "action=%s needs to-addresses", action);
	return 0;
}

static int a_netmap(struct nftc_rule *fr)
{
	const char *verb, *to = nftc_prop(fr->r, "to-addresses");
	char addr[2 * WG_PREFIX_STRLEN];
	bool single;
	int ret = nat_by_chain(fr, "netmap", &verb);
	if (ret < 0)
		return ret;
	if (nftc_addr_text(fr->c->fam, to, addr, sizeof(addr), &single) < 0 || strchr(addr, '-'))
		return nftc_bad(fr->c, "to-addresses", to);
	if (single) /* a host prefix prints bare; nft's prefix NAT wants the length */
		strcat(addr, fr->c->fam == WG_FW_IPV6 ? "/128" : "/32");
	sb_printf(fr->out, "%s %s prefix to %s", verb, nftc_family_name(fr->c->fam), addr);
	return 0;
}

static int a_same(struct nftc_rule *fr)
{
	const char *verb;
	char target[128];
	int ret = nat_by_chain(fr, "same", &verb);
	if (ret == 0)
		ret = nat_target(fr, nftc_prop(fr->r, "to-addresses"), target, sizeof(target));
	if (ret == 0)
		sb_printf(fr->out, "%s %s to %s persistent", verb, nftc_family_name(fr->c->fam), target);
	return ret;
}

static int a_unsupported(struct nftc_rule *fr)
{
	return nftc_err(fr->c, "invalid value for argument action: \"%s\" (not available with nftables)",
			nftc_prop(fr->r, "action"));
}

static int a_add_src(struct nftc_rule *fr) { return add_to_list(fr, "src"); }
static int a_add_dst(struct nftc_rule *fr) { return add_to_list(fr, "dst"); }

/* Offload needs the flowtable, which only the forward hook can feed. hw-offload=yes
 * asks RouterOS's switch chip to carry the flow; there is none here, so both values
 * offload to the kernel's software flowtable (the fast path that exists). */
static int a_fasttrack(struct nftc_rule *fr)
{
	const struct wg_fw_config *cfg = fr->c->cfg;
	const char *hw = nftc_prop(fr->r, "hw-offload");
	bool on;
	if (hw && !nftc_bool(hw, &on))
		return nftc_bad(fr->c, "hw-offload", hw);
	if (cfg && cfg->flowtable && cfg->nflow_devices && !strcmp(fr->chain, "forward")) {
		fr->c->uses_flowtable = true;
		sb_add(fr->out, "flow add @ft accept");
	} else {
		sb_add(fr->out, "accept");
	}
	return 0;
}

static const struct action {
	const char *name;
	unsigned tables;
	int (*emit)(struct nftc_rule *fr);
} actions[] = {
	{ "accept", IN_ALL, a_accept },          { "drop", IN_FILTER | IN_RAW, a_drop },
	{ "reject", IN_FILTER, a_reject },       { "return", IN_ALL, a_return },
	{ "jump", IN_ALL, a_jump },              { "log", IN_ALL, a_log },
	{ "passthrough", IN_ALL, a_none },       { "masquerade", IN_NAT, a_masquerade },
	{ "mark-routing", IN_MANGLE, nftc_a_mark_routing },
	{ "mark-connection", IN_MANGLE, nftc_a_mark_connection },
	{ "mark-packet", IN_MANGLE, nftc_a_mark_packet },
	{ "change-mss", IN_MANGLE, nftc_a_change_mss },
	{ "change-ttl", IN_MANGLE, nftc_a_change_ttl },
	{ "change-dscp", IN_MANGLE, nftc_a_change_dscp },
	{ "notrack", IN_RAW, nftc_a_notrack },
	{ "srcnat", IN_NAT, a_srcnat },          { "dstnat", IN_NAT, a_dstnat },
	{ "redirect", IN_NAT, a_redirect },
	{ "add-src-to-address-list", IN_ALL, a_add_src },
	{ "add-dst-to-address-list", IN_ALL, a_add_dst },
	/* the seeds' spelling of the two above */
	{ "add-src-to-list", IN_ALL, a_add_src }, { "add-dst-to-list", IN_ALL, a_add_dst },
	{ "fasttrack-connection", IN_FILTER, a_fasttrack },
	/* RouterOS spells these src-nat / dst-nat; the seeds srcnat / dstnat */
	{ "src-nat", IN_NAT, a_srcnat },         { "dst-nat", IN_NAT, a_dstnat },
	{ "netmap", IN_NAT, a_netmap },          { "same", IN_NAT, a_same },
	{ "tarpit", IN_FILTER, a_unsupported },
};

int nftc_action(struct nftc_rule *fr)
{
	const char *name = nftc_prop(fr->r, "action"), *log = nftc_prop(fr->r, "log");
	bool log_on = false;
	if (!name)
		name = "accept"; /* RouterOS default */
	if (log && !nftc_bool(log, &log_on))
		return nftc_bad(fr->c, "log", log);
	for (size_t i = 0; i < sizeof(actions) / sizeof(actions[0]); i++) {
		if (strcmp(actions[i].name, name))
			continue;
		if (!(actions[i].tables & (1u << fr->c->tbl)))
			return nftc_bad(fr->c, "action", name);
		int ret = log_on && actions[i].emit != a_log ? log_stmt(fr) : 0;
		return ret < 0 ? ret : actions[i].emit(fr);
	}
	return nftc_bad(fr->c, "action", name);
}
