/* libFuzzer harness for the configuration journal (src/router/journal.c, replayed by
 * wg_persist_load_state at every start): a kill during a commit leaves a torn record,
 * a disk can return anything, and the daemon must still start with what was
 * acknowledged or refuse with a message.
 *
 * Input: a flags byte, then record bodies separated by lines "%%". The harness seals
 * each body as a commit does ("end LEN HASH", BLAKE2s), so the records reach the
 * parser instead of failing their checksum; flags choose a torn last record (no end
 * line), a last record with a wrong hash, and a header of another generation. The
 * journal goes onto a snapshot of a fixed configuration in a fresh directory.
 * Properties, besides no crash, leak or undefined behaviour:
 * - the load succeeds, or fails with a message (never silently);
 * - a journal of another generation is ignored: the snapshot alone is loaded;
 * - a successful load cuts the file to a prefix of what was written, and exactly to the
 *   whole records when every body is free of "end " lines (nothing acknowledged is lost,
 *   nothing torn stays);
 * - loading again gives the same configuration and leaves the file as it is;
 * - the loaded configuration, written as state text and parsed back, writes the same.
 * With -DFUZZ_STANDALONE it replays the files named on the command line. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "crypto/crypto.h"
#include "router/apply.h"
#include "router/persist.h"
#include "router/store.h"
#include "util/sbuf.h"

#define FAIL(...) do { fprintf(stderr, __VA_ARGS__); fputc('\n', stderr); abort(); } while (0)

enum { F_TORN = 1, F_BADHASH = 2, F_OTHER_GEN = 4 };

static const char base_state[] =
	"# wgrouter state 1\n"
	"next /interface/wireguard 2\n"
	"item /interface/wireguard *1 name=\"wg1\" listen-port=\"13231\" "
	"private-key=\"oP8PKfroLJfpePm2hLd2nvV93EzTn7YTIcvNgX10flA=\"\n"
	"next /interface/wireguard/peers 2\n"
	"item /interface/wireguard/peers *1 name=\"peer1\" interface=\"wg1\" "
	"public-key=\"mOTY3rA0cUUYTfGmM7eSt8pyVQkJd0T3kTD8MGZCRkE=\" allowed-address=\"10.0.0.2/32\"\n"
	"next /ip/address 2\n"
	"item /ip/address *1 address=\"10.0.0.1/24\" interface=\"wg1\"\n"
	"next /ip/firewall/filter 3\n"
	"item /ip/firewall/filter *1 chain=\"input\" action=\"accept\"\n"
	"item /ip/firewall/filter *2 chain=\"input\" action=\"drop\"\n";

static char *read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "re");
	char *s = f ? sb_read_stream(f) : NULL;
	if (f)
		fclose(f);
	*len = s ? strlen(s) : 0;
	return s;
}

static void write_all(const char *path, const char *s, size_t len)
{
	FILE *f = fopen(path, "we");
	if (!f || fwrite(s, 1, len, f) != len || fclose(f))
		FAIL("cannot write %s", path);
}

static char *state_text(const struct wg_store *st)
{
	struct sbuf b;
	sb_init(&b);
	wg_persist_text(st, &b);
	char *s = strdup(sb_str(&b));
	sb_free(&b);
	return s;
}

/* Appends body (with a newline added when missing) and its end line; returns whether
 * the body holds a line starting with "end ", which ends the record early on reading. */
static bool seal_into(struct sbuf *j, const char *body, size_t len, bool bad_hash)
{
	struct sbuf r;
	sb_init(&r);
	sb_addn(&r, body, len);
	if (!len || body[len - 1] != '\n')
		sb_addc(&r, '\n');
	uint8_t h[WG_HASH_LEN];
	wg_hash(h, sb_str(&r), r.len, NULL, 0);
	if (bad_hash)
		h[0] ^= 1;
	bool inner_end = !strncmp(sb_str(&r), "end ", 4) || strstr(sb_str(&r), "\nend ");
	sb_addn(j, sb_str(&r), r.len);
	sb_printf(j, "end %zu ", r.len);
	for (int i = 0; i < 8; i++)
		sb_printf(j, "%02x", h[i]);
	sb_addc(j, '\n');
	sb_free(&r);
	return inner_end;
}

/* The journal text for the input; *whole = its length up to the last verifiable record,
 * *exact = whether the reader must stop exactly there. */
