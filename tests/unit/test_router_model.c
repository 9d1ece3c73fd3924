/* The router under the console: persistence (atomic, 0600, ids stable, restart after a
 * kill), per-peer data plane updates that leave other peers alone, host name endpoints
 * followed as their address changes, log messages, client configs and wg-quick files. */
#include "test.h"
#include "test_console_fixture.h"
#include <sys/stat.h>

static char *tmpdir(void)
{
	char *d = fx_tmpdir("state");
	CHECK(d != NULL);
	return d;
}

static void rmdir_all(const char *d) { CHECK_EQ(fx_rmdir_all(d), 0); }

TEST(persistence_round_trip)
{
	char *dir = tmpdir(), priv[45], pub[45], other[45];
	fx_keypair(priv, other);
	fx_keypair(other, pub);
	struct fx *a = fx_new_dir(dir);
	char *s = xasprintf("/interface/wireguard/add name=wg0 listen-port=51820 private-key=\"%s\"\n"
			    "/interface/wireguard/add name=wg1\n"
			    "/interface/wireguard/remove wg1\n"
			    "/interface/wireguard/peers/add interface=wg0 public-key=\"%s\" allowed-address=10.0.0.2/32 "
			    "preshared-key=auto comment=\"two words\"\n"
			    "/ip/firewall/filter/add chain=input comment=\"q\\\"uote\"\n", priv, pub);
	CHECK_EQ(fx_run(a, s), 0);
	free(s);
	char *before = fx_export(a, "show-sensitive verbose");
	char *path = xasprintf("%s/config.state", dir);
	struct stat st;
	CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600);
	/* no daemon shutdown: as after kill -9, only the file is left */
	fx_free(a);
	struct fx *b = fx_new_dir(dir);
	char *after = fx_export(b, "show-sensitive verbose");
	CHECK(!strcmp(before, after));
	/* ids are stable and not reused: wg1 was *2, the next interface is *3 */
	CHECK_EQ(fx_run(b, ":put [/interface/wireguard/find name=wg0]; :put [/interface/wireguard/add name=wg2]"), 0);
	CHECK(!strcmp(fx_last(b), "*1\n*3\n"));
	CHECK(strstr(sb_str(&b->calls), "start wg0"));
	fx_free(b);
	free(before);
	free(after);
	free(path);
	rmdir_all(dir);
	free(dir);
}

/* kill -9 between writing config.state.tmp and renaming it: the next start removes it. */
TEST(start_removes_an_interrupted_save)
{
	char *dir = tmpdir(), *tmp = xasprintf("%s/config.state.tmp", dir);
	struct fx *a = fx_new_dir(dir);
	CHECK_EQ(fx_run(a, "/interface/wireguard/add name=wg0"), 0);
	fx_free(a);
	FILE *fp = fopen(tmp, "w");
	CHECK(fp != NULL && fputs("# wgrouter state 1\nitem /interface/wireguard *9 name=\"half\"", fp) >= 0);
	if (fp)
		fclose(fp);
	struct fx *b = fx_new_dir(dir);
	CHECK(access(tmp, F_OK) < 0, "the temporary file is gone");
	CHECK_EQ(fx_run(b, ":put [/interface/wireguard/print count-only]"), 0);
	CHECK(!strcmp(fx_last(b), "1\n"), "%s", fx_last(b));
	fx_free(b);
	free(tmp);
	rmdir_all(dir);
	free(dir);
}

TEST(failed_commands_are_not_persisted)
{
	char *dir = tmpdir();
	struct fx *a = fx_new_dir(dir);
	CHECK_EQ(fx_run(a, "/interface/wireguard/add name=wg0"), 0);
	CHECK(fx_run(a, "/interface/wireguard/add name=wg0") != 0);
	fx_free(a);
	struct fx *b = fx_new_dir(dir);
	CHECK_EQ(fx_run(b, "/interface/wireguard/print count-only"), 0);
	CHECK(!strcmp(fx_last(b), "1\n"));
	fx_free(b);
	rmdir_all(dir);
	free(dir);
}

