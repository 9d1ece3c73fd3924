/* The firewall compiler (src/sys/nft_compile.c and friends): the seeds' rules compile
 * to the expected nft text, bad input is refused with a message naming the property,
 * and nft listings parse back into counters and dynamic entries. Pure: no root. */
#include "test.h"
#include "sys/nft.h"
#include "sys/nft_internal.h"
#include <errno.h>
#include <stdlib.h>

/* Storage of the rules below stays reachable from here until exit, so the leak checker
 * of make check-sanitize does not count it. */
static void *keep(void *p)
{
	static void **v;
	static size_t n;
	v = realloc(v, (n + 1) * sizeof(*v));
	v[n++] = p;
	return p;
}

/* Rules are written as the console would store them: `id` plus "key=value ..."
 * (values with spaces in double quotes). The storage lives until the process ends. */
struct spec { const char *id, *props; };

static struct wg_fw_rule rule_of(const char *id, const char *props)
{
	struct wg_fw_prop *p = keep(calloc(32, sizeof(*p)));
	char *s = keep(strdup(props));
	size_t n = 0;
	while (*s && n < 32) {
		while (*s == ' ')
			s++;
		char *eq = strchr(s, '=');
		if (!*s || !eq)
			break;
		*eq = '\0';
		p[n].key = s;
		char *v = eq + 1, *end;
		if (*v == '"') {
			end = strchr(++v, '"');
		} else {
			end = strchr(v, ' ');
		}
		s = end ? end + 1 : v + strlen(v);
		if (end)
			*end = '\0';
		p[n++].value = v;
	}
	return (struct wg_fw_rule){ id, p, n };
}

static struct wg_fw_rule *rules_of(const struct spec *s, size_t n)
{
	struct wg_fw_rule *r = keep(calloc(n + 1, sizeof(*r)));
	for (size_t i = 0; i < n; i++)
		r[i] = rule_of(s[i].id, s[i].props);
	return r;
}

#define SET_RULES(cfg, fam, tbl, specs)                                              \
	do { (cfg).rules[fam][tbl] = rules_of(specs, sizeof(specs) / sizeof(specs[0])); \
	     (cfg).nrules[fam][tbl] = sizeof(specs) / sizeof(specs[0]); } while (0)

/* Compares line by line so a failure shows the first differing line. */
static void check_text(const char *got, const char *want)
{
	int line = 1;
	while (*got && *want) {
		size_t g = strcspn(got, "\n"), w = strcspn(want, "\n");
		if (g != w || memcmp(got, want, g)) {
			test_fail(__FILE__, __LINE__, "line %d:\n   got: %.*s\n  want: %.*s",
				  line, (int)g, got, (int)w, want);
			return;
		}
		got += g + (got[g] == '\n');
		want += w + (want[w] == '\n');
		line++;
	}
	CHECK(!*got && !*want, "length differs at line %d: got \"%.40s\" want \"%.40s\"", line, got, want);
}

static char *compile_ok(const struct wg_fw_config *cfg)
{
	char *script = NULL, err[256] = "";
	int rc = wg_nft_compile(cfg, &script, err, sizeof(err));
	CHECK(rc == 0, "compile failed: %s", err);
	return script ? script : strdup("");
}

/* ---------- seed 000: road warrior + site-to-site on one router ---------- */

static const struct spec seed0_filter[] = {
	{ "*1", "chain=input protocol=udp dst-port=51820 in-interface-list=WAN action=accept comment=\"Allow WireGuard UDP\"" },
	{ "*2", "chain=forward src-address=10.200.200.0/24 dst-address=10.0.10.0/24 action=accept comment=\"Allow WG clients → HOME (10)\"" },
	{ "*3", "chain=forward src-address=10.200.200.0/24 dst-address=10.0.20.0/24 action=accept" },
	{ "*4", "chain=forward src-address=10.200.200.0/24 dst-address=10.0.0.0/16 action=accept" },
	{ "*5", "chain=input protocol=udp dst-port=51821 in-interface-list=WAN action=accept comment=\"Allow WG site-to-site\"" },
	{ "*6", "chain=forward src-address=172.16.0.0/24 dst-address=10.0.0.0/16 in-interface=wg-site out-interface=bridge-trunk action=accept" },
	{ "*7", "chain=forward src-address=10.0.0.0/16 dst-address=172.16.0.0/24 in-interface=bridge-trunk out-interface=wg-site action=accept" },
	{ "*8", "chain=forward action=fasttrack-connection connection-state=established,related in-interface-list=LAN out-interface-list=LAN" },
	{ "*9", "chain=input protocol=udp dst-port=51820 src-address-list=wg-scanners action=drop comment=\"Drop known WG scanners\"" },
	{ "*A", "chain=input protocol=udp dst-port=51820 action=add-src-to-list connection-state=new src-address-list-timeout=1h src-address-list=wg-scanners" },
	{ "*B", "chain=forward action=drop comment=\"Default drop forward\"" },
};
static const struct spec seed0_nat[] = {
	{ "*1", "chain=srcnat src-address=10.200.200.0/24 dst-address=10.0.0.0/16 action=srcnat comment=\"NAT remote WG clients to LAN\"" },
};

static const char seed0_want[] =
	"add table inet wgrouter\n"
	"delete table inet wgrouter\n"
	"table inet wgrouter {\n"
	"\tset ifl_WAN {\n"
	"\t\ttype ifname;\n"
	"\t\telements = { \"pppoe-out1\" }\n"
	"\t}\n"
	"\tset ifl_LAN {\n"
	"\t\ttype ifname;\n"
	"\t\telements = { \"bridge-trunk\", \"wg-remote\" }\n"
	"\t}\n"
	"\tset al4_wg-scanners {\n"
	"\t\ttype ipv4_addr;\n"
	"\t\tflags dynamic,timeout;\n"
	"\t}\n"
	"\n"
	"\tchain input {\n"
	"\t\ttype filter hook input priority filter; policy accept;\n"
	"\t\tmeta nfproto ipv4 meta l4proto udp udp dport 51820 iifname @ifl_WAN counter accept comment \"ip filter *1\"\n"
	"\t\tmeta nfproto ipv4 meta l4proto udp udp dport 51821 iifname @ifl_WAN counter accept comment \"ip filter *5\"\n"
	"\t\tmeta nfproto ipv4 meta l4proto udp udp dport 51820 ip saddr @al4_wg-scanners counter drop comment \"ip filter *9\"\n"
	"\t\tmeta nfproto ipv4 meta l4proto udp udp dport 51820 ct state new counter add @al4_wg-scanners { ip saddr timeout 1h } comment \"ip filter *A\"\n"
	"\t}\n"
	"\n"
	"\tchain forward {\n"
	"\t\ttype filter hook forward priority filter; policy accept;\n"
	"\t\tmeta nfproto ipv4 ip saddr 10.200.200.0/24 ip daddr 10.0.10.0/24 counter accept comment \"ip filter *2\"\n"
	"\t\tmeta nfproto ipv4 ip saddr 10.200.200.0/24 ip daddr 10.0.20.0/24 counter accept comment \"ip filter *3\"\n"
	"\t\tmeta nfproto ipv4 ip saddr 10.200.200.0/24 ip daddr 10.0.0.0/16 counter accept comment \"ip filter *4\"\n"
	"\t\tmeta nfproto ipv4 ip saddr 172.16.0.0/24 ip daddr 10.0.0.0/16 iifname \"wg-site\" oifname \"bridge-trunk\" counter accept comment \"ip filter *6\"\n"
	"\t\tmeta nfproto ipv4 ip saddr 10.0.0.0/16 ip daddr 172.16.0.0/24 iifname \"bridge-trunk\" oifname \"wg-site\" counter accept comment \"ip filter *7\"\n"
	"\t\tmeta nfproto ipv4 iifname @ifl_LAN oifname @ifl_LAN ct state { established, related } counter accept comment \"ip filter *8\"\n"
	"\t\tmeta nfproto ipv4 counter drop comment \"ip filter *B\"\n"
	"\t}\n"
	"\n"
	"\tchain output {\n"
	"\t\ttype filter hook output priority filter; policy accept;\n"
	"\t}\n"
	"\n"
	"\tchain srcnat {\n"
	"\t\ttype nat hook postrouting priority srcnat; policy accept;\n"
	"\t\tmeta nfproto ipv4 ip saddr 10.200.200.0/24 ip daddr 10.0.0.0/16 counter masquerade comment \"ip nat *1\"\n"
	"\t}\n"
	"\n"
	"\tchain dstnat {\n"
	"\t\ttype nat hook prerouting priority dstnat; policy accept;\n"
	"\t}\n"
	"}\n";

