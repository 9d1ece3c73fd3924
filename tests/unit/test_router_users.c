/* /user, /user/group, /user/active, /password and logging in (router/auth.h): passwords
 * only ever stored as Argon2id hashes and never shown, the built-in groups, policies,
 * doors, addresses, disabled users, throttling per address, the sessions registry, and
 * what a user without write, policy or sensitive may not do or see. */
#include "test.h"
#include "test_console_fixture.h"
#include <sys/stat.h>
#include <time.h>
#include "router/auth.h"
#include "router/policy.h"
#include "router/users.h"

static const char *const argon_prefix = "$argon2id$v=19$m=65536,t=2,p=1$";

static char *tmpdir(void)
{
	char *d = fx_tmpdir("users");
	CHECK(d != NULL);
	return d;
}

static void rmdir_all(const char *d) { CHECK_EQ(fx_rmdir_all(d), 0); }

static bool log_has(struct fx *f, const char *text)
{
	fx_run(f, "/log/print");
	return strstr(fx_last(f), text) != NULL;
}

static enum wg_auth_result login(struct fx *f, const char *name, const char *pw, const char *addr, const char *door,
				 struct wg_auth_user *u)
{
	struct wg_auth_user dummy;
	return wg_auth_login(f->r, name, pw, addr, door, u ? u : &dummy);
}

TEST(users_add_set_remove)
{
	struct fx *f = fx_new();
	CHECK_EQ(fx_run(f, "/user/add name=alice group=full address=192.0.2.0/24,2001:db8::/32 comment=ops"), 0);
	CHECK_EQ(fx_run(f, "/user/print"), 0);
	CHECK(!strcmp(fx_last(f), "Flags: X - disabled\n"
				  "Columns: NAME, GROUP, ADDRESS, LAST-LOGGED-IN\n"
				  "#  NAME   GROUP  ADDRESS                     LAST-LOGGED-IN\n"
				  "0  ;;; ops\n"
				  "   alice  full   192.0.2.0/24,2001:db8::/32\n"), "%s", fx_last(f));
	CHECK_EQ(fx_run(f, "/user/set alice group=read disabled=yes"), 0);
	CHECK(!strcmp(fx_run_out(f, ":put [/user/get alice group]"), "read\n"));
	CHECK(strstr(fx_run_out(f, "/user/print"), "0 X ;;; ops"));
	CHECK(fx_run(f, "/user/add name=alice group=full") != 0);
	CHECK(strstr(fx_err(f), "failure: already have such entry"));
	CHECK(fx_run(f, "/user/add name=bob group=admins") != 0);
	CHECK(strstr(fx_err(f), "input does not match any value of group"));
	CHECK(fx_run(f, "/user/add name=bob") != 0);
	CHECK(strstr(fx_err(f), "missing value(s) of argument(s) group"));
	CHECK(fx_run(f, "/user/add name=\"b b\" group=read") != 0);
	CHECK(strstr(fx_err(f), "invalid value for argument name"));
	CHECK(fx_run(f, "/user/add name=bob group=read address=300.1.2.3") != 0);
	CHECK(strstr(fx_err(f), "invalid value for argument address"));
	CHECK_EQ(fx_run(f, "/user/remove alice"), 0);
	CHECK(!strcmp(fx_run_out(f, "/user/print count-only"), "0\n"));
	fx_free(f);
}

/* The password is turned into its hash at once: nothing shows either, and the state
 * file holds only the hash. */
