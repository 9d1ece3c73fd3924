/* The handshake queue and the handshake thread's serving step (no threads, no sockets):
 * the queue is bounded and counts what it drops, keeps order, and its length is what
 * turns the core's cookies on, however few messages are served at a time. */
#include <arpa/inet.h>
#include "test.h"
#include "core/load.h"
#include "core/messages.h"
#include "crypto/crypto.h"
#include "dataplane/dp_internal.h"

struct fake { uint64_t now, rng; int cookies, responses; uint8_t last[256]; size_t last_len; };

static uint64_t mono(void *ctx) { return ((struct fake *)ctx)->now; }
static void rnd(void *ctx, void *buf, size_t len)
{
	struct fake *f = ctx;
	for (size_t i = 0; i < len; i++) {
		f->rng ^= f->rng << 13; f->rng ^= f->rng >> 7; f->rng ^= f->rng << 17;
		((uint8_t *)buf)[i] = (uint8_t)(f->rng >> 24);
	}
}
static void on_send(void *ctx, struct wg_peer *peer, const struct wg_endpoint *to, const uint8_t *buf, size_t len)
{
	struct fake *f = ctx;
	f->cookies += buf[0] == WG_MSG_COOKIE;
	f->responses += buf[0] == WG_MSG_RESPONSE;
	f->last_len = len < sizeof(f->last) ? len : 0;
	memcpy(f->last, buf, f->last_len);
}
static void on_deliver(void *ctx, struct wg_peer *peer, uint8_t *pkt, size_t len) {}

static struct wg_device *device(struct fake *f, uint8_t pub[WG_KEY_LEN])
{
	struct wg_env env = { .ctx = f, .mono_ns = mono, .wall_ns = mono, .random = rnd };
	uint8_t priv[WG_KEY_LEN];
	*f = (struct fake){ .now = 1000 * WG_NSEC, .rng = 0x9e3779b97f4a7c15ULL ^ (uintptr_t)f };
	struct wg_device *dev = wg_device_new(&env);
	rnd(f, priv, sizeof(priv));
	wg_device_set_private_key(dev, priv);
	wg_device_public_key(dev, pub);
	return dev;
}

/* An initiation with a valid MAC1 and nonsense inside, numbered i in its sender field. */
static void initiation(struct wg_msg_initiation *m, const uint8_t pub[WG_KEY_LEN], uint32_t i)
{
	uint8_t key[WG_HASH_LEN];
	memset(m, (int)(i & 0xff), sizeof(*m));
	m->type = htole32(WG_MSG_INITIATION);
	m->sender = i;
	memset(m->macs.mac2, 0, WG_MAC_LEN);
	wg_hash(key, WG_LABEL_MAC1, 8, pub, WG_KEY_LEN);
	wg_mac(m->macs.mac1, WG_MAC_LEN, key, WG_HASH_LEN, m, offsetof(struct wg_msg_initiation, macs));
}

/* What the receive thread does with n flood initiations: classify, queue. */
static void receive_flood(struct wg_device *dev, struct dp_hsq *q, const uint8_t pub[WG_KEY_LEN], int n)
{
	struct wg_endpoint from = { .addr.sin = { .sin_family = AF_INET, .sin_port = htons(9) } };
	struct wg_rx_job job;
	for (int i = 0; i < n; i++) {
		struct wg_msg_initiation m;
		initiation(&m, pub, (uint32_t)i);
		from.addr.sin.sin_addr.s_addr = htonl(0xc6336400u + (uint32_t)(i % 200)); /* 198.51.100.x */
		CHECK_EQ(wg_device_receive_classify(dev, &from, (uint8_t *)&m, sizeof(m), &job), WG_RX_HANDSHAKE);
		CHECK(dp_hsq_push(q, DP_HSQ_REST, &from, (uint8_t *)&m, sizeof(m)));
	}
}

static uint32_t front_number(struct dp_hsq *q, enum dp_hsq_lane *lane)
{
	uint32_t n;
	struct dp_hs_msg *m = dp_hsq_front(q, lane);
	memcpy(&n, m->buf, sizeof(n));
	return n;
}

