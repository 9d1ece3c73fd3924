/* /system/backup and /file (router/backup.c, router/menus_backup.c): the file format
 * (plain and sealed, wrong password, tampering), and through the console: a backup
 * saved, the configuration changed, the backup loaded gives the export of before; a
 * wrong password changes nothing; files are 0600; /file names cannot leave the files
 * directory. */
#include "test.h"
#include "test_console_fixture.h"
#include <sys/stat.h>
#include "router/backup.h"

static char *tmpdir(void)
{
	char *d = fx_tmpdir("backup");
	CHECK(d != NULL);
	return d;
}

static void rmdir_all(const char *d) { CHECK_EQ(fx_rmdir_all(d), 0); }

/* The cheapest Argon2id libsodium takes: the format, not the KDF, is under test. */
static void seal(const char *text, const char *pw, struct sbuf *out)
{
	sb_init(out);
	CHECK_EQ(wg_backup_seal_with(text, strlen(text), pw, 1, 8192, out), 0);
}

TEST(format_round_trip_plain_and_sealed)
{
	static const char text[] = "# wgrouter state 1\nnext /interface/wireguard 2\n";
	struct sbuf f, t;
	char err[128];
	seal(text, NULL, &f);
	sb_init(&t);
	CHECK_EQ(wg_backup_open((const unsigned char *)f.s, f.len, NULL, &t, err, sizeof(err)), 0);
	CHECK(!strcmp(sb_str(&t), text));
	sb_free(&f);
	sb_free(&t);
	seal(text, "pw", &f);
	CHECK(!memmem(f.s, f.len, "wireguard", 9)); /* sealed: the text is not there */
	sb_init(&t);
	CHECK_EQ(wg_backup_open((const unsigned char *)f.s, f.len, "pw", &t, err, sizeof(err)), 0);
	CHECK(!strcmp(sb_str(&t), text));
	sb_free(&t);
	sb_init(&t);
	CHECK_EQ(wg_backup_open((const unsigned char *)f.s, f.len, "wrong", &t, err, sizeof(err)), -1);
	CHECK(strstr(err, "wrong password"), "%s", err);
	CHECK_EQ(t.len, 0);
	CHECK_EQ(wg_backup_open((const unsigned char *)f.s, f.len, NULL, &t, err, sizeof(err)), -1);
	CHECK(strstr(err, "password needed"), "%s", err);
	sb_free(&f);
	sb_free(&t);
}

TEST(format_refuses_tampering_and_expensive_parameters)
{
	struct sbuf f, t;
	char err[128];
	seal("# wgrouter state 1\n", "pw", &f);
	sb_init(&t);
	f.s[f.len - 1] ^= 1; /* the tag */
	CHECK_EQ(wg_backup_open((const unsigned char *)f.s, f.len, "pw", &t, err, sizeof(err)), -1);
	f.s[f.len - 1] ^= 1;
	char *mem = strstr(f.s, "mem=8192");
	CHECK(mem != NULL);
	memcpy(mem, "mem=8193", 8); /* the header is associated data */
	CHECK_EQ(wg_backup_open((const unsigned char *)f.s, f.len, "pw", &t, err, sizeof(err)), -1);
	static const char huge[] = "WGRBACKUP 1 argon2id ops=2 mem=4294967296 xchacha20poly1305\n0123456789012345678901234567890123456789012345678901234567890123";
	CHECK_EQ(wg_backup_open((const unsigned char *)huge, sizeof(huge) - 1, "pw", &t, err, sizeof(err)), -1);
	CHECK(strstr(err, "not a backup file"), "%s", err);
	static const char other[] = "/interface wireguard\nadd name=wg1\n";
	CHECK_EQ(wg_backup_open((const unsigned char *)other, sizeof(other) - 1, NULL, &t, err, sizeof(err)), -1);
	CHECK(strstr(err, "not a backup file"), "%s", err);
	CHECK_EQ(t.len, 0);
	sb_free(&f);
	sb_free(&t);
}

static bool mode_0600(const char *dir, const char *name)
{
	struct stat sb;
	char *p = xasprintf("%s/files/%s", dir, name);
	bool ok = stat(p, &sb) == 0 && (sb.st_mode & 0777) == 0600;
	free(p);
	return ok;
}

