/* where-expressions of print and find: = != < > ~ in, and/or/!, parentheses, and
 * plain words (`where disabled`). A find with several conditions and no `and`
 * (`find interface=wg1 public-key="..."`) means all of them. Values are evaluated once
 * when parsed ($variables, [substitutions]); properties per item when matched. */
#include <regex.h>
#include <stdlib.h>
#include <string.h>
#include "console/interp.h"
#include "router/units.h"
#include "sys/prefix.h"

enum node_kind { N_AND, N_OR, N_NOT, N_CMP, N_TRUTH };

struct wg_expr {
	enum node_kind kind;
	struct wg_expr *a, *b;
	char *prop;
	enum wg_tok_type op;   /* N_CMP: TK_EQ ... TK_TILDE, or TK_WORD for `in` */
	char *value;
	regex_t re;
	bool has_re;
};

struct eparse {
	struct wg_call *c;
	size_t i;
	int depth;        /* open parentheses and `!` */
	size_t terms;
};

/* The parser and wg_expr_match/free recurse once per nesting level and per term of an
 * and/or chain: both are bounded, so no input reaches the end of the stack. */
enum { MAX_TERMS = 1000 };

void wg_expr_free(struct wg_expr *e)
{
	if (!e)
		return;
	wg_expr_free(e->a);
	wg_expr_free(e->b);
	if (e->has_re)
		regfree(&e->re);
	free(e->prop);
	free(e->value);
	free(e);
}

static const struct wg_tok *cur(struct eparse *p)
{
	return p->i < p->c->n ? &p->c->t[p->i] : NULL;
}

static bool is_word(const struct wg_tok *t, const char *w)
{
	return t && t->type == TK_WORD && !strcmp(t->text, w);
}

static int syntax(struct eparse *p)
{
	const struct wg_tok *t = cur(p);
	if (!t && p->c->n) { /* at the end of the line: just after the last token */
		const struct wg_tok *l = &p->c->t[p->c->n - 1];
		return wg_err(p->c->s, "syntax error (line %d column %d)", l->line, l->col + (int)strlen(l->text ? l->text : " "));
	}
	if (!t)
		return wg_err(p->c->s, "syntax error (line %d column %d)", p->c->line, p->c->col);
	return wg_err(p->c->s, "syntax error (line %d column %d)", t->line, t->col);
}

static struct wg_expr *node(enum node_kind k, struct wg_expr *a, struct wg_expr *b)
{
	struct wg_expr *e = xcalloc(1, sizeof(*e));
	e->kind = k;
	e->a = a;
	e->b = b;
	return e;
}

static bool known_prop(const struct wg_menu *m, const char *name)
{
	return wg_menu_prop(m, name) >= 0 || !strcmp(name, "dynamic") || !strcmp(name, ".id");
}

static int parse_or(struct eparse *p, struct wg_expr **out);

static bool is_cmp(enum wg_tok_type t)
{
	return t == TK_EQ || t == TK_NE || t == TK_LT || t == TK_GT || t == TK_LE || t == TK_GE || t == TK_TILDE;
}

static int parse_cmp(struct eparse *p, struct wg_expr **out)
{
	const struct wg_tok *t = cur(p);
	if (!t || t->type != TK_WORD)
		return syntax(p);
	if (!known_prop(p->c->menu, t->text))
		return wg_err(p->c->s, "syntax error (line %d column %d)", t->line, t->col);
	struct wg_expr *e = node(N_TRUTH, NULL, NULL);
	e->prop = xstrdup(t->text);
	p->i++;
	const struct wg_tok *op = cur(p);
	if (op && (is_cmp(op->type) || is_word(op, "in"))) {
		size_t used;
		e->kind = N_CMP;
		e->op = op->type;
		p->i++;
		if (!cur(p) || cur(p)->type == TK_RPAREN || wg_eval_value(p->c, p->i, &e->value, &used) < 0) {
			wg_expr_free(e);
			return cur(p) ? -1 : syntax(p);
		}
		p->i += used;
		if (e->op == TK_TILDE) {
			if (regcomp(&e->re, e->value, REG_EXTENDED | REG_NOSUB)) {
				wg_expr_free(e);
				return wg_err(p->c->s, "invalid regular expression");
			}
			e->has_re = true;
		}
	}
	*out = e;
	return 0;
}

static int too_long(struct eparse *p, const char *what)
{
	const struct wg_tok *t = cur(p);
	return wg_err(p->c->s, "failure: expression %s (line %d column %d)", what, t ? t->line : p->c->line,
		      t ? t->col : p->c->col);
}

static int parse_nested(struct eparse *p, struct wg_expr **out);

static int parse_not(struct eparse *p, struct wg_expr **out)
{
	const struct wg_tok *t = cur(p);
	if (++p->terms > MAX_TERMS)
		return too_long(p, "too long");
	if (t && (t->type == TK_NOT || t->type == TK_LPAREN)) {
		if (p->depth >= WG_LANG_MAX_DEPTH)
			return too_long(p, "nesting too deep");
		p->depth++;
		int rc = parse_nested(p, out);
		p->depth--;
		return rc;
	}
	return parse_cmp(p, out);
}

