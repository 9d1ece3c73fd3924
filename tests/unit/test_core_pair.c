/* Two protocol cores over a fake network with a fake clock: handshakes, data, every
 * timer, and the failure cases (cookies and load: test_core_cookie.c). */
#include "platform/parallel.h"
#include <arpa/inet.h>
#include "test.h"
#include "pair.h"
#include "core/messages.h"

#define S(x) ((uint64_t)(x) * WG_NSEC)
#define MS(x) ((uint64_t)(x) * 1000000ULL)

/* A (10.0.0.1, fd00::1) and B (10.0.0.2, fd00::2), each the other's peer. */
static void setup(struct world *w, struct wg_peer **pa, struct wg_peer **pb)
{
	world_init(w, 2);
	struct wg_peer *a = node_add_peer(&w->nodes[0], &w->nodes[1], "10.0.0.2/32,fd00::2/128,172.16.0.0/24", true);
	struct wg_peer *b = node_add_peer(&w->nodes[1], &w->nodes[0], "10.0.0.1/32,fd00::1/128", true);
	if (pa) *pa = a;
	if (pb) *pb = b;
}

static uint64_t last_handshake(struct wg_peer *p)
{
	struct wg_peer_stats st;
	wg_peer_stats(p, &st);
	return st.last_handshake_wall_ns;
}

static uint64_t drops(struct node *n, enum wg_drop d) { return wg_device_stats(n->dev)->drops[d]; }

TEST(handshake_and_data_both_ways)
{
	struct world w; struct wg_peer *pa, *pb;
	setup(&w, &pa, &pb);
	struct node *A = &w.nodes[0], *B = &w.nodes[1];

	node_send(A, "10.0.0.1", "10.0.0.2", 100);
	CHECK_EQ(A->sent_init, 1);
	CHECK_EQ(B->sent_resp, 1);
	CHECK_EQ(B->delivered, 1);        /* the staged packet went through the new session */
	CHECK_EQ(B->last_delivered_len, 100);
	CHECK(last_handshake(pa) != 0);
	CHECK(last_handshake(pb) != 0);   /* B confirmed the session on A's first data */

	node_send(B, "10.0.0.2", "10.0.0.1", 1420);
	CHECK_EQ(A->delivered, 1);
	CHECK_EQ(A->last_delivered_len, 1420);
	node_send(B, "fd00::2", "fd00::1", 1280);
	CHECK_EQ(A->delivered, 2);
	CHECK_EQ(A->last_delivered[0] >> 4, 6);
	node_send(A, "10.0.0.1", "172.16.0.9", 60); /* a subnet behind B */
	CHECK_EQ(B->delivered, 2);
	CHECK_EQ(A->sent_init, 1);        /* one handshake for all of it */

	struct wg_peer_stats st;
	wg_peer_stats(pb, &st);
	/* B received: the initiation (148) + 100->112 + 60->64 padded data (+32 overhead each) */
	CHECK_EQ(st.rx_bytes, 148 + (112 + 32) + (64 + 32));
	world_free(&w);
}

TEST(padding_to_16_and_mtu)
{
	struct world w;
	setup(&w, NULL, NULL);
	struct node *A = &w.nodes[0];
	wg_device_set_mtu(A->dev, 1420);
	node_send(A, "10.0.0.1", "10.0.0.2", 1); /* too short for IP: dropped as malformed inner */
	CHECK_EQ(drops(A, WG_DROP_INNER), 1);
	node_send(A, "10.0.0.1", "10.0.0.2", 21);
	CHECK_EQ(w.nodes[1].last_delivered_len, 21); /* padding stripped by the IP total length */
	world_free(&w);
}

TEST(rekey_after_120s_by_initiator)
{
	struct world w;
	setup(&w, NULL, NULL);
	struct node *A = &w.nodes[0], *B = &w.nodes[1];
	node_send(A, "10.0.0.1", "10.0.0.2", 100);
	world_advance(&w, S(119));
	node_send(A, "10.0.0.1", "10.0.0.2", 100);
	CHECK_EQ(A->sent_init, 1);        /* 119 s: still the first session */
	world_advance(&w, S(2));
	int before = B->delivered;
	node_send(A, "10.0.0.1", "10.0.0.2", 100);
	CHECK_EQ(A->sent_init, 2);        /* 121 s: the send triggers a new handshake */
	CHECK_EQ(B->delivered, before + 1); /* and the packet itself still went out */
	CHECK_EQ(B->sent_resp, 2);
	world_free(&w);
}

TEST(session_unusable_after_180s)
{
	struct world w;
	setup(&w, NULL, NULL);
	struct node *A = &w.nodes[0], *B = &w.nodes[1];
	node_send(A, "10.0.0.1", "10.0.0.2", 100);
	node_send(B, "10.0.0.2", "10.0.0.1", 100);
	CHECK_EQ(A->delivered, 1);
	w.blackhole = true;
	world_advance(&w, S(179));
	/* B, the responder, never rekeys by time: at 179 s its session still encrypts. */
	int data_before = B->sent_data;
	node_send(B, "10.0.0.2", "10.0.0.1", 100);
	CHECK_EQ(B->sent_data, data_before + 1);
	/* A packet sealed at 179 s but arriving at 181 s is refused. */
	w.blackhole = false; w.hold = true;
	node_send(B, "10.0.0.2", "10.0.0.1", 100);
	struct dgram late = w.net[w.nnet - 1];
	w.nnet = 0; w.hold = false; w.blackhole = true;
	world_advance(&w, S(2));
	wg_device_receive(A->dev, &B->addr, late.buf, late.len, &A->sink);
	CHECK_EQ(drops(A, WG_DROP_EXPIRED), 1);
	CHECK_EQ(A->delivered, 1);
	/* At 181 s B cannot encrypt any more: it starts a handshake instead. */
	int init_before = B->sent_init;
	data_before = B->sent_data;
	node_send(B, "10.0.0.2", "10.0.0.1", 100);
	CHECK_EQ(B->sent_data, data_before);
	CHECK_EQ(B->sent_init, init_before + 1);
	world_free(&w);
}

