/* See history.h: the ring file, its records and the writer thread. */
#include "router/history.h"
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "util/alloc.h"
#include "util/sbuf.h"

enum { N_MIN = 1440, N_HOUR = 744, N_DAY = 731, FILE_HEAD = 4096, GROW = 64, SYNC_EVERY_S = 300 };
static const char MAGIC[8] = "WGRHIST1";

struct pt { uint64_t rx, tx; };

/* One copy of a series' header: everything a sample changes besides the ring slots. */
struct head {
	uint64_t created, total_rx, total_tx, handshake;
	uint64_t min_idx, hour_idx, day_idx;      /* the slots being summed */
	struct pt acc_min, acc_hour, acc_day;     /* their sums so far */
};

struct rec {
	uint32_t kind, id;        /* kind 0: a free record */
	uint32_t active, pad;     /* which header is current (0 or 1) */
	struct head h[2];
	struct pt min[N_MIN], hour[N_HOUR], day[N_DAY];
};

struct file_head {
	char magic[8];
	uint32_t version, rec_size;
	uint64_t cap;
};

struct live { uint64_t rx, tx; bool have; bool seen; };
struct idx { uint64_t key; size_t i; };

struct wg_hist {
	pthread_mutex_t mu;
	char *path;
	int fd;                  /* -1: in memory */
	unsigned char *map;
	size_t cap;              /* records mapped */
	struct live *live;       /* per record: the last sample's counters (not persisted) */
	struct idx *index;       /* sorted by key, the used records */
	size_t nindex;
	size_t free_hint;        /* no free record below it: 10,000 new peers are not 10,000
				  * scans of the file (each record a page of its own) */
	/* the writer thread */
	pthread_t th;
	bool running, stop;
	pthread_cond_t cv, done_cv;
	struct wg_hist_sample *pend;
	size_t npend;
	uint64_t pend_now;
	bool busy;
	uint64_t last_sync;
};

static struct rec *rec_at(struct wg_hist *h, size_t i)
{
	return (struct rec *)(h->map + FILE_HEAD + i * sizeof(struct rec));
}

static size_t map_size(size_t cap) { return FILE_HEAD + cap * sizeof(struct rec); }
static uint64_t key_of(uint32_t kind, uint32_t id) { return (uint64_t)kind << 32 | id; }

/* ---- local time ---- */

static int64_t gmtoff(uint64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;
	localtime_r(&tt, &tm);
	return tm.tm_gmtoff;
}

static uint64_t day_of(uint64_t t) { return (uint64_t)((int64_t)t + gmtoff(t)) / 86400; }
static uint64_t day_start(uint64_t d)
{
	uint64_t guess = d * 86400;
	return (uint64_t)((int64_t)guess - gmtoff(guess));
}

uint64_t wg_hist_local_midnight(uint64_t t) { return day_start(day_of(t)); }

/* ---- the index of used records ---- */

static int cmp_idx(const void *a, const void *b)
{
	uint64_t x = ((const struct idx *)a)->key, y = ((const struct idx *)b)->key;
	return x < y ? -1 : x > y;
}

static void reindex(struct wg_hist *h)
{
	h->nindex = 0;
	h->index = xrealloc(h->index, (h->cap + 1) * sizeof(*h->index));
	for (size_t i = 0; i < h->cap; i++) {
		struct rec *r = rec_at(h, i);
		if (r->kind)
			h->index[h->nindex++] = (struct idx){ key_of(r->kind, r->id), i };
	}
	qsort(h->index, h->nindex, sizeof(*h->index), cmp_idx);
}

