/* The interpreter: resolves a command line's words against the menu tree (both
 * `/interface wireguard add` and `/interface/wireguard/add`, `..`, `/`), evaluates
 * values ($variables, [substitutions]), runs the global commands (:put, :local,
 * :global, :set ...) and dispatches the rest to the command tables. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "console/interp.h"
#include "router/schema.h"
#include "router/units.h"
#include "util/clock.h"

/* ---- output ---- */

void wg_outs(struct wg_session *s, const char *text)
{
	if (s->out && *text)
		s->out(s->out_ctx, 1, text, strlen(text));
}

void wg_out(struct wg_session *s, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *text = xvasprintf(fmt, ap);
	va_end(ap);
	wg_outs(s, text);
	free(text);
}

int wg_err(struct wg_session *s, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *msg = xvasprintf(fmt, ap);
	va_end(ap);
	char *line = xasprintf("%s\n", msg); /* one write: the client sees the line whole */
	if (s->out)
		s->out(s->out_ctx, 2, line, strlen(line));
	free(line);
	free(msg);
	return -1;
}

/* ---- session ---- */

struct wg_session *wg_session_new(struct wg_router *r, wg_out_fn out, void *out_ctx)
{
	struct wg_session *s = xcalloc(1, sizeof(*s));
	s->r = r;
	s->out = out;
	s->out_ctx = out_ctx;
	s->menu = xstrdup("/");
	s->rtype = -1;
	return s;
}

void wg_session_set_wait_hooks(struct wg_session *s, const struct wg_wait_hooks *h)
{
	s->wait = *h;
}

void wg_session_set_batch(struct wg_session *s, bool batch)
{
	s->batch = batch;
}

void wg_session_wait_enter(struct wg_session *s)
{
	if (s->wait.enter)
		s->wait.enter(s->wait.ctx);
}

void wg_session_wait_leave(struct wg_session *s)
{
	if (s->wait.leave)
		s->wait.leave(s->wait.ctx);
}

void wg_session_set_limits(struct wg_session *s, uint64_t max_ms, unsigned long max_steps)
{
	s->deadline_ms = wg_mono_ms() + max_ms;
	s->max_steps = max_steps;
	s->steps = 0;
}

/* A script's bounds, checked before each command (loop bodies included). */
static int over_limits(struct wg_session *s)
{
	if (wg_cancelled(s)) /* Ctrl-C or /cancel stops the script, not only its command */
		return wg_err(s, "interrupted");
	if (s->max_steps && ++s->steps > s->max_steps)
		return wg_err(s, "failure: script ran too long (%lu commands)", s->max_steps);
	if (s->deadline_ms && wg_mono_ms() > s->deadline_ms)
		return wg_err(s, "failure: script ran too long (time limit)");
	return 0;
}

void wg_session_free(struct wg_session *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->nnums; i++)
		free(s->nums[i].ids);
	free(s->nums);
	sv_free(&s->lnames);
	for (size_t i = 0; i < s->lvals.n; i++)
		xfree_secret(s->lvals.v[i]);
	free(s->lvals.v);
	free(s->ltypes);
	xfree_secret(s->last_genkey);
	wg_store_free(s->shadow);
	wg_longrun_free(s);
	free(s->user);
	free(s->menu);
	free(s->cwd);
	free(s);
}

void wg_session_set_user(struct wg_session *s, const struct wg_auth_user *u)
{
	free(s->user);
	s->user = NULL;
	if (u) {
		s->user = xmalloc(sizeof(*u));
		*s->user = *u;
	}
}

unsigned wg_session_policies(const struct wg_session *s)
{
	return s->user ? s->user->policies : WG_POL_ALL;
}

const char *wg_session_menu(const struct wg_session *s)
{
	return s->menu;
}

void wg_session_set_cwd(struct wg_session *s, const char *dir)
{
	xset(&s->cwd, dir);
}

char *wg_path_file(struct wg_session *s, const char *name)
{
	if (s->user) { /* a remote user: only the router's files directory */
		char *p = wg_router_files_path(s->r, name);
		return p ? p : xstrdup("/nonexistent/wgrouter-refused"); /* opens fail */
	}
	if (name[0] == '/' || !s->cwd)
		return xstrdup(name);
	return xasprintf("%s/%s", s->cwd, name);
}

