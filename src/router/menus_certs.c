/* /certificate: templates made with add, self-signed with `sign`, or certificates and
 * keys read with `import` (certs.c does the OpenSSL work). Once a certificate is signed
 * or imported it says what its common-name, subject-alt-name, days-valid and key-size
 * are; changing them is refused. The PEM of the certificate and of its key are hidden
 * values (certs.h). An export holds the templates (add name=.. common-name=..) and never
 * a certificate or a key, as RouterOS's export holds no certificates. */
#include <errno.h>
#include <string.h>
#include <time.h>
#include "router/auth.h"
#include "router/certs.h"
#include "router/menus.h"

/* RouterOS's key sizes (sign makes any of them); an imported certificate with another
 * kind of key (ed25519) leaves key-size unset. */
static const char *const key_sizes[] = {
	"1024", "1536", "2048", "3072", "4096", "8192", "prime256v1", "secp384r1", "secp521r1", NULL,
};

static const struct wg_prop cert_props[] = {
	{ "name", PT_STR, PF_REQUIRED | PF_UNIQUE, NULL, NULL, 0, 0 },
	{ "common-name", PT_STR, 0, NULL, NULL, 0, 0 },
	{ "subject-alt-name", PT_STR, 0, NULL, NULL, 0, 0 },
	{ "days-valid", PT_INT, 0, "365", NULL, 1, 3650000 },
	{ "key-size", PT_ENUM, 0, "2048", key_sizes, 0, 0 },
	{ "trusted", PT_BOOL, 0, "no", NULL, 0, 0 },
	P_COMMENT,
	{ "fingerprint", PT_STR, PF_RO, NULL, NULL, 0, 0 },
	{ "serial-number", PT_STR, PF_RO | PF_NOPRINT, NULL, NULL, 0, 0 },
	{ "issuer", PT_STR, PF_RO | PF_NOPRINT, NULL, NULL, 0, 0 },
	{ "invalid-before", PT_STR, PF_RO | PF_RUNTIME, NULL, NULL, 0, 0 },
	{ "invalid-after", PT_STR, PF_RO | PF_RUNTIME, NULL, NULL, 0, 0 },
	{ "private-key", PT_BOOL, PF_RO | PF_NOPRINT, NULL, NULL, 0, 0 },
	{ "authority", PT_BOOL, PF_RO | PF_NOPRINT, NULL, NULL, 0, 0 },
	{ "expired", PT_BOOL, PF_RO | PF_RUNTIME | PF_NOPRINT, NULL, NULL, 0, 0 },
	{ "pem", PT_STR, PF_RO | PF_HIDDEN, NULL, NULL, 0, 0 },
	{ "key", PT_STR, PF_RO | PF_HIDDEN, NULL, NULL, 0, 0 },
	P_END,
};
static const struct wg_flagdef cert_flags[] = {
	{ 'K', "private-key", "private-key" }, { 'A', "authority", "authority" }, { 'E', "expired", "expired" },
	{ 'T', "trusted", "trusted" }, { 0, NULL, NULL },
};
static const char *const cert_cols[] = { "name", "common-name", "subject-alt-name", "fingerprint", NULL };

#define M (&wg_menu_certificate)

static bool valid_name(const char *s)
{
	if (!s || !*s || strlen(s) > 63)
		return false;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p <= ' ' || *p == 0x7f || *p == '"' || *p == '\\' || *p == ',' || *p == '/')
			return false;
	return true;
}

static bool same(const char *stored, const char *actual)
{
	return streq(stored ? stored : "", actual ? actual : "");
}

static bool known_key_size(const char *s)
{
	for (size_t i = 0; key_sizes[i]; i++)
		if (!strcmp(key_sizes[i], s))
			return true;
	return false;
}

/* The template's values as a signed certificate has them (each one a value add and
 * set would take, so an export of it imports). */
static void set_from_info(struct wg_item *it, const struct wg_cert_info *ci)
{
	char days[16];
	snprintf(days, sizeof(days), "%u", ci->days_valid);
	wg_item_set(M, it, "common-name", ci->common_name[0] ? ci->common_name : NULL);
	wg_item_set(M, it, "subject-alt-name", ci->san[0] ? ci->san : NULL);
	wg_item_set(M, it, "days-valid", ci->days_valid && ci->days_valid <= 3650000 ? days : NULL);
	wg_item_set(M, it, "key-size", known_key_size(ci->key_size) ? ci->key_size : NULL);
}

/* A template value of a signed certificate: unset, or what the certificate says. */
static bool matches(const struct wg_item *it, const char *prop, const char *actual)
{
	const char *v = it->vals[wg_menu_prop(M, prop)];
	return !v || !strcmp(v, actual);
}

