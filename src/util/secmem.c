/* See secmem.h. The range is reserved once without access (it costs no memory and no
 * overcommit charge) and opened in steps of STEP bytes as blocks are needed; each
 * step is locked if the limit allows. Freed blocks are wiped and kept on the free list
 * of their size for the next allocation of that size. */
#include "util/secmem.h"
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

enum {
	GRAIN = 64,                 /* block sizes are multiples of this (a cache line) */
	MAX_BLOCK = WG_SECMEM_MAX + 16,
	NCLASS = MAX_BLOCK / GRAIN,
	STEP = 1 << 20,             /* opened (and locked) at a time */
};

/* Before each block: its size class. 16 bytes keep the payload 16-byte aligned. */
struct header {
	size_t cls;
	size_t pad;
};

struct free_block {
	struct free_block *next;
};

static pthread_once_t once = PTHREAD_ONCE_INIT;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static char *base;          /* the reserved range; NULL if it could not be reserved */
static size_t reserved;
static size_t opened;       /* bytes from base that are readable and writable */
static size_t used;         /* bytes from base handed out as blocks at least once */
static struct free_block *free_lists[NCLASS + 1];

/* 64 GiB of address space on 64-bit systems (a million peers need ~1 GiB), less
 * where the address space is smaller. */
static void reserve(void)
{
	size_t want = sizeof(void *) == 8 ? (size_t)64 << 30 : (size_t)256 << 20;
	for (; want >= STEP; want /= 4) {
		void *p = mmap(NULL, want, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		if (p == MAP_FAILED)
			continue;
		madvise(p, want, MADV_DONTDUMP); /* the mark stays on the parts opened later */
		base = p;
		reserved = want;
		return;
	}
}

/* Opens the next step of the range. Locking may fail (RLIMIT_MEMLOCK): then these
 * pages may reach swap, but never a core file. */
static bool open_step(void)
{
	if (!base || reserved - opened < STEP)
		return false;
	if (mprotect(base + opened, STEP, PROT_READ | PROT_WRITE) < 0)
		return false;
	madvise(base + opened, STEP, MADV_DONTDUMP);
	mlock(base + opened, STEP);
	opened += STEP;
	return true;
}

static struct header *carve(size_t bytes)
{
	while (opened - used < bytes)
		if (!open_step())
			return NULL;
	struct header *h = (struct header *)(base + used);
	used += bytes;
	return h;
}

void *wg_secmem_alloc(size_t n)
{
	size_t cls = (n + sizeof(struct header) + GRAIN - 1) / GRAIN;
	if (cls > NCLASS)
		return NULL;
	pthread_once(&once, reserve);
	pthread_mutex_lock(&lock);
	struct header *h = (struct header *)free_lists[cls];
	if (h)
		free_lists[cls] = free_lists[cls]->next;
	else
		h = carve(cls * GRAIN);
	pthread_mutex_unlock(&lock);
	if (!h)
		return NULL;
	memset(h, 0, cls * GRAIN); /* fresh pages are zero; a reused block held a pointer */
	h->cls = cls;
	return h + 1;
}

void wg_secmem_free(void *p)
{
	if (!p)
		return;
	struct header *h = (struct header *)p - 1;
	size_t cls = h->cls;
	explicit_bzero(h, cls * GRAIN);
	struct free_block *b = (struct free_block *)h;
	pthread_mutex_lock(&lock);
	b->next = free_lists[cls];
	free_lists[cls] = b;
	pthread_mutex_unlock(&lock);
}

char *wg_secmem_strdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = wg_secmem_alloc(n);
	if (!p) {
		fputs("wgrouter: out of memory for secrets\n", stderr);
		abort();
	}
	memcpy(p, s, n);
	return p;
}

/* base and reserved are set once (under pthread_once) before any block exists, so
 * a pointer that came from here sees them without the lock. */
size_t wg_secmem_size(const void *p)
{
	return ((const struct header *)p - 1)->cls * GRAIN - sizeof(struct header);
}

bool wg_secmem_owns(const void *p)
{
	const char *c = p;
	return base && c >= base && c < base + reserved;
}
