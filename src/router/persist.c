/* The state file (the snapshot): every item of every configuration menu with its
 * internal id, and each menu's next id, so ids stay stable across restarts. Written
 * atomically (temporary file, fsync, rename, fsync of the directory) with mode 0600
 * because it holds private keys; a daemon killed at any moment finds either the old or
 * the new file. Each snapshot carries a random generation; the journal (journal.c) holds
 * the commits made since, and is replayed only onto the snapshot of its generation.
 *
 * Format, one record per line:  gen HEX | next PATH N | item PATH *ID key="value" ...  */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "router/apply.h"
#include "router/persist.h"
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

void wg_persist_item_line(struct sbuf *b, const struct wg_menu *m, const struct wg_item *it)
{
	char id[16];
	wg_id_format(it->id, id);
	sb_printf(b, "item %s %s", m->path, id);
	for (size_t j = 0; j < wg_menu_nprops(m); j++) {
		if (!it->vals[j] || (m->props[j].flags & PF_RUNTIME))
			continue;
		sb_printf(b, " %s=", m->props[j].name);
		quote(b, it->vals[j]);
	}
	sb_addc(b, '\n');
}

static void write_table(struct sbuf *b, const struct wg_table *t)
{
	sb_printf(b, "next %s %u\n", t->menu->path, t->next_id);
	for (size_t i = 0; i < t->n; i++)
		wg_persist_item_line(b, t->menu, t->v[i]);
}

bool wg_persist_menu(const struct wg_menu *m)
{
	return m->flags & (MF_ITEMS | MF_SETTINGS) && !(m->flags & (MF_VIRTUAL | MF_NOEXPORT));
}

static void serialize(const struct wg_store *st, uint64_t gen, struct sbuf *b)
{
	sb_add(b, STATE_MAGIC "\n");
	sb_printf(b, "gen %016llx\n", (unsigned long long)gen);
	for (size_t i = 0; i < st->n; i++)
		if (wg_persist_menu(st->t[i].menu))
			write_table(b, &st->t[i]);
}

int wg_persist_snapshot(const char *dir, const struct wg_store *st, struct wg_persist *p, char *err,
			size_t errlen)
{
	struct sbuf b;
	uint64_t gen;
	wg_os_random(&gen, sizeof(gen));
	sb_init(&b);
	serialize(st, gen, &b);
	char *dst = xasprintf("%s/" STATE_FILE, dir);
	int rc = wg_file_replace(dst, sb_str(&b), b.len); /* via STATE_TMP, 0600 */
	if (rc)
		snprintf(err, errlen, "failure: could not save configuration in %s: %s", dir, strerror(-rc));
	else if (p)
		*p = (struct wg_persist){ .gen = gen, .snapshot_bytes = b.len };
	wg_wipe(b.s, b.len);
	sb_free(&b);
	free(dst);
	return rc ? -1 : 0;
}

int wg_persist_save(const char *dir, const struct wg_store *st, char *err, size_t errlen)
{
	return wg_persist_snapshot(dir, st, NULL, err, errlen);
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

/* Puts a parsed record into its table: a settings menu's one item takes its values; a
 * fixed row its row's; otherwise it is appended, or with upsert replaces the item of the
 * same id where it stands (the journal's changed items). */
static void store_record(struct wg_table *t, struct wg_item *rec, bool upsert)
{
	const struct wg_menu *m = t->menu;
	struct wg_item *old = (m->flags & MF_SETTINGS) && t->n ? t->v[0] : upsert ? wg_table_by_id(t, rec->id) : NULL;
	if (m->flags & MF_FIXED) {
		load_fixed(t, rec);
	} else if (old) {
		char **vals = old->vals;
		old->vals = rec->vals;
		rec->vals = vals;
		wg_item_free(m, rec);
	} else {
		wg_table_insert(t, rec, -1);
	}
}

static int load_item(struct wg_store *st, const char *rest, bool upsert, char *err, size_t errlen)
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
	struct wg_item *it = wg_item_new(m);
	it->id = n;
	while ((kv = next_token(&rest))) {
		char *eq = strchr(kv, '=');
		if (eq) {
			*eq = 0;
			wg_item_set(m, it, kv, eq + 1); /* unknown (older) properties are dropped */
		}
		xfree_secret(kv);
	}
	store_record(wg_store_table(st, m), it, upsert);
out:
	free(path);
	free(id);
	return rc;
}

