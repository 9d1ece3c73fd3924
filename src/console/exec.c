/* See exec.h. A request becomes the token list the lexer would have made of
 *   numbers name="value" !other
 * (values as strings, so nothing in them is ever evaluated), and runs through the same
 * dispatch as a console line; its output is captured instead of sent. */
#include "console/exec.h"
#include <stdlib.h>
#include <string.h>
#include "console/interp.h"
#include "router/menus.h"
#include "router/policy.h"

enum { FOLLOW_MS = 500 };

/* ---- the request as tokens ---- */

static void push_tok(struct wg_tok **v, size_t *n, enum wg_tok_type type, const char *text, bool space)
{
	*v = xrealloc(*v, (*n + 1) * sizeof(**v));
	(*v)[*n] = (struct wg_tok){ .type = type, .text = xstrdup(text ? text : ""), .line = 1,
				    .col = (int)*n + 1, .space = space };
	(*n)++;
}

static bool is_numbers(const char *name)
{
	return !strcmp(name, ".id") || !strcmp(name, "numbers");
}

/* The item reference comes first (the console's unnamed argument), then name="value"
 * pairs and !name for unset. */
static void request_tokens(const struct wg_request *q, struct wg_tok **t, size_t *n)
{
	*t = NULL;
	*n = 0;
	for (size_t i = 0; i < q->nattrs; i++)
		if (is_numbers(q->attrs[i].name) && q->attrs[i].value)
			push_tok(t, n, TK_STR, q->attrs[i].value, true);
	for (size_t i = 0; i < q->nattrs; i++) {
		const struct wg_attr *a = &q->attrs[i];
		if (is_numbers(a->name))
			continue;
		if (!a->value) {
			push_tok(t, n, TK_NOT, "!", true);
			push_tok(t, n, TK_WORD, a->name, false);
			continue;
		}
		push_tok(t, n, TK_WORD, a->name, true);
		push_tok(t, n, TK_EQ, "=", false);
		push_tok(t, n, TK_STR, a->value, false);
	}
}

static void free_tokens(struct wg_tok *t, size_t n)
{
	for (size_t i = 0; i < n; i++)
		xfree_secret(t[i].text); /* values may be keys */
	free(t);
}

/* ---- output capture ---- */

struct capture {
	struct sbuf text, err;
};

static void capture_out(void *ctx, int stream, const char *text, size_t len)
{
	struct capture *c = ctx;
	sb_addn(stream == 2 ? &c->err : &c->text, text, len);
}

static char *error_text(struct capture *c)
{
	while (c->err.len && c->err.s[c->err.len - 1] == '\n')
		c->err.s[--c->err.len] = '\0';
	return c->err.len ? xstrdup(c->err.s) : xstrdup("failure");
}

static enum wg_exec_error classify(const char *msg)
{
	if (!strcmp(msg, "no such item") || strstr(msg, "no such item"))
		return WG_EXEC_NO_SUCH_ITEM;
	if (!strncmp(msg, "not enough permissions", 22))
		return WG_EXEC_DENIED;
	return WG_EXEC_FAILED;
}

/* ---- print as rows ---- */

static enum wg_vkind kind_of(const struct wg_prop *p)
{
	return p->type == PT_BOOL ? WG_V_BOOL : p->type == PT_TIME ? WG_V_TIME : WG_V_TEXT;
}

static void row_add(struct wg_row *r, const char *name, const char *value, enum wg_vkind k)
{
	wg_row_add(r, name, value, (int)k);
}

/* Every property that has a value, secrets only for users allowed to see them; the
 * pseudo properties .id and dynamic as RouterOS's API shows them. */
