/* Values with their types, and RouterOS's ( expressions ):
 *   :put ($x + 2)   :local n ([:len $s] * 2)   :if ($a = "yes" && !$b) do={...}
 * Arithmetic + - * / % on num, time and ip (10.0.0.1 + 1), bitwise & | ^ ~ (a mask),
 * . concatenation, comparison = != < > <= >= ~ (regex), in (ip in prefix), ! && ||
 * (and, or). Precedence from high to low: unary; * / %; + -; .; & ^ |; comparison;
 * &&; ||. Bare words inside ( ) are split at operators, so (1+2) is 1 + 2 and
 * 10.0.0.0/8 stays an ip-prefix. Parentheses and unary operators nest at most
 * WG_LANG_MAX_DEPTH deep. */
#include <arpa/inet.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>
#include "console/interp.h"

enum op { OP_NONE, OP_OR, OP_AND, OP_EQ, OP_NE, OP_LT, OP_GT, OP_LE, OP_GE, OP_RE, OP_IN, OP_BOR, OP_BXOR,
	  OP_BAND, OP_CAT, OP_ADD, OP_SUB, OP_MUL, OP_DIV, OP_MOD, OP_NOT };

static const char *const op_text[] = { "", "||", "&&", "=", "!=", "<", ">", "<=", ">=", "~", "in", "|", "^",
				       "&", ".", "+", "-", "*", "/", "%", "!" };

static int level(enum op o)
{
	static const int lv[] = { 0, 1, 2, 3, 3, 3, 3, 3, 3, 3, 3, 4, 4, 4, 5, 6, 6, 7, 7, 7, 0 };
	return lv[o];
}

enum akind { A_END, A_VAL, A_OP, A_LP, A_RP };

struct calc {
	struct wg_call *c;
	size_t i, off;      /* token, and offset inside a word split at operators */
	int depth;
};

/* ---- atoms: tokens, and words split at operators ---- */

static bool op_char(char ch)
{
	return ch && strchr("+-*/%.&|^", ch);
}

static bool alnum(char ch)
{
	return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
}

static bool digit(char ch)
{
	return ch >= '0' && ch <= '9';
}

/* A number, ip, prefix or time: digits and letters, '.' or '/' only before a digit (so
 * `1.2.3.4` and `10.0.0.0/8` stay whole, `1 . 2` is concatenation). */
static size_t number_run(const char *w)
{
	size_t n = 0;
	for (;;) {
		if (alnum(w[n]) || w[n] == ':')
			n++;
		else if ((w[n] == '.' && digit(w[n + 1])) || (w[n] == '/' && digit(w[n + 1]) && memchr(w, '.', n)))
			n++;
		else if (w[n] == '/' && digit(w[n + 1]) && memchr(w, ':', n))
			n++;
		else
			return n;
	}
}

/* A bare word: letters, digits, _ and :, '-' inside (wg-remote, ether1-2: a name;
 * subtracting from a str means nothing). */
static size_t word_run(const char *w)
{
	size_t n = 0;
	while (w[n] && (alnum(w[n]) || w[n] == '_' || w[n] == ':' || (w[n] == '-' && n && alnum(w[n + 1])) ||
			(w[n] == '/' && digit(w[n + 1]) && memchr(w, ':', n))))
		n++;
	while (!n && w[n] && !op_char(w[n])) /* anything else: up to the next operator */
		n++;
	return n;
}

static enum op word_op(const char *w, size_t n)
{
	if (n == 3 && !strncmp(w, "and", 3))
		return OP_AND;
	if (n == 2 && !strncmp(w, "or", 2))
		return OP_OR;
	if (n == 2 && !strncmp(w, "in", 2))
		return OP_IN;
	return OP_NONE;
}

/* What the atom at the position is, without evaluating it (a [substitution] runs
 * commands: only once, when taken). len: its length inside a word. */
static enum akind scan(const struct calc *p, enum op *op, size_t *len)
{
	*op = OP_NONE;
	*len = 0;
	if (p->i >= p->c->n)
		return A_END;
	const struct wg_tok *t = &p->c->t[p->i];
	switch (t->type) {
	case TK_LPAREN: return A_LP;
	case TK_RPAREN: return A_RP;
	case TK_EQ: *op = OP_EQ; return A_OP;
	case TK_NE: *op = OP_NE; return A_OP;
	case TK_LT: *op = OP_LT; return A_OP;
	case TK_GT: *op = OP_GT; return A_OP;
	case TK_LE: *op = OP_LE; return A_OP;
	case TK_GE: *op = OP_GE; return A_OP;
	case TK_TILDE: *op = OP_RE; return A_OP;
	case TK_NOT: *op = OP_NOT; return A_OP;
	case TK_WORD: break;
	default: return A_VAL;
	}
	const char *w = t->text + p->off;
	if ((w[0] == '&' && w[1] == '&') || (w[0] == '|' && w[1] == '|')) {
		*op = w[0] == '&' ? OP_AND : OP_OR;
		*len = 2;
		return A_OP;
	}
	if (op_char(w[0])) {
		*op = (enum op)(strchr("|^&.+-*/%", w[0]) - "|^&.+-*/%" + OP_BOR);
		*len = 1;
		return A_OP;
	}
	*len = digit(w[0]) ? number_run(w) : word_run(w);
	*op = word_op(w, *len);
	return *op ? A_OP : A_VAL;
}

