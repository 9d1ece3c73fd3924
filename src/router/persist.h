/* Saving the configuration: a snapshot (persist.c) plus a journal of the commits since
 * (journal.c). A commit appends one checksummed record of what changed and fsyncs it
 * once, instead of rewriting and renaming the whole state file: with thousands of peers
 * that file is megabytes, and every REST PUT is a commit. The journal is folded into a
 * new snapshot when it grows past the snapshot's size. */
#ifndef WG_ROUTER_PERSIST_H
#define WG_ROUTER_PERSIST_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "router/schema.h"
#include "router/store.h"

struct sbuf;

/* Where the state directory stands. Zeroed: nothing known, the next commit writes a
 * snapshot. */
struct wg_persist {
	uint64_t gen;              /* the snapshot's random generation; 0 = none */
	size_t snapshot_bytes;
	size_t journal_bytes;      /* of records of this generation */
	bool journal_ok;           /* the journal file holds this generation's header */
};

/* A new snapshot of st with a fresh generation (any journal becomes stale). Fills *p
 * when not NULL. 0, or -1 with a RouterOS-style message in err. */
int wg_persist_snapshot(const char *dir, const struct wg_store *st, struct wg_persist *p, char *err,
			size_t errlen);
/* Loads the snapshot and replays the journal of its generation (a torn last record, from
 * a kill during a commit, is cut off: it was never acknowledged). */
int wg_persist_load_state(const char *dir, struct wg_store **out, struct wg_persist *p, char *err, size_t errlen);
/* Persists the change prev -> next: one journal record (nothing when nothing persisted
 * changed), or a snapshot when the journal has grown too big or is not usable. */
int wg_persist_commit(const char *dir, struct wg_persist *p, const struct wg_store *prev,
		      const struct wg_store *next, char *err, size_t errlen);

/* ---- shared by persist.c and journal.c ---- */
/* Menus that are saved (configuration items and settings, not virtual or runtime ones). */
bool wg_persist_menu(const struct wg_menu *m);
/* "item PATH *ID key="value" ...\n" */
void wg_persist_item_line(struct sbuf *b, const struct wg_menu *m, const struct wg_item *it);
/* Applies record lines to st. journal: items replace the same id in place, and del/clear
 * are allowed; otherwise "gen" is read into *gen. text is modified. */
int wg_persist_records(struct wg_store *st, char *text, bool journal, uint64_t *gen, char *err, size_t errlen);
/* journal.c: replays DIR/config.journal onto st when its generation is p->gen; sets
 * p->journal_bytes and p->journal_ok. */
int wg_journal_replay(const char *dir, struct wg_store *st, struct wg_persist *p, char *err, size_t errlen);
#endif
