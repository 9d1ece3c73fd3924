/* See apiserver.h. */
#include "api/apiserver.h"
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "api/apicmd.h"
#include "util/alloc.h"
#include "util/clock.h"
#include "util/strvec.h"

enum { LOGIN_MS = 30000, IDLE_MS = 600000, SENTENCE_MS = 30000, SLOTS_MAX = 1000, JOBS_MAX = 16 };

struct conn;

/* One command of a connection, run on a thread of its own with a session of its own:
 * the connection waits for it until it ends or first waits (a long command: ping);
 * from then on it runs beside the connection's next commands, its rows streamed as
 * !re with its .tag, until it ends or /cancel stops it (RouterOS runs tagged commands
 * concurrently). */
struct job {
	struct conn *c;
	struct wg_api_sentence in;
	char *tag;                     /* NULL: untagged */
	struct wg_session *s;
	struct sbuf out;               /* its !re rows not yet sent (sent before each wait) */
	pthread_t th;
	bool detached, done;           /* under c->jlock */
};

struct conn {
	struct wg_apisrv *srv;
	int fd;
	SSL *ssl;
	pthread_t th;
	bool ended;
	struct sockaddr_storage from;
	struct sbuf in;                /* bytes read, not yet a whole sentence */
	struct wg_session *s;          /* after login */
	struct wg_auth_user who;       /* the user logged in, for the jobs' sessions */
	char *user;
	pthread_mutex_t io;            /* writes (jobs and the connection), and TLS reads */
	pthread_mutex_t jlock;         /* jobs */
	pthread_cond_t jcond;
	struct job *jobs[JOBS_MAX];
	size_t njobs;
};

struct wg_apisrv {
	struct wg_door_config cfg;
	struct wg_prefix *allow;
	struct wg_door_hooks hooks;
	SSL_CTX *tls;
	int lfd, stop_pipe[2];
	pthread_t accept_th;
	pthread_mutex_t lock;          /* conns */
	struct conn **conns;
	size_t nconns;
	bool stopping;
};

/* ---- I/O, plain or TLS ---- */

static ssize_t conn_read(struct conn *c, void *buf, size_t n)
{
	if (c->ssl) { /* one SSL object is not for two threads at once: jobs write */
		pthread_mutex_lock(&c->io);
		int r = SSL_read(c->ssl, buf, (int)n);
		int e = r > 0 ? 0 : SSL_get_error(c->ssl, r);
		pthread_mutex_unlock(&c->io);
		return r > 0 ? r : (e == SSL_ERROR_WANT_READ ? -2 : -1);
	}
	ssize_t r = recv(c->fd, buf, n, 0);
	return r < 0 && errno == EINTR ? -2 : r;
}

static bool conn_write(struct conn *c, const void *buf, size_t n)
{
	const char *p = buf;
	bool ok = true;
	pthread_mutex_lock(&c->io); /* sentences of concurrent commands stay whole */
	while (n && ok) {
		ssize_t w = c->ssl ? SSL_write(c->ssl, p, (int)n) : send(c->fd, p, n, MSG_NOSIGNAL);
		ok = w > 0;
		if (ok) {
			p += w;
			n -= (size_t)w;
		}
	}
	pthread_mutex_unlock(&c->io);
	return ok;
}

/* Waits for input until deadline (0: none); false on timeout. Bytes TLS holds decrypted
 * count as input. */
static bool wait_input(struct conn *c, uint64_t deadline)
{
	if (c->ssl && SSL_pending(c->ssl))
		return true;
	struct pollfd p = { .fd = c->fd, .events = POLLIN };
	uint64_t now = wg_mono_ms();
	if (deadline && now >= deadline)
		return false;
	return poll(&p, 1, deadline ? (int)(deadline - now) : -1) > 0;
}

/* The next whole sentence: 1, or 0 when the peer left, timed out or broke the format
 * (then *why says so for a !fatal). */
