// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * http_api.c - the resources of pcfd's HTTP endpoint (http.h): flows,
 * stats, metrics, health.  Rules go in and out as genl's JSON
 * (rule_json.h, what pcfctl -j prints); changes go through the control
 * server's functions (ctl.h), judged by its judge.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <json-c/json.h>

#include "pcf_genl.h"
#include "rule_json.h"
#include "rule_text.h"
#include "stats_reply.h"
#include "ctl.h"
#include "http_api.h"
#include "loader.h"
#include "metrics.h"
#include "table.h"
#include "workers.h" /* struct pcf_worker_info, pcf_heartbeat_now() */

#ifndef SO_PEERPIDFD
#define SO_PEERPIDFD 77 /* Linux 6.5; the libc may not know it yet */
#endif

#define JSON_FLAGS (JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)

/* Rules a part of GET /flows writes: some 300 bytes each. */
#define FLOWS_PER_PART 128

enum route {
	R_NONE,
	R_METRICS,
	R_STATS,
	R_FLOWS,
	R_FLOW, /* /flows/ID */
	R_READY,
	R_LIVE,
};

/* What each resource takes. */
/* ---- answers ---- */

void http_error(struct http_answer *a, unsigned int status, const char *field,
		const char *fmt, ...)
{
	json_object *o = json_object_new_object();
	char msg[768];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	a->status = status;
	a->type = HTTP_JSON;
	tb_reset(&a->body);
	json_object_object_add(o, "error", json_object_new_string(msg));
	if (field && *field)
		json_object_object_add(o, "field",
				       json_object_new_string(field));
	tb_str(&a->body,
	       json_object_to_json_string_ext(
		   o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	tb_put(&a->body, "\n", 1);
	json_object_put(o);
}

static const struct {
	const char *path;
	const char *allow;
} routes[] = {
	[R_METRICS] = { "/metrics", "GET, HEAD" },
	[R_STATS] = { "/stats", "GET, HEAD" },
	[R_FLOWS] = { "/flows", "GET, HEAD, POST" },
	[R_FLOW] = { "/flows/", "GET, HEAD, PUT, DELETE" },
	[R_READY] = { "/readyz", "GET, HEAD" },
	[R_LIVE] = { "/livez", "GET, HEAD" },
};

/* The resource of path; a rule id into *id (0: not a number from 1). */
static enum route route_of(const char *path, __u32 *id)
{
	unsigned long n;
	unsigned int r;

	*id = 0;
	if (!strncmp(path, "/flows/", 7)) {
		if (!pcf_text_dec(path + 7, 0xffffffff, &n) && n)
			*id = n;
		return R_FLOW;
	}
	for (r = R_METRICS; r <= R_LIVE; r++)
		if (r != R_FLOW && !strcmp(path, routes[r].path))
			return r;
	return R_NONE;
}

/* Is method one of the words of routes[r].allow ("GET, HEAD, POST")? */
static bool allowed(enum route r, const char *method)
{
	const char *all = routes[r].allow, *a;
	size_t n = strlen(method);

	for (a = all; n && (a = strstr(a, method)); a += n)
		if ((a == all || a[-1] == ' ') && (a[n] == ',' || !a[n]))
			return true;
	return false;
}

static bool is_read(const char *method)
{
	return !strcmp(method, "GET") || !strcmp(method, "HEAD");
}

static void answer_json(struct http_answer *a, unsigned int status,
			json_object *o)
{
	a->status = status;
	a->type = HTTP_JSON;
	tb_str(&a->body, json_object_to_json_string_ext(o, JSON_FLAGS));
	tb_put(&a->body, "\n", 1);
	json_object_put(o);
}

static void answer_text(struct http_answer *a, unsigned int status,
			const char *text)
{
	a->status = status;
	a->type = HTTP_TEXT;
	tb_str(&a->body, text);
}

/* The rule as GET shows it: with its counters, XDP's and the workers'. */
static json_object *rule_json(const struct pcf_http_env *env,
			      const struct pcf_rule *r)
{
	struct pcf_counter xdp = {}, wk = {};

	pcf_dp_rule_counters(env->dp, r->ctr, &xdp, &wk);
	return pcf_json_rule(r, &xdp, &wk);
}

/* ---- who may change ---- */

/*
 * The peer of a unix connection, judged now by the control channel's
 * judge: 0, or -EPERM with why said in a.
 */
static int judge(const struct pcf_http_env *env, const struct http_call *c,
		 struct http_answer *a)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);
	int pidfd = -1, err;
	char why[300];

	if (!c->may_write) {
		http_error(
		    a, 403, NULL,
		    "%s %s changes the rules: pcfd takes changes only on its unix socket (--http unix:PATH), from root or a CAP_NET_ADMIN process, not over TCP",
		    c->method, c->path);
		return -EPERM;
	}
	if (getsockopt(c->fd, SOL_SOCKET, SO_PEERCRED, &cred, &len)) {
		http_error(a, 403, NULL, "pcfd cannot tell who connected: %s",
			   strerror(errno));
		return -EPERM;
	}
	len = sizeof(pidfd);
	if (getsockopt(c->fd, SOL_SOCKET, SO_PEERPIDFD, &pidfd, &len))
		pidfd = -1; /* before Linux 6.5: root only */
	err = pcf_ctl_judge_peer(env->ctl, pidfd, cred.uid, why, sizeof(why));
	if (pidfd >= 0)
		close(pidfd);
	if (err)
		http_error(
		    a, 403, NULL,
		    "%s %s changes the rules: it needs root or CAP_NET_ADMIN (%s)",
		    c->method, c->path, why);
	return err;
}

