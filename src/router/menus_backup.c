/* /system/backup save|load, /file (the files the router wrote: exports, backups, client
 * configurations, captures) and /system/reboot. Backups and /file live in the state
 * directory's files/ (wg_router_files_path): a name is one plain file name there, never
 * a path, for every door and every user. */
#include <dirent.h>
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "crypto/crypto.h"
#include "router/apply.h"
#include "router/backup.h"
#include "router/menus.h"
#include "router/policy.h"
#include "router/units.h"
#include "util/file.h"

enum { FILE_NAME_MAX = 128, FILES_MAX = 1024 };

static int fail(struct wg_action_ctx *a, const char *msg)
{
	snprintf(a->err, a->errlen, "%s", msg);
	return -1;
}

/* DIR/files/NAME for a plain name (no '/', no leading '.', no control characters,
 * bounded); NULL otherwise. */
static char *file_path(struct wg_router *r, const char *name)
{
	if (!name || strlen(name) > FILE_NAME_MAX)
		return NULL;
	for (const char *p = name; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return NULL;
	return wg_router_files_path(r, name);
}

/* ---- /system/backup ---- */

/* NAME.backup unless it already ends so. */
static char *with_ext(const char *name)
{
	size_t n = strlen(name);
	return n > 7 && !strcmp(name + n - 7, ".backup") ? xstrdup(name) : xasprintf("%s.backup", name);
}

/* The file and its text hold every key. */
static void wipe_both(struct sbuf *x, struct sbuf *y)
{
	wg_wipe(x->s, x->len);
	wg_wipe(y->s, y->len);
	sb_free(x);
	sb_free(y);
}

static char *backup_name(struct wg_action_ctx *a)
{
	const char *name = wg_action_arg(a, "name");
	if (name)
		return with_ext(name);
	const struct wg_table *t = wg_store_ctable(wg_router_store(a->r), &wg_menu_identity);
	char stamp[32];
	time_t now = time(NULL);
	struct tm tm;
	localtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M", &tm);
	return xasprintf("%s-%s.backup", t->n ? wg_item_get(&wg_menu_identity, t->v[0], "name") : "wgrouter", stamp);
}

static int backup_save(struct wg_action_ctx *a)
{
	const char *pw = wg_action_arg(a, "password"), *plain = wg_action_arg(a, "dont-encrypt");
	bool dont = false;
	if (plain && !wg_parse_bool(plain, &dont))
		return fail(a, "invalid value for argument dont-encrypt");
	if (dont && pw)
		return fail(a, "failure: password and dont-encrypt=yes exclude each other");
	if (pw && !*pw)
		return fail(a, "failure: empty password");
	char *name = backup_name(a), *path = file_path(a->r, name);
	struct sbuf text, file;
	int rc = -1;
	sb_init(&text);
	sb_init(&file);
	wg_persist_text(wg_router_store(a->r), &text);
	if (!path)
		fail(a, "failure: invalid file name");
	else if (wg_backup_seal(sb_str(&text), text.len, pw, &file) < 0)
		fail(a, "failure: not enough memory");
	else if ((rc = wg_file_replace(path, file.s, file.len)) < 0)
		snprintf(a->err, a->errlen, "failure: could not write %s: %s", name, strerror(-rc));
	else
		sb_printf(a->out, "Configuration backup saved\n");
	wipe_both(&text, &file);
	free(name);
	free(path);
	return rc < 0 ? -1 : 0;
}

/* The loaded store replaces the clone the action works on: committed as one change. */
static int backup_load(struct wg_action_ctx *a)
{
	const char *arg = wg_action_arg(a, "name");
	if (!arg)
		return fail(a, "missing value(s) of argument(s) name");
	char *name = with_ext(arg), *path = file_path(a->r, name);
	struct sbuf file, text;
	struct wg_store *loaded = NULL;
	int rc = -1;
	sb_init(&file);
	sb_init(&text);
	if (!path)
		fail(a, "failure: invalid file name");
	else if ((rc = wg_file_read(path, WG_BACKUP_MAX, &file)) < 0)
		snprintf(a->err, a->errlen, "failure: cannot open %s: %s", name,
			 rc == -EFBIG ? "file too large" : strerror(-rc));
	else if ((rc = wg_backup_open((const unsigned char *)file.s, file.len, wg_action_arg(a, "password"), &text,
				      a->err, a->errlen)) == 0 &&
		 (rc = wg_persist_parse(text.s ? text.s : (char *)"", &loaded, a->err, a->errlen)) < 0)
		snprintf(a->err, a->errlen, "failure: %s is not a backup of this router", name);
	if (!rc) {
		struct wg_store swap = *a->next;
		*a->next = *loaded;
		*loaded = swap;
		a->changed = true;
		sb_printf(a->out, "configuration restored from %s\n", name);
	}
	wg_store_free(loaded);
	wipe_both(&file, &text);
	free(name);
	free(path);
	return rc < 0 ? -1 : 0;
}

static const char *const save_params[] = { "name", "password", "dont-encrypt", NULL };
static const char *const load_params[] = { "name", "password", NULL };

static const struct wg_action backup_actions[] = {
	/* the file holds every key: whoever saves one may read them */
	{ "save", save_params, WG_POL_READ | WG_POL_SENSITIVE, backup_save },
	/* replaces users and keys as well */
	{ "load", load_params, WG_POL_WRITE | WG_POL_POLICY | WG_POL_SENSITIVE, backup_load },
	{ NULL, NULL, 0, NULL },
};

const struct wg_menu wg_menu_backup = {
	.path = "/system/backup", .flags = MF_CONTAINER, .actions = backup_actions,
};

/* ---- /file ---- */

static const struct wg_prop file_props[] = {
	{ "name", PT_STR, PF_RO, NULL, NULL, 0, 0 },
	{ "type", PT_STR, PF_RO, NULL, NULL, 0, 0 },
	{ "size", PT_BYTES, PF_RO, NULL, NULL, 0, 0 },
	{ "creation-time", PT_STR, PF_RO, NULL, NULL, 0, 0 },
	P_END,
};
static const char *const file_cols[] = { "name", "type", "size", "creation-time", NULL };

static const char *file_type(const char *name)
{
	static const struct { const char *ext, *type; } types[] = {
		{ ".backup", "backup" }, { ".rsc", "script" }, { ".conf", "wireguard config" },
		{ ".pcap", "packet capture" }, { ".png", "image" },
	};
	size_t n = strlen(name);
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		size_t e = strlen(types[i].ext);
		if (n > e && !strcmp(name + n - e, types[i].ext))
			return types[i].type;
	}
	return "file";
}

