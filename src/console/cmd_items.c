/* The item commands every configuration menu has: add, set, unset, remove, enable,
 * disable, comment, get, find, move. Each works on a clone of the store, checks every
 * item it touched, and commits only when all checks passed. */
#include <stdlib.h>
#include <string.h>
#include "console/interp.h"
#include "router/menus.h"

#define MF_CONF (MF_ITEMS | MF_SETTINGS)

static bool is_dynamic_id(uint32_t id) { return id >= 0x40000000u; }

static int bad_arg(struct wg_call *c, const struct wg_arg *g)
{
	return wg_err(c->s, "expected end of command (line %d column %d)", g->line, g->col);
}

/* A settable property of m, or -1. */
static int settable(const struct wg_menu *m, const char *name)
{
	int i = wg_menu_prop(m, name);
	return i >= 0 && !(m->props[i].flags & (PF_RO | PF_RUNTIME)) ? i : -1;
}

static int set_value(struct wg_call *c, const struct wg_menu *m, struct wg_item *it, int i, const char *v)
{
	char err[160], *canon;
	if (!v || !*v) { /* name="" clears, like !name */
		wg_item_put(m, it, i, NULL);
		return 0;
	}
	if (wg_value_parse(&m->props[i], v, &canon, err, sizeof(err)) < 0)
		return wg_err(c->s, "%s", err);
	wg_item_put(m, it, i, canon);
	xfree_secret(canon);
	return 0;
}

/* Applies name=value, !name and bare boolean words (`fib`, `disabled`). */
static int apply_props(struct wg_call *c, const struct wg_menu *m, struct wg_item *it, struct wg_args *a)
{
	for (size_t k = 0; k < a->n; k++) {
		struct wg_arg *g = &a->v[k];
		if (g->used)
			continue;
		const char *name = g->name ? g->name : g->bare ? g->value : NULL;
		int i = name ? settable(m, name) : -1;
		if (i < 0 || (!g->name && m->props[i].type != PT_BOOL))
			return bad_arg(c, g);
		g->used = true;
		if (g->neg)
			wg_item_put(m, it, i, NULL);
		else if (set_value(c, m, it, i, g->name ? g->value : "yes") < 0)
			return -1;
	}
	return 0;
}

/* A script or scheduler item belongs to whoever last added or changed it (RouterOS's
 * owner): it then runs with no more than that user's policies, so nobody gets code run
 * with another user's rights by editing it. The local console's items have no owner. */
static void stamp_owner(struct wg_call *c, const struct wg_menu *m, struct wg_item *it)
{
	int i = wg_menu_prop(m, "owner");
	if (i >= 0 && (m->props[i].flags & PF_RO))
		wg_item_put(m, it, i, c->s->user ? c->s->user->name : NULL);
}

static int check(struct wg_call *c, struct wg_store *st, const struct wg_menu *m, struct wg_item *it, bool adding)
{
	char err[256];
	stamp_owner(c, m, it);
	if (wg_check_item(c->s->r, st, m, it, adding, err, sizeof(err)) < 0)
		return wg_err(c->s, "%s", err);
	return 0;
}

/* Items are referred to by name in other menus, so a rename carries over to them. */
static void rename_refs(struct wg_store *st, const struct wg_menu *m, const char *from, const char *to)
{
	if (!from || !to || !strcmp(from, to))
		return;
	for (size_t k = 0; k < st->n; k++) {
		const struct wg_menu *o = st->t[k].menu;
		for (size_t i = 0; o->props && o->props[i].name; i++) {
			enum wg_ptype t = o->props[i].type;
			bool ref = m == &wg_menu_wireguard ? t == PT_IFACE || t == PT_FWIFACE || t == PT_GATEWAY
				 : m == &wg_menu_iflist ? t == PT_IFLIST || (o == &wg_menu_iflist_member && !strcmp(o->props[i].name, "list"))
				 : m == &wg_menu_routing_table && t == PT_TABLE;
			for (size_t j = 0; ref && j < st->t[k].n; j++) {
				char **v = &st->t[k].v[j]->vals[i];
				bool neg = *v && (*v)[0] == '!';
				if (*v && !strcmp(*v + neg, from)) {
					char *nv = xasprintf("%s%s", neg ? "!" : "", to);
					free(*v);
					*v = nv;
				}
			}
		}
	}
}

