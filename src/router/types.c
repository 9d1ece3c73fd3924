/* Parsing of property values into their canonical text, one parser per type, each
 * answering with RouterOS's "invalid value for argument NAME". */
#include "router/schema.h"
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "crypto/crypto.h"
#include "router/units.h"
#include "util/alloc.h"
#include "util/sbuf.h"
#include "util/str.h"
#include "util/strvec.h"
#include "sys/prefix.h"
#include "util/secmem.h"

typedef bool (*canon_fn)(const struct wg_prop *p, const char *in, struct sbuf *out);

bool wg_parse_bool(const char *s, bool *out)
{
	if (!strcmp(s, "yes") || !strcmp(s, "true")) {
		*out = true;
		return true;
	}
	if (!strcmp(s, "no") || !strcmp(s, "false")) {
		*out = false;
		return true;
	}
	return false;
}

/* RFC 1123 labels, plus '_' which dynamic DNS providers hand out. */
bool wg_is_hostname(const char *s)
{
	size_t n = strlen(s);
	if (!n || n > 253 || s[0] == '.' || s[0] == '-')
		return false;
	bool alpha = false;
	for (const char *p = s; *p; p++) {
		if (isalpha((unsigned char)*p) || *p == '_')
			alpha = true;
		else if (!isdigit((unsigned char)*p) && *p != '-' && *p != '.')
			return false;
	}
	return alpha; /* all digits and dots would be a mistyped IPv4 address */
}

static bool c_str(const struct wg_prop *p, const char *in, struct sbuf *o)
{
	sb_add(o, in);
	return true;
}

static bool c_int(const struct wg_prop *p, const char *in, struct sbuf *o)
{
	char *end;
	errno = 0;
	long long v = strtoll(in, &end, 10);
	if (!*in || *end || errno || v < p->min || v > p->max)
		return false;
	sb_printf(o, "%lld", v);
	return true;
}

static bool c_bool(const struct wg_prop *p, const char *in, struct sbuf *o)
{
	bool b;
	if (!wg_parse_bool(in, &b))
		return false;
	sb_add(o, b ? "yes" : "no");
	return true;
}

static bool c_time(const struct wg_prop *p, const char *in, struct sbuf *o)
{
	uint64_t ms;
	char buf[48];
	if (!strcmp(in, "off") || !strcmp(in, "none")) {
		sb_add(o, "0s");
		return true;
	}
	if (!wg_time_parse(in, &ms))
		return false;
	sb_add(o, wg_time_format(ms, buf, sizeof(buf)));
	return true;
}

static bool c_size(const struct wg_prop *p, const char *in, struct sbuf *o)
{
	uint64_t v;
	char buf[32];
	if (!wg_size_parse(in, &v))
		return false;
	sb_add(o, wg_size_format(v, buf, sizeof(buf)));
	return true;
}

static bool c_rate(const struct wg_prop *p, const char *in, struct sbuf *o)
{
	uint64_t rx, tx;
	char a[32], b[32];
	if (!wg_rate_pair_parse(in, &rx, &tx))
		return false;
	sb_printf(o, "%s/%s", wg_rate_format(rx, a, sizeof(a)), wg_rate_format(tx, b, sizeof(b)));
	return true;
}

static bool c_datetime(const struct wg_prop *p, const char *in, struct sbuf *o)
{
	uint64_t t;
	char buf[32];
	if (!wg_datetime_parse(in, &t))
		return false;
	sb_add(o, wg_datetime_format(t, buf, sizeof(buf)));
	return true;
}

static bool c_key(const struct wg_prop *p, const char *in, struct sbuf *o)
{
	uint8_t k[WG_KEY_LEN];
	if ((p->flags & PF_AUTO) && !strcmp(in, "auto")) {
		sb_add(o, "auto");
		return true;
	}
	bool ok = strlen(in) == WG_KEY_B64_LEN && wg_key_from_base64(k, in);
	wg_wipe(k, sizeof(k));
	if (ok)
		sb_add(o, in);
	return ok;
}

static bool c_ip(const struct wg_prop *p, const char *in, struct sbuf *o)
{
	struct wg_prefix a;
	char buf[WG_PREFIX_STRLEN];
	if (wg_addr_parse(&a, in) < 0)
		return false;
	sb_add(o, wg_addr_format(a.family, a.addr, buf));
	return true;
}