TEST(queue_keeps_order_serves_mac2_first_and_drops_when_full)
{
	struct dp_hsq q;
	struct wg_endpoint from = { 0 };
	uint8_t msg[WG_MSG_INITIATION_LEN + 1] = { 0 };
	enum dp_hsq_lane lane;
	CHECK_EQ(dp_hsq_init(&q), 0);
	CHECK(dp_hsq_front(&q, &lane) == NULL);
	for (uint32_t i = 0; i < DP_HSQ_CAP; i++) {
		memcpy(msg, &i, sizeof(i));
		CHECK(dp_hsq_push(&q, DP_HSQ_REST, &from, msg, WG_MSG_INITIATION_LEN));
	}
	CHECK(!dp_hsq_push(&q, DP_HSQ_REST, &from, msg, WG_MSG_INITIATION_LEN));
	CHECK(!dp_hsq_push(&q, DP_HSQ_MAC2, &from, msg, sizeof(msg)));  /* longer than any handshake */
	CHECK_EQ(dp_hsq_dropped(&q), 2);
	uint32_t late = 99999;
	memcpy(msg, &late, sizeof(late));
	CHECK(dp_hsq_push(&q, DP_HSQ_MAC2, &from, msg, WG_MSG_INITIATION_LEN)); /* its own lane has room */
	CHECK_EQ(dp_hsq_len(&q), DP_HSQ_CAP + 1);
	CHECK_EQ(front_number(&q, &lane), late);
	CHECK_EQ(lane, DP_HSQ_MAC2);
	dp_hsq_pop(&q, lane);
	for (uint32_t i = 0; i < 100; i++) {
		CHECK_EQ(front_number(&q, &lane), i);
		CHECK_EQ(lane, DP_HSQ_REST);
		dp_hsq_pop(&q, lane);
	}
	CHECK_EQ(dp_hsq_len(&q), DP_HSQ_CAP - 100);
	CHECK(dp_hsq_push(&q, DP_HSQ_REST, &from, msg, WG_MSG_RESPONSE_LEN));  /* room again */
	CHECK_EQ(dp_hsq_len(&q), DP_HSQ_CAP - 99);
	dp_hsq_free(&q);
}

/* A queue 1/8 full turns cookies on even when the handshake thread serves one message
 * at a time: the first message served costs no X25519. */
TEST(long_queue_turns_cookies_on_serving_one_at_a_time)
{
	struct fake f;
	uint8_t pub[WG_KEY_LEN];
	struct wg_device *dev = device(&f, pub);
	struct wg_sink sink = { .ctx = &f, .send = on_send, .deliver = on_deliver };
	struct dp_hsq q;
	CHECK_EQ(dp_hsq_init(&q), 0);
	receive_flood(dev, &q, pub, DP_HSQ_CAP / 8);
	CHECK_EQ(dp_handshake_serve(dev, &q, 1, &sink), 1);
	CHECK_EQ(f.cookies, 1);
	CHECK_EQ(wg_device_stats(dev)->dh_received, 0);
	CHECK_EQ(dp_hsq_len(&q), DP_HSQ_CAP / 8 - 1);
	dp_hsq_free(&q);
	wg_device_free(dev);
}

/* A short queue is served as usual, and a message that cost an X25519 ends the turn,
 * so the device lock is never held for more than one handshake. */
TEST(short_queue_served_without_cookies_one_x25519_per_turn)
{
	struct fake f;
	uint8_t pub[WG_KEY_LEN];
	struct wg_device *dev = device(&f, pub);
	struct wg_sink sink = { .ctx = &f, .send = on_send, .deliver = on_deliver };
	struct dp_hsq q;
	CHECK_EQ(dp_hsq_init(&q), 0);
	receive_flood(dev, &q, pub, 10);
	CHECK_EQ(dp_handshake_serve(dev, &q, 32, &sink), 1);
	CHECK_EQ(f.cookies, 0);
	CHECK_EQ(wg_device_stats(dev)->dh_received, 1);
	CHECK_EQ(dp_hsq_len(&q), 9);
	dp_hsq_free(&q);
	wg_device_free(dev);
}

