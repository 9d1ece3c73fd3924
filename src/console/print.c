/* print: the flags legend, then items as a table (menus with columns), as name=value
 * rows (wireguard, peers, firewall), as settings, or detail/terse/as-value/count-only.
 * Numbers shown are remembered for the session so `set 0 ...` means what print showed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "console/interp.h"
#include "router/units.h"
#include "util/clock.h"

/* print interval= bounds; follow looks for new items this often. */
enum { PRINT_MIN_INTERVAL_MS = 100, PRINT_MAX_INTERVAL_MS = 86400000, PRINT_FOLLOW_MS = 500 };

struct popts {
	bool detail, terse, count, as_value, show_ids, stats, sensitive;
	bool follow, follow_only;  /* then new items as they come, until Ctrl-C */
	bool no_header;            /* follow: the items after the first print */
	uint64_t interval_ms;      /* print again every interval until Ctrl-C (0: once) */
	bool only_dynamic, only_static;  /* print dynamic, print static */
	unsigned policies;   /* of the session's user: who may see sensitive values */
	struct strvec proplist;
	struct wg_expr *where;
};

static bool is_flag_prop(const struct wg_menu *m, const char *name)
{
	for (const struct wg_flagdef *f = m->flagdefs; f && f->c; f++)
		if (!strcmp(f->prop, name))
			return true;
	return !strcmp(name, "comment");
}

static void flags_of(const struct wg_menu *m, const struct wg_item *it, char *out)
{
	size_t n = 0;
	for (const struct wg_flagdef *f = m->flagdefs; f && f->c; f++)
		if (streq(wg_view_get(m, it, f->prop), "yes"))
			out[n++] = f->c;
	out[n] = 0;
}

static size_t nflagdefs(const struct wg_menu *m)
{
	size_t n = 0;
	while (m->flagdefs && m->flagdefs[n].c)
		n++;
	return n;
}

static void legend(struct wg_session *s, const struct wg_menu *m)
{
	struct sbuf b;
	if (!nflagdefs(m))
		return;
	sb_init(&b);
	sb_add(&b, "Flags: ");
	for (const struct wg_flagdef *f = m->flagdefs; f->c; f++)
		sb_printf(&b, "%s%c - %s", f == m->flagdefs ? "" : "; ", f->c, f->name);
	sb_addc(&b, '\n');
	wg_outs(s, sb_str(&b));
	sb_free(&b);
}

/* The text of property i as print shows it: human units, (hidden) secrets. */
static const char *shown(const struct wg_menu *m, const struct wg_item *it, int i, const struct popts *o, char *buf, size_t len)
{
	const char *v = wg_item_show(m, it, i);
	enum wg_visibility vis = wg_prop_visibility(&m->props[i], o->policies, o->sensitive);
	if (!v || vis == WG_VIS_NONE)
		return NULL;
	if (vis == WG_VIS_MASKED)
		return "(hidden)";
	enum wg_ptype t = m->props[i].type;
	if (o->stats && !o->as_value && (t == PT_BYTES || t == PT_NUM)) /* 50 507 925 242 */
		return wg_count_format(strtoull(v, NULL, 10), buf, len);
	if (t == PT_BYTES && !o->as_value)
		return wg_bytes_format(strtoull(v, NULL, 10), buf, len);
	uint64_t ms;
	if (t == PT_TIME && wg_time_parse(v, &ms)) /* 59m58s, never 3598s */
		return wg_time_format(ms, buf, len);
	return v;
}

static bool want_prop(const struct wg_menu *m, int i, const struct popts *o)
{
	const struct wg_prop *p = &m->props[i];
	if (o->proplist.n)
		return sv_has(&o->proplist, p->name);
	bool comment_pair = o->terse && !strcmp(p->name, "comment"); /* terse: no ;;; line */
	if ((is_flag_prop(m, p->name) && !comment_pair) || ((p->flags & PF_STATS) && !o->stats))
		return false;
	return o->detail || o->terse || o->as_value || !(p->flags & PF_NOPRINT);
}

static void num_text(const struct wg_item *it, size_t num, const struct popts *o, char *buf)
{
	if (o->show_ids)
		wg_id_format(it->id, buf);
	else
		snprintf(buf, 16, "%zu", num);
}

