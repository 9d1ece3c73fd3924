/* /system/script and /system/scheduler (router/scripts.c, console/cmd_script.c): when a
 * scheduler item is due (a table over a fake clock), what a tick queues and what the
 * queued script does when run, the policies a script runs with, :execute, and the bounds
 * on a script. The daemon's thread (src/cmd/scheduler.c) only calls these in a loop. */
#include <time.h>
#include "test.h"
#include "test_console_fixture.h"
#include "router/policy.h"
#include "router/scripts.h"
#include "router/users.h"
#include "console/exec.h"

TEST(sched_next_table)
{
	static const struct { uint64_t start, interval, after, want; } t[] = {
		{ 1000, 0, 999, 1000 },  /* once, not yet */
		{ 1000, 0, 1000, 0 },    /* once, done */
		{ 1000, 10, 500, 1000 }, /* before the first */
		{ 1000, 10, 1000, 1010 },
		{ 1000, 10, 1005, 1010 },
		{ 1000, 10, 1010, 1020 },
		{ 1000, 10, 1999, 2000 },
		{ 1000, 86400, 1000 + 3 * 86400 + 1, 1000 + 4 * 86400 },
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct wg_sched_spec s = { t[i].start, t[i].interval };
		CHECK_EQ(wg_sched_next(&s, t[i].after), t[i].want);
	}
}

TEST(sched_start_parses_routeros_dates)
{
	uint64_t a, b, c;
	setenv("TZ", "UTC", 1);
	tzset();
	CHECK(wg_sched_start("2026-12-04", "13:05:00", 0, &a));
	CHECK_EQ(a, 1796389500);
	CHECK(wg_sched_start("dec/04/2026", "13:05:00", 0, &b));
	CHECK_EQ(a, b);
	CHECK(wg_sched_start(NULL, "startup", 5000, &c));
	CHECK_EQ(c, 5003);
	CHECK(!wg_sched_start("2026-13-01", "00:00:00", 0, &a));
	CHECK(!wg_sched_start("2026-12-04", "24:00:00", 0, &a));
	CHECK(!wg_sched_start("2026-12-04", "1:2", 0, &a));
	CHECK(!wg_sched_start("2026-12-04x", "00:00:00", 0, &a));
}

/* Scheduler times in UTC, whatever the host's zone; t0: 2026-12-04 10:00:00. */
static uint64_t utc_t0(void)
{
	uint64_t t0 = 0;
	setenv("TZ", "UTC", 1);
	tzset();
	CHECK(wg_sched_start("2026-12-04", "10:00:00", 0, &t0));
	return t0;
}

/* Runs what the tick queued as the daemon's thread would; returns how many ran. */
static int run_queued(struct fx *f)
{
	struct wg_script_job j;
	int n = 0;
	while (wg_scripts_take(f->r, &j)) {
		wg_session_run_script(f->r, j.source, j.owner, j.policies, fx_out, f, NULL);
		wg_script_job_free(&j);
		n++;
	}
	return n;
}

static size_t log_count(struct fx *f, const char *what)
{
	fx_run(f, "/log/print");
	size_t n = 0;
	for (const char *p = fx_last(f); (p = strstr(p, what)); p++)
		n++;
	return n;
}

TEST(scheduler_runs_on_its_interval_with_a_fake_clock)
{
	struct fx *f = fx_new();
	uint64_t t0 = utc_t0();
	CHECK_EQ(fx_run(f, "/system/script/add name=beat source=\":log info beat\""), 0);
	CHECK_EQ(fx_run(f, "/system/scheduler/add name=s1 start-date=2026-12-04 start-time=10:00:00 interval=10s "
			   "on-event=beat"), 0);
	CHECK_EQ(wg_scripts_tick(f->r, t0 - 5), 0);   /* first seen before its start */
	CHECK_EQ(wg_scripts_tick(f->r, t0), 1);
	CHECK_EQ(run_queued(f), 1);
	CHECK_EQ(log_count(f, "script,info beat"), 1);
	CHECK_EQ(wg_scripts_tick(f->r, t0 + 5), 0);
	CHECK_EQ(wg_scripts_tick(f->r, t0 + 10), 1);
	CHECK_EQ(wg_scripts_tick(f->r, t0 + 45), 1);  /* three missed runs: one run */
	CHECK_EQ(run_queued(f), 2);
	CHECK_EQ(log_count(f, "script,info beat"), 3);
	fx_run(f, "/system/script/print");
	CHECK(strstr(fx_last(f), "run-count=3"), "%s", fx_last(f));
	fx_run(f, "/system/scheduler/print detail");
	CHECK(strstr(fx_last(f), "run-count=3"), "%s", fx_last(f));
	CHECK_EQ(fx_run(f, "/system/scheduler/disable s1"), 0);
	CHECK_EQ(wg_scripts_tick(f->r, t0 + 50), 0);
	fx_free(f);
}

TEST(scheduler_inline_code_and_errors_are_logged_not_fatal)
{
	struct fx *f = fx_new();
	uint64_t t0 = utc_t0();
	CHECK_EQ(fx_run(f, "/system/scheduler/add name=bad start-date=2026-12-04 start-time=10:00:00 interval=1s "
			   "on-event=\"/no/such print\""), 0);
	CHECK_EQ(wg_scripts_tick(f->r, t0 - 1), 0);
	CHECK_EQ(wg_scripts_tick(f->r, t0), 1);
	CHECK_EQ(run_queued(f), 1);
	CHECK(strstr(fx_err(f), "bad command name"), "%s", fx_err(f));
	CHECK_EQ(fx_run(f, "/system/identity/print"), 0); /* the router goes on */
	CHECK_EQ(fx_run(f, "/system/scheduler/add name=x start-time=25:00:00"), -1);
	CHECK(strstr(fx_err(f), "invalid value for argument start-time"));
	CHECK_EQ(fx_run(f, "/system/scheduler/add name=x start-date=2026-02-31x start-time=startup"), 0);
	fx_free(f);
}