/* ---- the rules ---- */

static const char *part_field(enum pcf_ctl_part p)
{
	switch (p) {
	case PCF_CTL_PART_MATCH:
		return "match";
	case PCF_CTL_PART_PRIO:
		return "prio";
	case PCF_CTL_PART_ACTION:
		return "action";
	case PCF_CTL_PART_MIRROR:
		return "action.mirror";
	case PCF_CTL_PART_EGRESS_DEV:
		return "action.egress_dev";
	default:
		return NULL;
	}
}

/* A change the table refused, as the status that says what happened. */
static void refused(struct http_answer *a, int err,
		    const struct pcf_ctl_refusal *why)
{
	const char *field = part_field(why->part);
	unsigned int status;

	switch (err) {
	case -EINVAL:
	case -ENODEV:
		status = 400;
		break;
	case -EEXIST:
		status = 409;
		break;
	case -ENOENT:
		status = 404;
		break;
	case -ENOSPC:
	case -ETOOMANYREFS:
		status = 507;
		break;
	case -EBUSY:
	case -ETIMEDOUT:
		status = 503;
		a->retry = true;
		break;
	default:
		status = 500;
	}
	/* the rule's own faults name their part, as the JSON ones do */
	if (field && why->part != PCF_CTL_PART_MIRROR &&
	    why->part != PCF_CTL_PART_EGRESS_DEV &&
	    strncmp(why->msg, field, strlen(field)))
		http_error(a, status, field, "%s: %s", field, why->msg);
	else
		http_error(a, status, field, "%s", why->msg);
}

/* The body as a rule; false with the 400 said. */
static bool body_rule(const struct http_call *c, struct http_answer *a,
		      struct pcf_rule *spec, __u32 *id)
{
	struct pcf_json_refusal why;

	if (!pcf_json_rule_parse(c->body, c->len, spec, id, &why))
		return true;
	http_error(a, 400, why.field, "%s", why.msg);
	return false;
}

/* POST /flows: 201, the rule with its id (an id in the body is pcfd's). */
static void flow_add(const struct pcf_http_env *env, const struct http_call *c,
		     struct http_answer *a)
{
	struct pcf_ctl_refusal why = {};
	struct pcf_rule spec, rule;
	__u32 id;
	int err;

	if (!body_rule(c, a, &spec, &id))
		return;
	err = pcf_ctl_flow_add(env->ctl, &spec, 0, &rule, &why);
	if (err == -EEXIST &&
	    !pcf_table_find(pcf_dp_table(env->dp), &spec, &rule)) {
		snprintf(a->location, sizeof(a->location), "/flows/%u",
			 rule.id);
		http_error(
		    a, 409, "match",
		    "a rule with this match exists: rule %u (PUT /flows/%u replaces its action and priority)",
		    rule.id, rule.id);
		return;
	}
	if (err) {
		refused(a, err, &why);
		return;
	}
	snprintf(a->location, sizeof(a->location), "/flows/%u", rule.id);
	answer_json(a, 201, rule_json(env, &rule));
}

/*
 * PUT /flows/ID: the rule's action and priority replaced, as flow
 * replace does: its match is what the table knows it by, so the body
 * must carry the same (a changed match is another rule: DELETE it and
 * POST the new one).
 */
