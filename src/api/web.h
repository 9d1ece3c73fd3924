/* The web page of the www and www-ssl services: static files compiled into the binary
 * (src/api/www/), served at / beside the REST API at /rest. The page is a pure client of
 * the REST API (it logs in with the router's users over HTTP Basic); the files themselves
 * hold nothing secret, so they are served without a login. Every reply carries a
 * Content-Security-Policy that lets the page talk to this router only. */
#ifndef WG_API_WEB_H
#define WG_API_WEB_H
#include <stdbool.h>
#include <stddef.h>

struct MHD_Connection;

struct wg_web_asset {
	const char *path;          /* "/app.js" */
	const char *type;          /* its Content-Type */
	const unsigned char *data;
	const unsigned char *end;  /* one past the last byte */
};

/* The file a URL names ("/" is the page itself), ignoring a query string; NULL for
 * anything else (a path outside the list is never looked up on disk). */
const struct wg_web_asset *wg_web_find(const char *url);
/* Does this request belong to the web page rather than the REST API? */
bool wg_web_is_page(const char *url);
/* Queues the reply to a GET (or HEAD) of a page URL: the file, 404, or 405 for other
 * methods. */
int wg_web_serve(struct MHD_Connection *c, const char *method, const char *url);
#endif
