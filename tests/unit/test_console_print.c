/* print and export formats: flags legend, comments, detail wrapping, tables, terse,
 * as-value, count-only, proplist, show-ids, human units; export compact/verbose/terse,
 * hide-sensitive/show-sensitive, and the import round trip. */
#include "test.h"
#include "test_console_fixture.h"
#include "router/units.h"

TEST(units)
{
	char b[32];
	CHECK(!strcmp(wg_bytes_format(0, b, sizeof(b)), "0"));
	CHECK(!strcmp(wg_bytes_format(1023, b, sizeof(b)), "1023"));
	CHECK(!strcmp(wg_bytes_format(1536, b, sizeof(b)), "1.5KiB"));
	CHECK(!strcmp(wg_bytes_format(3741640704ULL, b, sizeof(b)), "3568.3MiB") ||
	      !strcmp(wg_bytes_format(3741640704ULL, b, sizeof(b)), "3.5GiB"));
	CHECK(!strcmp(wg_time_format(35000, b, sizeof(b)), "35s"));
	CHECK(!strcmp(wg_time_format(72000, b, sizeof(b)), "1m12s"));
	CHECK(!strcmp(wg_time_format((2 * 86400 + 3 * 3600) * 1000ULL, b, sizeof(b)), "2d3h"));
	CHECK(!strcmp(wg_time_format(0, b, sizeof(b)), "0s"));
	uint64_t ms;
	CHECK(wg_time_parse("1d2h3m", &ms) && ms == (86400 + 7200 + 180) * 1000ULL);
	CHECK(wg_time_parse("25s", &ms) && ms == 25000);
	CHECK(wg_time_parse("00:01:30", &ms) && ms == 90000);
	CHECK(wg_time_parse("100ms", &ms) && ms == 100);
	CHECK(!wg_time_parse("1x", &ms));
	CHECK(!wg_time_parse("", &ms));
}

static struct fx *sample(void)
{
	struct fx *f = fx_new();
	char priv[45], pub[45];
	fx_keypair(priv, pub);
	char *s = xasprintf("/interface/wireguard/add name=wireguard1 listen-port=13231 comment=\"main tunnel\"\n"
			    "/interface/wireguard/peers/add interface=wireguard1 public-key=\"%s\" "
			    "allowed-address=10.1.101.2/32,192.168.200.0/24 endpoint-address=203.0.113.25 endpoint-port=13231 "
			    "persistent-keepalive=25s preshared-key=auto\n"
			    "/ip/address/add address=10.1.101.1/24 interface=wireguard1 disabled=yes\n", pub);
	CHECK_EQ(fx_run(f, s), 0);
	free(s);
	return f;
}

TEST(print_default_detail_terse)
{
	struct fx *f = sample();
	CHECK_EQ(fx_run(f, "/interface/wireguard/print"), 0);
	CHECK(!strncmp(fx_last(f), "Flags: X - disabled; R - running\n 0 R  ;;; main tunnel\n      name=\"wireguard1\" mtu=1420 listen-port=13231", 100));
	CHECK_EQ(fx_run(f, "/interface/wireguard/peers/print detail"), 0);
	CHECK(strstr(fx_last(f), "preshared-key=\"(hidden)\""));
	CHECK(strstr(fx_last(f), "persistent-keepalive=25s"));
	for (const char *l = fx_last(f); (l = strchr(l, '\n')); l++) /* wrapped near 80 columns */
		CHECK(strcspn(l + 1, "\n") <= 80);
	CHECK_EQ(fx_run(f, "/interface/wireguard/peers/print detail show-sensitive"), 0);
	CHECK(!strstr(fx_last(f), "(hidden)"));
	CHECK_EQ(fx_run(f, "/ip/address/print"), 0);
	CHECK(!strcmp(fx_last(f), "Flags: X - disabled; I - invalid; D - dynamic\n"
				  "Columns: ADDRESS, NETWORK, INTERFACE\n"
				  "#   ADDRESS        NETWORK     INTERFACE\n"
				  "0 X 10.1.101.1/24  10.1.101.0  wireguard1\n"));
	CHECK_EQ(fx_run(f, "/ip/address/print terse"), 0);
	CHECK(!strcmp(fx_last(f), " 0 X address=10.1.101.1/24 network=10.1.101.0 interface=wireguard1\n"));
	CHECK_EQ(fx_run(f, "/ip/address/print show-ids"), 0);
	CHECK(strstr(fx_last(f), "*1 X 10.1.101.1/24"));
	fx_free(f);
}

