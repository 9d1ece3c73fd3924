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
/* Round-trip times as RouterOS v7 prints them: 11ms578us, 578us, 1s2ms, 0us; buf >= 48. */
char *wg_rtt_format(uint64_t us, char *buf, size_t len);
/* Byte counts: below 1 KiB as a plain number, else one decimal with KiB/MiB/GiB/TiB. */
char *wg_bytes_format(uint64_t n, char *buf, size_t len);
/* Counters as RouterOS's print stats shows them: 50 507 925 242; buf >= 32. */
char *wg_count_format(uint64_t n, char *buf, size_t len);
/* Sizes (quotas): a number of bytes with an optional binary suffix k/K, M, G, T (or
 * KiB, MiB, GiB, TiB), e.g. 10G = 10 * 2^30. Formatted with the largest suffix that
 * divides exactly: 10G, 1536M, 1000. */
bool wg_size_parse(const char *s, uint64_t *bytes);
char *wg_size_format(uint64_t bytes, char *buf, size_t len);
/* Rates in bits per second, decimal suffixes as RouterOS's queues: 512k, 10M, 1G.
 * A pair "rx/tx" (one number: both). Formatted alike: 10M/5M. */
bool wg_rate_parse(const char *s, uint64_t *bps);
bool wg_rate_pair_parse(const char *s, uint64_t *rx, uint64_t *tx);
char *wg_rate_format(uint64_t bps, char *buf, size_t len);
/* Local date and time "YYYY-MM-DD HH:MM:SS" (also without seconds, without the time,
 * or with a T) <-> unix seconds. */
bool wg_datetime_parse(const char *s, uint64_t *t);
/* A unix time as RouterOS prints dates and times, in the daemon's time zone
 * (/system/clock): 2026-12-04 13:05:00; buf >= 20. */
char *wg_datetime_format(uint64_t t, char *buf, size_t len);
#endif
