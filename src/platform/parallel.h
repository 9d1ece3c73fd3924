/* Batch work shared across cores: wg_parallel_for(p, n, ...) calls fn(ctx, i) once for
 * every i < n and returns when all calls are done. The caller works through the batch
 * itself, in chunks taken from a shared counter; helper threads that are free join in
 * and take chunks too. Nobody waits for a sleeping helper: a helper that wakes late
 * finds nothing left, so a batch never takes longer than the caller alone would (plus
 * the wait for chunks a helper has already taken).
 *
 * Used for the packet crypto: the tx and rx threads each own one, so a batch of
 * datagrams is sealed or opened on every core while the core's per-peer order is kept
 * (jobs are prepared and finished by the caller, in order; only the crypto in between
 * runs in parallel). One caller at a time per object. */
#ifndef WG_PLATFORM_PARALLEL_H
#define WG_PLATFORM_PARALLEL_H
#include <stddef.h>

struct wg_parallel;

/* helpers: threads besides the caller (0: everything runs in the caller). NULL if the
 * threads could not be started. */
struct wg_parallel *wg_parallel_new(int helpers);
void wg_parallel_free(struct wg_parallel *p);
int wg_parallel_helpers(const struct wg_parallel *p);

/* Batches smaller than two chunks run in the caller alone: waking a helper costs more
 * than it would do. p may be NULL (same as no helpers). */
void wg_parallel_for(struct wg_parallel *p, size_t n, size_t chunk, void (*fn)(void *ctx, size_t i), void *ctx);

/* Helpers worth having on this machine for one direction of packet crypto: one per
 * online CPU beyond the two that the tx and rx threads already keep busy, at most 7.
 * Measured on 2 CPUs: a helper seals a batch 1.4-1.5x faster on an idle machine
 * (bench/parallel), but costs 4% of single-stream TCP when both tunnel ends and
 * iperf3 already fill both CPUs; so none there. */
int wg_parallel_default_helpers(void);
#endif
