/* See apicmd.h. */
#include "api/apicmd.h"
#include <stdlib.h>
#include <string.h>
#include "api/query.h"
#include "util/alloc.h"
#include "util/strvec.h"

const char *wg_api_tag(const struct wg_api_sentence *in)
{
	for (size_t i = 1; i < in->n; i++)
		if (!strncmp(in->w[i], ".tag=", 5))
			return in->w[i] + 5;
	return NULL;
}

const char *wg_api_attr(const struct wg_api_sentence *in, const char *name)
{
	size_t k = strlen(name);
	for (size_t i = 1; i < in->n; i++)
		if (in->w[i][0] == '=' && !strncmp(in->w[i] + 1, name, k) && in->w[i][1 + k] == '=')
			return in->w[i] + 2 + k;
	return NULL;
}

void wg_api_reply(struct sbuf *out, const char *kind, const char *tag, const char *const *words, size_t n)
{
	wg_api_put_str(out, kind);
	if (tag) {
		char *t = xasprintf(".tag=%s", tag);
		wg_api_put_str(out, t);
		free(t);
	}
	for (size_t i = 0; i < n; i++)
		wg_api_put_str(out, words[i]);
	wg_api_end(out);
}

static void trap(struct sbuf *out, const char *tag, const char *msg)
{
	char *m = xasprintf("=message=%s", msg);
	const char *w[1] = { m };
	wg_api_reply(out, "!trap", tag, w, 1);
	wg_api_reply(out, "!done", tag, NULL, 0);
	free(m);
}

/* The request's parts: attributes (=name=value), query words (?...), .proplist. */
struct parts {
	struct wg_attr *attrs;
	size_t nattrs;
	struct strvec query, proplist;
	char **owned;                 /* attribute names cut out of their words */
};

static void parts_free(struct parts *p)
{
	for (size_t i = 0; i < p->nattrs; i++)
		free(p->owned[i]);
	free(p->owned);
	free(p->attrs);
	sv_free(&p->query);
	sv_free(&p->proplist);
}

static void split_words(const struct wg_api_sentence *in, struct parts *p)
{
	memset(p, 0, sizeof(*p));
	p->attrs = xcalloc(in->n + 1, sizeof(*p->attrs));
	p->owned = xcalloc(in->n + 1, sizeof(char *));
	for (size_t i = 1; i < in->n; i++) {
		const char *w = in->w[i];
		const char *eq = w[0] == '=' ? strchr(w + 1, '=') : NULL;
		if (w[0] == '?') {
			sv_push(&p->query, w + 1);
		} else if (eq && !strncmp(w, "=.proplist=", 11)) {
			sv_split(&p->proplist, eq + 1, ',');
		} else if (w[0] == '=') {
			char *name = eq ? xstrndup(w + 1, (size_t)(eq - w - 1)) : xstrdup(w + 1);
			p->owned[p->nattrs] = name;
			p->attrs[p->nattrs++] = (struct wg_attr){ name, eq ? eq + 1 : "" };
		}
	}
}

static const char *api_value(const char *v, unsigned char kind)
{
	if (kind == WG_V_BOOL)
		return !strcmp(v, "yes") || !strcmp(v, "true") ? "true" : "false";
	return v;
}

static void row_reply(struct sbuf *out, const char *tag, const struct wg_row *row, const struct strvec *proplist)
{
	struct strvec words = { 0 };
	for (size_t i = 0; i < row->n; i++) {
		if (proplist->n && !sv_has(proplist, row->names[i]) && strcmp(row->names[i], ".id"))
			continue;
		sv_push_take(&words, xasprintf("=%s=%s", row->names[i], api_value(row->values[i], row->kinds[i])));
	}
	wg_api_reply(out, "!re", tag, (const char *const *)words.v, words.n);
	for (size_t i = 0; i < words.n; i++)
		explicit_bzero(words.v[i], strlen(words.v[i]));
	sv_free(&words);
}

static void print_rows(struct sbuf *out, const char *tag, const struct wg_result *r, const struct parts *p)
{
	struct wg_query q = { (const char *const *)p->query.v, p->query.n };
	for (size_t i = 0; i < r->nrows; i++)
		if (wg_query_match(&q, &r->rows[i]))
			row_reply(out, tag, &r->rows[i], &p->proplist);
	wg_api_reply(out, "!done", tag, NULL, 0);
}

static void done(struct sbuf *out, const char *tag, const struct wg_result *r)
{
	const char *ret = r->ret ? r->ret : r->text;
	char *w = ret ? xasprintf("=ret=%s", ret) : NULL;
	const char *words[1] = { w };
	wg_api_reply(out, "!done", tag, words, w ? 1 : 0);
	if (w)
		explicit_bzero(w, strlen(w));
	free(w);
}

/* A long command stopped by /cancel (or its client gone): RouterOS's words for it. */
static void interrupted(struct sbuf *out, const char *tag)
{
	const char *w[2] = { "=category=2", "=message=interrupted" };
	wg_api_reply(out, "!trap", tag, w, 2);
	wg_api_reply(out, "!done", tag, NULL, 0);
}

void wg_api_command(struct wg_session *s, const struct wg_api_sentence *in, struct sbuf *out)
{
	wg_api_command_streamed(s, in, out, false);
}

void wg_api_command_streamed(struct wg_session *s, const struct wg_api_sentence *in, struct sbuf *out, bool streamed)
{
	const char *tag = wg_api_tag(in);
	const char *word = in->n ? in->w[0] : "";
	const char *slash = strrchr(word, '/');
	if (word[0] != '/' || !slash || !slash[1]) {
		trap(out, tag, "no such command");
		return;
	}
	char *path = xstrndup(word, (size_t)(slash - word));
	const char *cmd = !strcmp(slash + 1, "getall") ? "print" : slash + 1;
	struct parts p;
	split_words(in, &p);
	struct wg_query q = { (const char *const *)p.query.v, p.query.n };
	const char *qerr = NULL;
	struct wg_request rq = { *path ? path : "/", cmd, p.attrs, p.nattrs };
	struct wg_result r = { 0 };
	if (!wg_query_check(&q, &qerr))
		trap(out, tag, qerr);
	else if (wg_session_exec(s, &rq, &r) < 0)
		trap(out, tag, r.error);
	else if (streamed && wg_session_was_cancelled(s))
		interrupted(out, tag);
	else if (!strcmp(cmd, "print") || r.has_rows)
		print_rows(out, tag, &r, &p);
	else if (streamed && r.text && !r.ret) /* the rows went out as !re; the text is the console's */
		wg_api_reply(out, "!done", tag, NULL, 0);
	else
		done(out, tag, &r);
	wg_result_free(&r);
	parts_free(&p);
	free(path);
}