static int derive_signed(struct wg_vctx *v, struct wg_item *it, const char *pem)
{
	struct wg_cert_info ci;
	char days[16];
	if (wg_cert_info_of(pem, &ci, v->err, v->errlen) < 0)
		return -1;
	snprintf(days, sizeof(days), "%u", ci.days_valid);
	if (!same(wg_item_get(M, it, "common-name"), ci.common_name) ||
	    !same(wg_item_get(M, it, "subject-alt-name"), ci.san) || !matches(it, "days-valid", days) ||
	    !matches(it, "key-size", ci.key_size))
		return wg_fail(v, "failure: can not change a signed certificate");
	wg_item_set(M, it, "fingerprint", ci.fingerprint);
	wg_item_set(M, it, "serial-number", ci.serial);
	wg_item_set(M, it, "issuer", ci.issuer);
	wg_item_set(M, it, "authority", ci.authority ? "yes" : "no");
	wg_item_set(M, it, "private-key", wg_item_get(M, it, "key") ? "yes" : "no");
	return 0;
}

static int cert_derive(struct wg_vctx *v, struct wg_item *it)
{
	const char *pem = wg_item_get(M, it, "pem"), *san = wg_item_get(M, it, "subject-alt-name");
	if (pem)
		return derive_signed(v, it, pem);
	if (!san)
		return 0;
	char *canon = wg_san_canonical(san);
	if (!canon)
		return wg_fail(v, "invalid value for argument subject-alt-name");
	wg_item_set(M, it, "subject-alt-name", canon);
	free(canon);
	return 0;
}

/* A service that names a certificate /certificate does not have (renamed or removed). */
static const struct wg_item *dangling_service(const struct wg_store *st, const char *removed)
{
	const struct wg_menu *s = &wg_menu_ip_service;
	const struct wg_table *t = wg_store_ctable(st, s);
	for (size_t i = 0; i < t->n; i++) {
		const char *c = wg_item_get(s, t->v[i], "certificate");
		if (!streq(c, "none") && (streq(c, removed) || !wg_table_by_name(wg_store_ctable(st, M), c)))
			return t->v[i];
	}
	return NULL;
}

static int in_use(struct wg_vctx *v, const struct wg_item *svc)
{
	const struct wg_menu *s = &wg_menu_ip_service;
	return wg_fail(v, "failure: certificate %s is used by service %s", wg_item_get(s, svc, "certificate"),
		       wg_item_get(s, svc, "name"));
}

static int cert_check(struct wg_vctx *v, struct wg_item *it)
{
	const struct wg_item *svc;
	if (!valid_name(wg_item_get(M, it, "name")))
		return wg_fail(v, "invalid value for argument name");
	return (svc = dangling_service(v->st, NULL)) ? in_use(v, svc) : 0;
}

static int cert_remove(struct wg_vctx *v, const struct wg_item *it)
{
	const struct wg_item *svc = dangling_service(v->st, wg_item_get(M, it, "name"));
	return svc ? in_use(v, svc) : 0;
}

static void cert_runtime(struct wg_router *r, const struct wg_menu *m, const struct wg_item *it, char **vals)
{
	struct wg_cert_info ci;
	char err[64], buf[32];
	struct tm tm;
	if (wg_cert_info_of(wg_item_get(m, it, "pem"), &ci, err, sizeof(err)) < 0)
		return;
	const int64_t when[2] = { ci.not_before, ci.not_after };
	const char *const props[2] = { "invalid-before", "invalid-after" };
	for (int i = 0; i < 2; i++) {
		time_t t = (time_t)when[i];
		localtime_r(&t, &tm);
		strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S", &tm);
		xset(&vals[wg_menu_prop(m, props[i])], buf);
	}
	xset(&vals[wg_menu_prop(m, "expired")], ci.not_after < (int64_t)time(NULL) ? "yes" : "no");
}

/* ---- sign ---- */

static int check_item(struct wg_action_ctx *a, struct wg_item *it)
{
	return wg_check_item(a->r, a->next, M, it, false, a->err, a->errlen);
}

static int sign_run(struct wg_action_ctx *a)
{
	struct wg_item *it = wg_action_item(a);
	struct wg_cert_info ci;
	char *cert, *key;
	if (!it)
		return -1;
	if (wg_item_get(M, it, "pem")) {
		snprintf(a->err, a->errlen, "failure: certificate is already signed");
		return -1;
	}
	struct wg_cert_request req = {
		.common_name = wg_item_get(M, it, "common-name"), .san = wg_item_get(M, it, "subject-alt-name"),
		.key_size = wg_item_get(M, it, "key-size"),
		.days_valid = (unsigned)atoi(wg_item_get(M, it, "days-valid")),
	};
	if (wg_cert_self_sign(&req, &cert, &key, a->err, a->errlen) < 0)
		return -1;
	wg_cert_info_of(cert, &ci, a->err, a->errlen);
	wg_item_set(M, it, "pem", cert);
	wg_item_set(M, it, "key", key);
	wg_item_set(M, it, "trusted", "yes"); /* we made it */
	set_from_info(it, &ci);
	free(cert);
	wg_cert_key_free(key);
	if (check_item(a, it) < 0)
		return -1;
	sb_add(a->out, "  progress: done\n");
	a->changed = true;
	return 0;
}

