/* What every benchmark measures with: monotonic seconds and the heap in use. */
#ifndef WG_BENCH_CLOCK_H
#define WG_BENCH_CLOCK_H
#include <malloc.h>
#include <stddef.h>
#include <time.h>

static inline double bench_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Bytes malloc has handed out (small blocks plus mmap'ed ones). */
static inline size_t bench_heap_used(void)
{
	struct mallinfo2 mi = mallinfo2();
	return mi.uordblks + mi.hblkhd;
}
#endif
