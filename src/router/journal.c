/* The journal of commits since the last snapshot (see persist.h), DIR/config.journal,
 * mode 0600 (it holds keys as the snapshot does):
 *
 *   journal GEN                     the snapshot generation it continues
 *   item PATH *ID key="value" ...   an item added or changed (replaces the same id)
 *   del PATH *ID                    an item removed
 *   clear PATH                      the table emptied: its items follow, in their order
 *   next PATH N                     the menu's next id
 *   end LEN HASH                    closes one commit: LEN bytes of lines above it,
 *                                   HASH the first 8 bytes of their BLAKE2s in hex
 *
 * A commit is acknowledged only after its record is written and fsynced, so a kill can
 * leave at most one torn record at the end: it fails its length or hash and is cut off
 * when the journal is read. Replaying is applying the records in order onto the snapshot
 * of the same generation; a journal of another generation (a snapshot was written after
 * it) is ignored and started afresh. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "crypto/crypto.h"
#include "router/persist.h"
#include "util/alloc.h"
#include "util/file.h"
#include "util/keyset.h"
#include "util/sbuf.h"
#include "util/str.h"

#define JOURNAL_FILE "config.journal"

/* The journal is folded into a snapshot once it is bigger than the snapshot (and than
 * this): replay stays shorter than reading the configuration twice. */
enum { JOURNAL_MIN_BYTES = 256 * 1024 };

/* ---- what changed ---- */

static void ids_of(struct wg_keyset *set, const struct wg_table *t)
{
	wg_keyset_init(set, sizeof(uint32_t));
	for (size_t i = 0; i < t->n; i++)
		wg_keyset_add(set, &t->v[i]->id);
}

/* Lines for items of b that are new or changed against a. False when a cannot become b
 * by changes in place, removals and additions at the end (the order changed: a move,
 * or an add with place-before). */
static bool changed_items(struct sbuf *out, const struct wg_table *a, const struct wg_table *b,
			  const struct wg_keyset *in_a)
{
	size_t j = 0;
	bool fresh = false;
	for (size_t i = 0; i < b->n; i++) {
		const struct wg_item *it = b->v[i];
		if (!wg_keyset_has(in_a, &it->id)) {
			fresh = true;
			wg_persist_item_line(out, b->menu, it);
			continue;
		}
		while (!fresh && j < a->n && a->v[j]->id != it->id)
			j++;
		if (fresh || j == a->n)
			return false;
		if (wg_item_differs(b->menu, a->v[j], it))
			wg_persist_item_line(out, b->menu, it);
		j++;
	}
	return true;
}

static void table_diff(struct sbuf *rec, const struct wg_table *a, const struct wg_table *b)
{
	struct wg_keyset in_a, in_b;
	struct sbuf lines;
	char id[16];
	ids_of(&in_a, a);
	ids_of(&in_b, b);
	sb_init(&lines);
	if (changed_items(&lines, a, b, &in_a)) {
		for (size_t j = 0; j < a->n; j++)
			if (!wg_keyset_has(&in_b, &a->v[j]->id)) {
				wg_id_format(a->v[j]->id, id);
				sb_printf(rec, "del %s %s\n", a->menu->path, id);
			}
		sb_addn(rec, sb_str(&lines), lines.len);
	} else {
		sb_printf(rec, "clear %s\n", b->menu->path);
		for (size_t i = 0; i < b->n; i++)
			wg_persist_item_line(rec, b->menu, b->v[i]);
	}
	if (a->next_id != b->next_id)
		sb_printf(rec, "next %s %u\n", b->menu->path, b->next_id);
	if (lines.s)
		wg_wipe(lines.s, lines.len);
	sb_free(&lines);
	wg_keyset_free(&in_a);
	wg_keyset_free(&in_b);
}

static void record_of(struct sbuf *rec, const struct wg_store *prev, const struct wg_store *next)
{
	for (size_t i = 0; i < next->n; i++)
		if (wg_persist_menu(next->t[i].menu))
			table_diff(rec, wg_store_ctable(prev, next->t[i].menu), &next->t[i]);
}

static void seal(struct sbuf *rec)
{
	uint8_t h[WG_HASH_LEN];
	size_t len = rec->len;
	wg_hash(h, sb_str(rec), len, NULL, 0);
	sb_printf(rec, "end %zu ", len);
	for (int i = 0; i < 8; i++)
		sb_printf(rec, "%02x", h[i]);
	sb_addc(rec, '\n');
}

/* ---- writing ---- */

