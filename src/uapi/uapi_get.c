/* The "get" reply, in chunks: under one hold of the lock the device is walked into a
 * buffer of about UAPI_GET_CHUNK bytes, then the lock is released and the chunk written
 * to the client, then the walk resumes where it stopped. A client that does not read
 * therefore never holds the lock (wireguard-go and the first version of this file held
 * it for the whole reply), and memory stays bounded by the chunk whatever the device
 * holds (100,000 allowed IPs, 10,000 peers). The walk resumes at the peer it stopped in,
 * found again by its public key (or, if it was removed meanwhile, by its position), and
 * at the allowed IP it stopped at; a change made between chunks shows in the rest of
 * the reply, as a change between two messages of the kernel's netlink dump does.
 * Keys and their order are wireguard-go's (0.0.20220316, IpcGetOperation). */
#include "uapi/uapi_internal.h"
#include "uapi/uapi_parse.h"
#include "crypto/crypto.h"
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

enum { UAPI_GET_CHUNK = 64 * 1024 };

/* Where the walk stopped. */
struct cursor {
	bool peers_begun;             /* the device lines are written */
	uint8_t key[WG_KEY_LEN];      /* the peer it stopped in */
	size_t ordinal;               /* its position in the list */
	size_t aips_done;             /* its allowed IPs already written */
	bool in_peer;                 /* stopped inside that peer's allowed IPs */
	bool done;
};

/* One chunk: a memory stream that reports full past UAPI_GET_CHUNK bytes. */
struct chunk {
	FILE *f;
	char *buf;
	size_t len;
};

static bool chunk_full(struct chunk *c)
{
	return ftell(c->f) >= UAPI_GET_CHUNK;
}

static void put_key(FILE *out, const char *name, const uint8_t key[WG_KEY_LEN])
{
	char hex[WG_KEY_HEX_LEN + 1];
	wg_key_to_hex(hex, key);
	fprintf(out, "%s=%s\n", name, hex);
	wg_wipe(hex, sizeof(hex));
}

/* private_key only when set; listen_port and fwmark only when nonzero. */
static void put_device(struct wg_device *dev, const struct wg_uapi_ops *ops, FILE *out)
{
	uint8_t key[WG_KEY_LEN];
	uint16_t port = ops && ops->get_listen_port ? ops->get_listen_port(ops->ctx) : 0;
	uint32_t mark = ops && ops->get_fwmark ? ops->get_fwmark(ops->ctx) : 0;
	if (wg_device_private_key(dev, key))
		put_key(out, "private_key", key);
	wg_wipe(key, sizeof(key));
	if (port)
		fprintf(out, "listen_port=%u\n", port);
	if (mark)
		fprintf(out, "fwmark=%" PRIu32 "\n", mark);
}

struct aip_walk {
	struct chunk *c;
	struct cursor *cur;
	size_t seen;
};

/* Skips the allowed IPs of earlier chunks; stops when the chunk is full. */
static bool put_allowed_ip(void *ctx, int family, const uint8_t *addr, uint8_t cidr)
{
	struct aip_walk *w = ctx;
	char buf[UAPI_PREFIX_STRLEN];
	if (w->seen++ < w->cur->aips_done)
		return true;
	if (chunk_full(w->c))
		return false;
	fprintf(w->c->f, "allowed_ip=%s\n", uapi_format_prefix(buf, family, addr, cidr));
	w->cur->aips_done++;
	return true;
}

/* preshared_key is printed even when unset (all zeros), as wireguard-go does. */
static void put_peer_head(const struct wg_peer *peer, FILE *out)
{
	uint8_t key[WG_KEY_LEN];
	struct wg_endpoint ep;
	struct wg_peer_stats st;
	char buf[WG_ENDPOINT_STRLEN];
	wg_peer_public_key(peer, key);
	put_key(out, "public_key", key);
	wg_peer_preshared_key(peer, key);
	put_key(out, "preshared_key", key);
	wg_wipe(key, sizeof(key));
	fprintf(out, "protocol_version=1\n");
	wg_peer_endpoint(peer, &ep);
	if (ep.addr.sa.sa_family == AF_INET || ep.addr.sa.sa_family == AF_INET6)
		fprintf(out, "endpoint=%s\n", wg_endpoint_str(&ep, buf));
	wg_peer_stats(peer, &st);
	fprintf(out, "last_handshake_time_sec=%" PRIu64 "\n", st.last_handshake_wall_ns / 1000000000u);
	fprintf(out, "last_handshake_time_nsec=%" PRIu64 "\n", st.last_handshake_wall_ns % 1000000000u);
	fprintf(out, "tx_bytes=%" PRIu64 "\n", st.tx_bytes);
	fprintf(out, "rx_bytes=%" PRIu64 "\n", st.rx_bytes);
	fprintf(out, "persistent_keepalive_interval=%u\n", wg_peer_persistent_keepalive(peer));
}

/* The peer to resume in: the same one if it is still there, else whatever now holds
 * its position. */
static struct wg_peer *resume_peer(struct wg_device *dev, struct cursor *cur)
{
	if (!cur->peers_begun)
		return wg_device_first_peer(dev);
	struct wg_peer *p = wg_device_find_peer(dev, cur->key);
	if (p)
		return p;
	cur->in_peer = false; /* gone: its remaining allowed IPs with it */
	cur->aips_done = 0;
	p = wg_device_first_peer(dev);
	for (size_t i = 0; p && i < cur->ordinal; i++)
		p = wg_peer_next(p);
	return p;
}

/* Writes one peer from where the cursor stands; false when the chunk filled up first. */
static bool put_peer(struct wg_peer *p, struct cursor *cur, struct chunk *c)
{
	if (!cur->in_peer) {
		wg_peer_public_key(p, cur->key);
		cur->in_peer = true;
		cur->aips_done = 0;
		put_peer_head(p, c->f);
	}
	struct aip_walk w = { c, cur, 0 };
	wg_peer_foreach_allowed_ip(p, put_allowed_ip, &w);
	if (chunk_full(c))
		return false;
	cur->in_peer = false;
	return true;
}

/* One chunk under the lock. */
static void fill_chunk(struct wg_device *dev, const struct wg_uapi_ops *ops, struct cursor *cur,
		       struct chunk *c)
{
	if (!cur->peers_begun)
		put_device(dev, ops, c->f);
	struct wg_peer *p = resume_peer(dev, cur);
	cur->peers_begun = true;
	while (p && put_peer(p, cur, c)) {
		p = wg_peer_next(p);
		cur->ordinal++;
		if (chunk_full(c))
			break;
	}
	if (!p)
		cur->done = true;
	else if (!cur->in_peer)
		wg_peer_public_key(p, cur->key);
}

/* Takes the lock itself, once per chunk, and never while it writes to out. */
int uapi_get(struct wg_device *dev, const struct wg_uapi_ops *ops, FILE *out)
{
	struct cursor cur = { 0 };
	struct chunk c = { 0 };
	int rc = 0;
	while (!cur.done && rc == 0) {
		c.f = open_memstream(&c.buf, &c.len);
		if (!c.f)
			return -1;
		uapi_lock(ops);
		fill_chunk(dev, ops, &cur, &c);
		uapi_unlock(ops);
		if (fclose(c.f) || fwrite(c.buf, 1, c.len, out) != c.len || ferror(out))
			rc = -1;
		wg_wipe(c.buf, c.len); /* private and preshared keys */
		free(c.buf);
		c.buf = NULL;
	}
	wg_wipe(cur.key, sizeof(cur.key));
	return rc;
}
