/* src/tools: the packet and ICMP parsers on hand-built packets (the errors a traceroute
 * gets back and what they quote), and a hop's statistics and their text as RouterOS's
 * traceroute prints them. */
#include <sys/socket.h>
#include "test.h"
#include "tools/pkt.h"
#include "tools/trace.h"

static size_t ip4(uint8_t *b, uint8_t proto, const uint8_t *payload, size_t n, const char *src, const char *dst)
{
	uint8_t h[20] = { 0x45, 0, (uint8_t)((20 + n) >> 8), (uint8_t)(20 + n), 0, 1, 0, 0, 64, proto };
	memcpy(b, h, 20);
	test_unhex(b + 12, 4, src);
	test_unhex(b + 16, 4, dst);
	memcpy(b + 20, payload, n);
	return 20 + n;
}

TEST(time_exceeded_quotes_the_echo)
{
	uint8_t echo[16] = { 8, 0, 0, 0, 0x12, 0x34, 0x00, 0x41 }, inner[64], icmp[96], pkt[128];
	size_t ni = ip4(inner, 1, echo, sizeof(echo), "c0000201", "cb007102");
	uint8_t hdr[8] = { 11, 0 };
	memcpy(icmp, hdr, 8);
	memcpy(icmp + 8, inner, ni);
	size_t n = ip4(pkt, 1, icmp, 8 + ni, "c6336402", "c0000201");
	struct wg_icmp_msg m;
	CHECK_EQ(wg_icmp_parse(AF_INET, pkt, n, &m), 0);
	CHECK_EQ(m.kind, WG_ICMP_TIME_EXCEEDED);
	CHECK(m.quotes_echo);
	CHECK_EQ(m.id, 0x1234);
	CHECK_EQ(m.seq, 0x41);
	CHECK_MEM(m.inner_dst, "\xcb\x00\x71\x02", 4);
	/* cut inside the quoted echo header: an error, but not one for our probe */
	CHECK_EQ(wg_icmp_parse(AF_INET, pkt, n - 12, &m), 0);
	CHECK(!m.quotes_echo);
	/* cut inside the outer IP header: not an ICMP message at all */
	CHECK_EQ(wg_icmp_parse(AF_INET, pkt, 19, &m), -1);
}

TEST(port_unreachable_quotes_udp)
{
	uint8_t udp[10] = { 0x9c, 0x40, 0x82, 0x9b, 0, 10, 0, 0, 0, 7 }, inner[64], icmp[96], pkt[128];
	size_t ni = ip4(inner, 17, udp, sizeof(udp), "c0000201", "cb007102");
	uint8_t hdr[8] = { 3, 3 };
	memcpy(icmp, hdr, 8);
	memcpy(icmp + 8, inner, ni);
	size_t n = ip4(pkt, 1, icmp, 8 + ni, "cb007102", "c0000201");
	struct wg_icmp_msg m;
	CHECK_EQ(wg_icmp_parse(AF_INET, pkt, n, &m), 0);
	CHECK_EQ(m.kind, WG_ICMP_UNREACH);
	CHECK(m.quotes_udp);
	CHECK_EQ(m.sport, 40000);
	CHECK_EQ(m.dport, 33435);
	CHECK(!strcmp(wg_trace_status(AF_INET, &m), "port unreachable"));
}

TEST(icmpv6_echo_reply_and_errors)
{
	uint8_t reply[8] = { 129, 0, 0, 0, 0xab, 0xcd, 0, 3 };
	struct wg_icmp_msg m;
	CHECK_EQ(wg_icmp_parse(AF_INET6, reply, sizeof(reply), &m), 0);
	CHECK_EQ(m.kind, WG_ICMP_ECHO_REPLY);
	CHECK_EQ(m.id, 0xabcd);
	CHECK_EQ(m.seq, 3);
	uint8_t big[8] = { 2, 0 };
	CHECK_EQ(wg_icmp_parse(AF_INET6, big, sizeof(big), &m), 0);
	CHECK_EQ(m.kind, WG_ICMP_TOO_BIG);
	CHECK(!strcmp(wg_trace_status(AF_INET6, &m), "fragmentation needed"));
	CHECK_EQ(wg_icmp_parse(AF_INET6, big, 7, &m), -1);
}

TEST(ipv6_extension_headers_and_ports)
{
	uint8_t p[40 + 8 + 20] = { 0x60, 0, 0, 0, 0, 28, 0 /* hop-by-hop */, 64 };
	p[40] = 6; /* then TCP */
	p[48] = 0x01; p[49] = 0xbb; p[50] = 0xc3; p[51] = 0x50;
	struct wg_pkt k;
	CHECK_EQ(wg_pkt_parse(p, sizeof(p), &k), 0);
	CHECK_EQ(k.proto, 6);
	CHECK_EQ(k.l4_off, 48);
	CHECK(k.has_ports);
	CHECK_EQ(k.sport, 443);
	CHECK_EQ(k.dport, 50000);
	CHECK_EQ(k.total_len, 68);
	CHECK_EQ(wg_pkt_parse(p, 39, &k), -1);
}

TEST(protocol_names)
{
	char buf[16];
	CHECK(!strcmp(wg_ip_proto_name(17, buf), "udp"));
	CHECK(!strcmp(wg_ip_proto_name(200, buf), "200"));
	CHECK_EQ(wg_ip_proto_parse("tcp"), 6);
	CHECK_EQ(wg_ip_proto_parse("ipv6-icmp"), 58);
	CHECK_EQ(wg_ip_proto_parse("256"), -1);
	CHECK_EQ(wg_ip_proto_parse("bogus"), -1);
}

TEST(hop_statistics_text)
{
	struct wg_trace_hop h = { 0 };
	uint8_t a[16] = { 192, 0, 2, 2 };
	char loss[24], last[24], avg[24], best[24], worst[24], sd[24];
	for (int i = 0; i < 3; i++)
		wg_trace_hop_sent(&h);
	wg_trace_hop_answer(&h, AF_INET, a, 1.0);
	wg_trace_hop_answer(&h, AF_INET, a, 3.0);
	wg_trace_hop_lost(&h);
	wg_trace_hop_text(&h, loss, last, avg, best, worst, sd);
	CHECK_EQ(strcmp(loss, "33.3%"), 0);
	CHECK(!strcmp(last, "timeout"), "%s", last);
	CHECK(!strcmp(avg, "2.0"), "%s", avg);
	CHECK(!strcmp(best, "1.0"), "%s", best);
	CHECK(!strcmp(worst, "3.0"), "%s", worst);
	CHECK(!strcmp(sd, "1.0"), "%s", sd);
	wg_trace_hop_sent(&h);
	wg_trace_hop_answer(&h, AF_INET, a, 150.0);
	wg_trace_hop_text(&h, loss, last, avg, best, worst, sd);
	CHECK_EQ(strcmp(loss, "25%"), 0);
	CHECK(!strcmp(last, "150ms"), "%s", last);
	CHECK(!strcmp(worst, "150"), "%s", worst);
}

TEST(silent_hop_text)
{
	struct wg_trace_hop h = { 0 };
	char loss[24], last[24], avg[24], best[24], worst[24], sd[24];
	wg_trace_hop_sent(&h);
	wg_trace_hop_lost(&h);
	wg_trace_hop_text(&h, loss, last, avg, best, worst, sd);
	CHECK_EQ(strcmp(loss, "100%"), 0);
	CHECK(!strcmp(last, "timeout"));
	CHECK(!avg[0] && !best[0] && !worst[0] && !sd[0]);
}