TEST(password_never_shown_and_stored_hashed)
{
	char *dir = tmpdir();
	struct fx *f = fx_new_dir(dir);
	const char *const views[] = {
		"/user/print detail", "/user/print detail show-sensitive", "/user/print terse", "/user/print as-value",
		"/export", "/export show-sensitive verbose", "/user/export show-sensitive",
		":put [/user/get alice password]", ":put [/user/get alice password-hash]",
		":put [/user/find where password-hash~\"argon\"]", "/log/print",
	};
	CHECK_EQ(fx_run(f, "/user/add name=alice group=full password=Tr0ub4dor"), 0);
	for (size_t i = 0; i < sizeof(views) / sizeof(views[0]); i++) {
		fx_run(f, views[i]);
		CHECK(!strstr(fx_last(f), "Tr0ub4dor") && !strstr(fx_last(f), "argon2"), "%s: %s", views[i], fx_last(f));
		CHECK(!strstr(fx_last(f), "password"), "%s: %s", views[i], fx_last(f));
	}
	CHECK(strstr(fx_run_out(f, "/export"), "add group=full name=alice\n"));
	char *path = xasprintf("%s/config.state", dir), *state = fx_saved(dir);
	struct stat st;
	CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600);
	CHECK(strstr(state, argon_prefix) && !strstr(state, "Tr0ub4dor"), "%s", state);
	CHECK(!strstr(state, "password="));
	free(state);
	fx_free(f);
	/* the hash survives a restart and still verifies */
	f = fx_new_dir(dir);
	CHECK_EQ(login(f, "alice", "Tr0ub4dor", "192.0.2.9", "api", NULL), WG_AUTH_OK);
	CHECK_EQ(login(f, "alice", "tr0ub4dor", "192.0.2.9", "api", NULL), WG_AUTH_DENIED);
	/* setting another password replaces the hash; an empty one changes nothing */
	CHECK_EQ(fx_run(f, "/user/set alice password=correct-horse"), 0);
	CHECK_EQ(fx_run(f, "/user/set alice password=\"\""), 0);
	CHECK_EQ(login(f, "alice", "correct-horse", "192.0.2.9", "api", NULL), WG_AUTH_OK);
	CHECK_EQ(login(f, "alice", "Tr0ub4dor", "192.0.2.9", "api", NULL), WG_AUTH_DENIED);
	fx_free(f);
	free(path);
	rmdir_all(dir);
	free(dir);
}

TEST(password_hash_helpers)
{
	char h[WG_HASH_MAX];
	CHECK_EQ(wg_password_hash("pw", h), 0);
	CHECK(!strncmp(h, argon_prefix, strlen(argon_prefix)), "%s", h);
	CHECK(wg_password_verify(h, "pw"));
	CHECK(!wg_password_verify(h, "pw "));
	char h2[WG_HASH_MAX];
	CHECK_EQ(wg_password_hash("pw", h2), 0);
	CHECK(strcmp(h, h2) != 0); /* a random salt each time */
}

TEST(policy_parse_and_format)
{
	unsigned p;
	CHECK(wg_policy_parse("read,api,!write", &p) && p == (WG_POL_READ | WG_POL_API));
	CHECK(wg_policy_parse("", &p) && p == 0);
	CHECK(!wg_policy_parse("read,!read", &p));
	CHECK(!wg_policy_parse("read,dude", &p));
	CHECK(!wg_policy_parse("read,", &p));
	char *s = wg_policy_format(WG_POL_READ | WG_POL_REST_API);
	CHECK(!strcmp(s, "read,rest-api,!local,!telnet,!ssh,!ftp,!reboot,!write,!policy,!test,!winbox,!password,!web,"
			 "!sniff,!sensitive,!api,!romon"), "%s", s);
	free(s);
	CHECK(!strcmp(wg_policy_name(WG_POL_SENSITIVE), "sensitive"));
	CHECK(wg_policy_name(WG_POL_READ | WG_POL_WRITE) == NULL);
}

/* RouterOS's default groups: read has sensitive but not write/policy/ftp, write adds
 * write, full has everything; they cannot be changed or removed, and are not exported. */
