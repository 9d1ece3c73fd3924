/* See rest.h. */
#include "api/rest.h"
#include <ctype.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "api/query.h"
#include "router/schema.h"
#include "router/units.h"
#include "util/alloc.h"
#include "util/strvec.h"

/* ---- replies ---- */

static const char *reason(int status)
{
	switch (status) {
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 413: return "Payload Too Large";
	case 501: return "Not Implemented";
	default: return "Internal Server Error";
	}
}

void wg_rest_error(struct wg_rest_reply *out, int status, const char *detail)
{
	json_t *o = json_pack("{s:i,s:s}", "error", status, "message", reason(status));
	if (detail)
		json_object_set_new(o, "detail", json_string(detail));
	out->status = status;
	out->body = json_dumps(o, JSON_COMPACT);
	json_decref(o);
}

static void reply_json(struct wg_rest_reply *out, int status, json_t *j)
{
	out->status = status;
	out->body = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);
	json_decref(j);
}

static void exec_error(struct wg_rest_reply *out, const struct wg_result *r)
{
	int status = r->status == WG_EXEC_NO_SUCH_ITEM ? 404 : r->status == WG_EXEC_DENIED ? 403 : 400;
	wg_rest_error(out, status, r->error);
}

/* ---- rows as JSON ---- */

/* Durations as Go's time.ParseDuration reads them (wg-portal): 1h2m3s, never d or w. */
static char *rest_duration(const char *v)
{
	uint64_t ms;
	if (!wg_time_parse(v, &ms))
		return xstrdup(v);
	uint64_t s = ms / 1000, h = s / 3600, m = s / 60 % 60;
	if (ms < 1000 && ms)
		return xasprintf("%llums", (unsigned long long)ms); /* 500ms: below a second */
	struct sbuf b = { 0 };
	if (h)
		sb_printf(&b, "%lluh", (unsigned long long)h);
	if (m)
		sb_printf(&b, "%llum", (unsigned long long)m);
	if (s % 60 || (!h && !m))
		sb_printf(&b, "%llus", (unsigned long long)(s % 60));
	return sb_take(&b);
}

static json_t *value_json(const char *v, unsigned char kind)
{
	if (kind == WG_V_BOOL)
		return json_string(!strcmp(v, "yes") || !strcmp(v, "true") ? "true" : "false");
	if (kind == WG_V_TIME) {
		char *d = rest_duration(v);
		json_t *j = json_string(d);
		free(d);
		return j;
	}
	return json_string(v);
}

/* .proplist: the listed properties (and .id) only. */
static json_t *row_json(const struct wg_row *row, const struct strvec *proplist)
{
	json_t *o = json_object();
	for (size_t i = 0; i < row->n; i++) {
		if (proplist->n && !sv_has(proplist, row->names[i]) && strcmp(row->names[i], ".id"))
			continue;
		json_t *v = value_json(row->values[i], row->kinds[i]);
		if (v)
			json_object_set_new(o, row->names[i], v);
	}
	return o;
}

/* ---- requests ---- */

struct target {
	char *menu;            /* "/interface/wireguard" */
	const struct wg_menu *m;
	char *tail;            /* the segment after the menu: an id, a name or a command */
};

/* %XX with exactly two hex digits ("%8" at the end stays as it is: sscanf's %2x would
 * take one digit, and skipping two would step past the end). */
static char *decode(const char *s)
{
	struct sbuf b = { 0 };
	for (; *s; s++) {
		unsigned x;
		if (*s == '%' && isxdigit((unsigned char)s[1]) && isxdigit((unsigned char)s[2]) &&
		    sscanf(s + 1, "%2x", &x) == 1 && x) {
			sb_addc(&b, (char)x);
			s += 2;
		} else {
			sb_addc(&b, *s);
		}
	}
	return sb_take(&b);
}

/* The longest menu the path names, and what follows it (one segment at most). */
static bool find_target(const char *path, struct target *t)
{
	memset(t, 0, sizeof(*t));
	if (strncmp(path, "/rest", 5) || (path[5] && path[5] != '/'))
		return false;
	char *p = decode(path + 5);
	size_t n = strlen(p);
	while (n && p[n - 1] == '/')
		p[--n] = '\0';
	t->m = wg_menu_find(*p ? p : "/");
	if (!t->m) {
		char *slash = strrchr(p, '/');
		if (slash && slash[1]) {
			t->tail = xstrdup(slash + 1);
			*slash = '\0';
			t->m = wg_menu_find(*p ? p : "/");
		}
	}
	t->menu = xstrdup(*p ? p : "/");
	free(p);
	return true;
}

