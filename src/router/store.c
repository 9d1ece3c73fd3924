/* See store.h. */
#include "router/store.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "util/alloc.h"
#include "util/str.h"

/* MF_FIXED menus: their rows, named, with every other value at its default. */
static void add_fixed_rows(struct wg_table *t)
{
	const struct wg_menu *m = t->menu;
	for (size_t i = 0; m->fixed && m->fixed[i]; i++) {
		struct wg_item *it = wg_item_new(m);
		wg_item_set(m, it, m->name_prop, m->fixed[i]);
		wg_table_insert(t, it, -1);
	}
}

struct wg_store *wg_store_new(void)
{
	struct wg_store *st = xcalloc(1, sizeof(*st));
	while (wg_menus[st->n])
		st->n++;
	st->t = xcalloc(st->n, sizeof(*st->t));
	for (size_t i = 0; i < st->n; i++) {
		st->t[i].menu = wg_menus[i];
		st->t[i].next_id = 1;
		if (wg_menus[i]->flags & MF_SETTINGS)
			wg_table_insert(&st->t[i], wg_item_new(wg_menus[i]), -1);
		if (wg_menus[i]->flags & MF_FIXED)
			add_fixed_rows(&st->t[i]);
	}
	return st;
}

struct wg_store *wg_store_clone(const struct wg_store *src)
{
	struct wg_store *st = xcalloc(1, sizeof(*st));
	st->n = src->n;
	st->t = xcalloc(st->n, sizeof(*st->t));
	for (size_t i = 0; i < st->n; i++) {
		const struct wg_table *s = &src->t[i];
		struct wg_table *d = &st->t[i];
		d->menu = s->menu;
		d->next_id = s->next_id;
		for (size_t j = 0; j < s->n; j++)
			wg_table_insert(d, wg_item_clone(s->menu, s->v[j]), -1);
	}
	return st;
}

void wg_store_free(struct wg_store *st)
{
	if (!st)
		return;
	for (size_t i = 0; i < st->n; i++) {
		for (size_t j = 0; j < st->t[i].n; j++)
			wg_item_free(st->t[i].menu, st->t[i].v[j]);
		free(st->t[i].v);
	}
	free(st->t);
	free(st);
}

struct wg_table *wg_store_table(struct wg_store *st, const struct wg_menu *m)
{
	for (size_t i = 0; i < st->n; i++)
		if (st->t[i].menu == m)
			return &st->t[i];
	return NULL;
}

const struct wg_table *wg_store_ctable(const struct wg_store *st, const struct wg_menu *m)
{
	return wg_store_table((struct wg_store *)st, m);
}

static int scan(const struct wg_table *t, uint32_t id)
{
	for (size_t i = 0; i < t->n; i++)
		if (t->v[i]->id == id)
			return (int)i;
	return -1;
}

int wg_table_index(const struct wg_table *t, uint32_t id)
{
	size_t lo = 0, hi = t->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (t->v[mid]->id == id)
			return (int)mid;
		if (t->v[mid]->id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	/* the ids around a moved item are out of order: a miss is confirmed by a scan */
	return scan(t, id);
}

struct wg_item *wg_table_by_id(const struct wg_table *t, uint32_t id)
{
	int i = wg_table_index(t, id);
	return i < 0 ? NULL : t->v[i];
}

struct wg_item *wg_table_by_name(const struct wg_table *t, const char *name)
{
	if (!t->menu->name_prop)
		return NULL;
	int p = wg_menu_prop(t->menu, t->menu->name_prop);
	for (size_t i = 0; i < t->n; i++)
		if (streq(t->v[i]->vals[p], name))
			return t->v[i];
	return NULL;
}

void wg_table_insert(struct wg_table *t, struct wg_item *it, int pos)
{
	if (!it->id)
		it->id = t->next_id++;
	else if (it->id >= t->next_id && !it->dynamic)
		t->next_id = it->id + 1;
	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 8;
		t->v = xrealloc(t->v, t->cap * sizeof(*t->v));
	}
	if (pos < 0 || (size_t)pos > t->n)
		pos = (int)t->n;
	memmove(&t->v[pos + 1], &t->v[pos], (t->n - (size_t)pos) * sizeof(*t->v));
	t->v[pos] = it;
	t->n++;
}

static struct wg_item *detach(struct wg_table *t, uint32_t id)
{
	int i = wg_table_index(t, id);
	if (i < 0)
		return NULL;
	struct wg_item *it = t->v[i];
	memmove(&t->v[i], &t->v[i + 1], (t->n - (size_t)i - 1) * sizeof(*t->v));
	t->n--;
	return it;
}

void wg_table_remove(struct wg_table *t, uint32_t id)
{
	wg_item_free(t->menu, detach(t, id));
}

void wg_table_move(struct wg_table *t, uint32_t id, int pos)
{
	int from = wg_table_index(t, id);
	if (from < 0)
		return;
	if (pos > from)
		pos--; /* the slot shifts once the item is taken out */
	struct wg_item *it = detach(t, id);
	wg_table_insert(t, it, pos);
}

bool wg_store_table_differs(const struct wg_store *a, const struct wg_store *b, const struct wg_menu *m)
{
	const struct wg_table *x = wg_store_ctable(a, m), *y = wg_store_ctable(b, m);
	if (x->n != y->n)
		return true;
	for (size_t i = 0; i < x->n; i++)
		if (x->v[i]->id != y->v[i]->id || wg_item_differs(m, x->v[i], y->v[i]))
			return true;
	return false;
}

bool wg_item_differs(const struct wg_menu *m, const struct wg_item *a, const struct wg_item *b)
{
	size_t n = wg_menu_nprops(m);
	for (size_t i = 0; i < n; i++)
		if (!streq(a->vals[i], b->vals[i]))
			return true;
	return false;
}

void wg_id_format(uint32_t id, char buf[16])
{
	snprintf(buf, 16, "*%X", id);
}

bool wg_id_parse(const char *s, uint32_t *id)
{
	if (s[0] != '*' || !s[1] || strlen(s) > 9)
		return false;
	char *end;
	unsigned long v = strtoul(s + 1, &end, 16);
	if (*end || !v)
		return false;
	*id = (uint32_t)v;
	return true;
}
