/* See file.h. */
#include "util/file.h"
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <stdlib.h>
#include "util/alloc.h"

/* O_NONBLOCK: opening a FIFO must not wait for a writer; the type is checked before
 * the open (a device is never opened) and again on the open file (it may have been
 * swapped in between). */
static int open_regular(const char *path)
{
	struct stat st;
	if (stat(path, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode))
		return -EINVAL;
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return -EINVAL;
	}
	return fd;
}

/* Reads until the end, or one byte past max (the file may grow while it is read). */
static int read_upto(int fd, size_t max, struct sbuf *b)
{
	char buf[65536];
	size_t got = 0;
	for (;;) {
		size_t want = max - got + 1 < sizeof(buf) ? max - got + 1 : sizeof(buf);
		ssize_t n = read(fd, buf, want);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			int rc = n < 0 ? -errno : 0;
			explicit_bzero(buf, sizeof(buf));
			return rc;
		}
		got += (size_t)n;
		if (got > max) {
			explicit_bzero(buf, sizeof(buf));
			return -EFBIG;
		}
		sb_addn(b, buf, (size_t)n);
	}
}

int wg_file_read(const char *path, size_t max, struct sbuf *b)
{
	int fd = open_regular(path);
	if (fd < 0)
		return fd;
	int rc = read_upto(fd, max, b);
	close(fd);
	if (rc < 0) {
		if (b->s)
			explicit_bzero(b->s, b->len);
		sb_free(b);
	}
	return rc;
}

int wg_file_write_all(int fd, const void *data, size_t n)
{
	const char *s = data;
	while (n) {
		ssize_t w = write(fd, s, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -errno;
		s += w;
		n -= (size_t)w;
	}
	return 0;
}

/* The directory of path must reach the disk too, or a crash may lose the rename. */
int wg_file_sync_dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir = slash ? (slash == path ? xstrdup("/") : xstrndup(path, (size_t)(slash - path))) : xstrdup(".");
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), rc = 0;
	free(dir);
	if (fd < 0)
		return -errno;
	if (fsync(fd))
		rc = -errno;
	close(fd);
	return rc;
}

int wg_file_replace(const char *path, const void *data, size_t len)
{
	char *tmp = xasprintf("%s.tmp", path);
	int rc = 0, fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		rc = -errno;
	if (!rc)
		rc = wg_file_write_all(fd, data, len);
	if (!rc && fsync(fd))
		rc = -errno;
	if (fd >= 0 && close(fd) && !rc)
		rc = -errno;
	if (!rc && rename(tmp, path))
		rc = -errno;
	if (!rc)
		rc = wg_file_sync_dir_of(path);
	if (rc)
		unlink(tmp);
	free(tmp);
	return rc;
}
