/* `?` at the prompt, as RouterOS: for a menu, its submenus and commands with a line of
 * help each; for a command, its arguments with their meaning and type; after name=,
 * the values the property takes. The line typed stays (the client redraws it). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "console/complete.h"

struct desc { const char *name, *text; };

static const struct desc cmd_descs[] = {
	{ "add", "Create a new item" },
	{ "set", "Change item properties" },
	{ "remove", "Remove items" },
	{ "print", "Print values of item properties" },
	{ "export", "Print or save an export script that recreates the configuration" },
	{ "import", "Run a configuration script from a file" },
	{ "find", "Find items by value" },
	{ "get", "Get the value of an item's property" },
	{ "enable", "Enable items" },
	{ "disable", "Disable items" },
	{ "comment", "Set the comment of items" },
	{ "unset", "Clear item properties back to their defaults" },
	{ "move", "Change the order of items" },
	{ "reset-counters", "Reset the counters of items" },
	{ "reset-counters-all", "Reset the counters of all items" },
	{ "ping", "Send ICMP echo requests" },
	{ "wg-genkey", "Generate a WireGuard private key (or a public key from-key)" },
	{ "show-client-config", "Print a peer's client configuration (wg-quick text, QR code)" },
	{ "wg-import", "Import a wg-quick configuration file" },
	{ "wg-export", "Write a peer's configuration as a wg-quick file" },
	{ "run", "Run the script" },
	{ "traffic-history", "Print the traffic history of a peer" },
	{ NULL, NULL },
};

static const struct desc menu_descs[] = {
	{ "/interface", "Interfaces of the router" },
	{ "/interface/wireguard", "WireGuard interfaces" },
	{ "/interface/wireguard/peers", "WireGuard peers" },
	{ "/interface/wireguard/traffic-history", "Traffic history of the peers" },
	{ "/interface/list", "Interface lists" },
	{ "/interface/list/member", "Members of interface lists" },
	{ "/ip", "IPv4 settings" },
	{ "/ipv6", "IPv6 settings" },
	{ "/ip/address", "IP addresses" },
	{ "/ip/route", "Routes" },
	{ "/ip/firewall", "Firewall" },
	{ "/ip/firewall/filter", "Firewall filter rules" },
	{ "/ip/firewall/nat", "Network address translation rules" },
	{ "/ip/firewall/mangle", "Packet marking rules" },
	{ "/ip/firewall/raw", "Rules before connection tracking" },
	{ "/ip/firewall/address-list", "Firewall address lists" },
	{ "/ip/firewall/connection", "Connection tracking table" },
	{ "/ip/dns", "DNS client and server settings" },
	{ "/ip/dns/static", "Static DNS entries" },
	{ "/ip/service", "Management services (API, REST)" },
	{ "/routing", "Routing" },
	{ "/routing/table", "Routing tables" },
	{ "/routing/mangle", "Packet marking rules (policy routing)" },
	{ "/system", "System settings" },
	{ "/system/script", "Scripts" },
	{ "/system/scheduler", "Scheduled scripts" },
	{ "/system/logging", "Logging rules" },
	{ "/system/identity", "The router's name" },
	{ "/system/clock", "Date, time and time zone" },
	{ "/system/backup", "Configuration backups" },
	{ "/system/package", "Installed packages" },
	{ "/system/resource", "System resources" },
	{ "/tool", "Tools" },
	{ "/user", "Users" },
	{ "/certificate", "Certificates" },
	{ "/file", "Files" },
	{ "/log", "The log" },
	{ NULL, NULL },
};

static const char *lookup(const struct desc *d, const char *name)
{
	for (; d->name; d++)
		if (!strcmp(d->name, name))
			return d->text;
	return NULL;
}

static const char *menu_desc(const char *path)
{
	const char *t = lookup(menu_descs, path);
	if (t || strncmp(path, "/ipv6/", 6))
		return t;
	char *v4 = xasprintf("/ip/%s", path + 6); /* /ipv6/firewall/filter: as /ip's, for IPv6 */
	t = lookup(menu_descs, v4);
	free(v4);
	return t;
}