static void build_journal(struct sbuf *j, uint64_t gen, uint8_t flags, const char *in, size_t n, size_t *whole,
			  bool *exact)
{
	sb_printf(j, "journal %016llx\n", (unsigned long long)gen);
	*whole = j->len;
	*exact = !memchr(in, 0, n); /* the reader stops at a NUL: it reads text */
	const char *p = in, *end = in + n;
	while (p < end) {
		const char *sep = memmem(p, (size_t)(end - p), "\n%%\n", 4);
		const char *stop = sep ? sep + 1 : end;
		bool last = !sep;
		if (last && (flags & F_TORN)) {
			sb_addn(j, p, (size_t)(stop - p));
			break;
		}
		if (seal_into(j, p, (size_t)(stop - p), last && (flags & F_BADHASH)))
			*exact = false;
		if (!(last && (flags & F_BADHASH)))
			*whole = j->len;
		p = sep ? sep + 4 : end;
	}
}

static void check_loaded(const char *dir, const char *jpath, const char *written, size_t wlen, size_t whole,
			 bool exact, struct wg_store *st)
{
	size_t len;
	char *after = read_all(jpath, &len), err[256] = "";
	if (!after || len > wlen || memcmp(after, written, len))
		FAIL("the journal after loading is not a prefix of what was written");
	if (exact && len != whole)
		FAIL("the journal was cut to %zu bytes, its whole records end at %zu", len, whole);
	struct wg_store *again = NULL;
	struct wg_persist p2 = { 0 };
	if (wg_persist_load_state(dir, &again, &p2, err, sizeof(err)) < 0)
		FAIL("a loaded journal does not load again: %s", err);
	char *t1 = state_text(st), *t2 = state_text(again);
	if (strcmp(t1, t2))
		FAIL("the second load differs:\n%s\n---\n%s", t1, t2);
	size_t len2;
	char *after2 = read_all(jpath, &len2);
	if (len2 != len || memcmp(after2, after, len))
		FAIL("the second load changed the journal");
	struct wg_store *parsed = NULL;
	char *copy = strdup(t1);
	if (wg_persist_parse(copy, &parsed, err, sizeof(err)) < 0)
		FAIL("the loaded configuration's text does not parse: %s\n%s", err, t1);
	char *t3 = state_text(parsed);
	if (strcmp(t1, t3))
		FAIL("state text changed through a parse:\n%s\n---\n%s", t1, t3);
	wg_store_free(parsed);
	wg_store_free(again);
	free(copy);
	free(t1);
	free(t2);
	free(t3);
	free(after);
	free(after2);
}

static char *fresh_dir(void)
{
	char tmpl[] = "/dev/shm/fuzz_journal.XXXXXX";
	char *d = mkdtemp(tmpl) ? strdup(tmpl) : NULL;
	if (!d)
		FAIL("mkdtemp");
	return d;
}

static void remove_dir(char *dir)
{
	static const char *const names[] = { "config.state", "config.state.tmp", "config.journal" };
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char path[256];
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		unlink(path);
	}
	rmdir(dir);
	free(dir);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!size || size > 64 * 1024)
		return 0;
	char *dir = fresh_dir(), err[256] = "", jpath[256];
	char *text = strdup(base_state);
	struct wg_store *base = NULL, *st = NULL;
	struct wg_persist p = { 0 };
	if (wg_persist_parse(text, &base, err, sizeof(err)) < 0 || wg_persist_snapshot(dir, base, &p, err, sizeof(err)) < 0)
		FAIL("base configuration: %s", err);
	char *base_text = state_text(base);
	uint8_t flags = data[0];
	struct sbuf j;
	size_t whole;
	bool exact;
	sb_init(&j);
	build_journal(&j, flags & F_OTHER_GEN ? p.gen ^ 1 : p.gen, flags, (const char *)data + 1, size - 1, &whole,
		      &exact);
	snprintf(jpath, sizeof(jpath), "%s/config.journal", dir);
	write_all(jpath, sb_str(&j), j.len);
	struct wg_persist lp = { 0 };
	if (wg_persist_load_state(dir, &st, &lp, err, sizeof(err)) < 0) {
		if (!err[0])
			FAIL("a refused journal without a message");
		if (flags & F_OTHER_GEN)
			FAIL("a journal of another generation was not ignored: %s", err);
	} else if (flags & F_OTHER_GEN) {
		char *t = state_text(st);
		if (strcmp(t, base_text))
			FAIL("a journal of another generation changed the configuration");
		free(t);
	} else {
		check_loaded(dir, jpath, sb_str(&j), j.len, whole, exact, st);
	}
	wg_store_free(st);
	wg_store_free(base);
	sb_free(&j);
	free(base_text);
	free(text);
	remove_dir(dir);
	return 0;
}

#include "standalone.h"
