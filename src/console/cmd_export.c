/* export and import. An import runs the file like pasted commands, stopping at the
 * first error; with dry-run it runs against a private copy of the configuration. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "console/export.h"
#include "console/interp.h"
#include "crypto/crypto.h"
#include "util/file.h"

static int write_file(struct wg_session *s, const char *path, const char *text, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	size_t n = strlen(text);
	if (fd < 0)
		return wg_err(s, "failure: could not write %s: %s", path, strerror(errno));
	bool ok = write(fd, text, n) == (ssize_t)n;
	ok = close(fd) == 0 && ok;
	return ok ? 0 : wg_err(s, "failure: could not write %s", path);
}

int wg_write_user_file(struct wg_session *s, const char *name, const char *ext, const char *text)
{
	size_t n = strlen(name), e = strlen(ext);
	char *fname = n > e && !strcmp(name + n - e, ext) ? xstrdup(name) : xasprintf("%s%s", name, ext);
	char *path = wg_path_file(s, fname);
	int rc = write_file(s, path, text, 0600);
	free(fname);
	free(path);
	return rc;
}

static int cmd_export(struct wg_call *c)
{
	struct wg_args a;
	unsigned flags = 0;
	int rc = wg_collect_args(c, &a);
	if (rc)
		return rc;
	wg_arg_flag(&a, "compact");
	wg_arg_flag(&a, "hide-sensitive");
	if (wg_arg_flag(&a, "verbose"))
		flags |= WG_EXPORT_VERBOSE;
	if (wg_arg_flag(&a, "terse"))
		flags |= WG_EXPORT_TERSE;
	if (wg_arg_flag(&a, "show-sensitive"))
		flags |= WG_EXPORT_SENSITIVE;
	if (!(wg_session_policies(c->s) & WG_POL_SENSITIVE))
		flags &= ~(unsigned)WG_EXPORT_SENSITIVE; /* show-sensitive needs the policy */
	const char *file = wg_arg_value(&a, "file");
	rc = wg_args_done(c, &a);
	if (!rc) {
		struct sbuf out;
		sb_init(&out);
		wg_export_text(wg_cur_store(c->s), c->menu->path, flags, &out);
		rc = file ? wg_write_user_file(c->s, file, ".rsc", sb_str(&out)) : (wg_outs(c->s, sb_str(&out)), 0);
		wg_wipe_sbuf(&out);
	}
	wg_args_free(&a);
	return rc;
}

/* Errors name the file as the user wrote it; the limit is the one of a script. */
static int read_error(struct wg_session *s, const char *name, int rc)
{
	if (rc == -ENOENT)
		return wg_err(s, "failure: no such file %s", name);
	if (rc == -EFBIG)
		return wg_err(s, "failure: file %s is larger than %d MiB", name, WG_SCRIPT_MAX >> 20);
	if (rc == -EINVAL)
		return wg_err(s, "failure: %s is not a regular file", name);
	return wg_err(s, "failure: could not read %s: %s", name, strerror(-rc));
}

int wg_read_user_file(struct wg_session *s, const char *name, const char *ext, struct sbuf *out)
{
	char *path = wg_path_file(s, name);
	int rc = wg_file_read(path, WG_SCRIPT_MAX, out);
	free(path);
	if (rc == -ENOENT && ext && !strchr(name, '.')) {
		char *with = xasprintf("%s%s", name, ext);
		path = wg_path_file(s, with);
		free(with);
		rc = wg_file_read(path, WG_SCRIPT_MAX, out);
		free(path);
	}
	return rc < 0 ? read_error(s, name, rc) : 0;
}

static int run_import(struct wg_session *s, const struct sbuf *text, bool dry)
{
	char err[128];
	struct wg_script *sc = wg_parse(sb_str(text), text->len, err, sizeof(err));
	if (!sc)
		return wg_err(s, "%s", err);
	struct wg_store *saved = s->shadow;
	if (dry)
		s->shadow = wg_store_clone(wg_cur_store(s));
	struct sbuf ret;
	sb_init(&ret);
	int rc = wg_run_nested(s, sc, "/", &ret, true);
	sb_free(&ret);
	if (dry) {
		wg_store_free(s->shadow);
		s->shadow = saved;
	}
	wg_script_free(sc);
	return rc;
}

static int cmd_import(struct wg_call *c)
{
	struct wg_args a;
	int rc = wg_collect_args(c, &a);
	if (rc)
		return rc;
	bool dry = wg_arg_flag(&a, "dry-run");
	wg_arg_flag(&a, "verbose");
	const char *name = wg_arg_value(&a, "file-name");
	if (!name)
		name = wg_arg_value(&a, "file");
	struct wg_arg *g = name ? NULL : wg_arg_unnamed(&a);
	if (!name && g)
		name = g->value;
	rc = name ? wg_args_done(c, &a) : wg_err(c->s, "missing value(s) of argument(s) file-name");
	struct sbuf text;
	sb_init(&text);
	if (!rc)
		rc = wg_read_user_file(c->s, name, ".rsc", &text); /* RouterOS finds x.rsc for file-name=x */
	if (!rc)
		rc = run_import(c->s, &text, dry);
	if (!rc)
		wg_outs(c->s, dry ? "Script file loaded and checked successfully (dry run: nothing changed)\n"
				  : "Script file loaded and executed successfully\n");
	wg_wipe_sbuf(&text);
	wg_args_free(&a);
	return rc;
}

const struct wg_cmddef wg_export_cmds[] = {
	{ "export", cmd_export, MF_ITEMS | MF_SETTINGS | MF_CONTAINER, NULL },
	{ "export", cmd_export, 0, "/interface" },
	{ "import", cmd_import, 0, "/" },
	{ NULL, NULL, 0, NULL },
};
