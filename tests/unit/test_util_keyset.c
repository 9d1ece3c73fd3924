/* The key set behind the router's reconcile: every key added once is found, a key
 * differing in any byte (the last included) is not, and growing keeps them all. */
#include "test.h"
#include "util/keyset.h"

struct key { uint8_t b[20]; };  /* no padding: the last byte is byte 19 */

static void key_of(struct key *k, uint32_t i, uint8_t last)
{
	memset(k, 0, sizeof(*k));
	memcpy(k->b, &i, sizeof(i));
	k->b[sizeof(k->b) - 1] = last;
}

TEST(each_key_added_once_and_found_after_growth)
{
	struct wg_keyset s;
	struct key k;
	wg_keyset_init(&s, sizeof(k));
	CHECK(!wg_keyset_has(&s, &k), "an empty set has nothing");
	bool all_new = true, none_twice = true, all_found = true;
	for (uint32_t i = 0; i < 20000; i++) {
		key_of(&k, i, 1);
		all_new &= wg_keyset_add(&s, &k);
	}
	for (uint32_t i = 0; i < 20000; i++) {
		key_of(&k, i, 1);
		none_twice &= !wg_keyset_add(&s, &k);
		all_found &= wg_keyset_has(&s, &k);
	}
	CHECK(all_new);
	CHECK(none_twice);
	CHECK(all_found);
	CHECK_EQ(s.n, 20000);
	CHECK(s.n * 2 <= s.cap, "at most half full");
	wg_keyset_free(&s);
}

TEST(a_key_differing_in_its_last_byte_is_absent)
{
	struct wg_keyset s;
	struct key k;
	wg_keyset_init(&s, sizeof(k));
	for (uint32_t i = 0; i < 1000; i++) {
		key_of(&k, i, 1);
		wg_keyset_add(&s, &k);
	}
	bool any = false;
	for (uint32_t i = 0; i < 1000; i++) {
		key_of(&k, i, 2);
		any |= wg_keyset_has(&s, &k);
	}
	key_of(&k, 1000, 1);
	any |= wg_keyset_has(&s, &k);
	CHECK(!any);
	wg_keyset_free(&s);
}