/* "del PATH *ID" and "clear PATH" of the journal. */
static int load_del(struct wg_store *st, const char *rest, bool clear)
{
	char *path = next_token(&rest), *id = clear ? NULL : next_token(&rest);
	const struct wg_menu *m = path ? wg_menu_find(path) : NULL;
	uint32_t n;
	struct wg_table *t = m ? wg_store_table(st, m) : NULL;
	bool rows = t && !(m->flags & (MF_FIXED | MF_SETTINGS));
	if (rows && clear)
		while (t->n)
			wg_table_remove(t, t->v[0]->id);
	else if (rows && id && wg_id_parse(id, &n))
		wg_table_remove(t, n);
	free(path);
	free(id);
	return 0;
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

static int load_gen(const char *rest, uint64_t *gen)
{
	*gen = strtoull(rest, NULL, 16);
	return 0;
}

int wg_persist_records(struct wg_store *st, char *text, bool journal, uint64_t *gen, char *err, size_t errlen)
{
	for (char *line = text, *end; line && *line; line = end ? end + 1 : NULL) {
		end = strchr(line, '\n');
		if (end)
			*end = 0;
		int rc = 0;
		if (!strncmp(line, "item ", 5))
			rc = load_item(st, line + 5, journal, err, errlen);
		else if (!strncmp(line, "next ", 5))
			rc = load_next(st, line + 5);
		else if (journal && !strncmp(line, "del ", 4))
			rc = load_del(st, line + 4, false);
		else if (journal && !strncmp(line, "clear ", 6))
			rc = load_del(st, line + 6, true);
		else if (!journal && gen && !strncmp(line, "gen ", 4))
			rc = load_gen(line + 4, gen);
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

int wg_persist_load_state(const char *dir, struct wg_store **out, struct wg_persist *p, char *err, size_t errlen)
{
	struct wg_persist none;
	if (!p)
		p = &none;
	*p = (struct wg_persist){ 0 };
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
	p->snapshot_bytes = strlen(text);
	int rc = strncmp(text, STATE_MAGIC, strlen(STATE_MAGIC)) ? -1
		 : wg_persist_records(*out, text, false, &p->gen, err, errlen);
	if (rc && !err[0])
		snprintf(err, errlen, "%s/" STATE_FILE " is not a wgrouter state file", dir);
	wg_wipe(text, strlen(text));
	free(text);
	if (!rc && p->gen)
		rc = wg_journal_replay(dir, *out, p, err, errlen);
	if (rc) {
		wg_store_free(*out);
		*out = NULL;
	}
	return rc;
}

int wg_persist_load(const char *dir, struct wg_store **out, char *err, size_t errlen)
{
	return wg_persist_load_state(dir, out, NULL, err, errlen);
}

/* Backups carry the state file's text (without a generation: a loaded backup is one
 * commit, journaled like any other). */
void wg_persist_text(const struct wg_store *st, struct sbuf *b)
{
	serialize(st, 0, b);
}

int wg_persist_parse(char *text, struct wg_store **out, char *err, size_t errlen)
{
	err[0] = 0;
	*out = wg_store_new();
	int rc = strncmp(text, STATE_MAGIC, strlen(STATE_MAGIC)) ? -1
		 : wg_persist_records(*out, text, false, NULL, err, errlen);
	if (rc) {
		wg_store_free(*out);
		*out = NULL;
	}
	return rc;
}
