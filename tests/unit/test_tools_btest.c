/* The btest codec (src/tools/btest_proto.c): the MD5 check vector of reference/btest.md,
 * the 16-byte command both ways (the bytes RouterOS sends for the common tests), the
 * server's words, the status message, the UDP port and sequence numbers, loss counting
 * and the rates as RouterOS prints them. */
#include "test.h"
#include "tools/btest_proto.h"

TEST(md5_check_vector)
{
	uint8_t ch[16], want[16], got[16];
	test_unhex(ch, sizeof(ch), "ad32d6f94d28161625f2f390bb895637");
	test_unhex(want, sizeof(want), "3c968565bc0314f281a6da1571cf7255");
	CHECK_EQ(wg_bt_auth_digest("test", ch, got), 0);
	CHECK_MEM(got, want, 16);
	CHECK(wg_bt_auth_verify("test", ch, want));
	CHECK(!wg_bt_auth_verify("tesT", ch, want));
	CHECK(!wg_bt_auth_verify("", ch, want));
}

TEST(auth_reply_carries_the_user_zero_padded)
{
	uint8_t ch[16] = { 1, 2, 3 }, msg[WG_BT_AUTH_LEN], digest[16];
	char user[WG_BT_USER_MAX + 1];
	CHECK_EQ(wg_bt_auth_encode("admin", "secret", ch, msg), 0);
	CHECK_EQ(wg_bt_auth_decode(msg, user, digest), 0);
	CHECK(!strcmp(user, "admin"));
	CHECK(wg_bt_auth_verify("secret", ch, digest));
	CHECK_EQ(msg[16 + 5], 0);
	CHECK(wg_bt_auth_encode("a-name-longer-than-thirty-two-bytes", "x", ch, msg) < 0);
	msg[16 + 10] = 'x'; /* a byte after the name's end */
	CHECK(wg_bt_auth_decode(msg, user, digest) < 0);
}

TEST(command_bytes_as_routeros_sends_them)
{
	struct wg_bt_cmd c = { .proto = WG_BT_UDP, .dir = WG_BT_DIR_RX, .random = false, .conns = 1,
			       .udp_size = 1500, .remote_tx = 0x01020304, .local_tx = 1000000 };
	uint8_t out[16], want[16];
	wg_bt_cmd_encode(&c, out);
	test_unhex(want, sizeof(want), "00020100dc05000004030201" "40420f00");
	CHECK_MEM(out, want, 16);
	struct wg_bt_cmd d;
	CHECK_EQ(wg_bt_cmd_decode(&d, out), 0);
	CHECK_EQ(d.proto, WG_BT_UDP);
	CHECK_EQ(d.dir, WG_BT_DIR_RX);
	CHECK(!d.random);
	CHECK_EQ(d.conns, 1);
	CHECK_EQ(d.udp_size, 1500);
	CHECK_EQ(d.remote_tx, 0x01020304);
	CHECK_EQ(d.local_tx, 1000000);
	c = (struct wg_bt_cmd){ .proto = WG_BT_TCP, .dir = WG_BT_DIR_BOTH, .random = true, .conns = 20 };
	wg_bt_cmd_encode(&c, out);
	test_unhex(want, sizeof(want), "0103001400800000" "0000000000000000");
	CHECK_MEM(out, want, 16);
	CHECK_EQ(wg_bt_cmd_decode(&d, out), 0);
	CHECK(d.random);
	CHECK_EQ(d.conns, 20);
}

TEST(command_refused_when_no_test_can_run)
{
	struct wg_bt_cmd d;
	uint8_t in[16];
	test_unhex(in, sizeof(in), "0201010000800000" "0000000000000000"); /* protocol 2 */
	CHECK(wg_bt_cmd_decode(&d, in) < 0);
	test_unhex(in, sizeof(in), "0104010000800000" "0000000000000000"); /* direction 4 */
	CHECK(wg_bt_cmd_decode(&d, in) < 0);
	test_unhex(in, sizeof(in), "0001010010000000" "0000000000000000"); /* UDP size 16 */
	CHECK(wg_bt_cmd_decode(&d, in) < 0);
	test_unhex(in, sizeof(in), "0101011500800000" "0000000000000000"); /* 21 connections */
	CHECK(wg_bt_cmd_decode(&d, in) < 0);
}

