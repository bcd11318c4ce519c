// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * http.c - pcfd's HTTP transport (http.h): listeners, libmicrohttpd in
 * external epoll mode, the limits of every connection and request;
 * http_api.c answers.
 *
 * One epoll set (pcf_http_fd) holds each listener's libmicrohttpd epoll
 * set (never waited on directly: its events are edge-triggered and
 * libmicrohttpd's own to take) and a timer, armed after each turn for
 * what libmicrohttpd waits for (a timeout, or work it left for the next
 * turn: then at once) and for the next request past its time.  A request
 * past PCF_HTTP_REQUEST_S is cut by shutting its socket down: the next
 * turn libmicrohttpd sees the connection end and frees it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <sys/un.h>
#include <microhttpd.h>

#include "http.h"
#include "http_api.h"
#include "log.h"

struct pcf_http;

/* One connection, as long as libmicrohttpd keeps it. */
struct http_conn {
	struct listener *l;
	int fd;
	__u64 since_ns; /* its request began (or the last one ended) */
	bool cut;
	struct http_conn *prev, *next;
};

/* One request: its body, as it comes. */
struct http_req {
	struct textbuf body;
	bool too_big;
	bool answered; /* early, before its body: the rest is not read */
};

struct listener {
	struct pcf_http *h;
	struct MHD_Daemon *d;
	bool is_unix;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	dev_t dev; /* the socket file made, unlinked at close if still ours */
	ino_t ino;
	char name[128]; /* for messages: unix:PATH or ADDR:PORT */
};

struct pcf_http {
	struct pcf_http_env env;
	double start_time;
	int epfd, timer_fd;
	struct listener l[PCF_HTTP_LISTENERS_MAX];
	unsigned int n;
	struct http_conn *conns;
};

static __u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* ---- answers ---- */

/* An answer made a part at a time, as libmicrohttpd asks for bytes. */
struct stream {
	struct textbuf b;
	size_t off;
	bool done;
	int (*next)(void *st, struct textbuf *b);
	void (*drop)(void *st);
	void *st;
};

static ssize_t stream_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct stream *s = cls;
	size_t n;
	int rc;

	while (s->off == s->b.len) {
		if (s->done)
			return MHD_CONTENT_READER_END_OF_STREAM;
		tb_reset(&s->b);
		s->off = 0;
		rc = s->next(s->st, &s->b);
		if (rc < 0) {
			pr_warn("http: an answer broke off: %s\n",
				strerror(-rc));
			return MHD_CONTENT_READER_END_WITH_ERROR;
		}
		s->done = rc > 0;
	}
	n = s->b.len - s->off < max ? s->b.len - s->off : max;
	memcpy(buf, s->b.p + s->off, n);
	s->off += n;
	return n;
}

static void stream_free(void *cls)
{
	struct stream *s = cls;

	if (s->drop)
		s->drop(s->st);
	tb_free(&s->b);
	free(s);
}

static struct MHD_Response *stream_response(struct http_answer *a)
{
	struct stream *s = calloc(1, sizeof(*s));
	struct MHD_Response *r;

	if (!s)
		return NULL;
	s->next = a->next;
	s->drop = a->drop;
	s->st = a->st;
	a->next = NULL; /* the stream has it now */
	a->drop = NULL;
	r = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 64 * 1024,
					      stream_read, s, stream_free);
	if (!r)
		stream_free(s);
	return r;
}

static enum MHD_Result queue(struct MHD_Connection *c, struct http_answer *a)
{
	struct MHD_Response *r;
	enum MHD_Result ret;

	if (a->next) {
		r = stream_response(a);
	} else {
		r = MHD_create_response_from_buffer(
		    a->body.len, a->body.p ? a->body.p : (char *)"",
		    a->body.p ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
		if (r)
			a->body = (struct textbuf){}; /* MHD frees it */
	}
	if (!r)
		return MHD_NO;
	if (a->type)
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
					a->type);
	if (a->location[0])
		MHD_add_response_header(r, MHD_HTTP_HEADER_LOCATION,
					a->location);
	if (a->allow)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, a->allow);
	if (a->retry)
		MHD_add_response_header(r, MHD_HTTP_HEADER_RETRY_AFTER, "1");
	MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	ret = MHD_queue_response(c, a->status, r);
	MHD_destroy_response(r);
	return ret;
}

static void answer_free(struct http_answer *a)
{
	tb_free(&a->body);
	if (a->drop)
		a->drop(a->st);
}

/* Answer at once, before the body was read (the connection then ends). */
static enum MHD_Result refuse_early(struct MHD_Connection *c,
				    unsigned int status, const char *msg)
{
	struct http_answer a = {};
	enum MHD_Result ret;

	http_error(&a, status, NULL, "%s", msg);
	ret = queue(c, &a);
	answer_free(&a);
	return ret;
}

