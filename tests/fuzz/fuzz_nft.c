/* libFuzzer harness for the nftables compiler (src/sys/nft.h): wg_nft_rule_check,
 * wg_nft_addr_check and wg_nft_compile, which turn the console's firewall rules into nft
 * text. Nothing here talks to the kernel (no wg_nft_apply, wg_nft_run, wg_nft_list).
 * The input is text, one record per line, words separated by blanks, "quoted" values
 * may hold blanks:
 *   rule ip|ip6 filter|nat|mangle|raw ID key=value key="a value" ...
 *   addr ip|ip6 LIST ADDRESS [TIMEOUT [disabled]]
 *   iflist NAME            member LIST INTERFACE        dev NAME
 *   mark NAME NUMBER       counter ip|ip6 filter|nat|mangle ID PACKETS BYTES
 *   dyn ip|ip6 LIST PREFIX TIMEOUT_MS EXPIRES_MS        flowtable
 * The same text also goes to the parsers of `nft list` output (wg_nft_parse_counters,
 * wg_nft_parse_dynamic).
 * Properties, besides no crash, leak or undefined behaviour:
 * - a check or a compile either succeeds (compile: a script, no message) or fails with
 *   -EINVAL and a message (compile: no script); compiling twice gives the same text;
 * - a script is well formed as far as values can break it: braces balance, quotes pair
 *   on every line, no control characters, and every rule line of a chain ends in its
 *   comment "ip|ip6 filter|nat|mangle ID" (a value that smuggled a newline or a quote
 *   into the text breaks one of these);
 * - a rule that wg_nft_rule_check refuses never compiles: a configuration holding it
 *   (enabled) fails.
 * With -DFUZZ_STANDALONE it replays the files named on the command line. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "sys/nft.h"

#define FAIL(...) do { fprintf(stderr, __VA_ARGS__); fputc('\n', stderr); abort(); } while (0)

enum { MAX_RULES = 32, MAX_PROPS = 24, MAX_ITEMS = 32, MAX_WORDS = 32 };

static struct wg_fw_rule rules[WG_FW_NFAMILY][WG_FW_NTABLE][MAX_RULES];
static struct wg_fw_prop props[WG_FW_NFAMILY * WG_FW_NTABLE * MAX_RULES][MAX_PROPS];
static struct wg_fw_addr_entry addrs[WG_FW_NFAMILY][MAX_ITEMS];
static const char *if_lists[MAX_ITEMS], *devs[MAX_ITEMS];
static struct wg_fw_if_member members[MAX_ITEMS];
static struct wg_fw_route_mark marks[MAX_ITEMS];
static struct wg_fw_counter counters[MAX_ITEMS];
static struct wg_fw_dyn_entry dyns[MAX_ITEMS];
static size_t nprops_used;

/* Splits a line into words in place ("..." keeps blanks; the quotes are dropped). */
static int split(char *s, char **w)
{
	int n = 0;
	while (*s && n < MAX_WORDS) {
		while (*s == ' ' || *s == '\t')
			s++;
		if (!*s)
			break;
		w[n++] = s;
		char *o = s;
		bool q = false;
		for (; *s && (q || (*s != ' ' && *s != '\t')); s++) {
			if (*s == '"')
				q = !q;
			else
				*o++ = *s;
		}
		if (*s)
			s++;
		*o = 0;
	}
	return n;
}

static int family(const char *w) { return !strcmp(w, "ip6") ? WG_FW_IPV6 : WG_FW_IP; }

static int table(const char *w)
{
	return !strcmp(w, "nat") ? WG_FW_NAT : !strcmp(w, "mangle") ? WG_FW_MANGLE
	     : !strcmp(w, "raw") ? WG_FW_RAW : WG_FW_FILTER;
}

static void add_rule(struct wg_fw_config *cfg, char **w, int n)
{
	int f = family(w[1]), t = table(w[2]);
	if (cfg->nrules[f][t] == MAX_RULES || nprops_used == sizeof(props) / sizeof(props[0]))
		return;
	struct wg_fw_prop *p = props[nprops_used++];
	size_t np = 0;
	for (int i = 4; i < n && np < MAX_PROPS; i++) {
		char *eq = strchr(w[i], '=');
		p[np].key = w[i];
		p[np].value = eq ? eq + 1 : ""; /* a key alone: an empty value */
		if (eq)
			*eq = 0;
		np++;
	}
	rules[f][t][cfg->nrules[f][t]++] = (struct wg_fw_rule){ .id = w[3], .props = p, .nprops = np };
}

