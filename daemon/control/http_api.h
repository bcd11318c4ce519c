/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * http_api.h - the resources of pcfd's HTTP endpoint (http.h has the
 * list), apart from the transport (http.c): a request in, an answer out.
 */
#ifndef PCF_HTTP_API_H
#define PCF_HTTP_API_H

#include <stdbool.h>
#include <stddef.h>

#include "http.h"
#include "textbuf.h"

/* One request, its body read whole. */
struct http_call {
	const char *method;
	const char *path;
	const char *body;
	size_t len;
	bool may_write;	   /* on a unix socket: changes judged by the peer */
	int fd;		   /* the connection's socket: whose peer to judge */
	double start_time; /* when pcfd started (seconds since the epoch) */
};

/*
 * The answer: status, Content-Type, and a body, whole (body) or made a
 * part at a time as the client takes it (next: append the next part to
 * b; 1 when it was the last, 0 more follow, -errno; drop frees st).
 */
struct http_answer {
	unsigned int status;
	const char *type;
	struct textbuf body;
	int (*next)(void *st, struct textbuf *b);
	void (*drop)(void *st);
	void *st;
	char location[48]; /* Location: ("": none) */
	const char *allow; /* Allow: (405) */
	bool retry;	   /* Retry-After: 1 (503) */
};

#define HTTP_JSON "application/json"
#define HTTP_TEXT "text/plain; charset=utf-8"

void pcf_http_api(const struct pcf_http_env *env, const struct http_call *c,
		  struct http_answer *a);

/* {"error": MSG[, "field": FIELD]} with status (field NULL or ""). */
void http_error(struct http_answer *a, unsigned int status, const char *field,
		const char *fmt, ...) __attribute__((format(printf, 4, 5)));

#endif /* PCF_HTTP_API_H */