/* A change that cannot be saved is not made: the command fails, the store in memory and
 * the file on disk stay as they were, and nothing reaches the data plane or the system.
 * The state directory is made unwritable by turning its parent into a regular file
 * (ENOTDIR, which stops root too); the old directory is kept aside to compare. */
TEST(failed_save_changes_nothing)
{
	char *dir = tmpdir(), *parent = xasprintf("%s/p", dir), *aside = xasprintf("%s/aside", dir);
	char *state = xasprintf("%s/state", parent), *file = xasprintf("%s/state/config.state", aside);
	CHECK(mkdir(parent, 0700) == 0 && mkdir(state, 0700) == 0);
	struct fx *f = fx_new_dir(state);
	CHECK_EQ(fx_run(f, "/interface/wireguard/add name=wg0 listen-port=51820"), 0);
	char *before = fx_export(f, "show-sensitive verbose");
	CHECK(rename(parent, aside) == 0);
	char *saved = fx_read_text(file);
	FILE *blocker = fopen(parent, "w");
	CHECK(blocker != NULL);
	if (blocker)
		fclose(blocker);
	sb_reset(&f->calls);
	CHECK(fx_run(f, "/interface/wireguard/add name=wg1") != 0);
	CHECK(fx_run(f, "/interface/wireguard/set wg0 listen-port=51900") != 0);
	CHECK(strstr(fx_err(f), "could not save configuration"), "%s", fx_err(f));
	CHECK(!sb_str(&f->calls)[0], "applied:\n%s", sb_str(&f->calls));
	char *after = fx_export(f, "show-sensitive verbose"), *on_disk = fx_read_text(file);
	CHECK(!strcmp(before, after), "in memory:\n%s", after);
	CHECK(saved[0] && !strcmp(saved, on_disk));
	fx_free(f);
	/* Put back where it was, the state directory still holds the configuration of before. */
	CHECK(unlink(parent) == 0 && rename(aside, parent) == 0);
	struct fx *g = fx_new_dir(state);
	char *reloaded = fx_export(g, "show-sensitive verbose");
	CHECK(!strcmp(before, reloaded));
	fx_free(g);
	free(before); free(after); free(saved); free(on_disk); free(reloaded);
	free(parent); free(aside); free(state); free(file);
	rmdir_all(dir);
	free(dir);
}

/* unset used to take listen-port, and the interface never came up again after a
 * restart: a state file without it still starts the interface (the data plane picks). */
TEST(state_without_listen_port_still_starts)
{
	char *dir = tmpdir(), *path = xasprintf("%s/config.state", dir);
	struct fx *a = fx_new_dir(dir);
	CHECK_EQ(fx_run(a, "/interface/wireguard/add name=wg0 listen-port=51820"), 0);
	fx_free(a);
	struct sbuf st;
	sb_init(&st);
	FILE *fp = fopen(path, "r");
	CHECK(fp != NULL);
	char line[512];
	while (fp && fgets(line, sizeof(line), fp)) {
		char *lp = strstr(line, " listen-port=\"51820\"");
		if (lp)
			memmove(lp, lp + 20, strlen(lp + 20) + 1);
		sb_add(&st, line);
	}
	if (fp)
		fclose(fp);
	CHECK(!strstr(sb_str(&st), "listen-port"), "%s", sb_str(&st));
	fp = fopen(path, "w");
	CHECK(fp != NULL && fputs(sb_str(&st), fp) >= 0 && fclose(fp) == 0);
	struct fx *b = fx_new_dir(dir);
	CHECK(strstr(sb_str(&b->calls), "start wg0"));
	CHECK(strstr(sb_str(&b->calls), "listen_port=0\n"), "%s", sb_str(&b->calls));
	CHECK(!strstr(sb_str(&b->calls), "(null)"), "%s", sb_str(&b->calls));
	fx_free(b);
	sb_free(&st);
	free(path);
	rmdir_all(dir);
	free(dir);
}

