/* Every console command of the two seed documents, pasted unchanged except for their
 * placeholders (keys, addresses), against a router with the recording backend: each
 * must succeed and have the effect the documents describe. One section per test, on a
 * fresh router, as the documents configure separate routers. */
#include "test.h"
#include "test_console_fixture.h"

/* Placeholders: <...priv...> and X-PRIVATE-KEY are private keys, <...pub...> and
 * X-PUBLIC-KEY(-BASE64) public keys, BASE64-PSK-VALUE a preshared key, <...ip> an
 * address; the same placeholder always gets the same value. */
struct subst { char from[64], to[64]; };
static struct subst subs[64];
static int nsubs;

static const char *value_for(const char *ph)
{
	for (int i = 0; i < nsubs; i++)
		if (!strcmp(subs[i].from, ph))
			return subs[i].to;
	struct subst *s = &subs[nsubs++];
	char priv[45], pub[45];
	snprintf(s->from, sizeof(s->from), "%s", ph);
	fx_keypair(priv, pub);
	if (strstr(ph, "-ip>"))
		snprintf(s->to, sizeof(s->to), "192.0.2.%d", 20 + nsubs);
	else if (strstr(ph, "priv") || strstr(ph, "PRIVATE"))
		snprintf(s->to, sizeof(s->to), "%s", priv);
	else if (strstr(ph, "pub") || strstr(ph, "PUBLIC") || strstr(ph, "PSK"))
		snprintf(s->to, sizeof(s->to), "%s", pub);
	else if (strstr(ph, "ip"))
		snprintf(s->to, sizeof(s->to), "192.0.2.%d", 20 + nsubs);
	else
		snprintf(s->to, sizeof(s->to), "secret");
	return s->to;
}

static bool placeholder_at(const char *p, size_t *len)
{
	static const char *const upper[] = {
		"REMOTE-PUBLIC-KEY-BASE64", "OFFICE1-PUBLIC-KEY", "OFFICE2-PUBLIC-KEY", "CLIENT1-PUBLIC-KEY",
		"CLIENT2-PUBLIC-KEY", "SERVER-PUBLIC-KEY", "ROUTER-A-PUBLIC-KEY", "ROUTER-B-PUBLIC-KEY",
		"BASE64-PSK-VALUE", NULL,
	};
	if (*p == '<') {
		const char *e = strchr(p, '>');
		*len = e ? (size_t)(e - p) + 1 : 0;
		return e != NULL;
	}
	for (int i = 0; upper[i]; i++) {
		if (!strncmp(p, upper[i], strlen(upper[i]))) {
			*len = strlen(upper[i]);
			return true;
		}
	}
	return false;
}

static char *subst(const char *text)
{
	struct sbuf b;
	sb_init(&b);
	for (const char *p = text; *p;) {
		size_t n;
		if (placeholder_at(p, &n)) {
			char ph[64];
			snprintf(ph, sizeof(ph), "%.*s", (int)n, p);
			sb_add(&b, value_for(ph));
			p += n;
		} else {
			sb_addc(&b, *p++);
		}
	}
	return sb_take(&b);
}

static int run_seed(struct fx *f, const char *text)
{
	char *t = subst(text);
	int rc = fx_run(f, t);
	if (rc || fx_err(f)[0])
		printf("  seed text failed: %s\n  -> %s", t, fx_err(f));
	free(t);
	return rc;
}

#define SEED_OK(f, text) CHECK_EQ(run_seed(f, text), 0)

static bool has(const char *hay, const char *needle)
{
	bool ok = strstr(hay, needle) != NULL;
	if (!ok)
		printf("  missing \"%s\" in:\n%s\n", needle, hay);
	return ok;
}

/* ---- seed 000: "WireGuard on MikroTik RouterOS" ---- */

