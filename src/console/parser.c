/* Groups tokens into command lines (split at newlines and ';') and nests [...] and
 * {...} as scripts. What a word means (menu, command, argument) is decided later by
 * the interpreter, which knows the menu tree. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "console/lang.h"
#include "util/alloc.h"
#include "util/str.h"

struct pstate {
	struct wg_lexer lx;
	char *err;
	size_t errlen;
	int depth;          /* open [ and { */
};

static void syntax_error(struct pstate *p, int line, int col)
{
	snprintf(p->err, p->errlen, "syntax error (line %d column %d)", line, col);
}

void wg_tok_free(struct wg_tok *t)
{
	xfree_secret(t->text);
	wg_script_free(t->sub);
	t->text = NULL;
	t->sub = NULL;
}

static void cmdline_free(struct wg_cmdline *c)
{
	for (size_t i = 0; i < c->n; i++)
		wg_tok_free(&c->t[i]);
	free(c->t);
}

void wg_script_free(struct wg_script *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++)
		cmdline_free(&s->cmds[i]);
	free(s->cmds);
	free(s);
}

/* Room for element n of an array holding n: the capacity doubles (it is n itself at
 * every power of two from 4 on), so a line of a million tokens is not copied a million
 * times. */
static void *room_for(void *v, size_t n, size_t size)
{
	if (n == 0)
		return xrealloc(v, 4 * size);
	if (n >= 4 && !(n & (n - 1)))
		return xrealloc(v, 2 * n * size);
	return v;
}

static void push_tok(struct wg_cmdline *c, struct wg_tok t)
{
	c->t = room_for(c->t, c->n, sizeof(*c->t));
	c->t[c->n++] = t;
}

static void push_cmd(struct wg_script *s, struct wg_cmdline *c)
{
	if (!c->n) {
		free(c->t);
	} else {
		s->cmds = room_for(s->cmds, s->n, sizeof(*s->cmds));
		s->cmds[s->n++] = *c;
	}
	memset(c, 0, sizeof(*c));
}

static struct wg_script *parse_until(struct pstate *p, enum wg_tok_type close);

/* [ ... ] or { ... }: the nested script becomes the token's sub. */
static bool nest(struct pstate *p, struct wg_tok *t)
{
	enum wg_tok_type close = t->type == TK_LBRACK ? TK_RBRACK : TK_RBRACE;
	t->type = t->type == TK_LBRACK ? TK_SUBST : TK_BLOCK;
	if (p->depth >= WG_LANG_MAX_DEPTH) {
		snprintf(p->err, p->errlen, "failure: script nesting too deep (line %d column %d)", t->line, t->col);
		return false;
	}
	int saved = p->lx.paren;
	p->lx.paren = 0;
	p->depth++;
	t->sub = parse_until(p, close);
	p->depth--;
	p->lx.paren = saved;
	return t->sub != NULL;
}

static struct wg_script *parse_until(struct pstate *p, enum wg_tok_type close)
{
	struct wg_script *s = xcalloc(1, sizeof(*s));
	struct wg_cmdline cur = { 0 };
	for (;;) {
		struct wg_tok t = wg_lex_next(&p->lx);
		if (t.type == TK_ERR) {
			snprintf(p->err, p->errlen, "%s", p->lx.err);
			goto fail;
		}
		if (t.type == close || (t.type == TK_EOF && close == TK_EOF))
			break;
		if (t.type == TK_EOF || t.type == TK_RBRACK || t.type == TK_RBRACE) {
			syntax_error(p, t.line, t.col);
			goto fail;
		}
		if (t.type == TK_EOL) {
			push_cmd(s, &cur);
			continue;
		}
		if (!cur.n) {
			cur.line = t.line;
			cur.col = t.col;
		}
		if ((t.type == TK_LBRACK || t.type == TK_LBRACE) && !nest(p, &t)) {
			push_tok(&cur, t);
			goto fail;
		}
		push_tok(&cur, t);
	}
	push_cmd(s, &cur);
	return s;
fail:
	cmdline_free(&cur);
	wg_script_free(s);
	return NULL;
}

struct wg_script *wg_parse(const char *text, size_t len, char *err, size_t errlen)
{
	struct pstate p = { .err = err, .errlen = errlen };
	wg_lex_init(&p.lx, text, len);
	err[0] = 0;
	return parse_until(&p, TK_EOF);
}