static struct fx *two_peers(char pub1[45], char pub2[45])
{
	char priv[45];
	struct fx *f = fx_new();
	fx_keypair(priv, pub1);
	fx_keypair(priv, pub2);
	char *s = xasprintf("/interface/wireguard/add name=wg0 listen-port=51820\n"
			    "/interface/wireguard/peers/add interface=wg0 public-key=\"%s\" allowed-address=10.0.0.2/32 name=a\n"
			    "/interface/wireguard/peers/add interface=wg0 public-key=\"%s\" allowed-address=10.0.0.3/32 name=b\n",
			    pub1, pub2);
	CHECK_EQ(fx_run(f, s), 0);
	free(s);
	sb_reset(&f->calls);
	return f;
}

static void hex_of(const char *b64, char hex[65])
{
	uint8_t k[32];
	wg_key_from_base64(k, b64);
	wg_key_to_hex(hex, k);
}

TEST(one_peer_change_leaves_others_alone)
{
	char pub1[45], pub2[45], h1[65], h2[65];
	struct fx *f = two_peers(pub1, pub2);
	hex_of(pub1, h1);
	hex_of(pub2, h2);
	CHECK_EQ(fx_run(f, "/interface/wireguard/peers/set b allowed-address=10.0.0.3/32,10.9.0.0/16 persistent-keepalive=25s"), 0);
	const char *c = sb_str(&f->calls);
	char *want = xasprintf("uapi wg0\nset=1\npublic_key=%s\nupdate_only=true\npersistent_keepalive_interval=25\n"
			       "replace_allowed_ips=true\nallowed_ip=10.0.0.3/32\nallowed_ip=10.9.0.0/16\n\n", h2);
	if (strncmp(c, want, strlen(want)))
		test_fail(__FILE__, __LINE__, "calls:\n%s", c);
	CHECK(!strstr(c, h1));
	CHECK(!strstr(c, "replace_peers"));
	CHECK(!strstr(c, "private_key"));
	CHECK(!strstr(c, "stop"));
	free(want);
	/* disabling one peer removes only it; an interface change touches no peer */
	sb_reset(&f->calls);
	CHECK_EQ(fx_run(f, "/interface/wireguard/peers/disable a"), 0);
	want = xasprintf("uapi wg0\nset=1\npublic_key=%s\nremove=true\n\n", h1);
	CHECK(!strncmp(sb_str(&f->calls), want, strlen(want)));
	free(want);
	sb_reset(&f->calls);
	CHECK_EQ(fx_run(f, "/interface/wireguard/set wg0 listen-port=51900"), 0);
	CHECK(!strcmp(sb_str(&f->calls), "uapi wg0\nset=1\nlisten_port=51900\n\n"));
	sb_reset(&f->calls);
	CHECK_EQ(fx_run(f, "/interface/wireguard/set wg0 mtu=1380"), 0);
	CHECK(!strcmp(sb_str(&f->calls), "mtu wg0 1380\n"));
	/* a comment is not data plane configuration at all */
	sb_reset(&f->calls);
	CHECK_EQ(fx_run(f, "/interface/wireguard/peers/set b comment=laptop"), 0);
	CHECK(!strstr(sb_str(&f->calls), "uapi"));
	fx_free(f);
}

TEST(hostname_endpoint_is_followed)
{
	char priv[45], pub[45];
	struct fx *f = fx_new();
	fx_keypair(priv, pub);
	snprintf(fx_dns_addr, sizeof(fx_dns_addr), "192.0.2.10");
	char *s = xasprintf("/interface/wireguard/add name=wg0\n"
			    "/interface/wireguard/peers/add interface=wg0 public-key=\"%s\" allowed-address=10.0.0.0/24 "
			    "endpoint-address=vpn.example.com endpoint-port=13231", pub);
	CHECK_EQ(fx_run(f, s), 0);
	free(s);
	CHECK(strstr(sb_str(&f->calls), "endpoint=192.0.2.10:13231"));
	/* the dynamic DNS name moves; a minute later the router follows it */
	snprintf(fx_dns_addr, sizeof(fx_dns_addr), "192.0.2.77");
	sb_reset(&f->calls);
	f->now_ms += 10000;
	wg_router_tick(f->r);
	CHECK(!strstr(sb_str(&f->calls), "endpoint="));
	f->now_ms += 51000;
	wg_router_tick(f->r);
	CHECK(strstr(sb_str(&f->calls), "update_only=true\nendpoint=192.0.2.77:13231\n"));
	CHECK_EQ(fx_run(f, "/log/print where message~\"resolves to\""), 0);
	CHECK(strstr(fx_last(f), "wg0: [peer1] endpoint vpn.example.com now resolves to 192.0.2.77:13231"));
	/* no handshake (the recording data plane never has one): retried every 15 s */
	snprintf(fx_dns_addr, sizeof(fx_dns_addr), "192.0.2.78");
	sb_reset(&f->calls);
	f->now_ms += 16000;
	wg_router_tick(f->r);
	CHECK(strstr(sb_str(&f->calls), "endpoint=192.0.2.78:13231"));
	snprintf(fx_dns_addr, sizeof(fx_dns_addr), "192.0.2.10");
	fx_free(f);
}

