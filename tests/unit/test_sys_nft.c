/* The firewall applied to a real kernel: atomic replace, counters and dynamic lists
 * read back, and packets between two network namespaces counted by rule. This process
 * unshares its own netns first, so the host's ruleset is never touched. Needs root;
 * prints SKIP otherwise. */
#include "test.h"
#include "sys/netlink.h"
#include "sys/nft.h"
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static bool private_netns(const char *name)
{
	static int state; /* 0 = not tried, 1 = inside, -1 = impossible */
	if (state == 0)
		state = geteuid() == 0 && unshare(CLONE_NEWNET) == 0 ? 1 : -1;
	if (state < 0)
		printf("SKIP test_sys_nft:%s (needs root to unshare a netns)\n", name);
	return state > 0;
}

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

/* "key=value ..." into a rule; storage lives until exit (tests only). */
static struct wg_fw_rule rule_of(const char *id, const char *props)
{
	struct wg_fw_prop *p = keep(calloc(32, sizeof(*p)));
	char *s = keep(strdup(props)), *save = NULL;
	size_t n = 0;
	for (char *t = strtok_r(s, " ", &save); t && n < 32; t = strtok_r(NULL, " ", &save)) {
		char *eq = strchr(t, '=');
		*eq = '\0';
		p[n++] = (struct wg_fw_prop){ t, eq + 1 };
	}
	return (struct wg_fw_rule){ id, p, n };
}

static const struct wg_fw_counter *counter(const struct wg_fw_counter *k, int n,
					   enum wg_fw_family f, enum wg_fw_table t, const char *id)
{
	for (int i = 0; i < n; i++)
		if (k[i].family == f && k[i].table == t && !strcmp(k[i].id, id))
			return &k[i];
	return NULL;
}

static long long packets_of(enum wg_fw_family f, enum wg_fw_table t, const char *id)
{
	struct wg_fw_counter *k;
	int n = wg_nft_read_counters(&k);
	const struct wg_fw_counter *c = counter(k, n, f, t, id);
	long long p = c ? (long long)c->packets : -1;
	free(k);
	return p;
}

/* The seeds' firewall, dual stack, as the router would hand it over. */
static void seed_config(struct wg_fw_config *cfg)
{
	static struct wg_fw_rule f4[12], n4[2], f6[4];
	static const char *const lists[] = { "WAN", "LAN" };
	static const struct wg_fw_if_member members[] = { { "WAN", "pppoe-out1" }, { "LAN", "bridge-trunk" } };
	f4[0] = rule_of("*1", "chain=input protocol=udp dst-port=51820 in-interface-list=WAN action=accept");
	f4[1] = rule_of("*2", "chain=forward src-address=10.200.200.0/24 dst-address=10.0.10.0/24 action=accept");
	f4[2] = rule_of("*3", "chain=forward src-address=172.16.0.0/24 dst-address=10.0.0.0/16 in-interface=wg-site out-interface=bridge-trunk action=accept");
	f4[3] = rule_of("*4", "chain=forward action=fasttrack-connection connection-state=established,related in-interface-list=LAN out-interface-list=LAN");
	f4[4] = rule_of("*5", "chain=input protocol=udp dst-port=51820 src-address-list=wg-scanners action=drop");
	f4[5] = rule_of("*6", "chain=input protocol=udp dst-port=51820 action=add-src-to-list connection-state=new src-address-list-timeout=1h src-address-list=wg-scanners");
	f4[6] = rule_of("*7", "chain=forward action=drop");
	f4[7] = rule_of("*8", "chain=input protocol=udp dst-port=13231 src-address=203.0.113.25 action=accept");
	f4[8] = rule_of("*9", "chain=input in-interface=wireguard1 protocol=tcp dst-port=53 action=accept");
	f4[9] = rule_of("*A", "chain=input action=jump jump-target=custom");
	f4[10] = rule_of("*B", "chain=custom protocol=tcp dst-port=22,80,1000-2000 limit=50/5s,5 log=yes log-prefix=x action=reject reject-with=tcp-reset");
	f4[11] = rule_of("*C", "chain=custom action=return");
	n4[0] = rule_of("*1", "chain=srcnat src-address=10.200.200.0/24 dst-address=10.0.0.0/16 action=srcnat");
	n4[1] = rule_of("*2", "chain=srcnat src-address=172.16.0.0/24 action=masquerade out-interface-list=WAN");
	f6[0] = rule_of("*1", "chain=input protocol=udp dst-port=13231 action=accept");
	f6[1] = rule_of("*2", "chain=input protocol=icmpv6 action=accept");
	f6[2] = rule_of("*3", "chain=input connection-state=established,related action=accept");
	f6[3] = rule_of("*4", "chain=forward in-interface=wireguard1 src-address=fd00::/64 action=accept");
	memset(cfg, 0, sizeof(*cfg));
	cfg->rules[WG_FW_IP][WG_FW_FILTER] = f4;
	cfg->nrules[WG_FW_IP][WG_FW_FILTER] = 12;
	cfg->rules[WG_FW_IP][WG_FW_NAT] = n4;
	cfg->nrules[WG_FW_IP][WG_FW_NAT] = 2;
	cfg->rules[WG_FW_IPV6][WG_FW_FILTER] = f6;
	cfg->nrules[WG_FW_IPV6][WG_FW_FILTER] = 4;
	cfg->if_lists = lists;
	cfg->nif_lists = 2;
	cfg->members = members;
	cfg->nmembers = 2;
}