TEST(keepalive_after_10s_of_silence)
{
	struct world w;
	setup(&w, NULL, NULL);
	struct node *A = &w.nodes[0], *B = &w.nodes[1];
	node_send(A, "10.0.0.1", "10.0.0.2", 100);
	int ka = B->sent_keepalive;
	world_advance(&w, MS(9900));
	CHECK_EQ(B->sent_keepalive, ka);
	world_advance(&w, MS(200));
	CHECK_EQ(B->sent_keepalive, ka + 1);
	/* Nothing more while nothing is received. */
	world_advance(&w, S(60));
	CHECK_EQ(B->sent_keepalive, ka + 1);
	world_free(&w);
}

/* Data sent on a quiet session with no answer: the delay until the new handshake's
 * initiation. The cycle ends with the handshake completed and the session quiet again. */
static uint64_t unanswered_data_delay(struct world *w)
{
	struct node *A = &w->nodes[0];
	int inits = A->sent_init;
	uint64_t sent = w->now;
	w->blackhole = true;
	node_send(A, "10.0.0.1", "10.0.0.2", 100);
	world_advance(w, MS(14900));
	CHECK_EQ(A->sent_init, inits);
	world_advance(w, MS(500)); /* 15 s + up to 333 ms jitter */
	CHECK_EQ(A->sent_init, inits + 1);
	w->blackhole = false;
	world_advance(w, S(40)); /* the retry completes a handshake; keepalives; quiet */
	return A->sent_init > inits && inits < 64 ? A->init_times[inits] - sent : 0;
}

/* 15 s plus jitter, and the jitter differs from one time to the next: a fixed 15 s
 * would make every peer behind one lost link retry in the same instant. */
TEST(new_handshake_15s_after_unanswered_data)
{
	struct world w;
	setup(&w, NULL, NULL);
	node_send(&w.nodes[0], "10.0.0.1", "10.0.0.2", 100);
	world_advance(&w, S(30)); /* quiet: keepalives exchanged, nothing pending */
	uint64_t first = 0;
	bool varied = false;
	for (int i = 0; i < 5; i++) {
		uint64_t d = unanswered_data_delay(&w);
		CHECK(d >= S(15) && d < S(15) + WG_REKEY_TIMEOUT_JITTER, "cycle %d: %llu ns", i, (unsigned long long)d);
		if (i == 0)
			first = d;
		varied |= d != first;
	}
	CHECK(varied, "the same delay in every cycle: no jitter");
	world_free(&w);
}

TEST(retries_every_5s_with_jitter_and_gives_up_at_90s)
{
	struct world w;
	setup(&w, NULL, NULL);
	struct node *A = &w.nodes[0];
	w.blackhole = true;
	uint64_t t0 = w.now;
	node_send(A, "10.0.0.1", "10.0.0.2", 100);
	world_advance(&w, S(200));
	CHECK_EQ(A->sent_init, 18);
	bool jittered = false;
	for (int i = 1; i < A->sent_init && i < 64; i++) {
		uint64_t gap = A->init_times[i] - A->init_times[i - 1];
		CHECK(gap >= S(5) && gap <= S(5) + WG_NSEC / 3, "retry %d came after %llu ns", i, (unsigned long long)gap);
		jittered |= gap != S(5);
	}
	CHECK(jittered);
	CHECK(A->init_times[17] - t0 < S(90));
	/* After giving up, the staged packet is gone: a later handshake delivers nothing old. */
	w.blackhole = false;
	node_send(A, "10.0.0.1", "10.0.0.2", 77);
	CHECK_EQ(w.nodes[1].delivered, 1);
	CHECK_EQ(w.nodes[1].last_delivered_len, 77);
	world_free(&w);
}

TEST(persistent_keepalive)
{
	struct world w; struct wg_peer *pa;
	setup(&w, &pa, NULL);
	struct node *A = &w.nodes[0], *B = &w.nodes[1];
	node_send(A, "10.0.0.1", "10.0.0.2", 100);
	world_advance(&w, S(20));
	int ka = A->sent_keepalive;
	wg_peer_set_persistent_keepalive(pa, 25, &A->sink);
	CHECK_EQ(A->sent_keepalive, ka + 1); /* turning it on sends one at once */
	world_advance(&w, S(24));
	CHECK_EQ(A->sent_keepalive, ka + 1);
	world_advance(&w, S(2));
	CHECK_EQ(A->sent_keepalive, ka + 2);
	int inits = A->sent_init;
	world_advance(&w, S(100));
	/* Four more by the 25 s schedule, plus one confirming the session that A, as its
	 * initiator, renews at 120 s of age (the keepalive itself triggers the rekey). */
	CHECK_EQ(A->sent_init, inits + 1);
	CHECK_EQ(A->sent_keepalive, ka + 7);
	int kb = B->sent_keepalive;
	world_advance(&w, S(100));
	CHECK_EQ(B->sent_keepalive, kb); /* B has none configured and A sends no data */
	wg_peer_set_persistent_keepalive(pa, 0, &A->sink);
	ka = A->sent_keepalive;
	world_advance(&w, S(100));
	CHECK_EQ(A->sent_keepalive, ka);
	world_free(&w);
}