TEST(groups_builtin_and_defined)
{
	struct fx *f = fx_new();
	CHECK_EQ(fx_run(f, "/user/group/print"), 0);
	const char *out = fx_last(f);
	CHECK(strstr(out, "Flags: * - default\n"), "%s", out);
	CHECK(strstr(out, " 0 * name=\"read\"\n     policy=local,telnet,ssh,reboot,read,test,winbox,password,web,sniff,"
			  "sensitive,api,romon,rest-api,!ftp,!write,!policy\n     skin=\"default\"\n"), "%s", out);
	CHECK(strstr(out, " 1 * name=\"write\"\n     policy=local,telnet,ssh,reboot,read,write,test,winbox,password,web,"
			  "sniff,sensitive,api,romon,rest-api,!ftp,!policy\n"));
	CHECK(strstr(out, " 2 * name=\"full\"\n     policy=local,telnet,ssh,ftp,reboot,read,write,policy,test,winbox,"
			  "password,web,sniff,sensitive,api,romon,rest-api\n"));
	unsigned p;
	CHECK(wg_group_policies(wg_router_store(f->r), "read", &p) && !(p & WG_POL_WRITE) && (p & WG_POL_SENSITIVE));
	CHECK(wg_group_policies(wg_router_store(f->r), "write", &p) && (p & WG_POL_WRITE) && !(p & WG_POL_POLICY));
	CHECK(wg_group_policies(wg_router_store(f->r), "full", &p) && p == WG_POL_ALL);
	CHECK(fx_run(f, "/user/group/remove full") != 0);
	CHECK(fx_run(f, "/user/group/set read policy=api") != 0);
	CHECK(fx_run(f, "/user/group/add name=write policy=api") != 0);
	CHECK_EQ(fx_run(f, "/user/group/add name=robots policy=api,read,!write comment=ansible"), 0);
	CHECK(!strcmp(fx_run_out(f, ":put [/user/group/get robots policy]"),
		      "read,api,!local,!telnet,!ssh,!ftp,!reboot,!write,!policy,!test,!winbox,!password,!web,!sniff,"
		      "!sensitive,!romon,!rest-api\n"), "%s", fx_last(f));
	CHECK(fx_run(f, "/user/group/add name=bad policy=read,sudo") != 0);
	CHECK(strstr(fx_err(f), "invalid value for argument policy"));
	CHECK_EQ(fx_run(f, "/user/add name=bot group=robots"), 0);
	CHECK(fx_run(f, "/user/group/remove robots") != 0);
	CHECK(strstr(fx_err(f), "failure: group robots is used by user bot"), "%s", fx_err(f));
	CHECK(fx_run(f, "/user/group/set robots name=droids") != 0);
	char *exp = fx_export_flat(f, "");
	CHECK(strstr(exp, "/user group\nadd comment=ansible name=robots policy=read,api,!local,"), "%s", exp);
	CHECK(!strstr(exp, "name=full") && strstr(exp, "/user\nadd group=robots name=bot\n"));
	/* the export imports into a fresh router */
	struct fx *g = fx_new();
	CHECK_EQ(fx_run(g, exp), 0);
	char *again = fx_export_flat(g, "");
	CHECK(!strcmp(exp, again));
	free(again);
	free(exp);
	fx_free(g);
	fx_free(f);
}

static struct fx *with_users(void)
{
	struct fx *f = fx_new();
	CHECK_EQ(fx_run(f, "/user/group/add name=restonly policy=rest-api,read\n"
			   "/user/add name=alice group=full password=alice-pw address=192.0.2.0/24,2001:db8::/32\n"
			   "/user/add name=rita group=restonly password=rita-pw\n"
			   "/user/add name=nopw group=full\n"
			   "/user/add name=dave group=full password=dave-pw disabled=yes"), 0);
	return f;
}

