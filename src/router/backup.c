/* See backup.h. */
#include "router/backup.h"
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include "crypto/crypto.h"
#include "util/alloc.h"

#define MAGIC "WGRBACKUP 1 "
#define SALT_LEN crypto_pwhash_SALTBYTES
#define NONCE_LEN crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
#define TAG_LEN crypto_aead_xchacha20poly1305_ietf_ABYTES
#define KEY_LEN crypto_aead_xchacha20poly1305_ietf_KEYBYTES

static int derive(uint8_t key[KEY_LEN], const char *password, const uint8_t *salt, unsigned long long ops,
		  size_t mem)
{
	if (sodium_init() < 0)
		return -1;
	return crypto_pwhash(key, KEY_LEN, password, strlen(password), salt, ops, mem, crypto_pwhash_ALG_ARGON2ID13);
}

int wg_backup_seal_with(const char *text, size_t len, const char *password, unsigned long long ops,
			size_t mem, struct sbuf *out)
{
	if (!password) {
		sb_add(out, MAGIC "plain\n");
		sb_addn(out, text, len);
		return 0;
	}
	char hdr[128];
	uint8_t salt[SALT_LEN], nonce[NONCE_LEN], key[KEY_LEN];
	snprintf(hdr, sizeof(hdr), MAGIC "argon2id ops=%llu mem=%zu xchacha20poly1305\n", ops, mem);
	wg_os_random(salt, sizeof(salt));
	wg_os_random(nonce, sizeof(nonce));
	if (derive(key, password, salt, ops, mem) < 0)
		return -1;
	uint8_t *ct = xmalloc(len + TAG_LEN);
	crypto_aead_xchacha20poly1305_ietf_encrypt(ct, NULL, (const uint8_t *)text, len, (const uint8_t *)hdr,
						   strlen(hdr), NULL, nonce, key);
	sb_add(out, hdr);
	sb_addn(out, (const char *)salt, sizeof(salt));
	sb_addn(out, (const char *)nonce, sizeof(nonce));
	sb_addn(out, (const char *)ct, len + TAG_LEN);
	wg_wipe(key, sizeof(key));
	free(ct);
	return 0;
}

int wg_backup_seal(const char *text, size_t len, const char *password, struct sbuf *out)
{
	return wg_backup_seal_with(text, len, password, crypto_pwhash_OPSLIMIT_INTERACTIVE,
				   crypto_pwhash_MEMLIMIT_INTERACTIVE, out);
}

static int fail(char *err, size_t errlen, const char *msg)
{
	snprintf(err, errlen, "%s", msg);
	return -1;
}

/* The sealed part after the header line hdr (hlen bytes, newline included). */
static int open_sealed(const unsigned char *data, size_t len, size_t hlen, const char *password,
		       struct sbuf *text, char *err, size_t errlen)
{
	unsigned long long ops;
	size_t mem;
	int used = 0;
	char hdr[128];
	memcpy(hdr, data, hlen);
	hdr[hlen] = 0;
	if (sscanf(hdr, MAGIC "argon2id ops=%llu mem=%zu xchacha20poly1305\n%n", &ops, &mem, &used) != 2 ||
	    (size_t)used != hlen || ops < 1 || ops > 10 || mem < 8192 || mem > (256u << 20))
		return fail(err, errlen, "failure: not a backup file");
	if (!password)
		return fail(err, errlen, "failure: backup is encrypted, password needed");
	const unsigned char *salt = data + hlen, *nonce = salt + SALT_LEN, *ct = nonce + NONCE_LEN;
	if (len < hlen + SALT_LEN + NONCE_LEN + TAG_LEN)
		return fail(err, errlen, "failure: not a backup file");
	size_t clen = len - (size_t)(ct - data), plen = clen - TAG_LEN;
	uint8_t key[KEY_LEN];
	if (derive(key, password, salt, ops, mem) < 0)
		return fail(err, errlen, "failure: not enough memory");
	char *plain = xmalloc(plen + 1);
	int rc = crypto_aead_xchacha20poly1305_ietf_decrypt((uint8_t *)plain, NULL, NULL, ct, clen,
							    (const uint8_t *)hdr, hlen, nonce, key);
	wg_wipe(key, sizeof(key));
	if (rc == 0)
		sb_addn(text, plain, plen);
	wg_wipe(plain, plen);
	free(plain);
	return rc ? fail(err, errlen, "failure: wrong password or damaged backup file") : 0;
}

int wg_backup_open(const unsigned char *data, size_t len, const char *password, struct sbuf *text, char *err,
		   size_t errlen)
{
	const unsigned char *nl = memchr(data, '\n', len < 127 ? len : 127);
	size_t hlen = nl ? (size_t)(nl - data) + 1 : 0;
	if (len > WG_BACKUP_MAX || !nl || hlen < strlen(MAGIC) || memcmp(data, MAGIC, strlen(MAGIC)))
		return fail(err, errlen, "failure: not a backup file");
	if (hlen == strlen(MAGIC "plain\n") && !memcmp(data, MAGIC "plain\n", hlen)) {
		sb_addn(text, (const char *)data + hlen, len - hlen);
		return 0;
	}
	return open_sealed(data, len, hlen, password, text, err, errlen);
}