TEST(nft_apply_seed_firewall_and_read_counters)
{
	if (!private_netns(__func__))
		return;
	struct wg_fw_config cfg;
	char err[512] = "";
	seed_config(&cfg);
	int rc = wg_nft_apply(&cfg, WG_NFT_KEEP_COUNTERS | WG_NFT_KEEP_DYNAMIC, err, sizeof(err));
	CHECK(rc == 0, "apply: %s", err);
	char *text = wg_nft_list();
	CHECK(text && strstr(text, "table inet wgrouter") && strstr(text, "comment \"ip filter *B\""),
	      "%s", text ? text : "(no table)");
	free(text);
	struct wg_fw_counter *k;
	int n = wg_nft_read_counters(&k);
	CHECK_EQ(n, 12 + 2 + 4);
	CHECK(counter(k, n, WG_FW_IPV6, WG_FW_FILTER, "*4") && counter(k, n, WG_FW_IP, WG_FW_NAT, "*2"));
	free(k);
	/* applying again replaces, it does not duplicate */
	CHECK_EQ(wg_nft_apply(&cfg, 0, err, sizeof(err)), 0);
	CHECK_EQ(wg_nft_read_counters(&k), 18);
	free(k);
	CHECK_EQ(wg_nft_flush(), 0);
	CHECK(wg_nft_list() == NULL);
	CHECK_EQ(wg_nft_flush(), 0); /* absent table is fine */
	CHECK_EQ(wg_nft_read_counters(&k), 0);
	free(k);
}