static int read_sentence(struct conn *c, struct wg_api_sentence *out, uint64_t idle_ms, const char **why)
{
	uint64_t deadline = wg_mono_ms() + idle_ms;
	*why = NULL;
	for (;;) {
		size_t used;
		int rc = wg_api_parse((const uint8_t *)c->in.s, c->in.len, out, &used, why);
		if (rc < 0)
			return 0;
		if (rc > 0) {
			memmove(c->in.s, c->in.s + used, c->in.len - used);
			c->in.len -= used;
			return 1;
		}
		if (c->in.len && deadline > wg_mono_ms() + SENTENCE_MS)
			deadline = wg_mono_ms() + SENTENCE_MS; /* a sentence has begun */
		char buf[16384];
		if (!wait_input(c, deadline))
			return 0;
		ssize_t n = conn_read(c, buf, sizeof(buf));
		if (n == -2)
			continue;
		if (n <= 0)
			return 0;
		sb_addn(&c->in, buf, (size_t)n);
	}
}

/* ---- one connection ---- */

static void fatal(struct conn *c, const char *msg)
{
	struct sbuf out = { 0 };
	char *m = xasprintf("=message=%s", msg);
	const char *w[1] = { m };
	wg_api_reply(&out, "!fatal", NULL, w, 1);
	conn_write(c, out.s, out.len);
	sb_free(&out);
	free(m);
}

static void login(struct conn *c, const struct wg_api_sentence *in, struct sbuf *out)
{
	const char *tag = wg_api_tag(in), *name = wg_api_attr(in, "name"), *pass = wg_api_attr(in, "password");
	struct wg_door_hooks *h = &c->srv->hooks;
	struct wg_auth_user who;
	if (c->s || !name || !pass || !h->login ||
	    !h->login(h->ctx, name, pass, (struct sockaddr *)&c->from, c->srv->cfg.door, &who)) {
		const char *w[1] = { "=message=invalid user name or password (6)" };
		wg_api_reply(out, "!trap", tag, w, 1);
		wg_api_reply(out, "!done", tag, NULL, 0);
		return;
	}
	c->user = xstrdup(name);
	c->who = who;
	pthread_mutex_lock(h->router_lock);
	c->s = wg_session_new(h->r, NULL, NULL);
	wg_session_set_user(c->s, &who);
	pthread_mutex_unlock(h->router_lock);
	wg_api_reply(out, "!done", tag, NULL, 0);
}

/* ---- jobs: commands on threads of their own ---- */

/* Sends the job's rows collected so far; the router is not held. */
static void job_flush(struct job *j)
{
	if (!j->out.len)
		return;
	conn_write(j->c, j->out.s, j->out.len);
	explicit_bzero(j->out.s, j->out.len);
	sb_reset(&j->out);
}

static void job_row(void *ctx, const struct wg_row *row)
{
	struct job *j = ctx;
	struct strvec words = { 0 };
	for (size_t i = 0; i < row->n; i++)
		sv_push_take(&words, xasprintf("=%s=%s", row->names[i], row->values[i]));
	wg_api_reply(&j->out, "!re", j->tag, (const char *const *)words.v, words.n);
	sv_free(&words);
}

/* A wait releases the router; the connection stops waiting for this job. */
static void job_wait_enter(void *ctx)
{
	struct job *j = ctx;
	pthread_mutex_unlock(j->c->srv->hooks.router_lock);
	pthread_mutex_lock(&j->c->jlock);
	if (!j->detached) {
		j->detached = true;
		pthread_cond_broadcast(&j->c->jcond);
	}
	pthread_mutex_unlock(&j->c->jlock);
	job_flush(j);
}

static void job_wait_leave(void *ctx)
{
	struct job *j = ctx;
	pthread_mutex_lock(j->c->srv->hooks.router_lock);
}

static void *job_main(void *arg)
{
	struct job *j = arg;
	struct sbuf out = { 0 };
	pthread_mutex_t *lock = j->c->srv->hooks.router_lock;
	pthread_mutex_lock(lock);
	wg_api_command_streamed(j->s, &j->in, &out, true);
	pthread_mutex_unlock(lock);
	job_flush(j);
	conn_write(j->c, out.s, out.len);
	if (out.s)
		explicit_bzero(out.s, out.len);
	sb_free(&out);
	pthread_mutex_lock(&j->c->jlock);
	j->done = true;
	pthread_cond_broadcast(&j->c->jcond);
	pthread_mutex_unlock(&j->c->jlock);
	return NULL;
}

static void job_free(struct job *j)
{
	pthread_join(j->th, NULL);
	pthread_mutex_t *lock = j->c->srv->hooks.router_lock;
	pthread_mutex_lock(lock);
	wg_session_free(j->s);
	pthread_mutex_unlock(lock);
	wg_api_sentence_free(&j->in);
	if (j->out.s)
		explicit_bzero(j->out.s, j->out.len);
	sb_free(&j->out);
	free(j->tag);
	free(j);
}

