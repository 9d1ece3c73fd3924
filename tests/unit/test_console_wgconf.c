/* The wg-quick parser of wg-import (console/wgconf.c), on its own: cases found by
 * tests/fuzz/fuzz_wgconf.c. Leaks show under `make check-sanitize` (LeakSanitizer). */
#include "test.h"
#include "console/wgconf.h"

#define KEY "yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk="

/* A syntax error after the private key: the parser keeps nothing (it used to leave the
 * key allocated and unwiped for a caller that never freed it). */
TEST(wgconf_error_frees_everything)
{
	struct wg_conf c;
	char err[128];
	static const char text[] = "[Interface]\nPrivateKey = " KEY "\nAddress = 10.0.0.1/24\n"
				   "[Peer]\nPublicKey = " KEY "\nBogus = 1\n";
	int rc = wg_conf_parse(text, sizeof(text) - 1, &c, err, sizeof(err));
	CHECK_EQ(rc, -1);
	CHECK(!strcmp(err, "failure: bad wg-quick configuration at line 6"), "%s", err);
	CHECK(c.private_key == NULL);
	CHECK_EQ(c.npeers, 0);
	CHECK(c.peers == NULL);
	CHECK_EQ(c.addresses.n, 0);
}

/* Two Endpoint lines: the later wins, the earlier is freed (it leaked). */
TEST(wgconf_endpoint_twice)
{
	struct wg_conf c;
	char err[128];
	static const char text[] = "[Peer]\nEndpoint = 192.0.2.1:51820\nEndpoint = [2001:db8::1]:51821\n"
				   "Endpoint = no-port\n";
	int rc = wg_conf_parse(text, sizeof(text) - 1, &c, err, sizeof(err));
	CHECK_EQ(rc, 0);
	CHECK_EQ(c.npeers, 1);
	CHECK(c.npeers == 1 && !strcmp(c.peers[0].endpoint_host, "2001:db8::1"));
	CHECK(c.npeers == 1 && !strcmp(c.peers[0].endpoint_port, "51821"));
	wg_conf_free(&c);
}
