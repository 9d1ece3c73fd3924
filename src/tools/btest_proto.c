/* See btest_proto.h. Every multi-byte field is put and taken byte by byte, so the codec
 * is the same on every host and never reads past what it was given. */
#include "tools/btest_proto.h"
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>

static void put_le16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put_le32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint16_t get_le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t get_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* ---- the command ---- */

void wg_bt_cmd_encode(const struct wg_bt_cmd *c, uint8_t out[WG_BT_CMD_LEN])
{
	memset(out, 0, WG_BT_CMD_LEN);
	out[0] = c->proto == WG_BT_TCP ? 1 : 0;
	out[1] = c->dir & 3;
	out[2] = c->random ? 0 : 1;
	out[3] = c->conns > 1 ? c->conns : 0;
	put_le16(out + 4, c->proto == WG_BT_TCP ? WG_BT_TCP_SIZE : c->udp_size);
	put_le16(out + 6, c->bufsize);
	put_le32(out + 8, c->remote_tx);
	put_le32(out + 12, c->local_tx);
}

int wg_bt_cmd_decode(struct wg_bt_cmd *c, const uint8_t in[WG_BT_CMD_LEN])
{
	memset(c, 0, sizeof(*c));
	if (in[0] > 1 || in[1] < 1 || in[1] > 3 || in[2] > 1)
		return -1;
	c->proto = in[0];
	c->dir = in[1];
	c->random = in[2] == 0;
	c->conns = in[3] ? in[3] : 1;
	c->udp_size = get_le16(in + 4);
	c->bufsize = get_le16(in + 6);
	c->remote_tx = get_le32(in + 8);
	c->local_tx = get_le32(in + 12);
	if (c->conns > WG_BT_CONN_MAX)
		return -1;
	if (c->proto == WG_BT_UDP && (c->udp_size < WG_BT_UDP_MIN || c->udp_size > WG_BT_UDP_MAX))
		return -1;
	return 0;
}

bool wg_bt_sends(const struct wg_bt_cmd *c, int server)
{
	return c->dir & (server ? WG_BT_DIR_RX : WG_BT_DIR_TX);
}

bool wg_bt_receives(const struct wg_bt_cmd *c, int server)
{
	return c->dir & (server ? WG_BT_DIR_TX : WG_BT_DIR_RX);
}

/* ---- the server's words ---- */

void wg_bt_word_encode(enum wg_bt_word w, uint16_t token, uint8_t out[WG_BT_WORD_LEN])
{
	out[0] = (uint8_t)w;
	out[1] = w == WG_BT_W_OK ? (uint8_t)(token >> 8) : 0;
	out[2] = w == WG_BT_W_OK ? (uint8_t)token : 0;
	out[3] = 0;
}

int wg_bt_word_decode(const uint8_t in[WG_BT_WORD_LEN], uint16_t *token)
{
	*token = 0;
	if (in[3] != 0 || in[0] > WG_BT_W_SRP)
		return -1;
	if (in[0] != WG_BT_W_OK && (in[1] || in[2]))
		return -1;
	*token = (uint16_t)(in[1] << 8 | in[2]);
	return in[0];
}

void wg_bt_join_encode(uint16_t token, uint8_t out[WG_BT_CMD_LEN])
{
	memset(out, 0, WG_BT_CMD_LEN);
	out[0] = (uint8_t)(token >> 8);
	out[1] = (uint8_t)token;
}

uint16_t wg_bt_join_token(const uint8_t in[WG_BT_CMD_LEN])
{
	return (uint16_t)(in[0] << 8 | in[1]);
}

/* ---- MD5 login ---- */

static int md5_two(const void *a, size_t alen, const void *b, size_t blen, uint8_t out[16])
{
	unsigned int n = 0;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int ok = ctx && EVP_DigestInit_ex(ctx, EVP_md5(), NULL) && EVP_DigestUpdate(ctx, a, alen) &&
		 EVP_DigestUpdate(ctx, b, blen) && EVP_DigestFinal_ex(ctx, out, &n) && n == 16;
	EVP_MD_CTX_free(ctx);
	return ok ? 0 : -1;
}