static void skip(struct calc *p, size_t len)
{
	const struct wg_tok *t = &p->c->t[p->i];
	if (t->type == TK_WORD && p->off + len < strlen(t->text)) {
		p->off += len;
		return;
	}
	p->i++;
	p->off = 0;
}

static int syntax(struct calc *p)
{
	const struct wg_tok *t = p->i < p->c->n ? &p->c->t[p->i] : NULL;
	return wg_err(p->c->s, "syntax error (line %d column %d)", t ? t->line : p->c->line,
		      t ? t->col + (int)p->off : p->c->col);
}

static int fail(struct calc *p, const char *what, const struct wg_val *a, const struct wg_val *b)
{
	return wg_err(p->c->s, "failure: cannot apply %s to %s and %s", what, wg_vtype_name(a->type),
		      wg_vtype_name(b->type));
}

/* ---- arithmetic ---- */

static enum wg_vtype kind(const struct wg_val *v)
{
	return v->type == VT_STR ? VT_STR : v->type;
}

static void set_num(struct wg_val *out, int64_t n)
{
	wg_val_set(out, VT_NUM, xasprintf("%lld", (long long)n));
}

static void set_ip(struct wg_val *out, uint32_t a)
{
	wg_val_set(out, VT_IP, xasprintf("%u.%u.%u.%u", a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255));
}

static void set_bool(struct wg_val *out, bool b)
{
	wg_val_set(out, VT_BOOL, xstrdup(b ? "true" : "false"));
}

static int num_op(struct calc *p, enum op o, int64_t x, int64_t y, struct wg_val *out)
{
	int64_t r = 0;
	bool ovf = false;
	switch (o) {
	case OP_ADD: ovf = __builtin_add_overflow(x, y, &r); break;
	case OP_SUB: ovf = __builtin_sub_overflow(x, y, &r); break;
	case OP_MUL: ovf = __builtin_mul_overflow(x, y, &r); break;
	case OP_DIV:
	case OP_MOD:
		if (!y)
			return wg_err(p->c->s, "failure: division by zero");
		ovf = x == INT64_MIN && y == -1;
		r = ovf ? 0 : o == OP_DIV ? x / y : x % y;
		break;
	case OP_BAND: r = x & y; break;
	case OP_BOR: r = x | y; break;
	default: r = x ^ y; break;
	}
	if (ovf)
		return wg_err(p->c->s, "failure: number out of range");
	set_num(out, r);
	return 0;
}

static bool is_bit(enum op o)
{
	return o == OP_BAND || o == OP_BOR || o == OP_BXOR;
}

/* ip + num, ip - num, ip - ip, ip & ip (a mask). */
static int ip_op(struct calc *p, enum op o, const struct wg_val *a, const struct wg_val *b, struct wg_val *out)
{
	uint32_t x, y;
	int64_t n;
	bool ia = kind(a) == VT_IP && wg_val_ip4(a->s, &x), ib = kind(b) == VT_IP && wg_val_ip4(b->s, &y);
	if (ia && ib && o == OP_SUB) {
		set_num(out, (int64_t)x - (int64_t)y);
		return 0;
	}
	if (ia && ib && is_bit(o)) {
		set_ip(out, o == OP_BAND ? x & y : o == OP_BOR ? x | y : x ^ y);
		return 0;
	}
	if (ia && kind(b) == VT_NUM && wg_val_num(b->s, &n) && (o == OP_ADD || o == OP_SUB)) {
		set_ip(out, o == OP_ADD ? x + (uint32_t)n : x - (uint32_t)n);
		return 0;
	}
	if (ib && kind(a) == VT_NUM && wg_val_num(a->s, &n) && o == OP_ADD) {
		set_ip(out, y + (uint32_t)n);
		return 0;
	}
	return fail(p, op_text[o], a, b);
}

