/* The HTTP and HTTPS server of the www and www-ssl services (libmicrohttpd; TLS through
 * GnuTLS): one thread per connection, at most max-sessions of them, so a slow client
 * never holds up another; sources outside the service's address list are refused
 * before a byte is read; a body over 1 MiB is refused; idle connections are cut after
 * 60 s. Every request is authenticated (HTTP Basic) through the login hook, then served
 * by the REST mapping (rest.h) holding the router lock, in a session with the user's
 * access. */
#ifndef WG_API_HTTP_H
#define WG_API_HTTP_H
#include "api/door.h"

struct wg_http;
/* NULL with err set (the port taken, a bad certificate ...). */
struct wg_http *wg_http_start(const struct wg_door_config *cfg, const struct wg_door_hooks *h,
			      char *err, size_t errlen);
/* Closes the listening socket and every connection, and waits for their threads. */
void wg_http_stop(struct wg_http *h);
#endif