TEST(nft_failed_apply_keeps_old_table)
{
	if (!private_netns(__func__))
		return;
	struct wg_fw_rule good = rule_of("*1", "chain=input action=accept");
	struct wg_fw_config cfg = { 0 };
	char err[512] = "";
	cfg.rules[WG_FW_IP][WG_FW_FILTER] = &good;
	cfg.nrules[WG_FW_IP][WG_FW_FILTER] = 1;
	CHECK_EQ(wg_nft_apply(&cfg, 0, err, sizeof(err)), 0);
	/* Valid to the compiler, refused by the kernel: masquerade reached from prerouting. */
	struct wg_fw_rule bad[] = {
		rule_of("*1", "chain=dstnat action=jump jump-target=x"),
		rule_of("*2", "chain=x action=masquerade"),
	};
	struct wg_fw_config cfg2 = { 0 };
	cfg2.rules[WG_FW_IP][WG_FW_NAT] = bad;
	cfg2.nrules[WG_FW_IP][WG_FW_NAT] = 2;
	CHECK_EQ(wg_nft_apply(&cfg2, 0, err, sizeof(err)), -EIO);
	CHECK(err[0] != '\0', "nft's message is passed on");
	char *text = wg_nft_list();
	CHECK(text && strstr(text, "comment \"ip filter *1\"") && !strstr(text, "chain ip_nat_x"),
	      "old table intact: %s", text ? text : "(none)");
	free(text);
	/* a compile error never reaches the kernel */
	struct wg_fw_rule worse = rule_of("*9", "chain=input protocol=tcp dst-port=x");
	cfg2.rules[WG_FW_IP][WG_FW_NAT] = NULL;
	cfg2.nrules[WG_FW_IP][WG_FW_NAT] = 0;
	cfg2.rules[WG_FW_IP][WG_FW_FILTER] = &worse;
	cfg2.nrules[WG_FW_IP][WG_FW_FILTER] = 1;
	CHECK_EQ(wg_nft_apply(&cfg2, 0, err, sizeof(err)), -EINVAL);
	CHECK(strstr(err, "invalid value for argument dst-port"), "%s", err);
	CHECK_EQ(packets_of(WG_FW_IP, WG_FW_FILTER, "*1") >= 0, 1);
	wg_nft_flush();
}

TEST(nft_probe_flowtable_leaves_nothing)
{
	if (!private_netns(__func__))
		return;
	bool ft = wg_nft_probe_flowtable();
	printf("  flowtable offload %s on this kernel\n", ft ? "available" : "not available");
	CHECK(wg_nft_run("list table inet wgrouter_probe", NULL, 0) != 0);
	/* offered but with devices that do not exist: apply drops them and falls back */
	struct wg_fw_rule r = rule_of("*1", "chain=forward action=fasttrack-connection connection-state=established,related");
	static const char *const devs[] = { "no-such-dev0" };
	struct wg_fw_config cfg = { .flowtable = ft, .flow_devices = devs, .nflow_devices = 1 };
	char err[512] = "";
	cfg.rules[WG_FW_IP][WG_FW_FILTER] = &r;
	cfg.nrules[WG_FW_IP][WG_FW_FILTER] = 1;
	CHECK(wg_nft_apply(&cfg, 0, err, sizeof(err)) == 0, "%s", err);
	wg_nft_flush();
}

/* ---------- traffic between two namespaces ---------- */

static int udp_socket(uint16_t port)
{
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0)
		return -1;
	return fd;
}

static int drain(int fd)
{
	char buf[64];
	int n = 0;
	while (recv(fd, buf, sizeof(buf), 0) >= 0)
		n++;
	return n;
}

static int send_udp(const char *dst, uint16_t port, int count)
{
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
	inet_pton(AF_INET, dst, &a.sin_addr);
	for (int i = 0; i < count; i++) {
		if (sendto(fd, "x", 1, 0, (struct sockaddr *)&a, sizeof(a)) < 0)
			return -1;
		usleep(20000);
	}
	close(fd);
	return 0;
}

/* The far end: its own netns, nf-b addressed 10.9.0.2/24, sends a script of packets. */
static int peer_main(int ready_fd, int go_fd)
{
	char c;
	if (unshare(CLONE_NEWNET) < 0)
		return 10;
	if (write(ready_fd, "r", 1) != 1 || read(go_fd, &c, 1) != 1 || c != 'g')
		return 11;
	struct wg_prefix p;
	wg_prefix_parse(&p, "10.9.0.2/24");
	if (wg_nl_link_set_up("lo", true) || wg_nl_addr_add("nf-b", &p) || wg_nl_link_set_up("nf-b", true))
		return 12;
	usleep(200000);
	if (send_udp("10.9.0.1", 5000, 3) || send_udp("10.9.0.1", 5001, 2) ||
	    send_udp("10.9.0.1", 5002, 1) || send_udp("10.9.0.1", 5003, 1) ||
	    send_udp("10.9.0.1", 6000, 1))
		return 13;
	usleep(200000);
	return 0;
}

