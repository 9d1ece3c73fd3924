/* Every error case leaves the configuration exactly as it was (the export does not
 * change), and reads like RouterOS: message, line and column. */
#include <signal.h>
#include <sys/stat.h>
#include "test.h"
#include "test_console_fixture.h"

static char pub1[45], pub2[45];

static struct fx *base(void)
{
	char priv[45];
	struct fx *f = fx_new();
	if (!pub1[0]) {
		fx_keypair(priv, pub1);
		fx_keypair(priv, pub2);
	}
	char *s = xasprintf("/interface/wireguard/add name=wg0 listen-port=51820\n"
			    "/interface/wireguard/peers/add interface=wg0 public-key=\"%s\" allowed-address=10.0.0.2/32,10.10.0.0/16\n"
			    "/ip/address/add address=10.0.0.1/24 interface=wg0\n"
			    "/ip/firewall/filter/add chain=input action=drop\n", pub1);
	CHECK_EQ(fx_run(f, s), 0);
	free(s);
	return f;
}

/* Runs cmd, expects failure with exactly msg on stderr and an unchanged export. */
static void expect_error(const char *cmd, const char *msg)
{
	struct fx *f = base();
	char *before = fx_export(f, "show-sensitive");
	int rc = fx_run(f, cmd);
	char *err = xstrdup(fx_err(f));
	char *after = fx_export(f, "show-sensitive");
	CHECK(rc != 0, "for %s", cmd);
	if (strcmp(err, msg))
		test_fail(__FILE__, __LINE__, "%s: error \"%s\", want \"%s\"", cmd, err, msg);
	if (strcmp(before, after))
		test_fail(__FILE__, __LINE__, "%s changed the configuration:\n%s", cmd, after);
	free(err);
	free(before);
	free(after);
	fx_free(f);
}

TEST(unknown_command)
{
	expect_error("/interface/wireguard/ad name=x", "bad command name ad (line 1 column 22)\n");
	expect_error("/ip adress print", "bad command name adress (line 1 column 5)\n");
	expect_error(":foo", "bad command name foo (line 1 column 2)\n");
}

TEST(unknown_property)
{
	expect_error("/interface/wireguard/add name=wg1 colour=blue", "expected end of command (line 1 column 35)\n");
	expect_error("/interface/wireguard/set wg0 public-key=x", "expected end of command (line 1 column 30)\n");
}

TEST(bad_values)
{
	expect_error("/interface/wireguard/set wg0 mtu=abc", "invalid value for argument mtu\n");
	expect_error("/interface/wireguard/set wg0 mtu=70000", "invalid value for argument mtu\n");
	expect_error("/interface/wireguard/set wg0 listen-port=-1", "invalid value for argument listen-port\n");
	expect_error("/interface/wireguard/peers/set 0 persistent-keepalive=soon",
		     "invalid value for argument persistent-keepalive\n");
	expect_error("/ip/firewall/filter/add chain=input action=explode", "invalid value for argument action\n");
	expect_error("/ip/firewall/filter/add chain=input dst-port=99999", "invalid value for argument dst-port\n");
}

TEST(bad_keys)
{
	expect_error("/interface/wireguard/set wg0 private-key=\"not a key\"", "invalid value for argument private-key\n");
	expect_error("/interface/wireguard/peers/add interface=wg0 public-key=\"abc=\" allowed-address=10.9.0.1/32",
		     "invalid value for argument public-key\n");
	/* 44 characters, but the last one has bits set that a 32-byte key cannot have */
	expect_error("/interface/wireguard/peers/set 0 preshared-key=\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAB=\"",
		     "invalid value for argument preshared-key\n");
}

TEST(bad_prefixes)
{
	expect_error("/ip/address/add address=10.0.0.300/24 interface=wg0", "invalid value for argument address\n");
	expect_error("/ip/address/add address=10.1.0.1/33 interface=wg0", "invalid value for argument address\n");
	expect_error("/interface/wireguard/peers/set 0 allowed-address=10.0.0.0/8,bogus",
		     "invalid value for argument allowed-address\n");
	expect_error("/ip/route/add dst-address=fd00::/64 gateway=10.0.0.2", "invalid value for argument dst-address\n");
}

