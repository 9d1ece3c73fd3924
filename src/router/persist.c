/* The state file: every item of every configuration menu with its internal id, and each
 * menu's next id, so ids stay stable across restarts. Written atomically (temporary
 * file, fsync, rename, fsync of the directory) with mode 0600 because it holds private
 * keys; a daemon killed at any moment finds either the old or the new file.
 *
 * Format, one record per line:  next PATH N  |  item PATH *ID key="value" ...  */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "router/apply.h"
#include "router/store.h"
#include "util/alloc.h"
#include "util/file.h"
#include "util/sbuf.h"
#include "util/str.h"
#include "crypto/crypto.h"

#define STATE_FILE "config.state"
#define STATE_TMP "config.state.tmp"
#define STATE_MAGIC "# wgrouter state 1"

static void quote(struct sbuf *b, const char *v)
{
	sb_addc(b, '"');
	for (; *v; v++) {
		if (*v == '"' || *v == '\\')
			sb_addc(b, '\\');
		if (*v == '\n')
			sb_add(b, "\\n");
		else
			sb_addc(b, *v);
	}
	sb_addc(b, '"');
}

static void write_table(struct sbuf *b, const struct wg_table *t)
{
	const struct wg_menu *m = t->menu;
	size_t np = wg_menu_nprops(m);
	sb_printf(b, "next %s %u\n", m->path, t->next_id);
	for (size_t i = 0; i < t->n; i++) {
		char id[16];
		wg_id_format(t->v[i]->id, id);
		sb_printf(b, "item %s %s", m->path, id);
		for (size_t j = 0; j < np; j++) {
			if (!t->v[i]->vals[j] || (m->props[j].flags & PF_RUNTIME))
				continue;
			sb_printf(b, " %s=", m->props[j].name);
			quote(b, t->v[i]->vals[j]);
		}
		sb_addc(b, '\n');
	}
}

void wg_persist_text(const struct wg_store *st, struct sbuf *b)
{
	sb_add(b, STATE_MAGIC "\n");
	for (size_t i = 0; i < st->n; i++) {
		const struct wg_menu *m = st->t[i].menu;
		if (m->flags & (MF_ITEMS | MF_SETTINGS) && !(m->flags & (MF_VIRTUAL | MF_NOEXPORT)))
			write_table(b, &st->t[i]);
	}
}

int wg_persist_save(const char *dir, const struct wg_store *st, char *err, size_t errlen)
{
	struct sbuf b;
	sb_init(&b);
	wg_persist_text(st, &b);
	char *dst = xasprintf("%s/" STATE_FILE, dir);
	int rc = wg_file_replace(dst, sb_str(&b), b.len);
	if (rc)
		snprintf(err, errlen, "failure: could not save configuration in %s: %s", dir, strerror(-rc));
	wg_wipe(b.s, b.len);
	sb_free(&b);
	free(dst);
	return rc ? -1 : 0;
}

/* ---- reading ---- */

/* Reads one word or "quoted value" at *p; NULL at the end of the line. */
static char *next_token(const char **p)
{
	const char *s = *p;
	while (*s == ' ')
		s++;
	if (!*s || *s == '\n')
		return NULL;
	struct sbuf b;
	sb_init(&b);
	bool q = false;
	for (; *s && *s != '\n' && (q || *s != ' '); s++) {
		if (*s == '"') {
			q = !q;
		} else if (q && *s == '\\' && s[1]) {
			s++;
			sb_addc(&b, *s == 'n' ? '\n' : *s);
		} else {
			sb_addc(&b, *s);
		}
	}
	*p = s;
	return sb_take(&b);
}

/* A fixed row (/ip/service) takes the values of its record; a record of a row this
 * version does not have is dropped. */
static void load_fixed(struct wg_table *t, struct wg_item *rec)
{
	const struct wg_menu *m = t->menu;
	struct wg_item *row = wg_table_by_name(t, wg_item_get(m, rec, m->name_prop));
	if (row) {
		char **vals = row->vals;
		row->vals = rec->vals;
		rec->vals = vals;
	}
	wg_item_free(m, rec);
}

