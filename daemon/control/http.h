/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * http.h - pcfd's HTTP endpoint (off unless --http names a listener):
 * GET /metrics (Prometheus), the flows as REST resources, GET /stats,
 * /readyz and /livez, on a unix socket and/or TCP (libmicrohttpd).
 *
 *   GET    /metrics        the counters, Prometheus text (metrics.h)
 *   GET    /flows          every rule, as `pcfctl -j flow show` prints them
 *   GET    /flows/ID       one rule (an object)
 *   POST   /flows          add: the body is such an object; 201, the rule
 *   PUT    /flows/ID       replace rule ID: the same match, a new action
 *                          or priority (its id and counters stay)
 *   DELETE /flows/ID       remove; 200, the rule as it was
 *   GET    /stats          what `pcfctl -j stats` prints
 *   GET    /readyz, /livez  200 when pcfd serves and every worker beats
 *
 * Threads: none.  libmicrohttpd runs in external epoll mode inside pcfd's
 * main loop (pcf_http_fd, pcf_http_serve), so a request reads and
 * changes the rule table the way a netlink request does, between two
 * others, and no lock is needed.  No client can hold the loop: sockets
 * never block, a big answer (the metrics, the flows) is made a part at a
 * time as the client takes it, and each listener takes
 * PCF_HTTP_CONNS_MAX connections (a TCP address at most
 * PCF_HTTP_CONNS_PER_IP), PCF_HTTP_CONN_MEMORY bytes for headers and
 * the answer being written (what is more is refused), a body
 * of PCF_HTTP_BODY_MAX bytes (413 beyond), PCF_HTTP_IDLE_S seconds
 * without a byte and PCF_HTTP_REQUEST_S seconds for a request from its
 * first byte to its answer's last.
 *
 * Who may: reads are open to anyone who can connect; changes only on a
 * unix socket, from a peer the control channel would let change rules
 * (SO_PEERCRED and SO_PEERPIDFD into ctl_judge.h, judged at each
 * request), else 403; on TCP always 403.  Each change goes through the
 * functions the netlink server calls (ctl.h): the same validation, the
 * same events to `pcfctl monitor`.
 */
#ifndef PCF_HTTP_H
#define PCF_HTTP_H

#include <sys/socket.h>

#define PCF_HTTP_LISTENERS_MAX 4
#define PCF_HTTP_CONNS_MAX     32
#define PCF_HTTP_CONNS_PER_IP  8
#define PCF_HTTP_CONN_MEMORY   (128 * 1024)
#define PCF_HTTP_BODY_MAX      (64 * 1024)
#define PCF_HTTP_IDLE_S	       10
#define PCF_HTTP_REQUEST_S     15
/* the longest turn of the main loop the endpoint takes (a part of a
 * big answer is made within it, so it may run over by one) */
#define PCF_HTTP_TURN_NS (2 * 1000 * 1000ULL)
/* /livez fails when a worker has not gone round its loop for so long */
#define PCF_HTTP_LIVE_BEAT_MS 10000

struct pcf_ctl;
struct pcf_dp;
struct pcf_wtotals;

/* What the endpoint serves. */
struct pcf_http_env {
	struct pcf_dp *dp;
	struct pcf_ctl *ctl;	    /* rule changes, workers, stats, judge */
	struct pcf_wtotals *totals; /* the workers' totals (may be NULL) */
};

struct pcf_http;

int pcf_http_new(const struct pcf_http_env *env, struct pcf_http **ret);
/*
 * Listen at sa (AF_UNIX: a path, made mode 0666, a stale socket of a
 * pcfd gone replaced; AF_INET, AF_INET6).  -EADDRINUSE: someone serves
 * it; -EEXIST: the path is not a socket; other -errno.
 */
int pcf_http_listen(struct pcf_http *h, const struct sockaddr *sa,
		    socklen_t len);
/* Close the listeners and connections; unlink the unix sockets made. */
void pcf_http_close(struct pcf_http *h);

/* Readable when pcf_http_serve has work. */
int pcf_http_fd(const struct pcf_http *h);
/* Serve what is ready, never blocking; -errno only if the endpoint broke. */
int pcf_http_serve(struct pcf_http *h);

#endif /* PCF_HTTP_H */