static void item_row(struct wg_session *s, const struct wg_menu *m, const struct wg_item *it, struct wg_row *r)
{
	bool sensitive = wg_session_policies(s) & WG_POL_SENSITIVE;
	char id[16];
	memset(r, 0, sizeof(*r));
	if (!(m->flags & MF_SETTINGS)) {
		wg_id_format(it->id, id);
		row_add(r, ".id", id, WG_V_TEXT);
	}
	for (int i = 0; m->props[i].name; i++) {
		const struct wg_prop *p = &m->props[i];
		const char *v = wg_item_show(m, it, i);
		if (!v || (p->flags & PF_HIDDEN) || ((p->flags & PF_SENSITIVE) && !sensitive))
			continue;
		row_add(r, p->name, v, kind_of(p));
	}
	if (m->flags & MF_ITEMS)
		row_add(r, "dynamic", it->dynamic ? "yes" : "no", WG_V_BOOL);
}

/* print .id=*N: that item only (a reply to one add or set need not show every peer). */
static bool has_attr(const struct wg_request *q, const char *name)
{
	for (size_t i = 0; i < q->nattrs; i++)
		if (!strcmp(q->attrs[i].name, name))
			return true;
	return false;
}

/* print =follow= / =follow-only= where rows stream (the binary API): the items there
 * (follow), then each new one (by id) as it comes, until /cancel. The items are viewed
 * afresh after every wait: nothing of the store is held across one. */
static int follow_print(struct wg_session *s, const struct wg_menu *m, bool only_new)
{
	uint32_t seen = 0;
	for (bool first = true;; first = false) {
		struct wg_itemlist l;
		wg_view_items(s, m, &l);
		uint32_t before = seen;
		for (size_t i = 0; i < l.n; i++) {
			uint32_t id = l.v[i]->id;
			seen = id > seen ? id : seen;
			if ((first && only_new) || (!first && id <= before))
				continue;
			struct wg_row row = { 0 };
			item_row(s, m, l.v[i], &row);
			wg_emit_row(s, &row, NULL);
			wg_row_clear(&row);
		}
		wg_itemlist_free(m, &l);
		if (wg_wait(s, FOLLOW_MS) == 1)
			return 0;
	}
}

static int exec_print(struct wg_session *s, const struct wg_menu *m, const struct wg_request *q,
		      struct wg_result *r)
{
	struct wg_itemlist l;
	uint32_t only = 0;
	if (s->row_fn && (has_attr(q, "follow") || has_attr(q, "follow-only")))
		return follow_print(s, m, has_attr(q, "follow-only"));
	for (size_t i = 0; i < q->nattrs; i++)
		if (!strcmp(q->attrs[i].name, ".id") && q->attrs[i].value && !wg_id_parse(q->attrs[i].value, &only))
			only = UINT32_MAX; /* not an id: matches nothing */
	wg_view_items_id(s, m, only, &l);
	r->rows = xcalloc(l.n + 1, sizeof(*r->rows));
	for (size_t i = 0; i < l.n; i++)
		if (!only || l.v[i]->id == only)
			item_row(s, m, l.v[i], &r->rows[r->nrows++]);
	for (size_t i = 0; i < l.n; i++)
		wg_item_free(m, l.v[i]);
	free(l.v);
	return 0;
}

/* Rows an action answered (traffic-history): each property that has a value. */
static void take_rows(struct wg_session *s, struct wg_result *r)
{
	const struct wg_menu *m = s->rows_menu;
	if (!m)
		return;
	r->rows = xcalloc(s->rows.n + 1, sizeof(*r->rows));
	for (size_t i = 0; i < s->rows.n; i++) {
		struct wg_row *row = &r->rows[r->nrows++];
		for (int k = 0; m->props[k].name; k++) {
			const char *v = wg_item_show(m, s->rows.v[i], k);
			if (v)
				row_add(row, m->props[k].name, v, kind_of(&m->props[k]));
		}
	}
	wg_itemlist_free(m, &s->rows);
	s->rows_menu = NULL;
	r->has_rows = true;
}

/* ---- the request ---- */

