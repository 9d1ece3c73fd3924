/* libFuzzer harness for the btest codec (src/tools/btest_proto.c), what a server reads
 * from any client and a client from any server. The input is cut into the messages in
 * turn: a 16-byte command, a 4-byte server word, a 48-byte login reply, a 12-byte
 * status, then UDP datagrams (a length byte, then that many bytes) for loss counting.
 * Properties, besides no crash or undefined behaviour:
 * - a command that decodes encodes to bytes that decode to the same command;
 * - a word that decodes encodes to the same 4 bytes;
 * - a login reply that decodes gives a name of at most 32 printable-or-high bytes that
 *   a client's encoding puts back in the same place, and the digest it carried;
 * - a status that decodes round-trips its fields;
 * - lost packets never exceed the sum of the gaps between sequence numbers;
 * - every rate prints as digits with bps, kbps, Mbps or Gbps. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tools/btest_proto.h"

#define FAIL(...) do { fprintf(stderr, __VA_ARGS__); fputc('\n', stderr); abort(); } while (0)

static void check_cmd(const uint8_t *in)
{
	struct wg_bt_cmd c, d;
	uint8_t out[WG_BT_CMD_LEN];
	if (wg_bt_cmd_decode(&c, in) < 0)
		return;
	wg_bt_cmd_encode(&c, out);
	if (wg_bt_cmd_decode(&d, out) < 0)
		FAIL("an encoded command does not decode");
	if (c.proto == WG_BT_TCP)
		c.udp_size = d.udp_size; /* a TCP command always carries 0x8000 there */
	if (memcmp(&c, &d, sizeof(c)))
		FAIL("command changed in a round trip");
}

static void check_word(const uint8_t *in)
{
	uint16_t t;
	uint8_t out[WG_BT_WORD_LEN];
	int w = wg_bt_word_decode(in, &t);
	if (w < -1 || w > WG_BT_W_SRP)
		FAIL("word kind %d", w);
	if (w < 0)
		return;
	wg_bt_word_encode((enum wg_bt_word)w, t, out);
	if (memcmp(in, out, sizeof(out)))
		FAIL("word changed in a round trip");
}

static void check_auth(const uint8_t *in)
{
	char user[WG_BT_USER_MAX + 1];
	uint8_t digest[16], again[WG_BT_AUTH_LEN], ch[16] = { 0 };
	if (wg_bt_auth_decode(in, user, digest) < 0)
		return;
	size_t n = strlen(user);
	if (n > WG_BT_USER_MAX || memcmp(digest, in, 16))
		FAIL("login reply fields");
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)user[i] < ' ')
			FAIL("control character in a user name");
	if (wg_bt_auth_encode(user, "pw", ch, again) < 0 || memcmp(again + 16, in + 16, WG_BT_USER_MAX))
		FAIL("user name does not round-trip");
}

static void check_status(const uint8_t *in)
{
	struct wg_bt_status s, t;
	uint8_t out[WG_BT_STATUS_LEN];
	if (wg_bt_status_decode(&s, in) < 0)
		return;
	wg_bt_status_encode(&s, out);
	if (wg_bt_status_decode(&t, out) < 0 || s.seq != t.seq || s.bytes != t.bytes)
		FAIL("status changed in a round trip");
}

static void check_rate(uint64_t bps)
{
	char buf[40], unit[8];
	double v;
	wg_bt_rate_format(bps, buf, sizeof(buf));
	if (sscanf(buf, "%lf%7s", &v, unit) != 2 || (strcmp(unit, "bps") && strcmp(unit, "kbps") &&
						      strcmp(unit, "Mbps") && strcmp(unit, "Gbps")))
		FAIL("rate text %s", buf);
}

static void check_loss(const uint8_t *data, size_t size)
{
	struct wg_bt_loss l = { 0 };
	uint64_t gaps = 0;
	uint32_t prev = 0;
	bool any = false;
	while (size) {
		size_t n = data[0];
		data++, size--;
		n = n < size ? n : size;
		if (wg_bt_loss_update(&l, data, n) == 0) {
			uint32_t seq = (uint32_t)data[0] << 24 | (uint32_t)data[1] << 16 | (uint32_t)data[2] << 8 | data[3];
			if (any && seq > prev + 1ull)
				gaps += seq - prev - 1ull;
			if (!any || seq >= prev)
				prev = seq;
			any = true;
		}
		data += n, size -= n;
	}
	if (l.lost > gaps)
		FAIL("lost %llu > gaps %llu", (unsigned long long)l.lost, (unsigned long long)gaps);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t buf[WG_BT_CMD_LEN + WG_BT_WORD_LEN + WG_BT_AUTH_LEN + WG_BT_STATUS_LEN] = { 0 };
	size_t head = size < sizeof(buf) ? size : sizeof(buf);
	uint64_t bps = 0;
	memcpy(buf, data, head);
	check_cmd(buf);
	check_word(buf + WG_BT_CMD_LEN);
	check_auth(buf + WG_BT_CMD_LEN + WG_BT_WORD_LEN);
	check_status(buf + WG_BT_CMD_LEN + WG_BT_WORD_LEN + WG_BT_AUTH_LEN);
	memcpy(&bps, buf, sizeof(bps));
	check_rate(bps);
	check_loss(data + head, size - head);
	return 0;
}

#include "standalone.h"