/* ---- requests ---- */

static struct http_conn *conn_of(struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *ci =
	    MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);

	return ci ? ci->socket_context : NULL;
}

/* A body longer than Content-Length says is refused before it is read. */
static bool says_too_big(struct MHD_Connection *c)
{
	const char *cl = MHD_lookup_connection_value(
	    c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
	char *end;
	unsigned long long n;

	if (!cl)
		return false;
	errno = 0;
	n = strtoull(cl, &end, 10);
	return errno || n > PCF_HTTP_BODY_MAX;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c,
			      const char *url, const char *method,
			      const char *version, const char *upload,
			      size_t *upload_size, void **req_cls)
{
	struct listener *l = cls;
	struct http_req *req = *req_cls;
	struct http_conn *conn = conn_of(c);
	struct http_answer a = {};
	struct http_call call;
	enum MHD_Result ret;

	if (!req) {
		/* the headers are in: a request begins */
		req = calloc(1, sizeof(*req));
		if (!req)
			return MHD_NO;
		*req_cls = req;
		if (says_too_big(c)) {
			req->answered = true;
			return refuse_early(
			    c, MHD_HTTP_CONTENT_TOO_LARGE,
			    "the body is bigger than pcfd takes (64 KiB)");
		}
		return MHD_YES;
	}
	if (req->answered) {
		*upload_size = 0; /* thrown away: the connection ends */
		return MHD_YES;
	}
	if (*upload_size) {
		if (req->body.len + *upload_size > PCF_HTTP_BODY_MAX)
			req->too_big = true;
		else
			tb_put(&req->body, upload, *upload_size);
		*upload_size = 0;
		return MHD_YES;
	}
	if (req->too_big)
		return refuse_early(
		    c, MHD_HTTP_CONTENT_TOO_LARGE,
		    "the body is bigger than pcfd takes (64 KiB)");
	if (req->body.oom)
		return refuse_early(c, MHD_HTTP_SERVICE_UNAVAILABLE,
				    "pcfd is out of memory");
	call = (struct http_call){
		.method = method,
		.path = url,
		.body = req->body.p ? req->body.p : "",
		.len = req->body.len,
		.may_write = l->is_unix,
		.fd = conn ? conn->fd : -1,
		.start_time = l->h->start_time,
	};
	pcf_http_api(&l->h->env, &call, &a);
	pr_debug("http: %s %s %s: %u\n", l->name, method, url, a.status);
	ret = queue(c, &a);
	answer_free(&a);
	return ret;
}

static void completed(void *cls, struct MHD_Connection *c, void **req_cls,
		      enum MHD_RequestTerminationCode why)
{
	struct http_req *req = *req_cls;
	struct http_conn *conn = conn_of(c);

	if (req) {
		tb_free(&req->body);
		free(req);
		*req_cls = NULL;
	}
	if (conn)
		conn->since_ns = now_ns(); /* the next one's time begins */
}

static void connection(void *cls, struct MHD_Connection *c, void **socket_ctx,
		       enum MHD_ConnectionNotificationCode what)
{
	struct listener *l = cls;
	struct pcf_http *h = l->h;
	struct http_conn *conn = *socket_ctx;
	const union MHD_ConnectionInfo *ci;

	if (what == MHD_CONNECTION_NOTIFY_STARTED) {
		conn = calloc(1, sizeof(*conn));
		if (!conn)
			return; /* not timed: the idle timeout still ends it */
		ci = MHD_get_connection_info(c,
					     MHD_CONNECTION_INFO_CONNECTION_FD);
		conn->l = l;
		conn->fd = ci ? ci->connect_fd : -1;
		conn->since_ns = now_ns();
		conn->next = h->conns;
		if (h->conns)
			h->conns->prev = conn;
		h->conns = conn;
		*socket_ctx = conn;
		return;
	}
	if (!conn)
		return;
	if (conn->prev)
		conn->prev->next = conn->next;
	else
		h->conns = conn->next;
	if (conn->next)
		conn->next->prev = conn->prev;
	free(conn);
	*socket_ctx = NULL;
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	char msg[256];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	msg[strcspn(msg, "\n")] = '\0';
	pr_debug("http: %s\n", msg);
}

/* ---- listeners ---- */

static int unix_socket(struct listener *l, const struct sockaddr_un *un,
		       socklen_t len)
{
	struct stat st;
	int fd, probe, err;
	mode_t mask;

	snprintf(l->path, sizeof(l->path), "%s", un->sun_path);
	snprintf(l->name, sizeof(l->name), "unix:%s", un->sun_path);
	if (!lstat(l->path, &st)) {
		if (!S_ISSOCK(st.st_mode))
			return -EEXIST;
		/* a socket left by a pcfd gone, or one somebody serves? */
		probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (probe < 0)
			return -errno;
		if (!connect(probe, (const struct sockaddr *)un, len)) {
			close(probe);
			return -EADDRINUSE;
		}
		close(probe);
		if (unlink(l->path) && errno != ENOENT)
			return -errno;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	/*
	 * Made 0666 as bind() makes it (the umask does it, not a chmod of
	 * the path, which someone could have swapped for a link by then):
	 * anyone may read, who may change is judged per request.
	 */
	mask = umask(0111);
	err = bind(fd, (const struct sockaddr *)un, len) ? -errno : 0;
	umask(mask);
	if (!err && lstat(l->path, &st))
		err = -errno;
	if (err) {
		close(fd);
		return err;
	}
	l->dev = st.st_dev;
	l->ino = st.st_ino;
	l->is_unix = true;
	return fd;
}

static int tcp_socket(struct listener *l, const struct sockaddr *sa,
		      socklen_t len)
{
	char addr[INET6_ADDRSTRLEN];
	int fd, one = 1, port;
	const void *a;

	if (sa->sa_family == AF_INET) {
		a = &((const struct sockaddr_in *)sa)->sin_addr;
		port = ntohs(((const struct sockaddr_in *)sa)->sin_port);
	} else {
		a = &((const struct sockaddr_in6 *)sa)->sin6_addr;
		port = ntohs(((const struct sockaddr_in6 *)sa)->sin6_port);
	}
	inet_ntop(sa->sa_family, a, addr, sizeof(addr));
	snprintf(l->name, sizeof(l->name),
		 sa->sa_family == AF_INET ? "%s:%d" : "[%s]:%d", addr, port);
	fd = socket(sa->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
		    0);
	if (fd < 0)
		return -errno;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    (sa->sa_family == AF_INET6 &&
	     setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one))) ||
	    bind(fd, sa, len)) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

