/* Expiry, quotas and rate limits of peers (router/quota.c, router/rates.c) over the
 * recording backend, with the router's wall clock moved by the test. */
#include "test.h"
#include "test_console_fixture.h"
#include "router/units.h"
#include "sys/nft_rates.h"

#define PUB "Vj4OpREYtLUXwNYYhrZ2ZqZdFXUtAd1wsEzrVWhrg14="

static uint64_t at(const char *when)
{
	uint64_t t = 0;
	CHECK(wg_datetime_parse(when, &t), "%s", when);
	return t;
}

/* The data plane reports the peer with these counters (UAPI get). */
static void counters(struct fx *f, uint64_t rx, uint64_t tx)
{
	fx_peer_counters(f, PUB, rx, tx, 0);
}

static struct fx *router(const char *peer_args)
{
	struct fx *f = fx_new();
	f->wall_s = at("2026-12-04 18:00:00");
	char *cmd = xasprintf("/interface/wireguard add name=wg1\n"
			      "/interface/wireguard/peers add name=alice interface=wg1 allowed-address=10.9.0.2/32,fd00::2/128 "
			      "public-key=\"" PUB "\" %s", peer_args);
	CHECK(fx_run(f, cmd) == 0, "%s", fx_err(f));
	free(cmd);
	counters(f, 0, 0);
	wg_router_sample_now(f->r); /* the series exist (a tick only posts the sample) */
	return f;
}

static bool disabled(struct fx *f)
{
	return strstr(fx_run_out(f, ":put [/interface/wireguard/peers get alice disabled]"), "yes") != NULL;
}

static const char *get(struct fx *f, const char *prop)
{
	char *cmd = xasprintf(":put [/interface/wireguard/peers get alice %s]", prop);
	const char *out = fx_run_out(f, cmd);
	free(cmd);
	return out;
}

TEST(an_expired_peer_is_disabled_at_its_time_and_logged)
{
	struct fx *f = router("expires=\"2026-12-04 18:00:30\"");
	f->wall_s += 29;
	wg_router_tick(f->r);
	CHECK(!disabled(f), "disabled a second early");
	f->wall_s += 1;
	wg_router_tick(f->r);
	CHECK(disabled(f), "not disabled at its time");
	CHECK(strstr(fx_run_out(f, "/log print"), "peer alice expired at 2026-12-04 18:00:30") != NULL, "%s", fx_last(f));
	CHECK(strstr(sb_str(&f->calls), "remove=true") != NULL, "the data plane lost the peer: %s", sb_str(&f->calls));
	fx_free(f);
}

TEST(a_crossed_daily_quota_disables_until_midnight_then_enables)
{
	struct fx *f = router("quota-total=1k quota-period=day");
	counters(f, 600, 300);
	wg_router_tick(f->r);
	CHECK(!disabled(f), "900 bytes of 1024");
	counters(f, 700, 330);
	wg_router_tick(f->r);
	CHECK(disabled(f), "1030 bytes of 1024");
	CHECK(strstr(get(f, "quota-exceeded"), "2026-12-05 00:00:00") != NULL, "%s", fx_last(f));
	CHECK(strstr(fx_run_out(f, "/log print"), "quota-total 1k reached") != NULL, "%s", fx_last(f));
	f->wall_s = at("2026-12-04 23:59:59");
	wg_router_tick(f->r);
	CHECK(disabled(f), "enabled before the day ended");
	f->wall_s = at("2026-12-05 00:00:00");
	wg_router_tick(f->r);
	CHECK(!disabled(f), "not enabled when the day ended");
	CHECK(strlen(get(f, "quota-exceeded")) <= 1, "%s", fx_last(f));
	fx_free(f);
}

TEST(quota_rx_counts_only_received_bytes_and_quota_used_shows)
{
	struct fx *f = router("quota-rx=2k quota-period=month");
	counters(f, 1000, 100000);
	wg_router_tick(f->r);
	CHECK(!disabled(f), "tx counted against quota-rx");
	CHECK(strstr(get(f, "quota-used"), "101000") != NULL, "%s", fx_last(f));
	counters(f, 2048, 100000);
	wg_router_tick(f->r);
	CHECK(disabled(f));
	CHECK(strstr(get(f, "quota-exceeded"), "2027-01-01 00:00:00") != NULL, "%s", fx_last(f));
	fx_free(f);
}

