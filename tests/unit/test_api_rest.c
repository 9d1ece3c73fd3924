/* The REST mapping (api/rest.h) over the command core, as terraform-provider-routeros
 * and wg-portal call it: create, read by ?.id=, update, delete, read again, delete again;
 * filters, .proplist, singletons, errors. */
#include "test.h"
#include "test_console_fixture.h"
#include "api/rest.h"
#include <jansson.h>

static struct wg_rest_reply call(struct fx *f, const char *method, const char *path, const char *body,
				 const struct wg_kv *query, size_t nq)
{
	struct wg_rest_request q = { method, path, query, nq, body, body ? strlen(body) : 0 };
	struct wg_rest_reply r;
	wg_rest_handle(f->s, &q, &r);
	return r;
}

/* The status only, for requests whose body does not matter. */
static int status_of(struct fx *f, const char *method, const char *path, const char *body)
{
	struct wg_rest_reply r = call(f, method, path, body, NULL, 0);
	free(r.body);
	return r.status;
}

static json_t *parse(const struct wg_rest_reply *r)
{
	return r->body ? json_loads(r->body, 0, NULL) : NULL;
}

static const char *str(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);
	return json_is_string(v) ? json_string_value(v) : NULL;
}

static bool streq0(const char *a, const char *b) { return a && b && !strcmp(a, b); }

TEST(terraform_cycle_for_a_wireguard_interface)
{
	struct fx *f = fx_new();
	struct wg_rest_reply r = call(f, "PUT", "/rest/interface/wireguard",
				      "{\"name\":\"wg-tf\",\"listen-port\":51820,\"disabled\":\"no\",\"comment\":\"tf\"}", NULL, 0);
	CHECK_EQ(r.status, 201);
	json_t *o = parse(&r);
	const char *id0 = str(o, ".id");
	char *id = xstrdup(id0 ? id0 : "");
	CHECK(id[0] == '*', "%s", r.body);
	CHECK(streq0(str(o, "listen-port"), "51820"), "%s", r.body);  /* numbers come back as strings */
	CHECK(streq0(str(o, "disabled"), "false"), "%s", r.body);    /* booleans as true/false */
	CHECK(str(o, "public-key") != NULL);
	json_decref(o);
	free(r.body);

	struct wg_kv byid[] = { { ".id", id } };
	r = call(f, "GET", "/rest/interface/wireguard", NULL, byid, 1);
	o = parse(&r);
	CHECK(json_is_array(o) && json_array_size(o) == 1, "%s", r.body);
	json_decref(o);
	free(r.body);

	char *path = xasprintf("/rest/interface/wireguard/%s", id);
	r = call(f, "PATCH", path, "{\"listen-port\":\"51821\",\"!comment\":\"\"}", NULL, 0);
	CHECK_EQ(r.status, 200);
	o = parse(&r);
	CHECK(streq0(str(o, "listen-port"), "51821"), "%s", r.body);
	CHECK(str(o, "comment") == NULL, "%s", r.body);
	json_decref(o);
	free(r.body);
	CHECK(strstr(fx_run_out(f, "/interface/wireguard/print detail"), "listen-port=51821") != NULL);

	r = call(f, "DELETE", path, NULL, NULL, 0);
	CHECK_EQ(r.status, 204);
	CHECK(r.body == NULL);
	r = call(f, "GET", "/rest/interface/wireguard", NULL, byid, 1);
	CHECK(streq0(r.body, "[]"), "%s", r.body);
	free(r.body);
	r = call(f, "DELETE", path, NULL, NULL, 0);
	CHECK_EQ(r.status, 404);
	o = parse(&r);
	CHECK(json_integer_value(json_object_get(o, "error")) == 404);
	CHECK(streq0(str(o, "message"), "Not Found"));
	json_decref(o);
	free(r.body);
	free(path);
	free(id);
	fx_free(f);
}

