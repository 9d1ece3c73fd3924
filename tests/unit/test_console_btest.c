/* /tool/bandwidth-test's arguments (each refused with RouterOS's message before anything
 * connects), /tool/bandwidth-server's settings, and /user's btest-password: accepted,
 * never shown, given to the bandwidth server only for an enabled user of a group with
 * the test policy, from an allowed address. The tests themselves run in
 * tests/netns/test_router_btest.sh. */
#include "test.h"
#include "test_console_fixture.h"
#include "router/btest.h"
#include "router/policy.h"

static void expect_error(const char *cmd, const char *msg)
{
	struct fx *f = fx_new();
	int rc = fx_run(f, cmd);
	CHECK(rc != 0, "for %s", cmd);
	if (strcmp(fx_err(f), msg))
		test_fail(__FILE__, __LINE__, "%s: error \"%s\", want \"%s\"", cmd, fx_err(f), msg);
	fx_free(f);
}

TEST(bandwidth_test_arguments_refused)
{
	expect_error("/tool/bandwidth-test", "missing value(s) of argument(s) address\n");
	expect_error("/tool/bandwidth-test address=host.example", "invalid value for argument address\n");
	expect_error("/tool/bandwidth-test 192.0.2.1 protocol=sctp", "invalid value for argument protocol\n");
	expect_error("/tool/bandwidth-test 192.0.2.1 direction=sideways", "invalid value for argument direction\n");
	expect_error("/tool/bandwidth-test 192.0.2.1 tcp-connection-count=21",
		     "invalid value for argument tcp-connection-count\n");
	expect_error("/tool/bandwidth-test 192.0.2.1 local-udp-tx-size=20", "invalid value for argument local-udp-tx-size\n");
	expect_error("/tool/bandwidth-test 192.0.2.1 remote-tx-speed=5G", "invalid value for argument remote-tx-speed\n");
	expect_error("/tool/bandwidth-test 192.0.2.1 interval=10s", "invalid value for argument interval\n");
	expect_error("/tool/bandwidth-test 192.0.2.1 duration=2d", "invalid value for argument duration\n");
	expect_error("/tool/bandwidth-test 192.0.2.1 random-data=maybe", "invalid value for argument random-data\n");
	expect_error("/tool/bandwidth-test 192.0.2.1 colour=blue", "expected end of command (line 1 column 32)\n");
}

TEST(bandwidth_server_settings)
{
	struct fx *f = fx_new();
	const char *out = fx_run_out(f, "/tool/bandwidth-server/print");
	CHECK(strstr(out, "enabled: no") && strstr(out, "authenticate: yes") &&
	      strstr(out, "allocate-udp-ports-from: 2000") && strstr(out, "max-sessions: 100"), "%s", out);
	CHECK(fx_run(f, "/tool/bandwidth-server/set max-sessions=0") != 0);
	CHECK_EQ(fx_run(f, "/tool/bandwidth-server/set enabled=yes authenticate=no max-sessions=5"), 0);
	struct wg_btest_settings st;
	wg_btest_settings_get(wg_router_store(f->r), &st);
	CHECK(st.enabled && !st.authenticate && st.max_sessions == 5 && st.udp_from == 2000);
	char *exp = fx_export(f, NULL);
	CHECK(strstr(exp, "/tool bandwidth-server\nset authenticate=no enabled=yes max-sessions=5") != NULL, "%s", exp);
	free(exp);
	fx_free(f);
}

TEST(btest_password_hidden_and_checked)
{
	struct fx *f = fx_new();
	char pw[64];
	CHECK_EQ(fx_run(f, "/user/group/add name=notest policy=read,write,api\n"
			   "/user/add name=bt group=full btest-password=\"s3cret\" address=192.0.2.0/24\n"
			   "/user/add name=nt group=notest btest-password=\"other\"\n"
			   "/user/add name=none group=full password=\"login-password\""), 0);
	char *exp = fx_export(f, "show-sensitive");
	const char *detail = fx_run_out(f, "/user/print detail");
	CHECK(!strstr(exp, "s3cret") && !strstr(detail, "s3cret") && !strstr(detail, "btest"), "%s", detail);
	free(exp);
	const struct wg_store *st = wg_router_store(f->r);
	CHECK(wg_btest_user_secret(st, "bt", "192.0.2.9", pw, sizeof(pw)) && !strcmp(pw, "s3cret"));
	CHECK(!wg_btest_user_secret(st, "bt", "198.51.100.1", pw, sizeof(pw)), "address not allowed");
	CHECK(!wg_btest_user_secret(st, "nt", "192.0.2.9", pw, sizeof(pw)), "group without test");
	CHECK(!wg_btest_user_secret(st, "none", "192.0.2.9", pw, sizeof(pw)), "login password is not one");
	CHECK(!wg_btest_user_secret(st, "ghost", "192.0.2.9", pw, sizeof(pw)));
	CHECK_EQ(fx_run(f, "/user/set bt disabled=yes"), 0);
	CHECK(!wg_btest_user_secret(wg_router_store(f->r), "bt", "192.0.2.9", pw, sizeof(pw)), "disabled");
	CHECK_EQ(fx_run(f, "/user/set bt disabled=no btest-password=\"new-one\""), 0);
	CHECK(wg_btest_user_secret(wg_router_store(f->r), "bt", "192.0.2.9", pw, sizeof(pw)) && !strcmp(pw, "new-one"));
	fx_free(f);
}

/* RouterOS's test policy runs it (the read group has it); without it, no. */
TEST(bandwidth_test_needs_the_test_policy)
{
	struct fx *f = fx_new();
	struct wg_auth_user reader = { .id = 1, .name = "r", .group = "read", .door = "api",
				       .policies = WG_POL_READ | WG_POL_TEST | WG_POL_API };
	struct wg_auth_user other = { .id = 2, .name = "o", .group = "g", .door = "api",
				      .policies = WG_POL_READ | WG_POL_WRITE | WG_POL_API };
	wg_session_set_user(f->s, &reader);
	fx_run(f, "/tool/bandwidth-test 192.0.2.1 protocol=sctp");
	CHECK(!strcmp(fx_err(f), "invalid value for argument protocol\n"), "%s", fx_err(f));
	wg_session_set_user(f->s, &other);
	fx_run(f, "/tool/bandwidth-test 192.0.2.1 protocol=sctp");
	CHECK(!strcmp(fx_err(f), "not enough permissions (9)\n"), "%s", fx_err(f));
	wg_session_set_user(f->s, NULL);
	fx_free(f);
}