static void pair(struct sbuf *b, const struct wg_menu *m, int i, const char *v, bool quote)
{
	sb_printf(b, "%s=", m->props[i].name);
	enum wg_ptype t = m->props[i].type;
	wg_quote_value(b, v, quote && !(m->flags & MF_PLAIN) && (t == PT_STR || t == PT_KEY));
}

/* name=value rows (default and detail): wrapped near 80 columns under the first value. */
static void print_pairs(struct wg_session *s, const struct wg_menu *m, const struct wg_item *it, size_t num,
			const struct popts *o)
{
	char nb[16], fl[16], buf[48];
	struct sbuf out, line;
	num_text(it, num, o, nb);
	flags_of(m, it, fl);
	sb_init(&out);
	sb_init(&line);
	int fw = (int)(nflagdefs(m) ? nflagdefs(m) : 1);
	sb_printf(&line, "%2s %-*s ", nb, fw, fl);
	size_t indent = line.len;
	const char *comment = wg_item_get(m, it, "comment");
	if (comment) {
		sb_printf(&line, ";;; %s\n", comment);
		sb_add(&out, sb_str(&line));
		sb_reset(&line);
		sb_printf(&line, "%*s", (int)indent, "");
	}
	size_t start = line.len;
	for (int i = 0; m->props[i].name; i++) {
		const char *v = want_prop(m, i, o) ? shown(m, it, i, o, buf, sizeof(buf)) : NULL;
		if (!v)
			continue;
		struct sbuf p;
		sb_init(&p);
		pair(&p, m, i, v, true);
		if (line.len > start && line.len + p.len + 1 > 79) {
			sb_add(&out, sb_str(&line));
			sb_add(&out, "\n");
			sb_reset(&line);
			sb_printf(&line, "%*s", (int)indent, "");
		} else if (line.len > start) {
			sb_addc(&line, ' ');
		}
		sb_add(&line, sb_str(&p));
		sb_free(&p);
	}
	sb_add(&out, sb_str(&line));
	sb_add(&out, o->detail ? "\n\n" : "\n");
	wg_outs(s, sb_str(&out));
	sb_free(&out);
	sb_free(&line);
}

static void print_terse(struct wg_session *s, const struct wg_menu *m, const struct wg_item *it, size_t num,
			const struct popts *o)
{
	char nb[16], fl[16], buf[48];
	struct sbuf b;
	num_text(it, num, o, nb);
	flags_of(m, it, fl);
	sb_init(&b);
	sb_printf(&b, "%2s %s", nb, fl);
	for (int i = 0; m->props[i].name; i++) {
		const char *v = want_prop(m, i, o) ? shown(m, it, i, o, buf, sizeof(buf)) : NULL;
		if (v) {
			sb_addc(&b, ' ');
			pair(&b, m, i, v, false);
		}
	}
	sb_addc(&b, '\n');
	wg_outs(s, sb_str(&b));
	sb_free(&b);
}

static void as_value(struct wg_call *c, const struct wg_menu *m, const struct wg_item *it, const struct popts *o)
{
	char id[16], buf[48];
	wg_id_format(it->id, id);
	if (c->ret->len)
		sb_addc(c->ret, ';');
	sb_printf(c->ret, ".id=%s", id);
	for (int i = 0; m->props[i].name; i++) {
		const char *v = (!o->proplist.n || sv_has(&o->proplist, m->props[i].name)) ? shown(m, it, i, o, buf, sizeof(buf)) : NULL;
		if (v)
			sb_printf(c->ret, ";%s=%s", m->props[i].name, v);
	}
}

/* ---- tables ---- */

struct table {
	struct strvec cols;   /* property names */
	size_t *width;
	size_t numw;
};

static bool numeric(const struct wg_menu *m, const char *col)
{
	int i = wg_menu_prop(m, col);
	return i >= 0 && (m->props[i].type == PT_INT || m->props[i].type == PT_NUM || m->props[i].type == PT_BYTES);
}

static const char *cell(const struct wg_menu *m, const struct wg_item *it, const char *col, const struct popts *o,
			char *buf, size_t len)
{
	int i = wg_menu_prop(m, col);
	const char *v = i >= 0 ? shown(m, it, i, o, buf, len) : NULL;
	return v ? v : "";
}