/* Joins the jobs that have ended. */
static void reap_jobs(struct conn *c)
{
	pthread_mutex_lock(&c->jlock);
	for (size_t i = 0; i < c->njobs;) {
		struct job *j = c->jobs[i];
		if (!j->done) {
			i++;
			continue;
		}
		c->jobs[i] = c->jobs[--c->njobs];
		pthread_mutex_unlock(&c->jlock);
		job_free(j);
		pthread_mutex_lock(&c->jlock);
	}
	pthread_mutex_unlock(&c->jlock);
}

/* Cancels the jobs with this tag (NULL: all) ; how many there were. */
static size_t cancel_jobs(struct conn *c, const char *tag)
{
	size_t n = 0;
	pthread_mutex_lock(&c->jlock);
	for (size_t i = 0; i < c->njobs; i++) {
		struct job *j = c->jobs[i];
		if (!j->done && (!tag || (j->tag && !strcmp(j->tag, tag)))) {
			wg_session_cancel(j->s);
			n++;
		}
	}
	pthread_mutex_unlock(&c->jlock);
	return n;
}

/* A client gone: its commands are cancelled and waited for. */
static void end_jobs(struct conn *c)
{
	cancel_jobs(c, NULL);
	pthread_mutex_lock(&c->jlock);
	while (c->njobs) {
		struct job *j = c->jobs[--c->njobs];
		pthread_mutex_unlock(&c->jlock);
		job_free(j);
		pthread_mutex_lock(&c->jlock);
	}
	pthread_mutex_unlock(&c->jlock);
}

/* Runs a command as a job; returns once it has ended or gone long. */
static void run_job(struct conn *c, struct wg_api_sentence *in, struct sbuf *out)
{
	const char *tag = wg_api_tag(in);
	reap_jobs(c);
	if (c->njobs >= JOBS_MAX) {
		const char *w[1] = { "=message=too many commands running on this connection" };
		wg_api_reply(out, "!trap", tag, w, 1);
		wg_api_reply(out, "!done", tag, NULL, 0);
		return;
	}
	struct job *j = xcalloc(1, sizeof(*j));
	j->c = c;
	j->in = *in; /* taken over */
	memset(in, 0, sizeof(*in));
	j->tag = tag ? xstrdup(tag) : NULL;
	pthread_mutex_lock(c->srv->hooks.router_lock);
	j->s = wg_session_new(c->srv->hooks.r, NULL, NULL);
	pthread_mutex_unlock(c->srv->hooks.router_lock);
	wg_session_set_user(j->s, &c->who);
	wg_session_set_wait_hooks(j->s, &(struct wg_wait_hooks){ .enter = job_wait_enter, .leave = job_wait_leave, .ctx = j });
	wg_session_set_row_sink(j->s, job_row, j);
	pthread_mutex_lock(&c->jlock);
	if (pthread_create(&j->th, NULL, job_main, j)) {
		pthread_mutex_unlock(&c->jlock);
		wg_session_free(j->s);
		wg_api_sentence_free(&j->in);
		free(j->tag);
		free(j);
		const char *w[1] = { "=message=cannot run the command now" };
		wg_api_reply(out, "!trap", tag, w, 1);
		wg_api_reply(out, "!done", tag, NULL, 0);
		return;
	}
	c->jobs[c->njobs++] = j;
	while (!j->done && !j->detached)
		pthread_cond_wait(&c->jcond, &c->jlock);
	pthread_mutex_unlock(&c->jlock);
	reap_jobs(c);
}

/* One sentence; false ends the connection. */
static bool handle(struct conn *c, struct wg_api_sentence *in, struct sbuf *out)
{
	const char *cmd = in->n ? in->w[0] : "";
	if (!strcmp(cmd, "/login")) {
		login(c, in, out);
	} else if (!c->s) {
		return false; /* not logged in: the caller says so with !fatal */
	} else if (!strcmp(cmd, "/quit")) {
		return false;
	} else if (!strcmp(cmd, "/cancel")) {
		/* =tag=N stops that command, no tag every running one; the cancelled ones
		 * answer for themselves (!trap interrupted, !done) */
		cancel_jobs(c, wg_api_attr(in, "tag"));
		wg_api_reply(out, "!done", wg_api_tag(in), NULL, 0);
	} else {
		run_job(c, in, out);
	}
	return true;
}

