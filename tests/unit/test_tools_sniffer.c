/* src/tools: the sniffer's BPF filter built from RouterOS's filter lists (values parsed,
 * never passed through as text), and the decoding of captured frames for quick. */
#include <pcap/pcap.h>
#include <sys/socket.h>
#include "test.h"
#include "tools/sniffer.h"

static const char *filter(const char *a, const char *p, const char *pr)
{
	static char buf[512], err[128];
	return wg_sniff_filter(a, p, pr, buf, sizeof(buf), err, sizeof(err)) < 0 ? err : buf;
}

TEST(filter_from_lists)
{
	CHECK(!strcmp(filter(NULL, NULL, NULL), ""));
	CHECK(!strcmp(filter("203.0.113.2/32", NULL, NULL), "(net 203.0.113.2/32)"), "%s", filter("203.0.113.2/32", NULL, NULL));
	CHECK(!strcmp(filter("10.1.2.3/8,2001:db8::/32", "53,443", "udp"),
		      "(net 10.0.0.0/8 or net 2001:db8::/32) and (port 53 or port 443) and (ip proto 17 or ip6 proto 17)"),
	      "%s", filter("10.1.2.3/8,2001:db8::/32", "53,443", "udp"));
	CHECK(!strcmp(filter("", "", "icmp"), "(ip proto 1 or ip6 proto 1)"));
}

TEST(filter_refuses_what_is_not_a_value)
{
	CHECK(!strcmp(filter("1.2.3.4 or tcp", NULL, NULL), "invalid value for argument filter-ip-address"));
	CHECK(!strcmp(filter(NULL, "http", NULL), "invalid value for argument filter-port"));
	CHECK(!strcmp(filter(NULL, "65536", NULL), "invalid value for argument filter-port"));
	CHECK(!strcmp(filter(NULL, NULL, "tcp) or (1"), "invalid value for argument filter-ip-protocol"));
	CHECK(!strcmp(filter(NULL, ",", NULL), "invalid value for argument filter-port"));
	CHECK(!strcmp(filter(NULL, "1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17", NULL), "invalid value for argument filter-port"));
}

TEST(decode_cooked_frame)
{
	uint8_t f[20 + 28] = { 0x08, 0x00, 0, 0, 0, 0, 0, 1, 0, 1, 4 /* outgoing */, 6 };
	uint8_t *ip = f + 20;
	ip[0] = 0x45; ip[3] = 28; ip[8] = 64; ip[9] = 17;
	ip[12] = 192; ip[13] = 0; ip[14] = 2; ip[15] = 1;
	ip[16] = 203; ip[17] = 0; ip[18] = 113; ip[19] = 2;
	ip[20] = 0x9c; ip[21] = 0x40; ip[22] = 0; ip[23] = 53;
	struct wg_sniff_pkt p;
	CHECK_EQ(wg_sniff_decode(DLT_LINUX_SLL2, f, sizeof(f), &p), 0);
	CHECK_EQ(p.dir, 2);
	CHECK_EQ(p.eth, 0x0800);
	CHECK(p.ip);
	CHECK_EQ(p.l3.proto, 17);
	CHECK_EQ(p.l3.sport, 40000);
	CHECK_EQ(p.l3.dport, 53);
	CHECK_EQ(wg_sniff_decode(DLT_LINUX_SLL2, f, 19, &p), -1);
	CHECK_EQ(wg_sniff_decode(DLT_EN10MB, f, 10, &p), -1);
	CHECK_EQ(wg_sniff_decode(DLT_RAW, ip, 28, &p), 0);
	CHECK(p.ip && p.l3.dport == 53);
}

#include <arpa/inet.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

/* Three datagrams to 127.0.0.1:port from a socket of our own. */
static void send_three(uint16_t port)
{
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = htonl(0x7f000001) };
	for (int i = 0; i < 3; i++)
		sendto(fd, "sniffed", 7, 0, (struct sockaddr *)&to, sizeof(to));
	close(fd);
}

static int count_in(const char *path)
{
	char eb[PCAP_ERRBUF_SIZE];
	pcap_t *p = pcap_open_offline(path, eb);
	struct pcap_pkthdr *h;
	const uint8_t *d;
	int n = 0;
	while (p && pcap_next_ex(p, &h, &d) == 1)
		n++;
	if (p)
		pcap_close(p);
	return p ? n : -1;
}

/* The engine itself on lo (needs CAP_NET_RAW: as root only): the file, its mode, the
 * memory saved, the counters. */
TEST(capture_file_and_memory_on_lo)
{
	if (geteuid() != 0)
		return;
	char dir[] = "/tmp/test_sniffer.XXXXXX", file[64], saved[64], bpf[128], err[256];
	CHECK(mkdtemp(dir) != NULL);
	snprintf(file, sizeof(file), "%s/cap.pcap", dir);
	snprintf(saved, sizeof(saved), "%s/mem.pcap", dir);
	CHECK_EQ(wg_sniff_filter("127.0.0.1/32", "39999", "udp", bpf, sizeof(bpf), err, sizeof(err)), 0);
	struct wg_sniff_opts o = { .iface = "lo", .filter = bpf, .path = file, .file_limit = 1 << 20, .mem_limit = 1 << 20 };
	struct wg_sniffer *s = NULL;
	CHECK(wg_sniffer_start(&s, &o, err, sizeof(err)) == 0, "%s", err);
	if (!s)
		return;
	usleep(200000);
	send_three(39999);
	send_three(39998); /* filtered out */
	usleep(300000);
	struct wg_sniff_stats st;
	wg_sniffer_stats(s, &st);
	CHECK(st.running);
	CHECK_EQ(st.packets, 3);
	wg_sniffer_halt(s);
	wg_sniffer_stats(s, &st);
	CHECK(!st.running);
	struct stat sb;
	CHECK(stat(file, &sb) == 0 && (sb.st_mode & 0777) == 0600);
	CHECK_EQ(count_in(file), 3);
	CHECK_EQ(wg_sniffer_save(s, saved, err, sizeof(err)), 0);
	CHECK_EQ(count_in(saved), 3);
	wg_sniffer_free(s);
	unlink(file);
	unlink(saved);
	rmdir(dir);
}
