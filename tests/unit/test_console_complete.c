/* Tab completion of values and items, and `?` help (the line typed so far in, lines of
 * help out), as the interactive console asks the daemon for them. */
#include "test.h"
#include "test_console_fixture.h"

static bool has(const struct strvec *v, const char *w)
{
	return sv_has(v, w);
}

static void complete(struct fx *f, const char *line, struct strvec *v)
{
	sv_free(v);
	wg_session_complete(f->s, line, v);
}

TEST(complete_values)
{
	struct fx *f = fx_new();
	struct strvec v = { 0 };
	CHECK_EQ(fx_run(f, "/interface/list/add name=WAN; /ip/firewall/address-list/add list=scanners address=192.0.2.1;"
			   "/interface/wireguard/add name=wg-road"), 0);
	complete(f, "/ip/firewall/filter/add chain=input action=", &v);
	CHECK(has(&v, "action=accept") && has(&v, "action=drop") && has(&v, "action=add-src-to-address-list"));
	complete(f, "/ip/firewall/filter/add chain=input action=dr", &v);
	CHECK(v.n == 1 && has(&v, "action=drop"));
	complete(f, "/ip/firewall/filter/add ch", &v);
	CHECK(has(&v, "chain="));
	complete(f, "/ip/firewall/filter/add protocol=ud", &v);
	CHECK(has(&v, "protocol=udp"));
	complete(f, "/ip/firewall/filter/add in-interface=", &v);
	CHECK(has(&v, "in-interface=ether1") && has(&v, "in-interface=wg-road"));
	complete(f, "/ip/firewall/filter/add in-interface=!eth", &v);
	CHECK(has(&v, "in-interface=!ether1"));
	complete(f, "/ip/firewall/filter/add in-interface-list=", &v);
	CHECK(has(&v, "in-interface-list=WAN") && has(&v, "in-interface-list=all"));
	complete(f, "/ip/firewall/filter/add src-address-list=sc", &v);
	CHECK(v.n == 1 && has(&v, "src-address-list=scanners"));
	complete(f, "/interface/wireguard/set wg-road disabled=", &v);
	CHECK(v.n == 2 && has(&v, "disabled=yes") && has(&v, "disabled=no"));
	complete(f, "/ip/address/add interface=wg", &v);
	CHECK(has(&v, "interface=wg-road"));
	/* set/remove: the items */
	complete(f, "/interface/wireguard/set ", &v);
	CHECK(has(&v, "wg-road"));
	complete(f, "/interface/wireguard/remove wg-r", &v);
	CHECK(v.n == 1 && has(&v, "wg-road"));
	CHECK_EQ(fx_run(f, "/ip/firewall/address-list/print"), 0);
	complete(f, "/ip/firewall/address-list/remove ", &v);
	CHECK(has(&v, "0"));
	sv_free(&v);
	fx_free(f);
}

static char *help(struct fx *f, const char *line)
{
	struct strvec v = { 0 };
	char *l = xasprintf("%c%s", WG_HELP_MARK, line);
	wg_session_complete(f->s, l, &v);
	char *text = sv_join(&v, "\n");
	sv_free(&v);
	free(l);
	return text;
}

TEST(help_question_mark)
{
	struct fx *f = fx_new();
	char *h = help(f, "/interface/");
	CHECK(strstr(h, "/interface: Interfaces of the router"));
	CHECK(strstr(h, "\nwireguard/ -- WireGuard interfaces"));
	CHECK(strstr(h, "\nprint -- Print values of item properties"));
	free(h);
	h = help(f, "/ip/firewall/filter/add ");
	CHECK(strstr(h, "add: Create a new item"));
	CHECK(strstr(h, "\nchain -- "));
	CHECK(strstr(h, "\naction -- one of: accept, drop"));
	CHECK(strstr(h, "\nin-interface -- [!]interface name"));
	free(h);
	h = help(f, "/ip/firewall/filter/add action=");
	CHECK(strstr(h, "action -- one of: accept") && !strstr(h, "chain"));
	free(h);
	h = help(f, "/interface/wireguard/add ");
	CHECK(strstr(h, "\nmtu -- integer"));
	CHECK(strstr(h, "\nlisten-port -- integer"));
	free(h);
	h = help(f, "/interface/wi");
	CHECK(strstr(h, "wireguard/") && !strstr(h, "list/"));
	free(h);
	h = help(f, "");
	CHECK(strstr(h, "\ninterface/ -- ") && strstr(h, "\nip/ -- "));
	free(h);
	h = help(f, "/nosuch/");
	CHECK(strstr(h, "bad command name"));
	free(h);
	fx_free(f);
}
