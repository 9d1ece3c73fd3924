/* Cookies and load over the fake network and clock: when the responder goes under load
 * (its caller's handshake queue, or X25519s wasted on failing initiations faster than
 * the core budgets for, counted one at a time), what an initiation without MAC2 costs
 * (a cookie reply, no X25519), the initiator's resend with MAC2, the per-source rate
 * limit, and the end of the load. */
#include <arpa/inet.h>
#include "test.h"
#include "pair.h"
#include "core/load.h"
#include "core/messages.h"
#include "crypto/crypto.h"

#define MS(x) ((uint64_t)(x) * 1000000ULL)
#define TIPPING (WG_LOAD_QUEUE / 8) /* wasted X25519s at once that turn the load on */

/* A (10.0.0.1) and B (10.0.0.2), each the other's peer, no session yet. */
static void setup(struct world *w)
{
	world_init(w, 2);
	node_add_peer(&w->nodes[0], &w->nodes[1], "10.0.0.2/32", true);
	node_add_peer(&w->nodes[1], &w->nodes[0], "10.0.0.1/32", true);
}

static uint64_t drops(struct node *n, enum wg_drop d) { return wg_device_stats(n->dev)->drops[d]; }
static uint64_t dh(struct node *n) { return wg_device_stats(n->dev)->dh_received; }

/* What a flooder who knows B's public key sends: initiation number i with a valid MAC1
 * and nonsense inside, from ip. B pays an X25519 for it unless it asks for a cookie
 * first. Delivered on its own, as from a receive batch of one. */
static void flood_from(struct node *B, uint32_t i, const char *ip)
{
	struct wg_msg_initiation m;
	uint8_t key[WG_HASH_LEN];
	struct wg_endpoint from;

	memset(&m, 0, sizeof(m));
	for (size_t k = 4; k < offsetof(struct wg_msg_initiation, macs); k++)
		((uint8_t *)&m)[k] = (uint8_t)(i * 131 + k * 7);
	m.type = htole32(WG_MSG_INITIATION);
	wg_hash(key, WG_LABEL_MAC1, 8, B->pub, WG_KEY_LEN);
	wg_mac(m.macs.mac1, WG_MAC_LEN, key, WG_HASH_LEN, &m, offsetof(struct wg_msg_initiation, macs));
	set_addr(&from, ip, 40000);
	wg_device_set_handshake_backlog(B->dev, 1, WG_LOAD_QUEUE); /* the caller's queue: short */
	wg_device_receive(B->dev, &from, (uint8_t *)&m, sizeof(m), &B->sink);
	world_flush(B->w); /* cookie replies to addresses where no node is: gone */
}

/* The same from one of 200 addresses. */
static void flood_one(struct node *B, uint32_t i)
{
	char ip[32];
	snprintf(ip, sizeof(ip), "198.51.100.%u", 10 + i % 200);
	flood_from(B, i, ip);
}

static void flood(struct node *B, int n)
{
	for (int i = 0; i < n; i++)
		flood_one(B, (uint32_t)i);
}

/* A starts a handshake with one packet, the network held: A's initiation is in flight. */
static void start_handshake(struct world *w)
{
	w->hold = true;
	node_send(&w->nodes[0], "10.0.0.1", "10.0.0.2", 100);
	CHECK_EQ(w->nnet, 1);
	CHECK_EQ(w->net[0].buf[0], WG_MSG_INITIATION);
}

/* Under load, B answers A's initiation (no MAC2) with a cookie reply and no X25519;
 * A sends it again at once with MAC2, which B answers; the tunnel comes up. */