static int by_name(const struct dirent **x, const struct dirent **y)
{
	return strcmp((*x)->d_name, (*y)->d_name);
}

/* The regular files of DIR/files, by name (at most FILES_MAX); *out freed by the caller. */
static int list_files(struct wg_router *r, struct dirent ***out)
{
	const char *dir = wg_router_state_dir(r);
	if (!dir)
		return 0;
	char *path = xasprintf("%s/files", dir);
	int n = scandir(path, out, NULL, by_name);
	free(path);
	return n < 0 ? 0 : n;
}

static void file_item(struct wg_router *r, const char *name, uint32_t id, struct wg_itemlist *out)
{
	const struct wg_menu *m = &wg_menu_file;
	char *path = file_path(r, name), buf[32];
	struct stat sb;
	if (path && lstat(path, &sb) == 0 && S_ISREG(sb.st_mode) && !strstr(name, ".tmp")) {
		struct wg_item *it = wg_virtual_item(m, id);
		wg_item_set(m, it, "name", name);
		wg_item_set(m, it, "type", file_type(name));
		snprintf(buf, sizeof(buf), "%lld", (long long)sb.st_size);
		wg_item_set(m, it, "size", buf);
		wg_item_set(m, it, "creation-time", wg_datetime_format((uint64_t)sb.st_mtime, buf, sizeof(buf)));
		wg_itemlist_push(out, it);
	}
	free(path);
}

