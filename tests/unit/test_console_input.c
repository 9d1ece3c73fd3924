/* Hostile input to the console never hangs, crashes or half-runs: blanks of every kind,
 * NUL bytes, deep nesting and oversized scripts are refused with RouterOS-style errors
 * before anything of them runs, and failing commands leave no allocation behind. */
#include <malloc.h>
#include <signal.h>
#include "test.h"
#include "test_console_fixture.h"

/* A case that used to loop forever must fail, not hang the test run. */
static const char *running;

static void hung(int sig)
{
	printf("  did not finish within 10 s\nFAIL test_console_input.c:%s\n", running);
	fflush(stdout);
	_exit(1);
}

static void bound(const char *name)
{
	running = name;
	signal(SIGALRM, hung);
	alarm(10);
}

/* Runs len bytes (NUL bytes included) as the daemon does with a control frame. */
static int run_n(struct fx *f, const char *text, size_t len)
{
	sb_reset(&f->out);
	sb_reset(&f->err);
	return wg_session_run_n(f->s, text, len);
}

static char *repeat(const char *head, char c, size_t n, const char *mid, char c2, const char *tail)
{
	struct sbuf b;
	sb_init(&b);
	sb_add(&b, head);
	for (size_t i = 0; i < n; i++)
		sb_addc(&b, c);
	sb_add(&b, mid);
	for (size_t i = 0; c2 && i < n; i++)
		sb_addc(&b, c2);
	sb_add(&b, tail);
	return sb_take(&b);
}

static const char *identity(struct fx *f)
{
	return fx_run_out(f, ":put [/system/identity/get name]");
}

TEST(every_blank_separates_words)
{
	static const char blanks[] = " \t\r\v\f";
	struct fx *f = fx_new();
	bound("every_blank_separates_words");
	for (const char *b = blanks; *b; b++) {
		char *cmd = xasprintf("/ip/address/print%c", *b);
		CHECK_EQ(fx_run(f, cmd), 0);
		free(cmd);
		cmd = xasprintf("/system/identity/set%cname=r%d%c", *b, (int)(b - blanks), *b);
		CHECK_EQ(fx_run(f, cmd), 0);
		free(cmd);
		char want[16];
		snprintf(want, sizeof(want), "r%d\n", (int)(b - blanks));
		CHECK(!strcmp(identity(f), want), "blank %d: %s", *b, fx_last(f));
	}
	alarm(0);
	fx_free(f);
}

TEST(nul_byte_is_an_error_not_the_end)
{
	static const char cmd[] = "/system/identity/set name=x\0 bogus=1";
	struct fx *f = fx_new();
	CHECK(run_n(f, cmd, sizeof(cmd) - 1) != 0);
	CHECK(!strcmp(fx_err(f), "syntax error (line 1 column 28)\n"), "%s", fx_err(f));
	CHECK(!strcmp(identity(f), "wgrouter\n"));
	static const char second[] = ":put 1\n:put \"a\0b\"";
	CHECK(run_n(f, second, sizeof(second) - 1) != 0);
	CHECK(!strcmp(fx_last(f), ""), "nothing runs: %s", fx_last(f));
	CHECK(!strcmp(fx_err(f), "syntax error (line 2 column 8)\n"), "%s", fx_err(f));
	/* "\00" would make the same NUL inside a value */
	CHECK(fx_run(f, "/system/identity/set name=\"x\\00y\"") != 0);
	CHECK(!strcmp(fx_err(f), "syntax error (line 1 column 29)\n"), "%s", fx_err(f));
	CHECK(!strcmp(identity(f), "wgrouter\n"));
	fx_free(f);
}

/* 100,000 nested brackets used to overflow the stack while parsing. */
TEST(deep_nesting_is_refused)
{
	struct fx *f = fx_new();
	char *s = repeat(":put ", '[', 100000, ":put 1", ']', "");
	CHECK(fx_run(f, s) != 0);
	CHECK(!strcmp(fx_err(f), "failure: script nesting too deep (line 1 column 38)\n"), "%s", fx_err(f));
	free(s);
	s = repeat(":if (true) do=", '{', 100000, ":put 1", '}', "");
	CHECK(fx_run(f, s) != 0);
	CHECK(!strncmp(fx_err(f), "failure: script nesting too deep", 32), "%s", fx_err(f));
	free(s);
	s = repeat(":if (", '(', 100000, "true", ')', ") do={:put 1}");
	CHECK(fx_run(f, s) != 0);
	CHECK(!strcmp(fx_err(f), "failure: expression nesting too deep (line 1 column 37)\n"), "%s", fx_err(f));
	free(s);
	s = repeat(":if (", '!', 100000, "true) do={:put 1}", 0, "");
	CHECK(fx_run(f, s) != 0);
	CHECK(!strncmp(fx_err(f), "failure: expression nesting too deep", 36), "%s", fx_err(f));
	free(s);
	s = repeat("/ip/address/print where ", '!', 100000, "disabled", 0, "");
	CHECK(fx_run(f, s) != 0);
	CHECK(!strncmp(fx_err(f), "failure: expression nesting too deep", 36), "%s", fx_err(f));
	free(s);
	fx_free(f);
}

