/* See sniffer.h. One thread per capture: poll on pcap's descriptor and a stop pipe,
 * pcap_dispatch into the memory ring and the file. The ring and the counters are under
 * a mutex that print and save take briefly. */
#include "tools/sniffer.h"
#include <errno.h>
#include <fcntl.h>
#include <pcap/pcap.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "util/alloc.h"

enum { SNAPLEN = 65535 };

struct pkt {
	struct pkt *next;
	struct pcap_pkthdr h;
	uint8_t data[];
};

struct wg_sniffer {
	pcap_t *pc;
	int link;                 /* DLT of the capture, for save */
	pcap_dumper_t *dump;
	uint64_t file_limit, mem_limit;
	int stop_fd[2];
	pthread_t th;
	bool joined;
	pthread_mutex_t lock;     /* what follows */
	struct pkt *head, *tail;
	uint64_t mem_bytes;
	struct wg_sniff_stats st;
};

/* 0600 from the start: a capture holds other people's traffic. */
static pcap_dumper_t *open_dump(pcap_t *pc, const char *path, char *err, size_t errlen)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
	FILE *f = fd >= 0 ? fdopen(fd, "wb") : NULL;
	pcap_dumper_t *d = f ? pcap_dump_fopen(pc, f) : NULL;
	if (!d) {
		snprintf(err, errlen, "failure: cannot write %s (%s)", path, f ? pcap_geterr(pc) : strerror(errno));
		if (f)
			fclose(f);
		else if (fd >= 0)
			close(fd);
	}
	return d;
}

static void keep(struct wg_sniffer *s, const struct pcap_pkthdr *h, const uint8_t *data)
{
	struct pkt *p = xmalloc(sizeof(*p) + h->caplen);
	p->next = NULL;
	p->h = *h;
	memcpy(p->data, data, h->caplen);
	if (s->tail)
		s->tail->next = p;
	else
		s->head = p;
	s->tail = p;
	s->mem_bytes += sizeof(*p) + h->caplen;
	s->st.mem_packets++;
	while (s->mem_bytes > s->mem_limit && s->head) { /* the oldest go first */
		struct pkt *old = s->head;
		s->head = old->next;
		if (!s->head)
			s->tail = NULL;
		s->mem_bytes -= sizeof(*old) + old->h.caplen;
		s->st.mem_packets--;
		free(old);
	}
}

static void on_packet(uint8_t *user, const struct pcap_pkthdr *h, const uint8_t *data)
{
	struct wg_sniffer *s = (struct wg_sniffer *)user;
	pthread_mutex_lock(&s->lock);
	s->st.packets++;
	s->st.bytes += h->len;
	keep(s, h, data);
	if (s->dump && !s->st.file_full) {
		if (s->st.file_bytes + 16 + h->caplen > s->file_limit) {
			s->st.file_full = true; /* RouterOS stops at file-limit */
			pcap_breakloop(s->pc);
		} else {
			pcap_dump((uint8_t *)s->dump, h, data);
			s->st.file_bytes += 16 + h->caplen;
		}
	}
	pthread_mutex_unlock(&s->lock);
}

static void *sniff_main(void *arg)
{
	struct wg_sniffer *s = arg;
	struct pollfd p[2] = { { .fd = pcap_get_selectable_fd(s->pc), .events = POLLIN },
			       { .fd = s->stop_fd[0], .events = POLLIN } };
	while (!s->st.file_full) {
		if (poll(p, 2, 200) < 0 && errno != EINTR)
			break;
		if (p[1].revents)
			break;
		if (pcap_dispatch(s->pc, -1, on_packet, (uint8_t *)s) == PCAP_ERROR)
			break;
		if (s->dump)
			pcap_dump_flush(s->dump); /* a reader of the file sees every packet so far */
	}
	pthread_mutex_lock(&s->lock);
	s->st.running = false;
	pthread_mutex_unlock(&s->lock);
	return NULL;
}

