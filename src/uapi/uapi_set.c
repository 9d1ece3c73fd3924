/* The "set" request: the whole request is read and parsed without the lock (reading
 * may wait on a slow client, parsing on DNS), then applied in order under one hold of
 * it, so packets never see a request half applied (a new listen port without the new
 * endpoint that came with it), as with the kernel's netlink. It is not a transaction:
 * the lines before the first error stay applied, as in wireguard-go. After the first
 * error the remaining lines are read and discarded so the stream stays in sync.
 *
 * The open peer is held by its public key, never by pointer. */
#include "uapi/uapi_internal.h"
#include "uapi/uapi_change.h"
#include "crypto/crypto.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>

enum peer_state {
	NO_PEER,       /* still in the device section */
	PEER_IGNORED,  /* our own key, removed, or update_only on an unknown peer */
	PEER_OPEN,     /* lines apply to the peer `key' (created when first needed) */
};

struct set_state {
	struct wg_device *dev;
	const struct wg_uapi_ops *ops;
	enum peer_state peer;
	uint8_t key[WG_KEY_LEN];
	bool created;          /* this section created the peer: update_only undoes it */
	bool keepalive_given;  /* applied when the section ends, after its endpoint */
	uint16_t keepalive;
	struct uapi_diag diag;
};

static int fail(struct set_state *s, int err, const char *field, const char *what)
{
	snprintf(s->diag.msg, sizeof(s->diag.msg), "%s: %s: %s", field, what, strerror(-err));
	return err;
}

/* Finds the open peer, creating it on first use. NULL with *err 0 if it turned out
 * to be our own key (the private key may have changed since public_key=). */
static struct wg_peer *open_peer(struct set_state *s, int *err)
{
	struct wg_peer *p = wg_device_find_peer(s->dev, s->key);
	uint8_t own[WG_KEY_LEN];
	*err = 0;
	if (p)
		return p;
	p = wg_device_add_peer(s->dev, s->key);
	if (p) {
		s->created = true;
		return p;
	}
	if (wg_device_public_key(s->dev, own) && wg_memeq(own, s->key, WG_KEY_LEN))
		s->peer = PEER_IGNORED;
	else
		*err = fail(s, -ENOMEM, "public_key", "cannot add peer");
	return NULL;
}

/* Ends the open section. ok: the request has had no error, so a peer named by a bare
 * public_key line is created and a keepalive turned on goes out at once; after an error
 * nothing new is created and the interval is only stored (wireguard-go sends nothing
 * either). */
static int close_peer(struct set_state *s, bool ok)
{
	struct wg_peer *p = NULL;
	int err = 0;
	if (s->peer == PEER_OPEN)
		p = ok ? open_peer(s, &err) : wg_device_find_peer(s->dev, s->key);
	if (p && s->keepalive_given)
		wg_peer_set_persistent_keepalive(p, s->keepalive, ok && s->ops ? s->ops->sink : NULL);
	s->peer = NO_PEER;
	s->created = false;
	s->keepalive_given = false;
	return err;
}

static void set_private_key(struct set_state *s, const uint8_t key[WG_KEY_LEN])
{
	uint8_t cur[WG_KEY_LEN], want[WG_KEY_LEN];
	bool had = wg_device_private_key(s->dev, cur);
	bool clear = wg_is_zero(key, WG_KEY_LEN);
	memcpy(want, key, WG_KEY_LEN);
	if (!clear)
		wg_x25519_clamp(want);
	/* `wg syncconf` resends the same key every time: that must not reset every session. */
	bool same = had ? !clear && wg_memeq(cur, want, WG_KEY_LEN) : clear;
	if (!same)
		wg_device_set_private_key(s->dev, clear ? NULL : want);
	wg_wipe(cur, sizeof(cur));
	wg_wipe(want, sizeof(want));
}

static int set_port(struct set_state *s, uint16_t port)
{
	const struct wg_uapi_ops *o = s->ops;
	int rc = o && o->set_listen_port ? o->set_listen_port(o->ctx, port) : -EOPNOTSUPP;
	return rc ? fail(s, rc < 0 ? rc : -EADDRINUSE, "listen_port", "cannot use the port") : 0;
}

static int set_fwmark(struct set_state *s, uint32_t mark)
{
	const struct wg_uapi_ops *o = s->ops;
	int rc = o && o->set_fwmark ? o->set_fwmark(o->ctx, mark) : -EOPNOTSUPP;
	return rc ? fail(s, rc < 0 ? rc : -EINVAL, "fwmark", "cannot set the mark") : 0;
}

static int apply_device(struct set_state *s, const struct uapi_change *c)
{
	switch (c->kind) {
	case UAPI_PRIVATE_KEY:   set_private_key(s, c->v.key); return 0;
	case UAPI_LISTEN_PORT:   return set_port(s, c->v.port);
	case UAPI_FWMARK:        return set_fwmark(s, c->v.fwmark);
	case UAPI_REPLACE_PEERS: wg_device_remove_all_peers(s->dev); return 0;
	default:                 return -EINVAL; /* the parser keeps sections apart */
	}
}

/* public_key=: ends the previous section and opens a new one. Our own key is ignored
 * with its whole section, as the kernel and wireguard-go do. */
static int open_section(struct set_state *s, const uint8_t key[WG_KEY_LEN])
{
	uint8_t own[WG_KEY_LEN];
	int err = close_peer(s, true);
	if (err)
		return err;
	memcpy(s->key, key, WG_KEY_LEN);
	bool self = wg_device_public_key(s->dev, own) && wg_memeq(own, key, WG_KEY_LEN);
	s->peer = self ? PEER_IGNORED : PEER_OPEN;
	return 0;
}