static bool c_prefix(const struct wg_prop *p, const char *in, struct sbuf *o)
{
	struct wg_prefix a;
	char buf[WG_PREFIX_STRLEN];
	if (wg_prefix_parse(&a, in) < 0)
		return false;
	if (p->type == PT_NET || p->type == PT_NETS)
		wg_prefix_mask(&a);
	sb_add(o, wg_prefix_format(&a, false, buf));
	return true;
}

static bool c_host(const struct wg_prop *p, const char *in, struct sbuf *o)
{
	if (c_ip(p, in, o))
		return true;
	if (!wg_is_hostname(in))
		return false;
	sb_add(o, in);
	return true;
}

static bool c_enum(const struct wg_prop *p, const char *in, struct sbuf *o)
{
	for (const char *const *c = p->choices; c && *c; c++) {
		if (!strcmp(*c, in)) {
			sb_add(o, in);
			return true;
		}
	}
	return false;
}

/* Names of interfaces, lists and tables: printable, no separators. */
static bool c_name(const struct wg_prop *p, const char *in, struct sbuf *o)
{
	const char *s = in[0] == '!' && (p->type == PT_FWIFACE || p->type == PT_IFLIST) ? in + 1 : in;
	if (!*s || strlen(s) > 63)
		return false;
	for (const char *c = s; *c; c++)
		if ((unsigned char)*c <= ' ' || *c == ',' || *c == '"' || *c == '/')
			return false;
	sb_add(o, in);
	return true;
}

static bool c_gateway(const struct wg_prop *p, const char *in, struct sbuf *o)
{
	if (c_ip(p, in, o))
		return true;
	return c_name(p, in, o);
}