static pcap_t *open_capture(const struct wg_sniff_opts *o, char *err, size_t errlen)
{
	char ebuf[PCAP_ERRBUF_SIZE] = "";
	const char *dev = o->iface && *o->iface ? o->iface : "any";
	pcap_t *pc = pcap_create(dev, ebuf);
	if (pc) {
		pcap_set_snaplen(pc, SNAPLEN);
		pcap_set_immediate_mode(pc, 1);
		pcap_set_buffer_size(pc, 4 << 20);
		if (pcap_activate(pc) < 0) {
			snprintf(ebuf, sizeof(ebuf), "%s", pcap_geterr(pc));
			pcap_close(pc);
			pc = NULL;
		}
	}
	struct bpf_program prog;
	if (pc && o->filter && *o->filter) {
		if (pcap_compile(pc, &prog, o->filter, 1, PCAP_NETMASK_UNKNOWN) < 0 || pcap_setfilter(pc, &prog) < 0) {
			snprintf(ebuf, sizeof(ebuf), "%s", pcap_geterr(pc));
			pcap_close(pc);
			pc = NULL;
		} else {
			pcap_freecode(&prog);
		}
	}
	if (pc && pcap_setnonblock(pc, 1, ebuf) < 0) {
		pcap_close(pc);
		pc = NULL;
	}
	if (!pc)
		snprintf(err, errlen, "failure: cannot capture on %s (%s)", dev, ebuf);
	return pc;
}

int wg_sniffer_start(struct wg_sniffer **out, const struct wg_sniff_opts *o, char *err, size_t errlen)
{
	pcap_t *pc = open_capture(o, err, errlen);
	if (!pc)
		return -1;
	struct wg_sniffer *s = xcalloc(1, sizeof(*s));
	s->pc = pc;
	s->link = pcap_datalink(pc);
	s->file_limit = o->file_limit;
	s->mem_limit = o->mem_limit;
	pthread_mutex_init(&s->lock, NULL);
	if (o->path && !(s->dump = open_dump(pc, o->path, err, errlen))) {
		wg_sniffer_free(s);
		return -1;
	}
	s->st.running = true;
	if (pipe2(s->stop_fd, O_CLOEXEC) < 0 || pthread_create(&s->th, NULL, sniff_main, s)) {
		s->joined = true;
		snprintf(err, errlen, "failure: cannot start the sniffer");
		wg_sniffer_free(s);
		return -1;
	}
	*out = s;
	return 0;
}

void wg_sniffer_halt(struct wg_sniffer *s)
{
	if (!s || s->joined)
		return;
	if (write(s->stop_fd[1], "x", 1) < 0) {
		/* an empty pipe of ours: cannot fail */
	}
	pthread_join(s->th, NULL);
	s->joined = true;
	close(s->stop_fd[0]);
	close(s->stop_fd[1]);
	if (s->dump)
		pcap_dump_close(s->dump);
	s->dump = NULL;
	pcap_close(s->pc);
	s->pc = NULL;
	s->st.running = false;
}

void wg_sniffer_free(struct wg_sniffer *s)
{
	if (!s)
		return;
	wg_sniffer_halt(s);
	if (s->dump)
		pcap_dump_close(s->dump);
	if (s->pc)
		pcap_close(s->pc);
	for (struct pkt *p = s->head, *n; p; p = n) {
		n = p->next;
		free(p);
	}
	pthread_mutex_destroy(&s->lock);
	free(s);
}

void wg_sniffer_stats(struct wg_sniffer *s, struct wg_sniff_stats *out)
{
	pthread_mutex_lock(&s->lock);
	*out = s->st;
	pthread_mutex_unlock(&s->lock);
}

int wg_sniffer_save(struct wg_sniffer *s, const char *path, char *err, size_t errlen)
{
	pcap_t *dead = pcap_open_dead(s->link, SNAPLEN);
	pcap_dumper_t *d = dead ? open_dump(dead, path, err, errlen) : NULL;
	if (!d) {
		if (dead)
			pcap_close(dead);
		return -1;
	}
	pthread_mutex_lock(&s->lock);
	for (struct pkt *p = s->head; p; p = p->next)
		pcap_dump((uint8_t *)d, &p->h, p->data);
	pthread_mutex_unlock(&s->lock);
	pcap_dump_close(d);
	pcap_close(dead);
	return 0;
}