static void target_free(struct target *t)
{
	free(t->menu);
	free(t->tail);
}

/* Request values as the console takes them. */
static char *scalar_text(json_t *v, bool *ok)
{
	*ok = true;
	if (json_is_string(v))
		return xstrdup(json_string_value(v));
	if (json_is_integer(v))
		return xasprintf("%lld", (long long)json_integer_value(v));
	if (json_is_real(v))
		return xasprintf("%g", json_real_value(v));
	if (json_is_boolean(v))
		return xstrdup(json_is_true(v) ? "yes" : "no");
	if (json_is_null(v))
		return NULL;
	*ok = false;
	return NULL;
}

struct attrs {
	struct wg_attr *v;
	size_t n;
	struct strvec own;       /* the strings the attributes point to */
	struct strvec proplist;
	struct strvec query;
};

static void attrs_free(struct attrs *a)
{
	for (size_t i = 0; i < a->own.n; i++)
		if (a->own.v[i])
			explicit_bzero(a->own.v[i], strlen(a->own.v[i])); /* keys travel here */
	sv_free(&a->own);
	sv_free(&a->proplist);
	sv_free(&a->query);
	free(a->v);
}

static void attr_push(struct attrs *a, const char *name, char *value)
{
	sv_push(&a->own, name);
	const char *nm = a->own.v[a->own.n - 1];
	const char *val = NULL;
	if (value) {
		sv_push_take(&a->own, value);
		val = a->own.v[a->own.n - 1];
	}
	a->v = xrealloc(a->v, (a->n + 1) * sizeof(*a->v));
	a->v[a->n++] = (struct wg_attr){ nm, val };
}

/* .proplist as "a,b" or ["a","b"]; .query as ["name=v", "#|"]. */
static bool list_value(json_t *v, struct strvec *out, bool split)
{
	if (json_is_string(v) && split) {
		sv_split(out, json_string_value(v), ',');
		return true;
	}
	if (!json_is_array(v) || json_array_size(v) > WG_QUERY_MAX)
		return false;
	for (size_t i = 0; i < json_array_size(v); i++) {
		json_t *e = json_array_get(v, i);
		if (!json_is_string(e))
			return false;
		sv_push(out, json_string_value(e));
	}
	return true;
}

/* The body: one JSON object of scalars ("!name": unset), or nothing. */
static const char *parse_body(const struct wg_rest_request *q, struct attrs *a)
{
	if (!q->body_len)
		return NULL;
	json_error_t e;
	json_t *o = json_loadb(q->body, q->body_len, JSON_REJECT_DUPLICATES, &e);
	if (!o || !json_is_object(o)) {
		json_decref(o);
		return "invalid JSON: an object expected";
	}
	const char *key, *bad = NULL;
	json_t *v;
	json_object_foreach(o, key, v) {
		bool ok;
		if (!strcmp(key, ".proplist"))
			ok = list_value(v, &a->proplist, true);
		else if (!strcmp(key, ".query"))
			ok = list_value(v, &a->query, false);
		else if (key[0] == '!')
			ok = (attr_push(a, key + 1, NULL), true);
		else {
			char *text = scalar_text(v, &ok);
			if (ok)
				attr_push(a, key, text);
		}
		if (!ok) {
			bad = "invalid value: strings, numbers and booleans only";
			break;
		}
	}
	json_decref(o);
	return bad;
}

/* ---- the verbs ---- */

static int run(struct wg_session *s, const struct target *t, const char *cmd, const struct attrs *a,
	       struct wg_result *r)
{
	struct wg_request rq = { t->menu, cmd, a->v, a->n };
	return wg_session_exec(s, &rq, r);
}

/* Rows that match the GET filters (?prop=value) and the .query. */
static bool wanted(const struct wg_row *row, const struct wg_rest_request *q, const struct attrs *a)
{
	for (size_t i = 0; i < q->nquery; i++) {
		const char *k = q->query[i].key;
		if (k[0] == '.' && strcmp(k, ".id"))
			continue; /* .proplist and the like */
		char *w = xasprintf("%s=%s", k, q->query[i].value ? q->query[i].value : "");
		const char *words[1] = { w };
		struct wg_query one = { words, 1 };
		bool ok = wg_query_match(&one, row);
		free(w);
		if (!ok)
			return false;
	}
	struct wg_query qq = { (const char *const *)a->query.v, a->query.n };
	return wg_query_match(&qq, row);
}

