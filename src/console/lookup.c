/* :resolve's look-ups: through the /ip/dns servers (the host's resolver when there are
 * none), in a thread of their own, so that the console waits at most WG_LOOKUP_MS with
 * the router released, and Ctrl-C (or the API's /cancel) ends the wait at once. A
 * look-up that outlives the wait finishes in its thread and frees itself: the waiter
 * and the thread each hold a reference. */
#include <arpa/inet.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>
#include "console/interp.h"
#include "dns/resolve.h"

struct lookup {
	atomic_int refs;
	int done_fd;                  /* eventfd: written when the answer is in */
	char host[256];
	struct strvec servers;        /* copies: the store may change meanwhile */
	int rc;
	char out[INET6_ADDRSTRLEN];
};

static void put_ref(struct lookup *l)
{
	if (atomic_fetch_sub(&l->refs, 1) != 1)
		return;
	close(l->done_fd);
	sv_free(&l->servers);
	free(l);
}

static int addr_text(const struct sockaddr *sa, char *out, size_t len)
{
	const void *a = sa->sa_family == AF_INET ? (const void *)&((const struct sockaddr_in *)sa)->sin_addr
						 : (const void *)&((const struct sockaddr_in6 *)sa)->sin6_addr;
	return inet_ntop(sa->sa_family, a, out, (socklen_t)len) ? 0 : -1;
}

static int by_host_resolver(struct lookup *l)
{
	struct addrinfo hints = { .ai_socktype = SOCK_DGRAM }, *res = NULL;
	if (getaddrinfo(l->host, NULL, &hints, &res) || !res)
		return -1;
	int rc = addr_text(res->ai_addr, l->out, sizeof(l->out));
	freeaddrinfo(res);
	return rc;
}

static int by_servers(struct lookup *l)
{
	struct sockaddr_storage ss;
	if (wg_dns_resolve((const char *const *)l->servers.v, l->servers.n, l->host, 0, &ss, 1500) < 0)
		return -1;
	return addr_text((const struct sockaddr *)&ss, l->out, sizeof(l->out));
}

static void *run(void *arg)
{
	struct lookup *l = arg;
	uint64_t one = 1;
	l->rc = l->servers.n ? by_servers(l) : by_host_resolver(l);
	if (write(l->done_fd, &one, sizeof(one)) < 0) { /* the waiter then times out */
	}
	put_ref(l);
	return NULL;
}

static bool start(struct lookup *l)
{
	pthread_t th;
	pthread_attr_t at;
	pthread_attr_init(&at);
	pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
	bool ok = pthread_create(&th, &at, run, l) == 0;
	pthread_attr_destroy(&at);
	return ok;
}

int wg_lookup(struct wg_session *s, const char *host, const struct strvec *servers, char *out, size_t len)
{
	struct lookup *l = xcalloc(1, sizeof(*l));
	snprintf(l->host, sizeof(l->host), "%s", host);
	for (size_t i = 0; i < servers->n; i++)
		sv_push(&l->servers, servers->v[i]);
	l->done_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	atomic_init(&l->refs, 2);
	if (l->done_fd < 0 || !start(l)) {
		atomic_store(&l->refs, 1);
		put_ref(l);
		return -1;
	}
	int w = wg_wait_fd(s, l->done_fd, POLLIN, WG_LOOKUP_MS);
	int rc = w == 1 ? -2 : w == 2 ? l->rc : -1;
	if (rc == 0)
		snprintf(out, len, "%s", l->out);
	put_ref(l);
	return rc;
}
