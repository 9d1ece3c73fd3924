/* /export: per menu a `/interface wireguard` line, then `add` lines with the
 * properties in alphabetical order (compact: only those that differ from defaults),
 * long lines wrapped with " \" and four spaces. Menus come in dependency order, so the
 * text imports into an empty router and exports again identically. */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "console/export.h"
#include "console/interp.h"

static int by_name(const void *a, const void *b)
{
	return strcmp((*(const struct wg_prop *const *)a)->name, (*(const struct wg_prop *const *)b)->name);
}

static bool under_path(const char *path, const char *under)
{
	size_t n = strlen(under);
	if (!strcmp(under, "/"))
		return true;
	return !strncmp(path, under, n) && (path[n] == 0 || path[n] == '/');
}

/* One `add`/`set` command; words are wrapped to keep lines within 80 columns. */
static void emit_command(struct sbuf *out, const char *prefix, const struct strvec *words, bool terse)
{
	size_t col = strlen(prefix);
	sb_add(out, prefix);
	for (size_t i = 0; i < words->n; i++) {
		size_t w = strlen(words->v[i]);
		if (!terse && col + 1 + w > 78 && col > 4) {
			sb_add(out, " \\\n    ");
			col = 4;
		} else {
			sb_addc(out, ' ');
			col++;
		}
		sb_add(out, words->v[i]);
		col += w;
	}
	sb_addc(out, '\n');
}

static void item_words(const struct wg_menu *m, const struct wg_item *it, unsigned flags, struct strvec *words)
{
	size_t np = wg_menu_nprops(m);
	const struct wg_prop **sorted = xcalloc(np + 1, sizeof(*sorted));
	for (size_t i = 0; i < np; i++)
		sorted[i] = &m->props[i];
	qsort(sorted, np, sizeof(*sorted), by_name);
	for (size_t k = 0; k < np; k++) {
		const struct wg_prop *p = sorted[k];
		int i = (int)(p - m->props);
		const char *v = it->vals[i];
		if ((p->flags & (PF_RO | PF_RUNTIME | PF_HIDDEN | PF_WRITEONLY)) ||
		    ((p->flags & PF_SENSITIVE) && !(flags & WG_EXPORT_SENSITIVE)))
			continue;
		if (!v && (flags & WG_EXPORT_VERBOSE))
			v = wg_item_show(m, it, i); /* the default, also a row's own (/ip/service port) */
		if (!v || (!(flags & WG_EXPORT_VERBOSE) && p->def && !strcmp(v, p->def)))
			continue;
		struct sbuf w;
		sb_init(&w);
		sb_printf(&w, "%s=", p->name);
		wg_quote_value(&w, v, false);
		sv_push_take(words, sb_take(&w));
	}
	free(sorted);
}

static void export_table(const struct wg_table *t, unsigned flags, struct sbuf *out)
{
	const struct wg_menu *m = t->menu;
	char path[96];
	bool terse = flags & WG_EXPORT_TERSE, settings = m->flags & MF_SETTINGS, header = false;
	bool fixed = m->flags & MF_FIXED; /* rows every router has: `set NAME ...` */
	wg_menu_export_path(m, path, sizeof(path));
	for (size_t i = 0; i < t->n; i++) {
		struct strvec words = { 0 };
		item_words(m, t->v[i], flags, &words);
		if ((settings || fixed) && !words.n) {
			sv_free(&words);
			continue;
		}
		if (!terse && !header)
			sb_printf(out, "%s\n", path);
		header = true;
		struct sbuf verb;
		sb_init(&verb);
		sb_add(&verb, settings || fixed ? "set" : "add");
		if (fixed) {
			sb_addc(&verb, ' ');
			wg_quote_value(&verb, wg_item_get(m, t->v[i], m->name_prop) ?: "\"\"", false);
		}
		char *prefix = terse ? xasprintf("%s %s", path, sb_str(&verb)) : sb_take(&verb);
		sb_free(&verb);
		emit_command(out, prefix, &words, terse);
		free(prefix);
		sv_free(&words);
	}
}

void wg_export_text(const struct wg_store *st, const char *under, unsigned flags, struct sbuf *out)
{
	if (!(flags & WG_EXPORT_NOHEADER)) {
		char date[32];
		time_t now = time(NULL);
		struct tm tm;
		localtime_r(&now, &tm);
		strftime(date, sizeof(date), "%Y-%m-%d %H:%M:%S", &tm);
		sb_printf(out, "# %s by wgrouter\n", date);
	}
	for (size_t i = 0; i < st->n; i++) {
		const struct wg_menu *m = st->t[i].menu;
		if (!(m->flags & (MF_ITEMS | MF_SETTINGS)) || (m->flags & (MF_VIRTUAL | MF_NOEXPORT)))
			continue;
		if (under_path(m->path, under))
			export_table(&st->t[i], flags, out);
	}
}