TEST(seed000_package_and_keys)
{
	struct fx *f = fx_new();
	SEED_OK(f, "/system package print where name~wireguard");
	CHECK(has(fx_last(f), "wireguard"));
	CHECK(!strstr(fx_last(f), "0  wgrouter"));
	SEED_OK(f, "/tool wg-genkey");
	CHECK_EQ(strlen(fx_last(f)), 45);
	SEED_OK(f, "/tool wg-genkey\n"
		   ":set privKey [get]\n"
		   ":set pubKey [/tool wg-genkey public-key from-key $privKey]\n"
		   ":put $pubKey\n");
	/* the printed public key belongs to the generated private key */
	char *priv = xstrndup(fx_last(f), 44);
	uint8_t k[32], p[32];
	char pub[45];
	CHECK(wg_key_from_base64(k, priv));
	wg_x25519_public(p, k);
	wg_key_to_base64(pub, p);
	CHECK(has(fx_last(f) + 45, pub));
	free(priv);
	fx_free(f);
}

TEST(seed000_road_warrior)
{
	struct fx *f = fx_new();
	SEED_OK(f, "/interface wireguard add name=wg-home listen-port=51820 private-key=\"<private-key>\"");
	SEED_OK(f, "# WireGuard interface\n"
		   "/interface wireguard add name=wg-remote listen-port=51820 private-key=\"<server-private-key>\"\n"
		   "# IP on WG interface — this will be the gateway for remote peers\n"
		   "/ip address add address=10.200.200.1/24 interface=wg-remote comment=\"WG remote pool gateway\"\n"
		   "# Peer definition: your phone/laptop\n"
		   "/interface wireguard peers add \\\n"
		   "interface=wg-remote \\\n"
		   "public-key=\"<client-public-key>\" \\\n"
		   "allowed-address=10.200.200.2/32 \\\n"
		   "comment=\"Phone - Pixel 9\"\n");
	SEED_OK(f, "/ip firewall filter add \\\n"
		   "chain=input \\\n"
		   "protocol=udp \\\n"
		   "dst-port=51820 \\\n"
		   "in-interface-list=WAN \\\n"
		   "action=accept \\\n"
		   "comment=\"Allow WireGuard UDP\"\n");
	SEED_OK(f, "/ip firewall nat add \\\n"
		   "chain=srcnat \\\n"
		   "src-address=10.200.200.0/24 \\\n"
		   "dst-address=10.0.0.0/16 \\\n"
		   "action=srcnat \\\n"
		   "comment=\"NAT remote WG clients to LAN\"\n");
	SEED_OK(f, "/ip firewall filter add \\\n"
		   "chain=forward \\\n"
		   "src-address=10.200.200.0/24 \\\n"
		   "dst-address=10.0.10.0/24 \\\n"
		   "action=accept \\\n"
		   "comment=\"Allow WG clients → HOME (10)\"\n"
		   "/ip firewall filter add \\\n"
		   "chain=forward \\\n"
		   "src-address=10.200.200.0/24 \\\n"
		   "dst-address=10.0.20.0/24 \\\n"
		   "action=accept \\\n"
		   "comment=\"Allow WG clients → LAB (20)\"\n"
		   "/ip firewall filter add \\\n"
		   "chain=forward \\\n"
		   "src-address=10.200.200.0/24 \\\n"
		   "dst-address=10.0.0.0/16 \\\n"
		   "action=accept \\\n"
		   "comment=\"Allow WG clients → all VLANs\"\n");
	char *ex = fx_export_flat(f, NULL);
	CHECK(has(ex, "/interface wireguard\nadd listen-port=51820 name=wg-home\nadd listen-port=51820 name=wg-remote\n"));
	CHECK(has(ex, "comment=\"Phone - Pixel 9\" interface=wg-remote"));
	CHECK(has(ex, "add address=10.200.200.1/24 comment=\"WG remote pool gateway\" interface=wg-remote"));
	CHECK(has(ex, "add action=srcnat chain=srcnat comment=\"NAT remote WG clients to LAN\""));
	CHECK(has(ex, "comment=\"Allow WG clients \xe2\x86\x92 HOME (10)\""));
	free(ex);
	/* the interface got the seed's key: its public key is the one derived from it */
	SEED_OK(f, "/interface wireguard print detail where name=wg-remote");
	CHECK(has(fx_last(f), "private-key=\"(hidden)\""));
	CHECK(has(sb_str(&f->calls), "start wg-remote mtu=1420"));
	CHECK(has(sb_str(&f->calls), "listen_port=51820\nreplace_peers=true\n"));
	CHECK(has(sb_str(&f->calls), "allowed_ip=10.200.200.2/32"));
	CHECK(has(sb_str(&f->calls), "addr add wg-remote 10.200.200.1/24"));
	CHECK(has(sb_str(&f->calls), "route add 10.200.200.2/32 dev wg-remote"));
	CHECK(has(sb_str(&f->calls), "fw apply filter=4 nat=1"));
	fx_free(f);
}

