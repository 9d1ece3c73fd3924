/* See certs.h. */
#include "router/certs.h"
#include <arpa/inet.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdarg.h>
#include <string.h>
#include <time.h>
#include "crypto/crypto.h"
#include "router/schema.h"
#include "sys/prefix.h"
#include "util/alloc.h"
#include "util/sbuf.h"
#include "util/str.h"

static int fail(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	ERR_clear_error();
	return -1;
}

/* ---- PEM in and out ---- */

static X509 *cert_read(const char *pem)
{
	BIO *b = BIO_new_mem_buf(pem, -1);
	X509 *x = b ? PEM_read_bio_X509_AUX(b, NULL, NULL, NULL) : NULL;
	BIO_free(b);
	ERR_clear_error();
	return x;
}

static int no_passphrase(char *buf, int size, int rwflag, void *u) { return 0; }

static int passphrase_cb(char *buf, int size, int rwflag, void *u)
{
	const char *p = u;
	int n = (int)strlen(p);
	if (n > size)
		return 0;
	memcpy(buf, p, (size_t)n);
	return n;
}

static EVP_PKEY *key_read(const char *pem, const char *passphrase)
{
	BIO *b = BIO_new_mem_buf(pem, -1);
	EVP_PKEY *k = b ? PEM_read_bio_PrivateKey(b, NULL, passphrase ? passphrase_cb : no_passphrase,
						  (void *)passphrase) : NULL;
	BIO_free(b);
	ERR_clear_error();
	return k;
}

/* The text a memory BIO holds, as a string. */
static char *bio_text(BIO *b)
{
	char *data;
	long n = BIO_get_mem_data(b, &data);
	char *s = xmalloc((size_t)n + 1);
	memcpy(s, data, (size_t)n);
	s[n] = 0;
	return s;
}

static char *cert_pem(X509 *x)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *s = b && PEM_write_bio_X509(b, x) ? bio_text(b) : NULL;
	BIO_free(b);
	return s;
}

/* Unencrypted PKCS#8, through secure memory (cleared when freed). */
static char *key_pem(EVP_PKEY *k)
{
	BIO *b = BIO_new(BIO_s_secmem());
	char *s = b && PEM_write_bio_PrivateKey(b, k, NULL, NULL, 0, NULL, NULL) ? bio_text(b) : NULL;
	BIO_free(b);
	return s;
}

void wg_cert_key_free(char *key)
{
	xfree_secret(key);
}

/* ---- subjectAltName ---- */

static bool dns_name(const char *s)
{
	return wg_is_hostname(!strncmp(s, "*.", 2) ? s + 2 : s);
}

static bool san_entry(const char *e, struct sbuf *out)
{
	struct wg_prefix p;
	char buf[WG_PREFIX_STRLEN];
	const char *v = e;
	bool ip = false, dns = false;
	if (!strncasecmp(e, "IP:", 3))
		ip = true, v = e + 3;
	else if (!strncasecmp(e, "DNS:", 4))
		dns = true, v = e + 4;
	else
		ip = wg_addr_parse(&p, e) == 0, dns = !ip;
	if (ip) {
		if (wg_addr_parse(&p, v) < 0)
			return false;
		sb_printf(out, "%sIP:%s", out->len ? "," : "", wg_addr_format(p.family, p.addr, buf));
		return true;
	}
	if (!dns || !dns_name(v))
		return false;
	sb_printf(out, "%sDNS:%s", out->len ? "," : "", v);
	return true;
}

char *wg_san_canonical(const char *in)
{
	struct sbuf out;
	char *copy = xstrdup(in), *save;
	bool ok = true;
	sb_init(&out);
	for (char *tok = strtok_r(copy, ",", &save); tok && ok; tok = strtok_r(NULL, ",", &save))
		ok = san_entry(tok, &out);
	free(copy);
	if (!ok || !out.len) {
		sb_free(&out);
		return NULL;
	}
	return sb_take(&out);
}

static void san_of(X509 *x, char *out, size_t len)
{
	GENERAL_NAMES *names = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
	struct sbuf b;
	char buf[WG_PREFIX_STRLEN];
	sb_init(&b);
	for (int i = 0; names && i < sk_GENERAL_NAME_num(names); i++) {
		const GENERAL_NAME *g = sk_GENERAL_NAME_value(names, i);
		const char *sep = b.len ? "," : "";
		if (g->type == GEN_DNS) {
			sb_printf(&b, "%sDNS:%.*s", sep, ASN1_STRING_length(g->d.dNSName),
				  (const char *)ASN1_STRING_get0_data(g->d.dNSName));
		} else if (g->type == GEN_IPADD) {
			int n = ASN1_STRING_length(g->d.iPAddress);
			if (n == 4 || n == 16)
				sb_printf(&b, "%sIP:%s", sep, inet_ntop(n == 4 ? AF_INET : AF_INET6,
									ASN1_STRING_get0_data(g->d.iPAddress), buf,
									sizeof(buf)));
		} else if (g->type == GEN_EMAIL) {
			sb_printf(&b, "%semail:%.*s", sep, ASN1_STRING_length(g->d.rfc822Name),
				  (const char *)ASN1_STRING_get0_data(g->d.rfc822Name));
		}
	}
	GENERAL_NAMES_free(names);
	snprintf(out, len, "%s", sb_str(&b));
	sb_free(&b);
}

