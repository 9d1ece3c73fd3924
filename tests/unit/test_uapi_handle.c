/* The UAPI text protocol driven through memory streams against a real device: every
 * key of get and set, the error codes, stream resynchronisation after errors, the
 * lock discipline, bounded-memory streaming at scale, and the UNIX socket server. */
#include <arpa/inet.h>
#include <errno.h>
#include <malloc.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include "test.h"
#include "uapi/uapi.h"
#include "uapi/uapi_server.h"
#include "uapi/uapi_parse.h"
#include "crypto/crypto.h"

/* --- fixture: a device with a counter clock and a deterministic RNG --- */

static uint64_t fake_clock;
static uint64_t mono(void *ctx) { return fake_clock += 1000; }
static uint64_t wall(void *ctx) { return 1700000000ULL * 1000000000ULL + fake_clock; }
static void rnd(void *ctx, void *buf, size_t len)
{
	static uint64_t x = 0x9e3779b97f4a7c15ULL;
	for (size_t i = 0; i < len; i++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		((uint8_t *)buf)[i] = (uint8_t)x;
	}
}
static const struct wg_env env = { .mono_ns = mono, .wall_ns = wall, .random = rnd };

struct fake {
	uint16_t port;
	uint32_t mark;
	int port_err;          /* what set_listen_port answers */
	int sends;             /* datagrams through the sink */
	int lock_depth, locks, max_depth;
	int resolves;
};
static uint16_t get_port(void *ctx) { return ((struct fake *)ctx)->port; }
static int set_port(void *ctx, uint16_t port)
{
	struct fake *f = ctx;
	if (f->port_err)
		return f->port_err;
	f->port = port ? port : 40000; /* "random" free port */
	return 0;
}
static uint32_t get_mark(void *ctx) { return ((struct fake *)ctx)->mark; }
static int set_mark(void *ctx, uint32_t mark) { ((struct fake *)ctx)->mark = mark; return 0; }
static void lock(void *ctx)
{
	struct fake *f = ctx;
	f->locks++;
	if (++f->lock_depth > f->max_depth)
		f->max_depth = f->lock_depth;
}
static void unlock(void *ctx) { ((struct fake *)ctx)->lock_depth--; }
static struct fake *sink_fake;
static void sink_send(void *ctx, struct wg_peer *peer, const struct wg_endpoint *to,
		      const uint8_t *buf, size_t len)
{
	((struct fake *)ctx)->sends++;
}
static void sink_deliver(void *ctx, struct wg_peer *peer, uint8_t *pkt, size_t len) {}
/* example.com resolves to 192.0.2.7; everything else fails. */
static int resolve(void *ctx, const char *host, uint16_t port, struct wg_endpoint *ep)
{
	((struct fake *)ctx)->resolves++;
	if (strcmp(host, "example.com"))
		return -2; /* EAI_NONAME */
	memset(ep, 0, sizeof(*ep));
	ep->addr.sin.sin_family = AF_INET;
	ep->addr.sin.sin_port = htons(port);
	inet_pton(AF_INET, "192.0.2.7", &ep->addr.sin.sin_addr);
	return 0;
}

struct fixture {
	struct wg_device *dev;
	struct fake fake;
	struct wg_sink sink;
	struct wg_uapi_ops ops;
};

static void setup(struct fixture *fx)
{
	memset(fx, 0, sizeof(*fx));
	fx->dev = wg_device_new(&env);
	fx->sink = (struct wg_sink){ .ctx = &fx->fake, .send = sink_send, .deliver = sink_deliver };
	fx->ops = (struct wg_uapi_ops){
		.ctx = &fx->fake, .get_listen_port = get_port, .set_listen_port = set_port,
		.get_fwmark = get_mark, .set_fwmark = set_mark, .sink = &fx->sink,
		.lock = lock, .unlock = unlock, .resolve = resolve,
	};
	sink_fake = &fx->fake;
}

static void teardown(struct fixture *fx) { wg_device_free(fx->dev); }

/* Runs every request in `req` in one stream; returns the concatenated replies
 * (malloc'd) and the last wg_uapi_handle result in *rc. */
static char *talk(struct fixture *fx, const char *req, int *rc)
{
	char *reply = NULL;
	size_t len = 0;
	FILE *in = fmemopen((void *)req, strlen(req), "r");
	FILE *out = open_memstream(&reply, &len);
	int r;
	while ((r = wg_uapi_handle(fx->dev, &fx->ops, in, out)) == 0)
		;
	fclose(in);
	fclose(out);
	if (rc)
		*rc = r;
	CHECK_EQ(fx->fake.lock_depth, 0);
	return reply;
}

/* One set request with the given lines; returns the errno it was answered with. */
static int set(struct fixture *fx, const char *lines)
{
	char *req, *reply;
	int err = 1;
	if (asprintf(&req, "set=1\n%s\n", lines) < 0)
		return 1;
	reply = talk(fx, req, NULL);
	if (sscanf(reply, "errno=%d\n\n", &err) != 1 || strchr(reply, '\n')[1] != '\n')
		test_fail(__FILE__, __LINE__, "bad set reply `%s'", reply);
	free(req);
	free(reply);
	return err;
}

static char *get(struct fixture *fx) { return talk(fx, "get=1\n\n", NULL); }

#define CHECK_STR(a, b) do { const char *_a = (a), *_b = (b);                       \
	if (strcmp(_a, _b)) test_fail(__FILE__, __LINE__, "got:\n%s\nwanted:\n%s", _a, _b); } while (0)

/* 64 hex digits: the byte b repeated. */
static const char *key(int b)
{
	static char bufs[4][65];
	static int n;
	char *s = bufs[n++ % 4];
	for (int i = 0; i < 32; i++)
		sprintf(s + 2 * i, "%02x", b);
	return s;
}