TEST(seed000_site_to_site)
{
	struct fx *f = fx_new();
	SEED_OK(f, "# WireGuard interface\n"
		   "/interface wireguard add name=wg-site listen-port=51821 private-key=\"<site-a-private>\"\n"
		   "# Tunnel IP\n"
		   "/ip address add address=10.200.201.1/30 interface=wg-site\n"
		   "# Peer — Site B\n"
		   "/interface wireguard peers add \\\n"
		   "interface=wg-site \\\n"
		   "public-key=\"<site-b-public>\" \\\n"
		   "allowed-address=10.200.201.2/32,172.16.0.0/24 \\\n"
		   "endpoint-address=<site-b-public-ip> \\\n"
		   "endpoint-port=51821 \\\n"
		   "persistent-keepalive=25s \\\n"
		   "comment=\"Site B (Secondary)\"\n");
	SEED_OK(f, "/ip firewall filter add \\\n"
		   "chain=input \\\n"
		   "protocol=udp \\\n"
		   "dst-port=51821 \\\n"
		   "in-interface-list=WAN \\\n"
		   "action=accept \\\n"
		   "comment=\"Allow WG site-to-site\"\n"
		   "# Site A: allow site B subnets into Site A LAN\n"
		   "/ip firewall filter add \\\n"
		   "chain=forward \\\n"
		   "src-address=172.16.0.0/24 \\\n"
		   "dst-address=10.0.0.0/16 \\\n"
		   "in-interface=wg-site \\\n"
		   "out-interface=bridge-trunk \\\n"
		   "action=accept \\\n"
		   "comment=\"Allow Site B → Site A LAN\"\n"
		   "# Site A: allow responses back\n"
		   "/ip firewall filter add \\\n"
		   "chain=forward \\\n"
		   "src-address=10.0.0.0/16 \\\n"
		   "dst-address=172.16.0.0/24 \\\n"
		   "in-interface=bridge-trunk \\\n"
		   "out-interface=wg-site \\\n"
		   "action=accept \\\n"
		   "comment=\"Allow Site A LAN → Site B\"\n");
	SEED_OK(f, "/ip route print where dst-address~\"172.16\"");
	CHECK(has(fx_last(f), "172.16.0.0/24"));
	CHECK(has(fx_last(f), "wg-site"));
	CHECK(has(sb_str(&f->calls), "endpoint=192.0.2."));
	CHECK(has(sb_str(&f->calls), "persistent_keepalive_interval=25"));
	SEED_OK(f, "/ip firewall filter add chain=forward action=drop comment=\"Default drop forward\"");
	SEED_OK(f, "/ip firewall filter add chain=forward action=fasttrack-connection \\\n"
		   "connection-state=established,related \\\n"
		   "in-interface-list=LAN \\\n"
		   "out-interface-list=LAN\n");
	SEED_OK(f, "/interface wireguard set wg-site mtu=1412");
	CHECK(has(sb_str(&f->calls), "mtu wg-site 1412"));
	SEED_OK(f, "/system resource cpu print");
	CHECK(has(fx_last(f), "cpu0"));
	SEED_OK(f, "/ip dns set servers=1.1.1.1,8.8.8.8 allow-remote-requests=no");
	char *ex = fx_export_flat(f, NULL);
	CHECK(has(ex, "/ip dns\nset servers=1.1.1.1,8.8.8.8\n"));
	CHECK(has(ex, "connection-state=established,related in-interface-list=LAN out-interface-list=LAN"));
	free(ex);
	fx_free(f);
}

