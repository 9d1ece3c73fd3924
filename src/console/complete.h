/* Internal to src/console: where a typed line stands (complete.c), for Tab completion
 * and for `?` help (help.c). */
#ifndef WG_CONSOLE_COMPLETE_H
#define WG_CONSOLE_COMPLETE_H
#include "console/interp.h"
#include "router/schema.h"

struct wg_pos {
	char *menu;                      /* the menu the complete words lead to (NULL: none) */
	const struct wg_menu *cmd_menu;  /* set when a command was typed: its menu */
	const char *cmd;                 /* and its name */
	size_t unnamed;                  /* unnamed arguments typed after it */
	const char *prefix;              /* the last, partial word (points into the line) */
};
void wg_pos_locate(struct wg_session *s, const char *line, struct wg_pos *p);
void wg_pos_free(struct wg_pos *p);
/* The values property p of menu m takes, for completion and help: enum choices,
 * yes/no, names of interfaces, interface lists, address lists, routing tables. */
void wg_prop_values(struct wg_session *s, const struct wg_menu *m, const struct wg_prop *p, struct strvec *out);
/* set, remove, enable ...: commands whose first unnamed argument names items. */
bool wg_cmd_takes_items(const char *cmd);
/* `?` at the prompt: help lines for the line typed so far (help.c). */
void wg_session_help(struct wg_session *s, const char *line, struct strvec *out);
#endif