/* ---- import ---- */

enum { FILE_MAX = 1 << 20 };

static char *read_limited(const char *path, char *err, size_t errlen, const char *shown)
{
	FILE *f = fopen(path, "re");
	if (!f) {
		snprintf(err, errlen, "failure: no such file %s", shown);
		return NULL;
	}
	char *buf = xmalloc(FILE_MAX + 1);
	size_t n = fread(buf, 1, FILE_MAX + 1, f);
	fclose(f);
	if (n > FILE_MAX) {
		xfree_secret(buf);
		snprintf(err, errlen, "failure: file %s is too big", shown);
		return NULL;
	}
	buf[n] = 0;
	return buf;
}

static bool exists(const char *path)
{
	FILE *f = fopen(path, "re");
	if (f)
		fclose(f);
	return f != NULL;
}

/* The local console reads as its other file commands do (the client's directory), then
 * from the state directory; a remote user only from the router's files directory
 * (wg_router_files_path). */
static char *read_cert_file(struct wg_action_ctx *a, const char *name)
{
	const char *dir = wg_router_state_dir(a->r);
	char *path = NULL, *text;
	if (a->user) {
		path = wg_router_files_path(a->r, name);
		text = path ? read_limited(path, a->err, a->errlen, name) : NULL;
		if (!path)
			snprintf(a->err, a->errlen, "failure: no such file %s", name);
		free(path);
		return text;
	}
	if (name[0] == '/')
		path = xstrdup(name);
	else if (a->cwd)
		path = xasprintf("%s/%s", a->cwd, name);
	if (dir && (!path || !exists(path))) {
		free(path);
		path = xasprintf("%s/%s", dir, name);
	}
	text = path ? read_limited(path, a->err, a->errlen, name) : NULL;
	if (!path)
		snprintf(a->err, a->errlen, "failure: no such file %s", name);
	free(path);
	return text;
}

static struct wg_item *by_fingerprint(struct wg_table *t, const char *fp)
{
	for (size_t i = 0; i < t->n; i++)
		if (streq(wg_item_get(M, t->v[i], "fingerprint"), fp))
			return t->v[i];
	return NULL;
}

static char *import_name(struct wg_table *t, const char *base, bool given, size_t i)
{
	char *name = given && !i ? xstrdup(base) : xasprintf("%s_%zu", base, i);
	for (size_t k = i + 1; wg_table_by_name(t, name); k++) {
		free(name);
		name = xasprintf("%s_%zu", base, k);
	}
	return name;
}

struct import_counts { unsigned certs, keys, no_cert; };

static int import_certs(struct wg_action_ctx *a, const struct wg_pem_bundle *b, const char *base, bool given,
			struct import_counts *n)
{
	struct wg_table *t = wg_store_table(a->next, M);
	const char *trusted = wg_action_arg(a, "trusted");
	bool yes = true;
	if (trusted && !wg_parse_bool(trusted, &yes)) {
		snprintf(a->err, a->errlen, "invalid value for argument trusted");
		return -1;
	}
	for (size_t i = 0; i < b->ncerts; i++) {
		struct wg_cert_info ci;
		if (wg_cert_info_of(b->certs[i], &ci, a->err, a->errlen) < 0 || by_fingerprint(t, ci.fingerprint))
			continue;
		struct wg_item *it = wg_item_new(M);
		char *name = import_name(t, base, given, n->certs);
		wg_item_set(M, it, "name", name);
		wg_item_set(M, it, "pem", b->certs[i]);
		wg_item_set(M, it, "trusted", yes ? "yes" : "no");
		set_from_info(it, &ci);
		free(name);
		wg_table_insert(t, it, -1);
		if (check_item(a, it) < 0)
			return -1;
		n->certs++;
	}
	return 0;
}

static int import_keys(struct wg_action_ctx *a, const struct wg_pem_bundle *b, struct import_counts *n)
{
	struct wg_table *t = wg_store_table(a->next, M);
	for (size_t k = 0; k < b->nkeys; k++) {
		struct wg_item *match = NULL;
		for (size_t i = 0; i < t->n && !match; i++)
			if (wg_item_get(M, t->v[i], "pem") && wg_cert_key_matches(wg_item_get(M, t->v[i], "pem"), b->keys[k]))
				match = t->v[i];
		if (!match) {
			n->no_cert++;
			continue;
		}
		if (wg_item_get(M, match, "key"))
			continue; /* it has this key already */
		wg_item_set(M, match, "key", b->keys[k]);
		if (check_item(a, match) < 0)
			return -1;
		n->keys++;
	}
	return 0;
}

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');
	return s ? s + 1 : path;
}

