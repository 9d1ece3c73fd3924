/* RouterOS has three named marks (packet, connection, routing); Linux has one 32-bit
 * packet mark and one 32-bit conntrack mark. The layout is in nft_internal.h. Names
 * become numbers by FNV-1a so that the same name always has the same number: the
 * conntrack table outlives a re-apply, and a connection marked "vpn" must still match
 * connection-mark=vpn after an unrelated rule changed. */
#include "sys/nft_internal.h"
#include <errno.h>
#include <string.h>

static uint32_t fnv1a(const char *s)
{
	uint32_t h = 2166136261u;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

static bool name_ok(struct nftc_rule *fr, const char *key, const char *name)
{
	if (!name)
		return nftc_err(fr->c, "missing value for argument %s", key), false;
	if (!nftc_plain(name, NFTC_NAME_MAX))
		return nftc_bad(fr->c, key, name), false;
	return true;
}

/* 16 bits leave room for collisions: two names on one number would mark each other's
 * packets, so the compiler refuses that configuration rather than mixing them. */
int nftc_packet_mark(struct nftc_rule *fr, const char *key, const char *name, uint32_t *mark)
{
	if (!name_ok(fr, key, name))
		return -EINVAL;
	uint32_t h = fnv1a(name) % 0xffffu + 1;
	struct nftc_names *seen = &fr->c->packet_marks;
	for (size_t i = 0; i < seen->n; i++)
		if (strcmp(seen->v[i], name) && fnv1a(seen->v[i]) % 0xffffu + 1 == h)
			return nftc_err(fr->c, "packet marks \"%s\" and \"%s\" share one Linux mark: rename one",
					seen->v[i], name);
	if (nftc_names_add(seen, name) < 0)
		return nftc_err(fr->c, "out of memory");
	*mark = h << 16;
	return 0;
}

int nftc_conn_mark(struct nftc_rule *fr, const char *key, const char *name, uint32_t *mark)
{
	if (!name_ok(fr, key, name))
		return -EINVAL;
	*mark = fnv1a(name);
	if (*mark == 0) /* 0 is "no mark" */
		*mark = 1;
	return 0;
}

int nftc_route_mark(struct nftc_rule *fr, const char *key, const char *table, uint32_t *mark)
{
	const struct wg_fw_config *cfg = fr->c->cfg;
	if (!name_ok(fr, key, table))
		return -EINVAL;
	*mark = cfg ? 0 : 1;
	for (size_t i = 0; cfg && i < cfg->nroute_marks; i++)
		if (!strcmp(cfg->route_marks[i].name, table))
			*mark = cfg->route_marks[i].mark;
	if (cfg && !*mark)
		return nftc_err(fr->c, "%s: no such routing table \"%s\"", key, table);
	if (*mark > NFTC_ROUTE_MASK)
		return nftc_err(fr->c, "%s: routing table \"%s\" has id %u, above the 16 bits of the mark",
				key, table, (unsigned)*mark);
	return 0;
}
