/* The console language against the model, with a recording backend instead of the data
 * plane and the system: path forms, menus, values, variables, substitutions, errors. */
#include "test.h"
#include "test_console_fixture.h"

TEST(path_forms_are_equivalent)
{
	struct fx *f = fx_new();
	CHECK_EQ(fx_run(f, "/interface wireguard add name=wg-a listen-port=51820"), 0);
	CHECK_EQ(fx_run(f, "/interface/wireguard/add name=wg-b listen-port=51821"), 0);
	CHECK(strstr(fx_run_out(f, "/interface/wireguard/print terse"), "name=wg-a"));
	CHECK(strstr(fx_last(f), "name=wg-b"));
	fx_free(f);
}

TEST(menu_change_dotdot_and_root)
{
	struct fx *f = fx_new();
	CHECK_EQ(fx_run(f, "/interface wireguard"), 0);
	CHECK(!strcmp(wg_session_menu(f->s), "/interface/wireguard"));
	CHECK_EQ(fx_run(f, "add name=wg0"), 0);
	CHECK_EQ(fx_run(f, "peers"), 0);
	CHECK(!strcmp(wg_session_menu(f->s), "/interface/wireguard/peers"));
	CHECK_EQ(fx_run(f, ".."), 0);
	CHECK(!strcmp(wg_session_menu(f->s), "/interface/wireguard"));
	CHECK_EQ(fx_run(f, "../.."), 0);
	CHECK(!strcmp(wg_session_menu(f->s), "/"));
	CHECK_EQ(fx_run(f, "/ip address"), 0);
	CHECK_EQ(fx_run(f, "add address=10.0.0.1/24 interface=wg0; /"), 0);
	CHECK(!strcmp(wg_session_menu(f->s), "/"));
	char *p = wg_session_prompt(f->s);
	CHECK(!strcmp(p, "[admin@wgrouter] /> "));
	free(p);
	CHECK_EQ(fx_run(f, "/system identity set name=edge1; /ip/route"), 0);
	p = wg_session_prompt(f->s);
	CHECK(!strcmp(p, "[admin@edge1] /ip/route> "));
	free(p);
	fx_free(f);
}

TEST(values_quotes_escapes_comments)
{
	struct fx *f = fx_new();
	CHECK_EQ(fx_run(f, "/interface/wireguard/add name=wg0 comment=\"say \\\"hi\\\"\\tnow\" # trailing comment\n"
			   "# a whole-line comment\n"
			   ":put [/interface/wireguard/get wg0 comment]"), 0);
	CHECK(!strcmp(fx_last(f), "say \"hi\"\tnow\n"));
	CHECK_EQ(fx_run(f, "/interface/wireguard/set wg0 comment=a#b; :put [/interface/wireguard/get wg0 comment]"), 0);
	CHECK(!strcmp(fx_last(f), "a#b\n"));
	fx_free(f);
}

TEST(booleans_and_times)
{
	struct fx *f = fx_new();
	char priv[45], pub[45];
	fx_keypair(priv, pub);
	char *s = xasprintf("/interface/wireguard/add name=wg0 disabled=true\n"
			    "/interface/wireguard/peers/add interface=wg0 public-key=\"%s\" allowed-address=10.1.0.0/24 "
			    "persistent-keepalive=1d2h3m responder=yes", pub);
	CHECK_EQ(fx_run(f, s), 0);
	free(s);
	CHECK_EQ(fx_run(f, ":put [/interface/wireguard/get wg0 disabled]"), 0);
	CHECK(!strcmp(fx_last(f), "yes\n"));
	CHECK_EQ(fx_run(f, ":put [/interface/wireguard/peers/get 0 persistent-keepalive]"), 0);
	CHECK(!strcmp(fx_last(f), "1d2h3m\n"));
	CHECK_EQ(fx_run(f, "/interface/wireguard/peers/set 0 persistent-keepalive=90; :put [/interface/wireguard/peers/get 0 persistent-keepalive]"), 0);
	CHECK(!strcmp(fx_last(f), "1m30s\n"));
	CHECK_EQ(fx_run(f, "/interface/wireguard/enable wg0; :put [/interface/wireguard/get wg0 disabled]"), 0);
	CHECK(!strcmp(fx_last(f), "no\n"));
	fx_free(f);
}

