/* /certificate: add + sign makes a valid self-signed X.509 v3 certificate (checked with
 * OpenSSL: its own key verifies it, CN and SAN as asked, a random serial), import reads
 * certificates and keys that the openssl command-line tool made at test time (an
 * encrypted key with its passphrase, a CA chain), and no private key ever shows in
 * print, get, export or the log, only in the 0600 state file. */
#include "test.h"
#include "test_console_fixture.h"
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>
#include "router/auth.h"
#include "router/certs.h"

static char *tmpdir(void)
{
	char *d = fx_tmpdir("certs");
	CHECK(d != NULL);
	return d;
}

static void rmdir_all(const char *d) { CHECK_EQ(fx_rmdir_all(d), 0); }

/* Runs a shell command in dir (the openssl tool); 0 on success. */
static int sh(const char *dir, const char *cmd)
{
	char *full = xasprintf("cd '%s' && %s >/dev/null 2>&1", dir, cmd);
	int rc = system(full);
	free(full);
	return rc;
}

static X509 *x509_of(const char *pem)
{
	BIO *b = BIO_new_mem_buf(pem, -1);
	X509 *x = PEM_read_bio_X509(b, NULL, NULL, NULL);
	BIO_free(b);
	return x;
}

static EVP_PKEY *key_of(const char *pem)
{
	BIO *b = BIO_new_mem_buf(pem, -1);
	EVP_PKEY *k = PEM_read_bio_PrivateKey(b, NULL, NULL, NULL);
	BIO_free(b);
	return k;
}

static bool san_has_dns(X509 *x, const char *name)
{
	GENERAL_NAMES *g = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
	bool found = false;
	for (int i = 0; g && i < sk_GENERAL_NAME_num(g); i++) {
		GENERAL_NAME *n = sk_GENERAL_NAME_value(g, i);
		found |= n->type == GEN_DNS && !strcmp((const char *)ASN1_STRING_get0_data(n->d.dNSName), name);
	}
	GENERAL_NAMES_free(g);
	return found;
}

static bool san_has_ip(X509 *x, const uint8_t *ip, int len)
{
	GENERAL_NAMES *g = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
	bool found = false;
	for (int i = 0; g && i < sk_GENERAL_NAME_num(g); i++) {
		GENERAL_NAME *n = sk_GENERAL_NAME_value(g, i);
		found |= n->type == GEN_IPADD && ASN1_STRING_length(n->d.iPAddress) == len &&
			 !memcmp(ASN1_STRING_get0_data(n->d.iPAddress), ip, (size_t)len);
	}
	GENERAL_NAMES_free(g);
	return found;
}

static void cn_of(X509 *x, char *out, size_t len)
{
	X509_NAME_get_text_by_NID(X509_get_subject_name(x), NID_commonName, out, (int)len);
}

/* The certificate of name, checked as a server would use it. */
static X509 *material(struct fx *f, const char *name, EVP_PKEY **key)
{
	char *chain, *kp, err[128];
	*key = NULL;
	if (wg_cert_material(wg_router_store(f->r), name, &chain, &kp, err, sizeof(err)) < 0) {
		CHECK(false, "%s", err);
		return NULL;
	}
	X509 *x = x509_of(chain);
	*key = key_of(kp);
	free(chain);
	wg_cert_key_free(kp);
	CHECK(x && *key);
	return x;
}