TEST(print_as_value_count_proplist_settings)
{
	struct fx *f = sample();
	CHECK_EQ(fx_run(f, ":put [/interface/wireguard/print as-value proplist=name,mtu]"), 0);
	CHECK(!strcmp(fx_last(f), ".id=*1;name=wireguard1;mtu=1420\n"));
	CHECK_EQ(fx_run(f, "/interface/wireguard/peers/print count-only"), 0);
	CHECK(!strcmp(fx_last(f), "1\n"));
	CHECK_EQ(fx_run(f, "/interface/wireguard/print proplist=name,listen-port"), 0);
	CHECK(strstr(fx_last(f), "name=\"wireguard1\" listen-port=13231\n"));
	CHECK(!strstr(fx_last(f), "mtu="));
	CHECK_EQ(fx_run(f, "/ip/dns/set servers=9.9.9.9; /ip/dns/print"), 0);
	CHECK(strstr(fx_last(f), "                servers: 9.9.9.9\n"));
	CHECK(strstr(fx_last(f), "  allow-remote-requests: no\n"));
	CHECK(fx_run(f, "/interface/wireguard/print proplist=colour") != 0);
	fx_free(f);
}

TEST(export_formats)
{
	struct fx *f = sample();
	char *ex = fx_export(f, NULL);
	const char *want = "/interface wireguard\n"
			   "add comment=\"main tunnel\" listen-port=13231 name=wireguard1\n"
			   "/interface wireguard peers\n"
			   "add allowed-address=10.1.101.2/32,192.168.200.0/24 \\\n"
			   "    endpoint-address=203.0.113.25 endpoint-port=13231 interface=wireguard1 \\\n"
			   "    name=peer1 persistent-keepalive=25s \\\n"
			   "    public-key=\"";
	if (strncmp(ex, want, strlen(want)))
		test_fail(__FILE__, __LINE__, "export:\n%s", ex);
	free(ex);
	fx_run(f, "/export");
	CHECK(!strncmp(fx_last(f), "# 20", 4) && strstr(fx_last(f), " by wgrouter\n"));
	ex = fx_export(f, "show-sensitive");
	CHECK(strstr(ex, "private-key=\"") && strstr(ex, "preshared-key=\""));
	free(ex);
	ex = fx_export(f, "verbose");
	CHECK(strstr(ex, "mtu=1420") && strstr(ex, "disabled=no"));
	free(ex);
	ex = fx_export(f, "terse");
	CHECK(strstr(ex, "/interface wireguard add comment=\"main tunnel\" listen-port=13231 name=wireguard1\n"));
	CHECK(strstr(ex, "/ip address add address=10.1.101.1/24 disabled=yes interface=wireguard1\n"));
	free(ex);
	CHECK_EQ(fx_run(f, "/ip/address/export"), 0);
	CHECK(strstr(fx_last(f), "/ip address\nadd address=10.1.101.1/24 disabled=yes interface=wireguard1\n"));
	CHECK(!strstr(fx_last(f), "/interface"));
	fx_free(f);
}