static void unlink_ours(struct listener *l)
{
	struct stat st;

	if (l->is_unix && !lstat(l->path, &st) && st.st_dev == l->dev &&
	    st.st_ino == l->ino)
		unlink(l->path);
}

static int start_daemon(struct listener *l, int fd)
{
	unsigned int per_ip = l->is_unix ? 0 : PCF_HTTP_CONNS_PER_IP;
	const union MHD_DaemonInfo *di;
	struct epoll_event ev = { .events = EPOLLIN };

	if (listen(fd, 64))
		return -errno;
	/* a unix peer has no address: no per-address limit there */
	l->d = MHD_start_daemon(
	    MHD_USE_EPOLL | MHD_USE_ERROR_LOG, 0, NULL, NULL, handle, l,
	    MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL, MHD_OPTION_LISTEN_SOCKET,
	    fd, MHD_OPTION_CONNECTION_LIMIT, (unsigned int)PCF_HTTP_CONNS_MAX,
	    MHD_OPTION_PER_IP_CONNECTION_LIMIT, per_ip,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)PCF_HTTP_IDLE_S,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)PCF_HTTP_CONN_MEMORY,
	    MHD_OPTION_NOTIFY_COMPLETED, completed, l,
	    MHD_OPTION_NOTIFY_CONNECTION, connection, l, MHD_OPTION_END);
	if (!l->d)
		return -EIO;
	di = MHD_get_daemon_info(l->d, MHD_DAEMON_INFO_EPOLL_FD);
	if (!di)
		return -EIO;
	if (epoll_ctl(l->h->epfd, EPOLL_CTL_ADD, di->epoll_fd, &ev))
		return -errno;
	return 0;
}

int pcf_http_listen(struct pcf_http *h, const struct sockaddr *sa,
		    socklen_t len)
{
	struct listener *l;
	int fd, err;

	if (h->n == PCF_HTTP_LISTENERS_MAX)
		return -ENOSPC;
	if (sa->sa_family != AF_UNIX && sa->sa_family != AF_INET &&
	    sa->sa_family != AF_INET6)
		return -EAFNOSUPPORT;
	l = &h->l[h->n];
	*l = (struct listener){ .h = h };
	fd = sa->sa_family == AF_UNIX
		 ? unix_socket(l, (const struct sockaddr_un *)sa, len)
		 : tcp_socket(l, sa, len);
	if (fd < 0)
		return fd;
	err = start_daemon(l, fd);
	if (err) {
		if (l->d)
			MHD_stop_daemon(l->d); /* closes fd */
		else
			close(fd);
		unlink_ours(l);
		return err;
	}
	h->n++;
	pr_info("pcfd: HTTP on %s%s\n", l->name,
		l->is_unix ? ""
			   : " (reads only: changes only on a unix socket)");
	return 0;
}