TEST(data_plane_messages_in_the_log)
{
	char pub1[45], pub2[45];
	uint8_t k[32];
	struct fx *f = two_peers(pub1, pub2);
	wg_key_from_base64(k, pub2);
	f->log(f->log_ctx, 2, k, "handshake", "Handshake did not complete after 5 seconds, retrying (try 2)");
	f->log(f->log_ctx, 2, k, "endpoint", "Endpoint changed from 192.0.2.1:1 to 192.0.2.2:2");
	f->log(f->log_ctx, 2, k, "allowedips", "Packet has unallowed src IP from peer (allowed-address mismatch)");
	f->log(f->log_ctx, 2, NULL, "mtu", "Packet of 1500 bytes exceeds the MTU of 1420");
	f->log(f->log_ctx, 2, k, "handshake", "Sending handshake initiation");
	CHECK_EQ(fx_run(f, "/log/print where topics~\"wireguard\""), 0);
	const char *l = fx_last(f);
	CHECK(strstr(l, "wireguard,error wg0: [b] handshake failed: Handshake did not complete"));
	CHECK(strstr(l, "wireguard,info wg0: [b] noise_connection_reset: Endpoint changed from 192.0.2.1:1 to 192.0.2.2:2"));
	CHECK(strstr(l, "wireguard,error wg0: [b] allowed-address mismatch"));
	CHECK(strstr(l, "wireguard,error wg0: packet too big"));
	CHECK(!strstr(l, "Sending handshake")); /* debug: no rule takes it yet */
	CHECK_EQ(fx_run(f, "/system/logging/add topics=wireguard,debug action=memory"), 0);
	f->log(f->log_ctx, 2, k, "handshake", "Sending handshake initiation");
	CHECK_EQ(fx_run(f, "/log/print where topics~\"debug\""), 0);
	CHECK(strstr(fx_last(f), "wireguard,debug wg0: [b] Sending handshake initiation"));
	CHECK_EQ(fx_run(f, "/system/logging/print"), 0);
	CHECK(strstr(fx_last(f), "wireguard,debug"));
	fx_free(f);
}