TEST(variables_and_substitution)
{
	struct fx *f = fx_new();
	CHECK_EQ(fx_run(f, ":local n \"wg7\"\n"
			   "/interface/wireguard/add name=$n\n"
			   ":global g [/interface/wireguard/find name=$n]\n"
			   ":put $g"), 0);
	CHECK(!strcmp(fx_last(f), "*1\n"));
	/* a global outlives the session; a local does not */
	struct wg_session *s2 = wg_session_new(f->r, NULL, NULL);
	wg_session_free(s2);
	CHECK_EQ(fx_run(f, ":put $g"), 0);
	CHECK(!strcmp(fx_last(f), "*1\n"));
	CHECK_EQ(fx_run(f, ":set g \"x\"; :put $g"), 0);
	CHECK(!strcmp(fx_last(f), "x\n"));
	CHECK_EQ(fx_run(f, ":put [:put inner]"), 0);
	fx_free(f);
}

TEST(item_references)
{
	struct fx *f = fx_new();
	CHECK_EQ(fx_run(f, "/interface/wireguard/add name=a; /interface/wireguard/add name=b; /interface/wireguard/add name=c"), 0);
	CHECK_EQ(fx_run(f, "/interface/wireguard/print"), 0);
	CHECK_EQ(fx_run(f, "/interface/wireguard/set 1 mtu=1300"), 0);             /* number from print */
	CHECK_EQ(fx_run(f, "/interface/wireguard/set *3 mtu=1301"), 0);            /* internal id */
	CHECK_EQ(fx_run(f, "/interface/wireguard/set a mtu=1302"), 0);             /* name */
	CHECK_EQ(fx_run(f, "/interface/wireguard/set [find mtu=1300] comment=x"), 0); /* find */
	CHECK_EQ(fx_run(f, ":put [/interface/wireguard/get b comment]"), 0);
	CHECK(!strcmp(fx_last(f), "x\n"));
	/* numbers stay those of the last print even after a removal */
	CHECK_EQ(fx_run(f, "/interface/wireguard/remove 0; /interface/wireguard/set 2 mtu=1400"), 0);
	CHECK_EQ(fx_run(f, ":put [/interface/wireguard/get c mtu]"), 0);
	CHECK(!strcmp(fx_last(f), "1400\n"));
	CHECK(fx_run(f, "/interface/wireguard/set 0 mtu=1400") != 0);
	CHECK(!strcmp(fx_err(f), "no such item\n"));
	/* !prop unsets */
	CHECK_EQ(fx_run(f, "/interface/wireguard/set b !comment; :put [/interface/wireguard/get b comment]"), 0);
	CHECK(!strcmp(fx_last(f), "\n"));
	fx_free(f);
}

