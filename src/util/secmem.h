/* Memory for long-lived secrets: the WireGuard core's device, peers and sessions (private
 * key, preshared keys, handshake and session keys), the router's stored keys, and every
 * allocation of OpenSSL (src/crypto/secheap.c: its copies of private keys and the
 * contexts that hold the last key used).
 *
 * Why not PR_SET_DUMPABLE 0: an operator wants the core file of a crash of the daemon
 * or of `wgrouter userspace`, just not the keys in it. These pages are excluded from
 * core dumps (MADV_DONTDUMP) and locked against swap as far as RLIMIT_MEMLOCK allows
 * (best effort); everything else still dumps. Short-lived copies (UAPI text, console
 * values) are wiped after use instead.
 *
 * One reserved address range (no memory until used), carved into blocks of multiples
 * of 64 bytes, each size with its own free list; thread-safe. */
#ifndef WG_UTIL_SECMEM_H
#define WG_UTIL_SECMEM_H
#include <stdbool.h>
#include <stddef.h>

/* Zeroed memory for n bytes (at most WG_SECMEM_MAX); NULL when the range is exhausted. */
void *wg_secmem_alloc(size_t n);
/* Wipes and frees a block of wg_secmem_alloc (NULL is ignored). */
void wg_secmem_free(void *p);
/* A copy of s in secret memory; stops the program when none is left (as xstrdup). */
char *wg_secmem_strdup(const char *s);
/* Whether p came from wg_secmem_alloc: frees that serve both kinds ask this. */
bool wg_secmem_owns(const void *p);
/* The bytes usable at p (a block of wg_secmem_alloc): at least what was asked for. */
size_t wg_secmem_size(const void *p);
/* The largest block wg_secmem_alloc gives. */
enum { WG_SECMEM_MAX = (64 << 10) - 16 };
#endif
