/* The initiating side of bench/handshake.sh: real handshake initiations from many
 * identities over UDP to a running responder (wgrouter or wireguard-go), counting the
 * responses that come back.
 *
 *   handshake_client peers KEYS [SEED]
 *       prints a `wg setconf` fragment with one [Peer] per initiator identity.
 *   handshake_client run RESPONDER_PUBKEY HOST PORT [-k KEYS] [-r ROUNDS] [-s SEED]
 *                       [-w WINDOW] [-d SECONDS] [-p PID] [-m MODE]
 *       makes KEYS x ROUNDS initiations first (untimed, on every core; identity-major
 *       rounds, so one identity comes back only after all the others and its timestamp
 *       has risen), then sends them and counts what returns, for at most SECONDS.
 *       WINDOW (default 8) initiations are kept in flight, few enough that the
 *       responder stays out of its "under load" state (wireguard-go: 1/8 of a 1024-
 *       message queue; wgrouter: 1/8 of its 4096-message handshake queue), so every initiation is
 *       answered and the figure is the responder's real rate. Should a cookie reply
 *       come back all the same, the attempt is abandoned, the client waits out the
 *       responder's under-load second and starts again with a smaller window (halved
 *       down to 4, then one less each time, down to 1); only the last attempt is
 *       reported, with the window it used.
 *       WINDOW 0 floods instead for SECONDS (the initiations over and over): the
 *       responder goes under load and, as the protocol wants, answers with cookie
 *       replies; their rate is printed too.
 *       PID is the responder's process: its CPU time over the run gives handshakes per
 *       CPU-second (replies: responses and cookie replies). The result is one line of key=value pairs on stdout.
 *
 * Nothing here judges the figures; an unanswered initiation only counts as lost. */
#include "handshake_gen.h"
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <sys/socket.h>
#include <unistd.h>

enum { MAXWIN = 4096, RXBATCH = 64 };

struct job {
	uint8_t rpub[WG_KEY_LEN];
	struct wg_endpoint to;
	uint8_t (*priv)[WG_KEY_LEN];
	uint8_t (*msgs)[WG_MSG_INITIATION_LEN];
	uint8_t *ok;
	int keys, rounds, thread, nthreads;
	uint64_t wall0;
};

static void *make_some(void *arg)
{
	struct job *j = arg;
	struct hs_gen g;
	if (hs_gen_init(&g, j->rpub, &j->to))
		return NULL;
	for (int r = 0; r < j->rounds; r++)
		for (int i = j->thread; i < j->keys; i += j->nthreads) {
			size_t slot = (size_t)r * j->keys + i;
			j->ok[slot] = !hs_gen_initiation(&g, j->priv[i], j->wall0 + (uint64_t)r * 1000000000ULL,
							 j->msgs[slot]);
		}
	hs_gen_free(&g);
	return NULL;
}

static double cpu_seconds(int pid)
{
	char path[64], buf[1024];
	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	char *p = strrchr(buf, ')');
	unsigned long ut = 0, st = 0;
	/* after "pid (comm)": state is field 3, utime 14, stime 15 */
	if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st) != 2)
		return -1;
	return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

static int usage(void)
{
	fprintf(stderr, "usage: handshake_client peers KEYS [SEED]\n"
		"       handshake_client run RESPONDER_PUBKEY HOST PORT [-k KEYS] [-r ROUNDS] [-s SEED]\n"
		"                            [-w WINDOW] [-d SECONDS] [-p PID]\n");
	return 2;
}

static int peers(int argc, char **argv)
{
	if (argc < 3)
		return usage();
	int keys = atoi(argv[2]);
	uint32_t seed = argc > 3 ? (uint32_t)strtoul(argv[3], NULL, 10) : 1;
	for (int i = 0; i < keys; i++) {
		char b64[WG_KEY_B64_LEN + 1];
		hs_identity_b64(b64, seed, (uint32_t)i);
		printf("[Peer]\nPublicKey = %s\n", b64);
	}
	return 0;
}

struct inflight { uint32_t sender; double t; };

