/* The checks every add and set goes through, in one order for all menus: generated
 * defaults (add only), derived values, required and unique properties, references,
 * then the menu's own rules. Runs on the clone being changed, so a failure leaves the
 * live configuration untouched. */
#include <string.h>
#include "router/menus.h"

static int check_required(struct wg_vctx *v, const struct wg_item *it)
{
	const struct wg_menu *m = v->menu;
	struct sbuf miss;
	sb_init(&miss);
	for (size_t i = 0; m->props[i].name; i++) {
		if ((m->props[i].flags & PF_REQUIRED) && !it->vals[i]) {
			if (miss.len)
				sb_add(&miss, ", ");
			sb_add(&miss, m->props[i].name);
		}
	}
	int rc = miss.len ? wg_fail(v, "missing value(s) of argument(s) %s", sb_str(&miss)) : 0;
	sb_free(&miss);
	return rc;
}

static int check_unique(struct wg_vctx *v, const struct wg_item *it)
{
	const struct wg_menu *m = v->menu;
	const struct wg_table *t = wg_store_table(v->st, m);
	for (size_t i = 0; m->props[i].name; i++) {
		if (!(m->props[i].flags & PF_UNIQUE) || !it->vals[i])
			continue;
		for (size_t j = 0; j < t->n; j++) {
			if (t->v[j]->id == it->id || !streq(t->v[j]->vals[i], it->vals[i]))
				continue;
			if (m == &wg_menu_wireguard)
				return wg_fail(v, "failure: already have interface with such name");
			return wg_fail(v, "failure: already have such entry");
		}
	}
	return 0;
}

/* References, one rule for every menu: an interface of /ip/address and a routing table
 * must exist (RouterOS refuses them with this message); a firewall rule's or list
 * member's interface or interface list may appear later (RouterOS accepts it and flags
 * the item invalid: wg_ref_missing; the seeds name the default configuration's WAN list
 * before any /interface/list exists). An address list needs no declaration: a rule's
 * src-address-list names a list that add-src-to-address-list or an entry may fill. */
static int check_refs(struct wg_vctx *v, const struct wg_item *it)
{
	const struct wg_menu *m = v->menu;
	for (size_t i = 0; m->props[i].name; i++) {
		const char *val = it->vals[i];
		if (!val)
			continue;
		enum wg_ptype t = m->props[i].type;
		if ((t == PT_IFACE && !wg_router_iface_exists(v->r, v->st, val)) ||
		    (t == PT_TABLE && !wg_route_table_id(v->st, val)))
			return wg_fail(v, "input does not match any value of %s", m->props[i].name);
	}
	return 0;
}

const char *wg_ref_missing(struct wg_router *r, const struct wg_menu *m, char *const *vals, char *buf, size_t len)
{
	const struct wg_store *st = wg_router_store(r);
	for (size_t i = 0; m->props[i].name; i++) {
		const char *val = vals[i];
		enum wg_ptype t = m->props[i].type;
		if (!val || (t != PT_FWIFACE && t != PT_IFLIST))
			continue;
		const char *name = val[0] == '!' ? val + 1 : val;
		bool found = t == PT_FWIFACE ? wg_router_iface_exists(r, st, name)
			   : wg_iflist_builtin(name) || wg_table_by_name(wg_store_ctable(st, &wg_menu_iflist), name);
		if (!found) {
			snprintf(buf, len, "%s %s does not exist", m->props[i].name, name);
			return buf;
		}
	}
	return NULL;
}

int wg_check_item(struct wg_router *r, struct wg_store *st, const struct wg_menu *m, struct wg_item *it,
		  bool adding, char *err, size_t errlen)
{
	struct wg_vctx v = { r, st, m, err, errlen };
	if (adding && m->on_add && m->on_add(&v, it) < 0)
		return -1;
	if (m->derive && m->derive(&v, it) < 0)
		return -1;
	if (check_required(&v, it) < 0 || check_unique(&v, it) < 0 || check_refs(&v, it) < 0)
		return -1;
	return m->check ? m->check(&v, it) : 0;
}
