/* Declarations of the compiled table: the flowtable, interface-list sets and
 * address-list sets, filled from the configuration after the rules were compiled (the
 * rules decide which lists exist and which address lists must be dynamic). */
#include "sys/nft_internal.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int emit_flowtable(struct nftc_ctx *c, struct sbuf *out)
{
	const struct wg_fw_config *cfg = c->cfg;
	if (!c->uses_flowtable)
		return 0;
	sb_add(out, "\tflowtable ft {\n\t\thook ingress priority 0;\n\t\tdevices = { ");
	for (size_t i = 0; i < cfg->nflow_devices; i++) {
		if (!nftc_plain(cfg->flow_devices[i], 15))
			return nftc_bad(c, "interface", cfg->flow_devices[i]);
		sb_printf(out, "%s\"%s\"", i ? ", " : "", cfg->flow_devices[i]);
	}
	sb_add(out, " };\n\t}\n");
	return 0;
}

/* "none" is built in and always empty; "all" is never a set (it needs no match). */
static int collect_if_lists(struct nftc_ctx *c)
{
	const struct wg_fw_config *cfg = c->cfg;
	for (size_t i = 0; i < cfg->nif_lists; i++) {
		const char *l = cfg->if_lists[i];
		if (!nftc_plain(l, NFTC_NAME_MAX))
			return nftc_bad(c, "name", l);
		if (strcmp(l, "all") && nftc_names_add(&c->if_lists, l) < 0)
			return nftc_err(c, "out of memory");
	}
	return 0;
}

static int emit_if_set(struct nftc_ctx *c, const char *list, struct sbuf *out)
{
	const struct wg_fw_config *cfg = c->cfg;
	struct nftc_names members = { 0 };
	char set[NFTC_NFT_NAME];
	int ret = 0;
	for (size_t i = 0; i < cfg->nmembers && ret == 0 && strcmp(list, "none"); i++) {
		const struct wg_fw_if_member *m = &cfg->members[i];
		if (!m->list || strcmp(m->list, list))
			continue;
		if (!m->interface || !nftc_plain(m->interface, 15))
			ret = nftc_bad(c, "interface", m->interface ? m->interface : "");
		else if (nftc_names_add(&members, m->interface) < 0)
			ret = nftc_err(c, "out of memory");
	}
	nftc_iflist_set(list, set, sizeof(set));
	sb_printf(out, "\tset %s {\n\t\ttype ifname;\n", set);
	for (size_t i = 0; i < members.n; i++)
		sb_printf(out, "%s\"%s\"", i ? ", " : "\t\telements = { ", members.v[i]);
	sb_add(out, members.n ? " }\n\t}\n" : "\t}\n");
	nftc_names_free(&members);
	return ret;
}

static int emit_if_sets(struct nftc_ctx *c, struct sbuf *out)
{
	int ret = collect_if_lists(c);
	for (size_t i = 0; i < c->if_lists.n && ret == 0; i++)
		ret = emit_if_set(c, c->if_lists.v[i], out);
	return ret;
}

/* One address-list entry as a set element ("10.0.0.0/8 timeout 1h"). */
static int entry_text(struct nftc_ctx *c, enum wg_fw_family fam, const struct wg_fw_addr_entry *e,
		      bool dynamic, struct sbuf *out)
{
	char addr[2 * WG_PREFIX_STRLEN], t[32];
	bool single;
	uint64_t ms = 0;
	if (!e->address || nftc_addr_text(fam, e->address, addr, sizeof(addr), &single) < 0)
		return nftc_bad(c, "address", e->address ? e->address : "");
	if (dynamic && !single)
		return nftc_err(c, "address-list %s is filled by add-src-to-list/add-dst-to-list, "
			      "so its entry \"%s\" must be a single address", e->list, e->address);
	if (e->timeout && *e->timeout && nftc_time_ms(e->timeout, &ms) < 0)
		return nftc_bad(c, "timeout", e->timeout);
	sb_printf(out, "%s%s", out->len ? ", " : "", addr);
	if (ms) {
		nftc_time_fmt(ms, t, sizeof(t));
		sb_printf(out, " timeout %s", t);
	}
	return 0;
}

/* Carried-over dynamic entries of this list, skipping addresses already listed. */
static void dyn_elements(const struct nftc_ctx *c, enum wg_fw_family fam, const char *list,
			 struct nftc_names *seen, struct sbuf *out)
{
	const struct wg_fw_config *cfg = c->cfg;
	for (size_t i = 0; i < cfg->ndyn; i++) {
		const struct wg_fw_dyn_entry *d = &cfg->dyn[i];
		char addr[WG_PREFIX_STRLEN], t[32];
		if (d->family != fam || strcmp(d->list, list) ||
		    d->addr.family != (fam == WG_FW_IPV6 ? AF_INET6 : AF_INET))
			continue;
		wg_addr_format(d->addr.family, d->addr.addr, addr);
		if (nftc_names_find(seen, addr) >= 0 || nftc_names_add(seen, addr) < 0)
			continue;
		sb_printf(out, "%s%s", out->len ? ", " : "", addr);
		if (d->timeout_ms) {
			nftc_time_fmt(d->timeout_ms, t, sizeof(t));
			sb_printf(out, " timeout %s", t);
			if (d->expires_ms && d->expires_ms <= d->timeout_ms) {
				nftc_time_fmt(d->expires_ms, t, sizeof(t));
				sb_printf(out, " expires %s", t);
			}
		}
	}
}

