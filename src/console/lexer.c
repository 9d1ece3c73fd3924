/* Tokens of the RouterOS language. Context matters in one place only: right after an
 * operator (`=`, `!=`, `~` ...) with no space, a bare value runs up to white space,
 * so `private-key=aGVsbG8=...=` and `dst-address=10.0.0.0/8` lex as one value.
 * The text has a length: a NUL byte inside it is a syntax error at its place, never
 * the end of the command (it would silently drop what follows). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "console/lang.h"
#include "util/alloc.h"
#include "util/sbuf.h"
#include "util/str.h"

void wg_lex_init(struct wg_lexer *lx, const char *text, size_t len)
{
	memset(lx, 0, sizeof(*lx));
	lx->s = text;
	lx->len = len;
	lx->line = 1;
	lx->col = 1;
}

/* The character ahead of the position; 0 at the end (and for a NUL byte). */
static char peek(const struct wg_lexer *lx, size_t ahead)
{
	return lx->pos + ahead < lx->len ? lx->s[lx->pos + ahead] : 0;
}

static bool at_end(const struct wg_lexer *lx)
{
	return lx->pos >= lx->len;
}

/* The one definition of a blank for the whole lexer: what skipping passes over is what
 * ends a word. \v and \f are blanks like space and tab (they are white space to
 * RouterOS too); a newline is not, it ends the command. */
static bool blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

static struct wg_tok syntax_error(struct wg_lexer *lx, struct wg_tok t, int line, int col)
{
	snprintf(lx->err, sizeof(lx->err), "syntax error (line %d column %d)", line, col);
	t.type = TK_ERR;
	return t;
}

static void advance(struct wg_lexer *lx)
{
	if (lx->s[lx->pos] == '\n') {
		lx->line++;
		lx->col = 1;
	} else {
		lx->col++;
	}
	lx->pos++;
}

/* A backslash at the end of a line joins the next line. */
static bool at_continuation(const struct wg_lexer *lx)
{
	return peek(lx, 0) == '\\' && (peek(lx, 1) == '\n' || (peek(lx, 1) == '\r' && peek(lx, 2) == '\n'));
}

static void skip_continuation(struct wg_lexer *lx)
{
	advance(lx);
	if (peek(lx, 0) == '\r')
		advance(lx);
	advance(lx);
}

/* Skips blanks and continuations; true if anything was skipped. Every white space but
 * the newline is a blank: words stop at any of it (isspace), so one left here would be
 * an empty word that never moves the lexer on. */
static bool skip_space(struct wg_lexer *lx)
{
	bool any = false;
	for (;;) {
		if (blank(peek(lx, 0))) {
			advance(lx);
		} else if (at_continuation(lx)) {
			skip_continuation(lx);
		} else {
			return any;
		}
		any = true;
	}
}

static void skip_comment(struct wg_lexer *lx)
{
	while (!at_end(lx) && peek(lx, 0) != '\n' && peek(lx, 0))
		advance(lx);
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)toupper((unsigned char)c);
	return c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* One escape after a backslash inside "...": \" \\ \n \r \t \$ \? \_ (space), \AB.
 * False for \00: values are C strings, a NUL would cut the value short. */
static bool string_escape(struct wg_lexer *lx, struct sbuf *b)
{
	char c = peek(lx, 0);
	static const char from[] = "nrtabfv_", to[] = "\n\r\t\a\b\f\v ";
	const char *p = c ? strchr(from, c) : NULL;
	if (p) {
		sb_addc(b, to[p - from]);
		advance(lx);
	} else if (hexval(c) >= 0 && hexval(peek(lx, 1)) >= 0) {
		char v = (char)(hexval(c) * 16 + hexval(peek(lx, 1)));
		if (!v)
			return false;
		sb_addc(b, v);
		advance(lx);
		advance(lx);
	} else if (c) {
		sb_addc(b, c);
		advance(lx);
	}
	return true;
}