TEST(seed000_site_b_and_summary)
{
	struct fx *f = fx_new();
	SEED_OK(f, "/interface wireguard add name=wg-site listen-port=51821 private-key=\"<b-priv>\"\n"
		   "/ip address add address=10.200.201.2/30 interface=wg-site\n"
		   "/interface wireguard peers add interface=wg-site public-key=\"<a-pub>\" \\\n"
		   "allowed-address=10.200.201.1/32,10.0.0.0/16 \\\n"
		   "endpoint-address=<a-public-ip> endpoint-port=51821 persistent-keepalive=25s\n");
	SEED_OK(f, "# Interface\n"
		   "/interface wireguard add name=wg-remote listen-port=51820 private-key=\"<priv>\"\n"
		   "# IP pool gateway\n"
		   "/ip address add address=10.200.200.1/24 interface=wg-remote\n"
		   "# Peers (one per device)\n"
		   "/interface wireguard peers add interface=wg-remote public-key=\"<pub>\" \\\n"
		   "allowed-address=10.200.200.2/32 comment=\"Phone\"\n"
		   "# Firewall — WAN input\n"
		   "/ip firewall filter add chain=input protocol=udp dst-port=51820 \\\n"
		   "in-interface-list=WAN action=accept comment=\"Allow WG WAN\"\n"
		   "# NAT for LAN access\n"
		   "/ip firewall nat add chain=srcnat src-address=10.200.200.0/24 \\\n"
		   "dst-address=10.0.0.0/16 action=srcnat\n"
		   "# Forward rules\n"
		   "/ip firewall filter add chain=forward src-address=10.200.200.0/24 \\\n"
		   "dst-address=10.0.10.0/24 action=accept comment=\"WG → HOME\"\n"
		   "/ip firewall filter add chain=forward src-address=10.200.200.0/24 \\\n"
		   "dst-address=10.0.20.0/24 action=accept comment=\"WG → LAB\"\n"
		   "/ip firewall filter add chain=forward src-address=10.200.200.0/24 \\\n"
		   "dst-address=10.0.50.0/24 action=accept comment=\"WG → CCTV\"\n");
	SEED_OK(f, "/ip firewall filter add \\\n"
		   "chain=input \\\n"
		   "protocol=udp \\\n"
		   "dst-port=51820 \\\n"
		   "src-address-list=wg-scanners \\\n"
		   "action=drop \\\n"
		   "comment=\"Drop known WG scanners\"\n"
		   "/ip firewall filter add \\\n"
		   "chain=input \\\n"
		   "protocol=udp \\\n"
		   "dst-port=51820 \\\n"
		   "action=add-src-to-list \\\n"
		   "connection-state=new \\\n"
		   "src-address-list-timeout=1h \\\n"
		   "src-address-list=wg-scanners \\\n"
		   "comment=\"Rate limit WG handshakes (adjust as needed)\"\n");
	SEED_OK(f, "/interface wireguard peers print detail where interface=wg-remote");
	CHECK(has(fx_last(f), ";;; Phone"));
	SEED_OK(f, "/interface wireguard peers print detail");
	SEED_OK(f, "/interface wireguard disable wg-remote; /interface wireguard enable wg-remote");
	CHECK(has(sb_str(&f->calls), "stop wg-remote"));
	SEED_OK(f, "/interface wireguard set wg-remote mtu=1350");
	SEED_OK(f, "/ip firewall connection print where protocol=udp and dst-port=51820");
	SEED_OK(f, "/system logging add topics=wireguard,info action=memory\n"
		   "/log print where topics~\"wireguard\"\n");
	CHECK(has(fx_last(f), "wireguard,info"));
	fx_free(f);
}