int wg_bt_auth_digest(const char *password, const uint8_t challenge[WG_BT_CHALLENGE_LEN], uint8_t out[16])
{
	uint8_t inner[16];
	size_t n = strlen(password);
	int rc = md5_two(password, n, challenge, WG_BT_CHALLENGE_LEN, inner);
	if (!rc)
		rc = md5_two(password, n, inner, sizeof(inner), out);
	OPENSSL_cleanse(inner, sizeof(inner));
	return rc;
}

int wg_bt_auth_encode(const char *user, const char *password, const uint8_t challenge[WG_BT_CHALLENGE_LEN],
		      uint8_t out[WG_BT_AUTH_LEN])
{
	size_t n = strlen(user);
	memset(out, 0, WG_BT_AUTH_LEN);
	if (n > WG_BT_USER_MAX)
		return -1;
	memcpy(out + 16, user, n);
	return wg_bt_auth_digest(password, challenge, out);
}

int wg_bt_auth_decode(const uint8_t in[WG_BT_AUTH_LEN], char user[WG_BT_USER_MAX + 1], uint8_t digest[16])
{
	const uint8_t *name = in + 16;
	size_t n = 0;
	while (n < WG_BT_USER_MAX && name[n])
		n++;
	for (size_t i = 0; i < WG_BT_USER_MAX; i++)
		if ((i < n && name[i] < ' ') || (i >= n && name[i]))
			return -1;
	memcpy(user, name, n);
	user[n] = 0;
	memcpy(digest, in, 16);
	return 0;
}

bool wg_bt_auth_verify(const char *password, const uint8_t challenge[WG_BT_CHALLENGE_LEN], const uint8_t digest[16])
{
	uint8_t want[16];
	bool ok = !wg_bt_auth_digest(password, challenge, want) && !CRYPTO_memcmp(want, digest, 16);
	OPENSSL_cleanse(want, sizeof(want));
	return ok;
}

/* ---- status, ports, sequence numbers ---- */

void wg_bt_status_encode(const struct wg_bt_status *s, uint8_t out[WG_BT_STATUS_LEN])
{
	memset(out, 0, WG_BT_STATUS_LEN);
	out[0] = 0x07;
	put_le32(out + 4, s->seq);
	put_le32(out + 8, s->bytes);
}

int wg_bt_status_decode(struct wg_bt_status *s, const uint8_t in[WG_BT_STATUS_LEN])
{
	if (in[0] != 0x07)
		return -1;
	s->seq = get_le32(in + 4);
	s->bytes = get_le32(in + 8);
	return 0;
}

void wg_bt_port_encode(uint16_t port, uint8_t out[2])
{
	out[0] = (uint8_t)(port >> 8);
	out[1] = (uint8_t)port;
}

uint16_t wg_bt_port_decode(const uint8_t in[2])
{
	return (uint16_t)(in[0] << 8 | in[1]);
}

void wg_bt_seq_put(uint8_t *dgram, uint32_t seq)
{
	for (int i = 0; i < 4; i++)
		dgram[i] = (uint8_t)(seq >> (24 - 8 * i));
}

int wg_bt_loss_update(struct wg_bt_loss *l, const uint8_t *dgram, size_t len)
{
	if (len < 4)
		return -1;
	uint32_t seq = (uint32_t)dgram[0] << 24 | (uint32_t)dgram[1] << 16 | (uint32_t)dgram[2] << 8 | dgram[3];
	if (!l->started) {
		l->started = true; /* what was lost before the first one is not known */
	} else if (seq > l->next) {
		l->lost += seq - l->next;
	} else if (seq < l->next) {
		if (l->lost)
			l->lost--; /* late, not lost */
		return 0;
	}
	l->next = (uint64_t)seq + 1;
	return 0;
}

char *wg_bt_rate_format(uint64_t bps, char *buf, size_t len)
{
	if (bps < 1000)
		snprintf(buf, len, "%llubps", (unsigned long long)bps);
	else if (bps < 1000000)
		snprintf(buf, len, "%.1fkbps", (double)bps / 1e3);
	else if (bps < 1000000000)
		snprintf(buf, len, "%.1fMbps", (double)bps / 1e6);
	else
		snprintf(buf, len, "%.1fGbps", (double)bps / 1e9);
	return buf;
}