static bool tls_accept(struct conn *c)
{
	if (!c->srv->tls)
		return true;
	c->ssl = SSL_new(c->srv->tls);
	if (!c->ssl)
		return false;
	SSL_set_fd(c->ssl, c->fd);
	return SSL_accept(c->ssl) == 1;
}

static void serve(struct conn *c)
{
	struct wg_api_sentence in;
	const char *why;
	while (read_sentence(c, &in, c->s ? IDLE_MS : LOGIN_MS, &why)) {
		struct sbuf out = { 0 };
		bool quit = in.n && !strcmp(in.w[0], "/quit");
		bool go_on = handle(c, &in, &out);
		wg_api_sentence_free(&in);
		bool sent = conn_write(c, out.s, out.len);
		sb_free(&out);
		if (!go_on) {
			fatal(c, quit ? "session terminated on request" : "not logged in");
			return;
		}
		if (!sent)
			return;
	}
	if (why)
		fatal(c, why);
}

static void *conn_main(void *arg)
{
	struct conn *c = arg;
	struct timeval tv = { .tv_sec = 30 }; /* a client that stops reading our replies */
	setsockopt(c->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)); /* TLS handshake */
	if (tls_accept(c))
		serve(c);
	end_jobs(c);
	struct wg_door_hooks *h = &c->srv->hooks;
	if (c->s) {
		pthread_mutex_lock(h->router_lock);
		wg_session_free(c->s);
		pthread_mutex_unlock(h->router_lock);
		if (h->logout)
			h->logout(h->ctx, c->user, (struct sockaddr *)&c->from, c->srv->cfg.door);
	}
	if (c->ssl)
		SSL_shutdown(c->ssl);
	shutdown(c->fd, SHUT_RDWR);
	pthread_mutex_lock(&c->srv->lock);
	c->ended = true;
	pthread_mutex_unlock(&c->srv->lock);
	return NULL;
}

static void conn_free(struct conn *c)
{
	pthread_join(c->th, NULL);
	if (c->ssl)
		SSL_free(c->ssl);
	close(c->fd);
	pthread_mutex_destroy(&c->io);
	pthread_mutex_destroy(&c->jlock);
	pthread_cond_destroy(&c->jcond);
	if (c->in.s)
		explicit_bzero(c->in.s, c->in.len);
	sb_free(&c->in);
	free(c->user);
	free(c);
}

/* Joins connections that have ended; the count of those still running. */
static size_t reap(struct wg_apisrv *a)
{
	pthread_mutex_lock(&a->lock);
	for (size_t i = 0; i < a->nconns;) {
		if (a->conns[i]->ended) {
			struct conn *c = a->conns[i];
			a->conns[i] = a->conns[--a->nconns];
			pthread_mutex_unlock(&a->lock);
			conn_free(c);
			pthread_mutex_lock(&a->lock);
		} else {
			i++;
		}
	}
	size_t n = a->nconns;
	pthread_mutex_unlock(&a->lock);
	return n;
}

static void start_conn(struct wg_apisrv *a, int fd, const struct sockaddr_storage *from)
{
	unsigned max = a->cfg.max_sessions ? a->cfg.max_sessions : 20;
	if (reap(a) >= max || !wg_source_allowed(a->allow, a->cfg.nallow, (const struct sockaddr *)from)) {
		close(fd);
		return;
	}
	struct conn *c = xcalloc(1, sizeof(*c));
	c->srv = a;
	c->fd = fd;
	c->from = *from;
	pthread_mutex_init(&c->io, NULL);
	pthread_mutex_init(&c->jlock, NULL);
	pthread_cond_init(&c->jcond, NULL);
	pthread_mutex_lock(&a->lock);
	a->conns = xrealloc(a->conns, (a->nconns + 1) * sizeof(*a->conns));
	a->conns[a->nconns++] = c;
	if (pthread_create(&c->th, NULL, conn_main, c)) {
		a->nconns--;
		close(fd);
		free(c);
	}
	pthread_mutex_unlock(&a->lock);
}