TEST(seed000_multiple_peers)
{
	struct fx *f = fx_new();
	SEED_OK(f, "/interface wireguard add name=wg-remote listen-port=51820 private-key=\"<priv>\"");
	SEED_OK(f, "/interface wireguard peers add interface=wg-remote public-key=\"<pub1>\" \\\n"
		   "allowed-address=10.200.200.2/32 comment=\"Phone - Pixel 9\"\n"
		   "/interface wireguard peers add interface=wg-remote public-key=\"<pub2>\" \\\n"
		   "allowed-address=10.200.200.3/32 comment=\"Laptop - ThinkPad\"\n"
		   "/interface wireguard peers add interface=wg-remote public-key=\"<pub3>\" \\\n"
		   "allowed-address=10.200.200.4/32 comment=\"Tablet - iPad\"\n");
	SEED_OK(f, "/interface wireguard peers print");
	CHECK(has(fx_last(f), ";;; Tablet - iPad"));
	CHECK(has(fx_last(f), "name=\"peer3\""));
	fx_free(f);
}

/* ---- seed 001: "WireGuard VPN" ---- */

static const char *office1 =
	"/interface/wireguard/add listen-port=13231 mtu=1420 name=wireguard1\n"
	"/ip/address/add address=10.1.101.1/24 interface=wireguard1\n"
	"/interface/wireguard/peers/add \\\n"
	"interface=wireguard1 \\\n"
	"public-key=\"OFFICE2-PUBLIC-KEY\" \\\n"
	"allowed-address=10.1.101.2/32,10.255.255.0/24 \\\n"
	"endpoint-address=192.168.88.2 \\\n"
	"endpoint-port=13231 \\\n"
	"persistent-keepalive=25s\n"
	"/ip/firewall/filter/add \\\n"
	"chain=input protocol=udp dst-port=13231 \\\n"
	"action=accept comment=\"WireGuard\" place-before=1\n"
	"/ip/firewall/filter/add \\\n"
	"chain=forward in-interface=wireguard1 \\\n"
	"action=accept comment=\"WireGuard forward in\"\n"
	"/ip/firewall/filter/add \\\n"
	"chain=forward out-interface=wireguard1 \\\n"
	"action=accept comment=\"WireGuard forward out\"\n";

TEST(seed001_interface_and_peer)
{
	struct fx *f = fx_new();
	SEED_OK(f, "/interface/wireguard/add listen-port=13231 mtu=1420 name=wireguard1");
	SEED_OK(f, "/interface/wireguard/print detail");
	CHECK(has(fx_last(f), "Flags: X - disabled; R - running"));
	CHECK(has(fx_last(f), " 0 R  name=\"wireguard1\" mtu=1420 listen-port=13231 private-key=\"(hidden)\""));
	CHECK(has(fx_last(f), "public-key=\""));
	SEED_OK(f, "/ip/address/add address=10.1.101.1/24 interface=wireguard1");
	SEED_OK(f, "/interface/wireguard/peers/add \\\n"
		   "interface=wireguard1 \\\n"
		   "public-key=\"REMOTE-PUBLIC-KEY-BASE64\" \\\n"
		   "allowed-address=10.1.101.2/32,192.168.200.0/24 \\\n"
		   "endpoint-address=203.0.113.25 \\\n"
		   "endpoint-port=13231 \\\n"
		   "persistent-keepalive=25s\n");
	CHECK(has(sb_str(&f->calls), "endpoint=203.0.113.25:13231"));
	SEED_OK(f, "/interface/wireguard/peers/set [find public-key=\"REMOTE-PUBLIC-KEY-BASE64\"] \\\n"
		   "preshared-key=\"BASE64-PSK-VALUE\"\n");
	CHECK(has(sb_str(&f->calls), "update_only=true\npreshared_key="));
	fx_free(f);
}