/* time +- time, time * num, time / num. */
static int time_op(struct calc *p, enum op o, const struct wg_val *a, const struct wg_val *b, struct wg_val *out)
{
	uint64_t x, y;
	int64_t n;
	bool ta = kind(a) == VT_TIME && wg_val_time(a, &x), tb = kind(b) == VT_TIME && wg_val_time(b, &y);
	if (ta && tb && (o == OP_ADD || (o == OP_SUB && x >= y))) {
		wg_val_set(out, VT_TIME, wg_val_time_text(o == OP_ADD ? x + y : x - y));
		return 0;
	}
	if (ta && !tb && kind(b) == VT_NUM && wg_val_num(b->s, &n) && n > 0 && n < 1000000 && (o == OP_MUL || o == OP_DIV)) {
		wg_val_set(out, VT_TIME, wg_val_time_text(o == OP_MUL ? x * (uint64_t)n : x / (uint64_t)n));
		return 0;
	}
	return fail(p, op_text[o], a, b);
}

static int arith(struct calc *p, enum op o, const struct wg_val *a, const struct wg_val *b, struct wg_val *out)
{
	int64_t x, y;
	if (kind(a) == VT_NUM && kind(b) == VT_NUM && wg_val_num(a->s, &x) && wg_val_num(b->s, &y))
		return num_op(p, o, x, y, out);
	if (kind(a) == VT_IP || kind(b) == VT_IP)
		return ip_op(p, o, a, b, out);
	if (kind(a) == VT_TIME || kind(b) == VT_TIME)
		return time_op(p, o, a, b, out);
	return fail(p, op_text[o], a, b);
}

/* ---- comparison ---- */

/* Both as numbers of one kind (num, time, ip): -1/0/1 in *r; false if not comparable. */
static bool compare_values(const struct wg_val *a, const struct wg_val *b, int *r)
{
	int64_t x, y;
	uint64_t u, v;
	uint32_t i, j;
	if (kind(a) == VT_NUM && kind(b) == VT_NUM && wg_val_num(a->s, &x) && wg_val_num(b->s, &y))
		*r = (x > y) - (x < y);
	else if (kind(a) == VT_TIME && kind(b) == VT_TIME && wg_val_time(a, &u) && wg_val_time(b, &v))
		*r = (u > v) - (u < v);
	else if (kind(a) == VT_IP && kind(b) == VT_IP && wg_val_ip4(a->s, &i) && wg_val_ip4(b->s, &j))
		*r = (i > j) - (i < j);
	else
		return false;
	return true;
}

static bool regex_match(const char *s, const char *re_text)
{
	regex_t re;
	if (regcomp(&re, re_text, REG_EXTENDED | REG_NOSUB))
		return false;
	bool m = regexec(&re, s, 0, NULL, 0) == 0;
	regfree(&re);
	return m;
}

/* ip in prefix (IPv4 or IPv6), prefix in prefix. */
static bool ip_in(const char *ip, const char *prefix)
{
	unsigned char a[16], n[16];
	char buf[64];
	const char *slash = strchr(prefix, '/');
	if (!slash || (size_t)(slash - prefix) >= sizeof(buf))
		return false;
	memcpy(buf, prefix, (size_t)(slash - prefix));
	buf[slash - prefix] = 0;
	int af = strchr(buf, ':') ? AF_INET6 : AF_INET, bits = atoi(slash + 1), max = af == AF_INET ? 32 : 128;
	char addr[64];
	snprintf(addr, sizeof(addr), "%.*s", (int)strcspn(ip, "/"), ip);
	if (bits < 0 || bits > max || inet_pton(af, buf, n) != 1 || inet_pton(af, addr, a) != 1)
		return false;
	for (int k = 0; k < bits; k++)
		if ((a[k / 8] ^ n[k / 8]) & (0x80 >> (k % 8)))
			return false;
	return true;
}

static int compare(struct calc *p, enum op o, const struct wg_val *a, const struct wg_val *b, struct wg_val *out)
{
	int r;
	bool numeric = compare_values(a, b, &r);
	if (!numeric)
		r = strcmp(a->s, b->s);
	switch (o) {
	case OP_EQ: set_bool(out, r == 0); break;
	case OP_NE: set_bool(out, r != 0); break;
	case OP_LT: set_bool(out, r < 0); break;
	case OP_GT: set_bool(out, r > 0); break;
	case OP_LE: set_bool(out, r <= 0); break;
	case OP_GE: set_bool(out, r >= 0); break;
	case OP_RE: set_bool(out, regex_match(a->s, b->s)); break;
	default:
		if (kind(b) != VT_PREFIX && kind(b) != VT_PREFIX6)
			return fail(p, "in", a, b);
		set_bool(out, ip_in(a->s, b->s));
		break;
	}
	return 0;
}

