/* :if and :foreach, the two control commands RouterOS scripts use most:
 *   :if ($x = "yes") do={ ... } else={ ... }
 *   :foreach i in=[find where disabled] do={ enable $i }
 * Conditions compare values ($variables, "strings", [substitutions]) with = != < > <= >=
 * ~, combined with && || ! (and/or) and parentheses. */
#include <regex.h>
#include <stdlib.h>
#include <string.h>
#include "console/interp.h"

struct cond { struct wg_call *c; size_t i, end; int depth; /* open parentheses and `!` */ };

static const struct wg_tok *peek(struct cond *p)
{
	return p->i < p->end ? &p->c->t[p->i] : NULL;
}

static bool word(const struct wg_tok *t, const char *a, const char *b)
{
	return t && t->type == TK_WORD && (!strcmp(t->text, a) || !strcmp(t->text, b));
}

static bool truthy(const char *v)
{
	return *v && strcmp(v, "false") && strcmp(v, "no") && strcmp(v, "0");
}

static int compare(const char *a, const char *b)
{
	char *ea, *eb;
	double x = strtod(a, &ea), y = strtod(b, &eb);
	if (*a && *b && !*ea && !*eb)
		return x < y ? -1 : x > y;
	return strcmp(a, b);
}

static bool apply_op(enum wg_tok_type op, const char *a, const char *b)
{
	regex_t re;
	bool m;
	switch (op) {
	case TK_EQ: return !strcmp(a, b);
	case TK_NE: return strcmp(a, b) != 0;
	case TK_LT: return compare(a, b) < 0;
	case TK_GT: return compare(a, b) > 0;
	case TK_LE: return compare(a, b) <= 0;
	case TK_GE: return compare(a, b) >= 0;
	default:
		if (regcomp(&re, b, REG_EXTENDED | REG_NOSUB))
			return false;
		m = regexec(&re, a, 0, NULL, 0) == 0;
		regfree(&re);
		return m;
	}
}

static int cond_or(struct cond *p, bool *out);

static int syntax(struct cond *p)
{
	const struct wg_tok *t = peek(p);
	return wg_err(p->c->s, "syntax error (line %d column %d)", t ? t->line : p->c->line, t ? t->col : p->c->col);
}

/* Each parenthesis and `!` recurses: bounded, so no condition reaches the end of the
 * stack. Pair with p->depth-- when the nested part is done. */
static int deeper(struct cond *p)
{
	const struct wg_tok *t = peek(p);
	if (p->depth >= WG_LANG_MAX_DEPTH)
		return wg_err(p->c->s, "failure: expression nesting too deep (line %d column %d)", t->line, t->col);
	p->depth++;
	return 0;
}

static int value(struct cond *p, char **out)
{
	size_t used;
	const struct wg_tok *t = peek(p);
	if (!t || t->type == TK_LPAREN || t->type == TK_RPAREN || t->type == TK_BLOCK)
		return syntax(p);
	if (wg_eval_value(p->c, p->i, out, &used) < 0)
		return -1;
	p->i += used;
	return 0;
}

static int primary(struct cond *p, bool *out)
{
	const struct wg_tok *t = peek(p);
	if (t && t->type == TK_LPAREN) {
		if (deeper(p) < 0)
			return -1;
		p->i++;
		int rc = cond_or(p, out);
		p->depth--;
		if (rc < 0)
			return -1;
		if (!peek(p) || peek(p)->type != TK_RPAREN)
			return syntax(p);
		p->i++;
		return 0;
	}
	char *a = NULL, *b = NULL;
	if (value(p, &a) < 0)
		return -1;
	t = peek(p);
	if (t && (t->type == TK_EQ || t->type == TK_NE || t->type == TK_LT || t->type == TK_GT ||
		  t->type == TK_LE || t->type == TK_GE || t->type == TK_TILDE)) {
		p->i++;
		if (value(p, &b) < 0) {
			free(a);
			return -1;
		}
		*out = apply_op(t->type, a, b);
	} else {
		*out = truthy(a);
	}
	free(a);
	free(b);
	return 0;
}

static int cond_not(struct cond *p, bool *out)
{
	const struct wg_tok *t = peek(p);
	if (t && t->type == TK_NOT) {
		if (deeper(p) < 0)
			return -1;
		p->i++;
		int rc = cond_not(p, out);
		p->depth--;
		*out = !*out;
		return rc;
	}
	return primary(p, out);
}

static int cond_and(struct cond *p, bool *out)
{
	if (cond_not(p, out) < 0)
		return -1;
	while (word(peek(p), "&&", "and")) {
		bool b;
		p->i++;
		if (cond_not(p, &b) < 0)
			return -1;
		*out = *out && b;
	}
	return 0;
}

static int cond_or(struct cond *p, bool *out)
{
	if (cond_and(p, out) < 0)
		return -1;
	while (word(peek(p), "||", "or")) {
		bool b;
		p->i++;
		if (cond_and(p, &b) < 0)
			return -1;
		*out = *out || b;
	}
	return 0;
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
	struct cond p = { .c = c, .end = c->n };
	bool yes;
	if (!c->n || c->t[0].type != TK_LPAREN)
		return wg_err(c->s, "syntax error (line %d column %d)", c->line, c->col);
	if (primary(&p, &yes) < 0)
		return -1;
	const struct wg_tok *b = block_arg(c, p.i, yes ? "do" : "else");
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