TEST(login_decisions)
{
	struct fx *f = with_users();
	struct wg_auth_user u;
	CHECK_EQ(login(f, "alice", "alice-pw", "192.0.2.9", "api", &u), WG_AUTH_OK);
	CHECK(!strcmp(u.name, "alice") && !strcmp(u.group, "full") && u.policies == WG_POL_ALL && u.id == 1);
	CHECK(log_has(f, "system,info,account user alice logged in from 192.0.2.9 via api"), "%s", fx_last(f));
	CHECK(wg_auth_can(&u, WG_POL_WRITE | WG_POL_SENSITIVE));
	CHECK_EQ(login(f, "alice", "alice-pw", "::ffff:192.0.2.10", "rest-api", NULL), WG_AUTH_OK);
	CHECK_EQ(login(f, "alice", "alice-pw", "2001:db8::7", "web", NULL), WG_AUTH_OK);
	CHECK_EQ(login(f, "alice", "wrong", "192.0.2.9", "api", NULL), WG_AUTH_DENIED);
	CHECK(log_has(f, "system,error,critical login failure for user alice from 192.0.2.9 via api"));
	CHECK_EQ(login(f, "alice", "alice-pw", "198.51.100.1", "api", NULL), WG_AUTH_DENIED); /* address */
	CHECK_EQ(login(f, "alice", "alice-pw", "not-an-ip", "api", NULL), WG_AUTH_DENIED);
	CHECK_EQ(login(f, "alice", "alice-pw", "192.0.2.9", "telnet", NULL), WG_AUTH_DENIED); /* no such door */
	CHECK_EQ(login(f, "rita", "rita-pw", "203.0.113.5", "rest-api", &u), WG_AUTH_OK);
	CHECK(wg_auth_can(&u, WG_POL_READ) && !wg_auth_can(&u, WG_POL_WRITE) && !wg_auth_can(&u, WG_POL_SENSITIVE));
	CHECK_EQ(login(f, "rita", "rita-pw", "203.0.113.5", "api", NULL), WG_AUTH_DENIED); /* no api policy */
	CHECK_EQ(login(f, "dave", "dave-pw", "203.0.113.5", "api", NULL), WG_AUTH_DENIED); /* disabled */
	CHECK_EQ(login(f, "nopw", "", "203.0.113.5", "api", NULL), WG_AUTH_DENIED);       /* no password */
	CHECK_EQ(login(f, "mallory", "x", "203.0.113.5", "api", NULL), WG_AUTH_DENIED);   /* no such user */
	CHECK_EQ(login(f, "Alice", "alice-pw", "192.0.2.9", "api", NULL), WG_AUTH_DENIED);
	CHECK(log_has(f, "login failure for user mallory from 203.0.113.5 via api"));
	/* a name with a control character is logged harmlessly */
	CHECK_EQ(login(f, "eve\nuser alice logged in", "x", "203.0.113.6", "api", NULL), WG_AUTH_DENIED);
	CHECK(log_has(f, "login failure for user eve?user alice logged in from 203.0.113.6"), "%s", fx_last(f));
	/* last-logged-in appears once alice logged in */
	CHECK_EQ(fx_run(f, "/user/print where name=alice"), 0);
	char year[8];
	time_t now = time(NULL);
	strftime(year, sizeof(year), " %Y-", localtime(&now));
	CHECK(strstr(fx_last(f), year), "%s", fx_last(f));
	fx_free(f);
}