static const char *zeros = "0000000000000000000000000000000000000000000000000000000000000000";
/* Already clamped, so get returns it unchanged. */
static const char *priv1 = "a011111111111111111111111111111111111111111111111111111111111151";

/* --- device keys --- */

TEST(private_key_set_get_clear)
{
	struct fixture fx;
	char line[100], *r;
	setup(&fx);
	r = get(&fx);
	CHECK_STR(r, "errno=0\n\n"); /* no key, port 0, no mark, no peers: nothing to say */
	free(r);
	snprintf(line, sizeof(line), "private_key=%s", priv1);
	CHECK_EQ(set(&fx, line), 0);
	r = get(&fx);
	CHECK_STR(r, "private_key=a011111111111111111111111111111111111111111111111111111111111151\nerrno=0\n\n");
	free(r);
	/* an unclamped key is stored clamped, as wireguard-go does */
	snprintf(line, sizeof(line), "private_key=%s", key(0xff));
	CHECK_EQ(set(&fx, line), 0);
	r = get(&fx);
	CHECK_STR(r, "private_key=f8ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f\nerrno=0\n\n");
	free(r);
	/* upper case hex is accepted */
	CHECK_EQ(set(&fx, "private_key=A011111111111111111111111111111111111111111111111111111111111151"), 0);
	uint8_t k[32];
	CHECK(wg_device_private_key(fx.dev, k));
	CHECK_EQ(k[0], 0xa0);
	snprintf(line, sizeof(line), "private_key=%s", zeros);
	CHECK_EQ(set(&fx, line), 0);
	CHECK(!wg_device_private_key(fx.dev, k));
	r = get(&fx);
	CHECK_STR(r, "errno=0\n\n");
	free(r);
	teardown(&fx);
}

TEST(listen_port_and_fwmark_through_ops)
{
	struct fixture fx;
	char *r;
	setup(&fx);
	CHECK_EQ(set(&fx, "listen_port=51820\nfwmark=4294967295"), 0);
	CHECK_EQ(fx.fake.port, 51820);
	CHECK_EQ(fx.fake.mark, 4294967295u);
	r = get(&fx);
	CHECK_STR(r, "listen_port=51820\nfwmark=4294967295\nerrno=0\n\n");
	free(r);
	CHECK_EQ(set(&fx, "fwmark=0\nlisten_port=00080"), 0); /* leading zeros: Go's ParseUint */
	r = get(&fx);
	CHECK_STR(r, "listen_port=80\nerrno=0\n\n");
	free(r);
	CHECK_EQ(set(&fx, "listen_port=0"), 0);
	CHECK_EQ(fx.fake.port, 40000);
	fx.fake.port_err = -EADDRINUSE;
	CHECK_EQ(set(&fx, "listen_port=53"), -EADDRINUSE);
	CHECK_EQ(fx.fake.port, 40000);
	teardown(&fx);
}

TEST(ops_without_callbacks)
{
	struct fixture fx;
	char *r;
	setup(&fx);
	struct wg_uapi_ops none = { 0 };
	fx.ops = none;
	CHECK_EQ(set(&fx, "listen_port=1"), -EOPNOTSUPP);
	CHECK_EQ(set(&fx, "fwmark=1"), -EOPNOTSUPP);
	r = get(&fx);
	CHECK_STR(r, "errno=0\n\n");
	free(r);
	teardown(&fx);
}

/* --- peers --- */

static const char *expected_full =
	"public_key=0101010101010101010101010101010101010101010101010101010101010101\n"
	"preshared_key=0202020202020202020202020202020202020202020202020202020202020202\n"
	"protocol_version=1\n"
	"endpoint=192.0.2.1:51820\n"
	"last_handshake_time_sec=0\n"
	"last_handshake_time_nsec=0\n"
	"tx_bytes=0\n"
	"rx_bytes=0\n"
	"persistent_keepalive_interval=25\n"
	"allowed_ip=10.0.0.0/24\n"
	"allowed_ip=10.1.2.3/32\n"
	"allowed_ip=fd00::/64\n"
	"public_key=0303030303030303030303030303030303030303030303030303030303030303\n"
	"preshared_key=0000000000000000000000000000000000000000000000000000000000000000\n"
	"protocol_version=1\n"
	"endpoint=[2001:db8::1]:51821\n"
	"last_handshake_time_sec=0\n"
	"last_handshake_time_nsec=0\n"
	"tx_bytes=0\n"
	"rx_bytes=0\n"
	"persistent_keepalive_interval=0\n"
	"public_key=0404040404040404040404040404040404040404040404040404040404040404\n"
	"preshared_key=0000000000000000000000000000000000000000000000000000000000000000\n"
	"protocol_version=1\n"
	"endpoint=[fe80::1%3]:1\n"
	"last_handshake_time_sec=0\n"
	"last_handshake_time_nsec=0\n"
	"tx_bytes=0\n"
	"rx_bytes=0\n"
	"persistent_keepalive_interval=0\n"
	"allowed_ip=0.0.0.0/0\n"
	"allowed_ip=::/0\n"
	"errno=0\n\n";

static void add_three_peers(struct fixture *fx)
{
	char req[2048];
	snprintf(req, sizeof(req),
		 "public_key=%s\npreshared_key=%s\nprotocol_version=1\nendpoint=192.0.2.1:51820\n"
		 "persistent_keepalive_interval=25\nreplace_allowed_ips=true\n"
		 "allowed_ip=10.0.0.0/24\nallowed_ip=10.1.2.3/32\nallowed_ip=fd00::/64\n"
		 "public_key=%s\nendpoint=[2001:db8::1]:51821\n"
		 "public_key=%s\nendpoint=[fe80::1%%3]:1\nallowed_ip=0.0.0.0/0\nallowed_ip=::/0",
		 key(1), key(2), key(3), key(4));
	CHECK_EQ(set(fx, req), 0);
}

