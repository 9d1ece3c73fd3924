/* The store's tables: lookups by id find every item whatever the order (appended,
 * moved, inserted before another, removed), and report a missing id as missing. */
#include "test.h"
#include "router/menus.h"
#include "router/store.h"

static bool all_found(const struct wg_table *t)
{
	for (size_t i = 0; i < t->n; i++)
		if (wg_table_index(t, t->v[i]->id) != (int)i)
			return false;
	return true;
}

TEST(lookup_by_id_in_any_order)
{
	struct wg_store *st = wg_store_new();
	struct wg_table *t = wg_store_table(st, &wg_menu_fw_filter);
	for (int i = 0; i < 1000; i++)
		wg_table_insert(t, wg_item_new(&wg_menu_fw_filter), -1);
	CHECK(all_found(t), "appended");
	wg_table_remove(t, 500);
	CHECK(all_found(t), "after a removal");
	CHECK_EQ(wg_table_index(t, 500), -1);
	CHECK(wg_table_by_id(t, 5000) == NULL);
	wg_table_move(t, 900, 10);
	CHECK(all_found(t), "after a move");
	wg_table_insert(t, wg_item_new(&wg_menu_fw_filter), 3);
	wg_table_move(t, 2, -1);
	CHECK(all_found(t), "after place-before and a move to the end");
	struct wg_store *copy = wg_store_clone(st);
	CHECK(all_found(wg_store_table(copy, &wg_menu_fw_filter)), "in a clone");
	wg_store_free(copy);
	wg_store_free(st);
}
