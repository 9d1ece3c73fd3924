/* Reading a whole file that a user named (a script to import, a wg-quick config): only
 * a regular file, and only up to a limit, so /dev/zero, a FIFO or a huge file can
 * neither exhaust memory nor block the reader. */
#ifndef WG_UTIL_FILE_H
#define WG_UTIL_FILE_H
#include <stddef.h>
#include "util/sbuf.h"

/* Reads the file into the empty b (NUL bytes included: b->len counts them). 0, or
 * -EFBIG when it holds more than max bytes, -EINVAL when it is not a regular file
 * (directory, device, FIFO, socket), another -errno when it cannot be opened or read.
 * On failure b stays empty, what was read wiped (the file may hold keys). */
int wg_file_read(const char *path, size_t max, struct sbuf *b);
/* Replaces path with len bytes of data, mode 0600, atomically: PATH.tmp written and
 * fsynced, renamed over path, the directory fsynced. A reader (or a restart after a
 * kill) sees the old or the new file whole. 0 or -errno (the .tmp file removed). */
int wg_file_replace(const char *path, const void *data, size_t len);
/* write(2) until all of data is written (EINTR retried); 0 or -errno. */
int wg_file_write_all(int fd, const void *data, size_t n);
/* fsync of the directory holding path (a new or renamed name reaches the disk). */
int wg_file_sync_dir_of(const char *path);
#endif
