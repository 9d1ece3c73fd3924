/* Traffic history that survives restarts: per series (an interface or a peer) the
 * bytes since its creation and round-robin points (1-minute for a day, 1-hour for a
 * month, 1-day for two years), kept in one file of fixed-size records that is mapped
 * into memory (DIR/history.bin, 0600).
 *
 * Why a ring file of our own and not SQLite or librrd: a point is two 64-bit numbers
 * in a slot computed from its time, so a record is 46,864 bytes whatever happens and
 * 1,000 peers cost 47 MB for ever (SQLite stores a row of key, time, rx, tx in about
 * 35 bytes plus its index: about 100 MB for the same points, and it needs vacuuming to
 * give space back; librrd keeps one file per series, 1,000 files, and its update
 * parses a text template per call). Applying a sample to the mapping is a few stores
 * per series; the kernel writes the pages back, and a kill -9 loses nothing that was
 * stored (power loss: what fdatasync, every 5 minutes, had not yet written).
 *
 * Atomic per series: the totals, the current slots' sums and their slot numbers live in
 * a header kept twice; a sample writes the idle copy and then flips one word. Rolling
 * to a new slot writes the finished sum into the ring from the old header, which is
 * idempotent, so a kill at any instruction leaves the last complete sample.
 *
 * Samples are absolute counters of the data plane (what UAPI get reports); the delta
 * from the previous sample is what is added, and a counter that went down (data plane
 * restarted, peer re-added) counts from zero. A peer's delta is added to its
 * interface's series too. */
#ifndef WG_ROUTER_HISTORY_H
#define WG_ROUTER_HISTORY_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum wg_hist_kind { WG_HIST_IFACE = 1, WG_HIST_PEER = 2 };
enum wg_hist_period { WG_HIST_HOUR, WG_HIST_DAY, WG_HIST_MONTH, WG_HIST_YEAR };

/* At most this many series (interfaces + peers): the file stays below 400 MB. */
#define WG_HIST_MAX_SERIES 8192

struct wg_hist_sample {
	uint32_t kind, id;       /* the series */
	uint32_t parent;         /* a peer's interface id (its series gets the delta too) */
	bool live;               /* the data plane reported it: rx, tx, handshake valid */
	uint64_t rx, tx;         /* counters since the data plane (re)added the peer */
	uint64_t handshake;      /* unix time of the last handshake, 0: never */
};

struct wg_hist_point { uint64_t time, rx, tx; }; /* time: unix start of the interval */

struct wg_hist;
/* path NULL: in memory only (tests, no state directory). A file that is not one of
 * ours, or damaged, is renamed to PATH.bad and a new one started (*note says so). */
struct wg_hist *wg_hist_open(const char *path, char *note, size_t notelen);
/* Stops the writer thread (applying what was posted) and closes the file. */
void wg_hist_close(struct wg_hist *h);

/* Applies a complete sample at unix time now: every series not in it is removed (its
 * item is gone). Synchronous; wg_hist_post() hands it to the writer thread. */
void wg_hist_apply(struct wg_hist *h, uint64_t now, const struct wg_hist_sample *s, size_t n);
/* Takes ownership of s (malloc'd). Never blocks on the disk: a sample not yet applied
 * is replaced by the newer one (counters are absolute, nothing is lost). */
void wg_hist_post(struct wg_hist *h, uint64_t now, struct wg_hist_sample *s, size_t n);
/* Waits until everything posted is applied (tests, shutdown). */
void wg_hist_sync(struct wg_hist *h);

/* Bytes since the series was created (or reset). With live, cur_rx/cur_tx are the data
 * plane's counters now, and what they moved since the last sample is included. false:
 * no such series. handshake: the last one sampled (may be NULL). */
bool wg_hist_totals(struct wg_hist *h, uint32_t kind, uint32_t id, bool live, uint64_t cur_rx,
		    uint64_t cur_tx, uint64_t *rx, uint64_t *tx, uint64_t *handshake);
/* The points of period up to now, oldest first (hour: 60 minutes, day: 1,440 minutes,
 * month: 720 hours, year: 365 days), from the interval the series was created in.
 * Returns the count; *out malloc'd (NULL when 0). */
size_t wg_hist_points(struct wg_hist *h, uint32_t kind, uint32_t id, enum wg_hist_period p, uint64_t now,
		      struct wg_hist_point **out);
/* Bytes in the days that start at or after since (unix time, a local midnight), up to
 * now, from the day points: what a quota period used; with live, what the data plane's
 * counters moved since the last sample too (as wg_hist_totals). false: no such series. */
bool wg_hist_usage(struct wg_hist *h, uint32_t kind, uint32_t id, uint64_t since, uint64_t now, bool live,
		   uint64_t cur_rx, uint64_t cur_tx, uint64_t *rx, uint64_t *tx);
/* reset-counters: the totals start again from zero (the points stay); with live, the
 * data plane's counters now are where the next sample counts from. */
void wg_hist_reset(struct wg_hist *h, uint32_t kind, uint32_t id, bool live, uint64_t cur_rx, uint64_t cur_tx);
/* The file's size in bytes (0 in memory). */
uint64_t wg_hist_file_size(struct wg_hist *h);

/* Local midnight at or before t, and the day number of t in local time. */
uint64_t wg_hist_local_midnight(uint64_t t);
#endif
