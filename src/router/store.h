/* The configuration: one table of items per menu. A change is made on a clone of the
 * store and swapped in only when every check passed, so a failed command leaves the
 * configuration exactly as it was. */
#ifndef WG_ROUTER_STORE_H
#define WG_ROUTER_STORE_H
#include "router/schema.h"

struct wg_table {
	const struct wg_menu *menu;
	struct wg_item **v;
	size_t n, cap;
	uint32_t next_id;  /* internal ids are never reused, also across restarts */
};

struct wg_store {
	struct wg_table *t;  /* parallel to wg_menus[] */
	size_t n;
};

/* A store with every menu's table; settings menus get their one item, MF_FIXED menus
 * their rows. */
struct wg_store *wg_store_new(void);
struct wg_store *wg_store_clone(const struct wg_store *st);
void wg_store_free(struct wg_store *st);

struct wg_table *wg_store_table(struct wg_store *st, const struct wg_menu *m);
const struct wg_table *wg_store_ctable(const struct wg_store *st, const struct wg_menu *m);
/* By internal id: a binary search, as items are appended with growing ids (tables of
 * thousands of peers are so); an id it misses (a moved item, or none) is scanned for. */
struct wg_item *wg_table_by_id(const struct wg_table *t, uint32_t id);
int wg_table_index(const struct wg_table *t, uint32_t id);
/* By the menu's name_prop value. */
struct wg_item *wg_table_by_name(const struct wg_table *t, const char *name);
/* Appends (id assigned when it->id is 0) or inserts before position pos (-1: end). */
void wg_table_insert(struct wg_table *t, struct wg_item *it, int pos);
void wg_table_remove(struct wg_table *t, uint32_t id);
/* Moves item id before position pos (-1: to the end). */
void wg_table_move(struct wg_table *t, uint32_t id, int pos);
/* True when menu m's table differs between two stores (items, their order or values). */
bool wg_store_table_differs(const struct wg_store *a, const struct wg_store *b, const struct wg_menu *m);
/* True when two items differ in any stored property. */
bool wg_item_differs(const struct wg_menu *m, const struct wg_item *a, const struct wg_item *b);

/* "*1A" <-> 0x1a. */
void wg_id_format(uint32_t id, char buf[16]);
bool wg_id_parse(const char *s, uint32_t *id);
#endif