TEST(where_expressions)
{
	struct fx *f = fx_new();
	CHECK_EQ(fx_run(f, "/interface/wireguard/add name=wg-a mtu=1400; /interface/wireguard/add name=wg-b mtu=1300 disabled=yes;"
			   "/interface/wireguard/add name=lan-c mtu=1500"), 0);
	struct { const char *expr; const char *count; } cases[] = {
		{ "name=wg-a", "1\n" },
		{ "name!=wg-a", "2\n" },
		{ "mtu>1350", "2\n" },
		{ "mtu<1350", "1\n" },
		{ "name~\"^wg\"", "2\n" },
		{ "name~\"^wg\" and !disabled", "1\n" },
		{ "disabled or mtu=1500", "2\n" },
		{ "!(name~\"^wg\")", "1\n" },
		{ "(mtu=1400 or mtu=1500) and name~\"a\"", "2\n" },
		{ "(mtu=1400 or mtu=1500) and name~\"^w\"", "1\n" },
		{ "disabled=yes", "1\n" },
		{ "disabled=true", "1\n" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *cmd = xasprintf("/interface/wireguard/print count-only where %s", cases[i].expr);
		CHECK_EQ(fx_run(f, cmd), 0);
		if (strcmp(fx_last(f), cases[i].count))
			test_fail(__FILE__, __LINE__, "where %s: %s", cases[i].expr, fx_last(f));
		free(cmd);
	}
	CHECK_EQ(fx_run(f, "/ip/address/add address=10.1.2.3/24 interface=wg-a; /ip/address/add address=192.168.1.1/24 interface=wg-a"), 0);
	CHECK_EQ(fx_run(f, "/ip/address/print count-only where address in 10.0.0.0/8"), 0);
	CHECK(!strcmp(fx_last(f), "1\n"));
	fx_free(f);
}

TEST(move_and_place_before)
{
	struct fx *f = fx_new();
	CHECK_EQ(fx_run(f, "/ip/firewall/filter/add chain=input comment=one\n"
			   "/ip/firewall/filter/add chain=input comment=two\n"
			   "/ip/firewall/filter/add chain=input comment=zero place-before=0\n"), 0);
	CHECK_EQ(fx_run(f, "/ip/firewall/filter/print terse proplist=comment"), 0);
	CHECK(!strcmp(fx_last(f), " 0  comment=zero\n 1  comment=one\n 2  comment=two\n"));
	CHECK_EQ(fx_run(f, "/ip/firewall/filter/move 2 0"), 0);
	CHECK_EQ(fx_run(f, "/ip/firewall/filter/print terse proplist=comment"), 0);
	CHECK(!strcmp(fx_last(f), " 0  comment=two\n 1  comment=zero\n 2  comment=one\n"));
	CHECK_EQ(fx_run(f, "/ip/firewall/filter/move 0"), 0);
	CHECK_EQ(fx_run(f, "/ip/firewall/filter/print terse proplist=comment"), 0);
	CHECK(!strcmp(fx_last(f), " 0  comment=zero\n 1  comment=one\n 2  comment=two\n"));
	fx_free(f);
}

TEST(rename_carries_references)
{
	struct fx *f = fx_new();
	char priv[45], pub[45];
	fx_keypair(priv, pub);
	char *s = xasprintf("/interface/wireguard/add name=wg0\n"
			    "/interface/wireguard/peers/add interface=wg0 public-key=\"%s\" allowed-address=10.1.0.0/24\n"
			    "/ip/address/add address=10.1.0.1/24 interface=wg0\n"
			    "/ip/firewall/filter/add chain=forward in-interface=wg0\n"
			    "/interface/wireguard/set wg0 name=wg-new\n", pub);
	CHECK_EQ(fx_run(f, s), 0);
	free(s);
	char *ex = fx_export_flat(f, NULL);
	CHECK(!strstr(ex, "=wg0"));
	CHECK(strstr(ex, "in-interface=wg-new"));
	CHECK(strstr(ex, "interface=wg-new name=peer1"));
	free(ex);
	CHECK(strstr(sb_str(&f->calls), "stop wg0\n"));
	CHECK(strstr(sb_str(&f->calls), "start wg-new"));
	CHECK(fx_run(f, "/interface/wireguard/remove wg-new") != 0);
	CHECK(strstr(fx_err(f), "is used by"));
	fx_free(f);
}

TEST(if_and_foreach)
{
	struct fx *f = fx_new();
	CHECK_EQ(fx_run(f, "/interface/wireguard/add name=a disabled=yes; /interface/wireguard/add name=b disabled=yes;"
			   "/interface/wireguard/add name=c\n"
			   "/interface/wireguard\n"
			   ":foreach i in=[find where disabled] do={ enable $i }\n"
			   "/\n"
			   ":put [/interface/wireguard/print count-only where disabled]"), 0);
	CHECK(!strcmp(fx_last(f), "0\n"));
	CHECK_EQ(fx_run(f, ":local x \"yes\"\n"
			   ":if ($x = \"yes\") do={ :put one } else={ :put two }\n"
			   ":if ($x != \"yes\" || 3 > 10) do={ :put three } else={ :put four }\n"
			   ":if ([/interface/wireguard/get a mtu] >= 1420 and !($x ~ \"^n\")) do={ :put five }\n"
			   ":if (no) do={ :put six }\n"), 0);
	CHECK(!strcmp(fx_last(f), "one\nfour\nfive\n"));
	CHECK(fx_run(f, ":if ($x = ) do={ :put x }") != 0);
	fx_free(f);
}
