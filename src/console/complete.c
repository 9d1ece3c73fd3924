/* Tab completion for the interactive console: the words that can follow what is typed,
 * from the menu tree (menus and commands), then the command's property names. */
#include <stdlib.h>
#include <string.h>
#include "console/interp.h"

static void add_matching(struct strvec *out, const char *prefix, const char *word, const char *suffix)
{
	char *w = xasprintf("%s%s", word, suffix);
	if (!strncmp(w, prefix, strlen(prefix)) && !sv_has(out, w))
		sv_push(out, w);
	free(w);
}

/* The menu a path word leads to from menu cur (NULL if it is not a menu); *cmd is set
 * when the word ends in a command of that menu (`/ip/address/add`). */
static char *walk(const char *cur, const char *word, const struct wg_menu **cmd)
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
			if (cmd && m && wg_cmd_find(m, seg))
				*cmd = m;
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

void wg_session_complete(struct wg_session *s, const char *line, struct strvec *out)
{
	struct strvec words = { 0 };
	const char *last = strrchr(line, ' ');
	const char *prefix = last ? last + 1 : line;
	char *head = xstrndup(line, (size_t)(prefix - line));
	sv_split(&words, head, ' ');
	char *menu = xstrdup(s->menu);
	const struct wg_menu *cmd_menu = NULL;
	for (size_t i = 0; i < words.n && menu; i++) {
		const struct wg_menu *cm = NULL;
		char *next = walk(menu, words.v[i], &cm);
		if (!next) { /* a command: the rest are its arguments */
			cmd_menu = cm ? cm : wg_menu_find(menu);
			break;
		}
		free(menu);
		menu = next;
	}
	if (cmd_menu) {
		prop_words(cmd_menu, prefix, out);
	} else if (menu) {
		const char *slash = strrchr(prefix, '/');
		char *base = slash ? xstrndup(prefix, (size_t)(slash - prefix) + 1) : xstrdup("");
		char *dir = slash ? walk(menu, base[0] ? base : "/", NULL) : xstrdup(menu);
		if (dir)
			menu_words(dir, base, prefix, out);
		free(dir);
		free(base);
	}
	free(menu);
	free(head);
	sv_free(&words);
}
