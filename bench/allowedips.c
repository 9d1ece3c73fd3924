/* Allowed-IPs table at scale: 1,000,000 random prefixes (half IPv4 /16../32, half IPv6
 * /32../128) spread over 10,000 owners. Prints the insert rate, the heap the table
 * takes (glibc's count of bytes in use, so malloc's per-chunk overhead is included),
 * lookup rates one by one and batched, for random addresses, for addresses inside
 * stored prefixes and for a few hot destinations, and the rate of removing owners.
 * Then the same lookups on smaller tables, where the paths fit in the caches.
 *
 * Usage: allowedips [prefixes]   (default 1000000) */
#include "bench_clock.h"
#include "core/allowedips.h"
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

enum { OWNERS = 10000, LOOKUPS = 4000000, BATCH = 64, HOT = 1024 };

struct addr { uint8_t b[16]; int family; };

struct set {
	struct addr *pfx;
	uint8_t *cidr;
	size_t n;
};

static uint64_t rng = 0x853c49e6748fea9bULL;

static uint64_t rnd(void)
{
	/* xorshift64* */
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545F4914F6CDD1DULL;
}

static void random_addr(struct addr *a)
{
	uint64_t r[2] = { rnd(), rnd() };
	memset(a->b, 0, 16);
	a->family = rnd() & 1 ? AF_INET6 : AF_INET;
	memcpy(a->b, r, a->family == AF_INET ? 4 : 16);
}

/* Short prefixes among long ones, so that they nest. */
static void random_prefixes(struct set *s, size_t n)
{
	s->n = n;
	s->pfx = malloc(n * sizeof(*s->pfx));
	s->cidr = malloc(n);
	if (!s->pfx || !s->cidr)
		exit(1);
	for (size_t i = 0; i < n; i++) {
		random_addr(&s->pfx[i]);
		s->cidr[i] = (uint8_t)(s->pfx[i].family == AF_INET ? 16 + rnd() % 17 : 32 + rnd() % 97);
	}
}

/* An address inside prefix j: its bits past the prefix made random. */
static void inside(struct addr *out, const struct set *s, size_t j)
{
	struct addr r;
	unsigned bits = s->pfx[j].family == AF_INET ? 32 : 128;
	random_addr(&r);
	*out = s->pfx[j];
	for (unsigned i = s->cidr[j]; i < bits; i++) {
		uint8_t m = (uint8_t)(0x80 >> (i % 8));
		out->b[i / 8] = (uint8_t)((out->b[i / 8] & ~m) | (r.b[i / 8] & m));
	}
}

static double insert_all(struct wg_allowedips *t, const struct set *s,
			 struct wg_aip_owner *owners)
{
	double t0 = bench_now();
	for (size_t i = 0; i < s->n; i++)
		if (wg_allowedips_insert(t, s->pfx[i].family, s->pfx[i].b, s->cidr[i],
					 &owners[i % OWNERS]))
			exit(1);
	return s->n / (bench_now() - t0);
}

static double one_by_one(struct wg_allowedips *t, const struct addr *a, size_t n, size_t *hits)
{
	double t0 = bench_now();
	size_t h = 0;
	for (size_t i = 0; i < n; i++)
		h += wg_allowedips_lookup(t, a[i].family, a[i].b) != NULL;
	*hits = h;
	return n / (bench_now() - t0);
}

/* BATCH addresses per call, like a data plane handing over a batch of packets. */
static double batched(struct wg_allowedips *t, const struct addr *a, size_t n, size_t *hits)
{
	struct wg_aip_query q[BATCH];
	double t0 = bench_now();
	size_t h = 0;
	for (size_t i = 0; i < n; i += BATCH) {
		size_t m = n - i < BATCH ? n - i : BATCH;
		for (size_t j = 0; j < m; j++)
			q[j] = (struct wg_aip_query){ a[i + j].family, a[i + j].b, NULL };
		wg_allowedips_lookup_many(t, q, m);
		for (size_t j = 0; j < m; j++)
			h += q[j].owner != NULL;
	}
	*hits = h;
	return n / (bench_now() - t0);
}

