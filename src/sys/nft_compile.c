/* The firewall compiler: RouterOS rules, address lists and interface lists in, one
 * nft script out (see nft.h). Pure: no syscalls, so every case is a unit test.
 *
 * Sets and the flowtable are written by nft_sets.c once the rules have said which
 * lists they use. Layout of the script, in this order because nft needs a name
 * declared before use:
 *   add table / delete table    (the atomic swap)
 *   flowtable ft                (only when fasttrack-connection can offload)
 *   set ifl_<list>              (interface lists, type ifname)
 *   set al4_<list>, al6_<list>  (address lists per family)
 *   chain input/forward/output  (filter base chains), srcnat/dstnat (when NAT is used)
 *   chain ip_filter_<name>, ... (custom chains) */
#include "sys/nft_internal.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct out_chain {
	char name[NFTC_NFT_NAME];
	const char *hook;    /* base chain declaration, NULL for a custom chain */
	struct sbuf body;
};

struct out_chains {
	struct out_chain *v;
	size_t n, cap;
};

static const char *const known_props[] = {
	"chain", "action", "protocol", "src-address", "dst-address", "src-port", "dst-port",
	"in-interface", "out-interface", "in-interface-list", "out-interface-list",
	"connection-state", "connection-nat-state", "src-address-list", "dst-address-list",
	"address-list", "address-list-timeout", "src-address-list-timeout",
	"dst-address-list-timeout", "to-addresses", "to-ports", "log", "log-prefix", "limit",
	"jump-target", "reject-with", "comment", "disabled", "place-before", "copy-from", "port",
	"icmp-options", "tcp-flags", "new-routing-mark", "passthrough", "ipsec-policy", "hw-offload",
	"ttl", "hop-limit", "packet-size", "dscp", "tcp-mss", "src-address-type", "dst-address-type",
	"packet-mark", "routing-mark", "connection-mark", "connection-bytes", "connection-limit",
	"dst-limit", "per-connection-classifier", "src-mac-address", "random", "nth",
	"new-packet-mark", "new-connection-mark", "new-mss", "new-ttl", "new-dscp", NULL,
};

/* An unknown matcher silently ignored would widen the rule (a drop could match all). */
static int props_known(struct nftc_ctx *c, const struct wg_fw_rule *r)
{
	for (size_t i = 0; i < r->nprops; i++) {
		size_t k = 0;
		while (known_props[k] && (!r->props[i].key || strcmp(known_props[k], r->props[i].key)))
			k++;
		const char *why = known_props[k] || !r->props[i].key ? NULL : nftc_refused(r->props[i].key);
		if (why)
			return nftc_err(c, "%s is not supported: %s", r->props[i].key, why);
		if (!known_props[k])
			return nftc_err(c, "unsupported property %s", r->props[i].key ? r->props[i].key : "(null)");
	}
	return 0;
}

static bool id_ok(const char *id)
{
	return id && nftc_plain(id, NFTC_ID_MAX) && !strchr(id, ' ');
}

/* A carried-over value goes to the first nft rule of the id only: the parser sums them. */
static void counter_text(const struct nftc_ctx *c, const char *id, int variant, struct sbuf *out)
{
	const struct wg_fw_config *cfg = c->cfg;
	for (size_t i = 0; cfg && variant == 0 && i < cfg->ncounters; i++) {
		const struct wg_fw_counter *k = &cfg->counters[i];
		if (k->family == c->fam && k->table == c->tbl && !strcmp(k->id, id)) {
			sb_printf(out, "counter packets %llu bytes %llu ",
				  (unsigned long long)k->packets, (unsigned long long)k->bytes);
			return;
		}
	}
	sb_add(out, "counter ");
}

static void trim(struct sbuf *b)
{
	while (b->len && b->s[b->len - 1] == ' ')
		b->s[--b->len] = '\0';
}

/* One nft rule (variant of a RouterOS rule) as one line of text, no indent, no newline;
 * *chain gets its RouterOS chain. */
static int rule_text(struct nftc_ctx *c, const struct wg_fw_rule *r, int variant,
		     struct sbuf *line, const char **chain)
{
	int ret;
	if (!id_ok(r->id))
		return nftc_err(c, "invalid rule id \"%s\"", r->id ? r->id : "");
	if ((ret = props_known(c, r)) < 0)
		return ret;
	*chain = nftc_prop(r, "chain");
	if (!*chain)
		return nftc_err(c, "missing value for argument chain");
	if (!nftc_plain(*chain, NFTC_NAME_MAX))
		return nftc_bad(c, "chain", *chain);
	struct nftc_rule fr = { .c = c, .r = r, .chain = *chain, .proto = -1, .variant = variant,
				.out = line };
	sb_printf(line, "meta nfproto %s ", c->fam == WG_FW_IPV6 ? "ipv6" : "ipv4");
	if ((ret = nftc_match_all(&fr)) < 0)
		return ret;
	counter_text(c, r->id, variant, line);
	if ((ret = nftc_action(&fr)) < 0)
		return ret;
	trim(line);
	sb_printf(line, " comment \"%s %s %s\"", nftc_family_name(c->fam), nftc_table_name(c->tbl), r->id);
	return 0;
}