TEST(sign_ec_self_signed)
{
	struct fx *f = fx_new();
	CHECK_EQ(fx_run(f, "/certificate/add name=web common-name=router.example.com key-size=prime256v1 days-valid=30 "
			   "subject-alt-name=DNS:vpn.example.com,IP:192.0.2.1,2001:db8::0:1"), 0);
	CHECK(!strcmp(fx_run_out(f, ":put [/certificate/get web subject-alt-name]"),
		      "DNS:vpn.example.com,IP:192.0.2.1,IP:2001:db8::1\n"), "%s", fx_last(f));
	CHECK_EQ(fx_run(f, "/certificate/sign web"), 0);
	CHECK(!strcmp(fx_last(f), "  progress: done\n"));
	EVP_PKEY *k;
	X509 *x = material(f, "web", &k);
	if (!x)
		goto out;
	CHECK_EQ(X509_verify(x, k), 1);                  /* signed by its own key */
	CHECK_EQ(X509_check_private_key(x, k), 1);
	CHECK_EQ(X509_self_signed(x, 1), 1);
	CHECK_EQ(X509_get_version(x), 2);                /* v3 */
	char cn[128];
	cn_of(x, cn, sizeof(cn));
	CHECK(!strcmp(cn, "router.example.com"));
	CHECK(san_has_dns(x, "vpn.example.com"));
	const uint8_t v4[4] = { 192, 0, 2, 1 }, v6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
	CHECK(san_has_ip(x, v4, 4) && san_has_ip(x, v6, 16));
	CHECK_EQ(EVP_PKEY_get_base_id(k), EVP_PKEY_EC);
	char group[32];
	CHECK(EVP_PKEY_get_utf8_string_param(k, "group", group, sizeof(group), NULL) && !strcmp(group, "prime256v1"));
	int days, secs;
	CHECK(ASN1_TIME_diff(&days, &secs, X509_get0_notBefore(x), X509_get0_notAfter(x)) && days == 30 && secs == 0);
	CHECK(X509_check_purpose(x, X509_PURPOSE_SSL_SERVER, 0) == 1);
	/* print: flags K (private key) and T (trusted), the fingerprint OpenSSL computes */
	unsigned char md[32];
	unsigned mdlen;
	char fp[65];
	X509_digest(x, EVP_sha256(), md, &mdlen);
	for (int i = 0; i < 32; i++)
		snprintf(fp + 2 * i, 3, "%02x", md[i]);
	CHECK_EQ(fx_run(f, "/certificate/print"), 0);
	CHECK(strstr(fx_last(f), "Flags: K - private-key; A - authority; E - expired; T - trusted\n"), "%s", fx_last(f));
	CHECK(strstr(fx_last(f), "0 KT web   router.example.com  DNS:vpn.example.com,IP:192.0.2.1,IP:2001:db8::1  "), "%s",
	      fx_last(f));
	CHECK(strstr(fx_last(f), fp), "%s", fx_last(f));
	CHECK(!strcmp(fx_run_out(f, ":put [/certificate/get web key-size]"), "prime256v1\n"));
	CHECK(strstr(fx_run_out(f, "/certificate/print detail"), "invalid-after="), "%s", fx_last(f));
	X509_free(x);
	EVP_PKEY_free(k);
out:
	fx_free(f);
}

TEST(sign_rsa_default_san_and_serial)
{
	struct fx *f = fx_new();
	CHECK_EQ(fx_run(f, "/certificate/add name=a common-name=192.0.2.7\n/certificate/add name=b common-name=b.example\n"
			   "/certificate/sign a\n/certificate/sign b"), 0);
	EVP_PKEY *ka, *kb;
	X509 *a = material(f, "a", &ka), *b = material(f, "b", &kb);
	if (!a || !b)
		goto out;
	CHECK_EQ(EVP_PKEY_get_base_id(ka), EVP_PKEY_RSA);
	CHECK_EQ(EVP_PKEY_get_bits(ka), 2048);
	CHECK_EQ(X509_verify(a, ka), 1);
	CHECK_EQ(X509_verify(a, kb), 0); /* and not by another key */
	const uint8_t ip[4] = { 192, 0, 2, 7 };
	CHECK(san_has_ip(a, ip, 4));      /* the SAN comes from the common name */
	CHECK(san_has_dns(b, "b.example"));
	const ASN1_INTEGER *sa = X509_get0_serialNumber(a), *sb = X509_get0_serialNumber(b);
	CHECK(ASN1_INTEGER_cmp(sa, sb) != 0);
	CHECK(ASN1_STRING_length(sa) >= 16); /* 128 random bits */
	int days, secs;
	CHECK(ASN1_TIME_diff(&days, &secs, X509_get0_notBefore(a), X509_get0_notAfter(a)) && days == 365);
	X509_free(a);
	X509_free(b);
	EVP_PKEY_free(ka);
	EVP_PKEY_free(kb);
out:
	fx_free(f);
}