TEST(client_config_with_router_held_key)
{
	struct fx *f = fx_new();
	CHECK_EQ(fx_run(f, "/interface/wireguard/add name=wg0 listen-port=13231\n"
			   "/interface/wireguard/peers/add interface=wg0 private-key=auto preshared-key=auto "
			   "allowed-address=172.16.0.2/32 client-address=172.16.0.2/24 client-dns=172.16.0.1 "
			   "client-endpoint=vpn.example.com client-keepalive=25s client-allowed-address=172.16.0.0/24,10.0.0.0/24\n"), 0);
	CHECK_EQ(fx_run(f, ":put [/interface/wireguard/peers/get 0 private-key]"), 0);
	char priv[45], pub[45];
	snprintf(priv, sizeof(priv), "%.44s", fx_last(f));
	uint8_t k[32], p[32];
	CHECK(wg_key_from_base64(k, priv));
	wg_x25519_public(p, k);
	wg_key_to_base64(pub, p);
	CHECK_EQ(fx_run(f, ":put [/interface/wireguard/peers/get 0 public-key]"), 0);
	CHECK(!strncmp(fx_last(f), pub, 44)); /* the peer's public key is the router-held key's */
	CHECK_EQ(fx_run(f, "/interface/wireguard/peers/show-client-config 0"), 0);
	const char *c = fx_last(f);
	char *want = xasprintf("[Interface]\nPrivateKey = %s\nAddress = 172.16.0.2/24\nDNS = 172.16.0.1\n\n[Peer]\nPublicKey = ", priv);
	CHECK(!strncmp(c, want, strlen(want)));
	CHECK(strstr(c, "PresharedKey = "));
	CHECK(strstr(c, "AllowedIPs = 172.16.0.0/24, 10.0.0.0/24\nEndpoint = vpn.example.com:13231\nPersistentKeepalive = 25\n"));
	free(want);
	/* file=NAME writes NAME.conf and NAME.png */
	char dir[] = "/tmp/wgr-cc-XXXXXX";
	CHECK(mkdtemp(dir) != NULL);
	wg_session_set_cwd(f->s, dir);
	CHECK_EQ(fx_run(f, "/interface/wireguard/peers/show-client-config 0 file=phone"), 0);
	char *conf = xasprintf("%s/phone.conf", dir), *png = xasprintf("%s/phone.png", dir);
	struct stat st;
	CHECK(stat(conf, &st) == 0 && (st.st_mode & 0777) == 0600 && st.st_size > 100);
	FILE *pf = fopen(png, "rb");
	unsigned char sig[8] = { 0 };
	CHECK(pf && fread(sig, 1, 8, pf) == 8 && !memcmp(sig, "\x89PNG\r\n\x1a\n", 8));
	if (pf)
		fclose(pf);
	rmdir_all(dir);
	free(conf);
	free(png);
	fx_free(f);
}

TEST(wg_import_and_export)
{
	char priv[45], pub[45], ppriv[45], ppub[45];
	fx_keypair(priv, pub);
	fx_keypair(ppriv, ppub);
	struct fx *f = fx_new();
	char *cmd = xasprintf("/interface/wireguard/wg-import name=wgq config-string=\"[Interface]\\nPrivateKey = %s\\n"
			      "ListenPort = 51000\\nAddress = 10.5.0.1/24, fd05::1/64\\n\\n[Peer]\\nPublicKey = %s\\n"
			      "AllowedIPs = 10.5.0.2/32, fd05::2/128\\nEndpoint = [2001:db8::1]:51820\\nPersistentKeepalive = 25\\n\"",
			      priv, ppub);
	CHECK_EQ(fx_run(f, cmd), 0);
	free(cmd);
	char *ex = fx_export_flat(f, NULL);
	CHECK(strstr(ex, "add listen-port=51000 name=wgq"));
	CHECK(strstr(ex, "add address=10.5.0.1/24 interface=wgq"));
	CHECK(strstr(ex, "add address=fd05::1/64 interface=wgq"));
	CHECK(strstr(ex, "allowed-address=10.5.0.2/32,fd05::2/128 endpoint-address=2001:db8::1 endpoint-port=51820"));
	CHECK(strstr(ex, "persistent-keepalive=25s"));
	free(ex);
	CHECK(strstr(sb_str(&f->calls), "endpoint=[2001:db8::1]:51820"));
	CHECK_EQ(fx_run(f, "/interface/wireguard/wg-export wgq"), 0);
	char *want = xasprintf("[Interface]\nPrivateKey = %s\nListenPort = 51000\n\n[Peer]\nPublicKey = %s\n"
			       "AllowedIPs = 10.5.0.2/32, fd05::2/128\nEndpoint = [2001:db8::1]:51820\nPersistentKeepalive = 25\n",
			       priv, ppub);
	CHECK(!strcmp(fx_last(f), want));
	free(want);
	/* a bad file changes nothing */
	CHECK(fx_run(f, "/interface/wireguard/wg-import config-string=\"[Peer]\\nPublicKey = x\\nAllowedIPs = 10.6.0.0/24\\n\"") != 0);
	CHECK_EQ(fx_run(f, "/interface/wireguard/print count-only"), 0);
	CHECK(!strcmp(fx_last(f), "1\n"));
	fx_free(f);
}

