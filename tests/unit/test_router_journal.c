/* The journal of commits after a snapshot (src/router/journal.c): a commit appends one
 * record instead of rewriting the state file; a restart replays it (order of items
 * included); a torn last record (a kill in the middle of a commit) is cut off and the
 * records before it kept; a journal of an older snapshot is ignored; a journal that grew
 * is folded into a new snapshot. */
#include "test.h"
#include "test_console_fixture.h"
#include <sys/stat.h>
#include "router/apply.h"
#include "router/store.h"

static char *tmpdir(void)
{
	char *d = fx_tmpdir("journal");
	CHECK(d != NULL);
	return d;
}

static void rmdir_all(const char *d) { CHECK_EQ(fx_rmdir_all(d), 0); }

static long file_size(const char *dir, const char *name)
{
	char *path = xasprintf("%s/%s", dir, name);
	struct stat st;
	long n = stat(path, &st) ? -1 : (long)st.st_size;
	free(path);
	return n;
}

static void append_text(const char *dir, const char *name, const char *text)
{
	char *path = xasprintf("%s/%s", dir, name);
	FILE *f = fopen(path, "a");
	CHECK(f && fputs(text, f) >= 0);
	if (f)
		fclose(f);
	free(path);
}

/* The export of a router started afresh on dir. */
static char *export_after_restart(const char *dir)
{
	struct fx *b = fx_new_dir(dir);
	char *e = fx_export(b, "show-sensitive verbose");
	fx_free(b);
	return e;
}

TEST(commits_go_to_the_journal_and_survive_a_restart)
{
	char *dir = tmpdir(), priv[45], pub[45];
	fx_keypair(priv, pub);
	struct fx *a = fx_new_dir(dir);
	CHECK_EQ(fx_run(a, "/interface/wireguard/add name=wg0\n/ip/firewall/filter/add chain=input action=accept\n"
			   "/ip/firewall/filter/add chain=input action=drop"), 0);
	long state = file_size(dir, "config.state");
	CHECK(file_size(dir, "config.journal") > 0, "the later commits are journaled");
	char *cmd = xasprintf("/interface/wireguard/peers/add interface=wg0 public-key=\"%s\" "
			      "allowed-address=10.0.0.2/32 comment=\"a \\\"quoted\\\" one\"\n"
			      "/interface/wireguard/set wg0 mtu=1380\n/ip/firewall/filter/remove 0", pub);
	CHECK_EQ(fx_run(a, cmd), 0);
	free(cmd);
	CHECK(file_size(dir, "config.state") == state, "the snapshot is not rewritten per commit");
	struct stat st;
	char *jp = xasprintf("%s/config.journal", dir);
	CHECK(stat(jp, &st) == 0 && (st.st_mode & 0777) == 0600);
	char *before = fx_export(a, "show-sensitive verbose");
	fx_free(a);
	char *after = export_after_restart(dir);
	CHECK(!strcmp(before, after), "before:\n%s\nafter:\n%s", before, after);
	free(jp);
	free(before);
	free(after);
	rmdir_all(dir);
	free(dir);
}

TEST(a_moved_rule_keeps_its_place_after_a_restart)
{
	char *dir = tmpdir();
	struct fx *a = fx_new_dir(dir);
	CHECK_EQ(fx_run(a, "/ip/firewall/filter/add chain=input comment=one\n"
			   "/ip/firewall/filter/add chain=input comment=two\n"
			   "/ip/firewall/filter/add chain=input comment=three\n"
			   "/ip/firewall/filter/move 2 0\n"
			   "/ip/firewall/filter/add chain=input comment=zero place-before=0"), 0);
	char *before = fx_export(a, "show-sensitive verbose");
	fx_free(a);
	char *after = export_after_restart(dir);
	CHECK(strstr(before, "comment=zero") < strstr(before, "comment=three") &&
	      strstr(before, "comment=three") < strstr(before, "comment=one"), "%s", before);
	CHECK(!strcmp(before, after), "before:\n%s\nafter:\n%s", before, after);
	free(before);
	free(after);
	rmdir_all(dir);
	free(dir);
}