TEST(signed_certificate_rules)
{
	struct fx *f = fx_new();
	CHECK(fx_run(f, "/certificate/add name=x common-name=a subject-alt-name=DNS:bad_name!") != 0);
	CHECK(strstr(fx_err(f), "invalid value for argument subject-alt-name"));
	CHECK(fx_run(f, "/certificate/add name=x key-size=768") != 0);
	CHECK(fx_run(f, "/certificate/add name=a/b common-name=x") != 0);
	CHECK_EQ(fx_run(f, "/certificate/add name=nocn"), 0);
	CHECK(fx_run(f, "/certificate/sign nocn") != 0);
	CHECK(strstr(fx_err(f), "failure: common-name is required to sign"), "%s", fx_err(f));
	CHECK(fx_run(f, "/certificate/sign") != 0);
	CHECK(fx_run(f, "/certificate/sign nosuch") != 0);
	CHECK(strstr(fx_err(f), "no such item"));
	CHECK_EQ(fx_run(f, "/certificate/add name=s common-name=s.example key-size=prime256v1\n/certificate/sign s"), 0);
	CHECK(fx_run(f, "/certificate/sign s") != 0);
	CHECK(strstr(fx_err(f), "failure: certificate is already signed"));
	const char *const refused[] = { "common-name=other", "subject-alt-name=DNS:o.example", "days-valid=10",
					"key-size=2048" };
	for (size_t i = 0; i < 4; i++) {
		char *cmd = xasprintf("/certificate/set s %s", refused[i]);
		CHECK(fx_run(f, cmd) != 0, "%s", cmd);
		CHECK(strstr(fx_err(f), "failure: can not change a signed certificate"), "%s: %s", cmd, fx_err(f));
		free(cmd);
	}
	CHECK_EQ(fx_run(f, "/certificate/set s name=s2 comment=ok trusted=no"), 0);
	CHECK(fx_run(f, "/certificate/sign 0") != 0); /* by number: item 0 is nocn */
	CHECK(strstr(fx_err(f), "failure: common-name is required to sign"), "%s", fx_err(f));
	CHECK_EQ(fx_run(f, "/certificate/remove s2"), 0);
	/* an export holds templates, never certificates or keys, and imports */
	char *exp = fx_export_flat(f, "show-sensitive verbose");
	CHECK(strstr(exp, "/certificate\nadd days-valid=365 key-size=2048 name=nocn trusted=no\n"), "%s", exp);
	free(exp);
	fx_free(f);
}

/* The private key is only in the 0600 state file. */
TEST(private_key_never_shown)
{
	char *dir = tmpdir();
	struct fx *f = fx_new_dir(dir);
	CHECK_EQ(fx_run(f, "/certificate/add name=web common-name=r.example key-size=prime256v1\n/certificate/sign web"), 0);
	char *chain, *key, err[64];
	CHECK_EQ(wg_cert_material(wg_router_store(f->r), "web", &chain, &key, err, sizeof(err)), 0);
	char body[40]; /* a piece of the key's base64 */
	snprintf(body, sizeof(body), "%.32s", strchr(key, '\n') + 1);
	const char *const views[] = {
		"/certificate/print detail", "/certificate/print detail show-sensitive", "/certificate/print as-value",
		"/certificate/print terse", "/export show-sensitive verbose", "/certificate/export show-sensitive",
		":put [/certificate/get web key]", ":put [/certificate/get web pem]",
		":put [/certificate/find where key~\"PRIVATE\"]", "/log/print",
	};
	for (size_t i = 0; i < sizeof(views) / sizeof(views[0]); i++) {
		CHECK_EQ(fx_run(f, views[i]), 0);
		CHECK(!strstr(fx_last(f), "PRIVATE KEY") && !strstr(fx_last(f), body) && !strstr(fx_last(f), "BEGIN"),
		      "%s: %s", views[i], fx_last(f));
	}
	char *path = xasprintf("%s/config.state", dir), *state = fx_saved(dir);
	struct stat st;
	CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600);
	CHECK(strstr(state, "PRIVATE KEY"));
	free(state);
	fx_free(f);
	/* and it is the same after a restart */
	f = fx_new_dir(dir);
	char *chain2, *key2;
	CHECK_EQ(wg_cert_material(wg_router_store(f->r), "web", &chain2, &key2, err, sizeof(err)), 0);
	CHECK(!strcmp(chain, chain2) && !strcmp(key, key2));
	CHECK(strstr(fx_run_out(f, "/certificate/print"), "0 KT web"), "%s", fx_last(f));
	free(chain);
	free(chain2);
	wg_cert_key_free(key);
	wg_cert_key_free(key2);
	fx_free(f);
	free(path);
	rmdir_all(dir);
	free(dir);
}

