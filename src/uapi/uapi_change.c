/* "key=value" lines of a set request -> struct uapi_change: a table of the keys each
 * section allows, one small parser per key. */
#include "uapi/uapi_change.h"
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>

typedef bool (*value_parser)(struct uapi_change *c, const char *field, const char *value,
			     const struct wg_uapi_ops *ops, struct uapi_diag *d);

static bool private_key(struct uapi_change *c, const char *f, const char *v,
			const struct wg_uapi_ops *ops, struct uapi_diag *d)
{
	return uapi_parse_key(c->v.key, f, v, true, d);
}

static bool public_key(struct uapi_change *c, const char *f, const char *v,
		       const struct wg_uapi_ops *ops, struct uapi_diag *d)
{
	return uapi_parse_key(c->v.key, f, v, false, d);
}

static bool listen_port(struct uapi_change *c, const char *f, const char *v,
			const struct wg_uapi_ops *ops, struct uapi_diag *d)
{
	uint64_t n;
	if (!uapi_parse_uint(&n, UINT16_MAX, f, v, d))
		return false;
	c->v.port = (uint16_t)n;
	return true;
}

static bool fwmark(struct uapi_change *c, const char *f, const char *v,
		   const struct wg_uapi_ops *ops, struct uapi_diag *d)
{
	uint64_t n;
	if (!uapi_parse_uint(&n, UINT32_MAX, f, v, d))
		return false;
	c->v.fwmark = (uint32_t)n;
	return true;
}

static bool keepalive(struct uapi_change *c, const char *f, const char *v,
		      const struct wg_uapi_ops *ops, struct uapi_diag *d)
{
	uint64_t n;
	if (!uapi_parse_uint(&n, UINT16_MAX, f, v, d))
		return false;
	c->v.keepalive = (uint16_t)n;
	return true;
}

static bool flag(struct uapi_change *c, const char *f, const char *v,
		 const struct wg_uapi_ops *ops, struct uapi_diag *d)
{
	return uapi_parse_true(f, v, d);
}

static bool protocol_version(struct uapi_change *c, const char *f, const char *v,
			     const struct wg_uapi_ops *ops, struct uapi_diag *d)
{
	return !strcmp(v, "1") || uapi_fail(d, f, "1", v);
}

/* "-prefix" removes the prefix, "prefix" adds it. */
static bool allowed_ip(struct uapi_change *c, const char *f, const char *v,
		       const struct wg_uapi_ops *ops, struct uapi_diag *d)
{
	if (v[0] == '-') {
		c->kind = UAPI_ALLOWED_IP_DEL;
		v++;
	}
	return uapi_parse_prefix(&c->v.prefix, f, v, d);
}

static bool resolve(struct wg_endpoint *ep, const struct uapi_endpoint_spec *spec,
		    const char *field, const struct wg_uapi_ops *ops, struct uapi_diag *d)
{
	int (*fn)(void *, const char *, uint16_t, struct wg_endpoint *) =
		ops && ops->resolve ? ops->resolve : wg_uapi_resolve;
	int rc = fn(ops ? ops->ctx : NULL, spec->host, spec->port, ep);
	if (rc == 0 && (ep->addr.sa.sa_family == AF_INET || ep->addr.sa.sa_family == AF_INET6))
		return true;
	snprintf(d->msg, sizeof(d->msg), "%s: cannot resolve `%s': %s", field, spec->host,
		 rc ? gai_strerror(rc) : "no address");
	return false;
}

static bool endpoint(struct uapi_change *c, const char *f, const char *v,
		     const struct wg_uapi_ops *ops, struct uapi_diag *d)
{
	struct uapi_endpoint_spec spec;
	if (!uapi_parse_endpoint(&spec, f, v, d))
		return false;
	if (!spec.host[0]) {
		c->v.endpoint = spec.ep;
		return true;
	}
	return resolve(&c->v.endpoint, &spec, f, ops, d);
}

enum section { DEVICE = 1, PEER = 2, ANY = 3 };

static const struct key {
	const char *name;
	enum section section;
	enum uapi_change_kind kind;
	value_parser parse;
} keys[] = {
	{ "private_key",                   DEVICE, UAPI_PRIVATE_KEY,         private_key },
	{ "listen_port",                   DEVICE, UAPI_LISTEN_PORT,         listen_port },
	{ "fwmark",                        DEVICE, UAPI_FWMARK,              fwmark },
	{ "replace_peers",                 DEVICE, UAPI_REPLACE_PEERS,       flag },
	{ "public_key",                    ANY,    UAPI_PUBLIC_KEY,          public_key },
	{ "remove",                        PEER,   UAPI_REMOVE,              flag },
	{ "update_only",                   PEER,   UAPI_UPDATE_ONLY,         flag },
	{ "preshared_key",                 PEER,   UAPI_PRESHARED_KEY,       private_key },
	{ "endpoint",                      PEER,   UAPI_ENDPOINT,            endpoint },
	{ "persistent_keepalive_interval", PEER,   UAPI_KEEPALIVE,           keepalive },
	{ "replace_allowed_ips",           PEER,   UAPI_REPLACE_ALLOWED_IPS, flag },
	{ "allowed_ip",                    PEER,   UAPI_ALLOWED_IP_ADD,      allowed_ip },
	{ "protocol_version",              PEER,   UAPI_PROTOCOL_VERSION,    protocol_version },
};

static const struct key *find_key(const char *name, size_t len, enum section section)
{
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if ((keys[i].section & section) && strlen(keys[i].name) == len &&
		    !memcmp(keys[i].name, name, len))
			return &keys[i];
	return NULL;
}

static int unknown_key(const char *line, size_t len, bool in_peer, struct uapi_diag *d)
{
	char name[40];
	snprintf(name, sizeof(name), "%.*s", (int)(len < 32 ? len : 32), line);
	uapi_fail(d, in_peer ? "peer key" : "device key",
		  in_peer ? "remove, update_only, preshared_key, endpoint, persistent_keepalive_interval,"
			    " replace_allowed_ips, allowed_ip, protocol_version or public_key"
			  : "private_key, listen_port, fwmark, replace_peers or public_key",
		  name);
	return -EINVAL;
}

int uapi_parse_change(struct uapi_change *c, const char *line, size_t len, bool in_peer,
		      const struct wg_uapi_ops *ops, struct uapi_diag *d)
{
	const char *eq = memchr(line, '=', len);
	const struct key *k;
	memset(c, 0, sizeof(*c));
	if (!eq) {
		char head[24]; /* the line may hold a key: show only its start */
		snprintf(head, sizeof(head), "%.20s", line);
		uapi_fail(d, "set", "key=value", head);
		return -EPROTO; /* as wireguard-go: a line that is not key=value */
	}
	if (memchr(line, '\0', len)) {
		snprintf(d->msg, sizeof(d->msg), "set: line contains a NUL byte");
		return -EINVAL;
	}
	k = find_key(line, (size_t)(eq - line), in_peer ? PEER : DEVICE);
	if (!k)
		return unknown_key(line, (size_t)(eq - line), in_peer, d);
	c->kind = k->kind;
	return k->parse(c, k->name, eq + 1, ops, d) ? 0 : -EINVAL;
}