static int apply(struct calc *p, enum op o, const struct wg_val *a, const struct wg_val *b, struct wg_val *out)
{
	if (o == OP_OR || o == OP_AND) {
		set_bool(out, o == OP_OR ? wg_val_truthy(a) || wg_val_truthy(b) : wg_val_truthy(a) && wg_val_truthy(b));
		return 0;
	}
	if (o == OP_CAT) {
		wg_val_set(out, VT_STR, xasprintf("%s%s", a->s, b->s));
		return 0;
	}
	if (level(o) == 3)
		return compare(p, o, a, b, out);
	return arith(p, o, a, b, out);
}

/* ---- parsing and evaluating at once ---- */

static int binary(struct calc *p, int min, struct wg_val *out);

static int deeper(struct calc *p)
{
	if (p->depth >= WG_LANG_MAX_DEPTH) {
		const struct wg_tok *t = &p->c->t[p->i];
		return wg_err(p->c->s, "failure: expression nesting too deep (line %d column %d)", t->line, t->col);
	}
	p->depth++;
	return 0;
}

/* One operand: a piece of a word, or a token's value. */
static int operand(struct calc *p, size_t len, struct wg_val *out)
{
	const struct wg_tok *t = &p->c->t[p->i];
	if (t->type == TK_WORD) {
		char *w = xstrndup(t->text + p->off, len);
		wg_val_set(out, wg_val_infer(w), w);
		skip(p, len);
		return 0;
	}
	struct wg_call sub = *p->c;
	sub.n = p->i + 1; /* one token: glued values inside ( ) are separate operands */
	size_t used;
	if (wg_eval_typed(&sub, p->i, out, &used) < 0)
		return -1;
	p->i += used;
	p->off = 0;
	return 0;
}

static int unary(struct calc *p, struct wg_val *out)
{
	enum op o;
	size_t len;
	enum akind k = scan(p, &o, &len);
	if (k == A_VAL)
		return operand(p, len, out);
	if (k == A_LP) {
		if (deeper(p) < 0)
			return -1;
		skip(p, 0);
		int rc = binary(p, 1, out);
		p->depth--;
		if (rc < 0)
			return -1;
		if (scan(p, &o, &len) != A_RP)
			return syntax(p);
		skip(p, 0);
		return 0;
	}
	bool tilde = k == A_OP && o == OP_RE;
	if (k != A_OP || (o != OP_NOT && o != OP_SUB && !tilde))
		return syntax(p);
	if (deeper(p) < 0)
		return -1;
	skip(p, len ? len : 0);
	struct wg_val v = { 0 }, zero = { VT_NUM, (char *)"0" }, ones = { VT_NUM, (char *)"-1" };
	int rc = unary(p, &v);
	p->depth--;
	if (kind(&v) == VT_IP) /* ~10.0.0.255: an inverted mask */
		ones = (struct wg_val){ VT_IP, (char *)"255.255.255.255" };
	if (rc == 0 && o == OP_NOT)
		set_bool(out, !wg_val_truthy(&v));
	else if (rc == 0)
		rc = arith(p, tilde ? OP_BXOR : OP_SUB, tilde ? &v : &zero, tilde ? &ones : &v, out);
	wg_val_free(&v);
	return rc;
}

static int binary(struct calc *p, int min, struct wg_val *out)
{
	if (unary(p, out) < 0)
		return -1;
	for (;;) {
		enum op o;
		size_t len;
		if (scan(p, &o, &len) != A_OP || o == OP_NOT || level(o) < min)
			return 0;
		skip(p, len);
		struct wg_val rhs = { 0 }, res = { 0 };
		int rc = binary(p, level(o) + 1, &rhs);
		if (rc == 0)
			rc = apply(p, o, out, &rhs, &res);
		wg_val_free(&rhs);
		if (rc < 0)
			return -1;
		wg_val_set(out, res.type, res.s);
	}
}

/* ( expression ) starting at token i. */
static int paren(struct wg_call *c, size_t i, struct wg_val *out, size_t *used)
{
	struct calc p = { .c = c, .i = i + 1, .depth = 1 };
	enum op o;
	size_t len;
	if (binary(&p, 1, out) < 0) {
		wg_val_free(out);
		return -1;
	}
	if (scan(&p, &o, &len) != A_RP) {
		wg_val_free(out);
		return syntax(&p);
	}
	*used = p.i + 1 - i;
	return 0;
}