static struct wg_item *lookup(struct wg_call *c, struct wg_table *t, uint32_t id)
{
	struct wg_item *it = wg_table_by_id(t, id);
	if (!it)
		wg_err(c->s, is_dynamic_id(id) ? "failure: can not change dynamic item" : "no such item");
	return it;
}

/* ---- add ---- */

static int place_of(struct wg_call *c, struct wg_table *t, const char *ref, int *pos)
{
	uint32_t *ids;
	size_t n;
	*pos = -1;
	if (!ref)
		return 0;
	if (!(t->menu->flags & MF_ORDERED))
		return wg_err(c->s, "expected end of command (line %d column %d)", c->line, c->col);
	/* The seeds use place-before=1 on a list that may be shorter: a number past the
	 * end places the item at the end. */
	char *end;
	unsigned long num = strtoul(ref, &end, 10);
	if (*ref && !*end && num >= t->n)
		return 0;
	if (wg_resolve_ids(c->s, t->menu, ref, &ids, &n) < 0)
		return -1;
	if (n)
		*pos = wg_table_index(t, ids[0]);
	free(ids);
	return 0;
}

static int copy_from(struct wg_call *c, const struct wg_menu *m, struct wg_item *it, const char *ref)
{
	uint32_t *ids;
	size_t n;
	if (!ref)
		return 0;
	if (wg_resolve_ids(c->s, m, ref, &ids, &n) < 0)
		return -1;
	const struct wg_item *src = n ? wg_table_by_id(wg_store_ctable(wg_cur_store(c->s), m), ids[0]) : NULL;
	free(ids);
	if (!src)
		return wg_err(c->s, "no such item");
	for (size_t i = 0; m->props[i].name; i++)
		if (!(m->props[i].flags & (PF_RO | PF_RUNTIME | PF_UNIQUE)))
			wg_item_put(m, it, i, src->vals[i]);
	return 0;
}

/* The end of an editing command: the clone it worked on becomes the configuration if
 * the command succeeded and changed something; otherwise it is dropped. */
static int commit_or_drop(struct wg_call *c, int rc, bool changed, struct wg_store *next)
{
	if (!rc && changed)
		return wg_commit(c->s, next);
	wg_store_free(next);
	return rc;
}

static int cmd_add(struct wg_call *c)
{
	const struct wg_menu *m = c->menu;
	struct wg_args a;
	int rc = wg_collect_args(c, &a);
	struct wg_store *next = rc ? NULL : wg_store_clone(wg_cur_store(c->s));
	struct wg_table *t = next ? wg_store_table(next, m) : NULL;
	struct wg_item *it = wg_item_new(m);
	const char *before = NULL, *from = NULL;
	int pos = -1;
	if (!rc) {
		before = wg_arg_value(&a, "place-before");
		from = wg_arg_value(&a, "copy-from");
		rc = copy_from(c, m, it, from);
	}
	if (!rc)
		rc = apply_props(c, m, it, &a);
	if (!rc)
		rc = wg_args_done(c, &a);
	if (!rc)
		rc = place_of(c, t, before, &pos);
	if (!rc) {
		wg_table_insert(t, it, pos);
		it = NULL;
		rc = check(c, next, m, t->v[pos < 0 ? t->n - 1 : (size_t)pos], true);
	}
	if (!rc) {
		char id[16];
		wg_id_format(t->v[pos < 0 ? t->n - 1 : (size_t)pos]->id, id);
		sb_add(c->ret, id);
	}
	wg_item_free(m, it);
	rc = commit_or_drop(c, rc, true, next);
	wg_args_free(&a);
	return rc;
}

/* ---- set, unset, enable, disable, comment ---- */

/* The items a command works on: the first unnamed argument (settings menus: the one item). */
static int target_ids(struct wg_call *c, struct wg_args *a, uint32_t **ids, size_t *n)
{
	const struct wg_menu *m = c->menu;
	if (m->flags & MF_SETTINGS) {
		*ids = xcalloc(1, sizeof(uint32_t));
		(*ids)[0] = wg_store_ctable(wg_cur_store(c->s), m)->v[0]->id;
		*n = 1;
		return 0;
	}
	struct wg_arg *g = NULL;
	for (size_t i = 0; i < a->n && !g; i++)
		if (!a->v[i].name && !a->v[i].used)
			g = &a->v[i];
	if (!g)
		return wg_err(c->s, "missing value(s) of argument(s) numbers");
	g->used = true;
	return wg_resolve_ids(c->s, m, g->value, ids, n);
}

typedef int (*edit_fn)(struct wg_call *c, struct wg_item *it, struct wg_args *a);