/* A fingerprint as `openssl x509 -fingerprint -sha256` prints it, RouterOS-style. */
static void openssl_fingerprint(const char *dir, const char *file, char out[65])
{
	char *cmd = xasprintf("cd '%s' && openssl x509 -in %s -noout -fingerprint -sha256", dir, file);
	FILE *p = popen(cmd, "r");
	char line[256] = "";
	size_t n = 0;
	if (p && fgets(line, sizeof(line), p))
		for (const char *s = strchr(line, '=') ? strchr(line, '=') + 1 : line; *s && n < 64; s++)
			if (*s != ':' && *s != '\n')
				out[n++] = (char)(*s >= 'A' && *s <= 'F' ? *s + 32 : *s);
	out[n] = 0;
	if (p)
		pclose(p);
	free(cmd);
}

TEST(import_openssl_made_pair)
{
	char *dir = tmpdir();
	CHECK_EQ(sh(dir, "openssl req -x509 -newkey rsa:2048 -keyout key.pem -out cert.pem -days 10 "
			 "-subj /CN=imported.example -addext subjectAltName=DNS:imported.example -passout pass:s3cret"), 0);
	struct fx *f = fx_new();
	wg_session_set_cwd(f->s, dir);
	CHECK_EQ(fx_run(f, "/certificate/import file-name=cert.pem"), 0);
	CHECK(strstr(fx_last(f), "certificates-imported: 1\n") && strstr(fx_last(f), "private-keys-imported: 0\n"),
	      "%s", fx_last(f));
	CHECK(strstr(fx_run_out(f, "/certificate/print"), "0 AT cert.pem_0  imported.example  DNS:imported.example"),
	      "%s", fx_last(f));
	char fp[65];
	openssl_fingerprint(dir, "cert.pem", fp);
	char *want_fp = xasprintf("%s\n", fp);
	CHECK(strlen(fp) == 64 && !strcmp(fx_run_out(f, ":put [/certificate/get cert.pem_0 fingerprint]"), want_fp),
	      "%s vs %s", fx_last(f), fp);
	free(want_fp);
	CHECK(!strcmp(fx_run_out(f, ":put [/certificate/get cert.pem_0 days-valid]"), "10\n"));
	/* the encrypted key needs its passphrase */
	CHECK(fx_run(f, "/certificate/import file-name=key.pem") != 0);
	CHECK(strstr(fx_err(f), "can not decrypt"), "%s", fx_err(f));
	CHECK(fx_run(f, "/certificate/import file-name=key.pem passphrase=wrong") != 0);
	CHECK_EQ(fx_run(f, "/certificate/import file-name=key.pem passphrase=s3cret"), 0);
	CHECK(strstr(fx_last(f), "private-keys-imported: 1\n"), "%s", fx_last(f));
	CHECK(strstr(fx_run_out(f, "/certificate/print"), "0 KAT cert.pem_0"), "%s", fx_last(f));
	/* importing again adds nothing */
	CHECK_EQ(fx_run(f, "/certificate/import file-name=cert.pem"), 0);
	CHECK(strstr(fx_last(f), "certificates-imported: 0\n"));
	CHECK(!strcmp(fx_run_out(f, "/certificate/print count-only"), "1\n"));
	EVP_PKEY *k;
	X509 *x = material(f, "cert.pem_0", &k);
	CHECK(x && X509_verify(x, k) == 1);
	X509_free(x);
	EVP_PKEY_free(k);
	/* an ed25519 certificate: a key size RouterOS has no word for stays unset */
	CHECK_EQ(sh(dir, "openssl req -x509 -newkey ed25519 -nodes -keyout ed.key -out ed.pem -days 40000 -subj /CN=ed"), 0);
	CHECK_EQ(fx_run(f, "/certificate/import file-name=ed.pem\n/certificate/set ed.pem_0 comment=edwards"), 0);
	CHECK(!strcmp(fx_run_out(f, ":put [/certificate/get ed.pem_0 days-valid]"), "40000\n"), "%s", fx_last(f));
	/* the export (templates) imports into a fresh router */
	char *exp = fx_export_flat(f, "");
	CHECK(strstr(exp, "add comment=edwards common-name=ed days-valid=40000 name=ed.pem_0 trusted=yes\n"), "%s", exp);
	struct fx *g = fx_new();
	CHECK_EQ(fx_run(g, exp), 0);
	fx_free(g);
	free(exp);
	CHECK(fx_run(f, "/certificate/import file-name=nosuch.pem") != 0);
	CHECK(strstr(fx_err(f), "failure: no such file nosuch.pem"));
	CHECK_EQ(sh(dir, "(echo hello > junk.txt)"), 0);
	CHECK(fx_run(f, "/certificate/import file-name=junk.txt") != 0);
	CHECK(strstr(fx_err(f), "failure: no certificate or private key in junk.txt"), "%s", fx_err(f));
	fx_free(f);
	rmdir_all(dir);
	free(dir);
}

