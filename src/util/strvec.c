/* See strvec.h. */
#include "util/strvec.h"
#include <stdlib.h>
#include <string.h>
#include "util/alloc.h"
#include "util/sbuf.h"

void sv_push_take(struct strvec *v, char *s)
{
	if (v->n == v->cap) {
		v->cap = v->cap ? v->cap * 2 : 8;
		v->v = xrealloc(v->v, v->cap * sizeof(*v->v));
	}
	v->v[v->n++] = s;
}

void sv_push(struct strvec *v, const char *s)
{
	sv_push_take(v, xstrdup(s));
}

void sv_free(struct strvec *v)
{
	for (size_t i = 0; i < v->n; i++)
		free(v->v[i]);
	free(v->v);
	v->v = NULL;
	v->n = v->cap = 0;
}

bool sv_has(const struct strvec *v, const char *s)
{
	for (size_t i = 0; i < v->n; i++)
		if (!strcmp(v->v[i], s))
			return true;
	return false;
}

void sv_split(struct strvec *v, const char *s, char sep)
{
	while (s && *s) {
		const char *e = strchr(s, sep);
		size_t n = e ? (size_t)(e - s) : strlen(s);
		const char *a = s, *z = s + n;
		while (a < z && (*a == ' ' || *a == '\t'))
			a++;
		while (z > a && (z[-1] == ' ' || z[-1] == '\t'))
			z--;
		if (z > a)
			sv_push_take(v, xstrndup(a, (size_t)(z - a)));
		s = e ? e + 1 : NULL;
	}
}

char *sv_join(const struct strvec *v, const char *sep)
{
	struct sbuf b;
	sb_init(&b);
	for (size_t i = 0; i < v->n; i++) {
		if (i)
			sb_add(&b, sep);
		sb_add(&b, v->v[i]);
	}
	return sb_take(&b);
}

