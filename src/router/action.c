/* The frame of menu actions (schema.h, struct wg_action): argument and policy checks
 * shared by every door, and the lookups actions make. */
#include <stdarg.h>
#include <string.h>
#include "router/auth.h"
#include "router/menus.h"

const struct wg_action *wg_action_find(const struct wg_menu *m, const char *name)
{
	for (const struct wg_action *a = m ? m->actions : NULL; a && a->name; a++)
		if (!strcmp(a->name, name))
			return a;
	return NULL;
}

const char *wg_action_arg(const struct wg_action_ctx *a, const char *name)
{
	for (size_t i = 0; a->args && a->args[i]; i += 2)
		if (!strcmp(a->args[i], name))
			return a->args[i + 1];
	return NULL;
}

static bool takes(const struct wg_action *act, const char *name)
{
	for (size_t i = 0; act->params && act->params[i]; i++)
		if (!strcmp(act->params[i], name))
			return true;
	return false;
}

static int fail(struct wg_action_ctx *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(struct wg_action_ctx *a, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(a->err, a->errlen, fmt, ap);
	va_end(ap);
	return -1;
}

int wg_action_run(struct wg_action_ctx *a, const struct wg_action *act)
{
	a->changed = false;
	if (a->user && !wg_auth_can(a->user, act->needs))
		return fail(a, "not enough permissions (9)");
	for (size_t i = 0; a->args && a->args[i]; i += 2)
		if (!takes(act, a->args[i]))
			return fail(a, "expected end of command (argument %s)", a->args[i]);
	return act->run(a);
}

struct wg_item *wg_action_item(struct wg_action_ctx *a)
{
	const char *ref = wg_action_arg(a, "numbers");
	struct wg_table *t = wg_store_table(a->next, a->menu);
	uint32_t id;
	struct wg_item *it = NULL;
	if (!ref || !*ref) {
		fail(a, "missing value(s) of argument(s) numbers");
		return NULL;
	}
	if (strchr(ref, ',')) {
		fail(a, "failure: one item at a time");
		return NULL;
	}
	if (ref[0] == '*' && wg_id_parse(ref, &id))
		it = wg_table_by_id(t, id);
	else
		it = wg_table_by_name(t, ref);
	if (!it)
		fail(a, "no such item");
	return it;
}