TEST(max_rate_and_quota_rate_reach_the_kernel_limits)
{
	struct fx *f = router("max-rate=10M/5M quota-total=1k quota-action=rate-limit quota-rate=1M quota-period=week");
	CHECK(strstr(sb_str(&f->calls), "rates n=1 wg1:*1:10000000/5000000:10.9.0.2/32,fd00::2/128") != NULL, "%s",
	      sb_str(&f->calls));
	sb_reset(&f->calls);
	counters(f, 2000, 0);
	wg_router_tick(f->r);
	CHECK(!disabled(f), "rate-limit disabled the peer");
	CHECK(strstr(sb_str(&f->calls), "rates n=1 wg1:*1:1000000/1000000:") != NULL, "%s", sb_str(&f->calls));
	CHECK(strstr(get(f, "quota-exceeded"), "2026-12-07 00:00:00") != NULL, "week ends on Monday: %s", fx_last(f));
	sb_reset(&f->calls);
	fx_run(f, "/interface/wireguard/peers set alice disabled=yes");
	CHECK(strstr(sb_str(&f->calls), "rates n=0") != NULL, "%s", sb_str(&f->calls));
	char *exp = fx_export(f, NULL);
	CHECK(strstr(exp, "max-rate=10M/5M") && strstr(exp, "quota-rate=1M/1M") && !strstr(exp, "quota-exceeded"), "%s", exp);
	free(exp);
	fx_free(f);
}

TEST(bad_values_are_refused_and_change_nothing)
{
	struct fx *f = router("");
	static const char *const bad[][2] = {
		{ "max-rate=fast", "invalid value for argument max-rate" },
		{ "max-rate=10M/", "invalid value for argument max-rate" },
		{ "quota-total=-5", "invalid value for argument quota-total" },
		{ "quota-total=99999999999T", "invalid value for argument quota-total" },
		{ "expires=\"2026-02-30 10:00:00\"", "invalid value for argument expires" },
		{ "quota-period=year", "invalid value for argument quota-period" },
		{ "quota-action=rate-limit", "missing value(s) of argument(s) quota-rate" },
		{ "quota-exceeded=yes", "" },
	};
	char *before = fx_export(f, NULL);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *cmd = xasprintf("/interface/wireguard/peers set alice %s", bad[i][0]);
		CHECK(fx_run(f, cmd) < 0, "%s accepted", bad[i][0]);
		CHECK(strstr(fx_err(f), bad[i][1]) != NULL, "%s: %s", bad[i][0], fx_err(f));
		free(cmd);
	}
	char *after = fx_export(f, NULL);
	CHECK(!strcmp(before, after));
	free(before);
	free(after);
	fx_free(f);
}

TEST(units_of_sizes_rates_and_dates_read_back_as_written)
{
	char b[32];
	uint64_t v, w;
	CHECK(wg_size_parse("10G", &v) && v == 10ull << 30);
	CHECK(!strcmp(wg_size_format(1536ull << 20, b, sizeof(b)), "1536M"));
	CHECK(!strcmp(wg_size_format(1000, b, sizeof(b)), "1000"));
	CHECK(wg_rate_pair_parse("512k/2M", &v, &w) && v == 512000 && w == 2000000);
	CHECK(!wg_rate_parse("0", &v), "a rate of zero");
	CHECK(wg_datetime_parse("2026-12-31T23:59", &v));
	CHECK(!strcmp(wg_datetime_format(v, b, sizeof(b)), "2026-12-31 23:59:00"));
	CHECK(!wg_datetime_parse("2026-12-31 23:59:00x", &v));
}

TEST(the_rates_script_shares_one_limit_per_direction_across_families)
{
	const char *pfx[] = { "10.9.0.2/32", "fd00::2/128" };
	struct wg_rate_peer p = { 3, "wg1", pfx, 2, 8000000, 0 };
	char *s = wg_nft_rates_script(&p, 1);
	CHECK(strstr(s, "limit p3_rx { rate over 1000000 bytes/second") != NULL, "%s", s);
	CHECK(!strstr(s, "p3_tx"), "an unlimited direction got a limit: %s", s);
	CHECK(strstr(s, "iifname \"wg1\" ip saddr { 10.9.0.2/32 } limit name \"p3_rx\" drop") != NULL, "%s", s);
	CHECK(strstr(s, "iifname \"wg1\" ip6 saddr { fd00::2/128 } limit name \"p3_rx\" drop") != NULL, "%s", s);
	free(s);
	s = wg_nft_rates_script(NULL, 0);
	CHECK(!strstr(s, "table inet wgrouter_rates {"), "no peers: the table goes: %s", s);
	free(s);
}
