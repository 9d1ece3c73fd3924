/* Pieces shared by the files of the UAPI handler. Not part of the public API. */
#ifndef WG_UAPI_INTERNAL_H
#define WG_UAPI_INTERNAL_H
#include <stdio.h>
#include "uapi/uapi.h"

/* The longest legitimate line is an endpoint with a 253-character host name; anything
 * past this is rejected (and read to its end) instead of being buffered. */
enum { UAPI_LINE_MAX = 1024 };
enum { UAPI_LINE_EOF = -1, UAPI_LINE_LONG = -2, UAPI_LINE_IOERR = -3 };

/* Reads one line into buf without its "\n" (or "\r\n") and NUL-terminates it. Returns
 * its length, UAPI_LINE_EOF if the stream ended before any byte, UAPI_LINE_LONG if it
 * did not fit in cap - 1 bytes (the rest of it is consumed) or UAPI_LINE_IOERR. A last
 * line without "\n" counts as a line. */
long uapi_read_line(FILE *in, char *buf, size_t cap);

/* Writes the body of a get reply (everything before "errno="). Returns 0 or -1 when
 * out failed. Takes the lock itself, once per chunk of the reply, and never holds it
 * while it writes to out. */
int uapi_get(struct wg_device *dev, const struct wg_uapi_ops *ops, FILE *out);
/* Reads the lines of a set request up to the blank line (or EOF) and applies them;
 * *status is the errno value for the reply. Returns 0, or -1 when in failed. Takes the
 * lock itself, line by line. */
int uapi_set(struct wg_device *dev, const struct wg_uapi_ops *ops, FILE *in, int *status);

void uapi_lock(const struct wg_uapi_ops *ops);
void uapi_unlock(const struct wg_uapi_ops *ops);
void uapi_log(const struct wg_uapi_ops *ops, const char *msg);
#endif