static int disabled(struct nftc_ctx *c, const struct wg_fw_rule *r, bool *off)
{
	const char *v = nftc_prop(r, "disabled");
	*off = false;
	return v && !nftc_bool(v, off) ? nftc_bad(c, "disabled", v) : 0;
}

static void ctx_free(struct nftc_ctx *c)
{
	nftc_names_free(&c->if_lists);
	for (int f = 0; f < WG_FW_NFAMILY; f++) {
		nftc_names_free(&c->addr_lists[f]);
		nftc_names_free(&c->dyn_lists[f]);
		for (int t = 0; t < WG_FW_NTABLE; t++)
			nftc_names_free(&c->jumps[f][t]);
	}
	nftc_names_free(&c->packet_marks);
	sb_free(&c->meters);
}

int wg_nft_rule_check(enum wg_fw_family fam, enum wg_fw_table tbl,
		      const struct wg_fw_rule *rule, char *err, size_t errlen)
{
	struct nftc_ctx c = { .fam = fam, .tbl = tbl, .err = err, .errlen = errlen };
	struct sbuf line = { 0 };
	const char *chain;
	bool off;
	int ret = disabled(&c, rule, &off);
	for (int v = 0; ret == 0 && v < nftc_variants(rule); v++)
		ret = rule_text(&c, rule, v, &line, &chain);
	sb_free(&line);
	ctx_free(&c);
	return ret;
}

/* Finds the chain by nft name or appends it (hook NULL = custom chain). */
static struct out_chain *chain_get(struct out_chains *o, const char *name, const char *hook)
{
	for (size_t i = 0; i < o->n; i++)
		if (!strcmp(o->v[i].name, name))
			return &o->v[i];
	if (o->n == o->cap) {
		size_t cap = o->cap ? o->cap * 2 : 8;
		struct out_chain *v = realloc(o->v, cap * sizeof(*v));
		if (!v)
			return NULL;
		o->v = v;
		o->cap = cap;
	}
	struct out_chain *ch = &o->v[o->n++];
	memset(ch, 0, sizeof(*ch));
	snprintf(ch->name, sizeof(ch->name), "%s", name);
	ch->hook = hook;
	return ch;
}

static void chains_free(struct out_chains *o)
{
	for (size_t i = 0; i < o->n; i++)
		sb_free(&o->v[i].body);
	free(o->v);
}

static struct out_chain *rule_chain(struct nftc_ctx *c, struct out_chains *o, const char *chain)
{
	char name[NFTC_NFT_NAME];
	if (nftc_base_chain(c->tbl, chain) && (c->tbl == WG_FW_MANGLE || c->tbl == WG_FW_RAW))
		snprintf(name, sizeof(name), "%s_%s", nftc_table_name(c->tbl), chain); /* input etc. are filter's */
	else if (nftc_base_chain(c->tbl, chain))
		snprintf(name, sizeof(name), "%s", chain);
	else
		nftc_chain_name(c->fam, c->tbl, chain, name, sizeof(name));
	return chain_get(o, name, NULL);
}

/* Rewrites the message in c->err as "ip filter rule *3: <message>". */
static void prefix_err(struct nftc_ctx *c, const char *id)
{
	char msg[256];
	if (!c->err || !c->errlen)
		return;
	snprintf(msg, sizeof(msg), "%s", c->err);
	snprintf(c->err, c->errlen, "%s %s rule %s: %s", nftc_family_name(c->fam),
		 nftc_table_name(c->tbl), id ? id : "?", msg);
}

static int compile_variant(struct nftc_ctx *c, struct out_chains *o, const struct wg_fw_rule *r,
			   int variant)
{
	struct sbuf line = { 0 };
	const char *chain;
	int ret = rule_text(c, r, variant, &line, &chain);
	struct out_chain *ch = ret == 0 ? rule_chain(c, o, chain) : NULL;
	if (ret == 0 && !ch)
		ret = nftc_err(c, "out of memory");
	if (ret == 0)
		sb_printf(&ch->body, "\t\t%s\n", sb_str(&line));
	sb_free(&line);
	return ret;
}

static int compile_rule(struct nftc_ctx *c, struct out_chains *o, const struct wg_fw_rule *r)
{
	bool off;
	int ret = disabled(c, r, &off);
	for (int v = 0; ret == 0 && !off && v < nftc_variants(r); v++)
		ret = compile_variant(c, o, r, v);
	if (ret < 0)
		prefix_err(c, r->id);
	return ret;
}

