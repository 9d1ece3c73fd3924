/* Reads state back out of `nft list table inet wgrouter` text: rule counters (found by
 * the comment every compiled rule carries) and the elements of dynamic address-list
 * sets. Pure text parsing so it is tested on captured listings. */
#include "sys/nft_internal.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* "ip filter *3" -> family, table, id; false if it is not one of our comments. */
static bool parse_comment(const char *s, size_t len, struct wg_fw_counter *k)
{
	char buf[96], fam[8], tbl[8], id[NFTC_ID_MAX + 1];
	char extra;
	if (len >= sizeof(buf))
		return false;
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (sscanf(buf, "%7s %7s %31s %c", fam, tbl, id, &extra) != 3)
		return false;
	if (!strcmp(fam, "ip") || !strcmp(fam, "ip6"))
		k->family = fam[2] ? WG_FW_IPV6 : WG_FW_IP;
	else
		return false;
	if (!strcmp(tbl, "filter"))
		k->table = WG_FW_FILTER;
	else if (!strcmp(tbl, "nat"))
		k->table = WG_FW_NAT;
	else if (!strcmp(tbl, "mangle"))
		k->table = WG_FW_MANGLE;
	else if (!strcmp(tbl, "raw"))
		k->table = WG_FW_RAW;
	else
		return false;
	snprintf(k->id, sizeof(k->id), "%s", id);
	return true;
}

/* One rule line: its counter and comment, if it has both. */
static bool parse_rule_line(const char *line, size_t len, struct wg_fw_counter *k)
{
	char buf[4096];
	unsigned long long p, b;
	if (len >= sizeof(buf))
		len = sizeof(buf) - 1;
	memcpy(buf, line, len);
	buf[len] = '\0';
	const char *c = strstr(buf, " comment \""), *n = strstr(buf, "counter packets ");
	if (!c || !n || sscanf(n, "counter packets %llu bytes %llu", &p, &b) != 2)
		return false;
	c += strlen(" comment \"");
	const char *end = strchr(c, '"');
	if (!end || !parse_comment(c, (size_t)(end - c), k))
		return false;
	k->packets = p;
	k->bytes = b;
	return true;
}

/* Adds k, summing into an existing entry with the same key. */
static int add_counter(struct wg_fw_counter **arr, size_t *n, size_t *cap,
		       const struct wg_fw_counter *k)
{
	for (size_t i = 0; i < *n; i++) {
		struct wg_fw_counter *e = &(*arr)[i];
		if (e->family == k->family && e->table == k->table && !strcmp(e->id, k->id)) {
			e->packets += k->packets;
			e->bytes += k->bytes;
			return 0;
		}
	}
	if (*n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 32;
		struct wg_fw_counter *v = realloc(*arr, ncap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		*arr = v;
		*cap = ncap;
	}
	(*arr)[(*n)++] = *k;
	return 0;
}

int wg_nft_parse_counters(const char *listing, struct wg_fw_counter **out)
{
	struct wg_fw_counter *arr = NULL, k;
	size_t n = 0, cap = 0;
	*out = NULL;
	for (const char *line = listing; line && *line; ) {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);
		memset(&k, 0, sizeof(k));
		if (parse_rule_line(line, len, &k) && add_counter(&arr, &n, &cap, &k) < 0) {
			free(arr);
			return -ENOMEM;
		}
		line = nl ? nl + 1 : NULL;
	}
	*out = arr;
	return (int)n;
}

/* --- dynamic sets --- */

/* Name of a set header line "set al4_x {" -> family and list; false otherwise. */
static bool set_header(const char *line, enum wg_fw_family *fam, char *list, size_t n)
{
	char name[NFTC_NFT_NAME];
	while (*line == '\t' || *line == ' ')
		line++;
	if (sscanf(line, "set %255s {", name) != 1)
		return false;
	if (!strncmp(name, "al4_", 4))
		*fam = WG_FW_IP;
	else if (!strncmp(name, "al6_", 4))
		*fam = WG_FW_IPV6;
	else
		return false;
	return nftc_unmangle(name + 4, list, n);
}

/* "1.2.3.4 timeout 1h expires 59m58s" -> entry; false if the address does not parse. */
static bool parse_element(char *text, struct wg_fw_dyn_entry *e)
{
	char *save = NULL, *tok = strtok_r(text, " \t\n", &save);
	if (!tok || wg_addr_parse(&e->addr, tok) < 0)
		return false;
	while ((tok = strtok_r(NULL, " \t\n", &save))) {
		char *val = strtok_r(NULL, " \t\n", &save);
		uint64_t *dst = !strcmp(tok, "timeout") ? &e->timeout_ms
			      : !strcmp(tok, "expires") ? &e->expires_ms : NULL;
		if (!val)
			break;
		if (dst && nftc_time_ms(val, dst) < 0)
			*dst = 0;
	}
	return true;
}

struct dyn_out {
	struct wg_fw_dyn_entry *arr;
	size_t n, cap;
};

static int push_elements(struct dyn_out *o, enum wg_fw_family fam, const char *list,
			 const char *start, size_t len)
{
	char *copy = strndup(start, len), *save = NULL;
	if (!copy)
		return -ENOMEM;
	for (char *el = strtok_r(copy, ",", &save); el; el = strtok_r(NULL, ",", &save)) {
		struct wg_fw_dyn_entry e = { .family = fam };
		snprintf(e.list, sizeof(e.list), "%s", list);
		if (!parse_element(el, &e))
			continue;
		if (o->n == o->cap) {
			size_t cap = o->cap ? o->cap * 2 : 16;
			struct wg_fw_dyn_entry *v = realloc(o->arr, cap * sizeof(*v));
			if (!v) {
				free(copy);
				return -ENOMEM;
			}
			o->arr = v;
			o->cap = cap;
		}
		o->arr[o->n++] = e;
	}
	free(copy);
	return 0;
}

/* Parses one set block starting at its header; returns where the block ends. */
static const char *parse_set(const char *p, struct dyn_out *o, int *err)
{
	enum wg_fw_family fam;
	char list[64];
	const char *nl = strchr(p, '\n');
	const char *end = strstr(p, "\n\t}");
	if (!end)
		end = p + strlen(p);
	if (!set_header(p, &fam, list, sizeof(list)) || !nl)
		return nl ? nl + 1 : p + strlen(p);
	const char *flags = strstr(nl, "flags ");
	const char *el = strstr(nl, "elements = {");
	bool dynamic = flags && flags < end && strstr(flags, "dynamic") &&
		       strstr(flags, "dynamic") < strchr(flags, '\n');
	if (dynamic && el && el < end) {
		el += strlen("elements = {");
		const char *close = strchr(el, '}');
		if (close && close <= end)
			*err = push_elements(o, fam, list, el, (size_t)(close - el));
	}
	return end;
}

int wg_nft_parse_dynamic(const char *listing, struct wg_fw_dyn_entry **out)
{
	struct dyn_out o = { 0 };
	int err = 0;
	*out = NULL;
	const char *p = listing;
	while (p && *p && err == 0) {
		const char *set = strstr(p, "\tset ");
		if (!set)
			break;
		p = parse_set(set + 1, &o, &err);
	}
	if (err < 0) {
		free(o.arr);
		return err;
	}
	*out = o.arr;
	return (int)o.n;
}
