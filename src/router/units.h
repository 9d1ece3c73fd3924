/* RouterOS units: durations (25s, 1h, 1d2h3m, 00:01:30) and byte counts (3568.3MiB). */
#ifndef WG_ROUTER_UNITS_H
#define WG_ROUTER_UNITS_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Parses a duration into milliseconds. Accepts unit strings (w d h m s ms, combined in
 * decreasing order), hh:mm:ss, and a plain number of seconds. */
bool wg_time_parse(const char *s, uint64_t *ms);
/* Formats milliseconds as RouterOS does: 35s, 1m12s, 2d3h, 1w2d, 0s; buf >= 32. */
char *wg_time_format(uint64_t ms, char *buf, size_t len);
/* Byte counts: below 1 KiB as a plain number, else one decimal with KiB/MiB/GiB/TiB. */
char *wg_bytes_format(uint64_t n, char *buf, size_t len);
/* A unix time as RouterOS prints dates and times, in the daemon's time zone
 * (/system/clock): 2026-12-04 13:05:00; buf >= 20. */
char *wg_datetime_format(uint64_t t, char *buf, size_t len);
#endif