TEST(errors_carry_the_consoles_detail_and_change_nothing)
{
	struct fx *f = fx_new();
	fx_run(f, "/interface/wireguard/add name=wg1 listen-port=51820");
	char *before = fx_export(f, "show-sensitive");
	struct wg_rest_reply r = call(f, "PUT", "/rest/interface/wireguard", "{\"name\":\"wg1\"}", NULL, 0);
	CHECK_EQ(r.status, 400);
	json_t *o = parse(&r);
	fx_run(f, "/interface/wireguard/add name=wg1");
	char *console = xstrdup(fx_err(f));
	console[strcspn(console, "\n")] = '\0';
	CHECK(streq0(str(o, "detail"), console), "%s vs %s", r.body, console);
	CHECK(streq0(str(o, "message"), "Bad Request"));
	free(console);
	json_decref(o);
	free(r.body);
	static const char *const bad[] = { "{", "[1,2]", "{\"name\":{\"x\":1}}", "{\"a\":1,\"a\":2}", "\"str\"" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK_EQ(status_of(f, "PUT", "/rest/interface/wireguard", bad[i]), 400);
	CHECK_EQ(status_of(f, "GET", "/rest/nonexistent/menu", NULL), 400);
	CHECK_EQ(status_of(f, "HEAD", "/rest/interface/wireguard", NULL), 501);
	char *after = fx_export(f, "show-sensitive");
	CHECK(!strcmp(before, after));
	free(before);
	free(after);
	fx_free(f);
}

/* The path names an item by .id or by name, as GET finds it. A console print number has
 * no print to refer to here: PATCH and DELETE on "/0" are 404 and change nothing, and an
 * item named "0" is that item, not the first one. */
TEST(items_are_named_by_id_or_name_never_by_print_number)
{
	struct fx *f = fx_new();
	fx_run(f, "/interface/wireguard/add name=wg1 listen-port=51820\n/interface/wireguard/add name=0 listen-port=51821");
	char *before = fx_export(f, "show-sensitive");
	CHECK_EQ(status_of(f, "PATCH", "/rest/interface/wireguard/1", "{\"listen-port\":\"27407\"}"), 404);
	CHECK_EQ(status_of(f, "DELETE", "/rest/interface/wireguard/1", NULL), 404);
	char *after = fx_export(f, "show-sensitive");
	CHECK(!strcmp(before, after), "%s", after);
	free(after);
	struct wg_rest_reply r = call(f, "PATCH", "/rest/interface/wireguard/0", "{\"listen-port\":\"27407\"}", NULL, 0);
	CHECK_EQ(r.status, 200);
	json_t *o = parse(&r);
	CHECK(streq0(str(o, "name"), "0") && streq0(str(o, "listen-port"), "27407"), "%s", r.body);
	json_decref(o);
	free(r.body);
	const char *now = fx_run_out(f, "/interface/wireguard/print detail where name=wg1");
	CHECK(strstr(now, "listen-port=51820") != NULL, "%s", now);
	CHECK_EQ(status_of(f, "DELETE", "/rest/interface/wireguard/wg1", NULL), 204);
	now = fx_run_out(f, "/interface/wireguard/print");
	CHECK(!strstr(now, "wg1") && strstr(now, "27407"), "%s", now);
	free(before);
	fx_free(f);
}

TEST(filters_proplist_query_and_singletons)
{
	struct fx *f = fx_new();
	fx_run(f, "/interface/wireguard/add name=wg1 listen-port=51820\n/interface/wireguard/add name=wg2 listen-port=51821 disabled=yes");
	struct wg_kv q[] = { { "disabled", "true" }, { ".proplist", "name,listen-port" } };
	struct wg_rest_reply r = call(f, "GET", "/rest/interface/wireguard", NULL, q, 2);
	json_t *o = parse(&r);
	CHECK(json_is_array(o) && json_array_size(o) == 1, "%s", r.body);
	json_t *row = json_array_get(o, 0);
	CHECK(streq0(str(row, "name"), "wg2"));
	CHECK(str(row, ".id") != NULL && str(row, "public-key") == NULL, "%s", r.body);
	json_decref(o);
	free(r.body);
	r = call(f, "POST", "/rest/interface/wireguard/print",
		 "{\".query\":[\"name=wg1\",\"name=wg2\",\"#|\"],\".proplist\":[\"name\"]}", NULL, 0);
	o = parse(&r);
	CHECK(json_is_array(o) && json_array_size(o) == 2, "%s", r.body);
	json_decref(o);
	free(r.body);
	r = call(f, "GET", "/rest/interface/wireguard/wg1", NULL, NULL, 0);
	o = parse(&r);
	CHECK(json_is_object(o) && streq0(str(o, "listen-port"), "51820"), "%s", r.body);
	json_decref(o);
	free(r.body);
	r = call(f, "GET", "/rest/system/resource", NULL, NULL, 0);
	o = parse(&r);
	const char *v = str(o, "version");
	CHECK(v && strspn(v, "0123456789.") == strlen(v) && strchr(v, '.'), "%s", r.body);
	json_decref(o);
	free(r.body);
	r = call(f, "POST", "/rest/ip/dns/set", "{\"servers\":\"192.0.2.53\"}", NULL, 0);
	CHECK_EQ(r.status, 200);
	free(r.body);
	r = call(f, "GET", "/rest/ip/dns", NULL, NULL, 0);
	o = parse(&r);
	CHECK(json_is_object(o) && streq0(str(o, "servers"), "192.0.2.53"), "%s", r.body);
	json_decref(o);
	free(r.body);
	r = call(f, "POST", "/rest/execute", "{\"script\":\":put [/interface/wireguard/get wg1 listen-port]\"}", NULL, 0);
	o = parse(&r);
	CHECK(streq0(str(o, "ret"), "51820\n"), "%s", r.body);
	json_decref(o);
	free(r.body);
	fx_free(f);
}
