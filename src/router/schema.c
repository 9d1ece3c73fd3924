/* The menu tree: every menu in export order (a menu comes after the menus its items
 * refer to, so an export imports cleanly), and lookups over it. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "router/menus.h"

const struct wg_menu *const wg_menus[] = {
	/* configuration, in export order */
	&wg_menu_iflist, &wg_menu_wireguard, &wg_menu_iflist_member, &wg_menu_peers,
	&wg_menu_ip_address, &wg_menu_ip_dns, &wg_menu_ip_dns_static, &wg_menu_fw_addrlist,
	&wg_menu_fw_filter, &wg_menu_fw_nat,
	&wg_menu_routing_table, &wg_menu_ip_route, &wg_menu_ipv6_address, &wg_menu_fw6_addrlist,
	&wg_menu_fw6_filter, &wg_menu_fw6_nat, &wg_menu_ipv6_route, &wg_menu_fw_mangle, &wg_menu_fw_raw,
	&wg_menu_fw6_mangle, &wg_menu_fw6_raw,
	&wg_menu_identity, &wg_menu_logging, &wg_menu_user_group, &wg_menu_user, &wg_menu_certificate,
	&wg_menu_ip_service, &wg_menu_metrics, &wg_menu_clock, &wg_menu_script, &wg_menu_scheduler,
	&wg_menu_btest_server, &wg_menu_sniffer, &wg_menu_netwatch,
	/* read-only views of the system */
	&wg_menu_interface, &wg_menu_log, &wg_menu_package, &wg_menu_resource, &wg_menu_resource_cpu,
	&wg_menu_fw_connection, &wg_menu_fw6_connection, &wg_menu_user_active, &wg_menu_file,
	&wg_menu_btest_session,
	/* nodes of the tree */
	&wg_menu_root, &wg_menu_ip, &wg_menu_ip_firewall, &wg_menu_ipv6, &wg_menu_ipv6_firewall,
	&wg_menu_routing, &wg_menu_system, &wg_menu_tool, &wg_menu_backup,
	NULL,
};

/* Second paths to a menu: the seeds' /routing/mangle is RouterOS v7's
 * /ip/firewall/mangle (one table; export writes the canonical path). */
static const struct { const char *path; const struct wg_menu *m; } aliases[] = {
	{ "/routing/mangle", &wg_menu_fw_mangle },
};

const struct wg_menu *wg_menu_find(const char *path)
{
	for (size_t i = 0; wg_menus[i]; i++)
		if (!strcmp(wg_menus[i]->path, path))
			return wg_menus[i];
	for (size_t i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++)
		if (!strcmp(aliases[i].path, path))
			return aliases[i].m;
	return NULL;
}

size_t wg_menu_nprops(const struct wg_menu *m)
{
	size_t n = 0;
	while (m->props && m->props[n].name)
		n++;
	return n;
}

int wg_menu_prop(const struct wg_menu *m, const char *name)
{
	for (size_t i = 0; m->props && m->props[i].name; i++)
		if (!strcmp(m->props[i].name, name))
			return (int)i;
	return -1;
}

/* A path's children are the menus one segment below it. */
size_t wg_menu_children(const char *path, const char **out, size_t max)
{
	size_t n = 0, pl = strlen(path);
	bool root = !strcmp(path, "/");
	for (size_t i = 0; wg_menus[i] && n < max; i++) {
		const char *p = wg_menus[i]->path;
		if (root ? p[0] != '/' || !p[1] : strncmp(p, path, pl) || p[pl] != '/')
			continue;
		const char *rest = root ? p + 1 : p + pl + 1;
		if (!strchr(rest, '/'))
			out[n++] = rest;
	}
	for (size_t i = 0; i < sizeof(aliases) / sizeof(aliases[0]) && n < max; i++) {
		const char *p = aliases[i].path;
		if (!root && !strncmp(p, path, pl) && p[pl] == '/' && !strchr(p + pl + 1, '/'))
			out[n++] = p + pl + 1;
	}
	return n;
}

void wg_menu_export_path(const struct wg_menu *m, char *buf, size_t len)
{
	snprintf(buf, len, "%s", m->path);
	for (char *p = buf + 1; *p; p++)
		if (*p == '/')
			*p = ' ';
}

int wg_fail(struct wg_vctx *v, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(v->err, v->errlen, fmt, ap);
	va_end(ap);
	return -1;
}

bool wg_has_twin(struct wg_vctx *v, const struct wg_item *it,
		 bool (*same)(const struct wg_menu *m, const struct wg_item *a, const struct wg_item *b))
{
	const struct wg_table *t = wg_store_table(v->st, v->menu);
	for (size_t i = 0; i < t->n; i++)
		if (t->v[i]->id != it->id && same(v->menu, t->v[i], it))
			return true;
	return false;
}

struct wg_item *wg_virtual_item(const struct wg_menu *m, uint32_t id)
{
	struct wg_item *it = wg_item_new(m);
	it->id = id;
	return it;
}

static bool name_taken(struct wg_vctx *v, const struct wg_table *t, const char *name, bool ifaces)
{
	if (wg_table_by_name(t, name))
		return true;
	return ifaces && wg_router_iface_exists(v->r, v->st, name);
}

/* The numbers prefixN that items of t use, up to t->n + 1: one pass over the table, so
 * naming the 10,000th peer does not try 10,000 names one lookup each. */
static bool *numbers_used(const struct wg_table *t, const char *prefix)
{
	bool *used = xcalloc(t->n + 2, sizeof(bool));
	size_t k = strlen(prefix);
	for (size_t i = 0; i < t->n; i++) {
		const char *name = t->menu->name_prop ? wg_item_get(t->menu, t->v[i], t->menu->name_prop) : NULL;
		char *end;
		if (!name || strncmp(name, prefix, k) || !name[k] || name[k] == '0' || name[k] == '+')
			continue;
		unsigned long n = strtoul(name + k, &end, 10);
		if (!*end && n <= t->n + 1)
			used[n] = true;
	}
	return used;
}

char *wg_next_name(struct wg_vctx *v, const struct wg_table *t, const char *prefix, bool ifaces)
{
	bool *used = numbers_used(t, prefix);
	for (unsigned n = 1;; n++) {
		if (n <= t->n + 1 && used[n])
			continue;
		char *name = xasprintf("%s%u", prefix, n);
		if (!name_taken(v, t, name, ifaces)) { /* system interfaces count too */
			free(used);
			return name;
		}
		free(name);
	}
}
