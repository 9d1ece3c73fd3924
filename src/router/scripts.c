/* See scripts.h. */
#include "router/scripts.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include "router/menus.h"
#include "router/policy.h"
#include "router/units.h"
#include "router/users.h"

/* Counters of one /system/script or /system/scheduler item, by internal id. */
struct counter {
	const struct wg_menu *menu;
	uint32_t id;
	uint64_t runs;
	uint64_t last;     /* script: last started; scheduler: the time it last looked */
};

struct wg_scripts_rt {
	struct counter *c;
	size_t n, cap;
	struct wg_script_job q[WG_SCRIPT_QUEUE_MAX];
	size_t qn;
	uint32_t next_job;
};

struct wg_scripts_rt *wg_scripts_rt_new(void)
{
	return xcalloc(1, sizeof(struct wg_scripts_rt));
}

void wg_script_job_free(struct wg_script_job *j)
{
	free(j->source);
	free(j->origin);
	memset(j, 0, sizeof(*j));
}

void wg_scripts_rt_free(struct wg_scripts_rt *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->qn; i++)
		wg_script_job_free(&s->q[i]);
	free(s->c);
	free(s);
}

static struct counter *counter_of(struct wg_scripts_rt *s, const struct wg_menu *m, uint32_t id, bool make)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->c[i].menu == m && s->c[i].id == id)
			return &s->c[i];
	if (!make)
		return NULL;
	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 16;
		s->c = xrealloc(s->c, s->cap * sizeof(*s->c));
	}
	s->c[s->n] = (struct counter){ .menu = m, .id = id };
	return &s->c[s->n++];
}

/* ---- timing ---- */

uint64_t wg_sched_next(const struct wg_sched_spec *s, uint64_t after)
{
	if (s->start > after)
		return s->start;
	if (!s->interval)
		return 0;
	return s->start + ((after - s->start) / s->interval + 1) * s->interval;
}

static bool parse_date(const char *d, struct tm *tm)
{
	static const char *const months[] = { "jan", "feb", "mar", "apr", "may", "jun",
					      "jul", "aug", "sep", "oct", "nov", "dec" };
	int y, mo, day, used = 0;
	char mon[4];
	if (sscanf(d, "%4d-%2d-%2d%n", &y, &mo, &day, &used) == 3 && !d[used]) {
		tm->tm_year = y - 1900;
		tm->tm_mon = mo - 1;
		tm->tm_mday = day;
	} else if (sscanf(d, "%3[a-zA-Z]/%2d/%4d%n", mon, &day, &y, &used) == 3 && !d[used]) {
		tm->tm_mon = -1;
		for (int i = 0; i < 12; i++)
			if (!strcasecmp(mon, months[i]))
				tm->tm_mon = i;
		tm->tm_year = y - 1900;
		tm->tm_mday = day;
	} else {
		return false;
	}
	return tm->tm_year >= 70 && tm->tm_year < 1100 && tm->tm_mon >= 0 && tm->tm_mon < 12 && tm->tm_mday >= 1 &&
	       tm->tm_mday <= 31;
}

bool wg_sched_start(const char *date, const char *time, uint64_t started, uint64_t *out)
{
	struct tm tm = { 0 };
	int h, m, sec, used = 0;
	if (time && !strcmp(time, "startup")) {
		*out = started + 3; /* as RouterOS: 3 s after the start */
		return true;
	}
	if (!date || !time || !parse_date(date, &tm))
		return false;
	if (sscanf(time, "%2d:%2d:%2d%n", &h, &m, &sec, &used) != 3 || time[used] || h > 23 || m > 59 || sec > 59 ||
	    h < 0 || m < 0 || sec < 0)
		return false;
	tm.tm_hour = h;
	tm.tm_min = m;
	tm.tm_sec = sec;
	tm.tm_isdst = -1;
	time_t t = mktime(&tm);
	if (t == (time_t)-1)
		return false;
	*out = (uint64_t)t;
	return true;
}

/* ---- the queue ---- */

uint32_t wg_scripts_queue(struct wg_router *r, const char *source, const char *origin, const char *owner,
			  unsigned policies)
{
	struct wg_scripts_rt *s = wg_router_scripts(r);
	if (s->qn == WG_SCRIPT_QUEUE_MAX)
		return 0;
	struct wg_script_job *j = &s->q[s->qn++];
	j->id = ++s->next_job ? s->next_job : ++s->next_job;
	j->source = xstrdup(source);
	j->origin = xstrdup(origin);
	snprintf(j->owner, sizeof(j->owner), "%s", owner ? owner : "");
	j->policies = policies;
	return j->id;
}

bool wg_scripts_take(struct wg_router *r, struct wg_script_job *out)
{
	struct wg_scripts_rt *s = wg_router_scripts(r);
	if (!s->qn)
		return false;
	*out = s->q[0];
	memmove(&s->q[0], &s->q[1], (s->qn - 1) * sizeof(s->q[0]));
	s->qn--;
	return true;
}

/* ---- policies ---- */

/* What the owner's group allows: everything for "" (the local console's items). */
static unsigned owner_policies(const struct wg_store *st, const char *owner)
{
	unsigned pol = 0;
	if (!owner || !*owner)
		return WG_POL_ALL;
	const struct wg_item *u = wg_table_by_name(wg_store_ctable(st, &wg_menu_user), owner);
	if (u && !wg_item_flag(&wg_menu_user, u, "disabled") &&
	    wg_group_policies(st, wg_item_get(&wg_menu_user, u, "group"), &pol))
		return pol;
	return 0;
}