static void check_cookie_round_trip(struct world *w)
{
	struct node *A = &w->nodes[0], *B = &w->nodes[1];
	uint64_t dh0 = dh(B), cookies0 = B->sent_cookie;
	start_handshake(w);
	world_deliver_one(w);                       /* A's initiation reaches B */
	CHECK_EQ(B->sent_cookie, cookies0 + 1);
	CHECK_EQ(B->sent_resp, 0);
	CHECK_EQ(dh(B), dh0);                       /* no X25519 for it */
	world_deliver_one(w);                       /* the cookie reply reaches A */
	CHECK_EQ(A->sent_init, 2);
	CHECK_EQ(A->init_times[1], A->init_times[0]); /* at once, not REKEY_TIMEOUT later */
	w->hold = false;
	world_flush(w);
	CHECK_EQ(B->sent_resp, 1);
	CHECK_EQ(dh(B), dh0 + 1);
	CHECK_EQ(B->sent_cookie, cookies0 + 1);
	CHECK_EQ(B->delivered, 1);
}

TEST(cookie_reply_when_the_queue_is_an_eighth_full)
{
	struct world w;
	setup(&w);
	wg_device_set_handshake_backlog(w.nodes[1].dev, WG_LOAD_QUEUE / 8, WG_LOAD_QUEUE);
	check_cookie_round_trip(&w);
	CHECK_EQ(drops(&w.nodes[1], WG_DROP_COOKIE_SENT), 1);
	world_free(&w);
}

/* The issue-11 rule: no caller queue ever gets long (each message is a batch of one),
 * yet a burst of made-up initiations turns cookies on once TIPPING X25519s have been
 * wasted on them, and the rest of it costs none. */
TEST(wasted_x25519_burst_turns_cookies_on_with_batches_of_one)
{
	struct world w;
	setup(&w);
	struct node *B = &w.nodes[1];
	flood(B, TIPPING + 88);
	CHECK_EQ(dh(B), TIPPING);
	CHECK_EQ(drops(B, WG_DROP_HANDSHAKE), TIPPING);
	CHECK_EQ(B->sent_cookie, 88);
	check_cookie_round_trip(&w);
	world_free(&w);
}

/* An initiator of many identities: one core that changes its private key (and jumps its
 * own clock past REKEY_TIMEOUT) before each initiation, which it leaves in *out. */
struct many { uint64_t now; uint8_t *out; };
static uint64_t many_clock(void *ctx) { return ((struct many *)ctx)->now; }
static void many_random(void *ctx, void *buf, size_t len) { wg_os_random(buf, len); }
static void many_send(void *ctx, struct wg_peer *p, const struct wg_endpoint *to, const uint8_t *buf, size_t len)
{
	struct many *m = ctx;
	if (buf[0] == WG_MSG_INITIATION)
		memcpy(m->out, buf, len);
}
static void many_deliver(void *ctx, struct wg_peer *p, uint8_t *pkt, size_t len) {}

static void identity(uint8_t priv[WG_KEY_LEN], int i)
{
	wg_hash(priv, "cookie-test", 11, &i, sizeof(i));
	wg_x25519_clamp(priv);
}

/* Real peers' handshakes are no flood however many come at once: they waste nothing. */
TEST(burst_of_real_handshakes_needs_no_cookie)
{
	struct world w;
	setup(&w);
	struct node *B = &w.nodes[1];
	struct many m = { .now = 1000 * WG_NSEC };
	struct wg_env env = { .ctx = &m, .mono_ns = many_clock, .wall_ns = many_clock, .random = many_random };
	struct wg_sink sink = { .ctx = &m, .send = many_send, .deliver = many_deliver };
	struct wg_device *I = wg_device_new(&env);
	uint8_t priv[WG_KEY_LEN], pub[WG_KEY_LEN], msg[WG_MSG_INITIATION_LEN];
	for (int i = 0; i < 2 * TIPPING; i++) {
		identity(priv, i);
		wg_x25519_public(pub, priv);
		wg_device_add_peer(B->dev, pub);
	}
	struct wg_peer *toB = wg_device_add_peer(I, B->pub);
	wg_peer_set_endpoint(toB, &B->addr);
	for (int i = 0; i < 2 * TIPPING; i++) {
		identity(priv, i);
		wg_device_set_private_key(I, priv);
		m.now += 10 * WG_NSEC;
		m.out = msg;
		wg_peer_send_keepalive(toB, &sink);
		wg_device_receive(B->dev, &w.nodes[0].addr, msg, sizeof(msg), &B->sink);
		w.nnet = 0;
	}
	CHECK_EQ(B->sent_resp, 2 * TIPPING);
	CHECK_EQ(B->sent_cookie, 0);
	wg_device_free(I);
	world_free(&w);
}

