/* The Internet checksum (RFC 1071) for the offload code: one's-complement sums kept in a
 * 64-bit accumulator so the inner loop adds 8 bytes per step and folds only at the end.
 *
 * Sums are taken over bytes as they lie in memory, so the folded 16-bit result can be
 * stored into a header with memcpy and is then correct on either byte order (RFC 1071
 * §2(B)). Every piece summed separately must start at an even offset of the checksummed
 * region, or the pieces would be byte-swapped relative to each other. */
#ifndef WG_PLATFORM_CSUM_H
#define WG_PLATFORM_CSUM_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Adds len bytes at p to the running sum (start with 0). */
uint64_t wg_csum_add(uint64_t sum, const void *p, size_t len);
/* Copies len bytes from src to dst and adds them to the running sum, in one pass. */
uint64_t wg_csum_copy(uint64_t sum, void *dst, const void *src, size_t len);
/* Sum of two running sums (one's-complement addition keeps the carry). */
static inline uint64_t wg_csum_combine(uint64_t a, uint64_t b)
{
	a += b;
	return a + (a < b);
}
/* Folds a running sum to 16 bits (not complemented). */
uint16_t wg_csum_fold(uint64_t sum);
/* Sum of the TCP/UDP pseudo-header of the IPv4 or IPv6 packet at ip: its addresses,
 * proto and the upper-layer length l4len. */
uint64_t wg_csum_pseudo(const uint8_t *ip, bool v6, uint8_t proto, uint32_t l4len);
/* The value to store in a checksum field: the complement of the folded sum. */
static inline uint16_t wg_csum_final(uint64_t sum) { return (uint16_t)~wg_csum_fold(sum); }
#endif