static const char *const seed0_lists[] = { "WAN", "LAN" };
static const struct wg_fw_if_member seed0_members[] = {
	{ "WAN", "pppoe-out1" }, { "LAN", "bridge-trunk" }, { "LAN", "wg-remote" },
	{ "LAN", "bridge-trunk" }, /* duplicates collapse */
};

static void seed0_config(struct wg_fw_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	SET_RULES(*cfg, WG_FW_IP, WG_FW_FILTER, seed0_filter);
	SET_RULES(*cfg, WG_FW_IP, WG_FW_NAT, seed0_nat);
	cfg->if_lists = seed0_lists;
	cfg->nif_lists = 2;
	cfg->members = seed0_members;
	cfg->nmembers = 4;
}

TEST(compile_seed_000_road_warrior_and_site_to_site)
{
	struct wg_fw_config cfg;
	seed0_config(&cfg);
	char *s = compile_ok(&cfg);
	check_text(s, seed0_want);
	free(s);
}

/* ---------- seed 001: RouterOS docs, IPv4 + IPv6 ---------- */

static const struct spec seed1_filter[] = {
	{ "*1", "chain=input protocol=udp dst-port=13231 action=accept comment=WireGuard place-before=1" },
	{ "*2", "chain=forward in-interface=wireguard1 action=accept comment=\"WireGuard forward in\"" },
	{ "*3", "chain=forward out-interface=wireguard1 action=accept comment=\"WireGuard forward out\"" },
	{ "*4", "chain=input in-interface=wireguard1 protocol=udp dst-port=53 action=accept" },
	{ "*5", "chain=input in-interface=wireguard1 protocol=tcp dst-port=53 action=accept" },
	{ "*6", "chain=input protocol=udp dst-port=13231 src-address=203.0.113.25 action=accept" },
};
static const struct spec seed1_nat[] = {
	{ "*1", "chain=srcnat src-address=172.16.0.0/24 action=masquerade out-interface-list=WAN comment=\"WireGuard client NAT\"" },
};
static const struct spec seed1_filter6[] = {
	{ "*1", "chain=input protocol=udp dst-port=13231 action=accept comment=\"WireGuard IPv6\"" },
	{ "*2", "chain=input protocol=icmpv6 action=accept comment=ICMPv6" },
	{ "*3", "chain=input connection-state=established,related action=accept" },
	{ "*4", "chain=forward in-interface=wireguard1 action=accept" },
};

static const char seed1_want[] =
	"add table inet wgrouter\n"
	"delete table inet wgrouter\n"
	"table inet wgrouter {\n"
	"\tset ifl_WAN {\n"
	"\t\ttype ifname;\n"
	"\t}\n"
	"\n"
	"\tchain input {\n"
	"\t\ttype filter hook input priority filter; policy accept;\n"
	"\t\tmeta nfproto ipv4 meta l4proto udp udp dport 13231 counter accept comment \"ip filter *1\"\n"
	"\t\tmeta nfproto ipv4 meta l4proto udp udp dport 53 iifname \"wireguard1\" counter accept comment \"ip filter *4\"\n"
	"\t\tmeta nfproto ipv4 meta l4proto tcp tcp dport 53 iifname \"wireguard1\" counter accept comment \"ip filter *5\"\n"
	"\t\tmeta nfproto ipv4 meta l4proto udp ip saddr 203.0.113.25 udp dport 13231 counter accept comment \"ip filter *6\"\n"
	"\t\tmeta nfproto ipv6 meta l4proto udp udp dport 13231 counter accept comment \"ip6 filter *1\"\n"
	"\t\tmeta nfproto ipv6 meta l4proto ipv6-icmp counter accept comment \"ip6 filter *2\"\n"
	"\t\tmeta nfproto ipv6 ct state { established, related } counter accept comment \"ip6 filter *3\"\n"
	"\t}\n"
	"\n"
	"\tchain forward {\n"
	"\t\ttype filter hook forward priority filter; policy accept;\n"
	"\t\tmeta nfproto ipv4 iifname \"wireguard1\" counter accept comment \"ip filter *2\"\n"
	"\t\tmeta nfproto ipv4 oifname \"wireguard1\" counter accept comment \"ip filter *3\"\n"
	"\t\tmeta nfproto ipv6 iifname \"wireguard1\" counter accept comment \"ip6 filter *4\"\n"
	"\t}\n"
	"\n"
	"\tchain output {\n"
	"\t\ttype filter hook output priority filter; policy accept;\n"
	"\t}\n"
	"\n"
	"\tchain srcnat {\n"
	"\t\ttype nat hook postrouting priority srcnat; policy accept;\n"
	"\t\tmeta nfproto ipv4 ip saddr 172.16.0.0/24 oifname @ifl_WAN counter masquerade comment \"ip nat *1\"\n"
	"\t}\n"
	"\n"
	"\tchain dstnat {\n"
	"\t\ttype nat hook prerouting priority dstnat; policy accept;\n"
	"\t}\n"
	"}\n";

TEST(compile_seed_001_docs_dual_stack)
{
	struct wg_fw_config cfg = { 0 };
	SET_RULES(cfg, WG_FW_IP, WG_FW_FILTER, seed1_filter);
	SET_RULES(cfg, WG_FW_IP, WG_FW_NAT, seed1_nat);
	SET_RULES(cfg, WG_FW_IPV6, WG_FW_FILTER, seed1_filter6);
	char *s = compile_ok(&cfg);
	check_text(s, seed1_want);
	free(s);
}

TEST(compile_empty_config_is_three_accepting_chains)
{
	struct wg_fw_config cfg = { 0 };
	char *s = compile_ok(&cfg);
	check_text(s,
		   "add table inet wgrouter\n"
		   "delete table inet wgrouter\n"
		   "table inet wgrouter {\n"
		   "\n\tchain input {\n\t\ttype filter hook input priority filter; policy accept;\n\t}\n"
		   "\n\tchain forward {\n\t\ttype filter hook forward priority filter; policy accept;\n\t}\n"
		   "\n\tchain output {\n\t\ttype filter hook output priority filter; policy accept;\n\t}\n"
		   "}\n");
	free(s);
}

/* ---------- single rules: one line of the table each ---------- */

/* The compiled line of a one-rule configuration (without indent and newline). */
static char *one_rule(enum wg_fw_family fam, enum wg_fw_table tbl, const char *props,
		      char *err, size_t errlen)
{
	struct wg_fw_rule r = rule_of("*1", props);
	struct wg_fw_config cfg = { 0 };
	cfg.rules[fam][tbl] = &r;
	cfg.nrules[fam][tbl] = 1;
	char *script = NULL;
	if (wg_nft_compile(&cfg, &script, err, errlen) < 0)
		return NULL;
	const char *tag = strstr(script, "comment \"");
	const char *start = tag;
	while (start && start > script && start[-1] != '\t')
		start--;
	char *line = tag ? strndup(start, strcspn(start, "\n")) : strdup("");
	free(script);
	return line;
}