/* Under load, A (at a_ip port 51820) gets a cookie and resends at once with MAC2.
 * Arriving from another port of the same address, that retry must get a fresh cookie
 * reply: the cookie proves the sender receives at its address and port, not at its
 * address alone. From the port the cookie went to, the same retry is answered.
 * (The load itself, the round trip and the rate limit: test_core_cookie.c.) */
static void cookie_bound_to_port(const char *a_ip)
{
	struct world w;
	world_init(&w, 2);
	struct node *A = &w.nodes[0], *B = &w.nodes[1];
	set_addr(&A->addr, a_ip, 51820);
	node_add_peer(A, B, "10.0.0.2/32", true);
	node_add_peer(B, A, "10.0.0.1/32", false);
	wg_device_set_handshake_backlog(B->dev, 200, 1024); /* >= 1/8: under load */
	w.hold = true;
	node_send(A, "10.0.0.1", "10.0.0.2", 100);
	world_deliver_one(&w);                       /* A's initiation: a cookie reply */
	CHECK_EQ(B->sent_cookie, 1);
	world_deliver_one(&w);                       /* the cookie: A resends with MAC2, held */
	CHECK(w.nnet == 1 && w.net[0].buf[0] == WG_MSG_INITIATION, "%s", a_ip);
	struct dgram retry = w.net[0], copy = retry;
	w.nnet = 0; w.blackhole = true;
	struct wg_endpoint other_port;
	set_addr(&other_port, a_ip, 51821);
	wg_device_set_handshake_backlog(B->dev, 200, 1024);
	wg_device_receive(B->dev, &other_port, copy.buf, copy.len, &B->sink);
	CHECK(B->sent_cookie == 2 && B->sent_resp == 0, "%s: from another port", a_ip);
	wg_device_receive(B->dev, &A->addr, retry.buf, retry.len, &B->sink);
	CHECK(B->sent_cookie == 2 && B->sent_resp == 1, "%s: from the cookie's port", a_ip);
	world_free(&w);
}

TEST(cookie_bound_to_source_port)
{
	cookie_bound_to_port("192.0.2.1");
	cookie_bound_to_port("2001:db8::1");
}

TEST(psk_mismatch_fails)
{
	struct world w; struct wg_peer *pa, *pb;
	setup(&w, &pa, &pb);
	uint8_t k1[32], k2[32];
	memset(k1, 1, 32); memset(k2, 2, 32);
	wg_peer_set_preshared_key(pa, k1);
	wg_peer_set_preshared_key(pb, k2);
	node_send(&w.nodes[0], "10.0.0.1", "10.0.0.2", 100);
	world_advance(&w, S(20));
	CHECK_EQ(w.nodes[1].delivered, 0);
	CHECK(last_handshake(pa) == 0);
	CHECK(drops(&w.nodes[0], WG_DROP_HANDSHAKE) >= 1);
	/* Same PSK on both: works. */
	wg_peer_set_preshared_key(pb, k1);
	world_advance(&w, S(10));
	node_send(&w.nodes[0], "10.0.0.1", "10.0.0.2", 100);
	CHECK(w.nodes[1].delivered >= 1);
	world_free(&w);
}

TEST(wrong_static_key_fails)
{
	struct world w;
	world_init(&w, 3); /* node 2 is an impostor B expects instead of A */
	struct node *A = &w.nodes[0], *B = &w.nodes[1];
	node_add_peer(A, B, "10.0.0.2/32", true);
	node_add_peer(B, &w.nodes[2], "10.0.0.1/32", false);
	node_send(A, "10.0.0.1", "10.0.0.2", 100);
	world_advance(&w, S(30));
	CHECK(A->sent_init >= 2);
	CHECK_EQ(B->sent_resp, 0);
	CHECK_EQ(B->delivered, 0);
	CHECK(drops(B, WG_DROP_HANDSHAKE) >= 1);
	world_free(&w);
}

TEST(replayed_initiation_rejected)
{
	struct world w;
	setup(&w, NULL, NULL);
	struct node *A = &w.nodes[0], *B = &w.nodes[1];
	w.hold = true;
	node_send(A, "10.0.0.1", "10.0.0.2", 100);
	struct dgram init = w.net[0];
	w.hold = false;
	world_flush(&w);
	CHECK_EQ(B->sent_resp, 1);
	world_advance(&w, S(1));
	wg_device_receive(B->dev, &A->addr, init.buf, init.len, &B->sink);
	CHECK_EQ(B->sent_resp, 1);
	CHECK_EQ(drops(B, WG_DROP_TIMESTAMP), 1);
	world_free(&w);
}

