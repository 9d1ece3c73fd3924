/* /system/script and /system/scheduler: the stored scripts and when to run what. The
 * counters (run-count, last-started, next-run) and the running are in scripts.c; the
 * console language runs the code (src/console/cmd_script.c, the daemon's script thread). */
#include <string.h>
#include <time.h>
#include "router/menus.h"
#include "router/scripts.h"
#include "router/units.h"

/* RouterOS's default policy of a new script or scheduler item. */
#define DEFAULT_POLICY "ftp,reboot,read,write,policy,test,password,sniff,sensitive,romon"

static void set_count(char **vals, const struct wg_menu *m, const char *name, uint64_t n)
{
	char buf[24];
	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)n);
	xset(&vals[wg_menu_prop(m, name)], buf);
}

/* ---- /system/script ---- */

static const struct wg_prop script_props[] = {
	{ "name", PT_STR, PF_REQUIRED | PF_UNIQUE, NULL, NULL, 0, 0 },
	{ "owner", PT_STR, PF_RO, NULL, NULL, 0, 0 },
	{ "policy", PT_ENUMS, 0, DEFAULT_POLICY, wg_policy_words, 0, 0 },
	{ "source", PT_STR, 0, "", NULL, 0, 0 },
	P_COMMENT,
	{ "run-count", PT_NUM, PF_RO | PF_RUNTIME, NULL, NULL, 0, 0 },
	{ "last-started", PT_STR, PF_RO | PF_RUNTIME, NULL, NULL, 0, 0 },
	P_END,
};

static void script_runtime(struct wg_router *r, const struct wg_menu *m, const struct wg_item *it, char **vals)
{
	uint64_t runs, last;
	char buf[32];
	wg_scripts_script_stats(r, it->id, &runs, &last);
	set_count(vals, m, "run-count", runs);
	if (last) {
		wg_datetime_format(last, buf, sizeof(buf));
		xset(&vals[wg_menu_prop(m, "last-started")], buf);
	}
}

static int script_check(struct wg_vctx *v, struct wg_item *it)
{
	const char *src = wg_item_get(v->menu, it, "source");
	if (src && strlen(src) > 65536) /* bounded like every input; RouterOS allows 64 KiB too */
		return wg_fail(v, "failure: source longer than 64 KiB");
	return 0;
}

const struct wg_menu wg_menu_script = {
	.path = "/system/script", .flags = MF_ITEMS, .props = script_props, .name_prop = "name",
	.check = script_check, .runtime = script_runtime,
};

/* ---- /system/scheduler ---- */

static const struct wg_prop sched_props[] = {
	{ "name", PT_STR, PF_REQUIRED | PF_UNIQUE, NULL, NULL, 0, 0 },
	{ "start-date", PT_STR, 0, NULL, NULL, 0, 0 },
	{ "start-time", PT_STR, 0, NULL, NULL, 0, 0 },
	{ "interval", PT_TIME, 0, "0s", NULL, 0, 0 },
	{ "on-event", PT_STR, 0, "", NULL, 0, 0 },
	{ "owner", PT_STR, PF_RO, NULL, NULL, 0, 0 },
	{ "policy", PT_ENUMS, 0, DEFAULT_POLICY, wg_policy_words, 0, 0 },
	P_DISABLED,
	P_COMMENT,
	{ "run-count", PT_NUM, PF_RO | PF_RUNTIME, NULL, NULL, 0, 0 },
	{ "next-run", PT_STR, PF_RO | PF_RUNTIME, NULL, NULL, 0, 0 },
	P_END,
};
static const struct wg_flagdef sched_flags[] = { { 'X', "disabled", "disabled" }, { 0, NULL, NULL } };
static const char *const sched_cols[] = { "name", "start-date", "start-time", "interval", "on-event", "run-count",
					  NULL };

/* As RouterOS: an item added without a start runs from now on. */
static int sched_on_add(struct wg_vctx *v, struct wg_item *it)
{
	time_t now = time(NULL);
	struct tm tm;
	char buf[16];
	localtime_r(&now, &tm);
	if (!wg_item_get(v->menu, it, "start-date")) {
		strftime(buf, sizeof(buf), "%Y-%m-%d", &tm);
		wg_item_set(v->menu, it, "start-date", buf);
	}
	if (!wg_item_get(v->menu, it, "start-time")) {
		strftime(buf, sizeof(buf), "%H:%M:%S", &tm);
		wg_item_set(v->menu, it, "start-time", buf);
	}
	return 0;
}

static int sched_check(struct wg_vctx *v, struct wg_item *it)
{
	uint64_t t;
	const char *date = wg_item_get(v->menu, it, "start-date"), *time = wg_item_get(v->menu, it, "start-time");
	const char *ev = wg_item_get(v->menu, it, "on-event");
	if (!time || (strcmp(time, "startup") && !wg_sched_start(date ? date : "1970-01-01", time, 0, &t)))
		return wg_fail(v, "invalid value for argument start-time");
	if (strcmp(time, "startup") && !wg_sched_start(date, "00:00:00", 0, &t))
		return wg_fail(v, "invalid value for argument start-date");
	if (ev && strlen(ev) > 65536)
		return wg_fail(v, "failure: on-event longer than 64 KiB");
	return 0;
}

static void sched_runtime(struct wg_router *r, const struct wg_menu *m, const struct wg_item *it, char **vals)
{
	uint64_t runs, next;
	char buf[32];
	wg_scripts_sched_stats(r, it->id, (uint64_t)time(NULL), &runs, &next);
	set_count(vals, m, "run-count", runs);
	if (next) {
		wg_datetime_format(next, buf, sizeof(buf));
		xset(&vals[wg_menu_prop(m, "next-run")], buf);
	}
}

const struct wg_menu wg_menu_scheduler = {
	.path = "/system/scheduler", .flags = MF_ITEMS, .props = sched_props, .columns = sched_cols,
	.flagdefs = sched_flags, .name_prop = "name", .on_add = sched_on_add, .check = sched_check,
	.runtime = sched_runtime,
};
