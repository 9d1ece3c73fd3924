/* /ip/service: four fixed rows (www, www-ssl, api, api-ssl), all disabled at first,
 * changed only with set, validated (addresses, ports, certificates), exported as `set`
 * lines that import into a fresh router, persisted, and read by the servers through
 * wg_service_get. */
#include "test.h"
#include "test_console_fixture.h"
#include "router/services.h"

TEST(rows_fixed_and_disabled)
{
	struct fx *f = fx_new();
	CHECK_EQ(fx_run(f, "/ip/service/print"), 0);
	CHECK(!strcmp(fx_last(f), "Flags: X - disabled; I - invalid\n"
				  "Columns: NAME, PORT, ADDRESS, CERTIFICATE, MAX-SESSIONS\n"
				  "#   NAME     PORT  ADDRESS  CERTIFICATE  MAX-SESSIONS\n"
				  "0 X www        80           none                   20\n"
				  "1 X www-ssl   443           none                   20\n"
				  "2 X api      8728           none                   20\n"
				  "3 X api-ssl  8729           none                   20\n"), "%s", fx_last(f));
	CHECK(fx_run(f, "/ip/service/add port=22") != 0);
	CHECK(strstr(fx_err(f), "failure: the services are fixed"), "%s", fx_err(f));
	CHECK(fx_run(f, "/ip/service/add name=ssh port=22") != 0); /* name is not settable */
	CHECK(fx_run(f, "/ip/service/remove api") != 0);
	CHECK(fx_run(f, "/ip/service/set api name=api2") != 0);
	CHECK(!strcmp(fx_run_out(f, "/ip/service/print count-only"), "4\n"));
	CHECK(!strcmp(fx_run_out(f, ":put [/ip/service/get www-ssl port]"), "443\n"));
	/* nothing changed, nothing exported */
	char *exp = fx_export(f, "");
	CHECK(!strstr(exp, "service"), "%s", exp);
	free(exp);
	fx_free(f);
}

TEST(set_validated)
{
	struct fx *f = fx_new();
	CHECK_EQ(fx_run(f, "/ip/service/set api port=18728 address=192.0.2.0/24,2001:db8::/32 max-sessions=5 disabled=no"), 0);
	CHECK(strstr(fx_run_out(f, "/ip/service/print"), "2   api      18728  192.0.2.0/24,2001:db8::/32  none"), "%s", fx_last(f));
	const char *const bad[][2] = {
		{ "/ip/service/set api address=192.0.2.0/33", "invalid value for argument address" },
		{ "/ip/service/set api address=example.com", "invalid value for argument address" },
		{ "/ip/service/set api port=0", "invalid value for argument port" },
		{ "/ip/service/set api port=65536", "invalid value for argument port" },
		{ "/ip/service/set api max-sessions=0", "invalid value for argument max-sessions" },
		{ "/ip/service/set api-ssl tls-version=1.3", "invalid value for argument tls-version" },
		{ "/ip/service/set api certificate=web", "certificate can be set only for www-ssl and api-ssl" },
		{ "/ip/service/set www tls-version=only-1.2", "tls-version can be set only for www-ssl and api-ssl" },
		{ "/ip/service/set api-ssl certificate=nosuch", "input does not match any value of certificate" },
		{ "/ip/service/set www port=18728 disabled=no", "failure: port 18728 is used by service api" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK(fx_run(f, bad[i][0]) != 0, "%s", bad[i][0]);
		CHECK(strstr(fx_err(f), bad[i][1]), "%s: %s", bad[i][0], fx_err(f));
	}
	/* the same port is fine while one of the two is disabled */
	CHECK_EQ(fx_run(f, "/ip/service/set www port=18728"), 0);
	/* setting a row's own default port stores nothing */
	CHECK_EQ(fx_run(f, "/ip/service/set www port=80\n/ip/service/enable www"), 0);
	char *exp = fx_export_flat(f, "");
	CHECK(strstr(exp, "/ip service\nset www disabled=no\nset api address=192.0.2.0/24,2001:db8::/32 disabled=no "
			  "max-sessions=5 port=18728\n"), "%s", exp);
	/* it imports into a fresh router and exports the same */
	struct fx *g = fx_new();
	CHECK_EQ(fx_run(g, exp), 0);
	char *again = fx_export_flat(g, "");
	CHECK(!strcmp(exp, again), "%s", again);
	free(again);
	fx_free(g);
	free(exp);
	exp = fx_export_flat(f, "verbose");
	CHECK(strstr(exp, "set www-ssl certificate=none disabled=yes max-sessions=20 port=443 tls-version=any\n"), "%s", exp);
	g = fx_new();
	CHECK_EQ(fx_run(g, exp), 0); /* verbose too imports */
	fx_free(g);
	free(exp);
	fx_free(f);
}

TEST(persisted)
{
	char dir[] = "/tmp/wgr-svc-XXXXXX";
	CHECK(mkdtemp(dir) != NULL);
	struct fx *f = fx_new_dir(dir);
	CHECK_EQ(fx_run(f, "/ip/service/set api-ssl port=9729 tls-version=only-1.2 disabled=no"), 0);
	fx_free(f);
	f = fx_new_dir(dir);
	struct wg_service s;
	CHECK(wg_service_get(wg_router_store(f->r), "api-ssl", &s));
	CHECK(s.enabled && s.tls && s.port == 9729 && s.tls12_only && s.max_sessions == 20 && !s.certificate[0]);
	CHECK(!strcmp(fx_run_out(f, "/ip/service/print count-only"), "4\n"));
	CHECK(strstr(fx_run_out(f, "/ip/service/print"), "3 I api-ssl  9729"), "%s", fx_last(f));
	fx_free(f);
	char *cmd = xasprintf("rm -rf '%s'", dir);
	CHECK_EQ(system(cmd), 0);
	free(cmd);
}

TEST(getter_and_certificate)
{
	struct fx *f = fx_new();
	struct wg_service s;
	CHECK(wg_service_get(wg_router_store(f->r), "www", &s));
	CHECK(!s.enabled && !s.tls && s.port == 80 && !s.address[0] && s.max_sessions == 20 && !s.tls12_only);
	CHECK(!wg_service_get(wg_router_store(f->r), "ssh", &s));
	CHECK_EQ(fx_run(f, "/certificate/add name=web common-name=router.example\n"
			   "/ip/service/set www-ssl certificate=web disabled=no address=10.0.0.0/8"), 0);
	/* not signed yet: no private key, so the enabled row is invalid */
	CHECK(strstr(fx_run_out(f, "/ip/service/print"), "1 I www-ssl   443  10.0.0.0/8  web"), "%s", fx_last(f));
	CHECK_EQ(fx_run(f, "/certificate/sign web"), 0);
	CHECK(strstr(fx_run_out(f, "/ip/service/print"), "1   www-ssl   443  10.0.0.0/8  web"), "%s", fx_last(f));
	CHECK(wg_service_get(wg_router_store(f->r), "www-ssl", &s));
	CHECK(s.enabled && s.tls && s.port == 443 && !strcmp(s.certificate, "web") && !strcmp(s.address, "10.0.0.0/8"));
	/* the certificate cannot go or be renamed while a service uses it */
	CHECK(fx_run(f, "/certificate/remove web") != 0);
	CHECK(strstr(fx_err(f), "failure: certificate web is used by service www-ssl"), "%s", fx_err(f));
	CHECK(fx_run(f, "/certificate/set web name=web2") != 0);
	CHECK_EQ(fx_run(f, "/ip/service/set www-ssl certificate=none\n/certificate/remove web"), 0);
	fx_free(f);
}