char *wg_session_prompt(struct wg_session *s)
{
	const struct wg_menu *m = wg_menu_find("/system/identity");
	const struct wg_table *t = wg_store_ctable(wg_cur_store(s), m);
	const char *id = t->n ? wg_item_get(m, t->v[0], "name") : "wgrouter";
	return xasprintf("[%s@%s] %s> ", s->user ? s->user->name : "admin", id, s->menu);
}

const struct wg_store *wg_cur_store(struct wg_session *s)
{
	return s->shadow ? s->shadow : wg_router_store(s->r);
}

int wg_commit(struct wg_session *s, struct wg_store *next)
{
	return wg_commit_needs(s, next, wg_change_needs(wg_cur_store(s), next));
}

int wg_commit_needs(struct wg_session *s, struct wg_store *next, unsigned needs)
{
	char err[256];
	if (!wg_auth_can(s->user, needs)) {
		wg_store_free(next);
		return wg_err(s, "not enough permissions (9)");
	}
	if (s->shadow) {
		wg_store_free(s->shadow);
		s->shadow = next;
		return 0;
	}
	if (wg_router_commit(s->r, next, err, sizeof(err)) < 0)
		return wg_err(s, "%s", err);
	wg_router_logf(s->r, "system,info", "%s by %s%s%s", s->what, s->user ? s->user->name : "admin",
		       s->user ? " via " : "", s->user ? s->user->door : "");
	return 0;
}

/* ---- variables ---- */

static int local_index(struct wg_session *s, const char *name)
{
	for (size_t i = 0; i < s->lnames.n; i++)
		if (!strcmp(s->lnames.v[i], name))
			return (int)i;
	return -1;
}

const char *wg_var_get(struct wg_session *s, const char *name, enum wg_vtype *t)
{
	int i = local_index(s, name);
	const char *v = i >= 0 ? s->lvals.v[i] : wg_router_global(s->r, name);
	*t = !v ? VT_NOTHING : i >= 0 ? s->ltypes[i] : wg_val_infer(v);
	return v;
}

void wg_set_local_typed(struct wg_session *s, const char *name, const char *val, enum wg_vtype t)
{
	int i = local_index(s, name);
	if (i >= 0) {
		xset(&s->lvals.v[i], val);
		s->ltypes[i] = t;
		return;
	}
	sv_push(&s->lnames, name);
	sv_push(&s->lvals, val);
	s->ltypes = xrealloc(s->ltypes, s->lnames.n * sizeof(*s->ltypes));
	s->ltypes[s->lnames.n - 1] = t;
}

void wg_set_local(struct wg_session *s, const char *name, const char *val)
{
	wg_set_local_typed(s, name, val, wg_val_infer(val));
}

/* ---- values and arguments ---- */

static bool is_value_tok(enum wg_tok_type t)
{
	return t == TK_WORD || t == TK_STR || t == TK_VAR || t == TK_SUBST || t == TK_LPAREN || t == TK_BLOCK;
}

int wg_eval_value(struct wg_call *c, size_t i, char **out, size_t *used)
{
	struct wg_val v;
	if (wg_eval_typed(c, i, &v, used) < 0)
		return -1;
	*out = v.s;
	return 0;
}

static void push_arg(struct wg_args *a, struct wg_arg arg)
{
	if (a->n == a->cap) { /* doubling: a command may carry a million arguments */
		a->cap = a->cap ? 2 * a->cap : 8;
		a->v = xrealloc(a->v, a->cap * sizeof(*a->v));
	}
	a->v[a->n++] = arg;
}

/* name=value: the value is whatever follows the '=' without a space (possibly empty). */
static int named_arg(struct wg_call *c, size_t *i, struct wg_args *a)
{
	const struct wg_tok *name = &c->t[*i];
	struct wg_arg arg = { .name = xstrdup(name->text), .line = name->line, .col = name->col };
	size_t k = *i + 2, used = 0;
	if (k < c->n && !c->t[k].space && is_value_tok(c->t[k].type)) {
		if (wg_eval_value(c, k, &arg.value, &used) < 0) {
			free(arg.name);
			return -1;
		}
	} else {
		arg.value = xstrdup("");
	}
	push_arg(a, arg);
	*i = k + used;
	return 0;
}