static void table_measure(struct table *t, const struct wg_menu *m, struct wg_itemlist *l, const size_t *nums,
			  const struct popts *o)
{
	char buf[48], nb[16], fl[16];
	t->width = xcalloc(t->cols.n + 1, sizeof(size_t));
	t->numw = 1;
	for (size_t c = 0; c < t->cols.n; c++)
		t->width[c] = strlen(t->cols.v[c]);
	for (size_t i = 0; i < l->n; i++) {
		num_text(l->v[i], nums[i], o, nb);
		flags_of(m, l->v[i], fl);
		size_t w = strlen(nb) + 1 + strlen(fl);
		if (w > t->numw)
			t->numw = w;
		for (size_t c = 0; c < t->cols.n; c++) {
			size_t cw = strlen(cell(m, l->v[i], t->cols.v[c], o, buf, sizeof(buf)));
			if (cw > t->width[c])
				t->width[c] = cw;
		}
	}
}

static void upper(struct sbuf *b, const char *s, size_t w)
{
	size_t n = strlen(s);
	for (size_t i = 0; i < n; i++)
		sb_addc(b, (char)(s[i] >= 'a' && s[i] <= 'z' ? s[i] - 32 : s[i]));
	for (; n < w; n++)
		sb_addc(b, ' ');
}

static void table_header(struct sbuf *b, const struct table *t)
{
	sb_add(b, "Columns: ");
	for (size_t c = 0; c < t->cols.n; c++) {
		if (c)
			sb_add(b, ", ");
		upper(b, t->cols.v[c], 0);
	}
	sb_printf(b, "\n%-*s", (int)t->numw + 1, "#");
	for (size_t c = 0; c < t->cols.n; c++) {
		upper(b, t->cols.v[c], c + 1 < t->cols.n ? t->width[c] : 0);
		if (c + 1 < t->cols.n)
			sb_add(b, "  ");
	}
	sb_addc(b, '\n');
}

static void table_row(struct sbuf *b, const struct table *t, const struct wg_menu *m, const struct wg_item *it,
		      size_t num, const struct popts *o)
{
	char nb[16], fl[16], head[40], buf[48];
	num_text(it, num, o, nb);
	flags_of(m, it, fl);
	snprintf(head, sizeof(head), "%s%s%s", nb, fl[0] ? " " : "", fl);
	const char *comment = wg_item_get(m, it, "comment");
	if (comment) {
		sb_printf(b, "%-*s ;;; %s\n", (int)t->numw, head, comment);
		head[0] = 0;
	}
	sb_printf(b, "%-*s ", (int)t->numw, head);
	for (size_t c = 0; c < t->cols.n; c++) {
		const char *v = cell(m, it, t->cols.v[c], o, buf, sizeof(buf));
		bool last = c + 1 == t->cols.n;
		if (numeric(m, t->cols.v[c]))
			sb_printf(b, "%*s", (int)t->width[c], v);
		else
			sb_printf(b, "%-*s", last ? 0 : (int)t->width[c], v);
		if (!last)
			sb_add(b, "  ");
	}
	while (b->len && b->s[b->len - 1] == ' ')
		b->s[--b->len] = 0;
	sb_addc(b, '\n');
}

static void print_table(struct wg_session *s, const struct wg_menu *m, struct wg_itemlist *l, const size_t *nums,
			const struct popts *o)
{
	struct table t = { 0 };
	struct sbuf b;
	static const char *const stats_cols[] = { "chain", "action", "bytes", "packets", NULL };
	const char *const *cols = o->stats ? (m->stats_columns ? m->stats_columns : stats_cols) : m->columns;
	if (o->proplist.n)
		for (size_t i = 0; i < o->proplist.n; i++)
			sv_push(&t.cols, o->proplist.v[i]);
	else
		for (size_t i = 0; cols[i]; i++)
			sv_push(&t.cols, cols[i]);
	table_measure(&t, m, l, nums, o);
	sb_init(&b);
	if (!o->no_header)
		table_header(&b, &t);
	for (size_t i = 0; i < l->n; i++)
		table_row(&b, &t, m, l->v[i], nums[i], o);
	wg_outs(s, sb_str(&b));
	sb_free(&b);
	sv_free(&t.cols);
	free(t.width);
}

void wg_print_rows(struct wg_session *s, const struct wg_menu *m, struct wg_itemlist *l)
{
	struct popts o = { .policies = wg_session_policies(s) };
	size_t *nums = xcalloc(l->n + 1, sizeof(size_t));
	for (size_t i = 0; i < l->n; i++)
		nums[i] = i;
	if (l->n)
		print_table(s, m, l, nums, &o);
	free(nums);
}

