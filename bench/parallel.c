/* Packet crypto spread over cores (src/platform/parallel.c) in isolation: batches of
 * 1420-byte packets sealed as the tx thread seals them, by the calling thread alone and
 * with helper threads. On an otherwise idle machine this shows how sealing scales with
 * cores; in `make bench` the two tunnel ends, iperf3 and the kernel already fill both
 * CPUs of this machine kind, which is why the data plane's default is one helper per
 * CPU beyond two (none here). */
#include "bench_clock.h"
#include "crypto/crypto.h"
#include "platform/parallel.h"
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

enum { PACKET = 1420, RUNS = 5, BATCHES = 400, CHUNK = 8 };

struct job {
	uint8_t data[PACKET + WG_TAG_LEN];
	uint64_t nonce;
};

static uint8_t key[WG_KEY_LEN];

static void seal(void *jobs, size_t i)
{
	struct job *j = &((struct job *)jobs)[i];

	wg_aead_seal(j->data, j->data, PACKET, NULL, 0, j->nonce++, key);
}

/* Best Gbit/s over RUNS runs of BATCHES batches of n packets. */
static double measure(struct wg_parallel *p, struct job *jobs, size_t n)
{
	double best = 0;

	wg_parallel_for(p, n, CHUNK, seal, jobs); /* warm-up: contexts, page faults */
	for (int r = 0; r < RUNS; r++) {
		double t = bench_now();
		for (int b = 0; b < BATCHES; b++)
			wg_parallel_for(p, n, CHUNK, seal, jobs);
		double gbps = (double)n * BATCHES * PACKET * 8 / (bench_now() - t) / 1e9;
		best = gbps > best ? gbps : best;
	}
	return best;
}

int main(void)
{
	static const size_t sizes[] = { 45, 128 }; /* one TSO super-packet; a full tx round */
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	struct job *jobs = calloc(128, sizeof(*jobs));

	if (!jobs)
		return 1;
	wg_os_random(key, sizeof(key));
	printf("## Sealing batches on several cores (bench/parallel, %ld CPUs, best of %d runs)\n\n", ncpu, RUNS);
	printf("| packets per batch | helpers | Gbit/s | speed-up |\n|---|---|---|---|\n");
	for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		double alone = 0;
		for (int h = 0; h < ncpu && h <= 7; h++) {
			struct wg_parallel *p = wg_parallel_new(h);
			if (!p)
				return 1;
			double g = measure(p, jobs, sizes[s]);
			if (h == 0)
				alone = g;
			printf("| %zu | %d | %.2f | %.2fx |\n", sizes[s], h, g, g / alone);
			wg_parallel_free(p);
		}
	}
	printf("\n");
	free(jobs);
	return 0;
}