static const struct wg_row *find_row(const struct wg_result *r, const struct wg_menu *m, const char *ref)
{
	for (size_t i = 0; i < r->nrows; i++) {
		const char *id = wg_row_get(&r->rows[i], ".id");
		const char *name = m->name_prop ? wg_row_get(&r->rows[i], m->name_prop) : NULL;
		if ((id && !strcmp(id, ref)) || (name && !strcmp(name, ref)))
			return &r->rows[i];
	}
	return NULL;
}

/* print: the menu's rows; with a ref that is an .id (*N), only that item's. */
static int print_rows(struct wg_session *s, const struct target *t, const char *ref, struct wg_result *r)
{
	struct attrs one = { 0 };
	if (ref && ref[0] == '*')
		attr_push(&one, ".id", xstrdup(ref));
	int rc = run(s, t, "print", &one, r);
	attrs_free(&one);
	return rc;
}

/* print, then the rows as JSON: all (an array), a settings menu's one (an object), or
 * the one named by ref (404 when missing). */
static void print_reply(struct wg_session *s, const struct target *t, const struct wg_rest_request *q,
			const struct attrs *a, const char *ref, int status, struct wg_rest_reply *out)
{
	struct wg_result r;
	if (print_rows(s, t, ref, &r) < 0) {
		exec_error(out, &r);
	} else if (ref) {
		const struct wg_row *row = find_row(&r, t->m, ref);
		if (row)
			reply_json(out, status, row_json(row, &a->proplist));
		else
			wg_rest_error(out, 404, "no such item");
	} else if (t->m->flags & MF_SETTINGS) {
		reply_json(out, status, r.nrows ? row_json(&r.rows[0], &a->proplist) : json_object());
	} else {
		json_t *arr = json_array();
		for (size_t i = 0; i < r.nrows; i++)
			if (wanted(&r.rows[i], q, a))
				json_array_append_new(arr, row_json(&r.rows[i], &a->proplist));
		reply_json(out, status, arr);
	}
	wg_result_free(&r);
}

static void get_verb(struct wg_session *s, const struct target *t, const struct wg_rest_request *q,
		     struct attrs *a, struct wg_rest_reply *out)
{
	for (size_t i = 0; i < q->nquery; i++)
		if (!strcmp(q->query[i].key, ".proplist") && q->query[i].value)
			sv_split(&a->proplist, q->query[i].value, ',');
	print_reply(s, t, q, a, t->tail, 200, out);
}

static void put_verb(struct wg_session *s, const struct target *t, const struct wg_rest_request *q,
		     struct attrs *a, struct wg_rest_reply *out)
{
	struct wg_result r;
	if (t->tail || !(t->m->flags & MF_ITEMS)) {
		wg_rest_error(out, 400, "no such command or directory (add)");
		return;
	}
	if (run(s, t, "add", a, &r) < 0)
		exec_error(out, &r);
	else
		print_reply(s, t, q, &(struct attrs){ .proplist = a->proplist }, r.ret, 201, out);
	wg_result_free(&r);
}

/* The .id of the item the path's last segment names, by .id or by name as GET finds it
 * (NULL and a 404 when none). The core's own reference would also take a console print
 * number, which REST has no print to give a meaning to: "/rest/interface/0" must not
 * change the first interface and then answer 404. */
static char *item_id(struct wg_session *s, const struct target *t, struct wg_rest_reply *out)
{
	struct wg_result r;
	char *id = NULL;
	int rc = print_rows(s, t, t->tail, &r);
	const struct wg_row *row = rc < 0 ? NULL : find_row(&r, t->m, t->tail);
	const char *have = row ? wg_row_get(row, ".id") : NULL;
	if (rc < 0)
		exec_error(out, &r);
	else if (have)
		id = xstrdup(have);
	else
		wg_rest_error(out, 404, "no such item");
	wg_result_free(&r);
	return id;
}

