/* The RouterOS API's wire format (api/apiwire.h) and one sentence through the command
 * core (api/apicmd.h). */
#include "test.h"
#include "test_console_fixture.h"
#include "api/apicmd.h"
#include "api/apiwire.h"

/* Lengths round-trip at every encoding boundary, and a sentence cut anywhere asks for
 * more instead of failing or reading past the end. */
TEST(word_lengths_round_trip_at_every_boundary)
{
	static const size_t lens[] = { 0x7F, 0x80, 0x3FFF, 0x4000, 0xFFFF };
	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		struct sbuf b = { 0 };
		char *w = xmalloc(lens[i]);
		memset(w, 'x', lens[i]);
		wg_api_put_word(&b, w, lens[i]);
		wg_api_end(&b);
		size_t hdr = lens[i] < 0x80 ? 1 : lens[i] < 0x4000 ? 2 : 3;
		CHECK_EQ(b.len, hdr + lens[i] + 1);
		struct wg_api_sentence s;
		size_t used = 0;
		const char *err = NULL;
		CHECK_EQ(wg_api_parse((uint8_t *)b.s, b.len, &s, &used, &err), 1);
		CHECK_EQ(used, b.len);
		CHECK(s.n == 1 && strlen(s.w[0]) == lens[i]);
		wg_api_sentence_free(&s);
		for (size_t cut = 0; cut < b.len; cut += 1 + cut / 3) {
			uint8_t *part = xmalloc(cut + 1); /* exact size: ASan sees an overread */
			memcpy(part, b.s, cut);
			CHECK_EQ(wg_api_parse(part, cut, &s, &used, &err), 0);
			free(part);
		}
		free(w);
		sb_free(&b);
	}
	/* the encodings RouterOS documents */
	struct sbuf b = { 0 };
	char *w = xcalloc(1, 0x200000);
	wg_api_put_word(&b, w, 0x200000);
	CHECK(b.len > 4 && (uint8_t)b.s[0] == 0xE0 && (uint8_t)b.s[1] == 0x20 && b.s[2] == 0 && b.s[3] == 0);
	free(w);
	sb_free(&b);
}

TEST(malformed_and_oversized_input_refused)
{
	struct wg_api_sentence s;
	size_t used;
	const char *err = NULL;
	const uint8_t control[] = { 0xF8, 0 };
	CHECK_EQ(wg_api_parse(control, sizeof(control), &s, &used, &err), -1);
	const uint8_t nul[] = { 3, 'a', 0, 'b', 0 };
	CHECK_EQ(wg_api_parse(nul, sizeof(nul), &s, &used, &err), -1);
	/* a word over the limit is refused as soon as its length is read, not waited for */
	const uint8_t big[] = { 0xC1, 0x00, 0x01 };   /* 0x10001 bytes */
	CHECK_EQ(wg_api_parse(big, sizeof(big), &s, &used, &err), -1);
	const uint8_t huge[] = { 0xF0, 0x7F, 0xFF, 0xFF, 0xFF };
	CHECK_EQ(wg_api_parse(huge, sizeof(huge), &s, &used, &err), -1);
	/* too many words */
	struct sbuf b = { 0 };
	for (int i = 0; i < WG_API_WORDS_MAX + 1; i++)
		wg_api_put_str(&b, "=a=b");
	wg_api_end(&b);
	CHECK_EQ(wg_api_parse((uint8_t *)b.s, b.len, &s, &used, &err), -1);
	sb_free(&b);
}

/* Runs one sentence given as NULL-terminated words; the reply's words, flattened. */
static char *api(struct fx *f, const char *const *words)
{
	struct wg_api_sentence in = { 0 };
	for (; *words; words++) {
		in.w = xrealloc(in.w, (in.n + 1) * sizeof(char *));
		in.w[in.n++] = xstrdup(*words);
	}
	struct sbuf out = { 0 }, flat = { 0 };
	wg_api_command(f->s, &in, &out);
	wg_api_sentence_free(&in);
	size_t pos = 0;
	while (pos < out.len) {
		struct wg_api_sentence r;
		size_t used;
		const char *err;
		if (wg_api_parse((uint8_t *)out.s + pos, out.len - pos, &r, &used, &err) != 1)
			break;
		for (size_t i = 0; i < r.n; i++)
			sb_printf(&flat, "%s ", r.w[i]);
		sb_add(&flat, "| ");
		wg_api_sentence_free(&r);
		pos += used;
	}
	sb_free(&out);
	return sb_take(&flat);
}

TEST(sentences_through_the_command_core)
{
	struct fx *f = fx_new();
	char *r = api(f, (const char *[]){ "/interface/wireguard/add", "=name=wg1", "=listen-port=51820", ".tag=3", NULL });
	CHECK(!strncmp(r, "!done .tag=3 =ret=*", 19), "%s", r);
	free(r);
	fx_run(f, "/interface/wireguard/add name=wg2 listen-port=51821 disabled=yes");
	r = api(f, (const char *[]){ "/interface/wireguard/print", "?disabled=true", "=.proplist=name,disabled", NULL });
	CHECK(strstr(r, "!re =.id=*") && strstr(r, "=name=wg2 =disabled=true |") && !strstr(r, "wg1"), "%s", r);
	CHECK(strstr(r, "public-key") == NULL && strstr(r, "!done |"), "%s", r);
	free(r);
	r = api(f, (const char *[]){ "/interface/wireguard/print", "?name=wg1", "?name=wg2", "?#|", NULL });
	CHECK(strstr(r, "=name=wg1") && strstr(r, "=name=wg2"), "%s", r);
	free(r);
	r = api(f, (const char *[]){ "/interface/wireguard/add", "=name=wg1", ".tag=x", NULL });
	CHECK(!strcmp(r, "!trap .tag=x =message=failure: already have interface with such name | !done .tag=x | ") ||
	      strstr(r, "!trap .tag=x =message="), "%s", r);
	free(r);
	r = api(f, (const char *[]){ "/interface/wireguard/remove", "=.id=*99", NULL });
	CHECK(!strcmp(r, "!trap =message=no such item | !done | "), "%s", r);
	free(r);
	r = api(f, (const char *[]){ "/interface/wireguard/print", "?#|", NULL });
	CHECK(strstr(r, "!trap =message=invalid query") != NULL, "%s", r);
	free(r);
	r = api(f, (const char *[]){ "/nonexistent/print", NULL });
	CHECK(strstr(r, "!trap =message=no such command or directory") != NULL, "%s", r);
	free(r);
	fx_free(f);
}