static pid_t start_peer(void)
{
	int ready[2], go[2];
	char c;
	if (pipe(ready) || pipe(go))
		return -1;
	pid_t pid = fork();
	if (pid == 0)
		_exit(peer_main(ready[1], go[0]));
	bool ok = pid > 0 && read(ready[0], &c, 1) == 1;
	char cmd[96];
	snprintf(cmd, sizeof(cmd), "ip link set nf-b netns %d", (int)pid);
	ok = ok && system(cmd) == 0;
	ok = ok && write(go[1], ok ? "g" : "n", 1) == 1;
	close(ready[0]); close(ready[1]); close(go[0]); close(go[1]);
	return ok ? pid : -1;
}

static void traffic_config(struct wg_fw_config *cfg, struct wg_fw_rule *f, struct wg_fw_rule *n)
{
	static const char *const lists[] = { "LAN" };
	static const struct wg_fw_if_member members[] = { { "LAN", "nf-a" } };
	f[0] = rule_of("*1", "chain=input protocol=udp dst-port=5000 in-interface-list=LAN action=accept");
	f[1] = rule_of("*2", "chain=input protocol=udp dst-port=5001 in-interface=nf-a action=drop");
	f[2] = rule_of("*3", "chain=input protocol=udp dst-port=5002 action=add-src-to-list address-list=seen address-list-timeout=1h");
	f[3] = rule_of("*4", "chain=input protocol=udp dst-port=5003 src-address-list=seen action=drop");
	n[0] = rule_of("*1", "chain=dstnat protocol=udp dst-port=6000 action=redirect to-ports=5000");
	memset(cfg, 0, sizeof(*cfg));
	cfg->rules[WG_FW_IP][WG_FW_FILTER] = f;
	cfg->nrules[WG_FW_IP][WG_FW_FILTER] = 4;
	cfg->rules[WG_FW_IP][WG_FW_NAT] = n;
	cfg->nrules[WG_FW_IP][WG_FW_NAT] = 1;
	cfg->if_lists = lists;
	cfg->nif_lists = 1;
	cfg->members = members;
	cfg->nmembers = 1;
}

static void check_seen_entry(void)
{
	struct wg_fw_dyn_entry *d;
	int n = wg_nft_read_dynamic(&d);
	char buf[WG_PREFIX_STRLEN];
	CHECK(n == 1 && !strcmp(d[0].list, "seen") &&
	      !strcmp(wg_prefix_format(&d[0].addr, true, buf), "10.9.0.2") &&
	      d[0].timeout_ms == 3600000 && d[0].expires_ms > 0, "n=%d", n);
	free(d);
}

