/* The /system/backup file: the state file's text (every menu, keys included), plain or
 * sealed with a password.
 *
 *   WGRBACKUP 1 plain\n                                   then the text
 *   WGRBACKUP 1 argon2id ops=N mem=BYTES xchacha20poly1305\n
 *                                   then salt (16) | nonce (24) | ciphertext | tag (16)
 *
 * The key is Argon2id (libsodium crypto_pwhash) of the password and the salt; the header
 * line is the associated data, so neither the text nor the parameters can be changed
 * without the password. Loading accepts ops 1..10 and mem 8 KiB..256 MiB, so a crafted
 * file cannot make the daemon spend more than an interactive login costs. */
#ifndef WG_ROUTER_BACKUP_H
#define WG_ROUTER_BACKUP_H
#include <stddef.h>
#include "util/sbuf.h"

enum { WG_BACKUP_MAX = 4 << 20 };  /* the largest backup file loaded */

/* Appends the file for text to out: sealed when password is not NULL (Argon2id with
 * libsodium's interactive limits, as /user passwords). -1 when the KDF fails (memory). */
int wg_backup_seal(const char *text, size_t len, const char *password, struct sbuf *out);
/* As seal with the KDF limits given (the fuzzer's corpus uses cheap ones). */
int wg_backup_seal_with(const char *text, size_t len, const char *password, unsigned long long ops,
			size_t mem, struct sbuf *out);
/* The text of a backup file into the empty text; -1 with err (RouterOS-like: not a
 * backup file, a password is needed, wrong password). */
int wg_backup_open(const unsigned char *data, size_t len, const char *password, struct sbuf *text, char *err,
		   size_t errlen);
#endif
