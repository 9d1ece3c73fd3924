/* `wgrouter cli [--state-dir DIR] [COMMAND ...]`: the console of the running daemon.
 * With arguments it runs them as one command line, with a pipe or file on stdin it runs
 * that script, on a terminal it is an interactive console with the current menu in
 * the prompt, history and tab completion (asked from the daemon). Exit status 1 when a
 * command failed. Ctrl-C never ends the cli: at the prompt it abandons the line, during
 * a command it asks the daemon to cancel it (a K frame) and waits for its end (ping
 * prints its summary); in the argument and script forms the cli then exits 130. */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <readline/history.h>
#include <readline/readline.h>
#include "cmd/cmd.h"
#include "cmd/ctl.h"
#include "console/console.h"
#include "util/alloc.h"
#include "util/sbuf.h"
#include "util/strvec.h"

static int ctl_fd = -1;
static char *prompt;
static volatile sig_atomic_t got_sigint;
static bool interrupted;   /* a command was cancelled with Ctrl-C */
static bool abandoned;     /* Ctrl-C at the prompt: the line being typed is dropped */

static void on_sigint(int sig)
{
	got_sigint = 1;
}

/* No SA_RESTART: a blocking read or poll returns EINTR and the flag is looked at. */
static void catch_sigint(void)
{
	struct sigaction sa = { .sa_handler = on_sigint };
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
}

/* Waits for the daemon's next frame; Ctrl-C meanwhile sends a cancel frame. */
static void await_frame(void)
{
	for (;;) {
		if (got_sigint) {
			got_sigint = 0;
			interrupted = true;
			wg_ctl_send(ctl_fd, 'K', "", 0);
		}
		struct pollfd p = { .fd = ctl_fd, .events = POLLIN };
		if (poll(&p, 1, -1) > 0)
			return;
	}
}