/* One record into the sorted index: a new peer costs a memmove, not a sort of them all. */
static void index_insert(struct wg_hist *h, uint64_t key, size_t i)
{
	size_t lo = 0, hi = h->nindex;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (h->index[mid].key < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	h->index = xrealloc(h->index, (h->cap + 1) * sizeof(*h->index));
	memmove(&h->index[lo + 1], &h->index[lo], (h->nindex - lo) * sizeof(*h->index));
	h->index[lo] = (struct idx){ key, i };
	h->nindex++;
}

static struct rec *find(struct wg_hist *h, uint32_t kind, uint32_t id, size_t *pos)
{
	struct idx k = { key_of(kind, id), 0 };
	struct idx *f = h->nindex ? bsearch(&k, h->index, h->nindex, sizeof(k), cmp_idx) : NULL;
	if (!f)
		return NULL;
	if (pos)
		*pos = f->i;
	return rec_at(h, f->i);
}

/* ---- the mapping ---- */

static int remap(struct wg_hist *h, size_t cap)
{
	size_t old = h->map ? map_size(h->cap) : 0;
	unsigned char *m;
	if (h->fd >= 0 && ftruncate(h->fd, (off_t)map_size(cap)) < 0)
		return -1;
	if (h->map)
		m = mremap(h->map, old, map_size(cap), MREMAP_MAYMOVE);
	else if (h->fd >= 0)
		m = mmap(NULL, map_size(cap), PROT_READ | PROT_WRITE, MAP_SHARED, h->fd, 0);
	else
		m = mmap(NULL, map_size(cap), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		return -1;
	h->map = m;
	h->live = xrealloc(h->live, cap * sizeof(*h->live));
	if (cap > h->cap)
		memset(h->live + h->cap, 0, (cap - h->cap) * sizeof(*h->live));
	h->cap = cap;
	return 0;
}

/* A record is sane when its header index is 0 or 1 and its kind one of ours; anything
 * else (a damaged file) is dropped as free. Slot numbers need no check: every use is
 * modulo the ring and every walk bounded by the ring's length. */
static void sanitize(struct wg_hist *h)
{
	for (size_t i = 0; i < h->cap; i++) {
		struct rec *r = rec_at(h, i);
		if (r->active > 1 || (r->kind != 0 && r->kind != WG_HIST_IFACE && r->kind != WG_HIST_PEER))
			memset(r, 0, sizeof(*r));
	}
}

static bool valid_file(int fd, size_t *cap)
{
	struct stat st;
	struct file_head fh;
	if (fstat(fd, &st) < 0 || st.st_size < FILE_HEAD || pread(fd, &fh, sizeof(fh), 0) != (ssize_t)sizeof(fh))
		return false;
	if (memcmp(fh.magic, MAGIC, 8) || fh.version != 1 || fh.rec_size != sizeof(struct rec) ||
	    fh.cap > WG_HIST_MAX_SERIES || (uint64_t)st.st_size < map_size(fh.cap))
		return false;
	*cap = fh.cap;
	return true;
}

static int open_file(struct wg_hist *h, char *note, size_t notelen)
{
	size_t cap = 0;
	h->fd = open(h->path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (h->fd < 0)
		return -1;
	struct stat st;
	if (fstat(h->fd, &st) == 0 && st.st_size > 0 && !valid_file(h->fd, &cap)) {
		char *bad = xasprintf("%s.bad", h->path);
		close(h->fd);
		if (rename(h->path, bad) == 0)
			snprintf(note, notelen, "traffic history %s was not readable, kept as %s", h->path, bad);
		free(bad);
		h->fd = open(h->path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		if (h->fd < 0)
			return -1;
	}
	if (remap(h, cap ? cap : GROW) < 0)
		return -1;
	struct file_head fh = { .version = 1, .rec_size = sizeof(struct rec), .cap = h->cap };
	memcpy(fh.magic, MAGIC, 8);
	memcpy(h->map, &fh, sizeof(fh));
	return 0;
}

struct wg_hist *wg_hist_open(const char *path, char *note, size_t notelen)
{
	struct wg_hist *h = xcalloc(1, sizeof(*h));
	pthread_mutex_init(&h->mu, NULL);
	pthread_cond_init(&h->cv, NULL);
	pthread_cond_init(&h->done_cv, NULL);
	h->fd = -1;
	if (note && notelen)
		note[0] = 0;
	h->path = path ? xstrdup(path) : NULL;
	if (path ? open_file(h, note, notelen) < 0 : remap(h, GROW) < 0) {
		snprintf(note, notelen, "traffic history %s: %s (kept in memory only)", path ? path : "", strerror(errno));
		if (h->fd >= 0)
			close(h->fd);
		h->fd = -1;
		h->map = NULL;
		h->cap = 0;
		if (remap(h, GROW) < 0)
			abort();
	}
	sanitize(h);
	reindex(h);
	return h;
}

static int grow(struct wg_hist *h)
{
	if (h->cap + GROW > WG_HIST_MAX_SERIES || remap(h, h->cap + GROW) < 0)
		return -1;
	((struct file_head *)h->map)->cap = h->cap;
	return 0;
}

/* ---- applying a sample ---- */

static uint64_t delta(uint64_t cur, uint64_t last, bool have)
{
	return !have || cur < last ? cur : cur - last;
}

/* Closes the slot *idx (its sum goes to the ring, the slots skipped are zeroed) and
 * starts slot to. Reads only the old header, so running it twice writes the same. */
static void roll(struct pt *ring, size_t n, uint64_t *idx, struct pt *acc, uint64_t to)
{
	if (to <= *idx)
		return;
	ring[*idx % n] = *acc;
	uint64_t gap = to - *idx - 1;
	for (uint64_t k = 1; k <= gap && k <= n; k++)
		ring[(*idx + k) % n] = (struct pt){ 0, 0 };
	*idx = to;
	*acc = (struct pt){ 0, 0 };
}

static void add(struct pt *p, uint64_t rx, uint64_t tx)
{
	p->rx += rx;
	p->tx += tx;
}

static void rec_update(struct rec *r, uint64_t now, uint64_t drx, uint64_t dtx, uint64_t handshake)
{
	struct head n = r->h[r->active];
	roll(r->min, N_MIN, &n.min_idx, &n.acc_min, now / 60);
	roll(r->hour, N_HOUR, &n.hour_idx, &n.acc_hour, now / 3600);
	roll(r->day, N_DAY, &n.day_idx, &n.acc_day, day_of(now));
	add(&n.acc_min, drx, dtx);
	add(&n.acc_hour, drx, dtx);
	add(&n.acc_day, drx, dtx);
	n.total_rx += drx;
	n.total_tx += dtx;
	if (handshake)
		n.handshake = handshake;
	r->h[!r->active] = n;
	__atomic_store_n(&r->active, !r->active, __ATOMIC_RELEASE);
}

static struct rec *rec_new(struct wg_hist *h, uint32_t kind, uint32_t id, uint64_t now, size_t *pos)
{
	size_t i = h->free_hint;
	while (i < h->cap && rec_at(h, i)->kind)
		i++;
	if (i == h->cap && grow(h) < 0)
		return NULL;
	struct rec *r = rec_at(h, i);
	memset(r, 0, sizeof(*r));
	r->h[0] = (struct head){ .created = now, .min_idx = now / 60, .hour_idx = now / 3600, .day_idx = day_of(now) };
	h->live[i] = (struct live){ 0 };
	__atomic_store_n(&r->id, id, __ATOMIC_RELAXED);
	__atomic_store_n(&r->kind, kind, __ATOMIC_RELEASE); /* last: a half-made record is free */
	index_insert(h, key_of(kind, id), i);
	h->free_hint = i + 1;
	*pos = i;
	return r;
}

static struct rec *series(struct wg_hist *h, uint32_t kind, uint32_t id, uint64_t now, size_t *pos)
{
	struct rec *r = find(h, kind, id, pos);
	return r ? r : rec_new(h, kind, id, now, pos);
}

/* Peers first: their deltas are summed per interface (ifd, parallel to the records). */
static void apply_peers(struct wg_hist *h, uint64_t now, const struct wg_hist_sample *s, size_t n, struct pt *ifd,
			size_t nifd)
{
	for (size_t k = 0; k < n; k++) {
		size_t i, pi;
		if (s[k].kind != WG_HIST_PEER)
			continue;
		struct rec *r = series(h, WG_HIST_PEER, s[k].id, now, &i);
		if (!r)
			continue;
		struct live *l = &h->live[i];
		uint64_t drx = 0, dtx = 0;
		if (s[k].live) {
			drx = delta(s[k].rx, l->rx, l->have);
			dtx = delta(s[k].tx, l->tx, l->have);
			*l = (struct live){ s[k].rx, s[k].tx, true, false };
		} else {
			l->have = false;
		}
		l->seen = true;
		rec_update(r, now, drx, dtx, s[k].live ? s[k].handshake : 0);
		if (find(h, WG_HIST_IFACE, s[k].parent, &pi) && pi < nifd)
			add(&ifd[pi], drx, dtx);
	}
}

void wg_hist_apply(struct wg_hist *h, uint64_t now, const struct wg_hist_sample *s, size_t n)
{
	pthread_mutex_lock(&h->mu);
	for (size_t k = 0; k < n; k++) /* interfaces exist before their peers add to them */
		if (s[k].kind == WG_HIST_IFACE) {
			size_t i;
			if (series(h, WG_HIST_IFACE, s[k].id, now, &i))
				h->live[i].seen = true;
		}
	size_t nifd = h->cap; /* records made from here on are peers' */
	struct pt *ifd = xcalloc(nifd, sizeof(*ifd));
	apply_peers(h, now, s, n, ifd, nifd);
	bool removed = false;
	for (size_t i = 0; i < h->cap; i++) {
		struct rec *r = rec_at(h, i);
		if (r->kind == WG_HIST_IFACE && h->live[i].seen && i < nifd)
			rec_update(r, now, ifd[i].rx, ifd[i].tx, 0);
		else if (r->kind && !h->live[i].seen) {
			__atomic_store_n(&r->kind, 0, __ATOMIC_RELEASE);
			h->free_hint = i < h->free_hint ? i : h->free_hint;
			removed = true;
		}
		h->live[i].seen = false;
	}
	free(ifd);
	if (removed)
		reindex(h);
	pthread_mutex_unlock(&h->mu);
}

/* ---- queries ---- */

bool wg_hist_totals(struct wg_hist *h, uint32_t kind, uint32_t id, bool live, uint64_t cur_rx,
		    uint64_t cur_tx, uint64_t *rx, uint64_t *tx, uint64_t *handshake)
{
	size_t i;
	pthread_mutex_lock(&h->mu);
	struct rec *r = find(h, kind, id, &i);
	if (r) {
		const struct head *hd = &r->h[r->active];
		struct live *l = &h->live[i];
		*rx = hd->total_rx + (live ? delta(cur_rx, l->rx, l->have) : 0);
		*tx = hd->total_tx + (live ? delta(cur_tx, l->tx, l->have) : 0);
		if (handshake)
			*handshake = hd->handshake;
	}
	pthread_mutex_unlock(&h->mu);
	return r != NULL;
}

/* The value of slot k of a ring whose current slot is cur (summing acc). */
static struct pt slot(const struct pt *ring, size_t n, uint64_t cur, const struct pt *acc, uint64_t k)
{
	if (k == cur)
		return *acc;
	if (k > cur || cur - k >= n)
		return (struct pt){ 0, 0 };
	return ring[k % n];
}

struct ring_view {
	const struct pt *ring;
	size_t n;
	uint64_t cur, first, step; /* step: seconds per slot (0: local days) */
	const struct pt *acc;
};

static struct ring_view view(const struct rec *r, enum wg_hist_period p)
{
	const struct head *hd = &r->h[r->active];
	switch (p) {
	case WG_HIST_MONTH:
		return (struct ring_view){ r->hour, N_HOUR, hd->hour_idx, hd->created / 3600, 3600, &hd->acc_hour };
	case WG_HIST_YEAR:
		return (struct ring_view){ r->day, N_DAY, hd->day_idx, day_of(hd->created), 0, &hd->acc_day };
	default:
		return (struct ring_view){ r->min, N_MIN, hd->min_idx, hd->created / 60, 60, &hd->acc_min };
	}
}

static uint64_t now_slot(const struct ring_view *v, uint64_t now)
{
	return v->step ? now / v->step : day_of(now);
}

size_t wg_hist_points(struct wg_hist *h, uint32_t kind, uint32_t id, enum wg_hist_period p, uint64_t now,
		      struct wg_hist_point **out)
{
	static const size_t len[] = { 60, 1440, 720, 365 };
	size_t n = 0;
	*out = NULL;
	pthread_mutex_lock(&h->mu);
	struct rec *r = find(h, kind, id, NULL);
	if (r) {
		struct ring_view v = view(r, p);
		uint64_t last = now_slot(&v, now);
		uint64_t first = last + 1 >= len[p] ? last + 1 - len[p] : 0;
		if (first < v.first)
			first = v.first;
		if (last >= first) {
			*out = xcalloc(last - first + 1, sizeof(**out));
			for (uint64_t k = first; k <= last; k++) {
				struct pt x = slot(v.ring, v.n, v.cur, v.acc, k);
				(*out)[n++] = (struct wg_hist_point){ v.step ? k * v.step : day_start(k), x.rx, x.tx };
			}
		}
	}
	pthread_mutex_unlock(&h->mu);
	return n;
}

bool wg_hist_usage(struct wg_hist *h, uint32_t kind, uint32_t id, uint64_t since, uint64_t now, bool live,
		   uint64_t cur_rx, uint64_t cur_tx, uint64_t *rx, uint64_t *tx)
{
	size_t i;
	pthread_mutex_lock(&h->mu);
	struct rec *r = find(h, kind, id, &i);
	*rx = *tx = 0;
	if (r && live) {
		*rx = delta(cur_rx, h->live[i].rx, h->live[i].have);
		*tx = delta(cur_tx, h->live[i].tx, h->live[i].have);
	}
	if (r) {
		struct ring_view v = view(r, WG_HIST_YEAR);
		uint64_t last = day_of(now), first = day_of(since);
		for (uint64_t k = first; k <= last && last - k < N_DAY; k++) {
			struct pt x = slot(v.ring, v.n, v.cur, v.acc, k);
			*rx += x.rx;
			*tx += x.tx;
		}
	}
	pthread_mutex_unlock(&h->mu);
	return r != NULL;
}

void wg_hist_reset(struct wg_hist *h, uint32_t kind, uint32_t id, bool live, uint64_t cur_rx, uint64_t cur_tx)
{
	size_t i;
	pthread_mutex_lock(&h->mu);
	struct rec *r = find(h, kind, id, &i);
	if (r) {
		struct head n = r->h[r->active];
		n.total_rx = n.total_tx = 0;
		h->live[i] = (struct live){ cur_rx, cur_tx, live, false };
		r->h[!r->active] = n;
		__atomic_store_n(&r->active, !r->active, __ATOMIC_RELEASE);
	}
	pthread_mutex_unlock(&h->mu);
}

uint64_t wg_hist_file_size(struct wg_hist *h)
{
	struct stat st;
	return h->fd >= 0 && fstat(h->fd, &st) == 0 ? (uint64_t)st.st_size : 0;
}

/* ---- the writer thread ---- */

static void *writer(void *arg)
{
	struct wg_hist *h = arg;
	pthread_mutex_lock(&h->mu);
	for (;;) {
		while (!h->pend && !h->stop)
			pthread_cond_wait(&h->cv, &h->mu);
		if (!h->pend)
			break;
		struct wg_hist_sample *s = h->pend;
		size_t n = h->npend;
		uint64_t now = h->pend_now;
		h->pend = NULL;
		h->busy = true;
		pthread_mutex_unlock(&h->mu);
		wg_hist_apply(h, now, s, n);
		free(s);
		if (h->fd >= 0 && now - h->last_sync >= SYNC_EVERY_S) {
			fdatasync(h->fd);
			h->last_sync = now;
		}
		pthread_mutex_lock(&h->mu);
		h->busy = false;
		pthread_cond_broadcast(&h->done_cv);
	}
	pthread_mutex_unlock(&h->mu);
	return NULL;
}

void wg_hist_post(struct wg_hist *h, uint64_t now, struct wg_hist_sample *s, size_t n)
{
	pthread_mutex_lock(&h->mu);
	if (!h->running && pthread_create(&h->th, NULL, writer, h) == 0)
		h->running = true;
	free(h->pend);
	h->pend = s;
	h->npend = n;
	h->pend_now = now;
	pthread_cond_signal(&h->cv);
	bool sync_apply = !h->running;
	pthread_mutex_unlock(&h->mu);
	if (sync_apply) { /* no thread could be made: apply here rather than lose it */
		pthread_mutex_lock(&h->mu);
		h->pend = NULL;
		pthread_mutex_unlock(&h->mu);
		wg_hist_apply(h, now, s, n);
		free(s);
	}
}

void wg_hist_sync(struct wg_hist *h)
{
	pthread_mutex_lock(&h->mu);
	while (h->running && (h->pend || h->busy))
		pthread_cond_wait(&h->done_cv, &h->mu);
	pthread_mutex_unlock(&h->mu);
}

void wg_hist_close(struct wg_hist *h)
{
	if (!h)
		return;
	pthread_mutex_lock(&h->mu);
	h->stop = true;
	pthread_cond_signal(&h->cv);
	bool running = h->running;
	pthread_mutex_unlock(&h->mu);
	if (running)
		pthread_join(h->th, NULL);
	free(h->pend);
	if (h->map) {
		if (h->fd >= 0)
			msync(h->map, map_size(h->cap), MS_SYNC);
		munmap(h->map, map_size(h->cap));
	}
	if (h->fd >= 0)
		close(h->fd);
	pthread_mutex_destroy(&h->mu);
	pthread_cond_destroy(&h->cv);
	pthread_cond_destroy(&h->done_cv);
	free(h->live);
	free(h->index);
	free(h->path);
	free(h);
}
