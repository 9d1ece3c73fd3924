/* libFuzzer harness for the wg-quick configuration parser of wg-import
 * (src/console/wgconf.c, wg_conf_parse). The input is the configuration text.
 * Properties, besides no crash or undefined behaviour:
 * - nothing leaks, whether the text parses or not (LSan: a leaked private or preshared
 *   key is a secret left in freed memory nobody wipes);
 * - an error message names the line and never repeats the text's values;
 * - what parsed, written out again as wg-quick text, parses to the same values (checked
 *   when the text has no \v, \f or \r, which the line trimming treats as blanks).
 * With -DFUZZ_STANDALONE it replays the files named on the command line. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "console/wgconf.h"

#define FAIL(...) do { fprintf(stderr, __VA_ARGS__); fputc('\n', stderr); abort(); } while (0)

static void line(struct sbuf *b, const char *key, const char *v)
{
	if (v)
		sb_printf(b, "%s = %s\n", key, v);
}

static char *write_conf(const struct wg_conf *c)
{
	struct sbuf b;
	sb_init(&b);
	sb_add(&b, "[Interface]\n");
	line(&b, "PrivateKey", c->private_key);
	line(&b, "ListenPort", c->listen_port);
	line(&b, "MTU", c->mtu);
	if (c->addresses.n) {
		char *a = sv_join(&c->addresses, ",");
		line(&b, "Address", a);
		free(a);
	}
	for (size_t i = 0; i < c->npeers; i++) {
		const struct wg_conf_peer *p = &c->peers[i];
		sb_add(&b, "[Peer]\n");
		line(&b, "PublicKey", p->public_key);
		line(&b, "PresharedKey", p->preshared_key);
		line(&b, "AllowedIPs", p->allowed);
		if (p->endpoint_host)
			sb_printf(&b, "Endpoint = [%s]:%s\n", p->endpoint_host, p->endpoint_port);
		line(&b, "PersistentKeepalive", p->keepalive);
	}
	return sb_take(&b);
}

static void same(const char *what, const char *a, const char *b)
{
	if ((a == NULL) != (b == NULL) || (a && strcmp(a, b)))
		FAIL("%s differs after writing and parsing again: \"%s\" / \"%s\"", what, a ? a : "(none)",
		     b ? b : "(none)");
}

static void compare(const struct wg_conf *x, const struct wg_conf *y)
{
	same("PrivateKey", x->private_key, y->private_key);
	same("ListenPort", x->listen_port, y->listen_port);
	same("MTU", x->mtu, y->mtu);
	if (x->addresses.n != y->addresses.n || x->npeers != y->npeers)
		FAIL("%zu/%zu addresses, %zu/%zu peers after writing and parsing again", x->addresses.n,
		     y->addresses.n, x->npeers, y->npeers);
	for (size_t i = 0; i < x->addresses.n; i++)
		same("Address", x->addresses.v[i], y->addresses.v[i]);
	for (size_t i = 0; i < x->npeers; i++) {
		const struct wg_conf_peer *p = &x->peers[i], *q = &y->peers[i];
		same("PublicKey", p->public_key, q->public_key);
		same("PresharedKey", p->preshared_key, q->preshared_key);
		same("AllowedIPs", p->allowed, q->allowed);
		same("Endpoint host", p->endpoint_host, q->endpoint_host);
		same("Endpoint port", p->endpoint_port, q->endpoint_port);
		same("PersistentKeepalive", p->keepalive, q->keepalive);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1), err[128];
	struct wg_conf c, again;
	memcpy(text, data, size);
	text[size] = 0;
	if (wg_conf_parse(text, size, &c, err, sizeof(err)) < 0) {
		static const char prefix[] = "failure: bad wg-quick configuration at line ";
		size_t n = sizeof(prefix) - 1;
		if (strncmp(err, prefix, n) || !err[n] || strspn(err + n, "0123456789") != strlen(err + n))
			FAIL("error message: %s", err);
		free(text);
		return 0; /* the parser owns nothing after an error: LSan reports what it kept */
	}
	if (!strpbrk(text, "\v\f\r")) {
		char *out = write_conf(&c);
		if (wg_conf_parse(out, strlen(out), &again, err, sizeof(err)) < 0)
			FAIL("written text does not parse: %s\n%s", err, out);
		compare(&c, &again);
		wg_conf_free(&again);
		free(out);
	}
	wg_conf_free(&c);
	free(text);
	return 0;
}

#include "standalone.h"