static void patch_verb(struct wg_session *s, const struct target *t, const struct wg_rest_request *q,
		       struct attrs *a, struct wg_rest_reply *out)
{
	struct wg_result r;
	if (!t->tail) {
		wg_rest_error(out, 400, "missing value(s) of argument(s) numbers");
		return;
	}
	char *id = item_id(s, t, out);
	if (!id)
		return;
	attr_push(a, ".id", xstrdup(id));
	if (run(s, t, "set", a, &r) < 0)
		exec_error(out, &r);
	else
		print_reply(s, t, q, &(struct attrs){ .proplist = a->proplist }, id, 200, out);
	wg_result_free(&r);
	free(id);
}

static void delete_verb(struct wg_session *s, const struct target *t, struct attrs *a,
			struct wg_rest_reply *out)
{
	struct wg_result r;
	if (!t->tail) {
		wg_rest_error(out, 400, "missing value(s) of argument(s) numbers");
		return;
	}
	char *id = item_id(s, t, out);
	if (!id)
		return;
	attr_push(a, ".id", id);
	if (run(s, t, "remove", a, &r) < 0) {
		exec_error(out, &r);
	} else {
		out->status = 204;
		out->body = NULL;
	}
	wg_result_free(&r);
}

static void execute(struct wg_session *s, struct attrs *a, struct wg_rest_reply *out)
{
	const char *script = NULL;
	for (size_t i = 0; i < a->n; i++)
		if (!strcmp(a->v[i].name, "script"))
			script = a->v[i].value;
	if (!script) {
		wg_rest_error(out, 400, "missing value(s) of argument(s) script");
		return;
	}
	char *text, *err;
	if (wg_session_run_captured(s, script, &text, &err) < 0)
		wg_rest_error(out, 400, err);
	else
		reply_json(out, 200, json_pack("{s:s}", "ret", text));
	free(text);
	free(err);
}

static json_t *rows_json(const struct wg_result *r, const struct attrs *a)
{
	json_t *arr = json_array();
	for (size_t i = 0; i < r->nrows; i++)
		json_array_append_new(arr, row_json(&r->rows[i], &a->proplist));
	return arr;
}

/* POST: print answers rows; other commands their return value, or what they printed. */
static void post_verb(struct wg_session *s, const struct target *t, const struct wg_rest_request *q,
		      struct attrs *a, struct wg_rest_reply *out)
{
	struct wg_result r;
	if (!t->tail) {
		wg_rest_error(out, 400, "no such command or directory ()");
		return;
	}
	if (!strcmp(t->tail, "print")) {
		print_reply(s, &(struct target){ t->menu, t->m, NULL }, q, a, NULL, 200, out);
		return;
	}
	if (run(s, t, t->tail, a, &r) < 0)
		exec_error(out, &r);
	else if (r.has_rows)
		reply_json(out, 200, rows_json(&r, a));
	else if (r.ret)
		reply_json(out, 200, json_pack("{s:s}", "ret", r.ret));
	else if (r.text)
		reply_json(out, 200, json_pack("{s:s}", "ret", r.text));
	else
		reply_json(out, 200, json_array());
	wg_result_free(&r);
}

void wg_rest_handle(struct wg_session *s, const struct wg_rest_request *q, struct wg_rest_reply *out)
{
	struct target t;
	struct attrs a = { 0 };
	memset(out, 0, sizeof(*out));
	if (!find_target(q->path, &t)) {
		wg_rest_error(out, 404, NULL);
		return;
	}
	const char *bad = parse_body(q, &a);
	bool exec_path = !strcmp(t.menu, "/") && t.tail && !strcmp(t.tail, "execute");
	if (bad)
		wg_rest_error(out, 400, bad);
	else if (exec_path && !strcmp(q->method, "POST"))
		execute(s, &a, out);
	else if (!t.m || (t.m->flags & MF_CONTAINER && strcmp(q->method, "POST")))
		wg_rest_error(out, 400, "no such command or directory");
	else if (!strcmp(q->method, "GET"))
		get_verb(s, &t, q, &a, out);
	else if (!strcmp(q->method, "PUT"))
		put_verb(s, &t, q, &a, out);
	else if (!strcmp(q->method, "PATCH"))
		patch_verb(s, &t, q, &a, out);
	else if (!strcmp(q->method, "DELETE"))
		delete_verb(s, &t, &a, out);
	else if (!strcmp(q->method, "POST"))
		post_verb(s, &t, q, &a, out);
	else
		wg_rest_error(out, 501, NULL);
	attrs_free(&a);
	target_free(&t);
}