static double seconds_of(struct fx *f, const char *name, const char *pw, const char *addr,
			 enum wg_auth_result want)
{
	struct timespec a, b;
	clock_gettime(CLOCK_MONOTONIC, &a);
	CHECK_EQ(login(f, name, pw, addr, "rest-api", NULL), want);
	clock_gettime(CLOCK_MONOTONIC, &b);
	return (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
}

/* The least of three runs: what the work costs, without the shared machine's pauses. */
static double least_of_3(struct fx *f, const char *name, const char *pw, const char *const addr[3],
			 enum wg_auth_result want)
{
	double best = 1e9;
	for (int i = 0; i < 3; i++) {
		double t = seconds_of(f, name, pw, addr[i], want);
		best = t < best ? t : best;
	}
	return best;
}

/* An Argon2id verification with the router's parameters writes 64 MiB twice: no machine
 * does that in under 10 ms, and what would replace it (no verification, a cache hit)
 * takes microseconds. A floor rather than a measured baseline, since a loaded shared
 * machine slows a baseline as much as it slows what is compared with it. */
#define ARGON2_FLOOR 0.010

/* A user that does not exist (or is disabled, or has no password) costs the same
 * Argon2id verification as a wrong password, so the time does not tell names apart. */
TEST(login_time_does_not_reveal_names)
{
	struct fx *f = with_users();
	static const char *const addrs[3] = { "192.0.2.1", "192.0.2.2", "192.0.2.3" };
	login(f, "nobody-warmup", "x", "192.0.2.4", "api", NULL); /* makes the dummy hash */
	double known = least_of_3(f, "alice", "wrong", addrs, WG_AUTH_DENIED);
	double unknown = least_of_3(f, "nobody", "wrong", addrs, WG_AUTH_DENIED);
	double disabled = least_of_3(f, "dave", "dave-pw", addrs, WG_AUTH_DENIED);
	double nopw = least_of_3(f, "nopw", "", addrs, WG_AUTH_DENIED);
	CHECK(known > ARGON2_FLOOR && unknown > ARGON2_FLOOR && disabled > ARGON2_FLOOR && nopw > ARGON2_FLOOR,
	      "known %.3f s, unknown %.3f, disabled %.3f, no password %.3f", known, unknown, disabled, nopw);
	fx_free(f);
}

/* Credentials verified within the last minute are not verified again (REST clients
 * send them with every request); a changed password, a wrong one or a minute later
 * are verified in full. */
TEST(login_recently_verified)
{
	struct fx *f = with_users();
	static const char *const addrs[3] = { "192.0.2.9", "192.0.2.9", "192.0.2.9" };
	CHECK_EQ(login(f, "alice", "alice-pw", "192.0.2.9", "rest-api", NULL), WG_AUTH_OK);
	double again = least_of_3(f, "alice", "alice-pw", addrs, WG_AUTH_OK);
	CHECK(again < ARGON2_FLOOR, "again %.3f s", again);
	double wrong = seconds_of(f, "alice", "alice-pw2", "192.0.2.9", WG_AUTH_DENIED);
	CHECK(wrong > ARGON2_FLOOR, "wrong %.3f s", wrong);
	f->now_ms += 61000;
	double later = seconds_of(f, "alice", "alice-pw", "192.0.2.9", WG_AUTH_OK);
	CHECK(later > ARGON2_FLOOR, "a minute later %.3f s", later);
	CHECK_EQ(fx_run(f, "/user/set alice password=new-pw"), 0);
	CHECK_EQ(login(f, "alice", "alice-pw", "192.0.2.9", "rest-api", NULL), WG_AUTH_DENIED);
	CHECK_EQ(login(f, "alice", "new-pw", "192.0.2.9", "rest-api", NULL), WG_AUTH_OK);
	CHECK_EQ(fx_run(f, "/user/disable alice"), 0); /* cached or not, the rest is checked */
	CHECK_EQ(login(f, "alice", "new-pw", "192.0.2.9", "rest-api", NULL), WG_AUTH_DENIED);
	fx_free(f);
}

/* 5 failures from one address within a minute: that address is refused (even with the
 * right password) for a minute; other addresses are not; a success clears the count. */
TEST(login_throttled_per_address)
{
	struct fx *f = with_users();
	for (int i = 0; i < 4; i++)
		CHECK_EQ(login(f, "alice", "bad", "192.0.2.66", "api", NULL), WG_AUTH_DENIED);
	CHECK_EQ(login(f, "alice", "alice-pw", "192.0.2.66", "api", NULL), WG_AUTH_OK); /* clears */
	for (int i = 0; i < 5; i++)
		CHECK_EQ(login(f, "alice", "bad", "192.0.2.66", "api", NULL), WG_AUTH_DENIED);
	CHECK_EQ(login(f, "alice", "alice-pw", "192.0.2.66", "api", NULL), WG_AUTH_THROTTLED);
	CHECK_EQ(login(f, "alice", "alice-pw", "192.0.2.67", "api", NULL), WG_AUTH_OK);
	CHECK(log_has(f, "login failure for user alice from 192.0.2.66 via api: too many failures, refused for 60s"));
	f->now_ms += 59000;
	CHECK_EQ(login(f, "alice", "alice-pw", "192.0.2.66", "api", NULL), WG_AUTH_THROTTLED);
	f->now_ms += 2000;
	CHECK_EQ(login(f, "alice", "alice-pw", "192.0.2.66", "api", NULL), WG_AUTH_OK);
	/* failures spread over more than a minute do not add up */
	for (int i = 0; i < 8; i++) {
		CHECK_EQ(login(f, "rita", "bad", "203.0.113.9", "rest-api", NULL), WG_AUTH_DENIED);
		f->now_ms += 16000;
	}
	CHECK_EQ(login(f, "rita", "rita-pw", "203.0.113.9", "rest-api", NULL), WG_AUTH_OK);
	/* IPv6: one /64 is one client */
	for (int i = 0; i < 5; i++) {
		char addr[48];
		snprintf(addr, sizeof(addr), "2001:db8:0:1::%x", i + 1);
		CHECK_EQ(login(f, "alice", "bad", addr, "api", NULL), WG_AUTH_DENIED);
	}
	CHECK_EQ(login(f, "alice", "alice-pw", "2001:db8:0:1::99", "api", NULL), WG_AUTH_THROTTLED);
	CHECK_EQ(login(f, "alice", "alice-pw", "2001:db8:0:2::1", "api", NULL), WG_AUTH_OK);
	fx_free(f);
}

/* The table of addresses is bounded: many addresses do not grow it past its size, and a
 * locked-out address stays locked while newer ones come and go. */
TEST(login_throttle_bounded)
{
	struct fx *f = with_users();
	for (int i = 0; i < 5; i++)
		login(f, "alice", "bad", "192.0.2.200", "api", NULL);
	struct wg_auth_attempt t;
	for (int i = 0; i < 600; i++) {
		char addr[48];
		snprintf(addr, sizeof(addr), "10.%d.%d.1", i / 250, i % 250);
		CHECK_EQ(wg_auth_begin(f->r, "alice", addr, "api", &t), WG_AUTH_OK);
		t.verified = false; /* skip Argon2id: counted as a failure */
		wg_auth_end(f->r, &t, &(struct wg_auth_user){ 0 });
		f->now_ms += 1;
	}
	CHECK_EQ(login(f, "alice", "alice-pw", "192.0.2.200", "api", NULL), WG_AUTH_THROTTLED);
	fx_free(f);
}

TEST(login_split_across_a_change)
{
	struct fx *f = with_users();
	struct wg_auth_attempt t;
	struct wg_auth_user u;
	CHECK_EQ(wg_auth_begin(f->r, "alice", "192.0.2.9", "api", &t), WG_AUTH_OK);
	wg_auth_check(f->r, &t, "alice-pw");
	CHECK_EQ(fx_run(f, "/user/disable alice"), 0); /* meanwhile */
	CHECK_EQ(wg_auth_end(f->r, &t, &u), WG_AUTH_DENIED);
	CHECK_EQ(fx_run(f, "/user/enable alice"), 0);
	CHECK_EQ(login(f, "alice", "alice-pw", "192.0.2.9", "api", &u), WG_AUTH_OK);
	CHECK(wg_auth_refresh(f->r, &u, "192.0.2.9"));
	CHECK_EQ(fx_run(f, "/user/set alice group=read"), 0);
	CHECK(wg_auth_refresh(f->r, &u, "192.0.2.9") && !wg_auth_can(&u, WG_POL_WRITE) && !strcmp(u.group, "read"));
	CHECK(!wg_auth_refresh(f->r, &u, "198.51.100.1"));
	CHECK_EQ(fx_run(f, "/user/remove alice"), 0);
	CHECK(!wg_auth_refresh(f->r, &u, "192.0.2.9"));
	fx_free(f);
}

TEST(addr_allowed)
{
	CHECK(wg_addr_allowed(NULL, "192.0.2.1"));
	CHECK(wg_addr_allowed("", "garbage"));
	CHECK(wg_addr_allowed("192.0.2.0/24", "192.0.2.255"));
	CHECK(!wg_addr_allowed("192.0.2.0/24", "192.0.3.0"));
	CHECK(wg_addr_allowed("10.0.0.0/8,192.0.2.0/24", "::ffff:192.0.2.1"));
	CHECK(!wg_addr_allowed("::/0", "192.0.2.1"));
	CHECK(wg_addr_allowed("::/0", "2001:db8::1"));
	CHECK(!wg_addr_allowed("192.0.2.0/24", "garbage"));
}

TEST(active_sessions)
{
	struct fx *f = with_users();
	uint32_t a = wg_users_session_begin(f->r, "alice", "192.0.2.9", "api");
	uint32_t b = wg_users_session_begin(f->r, "rita", "203.0.113.5", "rest-api");
	CHECK(a && b && a != b);
	CHECK_EQ(wg_users_session_count(f->r, "api"), 1);
	CHECK_EQ(wg_users_session_count(f->r, NULL), 2);
	CHECK_EQ(fx_run(f, "/user/active/print"), 0);
	CHECK(strstr(fx_last(f), "Columns: WHEN, NAME, ADDRESS, VIA\n"), "%s", fx_last(f));
	CHECK(strstr(fx_last(f), "  alice  192.0.2.9    api\n"), "%s", fx_last(f));
	CHECK(strstr(fx_last(f), "  rita   203.0.113.5  rest-api\n"), "%s", fx_last(f));
	wg_users_session_end(f->r, a);
	wg_users_session_end(f->r, a); /* twice: nothing */
	CHECK_EQ(wg_users_session_count(f->r, NULL), 1);
	CHECK(!strstr(fx_run_out(f, "/user/active/print"), "alice"));
	CHECK(log_has(f, "user alice logged out from 192.0.2.9 via api"));
	CHECK(!strstr(fx_run_out(f, "/export"), "active"));
	fx_free(f);
}

static void as_user(struct fx *f, const char *name, const char *pw)
{
	struct wg_auth_user u;
	enum wg_auth_result rc = login(f, name, pw, "192.0.2.9", "api", &u);
	CHECK_EQ(rc, WG_AUTH_OK);
	if (rc == WG_AUTH_OK)
		wg_session_set_user(f->s, &u);
}

TEST(password_command)
{
	struct fx *f = with_users();
	CHECK(fx_run(f, "/password old-password=x new-password=y confirm-new-password=y") != 0);
	CHECK(strstr(fx_err(f), "local console"), "%s", fx_err(f));
	as_user(f, "alice", "alice-pw");
	CHECK(fx_run(f, "/password old-password=wrong new-password=n3w confirm-new-password=n3w") != 0);
	CHECK(strstr(fx_err(f), "failure: old password is not valid"), "%s", fx_err(f));
	CHECK(fx_run(f, "/password old-password=alice-pw new-password=n3w confirm-new-password=n3x") != 0);
	CHECK(strstr(fx_err(f), "failure: new passwords do not match"));
	CHECK(fx_run(f, "/password old-password=alice-pw new-password=n3w foo=bar") != 0);
	CHECK_EQ(fx_run(f, "/password old-password=alice-pw new-password=n3w confirm-new-password=n3w"), 0);
	CHECK_EQ(login(f, "alice", "n3w", "192.0.2.9", "api", NULL), WG_AUTH_OK);
	CHECK_EQ(login(f, "alice", "alice-pw", "192.0.2.9", "api", NULL), WG_AUTH_DENIED);
	/* a group without the password policy may not */
	CHECK_EQ(fx_run(f, "/user/group/add name=nopass policy=api,read,write\n/user/set rita group=nopass"), 0);
	as_user(f, "rita", "rita-pw");
	CHECK(fx_run(f, "/password old-password=rita-pw new-password=a confirm-new-password=a") != 0);
	CHECK(strstr(fx_err(f), "not enough permissions (9)"), "%s", fx_err(f));
	fx_free(f);
}

/* What a session's user may do: write for changes, policy as well for users and groups,
 * sensitive to see keys (not in print, get, where or export, show-sensitive or not). */
TEST(policies_enforced_in_console)
{
	struct fx *f = with_users();
	char priv[45], pub[45], other[45];
	fx_keypair(priv, other);
	fx_keypair(other, pub);
	char *s = xasprintf("/interface/wireguard/add name=wg0 private-key=\"%s\"\n"
			    "/interface/wireguard/peers/add interface=wg0 public-key=\"%s\" allowed-address=10.0.0.2/32 "
			    "preshared-key=auto\n"
			    "/user/group/add name=ops policy=api,read,write\n"
			    "/user/add name=olga group=ops password=olga-pw\n"
			    "/user/add name=wendy group=write password=wendy-pw\n"
			    "/user/add name=reed group=read password=reed-pw", priv, pub);
	CHECK_EQ(fx_run(f, s), 0);
	free(s);
	as_user(f, "reed", "reed-pw");
	CHECK(fx_run(f, "/interface/wireguard/add name=wg9") != 0);
	CHECK(strstr(fx_err(f), "not enough permissions (9)"));
	CHECK(strstr(fx_run_out(f, "/interface/wireguard/print detail show-sensitive"), priv)); /* read has sensitive */
	as_user(f, "wendy", "wendy-pw");
	CHECK_EQ(fx_run(f, "/interface/wireguard/add name=wg9"), 0);
	CHECK(fx_run(f, "/user/add name=x group=full") != 0);
	CHECK(strstr(fx_err(f), "not enough permissions (9)"));
	CHECK(fx_run(f, "/user/group/add name=x policy=read") != 0);
	as_user(f, "olga", "olga-pw"); /* write, but not sensitive */
	const char *const views[] = {
		"/interface/wireguard/print detail show-sensitive", "/interface/wireguard/peers/print detail show-sensitive",
		"/export show-sensitive", "/interface/wireguard/export show-sensitive verbose",
		":put [/interface/wireguard/get wg0 private-key]", ":put [/interface/wireguard/peers/print as-value show-sensitive]",
		":put [/interface/wireguard/find where private-key~\"=\"]",
	};
	for (size_t i = 0; i < sizeof(views) / sizeof(views[0]); i++) {
		CHECK_EQ(fx_run(f, views[i]), 0);
		CHECK(!strstr(fx_last(f), priv) && !strstr(fx_last(f), "private-key=") && !strstr(fx_last(f), "preshared-key="),
		      "%s: %s", views[i], fx_last(f));
	}
	CHECK(fx_run(f, "/interface/wireguard/peers/show-client-config 0") != 0); /* holds keys */
	CHECK(strstr(fx_err(f), "not enough permissions (9)"));
	CHECK(fx_run(f, "/interface/wireguard/wg-export wg0") != 0);
	CHECK_EQ(fx_run(f, "/interface/wireguard/set wg0 comment=olga"), 0);
	CHECK(log_has(f, "/interface/wireguard set by olga"), "%s", fx_last(f));
	wg_session_set_user(f->s, NULL); /* the local console sees everything again */
	CHECK(strstr(fx_run_out(f, "/interface/wireguard/print detail show-sensitive"), priv));
	fx_free(f);
}

TEST(prop_visibility)
{
	const struct wg_prop key = { "private-key", PT_KEY, PF_SENSITIVE, NULL, NULL, 0, 0 };
	const struct wg_prop hash = { "password-hash", PT_STR, PF_RO | PF_HIDDEN, NULL, NULL, 0, 0 };
	const struct wg_prop pw = { "password", PT_STR, PF_WRITEONLY, NULL, NULL, 0, 0 };
	const struct wg_prop name = { "name", PT_STR, 0, NULL, NULL, 0, 0 };
	CHECK_EQ(wg_prop_visibility(&key, WG_POL_ALL, true), WG_VIS_VALUE);
	CHECK_EQ(wg_prop_visibility(&key, WG_POL_ALL, false), WG_VIS_MASKED);
	CHECK_EQ(wg_prop_visibility(&key, WG_POL_ALL & ~WG_POL_SENSITIVE, true), WG_VIS_NONE);
	CHECK_EQ(wg_prop_visibility(&hash, WG_POL_ALL, true), WG_VIS_NONE);
	CHECK_EQ(wg_prop_visibility(&pw, WG_POL_ALL, true), WG_VIS_NONE);
	CHECK_EQ(wg_prop_visibility(&name, 0, false), WG_VIS_VALUE);
	CHECK(wg_prop_is_secret(&key) && wg_prop_is_secret(&hash) && wg_prop_is_secret(&pw) && !wg_prop_is_secret(&name));
}

static unsigned watched;
static void on_change(void *ctx, struct wg_router *r, unsigned what) { watched |= what; }

TEST(watchers_told_of_changes)
{
	struct fx *f = fx_new();
	CHECK_EQ(wg_router_watch(f->r, on_change, NULL), 0);
	watched = 0;
	CHECK_EQ(fx_run(f, "/interface/wireguard/add name=wg0"), 0);
	CHECK_EQ(watched, 0);
	CHECK_EQ(fx_run(f, "/user/add name=a group=read"), 0);
	CHECK_EQ(watched, WG_WATCH_USERS);
	watched = 0;
	CHECK_EQ(fx_run(f, "/ip/service/set api disabled=no"), 0);
	CHECK_EQ(watched, WG_WATCH_SERVICES);
	watched = 0;
	CHECK_EQ(fx_run(f, "/certificate/add name=c common-name=x"), 0);
	CHECK_EQ(watched, WG_WATCH_CERTS);
	wg_router_unwatch(f->r, on_change, NULL);
	watched = 0;
	CHECK_EQ(fx_run(f, "/user/remove a"), 0);
	CHECK_EQ(watched, 0);
	fx_free(f);
}
