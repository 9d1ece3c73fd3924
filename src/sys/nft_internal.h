/* Internals shared by the firewall compiler files (nft_value.c, nft_match.c,
 * nft_action.c, nft_sets.c, nft_compile.c, nft_text.c). Not part of the public API: see nft.h. */
#ifndef WG_SYS_NFT_INTERNAL_H
#define WG_SYS_NFT_INTERNAL_H
#include "sys/nft.h"
#include "util/sbuf.h"
#include <stdint.h>

enum {
	NFTC_NAME_MAX = 63,   /* longest list / chain name accepted from the console */
	NFTC_NFT_NAME = 256,  /* room for a mangled nft identifier */
	NFTC_ID_MAX = 31,
};

/* A growable set of distinct strings (referenced lists, custom chains). */
struct nftc_names {
	char **v;
	size_t n, cap;
};
int nftc_names_add(struct nftc_names *s, const char *name); /* index, or -ENOMEM */
int nftc_names_find(const struct nftc_names *s, const char *name); /* index or -1 */
void nftc_names_free(struct nftc_names *s);

/* Everything the rules of one configuration refer to, collected while compiling them
 * so the declarations (sets, flowtable) can be written afterwards. */
struct nftc_ctx {
	const struct wg_fw_config *cfg;  /* NULL when checking a single rule */
	enum wg_fw_family fam;
	enum wg_fw_table tbl;
	char *err;
	size_t errlen;
	struct nftc_names if_lists;                  /* interface lists used by rules */
	struct nftc_names addr_lists[WG_FW_NFAMILY]; /* address lists used by rules */
	struct nftc_names dyn_lists[WG_FW_NFAMILY];  /* ... of which add-*-to-list fills */
	struct nftc_names jumps[WG_FW_NFAMILY][WG_FW_NTABLE]; /* custom chains jumped to */
	struct nftc_names packet_marks;              /* packet-mark names seen (collision check) */
	struct sbuf meters;                          /* per-rule sets (connection-limit, dst-limit) */
	bool uses_flowtable;
};

/* The rule being compiled: its properties and where its text goes. */
struct nftc_rule {
	struct nftc_ctx *c;
	const struct wg_fw_rule *r;
	const char *chain;       /* RouterOS chain name */
	const char *l4;          /* nft protocol keyword usable with ports, or NULL */
	int proto;               /* protocol number matched (not negated), -1 = any */
	int variant;             /* port=: 0 matches sport, 1 dport-but-not-sport */
	struct sbuf *out;
};