TEST(initiation_flood_limited_to_50_per_second)
{
	struct world w;
	setup(&w, NULL, NULL);
	struct node *A = &w.nodes[0], *B = &w.nodes[1];
	struct wg_peer *pa = wg_device_find_peer(A->dev, B->pub);
	/* Two fresh initiations 10 ms apart (newer timestamps): the second is refused. */
	w.hold = true;
	wg_peer_send_keepalive(pa, &A->sink);
	struct dgram first = w.net[0];
	w.nnet = 0;
	struct wg_endpoint ep; wg_peer_endpoint(pa, &ep);
	w.now += S(6); /* past REKEY_TIMEOUT so A may initiate again */
	wg_device_set_private_key(A->dev, A->priv); /* reset A's handshake state */
	wg_peer_send_keepalive(wg_device_find_peer(A->dev, B->pub), &A->sink);
	struct dgram second = w.net[0];
	w.nnet = 0; w.hold = false;
	wg_device_receive(B->dev, &A->addr, first.buf, first.len, &B->sink);
	w.now += MS(10);
	wg_device_receive(B->dev, &A->addr, second.buf, second.len, &B->sink);
	CHECK_EQ(B->sent_resp, 1);
	CHECK_EQ(drops(B, WG_DROP_TIMESTAMP), 1);
	world_free(&w);
}

TEST(low_order_points_as_peers_send_nothing)
{
	static const char *points[7] = {
		"0000000000000000000000000000000000000000000000000000000000000000",
		"0100000000000000000000000000000000000000000000000000000000000000",
		"e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",
		"5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157",
		"ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
		"edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
		"eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
	};
	struct world w;
	world_init(&w, 1);
	struct node *A = &w.nodes[0];
	for (int i = 0; i < 7; i++) {
		uint8_t pub[32];
		test_unhex(pub, 32, points[i]);
		struct wg_peer *p = wg_device_add_peer(A->dev, pub);
		CHECK(p != NULL);
		if (!p) continue;
		uint8_t net[4] = { 10, 1, (uint8_t)i, 0 };
		wg_peer_add_allowed_ip(p, AF_INET, net, 24);
		struct wg_endpoint ep; set_addr(&ep, "198.51.100.1", (uint16_t)(1000 + i));
		wg_peer_set_endpoint(p, &ep);
		wg_peer_set_persistent_keepalive(p, 1, &A->sink);
		char dst[32]; snprintf(dst, sizeof(dst), "10.1.%d.1", i);
		node_send(A, "10.0.0.1", dst, 64);
	}
	world_advance(&w, S(200));
	CHECK_EQ(A->sent_init + A->sent_data + A->sent_keepalive + A->sent_resp, 0);
	world_free(&w);
}

TEST(inner_source_outside_allowed_ips_dropped)
{
	struct world w; struct wg_peer *pb;
	setup(&w, NULL, &pb);
	struct node *A = &w.nodes[0], *B = &w.nodes[1];
	node_send(A, "10.0.0.1", "10.0.0.2", 100);
	CHECK_EQ(B->delivered, 1);
	node_send(A, "10.0.0.99", "10.0.0.2", 100); /* B allows only 10.0.0.1 from A */
	CHECK_EQ(B->delivered, 1);
	CHECK_EQ(drops(B, WG_DROP_SOURCE), 1);
	struct wg_peer_stats st; wg_peer_stats(pb, &st);
	CHECK_EQ(st.drops_source, 1);
	node_send(A, "fd00::1", "fd00::2", 80);
	CHECK_EQ(B->delivered, 2);
	world_free(&w);
}

/* The source must belong to the peer the packet came from, not just to some peer: A
 * must not send as C. B knows C (node 2) as the owner of 10.9.0.0/16 and fd09::/32. */
TEST(inner_source_of_another_peer_dropped)
{
	struct world w;
	world_init(&w, 3);
	struct node *A = &w.nodes[0], *B = &w.nodes[1], *C = &w.nodes[2];
	node_add_peer(A, B, "10.0.0.2/32,fd00::2/128", true);
	struct wg_peer *ba = node_add_peer(B, A, "10.0.0.1/32,fd00::1/128", true);
	node_add_peer(B, C, "10.9.0.0/16,fd09::/32", false);
	node_send(A, "10.0.0.1", "10.0.0.2", 100);
	CHECK_EQ(B->delivered, 1);
	node_send(A, "10.9.0.5", "10.0.0.2", 100);
	node_send(A, "fd09::5", "fd00::2", 80);
	CHECK_EQ(B->delivered, 1);
	CHECK_EQ(drops(B, WG_DROP_SOURCE), 2);
	struct wg_peer_stats st; wg_peer_stats(ba, &st);
	CHECK_EQ(st.drops_source, 2);
	world_free(&w);
}

TEST(endpoint_follows_roaming_peer)
{
	struct world w; struct wg_peer *pb;
	setup(&w, NULL, &pb);
	struct node *A = &w.nodes[0], *B = &w.nodes[1];
	node_send(A, "10.0.0.1", "10.0.0.2", 100);
	set_addr(&A->addr, "203.0.113.77", 40000); /* A moves */
	node_send(A, "10.0.0.1", "10.0.0.2", 100);
	struct wg_endpoint ep; wg_peer_endpoint(pb, &ep);
	CHECK(wg_endpoint_eq(&ep, &A->addr));
	node_send(B, "10.0.0.2", "10.0.0.1", 100); /* the reply reaches A at its new address */
	CHECK_EQ(A->delivered, 1);
	/* And over IPv6 outer transport. */
	set_addr(&A->addr, "2001:db8::77", 40001);
	node_send(A, "10.0.0.1", "10.0.0.2", 100);
	wg_peer_endpoint(pb, &ep);
	CHECK(wg_endpoint_eq(&ep, &A->addr));
	node_send(B, "10.0.0.2", "10.0.0.1", 100);
	CHECK_EQ(A->delivered, 2);
	world_free(&w);
}