/* "count: $n": a $name inside a string is the variable's value (RouterOS names: letters,
 * digits, _). The string's pieces become a one-line script of glued tokens in t.sub,
 * evaluated when the value is; t.text keeps the whole text as written. */
struct pieces {
	struct wg_cmdline line;
	size_t cap;
};

static void piece(struct pieces *p, enum wg_tok_type type, char *text, const struct wg_tok *at)
{
	if (p->line.n == p->cap) {
		p->cap = p->cap ? 2 * p->cap : 4;
		p->line.t = xrealloc(p->line.t, p->cap * sizeof(*p->line.t));
	}
	p->line.t[p->line.n++] = (struct wg_tok){ .type = type, .text = text, .line = at->line, .col = at->col };
}

static bool name_char(char c)
{
	return isalnum((unsigned char)c) || c == '_';
}

/* At an unescaped '$' followed by a name: the text so far and the variable. */
static void interpolate(struct wg_lexer *lx, struct sbuf *b, struct sbuf *all, struct pieces *p, const struct wg_tok *t)
{
	size_t start = lx->pos;
	while (name_char(peek(lx, 0)))
		advance(lx);
	piece(p, TK_STR, xstrndup(sb_str(b), b->len), t);
	sb_reset(b);
	piece(p, TK_VAR, xstrndup(lx->s + start, lx->pos - start), t);
	sb_addc(all, '$');
	sb_addn(all, lx->s + start, lx->pos - start);
}

static struct wg_tok string_done(struct wg_tok t, struct sbuf *b, struct sbuf *all, struct pieces *p)
{
	t.type = TK_STR;
	if (!p->line.n) {
		t.text = sb_take(b);
		xfree_secret(sb_take(all));
		return t;
	}
	piece(p, TK_STR, sb_take(b), &t);
	t.text = sb_take(all);
	t.sub = xcalloc(1, sizeof(*t.sub));
	t.sub->cmds = xmalloc(sizeof(*t.sub->cmds));
	t.sub->cmds[0] = p->line;
	t.sub->n = 1;
	return t;
}

static struct wg_tok string_fail(struct wg_lexer *lx, struct wg_tok t, struct sbuf *b, struct sbuf *all,
				 struct pieces *p, int line, int col)
{
	xfree_secret(sb_take(b)); /* a string may hold a key */
	xfree_secret(sb_take(all));
	for (size_t i = 0; i < p->line.n; i++)
		xfree_secret(p->line.t[i].text);
	free(p->line.t);
	return syntax_error(lx, t, line, col);
}

/* interp: a $name inside is a variable (not for $"name" itself). */
static struct wg_tok lex_string(struct wg_lexer *lx, struct wg_tok t, bool interp)
{
	struct sbuf b, all;
	struct pieces p = { 0 };
	sb_init(&b);
	sb_init(&all);
	advance(lx); /* opening quote */
	for (;;) {
		char c = peek(lx, 0);
		int line = lx->line, col = lx->col;
		if (!c)
			return string_fail(lx, t, &b, &all, &p, line, col);
		if (c == '"') {
			advance(lx);
			break;
		}
		if (at_continuation(lx)) {
			skip_continuation(lx);
			continue;
		}
		advance(lx);
		if (c == '$' && interp && name_char(peek(lx, 0))) {
			interpolate(lx, &b, &all, &p, &t);
			continue;
		}
		size_t before = b.len;
		if (c != '\\')
			sb_addc(&b, c);
		else if (!string_escape(lx, &b))
			return string_fail(lx, t, &b, &all, &p, line, col);
		if (b.len > before)
			sb_addn(&all, b.s + before, b.len - before);
	}
	return string_done(t, &b, &all, &p);
}

static bool var_char(char c)
{
	return isalnum((unsigned char)c) || c == '_' || c == '-' || c == '.';
}

