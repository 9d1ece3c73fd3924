/* What every remote door (www, www-ssl, api, api-ssl) is given: who may connect, how to
 * authenticate, and the router with its lock. */
#ifndef WG_API_DOOR_H
#define WG_API_DOOR_H
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include "console/exec.h"
#include "router/auth.h"
#include "router/router.h"
#include "sys/prefix.h"

struct wg_door_config {
	uint16_t port;
	const char *cert_pem, *key_pem;   /* both set: TLS */
	bool tls12_only;                  /* tls-version=only-1.2 */
	unsigned max_sessions;            /* 0: 20 */
	const struct wg_prefix *allow;    /* the service's address= list; none: any source */
	size_t nallow;
	const char *door;                 /* for logins and the change log: "rest-api", "api" */
	bool metrics_only;                /* /system/metrics's own port: /metrics, nothing else */
};

struct wg_door_hooks {
	void *ctx;
	/* Checks user and password from source for door; fills *out (a copy: name, group,
	 * policies) and returns true, or false. Called without the router lock: password
	 * hashing is slow on purpose. */
	bool (*login)(void *ctx, const char *user, const char *password, const struct sockaddr *from,
		      const char *door, struct wg_auth_user *out);
	/* Optional: the user's session ended (for /user/active). */
	void (*logout)(void *ctx, const char *user, const struct sockaddr *from, const char *door);
	struct wg_router *r;
	pthread_mutex_t *router_lock;
};

/* The client's address as text (IPv4-mapped IPv6 as IPv4); false for another family. */
bool wg_sockaddr_text(const struct sockaddr *sa, char *buf, size_t len);
/* Is from in the list (an empty list allows everyone)? IPv4-mapped IPv6 counts as IPv4. */
bool wg_source_allowed(const struct wg_prefix *allow, size_t n, const struct sockaddr *from);
#endif
