/* Secret memory: blocks are zeroed, wiped when freed and reused; their pages carry the
 * "dd" flag (MADV_DONTDUMP) in /proc/self/smaps, so a core file leaves them out. The
 * WireGuard core's device and peers, the router's stored keys and OpenSSL's memory
 * (its copies of private keys) live there; ordinary heap memory does not. */
#include <inttypes.h>
#include <openssl/crypto.h>
#include "test.h"
#include "test_console_fixture.h"
#include "core/device.h"
#include "router/menus.h"
#include "util/secmem.h"

/* Whether the mapping holding p has flag among its VmFlags (smaps). */
static bool mapping_has(const void *p, const char *flag)
{
	FILE *f = fopen("/proc/self/smaps", "r");
	char line[512];
	bool in = false, hit = false;
	uintptr_t a = (uintptr_t)p;
	while (f && fgets(line, sizeof(line), f)) {
		uintptr_t lo, hi;
		char perms[8];
		if (sscanf(line, "%" SCNxPTR "-%" SCNxPTR " %7s", &lo, &hi, perms) == 3) {
			in = a >= lo && a < hi;
		} else if (in && !strncmp(line, "VmFlags:", 8)) {
			for (char *save, *w = strtok_r(line + 8, " \n", &save); w; w = strtok_r(NULL, " \n", &save))
				hit |= !strcmp(w, flag);
			break;
		}
	}
	if (f)
		fclose(f);
	return hit;
}

TEST(blocks_are_zeroed_wiped_and_reused)
{
	uint8_t *a = wg_secmem_alloc(100);
	CHECK(a != NULL);
	CHECK(((uintptr_t)a & 15) == 0, "16-byte aligned");
	bool zero = true;
	for (int i = 0; i < 100; i++)
		zero &= a[i] == 0;
	CHECK(zero);
	memset(a, 0xab, 100);
	CHECK(wg_secmem_owns(a));
	wg_secmem_free(a);
	CHECK_EQ(a[50], 0); /* wiped (the block stays mapped for reuse) */
	uint8_t *b = wg_secmem_alloc(90); /* same size class */
	CHECK(b == a, "a freed block is reused");
	wg_secmem_free(b);
	char *s = wg_secmem_strdup("private");
	CHECK(!strcmp(s, "private") && wg_secmem_owns(s));
	xfree_secret(s); /* the free of stored values takes both kinds */
	char *h = xstrdup("public");
	CHECK(!wg_secmem_owns(h));
	xfree_secret(h);
	CHECK(wg_secmem_alloc(1 << 20) == NULL, "blocks are for keys, not bulk data");
	wg_secmem_free(NULL);
}

TEST(secret_pages_stay_out_of_core_dumps)
{
	void *p = wg_secmem_alloc(64);
	char *heap = xmalloc(64);
	CHECK(mapping_has(p, "dd"), "secret memory is MADV_DONTDUMP");
	CHECK(!mapping_has(heap, "dd"), "the rest of the process still dumps");
	wg_secmem_free(p);
	free(heap);
}

static uint64_t clock0(void *ctx) { return 1; }

static void rnd(void *ctx, void *buf, size_t len)
{
	memset(buf, 7, len);
}

TEST(core_device_and_peers_are_secret)
{
	struct wg_env env = { .mono_ns = clock0, .wall_ns = clock0, .random = rnd };
	uint8_t priv[32], pub[32];
	struct wg_device *dev = wg_device_new(&env);
	CHECK(dev != NULL && mapping_has(dev, "dd"), "device (private key)");
	memset(pub, 9, sizeof(pub));
	struct wg_peer *peer = wg_device_add_peer(dev, pub);
	CHECK(peer != NULL && mapping_has(peer, "dd"), "peer (preshared key, handshake)");
	wg_generate_private_key(priv);
	wg_device_set_private_key(dev, priv);
	wg_device_free(dev);
}

/* OpenSSL 3.0 keeps an imported private key and the last cipher/MAC key on its heap. */
TEST(openssl_allocates_secret_memory)
{
	CHECK(wg_crypto_secret_heap(), "OpenSSL took the allocator");
	void *small = OPENSSL_malloc(48), *bulk = OPENSSL_malloc(1 << 20);
	CHECK(small && mapping_has(small, "dd"));
	CHECK(bulk && !mapping_has(bulk, "dd"), "bulk buffers come from malloc");
	small = OPENSSL_realloc(small, 5000); /* grows into a larger block, contents kept */
	CHECK(small && wg_secmem_owns(small));
	OPENSSL_free(small);
	OPENSSL_free(bulk);
	uint8_t priv[32], pub[32], out[32];
	wg_generate_private_key(priv);
	struct wg_dh_key *k = wg_dh_key_new(priv, pub);
	CHECK(k != NULL && wg_dh(out, k, pub));
	wg_dh_key_free(k);
}

TEST(stored_keys_are_secret)
{
	struct fx *f = fx_new();
	CHECK_EQ(fx_run(f, "/interface/wireguard/add name=wg0"), 0);
	const struct wg_table *t = wg_store_ctable(wg_router_store(f->r), &wg_menu_wireguard);
	const struct wg_item *it = t->n ? t->v[0] : NULL;
	CHECK(it != NULL);
	if (it) {
		const char *key = it->vals[wg_menu_prop(&wg_menu_wireguard, "private-key")];
		const char *name = it->vals[wg_menu_prop(&wg_menu_wireguard, "name")];
		CHECK(key && mapping_has(key, "dd"), "the stored private key");
		CHECK(name && !mapping_has(name, "dd"));
	}
	fx_free(f);
}