TEST(interface_list_and_completion)
{
	struct fx *f = fx_new();
	CHECK_EQ(fx_run(f, "/interface/wireguard/add name=wg0 disabled=yes; /interface/print"), 0);
	CHECK(strstr(fx_last(f), "ether1"));
	CHECK(strstr(fx_last(f), "bridge-trunk"));
	CHECK(strstr(fx_last(f), "X wg0"));
	struct strvec v = { 0 };
	wg_session_complete(f->s, "/interface wi", &v);
	CHECK(v.n == 1 && !strcmp(v.v[0], "wireguard"));
	sv_free(&v);
	wg_session_complete(f->s, "/interface/wireguard/pe", &v);
	CHECK(v.n == 1 && !strcmp(v.v[0], "/interface/wireguard/peers"));
	sv_free(&v);
	wg_session_complete(f->s, "/interface/wireguard/peers/add allowed-", &v);
	CHECK(v.n == 1 && !strcmp(v.v[0], "allowed-address="));
	sv_free(&v);
	wg_session_complete(f->s, "/ip/address ", &v);
	CHECK(sv_has(&v, "add") && sv_has(&v, "print"));
	sv_free(&v);
	fx_free(f);
}

/* Seed 001's policy routing: the table, the mark, the route in that table. The router
 * installs the route in the table's own Linux table, one ip rule for the mark, and the
 * mangle rule in the firewall; removing the mangle rule removes the ip rule. */
TEST(policy_routing_mark_rule_and_table)
{
	struct fx *f = fx_new();
	CHECK_EQ(fx_run(f, "/interface/wireguard/add name=wireguard1 listen-port=13231\n"
			   "/routing/table/add name=vpn-traffic fib\n"
			   "/routing/mangle/add chain=prerouting src-address=192.168.1.50/32 action=mark-routing new-routing-mark=vpn-traffic\n"
			   "/ip/route/add dst-address=0.0.0.0/0 gateway=wireguard1 routing-table=vpn-traffic\n"), 0);
	const char *c = sb_str(&f->calls);
	char want_rule[64], want_route[64], want_mark[64];
	uint32_t table = 0;
	for (int i = 0; i < f->nroutes; i++)
		if (f->routes[i].dst.len == 0)
			table = f->routes[i].table;
	CHECK(table > 254, "default route in its own table: %u", table);
	snprintf(want_rule, sizeof(want_rule), "rule add fwmark %u table %u pref 10000", table, table);
	snprintf(want_route, sizeof(want_route), "route add 0.0.0.0/0 dev wireguard1 proto 4 table %u", table);
	snprintf(want_mark, sizeof(want_mark), "mangle=1 lists=0 main=254 vpn-traffic=%u", table);
	CHECK(strstr(c, want_rule), "calls:\n%s", c);
	CHECK(strstr(c, want_route), "calls:\n%s", c);
	CHECK(strstr(c, want_mark), "calls:\n%s", c);
	CHECK_EQ(f->nrules, 1);
	/* A second rule naming the same table needs no second ip rule. */
	CHECK_EQ(fx_run(f, "/routing/mangle/add chain=prerouting src-address=192.168.1.51/32 action=mark-routing new-routing-mark=vpn-traffic"), 0);
	CHECK_EQ(f->nrules, 1);
	/* A table that does not exist is refused and changes nothing. */
	CHECK(fx_run(f, "/routing/mangle/add chain=prerouting action=mark-routing new-routing-mark=nope") != 0);
	CHECK(fx_run(f, "/routing/mangle/add chain=prerouting action=mark-connection") != 0);
	CHECK_EQ(fx_run(f, "/routing/mangle/print count-only"), 0);
	CHECK(!strcmp(fx_last(f), "2\n"), "%s", fx_last(f));
	sb_reset(&f->calls);
	CHECK_EQ(fx_run(f, "/routing/mangle/remove [find]"), 0);
	CHECK_EQ(f->nrules, 0);
	CHECK(strstr(sb_str(&f->calls), "rule del fwmark"), "calls:\n%s", sb_str(&f->calls));
	fx_free(f);
}
