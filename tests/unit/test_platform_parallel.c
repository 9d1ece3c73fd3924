/* The batch helper: every index exactly once, whatever the batch size and the number of
 * helpers; helpers really take part; batches follow each other without a stale helper
 * touching the next one; shutdown with sleeping helpers returns. */
#include "test.h"
#include "platform/parallel.h"
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

enum { MAX_N = 1000 };

struct count_ctx {
	_Atomic int hits[MAX_N];
	pthread_t caller;
	_Atomic int by_helper;
	unsigned spin_ns; /* per index, to give helpers time to join */
};

static void spin(unsigned ns)
{
	struct timespec a, b;

	clock_gettime(CLOCK_MONOTONIC, &a);
	do
		clock_gettime(CLOCK_MONOTONIC, &b);
	while ((b.tv_sec - a.tv_sec) * 1000000000L + (b.tv_nsec - a.tv_nsec) < (long)ns);
}

static void count(void *arg, size_t i)
{
	struct count_ctx *c = arg;

	atomic_fetch_add(&c->hits[i], 1);
	if (!pthread_equal(pthread_self(), c->caller))
		atomic_fetch_add(&c->by_helper, 1);
	if (c->spin_ns)
		spin(c->spin_ns);
}

/* Runs one batch of n and checks that each index was called once. */
static bool run_once(struct wg_parallel *p, struct count_ctx *c, size_t n, size_t chunk)
{
	for (size_t i = 0; i < MAX_N; i++)
		atomic_store(&c->hits[i], 0);
	c->caller = pthread_self();
	wg_parallel_for(p, n, chunk, count, c);
	for (size_t i = 0; i < MAX_N; i++)
		if (atomic_load(&c->hits[i]) != (i < n ? 1 : 0))
			return false;
	return true;
}

TEST(every_index_exactly_once)
{
	static struct count_ctx c;
	static const size_t sizes[] = { 0, 1, 7, 8, 15, 16, 17, 64, 129, 1000 };

	for (int helpers = 0; helpers <= 3; helpers++) {
		struct wg_parallel *p = wg_parallel_new(helpers);
		CHECK(p != NULL);
		CHECK_EQ(wg_parallel_helpers(p), helpers);
		for (int round = 0; round < 300; round++) {
			size_t n = sizes[round % (sizeof(sizes) / sizeof(sizes[0]))];
			bool ok = run_once(p, &c, n, 8);
			CHECK(ok, "helpers %d, round %d, n %zu", helpers, round, n);
			if (!ok)
				break;
		}
		wg_parallel_free(p);
	}
	CHECK(run_once(NULL, &c, 100, 8), "without a helper object");
}

/* With indices that take a while, a helper gets woken and takes chunks; the caller
 * still returns only when all are done (checked by run_once). */
TEST(helpers_take_part)
{
	static struct count_ctx c;
	struct wg_parallel *p = wg_parallel_new(1);

	c.spin_ns = 20000;
	atomic_store(&c.by_helper, 0);
	for (int round = 0; round < 50 && atomic_load(&c.by_helper) == 0; round++)
		CHECK(run_once(p, &c, 64, 4));
	CHECK(atomic_load(&c.by_helper) > 0, "no index ran on the helper in 50 batches of 1.3 ms");
	wg_parallel_free(p);
}

/* A batch too small to share never leaves the caller. */
TEST(small_batches_stay_in_the_caller)
{
	static struct count_ctx c;
	struct wg_parallel *p = wg_parallel_new(2);

	c.spin_ns = 20000;
	atomic_store(&c.by_helper, 0);
	for (int round = 0; round < 20; round++)
		CHECK(run_once(p, &c, 7, 4));
	CHECK_EQ(atomic_load(&c.by_helper), 0);
	wg_parallel_free(p);
}
