/* The commands that menus define themselves (router/schema.h, struct wg_action): sign
 * and import of /certificate, /password. The console only frames them: arguments become
 * name=value pairs (the unnamed one "numbers", item numbers from the last print turned
 * into ids), the action works on a clone, prints its output, and the clone is committed
 * when the action changed it. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include "console/interp.h"

enum { MAX_ACTIONS = 64 };

static bool takes(const struct wg_action *act, const char *name)
{
	for (size_t i = 0; act->params && act->params[i]; i++)
		if (!strcmp(act->params[i], name))
			return true;
	return false;
}

/* "0,2" or a name -> "*1,*3" for menus with items; kept as given otherwise. */
static int numbers(struct wg_call *c, const char *ref, char **out)
{
	uint32_t *ids;
	size_t n;
	if (!(c->menu->flags & MF_ITEMS)) {
		*out = xstrdup(ref);
		return 0;
	}
	if (wg_resolve_ids(c->s, c->menu, ref, &ids, &n) < 0)
		return -1;
	struct sbuf b;
	sb_init(&b);
	for (size_t i = 0; i < n; i++) {
		char id[16];
		wg_id_format(ids[i], id);
		sb_printf(&b, "%s%s", i ? "," : "", id);
	}
	free(ids);
	*out = sb_take(&b);
	return 0;
}

/* kv: name, value, ..., NULL (values malloc'd: they may be passwords). */
static int to_pairs(struct wg_call *c, const struct wg_action *act, struct wg_args *a, char **kv)
{
	size_t n = 0;
	bool unnamed = false;
	for (size_t i = 0; i < a->n; i++) {
		struct wg_arg *g = &a->v[i];
		const char *name = g->name ? g->name : "numbers";
		if (g->neg || !takes(act, name) || (!g->name && unnamed))
			return wg_err(c->s, "expected end of command (line %d column %d)", g->line, g->col);
		kv[n] = xstrdup(name);
		if (!g->name) {
			unnamed = true;
			if (numbers(c, g->value, &kv[n + 1]) < 0)
				return -1;
		} else {
			kv[n + 1] = xstrdup(g->value);
		}
		n += 2;
		g->used = true;
	}
	return a->where != (size_t)-1 ? wg_args_done(c, a) : 0;
}

static void free_pairs(char **kv)
{
	for (size_t i = 0; kv[i]; i++)
		xfree_secret(kv[i]);
	free(kv);
}

/* Rows the action answered: printed, or kept for wg_session_exec (exec.c). */
static void take_rows(struct wg_session *s, struct wg_action_ctx *x)
{
	if (x->rows_menu && s->collect_rows && !s->rows_menu) {
		s->rows_menu = x->rows_menu;
		s->rows = x->rows;
		return;
	}
	if (x->rows_menu)
		wg_print_rows(s, x->rows_menu, &x->rows);
	wg_itemlist_free(x->rows_menu, &x->rows);
}

static int cmd_action(struct wg_call *c)
{
	const struct wg_action *act = wg_action_find(c->menu, c->name);
	struct wg_args a;
	char err[256] = "";
	struct sbuf out;
	if (!act || wg_collect_args(c, &a) < 0)
		return act ? -1 : wg_err(c->s, "bad command name %s (line %d column %d)", c->name, c->line, c->col);
	char **kv = xcalloc(2 * a.n + 1, sizeof(char *));
	int rc = to_pairs(c, act, &a, kv);
	sb_init(&out);
	if (!rc) {
		struct wg_store *next = wg_store_clone(wg_cur_store(c->s));
		struct wg_action_ctx x = {
			.r = c->s->r, .next = next, .menu = c->menu, .user = c->s->user, .cwd = c->s->cwd,
			.args = (const char *const *)kv, .out = &out, .err = err, .errlen = sizeof(err),
		};
		rc = wg_action_run(&x, act);
		wg_outs(c->s, sb_str(&out));
		take_rows(c->s, &x);
		if (rc < 0)
			wg_err(c->s, "%s", err);
		if (!rc && x.changed)
			rc = wg_commit_needs(c->s, next, act->needs);
		else
			wg_store_free(next);
	}
	sb_free(&out);
	free_pairs(kv);
	wg_args_free(&a);
	return rc;
}

static struct wg_cmddef table[MAX_ACTIONS + 1];
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void build(void)
{
	size_t n = 0;
	for (size_t i = 0; wg_menus[i]; i++)
		for (const struct wg_action *a = wg_menus[i]->actions; a && a->name && n < MAX_ACTIONS; a++)
			table[n++] = (struct wg_cmddef){ a->name, cmd_action, 0, wg_menus[i]->path };
}

const struct wg_cmddef *wg_action_cmds(void)
{
	pthread_once(&once, build);
	return table;
}