TEST(overlapping_allowed_address)
{
	char *cmd = xasprintf("/interface/wireguard/peers/add interface=wg0 public-key=\"%s\" allowed-address=10.10.5.0/24",
			      pub2);
	expect_error(cmd, "failure: allowed-address 10.10.5.0/24 of peer2 overlaps with allowed-address 10.10.0.0/16 of peer1\n");
	free(cmd);
	cmd = xasprintf("/interface/wireguard/peers/add interface=wg0 public-key=\"%s\" allowed-address=10.20.0.0/16 name=laptop\n"
			"/interface/wireguard/peers/set laptop allowed-address=10.0.0.0/8", pub2);
	struct fx *f = base();
	CHECK(fx_run(f, cmd) != 0);
	CHECK(strstr(fx_err(f), "of laptop overlaps"));
	/* the add before the failing set stays: a script stops at the failing command */
	fx_run(f, "/interface/wireguard/peers/print count-only");
	CHECK(!strcmp(fx_last(f), "2\n"));
	free(cmd);
	fx_free(f);
}

TEST(duplicates)
{
	expect_error("/interface/wireguard/add name=wg0", "failure: already have interface with such name\n");
	expect_error("/interface/wireguard/add name=ether1", "failure: already have interface with such name\n");
	expect_error("/ip/address/add address=10.0.0.1/24 interface=wg0", "failure: already have such address\n");
	char *cmd = xasprintf("/interface/wireguard/peers/add interface=wg0 public-key=\"%s\" allowed-address=10.99.0.1/32", pub1);
	expect_error(cmd, "failure: already have peer with such public-key on interface wg0 (peer1)\n");
	free(cmd);
}

TEST(missing_required)
{
	expect_error("/interface/wireguard/peers/add interface=wg0 allowed-address=10.9.0.0/24",
		     "missing value(s) of argument(s) public-key\n");
	expect_error("/interface/wireguard/peers/add", "missing value(s) of argument(s) interface, public-key, allowed-address\n");
	expect_error("/ip/address/add interface=wg0", "missing value(s) of argument(s) address\n");
	expect_error("/ip/firewall/filter/add action=drop", "missing value(s) of argument(s) chain\n");
}

TEST(bad_references)
{
	char *cmd = xasprintf("/interface/wireguard/peers/add interface=wg9 public-key=\"%s\" allowed-address=10.9.0.0/24", pub2);
	expect_error(cmd, "input does not match any value of interface\n");
	free(cmd);
	expect_error("/ip/address/add address=10.5.0.1/24 interface=nosuch", "input does not match any value of interface\n");
	expect_error("/ip/route/add gateway=wg0 routing-table=nosuch", "input does not match any value of routing-table\n");
}

TEST(no_such_item)
{
	expect_error("/interface/wireguard/set wg7 mtu=1400", "no such item\n");
	expect_error("/interface/wireguard/set *99 mtu=1400", "no such item\n");
	expect_error("/ip/firewall/filter/remove 5", "no such item\n");
	expect_error("/interface/wireguard/peers/disable 0,3", "no such item\n");
}

TEST(syntax_errors)
{
	expect_error("/interface/wireguard/add name=\"unterminated", "syntax error (line 1 column 44)\n");
	expect_error("/interface/wireguard/print where (name=wg0", "syntax error (line 1 column 43)\n");
	expect_error("/interface/wireguard/add name=x ]", "syntax error (line 1 column 33)\n");
	expect_error("/interface\n/interface/wireguard/add name=wg5 mtu=1400 foo", "expected end of command (line 2 column 44)\n");
	expect_error("/interface/wireguard name=wg5", "expected command name (line 1 column 22)\n");
}

TEST(failed_command_stops_script)
{
	struct fx *f = base();
	CHECK(fx_run(f, "/ip/address/add address=10.7.0.1/24 interface=wg0\n"
			"/ip/address/add address=bad interface=wg0\n"
			"/ip/address/add address=10.8.0.1/24 interface=wg0\n") != 0);
	fx_run(f, "/ip/address/print count-only");
	CHECK(!strcmp(fx_last(f), "2\n"));
	fx_free(f);
}