TEST(own_public_key_as_peer_ignored)
{
	struct world w;
	world_init(&w, 1);
	CHECK(wg_device_add_peer(w.nodes[0].dev, w.nodes[0].pub) == NULL);
	CHECK_EQ(wg_device_peer_count(w.nodes[0].dev), 0);
	world_free(&w);
}

TEST(keys_zeroed_after_540s_without_handshake)
{
	struct world w; struct wg_peer *pb;
	setup(&w, NULL, &pb);
	struct node *A = &w.nodes[0], *B = &w.nodes[1];
	node_send(A, "10.0.0.1", "10.0.0.2", 100);
	w.hold = true;
	node_send(A, "10.0.0.1", "10.0.0.2", 100); /* sealed with the first session */
	struct dgram old = w.net[w.nnet - 1];
	w.nnet = 0;
	w.blackhole = true; w.hold = false;
	/* At 539 s the keys are still there: the packet is refused as too old, by its
	 * session. Zeroing earlier would also pass the check at 541 s. */
	world_advance(&w, S(539));
	struct dgram copy = old;
	wg_device_receive(B->dev, &A->addr, copy.buf, copy.len, &B->sink);
	CHECK_EQ(drops(B, WG_DROP_EXPIRED), 1);
	CHECK_EQ(drops(B, WG_DROP_UNKNOWN_INDEX), 0);
	world_advance(&w, S(2));
	/* The session is gone altogether: its index no longer exists. */
	wg_device_receive(B->dev, &A->addr, old.buf, old.len, &B->sink);
	CHECK_EQ(drops(B, WG_DROP_UNKNOWN_INDEX), 1);
	world_free(&w);
}

TEST(changing_one_peer_keeps_others_sessions)
{
	struct world w;
	world_init(&w, 3);
	struct node *A = &w.nodes[0], *B = &w.nodes[1], *C = &w.nodes[2];
	node_add_peer(A, B, "10.0.0.2/32", true);
	struct wg_peer *ac = node_add_peer(A, C, "10.0.0.3/32", true);
	node_add_peer(B, A, "10.0.0.1/32", true);
	node_add_peer(C, A, "10.0.0.1/32", true);
	node_send(A, "10.0.0.1", "10.0.0.2", 100);
	node_send(A, "10.0.0.1", "10.0.0.3", 100);
	int inits = A->sent_init;
	uint8_t psk[32]; memset(psk, 7, 32);
	wg_peer_set_preshared_key(ac, psk);
	wg_peer_remove_allowed_ip(ac, AF_INET, (uint8_t[]){10, 0, 0, 3}, 32);
	node_send(A, "10.0.0.1", "10.0.0.2", 100);
	CHECK_EQ(A->sent_init, inits);
	CHECK_EQ(B->delivered, 2);
	world_free(&w);
}

TEST(many_peers_found_and_removed)
{
	struct world w;
	world_init(&w, 1);
	struct wg_device *dev = w.nodes[0].dev;
	enum { N = 3000 };
	static struct wg_peer *peers[N];
	uint8_t key[32] = { 0 };
	for (int i = 0; i < N; i++) {
		key[0] = (uint8_t)i; key[1] = (uint8_t)(i >> 8); key[31] = 0x40;
		peers[i] = wg_device_add_peer(dev, key);
	}
	CHECK_EQ(wg_device_peer_count(dev), N);
	for (int i = 0; i < N; i += 2)
		wg_device_remove_peer(dev, peers[i]);
	int found = 0, wrong = 0;
	for (int i = 0; i < N; i++) {
		key[0] = (uint8_t)i; key[1] = (uint8_t)(i >> 8);
		struct wg_peer *p = wg_device_find_peer(dev, key);
		if (i % 2 == 0) wrong += p != NULL;
		else { found += p == peers[i]; }
	}
	CHECK_EQ(found, N / 2);
	CHECK_EQ(wrong, 0);
	key[0] = 0xff; key[1] = 0xff; key[2] = 0xff; /* a missing key must not loop */
	CHECK(wg_device_find_peer(dev, key) == NULL);
	int n = 0;
	for (struct wg_peer *p = wg_device_first_peer(dev); p; p = wg_peer_next(p)) n++;
	CHECK_EQ(n, N / 2);
	world_free(&w);
}

/* Per-peer counts of handshake initiations, by the peer the core names. */
struct init_count { struct wg_peer *const *peers; int n, counts[256], strangers; };

static void count_init(void *ctx, struct wg_peer *peer, const struct wg_endpoint *to, const uint8_t *buf, size_t len)
{
	struct init_count *c = ctx;
	if (buf[0] != WG_MSG_INITIATION)
		return;
	for (int i = 0; i < c->n; i++)
		if (c->peers[i] == peer) {
			c->counts[i]++;
			return;
		}
	c->strangers++;
}

static void no_deliver(void *ctx, struct wg_peer *peer, uint8_t *pkt, size_t len) {}

/* A tick visits the peers by their slot in a dense array, and removing a peer moves the
 * last one into its slot: the timers of every peer that stays must still fire on time,
 * none of a removed one, and the device's next deadline must follow. */