/* Appends to this generation's journal, or starts it (truncating a stale one). */
static int append(const char *dir, struct wg_persist *p, const struct sbuf *rec)
{
	char *path = xasprintf("%s/" JOURNAL_FILE, dir);
	bool start = !p->journal_ok;
	int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | (start ? O_TRUNC : O_APPEND), 0600);
	int rc = fd < 0 ? -errno : 0;
	if (!rc && start) {
		char head[40];
		int n = snprintf(head, sizeof(head), "journal %016llx\n", (unsigned long long)p->gen);
		rc = wg_file_write_all(fd, head, (size_t)n);
	}
	if (!rc)
		rc = wg_file_write_all(fd, sb_str(rec), rec->len);
	if (!rc && (start ? fsync(fd) : fdatasync(fd)))
		rc = -errno;
	if (fd >= 0 && close(fd) && !rc)
		rc = -errno;
	if (!rc && start)
		rc = wg_file_sync_dir_of(path);
	free(path);
	return rc;
}

int wg_persist_commit(const char *dir, struct wg_persist *p, const struct wg_store *prev,
		      const struct wg_store *next, char *err, size_t errlen)
{
	size_t limit = p->snapshot_bytes > JOURNAL_MIN_BYTES ? p->snapshot_bytes : JOURNAL_MIN_BYTES;
	if (!p->gen || !prev || p->journal_bytes > limit)
		return wg_persist_snapshot(dir, next, p, err, errlen);
	struct sbuf rec;
	sb_init(&rec);
	record_of(&rec, prev, next);
	int rc = 0;
	if (rec.len) {
		seal(&rec);
		rc = append(dir, p, &rec);
	}
	if (rc) {
		/* a partial record may be on disk: the next commit writes a snapshot */
		p->gen = 0;
		snprintf(err, errlen, "failure: could not save configuration in %s: %s", dir, strerror(-rc));
	} else if (rec.len) {
		p->journal_bytes += rec.len;
		p->journal_ok = true;
	}
	if (rec.s)
		wg_wipe(rec.s, rec.len);
	sb_free(&rec);
	return rc ? -1 : 0;
}

/* ---- reading ---- */

/* Length of the record starting at text whose "end" line verifies, or 0. */
static size_t verified_record(const char *text)
{
	for (const char *line = text; *line;) {
		const char *nl = strchr(line, '\n');
		if (!nl)
			return 0; /* torn: no end line */
		if (!strncmp(line, "end ", 4)) {
			size_t len = (size_t)(line - text);
			char want[32], got[17];
			uint8_t h[WG_HASH_LEN];
			wg_hash(h, text, len, NULL, 0);
			for (int i = 0; i < 8; i++)
				snprintf(got + 2 * i, 3, "%02x", h[i]);
			snprintf(want, sizeof(want), "end %zu %s\n", len, got);
			return (size_t)(nl + 1 - line) == strlen(want) && !memcmp(line, want, strlen(want))
				       ? (size_t)(nl + 1 - text) : 0;
		}
		line = nl + 1;
	}
	return 0;
}

static char *read_journal(const char *path, size_t *len)
{
	FILE *f = fopen(path, "re");
	if (!f)
		return NULL;
	char *text = sb_read_stream(f);
	fclose(f);
	*len = text ? strlen(text) : 0;
	return text;
}

/* Cuts a torn tail off, so that the next record is appended after whole ones. */
static int cut(const char *path, size_t at)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	int rc = fd < 0 || ftruncate(fd, (off_t)at) || fsync(fd) ? -errno : 0;
	if (fd >= 0)
		close(fd);
	return rc;
}

static int replay_records(struct wg_store *st, char *text, size_t len, size_t *used, char *err, size_t errlen)
{
	size_t off = 0, n;
	while (off < len && (n = verified_record(text + off))) {
		char *end = text + off + n;
		char saved = *end;
		*end = 0;
		if (wg_persist_records(st, text + off, true, NULL, err, errlen) < 0)
			return -1;
		*end = saved;
		off += n;
	}
	*used = off;
	return 0;
}

int wg_journal_replay(const char *dir, struct wg_store *st, struct wg_persist *p, char *err, size_t errlen)
{
	char *path = xasprintf("%s/" JOURNAL_FILE, dir), head[40];
	size_t len = 0, used = 0;
	char *text = read_journal(path, &len);
	int rc = 0;
	snprintf(head, sizeof(head), "journal %016llx\n", (unsigned long long)p->gen);
	if (text && !strncmp(text, head, strlen(head))) {
		size_t h = strlen(head);
		rc = replay_records(st, text + h, len - h, &used, err, errlen);
		if (!rc && h + used < len)
			rc = cut(path, h + used);
		if (rc && !err[0])
			snprintf(err, errlen, "cannot repair %s: %s", path, strerror(-rc));
		p->journal_ok = !rc;
		p->journal_bytes = used;
	}
	if (text) {
		wg_wipe(text, len);
		free(text);
	}
	free(path);
	return rc ? -1 : 0;
}
