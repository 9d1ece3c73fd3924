/* The HTTP and HTTPS server of the www and www-ssl services (libmicrohttpd; TLS through
 * GnuTLS): one thread per connection, at most max-sessions of them, so a slow client
 * never holds up another; sources outside the service's address list are refused
 * before a byte is read; a body over 1 MiB is refused; idle connections are cut after
 * 60 s. Every request is authenticated (HTTP Basic) through the login hook, then served
 * by the REST mapping (rest.h) holding the router lock, in a session with the user's
 * access. */
#ifndef WG_API_HTTP_H
#define WG_API_HTTP_H
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include "console/exec.h"
#include "router/router.h"
#include "sys/prefix.h"

struct wg_http_config {
	uint16_t port;
	const char *cert_pem, *key_pem;   /* both set: HTTPS */
	bool tls12_only;                  /* tls-version=only-1.2 */
	unsigned max_sessions;
	const struct wg_prefix *allow;    /* the service's address= list; none: any source */
	size_t nallow;
	const char *door;                 /* for logs: "rest-api" */
};

struct wg_http_hooks {
	void *ctx;
	/* Checks user and password from source for door; fills *a (its strings stay valid
	 * until the next call from this thread) and returns true, or false (401). Called
	 * without the router lock: password hashing is slow on purpose. */
	bool (*login)(void *ctx, const char *user, const char *password, const struct sockaddr *from,
		      const char *door, struct wg_access *a);
	struct wg_router *r;
	pthread_mutex_t *router_lock;
};

struct wg_http;
/* NULL with err set (the port taken, a bad certificate ...). */
struct wg_http *wg_http_start(const struct wg_http_config *cfg, const struct wg_http_hooks *h,
			      char *err, size_t errlen);
/* Closes the listening socket and every connection, and waits for their threads. */
void wg_http_stop(struct wg_http *h);
/* Is from in the list (an empty list allows everyone)? Shared with the binary API. */
bool wg_source_allowed(const struct wg_prefix *allow, size_t n, const struct sockaddr *from);
#endif