TEST(peers_get_lists_exactly_what_was_set)
{
	struct fixture fx;
	char *r;
	setup(&fx);
	fx.ops.sink = NULL; /* no keepalive traffic: tx_bytes must stay 0 */
	add_three_peers(&fx);
	CHECK_EQ(wg_device_peer_count(fx.dev), 3);
	r = get(&fx);
	CHECK_STR(r, expected_full);
	free(r);
	/* setting the same again changes nothing */
	add_three_peers(&fx);
	r = get(&fx);
	CHECK_STR(r, expected_full);
	free(r);
	teardown(&fx);
}

TEST(bare_public_key_creates_peer)
{
	struct fixture fx;
	char line[100];
	setup(&fx);
	snprintf(line, sizeof(line), "public_key=%s", key(9));
	CHECK_EQ(set(&fx, line), 0);
	CHECK_EQ(wg_device_peer_count(fx.dev), 1);
	teardown(&fx);
}

static struct wg_peer *peer_of(struct fixture *fx, int b)
{
	uint8_t k[32];
	memset(k, b, sizeof(k));
	return wg_device_find_peer(fx->dev, k);
}

TEST(update_only)
{
	struct fixture fx;
	char req[512];
	setup(&fx);
	snprintf(req, sizeof(req), "public_key=%s\nupdate_only=true\nallowed_ip=10.0.0.0/8\nendpoint=1.2.3.4:5", key(1));
	CHECK_EQ(set(&fx, req), 0);
	CHECK_EQ(wg_device_peer_count(fx.dev), 0);
	/* lines before update_only created it: update_only takes it back (wireguard-go) */
	snprintf(req, sizeof(req), "public_key=%s\nallowed_ip=10.0.0.0/8\nupdate_only=true", key(1));
	CHECK_EQ(set(&fx, req), 0);
	CHECK_EQ(wg_device_peer_count(fx.dev), 0);
	/* an existing peer is updated */
	snprintf(req, sizeof(req), "public_key=%s", key(1));
	CHECK_EQ(set(&fx, req), 0);
	snprintf(req, sizeof(req), "public_key=%s\nupdate_only=true\npersistent_keepalive_interval=7", key(1));
	CHECK_EQ(set(&fx, req), 0);
	CHECK(peer_of(&fx, 1) && wg_peer_persistent_keepalive(peer_of(&fx, 1)) == 7);
	/* bad value still rejected while ignored */
	snprintf(req, sizeof(req), "public_key=%s\nupdate_only=true\nallowed_ip=10.0.0.0/40", key(2));
	CHECK_EQ(set(&fx, req), -EINVAL);
	teardown(&fx);
}

TEST(remove_peer)
{
	struct fixture fx;
	char req[512], *r;
	setup(&fx);
	fx.ops.sink = NULL;
	add_three_peers(&fx);
	snprintf(req, sizeof(req), "public_key=%s\nremove=true\nallowed_ip=10.9.0.0/16\n"
		 "public_key=%s\nremove=true", key(3), key(7));
	CHECK_EQ(set(&fx, req), 0);
	CHECK_EQ(wg_device_peer_count(fx.dev), 2);
	CHECK(!peer_of(&fx, 3));
	CHECK(!peer_of(&fx, 7)); /* removing an unknown peer does not create it */
	r = get(&fx);
	CHECK(strstr(r, "allowed_ip=10.9.0.0/16") == NULL);
	CHECK(strstr(r, key(1)) && strstr(r, key(4)));
	free(r);
	teardown(&fx);
}

TEST(replace_peers)
{
	struct fixture fx;
	char req[512], *r;
	setup(&fx);
	fx.ops.sink = NULL;
	add_three_peers(&fx);
	snprintf(req, sizeof(req), "replace_peers=true\npublic_key=%s\nallowed_ip=192.168.0.0/16", key(5));
	CHECK_EQ(set(&fx, req), 0);
	CHECK_EQ(wg_device_peer_count(fx.dev), 1);
	r = get(&fx);
	CHECK(strstr(r, key(5)) && strstr(r, "allowed_ip=192.168.0.0/16\nerrno=0"));
	CHECK(!strstr(r, key(1)));
	free(r);
	/* replace_peers is a device key: after public_key it is unknown */
	snprintf(req, sizeof(req), "public_key=%s\nreplace_peers=true", key(5));
	CHECK_EQ(set(&fx, req), -EINVAL);
	CHECK_EQ(wg_device_peer_count(fx.dev), 1);
	teardown(&fx);
}

