/* The traffic history (router/history.h): deltas of absolute counters, ring slots that
 * roll and zero the gaps, persistence across a reopen and a kill between the two
 * header copies, a damaged file set aside; and through the router: rx/tx since
 * creation, reset-counters and traffic-history rows from every door. */
#include "test.h"
#include "test_console_fixture.h"
#include <sys/mman.h>
#include <sys/stat.h>
#include "console/exec.h"
#include "router/history.h"

#define T0 1796400000ull /* 2026-12-04, a minute boundary */

static struct wg_hist_sample peer(uint32_t id, uint64_t rx, uint64_t tx)
{
	return (struct wg_hist_sample){ .kind = WG_HIST_PEER, .id = id, .parent = 1, .live = true, .rx = rx, .tx = tx };
}

static void sample(struct wg_hist *h, uint64_t now, uint64_t rx, uint64_t tx)
{
	struct wg_hist_sample s[2] = { { .kind = WG_HIST_IFACE, .id = 1 }, peer(7, rx, tx) };
	wg_hist_apply(h, now, s, 2);
}

static uint64_t total_rx(struct wg_hist *h, uint32_t kind, uint32_t id)
{
	uint64_t rx = 0, tx = 0;
	CHECK(wg_hist_totals(h, kind, id, false, 0, 0, &rx, &tx, NULL), "series %u/%u", kind, id);
	return rx;
}

static char *tmpdir(void)
{
	char *d = fx_tmpdir("hist");
	CHECK(d != NULL);
	return d;
}

static void rmdir_all(char *d)
{
	CHECK(fx_rmdir_all(d) == 0);
	free(d);
}

TEST(deltas_of_counters_add_up_and_a_counter_that_went_down_counts_from_zero)
{
	struct wg_hist *h = wg_hist_open(NULL, NULL, 0);
	sample(h, T0, 100, 10);
	sample(h, T0 + 10, 250, 20);
	CHECK_EQ(total_rx(h, WG_HIST_PEER, 7), 250);
	sample(h, T0 + 20, 40, 25); /* data plane restarted: 40 new bytes */
	CHECK_EQ(total_rx(h, WG_HIST_PEER, 7), 290);
	CHECK_EQ(total_rx(h, WG_HIST_IFACE, 1), 290);
	uint64_t rx, tx;
	CHECK(wg_hist_totals(h, WG_HIST_PEER, 7, true, 60, 30, &rx, &tx, NULL));
	CHECK_EQ(rx, 310);
	CHECK_EQ(tx, 30); /* 10, 20, 25 (no reset), live 30 */
	wg_hist_close(h);
}

TEST(minute_points_roll_and_a_gap_reads_as_zero)
{
	struct wg_hist *h = wg_hist_open(NULL, NULL, 0);
	sample(h, T0, 0, 0);
	sample(h, T0 + 30, 100, 0);      /* minute 0: 100 */
	sample(h, T0 + 70, 300, 0);      /* minute 1: 200 */
	sample(h, T0 + 5 * 60 + 1, 700, 0); /* minutes 2..4 nothing, minute 5: 400 */
	struct wg_hist_point *p;
	size_t n = wg_hist_points(h, WG_HIST_PEER, 7, WG_HIST_HOUR, T0 + 5 * 60 + 2, &p);
	CHECK_EQ(n, 6);
	if (n == 6) {
		CHECK_EQ(p[0].time, T0);
		CHECK_EQ(p[0].rx, 100);
		CHECK_EQ(p[1].rx, 200);
		CHECK_EQ(p[2].rx + p[3].rx + p[4].rx, 0);
		CHECK_EQ(p[5].rx, 400);
		CHECK_EQ(p[5].time, T0 + 300);
	}
	free(p);
	/* a day later the hour shows only the last 60 minutes, all zero */
	n = wg_hist_points(h, WG_HIST_PEER, 7, WG_HIST_HOUR, T0 + 86400, &p);
	CHECK_EQ(n, 60);
	uint64_t sum = 0;
	for (size_t i = 0; i < n; i++)
		sum += p[i].rx;
	CHECK_EQ(sum, 0);
	free(p);
	n = wg_hist_points(h, WG_HIST_PEER, 7, WG_HIST_MONTH, T0 + 86400, &p);
	sum = 0;
	for (size_t i = 0; i < n; i++)
		sum += p[i].rx;
	CHECK_EQ(sum, 700);
	CHECK_EQ(n, 25);
	free(p);
	uint64_t rx, tx;
	CHECK(wg_hist_usage(h, WG_HIST_PEER, 7, wg_hist_local_midnight(T0), T0 + 3600, true, 750, 0, &rx, &tx));
	CHECK_EQ(rx, 750); /* 700 stored, 50 since the last sample */
	CHECK(wg_hist_usage(h, WG_HIST_PEER, 7, wg_hist_local_midnight(T0 + 86400), T0 + 86400, false, 0, 0, &rx, &tx));
	CHECK_EQ(rx, 0);
	wg_hist_close(h);
}