/* One argument at *i: name=value, !name, or an unnamed value. */
static int collect_one(struct wg_call *c, size_t *i, struct wg_args *a)
{
	const struct wg_tok *t = &c->t[*i];
	bool eq_next = *i + 1 < c->n && c->t[*i + 1].type == TK_EQ && !c->t[*i + 1].space;
	if (t->type == TK_WORD && eq_next)
		return named_arg(c, i, a);
	if (t->type == TK_NOT && *i + 1 < c->n && c->t[*i + 1].type == TK_WORD && !c->t[*i + 1].space) {
		push_arg(a, (struct wg_arg){ .name = xstrdup(c->t[*i + 1].text), .neg = true, .line = t->line, .col = t->col });
		*i += 2;
		return 0;
	}
	if (!is_value_tok(t->type))
		return wg_err(c->s, "expected end of command (line %d column %d)", t->line, t->col);
	struct wg_arg arg = { .bare = t->type == TK_WORD, .line = t->line, .col = t->col };
	size_t used;
	if (wg_eval_value(c, *i, &arg.value, &used) < 0)
		return -1;
	arg.bare = arg.bare && used == 1;
	push_arg(a, arg);
	*i += used;
	return 0;
}

/* On failure the arguments collected so far are freed (values wiped: a config-string
 * or private-key may be among them) and a is left empty. */
int wg_collect_args(struct wg_call *c, struct wg_args *a)
{
	memset(a, 0, sizeof(*a));
	a->where = (size_t)-1;
	for (size_t i = 0; i < c->n;) {
		bool named = i + 1 < c->n && c->t[i + 1].type == TK_EQ && !c->t[i + 1].space;
		if (c->t[i].type == TK_WORD && !strcmp(c->t[i].text, "where") && !named) {
			a->where = i + 1;
			return 0;
		}
		if (collect_one(c, &i, a) < 0) {
			wg_args_free(a);
			a->where = (size_t)-1;
			return -1;
		}
	}
	return 0;
}

void wg_args_free(struct wg_args *a)
{
	for (size_t i = 0; i < a->n; i++) {
		free(a->v[i].name);
		xfree_secret(a->v[i].value);
	}
	free(a->v);
	memset(a, 0, sizeof(*a));
}

bool wg_arg_flag(struct wg_args *a, const char *name)
{
	bool found = false;
	for (size_t i = 0; i < a->n; i++) {
		struct wg_arg *g = &a->v[i];
		if (!g->used && !g->name && g->bare && !strcmp(g->value, name)) {
			g->used = true;
			found = true; /* `do-not-fragment do-not-fragment` is one flag */
		} else if (!g->used && g->name && !strcmp(g->name, name) && !g->neg &&
			   (!strcmp(g->value, "yes") || !strcmp(g->value, "true") || !g->value[0])) {
			g->used = true;
			found = true;
		}
	}
	return found;
}

const char *wg_arg_value(struct wg_args *a, const char *name)
{
	for (size_t i = 0; i < a->n; i++) {
		struct wg_arg *g = &a->v[i];
		if (g->used)
			continue;
		if (g->name && !g->neg && !strcmp(g->name, name)) {
			g->used = true;
			return g->value;
		}
		if (!g->name && g->bare && !strcmp(g->value, name) && i + 1 < a->n && !a->v[i + 1].name) {
			g->used = a->v[i + 1].used = true;
			return a->v[i + 1].value;
		}
	}
	return NULL;
}

struct wg_arg *wg_arg_unnamed(struct wg_args *a)
{
	for (size_t i = 0; i < a->n; i++) {
		if (!a->v[i].used && !a->v[i].name) {
			a->v[i].used = true;
			return &a->v[i];
		}
	}
	return NULL;
}

int wg_args_done(struct wg_call *c, struct wg_args *a)
{
	for (size_t i = 0; i < a->n; i++)
		if (!a->v[i].used)
			return wg_err(c->s, "expected end of command (line %d column %d)", a->v[i].line, a->v[i].col);
	if (a->where != (size_t)-1) {
		const struct wg_tok *t = &c->t[a->where - 1];
		return wg_err(c->s, "expected end of command (line %d column %d)", t->line, t->col);
	}
	return 0;
}

/* ---- global commands ---- */