/* The allowed_ip lines of a get reply, joined by spaces. */
static void aips(struct fixture *fx, char *buf, size_t cap)
{
	char *r = get(fx), *line, *save = NULL;
	buf[0] = '\0';
	for (line = strtok_r(r, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		if (!strncmp(line, "allowed_ip=", 11))
			snprintf(buf + strlen(buf), cap - strlen(buf), "%s%s", buf[0] ? " " : "", line + 11);
	free(r);
}

TEST(replace_allowed_ips_and_removal)
{
	struct fixture fx;
	char req[512], got[512];
	setup(&fx);
	snprintf(req, sizeof(req), "public_key=%s\nallowed_ip=10.0.0.0/8\nallowed_ip=10.1.0.0/16\n"
		 "allowed_ip=2001:db8::/32", key(1));
	CHECK_EQ(set(&fx, req), 0);
	aips(&fx, got, sizeof(got));
	CHECK_STR(got, "10.0.0.0/8 10.1.0.0/16 2001:db8::/32");
	snprintf(req, sizeof(req), "public_key=%s\nallowed_ip=-10.1.0.0/16\nallowed_ip=-172.16.0.0/12"
		 "\nallowed_ip=-2001:db8::5/32", key(1));
	CHECK_EQ(set(&fx, req), 0); /* removing a prefix the peer lacks is not an error */
	aips(&fx, got, sizeof(got));
	CHECK_STR(got, "10.0.0.0/8");
	snprintf(req, sizeof(req), "public_key=%s\nreplace_allowed_ips=true\nallowed_ip=192.0.2.0/24", key(1));
	CHECK_EQ(set(&fx, req), 0);
	aips(&fx, got, sizeof(got));
	CHECK_STR(got, "192.0.2.0/24");
	/* a prefix given to another peer moves there; removal by the old owner is a no-op */
	snprintf(req, sizeof(req), "public_key=%s\nallowed_ip=192.0.2.0/24\npublic_key=%s\nallowed_ip=-192.0.2.0/24",
		 key(2), key(1));
	CHECK_EQ(set(&fx, req), 0);
	aips(&fx, got, sizeof(got));
	CHECK_STR(got, "192.0.2.0/24");
	teardown(&fx);
}

TEST(prefixes_are_masked)
{
	struct fixture fx;
	char req[512], got[512];
	setup(&fx);
	snprintf(req, sizeof(req), "public_key=%s\nallowed_ip=10.1.2.3/8\nallowed_ip=2001:db8:ffff::1/33"
		 "\nallowed_ip=192.168.1.255/31\nallowed_ip=::ffff:1.2.3.4/128", key(1));
	CHECK_EQ(set(&fx, req), 0);
	aips(&fx, got, sizeof(got));
	CHECK_STR(got, "10.0.0.0/8 2001:db8:8000::/33 192.168.1.254/31 ::ffff:1.2.3.4/128");
	teardown(&fx);
}

TEST(own_public_key_is_ignored)
{
	struct fixture fx;
	char req[1024];
	uint8_t priv[32], pub[32];
	char privhex[65], pubhex[65];
	setup(&fx);
	test_unhex(priv, 32, priv1);
	CHECK(wg_x25519_public(pub, priv));
	wg_key_to_hex(privhex, priv);
	wg_key_to_hex(pubhex, pub);
	snprintf(req, sizeof(req), "private_key=%s\npublic_key=%s\nendpoint=1.2.3.4:5\n"
		 "allowed_ip=10.0.0.0/8\npersistent_keepalive_interval=5\npublic_key=%s\nallowed_ip=10.0.0.0/8",
		 privhex, pubhex, key(1));
	CHECK_EQ(set(&fx, req), 0);
	CHECK_EQ(wg_device_peer_count(fx.dev), 1);
	CHECK(peer_of(&fx, 1) != NULL);
	CHECK(wg_device_find_peer(fx.dev, pub) == NULL);
	/* values in the ignored section are still checked */
	snprintf(req, sizeof(req), "public_key=%s\nendpoint=nope", pubhex);
	CHECK_EQ(set(&fx, req), -EINVAL);
	teardown(&fx);
}

TEST(keepalive_turned_on_sends_at_once)
{
	struct fixture fx;
	char req[512];
	setup(&fx);
	/* keepalive before endpoint: the keepalive waits for the end of the section */
	snprintf(req, sizeof(req), "private_key=%s\npublic_key=%s\npersistent_keepalive_interval=25\n"
		 "endpoint=192.0.2.1:51820", priv1, key(1));
	CHECK_EQ(set(&fx, req), 0);
	CHECK(fx.fake.sends >= 1);
	CHECK_EQ(wg_peer_persistent_keepalive(peer_of(&fx, 1)), 25);
	/* after an error the interval is stored but nothing is sent */
	int before = fx.fake.sends;
	snprintf(req, sizeof(req), "public_key=%s\nendpoint=192.0.2.2:51820\npersistent_keepalive_interval=9\n"
		 "allowed_ip=bad", key(2));
	CHECK_EQ(set(&fx, req), -EINVAL);
	CHECK_EQ(fx.fake.sends, before);
	CHECK(peer_of(&fx, 2) && wg_peer_persistent_keepalive(peer_of(&fx, 2)) == 9);
	teardown(&fx);
}

TEST(endpoint_forms)
{
	struct fixture fx;
	char req[512], *r;
	setup(&fx);
	static const struct { const char *in, *out; } ok[] = {
		{ "1.2.3.4:0", "1.2.3.4:0" },
		{ "255.255.255.255:65535", "255.255.255.255:65535" },
		{ "[::1]:51820", "[::1]:51820" },
		{ "[::ffff:1.2.3.4]:7", "[::ffff:1.2.3.4]:7" },
		{ "[fe80::1%1]:7", "[fe80::1%1]:7" },
		{ "[fe80::1%lo]:7", "[fe80::1%1]:7" },
		{ "example.com:51820", "192.0.2.7:51820" },
	};
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		snprintf(req, sizeof(req), "public_key=%s\nendpoint=%s", key(1), ok[i].in);
		CHECK_EQ(set(&fx, req), 0);
		r = get(&fx);
		char want[128];
		snprintf(want, sizeof(want), "\nendpoint=%s\n", ok[i].out);
		if (!strstr(r, want))
			test_fail(__FILE__, __LINE__, "%s: wanted %s in\n%s", ok[i].in, want, r);
		free(r);
	}
	CHECK_EQ(fx.fake.resolves, 1);
	teardown(&fx);
}

TEST(bad_values_are_einval)
{
	struct fixture fx;
	char req[1024];
	setup(&fx);
	static const char *device_lines[] = {
		"listen_port=65536", "listen_port=-1", "listen_port=", "listen_port= 1", "listen_port=0x10",
		"fwmark=4294967296", "fwmark=abc", "replace_peers=false", "replace_peers=TRUE",
		"private_key=zz11111111111111111111111111111111111111111111111111111111111151",
		"private_key=a01111111111111111111111111111111111111111111111111111111111115",
		"private_key=a0111111111111111111111111111111111111111111111111111111111111510",
		"private_key=", "public_key=xyz", "nonsense=1", "protocol_version=1",
		"preshared_key=0202020202020202020202020202020202020202020202020202020202020202",
	};
	for (size_t i = 0; i < sizeof(device_lines) / sizeof(device_lines[0]); i++)
		if (set(&fx, device_lines[i]) != -EINVAL)
			test_fail(__FILE__, __LINE__, "`%s' not rejected with -EINVAL", device_lines[i]);
	static const char *peer_lines[] = {
		"remove=1", "update_only=yes", "replace_allowed_ips=", "protocol_version=2",
		"protocol_version=", "persistent_keepalive_interval=65536", "persistent_keepalive_interval=-1",
		"preshared_key=02", "private_key=" "a011111111111111111111111111111111111111111111111111111111111151",
		"listen_port=1", "fwmark=1", "bogus=true",
		"allowed_ip=10.0.0.0/33", "allowed_ip=1.2.3/24", "allowed_ip=::/129", "allowed_ip=10.0.0.0",
		"allowed_ip=10.0.0.0/", "allowed_ip=/24", "allowed_ip=10.0.0.0/024", "allowed_ip=10.0.0.0/+8",
		"allowed_ip=fe80::1%lo/64", "allowed_ip=010.0.0.0/8", "allowed_ip=10.0.0.0/8/8",
		"allowed_ip=1.2.3.4 /32", "allowed_ip=--10.0.0.0/8", "allowed_ip=-", "allowed_ip=",
		"endpoint=", "endpoint=1.2.3.4", "endpoint=1.2.3.4:", "endpoint=1.2.3.4:65536",
		"endpoint=1.2.3.4:-1", "endpoint=1.2.3:51820", "endpoint=1.2.3.4.5:1", "endpoint=[::1]51820",
		"endpoint=[::1]:", "endpoint=::1:51820", "endpoint=[::1%]:1", "endpoint=[1.2.3.4]:1",
		"endpoint=[::1]:1:2", "endpoint=bad host:1", "endpoint=a..b:1", "endpoint=:1",
		"endpoint=[fe80::1%nosuchif0]:1", "endpoint=unknown.example:1",
	};
	for (size_t i = 0; i < sizeof(peer_lines) / sizeof(peer_lines[0]); i++) {
		snprintf(req, sizeof(req), "public_key=%s\n%s", key(1), peer_lines[i]);
		if (set(&fx, req) != -EINVAL)
			test_fail(__FILE__, __LINE__, "`%s' not rejected with -EINVAL", peer_lines[i]);
	}
	/* nothing from the failed peer sections was applied */
	CHECK_EQ(wg_device_peer_count(fx.dev), 0);
	teardown(&fx);
}

TEST(line_without_equals_is_eproto)
{
	struct fixture fx;
	setup(&fx);
	CHECK_EQ(set(&fx, "listen_port"), -EPROTO);
	CHECK_EQ(set(&fx, "garbage"), -EPROTO);
	teardown(&fx);
}

/* --- stream handling --- */

TEST(error_consumes_rest_and_stream_stays_in_sync)
{
	struct fixture fx;
	char req[1024], *r;
	int rc;
	setup(&fx);
	snprintf(req, sizeof(req),
		 "set=1\nprivate_key=nothex\nlisten_port=1234\npublic_key=%s\n\n"
		 "set=1\nfwmark=7\n\n"
		 "get=1\n\n", key(1));
	r = talk(&fx, req, &rc);
	CHECK_EQ(rc, 1); /* clean EOF after the last request */
	CHECK_STR(r, "errno=-22\n\nerrno=0\n\nfwmark=7\nerrno=0\n\n");
	CHECK_EQ(fx.fake.port, 0);           /* lines after the error were not applied */
	CHECK_EQ(wg_device_peer_count(fx.dev), 0);
	free(r);
	teardown(&fx);
}

TEST(lines_before_an_error_stay_applied)
{
	struct fixture fx;
	setup(&fx);
	CHECK_EQ(set(&fx, "listen_port=1234\nfwmark=x\nlisten_port=99"), -EINVAL);
	CHECK_EQ(fx.fake.port, 1234);
	teardown(&fx);
}

TEST(unknown_operation)
{
	struct fixture fx;
	char *r;
	int rc;
	setup(&fx);
	r = talk(&fx, "put=1\n\nget=1\n\n", &rc);
	CHECK_EQ(rc, -1);
	CHECK_STR(r, "errno=-71\n\n"); /* the stream is abandoned: get=1 is never read */
	free(r);
	r = talk(&fx, "\n", &rc);
	CHECK_EQ(rc, -1);
	free(r);
	r = talk(&fx, "get=1\0\n\n", &rc); /* fmemopen stops at the NUL: "get=1" then EOF */
	CHECK_EQ(rc, -1);
	free(r);
	teardown(&fx);
}

TEST(get_needs_blank_line)
{
	struct fixture fx;
	char *r;
	int rc;
	setup(&fx);
	fx.fake.port = 5;
	r = talk(&fx, "get=1\nx\nget=1\n\n", &rc);
	CHECK_EQ(rc, 1);
	CHECK_STR(r, "errno=-22\n\nlisten_port=5\nerrno=0\n\n");
	free(r);
	r = talk(&fx, "get=1\n", &rc); /* cut off: no answer */
	CHECK_EQ(rc, -1);
	CHECK_STR(r, "");
	free(r);
	teardown(&fx);
}

TEST(eof_handling)
{
	struct fixture fx;
	char *r;
	int rc;
	setup(&fx);
	r = talk(&fx, "", &rc);
	CHECK_EQ(rc, 1);
	CHECK_STR(r, "");
	free(r);
	/* a set cut short by EOF is still applied and answered (wireguard-go's scanner) */
	r = talk(&fx, "set=1\nlisten_port=7", &rc);
	CHECK_EQ(rc, 1);
	CHECK_STR(r, "errno=0\n\n");
	CHECK_EQ(fx.fake.port, 7);
	free(r);
	teardown(&fx);
}

TEST(crlf_long_lines_and_nul)
{
	struct fixture fx;
	char *r, req[4096];
	int rc;
	setup(&fx);
	r = talk(&fx, "set=1\r\nlisten_port=9\r\n\r\n", &rc);
	CHECK_STR(r, "errno=0\n\n");
	CHECK_EQ(fx.fake.port, 9);
	free(r);
	/* a 3000-byte line is rejected and read to its end; the next request works */
	memcpy(req, "set=1\nlisten_port=", 18);
	memset(req + 18, '1', 3000);
	strcpy(req + 3018, "\n\nget=1\n\n");
	r = talk(&fx, req, &rc);
	CHECK_STR(r, "errno=-22\n\nlisten_port=9\nerrno=0\n\n");
	free(r);
	/* a NUL inside a line */
	static const char nul[] = "set=1\nlisten_port=1\0002\n\n";
	FILE *in = fmemopen((void *)nul, sizeof(nul) - 1, "r");
	char *out = NULL;
	size_t len;
	FILE *o = open_memstream(&out, &len);
	CHECK_EQ(wg_uapi_handle(fx.dev, &fx.ops, in, o), 0);
	fclose(in);
	fclose(o);
	CHECK_STR(out, "errno=-22\n\n");
	CHECK_EQ(fx.fake.port, 9);
	free(out);
	teardown(&fx);
}

TEST(status_variant_reports_errno)
{
	struct fixture fx;
	static const char req[] = "set=1\nlisten_port=99999\n\n";
	FILE *in = fmemopen((void *)req, sizeof(req) - 1, "r");
	char *out = NULL;
	size_t len;
	int st = 1;
	setup(&fx);
	FILE *o = open_memstream(&out, &len);
	CHECK_EQ(wg_uapi_handle_status(fx.dev, &fx.ops, in, o, &st), 0);
	CHECK_EQ(st, -EINVAL);
	fclose(in);
	fclose(o);
	free(out);
	teardown(&fx);
}

static const char *log_seen;
static char log_buf[512];
static void log_msg(void *ctx, const char *msg)
{
	snprintf(log_buf, sizeof(log_buf), "%s", msg);
	log_seen = log_buf;
}

TEST(error_messages_name_field_allowed_and_input)
{
	struct fixture fx;
	char req[256];
	setup(&fx);
	fx.ops.log = log_msg;
	set(&fx, "listen_port=70000");
	CHECK_STR(log_seen, "listen_port: expected a number 0..65535, got `70000'");
	snprintf(req, sizeof(req), "public_key=%s\nallowed_ip=10.0.0.0/33", key(1));
	set(&fx, req);
	CHECK(strstr(log_seen, "allowed_ip: expected") && strstr(log_seen, "`10.0.0.0/33'"));
	/* secrets are never echoed */
	set(&fx, "private_key=a011111111111111111111111111111111111111111111111111111111111151ff");
	CHECK(strstr(log_seen, "private_key: expected") && !strstr(log_seen, "a0111"));
	set(&fx, "frobnicate=1");
	CHECK(strstr(log_seen, "device key") && strstr(log_seen, "`frobnicate'"));
	set(&fx, "listen_port=\x01\x02");
	CHECK(strstr(log_seen, "`?\?'"));
	teardown(&fx);
}

/* --- locking: never held while reading the client, always balanced --- */

struct slow_in { const char *data; size_t pos, len; struct fake *fake; int reads_locked; };
static ssize_t slow_read(void *cookie, char *buf, size_t size)
{
	struct slow_in *s = cookie;
	if (s->fake->lock_depth)
		s->reads_locked++;
	if (s->pos >= s->len)
		return 0;
	buf[0] = s->data[s->pos++]; /* one byte at a time: every line boundary is a read */
	return 1;
}

TEST(lock_not_held_while_reading)
{
	struct fixture fx;
	char req[1024];
	setup(&fx);
	snprintf(req, sizeof(req), "set=1\nlisten_port=3\npublic_key=%s\nallowed_ip=10.0.0.0/8\n"
		 "endpoint=example.com:1\n\nget=1\n\n", key(1));
	struct slow_in s = { req, 0, strlen(req), &fx.fake, 0 };
	cookie_io_functions_t io = { .read = slow_read };
	FILE *in = fopencookie(&s, "r", io);
	setvbuf(in, NULL, _IONBF, 0);
	char *out = NULL;
	size_t len;
	FILE *o = open_memstream(&out, &len);
	while (wg_uapi_handle(fx.dev, &fx.ops, in, o) == 0)
		;
	fclose(in);
	fclose(o);
	CHECK_EQ(s.reads_locked, 0);
	CHECK_EQ(fx.fake.lock_depth, 0);
	CHECK_EQ(fx.fake.max_depth, 1);
	/* One hold for the whole set (traffic never sees it half applied), one for the get. */
	CHECK_EQ(fx.fake.locks, 2);
	CHECK(strstr(out, "endpoint=192.0.2.7:1\n") != NULL);
	free(out);
	teardown(&fx);
}

/* --- scale: 100,000 allowed IPs on one peer, then 10,000 peers, in bounded memory --- */

enum { BIG_AIPS = 100000, BIG_PEERS = 10000 };

/* Generates the set request line by line, so the input is not in memory either. */
struct gen { long i; char line[160]; size_t len, pos; };
static void gen_line(struct gen *g)
{
	long i = g->i++;
	int n;
	if (i == 0)
		n = sprintf(g->line, "set=1\npublic_key=%s\n", key(0xaa));
	else if (i <= BIG_AIPS)
		n = sprintf(g->line, "allowed_ip=10.%ld.%ld.%ld/32\n", (i >> 16) & 255, (i >> 8) & 255, i & 255);
	else if (i <= BIG_AIPS + BIG_PEERS) {
		long p = i - BIG_AIPS;
		n = sprintf(g->line, "public_key=%08lx%056x\nendpoint=[2001:db8::%lx]:51820\nallowed_ip=fd00::%lx/128\n",
			    p, 0, p, p);
	} else if (i == BIG_AIPS + BIG_PEERS + 1)
		n = sprintf(g->line, "\n");
	else
		n = 0;
	g->len = (size_t)n;
	g->pos = 0;
}
static ssize_t gen_read(void *cookie, char *buf, size_t size)
{
	struct gen *g = cookie;
	if (g->pos == g->len)
		gen_line(g);
	size_t n = g->len - g->pos < size ? g->len - g->pos : size;
	memcpy(buf, g->line + g->pos, n);
	g->pos += n;
	return (ssize_t)n;
}

/* Counts lines by kind and watches the heap while the reply is written, and whether the
 * device lock is held while the client is written to (a client that does not read
 * would then stall the tunnel). */
struct counter {
	long bytes, lines, aips, peers, errnos;
	char cur[160];
	size_t curlen;
	size_t heap_base, heap_max;
	int writes, writes_locked;
	const struct fake *lock;
};
static ssize_t count_write(void *cookie, const char *buf, size_t size)
{
	struct counter *c = cookie;
	if (c->lock && c->lock->lock_depth)
		c->writes_locked++;
	for (size_t i = 0; i < size; i++) {
		if (buf[i] != '\n') {
			if (c->curlen < sizeof(c->cur) - 1)
				c->cur[c->curlen++] = buf[i];
			continue;
		}
		c->cur[c->curlen] = '\0';
		c->lines++;
		c->aips += !strncmp(c->cur, "allowed_ip=", 11);
		c->peers += !strncmp(c->cur, "public_key=", 11);
		c->errnos += !strcmp(c->cur, "errno=0");
		c->curlen = 0;
	}
	c->bytes += (long)size;
	if ((c->writes++ & 15) == 0) {
		struct mallinfo2 mi = mallinfo2();
		if (mi.uordblks > c->heap_max)
			c->heap_max = mi.uordblks;
	}
	return (ssize_t)size;
}

TEST(streaming_get_at_scale_in_bounded_memory)
{
	struct fixture fx;
	struct gen g = { 0 };
	cookie_io_functions_t gio = { .read = gen_read };
	alarm(60); /* a hang (e.g. a broken peer hash) must fail the run, not stall it */
	setup(&fx);
	fx.ops.sink = NULL;
	FILE *in = fopencookie(&g, "r", gio);
	char *reply = NULL;
	size_t rlen;
	FILE *o = open_memstream(&reply, &rlen);
	CHECK_EQ(wg_uapi_handle(fx.dev, &fx.ops, in, o), 0);
	fclose(in);
	fclose(o);
	CHECK_STR(reply, "errno=0\n\n");
	free(reply);
	CHECK_EQ(wg_device_peer_count(fx.dev), BIG_PEERS + 1);

	struct counter c = { .lock = &fx.fake };
	cookie_io_functions_t cio = { .write = count_write };
	FILE *out = fopencookie(&c, "w", cio);
	static const char req[] = "get=1\n\n";
	in = fmemopen((void *)req, sizeof(req) - 1, "r");
	c.heap_base = c.heap_max = mallinfo2().uordblks;
	CHECK_EQ(wg_uapi_handle(fx.dev, &fx.ops, in, out), 0);
	fclose(in);
	fclose(out);
	CHECK_EQ(c.peers, BIG_PEERS + 1);
	CHECK_EQ(c.aips, BIG_AIPS + BIG_PEERS);
	CHECK_EQ(c.errnos, 1);
	CHECK_EQ(c.lines, 1 + (BIG_PEERS + 1) * 8L + BIG_PEERS /* endpoints */ + BIG_AIPS + BIG_PEERS + 1);
	CHECK(c.bytes > 5000000);
	CHECK(c.writes > 50); /* written as it is made, in many pieces */
	CHECK_EQ(c.writes_locked, 0);
	CHECK(fx.fake.locks > 50); /* the lock is taken per chunk, not for the whole reply */
	/* one chunk of the reply (64 KiB, its stream's growth) at most, against ~6 MB */
	size_t grown = c.heap_max - c.heap_base;
	if (grown > 256 * 1024)
		test_fail(__FILE__, __LINE__, "heap grew by %zu bytes during get", grown);
	teardown(&fx);
	alarm(0);
}

/* --- the UNIX socket server --- */

struct server { int lfd; struct fixture *fx; unsigned idle_ms; };
static void *serve_one(void *arg)
{
	struct server *s = arg;
	int fd = accept(s->lfd, NULL, NULL);
	if (fd >= 0 && s->idle_ms)
		wg_uapi_serve_timeouts(fd, s->fx->dev, &s->fx->ops, s->idle_ms, 1000);
	else if (fd >= 0)
		wg_uapi_serve(fd, s->fx->dev, &s->fx->ops);
	return NULL;
}

static int connect_to(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		close(fd);
		return -1;
	}
	return fd;
}