TEST(seed001_site_to_site_both_offices)
{
	struct fx *a = fx_new();
	SEED_OK(a, office1);
	SEED_OK(a, "# Check tunnel state and last handshake time\n/interface/wireguard/peers/print detail\n");
	SEED_OK(a, "/ip/firewall/filter/print");
	CHECK(has(fx_last(a), ";;; WireGuard\n"));
	char *ex = fx_export_flat(a, NULL);
	CHECK(has(ex, "/ip firewall filter\nadd action=accept chain=input comment=WireGuard dst-port=13231 protocol=udp\n"));
	free(ex);
	fx_free(a);
	struct fx *b = fx_new();
	SEED_OK(b, "/interface/wireguard/add listen-port=13231 mtu=1420 name=wireguard1\n"
		   "/ip/address/add address=10.1.101.2/24 interface=wireguard1\n"
		   "/interface/wireguard/peers/add \\\n"
		   "interface=wireguard1 \\\n"
		   "public-key=\"OFFICE1-PUBLIC-KEY\" \\\n"
		   "allowed-address=10.1.101.1/32,10.0.0.0/24 \\\n"
		   "endpoint-address=192.168.99.1 \\\n"
		   "endpoint-port=13231 \\\n"
		   "persistent-keepalive=25s\n");
	fx_free(b);
}

TEST(seed001_road_warrior)
{
	struct fx *f = fx_new();
	SEED_OK(f, "# Create WireGuard interface\n"
		   "/interface/wireguard/add listen-port=13231 mtu=1420 name=wireguard1\n"
		   "# Assign server tunnel IP\n"
		   "/ip/address/add address=172.16.0.1/24 interface=wireguard1\n"
		   "# Allow incoming WireGuard UDP\n"
		   "/ip/firewall/filter/add \\\n"
		   "chain=input protocol=udp dst-port=13231 \\\n"
		   "action=accept comment=\"WireGuard\" place-before=1\n"
		   "# Allow VPN clients to reach LAN\n"
		   "/ip/firewall/filter/add \\\n"
		   "chain=forward in-interface=wireguard1 \\\n"
		   "action=accept comment=\"WireGuard client forward\"\n"
		   "# Masquerade WireGuard clients going to the internet (full-tunnel)\n"
		   "/ip/firewall/nat/add \\\n"
		   "chain=srcnat src-address=172.16.0.0/24 \\\n"
		   "action=masquerade out-interface-list=WAN \\\n"
		   "comment=\"WireGuard client NAT\"\n"
		   "# Add a peer for each client — one peer per user\n"
		   "/interface/wireguard/peers/add \\\n"
		   "interface=wireguard1 \\\n"
		   "public-key=\"CLIENT1-PUBLIC-KEY\" \\\n"
		   "allowed-address=172.16.0.2/32 \\\n"
		   "comment=\"laptop-alice\"\n"
		   "/interface/wireguard/peers/add \\\n"
		   "interface=wireguard1 \\\n"
		   "public-key=\"CLIENT2-PUBLIC-KEY\" \\\n"
		   "allowed-address=172.16.0.3/32 \\\n"
		   "comment=\"phone-bob\"\n");
	SEED_OK(f, "# Allow DNS queries from VPN clients to the router\n"
		   "/ip/firewall/filter/add \\\n"
		   "chain=input in-interface=wireguard1 protocol=udp dst-port=53 \\\n"
		   "action=accept comment=\"DNS from WireGuard clients\"\n"
		   "/ip/firewall/filter/add \\\n"
		   "chain=input in-interface=wireguard1 protocol=tcp dst-port=53 \\\n"
		   "action=accept comment=\"DNS from WireGuard clients\"\n");
	SEED_OK(f, "# Generate config for a specific peer\n"
		   "/interface/wireguard/peers/print detail where allowed-address=\"172.16.0.2/32\"\n");
	CHECK(has(fx_last(f), ";;; laptop-alice"));
	CHECK(!strstr(fx_last(f), "phone-bob"));
	SEED_OK(f, "# Generate wg-quick compatible config with QR code\n"
		   "/interface/wireguard/peers/show-client-config \\\n"
		   "[find where interface=wireguard1 and allowed-address=\"172.16.0.2/32\"]\n");
	CHECK(has(fx_last(f), "[Interface]\n"));
	CHECK(has(fx_last(f), "Address = 172.16.0.2/32\n"));
	CHECK(has(fx_last(f), "[Peer]\nPublicKey = "));
	CHECK(has(fx_last(f), "AllowedIPs = 0.0.0.0/0, ::/0\n"));
	SEED_OK(f, "/interface/wireguard/peers/show-client-config \\\n"
		   "[find where interface=wireguard1 and allowed-address=\"172.16.0.2/32\"] as-qr-code=yes\n");
	CHECK(has(fx_last(f), "\xe2\x96\x88")); /* the QR code's blocks */
	SEED_OK(f, "/ip/firewall/filter/print stats where comment~\"WireGuard\"");
	CHECK(has(fx_last(f), "Columns: CHAIN, ACTION, BYTES, PACKETS"));
	fx_free(f);
}

