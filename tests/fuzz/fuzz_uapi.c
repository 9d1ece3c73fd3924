/* libFuzzer harness for the UAPI handler: the input is a stream of requests, fed to
 * wg_uapi_handle against a real device until it stops. Checks that every reply ends
 * in "errno=N\n\n" and that the lock is balanced. Host names never reach DNS: the
 * resolver is a fake. `make fuzz` builds it (build/fuzz/fuzz_uapi), `make check` runs it
 * on tests/fuzz/corpus/uapi for a few seconds, `make fuzz-long` for as long as asked.
 *
 * With -DFUZZ_STANDALONE (any compiler, no libFuzzer) it replays the files named on the
 * command line, for reproducing a crash under gdb. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "uapi/uapi.h"

static uint64_t now;
static uint64_t clock_ns(void *ctx) { return now += 1000; }
static void rnd(void *ctx, void *buf, size_t len) { memset(buf, 0x5a, len); }
static const struct wg_env env = { .mono_ns = clock_ns, .wall_ns = clock_ns, .random = rnd };

static uint16_t port;
static uint32_t mark;
static int depth;
static uint16_t get_port(void *ctx) { return port; }
static int set_port(void *ctx, uint16_t p) { port = p; return p == 1 ? -98 : 0; }
static uint32_t get_mark(void *ctx) { return mark; }
static int set_mark(void *ctx, uint32_t m) { mark = m; return 0; }
static void lock(void *ctx) { depth++; }
static void unlock(void *ctx) { depth--; }
static void sink_send(void *ctx, struct wg_peer *p, const struct wg_endpoint *to,
		      const uint8_t *buf, size_t len) {}
static void sink_deliver(void *ctx, struct wg_peer *p, uint8_t *pkt, size_t len) {}
static const struct wg_sink sink = { .send = sink_send, .deliver = sink_deliver };
/* Names starting with 'a' resolve to 192.0.2.1, others fail. */
static int resolve(void *ctx, const char *host, uint16_t p, struct wg_endpoint *ep)
{
	if (host[0] != 'a')
		return -2;
	memset(ep, 0, sizeof(*ep));
	ep->addr.sin.sin_family = AF_INET;
	ep->addr.sin.sin_port = htons(p);
	ep->addr.sin.sin_addr.s_addr = htonl(0xc0000201);
	return 0;
}

static const struct wg_uapi_ops ops = {
	.get_listen_port = get_port, .set_listen_port = set_port,
	.get_fwmark = get_mark, .set_fwmark = set_mark, .sink = &sink,
	.lock = lock, .unlock = unlock, .resolve = resolve,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wg_device *dev = wg_device_new(&env);
	char *reply = NULL;
	size_t len = 0;
	FILE *in, *out;
	if (!dev || size == 0)
		goto done;
	in = fmemopen((void *)data, size, "r");
	out = open_memstream(&reply, &len);
	while (wg_uapi_handle(dev, &ops, in, out) == 0)
		;
	fclose(in);
	fclose(out);
	if (depth != 0)
		abort();
	/* every answer ends with its errno line and the blank line */
	if (len && (len < 9 || memcmp(reply + len - 2, "\n\n", 2) || !strstr(reply, "errno=")))
		abort();
	free(reply);
done:
	wg_device_free(dev);
	port = 0;
	mark = 0;
	return 0;
}

#include "standalone.h"