/* The frame of every change to existing items: clone, edit each, check each, commit. */
static int edit_items(struct wg_call *c, edit_fn fn)
{
	const struct wg_menu *m = c->menu;
	struct wg_args a;
	uint32_t *ids = NULL;
	size_t n = 0;
	struct wg_store *next = NULL;
	int rc = wg_collect_args(c, &a);
	if (!rc)
		rc = target_ids(c, &a, &ids, &n);
	if (!rc)
		next = wg_store_clone(wg_cur_store(c->s));
	struct wg_table *t = next ? wg_store_table(next, m) : NULL;
	bool *used = xcalloc(a.n + 1, sizeof(bool));
	for (size_t k = 0; k < a.n; k++)
		used[k] = a.v[k].used;
	for (size_t i = 0; !rc && i < n; i++) {
		struct wg_item *it = lookup(c, t, ids[i]);
		char *old = it && m->name_prop ? xstrdup(wg_item_get(m, it, m->name_prop)) : NULL;
		for (size_t k = 0; k < a.n; k++) /* every item takes the same arguments */
			a.v[k].used = used[k];
		rc = it ? fn(c, it, &a) : -1;
		if (!rc)
			rc = wg_args_done(c, &a);
		if (!rc)
			rc = check(c, next, m, it, false);
		if (!rc && old)
			rename_refs(next, m, old, wg_item_get(m, it, m->name_prop));
		free(old);
	}
	free(used);
	rc = commit_or_drop(c, rc, n > 0, next);
	free(ids);
	wg_args_free(&a);
	return rc;
}

static int edit_set(struct wg_call *c, struct wg_item *it, struct wg_args *a)
{
	return apply_props(c, c->menu, it, a);
}

/* As on RouterOS, value-name takes only the properties that can be unset: a property
 * with a default goes back to it, an optional one goes away; a required one (the
 * interface of an address, the listen-port of a WireGuard interface) is refused. */
static int edit_unset(struct wg_call *c, struct wg_item *it, struct wg_args *a)
{
	const char *name = wg_arg_value(a, "value-name");
	struct wg_arg *g = name ? NULL : wg_arg_unnamed(a);
	if (!name && !g)
		return wg_err(c->s, "missing value(s) of argument(s) value-name");
	int i = settable(c->menu, name ? name : g->value);
	if (i < 0 || (c->menu->props[i].flags & PF_REQUIRED))
		return wg_err(c->s, "input does not match any value of value-name");
	wg_item_put(c->menu, it, i, NULL);
	return 0;
}

static int set_disabled(struct wg_call *c, struct wg_item *it, const char *v)
{
	if (wg_menu_prop(c->menu, "disabled") < 0)
		return wg_err(c->s, "bad command name %s (line %d column %d)", c->name, c->line, c->col);
	wg_item_set(c->menu, it, "disabled", v);
	return 0;
}

static int edit_enable(struct wg_call *c, struct wg_item *it, struct wg_args *a) { return set_disabled(c, it, "no"); }
static int edit_disable(struct wg_call *c, struct wg_item *it, struct wg_args *a) { return set_disabled(c, it, "yes"); }

static int edit_comment(struct wg_call *c, struct wg_item *it, struct wg_args *a)
{
	const char *v = wg_arg_value(a, "comment");
	struct wg_arg *g = v ? NULL : wg_arg_unnamed(a);
	if (wg_menu_prop(c->menu, "comment") < 0)
		return wg_err(c->s, "bad command name comment (line %d column %d)", c->line, c->col);
	wg_item_set(c->menu, it, "comment", v ? v : g ? g->value : NULL);
	return 0;
}

static int cmd_set(struct wg_call *c) { return edit_items(c, edit_set); }
static int cmd_unset(struct wg_call *c) { return edit_items(c, edit_unset); }
static int cmd_enable(struct wg_call *c) { return edit_items(c, edit_enable); }
static int cmd_disable(struct wg_call *c) { return edit_items(c, edit_disable); }
static int cmd_comment(struct wg_call *c) { return edit_items(c, edit_comment); }

/* ---- remove, move ---- */

