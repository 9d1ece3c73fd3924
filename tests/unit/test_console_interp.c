/* The interpreter's argument collection on input found by tests/fuzz/fuzz_console.c.
 * The leaks show under `make check-sanitize` (LeakSanitizer). */
#include "test.h"
#include "test_console_fixture.h"

/* An argument that fails to evaluate after others were collected: the command fails,
 * nothing changes, and the arguments already collected (here a private key) are freed
 * and wiped, not leaked. */
TEST(interp_failed_argument_frees_the_others)
{
	struct fx *f = fx_new();
	static const char *const cmds[] = {
		"/interface wireguard add private-key=\"yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk=\" name=[/nowhere]",
		"/interface wireguard wg-import config-string=\"[Interface]\" name=[/nowhere]",
		"/interface wireguard wg-export file=x [/nowhere]",
		"/interface wireguard add name=wg0 comment=\"x\" )",
	};
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		CHECK(fx_run(f, cmds[i]) != 0, "%s", cmds[i]);
		CHECK(fx_err(f)[0], "no error for %s", cmds[i]);
	}
	char *ex = fx_export(f, NULL);
	CHECK(!strstr(ex, "/interface wireguard"), "%s", ex);
	free(ex);
	fx_free(f);
}