/* An and-chain of terms nests too (each term under the previous ones). */
TEST(long_where_expressions_are_refused)
{
	struct fx *f = fx_new();
	struct sbuf b;
	sb_init(&b);
	sb_add(&b, "/ip/address/print where");
	for (int i = 0; i < 200000; i++)
		sb_add(&b, " disabled");
	CHECK(fx_run(f, sb_str(&b)) != 0);
	CHECK(!strncmp(fx_err(f), "failure: expression too long (line 1 column ", 44), "%s", fx_err(f));
	sb_free(&b);
	fx_free(f);
}

TEST(reasonable_nesting_still_works)
{
	struct fx *f = fx_new();
	struct sbuf s;
	sb_init(&s);
	sb_add(&s, ":put ");
	for (int i = 0; i < 10; i++)
		sb_add(&s, "[:put ");
	sb_add(&s, "1");
	for (int i = 0; i < 10; i++)
		sb_add(&s, "]");
	CHECK_EQ(fx_run(f, sb_str(&s)), 0);
	CHECK(!strncmp(fx_last(f), "1\n", 2), "%s", fx_last(f)); /* each :put prints */
	sb_free(&s);
	CHECK_EQ(fx_run(f, ":if (!(!((true)))) do={:put yes}"), 0);
	CHECK(!strcmp(fx_last(f), "yes\n"), "%s", fx_last(f));
	CHECK_EQ(fx_run(f, "/ip/address/print where !(!disabled or disabled) and !!disabled"), 0);
	fx_free(f);
}

TEST(script_length_is_bounded)
{
	struct fx *f = fx_new();
	struct sbuf b;
	sb_init(&b);
	sb_add(&b, ":put 1\n");
	while (b.len < WG_SCRIPT_MAX)
		sb_addc(&b, ' ');
	CHECK_EQ(run_n(f, b.s, b.len), 0);
	CHECK(!strcmp(fx_last(f), "1\n"));
	sb_addc(&b, ' ');
	CHECK(run_n(f, b.s, b.len) != 0);
	CHECK(!strcmp(fx_last(f), ""), "nothing runs: %s", fx_last(f));
	CHECK(!strcmp(fx_err(f), "failure: script longer than 4 MiB\n"), "%s", fx_err(f));
	sb_free(&b);
	fx_free(f);
}

/* Failing commands whose arguments or configuration hold private keys: nothing of them
 * may stay allocated (tests/README: run this test under ASan/LSan to see where). */
static size_t heap_in_use(void)
{
	return mallinfo2().uordblks;
}

TEST(failing_commands_leak_nothing)
{
	char priv[45], pub[45];
	fx_keypair(priv, pub);
	char *cmds[] = {
		xasprintf("/interface/wireguard/wg-import config-string=\"[Interface]\\nPrivateKey = %s\\n\" (", priv),
		xasprintf("/interface/wireguard/wg-import name=x config-string=\"[Interface]\\nPrivateKey = %s\\n"
			  "[Peer]\\nPublicKey = %s\\nEndpoint = a:1\\nEndpoint = b:2\\nbogus\\n\"", priv, pub),
		xasprintf("/interface/wireguard/add name=x private-key=\"%s\" )", priv),
		xstrdup("/export file=x ("),
		xstrdup("/import file-name=x.rsc ("),
		xstrdup("/interface/wireguard/wg-export x ("),
	};
	size_t n = sizeof(cmds) / sizeof(cmds[0]);
	struct fx *f = fx_new();
	for (size_t k = 0; k < n; k++) { /* warm up: buffers and malloc's caches settle */
		CHECK(fx_run(f, cmds[k]) != 0, "%s", cmds[k]);
		for (int i = 0; i < 50; i++)
			fx_run(f, cmds[k]);
	}
	size_t before = heap_in_use();
	for (int i = 0; i < 200; i++)
		for (size_t k = 0; k < n; k++)
			fx_run(f, cmds[k]);
	size_t after = heap_in_use();
	CHECK(after <= before + 1024, "heap grew by %zu bytes over 1200 failing commands", after - before);
	for (size_t k = 0; k < n; k++)
		free(cmds[k]);
	fx_free(f);
}
