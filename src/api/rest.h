/* The RouterOS REST API as a pure mapping: an HTTP request (method, path, query, body)
 * in, a status and a JSON body out, through the command core (console/exec.h). No I/O:
 * the HTTP server (http.c) calls it holding the router lock with a session that carries
 * the authenticated user's access, and the fuzzer calls it directly.
 *
 *   GET    /rest/<menu>[?prop=v&.proplist=a,b]  print: an array ([] when empty); a
 *                                               settings menu: one object
 *   GET    /rest/<menu>/<*ID|name>              one object, 404 when not there
 *   PUT    /rest/<menu>          {props}        add: the new object
 *   PATCH  /rest/<menu>/<*ID>    {props}        set: the whole updated object
 *   DELETE /rest/<menu>/<*ID>                   remove: 204, 404 when not there
 *   POST   /rest/<menu>/<command> {args}        any command: rows as an array, a return
 *                                               value as {"ret":..}, else []
 *   POST   /rest/execute {"script":".."}         a console script
 * Every value in a reply is a string (booleans "true"/"false", durations 1h2m3s);
 * requests may send strings, numbers and booleans, and "!prop" to unset. Errors:
 * {"error":N,"message":"<reason>","detail":"<the console's message>"}. */
#ifndef WG_API_REST_H
#define WG_API_REST_H
#include <stddef.h>
#include "console/exec.h"

enum { WG_REST_BODY_MAX = 1 << 20 };

struct wg_kv { const char *key, *value; };

struct wg_rest_request {
	const char *method;
	const char *path;                /* "/rest/interface/wireguard" (percent-decoded) */
	const struct wg_kv *query;
	size_t nquery;
	const char *body;
	size_t body_len;
};

struct wg_rest_reply {
	int status;
	char *body;                      /* JSON, malloc'd; NULL: no body (204) */
};

void wg_rest_handle(struct wg_session *s, const struct wg_rest_request *q, struct wg_rest_reply *out);
/* An error reply as RouterOS writes it. */
void wg_rest_error(struct wg_rest_reply *out, int status, const char *detail);
#endif