/* ---- what a certificate says ---- */

static void name_cn(const X509_NAME *n, char *out, size_t len)
{
	int i = X509_NAME_get_index_by_NID(n, NID_commonName, -1);
	unsigned char *utf8 = NULL;
	out[0] = 0;
	if (i >= 0 && ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(n, i))) >= 0) {
		snprintf(out, len, "%s", utf8);
		OPENSSL_free(utf8);
	} else if (i < 0) {
		X509_NAME_oneline(n, out, (int)len);
	}
}

static int64_t unix_time(const ASN1_TIME *t)
{
	struct tm tm;
	return ASN1_TIME_to_tm(t, &tm) ? (int64_t)timegm(&tm) : 0;
}

static void key_size_of(EVP_PKEY *k, char *out, size_t len)
{
	char group[64];
	out[0] = 0;
	if (!k)
		return;
	if (EVP_PKEY_get_base_id(k) == EVP_PKEY_RSA)
		snprintf(out, len, "%d", EVP_PKEY_get_bits(k));
	else if (EVP_PKEY_get_utf8_string_param(k, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group), NULL))
		snprintf(out, len, "%s", group);
	else
		snprintf(out, len, "%s", OBJ_nid2sn(EVP_PKEY_get_base_id(k)));
}

static void serial_of(X509 *x, char *out, size_t len)
{
	BIGNUM *bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(x), NULL);
	char *hex = bn ? BN_bn2hex(bn) : NULL;
	snprintf(out, len, "%s", hex ? hex : "");
	OPENSSL_free(hex);
	BN_free(bn);
}

int wg_cert_info_of(const char *pem, struct wg_cert_info *out, char *err, size_t errlen)
{
	X509 *x = pem ? cert_read(pem) : NULL;
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned mdlen = 0;
	memset(out, 0, sizeof(*out));
	if (!x)
		return fail(err, errlen, "failure: not a certificate");
	name_cn(X509_get_subject_name(x), out->common_name, sizeof(out->common_name));
	name_cn(X509_get_issuer_name(x), out->issuer, sizeof(out->issuer));
	san_of(x, out->san, sizeof(out->san));
	X509_digest(x, EVP_sha256(), md, &mdlen);
	for (unsigned i = 0; i < mdlen && i < 32; i++)
		snprintf(out->fingerprint + 2 * i, 3, "%02x", md[i]);
	serial_of(x, out->serial, sizeof(out->serial));
	out->not_before = unix_time(X509_get0_notBefore(x));
	out->not_after = unix_time(X509_get0_notAfter(x));
	out->days_valid = (unsigned)((out->not_after - out->not_before + 43200) / 86400);
	key_size_of(X509_get0_pubkey(x), out->key_size, sizeof(out->key_size));
	out->authority = X509_check_ca(x) == 1;
	X509_free(x);
	return 0;
}

/* ---- self-signed certificates ---- */

static EVP_PKEY *new_key(const char *size)
{
	if (!strcmp(size, "prime256v1") || !strcmp(size, "secp384r1") || !strcmp(size, "secp521r1"))
		return EVP_EC_gen(size);
	int bits = atoi(size);
	return bits >= 1024 && bits <= 8192 ? EVP_RSA_gen((unsigned)bits) : NULL;
}

/* 16 random bytes, positive and not zero (RFC 5280: at most 20 octets). */
static bool random_serial(X509 *x)
{
	uint8_t b[16];
	wg_os_random(b, sizeof(b));
	b[0] = (uint8_t)((b[0] & 0x7f) | 0x01);
	BIGNUM *bn = BN_bin2bn(b, sizeof(b), NULL);
	bool ok = bn && BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x));
	BN_free(bn);
	return ok;
}

static bool add_ext(X509 *x, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509V3_set_ctx(&ctx, x, x, NULL, NULL, 0);
	X509_EXTENSION *e = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
	bool ok = e && X509_add_ext(x, e, -1);
	X509_EXTENSION_free(e);
	return ok;
}

/* subjectAltName from the request, else from the common name. */
static char *request_san(const struct wg_cert_request *req)
{
	if (req->san && *req->san)
		return wg_san_canonical(req->san);
	struct wg_prefix p;
	if (wg_addr_parse(&p, req->common_name) == 0 || dns_name(req->common_name))
		return wg_san_canonical(req->common_name);
	return NULL;
}

