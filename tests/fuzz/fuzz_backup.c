/* libFuzzer harness for the /system/backup file (src/router/backup.c, wg_backup_open)
 * and the state text inside it (src/router/persist.c, wg_persist_parse): a backup file
 * is read from the files directory, where a remote user's exports also land.
 * Properties, besides no crash, leak or undefined behaviour:
 * - a refused file leaves the text empty and says one of the RouterOS-like messages;
 * - a sealed file opens only with the password it was sealed with ("pw" in the corpus,
 *   with the cheapest Argon2id parameters) and never with another;
 * - what opened and parsed as a state writes back (wg_persist_text) to a text that parses
 *   to a store writing the same text again (load, save, load is stable);
 * - the opened text sealed again (plain) opens to the same text.
 * With -DFUZZ_STANDALONE it replays the files named on the command line. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "router/apply.h"
#include "router/backup.h"
#include "router/store.h"

#define FAIL(...) do { fprintf(stderr, __VA_ARGS__); fputc('\n', stderr); abort(); } while (0)

static void check_refusal(const char *err, const struct sbuf *text)
{
	static const char *const known[] = { "failure: not a backup file", "failure: backup is encrypted, password needed",
					     "failure: wrong password or damaged backup file", "failure: not enough memory" };
	bool ok = false;
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		ok |= !strcmp(err, known[i]);
	if (!ok || text->len)
		FAIL("refusal: \"%s\", %zu bytes of text left", err, text->len);
}

/* load, save, load, save: the two saves are the same text. */
static void check_state(const struct sbuf *text)
{
	char err[256], *copy = strndup(text->s ? text->s : "", text->len);
	struct wg_store *a = NULL, *b = NULL;
	if (wg_persist_parse(copy, &a, err, sizeof(err)) == 0) {
		struct sbuf t1, t2;
		sb_init(&t1);
		sb_init(&t2);
		wg_persist_text(a, &t1);
		char *again = strdup(sb_str(&t1));
		if (wg_persist_parse(again, &b, err, sizeof(err)) < 0)
			FAIL("saved state does not load: %s\n%s", err, sb_str(&t1));
		wg_persist_text(b, &t2);
		if (strcmp(sb_str(&t1), sb_str(&t2)))
			FAIL("state changed between two saves:\n%s\n---\n%s", sb_str(&t1), sb_str(&t2));
		wg_store_free(b);
		free(again);
		sb_free(&t1);
		sb_free(&t2);
		wg_store_free(a);
	}
	free(copy);
}

static void check_reseal(const struct sbuf *text)
{
	struct sbuf f, t;
	char err[128];
	sb_init(&f);
	sb_init(&t);
	wg_backup_seal(text->s ? text->s : "", text->len, NULL, &f);
	if (wg_backup_open((const unsigned char *)f.s, f.len, NULL, &t, err, sizeof(err)) < 0 || t.len != text->len ||
	    memcmp(t.s ? t.s : "", text->s ? text->s : "", t.len))
		FAIL("plain reseal does not open to the same text");
	sb_free(&f);
	sb_free(&t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sbuf text, other;
	char err[128];
	sb_init(&text);
	sb_init(&other);
	if (wg_backup_open(data, size, "pw", &text, err, sizeof(err)) < 0) {
		check_refusal(err, &text);
	} else {
		bool sealed = size > 18 && memcmp(data, "WGRBACKUP 1 plain\n", 18);
		if (sealed && wg_backup_open(data, size, "pw2", &other, err, sizeof(err)) == 0)
			FAIL("a sealed backup opened with two passwords");
		check_state(&text);
		check_reseal(&text);
	}
	sb_free(&text);
	sb_free(&other);
	return 0;
}

#include "standalone.h"