TEST(seed001_branch_client_and_policy_routing)
{
	struct fx *f = fx_new();
	SEED_OK(f, "/interface/wireguard/add name=wg-client listen-port=0\n"
		   "/interface/wireguard/peers/add \\\n"
		   "interface=wg-client \\\n"
		   "public-key=\"SERVER-PUBLIC-KEY\" \\\n"
		   "endpoint-address=vpn.example.com \\\n"
		   "endpoint-port=13231 \\\n"
		   "allowed-address=0.0.0.0/0 \\\n"
		   "persistent-keepalive=25s\n"
		   "/ip/address/add address=172.16.0.4/32 interface=wg-client\n"
		   "# Default route via VPN (full tunnel)\n"
		   "/ip/route/add dst-address=0.0.0.0/0 gateway=wg-client\n");
	CHECK(has(sb_str(&f->calls), "endpoint=192.0.2.10:13231"));
	CHECK(has(sb_str(&f->calls), "route add 0.0.0.0/0 dev wg-client proto 4 table 254"));
	SEED_OK(f, "/interface/wireguard/add listen-port=13231 mtu=1420 name=wireguard1\n"
		   "# Create the policy-routing table first\n"
		   "/routing/table/add name=vpn-traffic fib\n"
		   "# Mark packets from a specific source host\n"
		   "/routing/mangle/add \\\n"
		   "chain=prerouting src-address=192.168.1.50/32 \\\n"
		   "action=mark-routing new-routing-mark=vpn-traffic\n"
		   "# Route marked packets through WireGuard\n"
		   "/ip/route/add dst-address=0.0.0.0/0 gateway=wireguard1 \\\n"
		   "routing-table=vpn-traffic\n");
	CHECK(has(sb_str(&f->calls), "route add 0.0.0.0/0 dev wireguard1 proto 4 table 10001"));
	SEED_OK(f, "/ip/route/print where gateway~\"wireguard\"");
	CHECK(has(fx_last(f), "wireguard1"));
	fx_free(f);
}

