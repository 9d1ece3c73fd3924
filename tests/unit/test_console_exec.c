/* The structured face of the command core (console/exec.h): the same commands as the
 * console, with the same checks, errors and effects, answered as rows, return values
 * and error texts. */
#include "test.h"
#include "test_console_fixture.h"
#include "console/exec.h"
#include "router/auth.h"

#define A(n, v) { n, v }

static int exec(struct fx *f, const char *path, const char *cmd, const struct wg_attr *a, size_t n,
		struct wg_result *r)
{
	struct wg_request q = { path, cmd, a, n };
	return wg_session_exec(f->s, &q, r);
}

static const struct wg_row *row_named(const struct wg_result *r, const char *prop, const char *v)
{
	for (size_t i = 0; i < r->nrows; i++) {
		const char *x = wg_row_get(&r->rows[i], prop);
		if (x && !strcmp(x, v))
			return &r->rows[i];
	}
	return NULL;
}

TEST(add_returns_id_and_print_returns_rows)
{
	struct fx *f = fx_new();
	struct wg_result r;
	struct wg_attr add[] = { A("name", "wg1"), A("listen-port", "51820"), A("comment", "a \"quoted\" $x [y]") };
	CHECK_EQ(exec(f, "/interface/wireguard", "add", add, 3, &r), 0);
	CHECK(r.ret && r.ret[0] == '*', "ret %s", r.ret ? r.ret : "(null)");
	char *id = xstrdup(r.ret ? r.ret : "");
	wg_result_free(&r);
	CHECK_EQ(exec(f, "interface/wireguard/", "print", NULL, 0, &r), 0);
	const struct wg_row *row = row_named(&r, "name", "wg1");
	CHECK(row != NULL);
	if (row) {
		CHECK(!strcmp(wg_row_get(row, ".id"), id));
		CHECK(!strcmp(wg_row_get(row, "listen-port"), "51820"));
		/* values are data, never evaluated: quotes, $ and [ ] arrive as sent */
		CHECK(!strcmp(wg_row_get(row, "comment"), "a \"quoted\" $x [y]"));
		CHECK(wg_row_get(row, "public-key") != NULL);
		CHECK(wg_row_get(row, "private-key") != NULL); /* the console's root may see it */
	}
	wg_result_free(&r);
	/* the console sees the same item */
	CHECK(strstr(fx_run_out(f, "/interface/wireguard/print"), "wg1") != NULL);
	free(id);
	fx_free(f);
}

TEST(set_unset_remove_by_id)
{
	struct fx *f = fx_new();
	struct wg_result r;
	fx_run(f, "/interface/wireguard/add name=wg1 listen-port=51820 mtu=1400");
	struct wg_attr set[] = { A(".id", "wg1"), A("listen-port", "51821"), A("mtu", NULL) };
	CHECK_EQ(exec(f, "/interface/wireguard", "set", set, 3, &r), 0);
	wg_result_free(&r);
	CHECK(strstr(fx_run_out(f, "/interface/wireguard/print detail"), "listen-port=51821") != NULL);
	CHECK(strstr(fx_last(f), "mtu=1420") != NULL); /* unset: back to the default */
	struct wg_attr rm[] = { A(".id", "*1") };
	CHECK_EQ(exec(f, "/interface/wireguard", "remove", rm, 1, &r), 0);
	wg_result_free(&r);
	CHECK(strstr(fx_run_out(f, "/interface/wireguard/print"), "wg1") == NULL);
	/* removing it again: the console's error, classified as a missing item */
	CHECK(exec(f, "/interface/wireguard", "remove", rm, 1, &r) < 0);
	CHECK_EQ(r.status, WG_EXEC_NO_SUCH_ITEM);
	CHECK(r.error && !strcmp(r.error, "no such item"), "%s", r.error);
	wg_result_free(&r);
	fx_free(f);
}

/* A bad request fails with the console's own words and changes nothing. */
TEST(errors_are_the_consoles_and_change_nothing)
{
	struct fx *f = fx_new();
	struct wg_result r;
	fx_run(f, "/interface/wireguard/add name=wg1 listen-port=51820");
	char *before = fx_export(f, "show-sensitive");
	struct wg_attr bad[] = { A("name", "wg2"), A("listen-port", "70000") };
	CHECK(exec(f, "/interface/wireguard", "add", bad, 2, &r) < 0);
	CHECK_EQ(r.status, WG_EXEC_FAILED);
	fx_run(f, "/interface/wireguard/add name=wg2 listen-port=70000");
	char *console = xstrdup(fx_err(f));
	console[strcspn(console, "\n")] = '\0';
	CHECK(r.error && !strcmp(r.error, console), "exec \"%s\" console \"%s\"", r.error, console);
	free(console);
	wg_result_free(&r);
	struct wg_attr unknown[] = { A("name", "wg3"), A("colour", "blue") };
	CHECK(exec(f, "/interface/wireguard", "add", unknown, 2, &r) < 0);
	CHECK(r.error && strstr(r.error, "expected end of command"), "%s", r.error);
	wg_result_free(&r);
	CHECK(exec(f, "/interface/nonexistent", "print", NULL, 0, &r) < 0);
	CHECK_EQ(r.status, WG_EXEC_NO_COMMAND);
	wg_result_free(&r);
	CHECK(exec(f, "/interface/wireguard", "frobnicate", NULL, 0, &r) < 0);
	CHECK(r.error && !strcmp(r.error, "no such command or directory (frobnicate)"), "%s", r.error);
	wg_result_free(&r);
	char *after = fx_export(f, "show-sensitive");
	CHECK(!strcmp(before, after));
	free(before);
	free(after);
	fx_free(f);
}

/* A user without write may only read; without sensitive sees no keys. */
TEST(policies_of_the_user)
{
	struct fx *f = fx_new();
	struct wg_result r;
	fx_run(f, "/interface/wireguard/add name=wg1 listen-port=51820");
	char *before = fx_export(f, "show-sensitive");
	struct wg_auth_user viewer = { .id = 1, .name = "viewer", .group = "read", .door = "rest-api",
				       .policies = WG_POL_READ | WG_POL_REST_API };
	wg_session_set_user(f->s, &viewer);
	struct wg_attr add[] = { A("name", "wg2") };
	CHECK(exec(f, "/interface/wireguard", "add", add, 1, &r) < 0);
	CHECK_EQ(r.status, WG_EXEC_DENIED);
	wg_result_free(&r);
	CHECK_EQ(exec(f, "/interface/wireguard", "print", NULL, 0, &r), 0);
	CHECK_EQ(r.nrows, 1);
	CHECK(r.nrows && wg_row_get(&r.rows[0], "private-key") == NULL);
	CHECK(r.nrows && wg_row_get(&r.rows[0], "public-key") != NULL);
	wg_result_free(&r);
	/* nor through the language: export show-sensitive shows no key to this user */
	CHECK(exec(f, "/", "export", (struct wg_attr[]){ A("show-sensitive", "yes") }, 1, &r) == 0);
	CHECK(r.text && !strstr(r.text, "private-key"), "%s", r.text ? r.text : "");
	wg_result_free(&r);
	CHECK(fx_run(f, "/interface/wireguard/set wg1 mtu=1300") != 0);
	CHECK(strstr(fx_err(f), "not enough permissions") != NULL);
	wg_session_set_user(f->s, NULL); /* the local console again */
	char *after = fx_export(f, "show-sensitive");
	CHECK(!strcmp(before, after));
	free(before);
	free(after);
	fx_free(f);
}