static void addf(struct strvec *out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void addf(struct strvec *out, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *line = xvasprintf(fmt, ap);
	va_end(ap);
	sv_push(out, line);
	free(line);
}

/* A list of words, cut near 60 characters. */
static void join_words(struct sbuf *b, const struct strvec *v)
{
	size_t start = b->len;
	for (size_t i = 0; i < v->n; i++) {
		if (b->len - start > 60) {
			sb_add(b, ", ...");
			return;
		}
		sb_printf(b, "%s%s", i ? ", " : "", v->v[i]);
	}
}

static const char *type_text(const struct wg_prop *p)
{
	switch (p->type) {
	case PT_INT: return "integer";
	case PT_BOOL: return "yes | no";
	case PT_TIME: return "time interval (25s, 1h, 1d2h3m)";
	case PT_KEY: return p->flags & PF_AUTO ? "base64 key, or auto" : "base64 key";
	case PT_IP: return "IP address";
	case PT_IPS: return "list of IP addresses";
	case PT_PREFIX: return "address/prefix-length";
	case PT_PREFIXES: return "list of address/prefix-length";
	case PT_NET: return "network (address/prefix-length)";
	case PT_NETS: return "list of networks";
	case PT_HOST: return "IP address or DNS name";
	case PT_ENUM: return "one of";
	case PT_ENUMS: return "list of";
	case PT_LIST: return "list of words";
	case PT_FWADDR: return "[!]address, network or range";
	case PT_PORTS: return "[!]port, list of ports or ranges";
	case PT_IFACE: return "interface name";
	case PT_FWIFACE: return "[!]interface name";
	case PT_IFLIST: return "[!]interface list name";
	case PT_GATEWAY: return "IP address or interface name";
	case PT_TABLE: return "routing table name";
	case PT_SIZE: return "size in bytes (500M, 10G)";
	case PT_RATE: return "rate in bits/s (10M, 10M/5M)";
	case PT_DATETIME: return "date and time (2026-12-31 23:59:00)";
	case PT_BYTES: case PT_NUM: return "number (read only)";
	default: return "text";
	}
}

/* "mtu -- integer 68..65535 (default 1420)" and the like. */
static void prop_line(struct wg_session *s, const struct wg_menu *m, const struct wg_prop *p, struct strvec *out)
{
	struct sbuf b;
	struct strvec vals = { 0 };
	sb_init(&b);
	sb_printf(&b, "%s -- %s", p->name, type_text(p));
	if (p->type == PT_INT)
		sb_printf(&b, " %lld..%lld", p->min, p->max);
	if (p->type == PT_ENUM || p->type == PT_ENUMS) {
		wg_prop_values(s, m, p, &vals);
		sb_add(&b, ": ");
		join_words(&b, &vals);
	}
	if (p->def)
		sb_printf(&b, " (default %s)", p->def);
	if (p->flags & PF_REQUIRED)
		sb_add(&b, " (required)");
	sv_push(out, sb_str(&b));
	sb_free(&b);
	sv_free(&vals);
}

static bool settable(const struct wg_prop *p)
{
	return !(p->flags & (PF_RO | PF_RUNTIME | PF_HIDDEN));
}

static void menu_help(struct wg_session *s, const char *path, const char *partial, struct strvec *out)
{
	const char *names[64];
	const struct wg_menu *m = wg_menu_find(path);
	const char *d = menu_desc(path);
	addf(out, "%s%s%s", path, d ? ": " : "", d ? d : "");
	if (!strcmp(partial, "") && strcmp(path, "/"))
		addf(out, ".. -- go up a level");
	size_t n = wg_menu_children(path, names, 64);
	for (size_t i = 0; i < n; i++) {
		if (strncmp(names[i], partial, strlen(partial)))
			continue;
		char *child = !strcmp(path, "/") ? xasprintf("/%s", names[i]) : xasprintf("%s/%s", path, names[i]);
		const char *cd = menu_desc(child);
		addf(out, "%s/ -- %s", names[i], cd ? cd : "menu");
		free(child);
	}
	n = m ? wg_cmd_names(m, names, 64) : 0;
	for (size_t i = 0; i < n; i++) {
		const char *cd = lookup(cmd_descs, names[i]);
		if (!strncmp(names[i], partial, strlen(partial)))
			addf(out, "%s -- %s", names[i], cd ? cd : "command of this menu");
	}
}

static void print_args(struct strvec *out)
{
	static const char *const flags[] = { "detail", "terse", "brief", "count-only", "as-value", "show-ids",
					     "stats", "all", "dynamic", "static", "without-paging", NULL };
	addf(out, "where -- a condition the items must meet (name=x, disabled, a~\"regex\", and/or/not)");
	addf(out, "proplist -- the properties to show, a list");
	for (size_t i = 0; flags[i]; i++)
		addf(out, "%s -- flag", flags[i]);
}

static void command_help(struct wg_session *s, const struct wg_menu *m, const char *cmd, const char *partial,
			 struct strvec *out)
{
	const char *d = lookup(cmd_descs, cmd);
	addf(out, "%s: %s", cmd, d ? d : "command of this menu");
	if (wg_cmd_takes_items(cmd))
		addf(out, "numbers -- item numbers of the last print, names or *IDs, a list");
	if (!strcmp(cmd, "print")) {
		print_args(out);
		return;
	}
	if (strcmp(cmd, "add") && strcmp(cmd, "set") && strcmp(cmd, "unset") && strcmp(cmd, "find"))
		return;
	for (size_t i = 0; m->props && m->props[i].name; i++)
		if ((settable(&m->props[i]) || !strcmp(cmd, "find")) && !(m->props[i].flags & PF_HIDDEN) &&
		    !strncmp(m->props[i].name, partial, strlen(partial)))
			prop_line(s, m, &m->props[i], out);
	if (m->flags & MF_ORDERED && !strcmp(cmd, "add"))
		addf(out, "place-before -- the item number to insert before");
}

/* After name=: the property's type and the values it takes. */
static void value_help(struct wg_session *s, const struct wg_menu *m, const char *prefix, struct strvec *out)
{
	char *name = xstrndup(prefix, strcspn(prefix, "="));
	int i = wg_menu_prop(m, name);
	free(name);
	if (i < 0)
		return;
	prop_line(s, m, &m->props[i], out);
	struct strvec vals = { 0 };
	wg_prop_values(s, m, &m->props[i], &vals);
	if (vals.n && m->props[i].type != PT_ENUM && m->props[i].type != PT_ENUMS) {
		struct sbuf b;
		sb_init(&b);
		sb_add(&b, "values: ");
		join_words(&b, &vals);
		sv_push(out, sb_str(&b));
		sb_free(&b);
	}
	sv_free(&vals);
}

/* The partial last word: a menu path typed so far counts as the menu it names. */
static void menu_position(struct wg_session *s, const struct wg_pos *p, struct strvec *out)
{
	const char *slash = strrchr(p->prefix, '/');
	char *dir_word = slash ? xstrndup(p->prefix, (size_t)(slash - p->prefix) + 1) : NULL;
	char *line = dir_word ? xasprintf("%s ", dir_word) : NULL;
	struct wg_pos q;
	if (line) { /* "/interface/wi": help of /interface for what starts with wi */
		wg_pos_locate(s, line, &q);
		if (q.menu && !q.cmd_menu)
			menu_help(s, q.menu, slash + 1, out);
		else if (q.cmd_menu)
			command_help(s, q.cmd_menu, q.cmd, "", out);
		wg_pos_free(&q);
	} else {
		menu_help(s, p->menu, p->prefix, out);
	}
	free(line);
	free(dir_word);
}

void wg_session_help(struct wg_session *s, const char *line, struct strvec *out)
{
	struct wg_pos p;
	wg_pos_locate(s, line, &p);
	if (p.cmd_menu && strchr(p.prefix, '='))
		value_help(s, p.cmd_menu, p.prefix, out);
	else if (p.cmd_menu)
		command_help(s, p.cmd_menu, p.cmd, p.prefix, out);
	else if (p.menu)
		menu_position(s, &p, out);
	if (!out->n)
		addf(out, "no help here: bad command name or path");
	wg_pos_free(&p);
}
