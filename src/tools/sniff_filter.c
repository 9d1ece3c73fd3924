/* RouterOS's sniffer filters as a BPF expression (sniffer.h). Every value is parsed and
 * written back from its parsed form, so nothing the user typed reaches pcap_compile as
 * text: a filter can only be what these three lists mean. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "sys/prefix.h"
#include "tools/pkt.h"
#include "tools/sniffer.h"
#include "util/alloc.h"
#include "util/sbuf.h"

enum { LIST_MAX = 16 };  /* RouterOS takes up to 16 addresses, ports, protocols */

typedef int (*term_fn)(const char *word, struct sbuf *out);

static int addr_term(const char *w, struct sbuf *out)
{
	struct wg_prefix p;
	char buf[WG_PREFIX_STRLEN];
	if (wg_prefix_parse(&p, w) < 0)
		return -1;
	wg_prefix_mask(&p);
	sb_printf(out, "net %s", wg_prefix_format(&p, false, buf));
	if (!strchr(buf, '/'))
		sb_printf(out, "/%u", p.len);
	return 0;
}

static int port_term(const char *w, struct sbuf *out)
{
	char *end;
	long v = strtol(w, &end, 10);
	if (!*w || *end || v < 0 || v > 65535)
		return -1;
	sb_printf(out, "port %ld", v);
	return 0;
}

static int proto_term(const char *w, struct sbuf *out)
{
	int v = wg_ip_proto_parse(w);
	if (v < 0)
		return -1;
	sb_printf(out, "ip proto %d or ip6 proto %d", v, v);
	return 0;
}

/* "(t1 or t2 ...)" for a comma list, appended with " and " when out has terms. */
static int list(const char *text, term_fn fn, struct sbuf *out)
{
	if (!text || !*text)
		return 0;
	char *copy = xstrdup(text), *save = NULL;
	int n = 0, rc = 0;
	sb_add(out, out->len ? " and (" : "(");
	for (char *w = strtok_r(copy, ",", &save); w && rc == 0; w = strtok_r(NULL, ",", &save)) {
		if (n++)
			sb_add(out, " or ");
		rc = n > LIST_MAX ? -1 : fn(w, out);
	}
	sb_addc(out, ')');
	free(copy);
	return n ? rc : -1;
}

int wg_sniff_filter(const char *addrs, const char *ports, const char *protos, char *buf, size_t len, char *err,
		    size_t errlen)
{
	struct sbuf b;
	sb_init(&b);
	const char *bad = list(addrs, addr_term, &b) < 0 ? "filter-ip-address"
			: list(ports, port_term, &b) < 0 ? "filter-port"
			: list(protos, proto_term, &b) < 0 ? "filter-ip-protocol" : NULL;
	if (!bad && b.len >= len)
		bad = "filter-ip-address";
	if (bad)
		snprintf(err, errlen, "invalid value for argument %s", bad);
	else
		snprintf(buf, len, "%s", sb_str(&b));
	sb_free(&b);
	return bad ? -1 : 0;
}