static void lookups(struct wg_allowedips *t, const struct addr *a, size_t n, const char *what)
{
	size_t h1, h2;
	double one = one_by_one(t, a, n, &h1), many = batched(t, a, n, &h2);
	printf("  lookup %-7s %6.2f M/s one by one, %6.2f M/s batched by %d (%.0f%% matched)%s\n",
	       what, one / 1e6, many / 1e6, BATCH, 100.0 * h1 / n,
	       h1 == h2 ? "" : "  MISMATCH");
}

static void random_lookups(struct addr *look)
{
	for (size_t i = 0; i < LOOKUPS; i++)
		random_addr(&look[i]);
}

static void inside_lookups(struct addr *look, const struct set *s)
{
	for (size_t i = 0; i < LOOKUPS; i++)
		inside(&look[i], s, rnd() % s->n);
}

/* Real traffic goes to few destinations at a time, whose paths stay cached. */
static void hot_lookups(struct addr *look, const struct set *s)
{
	for (size_t i = 0; i < LOOKUPS; i++)
		if (i < HOT)
			inside(&look[i], s, rnd() % s->n);
		else
			look[i] = look[i % HOT];
}

static void full_report(size_t n, struct wg_aip_owner *owners, struct addr *look)
{
	struct set s;
	random_prefixes(&s, n);
	/* Printed first: stdout's buffer is allocated on first use and must not count. */
	printf("allowedips: %zu random prefixes, %d owners\n", n, OWNERS);
	fflush(stdout);
	size_t heap0 = bench_heap_used(), entries = 0;
	struct wg_allowedips *t = wg_allowedips_new();
	double ins = insert_all(t, &s, owners);
	size_t bytes = bench_heap_used() - heap0;
	for (int i = 0; i < OWNERS; i++)
		entries += owners[i].count;   /* random duplicates moved: count what is stored */

	printf("  insert         %6.2f M/s\n", ins / 1e6);
	printf("  memory         %6.1f MiB for %zu distinct prefixes, %.1f bytes each "
	       "(heap incl. malloc overhead)\n", bytes / 1048576.0, entries, (double)bytes / entries);
	random_lookups(look);
	lookups(t, look, LOOKUPS, "random");
	inside_lookups(look, &s);
	lookups(t, look, LOOKUPS, "inside");
	hot_lookups(look, &s);
	lookups(t, look, LOOKUPS, "hot");

	double t0 = bench_now();
	for (int i = 0; i < OWNERS; i++)
		wg_allowedips_remove_owner(t, &owners[i]);
	printf("  remove_owner   %6.2f M prefixes/s\n", entries / (bench_now() - t0) / 1e6);
	wg_allowedips_free(t);
	/* Should be 0, give or take the few chunks malloc's thread cache holds on to. */
	printf("  heap left      %zd bytes after free\n", (ssize_t)(bench_heap_used() - heap0));
	free(s.pfx);
	free(s.cidr);
}

static void small_table(size_t n, struct wg_aip_owner *owners, struct addr *look)
{
	struct set s;
	size_t h;
	random_prefixes(&s, n);
	struct wg_allowedips *t = wg_allowedips_new();
	insert_all(t, &s, owners);
	inside_lookups(look, &s);
	double one = one_by_one(t, look, LOOKUPS, &h), many = batched(t, look, LOOKUPS, &h);
	printf("  %8zu prefixes: inside %6.2f M/s one by one, %6.2f M/s batched\n", n,
	       one / 1e6, many / 1e6);
	wg_allowedips_free(t);
	free(s.pfx);
	free(s.cidr);
}

int main(int argc, char **argv)
{
	size_t n = argc > 1 ? strtoul(argv[1], NULL, 10) : 1000000;
	struct wg_aip_owner *owners = calloc(OWNERS, sizeof(*owners));
	struct addr *look = malloc(LOOKUPS * sizeof(*look));
	if (!owners || !look || !n)
		return 1;
	for (int i = 0; i < OWNERS; i++)
		wg_aip_owner_init(&owners[i]);
	full_report(n, owners, look);
	printf("smaller tables:\n");
	for (size_t m = 1000; m < n; m *= 10)
		small_table(m, owners, look);
	free(owners);
	free(look);
	return 0;
}
