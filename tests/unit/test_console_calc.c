/* Script expressions and functions: ( ) arithmetic with RouterOS's precedence and types,
 * :len :tostr :tonum :toip :tobool :totime :toarray :pick :find :typeof :resolve,
 * arrays {1;2;3}. Each case is one line: the script, what :put printed. */
#include "test.h"
#include "test_console_fixture.h"

struct ecase { const char *script, *out; };

static void run_cases(const struct ecase *v, size_t n)
{
	struct fx *f = fx_new();
	for (size_t i = 0; i < n; i++) {
		int rc = fx_run(f, v[i].script);
		if (rc != 0 || strcmp(fx_last(f), v[i].out))
			fprintf(stderr, "  case %zu: %s -> rc %d out [%s] err [%s], expected [%s]\n", i, v[i].script, rc,
				fx_last(f), fx_err(f), v[i].out);
		CHECK_EQ(rc, 0);
		CHECK(!strcmp(fx_last(f), v[i].out));
	}
	fx_free(f);
}

TEST(calc_arithmetic_and_precedence)
{
	static const struct ecase v[] = {
		{ ":local x 5; :put ($x + 2)", "7\n" },
		{ ":put (1+2*3)", "7\n" },
		{ ":put ((1 + 2) * 3)", "9\n" },
		{ ":put (10 - 4 - 3)", "3\n" },
		{ ":put (17 / 5)", "3\n" },
		{ ":put (17 % 5)", "2\n" },
		{ ":put (-3 + 1)", "-2\n" },
		{ ":put (- (2 * 3))", "-6\n" },
		{ ":put (2 * -3)", "-6\n" },
		{ ":put (\"ab\" . \"cd\")", "abcd\n" },
		{ ":local n 3; :put (\"n=\" . $n + 1)", "n=4\n" },
		{ ":put (1 < 2)", "true\n" },
		{ ":put (10 > 9)", "true\n" },
		{ ":put (2 = 2 && 3 != 3)", "false\n" },
		{ ":put (1 = 2 || 3 >= 3)", "true\n" },
		{ ":put (!true)", "false\n" },
		{ ":put (!(1 > 2) and 2 <= 2)", "true\n" },
		{ ":put (\"abc\" ~ \"^a\")", "true\n" },
		{ ":put (1.2.3.4 + 1)", "1.2.3.5\n" },
		{ ":put (10.0.0.255 + 1)", "10.0.1.0\n" },
		{ ":put (10.0.0.10 - 10.0.0.1)", "9\n" },
		{ ":put (192.168.1.77 & 255.255.255.0)", "192.168.1.0\n" },
		{ ":put (10.1.2.3 in 10.0.0.0/8)", "true\n" },
		{ ":put (192.0.2.1 in 10.0.0.0/8)", "false\n" },
		{ ":put (1h + 30m)", "01:30:00\n" },
		{ ":put (1d - 1s)", "23:59:59\n" },
		{ ":put (2m * 3)", "00:06:00\n" },
		{ ":put (6 & 3 | 8)", "10\n" },
		{ ":local a 4; :local b ($a * $a); :put $b", "16\n" },
		{ ":local i 0; :set i ($i + 1); :set i ($i + 1); :put $i", "2\n" },
		{ ":put {1;2;3}", "1;2;3\n" },
		{ ":local i wg-remote-2; :put ($i = wg-remote-2)", "true\n" },
		{ ":put (ether1-gateway . \"!\")", "ether1-gateway!\n" },
	};
	run_cases(v, sizeof(v) / sizeof(v[0]));
}

TEST(calc_functions)
{
	static const struct ecase v[] = {
		{ ":put [:len \"hello\"]", "5\n" },
		{ ":put [:len {1;2;3}]", "3\n" },
		{ ":put ([:len \"abc\"] * 2)", "6\n" },
		{ ":put [:pick \"hello\" 1 3]", "el\n" },
		{ ":put [:pick \"hello\" 4]", "o\n" },
		{ ":put [:pick {10;20;30} 1]", "20\n" },
		{ ":put [:find \"hello\" \"l\"]", "2\n" },
		{ ":put [:find \"hello\" \"l\" 2]", "3\n" },
		{ ":put [:find \"hello\" \"z\"]", "\n" },
		{ ":put [:find {a;b;c} \"c\"]", "2\n" },
		{ ":put [:tostr 5]", "5\n" },
		{ ":put ([:tonum \"40\"] + 2)", "42\n" },
		{ ":put [:toip \"10.0.0.1\"]", "10.0.0.1\n" },
		{ ":put [:tobool \"yes\"]", "true\n" },
		{ ":put [:totime \"1h\"]", "01:00:00\n" },
		{ ":put [:totime 90]", "00:01:30\n" },
		{ ":put [:toarray \"a,b,c\"]", "a;b;c\n" },
		{ ":put [:typeof 5]", "num\n" },
		{ ":put [:typeof \"5\"]", "str\n" },
		{ ":put [:typeof [:tostr 5]]", "str\n" },
		{ ":put [:typeof true]", "bool\n" },
		{ ":put [:typeof 10.0.0.1]", "ip\n" },
		{ ":put [:typeof 10.0.0.0/8]", "ip-prefix\n" },
		{ ":put [:typeof 2001:db8::1]", "ip6\n" },
		{ ":put [:typeof 1h]", "time\n" },
		{ ":put [:typeof {1;2}]", "array\n" },
		{ ":put [:typeof $nosuchvariable]", "nothing\n" },
		{ ":put [:typeof [:tonum \"abc\"]]", "nil\n" },
		{ ":local s \"7\"; :put [:typeof $s]", "str\n" },
		{ ":local s 7; :put [:typeof $s]", "num\n" },
		{ ":put [:typeof ($x . 1)]", "str\n" },
		{ ":put [:resolve 192.0.2.7]", "192.0.2.7\n" },
		{ ":put [:resolve localhost]", "127.0.0.1\n" },
		{ "/ip/dns/static/add name=nas.lab address=192.0.2.50; :put [:resolve NAS.lab]", "192.0.2.50\n" },
		{ ":foreach i in={1;2;3} do={ :put ($i * 10) }", "10\n20\n30\n" },
	};
	run_cases(v, sizeof(v) / sizeof(v[0]));
}