/* The item's policy= ∩ its owner's group. */
static unsigned item_policies(const struct wg_store *st, const struct wg_menu *m, const struct wg_item *it)
{
	unsigned pol = 0;
	const char *text = wg_item_get(m, it, "policy");
	if (!wg_policy_parse(text ? text : "", &pol))
		return 0;
	return pol & owner_policies(st, wg_item_get(m, it, "owner"));
}

int wg_scripts_prepare(struct wg_router *r, const char *name, unsigned runner, char **source, unsigned *policies,
		       char *err, size_t errlen)
{
	const struct wg_store *st = wg_router_store(r);
	const struct wg_item *it = wg_table_by_name(wg_store_ctable(st, &wg_menu_script), name);
	unsigned own = 0;
	if (!it) {
		snprintf(err, errlen, "no such item");
		return -1;
	}
	wg_policy_parse(wg_item_get(&wg_menu_script, it, "policy"), &own);
	if (own & ~runner) { /* RouterOS: the runner must have every policy of the script */
		snprintf(err, errlen, "not enough permissions (9)");
		return -1;
	}
	struct counter *c = counter_of(wg_router_scripts(r), &wg_menu_script, it->id, true);
	c->runs++;
	c->last = (uint64_t)time(NULL);
	const char *src = wg_item_get(&wg_menu_script, it, "source");
	*source = xstrdup(src ? src : "");
	*policies = item_policies(st, &wg_menu_script, it) & runner;
	return 0;
}

/* ---- the scheduler ---- */

static bool spec_of(struct wg_router *r, const struct wg_item *it, struct wg_sched_spec *spec)
{
	const struct wg_menu *m = &wg_menu_scheduler;
	uint64_t ms = 0;
	if (!wg_sched_start(wg_item_get(m, it, "start-date"), wg_item_get(m, it, "start-time"), wg_router_started(r),
			    &spec->start))
		return false;
	wg_time_parse(wg_item_get(m, it, "interval"), &ms);
	spec->interval = ms / 1000;
	return true;
}

/* on-event names a script: that script runs (counted, with its policies too); else
 * on-event is the code itself. */
static void queue_event(struct wg_router *r, const struct wg_item *it)
{
	const struct wg_menu *m = &wg_menu_scheduler;
	const struct wg_store *st = wg_router_store(r);
	const char *ev = wg_item_get(m, it, "on-event"), *name = wg_item_get(m, it, "name");
	unsigned pol = item_policies(st, m, it);
	char *src = NULL, err[64], *origin = xasprintf("scheduler %s", name);
	if (!ev || !*ev)
		goto out;
	if (!wg_table_by_name(wg_store_ctable(st, &wg_menu_script), ev))
		src = xstrdup(ev);
	else if (wg_scripts_prepare(r, ev, pol, &src, &pol, err, sizeof(err)) < 0)
		wg_router_logf(r, "script,error", "%s: script %s: %s", origin, ev, err);
	if (src && !wg_scripts_queue(r, src, origin, wg_item_get(m, it, "owner"), pol))
		wg_router_logf(r, "script,error", "%s: too many scripts waiting, this run skipped", origin);
out:
	free(src);
	free(origin);
}

/* Forgets counters of items that are gone. */
static void prune(struct wg_scripts_rt *s, const struct wg_store *st)
{
	size_t k = 0;
	for (size_t i = 0; i < s->n; i++)
		if (wg_table_by_id(wg_store_ctable(st, s->c[i].menu), s->c[i].id))
			s->c[k++] = s->c[i];
	s->n = k;
}

size_t wg_scripts_tick(struct wg_router *r, uint64_t now)
{
	struct wg_scripts_rt *s = wg_router_scripts(r);
	const struct wg_table *t = wg_store_ctable(wg_router_store(r), &wg_menu_scheduler);
	size_t fired = 0;
	prune(s, wg_router_store(r));
	for (size_t i = 0; i < t->n; i++) {
		struct wg_sched_spec spec;
		struct counter *c = counter_of(s, &wg_menu_scheduler, t->v[i]->id, false);
		if (!c) { /* first seen: from now on */
			c = counter_of(s, &wg_menu_scheduler, t->v[i]->id, true);
			c->last = now - 1;
		}
		if (wg_item_flag(&wg_menu_scheduler, t->v[i], "disabled") || !spec_of(r, t->v[i], &spec))
			continue;
		uint64_t next = wg_sched_next(&spec, c->last);
		c->last = now;
		if (!next || next > now)
			continue;
		c->runs++;
		fired++;
		queue_event(r, t->v[i]);
	}
	return fired;
}

void wg_scripts_script_stats(struct wg_router *r, uint32_t id, uint64_t *runs, uint64_t *last_started)
{
	struct counter *c = counter_of(wg_router_scripts(r), &wg_menu_script, id, false);
	*runs = c ? c->runs : 0;
	*last_started = c ? c->last : 0;
}

void wg_scripts_sched_stats(struct wg_router *r, uint32_t id, uint64_t now, uint64_t *runs, uint64_t *next_run)
{
	const struct wg_table *t = wg_store_ctable(wg_router_store(r), &wg_menu_scheduler);
	const struct wg_item *it = wg_table_by_id(t, id);
	struct counter *c = counter_of(wg_router_scripts(r), &wg_menu_scheduler, id, false);
	struct wg_sched_spec spec;
	*runs = c ? c->runs : 0;
	*next_run = 0;
	if (it && !wg_item_flag(&wg_menu_scheduler, it, "disabled") && spec_of(r, it, &spec))
		*next_run = wg_sched_next(&spec, c && c->last > now ? c->last : now);
}
