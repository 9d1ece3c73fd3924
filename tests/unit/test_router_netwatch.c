/* /tool/netwatch's run-time logic (router/menus_netwatch.c) over a fake clock: which
 * items are due and when again, what a probe's result changes (status, since, the log),
 * which scripts it queues for the script thread, and items disabled or removed while a
 * probe runs. The daemon's thread (src/cmd/netwatch.c) only calls these in a loop. */
#include "test.h"
#include "test_console_fixture.h"
#include "router/netwatch.h"
#include "router/scripts.h"

static struct fx *with_items(void)
{
	struct fx *f = fx_new();
	CHECK_EQ(fx_run(f, "/tool/netwatch/add host=192.0.2.7 interval=5s timeout=1s up-script=\":log info up\" "
			   "down-script=\":log info down\" test-script=\":log info tested\"\n"
			   "/tool/netwatch/add host=2001:db8::7 type=tcp-conn port=443 interval=2s disabled=yes\n"), 0);
	return f;
}

static size_t queued(struct fx *f, const char *what)
{
	struct wg_script_job j;
	size_t n = 0;
	while (wg_scripts_take(f->r, &j)) {
		n += strstr(j.source, what) != NULL;
		wg_script_job_free(&j);
	}
	return n;
}

TEST(due_items_and_interval)
{
	struct fx *f = with_items();
	struct wg_netwatch_job j[4];
	CHECK_EQ(wg_netwatch_due(f->r, 1000, j, 4), 1); /* the disabled one is not probed */
	CHECK_EQ(j[0].family, AF_INET);
	CHECK_EQ(j[0].addr[3], 7);
	CHECK(!j[0].tcp);
	CHECK_EQ(j[0].timeout_ms, 1000);
	CHECK_EQ(wg_netwatch_due(f->r, 2000, j, 4), 0); /* still probing */
	wg_netwatch_result(f->r, j[0].id, true, 2000, 1796389500);
	CHECK_EQ(wg_netwatch_due(f->r, 6999, j, 4), 0); /* interval from the probe's end */
	CHECK_EQ(wg_netwatch_due(f->r, 7000, j, 4), 1);
	fx_free(f);
}

TEST(status_since_and_scripts)
{
	struct fx *f = with_items();
	struct wg_netwatch_job j[4];
	wg_netwatch_due(f->r, 1000, j, 4);
	wg_netwatch_result(f->r, j[0].id, true, 1500, 1796389500);
	CHECK(strstr(fx_run_out(f, "/tool/netwatch/print"), "192.0.2.7"));
	CHECK(strstr(fx_run_out(f, "/tool/netwatch/print detail where host=192.0.2.7"), "status=\"up\""));
	CHECK(strstr(fx_run_out(f, "/log/print"), "netwatch: 192.0.2.7 is up"));
	CHECK_EQ(queued(f, ":log info up"), 1);
	wg_netwatch_due(f->r, 7000, j, 4);
	wg_netwatch_result(f->r, j[0].id, true, 7100, 1796389506);
	CHECK_EQ(queued(f, ":log info tested"), 1); /* every probe; no change: no up-script */
	wg_netwatch_due(f->r, 13000, j, 4);
	wg_netwatch_result(f->r, j[0].id, false, 13100, 1796389512);
	CHECK(strstr(fx_run_out(f, "/tool/netwatch/print detail where host=192.0.2.7"), "status=\"down\""));
	CHECK_EQ(queued(f, ":log info down"), 1);
	fx_free(f);
}

TEST(removed_or_disabled_while_probing)
{
	struct fx *f = with_items();
	struct wg_netwatch_job j[4];
	wg_netwatch_due(f->r, 1000, j, 4);
	CHECK_EQ(fx_run(f, "/tool/netwatch/disable [find host=192.0.2.7]"), 0);
	wg_netwatch_result(f->r, j[0].id, false, 1500, 1796389500);
	CHECK_EQ(queued(f, "down"), 0);
	CHECK_EQ(fx_run(f, "/tool/netwatch/remove [find]"), 0);
	CHECK_EQ(wg_netwatch_due(f->r, 99000, j, 4), 0);
	fx_free(f);
}

TEST(bad_items_refused)
{
	struct fx *f = fx_new();
	CHECK(fx_run(f, "/tool/netwatch/add host=192.0.2.1 interval=500ms") != 0);
	CHECK(fx_run(f, "/tool/netwatch/add host=192.0.2.1 interval=2s timeout=3s") != 0);
	CHECK(fx_run(f, "/tool/netwatch/add host=example") != 0);
	CHECK(fx_run(f, "/tool/netwatch/add host=192.0.2.1 type=http") != 0);
	CHECK(strstr(fx_run_out(f, "/tool/netwatch/print count-only"), "0"));
	fx_free(f);
}

TEST(sniffer_settings_checked)
{
	struct fx *f = fx_new();
	CHECK_EQ(fx_run(f, "/tool/sniffer/set filter-ip-address=192.0.2.0/24 filter-port=53 filter-ip-protocol=udp"), 0);
	CHECK(fx_run(f, "/tool/sniffer/set filter-port=\"53 or 1=1\"") != 0);
	CHECK(fx_run(f, "/tool/sniffer/set filter-interface=\"a b\"") != 0);
	CHECK(fx_run(f, "/tool/sniffer/set file-name=/etc/passwd") != 0);
	CHECK(fx_run(f, "/tool/sniffer/set memory-limit=5") != 0);
	const char *p = fx_run_out(f, "/tool/sniffer/print");
	CHECK(strstr(p, "filter-port: 53") && strstr(p, "running: no"), "%s", p);
	fx_free(f);
}