static int var_cmd(struct wg_call *c, const char *which)
{
	struct wg_val val = { 0 };
	size_t used = 0;
	if (!c->n || c->t[0].type != TK_WORD)
		return wg_err(c->s, "expected variable name (line %d column %d)", c->line, c->col);
	const char *name = c->t[0].text;
	if (c->n > 1 && wg_eval_typed(c, 1, &val, &used) < 0)
		return -1;
	if (c->n > 1 + used) {
		wg_val_free(&val);
		return wg_err(c->s, "expected end of command (line %d column %d)", c->t[1 + used].line, c->t[1 + used].col);
	}
	if (!strcmp(which, "global") || (!strcmp(which, "set") && local_index(c->s, name) < 0))
		wg_router_set_global(c->s->r, name, val.s ? val.s : "");
	else
		wg_set_local_typed(c->s, name, val.s ? val.s : "", val.s ? val.type : VT_NOTHING);
	wg_val_free(&val);
	return 0;
}

static int put_cmd(struct wg_call *c)
{
	struct sbuf b;
	sb_init(&b);
	for (size_t i = 0; i < c->n;) {
		char *v;
		size_t used;
		if (wg_eval_value(c, i, &v, &used) < 0) {
			sb_free(&b);
			return -1;
		}
		sb_add(&b, v);
		xfree_secret(v);
		i += used;
	}
	sb_addc(&b, '\n');
	wg_outs(c->s, sb_str(&b));
	sb_free(&b);
	return 0;
}

static int log_cmd(struct wg_call *c)
{
	char *v = NULL;
	size_t used;
	static const char *const levels[] = { "info", "warning", "error", "debug", NULL };
	if (c->n < 2 || c->t[0].type != TK_WORD)
		return wg_err(c->s, "expected end of command (line %d column %d)", c->line, c->col);
	const char *lvl = c->t[0].text;
	bool ok = false;
	for (size_t i = 0; levels[i]; i++)
		ok |= !strcmp(levels[i], lvl);
	if (!ok)
		return wg_err(c->s, "bad command name %s (line %d column %d)", lvl, c->t[0].line, c->t[0].col);
	if (wg_eval_value(c, 1, &v, &used) < 0)
		return -1;
	char topics[32];
	snprintf(topics, sizeof(topics), "script,%s", lvl);
	wg_router_logf(c->s->r, topics, "%s", v);
	free(v);
	return 0;
}

static int delay_cmd(struct wg_call *c)
{
	char *v = NULL;
	size_t used;
	uint64_t ms = 1000;
	if (c->n && wg_eval_value(c, 0, &v, &used) < 0)
		return -1;
	if (v && !wg_time_parse(v, &ms)) {
		free(v);
		return wg_err(c->s, "invalid value for argument delay-time");
	}
	free(v);
	return wg_wait(c->s, (unsigned)(ms > 10000 ? 10000 : ms)) ? wg_err(c->s, "interrupted") : 0;
}

static int error_cmd(struct wg_call *c)
{
	char *v = NULL;
	size_t used;
	if (c->n && wg_eval_value(c, 0, &v, &used) < 0)
		return -1;
	wg_err(c->s, "%s", v ? v : "");
	free(v);
	return -1;
}

static int var_named(struct wg_call *c)
{
	return var_cmd(c, c->name);
}

/* The global commands (:put ...), with a line of help each for `?`; then the functions
 * (funcs.c). */
static const struct { const char *name; wg_cmd_fn fn; const char *help; } globals[] = {
	{ "put", put_cmd, "Print a value" },
	{ "local", var_named, "Set a variable of this script" },
	{ "global", var_named, "Set a variable of the router" },
	{ "set", var_named, "Change a variable" },
	{ "log", log_cmd, "Add a line to the log (info, warning, error, debug)" },
	{ "delay", delay_cmd, "Wait a time" },
	{ "execute", wg_cmd_execute, "Run code in the background" },
	{ "error", error_cmd, "Fail with a message" },
	{ "if", wg_cmd_if, "Run do={...} if the condition holds, else else={...}" },
	{ "foreach", wg_cmd_foreach, "Run do={...} for each element of in=" },
};
#define NGLOBALS (sizeof(globals) / sizeof(globals[0]))