/* Export, import into a fresh router, export again: the same text. */
static void round_trip(const char *flags)
{
	struct fx *a = sample();
	CHECK_EQ(fx_run(a, "/ip/firewall/filter/add chain=input protocol=udp dst-port=13231 comment=\"WireGuard \\$x\"\n"
			   "/ip/firewall/filter/add chain=forward action=drop disabled=yes\n"
			   "/ip/firewall/nat/add chain=srcnat action=masquerade out-interface-list=WAN\n"
			   "/ip/dns/set servers=1.1.1.1\n"
			   "/system/identity/set name=\"edge router\"\n"
			   "/routing/table/add name=vpn fib\n"
			   "/ip/route/add dst-address=0.0.0.0/0 gateway=wireguard1 routing-table=vpn\n"
			   "/ipv6/address/add address=fd00::1/64 interface=wireguard1 advertise=no\n"
			   "/interface/list/add name=WAN\n"
			   "/interface/list/member/add list=WAN interface=ether1\n"
			   "/system/logging/add topics=wireguard,debug\n"), 0);
	char *one = fx_export(a, flags);
	char path[] = "/tmp/wgr-export-XXXXXX";
	int fd = mkstemp(path);
	CHECK(fd >= 0 && write(fd, one, strlen(one)) == (ssize_t)strlen(one));
	close(fd);
	struct fx *b = fx_new();
	char *imp = xasprintf("/import file-name=%s", path);
	CHECK_EQ(fx_run(b, imp), 0);
	CHECK(strstr(fx_last(b), "Script file loaded and executed successfully"));
	char *two = fx_export(b, flags);
	if (strcmp(one, two))
		test_fail(__FILE__, __LINE__, "round trip (%s) differs:\n%s---\n%s", flags, one, two);
	unlink(path);
	free(imp);
	free(one);
	free(two);
	fx_free(a);
	fx_free(b);
}

TEST(export_import_round_trip)
{
	round_trip("");
	round_trip("show-sensitive");
	round_trip("verbose");
	round_trip("terse");
}

TEST(import_dry_run_changes_nothing)
{
	struct fx *a = sample();
	char *before = fx_export(a, "show-sensitive");
	char path[] = "/tmp/wgr-import-XXXXXX";
	int fd = mkstemp(path);
	const char *script = "/interface wireguard\nadd name=wg9\n/ip address\nadd address=bad interface=wg9\n";
	CHECK(write(fd, script, strlen(script)) > 0);
	close(fd);
	char *cmd = xasprintf("/import file-name=%s dry-run", path);
	CHECK(fx_run(a, cmd) != 0);
	CHECK(strstr(fx_err(a), "invalid value for argument address"));
	free(cmd);
	/* a good script in dry-run succeeds and still changes nothing */
	fd = open(path, O_WRONLY | O_TRUNC);
	CHECK(write(fd, "/interface wireguard add name=wg9\n", 34) == 34);
	close(fd);
	cmd = xasprintf("/import file-name=%s dry-run", path);
	CHECK_EQ(fx_run(a, cmd), 0);
	char *after = fx_export(a, "show-sensitive");
	CHECK(!strcmp(before, after));
	unlink(path);
	free(cmd);
	free(before);
	free(after);
	fx_free(a);
}

/* RouterOS v7's print stats: counters as integers with spaces between thousands; the
 * interface counters RouterOS shows; print dynamic/static/all where items can be
 * dynamic; an empty print keeps its legend and header; durations as 59m58s. */
