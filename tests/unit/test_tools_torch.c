/* src/tools/torch.c's accounting: flows grouped by the properties given, both directions
 * of a conversation on one row, filters, the totals, the bound on flows, the order. */
#include <sys/socket.h>
#include "test.h"
#include "tools/torch.h"

/* An IPv4 TCP packet a -> b, ports sp -> dp. */
static void tcp4(uint8_t *p, uint8_t a, uint8_t b, uint16_t sp, uint16_t dp)
{
	memset(p, 0, 40);
	p[0] = 0x45;
	p[3] = 40;
	p[8] = 64;
	p[9] = 6;
	uint8_t src[4] = { 192, 0, 2, a }, dst[4] = { 203, 0, 113, b };
	memcpy(p + 12, src, 4);
	memcpy(p + 16, dst, 4);
	p[20] = (uint8_t)(sp >> 8); p[21] = (uint8_t)sp;
	p[22] = (uint8_t)(dp >> 8); p[23] = (uint8_t)dp;
}

static struct wg_torch_filter any(unsigned by)
{
	struct wg_torch_filter f = { .by = by, .port = -1, .ip_proto = -1 };
	return f;
}

TEST(totals_only_without_properties)
{
	struct wg_torch_table t = { 0 };
	struct wg_torch_filter f = any(0);
	uint8_t p[40];
	tcp4(p, 1, 2, 40000, 5201);
	wg_torch_account(&t, &f, 0x0800, p, 40, 1500, true);
	wg_torch_account(&t, &f, 0x0800, p, 40, 60, false);
	CHECK_EQ(t.n, 0);
	CHECK_EQ(t.total.tx_bytes, 1500);
	CHECK_EQ(t.total.rx_bytes, 60);
	CHECK_EQ(t.total.tx_pkts + t.total.rx_pkts, 2);
	wg_torch_table_free(&t);
}

TEST(both_directions_share_a_row)
{
	struct wg_torch_table t = { 0 };
	struct wg_torch_filter f = any(WG_TORCH_BY_SRC | WG_TORCH_BY_DST | WG_TORCH_BY_PORT);
	f.src.family = f.dst.family = AF_INET; /* 0.0.0.0/0: group, no filter */
	uint8_t out[40], back[40];
	tcp4(out, 1, 2, 40000, 5201);
	/* the answer: from 203.0.113.2:5201 to 192.0.2.1:40000, as received */
	memcpy(back, out, 40);
	memcpy(back + 12, out + 16, 4);
	memcpy(back + 16, out + 12, 4);
	back[20] = out[22]; back[21] = out[23]; back[22] = out[20]; back[23] = out[21];
	wg_torch_account(&t, &f, 0x0800, out, 40, 1000, true);
	wg_torch_account(&t, &f, 0x0800, back, 40, 52, false);
	CHECK_EQ(t.n, 1);
	CHECK_EQ(t.v[0].tx_bytes, 1000);
	CHECK_EQ(t.v[0].rx_bytes, 52);
	CHECK_EQ(t.v[0].sport, 40000);
	CHECK_EQ(t.v[0].dport, 5201);
	CHECK_EQ(t.v[0].src[3], 1);
	wg_torch_table_free(&t);
}

TEST(filters_and_grouping)
{
	struct wg_torch_table t = { 0 };
	struct wg_torch_filter f = any(WG_TORCH_BY_DST);
	f.dst.family = AF_INET;
	uint8_t net[4] = { 203, 0, 113, 0 };
	memcpy(f.dst.addr, net, 4);
	f.dst.len = 30; /* .0 - .3 */
	f.port = 80;
	uint8_t p[40];
	tcp4(p, 1, 2, 1234, 80);
	wg_torch_account(&t, &f, 0x0800, p, 40, 100, true);
	tcp4(p, 5, 2, 1235, 80);
	wg_torch_account(&t, &f, 0x0800, p, 40, 100, true);   /* same dst: same row */
	tcp4(p, 1, 9, 1234, 80);
	wg_torch_account(&t, &f, 0x0800, p, 40, 100, true);   /* outside the dst filter */
	tcp4(p, 1, 3, 1234, 443);
	wg_torch_account(&t, &f, 0x0800, p, 40, 100, true);   /* another port */
	uint8_t arp[28] = { 0 };
	wg_torch_account(&t, &f, 0x0806, arp, 28, 28, false); /* not IP: fails the dst filter */
	CHECK_EQ(t.n, 1);
	CHECK_EQ(t.v[0].tx_pkts, 2);
	CHECK_EQ(t.total.tx_pkts, 2);
	wg_torch_table_free(&t);
}

TEST(bounded_and_sorted)
{
	struct wg_torch_table t = { 0 };
	struct wg_torch_filter f = any(WG_TORCH_BY_PORT);
	uint8_t p[40];
	for (unsigned i = 0; i < WG_TORCH_MAX_FLOWS + 10; i++) {
		tcp4(p, 1, 2, (uint16_t)(1000 + i), 80);
		wg_torch_account(&t, &f, 0x0800, p, 40, 100 + (i == 7 ? 900 : 0), true);
	}
	CHECK_EQ(t.n, WG_TORCH_MAX_FLOWS);
	CHECK_EQ(t.total.tx_pkts, WG_TORCH_MAX_FLOWS + 10);
	wg_torch_sort(&t);
	CHECK_EQ(t.v[0].sport, 1007);
	wg_torch_table_free(&t);
}