/* --- nft_value.c: value syntax --- */
/* Writes `invalid value for argument KEY: "VALUE"` and returns -EINVAL. */
int nftc_bad(struct nftc_ctx *c, const char *key, const char *value);
/* Writes a free-form error and returns -EINVAL. */
int nftc_err(struct nftc_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Strips a leading '!' from *v; true if there was one. */
bool nftc_negated(const char **v);
/* "yes"/"true" or "no"/"false" into *out; false if neither. */
bool nftc_bool(const char *v, bool *out);
/* RouterOS time ("1h", "1d2h3m", "500ms", "00:01:00", "30" = seconds) into ms. */
int nftc_time_ms(const char *s, uint64_t *ms);
/* ms as nft writes times: "1d2h", "30s", "500ms"; "0s" for 0. */
void nftc_time_fmt(uint64_t ms, char *buf, size_t n);
/* Text safe inside nft double quotes (no quote, backslash or control character),
 * 1..max bytes. */
bool nftc_plain(const char *s, size_t max);
/* A port "80" or range "1000-2000" of len bytes at s; for a single port *b = *a. */
bool nftc_port_range(const char *s, size_t len, unsigned *a, unsigned *b);
/* prefix + name as an nft identifier; every byte outside [A-Za-z0-9-] becomes _xx. */
void nftc_mangle(const char *prefix, const char *name, char *out, size_t n);
/* Reverse of nftc_mangle for a name without its prefix; false if malformed. */
bool nftc_unmangle(const char *in, char *out, size_t n);
/* An address, prefix (host bits cleared) or range "a-b" of the family as nft text.
 * *single is set when it is one address. 0 or -EINVAL. */
int nftc_addr_text(enum wg_fw_family fam, const char *v, char *out, size_t n, bool *single);
const char *nftc_family_name(enum wg_fw_family fam);  /* "ip" / "ip6" */
const char *nftc_table_name(enum wg_fw_table tbl);    /* "filter" / "nat" */
/* Set names of lists. */
void nftc_iflist_set(const char *list, char *out, size_t n);
void nftc_addrlist_set(enum wg_fw_family fam, const char *list, char *out, size_t n);
/* The value of a rule property, or NULL. */
const char *nftc_prop(const struct wg_fw_rule *r, const char *key);

/* --- nft_match.c: one emitter per matcher property group --- */
/* count per period_ms as nft writes a rate: *rate per the unit returned ("second", ...). */
const char *nftc_rate_unit(uint64_t count, uint64_t period_ms, uint64_t *rate);
int nftc_match_all(struct nftc_rule *fr);
/* How many nft rules the RouterOS rule needs: 2 for port= (either port), else 1. */
int nftc_variants(const struct wg_fw_rule *r);

/* --- nft_match_conn.c / nft_match_packet.c: the matchers beyond addresses and ports --- */
int nftc_match_conn(struct nftc_rule *fr);    /* connection-*, ipsec-policy, per-connection-classifier */
int nftc_match_packet(struct nftc_rule *fr);  /* hop-limit/ttl, packet-size, address types, marks, ... */
/* A RouterOS matcher or action property nftables cannot do: the reason, else NULL. */
const char *nftc_refused(const char *key);

/* --- nft_mark.c: RouterOS's named marks on Linux's one packet mark and ct mark.
 * The packet mark's low 16 bits are the routing table (mark-routing, ip rule
 * fwmark T/0xffff), the high 16 bits the packet-mark; the connection mark is all of
 * ct mark. Names map to numbers by a hash, so a mark keeps its number across changes
 * (connections marked before a re-apply still match); a collision is a compile error. */
enum { NFTC_ROUTE_MASK = 0xffff };
int nftc_packet_mark(struct nftc_rule *fr, const char *key, const char *name, uint32_t *mark);
int nftc_conn_mark(struct nftc_rule *fr, const char *key, const char *name, uint32_t *mark);
/* The routing table's mark (cfg.route_marks); any valid number when only checking. */
int nftc_route_mark(struct nftc_rule *fr, const char *key, const char *table, uint32_t *mark);

/* --- nft_action.c: the statements after the counter --- */
/* Checks the action and everything it needs (jump-target, to-addresses, ...). */
int nftc_action(struct nftc_rule *fr);
/* nft name of a custom chain: ip_filter_<name>, ip6_nat_<name>, ... */
void nftc_chain_name(enum wg_fw_family fam, enum wg_fw_table tbl, const char *chain,
		     char *out, size_t n);
/* Is this a base chain name of the rule's table? */
bool nftc_base_chain(enum wg_fw_table tbl, const char *chain);

/* --- nft_action_mangle.c: mark-*, change-*, notrack --- */
int nftc_a_mark_routing(struct nftc_rule *fr);
int nftc_a_mark_packet(struct nftc_rule *fr);
int nftc_a_mark_connection(struct nftc_rule *fr);
int nftc_a_change_mss(struct nftc_rule *fr);
int nftc_a_change_ttl(struct nftc_rule *fr);
int nftc_a_change_dscp(struct nftc_rule *fr);
int nftc_a_notrack(struct nftc_rule *fr);
/* passthrough=no: " accept" (stop this chain), "" otherwise. */
int nftc_passthrough(struct nftc_rule *fr, const char **tail);

/* --- nft_sets.c --- */
/* Flowtable and sets for everything c collected; written before the chains. */
int nftc_declarations(struct nftc_ctx *c, struct sbuf *out);
#endif