int main(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "peers"))
		return peers(argc, argv);
	if (argc < 5 || strcmp(argv[1], "run"))
		return usage();
	struct job job = { .keys = 2000, .rounds = 8 };
	uint32_t seed = 1;
	int window = 8, pid = 0;
	double duration = 5;
	if (!wg_key_from_base64(job.rpub, argv[2])) {
		fprintf(stderr, "bad responder public key\n");
		return 2;
	}
	struct addrinfo hints = { .ai_socktype = SOCK_DGRAM }, *ai;
	if (getaddrinfo(argv[3], argv[4], &hints, &ai)) {
		fprintf(stderr, "bad address %s %s\n", argv[3], argv[4]);
		return 2;
	}
	memset(&job.to, 0, sizeof(job.to));
	memcpy(&job.to.addr, ai->ai_addr, ai->ai_addrlen);
	socklen_t tolen = ai->ai_addrlen;
	int family = ai->ai_family;
	freeaddrinfo(ai);
	for (int i = 5; i + 1 < argc; i += 2) {
		const char *o = argv[i], *v = argv[i + 1];
		if (!strcmp(o, "-k")) job.keys = atoi(v);
		else if (!strcmp(o, "-r")) job.rounds = atoi(v);
		else if (!strcmp(o, "-s")) seed = (uint32_t)strtoul(v, NULL, 10);
		else if (!strcmp(o, "-w")) window = atoi(v);
		else if (!strcmp(o, "-d")) duration = atof(v);
		else if (!strcmp(o, "-p")) pid = atoi(v);
		else return usage();
	}
	if (job.keys < 1 || job.rounds < 1 || window < 0 || window > MAXWIN)
		return usage();

	/* Make every initiation first. */
	size_t total = (size_t)job.keys * job.rounds;
	job.priv = malloc((size_t)job.keys * WG_KEY_LEN);
	job.msgs = malloc(total * WG_MSG_INITIATION_LEN);
	job.ok = calloc(total, 1);
	if (!job.priv || !job.msgs || !job.ok)
		return 1;
	for (int i = 0; i < job.keys; i++)
		hs_identity(job.priv[i], seed, (uint32_t)i);
	job.wall0 = hs_clock_ns(CLOCK_REALTIME);
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	int nth = ncpu < 1 ? 1 : ncpu > 16 ? 16 : (int)ncpu;
	struct job jobs[16];
	pthread_t th[16];
	double g0 = bench_now();
	for (int t = 0; t < nth; t++) {
		jobs[t] = job;
		jobs[t].thread = t;
		jobs[t].nthreads = nth;
		pthread_create(&th[t], NULL, make_some, &jobs[t]);
	}
	for (int t = 0; t < nth; t++)
		pthread_join(th[t], NULL);
	double gen_time = bench_now() - g0;
	size_t n = 0;
	for (size_t i = 0; i < total; i++)
		if (job.ok[i]) {
			if (n != i)
				memcpy(job.msgs[n], job.msgs[i], WG_MSG_INITIATION_LEN);
			n++;
		}

	if (!n) {
		fprintf(stderr, "the initiator core made no initiation\n");
		return 1;
	}
	int fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		perror("socket");
		return 1;
	}
	int sz = 4 << 20;
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
	if (connect(fd, &job.to.addr.sa, tolen)) {
		perror("connect");
		return 1;
	}

	static struct inflight fl[MAXWIN];
	int nfl = 0, window0 = window, backoffs = 0;
	size_t next = 0, first = 0, responses = 0, cookies = 0, other = 0, lost = 0, send_fail = 0;
	double lat_sum = 0, cpu0 = 0, t0 = 0;
	uint8_t rx[RXBATCH][256];
	struct mmsghdr mm[RXBATCH];
	struct iovec iov[RXBATCH];
	for (;;) { /* attempts: a window the responder calls "under load" is halved */
		bool retry = false;
		nfl = 0;
		first = next;
		responses = cookies = other = lost = send_fail = 0;
		lat_sum = 0;
		cpu0 = pid ? cpu_seconds(pid) : -1;
		t0 = bench_now();
		double deadline = t0 + duration;
		for (;;) {
			double now = bench_now();
			if (now >= deadline || (window && next >= n && nfl == 0))
				break;
			/* send up to the window (flood: a batch at a time, the same initiations
			 * over and over: under load the responder answers before it decrypts) */
			int budget = window ? window - nfl : 64;
			while (budget-- > 0 && (next < n || !window)) {
				if (send(fd, job.msgs[next % n], WG_MSG_INITIATION_LEN, 0) != WG_MSG_INITIATION_LEN) {
					if (errno == EAGAIN || errno == ENOBUFS)
						break;
					send_fail++;
					next++;
					continue;
				}
				if (window) {
					uint32_t s;
					memcpy(&s, job.msgs[next % n] + 4, 4);
					fl[nfl++] = (struct inflight){ s, now };
				}
				next++;
			}
			if (window && next >= n && nfl == 0)
				break;
			struct pollfd pfd = { .fd = fd, .events = POLLIN };
			int pr = poll(&pfd, 1, window ? 100 : 0);
			now = bench_now();
			for (int k = 0; k < nfl; k++) /* unanswered for 200 ms: lost */
				if (now - fl[k].t > 0.2) {
					lost++;
					fl[k--] = fl[--nfl];
				}
			if (pr <= 0)
				continue;
			for (int i = 0; i < RXBATCH; i++) {
				iov[i] = (struct iovec){ rx[i], sizeof(rx[i]) };
				mm[i] = (struct mmsghdr){ .msg_hdr = { .msg_iov = &iov[i], .msg_iovlen = 1 } };
			}
			int got = recvmmsg(fd, mm, RXBATCH, MSG_DONTWAIT, NULL);
			if (got <= 0)
				continue;
			for (int i = 0; i < got; i++) {
				uint8_t *m = rx[i];
				size_t len = mm[i].msg_len;
				uint32_t recv_idx;
				if (len == WG_MSG_RESPONSE_LEN && m[0] == WG_MSG_RESPONSE) {
					responses++;
					memcpy(&recv_idx, m + 8, 4);
				} else if (len == WG_MSG_COOKIE_LEN && m[0] == WG_MSG_COOKIE) {
					cookies++;
					memcpy(&recv_idx, m + 4, 4);
				} else {
					other++;
					continue;
				}
				for (int k = 0; k < nfl; k++)
					if (fl[k].sender == recv_idx) {
						if (m[0] == WG_MSG_RESPONSE)
							lat_sum += now - fl[k].t;
						fl[k] = fl[--nfl];
						break;
					}
			}
			if (window > 1 && cookies) {
				retry = true;
				break;
			}
		}
		if (!retry || next >= n)
			break;
		/* The responder is under load and stays so for a second after the burst:
		 * wait that out, dropping whatever still comes back, and send fewer at once. */
		backoffs++;
		window = window > 4 ? window / 2 : window - 1;
		for (double until = bench_now() + 1.3; bench_now() < until;) {
			struct pollfd pfd = { .fd = fd, .events = POLLIN };
			if (poll(&pfd, 1, 50) > 0)
				recv(fd, rx[0], sizeof(rx[0]), MSG_DONTWAIT);
		}
	}
	double elapsed = bench_now() - t0;
	double cpu = pid && cpu0 >= 0 ? cpu_seconds(pid) - cpu0 : -1;
	size_t sent = next - first;
	lost += (size_t)nfl;
	if (!window)
		lost = sent > responses + cookies ? sent - responses - cookies : 0;

	printf("sent=%zu responses=%zu cookies=%zu other=%zu lost=%zu send_errors=%zu seconds=%.3f "
	       "responses_per_s=%.0f cookies_per_s=%.0f avg_latency_us=%.0f responder_cpu_s=%.3f "
	       "replies_per_cpu_s=%.0f made=%zu make_seconds=%.2f window=%d start_window=%d "
	       "backoffs=%d keys=%d\n",
	       sent, responses, cookies, other, lost, send_fail, elapsed,
	       responses / elapsed, cookies / elapsed,
	       responses ? lat_sum / responses * 1e6 : 0, cpu,
	       cpu > 0 ? (responses + cookies) / cpu : 0, n, gen_time, window, window0, backoffs,
	       job.keys);
	close(fd);
	free(job.priv);
	free(job.msgs);
	free(job.ok);
	return 0;
}
