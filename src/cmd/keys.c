/* genkey, genpsk, pubkey: byte-for-byte the behaviour of `wg genkey|genpsk|pubkey`. */
#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "cmd/cmd.h"
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

static bool is_help(int argc, char **argv)
{
	return argc == 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"));
}

static const char *const help_text[][2] = {
	{ "genkey", "Prints a new random private key (base64) on stdout, as `wg genkey`.\n"
		    "Example: umask 077; wgrouter genkey > private.key\n" },
	{ "genpsk", "Prints a new random preshared key (base64) on stdout, as `wg genpsk`.\n" },
	{ "pubkey", "Reads a private key (base64) on stdin and prints its public key,\n"
		    "as `wg pubkey`.\n"
		    "Example: wgrouter pubkey < private.key > public.key\n" },
};

/* -h/--help: exit status 0 and the text on stdout; otherwise extra arguments are the
 * error wg reports, in wg's words. Returns -1 to go on, else the exit status. */
static int usage_if_args(int argc, char **argv)
{
	if (argc == 1)
		return -1;
	if (is_help(argc, argv)) {
		printf("Usage: wgrouter %s\n\n", argv[0]);
		for (size_t i = 0; i < sizeof(help_text) / sizeof(help_text[0]); i++)
			if (!strcmp(help_text[i][0], argv[0]))
				fputs(help_text[i][1], stdout);
		return 0;
	}
	fprintf(stderr, "Usage: wg %s\n", argv[0]);
	return 1;
}

int cmd_genkey(int argc, char **argv)
{
	uint8_t key[WG_KEY_LEN];
	int rc = usage_if_args(argc, argv);
	if (rc >= 0)
		return rc;
	warn_if_world_readable();
	wg_generate_private_key(key);
	rc = print_key(key);
	wg_wipe(key, sizeof(key));
	return rc;
}

int cmd_genpsk(int argc, char **argv)
{
	uint8_t key[WG_KEY_LEN];
	int rc = usage_if_args(argc, argv);
	if (rc >= 0)
		return rc;
	warn_if_world_readable();
	wg_os_random(key, sizeof(key));
	rc = print_key(key);
	wg_wipe(key, sizeof(key));
	return rc;
}

/* wg reads exactly 44 characters, then allows only white space (and NULs) up to EOF;
 * the messages and the "wg:" prefix are wg's, so scripts that match on them keep working. */
static int read_key_line(char b64[WG_KEY_B64_LEN + 1])
{
	if (fread(b64, 1, WG_KEY_B64_LEN, stdin) != WG_KEY_B64_LEN) {
		fputs("wg: Key is not the correct length or format\n", stderr);
		return -1;
	}
	b64[WG_KEY_B64_LEN] = 0;
	for (int c; (c = getc(stdin)) != EOF;) {
		if (c && !isspace(c)) {
			fputs("wg: Trailing characters found after key\n", stderr);
			return -1;
		}
	}
	return 0;
}

int cmd_pubkey(int argc, char **argv)
{
	char b64[WG_KEY_B64_LEN + 1];
	uint8_t priv[WG_KEY_LEN], pub[WG_KEY_LEN];
	int rc = usage_if_args(argc, argv);
	if (rc >= 0)
		return rc;
	rc = 1;
	if (read_key_line(b64) < 0)
		goto out;
	if (!wg_key_from_base64(priv, b64)) {
		fputs("wg: Key is not the correct length or format\n", stderr);
		goto out;
	}
	wg_x25519_clamp(priv);
	wg_x25519_public(pub, priv);
	rc = print_key(pub);
out:
	wg_wipe(b64, sizeof(b64));
	wg_wipe(priv, sizeof(priv));
	return rc;
}