static int cmd_remove(struct wg_call *c)
{
	const struct wg_menu *m = c->menu;
	struct wg_args a;
	uint32_t *ids = NULL;
	size_t n = 0;
	struct wg_store *next = NULL;
	char err[256];
	int rc = wg_collect_args(c, &a);
	if (!rc)
		rc = target_ids(c, &a, &ids, &n);
	if (!rc)
		rc = wg_args_done(c, &a);
	if (!rc)
		next = wg_store_clone(wg_cur_store(c->s));
	struct wg_table *t = next ? wg_store_table(next, m) : NULL;
	for (size_t i = 0; !rc && i < n; i++) {
		struct wg_item *it = lookup(c, t, ids[i]);
		struct wg_vctx v = { c->s->r, next, m, err, sizeof(err) };
		if (!it)
			rc = -1;
		else if (m->on_remove && m->on_remove(&v, it) < 0)
			rc = wg_err(c->s, "%s", err);
		else
			wg_table_remove(t, ids[i]);
	}
	rc = commit_or_drop(c, rc, n > 0, next);
	free(ids);
	wg_args_free(&a);
	return rc;
}

static int cmd_move(struct wg_call *c)
{
	const struct wg_menu *m = c->menu;
	struct wg_args a;
	uint32_t *ids = NULL, *dst = NULL;
	size_t n = 0, nd = 0;
	int rc = wg_collect_args(c, &a);
	if (!rc)
		rc = target_ids(c, &a, &ids, &n);
	const char *to = rc ? NULL : wg_arg_value(&a, "destination");
	struct wg_arg *g = rc || to ? NULL : wg_arg_unnamed(&a);
	if (!rc && (to || g))
		rc = wg_resolve_ids(c->s, m, to ? to : g->value, &dst, &nd);
	if (!rc)
		rc = wg_args_done(c, &a);
	struct wg_store *next = rc ? NULL : wg_store_clone(wg_cur_store(c->s));
	struct wg_table *t = next ? wg_store_table(next, m) : NULL;
	for (size_t i = 0; !rc && i < n; i++) {
		if (!lookup(c, t, ids[i])) {
			rc = -1;
			break;
		}
		int pos = nd ? wg_table_index(t, dst[0]) : -1;
		if (nd && pos < 0)
			rc = wg_err(c->s, "no such item");
		else
			wg_table_move(t, ids[i], pos);
	}
	rc = commit_or_drop(c, rc, true, next);
	free(ids);
	free(dst);
	wg_args_free(&a);
	return rc;
}

/* ---- get, find ---- */

static const struct wg_item *view_item(struct wg_itemlist *l, uint32_t id)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i]->id == id)
			return l->v[i];
	return NULL;
}

static int get_prop(struct wg_call *c, const struct wg_item *it, const char *prop)
{
	if (!strcmp(prop, ".id")) {
		char id[16];
		wg_id_format(it->id, id);
		sb_add(c->ret, id);
	} else if (!strcmp(prop, "dynamic") || wg_menu_prop(c->menu, prop) >= 0) {
		const char *v = wg_view_get(c->menu, it, prop);
		sb_add(c->ret, v ? v : "");
	} else {
		return wg_err(c->s, "input does not match any value of value-name");
	}
	if (c->top)
		wg_out(c->s, "%s\n", sb_str(c->ret));
	return 0;
}

/* `get` with nothing else returns what /tool wg-genkey made last (seed 000:
 * `/tool wg-genkey` then `:set privKey [get]`). */
static int get_last(struct wg_call *c)
{
	if (!c->s->last_genkey)
		return wg_err(c->s, "missing value(s) of argument(s) value-name");
	sb_add(c->ret, c->s->last_genkey);
	if (c->top)
		wg_out(c->s, "%s\n", c->s->last_genkey);
	return 0;
}

static int cmd_get(struct wg_call *c)
{
	const struct wg_menu *m = c->menu;
	struct wg_args a;
	struct wg_itemlist l = { 0 };
	uint32_t *ids = NULL;
	size_t n = 0;
	if (!c->n)
		return get_last(c);
	int rc = wg_collect_args(c, &a);
	bool settings = m->flags & MF_SETTINGS;
	struct wg_arg *ref = rc || settings ? NULL : wg_arg_unnamed(&a);
	const char *prop = rc ? NULL : wg_arg_value(&a, "value-name");
	struct wg_arg *pg = rc || prop ? NULL : wg_arg_unnamed(&a);
	if (!rc && !settings && !ref)
		rc = wg_err(c->s, "missing value(s) of argument(s) number");
	if (!rc && !prop && !pg)
		rc = wg_err(c->s, "missing value(s) of argument(s) value-name");
	if (!rc)
		rc = wg_args_done(c, &a);
	if (!rc) {
		wg_view_items(c->s, m, &l);
		if (settings && l.n) {
			ids = xcalloc(1, sizeof(uint32_t));
			ids[0] = l.v[0]->id;
			n = 1;
		} else if (!settings) {
			rc = wg_resolve_ids(c->s, m, ref->value, &ids, &n);
		}
	}
	const struct wg_item *it = !rc && n ? view_item(&l, ids[0]) : NULL;
	if (!rc && !it)
		rc = wg_err(c->s, "no such item");
	if (!rc)
		rc = get_prop(c, it, prop ? prop : pg->value);
	wg_itemlist_free(m, &l);
	free(ids);
	wg_args_free(&a);
	return rc;
}