static int load_item(struct wg_store *st, const char *rest, char *err, size_t errlen)
{
	char *path = next_token(&rest), *id = next_token(&rest), *kv;
	const struct wg_menu *m = path ? wg_menu_find(path) : NULL;
	uint32_t n;
	int rc = 0;
	if (!m || !id || !wg_id_parse(id, &n)) {
		snprintf(err, errlen, "bad item record for %s", path ? path : "?");
		rc = -1;
		goto out;
	}
	struct wg_table *t = wg_store_table(st, m);
	struct wg_item *it = (m->flags & MF_SETTINGS) && t->n ? t->v[0] : wg_item_new(m);
	it->id = n;
	while ((kv = next_token(&rest))) {
		char *eq = strchr(kv, '=');
		if (eq) {
			*eq = 0;
			wg_item_set(m, it, kv, eq + 1); /* unknown (older) properties are dropped */
		}
		xfree_secret(kv);
	}
	if (m->flags & MF_FIXED)
		load_fixed(t, it);
	else if (!((m->flags & MF_SETTINGS) && t->n))
		wg_table_insert(t, it, -1);
out:
	free(path);
	free(id);
	return rc;
}

static int load_next(struct wg_store *st, const char *rest)
{
	char *path = next_token(&rest), *num = next_token(&rest);
	const struct wg_menu *m = path ? wg_menu_find(path) : NULL;
	if (m && num) {
		struct wg_table *t = wg_store_table(st, m);
		uint32_t v = (uint32_t)strtoul(num, NULL, 10);
		if (v > t->next_id)
			t->next_id = v;
	}
	free(path);
	free(num);
	return 0;
}

static int parse_state(struct wg_store *st, char *text, char *err, size_t errlen)
{
	for (char *line = text, *end; line && *line; line = end ? end + 1 : NULL) {
		end = strchr(line, '\n');
		if (end)
			*end = 0;
		int rc = 0;
		if (!strncmp(line, "item ", 5))
			rc = load_item(st, line + 5, err, errlen);
		else if (!strncmp(line, "next ", 5))
			rc = load_next(st, line + 5);
		if (rc)
			return -1;
	}
	return 0;
}

static char *read_file(const char *path, int *err)
{
	FILE *f = fopen(path, "re");
	if (!f) {
		*err = -errno;
		return NULL;
	}
	char *text = sb_read_stream(f);
	fclose(f);
	return text;
}

/* A daemon killed between writing the temporary file and renaming it leaves that file
 * (private keys included) behind; the state file itself is whole either way. */
static void remove_stale_tmp(const char *dir)
{
	char *tmp = xasprintf("%s/" STATE_TMP, dir);
	unlink(tmp);
	free(tmp);
}

int wg_persist_load(const char *dir, struct wg_store **out, char *err, size_t errlen)
{
	remove_stale_tmp(dir);
	char *path = xasprintf("%s/" STATE_FILE, dir);
	int e = 0;
	err[0] = 0;
	char *text = read_file(path, &e);
	*out = wg_store_new();
	free(path);
	if (!text) {
		if (e == -ENOENT)
			return 0;
		snprintf(err, errlen, "cannot read %s/" STATE_FILE ": %s", dir, strerror(-e));
		return -1;
	}
	wg_store_free(*out);
	int rc = wg_persist_parse(text, out, err, errlen);
	if (rc && !err[0])
		snprintf(err, errlen, "%s/" STATE_FILE " is not a wgrouter state file", dir);
	wg_wipe(text, strlen(text));
	free(text);
	return rc;
}

int wg_persist_parse(char *text, struct wg_store **out, char *err, size_t errlen)
{
	err[0] = 0;
	*out = wg_store_new();
	int rc = strncmp(text, STATE_MAGIC, strlen(STATE_MAGIC)) ? -1 : parse_state(*out, text, err, errlen);
	if (rc) {
		wg_store_free(*out);
		*out = NULL;
	}
	return rc;
}
