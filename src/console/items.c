/* Items as the console sees them: the list print shows (system items first, then the
 * configuration, runtime values filled in) and references to items by number from the
 * last print, internal id (*1A), name, or a [find] result. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include "console/interp.h"

const char *wg_view_get(const struct wg_menu *m, const struct wg_item *it, const char *name)
{
	if (!strcmp(name, "dynamic"))
		return it->dynamic ? "yes" : "no";
	return wg_item_get(m, it, name);
}

/* What the session's user may not see leaves the copy (router/policy.h): hidden values
 * for everyone, sensitive ones without the sensitive policy. So print, get, find and
 * where never show or match them. */
static void strip_unseen(struct wg_session *s, const struct wg_menu *m, struct wg_itemlist *l)
{
	unsigned pol = wg_session_policies(s);
	for (size_t i = 0; m->props && m->props[i].name; i++)
		if (wg_prop_visibility(&m->props[i], pol, true) == WG_VIS_NONE)
			for (size_t k = 0; k < l->n; k++)
				xset(&l->v[k]->vals[i], NULL);
}

void wg_view_items(struct wg_session *s, const struct wg_menu *m, struct wg_itemlist *out)
{
	wg_view_items_id(s, m, 0, out);
}

/* Only the item with that id (0: all) is copied and given its runtime values: a reply to
 * one add or set through an API must not cost a copy of every peer. */
void wg_view_items_id(struct wg_session *s, const struct wg_menu *m, uint32_t only, struct wg_itemlist *out)
{
	memset(out, 0, sizeof(*out));
	if (m->list)
		m->list(s->r, out);
	const struct wg_table *t = m->flags & MF_VIRTUAL ? NULL : wg_store_ctable(wg_cur_store(s), m);
	if (m->runtime && !s->shadow)
		wg_router_status_expire(s->r);
	for (size_t i = 0; t && i < t->n; i++) {
		if (only && t->v[i]->id != only)
			continue;
		struct wg_item *it = wg_item_clone(m, t->v[i]);
		if (m->runtime && !s->shadow)
			m->runtime(s->r, m, it, it->vals);
		wg_itemlist_push(out, it);
	}
	strip_unseen(s, m, out);
}

static struct numbering *numbers_of(struct wg_session *s, const struct wg_menu *m)
{
	for (size_t i = 0; i < s->nnums; i++)
		if (s->nums[i].menu == m)
			return &s->nums[i];
	return NULL;
}

void wg_remember_numbers(struct wg_session *s, const struct wg_menu *m, const struct wg_itemlist *l)
{
	struct numbering *nb = numbers_of(s, m);
	if (!nb) {
		s->nums = xrealloc(s->nums, (s->nnums + 1) * sizeof(*s->nums));
		nb = &s->nums[s->nnums++];
		memset(nb, 0, sizeof(*nb));
		nb->menu = m;
	}
	free(nb->ids);
	nb->ids = xcalloc(l->n + 1, sizeof(uint32_t));
	nb->n = l->n;
	for (size_t i = 0; i < l->n; i++)
		nb->ids[i] = l->v[i]->id;
}

static bool all_digits(const char *p)
{
	if (!*p)
		return false;
	for (; *p; p++)
		if (!isdigit((unsigned char)*p))
			return false;
	return true;
}

/* Without a print in this session, numbers count the items in print order as of now. */
static bool number_to_id(struct wg_session *s, const struct wg_menu *m, unsigned long n, uint32_t *id)
{
	struct numbering *nb = numbers_of(s, m);
	if (nb) {
		if (n >= nb->n)
			return false;
		*id = nb->ids[n];
		return true;
	}
	struct wg_itemlist l;
	wg_view_items(s, m, &l);
	bool ok = n < l.n;
	if (ok)
		*id = l.v[n]->id;
	wg_itemlist_free(m, &l);
	return ok;
}

static bool name_to_id(struct wg_session *s, const struct wg_menu *m, const char *name, uint32_t *id)
{
	if (!m->name_prop)
		return false;
	struct wg_itemlist l;
	bool ok = false;
	wg_view_items(s, m, &l);
	for (size_t i = 0; i < l.n && !ok; i++) {
		if (streq(wg_item_get(m, l.v[i], m->name_prop), name)) {
			*id = l.v[i]->id;
			ok = true;
		}
	}
	wg_itemlist_free(m, &l);
	return ok;
}

int wg_resolve_ids(struct wg_session *s, const struct wg_menu *m, const char *ref, uint32_t **ids, size_t *n)
{
	struct strvec parts = { 0 };
	char *norm = xstrdup(ref);
	for (char *p = norm; *p; p++)
		if (*p == ';')
			*p = ',';
	sv_split(&parts, norm, ',');
	free(norm);
	*ids = xcalloc(parts.n + 1, sizeof(uint32_t));
	*n = 0;
	int rc = 0;
	for (size_t i = 0; i < parts.n && rc == 0; i++) {
		const char *p = parts.v[i];
		uint32_t id = 0;
		bool ok = p[0] == '*' ? wg_id_parse(p, &id)
				      : all_digits(p) ? number_to_id(s, m, strtoul(p, NULL, 10), &id)
						      : name_to_id(s, m, p, &id);
		if (!ok)
			rc = wg_err(s, "no such item");
		else
			(*ids)[(*n)++] = id;
	}
	sv_free(&parts);
	if (rc) {
		free(*ids);
		*ids = NULL;
		*n = 0;
	}
	return rc;
}