/* unset takes only what an item may lack; a property with a default goes back to it. */
TEST(unset_refuses_required_properties)
{
	static const char *const cmds[] = {
		"/interface/wireguard/unset wg0 listen-port", "/interface/wireguard/unset wg0 value-name=private-key",
		"/interface/wireguard/unset wg0 name", "/interface/wireguard/peers/unset 0 name",
		"/interface/wireguard/peers/unset 0 allowed-address", "/ip/address/unset 0 interface",
		"/interface/wireguard/unset wg0 public-key", "/interface/wireguard/unset wg0 colour",
	};
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		expect_error(cmds[i], "input does not match any value of value-name\n");
	expect_error("/interface/wireguard/unset wg0", "missing value(s) of argument(s) value-name\n");
	expect_error("/interface/wireguard/set wg0 listen-port=\"\"", "missing value(s) of argument(s) listen-port\n");
	expect_error("/interface/wireguard/set wg0 !listen-port", "missing value(s) of argument(s) listen-port\n");
	expect_error("/interface/wireguard/peers/set 0 name=\"\"", "missing value(s) of argument(s) name\n");
	struct fx *f = base(); /* it used to pass, and the data plane got listen_port=(null) */
	fx_run(f, "/interface/wireguard/unset wg0 listen-port");
	CHECK(!strstr(sb_str(&f->calls), "(null)"), "%s", sb_str(&f->calls));
	fx_free(f);
}

TEST(unset_restores_defaults)
{
	struct fx *f = base();
	CHECK_EQ(fx_run(f, "/interface/wireguard/set wg0 mtu=1300 comment=x\n"
			   "/interface/wireguard/peers/set 0 endpoint-address=192.0.2.1 endpoint-port=5 persistent-keepalive=25s"), 0);
	CHECK_EQ(fx_run(f, "/interface/wireguard/unset wg0 mtu; /interface/wireguard/unset wg0 comment\n"
			   "/interface/wireguard/peers/unset 0 persistent-keepalive\n"
			   "/interface/wireguard/peers/unset 0 endpoint-port"), -1);
	CHECK(!strcmp(fx_err(f), "missing value(s) of argument(s) endpoint-port\n"), "%s", fx_err(f));
	CHECK_EQ(fx_run(f, ":put [/interface/wireguard/get wg0 mtu]"), 0);
	CHECK(!strcmp(fx_last(f), "1420\n"), "%s", fx_last(f));
	CHECK(strstr(sb_str(&f->calls), "mtu wg0 1420\n"));
	CHECK(strstr(sb_str(&f->calls), "persistent_keepalive_interval=0\n"));
	CHECK(!strstr(sb_str(&f->calls), "(null)"), "%s", sb_str(&f->calls));
	fx_free(f);
}

/* Files named by import and wg-import: regular files of at most a script's size; a
 * device or FIFO is neither read forever nor waited on. */
static void hung(int sig)
{
	printf("  reading a file did not finish within 10 s\nFAIL test_console_errors.c:files_are_bounded\n");
	fflush(stdout);
	_exit(1);
}

TEST(files_are_bounded)
{
	char dir[] = "/tmp/wgr-files-XXXXXX";
	CHECK(mkdtemp(dir) != NULL);
	char *fifo = xasprintf("%s/pipe.rsc", dir), *big = xasprintf("%s/big.rsc", dir);
	CHECK_EQ(mkfifo(fifo, 0600), 0);
	int fd = open(big, O_WRONLY | O_CREAT, 0600);
	CHECK(fd >= 0 && ftruncate(fd, WG_SCRIPT_MAX + 1) == 0);
	close(fd);
	signal(SIGALRM, hung);
	alarm(10);
	struct { const char *cmd, *msg; } cases[] = {
		{ "/import file-name=/dev/zero", "failure: /dev/zero is not a regular file\n" },
		{ "/interface/wireguard/wg-import config-file=/dev/zero", "failure: /dev/zero is not a regular file\n" },
		{ "/import file-name=/tmp", "failure: /tmp is not a regular file\n" },
		{ "/import file-name=/nonexistent/x", "failure: no such file /nonexistent/x\n" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		expect_error(cases[i].cmd, cases[i].msg);
	char *cmd = xasprintf("/import file-name=%s", fifo), *msg = xasprintf("failure: %s is not a regular file\n", fifo);
	expect_error(cmd, msg);
	free(cmd);
	free(msg);
	cmd = xasprintf("/interface/wireguard/wg-import config-file=%s", big);
	msg = xasprintf("failure: file %s is larger than 4 MiB\n", big);
	expect_error(cmd, msg);
	free(cmd);
	free(msg);
	alarm(0);
	unlink(fifo);
	unlink(big);
	rmdir(dir);
	free(fifo);
	free(big);
}
