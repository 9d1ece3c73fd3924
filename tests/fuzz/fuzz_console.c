/* libFuzzer harness for the console language (src/console: lexer, parser, interpreter,
 * commands) over a router model with no persistence and the recording backend of the
 * unit tests (tests/unit/test_console_fixture.h: no data plane, no system change, host
 * names resolved from a table). The input is a script; it runs one top-level command at
 * a time, as a user would paste it.
 * Properties, besides no crash, leak or undefined behaviour:
 * - a single command (no [...] or {...} inside, which may hold commands of their own)
 *   that fails leaves the configuration as it was: `/export show-sensitive verbose` is
 *   the same text before and after;
 * - the configuration the script left, saved by the router's persistence
 *   (wg_persist_save, in a temporary directory) and loaded by a new router, exports to
 *   the same text;
 * - that export, run as a script on a fresh router, succeeds and exports to the same
 *   text again (export.c promises it imports into an empty router identically).
 * Inputs that could leave the process's sandbox are skipped: /ping runs the system's
 * ping, file names (export file=, /import, show-client-config file=, wg-import
 * config-file=) reach the file system, :delay sleeps, :resolve asks a resolver,
 * /tool/bandwidth-test connects, traceroute, torch and the sniffer send or capture
 * packets for real. Run it with -max_len=4096 (as
 * tests/fuzz/run.sh does through tests/fuzz/fuzz_console.options).
 * With -DFUZZ_STANDALONE it replays the files named on the command line. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "console/export.h"
#include "console/lang.h"
#include "router/apply.h"
#include "../unit/test_console_fixture.h"

#define FAIL(...) do { fprintf(stderr, __VA_ARGS__); fputc('\n', stderr); abort(); } while (0)

enum { MAX_INPUT = 4096, MAX_COMMANDS = 64 };

static char state_dir[64];

static void remove_state_file(void)
{
	char path[128];
	snprintf(path, sizeof(path), "%s/config.state", state_dir);
	unlink(path);
}

static void remove_state_dir(void)
{
	remove_state_file();
	rmdir(state_dir);
}

/* A private directory for the persistence round trip, in memory where there is one. */
static void make_state_dir(void)
{
	if (state_dir[0])
		return;
	struct stat st;
	snprintf(state_dir, sizeof(state_dir), "%s/fuzz_console.XXXXXX",
		 stat("/dev/shm", &st) == 0 ? "/dev/shm" : "/tmp");
	if (!mkdtemp(state_dir))
		FAIL("mkdtemp %s", state_dir);
	atexit(remove_state_dir);
}

/* Words that reach outside the sandbox (see above); wg-import stays, its config-file
 * argument contains "file". */
static bool unsafe(const char *s)
{
	if (strstr(s, "ping") || strstr(s, "file") || strstr(s, "delay") || strstr(s, "resolve") ||
	    strstr(s, "bandwidth") || strstr(s, "trace") || strstr(s, "torch") || strstr(s, "sniff"))
		return true;
	for (const char *p = s; (p = strstr(p, "import")); p++)
		if (p - s < 3 || strncmp(p - 3, "wg-", 3))
			return true;
	return false;
}

static char *export_of(struct fx *f)
{
	struct sbuf b;
	sb_init(&b);
	wg_export_text(wg_router_store(f->r), "/", WG_EXPORT_SENSITIVE | WG_EXPORT_VERBOSE | WG_EXPORT_NOHEADER, &b);
	return sb_take(&b);
}

static bool has_nested(const struct wg_script *sc)
{
	for (size_t i = 0; i < sc->n; i++)
		for (size_t k = 0; k < sc->cmds[i].n; k++)
			if (sc->cmds[i].t[k].sub)
				return true;
	return false;
}

/* Byte offset of (line, col), both 1-based as the lexer counts them. */
static size_t offset_of(const char *text, int line, int col)
{
	const char *p = text;
	for (int l = 1; l < line && (p = strchr(p, '\n')); l++)
		p++;
	return p ? (size_t)(p - text) + (size_t)(col - 1) : strlen(text);
}

/* Runs one command's text; if it is a single plain command and fails, the
 * configuration must not have changed. */
static void run_one(struct fx *f, const char *cmd)
{
	char err[128];
	struct wg_script *sc = wg_parse(cmd, strlen(cmd), err, sizeof(err));
	bool single = sc && sc->n == 1 && !has_nested(sc);
	wg_script_free(sc);
	char *before = single ? export_of(f) : NULL;
	if (fx_run(f, cmd) != 0 && single) {
		char *after = export_of(f);
		if (strcmp(before, after))
			FAIL("a failed command changed the configuration:\n%s\n--- error: %s--- before:\n%s--- after:\n%s",
			     cmd, fx_err(f), before, after);
		free(after);
	}
	free(before);
}

/* Splits the script at its top-level commands (the parser's positions) and runs them in
 * turn; a script that does not parse runs line by line. */
static void run_script(struct fx *f, const char *text)
{
	char err[128];
	struct wg_script *sc = wg_parse(text, strlen(text), err, sizeof(err));
	if (!sc) {
		char *copy = xstrdup(text), *save = NULL;
		int n = 0;
		for (char *l = strtok_r(copy, "\n", &save); l && n < MAX_COMMANDS; l = strtok_r(NULL, "\n", &save), n++)
			run_one(f, l);
		free(copy);
		return;
	}
	for (size_t i = 0; i < sc->n && i < MAX_COMMANDS; i++) {
		size_t a = offset_of(text, sc->cmds[i].line, sc->cmds[i].col);
		size_t b = i + 1 < sc->n ? offset_of(text, sc->cmds[i + 1].line, sc->cmds[i + 1].col) : strlen(text);
		if (a > b || b > strlen(text))
			FAIL("command %zu at offsets %zu..%zu", i, a, b);
		char *cmd = xstrndup(text + a, b - a);
		run_one(f, cmd);
		free(cmd);
	}
	wg_script_free(sc);
}

/* Saved and loaded by a new router: the same export. */
static void check_persistence(struct fx *f, const char *want)
{
	char err[256];
	make_state_dir();
	if (wg_persist_save(state_dir, wg_router_store(f->r), err, sizeof(err)) < 0)
		FAIL("save: %s", err);
	struct fx *g = fx_new_dir(state_dir);
	if (!g->r)
		FAIL("the saved state does not load");
	char *got = export_of(g);
	if (strcmp(want, got))
		FAIL("saved and loaded, the export differs:\n--- before:\n%s--- after:\n%s", want, got);
	free(got);
	fx_free(g);
	remove_state_file();
}

/* The export imports into a fresh router and exports identically. */
static void check_reimport(const char *want)
{
	struct fx *g = fx_new();
	if (fx_run(g, want) != 0)
		FAIL("the export does not import: %s\n%s", fx_err(g), want);
	char *got = export_of(g);
	if (strcmp(want, got))
		FAIL("exported, imported and exported again, the text differs:\n--- first:\n%s--- second:\n%s", want,
		     got);
	free(got);
	fx_free(g);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > MAX_INPUT)
		return -1;
	char *text = malloc(size + 1);
	memcpy(text, data, size);
	text[size] = 0;
	if (strlen(text) != size || unsafe(text)) {
		free(text);
		return -1;
	}
	struct fx *f = fx_new();
	if (!f->r)
		FAIL("fixture");
	run_script(f, text);
	char *exp = export_of(f);
	check_persistence(f, exp);
	check_reimport(exp);
	free(exp);
	fx_free(f);
	free(text);
	return 0;
}

#include "standalone.h"
