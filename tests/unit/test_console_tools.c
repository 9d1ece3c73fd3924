/* The tools through the structured face of the command core (console/exec.h, what REST
 * and the binary API call): /tool/traceroute over loopback answers a row per hop and
 * round, /tool/torch on lo rows with the totals, /tool/sniffer quick rows per packet;
 * their argument errors are the console's. UDP traceroute needs no privilege; torch and
 * the sniffer need CAP_NET_RAW and are only checked for their errors without it. */
#include <unistd.h>
#include "test.h"
#include "test_console_fixture.h"
#include "console/exec.h"
#include "router/auth.h"
#include "router/policy.h"

#define A(n, v) { n, v }

static int exec(struct fx *f, const char *path, const char *cmd, const struct wg_attr *a, size_t n,
		struct wg_result *r)
{
	struct wg_request q = { path, cmd, a, n };
	return wg_session_exec(f->s, &q, r);
}

TEST(traceroute_rows_through_exec)
{
	struct fx *f = fx_new();
	struct wg_result r;
	struct wg_attr a[] = { A("address", "127.0.0.1"), A("protocol", "udp"), A("count", "2"), A("timeout", "500ms") };
	CHECK_EQ(exec(f, "/tool", "traceroute", a, 4, &r), 0);
	CHECK(r.has_rows);
	CHECK_EQ(r.nrows, 2); /* one hop, two rounds */
	if (r.nrows == 2) {
		CHECK(!strcmp(wg_row_get(&r.rows[1], "address"), "127.0.0.1"));
		CHECK(!strcmp(wg_row_get(&r.rows[1], "sent"), "2"));
		CHECK_EQ(strcmp(wg_row_get(&r.rows[1], "loss"), "0%"), 0);
		CHECK(!strcmp(wg_row_get(&r.rows[1], ".section"), "2"));
	}
	wg_result_free(&r);
	fx_free(f);
}

TEST(traceroute_errors)
{
	struct fx *f = fx_new();
	CHECK(fx_run(f, "/tool/traceroute") != 0);
	CHECK(strstr(sb_str(&f->err), "missing value(s) of argument(s) address"));
	CHECK(fx_run(f, "/tool/traceroute 127.0.0.1 max-hops=0") != 0);
	CHECK(strstr(sb_str(&f->err), "invalid value for argument max-hops"));
	CHECK(fx_run(f, "/tool/traceroute 127.0.0.1 src-address=::1") != 0);
	CHECK(fx_run(f, "/tool/traceroute 127.0.0.1 use-dns=maybe") != 0);
	CHECK(strstr(sb_str(&f->err), "invalid value for argument use-dns"));
	CHECK(fx_run(f, "/tool/traceroute 127.0.0.1 bogus=1") != 0);
	CHECK(strstr(sb_str(&f->err), "expected end of command"));
	fx_free(f);
}

TEST(torch_rows_or_errors)
{
	struct fx *f = fx_new();
	struct wg_result r;
	CHECK(fx_run(f, "/tool/torch") != 0);
	CHECK(strstr(sb_str(&f->err), "missing value(s) of argument(s) interface"));
	CHECK(fx_run(f, "/tool/torch lo ip-protocol=nonsense") != 0);
	CHECK(fx_run(f, "/tool/torch lo src-address=300.1.1.1/8") != 0);
	struct wg_attr a[] = { A("interface", "lo"), A("duration", "300ms"), A("freeze-frame-interval", "100ms") };
	int rc = exec(f, "/tool", "torch", a, 3, &r);
	if (geteuid() == 0) {
		CHECK_EQ(rc, 0);
		CHECK(r.nrows >= 2);
		CHECK(r.nrows && wg_row_get(&r.rows[0], "tx") && !strcmp(wg_row_get(&r.rows[0], "total"), "yes"));
	}
	wg_result_free(&r);
	fx_free(f);
}

TEST(sniffer_quick_errors)
{
	struct fx *f = fx_new();
	CHECK(fx_run(f, "/tool/sniffer/quick port=99999") != 0);
	CHECK(strstr(sb_str(&f->err), "invalid value for argument port"));
	CHECK(fx_run(f, "/tool/sniffer/quick ip-address=\"1.2.3.4 or 1\"") != 0);
	CHECK(fx_run(f, "/tool/sniffer/quick interface=no-such-if0 duration=1s") != 0);
	fx_free(f);
}

/* RouterOS's policies: traceroute and torch need test, sniffer quick needs sniff. */
TEST(policies_test_and_sniff)
{
	struct fx *f = fx_new();
	struct wg_result r;
	struct wg_auth_user u = { .id = 1, .name = "viewer", .group = "custom", .door = "rest-api",
				  .policies = WG_POL_READ | WG_POL_REST_API };
	wg_session_set_user(f->s, &u);
	struct wg_attr tr[] = { A("address", "127.0.0.1"), A("protocol", "udp"), A("count", "1") };
	CHECK(exec(f, "/tool", "traceroute", tr, 3, &r) < 0);
	CHECK_EQ(r.status, WG_EXEC_DENIED);
	wg_result_free(&r);
	struct wg_attr to[] = { A("interface", "lo"), A("duration", "100ms") };
	CHECK(exec(f, "/tool", "torch", to, 2, &r) < 0);
	CHECK_EQ(r.status, WG_EXEC_DENIED);
	wg_result_free(&r);
	struct wg_attr q[] = { A("duration", "100ms") };
	CHECK(exec(f, "/tool/sniffer", "quick", q, 1, &r) < 0);
	CHECK_EQ(r.status, WG_EXEC_DENIED);
	wg_result_free(&r);
	CHECK(exec(f, "/tool/sniffer", "start", NULL, 0, &r) < 0);
	wg_result_free(&r);
	u.policies |= WG_POL_TEST;
	wg_session_set_user(f->s, &u);
	CHECK_EQ(exec(f, "/tool", "traceroute", tr, 3, &r), 0);
	CHECK_EQ(r.nrows, 1);
	wg_result_free(&r);
	wg_session_set_user(f->s, NULL);
	fx_free(f);
}