bool wg_global_at(size_t i, const char **name, const char **help)
{
	if (i < NGLOBALS) {
		*name = globals[i].name;
		*help = globals[i].help;
		return true;
	}
	return wg_func_at(i - NGLOBALS, name, help);
}

static int global_cmd(struct wg_session *s, const struct wg_cmdline *cl, struct sbuf *ret)
{
	const char *name = cl->t[0].text + 1;
	struct wg_call c = { .s = s, .menu = wg_menu_find(s->menu), .name = name, .t = cl->t + 1,
			     .n = cl->n - 1, .line = cl->line, .col = cl->col, .ret = ret, .top = true };
	for (size_t i = 0; i < NGLOBALS; i++)
		if (!strcmp(name, globals[i].name))
			return globals[i].fn(&c);
	int rc = wg_func_run(&c, name);
	if (rc <= 0)
		return rc;
	return wg_err(s, "bad command name %s (line %d column %d)", name, cl->t[0].line, cl->t[0].col + 1);
}

/* ---- path resolution ---- */

static char *parent_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	if (!slash || slash == path)
		return xstrdup("/");
	return xstrndup(path, (size_t)(slash - path));
}

static char *child_path(const char *path, const char *seg)
{
	return !strcmp(path, "/") ? xasprintf("/%s", seg) : xasprintf("%s/%s", path, seg);
}

/* Names are matched exactly: an abbreviation that happens to be unique today would
 * silently change meaning when a menu gains a command (and `ad` must stay an error). */
static const char *match_word(const char *seg, const char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(names[i], seg))
			return names[i];
	return NULL;
}

struct resolved {
	char *menu;                    /* menu the command runs in */
	const struct wg_cmddef *cmd;   /* NULL: the line only changes the menu */
	size_t next;                   /* first argument token */
	int line, col;                 /* of the command word */
};

/* One path segment: .., a child menu, or a command of the current menu. */
static int step(struct wg_session *s, struct resolved *r, const char *seg, int line, int col)
{
	const char *kids[64], *cmds[64];
	if (!strcmp(seg, "..")) {
		char *p = parent_of(r->menu);
		free(r->menu);
		r->menu = p;
		return 0;
	}
	const struct wg_menu *m = wg_menu_find(r->menu);
	size_t nk = wg_menu_children(r->menu, kids, 64);
	size_t nc = m ? wg_cmd_names(m, cmds, 64) : 0;
	const char *k = match_word(seg, kids, nk), *cm = match_word(seg, cmds, nc);
	if (k) {
		char *p = child_path(r->menu, k);
		free(r->menu);
		r->menu = p;
		return 0;
	}
	if (cm) {
		r->cmd = wg_cmd_find(m, cm);
		r->line = line;
		r->col = col;
		return 0;
	}
	return wg_err(s, "bad command name %s (line %d column %d)", seg, line, col);
}

static int walk_word(struct wg_session *s, struct resolved *r, const struct wg_tok *t, bool *stop)
{
	const char *w = t->text;
	if (w[0] == '/') {
		free(r->menu);
		r->menu = xstrdup("/");
	}
	for (const char *p = w; *p && !r->cmd;) {
		while (*p == '/')
			p++;
		size_t n = strcspn(p, "/");
		if (!n)
			break;
		char *seg = xstrndup(p, n);
		int rc = step(s, r, seg, t->line, t->col + (int)(p - w));
		free(seg);
		if (rc < 0)
			return -1;
		p += n;
		if (r->cmd && *p)
			return wg_err(s, "bad command name %s (line %d column %d)", p + 1, t->line, t->col + (int)(p - w) + 1);
	}
	*stop = r->cmd != NULL;
	return 0;
}

static int resolve(struct wg_session *s, const struct wg_cmdline *cl, struct resolved *r)
{
	r->menu = xstrdup(s->menu);
	r->cmd = NULL;
	size_t i = 0;
	for (; i < cl->n; i++) {
		const struct wg_tok *t = &cl->t[i];
		bool stop = false;
		if (t->type != TK_WORD || (i + 1 < cl->n && cl->t[i + 1].type == TK_EQ))
			break;
		if (walk_word(s, r, t, &stop) < 0)
			return -1;
		if (stop) {
			i++;
			break;
		}
	}
	r->next = i;
	if (!r->cmd && i < cl->n)
		return wg_err(s, "expected command name (line %d column %d)", cl->t[i].line, cl->t[i].col);
	return 0;
}

