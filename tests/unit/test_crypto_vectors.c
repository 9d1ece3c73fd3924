/* The crypto layer against published vectors (RFC 7748, RFC 8439, the BLAKE2 reference
 * KAT, draft-irtf-cfrg-xchacha-03, WireGuard's CK0/H0) and against libsodium as an
 * independent implementation. Values marked "hashlib" were computed with Python's
 * hashlib/hmac, which share no code with OpenSSL's BLAKE2s. */
#include "test.h"
#include "core/messages.h"
#include "crypto/crypto.h"
#include <pthread.h>
#include <sodium.h>

/* Decodes a vector that must be exactly n bytes long; a typo in it fails the test. */
static void unhex_n(uint8_t *buf, size_t n, const char *hex)
{
	size_t got = test_unhex(buf, n, hex);
	CHECK(got == n && strlen(hex) == 2 * n, "vector %.16s... is %zu bytes, want %zu", hex, got, n);
}

/* --- X25519 --- */

static void check_x25519(const char *scalar_hex, const char *point_hex, const char *want_hex)
{
	uint8_t k[32], u[32], want[32], out[32];

	unhex_n(k, 32, scalar_hex);
	unhex_n(u, 32, point_hex);
	unhex_n(want, 32, want_hex);
	CHECK(wg_x25519(out, k, u));
	CHECK_MEM(out, want, 32);
}

TEST(x25519_rfc7748_section_5_2)
{
	check_x25519("a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4",
		     "e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c",
		     "c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552");
	/* Its point has the top bit set, which X25519 must ignore. */
	check_x25519("4b66e9d4d1b4673c5ad22691957d6af5c11b6421e0ea01d42ca4169e7918ba0d",
		     "e5210f12786811d3f4b7959d0538ae2c31dbe7106fc03c3efc4cd549c715a493",
		     "95cbde9476e8907d7aade45cb4b873f88b595a68799fa152e6f8f7647aac7957");
}

