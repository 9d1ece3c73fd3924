/* The host's CPU load between two samples of /proc/stat (bandwidth-test's
 * local-cpu-load). */
#ifndef WG_TOOLS_CPULOAD_H
#define WG_TOOLS_CPULOAD_H

struct wg_cpuload { unsigned long long busy, total; };
/* Percent busy since the previous sample in *prev (the first: since boot); prev is
 * updated. -1 when /proc/stat cannot be read. */
int wg_cpuload_sample(struct wg_cpuload *prev);
#endif