/* Commands that change nothing; everything else needs the write policy. */
static bool read_only(const char *name)
{
	static const char *const ro[] = { "print", "get", "find", "export", "ping", "wg-genkey", "bandwidth-test",
					   "show-client-config", "wg-export", "traffic-history",
					   "traceroute", "torch", "quick", NULL };
	for (size_t i = 0; ro[i]; i++)
		if (!strcmp(ro[i], name))
			return true;
	return false;
}

/* ... and these reveal private keys. */
static bool reveals_keys(const char *name)
{
	return !strcmp(name, "show-client-config") || !strcmp(name, "wg-export");
}

bool wg_may_run(const struct wg_session *s, const char *name)
{
	unsigned pol = wg_session_policies(s);
	if (!(pol & WG_POL_WRITE) && !read_only(name))
		return false; /* refused before any check runs (the commit would refuse too) */
	if ((!strcmp(name, "bandwidth-test") || !strcmp(name, "traceroute") || !strcmp(name, "torch")) &&
	    !(pol & WG_POL_TEST))
		return false; /* RouterOS's test policy */
	if (!strcmp(name, "quick") && !(pol & WG_POL_SNIFF))
		return false; /* the sniffer's */
	return (pol & WG_POL_SENSITIVE) || !reveals_keys(name);
}

int wg_dispatch(struct wg_call *c, const struct wg_cmddef *d)
{
	if (!wg_may_run(c->s, d->name))
		return wg_err(c->s, "not enough permissions (9)");
	snprintf(c->s->what, sizeof(c->s->what), "%s %s", c->menu ? c->menu->path : c->s->menu, d->name);
	return d->fn(c);
}

static int run_cmdline(struct wg_session *s, const struct wg_cmdline *cl, struct sbuf *ret, bool top)
{
	if (over_limits(s) < 0)
		return -1;
	s->rtype = -1;
	if (cl->t[0].type == TK_WORD && cl->t[0].text[0] == ':' && cl->t[0].text[1])
		return global_cmd(s, cl, ret);
	struct resolved r;
	int rc = resolve(s, cl, &r);
	if (rc == 0 && !r.cmd) {
		free(s->menu);
		s->menu = r.menu;
		return 0;
	}
	if (rc == 0) {
		struct wg_call c = { .s = s, .menu = wg_menu_find(r.menu), .name = r.cmd->name, .t = cl->t + r.next,
				     .n = cl->n - r.next, .line = r.line, .col = r.col, .ret = ret, .top = top };
		sb_reset(ret);
		rc = wg_dispatch(&c, r.cmd);
	}
	free(r.menu);
	return rc;
}

int wg_run_nested(struct wg_session *s, const struct wg_script *sc, const char *menu, struct sbuf *ret, bool top)
{
	char *saved = s->menu;
	int rc = 0;
	if (s->depth > 16)
		return wg_err(s, "failure: script nesting too deep");
	s->depth++;
	s->menu = xstrdup(menu);
	for (size_t i = 0; i < sc->n && rc == 0; i++)
		rc = run_cmdline(s, &sc->cmds[i], ret, top);
	free(s->menu);
	s->menu = saved;
	s->depth--;
	return rc;
}

int wg_session_run(struct wg_session *s, const char *script)
{
	return wg_session_run_n(s, script, strlen(script));
}

int wg_session_run_n(struct wg_session *s, const char *text, size_t len)
{
	char err[128];
	if (len > WG_SCRIPT_MAX)
		return wg_err(s, "failure: script longer than %d MiB", WG_SCRIPT_MAX >> 20);
	struct wg_script *sc = wg_parse(text, len, err, sizeof(err));
	if (!sc)
		return wg_err(s, "%s", err);
	struct sbuf ret;
	sb_init(&ret);
	int rc = 0;
	for (size_t i = 0; i < sc->n && rc == 0; i++) {
		/* no item pointer lives across top-level commands */
		if (i && s->wait.between && s->wait.between(s->wait.ctx) < 0)
			rc = wg_err(s, "failure: script interrupted");
		else
			rc = run_cmdline(s, &sc->cmds[i], &ret, true);
	}
	sb_free(&ret);
	wg_script_free(sc);
	return rc;
}
