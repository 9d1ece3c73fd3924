/* Bounded line reading: a client can make us read forever, never allocate without end. */
#include "uapi/uapi_internal.h"

long uapi_read_line(FILE *in, char *buf, size_t cap)
{
	size_t n = 0;
	bool long_line = false;
	int c;
	while ((c = getc_unlocked(in)) != EOF && c != '\n') {
		if (n + 1 < cap)
			buf[n++] = (char)c;
		else
			long_line = true;
	}
	buf[n] = '\0';
	if (c == EOF && ferror(in))
		return UAPI_LINE_IOERR;
	if (c == EOF && n == 0 && !long_line)
		return UAPI_LINE_EOF;
	if (long_line)
		return UAPI_LINE_LONG;
	if (n > 0 && buf[n - 1] == '\r') /* bufio.ScanLines drops it too */
		buf[--n] = '\0';
	return (long)n;
}