static int addr_elements(struct nftc_ctx *c, enum wg_fw_family fam, const char *list,
			 bool dynamic, struct sbuf *elems)
{
	const struct wg_fw_config *cfg = c->cfg;
	struct nftc_names seen = { 0 };
	int ret = 0;
	for (size_t i = 0; i < cfg->naddrs[fam] && ret == 0; i++) {
		const struct wg_fw_addr_entry *e = &cfg->addrs[fam][i];
		if (e->disabled || !e->list || strcmp(e->list, list))
			continue;
		ret = entry_text(c, fam, e, dynamic, elems);
		if (ret == 0 && dynamic) { /* remember the address so carried-over copies are skipped */
			char addr[WG_PREFIX_STRLEN];
			struct wg_prefix p;
			if (wg_prefix_parse(&p, e->address) == 0 && nftc_names_add(&seen,
			    wg_addr_format(p.family, p.addr, addr)) < 0)
				ret = nftc_err(c, "out of memory");
		}
	}
	if (ret == 0 && dynamic)
		dyn_elements(c, fam, list, &seen, elems);
	nftc_names_free(&seen);
	return ret;
}

/* Dynamic sets cannot be interval sets (the kernel cannot update those from the packet
 * path), so only lists that add-*-to-list fills are hash sets. */
static int emit_addr_set(struct nftc_ctx *c, enum wg_fw_family fam, const char *list,
			 struct sbuf *out)
{
	bool dynamic = nftc_names_find(&c->dyn_lists[fam], list) >= 0;
	struct sbuf elems = { 0 };
	char set[NFTC_NFT_NAME];
	int ret = addr_elements(c, fam, list, dynamic, &elems);
	nftc_addrlist_set(fam, list, set, sizeof(set));
	sb_printf(out, "\tset %s {\n\t\ttype %s;\n", set, fam == WG_FW_IPV6 ? "ipv6_addr" : "ipv4_addr");
	sb_add(out, dynamic ? "\t\tflags dynamic,timeout;\n"
			      : "\t\tflags interval,timeout;\n\t\tauto-merge;\n");
	if (elems.len)
		sb_printf(out, "\t\telements = { %s }\n", sb_str(&elems));
	sb_add(out, "\t}\n");
	sb_free(&elems);
	return ret;
}

/* Lists with entries get a set even when no rule uses them yet. */
static int collect_addr_lists(struct nftc_ctx *c, enum wg_fw_family fam)
{
	const struct wg_fw_config *cfg = c->cfg;
	for (size_t i = 0; i < cfg->naddrs[fam]; i++) {
		const char *l = cfg->addrs[fam][i].list;
		if (!l || !nftc_plain(l, NFTC_NAME_MAX))
			return nftc_bad(c, "list", l ? l : "");
		if (nftc_names_add(&c->addr_lists[fam], l) < 0)
			return nftc_err(c, "out of memory");
	}
	return 0;
}

static int emit_addr_sets(struct nftc_ctx *c, struct sbuf *out)
{
	for (int f = 0; f < WG_FW_NFAMILY; f++) {
		int ret = collect_addr_lists(c, (enum wg_fw_family)f);
		for (size_t i = 0; i < c->addr_lists[f].n && ret == 0; i++)
			ret = emit_addr_set(c, (enum wg_fw_family)f, c->addr_lists[f].v[i], out);
		if (ret < 0)
			return ret;
	}
	return 0;
}

int nftc_declarations(struct nftc_ctx *c, struct sbuf *out)
{
	int ret = emit_flowtable(c, out);
	if (ret == 0)
		ret = emit_if_sets(c, out);
	if (ret == 0)
		ret = emit_addr_sets(c, out);
	if (ret == 0) /* connection-limit / dst-limit state, one set per rule */
		sb_add(out, sb_str(&c->meters));
	return ret;
}

int wg_nft_addr_check(enum wg_fw_family fam, const struct wg_fw_addr_entry *e,
		      char *err, size_t errlen)
{
	struct nftc_ctx c = { .fam = fam, .err = err, .errlen = errlen };
	struct sbuf s = { 0 };
	if (!e->list || !nftc_plain(e->list, NFTC_NAME_MAX))
		return nftc_bad(&c, "list", e->list ? e->list : "");
	int ret = entry_text(&c, fam, e, false, &s);
	sb_free(&s);
	return ret;
}
