/* Certificates for the TLS doors (www-ssl, api-ssl), made and read with OpenSSL
 * libcrypto: self-signed X.509 v3 certificates (EC P-256/P-384 or RSA keys, a random
 * serial, subjectAltName), PEM files with certificates and private keys (encrypted keys
 * with a passphrase), and what print shows of a certificate.
 *
 * /certificate keeps a certificate's PEM and its private key's PEM in the configuration
 * as hidden values (PF_HIDDEN): persisted in the 0600 state file, written atomically
 * with the rest (a key and its certificate come and go in one commit), never printed,
 * exported or logged. */
#ifndef WG_ROUTER_CERTS_H
#define WG_ROUTER_CERTS_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "router/store.h"

/* For a server: the PEM chain of certificate name (the certificate, then the issuers
 * that /certificate holds, up to a self-signed one) and its private key, both malloc'd
 * (wipe and free the key: wg_cert_key_free). 0, or -1 + err when there is no such
 * certificate, it is not signed, or it has no private key. Lock held. */
int wg_cert_material(const struct wg_store *st, const char *name, char **chain_pem, char **key_pem, char *err,
		     size_t errlen);
void wg_cert_key_free(char *key_pem);

/* ---- for menus_certs.c and tests ---- */
struct wg_cert_info {
	char common_name[256];
	char san[1024];          /* "DNS:vpn.example.com,IP:192.0.2.1" */
	char fingerprint[65];    /* SHA-256 of the DER, lowercase hex, as RouterOS prints it */
	char serial[80];         /* hex */
	char issuer[256];        /* the issuer's common name (or its whole name) */
	int64_t not_before, not_after; /* unix time */
	unsigned days_valid;
	char key_size[64];       /* "2048", "prime256v1", "ed25519" ... */
	bool authority;          /* basicConstraints CA:TRUE */
};
int wg_cert_info_of(const char *cert_pem, struct wg_cert_info *out, char *err, size_t errlen);

struct wg_cert_request {
	const char *common_name;
	const char *san;         /* canonical (wg_san_canonical), NULL/"": from common-name */
	const char *key_size;    /* RSA bits (1024..8192), or prime256v1, secp384r1, secp521r1 */
	unsigned days_valid;
};
/* A new key and a self-signed certificate for it (SHA-256, v3, serverAuth+clientAuth). */
int wg_cert_self_sign(const struct wg_cert_request *req, char **cert_pem, char **key_pem, char *err,
		      size_t errlen);
/* "DNS:a.example,IP:192.0.2.1" from the same with canonical addresses; a bare word is
 * an IP when it parses as one, else a DNS name. NULL when invalid. malloc'd. */
char *wg_san_canonical(const char *in);

/* The certificates and private keys of a PEM text, each re-encoded on its own (keys
 * unencrypted PKCS#8). Keys that the passphrase does not open are counted. */
struct wg_pem_bundle {
	char **certs;
	size_t ncerts;
	char **keys;
	size_t nkeys;
	unsigned decrypt_failures;
};
void wg_pem_split(const char *text, const char *passphrase, struct wg_pem_bundle *out);
void wg_pem_bundle_free(struct wg_pem_bundle *b);
bool wg_cert_key_matches(const char *cert_pem, const char *key_pem);
/* Did issuer sign subject (names and signature)? */
bool wg_cert_issued(const char *issuer_pem, const char *subject_pem);
#endif
