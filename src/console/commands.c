/* Which commands a menu has: the generic item/settings/view commands by menu kind,
 * plus the commands of particular menus (show-client-config, wg-genkey, ping ...). */
#include <string.h>
#include "console/interp.h"

static const struct wg_cmddef *const tables[] = {
	wg_item_cmds, wg_print_cmds, wg_export_cmds, wg_wireguard_cmds, wg_system_cmds, wg_script_cmds,
	wg_monitor_cmds, wg_btest_cmds, wg_trace_cmds, wg_torch_cmds, wg_sniffer_cmds,
};
#define NTABLES (sizeof(tables) / sizeof(tables[0]) + 1)

/* The fixed tables, then the menus' own commands (cmd_actions.c). */
static const struct wg_cmddef *table_at(size_t k)
{
	return k < NTABLES - 1 ? tables[k] : wg_action_cmds();
}

static bool available(const struct wg_cmddef *d, const struct wg_menu *m)
{
	if (d->path)
		return !strcmp(d->path, m->path);
	return (m->flags & d->menu_flags) != 0;
}

const struct wg_cmddef *wg_cmd_find(const struct wg_menu *m, const char *name)
{
	for (size_t k = 0; k < NTABLES; k++)
		for (const struct wg_cmddef *d = table_at(k); d->name; d++)
			if (!strcmp(d->name, name) && available(d, m))
				return d;
	return NULL;
}

static bool wg_cmd_find_dup(const char **names, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(names[i], name))
			return true;
	return false;
}

size_t wg_cmd_names(const struct wg_menu *m, const char **out, size_t max)
{
	size_t n = 0;
	for (size_t k = 0; k < NTABLES; k++)
		for (const struct wg_cmddef *d = table_at(k); d->name && n < max; d++)
			if (available(d, m) && !wg_cmd_find_dup(out, n, d->name))
				out[n++] = d->name;
	return n;
}
