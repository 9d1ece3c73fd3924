/* See nft_rates.h. */
#include "sys/nft_rates.h"
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include "sys/nft.h"
#include "util/sbuf.h"

/* bytes/second from bits, and a burst of a tenth of a second (at least 64 KiB: a
 * shorter one would drop the bursts GSO hands the tunnel at once). */
static void limit_obj(struct sbuf *b, uint32_t id, const char *dir, uint64_t bps)
{
	uint64_t bytes = bps / 8 ? bps / 8 : 1;
	uint64_t burst = bytes / 10 > 65536 ? bytes / 10 : 65536;
	sb_printf(b, "\tlimit p%u_%s { rate over %llu bytes/second burst %llu bytes }\n", id, dir,
		  (unsigned long long)bytes, (unsigned long long)burst);
}

/* The peer's prefixes of one family as an nft set, or false when it has none. */
static bool prefix_set(struct sbuf *b, const struct wg_rate_peer *p, bool v6)
{
	size_t n = 0;
	for (size_t i = 0; i < p->nprefixes; i++) {
		if ((strchr(p->prefixes[i], ':') != NULL) != v6)
			continue;
		sb_printf(b, "%s%s", n++ ? ", " : "{ ", p->prefixes[i]);
	}
	if (n)
		sb_add(b, " }");
	return n > 0;
}

static void rule(struct sbuf *b, const struct wg_rate_peer *p, bool rx, bool v6)
{
	struct sbuf set;
	sb_init(&set);
	if (prefix_set(&set, p, v6))
		sb_printf(b, "\t\t%s \"%s\" %s %s %s limit name \"p%u_%s\" drop\n", rx ? "iifname" : "oifname", p->ifname,
			  v6 ? "ip6" : "ip", rx ? "saddr" : "daddr", sb_str(&set), p->id, rx ? "rx" : "tx");
	sb_free(&set);
}

static void chain(struct sbuf *b, const char *name, const struct wg_rate_peer *v, size_t n, bool rx, bool tx)
{
	sb_printf(b, "\tchain %s {\n\t\ttype filter hook %s priority filter - 5; policy accept;\n", name, name);
	for (size_t i = 0; i < n; i++)
		for (int v6 = 0; v6 < 2; v6++) {
			if (rx && v[i].rx_bps)
				rule(b, &v[i], true, v6);
			if (tx && v[i].tx_bps)
				rule(b, &v[i], false, v6);
		}
	sb_add(b, "\t}\n");
}

char *wg_nft_rates_script(const struct wg_rate_peer *v, size_t n)
{
	struct sbuf b;
	sb_init(&b);
	/* "add" first so that a missing table is not an error */
	sb_add(&b, "add table inet " WG_NFT_RATES_TABLE "\ndelete table inet " WG_NFT_RATES_TABLE "\n");
	if (!n)
		return sb_take(&b);
	sb_add(&b, "table inet " WG_NFT_RATES_TABLE " {\n");
	for (size_t i = 0; i < n; i++) {
		if (v[i].rx_bps)
			limit_obj(&b, v[i].id, "rx", v[i].rx_bps);
		if (v[i].tx_bps)
			limit_obj(&b, v[i].id, "tx", v[i].tx_bps);
	}
	chain(&b, "forward", v, n, true, true);
	chain(&b, "input", v, n, true, false);
	chain(&b, "output", v, n, false, true);
	sb_add(&b, "}\n");
	return sb_take(&b);
}

int wg_nft_rates_apply(const struct wg_rate_peer *v, size_t n, char *err, size_t errlen)
{
	char *script = wg_nft_rates_script(v, n);
	int rc = wg_nft_run(script, err, errlen);
	free(script);
	return rc;
}