TEST(timers_follow_peers_moved_by_removals)
{
	struct world w;
	world_init(&w, 1);
	struct wg_device *dev = w.nodes[0].dev;
	enum { N = 200 };
	struct wg_peer *all[N], *kept[N / 2];
	struct init_count c = { .peers = all, .n = N };
	struct wg_sink sink = { .ctx = &c, .send = count_init, .deliver = no_deliver };
	uint8_t key[32] = { 0 };
	for (int i = 0; i < N; i++) {
		key[0] = (uint8_t)i; key[31] = 0x40;
		all[i] = wg_device_add_peer(dev, key);
		struct wg_endpoint ep;
		set_addr(&ep, "192.0.2.1", (uint16_t)(10000 + i));
		wg_peer_set_endpoint(all[i], &ep);
		if (i >= N / 2) /* the second half: an initiation at once, then retries */
			wg_peer_set_persistent_keepalive(all[i], 25, &sink);
	}
	for (int i = 0; i < N; i++)
		CHECK_EQ(c.counts[i], i >= N / 2);
	/* Remove the first half (no timers), so that the last peers (timers armed) move
	 * into the first slots. */
	for (int i = 0; i < N / 2; i++)
		wg_device_remove_peer(dev, all[i]);
	for (int i = 0; i < N / 2; i++)
		kept[i] = all[N / 2 + i];
	c = (struct init_count){ .peers = kept, .n = N / 2 };
	uint64_t t0 = w.now;
	CHECK(wg_device_next_deadline(dev) <= t0 + S(5) + MS(334));
	/* Each one retries after REKEY_TIMEOUT plus up to 1/3 s of jitter: once by 5.4 s. */
	while (w.now < t0 + MS(5400)) {
		w.now += MS(10);
		if (wg_device_next_deadline(dev) <= w.now)
			wg_device_tick(dev, &sink);
	}
	int once = 0;
	for (int i = 0; i < N / 2; i++)
		once += c.counts[i] == 1;
	CHECK_EQ(once, N / 2);
	CHECK_EQ(c.strangers, 0);
	CHECK(wg_device_next_deadline(dev) > w.now && wg_device_next_deadline(dev) <= w.now + S(5) + MS(334));
	/* Peers that moved are removed in turn (by the slot they moved to): every other one. */
	for (int i = 0; i < N / 2; i += 2)
		wg_device_remove_peer(dev, kept[i]);
	struct wg_peer *odd[N / 4];
	for (int i = 0; i < N / 4; i++)
		odd[i] = kept[2 * i + 1];
	c = (struct init_count){ .peers = odd, .n = N / 4 };
	t0 = w.now;
	while (w.now < t0 + MS(5400)) {
		w.now += MS(10);
		if (wg_device_next_deadline(dev) <= w.now)
			wg_device_tick(dev, &sink);
	}
	once = 0;
	for (int i = 0; i < N / 4; i++)
		once += c.counts[i] == 1;
	CHECK_EQ(once, N / 4);
	CHECK_EQ(c.strangers, 0);
	/* With every peer gone, a tick finds no deadline at all. */
	for (int i = 0; i < N / 4; i++)
		wg_device_remove_peer(dev, odd[i]);
	w.now += S(6);
	wg_device_tick(dev, &sink);
	CHECK(wg_device_next_deadline(dev) == UINT64_MAX);
	CHECK_EQ(c.strangers, 0);
	world_free(&w);
}

/* Every index a node hands out for its peer, as the wire shows it: an initiation's and a
 * response's sender index are the sender's, a response's, cookie's or data message's
 * receiver index the other node's. */
struct indices { uint32_t seen[2][64]; int n[2]; int wire_lane[2]; /* -1: no data seen */ };

static uint32_t le32_at(const uint8_t *p) { return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24; }

static void note_index(struct indices *ix, int node, uint32_t index)
{
	for (int i = 0; i < ix->n[node]; i++)
		if (ix->seen[node][i] == index)
			return;
	if (ix->n[node] < 64)
		ix->seen[node][ix->n[node]++] = index;
}

/* Delivers what is in flight one datagram at a time (what each causes stays in flight
 * until its turn), noting the indices on the way. */
static void deliver_noting(struct world *w, struct indices *ix)
{
	while (w->nnet) {
		const struct dgram *d = &w->net[0];
		int from = d->from_node, other = 1 - from;
		if (d->buf[0] == WG_MSG_INITIATION || d->buf[0] == WG_MSG_RESPONSE)
			note_index(ix, from, le32_at(d->buf + 4));
		if (d->buf[0] == WG_MSG_RESPONSE)
			note_index(ix, other, le32_at(d->buf + 8));
		if (d->buf[0] == WG_MSG_COOKIE || d->buf[0] == WG_MSG_DATA)
			note_index(ix, other, le32_at(d->buf + 4));
		if (d->buf[0] == WG_MSG_DATA)
			ix->wire_lane[other] = d->buf[WG_INDEX_LANE_OFFSET];
		world_deliver_one(w);
	}
}

