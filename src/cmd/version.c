/* `wgrouter --version`: the release and the version of every library as loaded at run
 * time (a build against one version may run with another). libmnl and libnftables have
 * no call that tells their version: the file the dynamic loader mapped is shown. */
#include <dlfcn.h>
#include <gnu/libc-version.h>
#include <jansson.h>
#include <libmnl/libmnl.h>
#include <limits.h>
#include <microhttpd.h>
#include <nftables/libnftables.h>
#include <openssl/crypto.h>
#include <png.h>
#include <qrencode.h>
#include <readline/readline.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cmd/cmd.h"
#include "cmd/version.h"

/* The real path of the shared object that holds fn, e.g. .../libmnl.so.0.2.0. */
static void print_object(const char *name, const void *fn)
{
	Dl_info info;
	char path[PATH_MAX];
	if (dladdr(fn, &info) && info.dli_fname && realpath(info.dli_fname, path))
		printf("  %-14s %s\n", name, path);
	else
		printf("  %-14s (linked statically)\n", name);
}

int cmd_version(int argc, char **argv)
{
	if (argc > 1) {
		bool help = !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help");
		fputs("Usage: wgrouter version (or wgrouter --version, wgrouter -V)\n", help ? stdout : stderr);
		if (help)
			fputs("\nPrints the version of wgrouter and, one per line, the libraries it runs with\n"
			      "(as loaded now, which may differ from the ones it was built against).\n", stdout);
		return help ? 0 : 1;
	}
	const char *mhd = MHD_get_version();
	printf("wgrouter %s\n", WGROUTER_VERSION);
	printf("libraries:\n");
	printf("  %-14s %s\n", "glibc", gnu_get_libc_version());
	printf("  %-14s %s\n", "OpenSSL", OpenSSL_version(OPENSSL_VERSION));
	printf("  %-14s %s\n", "libsodium", sodium_version_string());
	print_object("libmnl", (const void *)mnl_socket_open);
	print_object("libnftables", (const void *)nft_ctx_new);
	printf("  %-14s %s\n", "libqrencode", QRcode_APIVersionString());
	printf("  %-14s %s\n", "libpng", png_get_libpng_ver(NULL));
	printf("  %-14s %s\n", "readline", rl_library_version);
	printf("  %-14s %s\n", "libmicrohttpd", mhd ? mhd : "?");
	printf("  %-14s %s\n", "jansson", jansson_version_str());
	return fflush(stdout) ? 1 : 0;
}