TEST(directions_per_side)
{
	struct wg_bt_cmd c = { .dir = WG_BT_DIR_TX };
	CHECK(wg_bt_sends(&c, 0) && !wg_bt_receives(&c, 0));
	CHECK(!wg_bt_sends(&c, 1) && wg_bt_receives(&c, 1));
	c.dir = WG_BT_DIR_BOTH;
	CHECK(wg_bt_sends(&c, 0) && wg_bt_sends(&c, 1) && wg_bt_receives(&c, 0) && wg_bt_receives(&c, 1));
}

TEST(server_words_and_join_token)
{
	uint8_t w[4], msg[16];
	uint16_t t;
	wg_bt_word_encode(WG_BT_W_OK, 0x1234, w);
	CHECK_EQ(wg_bt_word_decode(w, &t), WG_BT_W_OK);
	CHECK_EQ(t, 0x1234);
	CHECK(w[0] == 1 && w[1] == 0x12 && w[2] == 0x34 && w[3] == 0);
	wg_bt_word_encode(WG_BT_W_MD5, 0x1234, w);
	CHECK(w[0] == 2 && !w[1] && !w[2] && !w[3]);
	const uint8_t bad[4] = { 3, 1, 0, 0 }, bad2[4] = { 4, 0, 0, 0 };
	CHECK(wg_bt_word_decode(bad, &t) < 0);
	CHECK(wg_bt_word_decode(bad2, &t) < 0);
	wg_bt_join_encode(0x0a0b, msg);
	CHECK_EQ(wg_bt_join_token(msg), 0x0a0b);
}

TEST(status_message)
{
	uint8_t m[12], want[12];
	struct wg_bt_status s = { .seq = 1, .bytes = 45362624 }, d;
	wg_bt_status_encode(&s, m);
	test_unhex(want, sizeof(want), "0700000001000000" "c02db402");
	CHECK_MEM(m, want, 12);
	CHECK_EQ(wg_bt_status_decode(&d, m), 0);
	CHECK_EQ(d.seq, 1);
	CHECK_EQ(d.bytes, 45362624);
	m[0] = 6;
	CHECK(wg_bt_status_decode(&d, m) < 0);
}

TEST(udp_port_and_sequence)
{
	uint8_t p[2], dg[8] = { 0 };
	wg_bt_port_encode(2001, p);
	CHECK(p[0] == 0x07 && p[1] == 0xd1);
	CHECK_EQ(wg_bt_port_decode(p), 2001);
	struct wg_bt_loss l = { 0 };
	const uint32_t seqs[] = { 5, 6, 9, 8, 10 }; /* 7 lost, 8 late */
	for (size_t i = 0; i < 5; i++) {
		wg_bt_seq_put(dg, seqs[i]);
		CHECK_EQ(wg_bt_loss_update(&l, dg, sizeof(dg)), 0);
	}
	CHECK(dg[3] == 10 && dg[0] == 0);
	CHECK_EQ(l.lost, 1);
	CHECK(wg_bt_loss_update(&l, dg, 3) < 0);
	struct wg_bt_loss w = { 0 }; /* the last number, then the counter wraps: no gap */
	wg_bt_seq_put(dg, 0xffffffffu);
	wg_bt_loss_update(&w, dg, sizeof(dg));
	wg_bt_seq_put(dg, 7);
	wg_bt_loss_update(&w, dg, sizeof(dg));
	CHECK_EQ(w.lost, 0);
}

TEST(rates_as_routeros_prints_them)
{
	char b[32];
	CHECK(!strcmp(wg_bt_rate_format(0, b, sizeof(b)), "0bps"));
	CHECK(!strcmp(wg_bt_rate_format(640, b, sizeof(b)), "640bps"));
	CHECK(!strcmp(wg_bt_rate_format(512000, b, sizeof(b)), "512.0kbps"));
	CHECK(!strcmp(wg_bt_rate_format(94200000, b, sizeof(b)), "94.2Mbps"));
	CHECK(!strcmp(wg_bt_rate_format(1100000000, b, sizeof(b)), "1.1Gbps"));
}