static void add_record(struct wg_fw_config *cfg, char **w, int n)
{
	if (!strcmp(w[0], "rule") && n >= 4) {
		add_rule(cfg, w, n);
	} else if (!strcmp(w[0], "addr") && n >= 4) {
		int f = family(w[1]);
		if (cfg->naddrs[f] < MAX_ITEMS)
			addrs[f][cfg->naddrs[f]++] = (struct wg_fw_addr_entry){
				.list = w[2], .address = w[3], .timeout = n > 4 ? w[4] : NULL,
				.disabled = n > 5 && !strcmp(w[5], "disabled") };
	} else if (!strcmp(w[0], "iflist") && n >= 2 && cfg->nif_lists < MAX_ITEMS) {
		if_lists[cfg->nif_lists++] = w[1];
	} else if (!strcmp(w[0], "member") && n >= 3 && cfg->nmembers < MAX_ITEMS) {
		members[cfg->nmembers++] = (struct wg_fw_if_member){ w[1], w[2] };
	} else if (!strcmp(w[0], "dev") && n >= 2 && cfg->nflow_devices < MAX_ITEMS) {
		devs[cfg->nflow_devices++] = w[1];
	} else if (!strcmp(w[0], "mark") && n >= 3 && cfg->nroute_marks < MAX_ITEMS) {
		marks[cfg->nroute_marks++] = (struct wg_fw_route_mark){ w[1], (uint32_t)strtoul(w[2], NULL, 0) };
	} else if (!strcmp(w[0], "flowtable")) {
		cfg->flowtable = true;
	} else if (!strcmp(w[0], "counter") && n >= 6 && cfg->ncounters < MAX_ITEMS) {
		struct wg_fw_counter *k = &counters[cfg->ncounters++];
		*k = (struct wg_fw_counter){ .family = family(w[1]), .table = table(w[2]),
					     .packets = strtoull(w[4], NULL, 0), .bytes = strtoull(w[5], NULL, 0) };
		snprintf(k->id, sizeof(k->id), "%s", w[3]);
	} else if (!strcmp(w[0], "dyn") && n >= 6 && cfg->ndyn < MAX_ITEMS) {
		struct wg_fw_dyn_entry *d = &dyns[cfg->ndyn];
		*d = (struct wg_fw_dyn_entry){ .family = family(w[1]), .timeout_ms = strtoull(w[4], NULL, 0),
					       .expires_ms = strtoull(w[5], NULL, 0) };
		snprintf(d->list, sizeof(d->list), "%s", w[2]);
		if (wg_prefix_parse(&d->addr, w[3]) == 0)
			cfg->ndyn++;
	}
}

static void decode(char *text, struct wg_fw_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	nprops_used = 0;
	for (char *line = text, *next; line; line = next) {
		char *w[MAX_WORDS];
		next = strchr(line, '\n');
		if (next)
			*next++ = 0;
		int n = split(line, w);
		if (n)
			add_record(cfg, w, n);
	}
	for (int f = 0; f < WG_FW_NFAMILY; f++) {
		for (int t = 0; t < WG_FW_NTABLE; t++)
			cfg->rules[f][t] = rules[f][t];
		cfg->addrs[f] = addrs[f];
	}
	cfg->if_lists = if_lists;
	cfg->members = members;
	cfg->flow_devices = devs;
	cfg->route_marks = marks;
	cfg->counters = counters;
	cfg->dyn = dyns;
}

/* A rule line of a chain ends in its comment "FAMILY TABLE ID". */
static void check_rule_line(const char *line, size_t len)
{
	static const char *const kinds[] = { "ip filter ", "ip nat ", "ip mangle ", "ip raw ", "ip6 filter ",
					     "ip6 nat ", "ip6 mangle ", "ip6 raw ", NULL };
	const char *open = line + len - 1;
	if (len < 2 || *open != '"')
		FAIL("rule line without its comment: %.*s", (int)len, line);
	while (open > line && open[-1] != '"')
		open--;
	open--; /* the opening quote */
	if (open - line < 9 || memcmp(open - 9, " comment ", 9))
		FAIL("rule line without its comment: %.*s", (int)len, line);
	for (int i = 0; kinds[i]; i++)
		if (!strncmp(open + 1, kinds[i], strlen(kinds[i])))
			return;
	FAIL("rule comment names no family and table: %.*s", (int)len, line);
}