static void print_settings(struct wg_session *s, const struct wg_menu *m, const struct wg_item *it, const struct popts *o)
{
	char buf[48];
	size_t w = 0;
	for (int i = 0; m->props[i].name; i++)
		if (want_prop(m, i, o) && strlen(m->props[i].name) > w)
			w = strlen(m->props[i].name);
	for (int i = 0; m->props[i].name; i++) {
		const char *v = want_prop(m, i, o) ? shown(m, it, i, o, buf, sizeof(buf)) : NULL;
		if (v || (want_prop(m, i, o) && !(m->props[i].flags & PF_RO)))
			wg_out(s, "%*s: %s\n", (int)w + 2, m->props[i].name, v ? v : "");
	}
}

static void print_log(struct wg_session *s, const struct wg_menu *m, struct wg_itemlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		wg_out(s, " %s %s %s\n", wg_item_get(m, l->v[i], "time"), wg_item_get(m, l->v[i], "topics"),
		       wg_item_get(m, l->v[i], "message"));
}

/* ---- the command ---- */

static bool has_dynamic(const struct wg_menu *m)
{
	for (const struct wg_flagdef *f = m->flagdefs; f && f->c; f++)
		if (!strcmp(f->prop, "dynamic"))
			return true;
	return false;
}

static bool selected(const struct wg_menu *m, const struct wg_item *it, const struct popts *o)
{
	if ((o->only_dynamic && !it->dynamic) || (o->only_static && it->dynamic))
		return false;
	return !o->where || wg_expr_match(o->where, m, it);
}

static int parse_opts(struct wg_call *c, struct wg_args *a, struct popts *o)
{
	o->detail = wg_arg_flag(a, "detail");
	o->terse = wg_arg_flag(a, "terse");
	wg_arg_flag(a, "brief");
	wg_arg_flag(a, "without-paging");
	o->count = wg_arg_flag(a, "count-only");
	o->as_value = wg_arg_flag(a, "as-value");
	o->show_ids = wg_arg_flag(a, "show-ids");
	o->stats = wg_arg_flag(a, "stats");
	if (has_dynamic(c->menu)) { /* where RouterOS has them: menus with dynamic items */
		wg_arg_flag(a, "all");
		o->only_dynamic = wg_arg_flag(a, "dynamic");
		o->only_static = wg_arg_flag(a, "static");
	}
	o->sensitive = wg_arg_flag(a, "show-sensitive");
	o->policies = wg_session_policies(c->s);
	wg_arg_flag(a, "hide-sensitive");
	o->follow = wg_arg_flag(a, "follow");
	o->follow_only = wg_arg_flag(a, "follow-only");
	const char *iv = wg_arg_value(a, "interval");
	if (iv && (!wg_time_parse(iv, &o->interval_ms) || o->interval_ms < PRINT_MIN_INTERVAL_MS ||
		   o->interval_ms > PRINT_MAX_INTERVAL_MS))
		return wg_err(c->s, "invalid value for argument interval");
	if ((o->follow || o->follow_only || o->interval_ms) && (o->count || o->as_value || !c->top))
		return wg_err(c->s, "interval and follow print to the console only");
	const char *pl = wg_arg_value(a, "proplist");
	if (pl)
		sv_split(&o->proplist, pl, ',');
	if (o->stats && !(c->menu->flags & MF_COUNTERS) && !c->menu->stats_columns)
		return wg_err(c->s, "expected end of command (line %d column %d)", c->line, c->col);
	for (size_t i = 0; i < o->proplist.n; i++)
		if (wg_menu_prop(c->menu, o->proplist.v[i]) < 0)
			return wg_err(c->s, "input does not match any value of proplist");
	size_t where = a->where;
	a->where = (size_t)-1;
	if (wg_args_done(c, a) < 0)
		return -1;
	return where != (size_t)-1 ? wg_expr_parse(c, where, &o->where) : 0;
}