/* One file with an EC key and its certificate, named with name=; and a chain: the leaf
 * signed by a CA, both imported, come back from wg_cert_material leaf first. */
TEST(import_combined_and_chain)
{
	char *dir = tmpdir();
	CHECK_EQ(sh(dir, "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key -out ca.pem "
			 "-days 100 -subj /CN=Test-CA -addext basicConstraints=critical,CA:TRUE"), 0);
	CHECK_EQ(sh(dir, "openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout leaf.key -out leaf.csr "
			 "-subj /CN=leaf.example"), 0);
	CHECK_EQ(sh(dir, "openssl x509 -req -in leaf.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out leaf.pem -days 50"), 0);
	CHECK_EQ(sh(dir, "(cat leaf.pem leaf.key > both.pem)"), 0);
	struct fx *f = fx_new();
	wg_session_set_cwd(f->s, dir);
	CHECK_EQ(fx_run(f, "/certificate/import file-name=ca.pem name=ca trusted=yes\n"
			   "/certificate/import file-name=both.pem name=leaf"), 0);
	CHECK(strstr(fx_last(f), "certificates-imported: 1\n") && strstr(fx_last(f), "private-keys-imported: 1\n"),
	      "%s", fx_last(f));
	CHECK_EQ(fx_run(f, "/certificate/print"), 0);
	CHECK(strstr(fx_last(f), "0 AT ca    Test-CA"), "%s", fx_last(f));
	CHECK(strstr(fx_last(f), "1 KT leaf  leaf.example"), "%s", fx_last(f));
	CHECK(strstr(fx_run_out(f, "/certificate/print detail where name=leaf"), "key-size=prime256v1"), "%s", fx_last(f));
	char *chain, *key, err[64];
	if (wg_cert_material(wg_router_store(f->r), "leaf", &chain, &key, err, sizeof(err)) < 0) {
		CHECK(false, "%s", err);
		chain = xstrdup(""), key = xstrdup("");
	}
	char *lp = xasprintf("%s/leaf.pem", dir), *cp = xasprintf("%s/ca.pem", dir);
	char *leaf = fx_read_text(lp), *ca = fx_read_text(cp);
	char *want = xasprintf("%s%s", leaf, ca);
	free(lp);
	free(cp);
	CHECK(!strcmp(chain, want), "%s", chain);
	free(chain);
	wg_cert_key_free(key);
	CHECK(wg_cert_material(wg_router_store(f->r), "ca", &chain, &key, err, sizeof(err)) < 0); /* no key */
	CHECK(strstr(err, "has no private key"));
	free(leaf);
	free(ca);
	free(want);
	fx_free(f);
	rmdir_all(dir);
	free(dir);
}