/* Garbage and messages not made with our public key never take a place in the queue. */
TEST(classify_keeps_cheap_rejects_out_of_the_queue)
{
	struct fake f;
	uint8_t pub[WG_KEY_LEN], other[WG_KEY_LEN];
	struct wg_device *dev = device(&f, pub);
	struct wg_endpoint from = { .addr.sin = { .sin_family = AF_INET } };
	struct wg_rx_job job;
	struct wg_msg_initiation m;
	uint8_t junk[100] = { 1, 0, 0, 0 };
	memset(other, 7, sizeof(other));
	initiation(&m, other, 1);
	CHECK_EQ(wg_device_receive_classify(dev, &from, (uint8_t *)&m, sizeof(m), &job), WG_RX_DONE);
	CHECK_EQ(wg_device_stats(dev)->drops[WG_DROP_MAC], 1);
	CHECK_EQ(wg_device_receive_classify(dev, &from, junk, sizeof(junk), &job), WG_RX_DONE);
	CHECK_EQ(wg_device_stats(dev)->drops[WG_DROP_MALFORMED], 1);
	junk[0] = WG_MSG_COOKIE;                     /* a cookie reply for no index of ours */
	CHECK_EQ(wg_device_receive_classify(dev, &from, junk, WG_MSG_COOKIE_LEN, &job), WG_RX_DONE);
	CHECK_EQ(wg_device_stats(dev)->drops[WG_DROP_UNKNOWN_INDEX], 1);
	wg_device_free(dev);
}

/* A real initiator that got a cookie reply resends with MAC2: that message jumps a
 * queue full of flood and is answered at the next turn. */
TEST(mac2_resend_served_before_a_queue_full_of_flood)
{
	struct fake fr, fi;
	uint8_t rpub[WG_KEY_LEN], ipub[WG_KEY_LEN];
	struct wg_device *R = device(&fr, rpub), *I = device(&fi, ipub);
	struct wg_sink rsink = { .ctx = &fr, .send = on_send, .deliver = on_deliver };
	struct wg_sink isink = { .ctx = &fi, .send = on_send, .deliver = on_deliver };
	struct wg_endpoint r_at = { .addr.sin = { .sin_family = AF_INET, .sin_port = htons(51820) } };
	struct wg_endpoint i_at = { .addr.sin = { .sin_family = AF_INET, .sin_port = htons(51821) } };
	struct wg_rx_job job;
	struct dp_hsq q;
	wg_device_add_peer(R, ipub);
	wg_peer_set_endpoint(wg_device_add_peer(I, rpub), &r_at);
	CHECK_EQ(dp_hsq_init(&q), 0);
	receive_flood(R, &q, rpub, DP_HSQ_CAP);
	CHECK_EQ(dp_handshake_serve(R, &q, 1, &rsink), 1); /* R now under load */
	wg_peer_send_keepalive(wg_device_first_peer(I), &isink);
	CHECK_EQ(fi.last[0], WG_MSG_INITIATION);
	CHECK_EQ(wg_device_receive_classify(R, &i_at, fi.last, fi.last_len, &job), WG_RX_HANDSHAKE);
	wg_device_receive_handshake(R, &i_at, fi.last, fi.last_len, &rsink); /* (had it room) */
	CHECK_EQ(fr.last[0], WG_MSG_COOKIE);
	wg_device_receive(I, &r_at, fr.last, fr.last_len, &isink);
	CHECK_EQ(fi.last[0], WG_MSG_INITIATION);           /* resent at once, with MAC2 */
	CHECK_EQ(wg_device_receive_classify(R, &i_at, fi.last, fi.last_len, &job), WG_RX_HANDSHAKE_MAC2);
	CHECK(dp_hsq_push(&q, DP_HSQ_MAC2, &i_at, fi.last, fi.last_len));
	CHECK_EQ(dp_handshake_serve(R, &q, 1, &rsink), 1);
	CHECK_EQ(fr.responses, 1);
	CHECK_EQ(dp_hsq_len(&q), DP_HSQ_CAP - 1);
	dp_hsq_free(&q);
	wg_device_free(I);
	wg_device_free(R);
}