TEST(print_stats_forms_and_empty_prints)
{
	char b[32];
	CHECK(!strcmp(wg_count_format(50507925242ULL, b, sizeof(b)), "50 507 925 242"));
	CHECK(!strcmp(wg_count_format(999, b, sizeof(b)), "999"));
	CHECK(!strcmp(wg_count_format(1000, b, sizeof(b)), "1 000"));
	CHECK(!strcmp(wg_count_format(0, b, sizeof(b)), "0"));
	struct fx *f = fx_new();
	CHECK_EQ(fx_run(f, "/interface/print stats where name=ether1"), 0);
	CHECK(strstr(fx_last(f), "Columns: NAME, RX-BYTE, TX-BYTE, RX-PACKET, TX-PACKET, RX-DROP, TX-DROP, RX-ERROR, TX-ERROR\n"));
	CHECK(strstr(fx_last(f), "ether1  50 507 925 242  1 234 567  40 123 456        999        3        0     1 000"));
	CHECK(!strstr(fx_last(f), "GiB"));
	CHECK_EQ(fx_run(f, "/ip/firewall/filter/add chain=input action=accept; /ip/firewall/filter/print stats"), 0);
	CHECK(strstr(fx_last(f), "Columns: CHAIN, ACTION, BYTES, PACKETS\n"));
	/* dynamic, static, all */
	CHECK_EQ(fx_run(f, "/routing/table/add name=vpn fib; /routing/table/print dynamic"), 0);
	CHECK(strstr(fx_last(f), "main") && !strstr(fx_last(f), "vpn"));
	CHECK_EQ(fx_run(f, "/routing/table/print static"), 0);
	CHECK(!strstr(fx_last(f), "main") && strstr(fx_last(f), "vpn"));
	CHECK_EQ(fx_run(f, "/routing/table/print all"), 0);
	CHECK(strstr(fx_last(f), "main") && strstr(fx_last(f), "vpn"));
	CHECK(fx_run(f, "/interface/wireguard/print dynamic") != 0); /* no dynamic items there */
	/* empty prints: the legend, and a table's header */
	CHECK_EQ(fx_run(f, "/ip/firewall/address-list/print"), 0);
	CHECK(!strcmp(fx_last(f), "Flags: X - disabled; I - invalid; D - dynamic\nColumns: LIST, ADDRESS, TIMEOUT\n"
				  "# LIST  ADDRESS  TIMEOUT\n"));
	CHECK_EQ(fx_run(f, "/ip/firewall/nat/print"), 0);
	CHECK(!strncmp(fx_last(f), "Flags: X - disabled", 19));
	CHECK_EQ(fx_run(f, "/interface/wireguard/print"), 0);
	CHECK(!strncmp(fx_last(f), "Flags: X - disabled", 19));
	/* durations */
	CHECK_EQ(fx_run(f, "/ip/firewall/address-list/add list=a address=192.0.2.1 timeout=3598; /ip/firewall/address-list/print"), 0);
	CHECK(strstr(fx_last(f), "59m58s"));
	fx_free(f);
}

/* Dynamic routes show RouterOS's distances in both families: connected 0, a route
 * without a metric (IPv6 keeps 1024 in Linux) 1, a set metric as it is. */
TEST(print_dynamic_route_distances)
{
	struct fx *f = fx_new();
	static const struct { const char *dst, *oif; uint32_t metric; uint8_t proto; } rt[] = {
		{ "2001:db8:1::/64", "ether1", 256, WG_NL_PROTO_KERNEL },
		{ "2001:db8:2::/64", "ether1", 1024, WG_NL_PROTO_BOOT },
		{ "2001:db8:3::/64", "ether1", 20, WG_NL_PROTO_BOOT },
		{ "198.51.100.0/24", "ether1", 0, WG_NL_PROTO_KERNEL },
		{ "203.0.113.0/24", "ether1", 0, WG_NL_PROTO_BOOT },
	};
	for (size_t i = 0; i < sizeof(rt) / sizeof(rt[0]); i++) {
		struct wg_nl_route *r = &f->routes[f->nroutes++];
		memset(r, 0, sizeof(*r));
		CHECK_EQ(wg_prefix_parse(&r->dst, rt[i].dst), 0);
		snprintf(r->oif, sizeof(r->oif), "%s", rt[i].oif);
		r->table = WG_NL_TABLE_MAIN;
		r->metric = rt[i].metric;
		r->protocol = rt[i].proto;
	}
	CHECK_EQ(fx_run(f, "/ipv6/route/print terse"), 0);
	CHECK(strstr(fx_last(f), "dst-address=2001:db8:1::/64 gateway=ether1 distance=0"));
	CHECK(strstr(fx_last(f), "dst-address=2001:db8:2::/64 gateway=ether1 distance=1"));
	CHECK(strstr(fx_last(f), "dst-address=2001:db8:3::/64 gateway=ether1 distance=20"));
	CHECK_EQ(fx_run(f, "/ip/route/print terse"), 0);
	CHECK(strstr(fx_last(f), "dst-address=198.51.100.0/24 gateway=ether1 distance=0"));
	CHECK(strstr(fx_last(f), "dst-address=203.0.113.0/24 gateway=ether1 distance=1"));
	fx_free(f);
}