static void read_all(int fd, char *buf, size_t cap)
{
	size_t n = 0;
	ssize_t r;
	while (n + 1 < cap && (r = read(fd, buf + n, cap - 1 - n)) > 0)
		n += (size_t)r;
	buf[n] = '\0';
}

TEST(socket_server)
{
	struct fixture fx;
	char dir[] = "/tmp/wguapiXXXXXX", sub[128], path[128], path2[128], reply[512];
	struct stat st;
	setup(&fx);
	CHECK(mkdtemp(dir) != NULL);
	snprintf(sub, sizeof(sub), "%s/run/wireguard", dir);
	int lfd = wg_uapi_listen(sub, "wgtest0", path, sizeof(path));
	CHECK(lfd >= 0, "listen: %d", lfd);
	CHECK(!stat(sub, &st) && (st.st_mode & 0777) == 0755);
	/* umask 077 around bind: owner only (0700 for a socket, exactly as wireguard-go's) */
	CHECK(!stat(path, &st) && S_ISSOCK(st.st_mode) && (st.st_mode & 0777) == 0700);
	char want[160];
	snprintf(want, sizeof(want), "%s/wgtest0.sock", sub);
	CHECK_STR(path, want);
	/* a live owner keeps it */
	CHECK_EQ(wg_uapi_listen(sub, "wgtest0", path2, sizeof(path2)), -EADDRINUSE);
	close(accept(lfd, NULL, NULL)); /* the liveness probe's connection, already gone */

	struct server srv = { lfd, &fx, 0 };
	pthread_t th;
	pthread_create(&th, NULL, serve_one, &srv);
	int fd = connect_to(path);
	CHECK(fd >= 0);
	static const char req[] = "set=1\nlisten_port=4242\n\nget=1\n\n";
	CHECK_EQ(write(fd, req, sizeof(req) - 1), (ssize_t)sizeof(req) - 1);
	shutdown(fd, SHUT_WR);
	read_all(fd, reply, sizeof(reply));
	CHECK_STR(reply, "errno=0\n\nlisten_port=4242\nerrno=0\n\n");
	close(fd);
	pthread_join(th, NULL);

	/* an unknown operation is answered and the connection dropped */
	pthread_create(&th, NULL, serve_one, &srv);
	fd = connect_to(path);
	CHECK_EQ(write(fd, "hello\nget=1\n\n", 13), 13);
	read_all(fd, reply, sizeof(reply)); /* returns at EOF: the server closed first */
	CHECK_STR(reply, "errno=-71\n\n");
	close(fd);
	pthread_join(th, NULL);

	/* a client that sends nothing is disconnected after the idle timeout, also one that
	 * stopped halfway through a request (it would hold a connection slot forever) */
	srv.idle_ms = 200;
	for (int partial = 0; partial < 2; partial++) {
		struct timespec t0, t1;
		pthread_create(&th, NULL, serve_one, &srv);
		fd = connect_to(path);
		struct timeval give_up = { .tv_sec = 3 }; /* without the fix: fail, not hang */
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &give_up, sizeof(give_up));
		if (partial)
			CHECK_EQ(write(fd, "set=1\nlisten", 13), 13);
		clock_gettime(CLOCK_MONOTONIC, &t0);
		read_all(fd, reply, sizeof(reply)); /* returns when the server closes */
		clock_gettime(CLOCK_MONOTONIC, &t1);
		long ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
		CHECK(ms >= 150 && ms < 2500, "closed after %ld ms", ms);
		close(fd);
		pthread_join(th, NULL);
	}
	srv.idle_ms = 0;

	/* the owner is gone: its socket file is stale and replaced */
	close(lfd);
	lfd = wg_uapi_listen(sub, "wgtest0", path2, sizeof(path2));
	CHECK(lfd >= 0, "relisten: %d", lfd);
	close(lfd);
	unlink(path);

	/* never removes something that is not a socket */
	FILE *f = fopen(path, "w");
	fclose(f);
	CHECK_EQ(wg_uapi_listen(sub, "wgtest0", path2, sizeof(path2)), -EEXIST);
	unlink(path);
	CHECK_EQ(wg_uapi_listen(sub, "../x", path2, sizeof(path2)), -EINVAL);
	CHECK_EQ(wg_uapi_listen(sub, "", path2, sizeof(path2)), -EINVAL);
	CHECK_EQ(wg_uapi_listen(sub, "waytoolonginterfacename", path2, sizeof(path2)), -EINVAL);
	CHECK_EQ(wg_uapi_listen(sub, "wg1", path2, 8), -ENAMETOOLONG);
	rmdir(sub);
	snprintf(sub, sizeof(sub), "%s/run", dir);
	rmdir(sub);
	rmdir(dir);
	teardown(&fx);
}

TEST(server_survives_client_that_disappears)
{
	struct fixture fx;
	char dir[] = "/tmp/wguapiXXXXXX", path[128];
	alarm(60);
	setup(&fx);
	fx.ops.sink = NULL;
	CHECK(mkdtemp(dir) != NULL);
	int lfd = wg_uapi_listen(dir, "wgtest1", path, sizeof(path));
	CHECK(lfd >= 0);
	/* enough peers that the reply overflows the socket buffer */
	char req[256];
	for (int i = 1; i <= 2000; i++) {
		snprintf(req, sizeof(req), "public_key=%08x%056x\nallowed_ip=10.%d.%d.0/24", i, 0, i >> 8, i & 255);
		set(&fx, req);
	}
	struct server srv = { lfd, &fx, 0 };
	pthread_t th;
	pthread_create(&th, NULL, serve_one, &srv);
	int fd = connect_to(path);
	CHECK_EQ(write(fd, "get=1\n\n", 7), 7);
	close(fd); /* without reading: the server must get EPIPE, not SIGPIPE */
	pthread_join(th, NULL);
	CHECK_EQ(fx.fake.lock_depth, 0);
	close(lfd);
	unlink(path);
	rmdir(dir);
	teardown(&fx);
	alarm(0);
}
