/* Traffic history of PEERS peers (default 1,000) on one interface: what it costs on
 * disk after a year, and what keeping it costs the CPU.
 *   disk: a year of samples into DIR/history.bin (one per hour for 365 days, then one
 *         per 10 s for the last day so every ring is full), then its size and the blocks
 *         it really takes;
 *   cpu:  one sample as the daemon takes it every 10 s: parse the data plane's UAPI get
 *         reply of PEERS peers, decode each peer's key and find it (what the router's
 *         peer status does), then apply the sample to the history (the writer thread's
 *         part), timed over many samples; as a share of one core at one sample per 10 s.
 * Usage: history [PEERS] [DIR]   (DIR default: a temporary directory, removed after) */
#include "bench_clock.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "crypto/crypto.h"
#include "router/history.h"
#include "uapi/uapi_reply.h"
#include "util/sbuf.h"

#define T0 1796400000ull

static struct wg_hist_sample *make_sample(size_t peers, uint64_t step)
{
	struct wg_hist_sample *s = calloc(peers + 1, sizeof(*s));
	s[0] = (struct wg_hist_sample){ .kind = WG_HIST_IFACE, .id = 1 };
	for (size_t i = 0; i < peers; i++)
		s[i + 1] = (struct wg_hist_sample){ .kind = WG_HIST_PEER, .id = (uint32_t)i + 1, .parent = 1, .live = true,
						    .rx = step * (1000 + i), .tx = step * (500 + i), .handshake = T0 };
	return s;
}

static void year(size_t peers, const char *dir)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/history.bin", dir);
	unlink(path);
	struct wg_hist *h = wg_hist_open(path, NULL, 0);
	uint64_t step = 0, t = T0;
	double t0 = bench_now();
	for (; t < T0 + 365 * 86400ull; t += 3600) {
		struct wg_hist_sample *s = make_sample(peers, ++step);
		wg_hist_apply(h, t, s, peers + 1);
		free(s);
	}
	for (uint64_t end = t + 86400; t < end; t += 10) {
		struct wg_hist_sample *s = make_sample(peers, ++step);
		wg_hist_apply(h, t, s, peers + 1);
		free(s);
	}
	double secs = bench_now() - t0;
	wg_hist_close(h);
	struct stat st;
	stat(path, &st);
	printf("| %zu peers, a year of samples (%llu) | file %.1f MB, on disk %.1f MB | %.1f s to write them |\n", peers,
	       (unsigned long long)step, st.st_size / 1e6, st.st_blocks * 512 / 1e6, secs);
}

static char *get_reply(size_t peers, uint8_t (*keys)[WG_KEY_LEN], uint64_t step)
{
	struct sbuf b;
	sb_init(&b);
	sb_add(&b, "private_key=0000000000000000000000000000000000000000000000000000000000000000\nlisten_port=51820\n");
	for (size_t i = 0; i < peers; i++) {
		sb_add(&b, "public_key=");
		for (int k = 0; k < WG_KEY_LEN; k++)
			sb_printf(&b, "%02x", keys[i][k]);
		sb_printf(&b, "\nendpoint=192.0.2.%zu:51820\nlast_handshake_time_sec=%llu\nlast_handshake_time_nsec=0\n"
			      "rx_bytes=%llu\ntx_bytes=%llu\npersistent_keepalive_interval=25\nallowed_ip=10.%zu.%zu.0/24\n",
			  i % 250 + 1, (unsigned long long)T0, (unsigned long long)(step * 1000), (unsigned long long)(step * 500),
			  i / 256, i % 256);
	}
	sb_add(&b, "errno=0\n\n");
	return sb_take(&b);
}

static void cpu(size_t peers)
{
	enum { SAMPLES = 200 };
	uint8_t (*keys)[WG_KEY_LEN] = calloc(peers, WG_KEY_LEN);
	char (*b64)[WG_KEY_B64_LEN + 1] = calloc(peers, WG_KEY_B64_LEN + 1);
	for (size_t i = 0; i < peers; i++) {
		wg_os_random(keys[i], WG_KEY_LEN);
		wg_key_to_base64(b64[i], keys[i]);
	}
	struct wg_hist *h = wg_hist_open(NULL, NULL, 0);
	double read = 0, apply = 0;
	for (uint64_t n = 1; n <= SAMPLES; n++) {
		char *reply = get_reply(peers, keys, n);
		struct wg_hist_sample *s = make_sample(peers, n);
		double a = bench_now();
		struct uapi_reply_peers p;
		uapi_reply_peers_parse(&p, reply);
		for (size_t i = 0; i < peers; i++) {
			uint8_t k[WG_KEY_LEN];
			wg_key_from_base64(k, b64[i]);
			const struct uapi_peer_state *ps = uapi_reply_peers_find(&p, k);
			if (ps)
				s[i + 1].rx = ps->rx_bytes + i;
		}
		double b = bench_now();
		wg_hist_apply(h, T0 + n * 10, s, peers + 1);
		double c = bench_now();
		read += b - a;
		apply += c - b;
		uapi_reply_peers_free(&p);
		free(s);
		free(reply);
	}
	wg_hist_close(h);
	double per = (read + apply) / SAMPLES;
	printf("| %zu peers, one sample | read %.2f ms + store %.2f ms = %.2f ms | %.3f %% of one core at one sample per 10 s |\n",
	       peers, read / SAMPLES * 1e3, apply / SAMPLES * 1e3, per * 1e3, per / 10 * 100);
	free(keys);
	free(b64);
}

int main(int argc, char **argv)
{
	size_t peers = argc > 1 ? strtoul(argv[1], NULL, 10) : 1000;
	char tmp[] = "/tmp/wgr-bench-hist-XXXXXX";
	const char *dir = argc > 2 ? argv[2] : mkdtemp(tmp);
	printf("| what | cost | |\n|---|---|---|\n");
	cpu(peers);
	year(peers, dir);
	if (argc <= 2) {
		char path[600];
		snprintf(path, sizeof(path), "%s/history.bin", dir);
		unlink(path);
		rmdir(dir);
	}
	return 0;
}
