/* One UAPI request: the operation line, its body, the errno line. */
#include "uapi/uapi.h"
#include "uapi/uapi_internal.h"
#include <errno.h>
#include <string.h>

void uapi_lock(const struct wg_uapi_ops *ops)
{
	if (ops && ops->lock)
		ops->lock(ops->ctx);
}

void uapi_unlock(const struct wg_uapi_ops *ops)
{
	if (ops && ops->unlock)
		ops->unlock(ops->ctx);
}

void uapi_log(const struct wg_uapi_ops *ops, const char *msg)
{
	if (ops && ops->log)
		ops->log(ops->ctx, msg);
}

static int reply(FILE *out, int status)
{
	fprintf(out, "errno=%d\n\n", status);
	return fflush(out) || ferror(out) ? -1 : 0;
}

static bool is_op(const char *line, long n, const char *op)
{
	return n == (long)strlen(op) && !memcmp(line, op, (size_t)n);
}

/* "get=1" must be followed by the blank line and nothing else. */
static int handle_get(struct wg_device *dev, const struct wg_uapi_ops *ops, FILE *in,
		      FILE *out, int *status)
{
	char line[UAPI_LINE_MAX];
	long n = uapi_read_line(in, line, sizeof(line));
	int rc;
	if (n == UAPI_LINE_EOF || n == UAPI_LINE_IOERR)
		return -1; /* cut off mid-request: nobody to answer */
	if (n != 0) {
		uapi_log(ops, "get: expected a blank line after get=1");
		*status = -EINVAL;
		return reply(out, *status);
	}
	rc = uapi_get(dev, ops, out);
	return rc ? -1 : reply(out, *status);
}

static int handle_set(struct wg_device *dev, const struct wg_uapi_ops *ops, FILE *in,
		      FILE *out, int *status)
{
	if (uapi_set(dev, ops, in, status)) {
		*status = -EIO;
		reply(out, *status);
		return -1;
	}
	return reply(out, *status);
}

int wg_uapi_handle_status(struct wg_device *dev, const struct wg_uapi_ops *ops, FILE *in,
			  FILE *out, int *status)
{
	char op[32];
	int st = 0, rc;
	long n = uapi_read_line(in, op, sizeof(op));
	if (n == UAPI_LINE_EOF)
		rc = 1;
	else if (n == UAPI_LINE_IOERR)
		rc = -1;
	else if (is_op(op, n, "get=1"))
		rc = handle_get(dev, ops, in, out, &st);
	else if (is_op(op, n, "set=1"))
		rc = handle_set(dev, ops, in, out, &st);
	else {
		/* Nothing after an unknown operation can be trusted to be in step. */
		uapi_log(ops, "uapi: expected operation get=1 or set=1");
		st = -EPROTO;
		reply(out, st);
		rc = -1;
	}
	if (status)
		*status = st;
	return rc;
}

int wg_uapi_handle(struct wg_device *dev, const struct wg_uapi_ops *ops, FILE *in, FILE *out)
{
	return wg_uapi_handle_status(dev, ops, in, out, NULL);
}