TEST(nft_counts_packets_between_namespaces)
{
	if (!private_netns(__func__))
		return;
	struct wg_fw_rule f[4], nat[1];
	struct wg_fw_config cfg;
	char err[512] = "";
	traffic_config(&cfg, f, nat);
	struct wg_prefix a;
	wg_prefix_parse(&a, "10.9.0.1/24");
	CHECK_EQ(wg_nl_link_create_veth("nf-a", "nf-b"), 0);
	CHECK_EQ(wg_nl_addr_add("nf-a", &a), 0);
	CHECK_EQ(wg_nl_link_set_up("nf-a", true), 0);
	CHECK(wg_nft_apply(&cfg, 0, err, sizeof(err)) == 0, "%s", err);
	int s5000 = udp_socket(5000), s5001 = udp_socket(5001), s5003 = udp_socket(5003);
	CHECK(s5000 >= 0 && s5001 >= 0 && s5003 >= 0);
	pid_t pid = start_peer();
	CHECK(pid > 0);
	int status = -1;
	if (pid > 0)
		waitpid(pid, &status, 0);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "peer status %d", status);
	CHECK_EQ(drain(s5000), 4);  /* 3 direct + 1 redirected from 6000 */
	CHECK_EQ(drain(s5001), 0);  /* dropped */
	CHECK_EQ(drain(s5003), 0);  /* source was put on "seen" by rule *3 */
	CHECK_EQ(packets_of(WG_FW_IP, WG_FW_FILTER, "*1"), 4);
	CHECK_EQ(packets_of(WG_FW_IP, WG_FW_FILTER, "*2"), 2);
	CHECK_EQ(packets_of(WG_FW_IP, WG_FW_FILTER, "*3"), 1);
	CHECK_EQ(packets_of(WG_FW_IP, WG_FW_FILTER, "*4"), 1);
	CHECK_EQ(packets_of(WG_FW_IP, WG_FW_NAT, "*1"), 1);
	check_seen_entry();

	/* a re-apply keeps counters and learned entries... */
	CHECK_EQ(wg_nft_apply(&cfg, WG_NFT_KEEP_COUNTERS | WG_NFT_KEEP_DYNAMIC, err, sizeof(err)), 0);
	CHECK_EQ(packets_of(WG_FW_IP, WG_FW_FILTER, "*1"), 4);
	CHECK_EQ(packets_of(WG_FW_IP, WG_FW_FILTER, "*2"), 2);
	check_seen_entry();
	/* ...reset-counters of one rule is an explicit zero in cfg.counters... */
	struct wg_fw_counter zero = { WG_FW_IP, WG_FW_FILTER, "*1", 0, 0 };
	cfg.counters = &zero;
	cfg.ncounters = 1;
	CHECK_EQ(wg_nft_apply(&cfg, WG_NFT_KEEP_COUNTERS | WG_NFT_KEEP_DYNAMIC, err, sizeof(err)), 0);
	CHECK_EQ(packets_of(WG_FW_IP, WG_FW_FILTER, "*1"), 0);
	CHECK_EQ(packets_of(WG_FW_IP, WG_FW_FILTER, "*2"), 2);
	/* ...and without the flags everything starts from scratch */
	cfg.counters = NULL;
	cfg.ncounters = 0;
	CHECK_EQ(wg_nft_apply(&cfg, 0, err, sizeof(err)), 0);
	CHECK_EQ(packets_of(WG_FW_IP, WG_FW_FILTER, "*2"), 0);
	struct wg_fw_dyn_entry *d;
	CHECK_EQ(wg_nft_read_dynamic(&d), 0);
	free(d);
	close(s5000); close(s5001); close(s5003);
	wg_nft_flush();
	wg_nl_link_delete("nf-a");
}

/* Every construct the compiler can write, loaded into the kernel at once: the text
 * tests pin the syntax, this proves nft and the kernel take it. */