/* {1;2;3} and {a=1;b=2}: each line one value (or name=value). */
static int array(struct wg_call *c, const struct wg_tok *t, struct wg_val *out)
{
	struct sbuf b;
	sb_init(&b);
	for (size_t k = 0; k < t->sub->n; k++) {
		const struct wg_cmdline *cl = &t->sub->cmds[k];
		struct wg_call e = { .s = c->s, .menu = c->menu, .t = cl->t, .n = cl->n, .line = cl->line, .col = cl->col,
				     .ret = c->ret };
		size_t i = 0, used;
		struct wg_val v = { 0 };
		if (cl->n >= 2 && cl->t[0].type == TK_WORD && cl->t[1].type == TK_EQ && !cl->t[1].space) {
			sb_printf(&b, "%s%s=", b.len ? ";" : "", cl->t[0].text);
			i = 2;
		} else if (b.len) {
			sb_addc(&b, ';');
		}
		if (i < cl->n && wg_eval_typed(&e, i, &v, &used) < 0) {
			sb_free(&b);
			return -1;
		}
		if (i < cl->n && i + used < cl->n) {
			wg_val_free(&v);
			sb_free(&b);
			return wg_err(c->s, "syntax error (line %d column %d)", cl->t[i + used].line, cl->t[i + used].col);
		}
		sb_add(&b, v.s ? v.s : "");
		wg_val_free(&v);
	}
	wg_val_set(out, VT_ARRAY, sb_take(&b));
	return 0;
}

static int substitution(struct wg_call *c, const struct wg_tok *t, struct wg_val *out)
{
	struct sbuf r;
	sb_init(&r);
	c->s->rtype = -1;
	int rc = wg_run_nested(c->s, t->sub, c->menu ? c->menu->path : c->s->menu, &r, false);
	enum wg_vtype ty = c->s->rtype >= 0 ? (enum wg_vtype)c->s->rtype : wg_val_infer(sb_str(&r));
	wg_val_set(out, ty, sb_take(&r)); /* wiped when freed: [/tool wg-genkey] is a key */
	return rc;
}

/* "count: $n": the string's pieces (lexer.c), text and variables, joined. */
static int interpolated(struct wg_call *c, const struct wg_script *sc, struct wg_val *out)
{
	struct sbuf b;
	enum wg_vtype ty;
	sb_init(&b);
	for (size_t i = 0; i < sc->cmds[0].n; i++) {
		const struct wg_tok *p = &sc->cmds[0].t[i];
		const char *v = p->type == TK_VAR ? wg_var_get(c->s, p->text, &ty) : p->text;
		sb_add(&b, v ? v : "");
	}
	wg_val_set(out, VT_STR, sb_take(&b));
	return 0;
}

static int eval_one(struct wg_call *c, size_t i, struct wg_val *out, size_t *used)
{
	const struct wg_tok *t = &c->t[i];
	enum wg_vtype ty;
	const char *v;
	*used = 1;
	switch (t->type) {
	case TK_WORD:
		wg_val_set(out, wg_val_infer(t->text), xstrdup(t->text));
		return 0;
	case TK_STR:
		if (t->sub)
			return interpolated(c, t->sub, out);
		wg_val_set(out, VT_STR, xstrdup(t->text));
		return 0;
	case TK_VAR:
		v = wg_var_get(c->s, t->text, &ty);
		wg_val_set(out, ty, xstrdup(v ? v : ""));
		return 0;
	case TK_SUBST:
		return substitution(c, t, out);
	case TK_BLOCK:
		return array(c, t, out);
	case TK_LPAREN:
		return paren(c, i, out, used);
	default:
		return wg_err(c->s, "syntax error (line %d column %d)", t->line, t->col);
	}
}

static bool value_tok(enum wg_tok_type t)
{
	return t == TK_WORD || t == TK_STR || t == TK_VAR || t == TK_SUBST || t == TK_LPAREN || t == TK_BLOCK;
}

int wg_eval_typed(struct wg_call *c, size_t i, struct wg_val *out, size_t *used)
{
	size_t j = i, n;
	memset(out, 0, sizeof(*out));
	if (eval_one(c, j, out, &n) < 0) {
		wg_val_free(out);
		return -1;
	}
	j += n;
	while (j < c->n && !c->t[j].space && value_tok(c->t[j].type)) { /* glued: "a"$b[c] is one str */
		struct wg_val more = { 0 };
		if (eval_one(c, j, &more, &n) < 0) {
			wg_val_free(&more);
			wg_val_free(out);
			return -1;
		}
		wg_val_set(out, VT_STR, xasprintf("%s%s", out->s, more.s));
		wg_val_free(&more);
		j += n;
	}
	*used = j - i;
	return 0;
}
