/* See util.h. */
#include "router/util.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "crypto/crypto.h"
#include "util/secmem.h"

void xset(char **p, const char *s)
{
	xfree_secret(*p);
	*p = xstrdup(s);
}

void xfree_secret(char *s)
{
	if (wg_secmem_owns(s)) { /* a stored key (wg_item_put) */
		wg_secmem_free(s);
		return;
	}
	if (s)
		wg_wipe(s, strlen(s));
	free(s);
}

bool streq(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return !strcmp(a, b);
}

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

