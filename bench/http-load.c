// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * http-load - drive pcfd's HTTP endpoint (unix socket) for make bench,
 * over one keep-alive connection, as Prometheus and a controller do:
 *
 *   http-load -u SOCK scrape [-i MS] [-n N] [-t SEC] [-p PATH]
 *       GET PATH (/metrics) N times (or for SEC seconds), one every MS ms
 *       (0: back to back); prints "scrapes N bytes B median_ms M p99_ms P
 *       max_ms X" (B: of the last answer)
 *   http-load -u SOCK post [-n N]
 *       POST /flows N rules (dst 198.19.I.J/32 proto udp dport 9, action
 *       drop), each waiting for its answer; every one must be 201; prints
 *       "posts N seconds S us_per_post U"
 *
 * A small HTTP/1.1 client: Content-Length and chunked answers; anything
 * else, or a status it did not want, ends it with exit status 1.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>

struct conn {
	int fd;
	char buf[256 * 1024];
	size_t len, off; /* bytes in buf, and read of them */
};

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "http-load: ");
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(1);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void conn_open(struct conn *c, const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	if (strlen(path) >= sizeof(sa.sun_path))
		die("%s: too long", path);
	strcpy(sa.sun_path, path);
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c->fd < 0 || connect(c->fd, (struct sockaddr *)&sa, sizeof(sa)))
		die("%s: %s", path, strerror(errno));
	c->len = c->off = 0;
}

static void send_all(struct conn *c, const char *p, size_t n)
{
	ssize_t w;

	while (n) {
		w = send(c->fd, p, n, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			die("send: %s", w ? strerror(errno) : "closed");
		p += w;
		n -= w;
	}
}

/* More bytes into the buffer (compacting it first); dies at the end. */
static void fill(struct conn *c)
{
	ssize_t r;

	if (c->off) {
		memmove(c->buf, c->buf + c->off, c->len - c->off);
		c->len -= c->off;
		c->off = 0;
	}
	if (c->len == sizeof(c->buf))
		die("a line longer than %zu bytes", sizeof(c->buf));
	do
		r = recv(c->fd, c->buf + c->len, sizeof(c->buf) - c->len, 0);
	while (r < 0 && errno == EINTR);
	if (r <= 0)
		die("recv: %s",
		    r ? strerror(errno) : "pcfd closed the connection");
	c->len += r;
}

/* The next line (CRLF taken off), valid until the next read. */
static char *line(struct conn *c)
{
	char *eol, *l;

	while (!(eol = memmem(c->buf + c->off, c->len - c->off, "\r\n", 2)))
		fill(c);
	*eol = '\0';
	l = c->buf + c->off;
	c->off = eol + 2 - c->buf;
	return l;
}

/* Skip n bytes of body. */
static void skip(struct conn *c, size_t n)
{
	size_t take;

	while (n) {
		if (c->off == c->len)
			fill(c);
		take = c->len - c->off < n ? c->len - c->off : n;
		c->off += take;
		n -= take;
	}
}

/* Read one answer; its status, and the body's length into *ret_bytes. */
static int answer(struct conn *c, size_t *ret_bytes)
{
	size_t body = 0, n;
	bool chunked = false;
	int status;
	char *l = line(c);

	if (sscanf(l, "HTTP/1.1 %d", &status) != 1)
		die("not an HTTP/1.1 status line: %.80s", l);
	while (*(l = line(c))) {
		if (!strncasecmp(l, "Content-Length:", 15))
			body = strtoull(l + 15, NULL, 10);
		else if (!strncasecmp(l, "Transfer-Encoding:", 18) &&
			 strstr(l, "chunked"))
			chunked = true;
	}
	if (!chunked) {
		skip(c, body);
		*ret_bytes = body;
		return status;
	}
	for (*ret_bytes = 0; (n = strtoull(line(c), NULL, 16));) {
		skip(c, n);
		line(c); /* the chunk's CRLF */
		*ret_bytes += n;
	}
	while (*line(c)) /* trailers, then the empty line */
		;
	return status;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void scrape(const char *sock, const char *path, double every,
		   unsigned long n, double seconds)
{
	char req[256];
	unsigned long i, max = n ? n : 1000000;
	double *ms = calloc(max, sizeof(*ms)), t0, next, end;
	size_t bytes = 0;
	struct conn *c = calloc(1, sizeof(*c));
	int status;

	if (!ms || !c)
		die("out of memory");
	conn_open(c, sock);
	snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: pcfd\r\n\r\n",
		 path);
	end = seconds ? now_s() + seconds : 0;
	next = now_s();
	for (i = 0; i < max && (!end || now_s() < end); i++) {
		if (every) {
			while (now_s() < next)
				usleep((next - now_s()) * 1e6);
			next += every;
		}
		t0 = now_s();
		send_all(c, req, strlen(req));
		status = answer(c, &bytes);
		ms[i] = (now_s() - t0) * 1e3;
		if (status != 200)
			die("GET %s: %d", path, status);
	}
	if (!i)
		die("no scrape done");
	qsort(ms, i, sizeof(*ms), cmp_double);
	printf("scrapes %lu bytes %zu median_ms %.2f p99_ms %.2f max_ms %.2f\n",
	       i, bytes, ms[i / 2], ms[(i * 99) / 100], ms[i - 1]);
}

static void post(const char *sock, unsigned long n)
{
	struct conn *c = calloc(1, sizeof(*c));
	char body[160], req[512];
	unsigned long i;
	size_t bytes;
	double t0;
	int len, status;

	if (!c)
		die("out of memory");
	if (n > 65536)
		die("at most 65536 rules");
	conn_open(c, sock);
	t0 = now_s();
	for (i = 0; i < n; i++) {
		len = snprintf(
		    body, sizeof(body),
		    "{\"match\": {\"dst\": \"198.19.%lu.%lu\", \"proto\": \"udp\", \"dport\": 9}, \"action\": {\"type\": \"drop\"}}",
		    i / 256, i % 256);
		len = snprintf(
		    req, sizeof(req),
		    "POST /flows HTTP/1.1\r\nHost: pcfd\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s",
		    len, body);
		send_all(c, req, len);
		status = answer(c, &bytes);
		if (status != 201)
			die("POST %lu: %d", i, status);
	}
	t0 = now_s() - t0;
	printf("posts %lu seconds %.3f us_per_post %.1f\n", n, t0,
	       t0 * 1e6 / n);
}

static void usage(void)
{
	fprintf(
	    stderr,
	    "usage: http-load -u SOCK scrape [-i MS] [-n N] [-t SEC] [-p PATH]\n"
	    "       http-load -u SOCK post [-n N]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	const char *sock = NULL, *path = "/metrics";
	unsigned long n = 0;
	double every = 0, seconds = 0;
	int opt;

	while ((opt = getopt(argc, argv, "u:i:n:t:p:")) != -1) {
		switch (opt) {
		case 'u':
			sock = optarg;
			break;
		case 'i':
			every = atof(optarg) / 1e3;
			break;
		case 'n':
			n = strtoul(optarg, NULL, 10);
			break;
		case 't':
			seconds = atof(optarg);
			break;
		case 'p':
			path = optarg;
			break;
		default:
			usage();
		}
	}
	if (!sock || optind + 1 != argc)
		usage();
	if (!strcmp(argv[optind], "scrape") && (n || seconds))
		scrape(sock, path, every, n, seconds);
	else if (!strcmp(argv[optind], "post") && n)
		post(sock, n);
	else
		usage();
	return 0;
}
