/* The web page's files (api/web.h): which URLs name a file, that the files compiled in
 * are the ones in src/api/www/, and that nothing outside the list is served. */
#include <stdio.h>
#include <stdlib.h>
#include "test.h"
#include "api/web.h"
#include "api/web_assets.h"

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	char *buf = malloc(1 << 20);
	*len = fread(buf, 1, 1 << 20, f);
	fclose(f);
	return buf;
}

TEST(root_and_index_are_the_page)
{
	const struct wg_web_asset *a = wg_web_find("/"), *b = wg_web_find("/index.html");
	CHECK(a && b && a == b);
	CHECK(a && !strncmp(a->type, "text/html", 9));
	CHECK(wg_web_find("/?x=1") == a, "a query string is ignored");
	CHECK(wg_web_find("/app.js?v=2") == wg_web_find("/app.js"));
}

TEST(only_listed_paths_are_served)
{
	static const char *bad[] = { "", "/index.htm", "/index.html/", "/app.js/", "//", "/../app.js", "/app.js%00",
				     "/APP.JS", "/app", "/.", "/etc/passwd", "/rest", "app.js" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK(!wg_web_find(bad[i]), "%s served", bad[i]);
}

TEST(rest_paths_are_not_the_page)
{
	CHECK(!wg_web_is_page("/rest"));
	CHECK(!wg_web_is_page("/rest/"));
	CHECK(!wg_web_is_page("/rest/interface/wireguard"));
	CHECK(wg_web_is_page("/restx"));
	CHECK(wg_web_is_page("/"));
	CHECK(wg_web_is_page("/metricsx"));
}

/* The bytes served are the files of src/api/www (the test runs from the top of the tree),
 * each with its own type. */
TEST(compiled_files_match_the_tree)
{
	CHECK(wg_web_nassets >= 5);
	for (size_t i = 0; i < wg_web_nassets; i++) {
		const struct wg_web_asset *a = &wg_web_assets[i];
		char path[256];
		snprintf(path, sizeof(path), "src/api/www%s", strcmp(a->path, "/") ? a->path : "/index.html");
		size_t len = 0;
		char *want = slurp(path, &len);
		CHECK(want, "%s missing", path);
		CHECK(want && len == (size_t)(a->end - a->data) && !memcmp(want, a->data, len), "%s differs", path);
		free(want);
		const char *dot = strrchr(path, '.');
		const char *t = !strcmp(dot, ".js") ? "text/javascript" : !strcmp(dot, ".css") ? "text/css"
			      : !strcmp(dot, ".svg") ? "image/svg+xml" : "text/html";
		CHECK(!strncmp(a->type, t, strlen(t)), "%s as %s", path, a->type);
	}
}
