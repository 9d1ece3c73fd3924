/* Keys as base64 and hex text. Keys are secrets and text parsing is a classic timing
 * leak (table lookups indexed by secret bytes, branches per character class), so every
 * character is mapped with arithmetic masks only, as wireguard-tools does. The only
 * branches look at the length and the fixed '=' position, which are not secret. */
#include "crypto/crypto.h"
#include <string.h>

/* -1 (all ones) when lo <= c <= hi, else 0; c must be 0..255. Both differences are
 * negative only inside the range; >> 8 turns a small negative into -1, a small
 * non-negative into 0 (gcc shifts signed ints arithmetically). */
static int in_range(int c, int lo, int hi)
{
	return ((lo - 1 - c) & (c - hi - 1)) >> 8;
}

/* -1 (all ones) when v >= k, else 0; for 0 <= v, k <= 256. */
static int at_least(int v, int k)
{
	return (k - 1 - v) >> 8;
}

/* 0..63 for a base64 character, -1 for anything else. */
static int b64_value(unsigned char ch)
{
	int c = ch;

	return -1 + (in_range(c, 'A', 'Z') & (c - 'A' + 1))
		  + (in_range(c, 'a', 'z') & (c - 'a' + 27))
		  + (in_range(c, '0', '9') & (c - '0' + 53))
		  + (in_range(c, '+', '+') & 63)
		  + (in_range(c, '/', '/') & 64);
}

/* The base64 character for v in 0..63: 'A' + v, shifted at each class boundary. */
static char b64_char(int v)
{
	return (char)(v + 'A' + (at_least(v, 26) & 6) - (at_least(v, 52) & 75)
		      - (at_least(v, 62) & 15) + (at_least(v, 63) & 3));
}

/* Decodes n (2..4) characters into a 24-bit group, high bits first; sets bit 31 of
 * *bad when a character is invalid. Missing characters count as value 0. */
static unsigned b64_group(const char *s, int n, unsigned *bad)
{
	unsigned group = 0;

	for (int i = 0; i < n; i++) {
		int v = b64_value((unsigned char)s[i]);
		*bad |= (unsigned)v;	/* -1 sets every bit, 0..63 sets none above bit 5 */
		group |= (unsigned)(v & 63) << (18 - 6 * i);
	}
	return group;
}

bool wg_key_from_base64(uint8_t key[WG_KEY_LEN], const char *b64)
{
	uint8_t tmp[WG_KEY_LEN];
	unsigned bad = 0, g;
	int i;

	if (strnlen(b64, WG_KEY_B64_LEN + 1) != WG_KEY_B64_LEN || b64[WG_KEY_B64_LEN - 1] != '=')
		return false;
	for (i = 0; i < WG_KEY_LEN / 3; i++) {
		g = b64_group(b64 + 4 * i, 4, &bad);
		tmp[3 * i] = (uint8_t)(g >> 16);
		tmp[3 * i + 1] = (uint8_t)(g >> 8);
		tmp[3 * i + 2] = (uint8_t)g;
	}
	/* The last group carries 2 bytes in 3 characters; its low 8 bits (the third
	 * character's low 2 bits and the '=') must be zero, or the text is not canonical
	 * and another string would decode to the same key. */
	g = b64_group(b64 + 4 * i, 3, &bad);
	bad |= (g & 0xff) << 24;
	tmp[3 * i] = (uint8_t)(g >> 16);
	tmp[3 * i + 1] = (uint8_t)(g >> 8);
	bad >>= 24;	/* only the high byte carries the verdicts */
	if (bad == 0)
		memcpy(key, tmp, WG_KEY_LEN);
	wg_wipe(tmp, sizeof(tmp));
	return bad == 0;
}

void wg_key_to_base64(char out[WG_KEY_B64_LEN + 1], const uint8_t key[WG_KEY_LEN])
{
	int i;

	for (i = 0; i < WG_KEY_LEN / 3; i++) {
		const uint8_t *k = key + 3 * i;
		out[4 * i] = b64_char(k[0] >> 2);
		out[4 * i + 1] = b64_char(((k[0] << 4) | (k[1] >> 4)) & 63);
		out[4 * i + 2] = b64_char(((k[1] << 2) | (k[2] >> 6)) & 63);
		out[4 * i + 3] = b64_char(k[2] & 63);
	}
	out[4 * i] = b64_char(key[3 * i] >> 2);
	out[4 * i + 1] = b64_char(((key[3 * i] << 4) | (key[3 * i + 1] >> 4)) & 63);
	out[4 * i + 2] = b64_char((key[3 * i + 1] << 2) & 63);
	out[4 * i + 3] = '=';
	out[WG_KEY_B64_LEN] = '\0';
}

/* 0..15 for a hex digit of either case, -1 for anything else. */
static int hex_value(unsigned char ch)
{
	int c = ch;

	return -1 + (in_range(c, '0', '9') & (c - '0' + 1))
		  + (in_range(c, 'a', 'f') & (c - 'a' + 11))
		  + (in_range(c, 'A', 'F') & (c - 'A' + 11));
}

/* Lowercase digit for v in 0..15: '0' + v, jumping 39 to reach 'a' at 10. */
static char hex_char(int v)
{
	return (char)(v + '0' + (at_least(v, 10) & ('a' - '0' - 10)));
}

bool wg_key_from_hex(uint8_t key[WG_KEY_LEN], const char *hex)
{
	uint8_t tmp[WG_KEY_LEN];
	unsigned bad = 0;

	if (strnlen(hex, WG_KEY_HEX_LEN + 1) != WG_KEY_HEX_LEN)
		return false;
	for (int i = 0; i < WG_KEY_LEN; i++) {
		int hi = hex_value((unsigned char)hex[2 * i]);
		int lo = hex_value((unsigned char)hex[2 * i + 1]);
		bad |= (unsigned)(hi | lo);
		tmp[i] = (uint8_t)(((unsigned)hi << 4) | (unsigned)(lo & 15));
	}
	bad >>= 31;
	if (bad == 0)
		memcpy(key, tmp, WG_KEY_LEN);
	wg_wipe(tmp, sizeof(tmp));
	return bad == 0;
}

void wg_key_to_hex(char out[WG_KEY_HEX_LEN + 1], const uint8_t key[WG_KEY_LEN])
{
	for (int i = 0; i < WG_KEY_LEN; i++) {
		out[2 * i] = hex_char(key[i] >> 4);
		out[2 * i + 1] = hex_char(key[i] & 15);
	}
	out[WG_KEY_HEX_LEN] = '\0';
}