TEST(save_change_load_gives_the_export_of_before)
{
	char *dir = tmpdir(), priv[45], pub[45];
	struct fx *f = fx_new_dir(dir);
	fx_keypair(priv, pub);
	char *cmd = xasprintf("/interface/wireguard/add name=wg1 listen-port=51820 private-key=\"%s\"", priv);
	CHECK_EQ(fx_run(f, cmd), 0);
	free(cmd);
	CHECK_EQ(fx_run(f, "/ip/address/add address=192.0.2.1/24 interface=wg1"), 0);
	CHECK_EQ(fx_run(f, "/system/script/add name=s1 source=\":log info hi\""), 0);
	char *before = fx_export(f, "show-sensitive");
	CHECK_EQ(fx_run(f, "/system/backup/save name=b1 password=secret"), 0);
	CHECK(strstr(fx_last(f), "Configuration backup saved"));
	CHECK(mode_0600(dir, "b1.backup"));
	CHECK_EQ(fx_run(f, "/ip/address/add address=198.51.100.1/24 interface=wg1"), 0);
	CHECK_EQ(fx_run(f, "/interface/wireguard/remove wg1"), -1); /* in use: still there */
	CHECK_EQ(fx_run(f, "/system/identity/set name=changed"), 0);
	char *changed = fx_export(f, "show-sensitive");
	CHECK_EQ(fx_run(f, "/system/backup/load name=b1 password=wrong"), -1);
	CHECK(strstr(fx_err(f), "wrong password"), "%s", fx_err(f));
	char *after_wrong = fx_export(f, "show-sensitive");
	CHECK(!strcmp(after_wrong, changed));
	CHECK_EQ(fx_run(f, "/system/backup/load name=b1.backup password=secret"), 0);
	char *after = fx_export(f, "show-sensitive");
	CHECK(!strcmp(after, before), "\n%s\n---\n%s", after, before);
	CHECK(strstr(before, priv)); /* with the keys */
	free(before);
	free(changed);
	free(after_wrong);
	free(after);
	fx_free(f);
	rmdir_all(dir);
	free(dir);
}

TEST(files_print_remove_and_no_path_traversal)
{
	char *dir = tmpdir();
	struct fx *f = fx_new_dir(dir);
	CHECK_EQ(fx_run(f, "/system/identity/set name=r1"), 0); /* config.state written */
	CHECK_EQ(fx_run(f, "/system/backup/save name=plain dont-encrypt=yes"), 0);
	CHECK(mode_0600(dir, "plain.backup"));
	CHECK_EQ(fx_run(f, "/system/backup/save name=x password=p dont-encrypt=yes"), -1);
	fx_run(f, "/file/print");
	CHECK(strstr(fx_last(f), "plain.backup") && strstr(fx_last(f), "backup"), "%s", fx_last(f));
	static const char *const bad[] = {
		"/file/remove ../config.state", "/file/remove \"../../etc/passwd\"", "/file/remove /etc/passwd",
		"/file/remove .hidden", "/system/backup/save name=../x", "/system/backup/save name=/tmp/x",
		"/system/backup/load name=../config.state", "/system/backup/load name=\"a\\nb\"",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK_EQ(fx_run(f, bad[i]), -1);
		CHECK(strstr(fx_err(f), "invalid file name"), "%s: %s", bad[i], fx_err(f));
	}
	char *state = xasprintf("%s/config.state", dir);
	CHECK_EQ(access(state, F_OK), 0);
	free(state);
	CHECK_EQ(fx_run(f, "/file/remove nothere.backup"), -1);
	CHECK(strstr(fx_err(f), "no such item"));
	CHECK_EQ(fx_run(f, "/file/remove plain.backup,../config.state"), -1); /* all or nothing */
	CHECK(mode_0600(dir, "plain.backup"));
	CHECK_EQ(fx_run(f, "/file/remove plain.backup"), 0);
	CHECK(!mode_0600(dir, "plain.backup"));
	CHECK_EQ(fx_run(f, "/system/backup/load name=plain"), -1);
	fx_free(f);
	rmdir_all(dir);
	free(dir);
}
