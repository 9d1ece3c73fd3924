/* /system/clock: the host's time and date, and the daemon's time zone. time, date and
 * gmt-offset are read from the host at print; time-zone-name is configuration: the
 * daemon's TZ (what /log, last-started, next-run and the scheduler's start times are
 * read in). Unset, the host's zone applies. The host's clock itself is not set from
 * here: the host keeps it (NTP). */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "router/apply.h"
#include "router/menus.h"

#define ZONEINFO "/usr/share/zoneinfo"

static const struct wg_prop clock_props[] = {
	{ "time", PT_STR, PF_RO | PF_RUNTIME, NULL, NULL, 0, 0 },
	{ "date", PT_STR, PF_RO | PF_RUNTIME, NULL, NULL, 0, 0 },
	{ "time-zone-name", PT_STR, 0, NULL, NULL, 0, 0 },
	{ "gmt-offset", PT_STR, PF_RO | PF_RUNTIME, NULL, NULL, 0, 0 },
	P_END,
};

/* A zone of the host's tz database: Area/City words, no "..", a regular file. */
static bool zone_exists(const char *name)
{
	struct stat sb;
	if (!name[0] || strlen(name) > 64 || name[0] == '/' || strstr(name, ".."))
		return false;
	for (const char *p = name; *p; p++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_+-/", *p))
			return false;
	char *path = xasprintf(ZONEINFO "/%s", name);
	bool ok = stat(path, &sb) == 0 && S_ISREG(sb.st_mode);
	free(path);
	return ok;
}

static int clock_check(struct wg_vctx *v, struct wg_item *it)
{
	const char *tz = wg_item_get(v->menu, it, "time-zone-name");
	if (tz && !zone_exists(tz))
		return wg_fail(v, "invalid value for argument time-zone-name");
	return 0;
}

/* The host's zone: $TZ as the daemon started, else /etc/localtime's link target. */
static void host_zone(char *buf, size_t len)
{
	static const char prefix[] = ZONEINFO "/";
	char link[256];
	ssize_t n = readlink("/etc/localtime", link, sizeof(link) - 1);
	const char *zone = "UTC";
	if (n > 0) {
		link[n] = 0;
		zone = strncmp(link, prefix, strlen(prefix)) ? link : link + strlen(prefix);
	}
	snprintf(buf, len, "%.*s", (int)len - 1, zone);
}

static void clock_runtime(struct wg_router *r, const struct wg_menu *m, const struct wg_item *it, char **vals)
{
	time_t now = time(NULL);
	struct tm tm;
	char buf[64];
	localtime_r(&now, &tm);
	strftime(buf, sizeof(buf), "%H:%M:%S", &tm);
	xset(&vals[wg_menu_prop(m, "time")], buf);
	strftime(buf, sizeof(buf), "%Y-%m-%d", &tm);
	xset(&vals[wg_menu_prop(m, "date")], buf);
	long off = tm.tm_gmtoff < 0 ? -tm.tm_gmtoff : tm.tm_gmtoff;
	snprintf(buf, sizeof(buf), "%c%02ld:%02ld", tm.tm_gmtoff < 0 ? '-' : '+', off / 3600, off / 60 % 60);
	xset(&vals[wg_menu_prop(m, "gmt-offset")], buf);
	if (!wg_item_get(m, it, "time-zone-name")) {
		host_zone(buf, sizeof(buf));
		xset(&vals[wg_menu_prop(m, "time-zone-name")], buf);
	}
}

const struct wg_menu wg_menu_clock = {
	.path = "/system/clock", .flags = MF_SETTINGS, .props = clock_props, .check = clock_check,
	.runtime = clock_runtime,
};

/* TZ is changed only here, with the router lock held, and only when the setting
 * changed; the daemon's other threads do not read the environment. */
void wg_clock_apply(struct wg_router *r, const struct wg_store *st)
{
	static char applied[80];
	static bool saved;
	static char *host_tz;
	const struct wg_table *t = wg_store_ctable(st, &wg_menu_clock);
	const char *tz = t->n ? wg_item_get(&wg_menu_clock, t->v[0], "time-zone-name") : NULL;
	(void)r;
	if (!saved) {
		host_tz = getenv("TZ") ? xstrdup(getenv("TZ")) : NULL;
		saved = true;
	}
	if (!strcmp(applied, tz ? tz : ""))
		return;
	snprintf(applied, sizeof(applied), "%s", tz ? tz : "");
	if (tz)
		setenv("TZ", tz, 1);
	else if (host_tz)
		setenv("TZ", host_tz, 1);
	else
		unsetenv("TZ");
	tzset();
}
