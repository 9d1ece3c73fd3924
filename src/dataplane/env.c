/* The real world as the core sees it: Linux clocks, the kernel's CSPRNG, and a log
 * line formatted like wireguard-go's. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "dataplane/dp_internal.h"
#include "platform/parallel.h"

static uint64_t clock_ns(clockid_t id)
{
	struct timespec ts;
	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* CLOCK_BOOTTIME keeps counting across suspend, so sessions expire as they should. */
static uint64_t mono(void *ctx) { return clock_ns(CLOCK_BOOTTIME); }
static uint64_t wall(void *ctx) { return clock_ns(CLOCK_REALTIME); }
static void rnd(void *ctx, void *buf, size_t len) { wg_os_random(buf, len); }

static void core_log(void *ctx, enum wg_log_level level, struct wg_peer *peer, const char *topic, const char *msg)
{
	struct wg_dataplane *dp = ctx;
	uint8_t pub[WG_KEY_LEN];
	if (peer)
		wg_peer_public_key(peer, pub);
	wg_dp_log(dp, level, peer ? pub : NULL, topic, "%s", msg);
}

void wg_dp_env(struct wg_dataplane *dp, struct wg_env *env)
{
	*env = (struct wg_env){ .ctx = dp, .mono_ns = mono, .wall_ns = wall, .random = rnd, .log = core_log };
}

uint64_t wg_dp_now(void) { return mono(NULL); }

void wg_dp_log(struct wg_dataplane *dp, enum wg_log_level level, const uint8_t *peer_pub,
	       const char *topic, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	if (level > dp->opts.log_level)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (dp->opts.log) {
		dp->opts.log(dp->opts.log_ctx, level, peer_pub, topic, msg);
		return;
	}
	char when[32], who[64] = "";
	time_t t = time(NULL);
	struct tm tm;
	strftime(when, sizeof(when), "%Y/%m/%d %H:%M:%S", localtime_r(&t, &tm));
	if (peer_pub) {
		char b64[WG_KEY_B64_LEN + 1];
		wg_key_to_base64(b64, peer_pub);
		snprintf(who, sizeof(who), "peer(%.4s…%.4s) - ", b64, b64 + 39);
	}
	fprintf(stderr, "%s: (%s) %s %s%s\n", level == WG_LOG_ERROR ? "ERROR" : "DEBUG",
		dp->ifname, when, who, msg);
}

int dp_crypto_helpers(int queues)
{
	const char *s = getenv("WGROUTER_CRYPTO_HELPERS");
	char *end;

	if (s && *s) {
		long n = strtol(s, &end, 10);
		if (!*end && n >= 0)
			return n > 64 ? 64 : (int)n;
	}
	return wg_parallel_default_helpers() / queues; /* the queues share the spare cores */
}
