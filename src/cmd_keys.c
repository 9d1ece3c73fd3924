/* genkey, genpsk, pubkey: byte-for-byte the behaviour of `wg genkey|genpsk|pubkey`. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "cmd.h"
#include "crypto/crypto.h"

static int print_key(const uint8_t key[WG_KEY_LEN])
{
	char b64[WG_KEY_B64_LEN + 1];
	wg_key_to_base64(b64, key);
	puts(b64);
	wg_wipe(b64, sizeof(b64));
	return fflush(stdout) ? 1 : 0;
}

static void warn_if_world_readable(void)
{
	struct stat st;
	if (!fstat(STDOUT_FILENO, &st) && S_ISREG(st.st_mode) && (st.st_mode & S_IRWXO))
		fputs("Warning: writing to world accessible file.\n"
		      "Consider setting the umask to 077 and trying again.\n", stderr);
}

int cmd_genkey(int argc, char **argv)
{
	uint8_t key[WG_KEY_LEN];
	warn_if_world_readable();
	wg_generate_private_key(key);
	int rc = print_key(key);
	wg_wipe(key, sizeof(key));
	return rc;
}

int cmd_genpsk(int argc, char **argv)
{
	uint8_t key[WG_KEY_LEN];
	warn_if_world_readable();
	wg_os_random(key, sizeof(key));
	int rc = print_key(key);
	wg_wipe(key, sizeof(key));
	return rc;
}

int cmd_pubkey(int argc, char **argv)
{
	char line[WG_KEY_B64_LEN + 2];
	uint8_t priv[WG_KEY_LEN], pub[WG_KEY_LEN];
	size_t n = fread(line, 1, sizeof(line) - 1, stdin);
	line[n] = 0;
	/* wg accepts trailing white space (the newline of echo) and nothing else. */
	while (n && isspace((unsigned char)line[n - 1]))
		line[--n] = 0;
	int rc = 1;
	if (n != WG_KEY_B64_LEN || !wg_key_from_base64(priv, line)) {
		fputs("pubkey: Key is not the correct length or format\n", stderr);
		goto out;
	}
	wg_x25519_clamp(priv);
	wg_x25519_public(pub, priv);
	rc = print_key(pub);
out:
	wg_wipe(line, sizeof(line));
	wg_wipe(priv, sizeof(priv));
	return rc;
}
