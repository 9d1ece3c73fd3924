/* How values are written back as text (print and export): quoted when the lexer would
 * not read them back as one value, with RouterOS's escapes. */
#include <ctype.h>
#include <string.h>
#include "console/interp.h"
#include "crypto/crypto.h"

static bool plain_char(char c)
{
	return isalnum((unsigned char)c) || strchr("._:,/*@!-", c);
}

static bool needs_quotes(const char *v)
{
	if (!*v)
		return true;
	for (const char *p = v; *p; p++)
		if (!plain_char(*p))
			return true;
	return false;
}

void wg_quote_value(struct sbuf *b, const char *v, bool force)
{
	if (!force && !needs_quotes(v)) {
		sb_add(b, v);
		return;
	}
	sb_addc(b, '"');
	for (const char *p = v; *p; p++) {
		switch (*p) {
		case '"': sb_add(b, "\\\""); break;
		case '\\': sb_add(b, "\\\\"); break;
		case '$': sb_add(b, "\\$"); break;
		case '?': sb_add(b, "\\?"); break;
		case '\n': sb_add(b, "\\n"); break;
		case '\r': sb_add(b, "\\r"); break;
		case '\t': sb_add(b, "\\t"); break;
		default: sb_addc(b, *p); break;
		}
	}
	sb_addc(b, '"');
}

void wg_wipe_sbuf(struct sbuf *b)
{
	if (b->s)
		wg_wipe(b->s, b->cap);
	sb_free(b);
}