static int connect_daemon(const char *dir)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	snprintf(a.sun_path, sizeof(a.sun_path), "%s/" WG_CTL_SOCKET, dir);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		if (errno == EACCES || errno == EPERM)
			fprintf(stderr, "wgrouter: %s: permission denied (the console needs root)\n", a.sun_path);
		else
			fprintf(stderr, "wgrouter: cannot reach the router at %s: %s (is `wgrouter daemon` running?)\n",
				a.sun_path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

/* Prints the daemon's output until the end of the request; returns its status. */
static int finish(struct strvec *list)
{
	for (;;) {
		char type, *data;
		size_t len;
		await_frame();
		if (wg_ctl_recv(ctl_fd, &type, &data, &len) < 0) {
			fputs("wgrouter: connection to the router lost\n", stderr);
			return 1;
		}
		if (type == 'O' || type == 'E') {
			fwrite(data, 1, len, type == 'O' ? stdout : stderr);
			fflush(type == 'O' ? stdout : stderr);
		} else if (type == 'L' && list) {
			sv_split(list, data, '\n');
		} else if (type == 'D') {
			char *nl = strchr(data, '\n');
			int status = atoi(data);
			if (nl) {
				free(prompt);
				prompt = xstrdup(nl + 1);
			}
			free(data);
			return status;
		}
		free(data);
	}
}

static int too_long(void)
{
	fprintf(stderr, "failure: script longer than %d MiB\n", WG_SCRIPT_MAX >> 20);
	return 1;
}

/* A send that fails still reads what the router said before it closed (why it
 * refused this client): finish prints that, or that the connection was lost. */
static int request_n(char type, const char *text, size_t len, struct strvec *list)
{
	if (len > WG_SCRIPT_MAX)
		return too_long();
	got_sigint = 0; /* a Ctrl-C from before cancels nothing of this request */
	wg_ctl_send(ctl_fd, type, text, len);
	return finish(list);
}

static int request(char type, const char *text, struct strvec *list)
{
	return request_n(type, text, strlen(text), list);
}

/* The script on stdin, whole (NUL bytes too: the router reports them), up to the
 * console's limit. */
static int run_stdin(void)
{
	struct sbuf b;
	sb_init(&b);
	int rc = sb_read_stream_max(&b, stdin, WG_SCRIPT_MAX) < 0 ? too_long() : request_n('S', sb_str(&b), b.len, NULL);
	sb_free(&b);
	return rc;
}

/* Shell words back into one command line: `comment=two words` or `message~a b` (one
 * shell word holding one name=value) regains its quotes; a whole command line in one
 * word, or a [substitution], stays as it is. */
static void join_word(struct sbuf *b, const char *a)
{
	size_t name = strcspn(a, "=~<>"), blank = strcspn(a, " \t");
	bool command = a[0] == '/' || a[0] == ':' || strchr(a, ';'); /* a whole line in one word */
	bool spaced = a[blank] && a[0] != '[' && a[0] != '"' && !command;
	if (!spaced || (a[name] && blank < name)) {
		sb_add(b, a);
	} else if (a[name]) {
		const char *v = a + name + 1;
		sb_addn(b, a, name + 1);
		if (v[0] == '"' || v[0] == '[')
			sb_add(b, v);
		else
			sb_printf(b, "\"%s\"", v);
	} else {
		sb_printf(b, "\"%s\"", a);
	}
}

static char *join_args(int argc, char **argv)
{
	struct sbuf b;
	sb_init(&b);
	for (int i = 0; i < argc; i++) {
		if (i)
			sb_addc(&b, ' ');
		join_word(&b, argv[i]);
	}
	return sb_take(&b);
}

/* ---- interactive ---- */

static struct strvec matches;
static size_t match_next;

static char *match_gen(const char *text, int state)
{
	if (!state) {
		sv_free(&matches);
		match_next = 0;
		char *line = xstrndup(rl_line_buffer, (size_t)rl_point);
		request('T', line, &matches);
		free(line);
	}
	return match_next < matches.n ? xstrdup(matches.v[match_next++]) : NULL;
}

static char **complete(const char *text, int start, int end)
{
	rl_attempted_completion_over = 1;
	if (matches.n == 1 || text[0])
		rl_completion_append_character = ' ';
	char **m = rl_completion_matches(text, match_gen);
	if (m && m[0] && m[0][strlen(m[0]) - 1] == '=')
		rl_completion_append_character = '\0';
	return m;
}

/* `?` prints the help of the line typed so far (asked from the daemon over the
 * completion frame) and keeps the line, as RouterOS does; inside a quoted string it is
 * just a character. */
static bool in_quotes(const char *s, int end)
{
	bool q = false;
	for (int i = 0; i < end; i++) {
		if (s[i] == '\\' && i + 1 < end)
			i++;
		else if (s[i] == '"')
			q = !q;
	}
	return q;
}

static int help_key(int count, int key)
{
	if (in_quotes(rl_line_buffer, rl_point))
		return rl_insert(count, key);
	struct strvec lines = { 0 };
	char *line = xasprintf("%c%.*s", WG_HELP_MARK, rl_point, rl_line_buffer);
	request('T', line, &lines);
	free(line);
	rl_crlf();
	for (size_t i = 0; i < lines.n; i++)
		printf("%s\n", lines.v[i]);
	fflush(stdout);
	sv_free(&lines);
	rl_on_new_line();
	rl_redisplay();
	return 0;
}

static char *history_path(void)
{
	const char *home = getenv("HOME");
	return home ? xasprintf("%s/.wgrouter_history", home) : NULL;
}

/* Ctrl-C while readline waits for a key: the line is dropped, a fresh prompt shown. */
static int on_readline_signal(void)
{
	if (!got_sigint)
		return 0;
	got_sigint = 0;
	abandoned = true;
	rl_replace_line("", 0);
	rl_crlf();
	rl_set_prompt(prompt ? prompt : "> ");
	rl_on_new_line();
	rl_redisplay();
	return 0;
}

/* Lines ending in a backslash continue on the next one, as in RouterOS. */
static char *read_command(void)
{
	struct sbuf b;
	sb_init(&b);
	const char *p = prompt ? prompt : "> ";
	abandoned = false;
	for (;;) {
		char *line = readline(p);
		if (abandoned) { /* what came before Ctrl-C (continued lines) is dropped too */
			abandoned = false;
			sb_reset(&b);
		}
		if (!line) {
			if (!b.len) {
				sb_free(&b);
				return NULL;
			}
			break;
		}
		size_t n = strlen(line);
		sb_add(&b, line);
		free(line);
		if (!n || b.s[b.len - 1] != '\\')
			break;
		sb_addc(&b, '\n');
		p = "\\ ";
	}
	return sb_take(&b);
}

static int interactive(void)
{
	char *hist = history_path();
	rl_attempted_completion_function = complete;
	rl_completer_word_break_characters = " ";
	rl_catch_signals = 0; /* SIGINT is ours: on_sigint, then on_readline_signal */
	rl_signal_event_hook = on_readline_signal;
	rl_bind_key('?', help_key);
	if (hist)
		read_history(hist);
	request('P', "", NULL);
	for (char *line; (line = read_command());) {
		if (!strcmp(line, "quit") || !strcmp(line, "/quit")) {
			free(line);
			break;
		}
		if (*line) {
			add_history(line);
			request('R', line, NULL);
		}
		free(line);
	}
	if (hist)
		write_history(hist);
	free(hist);
	return 0;
}

/* Words on the command line are one command; otherwise stdin is a script or a terminal. */
static int run(int argc, char **argv)
{
	if (argc) {
		char *line = join_args(argc, argv);
		int rc = request('R', line, NULL);
		free(line);
		return rc;
	}
	return isatty(STDIN_FILENO) ? interactive() : run_stdin();
}

#define USAGE "Usage: wgrouter cli [--state-dir DIR] [COMMAND ...]\n"

static void help(void)
{
	fputs(USAGE "\n"
	      "The RouterOS console of the running router (`wgrouter daemon`), as root:\n"
	      "  wgrouter cli                       interactive: history, tab completion,\n"
	      "                                     the current menu in the prompt; quit ends\n"
	      "  wgrouter cli /ip/address/print     one command line from the arguments\n"
	      "  wgrouter cli < site.rsc            a script on stdin\n"
	      "The exit status is 1 when a command failed (a script stops at the first).\n\n"
	      "  -s, --state-dir DIR  the router's state directory\n"
	      "                       (default $WGROUTER_STATE_DIR, else /var/lib/wgrouter)\n"
	      "  -h, --help           this text\n\n"
	      "The language and the menus: man wgrouter-console.\n", stdout);
}

int cmd_cli(int argc, char **argv)
{
	static const struct option opts[] = { { "state-dir", required_argument, NULL, 's' },
					      { "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 } };
	const char *dir = NULL;
	int c;
	/* '+': stop at the first command word, so `cli /ip/address/print detail` stays whole */
	while ((c = getopt_long(argc, argv, "+hs:", opts, NULL)) != -1) {
		if (c == 'h') {
			help();
			return 0;
		}
		if (c != 's') {
			fputs(USAGE, stderr);
			return 1;
		}
		dir = optarg;
	}
	signal(SIGPIPE, SIG_IGN); /* a router that closed the connection is reported, not a silent exit 141 */
	catch_sigint();
	if ((ctl_fd = connect_daemon(wg_ctl_state_dir(dir))) < 0)
		return 1;
	char cwd[4096];
	int rc = getcwd(cwd, sizeof(cwd)) ? request('C', cwd, NULL) : 0; /* non-zero: refused, told why */
	if (!rc)
		rc = run(argc - optind, argv + optind);
	close(ctl_fd);
	free(prompt);
	if (interrupted && optind < argc)
		return 130; /* the argument form, stopped with Ctrl-C: as a shell reports it */
	if (interrupted && !isatty(STDIN_FILENO))
		return 130;
	return rc ? 1 : 0;
}