static struct wg_auth_user as_user(const char *name, const char *group)
{
	struct wg_auth_user u = { 0 };
	snprintf(u.name, sizeof(u.name), "%s", name);
	snprintf(u.group, sizeof(u.group), "%s", group);
	snprintf(u.door, sizeof(u.door), "api");
	wg_group_policies(wg_router_store(fx_cur->r), group, &u.policies);
	return u;
}

TEST(script_runs_with_its_policy_and_its_owner_s)
{
	struct fx *f = fx_new();
	CHECK_EQ(fx_run(f, "/user/add name=alice group=write password=pw1"), 0);
	struct wg_auth_user alice = as_user("alice", "write");
	wg_session_set_user(f->s, &alice);
	/* alice (no `policy` policy) writes a script that adds a user */
	CHECK_EQ(fx_run(f, "/system/script/add name=mkuser policy=read,write,policy source=\"/user/add name=eve group=full "
			   "password=x\""), 0);
	wg_session_set_user(f->s, NULL);
	fx_run(f, "/system/script/print");
	CHECK(strstr(fx_last(f), "owner=\"alice\"") || strstr(fx_last(f), "owner=alice"), "%s", fx_last(f));
	/* run by the local console (root): still no more than alice may */
	CHECK_EQ(fx_run(f, "/system/script/run mkuser"), -1);
	CHECK(strstr(fx_err(f), "not enough permissions"), "%s", fx_err(f));
	fx_run(f, "/user/print");
	CHECK(!strstr(fx_last(f), "eve"));
	/* the local console's own script: runs with its policy */
	CHECK_EQ(fx_run(f, "/system/script/add name=mine source=\"/system/identity/set name=r2\""), 0);
	CHECK_EQ(fx_run(f, "/system/script/run mine"), 0);
	CHECK(strstr(fx_run_out(f, "/system/identity/print"), "r2"));
	/* a read-only runner lacks the script's write policy: refused before it runs */
	CHECK_EQ(fx_run(f, "/user/add name=rob group=read password=pw2"), 0);
	struct wg_auth_user rob = as_user("rob", "read");
	wg_session_set_user(f->s, &rob);
	CHECK_EQ(fx_run(f, "/system/script/run mine"), -1);
	CHECK(strstr(fx_err(f), "not enough permissions"), "%s", fx_err(f));
	fx_free(f);
}

TEST(execute_queues_for_the_script_thread)
{
	struct fx *f = fx_new();
	struct wg_script_job j;
	CHECK_EQ(fx_run(f, ":put [:execute \":log info from-execute\"]"), 0);
	CHECK(atoi(fx_last(f)) > 0, "%s", fx_last(f));
	CHECK(wg_scripts_take(f->r, &j));
	CHECK(!strcmp(j.source, ":log info from-execute"));
	CHECK_EQ(j.policies, WG_POL_ALL);
	wg_script_job_free(&j);
	CHECK(!wg_scripts_take(f->r, &j));
	CHECK_EQ(fx_run(f, ":execute script=\":log info x\" file=out.txt"), -1);
	for (int i = 0; i < WG_SCRIPT_QUEUE_MAX; i++)
		fx_run(f, ":execute \":put x\"");
	CHECK_EQ(fx_run(f, ":execute \":put x\""), -1);
	CHECK(strstr(fx_err(f), "too many scripts"), "%s", fx_err(f));
	fx_free(f);
}

TEST(script_is_bounded)
{
	struct fx *f = fx_new();
	CHECK_EQ(fx_run(f, "/system/script/add name=self source=\"/system/script/run self\""), 0);
	CHECK_EQ(fx_run(f, "/system/script/run self"), -1);
	CHECK(strstr(fx_err(f), "too deep"), "%s", fx_err(f));
	struct wg_session *s = wg_session_new(f->r, fx_out, f);
	wg_session_set_limits(s, 60000, 3);
	sb_reset(&f->err);
	CHECK_EQ(wg_session_run(s, ":put 1; :put 2; :put 3; :put 4"), -1);
	CHECK(strstr(fx_err(f), "too long"), "%s", fx_err(f));
	wg_session_free(s);
	fx_free(f);
}

TEST(run_and_scheduler_through_the_structured_door)
{
	struct fx *f = fx_new();
	struct wg_result res = { 0 };
	CHECK_EQ(fx_run(f, "/system/script/add name=hi source=\":put \\\"hi there\\\"\""), 0);
	struct wg_attr id = { ".id", "*1" };
	struct wg_request q = { "/system/script", "run", &id, 1 };
	CHECK_EQ(wg_session_exec(f->s, &q, &res), 0);
	CHECK(res.status == WG_EXEC_OK && res.text && strstr(res.text, "hi there"), "%s", res.error ? res.error : "");
	wg_result_free(&res);
	struct wg_request p = { "/system/scheduler", "add", (struct wg_attr[]){ { "name", "s" }, { "interval", "1m" },
										   { "on-event", "hi" } }, 3 };
	CHECK_EQ(wg_session_exec(f->s, &p, &res), 0);
	CHECK(res.status == WG_EXEC_OK);
	wg_result_free(&res);
	fx_free(f);
}