TEST(a_torn_last_record_is_cut_and_the_rest_kept)
{
	char *dir = tmpdir();
	struct fx *a = fx_new_dir(dir);
	CHECK_EQ(fx_run(a, "/interface/wireguard/add name=wg0\n/interface/wireguard/add name=wg1"), 0);
	fx_free(a);
	long whole = file_size(dir, "config.journal");
	/* a kill during the next commit: its record written in part, never acknowledged */
	append_text(dir, "config.journal", "item /interface/wireguard *9 name=\"half\"\nend 40 00");
	struct fx *b = fx_new_dir(dir);
	CHECK(file_size(dir, "config.journal") == whole, "the torn tail is cut off");
	CHECK_EQ(fx_run(b, ":put [/interface/wireguard/print count-only]"), 0);
	CHECK(!strcmp(fx_last(b), "2\n"), "%s", fx_last(b));
	CHECK_EQ(fx_run(b, "/interface/wireguard/add name=wg2"), 0);
	fx_free(b);
	struct fx *c = fx_new_dir(dir);
	CHECK_EQ(fx_run(c, ":put [/interface/wireguard/print count-only]"), 0);
	CHECK(!strcmp(fx_last(c), "3\n"), "the commit after the repair is read: %s", fx_last(c));
	fx_free(c);
	rmdir_all(dir);
	free(dir);
}

TEST(a_record_with_a_wrong_hash_is_not_applied)
{
	char *dir = tmpdir();
	struct fx *a = fx_new_dir(dir);
	CHECK_EQ(fx_run(a, "/interface/wireguard/add name=wg0\n/interface/wireguard/add name=wg1"), 0);
	fx_free(a);
	append_text(dir, "config.journal", "del /interface/wireguard *1\nend 28 0000000000000000\n");
	struct fx *b = fx_new_dir(dir);
	CHECK_EQ(fx_run(b, ":put [/interface/wireguard/print count-only]"), 0);
	CHECK(!strcmp(fx_last(b), "2\n"), "%s", fx_last(b));
	fx_free(b);
	rmdir_all(dir);
	free(dir);
}

TEST(a_journal_of_an_older_snapshot_is_ignored)
{
	char *dir = tmpdir();
	struct fx *a = fx_new_dir(dir);
	CHECK_EQ(fx_run(a, "/interface/wireguard/add name=wg0\n/interface/wireguard/add name=wg1"), 0);
	fx_free(a);
	char *jp = xasprintf("%s/config.journal", dir), *old = xasprintf("%s/old.journal", dir);
	CHECK_EQ(rename(jp, old), 0);
	/* wg1 lives only in the journal: without it the router has one interface */
	struct fx *b = fx_new_dir(dir);
	CHECK_EQ(fx_run(b, ":put [/interface/wireguard/print count-only]"), 0);
	CHECK(!strcmp(fx_last(b), "1\n"), "%s", fx_last(b));
	fx_free(b);
	/* a new snapshot (another generation); then the old journal comes back */
	char err[256];
	struct wg_store *st = NULL;
	CHECK_EQ(wg_persist_load(dir, &st, err, sizeof(err)), 0);
	CHECK_EQ(wg_persist_save(dir, st, err, sizeof(err)), 0);
	wg_store_free(st);
	CHECK_EQ(rename(old, jp), 0);
	struct fx *c = fx_new_dir(dir);
	CHECK_EQ(fx_run(c, ":put [/interface/wireguard/print count-only]"), 0);
	CHECK(!strcmp(fx_last(c), "1\n"), "the stale journal is not replayed: %s", fx_last(c));
	fx_free(c);
	free(jp);
	free(old);
	rmdir_all(dir);
	free(dir);
}

TEST(a_grown_journal_is_folded_into_a_snapshot)
{
	char *dir = tmpdir();
	struct fx *a = fx_new_dir(dir);
	CHECK_EQ(fx_run(a, "/interface/wireguard/add name=wg0"), 0);
	/* each commit journals a ~4 KiB comment: 100 of them pass the 256 KiB threshold */
	char *big = xmalloc(4001);
	memset(big, 'x', 4000);
	big[4000] = 0;
	long max_journal = 0;
	for (int i = 0; i < 100; i++) {
		char *cmd = xasprintf("/interface/wireguard/set wg0 comment=\"%d%s\"", i, big);
		CHECK_EQ(fx_run(a, cmd), 0);
		free(cmd);
		long j = file_size(dir, "config.journal");
		max_journal = j > max_journal ? j : max_journal;
	}
	CHECK(max_journal < 300 * 1024, "the journal stays bounded: %ld", max_journal);
	CHECK(file_size(dir, "config.journal") < max_journal, "it was folded and started again");
	char *before = fx_export(a, "show-sensitive verbose");
	fx_free(a);
	char *after = export_after_restart(dir);
	CHECK(!strcmp(before, after));
	CHECK(strstr(after, "comment=99xxx") != NULL);
	free(big);
	free(before);
	free(after);
	rmdir_all(dir);
	free(dir);
}