TEST(x25519_rfc7748_section_6_1)
{
	uint8_t a[32], b[32], apub[32], bpub[32], want_a[32], want_b[32], want_k[32], k1[32], k2[32];

	unhex_n(a, 32, "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
	unhex_n(want_a, 32, "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
	unhex_n(b, 32, "5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb");
	unhex_n(want_b, 32, "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f");
	unhex_n(want_k, 32, "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742");
	CHECK(wg_x25519_public(apub, a));
	CHECK(wg_x25519_public(bpub, b));
	CHECK_MEM(apub, want_a, 32);
	CHECK_MEM(bpub, want_b, 32);
	CHECK(wg_x25519(k1, a, want_b));
	CHECK(wg_x25519(k2, b, want_a));
	CHECK_MEM(k1, want_k, 32);
	CHECK_MEM(k2, want_k, 32);
}

TEST(x25519_rejects_low_order_points)
{
	/* Points whose multiples are all zero: 0, 1, the two of order 8, p-1, p, p+1,
	 * and the order-8 point with the (ignored) top bit set. */
	static const char *const points[] = {
		"0000000000000000000000000000000000000000000000000000000000000000",
		"0100000000000000000000000000000000000000000000000000000000000000",
		"e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",
		"5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157",
		"ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
		"edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
		"eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
		"e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b880",
	};
	uint8_t k[32], u[32], out[32], zero[32] = { 0 };

	unhex_n(k, 32, "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
	for (size_t i = 0; i < sizeof(points) / sizeof(points[0]); i++) {
		unhex_n(u, 32, points[i]);
		memset(out, 0xaa, sizeof(out));
		CHECK(!wg_x25519(out, k, u), "point %zu accepted", i);
		CHECK_MEM(out, zero, 32);
	}
}

TEST(x25519_public_rejects_zero_key)
{
	uint8_t zero[32] = { 0 }, pub[32];

	CHECK(!wg_x25519_public(pub, zero));
}

TEST(x25519_agrees_with_libsodium)
{
	uint8_t k[32], u[32], base[32] = { 9 }, mine[32], theirs[32];

	CHECK(sodium_init() >= 0);
	for (int i = 0; i < 32; i++) {
		wg_os_random(k, 32);
		crypto_scalarmult_curve25519_base(u, k); /* a valid point from libsodium */
		wg_os_random(k, 32);
		CHECK(wg_x25519(mine, k, u));
		CHECK(crypto_scalarmult_curve25519(theirs, k, u) == 0);
		CHECK_MEM(mine, theirs, 32);
		CHECK(wg_x25519_public(mine, k));
		CHECK(crypto_scalarmult_curve25519(theirs, k, base) == 0);
		CHECK_MEM(mine, theirs, 32);
	}
}

/* A prepared key gives libsodium's results for many peers in a row (the exchange
 * context is reused, so a stale peer would show), its public key when asked, and the
 * same refusals as wg_x25519. */
TEST(dh_key_reuse_agrees_with_libsodium)
{
	uint8_t k[32], u[32], base[32] = { 9 }, pub[32], mine[32], theirs[32], zero[32] = { 0 };
	uint8_t order8[32];
	struct wg_dh_key *key;

	CHECK(sodium_init() >= 0);
	unhex_n(order8, 32, "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800");
	for (int round = 0; round < 4; round++) {
		wg_os_random(k, 32);
		key = wg_dh_key_new(k, round % 2 ? pub : NULL);
		CHECK(key != NULL);
		if (round % 2) {
			CHECK(crypto_scalarmult_curve25519(theirs, k, base) == 0);
			CHECK_MEM(pub, theirs, 32);
		}
		for (int i = 0; i < 8; i++) {
			wg_os_random(u, 32);
			crypto_scalarmult_curve25519_base(u, u);
			CHECK(wg_dh(mine, key, u));
			CHECK(crypto_scalarmult_curve25519(theirs, k, u) == 0);
			CHECK_MEM(mine, theirs, 32);
		}
		memset(mine, 0xaa, 32);
		CHECK(!wg_dh(mine, key, order8));
		CHECK_MEM(mine, zero, 32);
		wg_dh_key_free(key);
	}
	CHECK(wg_dh_key_new(zero, pub) == NULL);
	wg_dh_key_free(NULL);
}

TEST(x25519_clamp)
{
	uint8_t k[32], want[32];

	memset(k, 0xff, 32);
	wg_x25519_clamp(k);
	unhex_n(want, 32, "f8ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f");
	CHECK_MEM(k, want, 32);
	memset(k, 0, 32);
	wg_x25519_clamp(k);
	unhex_n(want, 32, "0000000000000000000000000000000000000000000000000000000000000040");
	CHECK_MEM(k, want, 32);
}

/* --- ChaCha20-Poly1305 --- */

/* RFC 8439 section 2.8.2. */
static const char rfc_pt[] = "Ladies and Gentlemen of the class of '99: If I could offer you only one "
			     "tip for the future, sunscreen would be it.";
static const char rfc_ad[] = "50515253c0c1c2c3c4c5c6c7";
static const char rfc_key[] = "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f";
static const char rfc_nonce[] = "070000004041424344454647";
static const char rfc_ct[] = "d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d6"
			     "3dbea45e8ca9671282fafb69da92728b1a71de0a9e060b2905d6a5b67ecd3b36"
			     "92ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc"
			     "3ff4def08e4b7a9de576d26586cec64b6116"
			     "1ae10b594f09e26a7e902ecbd0600691";
enum { RFC_PT_LEN = sizeof(rfc_pt) - 1 };

struct rfc_vec { uint8_t ad[12], key[32], nonce[12], ct[RFC_PT_LEN + 16]; };

static void rfc_load(struct rfc_vec *v)
{
	CHECK_EQ(RFC_PT_LEN, 114);
	unhex_n(v->ad, 12, rfc_ad);
	unhex_n(v->key, 32, rfc_key);
	unhex_n(v->nonce, 12, rfc_nonce);
	unhex_n(v->ct, sizeof(v->ct), rfc_ct);
}

TEST(aead_rfc8439_section_2_8_2)
{
	struct rfc_vec v;
	uint8_t out[RFC_PT_LEN + 16], back[RFC_PT_LEN];

	rfc_load(&v);
	wg_aead_seal_n12(out, (const uint8_t *)rfc_pt, RFC_PT_LEN, v.ad, 12, v.nonce, v.key);
	CHECK_MEM(out, v.ct, sizeof(out));
	CHECK(wg_aead_open_n12(back, v.ct, sizeof(v.ct), v.ad, 12, v.nonce, v.key));
	CHECK_MEM(back, rfc_pt, RFC_PT_LEN);
}

TEST(aead_in_place)
{
	struct rfc_vec v;
	uint8_t buf[RFC_PT_LEN + 16];

	rfc_load(&v);
	memcpy(buf, rfc_pt, RFC_PT_LEN);
	wg_aead_seal_n12(buf, buf, RFC_PT_LEN, v.ad, 12, v.nonce, v.key);
	CHECK_MEM(buf, v.ct, sizeof(buf));
	CHECK(wg_aead_open_n12(buf, buf, sizeof(buf), v.ad, 12, v.nonce, v.key));
	CHECK_MEM(buf, rfc_pt, RFC_PT_LEN);
}

TEST(aead_rejects_tampering)
{
	struct rfc_vec v;
	uint8_t bad[RFC_PT_LEN + 16], out[RFC_PT_LEN], zero[RFC_PT_LEN] = { 0 };

	rfc_load(&v);
	memcpy(bad, v.ct, sizeof(bad));
	bad[sizeof(bad) - 1] ^= 0x01; /* last tag byte */
	memset(out, 0xaa, sizeof(out));
	CHECK(!wg_aead_open_n12(out, bad, sizeof(bad), v.ad, 12, v.nonce, v.key));
	CHECK_MEM(out, zero, sizeof(out)); /* no unauthenticated plaintext left behind */

	memcpy(bad, v.ct, sizeof(bad));
	bad[0] ^= 0x80; /* ciphertext byte */
	CHECK(!wg_aead_open_n12(out, bad, sizeof(bad), v.ad, 12, v.nonce, v.key));
	v.ad[11] ^= 1; /* associated data */
	CHECK(!wg_aead_open_n12(out, v.ct, sizeof(v.ct), v.ad, 12, v.nonce, v.key));
	v.ad[11] ^= 1;
	v.nonce[0] ^= 1; /* nonce */
	CHECK(!wg_aead_open_n12(out, v.ct, sizeof(v.ct), v.ad, 12, v.nonce, v.key));
	v.nonce[0] ^= 1;
	CHECK(!wg_aead_open_n12(out, v.ct, 15, v.ad, 12, v.nonce, v.key)); /* shorter than a tag */
	CHECK(wg_aead_open_n12(out, v.ct, sizeof(v.ct), v.ad, 12, v.nonce, v.key)); /* still fine */
}

/* wg_aead_seal's counter nonce, checked against libsodium given the nonce bytes typed
 * out: 4 zero bytes, then the counter 0x0807060504030201 little-endian. */
TEST(aead_wireguard_nonce_matches_libsodium)
{
	static const size_t lens[] = { 0, 1, 15, 16, 17, 63, 64, 65, 255, 256, 1420 };
	uint8_t key[32], nonce[12], pt[1420], mine[1436], theirs[1436], back[1420];
	unsigned long long tlen;

	CHECK(sodium_init() >= 0);
	unhex_n(nonce, 12, "000000000102030405060708");
	wg_os_random(key, 32);
	wg_os_random(pt, sizeof(pt));
	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		size_t n = lens[i], adlen = i % 2 ? 32 : 0; /* WireGuard transport has no AD */
		wg_aead_seal(mine, pt, n, pt, adlen, 0x0807060504030201ull, key);
		crypto_aead_chacha20poly1305_ietf_encrypt(theirs, &tlen, pt, n, adlen ? pt : NULL, adlen,
							  NULL, nonce, key);
		CHECK_EQ(tlen, n + 16);
		CHECK_MEM(mine, theirs, n + 16);
		CHECK(wg_aead_open(back, mine, n + 16, pt, adlen, 0x0807060504030201ull, key), "len %zu", n);
		CHECK_MEM(back, pt, n);
		CHECK(!wg_aead_open(back, mine, n + 16, pt, adlen, 0x0807060504030202ull, key));
	}
}

/* libsodium's seal of the RFC plaintext under key with the RFC's nonce and AD: what a
 * fresh context gives, to compare the per-thread contexts that remember a key with. */
static void sodium_seal_rfc(uint8_t out[RFC_PT_LEN + 16], const struct rfc_vec *v, const uint8_t key[32])
{
	CHECK(sodium_init() >= 0);
	crypto_aead_chacha20poly1305_ietf_encrypt(out, NULL, (const uint8_t *)rfc_pt, RFC_PT_LEN, v->ad, 12,
						  NULL, v->nonce, key);
}

/* aead.c keeps the last key per thread and direction and then sets only the nonce: a
 * key change, a return to an earlier key and interleaved directions must each give
 * what a fresh context gives, and a wrong key must still fail. */
TEST(aead_key_reuse_and_change)
{
	struct rfc_vec v;
	uint8_t key_b[32], out[RFC_PT_LEN + 16], want_b[RFC_PT_LEN + 16], back[RFC_PT_LEN];

	rfc_load(&v);
	memcpy(key_b, v.key, 32);
	key_b[31] ^= 0x01; /* differs only in the last byte the comparison reads */
	sodium_seal_rfc(want_b, &v, key_b);
	CHECK(memcmp(want_b, v.ct, sizeof(want_b)) != 0);
	for (int round = 0; round < 2; round++) {
		wg_aead_seal_n12(out, (const uint8_t *)rfc_pt, RFC_PT_LEN, v.ad, 12, v.nonce, v.key);
		CHECK_MEM(out, v.ct, sizeof(out));
		wg_aead_seal_n12(out, (const uint8_t *)rfc_pt, RFC_PT_LEN, v.ad, 12, v.nonce, v.key); /* kept key */
		CHECK_MEM(out, v.ct, sizeof(out));
		wg_aead_seal_n12(out, (const uint8_t *)rfc_pt, RFC_PT_LEN, v.ad, 12, v.nonce, key_b);
		CHECK_MEM(out, want_b, sizeof(out));
		CHECK(!wg_aead_open_n12(back, v.ct, sizeof(v.ct), v.ad, 12, v.nonce, key_b)); /* wrong key */
		CHECK(wg_aead_open_n12(back, want_b, sizeof(want_b), v.ad, 12, v.nonce, key_b));
		CHECK_MEM(back, rfc_pt, RFC_PT_LEN);
		CHECK(!wg_aead_open_n12(back, want_b, sizeof(want_b), v.ad, 12, v.nonce, v.key)); /* wrong key */
		CHECK(wg_aead_open_n12(back, v.ct, sizeof(v.ct), v.ad, 12, v.nonce, v.key));
		CHECK_MEM(back, rfc_pt, RFC_PT_LEN);
	}
}

/* A thread's first call with an all-zero key: the remembered key starts as zeros too,
 * and must not be taken for a key the context holds. */
static void *seal_zero_key(void *arg)
{
	const struct rfc_vec *v = arg;
	uint8_t zero[32] = { 0 }, out[RFC_PT_LEN + 16], want[RFC_PT_LEN + 16];

	sodium_seal_rfc(want, v, zero);
	wg_aead_seal_n12(out, (const uint8_t *)rfc_pt, RFC_PT_LEN, v->ad, 12, v->nonce, zero);
	return (void *)(long)(memcmp(out, want, sizeof(out)) == 0);
}

TEST(aead_zero_key_in_a_new_thread)
{
	struct rfc_vec v;
	pthread_t t;
	void *ok;

	rfc_load(&v);
	CHECK(pthread_create(&t, NULL, seal_zero_key, &v) == 0);
	pthread_join(t, &ok);
	CHECK(ok == (void *)1);
}

/* --- XChaCha20-Poly1305: draft-irtf-cfrg-xchacha-03 section A.3.1 --- */

TEST(xaead_draft_xchacha_a_3_1)
{
	uint8_t ad[12], key[32], nonce[24], want[RFC_PT_LEN + 16], out[RFC_PT_LEN + 16], back[RFC_PT_LEN];

	unhex_n(ad, 12, "50515253c0c1c2c3c4c5c6c7");
	unhex_n(key, 32, "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f");
	unhex_n(nonce, 24, "404142434445464748494a4b4c4d4e4f5051525354555657");
	unhex_n(want, sizeof(want),
		"bd6d179d3e83d43b9576579493c0e939572a1700252bfaccbed2902c21396cbb"
		"731c7f1b0b4aa6440bf3a82f4eda7e39ae64c6708c54c216cb96b72e1213b452"
		"2f8c9ba40db5d945b11b69b982c1bb9e3f3fac2bc369488f76b2383565d3fff9"
		"21f9664c97637da9768812f615c68b13b52e"
		"c0875924c1c7987947deafd8780acf49");
	wg_xaead_seal(out, (const uint8_t *)rfc_pt, RFC_PT_LEN, ad, 12, nonce, key);
	CHECK_MEM(out, want, sizeof(want));
	CHECK(wg_xaead_open(back, want, sizeof(want), ad, 12, nonce, key));
	CHECK_MEM(back, rfc_pt, RFC_PT_LEN);
	want[RFC_PT_LEN] ^= 0x10; /* first tag byte */
	CHECK(!wg_xaead_open(back, want, sizeof(want), ad, 12, nonce, key));
	CHECK(!wg_xaead_open(back, want, 15, ad, 12, nonce, key));
	/* In place, as the cookie code does it. */
	memcpy(out, rfc_pt, RFC_PT_LEN);
	wg_xaead_seal(out, out, RFC_PT_LEN, ad, 12, nonce, key);
	want[RFC_PT_LEN] ^= 0x10;
	CHECK_MEM(out, want, sizeof(want));
	CHECK(wg_xaead_open(out, out, sizeof(out), ad, 12, nonce, key));
	CHECK_MEM(out, rfc_pt, RFC_PT_LEN);
}

/* --- BLAKE2s, HMAC, KDF --- */

static void check_hash_hex(const uint8_t got[32], const char *want_hex)
{
	uint8_t want[32];

	unhex_n(want, 32, want_hex);
	CHECK_MEM(got, want, 32);
}

TEST(blake2s_unkeyed)
{
	uint8_t h[32];

	wg_hash(h, "abc", 3, NULL, 0);
	check_hash_hex(h, "508c5e8c327c14e2e1a72ba34eeb452f37458b209ed63a294d999b4c86675982");
	wg_hash(h, "a", 1, "bc", 2); /* the two parts are one message */
	check_hash_hex(h, "508c5e8c327c14e2e1a72ba34eeb452f37458b209ed63a294d999b4c86675982");
	wg_hash(h, "", 0, NULL, 0);
	check_hash_hex(h, "69217a3079908094e11121d042354a7c1f55b6482ca1a51e1b250dfd1ed0eef9");
}

/* BLAKE2 reference testvectors/blake2s-kat.txt, keyed: key = 00..1f, input = 00..(n-1).
 * The lengths straddle the 64-byte block edge, where padding bugs live. */
TEST(blake2s_keyed_kat)
{
	static const struct { size_t n; const char *hash; } kat[] = {
		{ 0, "48a8997da407876b3d79c0d92325ad3b89cbb754d86ab71aee047ad345fd2c49" },
		{ 1, "40d15fee7c328830166ac3f918650f807e7e01e177258cdc0a39b11f598066f1" },
		{ 2, "6bb71300644cd3991b26ccd4d274acd1adeab8b1d7914546c1198bbe9fc9d803" },
		{ 3, "1d220dbe2ee134661fdf6d9e74b41704710556f2f6e5a091b227697445dbea6b" },
		{ 31, "b6156f72d380ee9ea6acd190464f2307a5c179ef01fd71f99f2d0f7a57360aea" },
		{ 32, "c03bc642b20959cbe133a0303e0c1abff3e31ec8e1a328ec8565c36decff5265" },
		{ 63, "c65382513f07460da39833cb666c5ed82e61b9e998f4b0c4287cee56c3cc9bcd" },
		{ 64, "8975b0577fd35566d750b362b0897a26c399136df07bababbde6203ff2954ed4" },
		{ 65, "21fe0ceb0052be7fb0f004187cacd7de67fa6eb0938d927677f2398c132317a8" },
		{ 254, "db444c15597b5f1a03d1f9edd16e4a9f43a667cc275175dfa2b704e3bb1a9b83" },
		{ 255, "3fb735061abc519dfe979e54c1ee5bfad0a9d858b3315bad34bde999efd724dd" },
	};
	uint8_t key[32], in[256], h[32];

	for (int i = 0; i < 32; i++)
		key[i] = (uint8_t)i;
	for (int i = 0; i < 256; i++)
		in[i] = (uint8_t)i;
	for (size_t i = 0; i < sizeof(kat) / sizeof(kat[0]); i++) {
		wg_mac(h, 32, key, 32, in, kat[i].n);
		check_hash_hex(h, kat[i].hash);
	}
}

/* MAC1/MAC2 use a 16-byte output, which is a different function from a truncated
 * 32-byte one (the length is a BLAKE2s parameter). Expected values: hashlib. */
TEST(blake2s_mac16)
{
	uint8_t key[32], in[64], mac[16], want[16];

	for (int i = 0; i < 64; i++)
		in[i] = (uint8_t)i;
	memcpy(key, in, 32);
	wg_mac(mac, 16, key, 32, in, 64);
	unhex_n(want, 16, "f1efa90d2547036841ecd3627fafbc36");
	CHECK_MEM(mac, want, 16);
	wg_mac(mac, 16, key, 16, "abc", 3);
	unhex_n(want, 16, "75296c2d2c0f51210b383f386bc8b1ff");
	CHECK_MEM(mac, want, 16);
}

/* The output length is kept in the thread's context between calls: a 32-byte MAC
 * between two 16-byte ones must change it and change it back. */
TEST(blake2s_mac_length_changes_between_calls)
{
	uint8_t key[32], in[64], mac[32], want[32];

	for (int i = 0; i < 64; i++)
		in[i] = (uint8_t)i;
	memcpy(key, in, 32);
	for (int round = 0; round < 2; round++) {
		wg_mac(mac, 16, key, 32, in, 64);
		unhex_n(want, 16, "f1efa90d2547036841ecd3627fafbc36");
		CHECK_MEM(mac, want, 16);
		wg_mac(mac, 32, key, 32, in, 3);
		check_hash_hex(mac, "1d220dbe2ee134661fdf6d9e74b41704710556f2f6e5a091b227697445dbea6b");
	}
	wg_mac(mac, 16, key, 16, "abc", 3);
	unhex_n(want, 16, "75296c2d2c0f51210b383f386bc8b1ff");
	CHECK_MEM(mac, want, 16);
}

TEST(wireguard_ck0_h0)
{
	static const char construction[] = "Noise_IKpsk2_25519_ChaChaPoly_BLAKE2s";
	static const char identifier[] = "WireGuard v1 zx2c4 Jason@zx2c4.com";
	uint8_t ck[32], h[32];

	CHECK_EQ(sizeof(construction) - 1, 37);
	CHECK_EQ(sizeof(identifier) - 1, 34);
	wg_hash(ck, construction, 37, NULL, 0);
	check_hash_hex(ck, "60e26daef327efc02ec335e2a025d2d016eb4206f87277f52d38d1988b78cd36");
	wg_hash(h, ck, 32, identifier, 34);
	check_hash_hex(h, "2211b361081ac566691243db458ad5322d9c6c662293e8b70ee19c65ba079ef3");
	/* the core's constants are these hashes */
	static const uint8_t ck0[32] = WG_CK0_BYTES, h0[32] = WG_H0_BYTES;
	CHECK_MEM(ck0, ck, 32);
	CHECK_MEM(h0, h, 32);
}

/* Expected values: Python's hmac module with hashlib.blake2s. */
TEST(hmac_blake2s)
{
	uint8_t key[100], out[32];

	for (int i = 0; i < 100; i++)
		key[i] = (uint8_t)i;
	wg_hmac(out, key, 32, "WireGuard", 9);
	check_hash_hex(out, "5415924543576b3f5ee867c94e1aab70586d33b32fae3fccd2c635b3e1d7198d");
	/* A key longer than the 64-byte block is hashed first. */
	wg_hmac(out, key, 100, "abc", 3);
	check_hash_hex(out, "c1b751501db12b753069a918627b623179be55c8cc7ca5c4e14bdf32274ac656");
	/* out aliasing the key, as ck = KDF1(ck, ...) style callers do. */
	memcpy(out, key, 32);
	wg_hmac(out, out, 32, "WireGuard", 9);
	check_hash_hex(out, "5415924543576b3f5ee867c94e1aab70586d33b32fae3fccd2c635b3e1d7198d");
}

TEST(kdf_is_hmac_chain)
{
	uint8_t ck[32], in[32], t1[32], t2[32], t3[32], prk[32], want1[32], buf[33], x[32];

	unhex_n(ck, 32, "60e26daef327efc02ec335e2a025d2d016eb4206f87277f52d38d1988b78cd36");
	for (int i = 0; i < 32; i++)
		in[i] = (uint8_t)i;
	/* KDF1 output equals HMAC(HMAC(ck, in), 0x01). */
	wg_kdf(t1, NULL, NULL, ck, in, 32);
	wg_hmac(prk, ck, 32, in, 32);
	wg_hmac(want1, prk, 32, (const uint8_t[]){ 0x01 }, 1);
	CHECK_MEM(t1, want1, 32);
	/* All three against hashlib/hmac. */
	wg_kdf(t1, t2, t3, ck, in, 32);
	check_hash_hex(t1, "6ff66e10ab4a55ac8144a867fcd9f8ee64d4bd6239223338cb3437cf085ab031");
	check_hash_hex(t2, "203b22d63d63e35cebb9e40210cf8c1d7f90879428a4c766cda9ef34bb299398");
	check_hash_hex(t3, "35a7b2fc3e4f59db341dbe588e3b75897980c463d5bbb855f8ed8134ff40133a");
	memcpy(buf, t1, 32);
	buf[32] = 2;
	wg_hmac(x, prk, 32, buf, 33);
	CHECK_MEM(x, t2, 32);
	/* A skipped middle output still yields the right third one. */
	wg_kdf(NULL, NULL, x, ck, in, 32);
	CHECK_MEM(x, t3, 32);
	/* t1 aliasing ck, as the handshake writes it. */
	wg_kdf(ck, x, NULL, ck, in, 32);
	CHECK_MEM(ck, t1, 32);
	CHECK_MEM(x, t2, 32);
}

/* --- keys as text --- */

static const char alice_b64[] = "hSDwCYkwp1R0i33ctD73Wg2/Og0mOBr066SpjqqbTmo=";
static const char alice_hex[] = "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a";

TEST(base64_round_trip)
{
	uint8_t key[32], want[32];
	char text[WG_KEY_B64_LEN + 1];

	unhex_n(want, 32, alice_hex);
	wg_key_to_base64(text, want);
	CHECK(strcmp(text, alice_b64) == 0, "got %s", text);
	CHECK(wg_key_from_base64(key, alice_b64));
	CHECK_MEM(key, want, 32);
}

/* A plain table encoder, independent of the constant-time one. */
static void reference_b64(char out[45], const uint8_t k[32])
{
	static const char abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	uint8_t b[33] = { 0 };
	int o = 0;

	memcpy(b, k, 32);
	for (int i = 0; i < 33; i += 3) {
		uint32_t g = (uint32_t)b[i] << 16 | (uint32_t)b[i + 1] << 8 | b[i + 2];
		for (int j = 0; j < 4; j++)
			out[o++] = abc[(g >> (18 - 6 * j)) & 63];
	}
	out[43] = '=';
	out[44] = '\0';
}

TEST(base64_every_character)
{
	uint8_t key[32], back[32];
	char mine[45], ref[45];

	/* Random keys hit each of the 64 characters in each position class often. */
	for (int i = 0; i < 2000; i++) {
		wg_os_random(key, 32);
		wg_key_to_base64(mine, key);
		reference_b64(ref, key);
		CHECK(strcmp(mine, ref) == 0, "%s != %s", mine, ref);
		CHECK(wg_key_from_base64(back, ref));
		CHECK_MEM(back, key, 32);
	}
}

TEST(base64_rejects_bad_text)
{
	static const char *const bad[] = {
		"hSDwCYkwp1R0i33ctD73Wg2/Og0mOBr066SpjqqbTmp=", /* 'p': low bits 01, not canonical */
		"hSDwCYkwp1R0i33ctD73Wg2/Og0mOBr066SpjqqbTm/=", /* '/': low bits 11 */
		"hSDwCYkwp1R0i33ctD73Wg2/Og0mOBr066SpjqqbTmo",	/* 43 chars */
		"hSDwCYkwp1R0i33ctD73Wg2/Og0mOBr066SpjqqbTmo==", /* 45 chars */
		"hSDwCYkwp1R0i33ctD73Wg2/Og0mOBr066SpjqqbTmoA", /* no '=' */
		"hSDwCYkwp1R0i33ctD73Wg2_Og0mOBr066SpjqqbTmo=", /* base64url '_' */
		"hSDwCYkwp1R0i33ctD73Wg2/Og0mOBr066Spjqq-Tmo=", /* base64url '-' */
		"hSDwCYkwp1R0i33ctD73Wg2/Og0mOBr066SpjqqbT!o=",
		"hSDwCYkwp1R0i33ctD73Wg2/Og0mOBr066SpjqqbTm==", /* '=' as a data char */
		" SDwCYkwp1R0i33ctD73Wg2/Og0mOBr066SpjqqbTmo=",
		"\xe8SDwCYkwp1R0i33ctD73Wg2/Og0mOBr066SpjqqbTmo=", /* high-bit byte */
		"",
	};
	uint8_t key[32], untouched[32];

	memset(key, 0x5a, 32);
	memcpy(untouched, key, 32);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK(!wg_key_from_base64(key, bad[i]), "accepted %s", bad[i]);
	CHECK_MEM(key, untouched, 32);
}

TEST(hex_round_trip)
{
	uint8_t key[32], want[32];
	char text[WG_KEY_HEX_LEN + 1];

	unhex_n(want, 32, alice_hex);
	wg_key_to_hex(text, want);
	CHECK(strcmp(text, alice_hex) == 0, "got %s", text);
	CHECK(wg_key_from_hex(key, alice_hex));
	CHECK_MEM(key, want, 32);
	memset(key, 0, 32);
	CHECK(wg_key_from_hex(key, "8520F0098930A754748B7DDCB43EF75A0DBF3A0D26381AF4EBA4A98EAA9B4E6A"));
	CHECK_MEM(key, want, 32);
	/* Every byte value, both ways. */
	for (int i = 0; i < 32; i++)
		want[i] = (uint8_t)(i * 8 + 7);
	wg_key_to_hex(text, want);
	CHECK(strcmp(text, "070f171f272f373f474f575f676f777f878f979fa7afb7bfc7cfd7dfe7eff7ff") == 0, "got %s", text);
	CHECK(wg_key_from_hex(key, text));
	CHECK_MEM(key, want, 32);
}

TEST(hex_rejects_bad_text)
{
	static const char *const bad[] = {
		"8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6",   /* 63 */
		"8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a0", /* 65 */
		"g520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a",
		"8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6G",
		"8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e:a",
		"8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e/a",
		"8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e@a",
		"8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e`a",
		" 520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a",
		"",
	};
	uint8_t key[32], untouched[32];

	memset(key, 0x5a, 32);
	memcpy(untouched, key, 32);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK(!wg_key_from_hex(key, bad[i]), "accepted %s", bad[i]);
	CHECK_MEM(key, untouched, 32);
}

/* --- constant-time helpers, randomness --- */

TEST(ct_helpers)
{
	uint8_t a[33] = { 0 }, b[33] = { 0 };

	CHECK(wg_memeq(a, b, 33));
	CHECK(wg_key_eq(a + 1, b + 1)); /* unaligned */
	CHECK(wg_is_zero(a, 33));
	CHECK(wg_is_zero(a, 0));
	for (int i = 0; i < 33; i++) {
		for (int bit = 0; bit < 8; bit++) {
			b[i] = (uint8_t)(1u << bit);
			CHECK(!wg_memeq(a, b, 33), "byte %d bit %d", i, bit);
			CHECK(!wg_is_zero(b, 33), "byte %d bit %d", i, bit);
			CHECK(wg_key_eq(a, b) == (i == 32), "byte %d bit %d", i, bit); /* reads 32 */
		}
		b[i] = 0;
	}
	memset(b, 0xff, 32);
	CHECK(!wg_key_eq(a, b));
	CHECK(wg_key_eq(b, b));
	memset(a, 0xff, 33);
	wg_wipe(a, 33);
	CHECK(wg_is_zero(a, 33));
}

TEST(os_random_and_private_key)
{
	uint8_t a[64], b[64], k[32];

	wg_os_random(a, sizeof(a));
	wg_os_random(b, sizeof(b));
	CHECK(!wg_is_zero(a, sizeof(a)));
	CHECK(!wg_memeq(a, b, sizeof(a)));
	wg_generate_private_key(k);
	CHECK_EQ(k[0] & 7, 0);
	CHECK_EQ(k[31] & 0xc0, 0x40);
}

/* --- per-thread contexts --- */

static void *hash_and_seal(void *arg)
{
	struct rfc_vec v;
	uint8_t h[32], out[RFC_PT_LEN + 16];
	long ok = 1;

	rfc_load(&v);
	for (int i = 0; i < 200; i++) {
		wg_hash(h, "abc", 3, NULL, 0);
		ok &= h[0] == 0x50 && h[31] == 0x82;
		wg_aead_seal_n12(out, (const uint8_t *)rfc_pt, RFC_PT_LEN, v.ad, 12, v.nonce, v.key);
		ok &= memcmp(out, v.ct, sizeof(out)) == 0;
	}
	return (void *)ok;
}

/* Threads each build their own contexts and free them at exit; results must not mix. */
TEST(threads_use_their_own_contexts)
{
	pthread_t t[4];
	void *ok;

	for (int round = 0; round < 3; round++) {
		for (int i = 0; i < 4; i++)
			CHECK(pthread_create(&t[i], NULL, hash_and_seal, NULL) == 0);
		for (int i = 0; i < 4; i++) {
			pthread_join(t[i], &ok);
			CHECK(ok == (void *)1, "thread %d", i);
		}
	}
}
