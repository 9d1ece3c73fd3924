/* libFuzzer harness for the web page's URL lookup (src/api/web.c): the input is a URL
 * as libmicrohttpd hands it over. Properties, besides no crash or read past the end: a
 * URL the REST API owns is never the page; a file is found only for a URL whose path
 * (up to ? or #) is exactly that file's path (or /index.html for /); the file found is
 * in the compiled-in table. With -DFUZZ_STANDALONE it replays the files named. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "api/web.h"
#include "api/web_assets.h"

#define FAIL(...) do { fprintf(stderr, __VA_ARGS__); fputc('\n', stderr); abort(); } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 4096)
		return 0;
	char *url = malloc(size + 1); /* exact size: ASan sees an overread */
	memcpy(url, data, size);
	url[size] = '\0';
	bool rest = !strncmp(url, "/rest", 5) && (url[5] == '\0' || url[5] == '/');
	if (wg_web_is_page(url) == rest)
		FAIL("%s: is_page %d for a REST path %d", url, wg_web_is_page(url), rest);
	const struct wg_web_asset *a = wg_web_find(url);
	if (a) {
		if (a < wg_web_assets || a >= wg_web_assets + wg_web_nassets)
			FAIL("%s: an asset outside the table", url);
		size_t n = strcspn(url, "?#");
		bool exact = strlen(a->path) == n && !strncmp(a->path, url, n);
		bool index = !strcmp(a->path, "/") && n == strlen("/index.html") && !strncmp(url, "/index.html", n);
		if (!exact && !index)
			FAIL("%s: served as %s", url, a->path);
		if (a->end < a->data)
			FAIL("%s: negative length", url);
	}
	free(url);
	return 0;
}

#include "standalone.h"
