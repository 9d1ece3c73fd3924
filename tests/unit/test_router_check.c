/* The checks of add and set (router/check.c) on cases found by tests/fuzz/fuzz_console.c. */
#include "test.h"
#include "test_console_fixture.h"

/* What add generates when it is not given (an interface's name, listen port and private
 * key, a peer's name, a rule's action) cannot be removed by set or unset: an interface
 * left without a listen port took a random one at every start, and the export of such
 * a configuration imported as a different one. */
TEST(check_generated_properties_cannot_be_removed)
{
	struct fx *f = fx_new();
	CHECK_EQ(fx_run(f, "/interface wireguard add name=wg0\n"
			   "/interface wireguard peers add interface=wg0 allowed-address=10.0.0.2/32 "
			   "public-key=\"xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=\"\n"
			   "/ip firewall filter add chain=input\n"
			   "/ip firewall nat add chain=srcnat action=masquerade\n"
			   "/routing mangle add chain=prerouting\n"), 0);
	char *before = fx_export(f, "show-sensitive verbose");
	static const char *const cmds[] = {
		"/interface wireguard set wg0 listen-port=\"\"",
		"/interface wireguard unset wg0 listen-port",
		"/interface wireguard unset wg0 private-key",
		"/interface wireguard set wg0 name=\"\"",
		"/interface wireguard peers unset 0 name",
		"/ip firewall filter unset 0 action",
		"/ip firewall nat set 0 action=\"\"",
		"/routing mangle set 0 !action",
	};
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		CHECK(fx_run(f, cmds[i]) != 0, "%s succeeded", cmds[i]);
		CHECK(fx_err(f)[0], "%s: no error", cmds[i]);
	}
	char *after = fx_export(f, "show-sensitive verbose");
	CHECK(!strcmp(before, after), "changed:\n%s\n---\n%s", before, after);
	/* and the export imports into a fresh router as the same configuration */
	struct fx *g = fx_new();
	CHECK_EQ(fx_run(g, after), 0);
	char *again = fx_export(g, "show-sensitive verbose");
	CHECK(!strcmp(after, again), "imported:\n%s\n---\n%s", after, again);
	free(before);
	free(after);
	free(again);
	fx_free(g);
	fx_free(f);
}