static void *accept_main(void *arg)
{
	struct wg_apisrv *a = arg;
	for (;;) {
		struct pollfd p[2] = { { .fd = a->lfd, .events = POLLIN }, { .fd = a->stop_pipe[0], .events = POLLIN } };
		if (poll(p, 2, 1000) < 0 && errno != EINTR)
			break;
		if (p[1].revents)
			break;
		reap(a);
		if (!(p[0].revents & POLLIN))
			continue;
		struct sockaddr_storage from;
		socklen_t len = sizeof(from);
		int fd = accept4(a->lfd, (struct sockaddr *)&from, &len, SOCK_CLOEXEC);
		if (fd >= 0)
			start_conn(a, fd, &from);
	}
	return NULL;
}

/* ---- TLS ---- */

static SSL_CTX *tls_context(const struct wg_door_config *cfg)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
	BIO *cb = BIO_new_mem_buf(cfg->cert_pem, -1), *kb = BIO_new_mem_buf(cfg->key_pem, -1);
	X509 *cert = cb ? PEM_read_bio_X509(cb, NULL, NULL, NULL) : NULL;
	EVP_PKEY *key = kb ? PEM_read_bio_PrivateKey(kb, NULL, NULL, NULL) : NULL;
	bool ok = ctx && cert && key && SSL_CTX_use_certificate(ctx, cert) == 1 &&
		  SSL_CTX_use_PrivateKey(ctx, key) == 1 && SSL_CTX_check_private_key(ctx) == 1;
	if (ok && cfg->tls12_only)
		ok = SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) == 1;
	X509_free(cert);
	EVP_PKEY_free(key);
	BIO_free(cb);
	BIO_free(kb);
	if (!ok) {
		SSL_CTX_free(ctx);
		ERR_clear_error();
		return NULL;
	}
	return ctx;
}

/* ---- the server ---- */

static int listen_on(uint16_t port)
{
	struct sockaddr_in6 sa = { .sin6_family = AF_INET6, .sin6_port = htons(port), .sin6_addr = in6addr_any };
	int fd = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0), off = 0, on = 1;
	if (fd < 0)
		return -errno;
	setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off)); /* IPv4 mapped in */
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 64) < 0) {
		int e = errno;
		close(fd);
		return -e;
	}
	return fd;
}

struct wg_apisrv *wg_apisrv_start(const struct wg_door_config *cfg, const struct wg_door_hooks *h,
				  char *err, size_t errlen)
{
	struct wg_apisrv *a = xcalloc(1, sizeof(*a));
	a->cfg = *cfg;
	a->hooks = *h;
	a->allow = xcalloc(cfg->nallow + 1, sizeof(*a->allow));
	memcpy(a->allow, cfg->allow, cfg->nallow * sizeof(*a->allow));
	a->cfg.allow = a->allow;
	a->stop_pipe[0] = a->stop_pipe[1] = -1;
	pthread_mutex_init(&a->lock, NULL);
	a->lfd = -1;
	if (cfg->cert_pem && cfg->key_pem && !(a->tls = tls_context(cfg))) {
		snprintf(err, errlen, "the certificate or its key cannot be used");
		wg_apisrv_stop(a);
		return NULL;
	}
	a->lfd = listen_on(cfg->port);
	if (a->lfd < 0 || pipe2(a->stop_pipe, O_CLOEXEC) < 0 ||
	    pthread_create(&a->accept_th, NULL, accept_main, a)) {
		snprintf(err, errlen, "could not serve port %u: %s", cfg->port, strerror(a->lfd < 0 ? -a->lfd : errno));
		wg_apisrv_stop(a);
		return NULL;
	}
	return a;
}

void wg_apisrv_stop(struct wg_apisrv *a)
{
	if (!a)
		return;
	if (a->stop_pipe[1] >= 0) {
		if (write(a->stop_pipe[1], "x", 1) == 1)
			pthread_join(a->accept_th, NULL);
		close(a->stop_pipe[1]);
		close(a->stop_pipe[0]);
	}
	pthread_mutex_lock(&a->lock);
	for (size_t i = 0; i < a->nconns; i++)
		shutdown(a->conns[i]->fd, SHUT_RDWR);
	pthread_mutex_unlock(&a->lock);
	for (size_t i = 0; i < a->nconns; i++)
		conn_free(a->conns[i]);
	free(a->conns);
	if (a->lfd >= 0)
		close(a->lfd);
	SSL_CTX_free(a->tls);
	free(a->allow);
	pthread_mutex_destroy(&a->lock);
	free(a);
}
