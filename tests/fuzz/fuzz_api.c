/* libFuzzer harness for the RouterOS API decoder and its translation into commands
 * (src/api/apiwire.c, apicmd.c) over a router model with the unit tests' recording
 * backend (no data plane, no system change). The input is a byte stream of sentences.
 * Properties, besides no crash, leak or undefined behaviour: every reply is a sequence of
 * well-formed sentences ending in !done; a command answered with !trap leaves the
 * configuration as it was (`/export show-sensitive verbose` unchanged). Sentences that
 * could leave the sandbox (ping, files, delays) are skipped.
 * With -DFUZZ_STANDALONE it replays the files named on the command line. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "api/apicmd.h"
#include "../unit/test_console_fixture.h"

#define FAIL(...) do { fprintf(stderr, __VA_ARGS__); fputc('\n', stderr); abort(); } while (0)

static bool unsafe(const struct wg_api_sentence *s)
{
	static const char *const words[] = { "ping", "file", "import", "delay", "execute", "trace", "torch", "sniff", NULL };
	for (size_t i = 0; i < s->n; i++)
		for (size_t k = 0; words[k]; k++)
			if (strstr(s->w[i], words[k]))
				return true;
	return false;
}

/* The reply parses back as sentences, the last one !done; was there a !trap? */
static bool check_reply(const struct sbuf *out)
{
	size_t pos = 0;
	bool trap = false, done = false;
	while (pos < out->len) {
		struct wg_api_sentence r;
		size_t used;
		const char *err;
		if (wg_api_parse((const uint8_t *)out->s + pos, out->len - pos, &r, &used, &err) != 1 || !r.n)
			FAIL("reply does not parse at %zu", pos);
		trap |= !strcmp(r.w[0], "!trap");
		done = !strcmp(r.w[0], "!done");
		wg_api_sentence_free(&r);
		pos += used;
	}
	if (!done)
		FAIL("reply does not end in !done");
	return trap;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fx *f = fx_new();
	size_t pos = 0;
	for (int k = 0; k < 32 && pos < size; k++) {
		struct wg_api_sentence in;
		size_t used;
		const char *err;
		if (wg_api_parse(data + pos, size - pos, &in, &used, &err) != 1)
			break;
		pos += used;
		if (!in.n || unsafe(&in)) {
			wg_api_sentence_free(&in);
			continue;
		}
		char *before = fx_export(f, "show-sensitive verbose");
		struct sbuf out = { 0 };
		wg_api_command(f->s, &in, &out);
		if (check_reply(&out)) {
			char *after = fx_export(f, "show-sensitive verbose");
			if (strcmp(before, after))
				FAIL("a trapped %s changed the configuration", in.w[0]);
			free(after);
		}
		free(before);
		sb_free(&out);
		wg_api_sentence_free(&in);
	}
	fx_free(f);
	return 0;
}

#include "standalone.h"
