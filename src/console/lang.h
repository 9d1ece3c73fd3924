/* The RouterOS script language as data: tokens with their line and column, command
 * lines, and scripts ([...] substitutions and {...} blocks nest a script in a token). */
#ifndef WG_CONSOLE_LANG_H
#define WG_CONSOLE_LANG_H
#include <stdbool.h>
#include <stddef.h>

enum wg_tok_type {
	TK_WORD,   /* bare word: path, command, name, value */
	TK_STR,    /* "quoted" value, escapes resolved */
	TK_VAR,    /* $name (text = name) */
	TK_SUBST,  /* [ script ] */
	TK_BLOCK,  /* { script } */
	TK_LPAREN, TK_RPAREN,
	TK_EQ, TK_NE, TK_LT, TK_GT, TK_LE, TK_GE, TK_TILDE, TK_NOT,
	/* lexer only */
	TK_EOL, TK_EOF, TK_LBRACK, TK_RBRACK, TK_LBRACE, TK_RBRACE, TK_ERR,
};

struct wg_script;

struct wg_tok {
	enum wg_tok_type type;
	char *text;
	int line, col;     /* 1-based */
	bool space;        /* white space before it: `a=b` vs `a =b`, concatenation */
	struct wg_script *sub;
};

struct wg_cmdline {
	struct wg_tok *t;
	size_t n;
	int line, col;
};

struct wg_script {
	struct wg_cmdline *cmds;
	size_t n;
};

/* Lexer (lexer.c). value mode follows an operator written without space after it:
 * the value then runs to white space, so base64 keys with '=' need no quotes. */
struct wg_lexer {
	const char *s;
	size_t len, pos;
	int line, col;
	int paren;          /* open '(' count: a bare value stops at ')' only inside them */
	bool after_op;      /* the previous token was an operator */
	char err[96];
};
void wg_lex_init(struct wg_lexer *lx, const char *text, size_t len);
/* The next token; TK_ERR with lx->err set on a bad string or a NUL byte. */
struct wg_tok wg_lex_next(struct wg_lexer *lx);

/* How deep [...], {...}, parentheses and `!` may nest in one script or expression.
 * Deeper input is refused while parsing: the parsers recurse, and 100,000 nested
 * brackets would overflow the stack long before the interpreter's limit applied. */
enum { WG_LANG_MAX_DEPTH = 32 };

/* Parser (parser.c): text of len bytes (a NUL inside is an error, not the end). NULL on
 * error with "syntax error (line L column C)" (or the nesting limit's message) in err. */
struct wg_script *wg_parse(const char *text, size_t len, char *err, size_t errlen);
void wg_script_free(struct wg_script *s);
void wg_tok_free(struct wg_tok *t);
#endif