static void flow_put(const struct pcf_http_env *env, const struct http_call *c,
		     __u32 id, struct http_answer *a)
{
	struct pcf_table *t = pcf_dp_table(env->dp);
	struct pcf_ctl_refusal why = {};
	struct pcf_rule spec, old, same, rule;
	__u32 body_id;
	int err;

	if (pcf_table_get(t, id, &old, NULL)) {
		http_error(a, 404, NULL, "no rule with this id");
		return;
	}
	if (!body_rule(c, a, &spec, &body_id))
		return;
	if (body_id && body_id != id) {
		http_error(a, 400, "id", "id: %u, but the path says rule %u",
			   body_id, id);
		return;
	}
	if (pcf_table_find(t, &spec, &same) || same.id != id) {
		http_error(
		    a, 409, "match",
		    "match: not rule %u's: PUT replaces a rule's action and priority, and its match is what names it in the table%s; to change the match, DELETE the rule and POST the new one",
		    id,
		    pcf_table_find(t, &spec, &same)
			? ""
			: " (another rule has this match)");
		return;
	}
	err = pcf_ctl_flow_add(env->ctl, &spec,
			       PCF_TABLE_REPLACE | PCF_TABLE_EXCL, &rule, &why);
	if (err) {
		refused(a, err, &why);
		return;
	}
	answer_json(a, 200, rule_json(env, &rule));
}

/* DELETE /flows/ID: 200, the rule as it went, with its last counters. */
static void flow_del(const struct pcf_http_env *env, __u32 id,
		     struct http_answer *a)
{
	struct pcf_ctl_refusal why = {};
	struct pcf_rule rule;
	json_object *o;
	int err;

	if (pcf_table_get(pcf_dp_table(env->dp), id, &rule, NULL)) {
		http_error(a, 404, NULL, "no rule with this id");
		return;
	}
	o = rule_json(env, &rule);
	err = pcf_ctl_flow_del(env->ctl, id, &rule, &why);
	if (err) {
		json_object_put(o);
		refused(a, err, &why);
		return;
	}
	answer_json(a, 200, o);
}

static void flow_get(const struct pcf_http_env *env, __u32 id,
		     struct http_answer *a)
{
	struct pcf_rule rule;

	if (pcf_table_get(pcf_dp_table(env->dp), id, &rule, NULL)) {
		http_error(a, 404, NULL, "no rule with this id");
		return;
	}
	answer_json(a, 200, rule_json(env, &rule));
}

/* GET /flows: the ids when it began, each rule as it is when written. */
struct flows_list {
	const struct pcf_http_env *env;
	__u32 *ids;
	unsigned int n, cap, next, written;
};

static int collect_id(const struct pcf_rule *r, __u32 slot, void *ctx)
{
	struct flows_list *l = ctx;

	if (l->n == l->cap)
		return -ENOSPC;
	l->ids[l->n++] = r->id;
	return 0;
}

static int flows_next(void *st, struct textbuf *b)
{
	struct flows_list *l = st;
	struct pcf_table *t = pcf_dp_table(l->env->dp);
	unsigned int end = l->next + FLOWS_PER_PART;
	struct pcf_rule r;
	json_object *o;

	if (!l->next)
		tb_put(b, "[", 1);
	for (; l->next < l->n && l->next < end; l->next++) {
		if (pcf_table_get(t, l->ids[l->next], &r, NULL))
			continue; /* deleted since */
		o = rule_json(l->env, &r);
		if (l->written++)
			tb_put(b, ",", 1);
		tb_str(b, json_object_to_json_string_ext(o, JSON_FLAGS));
		json_object_put(o);
	}
	if (b->oom)
		return -ENOMEM;
	if (l->next < l->n)
		return 0;
	tb_put(b, "]\n", 2);
	return 1;
}

static void flows_drop(void *st)
{
	struct flows_list *l = st;

	free(l->ids);
	free(l);
}

static void flows_list(const struct pcf_http_env *env, struct http_answer *a)
{
	struct pcf_table *t = pcf_dp_table(env->dp);
	struct flows_list *l = calloc(1, sizeof(*l));
	struct pcf_table_info ti;

	pcf_table_info(t, &ti);
	if (l)
		l->ids = calloc(ti.rules + 1, sizeof(*l->ids));
	if (!l || !l->ids) {
		free(l);
		http_error(a, 503, NULL, "pcfd is out of memory");
		return;
	}
	l->env = env;
	l->cap = ti.rules;
	pcf_table_foreach(t, 1, collect_id, l);
	a->status = 200;
	a->type = HTTP_JSON;
	a->next = flows_next;
	a->drop = flows_drop;
	a->st = l;
}

/* ---- stats, metrics, health ---- */

