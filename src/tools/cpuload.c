/* See cpuload.h. */
#include "tools/cpuload.h"
#include <stdio.h>

int wg_cpuload_sample(struct wg_cpuload *prev)
{
	unsigned long long u, n, s, idle, io, irq, sirq;
	FILE *f = fopen("/proc/stat", "re");
	int got = f ? fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu", &u, &n, &s, &idle, &io, &irq, &sirq) : 0;
	if (f)
		fclose(f);
	if (got != 7)
		return -1;
	struct wg_cpuload now = { u + n + s + irq + sirq, u + n + s + idle + io + irq + sirq };
	unsigned long long db = now.busy - prev->busy, dt = now.total - prev->total;
	*prev = now;
	return dt ? (int)(db * 100 / dt) : 0;
}