static void emit(struct wg_call *c, const struct wg_menu *m, struct wg_itemlist *sel, const size_t *nums, const struct popts *o)
{
	struct wg_session *s = c->s;
	if (o->count) {
		if (c->top)
			wg_out(s, "%zu\n", sel->n);
		sb_printf(c->ret, "%zu", sel->n);
	} else if (o->as_value) {
		for (size_t i = 0; i < sel->n; i++)
			as_value(c, m, sel->v[i], o);
		if (c->top)
			wg_out(s, "%s\n", sb_str(c->ret));
	} else if (!strcmp(m->path, "/log")) {
		print_log(s, m, sel);
	} else if ((m->flags & MF_SETTINGS) && !o->terse) {
		if (sel->n)
			print_settings(s, m, sel->v[0], o);
	} else if (o->no_header) {
		bool table = (m->columns || o->stats) && !o->detail && !o->terse;
		if (table && sel->n)
			print_table(s, m, sel, nums, o);
		for (size_t i = 0; !table && i < sel->n; i++)
			(o->terse ? print_terse : print_pairs)(s, m, sel->v[i], nums[i], o);
	} else { /* an empty print still has its legend, and a table its header */
		if (!o->terse)
			legend(s, m);
		bool table = (m->columns || o->stats) && !o->detail && !o->terse;
		if (table)
			print_table(s, m, sel, nums, o);
		for (size_t i = 0; !table && i < sel->n; i++)
			(o->terse ? print_terse : print_pairs)(s, m, sel->v[i], nums[i], o);
	}
}

/* One print of the items that match; with after, only those with a greater id (the
 * new ones, for follow), *max_id set to the greatest id seen. */
static void print_once(struct wg_call *c, const struct popts *o, bool only_new, uint32_t after, uint32_t *max_id)
{
	const struct wg_menu *m = c->menu;
	struct wg_itemlist all, sel = { 0 };
	wg_view_items(c->s, m, &all);
	wg_remember_numbers(c->s, m, &all);
	size_t *nums = xcalloc(all.n + 1, sizeof(size_t));
	for (size_t i = 0; i < all.n; i++) {
		uint32_t id = all.v[i]->id;
		if (max_id && id > *max_id)
			*max_id = id;
		if ((only_new && id <= after) || !selected(m, all.v[i], o))
			continue;
		nums[sel.n] = i;
		wg_itemlist_push(&sel, all.v[i]);
	}
	emit(c, m, &sel, nums, o);
	free(nums);
	free(sel.v);
	wg_itemlist_free(m, &all);
}

/* Out of time: Ctrl-C, /cancel, or a script's time limit. */
static bool stop_waiting(struct wg_session *s, unsigned ms)
{
	return wg_wait(s, ms) == 1 || (s->deadline_ms && wg_mono_ms() >= s->deadline_ms);
}

/* print interval=: everything again every interval; print follow / follow-only: the
 * items there (follow), then each new one as it comes. Until Ctrl-C. Nothing of the
 * store is held across a wait: every pass views the items afresh. */
static void print_repeat(struct wg_call *c, struct popts *o)
{
	if (o->interval_ms && !o->follow && !o->follow_only) {
		do
			print_once(c, o, false, 0, NULL);
		while (!stop_waiting(c->s, (unsigned)o->interval_ms));
		return;
	}
	uint32_t seen = 0;
	if (o->follow)
		print_once(c, o, false, 0, &seen);
	else { /* follow-only: what is there now is not shown */
		struct wg_itemlist all;
		wg_view_items(c->s, c->menu, &all);
		for (size_t i = 0; i < all.n; i++)
			seen = all.v[i]->id > seen ? all.v[i]->id : seen;
		wg_itemlist_free(c->menu, &all);
	}
	o->no_header = o->follow;
	unsigned every = o->interval_ms ? (unsigned)o->interval_ms : PRINT_FOLLOW_MS;
	while (!stop_waiting(c->s, every)) {
		uint32_t before = seen;
		print_once(c, o, true, before, &seen);
		o->no_header = true;
	}
}

static int cmd_print(struct wg_call *c)
{
	struct wg_args a;
	struct popts o = { 0 };
	int rc = wg_collect_args(c, &a);
	if (!rc)
		rc = parse_opts(c, &a, &o);
	if (!rc && (o.follow || o.follow_only || o.interval_ms))
		print_repeat(c, &o);
	else if (!rc)
		print_once(c, &o, false, 0, NULL);
	wg_expr_free(o.where);
	sv_free(&o.proplist);
	wg_args_free(&a);
	return rc;
}

const struct wg_cmddef wg_print_cmds[] = {
	{ "print", cmd_print, MF_ITEMS | MF_SETTINGS | MF_VIRTUAL, NULL },
	{ NULL, NULL, 0, NULL },
};