/* `!term` or `( expression )`. */
static int parse_nested(struct eparse *p, struct wg_expr **out)
{
	if (cur(p)->type == TK_NOT) {
		struct wg_expr *a;
		p->i++;
		if (parse_not(p, &a) < 0)
			return -1;
		*out = node(N_NOT, a, NULL);
		return 0;
	}
	p->i++;
	if (parse_or(p, out) < 0)
		return -1;
	if (!cur(p) || cur(p)->type != TK_RPAREN) {
		wg_expr_free(*out);
		*out = NULL;
		return syntax(p);
	}
	p->i++;
	return 0;
}

static bool starts_term(const struct wg_tok *t)
{
	return t && (t->type == TK_NOT || t->type == TK_LPAREN || (t->type == TK_WORD && !is_word(t, "or") &&
								      !is_word(t, "||")));
}

static int parse_and(struct eparse *p, struct wg_expr **out)
{
	if (parse_not(p, out) < 0)
		return -1;
	for (;;) {
		const struct wg_tok *t = cur(p);
		bool explicit_and = is_word(t, "and") || is_word(t, "&&");
		if (!explicit_and && !starts_term(t))
			return 0;
		if (explicit_and)
			p->i++;
		struct wg_expr *b;
		if (parse_not(p, &b) < 0) {
			wg_expr_free(*out);
			*out = NULL;
			return -1;
		}
		*out = node(N_AND, *out, b);
	}
}

static int parse_or(struct eparse *p, struct wg_expr **out)
{
	if (parse_and(p, out) < 0)
		return -1;
	while (is_word(cur(p), "or") || is_word(cur(p), "||")) {
		struct wg_expr *b;
		p->i++;
		if (parse_and(p, &b) < 0) {
			wg_expr_free(*out);
			*out = NULL;
			return -1;
		}
		*out = node(N_OR, *out, b);
	}
	return 0;
}

int wg_expr_parse(struct wg_call *c, size_t from, struct wg_expr **out)
{
	struct eparse p = { .c = c, .i = from };
	*out = NULL;
	if (from >= c->n)
		return 0;
	if (parse_or(&p, out) < 0)
		return -1;
	if (p.i < c->n) {
		wg_expr_free(*out);
		*out = NULL;
		return syntax(&p);
	}
	return 0;
}

/* ---- matching ---- */

/* The value typed in a comparison, in the property's canonical form when it parses
 * (so `allowed-address="10.0.0.2"` finds 10.0.0.2/32 and `disabled=true` finds yes). */
static bool equal(const struct wg_menu *m, const char *prop, const char *have, const char *want)
{
	int i = wg_menu_prop(m, prop);
	char err[8], *canon = NULL;
	if (!have)
		return !*want;
	if (i >= 0 && *want && wg_value_parse(&m->props[i], want, &canon, err, sizeof(err)) == 0) {
		bool eq = !strcmp(have, canon);
		free(canon);
		if (eq)
			return true;
	}
	return !strcmp(have, want);
}

static bool number_of(const char *s, double *out)
{
	char *end;
	uint64_t ms;
	if (!s || !*s)
		return false;
	*out = strtod(s, &end);
	if (!*end || !strcmp(end, "%"))
		return true;
	if (wg_time_parse(s, &ms)) {
		*out = (double)ms / 1000;
		return true;
	}
	return false;
}

static int compare(const char *have, const char *want)
{
	double a, b;
	if (number_of(have, &a) && number_of(want, &b))
		return a < b ? -1 : a > b;
	return strcmp(have ? have : "", want);
}

/* prop in 10.0.0.0/8: address containment; otherwise list membership. */
static bool within(const char *have, const char *want)
{
	struct wg_prefix in, out;
	if (have && !wg_prefix_parse(&in, have) && !wg_prefix_parse(&out, want))
		return wg_prefix_contains(&out, &in);
	struct strvec v = { 0 };
	sv_split(&v, want, ',');
	bool hit = have && sv_has(&v, have);
	sv_free(&v);
	return hit;
}

static bool match_cmp(const struct wg_expr *e, const struct wg_menu *m, const struct wg_item *it)
{
	char id[16];
	const char *have = !strcmp(e->prop, ".id") ? (wg_id_format(it->id, id), id) : wg_view_get(m, it, e->prop);
	switch (e->op) {
	case TK_EQ: return equal(m, e->prop, have, e->value);
	case TK_NE: return !equal(m, e->prop, have, e->value);
	case TK_LT: return compare(have, e->value) < 0;
	case TK_GT: return compare(have, e->value) > 0;
	case TK_LE: return compare(have, e->value) <= 0;
	case TK_GE: return compare(have, e->value) >= 0;
	case TK_TILDE: return regexec(&e->re, have ? have : "", 0, NULL, 0) == 0;
	default: return within(have, e->value);
	}
}

bool wg_expr_match(const struct wg_expr *e, const struct wg_menu *m, const struct wg_item *it)
{
	const char *v;
	switch (e->kind) {
	case N_AND: return wg_expr_match(e->a, m, it) && wg_expr_match(e->b, m, it);
	case N_OR: return wg_expr_match(e->a, m, it) || wg_expr_match(e->b, m, it);
	case N_NOT: return !wg_expr_match(e->a, m, it);
	case N_CMP: return match_cmp(e, m, it);
	default:
		v = wg_view_get(m, it, e->prop);
		return v && *v && strcmp(v, "no") && strcmp(v, "false");
	}
}