TEST(nft_kernel_accepts_every_construct)
{
	if (!private_netns(__func__))
		return;
	static const char *const f4[] = {
		"chain=input src-address=!10.0.0.0/8 action=drop",
		"chain=input src-address=10.0.0.9-10.0.0.20 dst-address=10.200.200.1/24 action=drop",
		"chain=input protocol=tcp src-port=1024-65535 dst-port=!22,80,8000-8080 action=accept",
		"chain=input protocol=!tcp action=passthrough",
		"chain=input protocol=47 action=accept",
		"chain=input protocol=ospf action=accept",
		"chain=input in-interface=!ether1 in-interface-list=!LAN action=drop",
		"chain=forward in-interface-list=none out-interface-list=all action=drop",
		"chain=forward out-interface-list=!all action=drop",
		"chain=input connection-state=!invalid action=accept",
		"chain=input connection-state=invalid,untracked action=drop",
		"chain=forward connection-nat-state=srcnat,dstnat action=accept",
		"chain=forward connection-nat-state=!dstnat action=accept",
		"chain=input dst-address-list=!trusted src-address-list=trusted action=drop",
		"chain=input action=reject",
		"chain=input action=reject reject-with=icmp-admin-prohibited",
		"chain=input protocol=tcp action=reject reject-with=tcp-reset",
		"chain=input action=log log-prefix=WG:",
		"chain=input action=drop log=yes",
		"chain=input action=add-dst-to-list address-list=seen address-list-timeout=1d2h",
		"chain=input action=add-src-to-list address-list=seen2",
		"chain=forward action=fasttrack-connection connection-state=established,related",
		"chain=input limit=50/5s,5:packet action=accept",
		"chain=input limit=1/7s action=accept",
		"chain=input limit=8000/1s,16000:bit action=accept",
		"chain=input protocol=udp port=53,5353 action=accept",
		"chain=input protocol=tcp port=!22 action=drop",
		"chain=input protocol=icmp icmp-options=8:0 action=accept",
		"chain=input protocol=tcp tcp-flags=syn,!ack action=accept",
		"chain=input action=jump jump-target=sub",
		"chain=sub action=return",
		"chain=output action=jump jump-target=empty-chain",
		/* RouterOS v7 defconf and the matchers of issue 13 */
		"chain=forward ipsec-policy=in,ipsec action=accept",
		"chain=forward ipsec-policy=out,none action=accept",
		"chain=forward action=fasttrack-connection connection-state=established,related hw-offload=yes",
		"chain=forward connection-nat-state=!dstnat connection-state=new in-interface-list=WAN action=drop",
		"chain=input ttl=equal:1 action=drop",
		"chain=input ttl=greater-than:200 action=drop",
		"chain=input packet-size=!0-1400 action=drop",
		"chain=input dscp=46 action=accept",
		"chain=input protocol=tcp tcp-mss=1300-1500 action=accept",
		"chain=input dst-address-type=!local action=drop",
		"chain=forward src-address-type=broadcast action=drop",
		"chain=input packet-mark=voip action=accept",
		"chain=input connection-mark=!no-mark action=accept",
		"chain=input routing-mark=main action=accept",
		"chain=input connection-bytes=1000000-0 action=accept",
		"chain=input protocol=tcp connection-state=new connection-limit=20,24 action=drop",
		"chain=input protocol=tcp dst-limit=10/1m,5,src-and-dst-address-and-port/2m action=accept",
		"chain=input dst-limit=10,5,dst-address action=accept",
		"chain=input protocol=tcp port=22 dst-limit=10,5,src-address action=accept",
		"chain=input src-mac-address=00:11:22:aa:bb:cc action=accept",
		"chain=input random=10 nth=3,1 action=accept",
		"chain=input protocol=tcp tcp-flags=syn action=add-src-to-address-list address-list=scan address-list-timeout=2w",
	};
	static const char *const f6[] = {
		"chain=input protocol=icmpv6 icmp-options=!128 action=accept",
		"chain=input src-address=fd00::/64 dst-address=fd00::1-fd00::9 action=accept",
		"chain=input action=reject",
		"chain=input src-address-list=trusted action=add-src-to-list address-list=v6seen address-list-timeout=10m",
		"chain=forward protocol=icmpv6 hop-limit=equal:1 action=drop",
		"chain=input ipsec-policy=in,ipsec action=accept",
		"chain=input protocol=139 action=accept",
		"chain=input protocol=udp dst-port=546 src-address=fe80::/10 action=accept",
		"chain=input protocol=tcp connection-limit=5,64 action=drop",
		"chain=input dst-address-type=multicast action=accept",
	};
	static const char *const m4[] = {
		"chain=prerouting connection-state=new per-connection-classifier=both-addresses:2/0 action=mark-connection new-connection-mark=wan1",
		"chain=prerouting connection-mark=wan1 action=mark-routing new-routing-mark=main passthrough=no",
		"chain=prerouting protocol=udp per-connection-classifier=both-addresses-and-ports:3/1 action=mark-packet new-packet-mark=voip",
		"chain=forward protocol=tcp tcp-flags=syn action=change-mss new-mss=clamp-to-pmtu",
		"chain=forward protocol=tcp tcp-flags=syn action=change-mss new-mss=1360 passthrough=no",
		"chain=postrouting action=change-ttl new-ttl=set:64",
		"chain=postrouting action=change-dscp new-dscp=10",
		"chain=prerouting action=add-dst-to-address-list address-list=dsts",
		"chain=output action=mark-packet new-packet-mark=no-mark",
	};
	static const char *const m6[] = {
		"chain=prerouting action=mark-connection new-connection-mark=v6",
		"chain=postrouting action=change-ttl new-ttl=set:32",
	};
	static const char *const r4[] = {
		"chain=prerouting protocol=udp dst-port=53 action=notrack",
		"chain=prerouting src-address-list=scan action=drop",
		"chain=output action=accept",
	};
	static const char *const r6[] = {
		"chain=prerouting protocol=icmpv6 action=notrack",
	};
	static const char *const n4[] = {
		"chain=srcnat out-interface=ether1 action=srcnat to-addresses=203.0.113.1",
		"chain=srcnat protocol=udp action=srcnat to-addresses=203.0.113.1-203.0.113.4 to-ports=10000-20000",
		"chain=srcnat protocol=tcp action=masquerade to-ports=40000-50000",
		"chain=srcnat action=src-nat to-addresses=203.0.113.9",
		"chain=srcnat action=same to-addresses=203.0.113.1-203.0.113.8",
		"chain=srcnat src-address=10.0.0.0/24 action=netmap to-addresses=192.168.0.0/24",
		"chain=dstnat protocol=tcp dst-port=80 in-interface-list=WAN action=dstnat to-addresses=10.0.10.5 to-ports=8080",
		"chain=dstnat protocol=udp dst-port=53 action=redirect to-ports=5353",
		"chain=dstnat dst-address=203.0.113.0/24 action=netmap to-addresses=10.0.0.0/24",
		"chain=dstnat action=jump jump-target=pf",
		"chain=pf protocol=tcp dst-port=22 action=dst-nat to-addresses=10.0.0.2",
		"chain=srcnat action=accept",
	};
	static const char *const n6[] = {
		"chain=dstnat protocol=tcp dst-port=443 action=dstnat to-addresses=fd00::5 to-ports=8443",
		"chain=srcnat action=srcnat to-addresses=2001:db8::1",
		"chain=srcnat action=masquerade",
	};
#define N(a) (sizeof(a) / sizeof(*(a)))
	static const char *const *sets[2][4] = { { f4, n4, m4, r4 }, { f6, n6, m6, r6 } };
	static const size_t counts[2][4] = { { N(f4), N(n4), N(m4), N(r4) }, { N(f6), N(n6), N(m6), N(r6) } };
#undef N
	static const struct wg_fw_route_mark marks[] = { { "main", 254 } };
	static const char *const lists[] = { "LAN", "WAN" };
	struct wg_fw_addr_entry a4[] = { { "trusted", "10.0.0.0/8", NULL, false },
					 { "trusted", "10.1.0.0/16", "1h", false },
					 { "seen", "192.0.2.1", "5m", false } };
	struct wg_fw_addr_entry a6[] = { { "trusted", "fd00::/8", NULL, false } };
	struct wg_fw_config cfg = { .if_lists = lists, .nif_lists = 2, .addrs = { a4, a6 },
				    .naddrs = { 3, 1 }, .route_marks = marks, .nroute_marks = 1 };
	char ids[128][24];
	size_t total = 0, k = 0;
	for (int f = 0; f < 2; f++)
		for (int t = 0; t < 4; t++) {
			struct wg_fw_rule *r = calloc(counts[f][t], sizeof(*r));
			for (size_t i = 0; i < counts[f][t]; i++, k++) {
				snprintf(ids[k], sizeof(ids[k]), "*%zX", i + 1);
				r[i] = rule_of(ids[k], sets[f][t][i]);
			}
			cfg.rules[f][t] = r;
			cfg.nrules[f][t] = counts[f][t];
			total += counts[f][t];
		}
	char err[1024] = "";
	int rc = wg_nft_apply(&cfg, WG_NFT_KEEP_COUNTERS | WG_NFT_KEEP_DYNAMIC, err, sizeof(err));
	CHECK(rc == 0, "%s", err);
	struct wg_fw_counter *c;
	int n = wg_nft_read_counters(&c);
	CHECK_EQ(n, (long long)total);
	free(c);
	for (int f = 0; f < 2; f++)
		for (int t = 0; t < 4; t++)
			free((void *)cfg.rules[f][t]);
	wg_nft_flush();
}