static void import_report(struct sbuf *out, const struct import_counts *n, unsigned failures)
{
	sb_printf(out, "     certificates-imported: %u\n", n->certs);
	sb_printf(out, "     private-keys-imported: %u\n", n->keys);
	sb_printf(out, "            files-imported: 1\n");
	sb_printf(out, "       decryption-failures: %u\n", failures);
	sb_printf(out, "  keys-with-no-certificate: %u\n", n->no_cert);
}

static int import_fail(struct wg_action_ctx *a, const char *fmt, const char *arg)
	__attribute__((format(printf, 2, 0)));
static int import_fail(struct wg_action_ctx *a, const char *fmt, const char *arg)
{
	snprintf(a->err, a->errlen, fmt, arg);
	return -1;
}

static int import_run(struct wg_action_ctx *a)
{
	const char *file = wg_action_arg(a, "file-name"), *name = wg_action_arg(a, "name");
	struct wg_pem_bundle b;
	struct import_counts n = { 0 };
	if (!file || !*file) {
		snprintf(a->err, a->errlen, "missing value(s) of argument(s) file-name");
		return -1;
	}
	if (name && !valid_name(name)) {
		snprintf(a->err, a->errlen, "invalid value for argument name");
		return -1;
	}
	char *text = read_cert_file(a, file);
	if (!text)
		return -1;
	wg_pem_split(text, wg_action_arg(a, "passphrase"), &b);
	xfree_secret(text);
	int rc = import_certs(a, &b, name ? name : base_name(file), name != NULL, &n);
	if (!rc)
		rc = import_keys(a, &b, &n);
	if (!rc && !b.ncerts && !b.nkeys && !b.decrypt_failures)
		rc = import_fail(a, "failure: no certificate or private key in %s", file);
	else if (!rc && !n.certs && !n.keys && b.decrypt_failures)
		rc = import_fail(a, "failure: can not decrypt the private key (wrong passphrase?)%s", "");
	if (!rc)
		import_report(a->out, &n, b.decrypt_failures);
	a->changed = !rc && (n.certs || n.keys);
	wg_pem_bundle_free(&b);
	return rc;
}

static const char *const sign_params[] = { "numbers", NULL };
static const char *const import_params[] = { "file-name", "passphrase", "name", "trusted", NULL };

static const struct wg_action cert_actions[] = {
	{ "sign", sign_params, WG_POL_WRITE, sign_run },
	{ "import", import_params, WG_POL_WRITE, import_run },
	{ NULL, NULL, 0, NULL },
};

const struct wg_menu wg_menu_certificate = {
	.path = "/certificate", .flags = MF_ITEMS, .props = cert_props, .columns = cert_cols, .flagdefs = cert_flags,
	.name_prop = "name", .derive = cert_derive, .check = cert_check, .on_remove = cert_remove,
	.runtime = cert_runtime, .actions = cert_actions,
};

/* ---- for the servers ---- */

/* The certificate of t that signed pem (not pem itself), or NULL. */
static const struct wg_item *issuer_of(const struct wg_table *t, const char *pem)
{
	for (size_t i = 0; i < t->n; i++) {
		const char *cand = wg_item_get(M, t->v[i], "pem");
		if (cand && !streq(cand, pem) && wg_cert_issued(cand, pem))
			return t->v[i];
	}
	return NULL;
}

int wg_cert_material(const struct wg_store *st, const char *name, char **chain_pem, char **key_pem, char *err,
		     size_t errlen)
{
	const struct wg_table *t = wg_store_ctable(st, M);
	const struct wg_item *it = name ? wg_table_by_name(t, name) : NULL;
	const char *pem = it ? wg_item_get(M, it, "pem") : NULL, *key = it ? wg_item_get(M, it, "key") : NULL;
	*chain_pem = *key_pem = NULL;
	if (!pem || !key) {
		snprintf(err, errlen, !it ? "no such certificate %s" : "certificate %s has no private key", name ? name : "");
		return -1;
	}
	struct sbuf chain;
	sb_init(&chain);
	sb_add(&chain, pem);
	for (int depth = 0; depth < 8 && !wg_cert_issued(pem, pem); depth++) {
		const struct wg_item *up = issuer_of(t, pem);
		if (!up)
			break;
		pem = wg_item_get(M, up, "pem");
		sb_add(&chain, pem);
	}
	*chain_pem = sb_take(&chain);
	*key_pem = xstrdup(key);
	return 0;
}