TEST(calc_errors_and_bounds)
{
	struct fx *f = fx_new();
	CHECK(fx_run(f, ":put (1 / 0)") != 0);
	CHECK(strstr(fx_err(f), "division by zero"));
	CHECK(fx_run(f, ":put (1 +)") != 0);
	CHECK(strstr(fx_err(f), "syntax error"));
	CHECK(fx_run(f, ":put (\"a\" - 1)") != 0);
	CHECK(strstr(fx_err(f), "cannot apply - to str and num"));
	CHECK(fx_run(f, ":put (9223372036854775807 + 1)") != 0);
	CHECK(fx_run(f, ":put [:pick \"abc\"]") != 0);
	CHECK(fx_run(f, ":put [:len \"a\" \"b\"]") != 0);
	CHECK(fx_run(f, ":put [:resolve \"bad name!\"]") != 0);
	wg_session_cancel(f->s); /* Ctrl-C ends a look-up's wait at once */
	CHECK(fx_run(f, ":put [:resolve name.invalid]") != 0);
	CHECK(strstr(fx_err(f), "interrupted"));
	wg_session_cancel_clear(f->s);
	/* 32 nested parentheses are taken, 40 refused with a message, never a crash */
	struct sbuf b;
	sb_init(&b);
	sb_add(&b, ":put ");
	for (int i = 0; i < 30; i++)
		sb_addc(&b, '(');
	sb_add(&b, "1");
	for (int i = 0; i < 30; i++)
		sb_addc(&b, ')');
	CHECK_EQ(fx_run(f, sb_str(&b)), 0);
	CHECK(!strcmp(fx_last(f), "1\n"));
	sb_reset(&b);
	sb_add(&b, ":put (");
	for (int i = 0; i < 40; i++)
		sb_add(&b, "-");
	sb_add(&b, "1)");
	CHECK(fx_run(f, sb_str(&b)) != 0);
	CHECK(strstr(fx_err(f), "too deep"));
	sb_free(&b);
	/* a failed expression sets nothing */
	CHECK(fx_run(f, ":local q 1; :set q ($q / 0)") != 0);
	fx_free(f);
}

TEST(calc_as_argument_value)
{
	struct fx *f = fx_new();
	CHECK_EQ(fx_run(f, ":local m 1400; /interface/wireguard/add name=wg1 mtu=($m + 20)"), 0);
	CHECK_EQ(fx_run(f, ":put [/interface/wireguard/get wg1 mtu]"), 0);
	CHECK(!strcmp(fx_last(f), "1420\n"));
	CHECK_EQ(fx_run(f, "/ip/address/add interface=wg1 address=(10.0.0.0 + 1 . \"/24\")"), 0);
	CHECK_EQ(fx_run(f, ":put [/ip/address/get [find] address]"), 0);
	CHECK(!strcmp(fx_last(f), "10.0.0.1/24\n"));
	fx_free(f);
}

TEST(calc_strings_interpolate_variables)
{
	static const struct ecase v[] = {
		{ ":local n 5; :put \"count: $n\"", "count: 5\n" },
		{ ":local a x; :local b y; :put \"$a-$b.\"", "x-y.\n" },
		{ ":put \"price \\$5\"", "price $5\n" },
		{ ":put \"$nosuch|\"", "|\n" },
		{ ":put \"a $ b\"", "a $ b\n" },
		{ ":local n 2; :put [:typeof \"$n\"]", "str\n" },
		{ ":local n 2; :put (\"n=$n\" . \"!\")", "n=2!\n" },
	};
	run_cases(v, sizeof(v) / sizeof(v[0]));
	struct fx *f = fx_new(); /* exported strings escape $, so they import unchanged */
	CHECK_EQ(fx_run(f, "/interface/wireguard/add name=wg1 comment=\"cost \\$5\""), 0);
	char *e = fx_export(f, "");
	CHECK(strstr(e, "comment=\"cost \\$5\""));
	free(e);
	fx_free(f);
}
