/* See web.h. */
#include "api/web.h"
#include <microhttpd.h>
#include <string.h>
#include "api/web_assets.h"

/* Only this router: no CDN, no inline script, no framing by another site. */
static const char CSP[] = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
			  "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

bool wg_web_is_page(const char *url)
{
	return strncmp(url, "/rest", 5) || (url[5] && url[5] != '/');
}

const struct wg_web_asset *wg_web_find(const char *url)
{
	size_t n = strcspn(url, "?#");
	if (!strncmp(url, "/index.html", n) && n == strlen("/index.html"))
		n = 1;
	for (size_t i = 0; i < wg_web_nassets; i++)
		if (strlen(wg_web_assets[i].path) == n && !strncmp(wg_web_assets[i].path, url, n))
			return &wg_web_assets[i];
	return NULL;
}

static void page_headers(struct MHD_Response *r, const char *type)
{
	MHD_add_response_header(r, "Content-Type", type);
	MHD_add_response_header(r, "Content-Security-Policy", CSP);
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
	/* the files change only with the binary; revalidating each load costs little here */
	MHD_add_response_header(r, "Cache-Control", "no-cache");
}

int wg_web_serve(struct MHD_Connection *c, const char *method, const char *url)
{
	bool get = !strcmp(method, "GET") || !strcmp(method, "HEAD");
	const struct wg_web_asset *a = get ? wg_web_find(url) : NULL;
	static const char missing[] = "not found\n", wrong[] = "method not allowed\n";
	const char *body = a ? (const char *)a->data : get ? missing : wrong;
	size_t len = a ? (size_t)(a->end - a->data) : strlen(body);
	struct MHD_Response *r = MHD_create_response_from_buffer(len, (void *)body, MHD_RESPMEM_PERSISTENT);
	if (!r)
		return MHD_NO;
	page_headers(r, a ? a->type : "text/plain; charset=utf-8");
	if (!get)
		MHD_add_response_header(r, "Allow", "GET, HEAD");
	int rc = MHD_queue_response(c, a ? MHD_HTTP_OK : get ? MHD_HTTP_NOT_FOUND : MHD_HTTP_METHOD_NOT_ALLOWED, r);
	MHD_destroy_response(r);
	return rc;
}