/* It is a rate: as many made-up initiations spread out need no cookie; sped up, they do. */
TEST(initiations_slower_than_the_budget_need_no_cookie)
{
	struct world w;
	setup(&w);
	struct node *B = &w.nodes[1];
	for (int i = 0; i < TIPPING + 100; i++) {
		flood_one(B, (uint32_t)i);
		world_advance(&w, MS(1000 / WG_LOAD_WASTED_PER_SECOND + 1));
	}
	CHECK_EQ(B->sent_cookie, 0);
	CHECK_EQ(dh(B), TIPPING + 100);
	for (int i = 0; i < 2 * TIPPING; i++) {      /* 4 times the budget: ~683 to tip it */
		flood_one(B, (uint32_t)i);
		world_advance(&w, MS(1000 / WG_LOAD_WASTED_PER_SECOND) / 4);
	}
	CHECK(B->sent_cookie > TIPPING / 2);
	CHECK_EQ(dh(B) + B->sent_cookie, 3 * TIPPING + 100);
	world_free(&w);
}

TEST(load_ends_one_second_after_the_flood)
{
	struct world w;
	setup(&w);
	struct node *A = &w.nodes[0], *B = &w.nodes[1];
	flood(B, TIPPING);
	uint64_t dh0 = dh(B);
	int cookies = B->sent_cookie;
	world_advance(&w, MS(999));
	flood_one(B, 7);                             /* still under load */
	CHECK_EQ(B->sent_cookie, cookies + 1);
	CHECK_EQ(dh(B), dh0);
	world_advance(&w, MS(1));
	flood_one(B, 8);                             /* 1 s after: paid for, no cookie */
	CHECK_EQ(B->sent_cookie, cookies + 1);
	CHECK_EQ(dh(B), dh0 + 1);
	node_send(A, "10.0.0.1", "10.0.0.2", 100);   /* A is answered at once */
	CHECK_EQ(A->sent_init, 1);
	CHECK_EQ(B->sent_cookie, cookies + 1);
	CHECK_EQ(B->delivered, 1);
	world_free(&w);
}

/* A flood answered with cookie replies costs no X25519 and fills no queue: the load
 * must stay on for as long as it goes on, not lapse after a second and let it through. */
TEST(load_stays_on_while_the_flood_goes_on)
{
	struct world w;
	setup(&w);
	struct node *B = &w.nodes[1];
	flood(B, TIPPING);
	CHECK_EQ(dh(B), TIPPING);
	for (int ms = 0; ms < 3000; ms++) {          /* 2,000 a second for 3 s */
		flood_one(B, (uint32_t)(2 * ms));
		flood_one(B, (uint32_t)(2 * ms + 1));
		world_advance(&w, MS(1));
	}
	CHECK_EQ(dh(B), TIPPING);
	CHECK_EQ(B->sent_cookie, 6000);
	world_advance(&w, WG_UNDER_LOAD_AFTER);      /* the flood stopped a second ago */
	flood_one(B, 1);
	CHECK_EQ(dh(B), TIPPING + 1);
	world_free(&w);
}

/* Under load, a source with a valid cookie may still only have 5 handshakes at once
 * and 20 a second: the 10 copies of A's MAC2 initiation are 1 handshake, 4 replays
 * (refused by their timestamp after the X25519) and 5 refused before it. */