/* remove=true and update_only=true: both may leave the section ignored. */
static void apply_presence(struct set_state *s, enum uapi_change_kind kind)
{
	struct wg_peer *p = wg_device_find_peer(s->dev, s->key);
	if (p && (kind == UAPI_REMOVE || s->created))
		wg_device_remove_peer(s->dev, p);
	if (kind == UAPI_REMOVE || !p || s->created)
		s->peer = PEER_IGNORED;
}

static int apply_allowed_ip(struct set_state *s, struct wg_peer *p, const struct uapi_change *c)
{
	const struct uapi_prefix *x = &c->v.prefix;
	char buf[UAPI_PREFIX_STRLEN];
	int rc;
	if (c->kind == UAPI_ALLOWED_IP_DEL) {
		rc = wg_peer_remove_allowed_ip(p, x->family, x->addr, x->cidr);
		return rc == -ENOENT ? 0 : rc; /* not this peer's: nothing to do, as wireguard-go */
	}
	rc = wg_peer_add_allowed_ip(p, x->family, x->addr, x->cidr);
	return rc ? fail(s, rc, "allowed_ip", uapi_format_prefix(buf, x->family, x->addr, x->cidr)) : 0;
}

static int apply_peer(struct set_state *s, const struct uapi_change *c)
{
	struct wg_peer *p;
	int err;
	if (s->peer == PEER_IGNORED || c->kind == UAPI_PROTOCOL_VERSION)
		return 0; /* values were still checked by the parser */
	if (c->kind == UAPI_REMOVE || c->kind == UAPI_UPDATE_ONLY) {
		apply_presence(s, c->kind);
		return 0;
	}
	if (!(p = open_peer(s, &err)))
		return err;
	switch (c->kind) {
	case UAPI_PRESHARED_KEY:       wg_peer_set_preshared_key(p, c->v.key); return 0;
	case UAPI_ENDPOINT:            wg_peer_set_endpoint(p, &c->v.endpoint); return 0;
	case UAPI_REPLACE_ALLOWED_IPS: wg_peer_clear_allowed_ips(p); return 0;
	case UAPI_ALLOWED_IP_ADD:
	case UAPI_ALLOWED_IP_DEL:      return apply_allowed_ip(s, p, c);
	case UAPI_KEEPALIVE:
		s->keepalive_given = true;
		s->keepalive = c->v.keepalive;
		return 0;
	default:                       return -EINVAL;
	}
}

static int apply(struct set_state *s, const struct uapi_change *c)
{
	if (c->kind == UAPI_PUBLIC_KEY)
		return open_section(s, c->v.key);
	return s->peer == NO_PEER ? apply_device(s, c) : apply_peer(s, c);
}

/* The parsed lines of one request, applied together. */
struct pending {
	struct uapi_change *v;
	size_t n, cap;
};

static int push(struct pending *p, const struct uapi_change *c)
{
	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 64;
		struct uapi_change *v = realloc(p->v, cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		p->v = v;
		p->cap = cap;
	}
	p->v[p->n++] = *c;
	return 0;
}

static void pending_free(struct pending *p)
{
	if (p->v)
		wg_wipe(p->v, p->n * sizeof(*p->v)); /* keys */
	free(p->v);
}

/* Parses one line into p; *in_peer follows the sections as the parser needs them. */
static int parse_line(struct set_state *s, struct pending *p, bool *in_peer, const char *line, long n)
{
	struct uapi_change c;
	int err;
	if (n == UAPI_LINE_LONG) {
		snprintf(s->diag.msg, sizeof(s->diag.msg), "set: line longer than %d bytes",
			 UAPI_LINE_MAX - 1);
		return -EINVAL;
	}
	if (!(err = uapi_parse_change(&c, line, (size_t)n, *in_peer, s->ops, &s->diag))) {
		*in_peer |= c.kind == UAPI_PUBLIC_KEY;
		err = push(p, &c);
	}
	wg_wipe(&c, sizeof(c));
	return err;
}

int uapi_set(struct wg_device *dev, const struct wg_uapi_ops *ops, FILE *in, int *status)
{
	struct set_state s = { .dev = dev, .ops = ops };
	struct pending p = { 0 };
	struct uapi_diag parse_diag = { 0 };
	char line[UAPI_LINE_MAX];
	bool in_peer = false;
	int parse_err = 0, err = 0;
	long n;
	/* A blank line ends the request; so does EOF (wireguard-go's scanner agrees). */
	while ((n = uapi_read_line(in, line, sizeof(line))) > 0 || n == UAPI_LINE_LONG) {
		if (!parse_err && (parse_err = parse_line(&s, &p, &in_peer, line, n)))
			parse_diag = s.diag;
		wg_wipe(line, n > 0 ? (size_t)n : sizeof(line));
	}
	uapi_lock(ops);
	for (size_t i = 0; i < p.n && !err; i++)
		err = apply(&s, &p.v[i]);
	const struct uapi_diag *why = &s.diag;
	if (!err && parse_err) { /* the lines before the bad one are applied */
		err = parse_err;
		why = &parse_diag;
	}
	int closed = close_peer(&s, !err && n != UAPI_LINE_IOERR);
	uapi_unlock(ops);
	if (err)
		uapi_log(ops, why->msg);
	if (closed)
		uapi_log(ops, s.diag.msg);
	pending_free(&p);
	*status = err ? err : closed;
	return n == UAPI_LINE_IOERR ? -1 : 0;
}