static char *normal_path(const char *path)
{
	while (*path == '/')
		path++;
	char *p = xasprintf("/%s", path);
	size_t n = strlen(p);
	while (n > 1 && p[n - 1] == '/')
		p[--n] = '\0';
	return p;
}

static int run_request(struct wg_session *s, const struct wg_menu *m, const struct wg_cmddef *d,
		       const struct wg_request *q, struct sbuf *ret)
{
	struct wg_tok *t;
	size_t n;
	request_tokens(q, &t, &n);
	struct wg_call c = { .s = s, .menu = m, .name = d->name, .t = t, .n = n, .line = 1, .col = 1,
			     .ret = ret, .top = false };
	int rc = wg_dispatch(&c, d);
	free_tokens(t, n);
	return rc;
}

static void fail(struct wg_result *r, enum wg_exec_error st, char *msg)
{
	r->status = st;
	r->error = msg;
}

int wg_session_exec(struct wg_session *s, const struct wg_request *q, struct wg_result *r)
{
	memset(r, 0, sizeof(*r));
	char *path = normal_path(q->path);
	const struct wg_menu *m = wg_menu_find(path);
	const struct wg_cmddef *d = m && q->command ? wg_cmd_find(m, q->command) : NULL;
	if (!d) {
		fail(r, WG_EXEC_NO_COMMAND, xasprintf("no such command or directory (%s)", !m ? path : q->command ? q->command : ""));
		free(path);
		return -1;
	}
	free(path);
	if (!strcmp(q->command, "print") && !wg_may_run(s, d->name)) {
		fail(r, WG_EXEC_DENIED, xstrdup("not enough permissions (9)"));
		return -1;
	}
	if (!strcmp(q->command, "print"))
		return exec_print(s, m, q, r);
	struct capture cap = { 0 };
	wg_out_fn out = s->out;
	void *out_ctx = s->out_ctx;
	s->out = capture_out;
	s->out_ctx = &cap;
	struct sbuf ret;
	sb_init(&ret);
	s->collect_rows = true;
	s->collect_emitted = !s->row_fn;
	int rc = run_request(s, m, d, q, &ret);
	s->collect_rows = false;
	s->collect_emitted = false;
	s->out = out;
	s->out_ctx = out_ctx;
	take_rows(s, r);
	if (s->nemitted) {
		wg_take_emitted(s, &r->rows, &r->nrows);
		r->has_rows = true;
	}
	if (rc < 0) {
		char *msg = error_text(&cap);
		fail(r, classify(msg), msg);
	} else if (ret.len) {
		r->ret = sb_take(&ret);
	}
	if (cap.text.len)
		r->text = sb_take(&cap.text);
	sb_free(&cap.text);
	sb_free(&cap.err);
	sb_free(&ret);
	return rc < 0 ? -1 : 0;
}

int wg_session_run_captured(struct wg_session *s, const char *script, char **text, char **err)
{
	struct capture cap = { 0 };
	wg_out_fn out = s->out;
	void *out_ctx = s->out_ctx;
	s->out = capture_out;
	s->out_ctx = &cap;
	int rc = wg_session_run(s, script);
	s->out = out;
	s->out_ctx = out_ctx;
	*err = rc < 0 ? error_text(&cap) : NULL;
	*text = sb_take(&cap.text);
	sb_free(&cap.err);
	return rc < 0 ? -1 : 0;
}


void wg_result_free(struct wg_result *r)
{
	for (size_t i = 0; i < r->nrows; i++)
		wg_row_clear(&r->rows[i]);
	free(r->rows);
	free(r->error);
	xfree_secret(r->ret);
	xfree_secret(r->text);
	memset(r, 0, sizeof(*r));
}

const char *wg_row_get(const struct wg_row *row, const char *name)
{
	for (size_t i = 0; i < row->n; i++)
		if (!strcmp(row->names[i], name))
			return row->values[i];
	return NULL;
}
