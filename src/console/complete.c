/* Tab completion for the interactive console: the words that can follow what is typed,
 * from the menu tree (menus and commands), then the command's property names, then
 * after name= the values the property takes (enum values, yes/no, interface, list,
 * address-list and routing-table names), and for set/remove/... the items (names,
 * numbers of the last print). A line starting with WG_HELP_MARK asks for `?` help
 * instead (help.c): both come over the console's one completion frame. */
#include <stdlib.h>
#include <string.h>
#include "console/complete.h"
#include "sys/nft.h"

static void add_matching(struct strvec *out, const char *prefix, const char *word, const char *suffix)
{
	char *w = xasprintf("%s%s", word, suffix);
	if (!strncmp(w, prefix, strlen(prefix)) && !sv_has(out, w))
		sv_push(out, w);
	free(w);
}

/* The menu a path word leads to from menu cur (NULL if it is not a menu); *cmd is set
 * when the word ends in a command of that menu (`/ip/address/add`), *cmd_name to it. */
static char *walk(const char *cur, const char *word, const struct wg_menu **cmd, const char **cmd_name)
{
	char *menu = xstrdup(word[0] == '/' ? "/" : cur);
	char *copy = xstrdup(word), *save = NULL;
	for (char *seg = strtok_r(copy, "/", &save); seg; seg = strtok_r(NULL, "/", &save)) {
		char *next, *slash = strrchr(menu, '/');
		if (!strcmp(seg, ".."))
			next = slash && slash != menu ? xstrndup(menu, (size_t)(slash - menu)) : xstrdup("/");
		else
			next = !strcmp(menu, "/") ? xasprintf("/%s", seg) : xasprintf("%s/%s", menu, seg);
		if (!wg_menu_find(next)) {
			const struct wg_menu *m = wg_menu_find(menu);
			const struct wg_cmddef *d = m ? wg_cmd_find(m, seg) : NULL;
			if (cmd && d) {
				*cmd = m;
				*cmd_name = d->name;
			}
			free(next);
			free(menu);
			menu = NULL;
			break;
		}
		free(menu);
		menu = next;
	}
	free(copy);
	return menu;
}

void wg_pos_locate(struct wg_session *s, const char *line, struct wg_pos *p)
{
	struct strvec words = { 0 };
	const char *last = strrchr(line, ' ');
	memset(p, 0, sizeof(*p));
	p->prefix = last ? last + 1 : line;
	char *head = xstrndup(line, (size_t)(p->prefix - line));
	sv_split(&words, head, ' ');
	p->menu = xstrdup(s->menu);
	for (size_t i = 0; i < words.n && p->menu; i++) {
		if (!words.v[i][0])
			continue;
		if (p->cmd_menu) { /* the command's arguments so far */
			if (!strchr(words.v[i], '='))
				p->unnamed++;
			continue;
		}
		const struct wg_menu *cm = NULL;
		const char *name = NULL;
		char *next = walk(p->menu, words.v[i], &cm, &name);
		if (!next && !cm) { /* neither a menu nor a command: nothing follows */
			free(p->menu);
			p->menu = NULL;
			break;
		}
		if (!next) { /* a command: the rest are its arguments */
			p->cmd_menu = cm;
			p->cmd = name;
			continue;
		}
		free(p->menu);
		p->menu = next;
	}
	free(head);
	sv_free(&words);
}

void wg_pos_free(struct wg_pos *p)
{
	free(p->menu);
	p->menu = NULL;
}

static void menu_words(const char *menu, const char *base, const char *prefix, struct strvec *out)
{
	const char *names[64];
	const struct wg_menu *m = wg_menu_find(menu);
	size_t n = wg_menu_children(menu, names, 64);
	for (size_t i = 0; i < n; i++) {
		char *w = xasprintf("%s%s", base, names[i]);
		add_matching(out, prefix, w, "");
		free(w);
	}
	n = m ? wg_cmd_names(m, names, 64) : 0;
	for (size_t i = 0; i < n; i++) {
		char *w = xasprintf("%s%s", base, names[i]);
		add_matching(out, prefix, w, "");
		free(w);
	}
}

static void prop_words(const struct wg_menu *m, const char *prefix, struct strvec *out)
{
	for (size_t i = 0; m->props && m->props[i].name; i++)
		if (!(m->props[i].flags & (PF_RUNTIME | PF_HIDDEN)))
			add_matching(out, prefix, m->props[i].name, "=");
	static const char *const extra[] = { "where", "detail", "terse", "count-only", "show-sensitive", NULL };
	for (size_t i = 0; extra[i]; i++)
		add_matching(out, prefix, extra[i], "");
}

