/* See parallel.h. Helpers sleep on a futex holding the batch generation; the caller
 * publishes a batch by filling the descriptor, setting `active` and bumping the
 * generation, then works on it too. Helpers enter a batch by counting themselves in
 * `users` before looking at `active`, and leave only when no chunk is left to take and
 * their own chunks are done. So once the caller has run out of chunks, it clears
 * `active` and waits for `users` to reach zero: then every index is done, no helper can
 * touch the descriptor any more, and the next batch may overwrite it. */
#include "platform/parallel.h"
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

enum { MAX_HELPERS = 7, SPINS_BEFORE_YIELD = 256 };

struct wg_parallel {
	pthread_t threads[MAX_HELPERS];
	int nthreads;
	_Atomic uint32_t gen;   /* futex word: bumped per batch and at shutdown */
	_Atomic int sleepers;   /* helpers (about to be) asleep on gen */
	_Atomic bool stopping;
	_Atomic bool active;    /* the descriptor below holds a batch being worked on */
	_Atomic int users;      /* helpers inside the current batch */
	_Atomic size_t next;    /* first index not yet taken */
	size_t n, chunk;
	void (*fn)(void *ctx, size_t i);
	void *ctx;
};

static void futex_wait(_Atomic uint32_t *word, uint32_t seen)
{
	syscall(SYS_futex, word, FUTEX_WAIT_PRIVATE, seen, NULL, NULL, 0);
}

static void futex_wake_all(_Atomic uint32_t *word)
{
	syscall(SYS_futex, word, FUTEX_WAKE_PRIVATE, INT32_MAX, NULL, NULL, 0);
}

/* Takes chunks until none is left. */
static void work(struct wg_parallel *p)
{
	for (;;) {
		size_t i = atomic_fetch_add(&p->next, p->chunk);
		if (i >= p->n)
			return;
		size_t end = i + p->chunk < p->n ? i + p->chunk : p->n;
		for (size_t k = i; k < end; k++)
			p->fn(p->ctx, k);
	}
}

/* Waits for the helpers still inside the batch: only chunks they have taken remain, so
 * this is short unless one was preempted, hence the yield. */
static void wait_for_helpers(struct wg_parallel *p)
{
	for (unsigned spins = 0; atomic_load(&p->users); spins++) {
		if (spins >= SPINS_BEFORE_YIELD)
			sched_yield();
		else
			__builtin_ia32_pause();
	}
}

static void *helper(void *arg)
{
	struct wg_parallel *p = arg;
	uint32_t seen = atomic_load(&p->gen);

	while (!atomic_load(&p->stopping)) {
		atomic_fetch_add(&p->users, 1);
		if (atomic_load(&p->active))
			work(p);
		atomic_fetch_sub(&p->users, 1);
		atomic_fetch_add(&p->sleepers, 1);
		futex_wait(&p->gen, seen); /* returns at once if a batch came meanwhile */
		atomic_fetch_sub(&p->sleepers, 1);
		seen = atomic_load(&p->gen);
	}
	return NULL;
}

struct wg_parallel *wg_parallel_new(int helpers)
{
	struct wg_parallel *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	if (helpers > MAX_HELPERS)
		helpers = MAX_HELPERS;
	for (; p->nthreads < helpers; p->nthreads++) {
		if (pthread_create(&p->threads[p->nthreads], NULL, helper, p)) {
			wg_parallel_free(p);
			return NULL;
		}
	}
	return p;
}

void wg_parallel_free(struct wg_parallel *p)
{
	if (!p)
		return;
	atomic_store(&p->stopping, true);
	atomic_fetch_add(&p->gen, 1);
	futex_wake_all(&p->gen);
	for (int i = 0; i < p->nthreads; i++)
		pthread_join(p->threads[i], NULL);
	free(p);
}

int wg_parallel_helpers(const struct wg_parallel *p)
{
	return p ? p->nthreads : 0;
}

void wg_parallel_for(struct wg_parallel *p, size_t n, size_t chunk, void (*fn)(void *ctx, size_t i), void *ctx)
{
	if (chunk == 0)
		chunk = 1;
	if (!p || p->nthreads == 0 || n < 2 * chunk) {
		for (size_t i = 0; i < n; i++)
			fn(ctx, i);
		return;
	}
	p->n = n;
	p->chunk = chunk;
	p->fn = fn;
	p->ctx = ctx;
	atomic_store(&p->next, 0);
	atomic_store(&p->active, true);
	atomic_fetch_add(&p->gen, 1);
	if (atomic_load(&p->sleepers))
		futex_wake_all(&p->gen);
	work(p); /* returns when no chunk is left to take */
	atomic_store(&p->active, false);
	wait_for_helpers(p);
}

int wg_parallel_default_helpers(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	if (n <= 2)
		return 0;
	return n - 2 > MAX_HELPERS ? MAX_HELPERS : (int)(n - 2);
}