TEST(seed001_ipv6_and_troubleshooting)
{
	struct fx *f = fx_new();
	SEED_OK(f, office1);
	SEED_OK(f, "# Assign IPv6 tunnel address on each side\n"
		   "/ipv6/address/add address=fd00:0:0:1::1/64 interface=wireguard1 advertise=no # Office A\n"
		   "# Office A peer entry includes Office B's IPv6 tunnel IP and LAN prefix\n"
		   "/interface/wireguard/peers/set [find public-key=\"OFFICE2-PUBLIC-KEY\"] \\\n"
		   "allowed-address=10.1.101.2/32,10.255.255.0/24,fd00:0:0:1::2/128,fd00:0:0:2::/64\n"
		   "# Add IPv6 route to remote LAN\n"
		   "/ipv6/route/add dst-address=fd00:0:0:2::/64 gateway=fd00:0:0:1::2\n");
	CHECK(has(sb_str(&f->calls), "allowed_ip=fd00:0:0:2::/64"));
	SEED_OK(f, "# Allow WireGuard UDP (if using IPv6 transport)\n"
		   "/ipv6/firewall/filter/add \\\n"
		   "chain=input protocol=udp dst-port=13231 \\\n"
		   "action=accept comment=\"WireGuard IPv6\"\n"
		   "# Allow ICMPv6 (required for IPv6 operation)\n"
		   "/ipv6/firewall/filter/add \\\n"
		   "chain=input protocol=icmpv6 \\\n"
		   "action=accept comment=\"ICMPv6\"\n"
		   "# Allow established/related\n"
		   "/ipv6/firewall/filter/add \\\n"
		   "chain=input connection-state=established,related \\\n"
		   "action=accept\n"
		   "# Allow WireGuard client forwarding\n"
		   "/ipv6/firewall/filter/add \\\n"
		   "chain=forward in-interface=wireguard1 \\\n"
		   "action=accept comment=\"WireGuard IPv6 forward\"\n");
	SEED_OK(f, "/ip/firewall/filter/add \\\n"
		   "chain=input protocol=udp dst-port=13231 \\\n"
		   "src-address=203.0.113.25 \\\n"
		   "action=accept comment=\"WireGuard from known peer\"\n");
	SEED_OK(f, "# Explicit static route (preferred for site-to-site — easier to manage)\n"
		   "/ip/route/add dst-address=10.255.255.0/24 gateway=10.1.101.2\n"
		   "# Check installed routes\n"
		   "/ip/route/print where gateway~\"wireguard\"\n");
	SEED_OK(f, "# Interface state and public key\n"
		   "/interface/wireguard/print detail\n"
		   "# Peer runtime fields: last handshake, rx/tx bytes, endpoint\n"
		   "/interface/wireguard/peers/print detail\n");
	SEED_OK(f, "/system/logging/add topics=wireguard,debug action=memory\n"
		   "/log/print where topics~\"wireguard\"\n");
	SEED_OK(f, "/interface/wireguard/set wireguard1 mtu=1420");
	SEED_OK(f, "# 3. Check routes\n"
		   "/ip/route/print where gateway~\"wireguard\"\n"
		   "# 4. Check firewall rule hit counts\n"
		   "/ip/firewall/filter/print stats where comment~\"WireGuard\"\n");
	fx_free(f);
}

TEST(seed001_overlap_example)
{
	struct fx *f = fx_new();
	SEED_OK(f, "/interface/wireguard/add listen-port=13231 mtu=1420 name=wireguard1");
	/* "CORRECT — each peer owns distinct prefixes" (the ... filled in) */
	SEED_OK(f, "/interface/wireguard/peers/add interface=wireguard1 public-key=\"<p1-pub>\" allowed-address=10.1.0.0/24 # peer 1\n"
		   "/interface/wireguard/peers/add interface=wireguard1 public-key=\"<p2-pub>\" allowed-address=10.2.0.0/24 # peer 2\n");
	/* "WRONG — both peers claim 10.0.0.0/8": the second is refused, naming both */
	char *t = subst("/interface/wireguard/peers/add interface=wireguard1 public-key=\"<p3-pub>\" allowed-address=10.0.0.0/8 # peer 1");
	CHECK(fx_run(f, t) != 0);
	CHECK(has(fx_err(f), "overlaps"));
	CHECK(has(fx_err(f), "peer1"));
	CHECK(has(fx_err(f), "peer3"));
	free(t);
	fx_free(f);
}
