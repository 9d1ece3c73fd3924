/* See clock.h. */
#include "util/clock.h"
#include <time.h>

uint64_t wg_mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

uint64_t wg_mono_ms_hook(void *ctx)
{
	(void)ctx;
	return wg_mono_ms();
}