/* Four sessions of A and B (each rekey after 120 s), noting every index each handed out. */
static void four_sessions(struct world *w, struct indices *ix, bool lanes)
{
	*ix = (struct indices){ .wire_lane = { -1, -1 } };
	setup(w, NULL, NULL);
	struct node *A = &w->nodes[0], *B = &w->nodes[1];
	wg_device_set_index_lanes(A->dev, lanes);
	wg_device_set_index_lanes(B->dev, lanes);
	w->hold = true;
	for (int round = 0; round < 4; round++) {
		node_send(A, "10.0.0.1", "10.0.0.2", 100); /* the send after 120 s rekeys */
		deliver_noting(w, ix);
		node_send(A, "10.0.0.1", "10.0.0.2", 100);
		node_send(B, "10.0.0.2", "10.0.0.1", 100);
		deliver_noting(w, ix);
		w->hold = false;
		world_advance(w, S(121));
		w->hold = true;
	}
	CHECK_EQ(A->sent_init, 4);
	CHECK(ix->n[0] >= 4 && ix->n[1] >= 4); /* a new index for each handshake */
}

/* Whether every index a node handed out has the top byte of its first. */
static bool one_top_byte(const struct indices *ix, int node)
{
	for (int i = 1; i < ix->n[node]; i++)
		if (ix->seen[node][i] >> 24 != ix->seen[node][0] >> 24)
			return false;
	return true;
}

/* A receiver with several sockets steers by the byte at WG_INDEX_LANE_OFFSET: with lanes
 * on it names the same lane in every session of one peer, so a peer's datagrams keep to
 * one socket across rekeys. */
TEST(receiver_indices_keep_the_peer_lane)
{
	struct world w;
	struct indices ix;
	four_sessions(&w, &ix, true);
	for (int node = 0; node < 2; node++) {
		CHECK(one_top_byte(&ix, node));
		CHECK_EQ(ix.wire_lane[node], (int)(ix.seen[node][0] >> 24)); /* what the program reads */
	}
	world_free(&w);
}

/* Without lanes (the default, one socket) all 32 bits are random: the four sessions'
 * top bytes are not all one (by chance 1 in 256^3). */
TEST(receiver_indices_fully_random_without_lanes)
{
	struct world w;
	struct indices ix;
	four_sessions(&w, &ix, false);
	for (int node = 0; node < 2; node++)
		CHECK(!one_top_byte(&ix, node));
	world_free(&w);
}

/* The batch API: prepare under the lock, crypto outside, finish under the lock. */
TEST(batch_api_round_trip_and_retired_session)
{
	struct world w; struct wg_peer *pa;
	setup(&w, &pa, NULL);
	struct node *A = &w.nodes[0], *B = &w.nodes[1];
	node_send(A, "10.0.0.1", "10.0.0.2", 100); /* handshake */
	enum { N = 8 };
	static uint8_t bufs[N][WG_HEADROOM + 256 + WG_TAILROOM];
	struct wg_tx_job tx[N];
	int nj = 0;
	w.hold = true;
	for (int i = 0; i < N; i++) {
		uint8_t *pkt = bufs[i] + WG_HEADROOM;
		make_packet(pkt, "10.0.0.1", "10.0.0.2", 100 + i, (uint8_t)i);
		nj += wg_device_send_prepare(A->dev, pkt, 100 + i, &tx[nj], &A->sink);
	}
	CHECK_EQ(nj, N);
	for (int i = N - 1; i >= 0; i--) /* any order, any thread */
		wg_tx_seal(&tx[i]);
	wg_device_send_finish(A->dev, tx, nj, &A->sink);
	CHECK_EQ(w.nnet, N);
	/* B takes them through its batch API too. */
	struct wg_rx_job rx[N];
	int nr = 0;
	for (int i = 0; i < w.nnet; i++)
		nr += wg_device_receive_prepare(B->dev, &A->addr, w.net[i].buf, w.net[i].len, &rx[nr], &B->sink);
	CHECK_EQ(nr, N);
	for (int i = 0; i < nr; i++)
		wg_rx_open(&rx[i]);
	int before = B->delivered;
	for (int i = 0; i < nr; i++)
		wg_device_receive_finish(B->dev, &rx[i], &B->sink);
	CHECK_EQ(B->delivered, before + N);
	CHECK_EQ(B->last_delivered_len, 100 + N - 1);
	w.nnet = 0;
	/* A job whose session (and peer) goes away between prepare and finish is dropped
	 * without touching freed memory (run under ASan to see). */
	uint8_t *pkt = bufs[0] + WG_HEADROOM;
	make_packet(pkt, "10.0.0.1", "10.0.0.2", 100, 1);
	CHECK(wg_device_send_prepare(A->dev, pkt, 100, &tx[0], &A->sink));
	wg_device_remove_peer(A->dev, pa);
	wg_tx_seal(&tx[0]);
	wg_device_send_finish(A->dev, tx, 1, &A->sink);
	CHECK_EQ(w.nnet, 0);
	world_free(&w);
}

static void seal_job(void *jobs, size_t i) { wg_tx_seal(&((struct wg_tx_job *)jobs)[i]); }
static void open_job(void *jobs, size_t i) { wg_rx_open(&((struct wg_rx_job *)jobs)[i]); }

/* The data plane's arrangement: prepare and finish in order on one thread, the crypto
 * in between shared with helper threads. Every packet arrives, in order, in every round. */