/* A remote user (API, REST) reads only plain file names in the router's files directory
 * (DIR/files), and so do the console's other file commands for them. */
TEST(import_by_remote_user)
{
	char *dir = tmpdir(), *state = tmpdir();
	CHECK_EQ(sh(dir, "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout k.pem -out c.pem "
			 "-days 5 -subj /CN=x"), 0);
	char *cp = xasprintf("mkdir '%s/files' && cp '%s/c.pem' '%s/files/c.pem' && cp '%s/k.pem' '%s/k.pem'", state, dir,
			     state, dir, state);
	CHECK_EQ(system(cp), 0);
	free(cp);
	struct fx *f = fx_new_dir(state);
	wg_session_set_cwd(f->s, dir);
	CHECK_EQ(fx_run(f, "/user/add name=ops group=write password=ops-pw\n/user/add name=ro group=read password=ro-pw"), 0);
	struct wg_auth_user u;
	CHECK_EQ(wg_auth_login(f->r, "ops", "ops-pw", "192.0.2.1", "api", &u), WG_AUTH_OK);
	wg_session_set_user(f->s, &u);
	char *abs = xasprintf("/certificate/import file-name=%s/k.pem", dir);
	CHECK(fx_run(f, abs) != 0);
	CHECK(fx_run(f, "/certificate/import file-name=k.pem") != 0); /* in the client's and the state directory */
	CHECK(fx_run(f, "/certificate/import file-name=../k.pem") != 0);
	CHECK(fx_run(f, "/certificate/import file-name=../config.state") != 0);
	CHECK_EQ(fx_run(f, "/certificate/import file-name=c.pem"), 0);
	CHECK(strstr(fx_last(f), "certificates-imported: 1\n"));
	/* the other file commands too: export writes into DIR/files, nowhere else */
	CHECK_EQ(fx_run(f, "/export file=backup"), 0);
	char *bk = xasprintf("%s/files/backup.rsc", state);
	CHECK(access(bk, F_OK) == 0);
	free(bk);
	CHECK(fx_run(f, "/export file=../escape") != 0);
	CHECK(fx_run(f, "/import file-name=../config.state") != 0);
	CHECK(strstr(fx_err(f), "failure: no such file"), "%s", fx_err(f));
	CHECK_EQ(wg_auth_login(f->r, "ro", "ro-pw", "192.0.2.1", "api", &u), WG_AUTH_OK);
	wg_session_set_user(f->s, &u);
	CHECK(fx_run(f, "/certificate/add name=t common-name=t\n") != 0);
	CHECK(fx_run(f, "/certificate/sign c.pem_0") != 0);
	CHECK(strstr(fx_err(f), "not enough permissions (9)"), "%s", fx_err(f));
	free(abs);
	fx_free(f);
	rmdir_all(dir);
	rmdir_all(state);
	free(dir);
	free(state);
}

TEST(san_canonical)
{
	char *s = wg_san_canonical("a.example,192.0.2.1,IP:2001:DB8::1,DNS:*.w.example");
	CHECK(s && !strcmp(s, "DNS:a.example,IP:192.0.2.1,IP:2001:db8::1,DNS:*.w.example"), "%s", s);
	free(s);
	CHECK(wg_san_canonical("IP:300.1.1.1") == NULL);
	CHECK(wg_san_canonical("DNS:a b") == NULL);
	CHECK(wg_san_canonical("") == NULL);
}