TEST(totals_and_points_survive_a_reopen_and_removed_series_go)
{
	char *d = tmpdir();
	char *path = xasprintf("%s/history.bin", d);
	struct wg_hist *h = wg_hist_open(path, NULL, 0);
	sample(h, T0, 1000, 5);
	sample(h, T0 + 61, 3000, 5);
	wg_hist_close(h);
	struct stat st;
	CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600);
	h = wg_hist_open(path, NULL, 0);
	CHECK_EQ(total_rx(h, WG_HIST_PEER, 7), 3000);
	sample(h, T0 + 130, 500, 5); /* a new data plane after the restart */
	CHECK_EQ(total_rx(h, WG_HIST_PEER, 7), 3500);
	struct wg_hist_point *p;
	size_t n = wg_hist_points(h, WG_HIST_PEER, 7, WG_HIST_HOUR, T0 + 130, &p);
	CHECK_EQ(n, 3);
	if (n == 3)
		CHECK(p[0].rx == 1000 && p[1].rx == 2000 && p[2].rx == 500);
	free(p);
	struct wg_hist_sample only_iface = { .kind = WG_HIST_IFACE, .id = 1 };
	wg_hist_apply(h, T0 + 140, &only_iface, 1); /* peer 7 was removed */
	uint64_t rx, tx;
	CHECK(!wg_hist_totals(h, WG_HIST_PEER, 7, false, 0, 0, &rx, &tx, NULL));
	wg_hist_close(h);
	free(path);
	rmdir_all(d);
}

/* Series come and go in any id order (the index is kept sorted by insertion, free
 * records are reused from the lowest): every one is found with its own total. */
TEST(many_series_in_any_order_each_keep_their_own_total)
{
	enum { N = 600 };
	struct wg_hist *h = wg_hist_open(NULL, NULL, 0);
	struct wg_hist_sample s[N + 1];
	size_t n = 0;
	s[n++] = (struct wg_hist_sample){ .kind = WG_HIST_IFACE, .id = 1 };
	for (uint32_t k = 0; k < N; k++) {
		uint32_t id = (k * 7919u) % N + 10; /* a permutation of 10..N+9 */
		s[n++] = peer(id, 1000 + id, id);
	}
	wg_hist_apply(h, T0, s, n);
	/* every third peer removed, then back with other counters, and N new ones */
	size_t m = 0;
	struct wg_hist_sample t[2 * N + 1];
	t[m++] = s[0];
	for (size_t i = 1; i < n; i++)
		if (s[i].id % 3)
			t[m++] = s[i];
	wg_hist_apply(h, T0 + 10, t, m);
	for (uint32_t id = 10; id < N + 10; id++)
		if (!(id % 3)) {
			uint64_t rx, tx;
			CHECK(!wg_hist_totals(h, WG_HIST_PEER, id, false, 0, 0, &rx, &tx, NULL), "peer %u removed", id);
			t[m++] = peer(id, 7, 0);
		}
	for (uint32_t id = 5000 + N; id > 5000; id--)
		t[m++] = peer(id, id, 0);
	wg_hist_apply(h, T0 + 20, t, m);
	for (uint32_t id = 10; id < N + 10; id++)
		CHECK_EQ(total_rx(h, WG_HIST_PEER, id), id % 3 ? 1000 + id : 7);
	for (uint32_t id = 5001; id <= 5000 + N; id++)
		CHECK_EQ(total_rx(h, WG_HIST_PEER, id), id);
	wg_hist_close(h);
}

/* A kill after a sample wrote the idle header copy but before it flipped: the file, as
 * the kill left it, reads as the sample before. */