TEST(compile_rule_table)
{
	static const struct { int fam, tbl; const char *props, *want; } cases[] = {
		/* negations, ranges, lists */
		{ WG_FW_IP, WG_FW_FILTER, "chain=input src-address=!10.0.0.0/8 action=drop",
		  "meta nfproto ipv4 ip saddr != 10.0.0.0/8 counter drop" },
		{ WG_FW_IP, WG_FW_FILTER, "chain=input src-address=10.0.0.9-10.0.0.20 action=drop",
		  "meta nfproto ipv4 ip saddr 10.0.0.9-10.0.0.20 counter drop" },
		{ WG_FW_IP, WG_FW_FILTER, "chain=input dst-address=10.200.200.1/24 action=drop",
		  "meta nfproto ipv4 ip daddr 10.200.200.0/24 counter drop" },
		{ WG_FW_IP, WG_FW_FILTER, "chain=input protocol=tcp dst-port=!22 action=drop",
		  "meta nfproto ipv4 meta l4proto tcp tcp dport != 22 counter drop" },
		{ WG_FW_IP, WG_FW_FILTER, "chain=input protocol=tcp src-port=1024-65535 dst-port=80,443,8000-8080 action=accept",
		  "meta nfproto ipv4 meta l4proto tcp tcp sport 1024-65535 tcp dport { 80, 443, 8000-8080 } counter accept" },
		{ WG_FW_IP, WG_FW_FILTER, "chain=input protocol=!tcp action=drop",
		  "meta nfproto ipv4 meta l4proto != tcp counter drop" },
		{ WG_FW_IP, WG_FW_FILTER, "chain=input protocol=47 action=accept",
		  "meta nfproto ipv4 meta l4proto gre counter accept" },
		{ WG_FW_IP, WG_FW_FILTER, "chain=input protocol=ospf action=accept",
		  "meta nfproto ipv4 meta l4proto 89 counter accept" },
		{ WG_FW_IP, WG_FW_FILTER, "chain=input in-interface=!ether1 action=drop",
		  "meta nfproto ipv4 iifname != \"ether1\" counter drop" },
		{ WG_FW_IP, WG_FW_FILTER, "chain=input in-interface-list=!LAN action=drop",
		  "meta nfproto ipv4 iifname != @ifl_LAN counter drop" },
		{ WG_FW_IP, WG_FW_FILTER, "chain=input in-interface-list=all action=drop",
		  "meta nfproto ipv4 counter drop" },
		{ WG_FW_IP, WG_FW_FILTER, "chain=input in-interface-list=!none action=drop",
		  "meta nfproto ipv4 counter drop" },
		{ WG_FW_IP, WG_FW_FILTER, "chain=input in-interface-list=none action=drop",
		  "meta nfproto ipv4 iifname @ifl_none counter drop" },
		{ WG_FW_IP, WG_FW_FILTER, "chain=forward out-interface-list=!all action=drop",
		  "meta nfproto ipv4 oifname @ifl_none counter drop" },
		{ WG_FW_IP, WG_FW_FILTER, "chain=input connection-state=!invalid action=accept",
		  "meta nfproto ipv4 ct state != invalid counter accept" },
		{ WG_FW_IP, WG_FW_FILTER, "chain=input connection-state=invalid,untracked action=drop",
		  "meta nfproto ipv4 ct state { invalid, untracked } counter drop" },
		{ WG_FW_IP, WG_FW_FILTER, "chain=forward connection-nat-state=dstnat action=accept",
		  "meta nfproto ipv4 ct status & (dnat) != 0 counter accept" },
		{ WG_FW_IP, WG_FW_FILTER, "chain=forward connection-nat-state=srcnat,dstnat action=accept",
		  "meta nfproto ipv4 ct status & (snat | dnat) != 0 counter accept" },
		{ WG_FW_IP, WG_FW_FILTER, "chain=forward connection-nat-state=!dstnat action=accept",
		  "meta nfproto ipv4 ct status & (dnat) == 0 counter accept" },
		{ WG_FW_IP, WG_FW_FILTER, "chain=forward ipsec-policy=in,ipsec action=accept",
		  "meta nfproto ipv4 meta ipsec exists counter accept" },
		{ WG_FW_IP, WG_FW_FILTER, "chain=forward protocol=tcp connection-limit=10,24 action=drop",
		  "meta nfproto ipv4 meta l4proto tcp add @cl_ip_filter__2a1 { ip saddr & 255.255.255.0 ct count over 10 } counter drop" },
		{ WG_FW_IP, WG_FW_FILTER, "chain=input dst-address-list=!trusted action=drop",
		  "meta nfproto ipv4 ip daddr != @al4_trusted counter drop" },
		{ WG_FW_IPV6, WG_FW_FILTER, "chain=input src-address-list=bad.hosts action=drop",
		  "meta nfproto ipv6 ip6 saddr @al6_bad_2ehosts counter drop" },
		/* actions */
		{ WG_FW_IP, WG_FW_FILTER, "chain=input",
		  "meta nfproto ipv4 counter accept" },
		{ WG_FW_IP, WG_FW_FILTER, "chain=input action=reject",
		  "meta nfproto ipv4 counter reject with icmp type net-unreachable" },
		{ WG_FW_IPV6, WG_FW_FILTER, "chain=input action=reject",
		  "meta nfproto ipv6 counter reject with icmpv6 type no-route" },
		{ WG_FW_IP, WG_FW_FILTER, "chain=input action=reject reject-with=icmp-admin-prohibited",
		  "meta nfproto ipv4 counter reject with icmp type admin-prohibited" },
		{ WG_FW_IP, WG_FW_FILTER, "chain=input protocol=tcp action=reject reject-with=tcp-reset",
		  "meta nfproto ipv4 meta l4proto tcp counter reject with tcp reset" },
		{ WG_FW_IP, WG_FW_FILTER, "chain=input action=log log-prefix=\"WG: \"",
		  "meta nfproto ipv4 counter log prefix \"WG: \"" },
		{ WG_FW_IP, WG_FW_FILTER, "chain=input action=log",
		  "meta nfproto ipv4 counter log" },
		{ WG_FW_IP, WG_FW_FILTER, "chain=input action=drop log=yes log-prefix=dropped",
		  "meta nfproto ipv4 counter log prefix \"dropped\" drop" },
		{ WG_FW_IP, WG_FW_FILTER, "chain=input action=passthrough",
		  "meta nfproto ipv4 counter" },
		{ WG_FW_IP, WG_FW_FILTER, "chain=custom action=return",
		  "meta nfproto ipv4 counter return" },
		{ WG_FW_IP, WG_FW_FILTER, "chain=input action=add-dst-to-list address-list=seen address-list-timeout=1d2h",
		  "meta nfproto ipv4 counter add @al4_seen { ip daddr timeout 1d2h }" },
		{ WG_FW_IP, WG_FW_FILTER, "chain=input action=add-src-to-list address-list=seen address-list-timeout=none-dynamic",
		  "meta nfproto ipv4 counter add @al4_seen { ip saddr }" },
		{ WG_FW_IP, WG_FW_FILTER, "chain=input action=add-src-to-list address-list=seen src-address-list=other address-list-timeout=00:10:00",
		  "meta nfproto ipv4 ip saddr @al4_other counter add @al4_seen { ip saddr timeout 10m }" },
		{ WG_FW_IP, WG_FW_FILTER, "chain=input action=fasttrack-connection",
		  "meta nfproto ipv4 counter accept" },
		{ WG_FW_IP, WG_FW_FILTER, "chain=input limit=50/5s,5:packet action=accept",
		  "meta nfproto ipv4 limit rate 10/second burst 5 packets counter accept" },
		{ WG_FW_IP, WG_FW_FILTER, "chain=input limit=1/5s action=accept",
		  "meta nfproto ipv4 limit rate 12/minute counter accept" },
		{ WG_FW_IP, WG_FW_FILTER, "chain=input limit=1/7s action=accept",
		  "meta nfproto ipv4 limit rate 12343/day counter accept" },
		{ WG_FW_IP, WG_FW_FILTER, "chain=input limit=10,5 action=accept",
		  "meta nfproto ipv4 limit rate 10/second burst 5 packets counter accept" },
		{ WG_FW_IP, WG_FW_FILTER, "chain=input limit=8000/1s:bit action=accept",
		  "meta nfproto ipv4 limit rate 1000 bytes/second counter accept" },
		/* NAT */
		{ WG_FW_IP, WG_FW_NAT, "chain=srcnat out-interface=ether1 action=srcnat to-addresses=203.0.113.1",
		  "meta nfproto ipv4 oifname \"ether1\" counter snat ip to 203.0.113.1" },
		{ WG_FW_IP, WG_FW_NAT, "chain=srcnat protocol=udp action=srcnat to-addresses=203.0.113.1-203.0.113.4 to-ports=10000-20000",
		  "meta nfproto ipv4 meta l4proto udp counter snat ip to 203.0.113.1-203.0.113.4:10000-20000" },
		{ WG_FW_IP, WG_FW_NAT, "chain=srcnat protocol=tcp action=masquerade to-ports=40000-50000",
		  "meta nfproto ipv4 meta l4proto tcp counter masquerade to :40000-50000" },
		{ WG_FW_IP, WG_FW_NAT, "chain=dstnat protocol=tcp dst-port=80 in-interface-list=WAN action=dstnat to-addresses=10.0.10.5 to-ports=8080",
		  "meta nfproto ipv4 meta l4proto tcp tcp dport 80 iifname @ifl_WAN counter dnat ip to 10.0.10.5:8080" },
		{ WG_FW_IP, WG_FW_NAT, "chain=dstnat protocol=udp dst-port=53 action=redirect to-ports=5353",
		  "meta nfproto ipv4 meta l4proto udp udp dport 53 counter redirect to :5353" },
		{ WG_FW_IP, WG_FW_NAT, "chain=dstnat action=redirect",
		  "meta nfproto ipv4 counter redirect" },
		{ WG_FW_IPV6, WG_FW_NAT, "chain=dstnat protocol=tcp dst-port=443 action=dstnat to-addresses=fd00::5 to-ports=8443",
		  "meta nfproto ipv6 meta l4proto tcp tcp dport 443 counter dnat ip6 to [fd00::5]:8443" },
		{ WG_FW_IPV6, WG_FW_NAT, "chain=srcnat action=srcnat to-addresses=2001:db8::1",
		  "meta nfproto ipv6 counter snat ip6 to 2001:db8::1" },
		{ WG_FW_IP, WG_FW_NAT, "chain=srcnat action=accept",
		  "meta nfproto ipv4 counter accept" },
		{ WG_FW_IP, WG_FW_NAT, "chain=srcnat action=src-nat to-addresses=203.0.113.1",
		  "meta nfproto ipv4 counter snat ip to 203.0.113.1" },
		{ WG_FW_IP, WG_FW_NAT, "chain=dstnat action=netmap dst-address=203.0.113.0/24 to-addresses=10.0.0.0/24",
		  "meta nfproto ipv4 ip daddr 203.0.113.0/24 counter dnat ip prefix to 10.0.0.0/24" },
		{ WG_FW_IP, WG_FW_NAT, "chain=srcnat action=netmap to-addresses=203.0.113.7",
		  "meta nfproto ipv4 counter snat ip prefix to 203.0.113.7/32" },
		{ WG_FW_IP, WG_FW_NAT, "chain=srcnat action=same to-addresses=203.0.113.1-203.0.113.8",
		  "meta nfproto ipv4 counter snat ip to 203.0.113.1-203.0.113.8 persistent" },
		/* port=, icmp-options, tcp-flags */
		{ WG_FW_IP, WG_FW_FILTER, "chain=input protocol=tcp port=!22,80 action=drop",
		  "meta nfproto ipv4 meta l4proto tcp tcp sport != { 22, 80 } tcp dport != { 22, 80 } counter drop" },
		{ WG_FW_IP, WG_FW_FILTER, "chain=input protocol=icmp icmp-options=8:0 action=accept",
		  "meta nfproto ipv4 meta l4proto icmp icmp type 8 icmp code 0 counter accept" },
		{ WG_FW_IPV6, WG_FW_FILTER, "chain=input protocol=icmpv6 icmp-options=!128 action=drop",
		  "meta nfproto ipv6 meta l4proto ipv6-icmp icmpv6 type != 128 counter drop" },
		{ WG_FW_IP, WG_FW_FILTER, "chain=input protocol=tcp tcp-flags=syn,!ack action=accept",
		  "meta nfproto ipv4 meta l4proto tcp tcp flags & (syn | ack) == syn counter accept" },
		{ WG_FW_IP, WG_FW_FILTER, "chain=input protocol=tcp tcp-flags=!fin,!rst action=accept",
		  "meta nfproto ipv4 meta l4proto tcp tcp flags & (fin | rst) == 0x0 counter accept" },
		{ WG_FW_IP, WG_FW_FILTER, "chain=input action=reject reject-with=icmp-net-prohibited",
		  "meta nfproto ipv4 counter reject with icmp type net-prohibited" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char err[256] = "", want[512];
		char *got = one_rule(cases[i].fam, cases[i].tbl, cases[i].props, err, sizeof(err));
		snprintf(want, sizeof(want), "%s comment \"%s %s *1\"", cases[i].want,
			 cases[i].fam == WG_FW_IPV6 ? "ip6" : "ip", cases[i].tbl == WG_FW_NAT ? "nat" : "filter");
		CHECK(got && !strcmp(got, want), "case %zu (%s):\n   got: %s\n  want: %s",
		      i, cases[i].props, got ? got : err, want);
		free(got);
	}
}

TEST(compile_rejects_bad_input_naming_property_and_value)
{
	static const struct { int fam, tbl; const char *props, *err; } cases[] = {
		{ WG_FW_IP, WG_FW_FILTER, "chain=input protocol=tcp dst-port=80-", "invalid value for argument dst-port: \"80-\"" },
		{ WG_FW_IP, WG_FW_FILTER, "chain=input protocol=tcp dst-port=70000", "invalid value for argument dst-port: \"70000\"" },
		{ WG_FW_IP, WG_FW_FILTER, "chain=input protocol=tcp dst-port=2000-1000", "invalid value for argument dst-port: \"2000-1000\"" },
		{ WG_FW_IP, WG_FW_FILTER, "chain=input protocol=tcp dst-port=80,,443", "invalid value for argument dst-port: \"80,,443\"" },
		{ WG_FW_IP, WG_FW_FILTER, "chain=input protocol=tcp src-port=http", "invalid value for argument src-port: \"http\"" },
		{ WG_FW_IP, WG_FW_FILTER, "chain=input dst-port=80", "dst-port needs protocol=tcp, udp, sctp, udp-lite or dccp" },
		{ WG_FW_IP, WG_FW_FILTER, "chain=input protocol=icmp dst-port=80", "dst-port needs protocol" },
		{ WG_FW_IP, WG_FW_FILTER, "chain=input src-address=10.0.0.300", "invalid value for argument src-address: \"10.0.0.300\"" },
		{ WG_FW_IP, WG_FW_FILTER, "chain=input src-address=fd00::/64", "invalid value for argument src-address: \"fd00::/64\"" },
		{ WG_FW_IPV6, WG_FW_FILTER, "chain=input dst-address=10.0.0.0/8", "invalid value for argument dst-address: \"10.0.0.0/8\"" },
		{ WG_FW_IP, WG_FW_FILTER, "chain=input src-address=10.0.0.9-10.0.0.1", "invalid value for argument src-address" },
		{ WG_FW_IP, WG_FW_FILTER, "chain=input protocol=foo", "invalid value for argument protocol: \"foo\"" },
		{ WG_FW_IP, WG_FW_FILTER, "chain=input protocol=256", "invalid value for argument protocol: \"256\"" },
		{ WG_FW_IP, WG_FW_FILTER, "chain=input action=frobnicate", "invalid value for argument action: \"frobnicate\"" },
		{ WG_FW_IP, WG_FW_FILTER, "chain=input action=masquerade", "invalid value for argument action: \"masquerade\"" },
		{ WG_FW_IP, WG_FW_NAT, "chain=srcnat action=drop", "invalid value for argument action: \"drop\"" },
		{ WG_FW_IP, WG_FW_FILTER, "action=accept", "missing value for argument chain" },
		{ WG_FW_IP, WG_FW_FILTER, "chain=input connection-state=established,bogus", "invalid value for argument connection-state: \"established,bogus\"" },
		{ WG_FW_IP, WG_FW_FILTER, "chain=input connection-nat-state=masq", "invalid value for argument connection-nat-state" },
		{ WG_FW_IP, WG_FW_FILTER, "chain=input in-interface=averyveryverylongname", "invalid value for argument in-interface" },
		{ WG_FW_IP, WG_FW_FILTER, "chain=input in-interface=a\\b", "invalid value for argument in-interface" },
		{ WG_FW_IP, WG_FW_FILTER, "chain=input action=jump", "action=jump needs jump-target" },
		{ WG_FW_IP, WG_FW_FILTER, "chain=input action=jump jump-target=forward", "invalid value for argument jump-target: \"forward\"" },
		{ WG_FW_IP, WG_FW_FILTER, "chain=input action=reject reject-with=tcp-reset", "reject-with=tcp-reset needs protocol=tcp" },
		{ WG_FW_IP, WG_FW_FILTER, "chain=input action=reject reject-with=icmp-bogus", "invalid value for argument reject-with" },
		{ WG_FW_IP, WG_FW_NAT, "chain=dstnat action=dstnat to-addresses=1.2.3.4 to-ports=80", "to-ports needs protocol" },
		{ WG_FW_IP, WG_FW_NAT, "chain=dstnat protocol=tcp action=dstnat to-ports=80", "action=dstnat needs to-addresses" },
		{ WG_FW_IP, WG_FW_NAT, "chain=dstnat action=dstnat to-addresses=10.0.0.0/24", "invalid value for argument to-addresses" },
		{ WG_FW_IP, WG_FW_NAT, "chain=dstnat protocol=tcp action=dstnat to-addresses=10.0.0.1 to-ports=99999", "invalid value for argument to-ports: \"99999\"" },
		{ WG_FW_IP, WG_FW_NAT, "chain=dstnat action=masquerade", "action masquerade is not valid in chain dstnat" },
		{ WG_FW_IP, WG_FW_NAT, "chain=srcnat action=dstnat to-addresses=1.2.3.4", "action dstnat is not valid in chain srcnat" },
		{ WG_FW_IP, WG_FW_FILTER, "chain=input bogus-matcher=x action=drop", "unsupported property bogus-matcher" },
		{ WG_FW_IP, WG_FW_FILTER, "chain=input layer7-protocol=x action=drop", "layer7-protocol is not supported: Linux's nftables has no regular-expression" },
		{ WG_FW_IP, WG_FW_FILTER, "chain=input connection-rate=0-100k", "connection-rate is not supported" },
		{ WG_FW_IP, WG_FW_FILTER, "chain=input psd=21,3s,3,1", "psd is not supported" },
		{ WG_FW_IP, WG_FW_FILTER, "chain=forward ipsec-policy=in,maybe", "invalid value for argument ipsec-policy: \"in,maybe\"" },
		{ WG_FW_IP, WG_FW_FILTER, "chain=input ipsec-policy=out,ipsec", "ipsec-policy=out is not valid in chain input" },
		{ WG_FW_IP, WG_FW_FILTER, "chain=input hop-limit=equal:1", "hop-limit is not an IPv4 field: use ttl" },
		{ WG_FW_IPV6, WG_FW_FILTER, "chain=input hop-limit=exactly:1", "invalid value for argument hop-limit: \"exactly:1\"" },
		{ WG_FW_IP, WG_FW_FILTER, "chain=input packet-size=200-100", "invalid value for argument packet-size: \"200-100\"" },
		{ WG_FW_IP, WG_FW_FILTER, "chain=input dst-address-type=anycast", "invalid value for argument dst-address-type: \"anycast\"" },
		{ WG_FW_IP, WG_FW_NAT, "chain=srcnat dst-address-type=local action=masquerade", "dst-address-type cannot be matched in chain srcnat" },
		{ WG_FW_IP, WG_FW_FILTER, "chain=input connection-limit=10", "invalid value for argument connection-limit: \"10\"" },
		{ WG_FW_IP, WG_FW_FILTER, "chain=input connection-limit=10,33", "invalid value for argument connection-limit" },
		{ WG_FW_IP, WG_FW_FILTER, "chain=input dst-limit=10,5,nowhere", "invalid value for argument dst-limit: \"10,5,nowhere\"" },
		{ WG_FW_IP, WG_FW_FILTER, "chain=input dst-limit=10,5,dst-address-and-port", "dst-limit mode dst-address-and-port needs protocol" },
		{ WG_FW_IP, WG_FW_MANGLE, "chain=prerouting per-connection-classifier=src-address:2/2", "invalid value for argument per-connection-classifier" },
		{ WG_FW_IP, WG_FW_MANGLE, "chain=prerouting per-connection-classifier=both-ports:2/0", "per-connection-classifier both-ports needs protocol" },
		{ WG_FW_IP, WG_FW_MANGLE, "chain=prerouting action=mark-packet", "action=mark-packet needs new-packet-mark" },
		{ WG_FW_IP, WG_FW_MANGLE, "chain=forward action=change-mss new-mss=1400", "action=change-mss needs protocol=tcp" },
		{ WG_FW_IP, WG_FW_MANGLE, "chain=forward action=change-ttl new-ttl=decrement:1", "new-ttl=decrement is not supported" },
		{ WG_FW_IP, WG_FW_MANGLE, "chain=forward action=change-ttl new-ttl=set:300", "invalid value for argument new-ttl: \"set:300\"" },
		{ WG_FW_IP, WG_FW_MANGLE, "chain=forward action=mark-packet new-packet-mark=a passthrough=maybe", "invalid value for argument passthrough" },
		{ WG_FW_IP, WG_FW_FILTER, "chain=input action=notrack", "invalid value for argument action: \"notrack\"" },
		{ WG_FW_IP, WG_FW_FILTER, "chain=forward action=fasttrack-connection hw-offload=perhaps", "invalid value for argument hw-offload" },
		{ WG_FW_IP, WG_FW_FILTER, "chain=input src-mac-address=00:11:22:33:44", "invalid value for argument src-mac-address" },
		{ WG_FW_IP, WG_FW_FILTER, "chain=input random=100", "invalid value for argument random" },
		{ WG_FW_IP, WG_FW_FILTER, "chain=input nth=2,3", "invalid value for argument nth" },
		{ WG_FW_IP, WG_FW_FILTER, "chain=input tcp-flags=syn action=drop", "tcp-flags needs protocol=tcp" },
		{ WG_FW_IP, WG_FW_FILTER, "chain=input protocol=tcp tcp-flags=syn,!bogus", "invalid value for argument tcp-flags: \"syn,!bogus\"" },
		{ WG_FW_IP, WG_FW_FILTER, "chain=input protocol=tcp icmp-options=8", "icmp-options needs protocol=icmp" },
		{ WG_FW_IPV6, WG_FW_FILTER, "chain=input protocol=icmp icmp-options=8", "icmp-options needs protocol=icmpv6" },
		{ WG_FW_IP, WG_FW_FILTER, "chain=input protocol=icmp icmp-options=8:x", "invalid value for argument icmp-options: \"8:x\"" },
		{ WG_FW_IP, WG_FW_FILTER, "chain=input protocol=icmp icmp-options=!8:0", "invalid value for argument icmp-options" },
		{ WG_FW_IP, WG_FW_FILTER, "chain=input port=80", "port needs protocol" },
		{ WG_FW_IP, WG_FW_FILTER, "chain=input protocol=udp port=a", "invalid value for argument port: \"a\"" },
		{ WG_FW_IP, WG_FW_FILTER, "chain=input action=tarpit", "invalid value for argument action: \"tarpit\"" },
		{ WG_FW_IP, WG_FW_NAT, "chain=custom action=netmap to-addresses=10.0.0.0/24", "action netmap needs chain srcnat or dstnat" },
		{ WG_FW_IP, WG_FW_NAT, "chain=dstnat action=netmap", "action=netmap needs to-addresses" },
		{ WG_FW_IP, WG_FW_NAT, "chain=dstnat action=netmap to-addresses=10.0.0.1-10.0.0.3", "invalid value for argument to-addresses" },
		{ WG_FW_IP, WG_FW_FILTER, "chain=input limit=abc", "invalid value for argument limit: \"abc\"" },
		{ WG_FW_IP, WG_FW_FILTER, "chain=input limit=10/0s", "invalid value for argument limit" },
		{ WG_FW_IP, WG_FW_FILTER, "chain=input action=add-src-to-list", "action=add-src-to-address-list needs address-list" },
		{ WG_FW_IP, WG_FW_FILTER, "chain=input action=add-src-to-list address-list=x address-list-timeout=soon", "invalid value for argument address-list-timeout: \"soon\"" },
		{ WG_FW_IP, WG_FW_FILTER, "chain=input action=add-src-to-list src-address-list=x src-address-list-timeout=1x", "invalid value for argument src-address-list-timeout: \"1x\"" },
		{ WG_FW_IP, WG_FW_FILTER, "chain=input action=log log-prefix=\"a\\b\"", "invalid value for argument log-prefix" },
		{ WG_FW_IP, WG_FW_FILTER, "chain=input log=maybe", "invalid value for argument log: \"maybe\"" },
		{ WG_FW_IP, WG_FW_FILTER, "chain=input disabled=maybe", "invalid value for argument disabled: \"maybe\"" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct wg_fw_rule r = rule_of("*7", cases[i].props);
		char err[256] = "";
		int rc = wg_nft_rule_check((enum wg_fw_family)cases[i].fam,
					   (enum wg_fw_table)cases[i].tbl, &r, err, sizeof(err));
		CHECK(rc == -EINVAL && strstr(err, cases[i].err),
		      "case %zu (%s): rc %d err \"%s\", want \"%s\"", i, cases[i].props, rc, err, cases[i].err);
	}
}

TEST(compile_port_either_is_two_nft_rules_one_counter)
{
	static const struct spec r[] = { { "*5", "chain=forward protocol=udp port=53,5353 action=accept" } };
	struct wg_fw_counter k = { WG_FW_IP, WG_FW_FILTER, "*5", 7, 70 };
	struct wg_fw_config cfg = { .counters = &k, .ncounters = 1 };
	SET_RULES(cfg, WG_FW_IP, WG_FW_FILTER, r);
	char *s = compile_ok(&cfg);
	CHECK(strstr(s,
		"\t\tmeta nfproto ipv4 meta l4proto udp udp sport { 53, 5353 } counter packets 7 bytes 70 accept comment \"ip filter *5\"\n"
		"\t\tmeta nfproto ipv4 meta l4proto udp udp sport != { 53, 5353 } udp dport { 53, 5353 } counter accept comment \"ip filter *5\"\n"),
	      "%s", s);
	free(s);
}

TEST(compile_error_names_rule_and_nothing_is_produced)
{
	static const struct spec bad[] = {
		{ "*1", "chain=input action=accept" },
		{ "*3", "chain=input protocol=udp dst-port=x action=accept" },
	};
	struct wg_fw_config cfg = { 0 };
	SET_RULES(cfg, WG_FW_IP, WG_FW_FILTER, bad);
	char *script = (char *)"untouched", err[256];
	CHECK_EQ(wg_nft_compile(&cfg, &script, err, sizeof(err)), -EINVAL);
	CHECK(script == NULL);
	CHECK(!strcmp(err, "ip filter rule *3: invalid value for argument dst-port: \"x\""), "%s", err);
	struct wg_fw_rule noid = rule_of("", "chain=input");
	CHECK_EQ(wg_nft_rule_check(WG_FW_IP, WG_FW_FILTER, &noid, err, sizeof(err)), -EINVAL);
	CHECK(strstr(err, "invalid rule id"), "%s", err);
}

TEST(compile_disabled_rules_and_entries_are_left_out)
{
	static const struct spec r[] = {
		{ "*1", "chain=input action=drop disabled=yes" },
		{ "*2", "chain=input action=accept disabled=no" },
		{ "*3", "chain=input protocol=udp dst-port=bad disabled=yes" }, /* not compiled at all */
	};
	struct wg_fw_addr_entry a[] = {
		{ "l", "192.0.2.1", NULL, true }, { "l", "192.0.2.2", NULL, false },
	};
	struct wg_fw_config cfg = { .addrs = { a }, .naddrs = { 2 } };
	SET_RULES(cfg, WG_FW_IP, WG_FW_FILTER, r);
	char *s = compile_ok(&cfg);
	CHECK(!strstr(s, "*1\"") && strstr(s, "*2\"") && !strstr(s, "*3\""), "%s", s);
	CHECK(strstr(s, "elements = { 192.0.2.2 }") && !strstr(s, "192.0.2.1"), "%s", s);
	free(s);
}

TEST(compile_custom_chains_and_jumps)
{
	static const struct spec r[] = {
		{ "*1", "chain=input action=jump jump-target=wg-in" },
		{ "*2", "chain=wg-in protocol=udp dst-port=51820 action=accept" },
		{ "*3", "chain=wg-in action=return" },
		{ "*4", "chain=forward action=jump jump-target=empty" },
	};
	static const struct spec r6[] = { { "*1", "chain=input action=jump jump-target=wg-in" } };
	struct wg_fw_config cfg = { 0 };
	SET_RULES(cfg, WG_FW_IP, WG_FW_FILTER, r);
	SET_RULES(cfg, WG_FW_IPV6, WG_FW_FILTER, r6);
	char *s = compile_ok(&cfg);
	CHECK(strstr(s, "meta nfproto ipv4 counter jump ip_filter_wg-in comment \"ip filter *1\""), "%s", s);
	CHECK(strstr(s, "meta nfproto ipv6 counter jump ip6_filter_wg-in comment \"ip6 filter *1\""));
	CHECK(strstr(s, "\n\tchain ip_filter_wg-in {\n"
			"\t\tmeta nfproto ipv4 meta l4proto udp udp dport 51820 counter accept comment \"ip filter *2\"\n"
			"\t\tmeta nfproto ipv4 counter return comment \"ip filter *3\"\n\t}\n"), "%s", s);
	CHECK(strstr(s, "\n\tchain ip_filter_empty {\n\t}\n"), "jump target without rules exists");
	CHECK(strstr(s, "\n\tchain ip6_filter_wg-in {\n\t}\n"), "per-family chains");
	free(s);
}

/* Seed 001's policy routing: /routing/mangle marks what the vpn-traffic table routes. */
TEST(compile_mangle_mark_routing)
{
	static const struct spec r[] = {
		{ "*1", "chain=prerouting src-address=192.168.1.50/32 action=mark-routing new-routing-mark=vpn-traffic" },
		{ "*2", "chain=output protocol=udp dst-port=53 action=mark-routing new-routing-mark=vpn-traffic passthrough=no" },
		{ "*3", "chain=prerouting action=jump jump-target=more" },
		{ "*4", "chain=more in-interface=lan action=mark-routing new-routing-mark=main" },
	};
	static const struct wg_fw_route_mark marks[] = { { "main", 254 }, { "vpn-traffic", 10003 } };
	struct wg_fw_config cfg = { .route_marks = marks, .nroute_marks = 2 };
	SET_RULES(cfg, WG_FW_IP, WG_FW_MANGLE, r);
	char *s = compile_ok(&cfg);
	CHECK(strstr(s, "\n\tchain mangle_prerouting {\n"
			"\t\ttype filter hook prerouting priority mangle; policy accept;\n"
			"\t\tmeta nfproto ipv4 ip saddr 192.168.1.50 counter meta mark set meta mark & 0xffff0000 | 0x2713 comment \"ip mangle *1\"\n"
			"\t\tmeta nfproto ipv4 counter jump ip_mangle_more comment \"ip mangle *3\"\n\t}\n"), "%s", s);
	CHECK(strstr(s, "\n\tchain mangle_output {\n"
			"\t\ttype route hook output priority mangle; policy accept;\n"
			"\t\tmeta nfproto ipv4 meta l4proto udp udp dport 53 counter meta mark set meta mark & 0xffff0000 | 0x2713 accept comment \"ip mangle *2\"\n"), "%s", s);
	CHECK(strstr(s, "iifname \"lan\" counter meta mark set meta mark & 0xffff0000 | 0xfe comment \"ip mangle *4\""), "%s", s);
	CHECK(strstr(s, "\n\tchain input {\n\t\ttype filter hook input priority filter;"), "filter chains stay");
	CHECK(!strstr(s, "srcnat"), "no NAT chains without NAT rules");
	free(s);

	/* Names that are not routing tables, and a mark action without its mark, are refused. */
	static const struct spec bad[] = { { "*1", "chain=prerouting action=mark-routing new-routing-mark=nope" } };
	static const struct spec conn[] = { { "*1", "chain=prerouting action=mark-connection" } };
	static const struct spec filt[] = { { "*1", "chain=input action=mark-routing new-routing-mark=main" } };
	char *script = NULL, err[256] = "";
	struct wg_fw_config c2 = { .route_marks = marks, .nroute_marks = 2 };
	SET_RULES(c2, WG_FW_IP, WG_FW_MANGLE, bad);
	CHECK(wg_nft_compile(&c2, &script, err, sizeof(err)) == -EINVAL && !script);
	CHECK(strstr(err, "no such routing table \"nope\""), "%s", err);
	struct wg_fw_config c3 = { .route_marks = marks, .nroute_marks = 2 };
	SET_RULES(c3, WG_FW_IP, WG_FW_MANGLE, conn);
	CHECK(wg_nft_compile(&c3, &script, err, sizeof(err)) == -EINVAL && strstr(err, "needs new-connection-mark"), "%s", err);
	struct wg_fw_config c4 = { .route_marks = marks, .nroute_marks = 2 };
	SET_RULES(c4, WG_FW_IP, WG_FW_FILTER, filt);
	CHECK(wg_nft_compile(&c4, &script, err, sizeof(err)) == -EINVAL, "mark-routing is a mangle action");
	/* At add time (no configuration yet) only the form is checked. */
	struct wg_fw_rule one = rule_of("*1", "chain=prerouting action=mark-routing new-routing-mark=vpn-traffic");
	CHECK_EQ(wg_nft_rule_check(WG_FW_IP, WG_FW_MANGLE, &one, err, sizeof(err)), 0);
	struct wg_fw_rule none = rule_of("*1", "chain=prerouting action=mark-routing");
	CHECK_EQ(wg_nft_rule_check(WG_FW_IP, WG_FW_MANGLE, &none, err, sizeof(err)), -EINVAL);
}

TEST(compile_fasttrack_uses_flowtable_only_when_offered)
{
	static const struct spec r[] = {
		{ "*1", "chain=forward action=fasttrack-connection connection-state=established,related" },
		{ "*2", "chain=input action=fasttrack-connection" },
	};
	static const char *const devs[] = { "ether1", "wg0" };
	struct wg_fw_config cfg = { .flowtable = true, .flow_devices = devs, .nflow_devices = 2 };
	SET_RULES(cfg, WG_FW_IP, WG_FW_FILTER, r);
	char *s = compile_ok(&cfg);
	CHECK(strstr(s, "\tflowtable ft {\n\t\thook ingress priority 0;\n\t\tdevices = { \"ether1\", \"wg0\" };\n\t}\n"), "%s", s);
	CHECK(strstr(s, "ct state { established, related } counter flow add @ft accept comment \"ip filter *1\""));
	CHECK(strstr(s, "meta nfproto ipv4 counter accept comment \"ip filter *2\""), "flowtable is forward only");
	free(s);
	cfg.flowtable = false;
	s = compile_ok(&cfg);
	CHECK(!strstr(s, "flowtable") && !strstr(s, "flow add"));
	CHECK(strstr(s, "ct state { established, related } counter accept comment \"ip filter *1\""));
	free(s);
}

TEST(compile_address_lists_static_dynamic_and_carried_over)
{
	static const struct spec r[] = {
		{ "*1", "chain=input src-address-list=trusted action=accept" },
		{ "*2", "chain=input protocol=udp action=add-src-to-list address-list=scan address-list-timeout=1h" },
		{ "*3", "chain=input src-address-list=empty action=drop" },
	};
	struct wg_fw_addr_entry a4[] = {
		{ "trusted", "10.0.0.0/8", NULL, false },
		{ "trusted", "192.168.1.7/24", "1d", false },           /* host bits cleared */
		{ "trusted", "198.51.100.1-198.51.100.9", "", false },
		{ "scan", "203.0.113.9", "30m", false },
		{ "unused", "192.0.2.1", NULL, false },
	};
	struct wg_fw_addr_entry a6[] = { { "trusted", "fd00::/64", NULL, false } };
	struct wg_fw_dyn_entry dyn[] = {
		{ WG_FW_IP, "scan", { AF_INET, { 203, 0, 113, 50 }, 32 }, 3600000, 1800000 },
		{ WG_FW_IP, "scan", { AF_INET, { 203, 0, 113, 9 }, 32 }, 3600000, 60000 }, /* already static */
		{ WG_FW_IP, "gone", { AF_INET, { 203, 0, 113, 51 }, 32 }, 3600000, 60000 }, /* list no longer dynamic */
	};
	struct wg_fw_config cfg = { .addrs = { a4, a6 }, .naddrs = { 5, 1 }, .dyn = dyn, .ndyn = 3 };
	SET_RULES(cfg, WG_FW_IP, WG_FW_FILTER, r);
	char *s = compile_ok(&cfg);
	CHECK(strstr(s, "\tset al4_trusted {\n\t\ttype ipv4_addr;\n\t\tflags interval,timeout;\n\t\tauto-merge;\n"
			"\t\telements = { 10.0.0.0/8, 192.168.1.0/24 timeout 1d, 198.51.100.1-198.51.100.9 }\n\t}\n"), "%s", s);
	CHECK(strstr(s, "\tset al4_scan {\n\t\ttype ipv4_addr;\n\t\tflags dynamic,timeout;\n"
			"\t\telements = { 203.0.113.9 timeout 30m, 203.0.113.50 timeout 1h expires 30m }\n\t}\n"), "%s", s);
	CHECK(strstr(s, "\tset al4_empty {\n\t\ttype ipv4_addr;\n\t\tflags interval,timeout;\n\t\tauto-merge;\n\t}\n"));
	CHECK(strstr(s, "\tset al4_unused {"), "lists with entries exist even when unused");
	CHECK(strstr(s, "\tset al6_trusted {\n\t\ttype ipv6_addr;\n\t\tflags interval,timeout;\n\t\tauto-merge;\n"
			"\t\telements = { fd00::/64 }\n\t}\n"));
	CHECK(!strstr(s, "203.0.113.51"));
	free(s);

	/* a list add-src-to-list fills is a hash set: prefixes cannot live in it */
	a4[3].address = "203.0.113.0/24";
	char *script, err[256];
	CHECK_EQ(wg_nft_compile(&cfg, &script, err, sizeof(err)), -EINVAL);
	CHECK(strstr(err, "address-list scan") && strstr(err, "203.0.113.0/24"), "%s", err);
	a4[3].address = "203.0.113.9";
	a4[0].timeout = "forever";
	CHECK_EQ(wg_nft_compile(&cfg, &script, err, sizeof(err)), -EINVAL);
	CHECK(strstr(err, "invalid value for argument timeout: \"forever\""), "%s", err);
}

TEST(compile_addr_check)
{
	char err[128];
	struct wg_fw_addr_entry ok = { "l", "10.0.0.0/8", "1h", false };
	struct wg_fw_addr_entry v6 = { "l", "fd00::1", NULL, false };
	struct wg_fw_addr_entry bad = { "l", "10.0.0.0/40", NULL, false };
	CHECK_EQ(wg_nft_addr_check(WG_FW_IP, &ok, err, sizeof(err)), 0);
	CHECK_EQ(wg_nft_addr_check(WG_FW_IPV6, &v6, err, sizeof(err)), 0);
	CHECK_EQ(wg_nft_addr_check(WG_FW_IP, &v6, err, sizeof(err)), -EINVAL);
	CHECK_EQ(wg_nft_addr_check(WG_FW_IP, &bad, err, sizeof(err)), -EINVAL);
	CHECK(!strcmp(err, "invalid value for argument address: \"10.0.0.0/40\""), "%s", err);
}

TEST(compile_counters_carry_initial_values)
{
	static const struct spec r[] = { { "*1", "chain=input action=accept" }, { "*2", "chain=input action=drop" } };
	static const struct spec r6[] = { { "*1", "chain=input action=accept" } };
	struct wg_fw_counter k[] = {
		{ WG_FW_IP, WG_FW_FILTER, "*2", 5, 300 },
		{ WG_FW_IP, WG_FW_NAT, "*1", 9, 900 },  /* other table: not ours */
	};
	struct wg_fw_config cfg = { .counters = k, .ncounters = 2 };
	SET_RULES(cfg, WG_FW_IP, WG_FW_FILTER, r);
	SET_RULES(cfg, WG_FW_IPV6, WG_FW_FILTER, r6);
	char *s = compile_ok(&cfg);
	CHECK(strstr(s, "meta nfproto ipv4 counter accept comment \"ip filter *1\""));
	CHECK(strstr(s, "meta nfproto ipv4 counter packets 5 bytes 300 drop comment \"ip filter *2\""), "%s", s);
	CHECK(strstr(s, "meta nfproto ipv6 counter accept comment \"ip6 filter *1\""));
	free(s);
}

/* ---------- reading state back ---------- */

static const char listing[] =
	"table inet wgrouter {\n"
	"\tset ifl_WAN {\n\t\ttype ifname\n\t\telements = { \"vb\" }\n\t}\n\n"
	"\tset al4_wg-scanners {\n"
	"\t\ttype ipv4_addr\n\t\tsize 65535\n\t\tflags dynamic,timeout\n"
	"\t\telements = { 10.9.0.2 timeout 1h expires 59m58s992ms, 198.51.100.7 timeout 1d expires 23h59m59s928ms,\n"
	"\t\t\t     10.9.0.3 }\n\t}\n\n"
	"\tset al4_blocked {\n\t\ttype ipv4_addr\n\t\tflags interval,timeout\n\t\tauto-merge\n"
	"\t\telements = { 192.0.2.0/24 }\n\t}\n\n"
	"\tset al6_a_2fb {\n\t\ttype ipv6_addr\n\t\tsize 65535\n\t\tflags dynamic,timeout\n"
	"\t\telements = { fd00::2 timeout 10m expires 9m }\n\t}\n\n"
	"\tchain input {\n"
	"\t\ttype filter hook input priority filter; policy accept;\n"
	"\t\tmeta nfproto ipv4 udp dport 51820 iifname @ifl_WAN counter packets 3 bytes 252 accept comment \"ip filter *1\"\n"
	"\t\tudp dport 51820 ip saddr @al4_wg-scanners counter packets 0 bytes 0 drop comment \"ip filter *9\"\n"
	"\t\tmeta l4proto ipv6-icmp counter packets 12 bytes 1000 accept comment \"ip6 filter *1\"\n"
	"\t\tcounter packets 1 bytes 2 comment \"someone else's\"\n"
	"\t}\n"
	"\tchain srcnat {\n"
	"\t\ttype nat hook postrouting priority srcnat; policy accept;\n"
	"\t\tip saddr 10.200.200.0/24 counter packets 18446744073709551615 bytes 7 masquerade comment \"ip nat *1\"\n"
	"\t\tip saddr 10.200.201.0/24 counter packets 1 bytes 1 masquerade comment \"ip nat *1\"\n"
	"\t}\n"
	"\tchain mangle_prerouting {\n"
	"\t\ttype filter hook prerouting priority mangle; policy accept;\n"
	"\t\tmeta nfproto ipv4 ip saddr 192.168.1.50 counter packets 5 bytes 420 meta mark set 0x00002713 comment \"ip mangle *2\"\n"
	"\t}\n"
	"}\n";

TEST(parse_counters_from_listing)
{
	struct wg_fw_counter *k;
	int n = wg_nft_parse_counters(listing, &k);
	CHECK_EQ(n, 5);
	if (n == 5) {
		CHECK(k[0].family == WG_FW_IP && k[0].table == WG_FW_FILTER && !strcmp(k[0].id, "*1") &&
		      k[0].packets == 3 && k[0].bytes == 252);
		CHECK(!strcmp(k[1].id, "*9") && k[1].packets == 0);
		CHECK(k[2].family == WG_FW_IPV6 && !strcmp(k[2].id, "*1") && k[2].bytes == 1000);
		CHECK(k[3].table == WG_FW_NAT && k[3].packets == 0 && k[3].bytes == 8,
		      "two nft rules of one id are summed (wrapping)");
		CHECK(k[4].table == WG_FW_MANGLE && !strcmp(k[4].id, "*2") && k[4].packets == 5);
	}
	free(k);
	CHECK_EQ(wg_nft_parse_counters("", &k), 0);
	free(k);
}

TEST(parse_dynamic_entries_from_listing)
{
	struct wg_fw_dyn_entry *d;
	int n = wg_nft_parse_dynamic(listing, &d);
	CHECK_EQ(n, 4);
	if (n == 4) {
		char buf[WG_PREFIX_STRLEN];
		CHECK(!strcmp(d[0].list, "wg-scanners") && d[0].family == WG_FW_IP);
		CHECK(!strcmp(wg_prefix_format(&d[0].addr, true, buf), "10.9.0.2"));
		CHECK(d[0].timeout_ms == 3600000 && d[0].expires_ms == 3598992);
		CHECK(d[1].timeout_ms == 86400000);
		CHECK(!strcmp(wg_prefix_format(&d[2].addr, true, buf), "10.9.0.3") && d[2].timeout_ms == 0,
		      "element on a continuation line, no timeout");
		CHECK(d[3].family == WG_FW_IPV6 && !strcmp(d[3].list, "a/b") && d[3].expires_ms == 540000);
	}
	free(d);
}

/* ---------- value helpers ---------- */

TEST(values_time_and_names)
{
	static const struct { const char *in; long long ms; } t[] = {
		{ "1h", 3600000 }, { "1d2h3m", 93780000 }, { "25s", 25000 }, { "500ms", 500 },
		{ "1w", 604800000 }, { "00:01:00", 60000 }, { "1d00:00:01", 86401000 }, { "30", 30000 },
		{ "59m58s992ms", 3598992 }, { "", -1 }, { "1x", -1 }, { "h", -1 }, { "1:2", -1 },
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		uint64_t ms = 0;
		int rc = nftc_time_ms(t[i].in, &ms);
		CHECK(t[i].ms < 0 ? rc < 0 : (rc == 0 && (long long)ms == t[i].ms), "case %zu (%s)", i, t[i].in);
	}
	char buf[64];
	nftc_time_fmt(93780000, buf, sizeof(buf));
	CHECK(!strcmp(buf, "1d2h3m"), "%s", buf);
	nftc_time_fmt(1500, buf, sizeof(buf));
	CHECK(!strcmp(buf, "1s500ms"), "%s", buf);
	nftc_mangle("al4_", "wg scanners/ü_x", buf, sizeof(buf));
	CHECK(!strcmp(buf, "al4_wg_20scanners_2f_c3_bc_5fx"), "%s", buf);
	char back[64];
	CHECK(nftc_unmangle(buf + 4, back, sizeof(back)) && !strcmp(back, "wg scanners/ü_x"));
	CHECK(!nftc_unmangle("bad_z", back, sizeof(back)));
}