TEST(ratelimit_under_load_per_source)
{
	struct world w;
	setup(&w);
	struct node *A = &w.nodes[0], *B = &w.nodes[1];
	wg_device_set_handshake_backlog(B->dev, WG_LOAD_QUEUE, WG_LOAD_QUEUE);
	start_handshake(&w);
	world_deliver_one(&w);                       /* B: cookie reply */
	world_deliver_one(&w);                       /* A: the initiation again, with MAC2 */
	CHECK_EQ(w.nnet, 1);
	struct dgram init = w.net[0];
	CHECK_EQ(init.buf[0], WG_MSG_INITIATION);
	w.nnet = 0;
	uint64_t dh0 = dh(B);
	for (int i = 0; i < 10; i++) {
		uint8_t copy[sizeof(init.buf)];
		memcpy(copy, init.buf, init.len);
		wg_device_receive(B->dev, &A->addr, copy, init.len, &B->sink);
	}
	CHECK_EQ(drops(B, WG_DROP_RATELIMIT), 5);
	CHECK_EQ(drops(B, WG_DROP_TIMESTAMP), 4);
	CHECK_EQ(dh(B), dh0 + 5);
	world_free(&w);
}

/* Anyone who saw A's MAC1 can make a cookie reply for it: A resends on one at most once
 * per REKEY_TIMEOUT, so replies cannot make A initiate at their rate. */
TEST(resend_on_cookie_at_most_once_per_rekey_timeout)
{
	struct world w;
	setup(&w);
	struct node *A = &w.nodes[0], *B = &w.nodes[1];
	struct wg_endpoint elsewhere;
	set_addr(&elsewhere, "198.51.100.99", 1);
	wg_device_set_handshake_backlog(B->dev, WG_LOAD_QUEUE, WG_LOAD_QUEUE);
	start_handshake(&w);
	world_deliver_one(&w);                       /* B: cookie reply */
	world_deliver_one(&w);                       /* A: resends with MAC2 */
	CHECK_EQ(A->sent_init, 2);
	/* The resent initiation, seen from another address, has no valid MAC2 there: B's
	 * cookie reply to it is as good as a forged one, and A takes the cookie... */
	struct dgram init = w.net[0];
	w.nnet = 0;
	wg_device_receive(B->dev, &elsewhere, init.buf, init.len, &B->sink);
	CHECK_EQ(w.nnet, 1);
	struct dgram reply = w.net[0];
	CHECK_EQ(reply.buf[0], WG_MSG_COOKIE);
	w.nnet = 0;
	wg_device_receive(A->dev, &B->addr, reply.buf, reply.len, &A->sink);
	CHECK_EQ(A->sent_init, 2);                   /* ...but does not resend again */
	CHECK_EQ(drops(A, WG_DROP_MAC), 0);
	world_free(&w);
}

static enum wg_rx_kind classify(struct node *n, const struct wg_endpoint *from, const struct dgram *d)
{
	uint8_t copy[sizeof(d->buf)];
	struct wg_rx_job job;
	memcpy(copy, d->buf, d->len);
	return wg_device_receive_classify(n->dev, from, copy, d->len, &job);
}

/* Under load, an initiation whose MAC2 is valid (a resend after a cookie) is marked for
 * the caller's fast lane; without MAC2, with a wrong one, or not under load it is not. */
TEST(valid_mac2_under_load_marked_for_the_fast_lane)
{
	struct world w;
	setup(&w);
	struct node *A = &w.nodes[0], *B = &w.nodes[1];
	wg_device_set_handshake_backlog(B->dev, WG_LOAD_QUEUE, WG_LOAD_QUEUE);
	start_handshake(&w);
	CHECK_EQ(classify(B, &A->addr, &w.net[0]), WG_RX_HANDSHAKE);
	world_deliver_one(&w);                       /* B: cookie reply */
	world_deliver_one(&w);                       /* A: resends with MAC2 */
	struct dgram resend = w.net[0];
	CHECK_EQ(classify(B, &A->addr, &resend), WG_RX_HANDSHAKE_MAC2);
	struct wg_endpoint elsewhere;
	set_addr(&elsewhere, "198.51.100.99", 1);
	CHECK_EQ(classify(B, &elsewhere, &resend), WG_RX_HANDSHAKE); /* the cookie is A's address's */
	struct dgram forged = resend;
	forged.buf[forged.len - 1] ^= 1;
	CHECK_EQ(classify(B, &A->addr, &forged), WG_RX_HANDSHAKE);
	wg_device_set_handshake_backlog(B->dev, 0, WG_LOAD_QUEUE);
	w.hold = false;
	w.nnet = 0;
	world_advance(&w, WG_UNDER_LOAD_AFTER);
	CHECK_EQ(classify(B, &A->addr, &resend), WG_RX_HANDSHAKE);
	world_free(&w);
}

