/* What waking a sleeping thread costs on this machine: the floor under any userspace
 * tunnel's latency. A ping through two userspace WireGuard endpoints wakes at least
 * four sleeping threads (the sender's tunnel reader, the far end's socket reader, its
 * tunnel reader for the reply, the near end's socket reader), then ping itself. Plain
 * veth wakes nobody: the echo reply is made in the sender's own system call.
 *
 * Two threads bounce a byte over a pair of pipes after an idle pause (as between pings),
 * pinned to the same CPU, to different CPUs, or left to the scheduler. A round trip
 * is two wake-ups. Prints a markdown table of medians. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "bench_clock.h"
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

enum { ROUNDS = 400, IDLE_US = 1000 };

struct pair {
	int ping[2], pong[2];
	int cpu; /* of the echoing thread; -1: anywhere */
};

static void pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	if (cpu < 0)
		for (int i = 0; i < CPU_SETSIZE; i++)
			CPU_SET(i, &set);
	else
		CPU_SET(cpu, &set);
	pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
}

static void *echo(void *arg)
{
	struct pair *p = arg;
	char c;

	pin(p->cpu);
	while (read(p->ping[0], &c, 1) == 1 && write(p->pong[1], &c, 1) == 1)
		;
	return NULL;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Median round trip in microseconds, or -1 if the threads could not be set up. */
static double measure(int cpu_a, int cpu_b)
{
	struct pair p = { .cpu = cpu_b };
	static double rtt[ROUNDS];
	pthread_t t;
	char c = 'x';

	if (pipe(p.ping) || pipe(p.pong) || pthread_create(&t, NULL, echo, &p))
		return -1;
	pin(cpu_a);
	for (int i = 0; i < ROUNDS; i++) {
		usleep(IDLE_US);
		double t0 = (bench_now() * 1e6);
		if (write(p.ping[1], &c, 1) != 1 || read(p.pong[0], &c, 1) != 1)
			return -1;
		rtt[i] = (bench_now() * 1e6) - t0;
	}
	close(p.ping[1]); /* the echo thread reads EOF and ends */
	pthread_join(t, NULL);
	close(p.ping[0]);
	close(p.pong[0]);
	close(p.pong[1]);
	pin(-1);
	qsort(rtt, ROUNDS, sizeof(rtt[0]), cmp);
	return rtt[ROUNDS / 2];
}

static void row(const char *what, double rtt)
{
	if (rtt < 0)
		printf("| %-44s | %15s | %16s |\n", what, "failed", "");
	else
		printf("| %-44s | %15.1f | %16.1f |\n", what, rtt, rtt / 2);
}

int main(void)
{
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);

	printf("## Waking a sleeping thread (bench/wake, median of %d, %d us idle before each)\n\n",
	       ROUNDS, IDLE_US);
	printf("| %-44s | %15s | %16s |\n", "threads", "round trip (us)", "per wake-up (us)");
	printf("|----------------------------------------------|-----------------|------------------|\n");
	row("both on CPU 0", measure(0, 0));
	if (ncpu > 1)
		row("on CPU 0 and CPU 1", measure(0, 1));
	row("placed by the scheduler", measure(-1, -1));
	printf("\nA ping through two userspace endpoints needs at least four such wake-ups in a row;\n"
	       "each one the scheduler sends to an idle CPU costs the cross-CPU figure.\n\n");
	return 0;
}