static int cmd_find(struct wg_call *c)
{
	const struct wg_menu *m = c->menu;
	struct wg_expr *e = NULL;
	size_t from = c->n && c->t[0].type == TK_WORD && !strcmp(c->t[0].text, "where") ? 1 : 0;
	if (wg_expr_parse(c, from, &e) < 0)
		return -1;
	struct wg_itemlist l;
	wg_view_items(c->s, m, &l);
	for (size_t i = 0; i < l.n; i++) {
		if (!e || wg_expr_match(e, m, l.v[i])) {
			char id[16];
			wg_id_format(l.v[i]->id, id);
			if (c->ret->len)
				sb_addc(c->ret, ';');
			sb_add(c->ret, id);
		}
	}
	wg_itemlist_free(m, &l);
	wg_expr_free(e);
	return 0;
}

/* reset-counters [numbers]: without numbers, every rule of the menu. */
static int cmd_reset_counters(struct wg_call *c)
{
	struct wg_args a;
	uint32_t *ids = NULL;
	size_t n = 0;
	int rc = wg_collect_args(c, &a);
	struct wg_arg *g = rc ? NULL : wg_arg_unnamed(&a);
	if (!rc)
		rc = wg_args_done(c, &a);
	const struct wg_table *t = wg_store_ctable(wg_cur_store(c->s), c->menu);
	if (!rc && g) {
		rc = wg_resolve_ids(c->s, c->menu, g->value, &ids, &n);
	} else if (!rc) {
		ids = xcalloc(t->n + 1, sizeof(uint32_t));
		for (n = 0; n < t->n; n++)
			ids[n] = t->v[n]->id;
	}
	for (size_t i = 0; !rc && i < n; i++)
		if (!wg_table_by_id(t, ids[i]))
			rc = wg_err(c->s, "no such item");
	if (!rc && !c->s->shadow)
		wg_router_reset_counters(c->s->r, c->menu, ids, n);
	free(ids);
	wg_args_free(&a);
	return rc;
}

const struct wg_cmddef wg_item_cmds[] = {
	{ "reset-counters", cmd_reset_counters, MF_COUNTERS, NULL },
	{ "reset-counters-all", cmd_reset_counters, MF_COUNTERS, NULL },
	{ "add", cmd_add, MF_ITEMS, NULL },
	{ "set", cmd_set, MF_CONF, NULL },
	{ "unset", cmd_unset, MF_CONF, NULL },
	{ "remove", cmd_remove, MF_ITEMS, NULL },
	{ "enable", cmd_enable, MF_ITEMS, NULL },
	{ "disable", cmd_disable, MF_ITEMS, NULL },
	{ "comment", cmd_comment, MF_ITEMS, NULL },
	{ "move", cmd_move, MF_ORDERED, NULL },
	{ "get", cmd_get, MF_CONF | MF_VIRTUAL, NULL },
	{ "get", get_last, 0, "/" },
	{ "get", get_last, 0, "/tool" },
	{ "find", cmd_find, MF_ITEMS | MF_VIRTUAL, NULL },
	{ NULL, NULL, 0, NULL },
};

int wg_add_item(struct wg_call *c, struct wg_store *next, const struct wg_menu *m, const char *const *kv)
{
	struct wg_item *it = wg_item_new(m);
	for (size_t k = 0; kv[k]; k += 2) {
		int i = settable(m, kv[k]);
		if (i < 0 || (kv[k + 1] && set_value(c, m, it, i, kv[k + 1]) < 0)) {
			wg_item_free(m, it);
			return i < 0 ? wg_err(c->s, "expected end of command (line %d column %d)", c->line, c->col) : -1;
		}
	}
	struct wg_table *t = wg_store_table(next, m);
	wg_table_insert(t, it, -1);
	return check(c, next, m, it, true);
}