/* The values of property prop of the items of menu path (names of interfaces, lists). */
static void item_values(struct wg_session *s, const char *path, const char *prop, struct strvec *out)
{
	const struct wg_menu *m = wg_menu_find(path);
	struct wg_itemlist l = { 0 };
	if (!m)
		return;
	wg_view_items(s, m, &l);
	for (size_t i = 0; i < l.n; i++) {
		const char *v = wg_view_get(m, l.v[i], prop);
		if (v && *v && !sv_has(out, v))
			sv_push(out, v);
	}
	wg_itemlist_free(m, &l);
}

void wg_prop_values(struct wg_session *s, const struct wg_menu *m, const struct wg_prop *p, struct strvec *out)
{
	bool v6 = !strncmp(m->path, "/ipv6/", 6);
	const char *n = p->name;
	size_t len = strlen(n);
	if (!strcmp(n, "protocol") && !(p->flags & PF_RO)) {
		for (size_t i = 0; wg_nft_proto_name(i); i++)
			sv_push(out, wg_nft_proto_name(i));
		return;
	}
	if (len >= 12 && !strcmp(n + len - 12, "address-list")) {
		item_values(s, v6 ? "/ipv6/firewall/address-list" : "/ip/firewall/address-list", "list", out);
		return;
	}
	switch (p->type) {
	case PT_BOOL:
		sv_push(out, "yes");
		sv_push(out, "no");
		break;
	case PT_ENUM:
	case PT_ENUMS:
		for (size_t i = 0; p->choices && p->choices[i]; i++)
			sv_push(out, p->choices[i]);
		break;
	case PT_IFACE:
	case PT_FWIFACE:
	case PT_GATEWAY:
		item_values(s, "/interface", "name", out);
		break;
	case PT_IFLIST:
		item_values(s, "/interface/list", "name", out);
		break;
	case PT_TABLE:
		item_values(s, "/routing/table", "name", out);
		break;
	default:
		break;
	}
}

/* name=value: the values, after a list's last ',' and a leading '!'. */
static void value_words(struct wg_session *s, const struct wg_menu *m, const char *prefix, struct strvec *out)
{
	const char *eq = strchr(prefix, '=');
	char *name = xstrndup(prefix, (size_t)(eq - prefix));
	int i = wg_menu_prop(m, name);
	free(name);
	if (i < 0)
		return;
	const char *start = eq + 1, *comma = strrchr(start, ',');
	if (comma)
		start = comma + 1;
	if (*start == '!')
		start++;
	struct strvec vals = { 0 };
	wg_prop_values(s, m, &m->props[i], &vals);
	char *base = xstrndup(prefix, (size_t)(start - prefix));
	for (size_t k = 0; k < vals.n; k++) {
		char *w = xasprintf("%s%s", base, vals.v[k]);
		add_matching(out, prefix, w, "");
		free(w);
	}
	free(base);
	sv_free(&vals);
}

/* The commands that take items as their first unnamed argument. */
bool wg_cmd_takes_items(const char *cmd)
{
	static const char *const v[] = { "set", "remove", "enable", "disable", "get", "comment", "unset", "move",
					 "show-client-config", "wg-export", "reset-counters", "run", NULL };
	for (size_t i = 0; cmd && v[i]; i++)
		if (!strcmp(cmd, v[i]))
			return true;
	return false;
}

/* Item names (the menu's name property) and the numbers of the last print. */
static void item_words(struct wg_session *s, const struct wg_menu *m, const char *prefix, struct strvec *out)
{
	char num[24];
	for (size_t i = 0; i < s->nnums; i++)
		for (size_t k = 0; s->nums[i].menu == m && k < s->nums[i].n; k++) {
			snprintf(num, sizeof(num), "%zu", k);
			add_matching(out, prefix, num, "");
		}
	if (!m->name_prop)
		return;
	struct strvec names = { 0 };
	item_values(s, m->path, m->name_prop, &names);
	for (size_t i = 0; i < names.n; i++)
		add_matching(out, prefix, names.v[i], "");
	sv_free(&names);
}

void wg_session_complete(struct wg_session *s, const char *line, struct strvec *out)
{
	if (line[0] == WG_HELP_MARK) {
		wg_session_help(s, line + 1, out);
		return;
	}
	struct wg_pos p;
	wg_pos_locate(s, line, &p);
	if (p.cmd_menu && strchr(p.prefix, '=')) {
		value_words(s, p.cmd_menu, p.prefix, out);
	} else if (p.cmd_menu) {
		if (wg_cmd_takes_items(p.cmd) && !p.unnamed)
			item_words(s, p.cmd_menu, p.prefix, out);
		prop_words(p.cmd_menu, p.prefix, out);
	} else if (p.menu) {
		const char *slash = strrchr(p.prefix, '/');
		char *base = slash ? xstrndup(p.prefix, (size_t)(slash - p.prefix) + 1) : xstrdup("");
		char *dir = slash ? walk(p.menu, base[0] ? base : "/", NULL, NULL) : xstrdup(p.menu);
		if (dir)
			menu_words(dir, base, p.prefix, out);
		free(dir);
		free(base);
	}
	wg_pos_free(&p);
}
