/* The script functions: commands that return a value for [ ... ] and print nothing.
 *   :len  :tostr :tonum :toip :toip6 :tobool :totime :toarray  :typeof
 *   :pick VALUE START [END]   :find VALUE PART [START]   :resolve NAME
 * Strings count bytes; an array counts and picks its elements. */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "console/interp.h"
#include "router/schema.h"

enum { MAX_ARGS = 3 };

struct fargs {
	struct wg_val v[MAX_ARGS];
	size_t n;
};

static void fargs_free(struct fargs *a)
{
	for (size_t i = 0; i < a->n; i++)
		wg_val_free(&a->v[i]);
}

/* Between min and max values after the function's name. */
static int take_args(struct wg_call *c, size_t min, size_t max, struct fargs *a)
{
	memset(a, 0, sizeof(*a));
	for (size_t i = 0; i < c->n;) {
		size_t used;
		if (a->n == max) {
			fargs_free(a);
			return wg_err(c->s, "expected end of command (line %d column %d)", c->t[i].line, c->t[i].col);
		}
		if (wg_eval_typed(c, i, &a->v[a->n], &used) < 0) {
			fargs_free(a);
			return -1;
		}
		a->n++;
		i += used;
	}
	if (a->n < min) {
		fargs_free(a);
		return wg_err(c->s, "missing value(s) of argument(s) %s", min == 1 ? "value" : "value, start");
	}
	return 0;
}

static void result(struct wg_call *c, enum wg_vtype t, const char *text)
{
	sb_reset(c->ret);
	sb_add(c->ret, text);
	c->s->rtype = (int)t;
}

static void result_num(struct wg_call *c, long long n)
{
	char b[24];
	snprintf(b, sizeof(b), "%lld", n);
	result(c, VT_NUM, b);
}

static bool num_arg(struct wg_call *c, const struct wg_val *v, const char *name, long long *out)
{
	int64_t n;
	if (!wg_val_num(v->s, &n)) {
		wg_err(c->s, "invalid value for argument %s", name);
		return false;
	}
	*out = n;
	return true;
}

static int fn_len(struct wg_call *c, struct fargs *a)
{
	struct strvec el = { 0 };
	if (a->v[0].type != VT_ARRAY) {
		result_num(c, (long long)strlen(a->v[0].s));
		return 0;
	}
	wg_val_elements(a->v[0].s, &el);
	result_num(c, (long long)el.n);
	sv_free(&el);
	return 0;
}

static int fn_convert(struct wg_call *c, struct fargs *a, enum wg_vtype t)
{
	struct wg_val out = { 0 };
	wg_val_convert(t, &a->v[0], &out);
	result(c, out.type, out.s);
	wg_val_free(&out);
	return 0;
}

static int fn_typeof(struct wg_call *c, struct fargs *a)
{
	result(c, VT_STR, wg_vtype_name(a->v[0].type));
	return 0;
}

/* [start, end) clamped to [0, n]; end defaults to start + 1. */
static bool range(struct wg_call *c, struct fargs *a, size_t n, size_t *from, size_t *to)
{
	long long s, e;
	if (!num_arg(c, &a->v[1], "start", &s) || (a->n > 2 && !num_arg(c, &a->v[2], "end", &e)))
		return false;
	if (a->n <= 2)
		e = s + 1;
	s = s < 0 ? 0 : s > (long long)n ? (long long)n : s;
	e = e < s ? s : e > (long long)n ? (long long)n : e;
	*from = (size_t)s;
	*to = (size_t)e;
	return true;
}

static int fn_pick(struct wg_call *c, struct fargs *a)
{
	size_t from, to;
	struct strvec el = { 0 };
	if (a->v[0].type != VT_ARRAY) {
		if (!range(c, a, strlen(a->v[0].s), &from, &to))
			return -1;
		char *s = xstrndup(a->v[0].s + from, to - from);
		result(c, to > from ? wg_val_infer(s) == VT_NUM && a->v[0].type == VT_NUM ? VT_NUM : VT_STR : VT_NIL, s);
		free(s);
		return 0;
	}
	wg_val_elements(a->v[0].s, &el);
	if (!range(c, a, el.n, &from, &to)) {
		sv_free(&el);
		return -1;
	}
	struct strvec part = { .v = el.v + from, .n = to - from };
	char *s = sv_join(&part, ";");
	result(c, to - from == 1 ? wg_val_infer(s) : to > from ? VT_ARRAY : VT_NIL, s);
	free(s);
	sv_free(&el);
	return 0;
}