static bool one_port(const char *s, size_t n)
{
	if (!n || n > 5)
		return false;
	unsigned v = 0;
	for (size_t i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return false;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	return v <= 65535;
}

static bool port_item(const char *s)
{
	const char *dash = strchr(s, '-');
	if (!dash)
		return one_port(s, strlen(s));
	return one_port(s, (size_t)(dash - s)) && one_port(dash + 1, strlen(dash + 1));
}

static bool addr_item(const char *s)
{
	struct wg_prefix a, b;
	const char *dash = strchr(s, '-');
	if (!dash)
		return wg_prefix_parse(&a, s) == 0;
	char *l = xstrndup(s, (size_t)(dash - s));
	bool ok = wg_addr_parse(&a, l) == 0 && wg_addr_parse(&b, dash + 1) == 0 && a.family == b.family;
	free(l);
	return ok;
}

/* Lists: each element checked by one of the parsers above; canonical = joined by ','. */
static bool c_list(const struct wg_prop *p, const char *in, struct sbuf *o)
{
	struct strvec v = { 0 };
	struct wg_prop one = *p;
	bool ok = true;
	const char *body = in;
	if ((p->type == PT_PORTS || p->type == PT_FWADDR) && in[0] == '!') {
		sb_addc(o, '!');
		body = in + 1;
	}
	sv_split(&v, body, ',');
	ok = v.n > 0;
	for (size_t i = 0; ok && i < v.n; i++) {
		struct sbuf e;
		sb_init(&e);
		switch (p->type) {
		case PT_NETS: one.type = PT_NET; ok = c_prefix(&one, v.v[i], &e); break;
		case PT_PREFIXES: one.type = PT_PREFIX; ok = c_prefix(&one, v.v[i], &e); break;
		case PT_IPS: ok = c_ip(p, v.v[i], &e); break;
		case PT_ENUMS: ok = c_enum(p, v.v[i], &e); break;
		case PT_PORTS: ok = port_item(v.v[i]); sb_add(&e, v.v[i]); break;
		case PT_FWADDR: ok = addr_item(v.v[i]) && v.n == 1; sb_add(&e, v.v[i]); break;
		default: ok = c_name(p, v.v[i], &e); break;
		}
		if (ok) {
			if (i)
				sb_addc(o, ',');
			sb_add(o, sb_str(&e));
		}
		sb_free(&e);
	}
	sv_free(&v);
	return ok;
}

static canon_fn parser_of(enum wg_ptype t)
{
	switch (t) {
	case PT_INT: return c_int;
	case PT_BOOL: return c_bool;
	case PT_TIME: return c_time;
	case PT_KEY: return c_key;
	case PT_IP: return c_ip;
	case PT_PREFIX: case PT_NET: return c_prefix;
	case PT_HOST: return c_host;
	case PT_ENUM: return c_enum;
	case PT_IPS: case PT_NETS: case PT_PREFIXES: case PT_ENUMS: case PT_LIST: case PT_PORTS: case PT_FWADDR:
		return c_list;
	case PT_IFACE: case PT_FWIFACE: case PT_IFLIST: case PT_TABLE: return c_name;
	case PT_GATEWAY: return c_gateway;
	case PT_SIZE: return c_size;
	case PT_RATE: return c_rate;
	case PT_DATETIME: return c_datetime;
	default: return c_str;
	}
}

int wg_value_parse(const struct wg_prop *p, const char *in, char **out, char *err, size_t errlen)
{
	struct sbuf b;
	sb_init(&b);
	if (!parser_of(p->type)(p, in, &b)) {
		sb_free(&b);
		snprintf(err, errlen, "invalid value for argument %s", p->name);
		return -1;
	}
	*out = sb_take(&b);
	return 0;
}

/* ---- items ---- */

struct wg_item *wg_item_new(const struct wg_menu *m)
{
	struct wg_item *it = xcalloc(1, sizeof(*it));
	it->vals = xcalloc(wg_menu_nprops(m) + 1, sizeof(char *));
	return it;
}

/* A copy of a value of p: keys (PF_SENSITIVE) go to secret memory, which core dumps
 * leave out (util/secmem.h); xfree_secret frees either kind. */
static char *value_dup(const struct wg_prop *p, const char *v)
{
	if (!v)
		return NULL;
	return p->flags & PF_SENSITIVE ? wg_secmem_strdup(v) : xstrdup(v);
}

struct wg_item *wg_item_clone(const struct wg_menu *m, const struct wg_item *src)
{
	struct wg_item *it = wg_item_new(m);
	size_t n = wg_menu_nprops(m);
	it->id = src->id;
	it->dynamic = src->dynamic;
	for (size_t i = 0; i < n; i++)
		it->vals[i] = value_dup(&m->props[i], src->vals[i]);
	return it;
}

void wg_item_free(const struct wg_menu *m, struct wg_item *it)
{
	if (!it)
		return;
	size_t n = wg_menu_nprops(m);
	for (size_t i = 0; i < n; i++)
		xfree_secret(it->vals[i]);
	free(it->vals);
	free(it);
}

void wg_item_put(const struct wg_menu *m, struct wg_item *it, int idx, const char *val)
{
	char *v = value_dup(&m->props[idx], val);
	xfree_secret(it->vals[idx]);
	it->vals[idx] = v;
}

void wg_item_set(const struct wg_menu *m, struct wg_item *it, const char *name, const char *val)
{
	int i = wg_menu_prop(m, name);
	if (i >= 0)
		wg_item_put(m, it, i, val);
}

const char *wg_item_show(const struct wg_menu *m, const struct wg_item *it, int idx)
{
	if (idx < 0)
		return NULL;
	if (it->vals[idx])
		return it->vals[idx];
	const char *d = m->row_default ? m->row_default(it, idx) : NULL;
	return d ? d : m->props[idx].def;
}

const char *wg_item_get(const struct wg_menu *m, const struct wg_item *it, const char *name)
{
	return wg_item_show(m, it, wg_menu_prop(m, name));
}

bool wg_item_flag(const struct wg_menu *m, const struct wg_item *it, const char *name)
{
	const char *v = wg_item_get(m, it, name);
	return v && !strcmp(v, "yes");
}

void wg_itemlist_push(struct wg_itemlist *l, struct wg_item *it)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 16;
		l->v = xrealloc(l->v, l->cap * sizeof(*l->v));
	}
	l->v[l->n++] = it;
}

void wg_itemlist_free(const struct wg_menu *m, struct wg_itemlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		wg_item_free(m, l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = l->cap = 0;
}