static void check_script(const char *s)
{
	static const char head[] = "add table inet " WG_NFT_TABLE "\ndelete table inet " WG_NFT_TABLE "\n";
	int depth = 0;
	bool in_chain = false;
	if (strncmp(s, head, sizeof(head) - 1))
		FAIL("script does not start with the table swap");
	for (const char *line = s; *line;) {
		size_t len = strcspn(line, "\n");
		int quotes = 0;
		for (size_t i = 0; i < len; i++) {
			unsigned char ch = (unsigned char)line[i];
			if (ch < 0x20 && ch != '\t')
				FAIL("control character 0x%02x in: %.*s", ch, (int)len, line);
			quotes += ch == '"';
			if (quotes % 2 == 0)
				depth += (ch == '{') - (ch == '}');
		}
		if (quotes % 2)
			FAIL("unpaired quote in: %.*s", (int)len, line);
		if (depth < 0)
			FAIL("brace closed before it was opened");
		if (!strncmp(line, "\tchain ", 7))
			in_chain = true;
		else if (depth < 2)
			in_chain = false;
		else if (in_chain && strncmp(line, "\t\ttype ", 7)) /* a rule, not the hook */
			check_rule_line(line, len);
		line += len + (line[len] == '\n');
	}
	if (depth != 0)
		FAIL("braces do not balance (%d)", depth);
}

static bool enabled(const struct wg_fw_rule *r)
{
	for (size_t i = 0; i < r->nprops; i++)
		if (!strcmp(r->props[i].key, "disabled"))
			return strcmp(r->props[i].value, "yes") && strcmp(r->props[i].value, "true");
	return true;
}

static void check_result(int rc, const char *err, const char *what)
{
	if (rc != 0 && rc != -EINVAL)
		FAIL("%s returned %d", what, rc);
	if (rc && !err[0])
		FAIL("%s failed without a message", what);
}

/* Checks every rule and address-list entry alone; a refused enabled rule means the
 * configuration must not compile. */
static bool check_each(const struct wg_fw_config *cfg)
{
	char err[256];
	bool refused = false;
	for (int f = 0; f < WG_FW_NFAMILY; f++) {
		for (int t = 0; t < WG_FW_NTABLE; t++)
			for (size_t i = 0; i < cfg->nrules[f][t]; i++) {
				const struct wg_fw_rule *r = &cfg->rules[f][t][i];
				err[0] = 0;
				int rc = wg_nft_rule_check((enum wg_fw_family)f, (enum wg_fw_table)t, r, err, sizeof(err));
				check_result(rc, err, "wg_nft_rule_check");
				refused |= rc && enabled(r);
			}
		for (size_t i = 0; i < cfg->naddrs[f]; i++) {
			err[0] = 0;
			int rc = wg_nft_addr_check((enum wg_fw_family)f, &cfg->addrs[f][i], err, sizeof(err));
			check_result(rc, err, "wg_nft_addr_check");
		}
	}
	return refused;
}

static void listing_parsers(const char *text)
{
	struct wg_fw_counter *k;
	struct wg_fw_dyn_entry *d;
	int n = wg_nft_parse_counters(text, &k);
	for (int i = 0; i < n; i++)
		if (k[i].family >= WG_FW_NFAMILY || k[i].table >= WG_FW_NTABLE || !memchr(k[i].id, 0, sizeof(k[i].id)))
			FAIL("counter %d: family %d table %d", i, k[i].family, k[i].table);
	free(k);
	n = wg_nft_parse_dynamic(text, &d);
	for (int i = 0; i < n; i++)
		if (d[i].family >= WG_FW_NFAMILY || !memchr(d[i].list, 0, sizeof(d[i].list)) ||
		    (d[i].addr.family != AF_INET && d[i].addr.family != AF_INET6))
			FAIL("dynamic entry %d: family %d", i, d[i].family);
	free(d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wg_fw_config cfg;
	char *text = malloc(size + 1), *copy = malloc(size + 1), err[256], err2[256];
	char *script = NULL, *again = NULL;
	memcpy(text, data, size);
	text[size] = 0;
	memcpy(copy, text, size + 1);
	listing_parsers(text);
	decode(copy, &cfg);
	bool refused = check_each(&cfg);
	int rc = wg_nft_compile(&cfg, &script, err, sizeof(err));
	check_result(rc, err, "wg_nft_compile");
	if (rc == 0) {
		if (!script || err[0])
			FAIL("compiled without a script, or with a message: %s", err);
		if (refused)
			FAIL("a rule wg_nft_rule_check refuses compiled:\n%s", script);
		check_script(script);
		if (wg_nft_compile(&cfg, &again, err2, sizeof(err2)) != 0 || strcmp(script, again))
			FAIL("a second compile differs");
		listing_parsers(script);
	} else if (script) {
		FAIL("failed compile left a script");
	}
	free(script);
	free(again);
	free(copy);
	free(text);
	return 0;
}

#include "standalone.h"