TEST(batch_crypto_shared_with_helpers)
{
	struct world w;
	setup(&w, NULL, NULL);
	struct node *A = &w.nodes[0], *B = &w.nodes[1];
	struct wg_parallel *par = wg_parallel_new(3);
	node_send(A, "10.0.0.1", "10.0.0.2", 100); /* handshake */
	enum { N = 48 };
	static uint8_t bufs[N][WG_HEADROOM + 256 + WG_TAILROOM];
	static struct wg_tx_job tx[N];
	static struct wg_rx_job rx[N];
	CHECK(par != NULL);
	w.hold = true;
	for (int round = 0; round < 50; round++) {
		int nj = 0, nr = 0, before = B->delivered;
		w.nnet = 0;
		for (int i = 0; i < N; i++) {
			uint8_t *pkt = bufs[i] + WG_HEADROOM;
			make_packet(pkt, "10.0.0.1", "10.0.0.2", 100 + i, (uint8_t)(i + round));
			nj += wg_device_send_prepare(A->dev, pkt, 100 + i, &tx[nj], &A->sink);
		}
		wg_parallel_for(par, nj, 4, seal_job, tx);
		wg_device_send_finish(A->dev, tx, nj, &A->sink);
		CHECK_EQ(w.nnet, N);
		for (int i = 0; i < w.nnet; i++)
			nr += wg_device_receive_prepare(B->dev, &A->addr, w.net[i].buf, w.net[i].len, &rx[nr], &B->sink);
		wg_parallel_for(par, nr, 4, open_job, rx);
		for (int i = 0; i < nr; i++) {
			wg_device_receive_finish(B->dev, &rx[i], &B->sink);
			CHECK_EQ(B->last_delivered_len, 100 + i); /* in order */
		}
		CHECK_EQ(B->delivered, before + N);
		if (B->delivered != before + N)
			break;
	}
	wg_parallel_free(par);
	world_free(&w);
}

TEST(replayed_data_packet_dropped)
{
	struct world w;
	setup(&w, NULL, NULL);
	struct node *A = &w.nodes[0], *B = &w.nodes[1];
	node_send(A, "10.0.0.1", "10.0.0.2", 100);
	w.hold = true;
	node_send(A, "10.0.0.1", "10.0.0.2", 100);
	struct dgram d = w.net[w.nnet - 1];
	w.nnet = 0; w.hold = false;
	uint8_t copy[sizeof(d.buf)];
	memcpy(copy, d.buf, d.len);
	int before = B->delivered;
	wg_device_receive(B->dev, &A->addr, d.buf, d.len, &B->sink);
	CHECK_EQ(B->delivered, before + 1);
	wg_device_receive(B->dev, &A->addr, copy, d.len, &B->sink); /* the same datagram again */
	CHECK_EQ(B->delivered, before + 1);
	CHECK_EQ(drops(B, WG_DROP_REPLAY), 1);
	world_free(&w);
}

TEST(responder_peer_never_initiates)
{
	struct world w; struct wg_peer *pa;
	setup(&w, &pa, NULL);
	struct node *A = &w.nodes[0], *B = &w.nodes[1];
	wg_peer_set_responder(pa, true);
	node_send(A, "10.0.0.1", "10.0.0.2", 100);
	world_advance(&w, S(30));
	CHECK_EQ(A->sent_init, 0);
	CHECK_EQ(B->delivered, 0);
	node_send(B, "10.0.0.2", "10.0.0.1", 100); /* the other side starts it: A answers */
	CHECK_EQ(A->sent_resp, 1);
	CHECK_EQ(A->delivered, 1);
	CHECK_EQ(B->delivered, 1); /* A's packet waiting since the start went out with the session */
	node_send(A, "10.0.0.1", "10.0.0.2", 100);
	CHECK_EQ(B->delivered, 2);
	world_advance(&w, S(200)); /* the session is over; A still never initiates */
	node_send(A, "10.0.0.1", "10.0.0.2", 100);
	world_advance(&w, S(30));
	CHECK_EQ(A->sent_init, 0);
	world_free(&w);
}

/* The static-static secret is computed lazily: after a handshake has used it, a new
 * private key on A must give a new one (B, told A's new public key, completes a
 * handshake again), and a key set after the peers were added works from the start. */
TEST(static_secret_follows_private_key)
{
	struct world w;
	world_init(&w, 2);
	struct node *A = &w.nodes[0], *B = &w.nodes[1];
	wg_device_set_private_key(A->dev, NULL); /* peers first, identity later */
	struct wg_peer *pa = node_add_peer(A, B, "10.0.0.2/32", true);
	struct wg_peer *pb = node_add_peer(B, A, "10.0.0.1/32", false);
	wg_device_set_private_key(A->dev, A->priv);
	node_send(A, "10.0.0.1", "10.0.0.2", 100);
	CHECK_EQ(B->delivered, 1);
	/* A gets a new key; B learns the new public key (replacing the peer). */
	uint8_t priv2[WG_KEY_LEN], pub2[WG_KEY_LEN];
	memset(priv2, 0x42, sizeof(priv2));
	wg_x25519_clamp(priv2);
	CHECK(wg_x25519_public(pub2, priv2));
	wg_device_set_private_key(A->dev, priv2);
	memcpy(A->priv, priv2, WG_KEY_LEN);
	memcpy(A->pub, pub2, WG_KEY_LEN);
	wg_device_remove_peer(B->dev, pb);
	node_add_peer(B, A, "10.0.0.1/32", false);
	int inits = A->sent_init;
	node_send(A, "10.0.0.1", "10.0.0.2", 100);
	CHECK(A->sent_init > inits, "a new handshake after the key change");
	CHECK_EQ(B->delivered, 2);
	CHECK(pa != NULL);
	world_free(&w);
}
