/* MikroTik's bandwidth-test (btest) wire protocol as observed (reference/btest.md): the
 * hello and reply words, the 16-byte command, the MD5 challenge login of RouterOS
 * before 6.43, the 12-byte status message and the UDP sequence numbers. Pure code: no
 * sockets, no clock; the client, the server, the unit tests and the fuzzer share it. */
#ifndef WG_TOOLS_BTEST_PROTO_H
#define WG_TOOLS_BTEST_PROTO_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
	WG_BT_PORT = 2000,           /* the TCP control port */
	WG_BT_WORD_LEN = 4,          /* hello and the server's replies */
	WG_BT_CMD_LEN = 16,
	WG_BT_CHALLENGE_LEN = 16,
	WG_BT_AUTH_LEN = 48,         /* digest (16) + user name zero-padded (32) */
	WG_BT_USER_MAX = 32,
	WG_BT_STATUS_LEN = 12,
	WG_BT_UDP_CLIENT_OFFSET = 256, /* the client's UDP port: the server's + 256 */
	WG_BT_UDP_OVERHEAD = 28,     /* IPv4 + UDP headers: udp-tx-size is the IP packet */
	WG_BT_UDP_MIN = 32,          /* the headers and the sequence number */
	WG_BT_UDP_MAX = 64000,
	WG_BT_TCP_SIZE = 0x8000,     /* bytes 4-5 of a TCP command */
	WG_BT_CONN_MAX = 20,
};

enum wg_bt_proto { WG_BT_UDP = 0, WG_BT_TCP = 1 };
/* Directions as the client sees them (byte 1 of the command). */
enum { WG_BT_DIR_TX = 1, WG_BT_DIR_RX = 2, WG_BT_DIR_BOTH = 3 };

struct wg_bt_cmd {
	uint8_t proto;          /* enum wg_bt_proto */
	uint8_t dir;            /* WG_BT_DIR_*, client's view */
	bool random;            /* random payload (byte 2 = 0) or zero bytes (1) */
	uint8_t conns;          /* tcp-connection-count, 1..20 (0 on the wire means 1) */
	uint16_t udp_size;      /* remote-udp-tx-size (the server's datagrams) */
	uint16_t bufsize;       /* the client's buffer size */
	uint32_t remote_tx;     /* bit/s the server sends at, 0 = unlimited */
	uint32_t local_tx;      /* bit/s the client sends at, 0 = unlimited */
};

void wg_bt_cmd_encode(const struct wg_bt_cmd *c, uint8_t out[WG_BT_CMD_LEN]);
/* -1 when the protocol, direction or UDP size is not one a test can run with. */
int wg_bt_cmd_decode(struct wg_bt_cmd *c, const uint8_t in[WG_BT_CMD_LEN]);
/* Do the two sides send / receive? (side 0 the client, 1 the server) */
bool wg_bt_sends(const struct wg_bt_cmd *c, int server);
bool wg_bt_receives(const struct wg_bt_cmd *c, int server);

/* The server's 4-byte words: hello and ok are 01 00 00 00 (ok with a token for extra
 * TCP connections: 01 hi lo 00), 02 an MD5 challenge follows, 03 EC-SRP5, 00 failed. */
enum wg_bt_word { WG_BT_W_FAILED = 0, WG_BT_W_OK = 1, WG_BT_W_MD5 = 2, WG_BT_W_SRP = 3 };
void wg_bt_word_encode(enum wg_bt_word w, uint16_t token, uint8_t out[WG_BT_WORD_LEN]);
/* The kind, or -1 for a word that is none of them; *token for ok. */
int wg_bt_word_decode(const uint8_t in[WG_BT_WORD_LEN], uint16_t *token);
/* An extra TCP connection's first 16 bytes carry the token in bytes 0-1. */
void wg_bt_join_encode(uint16_t token, uint8_t out[WG_BT_CMD_LEN]);
uint16_t wg_bt_join_token(const uint8_t in[WG_BT_CMD_LEN]);

/* MD5(password || MD5(password || challenge)), through OpenSSL's EVP. 0 or -1. */
int wg_bt_auth_digest(const char *password, const uint8_t challenge[WG_BT_CHALLENGE_LEN], uint8_t out[16]);
/* The client's 48 bytes. -1 for a user name longer than 32 bytes. */
int wg_bt_auth_encode(const char *user, const char *password, const uint8_t challenge[WG_BT_CHALLENGE_LEN],
		      uint8_t out[WG_BT_AUTH_LEN]);
/* The server's side: the user name (NUL-terminated) and the digest. -1 for a name with
 * bytes after its terminating zero or a control character. */
int wg_bt_auth_decode(const uint8_t in[WG_BT_AUTH_LEN], char user[WG_BT_USER_MAX + 1], uint8_t digest[16]);
/* Constant-time comparison against the password's digest. */
bool wg_bt_auth_verify(const char *password, const uint8_t challenge[WG_BT_CHALLENGE_LEN], const uint8_t digest[16]);

/* About once a second, each side: 07, the seconds since the start in bytes 4-7 and the
 * bytes it received in that second in bytes 8-11, little endian. */
struct wg_bt_status { uint32_t seq, bytes; };
void wg_bt_status_encode(const struct wg_bt_status *s, uint8_t out[WG_BT_STATUS_LEN]);
int wg_bt_status_decode(struct wg_bt_status *s, const uint8_t in[WG_BT_STATUS_LEN]);

/* The UDP port the server gives the client, big endian. */
void wg_bt_port_encode(uint16_t port, uint8_t out[2]);
uint16_t wg_bt_port_decode(const uint8_t in[2]);

/* UDP datagrams start with a 4-byte big-endian sequence number. */
void wg_bt_seq_put(uint8_t *dgram, uint32_t seq);
/* Lost packets from the numbers seen: a gap counts as lost, a late one (reordered)
 * takes one back. */
struct wg_bt_loss { uint64_t next; bool started; uint64_t lost; }; /* next: no wrap at 2^32 */
/* -1 for a datagram shorter than the sequence number. */
int wg_bt_loss_update(struct wg_bt_loss *l, const uint8_t *dgram, size_t len);

/* A rate as RouterOS prints it: 0bps, 640bps, 512.0kbps, 94.2Mbps, 1.1Gbps. */
char *wg_bt_rate_format(uint64_t bits_per_s, char *buf, size_t len);
#endif