/* Cookie replies have a per-source rate of their own (20 a second, burst 5): a flood
 * from one address gets 5 at once and then one per 50 ms, the rest is dropped
 * unanswered at the cost of a table lookup; another address is not held back by it,
 * and the flood still counts as one (no X25519 for it, the load stays on). */
TEST(cookie_replies_limited_per_source)
{
	struct world w;
	setup(&w);
	struct node *B = &w.nodes[1];
	flood(B, TIPPING);                           /* under load from here on */
	uint64_t dh0 = dh(B);
	int cookies = B->sent_cookie;
	for (int i = 0; i < 20; i++)
		flood_from(B, (uint32_t)i, "203.0.113.7");
	CHECK_EQ(B->sent_cookie, cookies + 5);
	CHECK_EQ(drops(B, WG_DROP_COOKIE_LIMIT), 15);
	flood_from(B, 99, "203.0.113.8");            /* another source: answered */
	CHECK_EQ(B->sent_cookie, cookies + 6);
	world_advance(&w, MS(49));
	flood_from(B, 100, "203.0.113.7");           /* less than 1/20 s later: still none */
	CHECK_EQ(B->sent_cookie, cookies + 6);
	world_advance(&w, MS(1));
	flood_from(B, 101, "203.0.113.7");           /* 1/20 s: one more */
	CHECK_EQ(B->sent_cookie, cookies + 7);
	for (int ms = 0; ms < 1500; ms++) {          /* 2,000 a second for 1.5 s */
		flood_from(B, (uint32_t)(2 * ms), "203.0.113.7");
		flood_from(B, (uint32_t)(2 * ms + 1), "203.0.113.7");
		world_advance(&w, MS(1));
	}
	CHECK(B->sent_cookie <= cookies + 7 + 31);   /* 20 a second, not 2,000 */
	CHECK(B->sent_cookie >= cookies + 7 + 29);
	CHECK_EQ(dh(B), dh0);
	world_advance(&w, WG_UNDER_LOAD_AFTER);
	flood_from(B, 7, "203.0.113.7");             /* the flood stopped a second ago */
	CHECK_EQ(dh(B), dh0 + 1);
	world_free(&w);
}

/* A real initiator whose address has not flooded gets its cookie and its handshake
 * while a rate-limited flood goes on from 200 others. */
TEST(real_initiator_answered_while_flood_is_rate_limited)
{
	struct world w;
	setup(&w);
	struct node *B = &w.nodes[1];
	for (int i = 0; i < 4 * TIPPING; i++)
		flood_one(B, (uint32_t)i);           /* 10 at once from each of 200 */
	CHECK(drops(B, WG_DROP_COOKIE_LIMIT) > 0);
	check_cookie_round_trip(&w);
	world_free(&w);
}

/* A flood from more addresses than the table holds (8,192) must not cost a new
 * source its cookie: refusing unknown sources would refuse a real initiator too. */
TEST(cookie_replies_to_new_sources_when_the_table_is_full)
{
	struct world w;
	setup(&w);
	struct node *B = &w.nodes[1];
	char ip[32];
	flood(B, TIPPING);
	int cookies = B->sent_cookie;
	for (uint32_t i = 0; i < 8192 + 10; i++) {
		snprintf(ip, sizeof(ip), "10.%u.%u.%u", 100 + i / 65536, i / 256 % 256, i % 256);
		flood_from(B, i, ip);
	}
	CHECK_EQ(B->sent_cookie, cookies + 8192 + 10);
	CHECK_EQ(drops(B, WG_DROP_COOKIE_LIMIT), 0);
	check_cookie_round_trip(&w);
	world_free(&w);
}
