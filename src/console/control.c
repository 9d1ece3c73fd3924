/* :if and :foreach, the two control commands RouterOS scripts use most:
 *   :if ($x = "yes") do={ ... } else={ ... }
 *   :foreach i in=[find where disabled] do={ enable $i }
 * The condition is an expression (calc.c): true unless empty, false, no or 0. */
#include <stdlib.h>
#include <string.h>
#include "console/interp.h"

static bool word(const struct wg_tok *t, const char *a, const char *b)
{
	return t && t->type == TK_WORD && (!strcmp(t->text, a) || !strcmp(t->text, b));
}

/* name={ block } among the tokens from i on. */
static const struct wg_tok *block_arg(const struct wg_call *c, size_t from, const char *name)
{
	for (size_t i = from; i + 2 < c->n; i++)
		if (c->t[i].type == TK_WORD && !strcmp(c->t[i].text, name) && c->t[i + 1].type == TK_EQ &&
		    c->t[i + 2].type == TK_BLOCK)
			return &c->t[i + 2];
	return NULL;
}

int wg_cmd_if(struct wg_call *c)
{
	struct wg_val cond;
	size_t used;
	if (!c->n || c->t[0].type != TK_LPAREN)
		return wg_err(c->s, "syntax error (line %d column %d)", c->line, c->col);
	if (wg_eval_typed(c, 0, &cond, &used) < 0)
		return -1;
	bool yes = wg_val_truthy(&cond);
	wg_val_free(&cond);
	const struct wg_tok *b = block_arg(c, used, yes ? "do" : "else");
	if (!yes && !b)
		return 0;
	if (!b)
		return wg_err(c->s, "missing value(s) of argument(s) do");
	return wg_run_nested(c->s, b->sub, c->s->menu, c->ret, c->top);
}

int wg_cmd_foreach(struct wg_call *c)
{
	char *list = NULL;
	size_t used;
	if (c->n < 4 || c->t[0].type != TK_WORD || !word(&c->t[1], "in", "in") || c->t[2].type != TK_EQ)
		return wg_err(c->s, "syntax error (line %d column %d)", c->line, c->col);
	const struct wg_tok *b = block_arg(c, 3, "do");
	if (!b)
		return wg_err(c->s, "missing value(s) of argument(s) do");
	if (wg_eval_value(c, 3, &list, &used) < 0)
		return -1;
	for (char *p = list; *p; p++)
		if (*p == ';')
			*p = ',';
	struct strvec items = { 0 };
	sv_split(&items, list, ',');
	int rc = 0;
	for (size_t i = 0; i < items.n && rc == 0; i++) {
		wg_set_local(c->s, c->t[0].text, items.v[i]);
		rc = wg_run_nested(c->s, b->sub, c->s->menu, c->ret, c->top);
	}
	sv_free(&items);
	free(list);
	return rc;
}