/* ---- the loop's part ---- */

int pcf_http_new(const struct pcf_http_env *env, struct pcf_http **ret)
{
	struct pcf_http *h = calloc(1, sizeof(*h));
	struct epoll_event ev = { .events = EPOLLIN };
	struct timespec ts;

	if (!h)
		return -ENOMEM;
	h->env = *env;
	clock_gettime(CLOCK_REALTIME, &ts);
	h->start_time = ts.tv_sec + ts.tv_nsec / 1e9;
	h->epfd = epoll_create1(EPOLL_CLOEXEC);
	h->timer_fd =
	    timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (h->epfd < 0 || h->timer_fd < 0 ||
	    epoll_ctl(h->epfd, EPOLL_CTL_ADD, h->timer_fd, &ev)) {
		int err = -errno;

		pcf_http_close(h);
		return err;
	}
	*ret = h;
	return 0;
}

void pcf_http_close(struct pcf_http *h)
{
	unsigned int i;

	if (!h)
		return;
	for (i = 0; i < h->n; i++) {
		MHD_stop_daemon(h->l[i].d);
		unlink_ours(&h->l[i]);
	}
	if (h->timer_fd >= 0)
		close(h->timer_fd);
	if (h->epfd >= 0)
		close(h->epfd);
	free(h);
}

int pcf_http_fd(const struct pcf_http *h)
{
	return h->epfd;
}

/* Cut the requests past their time; the next deadline (0: none). */
static __u64 cut_overdue(struct pcf_http *h, __u64 now)
{
	const __u64 limit = PCF_HTTP_REQUEST_S * 1000000000ULL;
	__u64 next = 0, due;
	struct http_conn *c;

	for (c = h->conns; c; c = c->next) {
		if (c->cut || c->fd < 0)
			continue;
		due = c->since_ns + limit;
		if (due <= now) {
			pr_debug(
			    "http: %s: a request took more than %u s: cut\n",
			    c->l->name, PCF_HTTP_REQUEST_S);
			shutdown(c->fd, SHUT_RDWR);
			c->cut = true;
			next = now + 1; /* libmicrohttpd notices next turn */
		} else if (!next || due < next) {
			next = due;
		}
	}
	return next;
}

static void arm(struct pcf_http *h, __u64 now, __u64 due)
{
	MHD_UNSIGNED_LONG_LONG ms;
	struct itimerspec its = {};
	unsigned int i;
	__u64 at;

	for (i = 0; i < h->n; i++) {
		if (MHD_get_timeout(h->l[i].d, &ms) != MHD_YES)
			continue;
		at = now + (ms ? ms * 1000000ULL : 1);
		if (!due || at < due)
			due = at;
	}
	if (due) {
		at = due > now ? due - now : 1;
		its.it_value.tv_sec = at / 1000000000ULL;
		its.it_value.tv_nsec = at % 1000000000ULL;
	}
	if (timerfd_settime(h->timer_fd, 0, &its, NULL))
		pr_warn("http: cannot arm the timer: %s\n", strerror(errno));
}

/* Does a listener have work left for now (a timeout of 0)? */
static bool more_now(struct pcf_http *h)
{
	MHD_UNSIGNED_LONG_LONG ms;
	unsigned int i;

	for (i = 0; i < h->n; i++)
		if (MHD_get_timeout(h->l[i].d, &ms) == MHD_YES && !ms)
			return true;
	return false;
}

int pcf_http_serve(struct pcf_http *h)
{
	struct epoll_event ev[PCF_HTTP_LISTENERS_MAX + 1];
	__u64 expirations, start = now_ns(), now;
	unsigned int i;

	/* what woke us is libmicrohttpd's to take: just empty the set */
	epoll_wait(h->epfd, ev, PCF_HTTP_LISTENERS_MAX + 1, 0);
	if (read(h->timer_fd, &expirations, sizeof(expirations)) < 0 &&
	    errno != EAGAIN)
		return -errno;
	/*
	 * libmicrohttpd moves each connection on by a step a run (a block
	 * of an answer): run again while it has work, within a bounded
	 * turn, rather than come back through the timer for every block.
	 */
	do {
		for (i = 0; i < h->n; i++)
			if (MHD_run(h->l[i].d) != MHD_YES)
				pr_debug("http: %s: a turn failed\n",
					 h->l[i].name);
		now = now_ns();
	} while (now - start < PCF_HTTP_TURN_NS && more_now(h));
	arm(h, now, cut_overdue(h, now));
	return 0;
}
