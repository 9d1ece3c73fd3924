/* The console's lexer and parser on input found by tests/fuzz/fuzz_console.c. */
#include "test.h"
#include <unistd.h>
#include "console/lang.h"

/* A vertical tab or form feed ended a word (isspace) but was not skipped as a blank:
 * the lexer returned empty words without moving on, and the parser collected them
 * until memory ran out. Now both are blanks between words. */
TEST(lexer_vertical_tab_and_form_feed_are_blanks)
{
	char err[128];
	alarm(10); /* the old lexer never returned */
	static const char text[] = "/ip route add gateway=wg0 r\vouting-table=x\f comment=y\n:put \v\f";
	struct wg_script *sc = wg_parse(text, sizeof(text) - 1, err, sizeof(err));
	alarm(0);
	CHECK(sc != NULL, "%s", err);
	if (sc) {
		CHECK_EQ(sc->n, 2);
		/* /ip route add gateway = wg0 r outing-table = x comment = y */
		CHECK_EQ(sc->cmds[0].n, 13);
		CHECK(sc->cmds[0].n == 13 && !strcmp(sc->cmds[0].t[7].text, "outing-table"));
		for (size_t i = 0; i < sc->n; i++)
			for (size_t k = 0; k < sc->cmds[i].n; k++)
				CHECK(sc->cmds[i].t[k].type != TK_WORD || sc->cmds[i].t[k].text[0],
				      "empty word at command %zu token %zu", i, k);
		wg_script_free(sc);
	}
}
