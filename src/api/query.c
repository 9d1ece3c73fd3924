/* See query.h. */
#include "api/query.h"
#include <stdlib.h>
#include <string.h>

/* Booleans as either door writes them. */
static const char *canon(const char *v)
{
	if (!strcmp(v, "true"))
		return "yes";
	if (!strcmp(v, "false"))
		return "no";
	return v;
}

static bool number(const char *s, double *out)
{
	char *end;
	if (!*s)
		return false;
	*out = strtod(s, &end);
	return !*end;
}

static int compare(const char *a, const char *b)
{
	double x, y;
	if (number(a, &x) && number(b, &y))
		return x < y ? -1 : x > y;
	return strcmp(a, b);
}

/* One condition word against the row. */
static bool condition(const char *w, const struct wg_row *row)
{
	char op = (w[0] == '<' || w[0] == '>' || w[0] == '-') ? w[0] : 0;
	const char *name = op ? w + 1 : w[0] == '=' ? w + 1 : w; /* ?=name=value is ?name=value */
	const char *eq = strchr(name, '=');
	char key[128];
	size_t n = eq ? (size_t)(eq - name) : strlen(name);
	if (n >= sizeof(key))
		return false;
	memcpy(key, name, n);
	key[n] = '\0';
	const char *have = wg_row_get(row, key);
	if (op == '-')
		return !have;
	if (!eq)
		return have != NULL;
	if (!have)
		have = "";
	int c = compare(canon(have), canon(eq + 1));
	return op == '<' ? c < 0 : op == '>' ? c > 0 : c == 0;
}

struct stack { bool v[WG_QUERY_MAX]; size_t n; };

/* Applies the operators of one #word; false when the stack runs short. */
static bool apply_ops(struct stack *s, const char *ops)
{
	for (; *ops; ops++) {
		if (*ops == '!' && s->n >= 1) {
			s->v[s->n - 1] = !s->v[s->n - 1];
		} else if (*ops == '.' && s->n >= 1 && s->n < WG_QUERY_MAX) {
			s->v[s->n] = s->v[s->n - 1];
			s->n++;
		} else if ((*ops == '|' || *ops == '&') && s->n >= 2) {
			bool b = s->v[--s->n], a = s->v[s->n - 1];
			s->v[s->n - 1] = *ops == '|' ? (a || b) : (a && b);
		} else {
			return false;
		}
	}
	return true;
}

static bool run(const struct wg_query *q, const struct wg_row *row, bool *ok)
{
	struct stack s = { .n = 0 };
	*ok = q->n <= WG_QUERY_MAX;
	for (size_t i = 0; *ok && i < q->n; i++) {
		const char *w = q->words[i];
		if (w[0] == '#')
			*ok = apply_ops(&s, w + 1);
		else
			s.v[s.n++] = row ? condition(w, row) : true;
	}
	bool all = true;
	for (size_t i = 0; i < s.n; i++)
		all = all && s.v[i];
	return all;
}

bool wg_query_check(const struct wg_query *q, const char **err)
{
	bool ok;
	run(q, NULL, &ok);
	if (!ok)
		*err = q->n > WG_QUERY_MAX ? "query too long" : "invalid query";
	return ok;
}

bool wg_query_match(const struct wg_query *q, const struct wg_row *row)
{
	bool ok;
	return run(q, row, &ok) && ok;
}