/* The position of part after start (default -1: from the beginning), or nil. */
static int fn_find(struct wg_call *c, struct fargs *a)
{
	long long start = -1;
	struct strvec el = { 0 };
	if (a->n > 2 && !num_arg(c, &a->v[2], "start", &start))
		return -1;
	size_t from = start < 0 ? 0 : (size_t)start + 1;
	if (a->v[0].type == VT_ARRAY) {
		wg_val_elements(a->v[0].s, &el);
		for (size_t i = from; i < el.n; i++)
			if (!strcmp(el.v[i], a->v[1].s)) {
				result_num(c, (long long)i);
				sv_free(&el);
				return 0;
			}
		sv_free(&el);
	} else if (from <= strlen(a->v[0].s)) {
		const char *hit = strstr(a->v[0].s + from, a->v[1].s);
		if (hit) {
			result_num(c, (long long)(hit - a->v[0].s));
			return 0;
		}
	}
	result(c, VT_NIL, "");
	return 0;
}

/* An enabled /ip/dns/static entry of name (as the router's DNS answers it first). */
static bool static_entry(struct wg_call *c, const char *name, char *out, size_t len)
{
	const struct wg_menu *m = wg_menu_find("/ip/dns/static");
	const struct wg_table *t = m ? wg_store_ctable(wg_cur_store(c->s), m) : NULL;
	for (size_t i = 0; t && i < t->n; i++) {
		const char *n = wg_item_get(m, t->v[i], "name"), *a = wg_item_get(m, t->v[i], "address");
		if (n && a && !strcasecmp(n, name) && !wg_item_flag(m, t->v[i], "disabled")) {
			snprintf(out, len, "%s", a);
			return true;
		}
	}
	return false;
}

/* :resolve NAME: a static entry, else through /ip/dns servers (else the host's
 * resolver), lookup.c. */
static int fn_resolve(struct wg_call *c, struct fargs *a)
{
	char out[INET6_ADDRSTRLEN];
	const char *name = a->v[0].s;
	if (a->v[0].type == VT_IP || a->v[0].type == VT_IP6) {
		result(c, a->v[0].type, name);
		return 0;
	}
	if (!wg_is_hostname(name))
		return wg_err(c->s, "invalid value for argument domain-name");
	if (static_entry(c, name, out, sizeof(out))) {
		result(c, strchr(out, ':') ? VT_IP6 : VT_IP, out);
		return 0;
	}
	const struct wg_menu *m = wg_menu_find("/ip/dns");
	const struct wg_table *t = m ? wg_store_ctable(wg_cur_store(c->s), m) : NULL;
	const char *list = t && t->n ? wg_item_get(m, t->v[0], "servers") : NULL;
	struct strvec servers = { 0 };
	if (list && *list)
		sv_split(&servers, list, ',');
	int rc = wg_lookup(c->s, name, &servers, out, sizeof(out));
	sv_free(&servers);
	if (rc == -2)
		return wg_err(c->s, "interrupted");
	if (rc < 0)
		return wg_err(c->s, "failure: dns name does not exist");
	result(c, strchr(out, ':') ? VT_IP6 : VT_IP, out);
	return 0;
}

struct func {
	const char *name;
	size_t min, max;
	int (*fn)(struct wg_call *c, struct fargs *a);
	enum wg_vtype to; /* conversions: the type */
};

static const struct func funcs[] = {
	{ "len", 1, 1, fn_len, 0 },       { "typeof", 1, 1, fn_typeof, 0 },  { "pick", 2, 3, fn_pick, 0 },
	{ "find", 2, 3, fn_find, 0 },     { "resolve", 1, 1, fn_resolve, 0 }, { "tostr", 1, 1, NULL, VT_STR },
	{ "tonum", 1, 1, NULL, VT_NUM },  { "toip", 1, 1, NULL, VT_IP },     { "toip6", 1, 1, NULL, VT_IP6 },
	{ "tobool", 1, 1, NULL, VT_BOOL }, { "totime", 1, 1, NULL, VT_TIME }, { "toarray", 1, 1, NULL, VT_ARRAY },
	{ NULL, 0, 0, NULL, 0 },
};

int wg_func_run(struct wg_call *c, const char *name)
{
	const struct func *f = funcs;
	while (f->name && strcmp(f->name, name))
		f++;
	if (!f->name)
		return 1;
	struct fargs a;
	if (take_args(c, f->min, f->max, &a) < 0)
		return -1;
	int rc = f->fn ? f->fn(c, &a) : fn_convert(c, &a, f->to);
	fargs_free(&a);
	return rc;
}