static void file_list(struct wg_router *r, struct wg_itemlist *out)
{
	struct dirent **v = NULL;
	int n = list_files(r, &v);
	for (int i = 0; i < n; i++) {
		if (i < FILES_MAX && v[i]->d_name[0] != '.')
			file_item(r, v[i]->d_name, (uint32_t)i + 1, out);
		free(v[i]);
	}
	free(v);
}

/* A name, or *N as print and find show it. */
static char *file_ref(struct wg_router *r, const char *ref)
{
	uint32_t id;
	if (ref[0] != '*' || !wg_id_parse(ref, &id))
		return xstrdup(ref);
	struct wg_itemlist l = { 0 };
	char *name = NULL;
	file_list(r, &l);
	for (size_t i = 0; i < l.n; i++)
		if (l.v[i]->id == id)
			name = xstrdup(wg_item_get(&wg_menu_file, l.v[i], "name"));
	wg_itemlist_free(&wg_menu_file, &l);
	return name;
}

/* The file a reference names, when it is one of the router's regular files. */
static char *existing_file(struct wg_action_ctx *a, const char *ref)
{
	char *name = file_ref(a->r, ref), *path = name ? file_path(a->r, name) : NULL;
	struct stat sb;
	if (!path)
		fail(a, "failure: invalid file name");
	else if (lstat(path, &sb) < 0 || !S_ISREG(sb.st_mode))
		fail(a, "no such item");
	else {
		free(name);
		return path;
	}
	free(name);
	free(path);
	return NULL;
}

/* Every name is checked before any file goes: a bad one in a list removes nothing. */
static int file_remove(struct wg_action_ctx *a)
{
	const char *refs = wg_action_arg(a, "numbers");
	if (!refs || !*refs)
		return fail(a, "missing value(s) of argument(s) numbers");
	struct strvec v = { 0 };
	sv_split(&v, refs, ',');
	char **paths = xcalloc(v.n + 1, sizeof(char *));
	int rc = 0;
	for (size_t i = 0; i < v.n && !rc; i++)
		rc = (paths[i] = existing_file(a, v.v[i])) ? 0 : -1;
	for (size_t i = 0; i < v.n && !rc; i++)
		if (unlink(paths[i]) < 0 && errno != ENOENT)
			rc = fail(a, "failure: could not remove file");
	for (size_t i = 0; i < v.n; i++)
		free(paths[i]);
	free(paths);
	sv_free(&v);
	return rc;
}

static const char *const remove_params[] = { "numbers", NULL };
static const struct wg_action file_actions[] = {
	{ "remove", remove_params, WG_POL_WRITE, file_remove },
	{ NULL, NULL, 0, NULL },
};

const struct wg_menu wg_menu_file = {
	.path = "/file", .flags = MF_VIRTUAL | MF_NOEXPORT, .props = file_props, .columns = file_cols,
	.name_prop = "name", .list = file_list, .actions = file_actions,
};

/* ---- /system/reboot ---- */

/* RouterOS restarts the device; wgrouter restarts the daemon (it re-executes itself
 * once this command is answered): every interface is stopped and set up again from
 * the saved configuration. */
static int reboot_run(struct wg_action_ctx *a)
{
	wg_router_logf(a->r, "system,info", "system reboot requested");
	wg_router_request_restart(a->r);
	sb_printf(a->out, "Restarting the router daemon\n");
	return 0;
}

const struct wg_action wg_system_actions[] = {
	{ "reboot", NULL, WG_POL_REBOOT, reboot_run },
	{ NULL, NULL, 0, NULL },
};
