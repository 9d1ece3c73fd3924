/* Anti-replay window. Expectations follow from the rule, not from the code: a counter is
 * fresh iff it is below WG_REJECT_AFTER_MESSAGES, not seen before, and at most
 * WG_REPLAY_WINDOW (8128) behind the greatest counter accepted so far (including itself).
 * Table 1 is the Linux kernel's selftest sequence; the later tables are runs of counters
 * that cross word and ring boundaries in both directions. */
#include "test.h"
#include "core/replay.h"

#define W   ((uint64_t)WG_REPLAY_WINDOW)
#define LIM (W + 1)
#define RAM WG_REJECT_AFTER_MESSAGES

struct one { uint64_t counter; bool fresh; };

/* Applied in order to one window. */
static const struct one table1[] = {
	/*  1 */ { 0, true },
	/*  2 */ { 1, true },
	/*  3 */ { 1, false },              /* duplicate */
	/*  4 */ { 9, true },
	/*  5 */ { 8, true },               /* out of order, inside the window */
	/*  6 */ { 7, true },
	/*  7 */ { 7, false },
	/*  8 */ { LIM, true },
	/*  9 */ { LIM - 1, true },
	/* 10 */ { LIM - 1, false },
	/* 11 */ { LIM - 2, true },
	/* 12 */ { 2, true },               /* exactly W behind LIM */
	/* 13 */ { 2, false },
	/* 14 */ { LIM + 16, true },
	/* 15 */ { 3, false },              /* W + 14 behind: too old */
	/* 16 */ { LIM + 16, false },
	/* 17 */ { LIM * 4, true },         /* far ahead: skipped words cleared */
	/* 18 */ { LIM * 4 - (LIM - 1), true }, /* exactly W behind */
	/* 19 */ { 10, false },
	/* 20 */ { LIM * 4 - LIM, false },  /* W + 1 behind */
	/* 21 */ { LIM * 4 - (LIM + 1), false },
	/* 22 */ { LIM * 4 - (LIM - 2), true },
	/* 23 */ { LIM * 4 + 1 - LIM, false }, /* same as 18: duplicate */
	/* 24 */ { 0, false },
	/* 25 */ { RAM, false },            /* limit itself is never valid */
	/* 26 */ { RAM - 1, true },
	/* 27 */ { RAM, false },
	/* 28 */ { RAM - 1, false },
	/* 29 */ { RAM - 2, true },
	/* 30 */ { RAM + 1, false },
	/* 31 */ { RAM + 2, false },
	/* 32 */ { RAM - 2, false },
	/* 33 */ { RAM - 3, true },
	/* 34 */ { 0, false },
	/* 35 */ { UINT64_MAX, false },
	/* 36 */ { RAM - 1 - W, true },     /* exactly W behind RAM - 1 */
	/* 37 */ { RAM - 2 - W, false },
};

TEST(replay_kernel_table)
{
	struct wg_replay r;
	wg_replay_init(&r);
	for (size_t i = 0; i < sizeof(table1) / sizeof(table1[0]); i++) {
		bool got = wg_replay_check(&r, table1[i].counter);
		CHECK(got == table1[i].fresh, "case %zu: counter %llu: got %d, want %d", i + 1,
		      (unsigned long long)table1[i].counter, got, table1[i].fresh);
	}
}

/* Every counter from `from` to `to` inclusive (downwards if from > to) must give `fresh`. */
struct run { uint64_t from, to; bool fresh; };
struct sequence { const char *name; size_t nruns; struct run runs[8]; };
#define RUNS(...) sizeof((struct run[]){ __VA_ARGS__ }) / sizeof(struct run), { __VA_ARGS__ }

static const struct sequence sequences[] = {
	/* 1 */ { "ascending, then 0 at exactly W back",
		  RUNS({ 1, W, true }, { 0, 0, true }, { 0, 0, false }) },
	/* 2 */ { "ascending from 2, 1 at W back, 0 one more",
		  RUNS({ 2, W + 1, true }, { 1, 1, true }, { 0, 0, false }) },
	/* 3 */ { "descending W..0",
		  RUNS({ W, 0, true }) },
	/* 4 */ { "descending W+1..1, then 0 too old",
		  RUNS({ W + 1, 1, true }, { 0, 0, false }) },
	/* 5 */ { "descending, then one ahead pushes 0 out",
		  RUNS({ W, 1, true }, { W + 1, W + 1, true }, { 0, 0, false }) },
	/* 6 */ { "descending to 0, then one ahead",
		  RUNS({ W, 1, true }, { 0, 0, true }, { W + 1, W + 1, true }) },
	/* 7 */ { "word boundaries 62..66 and back",
		  RUNS({ 62, 66, true }, { 66, 62, false }, { 61, 0, true }, { 0, 66, false }) },
	/* 8 */ { "one full ring later: same bit, must have been cleared",
		  RUNS({ 50, 50, true }, { 50 + 8192, 50 + 8192, true }, { 50 + 8192, 50 + 8192, false },
		    { 50, 50, false }, { 50 + 8192 - W, 49 + 8192, true }) },
	/* 9 */ { "jump of 10 words clears exactly the skipped ones",
		  RUNS({ 0, 8191, true }, { 8831, 8831, true }, { 8192, 8830, true },
		    { 703, 703, false }, { 704, 704, false }, { 702, 702, false },
		    { 8831, 8831, false }, { 8832, 8832, true }) },
	/* 10 */ { "first counter at the limit, then just below",
		  RUNS({ RAM, RAM, false }, { RAM - 1, RAM - 1, true },
		    { RAM - 1 - W, RAM - 1 - W, true }, { RAM - 2 - W, RAM - 2 - W, false }) },
	/* 11 */ { "far jumps keep clearing",
		  RUNS({ 5, 5, true }, { 1000000, 1000000, true }, { 5, 5, false },
		    { 1000005, 1000005, true }, { 1000000 - W, 1000000 - W, false },
		    { 1000005 - W, 1000005 - W, true }, { 1000004 - W, 1000004 - W, false }) },
};

static bool apply(struct wg_replay *r, size_t seq, size_t k, const struct run *run)
{
	bool down = run->from > run->to;
	for (uint64_t c = run->from;; c = down ? c - 1 : c + 1) {
		bool got = wg_replay_check(r, c);
		if (got != run->fresh) {
			CHECK(got == run->fresh, "sequence %zu (%s) run %zu: counter %llu: got %d, want %d",
			      seq + 1, sequences[seq].name, k + 1, (unsigned long long)c, got, run->fresh);
			return false;
		}
		if (c == run->to)
			return true;
	}
}

TEST(replay_sequences)
{
	for (size_t s = 0; s < sizeof(sequences) / sizeof(sequences[0]); s++) {
		struct wg_replay r;
		wg_replay_init(&r);
		for (size_t k = 0; k < sequences[s].nruns; k++)
			if (!apply(&r, s, k, &sequences[s].runs[k]))
				break;
	}
}

/* Init must forget everything, including a window far from 0. */
TEST(replay_init_resets)
{
	struct wg_replay r;
	wg_replay_init(&r);
	CHECK(wg_replay_check(&r, 100000));
	CHECK(!wg_replay_check(&r, 0));
	wg_replay_init(&r);
	CHECK(wg_replay_check(&r, 0));
	CHECK(wg_replay_check(&r, 100000));
}