/* Jump targets with no rules of their own still have to exist. */
static int add_jump_targets(struct nftc_ctx *c, struct out_chains *o)
{
	for (int f = 0; f < WG_FW_NFAMILY; f++)
		for (int t = 0; t < WG_FW_NTABLE; t++)
			for (size_t i = 0; i < c->jumps[f][t].n; i++) {
				char name[NFTC_NFT_NAME];
				nftc_chain_name((enum wg_fw_family)f, (enum wg_fw_table)t,
					      c->jumps[f][t].v[i], name, sizeof(name));
				if (!chain_get(o, name, NULL))
					return nftc_err(c, "out of memory");
			}
	return 0;
}

static bool has_rules(const struct wg_fw_config *cfg, enum wg_fw_table t)
{
	return cfg->nrules[WG_FW_IP][t] || cfg->nrules[WG_FW_IPV6][t];
}

/* Filter chains always (an empty ruleset still shows where rules go); NAT, mangle and
 * raw chains only when there are such rules. */
static int base_chains(const struct wg_fw_config *cfg, struct out_chains *o)
{
	static const struct { const char *name, *hook; enum wg_fw_table t; } base[] = {
		{ "input", "type filter hook input priority filter; policy accept;", WG_FW_FILTER },
		{ "forward", "type filter hook forward priority filter; policy accept;", WG_FW_FILTER },
		{ "output", "type filter hook output priority filter; policy accept;", WG_FW_FILTER },
		{ "srcnat", "type nat hook postrouting priority srcnat; policy accept;", WG_FW_NAT },
		{ "dstnat", "type nat hook prerouting priority dstnat; policy accept;", WG_FW_NAT },
		{ "mangle_prerouting", "type filter hook prerouting priority mangle; policy accept;", WG_FW_MANGLE },
		{ "mangle_input", "type filter hook input priority mangle; policy accept;", WG_FW_MANGLE },
		{ "mangle_forward", "type filter hook forward priority mangle; policy accept;", WG_FW_MANGLE },
		{ "mangle_output", "type route hook output priority mangle; policy accept;", WG_FW_MANGLE },
		{ "mangle_postrouting", "type filter hook postrouting priority mangle; policy accept;", WG_FW_MANGLE },
		{ "raw_prerouting", "type filter hook prerouting priority raw; policy accept;", WG_FW_RAW },
		{ "raw_output", "type filter hook output priority raw; policy accept;", WG_FW_RAW },
	};
	for (size_t i = 0; i < sizeof(base) / sizeof(base[0]); i++)
		if ((base[i].t == WG_FW_FILTER || has_rules(cfg, base[i].t)) && !chain_get(o, base[i].name, base[i].hook))
			return -ENOMEM;
	return 0;
}

static int compile_rules(struct nftc_ctx *c, struct out_chains *o)
{
	const struct wg_fw_config *cfg = c->cfg;
	if (base_chains(cfg, o) < 0)
		return nftc_err(c, "out of memory");
	for (int t = 0; t < WG_FW_NTABLE; t++)
		for (int f = 0; f < WG_FW_NFAMILY; f++) {
			c->fam = (enum wg_fw_family)f;
			c->tbl = (enum wg_fw_table)t;
			for (size_t i = 0; i < cfg->nrules[f][t]; i++) {
				int ret = compile_rule(c, o, &cfg->rules[f][t][i]);
				if (ret < 0)
					return ret;
			}
		}
	return add_jump_targets(c, o);
}

static void emit_chains(const struct out_chains *o, struct sbuf *out)
{
	for (size_t i = 0; i < o->n; i++) {
		sb_printf(out, "\n\tchain %s {\n", o->v[i].name);
		if (o->v[i].hook)
			sb_printf(out, "\t\t%s\n", o->v[i].hook);
		sb_add(out, sb_str(&o->v[i].body));
		sb_add(out, "\t}\n");
	}
}

int wg_nft_compile(const struct wg_fw_config *cfg, char **script, char *err, size_t errlen)
{
	struct nftc_ctx c = { .cfg = cfg, .err = err, .errlen = errlen };
	struct out_chains chains = { 0 };
	struct sbuf out = { 0 };
	*script = NULL;
	if (err && errlen)
		err[0] = '\0';
	sb_add(&out, "add table inet " WG_NFT_TABLE "\ndelete table inet " WG_NFT_TABLE
		       "\ntable inet " WG_NFT_TABLE " {\n");
	int ret = compile_rules(&c, &chains);
	if (ret == 0)
		ret = nftc_declarations(&c, &out);
	if (ret == 0) {
		emit_chains(&chains, &out);
		sb_add(&out, "}\n");
	}
	if (ret == 0)
		*script = sb_take(&out);
	sb_free(&out);
	chains_free(&chains);
	ctx_free(&c);
	return ret;
}
