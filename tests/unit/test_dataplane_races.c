/* The data plane's threads against the thread that started it, as `make check-sanitize`
 * runs them under ThreadSanitizer (build/tsan): a listen port set over the UAPI socket
 * (its client thread replaces the sockets) read by the owner, and a link MTU change
 * (the control thread) while the TUN read path runs. Found by ThreadSanitizer on
 * tests/netns/test_interop.sh; in a plain build these check the behaviour only. Needs
 * root (a TUN device in a private network namespace); prints SKIP otherwise. */
#include "test.h"
#include <errno.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>
#include "dataplane/dataplane.h"
#include "sys/netlink.h"

static bool private_netns(const char *name)
{
	static int state; /* 0 = not tried, 1 = inside, -1 = impossible */
	if (state == 0)
		state = geteuid() == 0 && unshare(CLONE_NEWNET) == 0 && access("/dev/net/tun", R_OK) == 0 ? 1 : -1;
	if (state < 0)
		printf("SKIP test_dataplane_races:%s (needs root and /dev/net/tun)\n", name);
	return state > 0;
}

static void quiet(void *ctx, enum wg_log_level level, const uint8_t *peer, const char *topic, const char *msg) {}

/* One request over the UAPI socket; the reply's errno line. */
static int uapi_over_socket(const char *path, const char *req)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	char buf[512];
	size_t got = 0;
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0 ||
	    write(fd, req, strlen(req)) != (ssize_t)strlen(req)) {
		if (fd >= 0)
			close(fd);
		return -EIO;
	}
	for (ssize_t n; got + 1 < sizeof(buf) && (n = read(fd, buf + got, sizeof(buf) - 1 - got)) > 0;) {
		got += (size_t)n;
		buf[got] = 0;
		if (strstr(buf, "\n\n"))
			break;
	}
	close(fd);
	buf[got] = 0;
	const char *e = strstr(buf, "errno=");
	return e ? -atoi(e + 6) : -EIO;
}

TEST(dataplane_port_set_over_the_socket_and_mtu_from_the_link)
{
	if (!private_netns("dataplane_port_set_over_the_socket_and_mtu_from_the_link"))
		return;
	char dir[] = "/tmp/wgr-dp-race.XXXXXX", sock[96];
	CHECK(mkdtemp(dir) != NULL);
	struct wg_dataplane_opts o = { .uapi_socket = true, .uapi_dir = dir, .mtu = 1420, .log = quiet };
	int err = 0;
	struct wg_dataplane *dp = wg_dataplane_start("wgrace0", &o, &err);
	CHECK(dp != NULL, "start: %d", err);
	if (!dp) {
		rmdir(dir);
		return;
	}
	/* the port, replaced by the UAPI client thread, read back here; the request comes
	 * from another process (as `wg set` does), so nothing orders that thread's write
	 * after this thread's reads */
	snprintf(sock, sizeof(sock), "%s/wgrace0.sock", dir);
	pid_t pid = fork();
	if (pid == 0)
		_exit(uapi_over_socket(sock, "set=1\nlisten_port=51999\n\n") == 0 ? 0 : 1);
	int status = -1;
	CHECK(pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0,
	      "UAPI set over the socket: status %d", status);
	CHECK_EQ(wg_dataplane_listen_port(dp), 51999);
	/* packets into the TUN (its read path reads the MTU) while `ip link` changes it */
	struct wg_prefix p;
	wg_prefix_parse(&p, "10.77.0.1/24");
	CHECK_EQ(wg_nl_addr_add("wgrace0", &p), 0);
	CHECK_EQ(wg_nl_link_set_up("wgrace0", true), 0);
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(9), .sin_addr.s_addr = htonl(0x0a4d0002) };
	for (int i = 0; i < 20; i++) {
		CHECK_EQ(wg_nl_link_set_mtu("wgrace0", 1300 + (unsigned)i), 0);
		CHECK(sendto(fd, "x", 1, 0, (struct sockaddr *)&to, sizeof(to)) == 1, "send %d: %s", i, strerror(errno));
		usleep(2000);
	}
	close(fd);
	wg_dataplane_stop(dp);
	rmdir(dir);
}