static struct wg_tok lex_var(struct wg_lexer *lx, struct wg_tok t)
{
	advance(lx);
	if (peek(lx, 0) == '"') {
		t = lex_string(lx, t, false);
		if (t.type == TK_STR)
			t.type = TK_VAR;
		return t;
	}
	size_t start = lx->pos;
	while (var_char(peek(lx, 0)))
		advance(lx);
	t.type = TK_VAR;
	t.text = xstrndup(lx->s + start, lx->pos - start);
	return t;
}

static bool word_stop(char c)
{
	return !c || blank(c) || strchr("\n=!<>~()[]{};\"$", c);
}

static bool value_stop(const struct wg_lexer *lx, char c)
{
	if (!c || blank(c) || strchr("\n;[]{}\"$", c))
		return true;
	return c == ')' && lx->paren > 0;
}

/* A bare word or value. Never empty: a character that neither starts another token nor
 * goes into a word would otherwise give empty words forever. */
static struct wg_tok lex_run(struct wg_lexer *lx, struct wg_tok t, bool value)
{
	size_t start = lx->pos;
	while (!at_continuation(lx) && !(value ? value_stop(lx, peek(lx, 0)) : word_stop(peek(lx, 0))))
		advance(lx);
	if (lx->pos == start)
		return syntax_error(lx, t, lx->line, lx->col);
	t.type = TK_WORD;
	t.text = xstrndup(lx->s + start, lx->pos - start);
	return t;
}

static struct wg_tok lex_op(struct wg_lexer *lx, struct wg_tok t)
{
	char c = peek(lx, 0), n = peek(lx, 1);
	advance(lx);
	switch (c) {
	case '=': t.type = TK_EQ; break;
	case '~': t.type = TK_TILDE; break;
	case '!':
		t.type = n == '=' ? TK_NE : TK_NOT;
		break;
	case '<':
		t.type = n == '=' ? TK_LE : TK_LT;
		break;
	default:
		t.type = n == '=' ? TK_GE : TK_GT;
		break;
	}
	if (t.type == TK_NE || t.type == TK_LE || t.type == TK_GE)
		advance(lx);
	lx->after_op = t.type != TK_NOT;
	return t;
}

static struct wg_tok lex_punct(struct wg_lexer *lx, struct wg_tok t, char c)
{
	static const char ch[] = "()[]{};\n";
	static const enum wg_tok_type ty[] = { TK_LPAREN, TK_RPAREN, TK_LBRACK, TK_RBRACK, TK_LBRACE,
					       TK_RBRACE, TK_EOL, TK_EOL };
	t.type = ty[strchr(ch, c) - ch];
	if (c == '(')
		lx->paren++;
	else if (c == ')' && lx->paren > 0)
		lx->paren--;
	advance(lx);
	return t;
}

struct wg_tok wg_lex_next(struct wg_lexer *lx)
{
	bool op = lx->after_op;
	lx->after_op = false;
	struct wg_tok t = { .space = skip_space(lx) };
	if (!t.space && peek(lx, 0) == '#' && lx->pos == 0)
		t.space = true;
	t.line = lx->line;
	t.col = lx->col;
	char c = peek(lx, 0);
	if (at_end(lx)) {
		t.type = TK_EOF;
		return t;
	}
	if (!c)
		return syntax_error(lx, t, t.line, t.col);
	bool value = op && !t.space;
	if (c == '#' && !value && (t.space || lx->pos == 0 || lx->s[lx->pos - 1] == '\n' || lx->s[lx->pos - 1] == ';')) {
		skip_comment(lx);
		return wg_lex_next(lx);
	}
	if (c == '"')
		return lex_string(lx, t, true);
	if (c == '$')
		return lex_var(lx, t);
	if (strchr("()[]{};\n", c)) /* name=( expression ) too */
		return lex_punct(lx, t, c);
	if (!value && strchr("=!<>~", c))
		return lex_op(lx, t);
	return lex_run(lx, t, value);
}
