/* libFuzzer harness for the REST mapping (src/api/rest.c) over a router model with the
 * unit tests' recording backend. The input: a method letter (G P U D O: GET PATCH PUT
 * DELETE POST, anything else as it is), the path up to a newline, a query line of
 * key=value&..., then the body. Properties, besides no crash, leak or undefined
 * behaviour: a reply with a body is valid JSON (an error is an object with error,
 * message); a status of 400 or more leaves the configuration as it was. Requests that
 * could leave the sandbox (ping, files, delays, scripts) are skipped.
 * With -DFUZZ_STANDALONE it replays the files named on the command line. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "api/rest.h"
#include "../unit/test_console_fixture.h"

#define FAIL(...) do { fprintf(stderr, __VA_ARGS__); fputc('\n', stderr); abort(); } while (0)

static const char *method_of(uint8_t c)
{
	switch (c) {
	case 'G': return "GET";
	case 'P': return "PATCH";
	case 'U': return "PUT";
	case 'D': return "DELETE";
	case 'O': return "POST";
	default: return "HEAD";
	}
}

static bool unsafe(const char *text)
{
	static const char *const words[] = { "ping", "file", "import", "delay", "execute", "trace", "torch", "sniff", NULL };
	for (size_t k = 0; words[k]; k++)
		if (strstr(text, words[k]))
			return true;
	return false;
}

/* "a=b&c=d" into pairs pointing into q (modified). */
static size_t split_query(char *q, struct wg_kv *kv, size_t max)
{
	size_t n = 0;
	for (char *save = NULL, *p = strtok_r(q, "&", &save); p && n < max; p = strtok_r(NULL, "&", &save)) {
		char *eq = strchr(p, '=');
		if (eq)
			*eq = '\0';
		kv[n++] = (struct wg_kv){ p, eq ? eq + 1 : "" };
	}
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2 || size > 8192)
		return 0;
	char *text = strndup((const char *)data + 1, size - 1);
	if (strlen(text) != size - 1 || unsafe(text)) { /* NULs: the HTTP layer never passes them */
		free(text);
		return 0;
	}
	char *path = text, *query = strchr(path, '\n'), *body = NULL;
	if (query) {
		*query++ = '\0';
		body = strchr(query, '\n');
		if (body)
			*body++ = '\0';
	}
	struct wg_kv kv[16];
	size_t nkv = query ? split_query(query, kv, 16) : 0;
	struct fx *f = fx_new();
	fx_run(f, "/interface/wireguard/add name=wg1 listen-port=51820\n/ip/address/add address=10.0.0.1/24 interface=wg1");
	char *before = fx_export(f, "show-sensitive verbose");
	struct wg_rest_request q = { method_of(data[0]), path, kv, nkv, body, body ? strlen(body) : 0 };
	struct wg_rest_reply r;
	wg_rest_handle(f->s, &q, &r);
	if (r.body) {
		json_error_t e;
		json_t *j = json_loads(r.body, JSON_DECODE_ANY, &e);
		if (!j)
			FAIL("reply is not JSON: %s", r.body);
		if (r.status >= 400 && (!json_is_object(j) || !json_object_get(j, "error") || !json_object_get(j, "message")))
			FAIL("error reply without error/message: %s", r.body);
		json_decref(j);
	} else if (r.status != 204) {
		FAIL("status %d without a body", r.status);
	}
	if (r.status >= 400) {
		char *after = fx_export(f, "show-sensitive verbose");
		if (strcmp(before, after))
			FAIL("a failed %s %s (%d) changed the configuration", q.method, path, r.status);
		free(after);
	}
	free(before);
	free(r.body);
	fx_free(f);
	free(text);
	return 0;
}

#include "standalone.h"
