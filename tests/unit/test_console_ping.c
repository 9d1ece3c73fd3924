/* /ping's formats as RouterOS v7 prints them (times 11ms578us, the columns, the summary)
 * and the echo reply parser (sys/echo.c) on replies, errors and foreign packets. */
#include <netinet/in.h>
#include "console/interp.h"
#include "router/units.h"
#include "sys/echo.h"
#include "test.h"

static const char *rtt(uint64_t us)
{
	static char buf[48];
	return wg_rtt_format(us, buf, sizeof(buf));
}

TEST(rtt_times_in_routeros_v7_form)
{
	CHECK(!strcmp(rtt(11578), "11ms578us"), "%s", rtt(11578));
	CHECK(!strcmp(rtt(578), "578us"), "%s", rtt(578));
	CHECK(!strcmp(rtt(0), "0us"), "%s", rtt(0));
	CHECK(!strcmp(rtt(3000), "3ms"), "%s", rtt(3000));
	CHECK(!strcmp(rtt(1002003), "1s2ms3us"), "%s", rtt(1002003));
}

TEST(ping_lines_in_routeros_columns)
{
	struct sbuf b;
	sb_init(&b);
	wg_ping_header(&b);
	wg_ping_line(&b, 0, "8.8.8.8", "56", "117", "11ms578us", "");
	wg_ping_line(&b, 1, "10.0.0.1", "", "", "", "timeout");
	const char *want = "  SEQ HOST                                     SIZE TTL TIME       STATUS\n"
			   "    0 8.8.8.8                                    56 117 11ms578us\n"
			   "    1 10.0.0.1                                                     timeout\n";
	CHECK(!strcmp(sb_str(&b), want), "\n%s", sb_str(&b));
	/* STATUS starts under its header */
	const char *st = strstr(sb_str(&b), "timeout"), *line = strstr(sb_str(&b), "    1 ");
	CHECK_EQ(st - line, strstr(want, "STATUS") - want);
	sb_free(&b);
}

TEST(ping_summary)
{
	struct sbuf b;
	sb_init(&b);
	wg_ping_summary(&b, 3, 3, 11245, 11393, 11578);
	const char *full = "    sent=3 received=3 packet-loss=0% min-rtt=11ms245us avg-rtt=11ms393us max-rtt=11ms578us\n";
	CHECK(!strcmp(sb_str(&b), full), "%s", sb_str(&b));
	sb_reset(&b);
	wg_ping_summary(&b, 4, 0, 0, 0, 0);
	const char *lost = "    sent=4 received=0 packet-loss=100%\n";
	CHECK(!strcmp(sb_str(&b), lost), "%s", sb_str(&b));
	sb_reset(&b);
	wg_ping_summary(&b, 3, 2, 1000, 1500, 2000);
	const char *third = "packet-loss=33%";
	CHECK(strstr(sb_str(&b), third) != NULL, "%s", sb_str(&b));
	sb_free(&b);
}

/* An IPv4 echo reply from 192.0.2.1, ttl 57, id 0x1234, seq 7, 56 bytes. */
static size_t reply4(uint8_t *p, uint8_t type, uint16_t id, uint16_t seq)
{
	memset(p, 0, 56);
	p[0] = 0x45, p[2] = 0, p[3] = 56, p[8] = 57, p[9] = IPPROTO_ICMP;
	p[12] = 192, p[13] = 0, p[14] = 2, p[15] = 1;
	p[20] = type, p[24] = (uint8_t)(id >> 8), p[25] = (uint8_t)id, p[26] = (uint8_t)(seq >> 8), p[27] = (uint8_t)seq;
	return 56;
}

TEST(echo_parse_replies_and_errors)
{
	uint8_t p[128];
	struct wg_echo_reply r;
	size_t n = reply4(p, 0, 0x1234, 7);
	CHECK_EQ(wg_echo_parse(AF_INET, p, n, 0x1234, -1, &r), 1);
	CHECK_EQ(r.kind, WG_ECHO_REPLY);
	CHECK_EQ(r.seq, 7);
	CHECK_EQ(r.ttl, 57);
	CHECK_EQ(r.size, 56);
	CHECK_EQ(wg_echo_parse(AF_INET, p, n, 0x4321, -1, &r), 0); /* another ping's */
	reply4(p, 8, 0x1234, 7); /* our own request seen on loopback */
	CHECK_EQ(wg_echo_parse(AF_INET, p, n, 0x1234, -1, &r), 0);
	/* fragmentation needed, quoting our request seq 9 */
	uint8_t e[20 + 8 + 28];
	memset(e, 0, sizeof(e));
	e[0] = 0x45, e[3] = sizeof(e), e[8] = 64, e[9] = IPPROTO_ICMP, e[20] = 3, e[21] = 4;
	reply4(p, 8, 0x1234, 9);
	memcpy(e + 28, p, 28);
	CHECK_EQ(wg_echo_parse(AF_INET, e, sizeof(e), 0x1234, -1, &r), 1);
	CHECK_EQ(r.kind, WG_ECHO_TOO_BIG);
	CHECK_EQ(r.seq, 9);
	e[21] = 1; /* host unreachable */
	CHECK_EQ(wg_echo_parse(AF_INET, e, sizeof(e), 0x1234, -1, &r), 1);
	CHECK_EQ(r.kind, WG_ECHO_UNREACHABLE);
	CHECK_EQ(wg_echo_parse(AF_INET, e, sizeof(e) - 1, 0x1234, -1, &r), 0); /* quote cut short */
	/* IPv6: an echo reply and a packet too big */
	uint8_t v6[8 + 48] = { 129, 0, 0, 0, 0x12, 0x34, 0, 5 };
	CHECK_EQ(wg_echo_parse(AF_INET6, v6, 16, 0x1234, 63, &r), 1);
	CHECK_EQ(r.seq, 5);
	CHECK_EQ(r.ttl, 63);
	CHECK_EQ(r.size, 56);
	memset(v6, 0, sizeof(v6));
	v6[0] = 2, v6[8] = 0x60, v6[8 + 6] = IPPROTO_ICMPV6, v6[48] = 128, v6[52] = 0x12, v6[53] = 0x34, v6[55] = 6;
	CHECK_EQ(wg_echo_parse(AF_INET6, v6, sizeof(v6), 0x1234, -1, &r), 1);
	CHECK_EQ(r.kind, WG_ECHO_TOO_BIG);
	CHECK_EQ(r.seq, 6);
	for (size_t i = 0; i < sizeof(v6); i++) /* every cut is refused or read in bounds */
		wg_echo_parse(AF_INET6, v6, i, 0x1234, -1, &r);
}