static struct wg_endpoint addr(const char *ip)
{
	struct wg_endpoint e = { 0 };
	if (strchr(ip, ':')) {
		e.addr.sin6.sin6_family = AF_INET6;
		inet_pton(AF_INET6, ip, &e.addr.sin6.sin6_addr);
	} else {
		e.addr.sin.sin_family = AF_INET;
		inet_pton(AF_INET, ip, &e.addr.sin.sin_addr);
	}
	return e;
}

/* A source is busy after DP_ADMIT_BUSY messages in the window, an IPv6 /64 counts as one
 * source, and counts halve with every window that goes by. */
TEST(admit_counts_sources_and_forgets_them)
{
	static struct dp_admit a;
	const uint8_t key[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };
	struct wg_endpoint v4 = addr("198.51.100.7"), other = addr("203.0.113.9");
	struct wg_endpoint v6a = addr("2001:db8:1:2::1"), v6b = addr("2001:db8:1:2::ffff");
	uint64_t now = 1000 * WG_NSEC;
	dp_admit_init(&a, key);
	for (int i = 0; i < DP_ADMIT_BUSY; i++)
		CHECK(!dp_admit_busy(&a, &v4, now));
	CHECK(dp_admit_busy(&a, &v4, now));
	CHECK(!dp_admit_busy(&a, &other, now));
	for (int i = 0; i < DP_ADMIT_BUSY; i++)
		dp_admit_busy(&a, &v6a, now);
	CHECK(dp_admit_busy(&a, &v6b, now));         /* the same /64 */
	now += 3 * DP_ADMIT_DECAY_NS;                /* 6 counted, halved three times: 0 */
	CHECK(!dp_admit_busy(&a, &v4, now));
}

/* Once the main lane is 3/4 full, its last places go only to sources that have sent
 * few: a flood from 200 addresses is refused there, a real initiator is not. */
TEST(nearly_full_queue_keeps_room_for_quiet_sources)
{
	static struct dp_admit a;
	const uint8_t key[16] = { 0x5e, 0x11, 0xa7, 0x03, 0x9c, 0x42, 0xd8, 0x6b,
				  0x27, 0xf0, 0x8e, 0x31, 0xc5, 0x6a, 0x0d, 0xb9 };
	struct dp_hsq q;
	uint8_t msg[WG_MSG_INITIATION_LEN] = { 1 };
	uint64_t now = 1000 * WG_NSEC;
	char ip[32];
	dp_admit_init(&a, key);
	CHECK_EQ(dp_hsq_init(&q), 0);
	for (int i = 0; dp_hsq_lane_len(&q, DP_HSQ_REST) < DP_HSQ_CAP / 4 * 3; i++) {
		snprintf(ip, sizeof(ip), "198.51.100.%d", 10 + i % 200);
		struct wg_endpoint e = addr(ip);
		CHECK(dp_admit_push(&q, &a, DP_HSQ_REST, &e, msg, sizeof(msg), now));
	}
	struct wg_endpoint flooder = addr("198.51.100.10"), initiator = addr("192.0.2.1");
	CHECK(!dp_admit_push(&q, &a, DP_HSQ_REST, &flooder, msg, sizeof(msg), now));
	CHECK_EQ(dp_hsq_dropped(&q), 1);
	CHECK(dp_admit_push(&q, &a, DP_HSQ_REST, &initiator, msg, sizeof(msg), now));
	CHECK(dp_admit_push(&q, &a, DP_HSQ_MAC2, &flooder, msg, sizeof(msg), now)); /* its own lane */
	enum dp_hsq_lane lane;
	for (int i = 0; i < DP_HSQ_CAP / 2; i++) {   /* served down to half: all may come again */
		dp_hsq_front(&q, &lane);
		dp_hsq_pop(&q, lane);
	}
	CHECK(dp_admit_push(&q, &a, DP_HSQ_REST, &flooder, msg, sizeof(msg), now));
	dp_hsq_free(&q);
}
