/* The one way out when the crypto libraries fail with no safe answer to return. */
#include "crypto/crypto.h"
#include <stdio.h>
#include <stdlib.h>
#include <openssl/err.h>

_Noreturn void wg_crypto_die(const char *what)
{
	fprintf(stderr, "wgrouter: crypto failure: %s\n", what);
	ERR_print_errors_fp(stderr);
	abort();
}