TEST(a_kill_before_the_header_flip_leaves_the_previous_sample)
{
	char *d = tmpdir();
	char *path = xasprintf("%s/history.bin", d);
	struct wg_hist *h = wg_hist_open(path, NULL, 0);
	sample(h, T0, 1000, 0);
	wg_hist_close(h);
	int fd = open(path, O_RDWR);
	struct stat st;
	fstat(fd, &st);
	unsigned char *m = mmap(NULL, (size_t)st.st_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	uint32_t *active = (uint32_t *)(m + 4096 + 8);
	uint64_t *idle_total_rx = (uint64_t *)(m + 4096 + 16 + (size_t)(!*active) * 104 + 8);
	*idle_total_rx = 999999; /* a half-written next sample in the idle copy */
	munmap(m, (size_t)st.st_size);
	close(fd);
	h = wg_hist_open(path, NULL, 0);
	CHECK_EQ(total_rx(h, WG_HIST_PEER, 7), 1000);
	wg_hist_close(h);
	free(path);
	rmdir_all(d);
}

TEST(a_damaged_file_is_set_aside_and_a_new_one_started)
{
	char *d = tmpdir();
	char *path = xasprintf("%s/history.bin", d);
	int fd = open(path, O_CREAT | O_WRONLY, 0600);
	CHECK(write(fd, "not a history file at all", 25) == 25);
	close(fd);
	char note[512];
	struct wg_hist *h = wg_hist_open(path, note, sizeof(note));
	CHECK(strstr(note, "history.bin.bad") != NULL, "note: %s", note);
	sample(h, T0, 5, 5);
	CHECK_EQ(total_rx(h, WG_HIST_PEER, 7), 5);
	wg_hist_close(h);
	char *bad = xasprintf("%s.bad", path);
	CHECK(access(bad, F_OK) == 0);
	free(bad);
	free(path);
	rmdir_all(d);
}

TEST(the_writer_thread_applies_posted_samples)
{
	struct wg_hist *h = wg_hist_open(NULL, NULL, 0);
	for (int i = 1; i <= 50; i++) {
		struct wg_hist_sample *s = xcalloc(2, sizeof(*s));
		s[0] = (struct wg_hist_sample){ .kind = WG_HIST_IFACE, .id = 1 };
		s[1] = peer(7, (uint64_t)i * 10, 0);
		wg_hist_post(h, T0 + (uint64_t)i, s, 2);
	}
	wg_hist_sync(h);
	CHECK_EQ(total_rx(h, WG_HIST_PEER, 7), 500);
	wg_hist_close(h);
}

/* ---- through the router ---- */

static void peer_counters(struct fx *f, uint64_t rx, uint64_t tx)
{
	fx_peer_counters(f, "Vj4OpREYtLUXwNYYhrZ2ZqZdFXUtAd1wsEzrVWhrg14=", rx, tx, f->wall_s);
}

static struct fx *router_with_peer(const char *dir)
{
	struct fx *f = fx_new_dir(dir);
	f->wall_s = T0;
	fx_run(f, "/interface/wireguard add name=wg1\n"
		  "/interface/wireguard/peers add name=alice interface=wg1 allowed-address=10.9.0.2/32 "
		  "public-key=\"Vj4OpREYtLUXwNYYhrZ2ZqZdFXUtAd1wsEzrVWhrg14=\"");
	return f;
}

TEST(peer_rx_tx_count_since_creation_across_a_restart_and_reset_counters_zeroes)
{
	char *d = tmpdir();
	struct fx *f = router_with_peer(d);
	peer_counters(f, 4000, 1000);
	wg_router_sample_now(f->r);
	fx_free(f);
	f = fx_new_dir(d); /* the data plane starts again from zero */
	f->wall_s = T0 + 20;
	peer_counters(f, 500, 100);
	const char *out = fx_run_out(f, "/interface/wireguard/peers print stats as-value");
	CHECK(strstr(out, "rx=4500") && strstr(out, "tx=1100"), "%s", out);
	fx_run(f, "/interface/wireguard/peers reset-counters alice");
	wg_router_sample_now(f->r);
	peer_counters(f, 800, 100);
	out = fx_run_out(f, "/interface/wireguard/peers print stats as-value");
	CHECK(strstr(out, "rx=300") && strstr(out, "tx=0"), "%s", out);
	out = fx_run_out(f, "/interface/wireguard/peers print stats");
	CHECK(strstr(out, "LAST-HANDSHAKE") != NULL, "%s", out);
	fx_free(f);
	rmdir_all(d);
}

TEST(traffic_history_answers_rows_through_exec_and_the_console)
{
	struct fx *f = router_with_peer(NULL);
	peer_counters(f, 0, 0);
	wg_router_sample_now(f->r);
	f->wall_s = T0 + 61;
	peer_counters(f, 1234, 55);
	wg_router_sample_now(f->r);
	struct wg_attr a[] = { { "number", "alice" }, { "period", "hour" } };
	struct wg_request q = { "/interface/wireguard/peers", "traffic-history", a, 2 };
	struct wg_result r;
	CHECK_EQ(wg_session_exec(f->s, &q, &r), 0);
	CHECK(r.has_rows);
	CHECK_EQ(r.nrows, 2);
	if (r.nrows == 2) {
		CHECK(!strcmp(wg_row_get(&r.rows[1], "rx-bytes"), "1234"));
		CHECK(!strcmp(wg_row_get(&r.rows[1], "tx-bytes"), "55"));
		const char *t = wg_row_get(&r.rows[0], "time");
		CHECK(t && strlen(t) == 19 && t[4] == '-' && t[10] == ' ', "%s", t ? t : "");
	}
	wg_result_free(&r);
	struct wg_attr b[] = { { "number", "wg1" }, { "period", "day" } };
	struct wg_request qi = { "/interface/wireguard", "traffic-history", b, 2 };
	CHECK_EQ(wg_session_exec(f->s, &qi, &r), 0);
	CHECK(r.nrows == 2 && !strcmp(wg_row_get(&r.rows[1], "rx-bytes"), "1234"));
	wg_result_free(&r);
	struct wg_attr bad[] = { { "number", "alice" }, { "period", "week" } };
	struct wg_request qb = { "/interface/wireguard/peers", "traffic-history", bad, 2 };
	CHECK(wg_session_exec(f->s, &qb, &r) < 0 && r.error && strstr(r.error, "period"));
	wg_result_free(&r);
	const char *out = fx_run_out(f, "/interface/wireguard/peers traffic-history number=alice period=hour");
	CHECK(strstr(out, "RX-BYTES") && strstr(out, "1234"), "%s", out);
	fx_free(f);
}