/* What pcfctl -j stats prints: from the very reply it reads. */
static void stats(const struct pcf_http_env *env, struct http_answer *a)
{
	const struct nlattr *tb[PCF_A_MAX + 1] = {};
	const struct genlmsghdr *genl;
	struct pcf_extack ext = {};
	struct nlmsghdr *nlh;
	const char *why;
	char *buf = malloc(PCF_GENL_MSG_MAX);
	int err;

	if (!buf) {
		http_error(a, 503, NULL, "pcfd is out of memory");
		return;
	}
	err = pcf_ctl_stats_msg(env->ctl, buf, PCF_GENL_MSG_MAX, 0, &nlh, &why);
	if (!err)
		err = pcf_msg_parse(nlh, nlh->nlmsg_len, tb, &genl, &ext);
	if (err)
		http_error(a, 500, NULL, "%s",
			   why	     ? why
			   : ext.msg ? ext.msg
				     : strerror(-err));
	else
		answer_json(a, 200, pcf_stats_json(tb));
	free(buf);
}

static int metrics_next(void *st, struct textbuf *b)
{
	return pcf_metrics_next(st, b);
}

static void metrics_drop(void *st)
{
	pcf_metrics_end(st);
}

static void metrics(const struct pcf_http_env *env, const struct http_call *c,
		    struct http_answer *a)
{
	const struct pcf_metrics_src src = { .dp = env->dp,
					     .ctl = env->ctl,
					     .totals = env->totals,
					     .start_time = c->start_time };
	struct pcf_metrics *m;
	int err = pcf_metrics_begin(&src, &m);

	if (err) {
		http_error(a, 500, NULL, "reading the counters failed: %s",
			   strerror(-err));
		return;
	}
	a->status = 200;
	a->type = "text/plain; version=0.0.4; charset=utf-8";
	a->next = metrics_next;
	a->drop = metrics_drop;
	a->st = m;
}

/*
 * Alive: answering at all says the main loop turns (this runs in it);
 * and every worker went round its loop within PCF_HTTP_LIVE_BEAT_MS.
 */
static void live(const struct pcf_http_env *env, struct http_answer *a)
{
	const struct pcf_ctl_workers *w = pcf_ctl_get_workers(env->ctl);
	__u64 now = pcf_heartbeat_now(), age;
	struct pcf_worker_info in;
	unsigned int i, n = w ? w->count(w->ctx) : 0;
	char msg[160];

	for (i = 0; i < n; i++) {
		if (w->info(w->ctx, i, &in) || !in.beat_ns)
			continue;
		age = pcf_age_ns(now, in.beat_ns) / 1000000;
		if (age < PCF_HTTP_LIVE_BEAT_MS)
			continue;
		snprintf(
		    msg, sizeof(msg),
		    "worker %s queue %u: no turn of its loop for %llu ms\n",
		    in.ifname, in.queue, (unsigned long long)age);
		answer_text(a, 503, msg);
		return;
	}
	answer_text(a, 200, "ok\n");
}

void pcf_http_api(const struct pcf_http_env *env, const struct http_call *c,
		  struct http_answer *a)
{
	enum route r;
	__u32 id;

	r = route_of(c->path, &id);
	if (r == R_NONE) {
		http_error(
		    a, 404, NULL,
		    "no resource %s here: GET /metrics, /stats, /flows, /flows/ID, /readyz, /livez; POST /flows; PUT and DELETE /flows/ID",
		    c->path);
		return;
	}
	if (!allowed(r, c->method)) {
		a->allow = routes[r].allow;
		http_error(a, 405, NULL, "%s takes %s, not %s", c->path,
			   routes[r].allow, c->method);
		return;
	}
	if (r == R_FLOW && !id) {
		http_error(a, 404, NULL,
			   "no rule %s: a rule id is a decimal number from 1",
			   c->path + 7);
		return;
	}
	if (!is_read(c->method) && judge(env, c, a))
		return;
	switch (r) {
	case R_METRICS:
		metrics(env, c, a);
		break;
	case R_STATS:
		stats(env, a);
		break;
	case R_FLOWS:
		if (is_read(c->method))
			flows_list(env, a);
		else
			flow_add(env, c, a);
		break;
	case R_FLOW:
		if (is_read(c->method))
			flow_get(env, id, a);
		else if (!strcmp(c->method, "PUT"))
			flow_put(env, c, id, a);
		else
			flow_del(env, id, a);
		break;
	case R_READY:
		answer_text(a, 200, "ok\n");
		break;
	case R_LIVE:
		live(env, a);
		break;
	default:
		break;
	}
}