static bool fill_cert(X509 *x, EVP_PKEY *k, const struct wg_cert_request *req, const char *san)
{
	X509_NAME *n = X509_get_subject_name(x);
	bool rsa = EVP_PKEY_get_base_id(k) == EVP_PKEY_RSA;
	return X509_set_version(x, 2) && random_serial(x) && X509_gmtime_adj(X509_getm_notBefore(x), 0) &&
	       X509_gmtime_adj(X509_getm_notAfter(x), (long)req->days_valid * 86400) && X509_set_pubkey(x, k) &&
	       X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_UTF8, (const unsigned char *)req->common_name, -1, -1,
					  0) &&
	       X509_set_issuer_name(x, n) && add_ext(x, NID_basic_constraints, "critical,CA:FALSE") &&
	       add_ext(x, NID_key_usage, rsa ? "critical,digitalSignature,keyEncipherment" : "critical,digitalSignature") &&
	       add_ext(x, NID_ext_key_usage, "serverAuth,clientAuth") &&
	       add_ext(x, NID_subject_key_identifier, "hash") && (!san || add_ext(x, NID_subject_alt_name, san)) &&
	       X509_sign(x, k, EVP_sha256()) > 0;
}

int wg_cert_self_sign(const struct wg_cert_request *req, char **cert_out, char **key_out, char *err, size_t errlen)
{
	if (!req->common_name || !*req->common_name)
		return fail(err, errlen, "failure: common-name is required to sign");
	char *san = request_san(req);
	if (req->san && *req->san && !san)
		return fail(err, errlen, "invalid value for argument subject-alt-name");
	EVP_PKEY *k = new_key(req->key_size ? req->key_size : "2048");
	X509 *x = X509_new();
	bool ok = k && x && fill_cert(x, k, req, san);
	*cert_out = ok ? cert_pem(x) : NULL;
	*key_out = ok ? key_pem(k) : NULL;
	ok = ok && *cert_out && *key_out;
	X509_free(x);
	EVP_PKEY_free(k);
	free(san);
	if (!ok) {
		free(*cert_out);
		wg_cert_key_free(*key_out);
		*cert_out = *key_out = NULL;
		return fail(err, errlen, k ? "failure: could not make the certificate" : "failure: could not make the key");
	}
	return 0;
}

/* ---- reading PEM files ---- */

static bool is_key_label(const char *label)
{
	size_t n = strlen(label);
	return n >= 11 && !strcmp(label + n - 11, "PRIVATE KEY");
}

static bool is_cert_label(const char *label)
{
	return !strcmp(label, "CERTIFICATE") || !strcmp(label, "TRUSTED CERTIFICATE") ||
	       !strcmp(label, "X509 CERTIFICATE");
}

static void push(char ***v, size_t *n, char *s)
{
	*v = xrealloc(*v, (*n + 1) * sizeof(**v));
	(*v)[(*n)++] = s;
}

/* One "-----BEGIN label-----" ... "-----END label-----" block. */
static void take_block(const char *label, const char *block, const char *passphrase, struct wg_pem_bundle *out)
{
	if (is_cert_label(label)) {
		X509 *x = cert_read(block);
		char *pem = x ? cert_pem(x) : NULL;
		if (pem)
			push(&out->certs, &out->ncerts, pem);
		X509_free(x);
	} else if (is_key_label(label)) {
		EVP_PKEY *k = key_read(block, passphrase);
		char *pem = k ? key_pem(k) : NULL;
		if (pem)
			push(&out->keys, &out->nkeys, pem);
		else
			out->decrypt_failures++;
		EVP_PKEY_free(k);
	}
}

void wg_pem_split(const char *text, const char *passphrase, struct wg_pem_bundle *out)
{
	static const char begin[] = "-----BEGIN ", end[] = "-----END ";
	memset(out, 0, sizeof(*out));
	for (const char *p = strstr(text, begin); p; p = strstr(p, begin)) {
		const char *lab = p + strlen(begin), *lab_end = strstr(lab, "-----");
		if (!lab_end || lab_end - lab > 64)
			break;
		char label[72];
		snprintf(label, sizeof(label), "%.*s", (int)(lab_end - lab), lab);
		char *closing = xasprintf("%s%s-----", end, label);
		const char *q = strstr(lab_end, closing);
		if (!q) {
			free(closing);
			break;
		}
		q += strlen(closing);
		free(closing);
		char *block = xasprintf("%.*s\n", (int)(q - p), p);
		take_block(label, block, passphrase, out);
		xfree_secret(block);
		p = q;
	}
}

void wg_pem_bundle_free(struct wg_pem_bundle *b)
{
	for (size_t i = 0; i < b->ncerts; i++)
		free(b->certs[i]);
	for (size_t i = 0; i < b->nkeys; i++)
		xfree_secret(b->keys[i]);
	free(b->certs);
	free(b->keys);
	memset(b, 0, sizeof(*b));
}

bool wg_cert_key_matches(const char *cert, const char *key)
{
	X509 *x = cert_read(cert);
	EVP_PKEY *k = key_read(key, NULL);
	bool ok = x && k && X509_check_private_key(x, k) == 1;
	X509_free(x);
	EVP_PKEY_free(k);
	ERR_clear_error();
	return ok;
}

bool wg_cert_issued(const char *issuer, const char *subject)
{
	X509 *i = cert_read(issuer), *s = cert_read(subject);
	bool ok = i && s && !X509_NAME_cmp(X509_get_subject_name(i), X509_get_issuer_name(s)) &&
		  X509_verify(s, X509_get0_pubkey(i)) == 1;
	X509_free(i);
	X509_free(s);
	ERR_clear_error();
	return ok;
}
