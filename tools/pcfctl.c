// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * pcfctl - drive pcfd the way ip drives the kernel.
 * Exit status: 0 done, 1 a request failed, 2 bad usage.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/signalfd.h>

#include "pcfctl.h"
#include "text_lines.h"

#define STR(x)	STR_(x)
#define STR_(x) #x

struct pcfctl {
	struct pcfctl_out out;
	struct pcfctl_client client;
	bool connected;
	bool verbose; /* -v */
	__u32 port;
	uid_t daemon_uid;
	/* flow show -j: the array's elements so far, printed when it ends */
	FILE *list;
	size_t nlisted;
};

static int bad_usage(const char *msg)
{
	fprintf(stderr, "Error: %s\n", msg);
	return 2;
}

static int request_failed(struct pcfctl *p, int err)
{
	const char *msg =
	    p->client.errmsg[0] ? p->client.errmsg : strerror(-err);

	fprintf(stderr, "Error: %s\n", msg);
	return 1;
}

static int connect_daemon(struct pcfctl *p)
{
	int err;

	if (p->connected)
		return 0;
	err = pcfctl_client_open(&p->client, p->port, p->daemon_uid);
	if (err)
		return err;
	p->connected = true;
	return 0;
}

/*
 * flow show -j prints a JSON array of 10 000 rules in a fraction of the
 * time when each rule is serialized as it comes and freed, rather than
 * all kept in one json-c array (whose frees and reallocations dominate).
 */
static void list_add(struct pcfctl *p, json_object *obj)
{
	const char *text, *nl;

	text = json_object_to_json_string_ext(obj, pcfctl_json_flags(&p->out));
	fputs(p->nlisted++ ? "," : "", p->list);
	if (p->out.pretty) {
		/* as json-c indents an array's elements: two more spaces */
		for (; (nl = strchr(text, '\n')); text = nl + 1)
			fprintf(p->list, "\n  %.*s", (int)(nl - text), text);
		fprintf(p->list, "\n  %s", text);
	} else {
		fputs(text, p->list);
	}
	json_object_put(obj);
}

static int on_rule(const struct nlmsghdr *nlh, const struct nlattr *const *tb,
		   void *ctx)
{
	struct pcfctl *p = ctx;
	struct pcf_counter c = {}, wc = {}, *workers = NULL;
	struct pcf_extack ext = {};
	struct pcf_rule r;

	if (pcf_rule_from_attrs(tb, &r, &ext))
		return 0; /* nothing we can show */
	if (tb[PCF_A_FLOW_PACKETS])
		c.packets = mnl_attr_get_u64(tb[PCF_A_FLOW_PACKETS]);
	if (tb[PCF_A_FLOW_BYTES])
		c.bytes = mnl_attr_get_u64(tb[PCF_A_FLOW_BYTES]);
	if (tb[PCF_A_FLOW_WORKER_PACKETS]) {
		wc.packets = mnl_attr_get_u64(tb[PCF_A_FLOW_WORKER_PACKETS]);
		workers = &wc;
	}
	if (tb[PCF_A_FLOW_WORKER_BYTES])
		wc.bytes = mnl_attr_get_u64(tb[PCF_A_FLOW_WORKER_BYTES]);
	if (p->list)
		list_add(p, pcf_json_rule(&r, &c, workers));
	else
		pcfctl_print_flow(&p->out, &r, &c, workers);
	return 0;
}

static int on_added(const struct nlmsghdr *nlh, const struct nlattr *const *tb,
		    void *ctx)
{
	struct pcfctl *p = ctx;
	__u32 id = tb[PCF_A_FLOW_ID] ? mnl_attr_get_u32(tb[PCF_A_FLOW_ID]) : 0;

	if (p->out.json) {
		json_object *o = json_object_new_object();

		json_object_object_add(o, "id", json_object_new_int64(id));
		pcfctl_print_json(&p->out, o);
		json_object_put(o);
	} else {
		fprintf(p->out.f, "%u\n", id);
	}
	return 0;
}

static int on_stats(const struct nlmsghdr *nlh, const struct nlattr *const *tb,
		    void *ctx)
{
	struct pcfctl *p = ctx;

	pcfctl_print_stats(&p->out, tb);
	return 0;
}

/* A session event: "new ..." or "destroy ..." (JSON: {"event", "session"}). */
static int on_session_event(struct pcfctl *p, __u8 cmd,
			    const struct nlattr *const *tb)
{
	const char *what = cmd == PCF_CMD_SESSION_NEW ? "new" : "destroy";
	struct pcf_extack ext = {};
	struct pcf_session s;
	json_object *o;

	if (!tb[PCF_A_SESSION] ||
	    pcf_session_from_attr(tb[PCF_A_SESSION], &s, &ext))
		return 0;
	if (p->out.json) {
		o = json_object_new_object();
		json_object_object_add(o, "event",
				       json_object_new_string(what));
		json_object_object_add(o, "session", pcfctl_session_json(&s));
		pcfctl_print_json(&p->out, o);
		json_object_put(o);
	} else {
		pcfctl_print_session(&p->out, what, &s);
	}
	fflush(p->out.f);
	return 0;
}

static int on_event(const struct nlmsghdr *nlh, const struct nlattr *const *tb,
		    void *ctx)
{
	const struct genlmsghdr *genl = mnl_nlmsg_get_payload(nlh);
	struct pcfctl *p = ctx;
	struct pcf_extack ext = {};
	const char *what;
	struct pcf_rule r;
	json_object *o;

	if (genl->cmd == PCF_CMD_SESSION_NEW ||
	    genl->cmd == PCF_CMD_SESSION_DEL)
		return on_session_event(p, genl->cmd, tb);
	if (genl->cmd >= PCF_CMD_SET_NEW && genl->cmd <= PCF_CMD_SET_LOAD)
		return pcfctl_set_event(&p->out, genl->cmd, tb);

	what = genl->cmd == PCF_CMD_FLOW_NEW	 ? "added"
	       : genl->cmd == PCF_CMD_FLOW_DEL	 ? "deleted"
	       : genl->cmd == PCF_CMD_FLOW_FLUSH ? "flushed"
						 : NULL;
	if (!what || pcf_rule_from_attrs(tb, &r, &ext))
		return 0;
	if (p->out.json) {
		o = json_object_new_object();
		json_object_object_add(o, "event",
				       json_object_new_string(what));
		if (genl->cmd != PCF_CMD_FLOW_FLUSH)
			json_object_object_add(o, "flow",
					       pcf_json_rule(&r, NULL, NULL));
		pcfctl_print_json(&p->out, o);
		json_object_put(o);
	} else if (genl->cmd == PCF_CMD_FLOW_FLUSH) {
		fprintf(p->out.f, "flushed\n");
	} else {
		fprintf(p->out.f, "%s ", what);
		pcfctl_print_rule(&p->out, &r, NULL);
	}
	fflush(p->out.f);
	return 0;
}

/*
 * monitor -v: say that datagrams were skipped as they come, at most once
 * a second (a flood of them must not flood the terminal too).
 */
static void monitor_skipped(const struct pcfctl_client *c)
{
	static time_t last;
	char line[256];
	time_t now = time(NULL);

	if (now == last || !pcfctl_client_skipped(c, line, sizeof(line)))
		return;
	last = now;
	fprintf(stderr, "pcfctl: %s\n", line);
}

/*
 * Until SIGINT or SIGTERM, which end it cleanly (exit 0, and with -v the
 * count of skipped datagrams): blocked, they wait in a signalfd the
 * monitor polls with its socket, so none is lost between two waits.
 */
static int monitor(struct pcfctl *p, unsigned int what)
{
	unsigned int groups =
	    (what & PCFCTL_MONITOR_FLOWS ? 1U << PCF_MCGRP_EVENTS : 0) |
	    (what & PCFCTL_MONITOR_SESSIONS ? 1U << PCF_MCGRP_SESSIONS : 0);
	int err = connect_daemon(p), sfd;
	sigset_t stop;

	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	if (sigprocmask(SIG_BLOCK, &stop, NULL) ||
	    (sfd = signalfd(-1, &stop, SFD_CLOEXEC)) < 0)
		return request_failed(p, -errno);
	if (!err)
		err = pcfctl_client_monitor(&p->client, groups, on_event, p,
					    p->verbose ? monitor_skipped : NULL,
					    sfd);
	close(sfd);
	return err == -EINTR ? 0 : request_failed(p, err);
}

static int talk(struct pcfctl *p, struct nlmsghdr *nlh, pcfctl_msg_cb cb)
{
	int err = connect_daemon(p);

	if (!err)
		err = pcfctl_client_talk(&p->client, nlh, cb, p);
	return err ? request_failed(p, err) : 0;
}

/*
 * A dump: cb for each message; with -j, each as an element of one JSON
 * array (cb adds to p->list), printed when the dump ends.
 */
static int dump_list(struct pcfctl *p, struct nlmsghdr *nlh, pcfctl_msg_cb cb)
{
	char *text = NULL;
	size_t len = 0;
	int ret;

	if (p->out.json) {
		p->list = open_memstream(&text, &len);
		if (!p->list)
			return request_failed(p, -errno);
		p->nlisted = 0;
	}
	ret = talk(p, nlh, cb);
	if (p->list) {
		fclose(p->list);
		p->list = NULL;
		if (!ret && !p->nlisted)
			fprintf(p->out.f, "[]\n");
		else if (!ret)
			fprintf(p->out.f, p->out.pretty ? "[%s\n]\n" : "[%s]\n",
				text);
		free(text);
	}
	return ret;
}

static int flow_show(struct pcfctl *p, const struct pcfctl_req *req, void *buf)
{
	struct nlmsghdr *nlh;

	nlh = pcf_msg_start(buf, PCF_CMD_FLOW_GET, req->id ? 0 : NLM_F_DUMP, 0);
	if (req->id)
		mnl_attr_put_u32(nlh, PCF_A_FLOW_ID, req->id);
	return dump_list(p, nlh, on_rule);
}

static int on_session(const struct nlmsghdr *nlh,
		      const struct nlattr *const *tb, void *ctx)
{
	struct pcfctl *p = ctx;
	struct pcf_extack ext = {};
	struct pcf_session s;

	if (!tb[PCF_A_SESSION] ||
	    pcf_session_from_attr(tb[PCF_A_SESSION], &s, &ext))
		return 0;
	if (p->list)
		list_add(p, pcfctl_session_json(&s));
	else
		pcfctl_print_session(&p->out, NULL, &s);
	return 0;
}

/* session show [MATCH]: a dump, filtered by pcfd */
static int session_show(struct pcfctl *p, const struct pcfctl_req *req,
			void *buf)
{
	struct nlmsghdr *nlh;

	nlh = pcf_msg_start(buf, PCF_CMD_SESSION_GET, NLM_F_DUMP, 0);
	if (req->has_match &&
	    pcf_rule_put_match(nlh, PCF_GENL_MSG_MAX, &req->rule))
		return 2;
	return dump_list(p, nlh, on_session);
}

/*
 * The request message of a change (add, replace, del, flush) at buf, or
 * NULL for a command that is not one.  *ret_cb handles its replies.
 */
static struct nlmsghdr *put_change(const struct pcfctl_req *req, void *buf,
				   size_t size, pcfctl_msg_cb *ret_cb)
{
	struct nlmsghdr *nlh = NULL;

	*ret_cb = NULL;
	switch (req->cmd) {
	case PCFCTL_FLOW_ADD:
	case PCFCTL_FLOW_REPLACE:
		nlh = pcf_msg_start(buf, PCF_CMD_FLOW_NEW,
				    NLM_F_CREATE | NLM_F_ECHO |
					(req->cmd == PCFCTL_FLOW_ADD
					     ? NLM_F_EXCL
					     : NLM_F_REPLACE),
				    0);
		*ret_cb = on_added;
		return pcf_rule_put(nlh, size, &req->rule) ? NULL : nlh;
	case PCFCTL_FLOW_DEL:
		nlh = pcf_msg_start(buf, PCF_CMD_FLOW_DEL, 0, 0);
		if (req->id)
			mnl_attr_put_u32(nlh, PCF_A_FLOW_ID, req->id);
		else if (pcf_rule_put_match(nlh, size, &req->rule))
			return NULL;
		return nlh;
	case PCFCTL_FLOW_FLUSH:
		return pcf_msg_start(buf, PCF_CMD_FLOW_FLUSH, 0, 0);
	case PCFCTL_SESSION_DEL:
		nlh = pcf_msg_start(buf, PCF_CMD_SESSION_DEL, 0, 0);
		return pcf_rule_put_match(nlh, size, &req->rule) ? NULL : nlh;
	case PCFCTL_SESSION_FLUSH:
		return pcf_msg_start(buf, PCF_CMD_SESSION_FLUSH, 0, 0);
	default:
		return NULL;
	}
}

static int run_req(struct pcfctl *p, const struct pcfctl_req *req)
{
	char buf[PCF_GENL_MSG_MAX];
	struct nlmsghdr *nlh;
	pcfctl_msg_cb cb;
	int err;

	switch (req->cmd) {
	case PCFCTL_HELP:
	case PCFCTL_FLOW_HELP:
		pcfctl_usage(stdout, req->cmd);
		return 0;
	case PCFCTL_FLOW_SHOW:
		return flow_show(p, req, buf);
	case PCFCTL_FLOW_SAVE:
		err = connect_daemon(p);
		if (!err)
			err = pcfctl_flow_save(&p->client, p->out.f);
		return err ? request_failed(p, err) : 0;
	case PCFCTL_STATS:
		nlh = pcf_msg_start(buf, PCF_CMD_STATS_GET, 0, 0);
		return talk(p, nlh, on_stats);
	case PCFCTL_MONITOR:
		return monitor(p, req->monitor);
	case PCFCTL_SESSION_SHOW:
		return session_show(p, req, buf);
	case PCFCTL_SET_ADD:
	case PCFCTL_SET_DEL:
	case PCFCTL_SET_SHOW:
	case PCFCTL_SET_FLUSH:
	case PCFCTL_SET_DESTROY:
	case PCFCTL_SET_LOAD:
		err = connect_daemon(p);
		if (!err)
			err = pcfctl_set_run(&p->client, &p->out, req);
		return err > 0 ? err : err ? request_failed(p, err) : 0;
	default:
		nlh = put_change(req, buf, sizeof(buf), &cb);
		return nlh ? talk(p, nlh, cb) : 2;
	}
}

static int run_words(struct pcfctl *p, int argc, char **argv)
{
	struct pcfctl_req req;
	char err[256];

	if (pcfctl_parse(argc, argv, &req, err, sizeof(err)))
		return bad_usage(err);
	return run_req(p, &req);
}

/*
 * -batch packs consecutive changes into one datagram (up to BATCH_MAX):
 * pcfd runs them in order and cancels the rest after the first failure,
 * so the batch still stops at the failing line, at a fraction of the
 * round trips.  With -force every line goes alone, so all of them run.
 */
#define BATCH_MAX 64

struct batch {
	struct pcfctl *p;
	const char *file;
	char buf[PCF_GENL_MSG_MAX * 2];
	size_t len;
	unsigned int n;
	int lines[BATCH_MAX];
	__u32 first_seq;
	int failed_line; /* 0: none */
};

static void on_batch_ack(unsigned int idx, int err, const char *msg, void *ctx)
{
	struct batch *b = ctx;

	if (!err || err == -ECANCELED || b->failed_line)
		return;
	b->failed_line = b->lines[idx];
	fprintf(stderr, "Error: %s\n", msg);
}

static int on_batch_msg(const struct nlmsghdr *nlh,
			const struct nlattr *const *tb, void *ctx)
{
	struct batch *b = ctx;

	return on_added(nlh, tb, b->p); /* only add and replace answer */
}

/* Send what is packed; 0, or 1 when a line failed (reported). */
static int batch_flush(struct batch *b)
{
	int err;

	if (!b->n)
		return 0;
	err = connect_daemon(b->p);
	if (!err)
		err = pcfctl_client_talk_many(&b->p->client, b->buf, b->len,
					      b->n, b->first_seq, on_batch_msg,
					      on_batch_ack, b);
	b->n = 0;
	b->len = 0;
	if (err) {
		b->failed_line = b->lines[0];
		return request_failed(b->p, err);
	}
	return b->failed_line ? 1 : 0;
}

/* Pack req; 0, or 1 when sending a full batch found a failed line. */
static int batch_add(struct batch *b, const struct pcfctl_req *req, int lineno)
{
	struct nlmsghdr *nlh;
	pcfctl_msg_cb cb;
	int rc = 0;

	if (b->n == BATCH_MAX || sizeof(b->buf) - b->len < PCF_GENL_MSG_MAX)
		rc = batch_flush(b);
	if (rc)
		return rc;
	rc = connect_daemon(b->p); /* it numbers the requests */
	if (rc) {
		b->failed_line = lineno;
		return request_failed(b->p, rc);
	}
	nlh = put_change(req, b->buf + b->len, sizeof(b->buf) - b->len, &cb);
	if (!nlh)
		return 2; /* cannot happen: a change always fits 16 KiB */
	nlh->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = pcfctl_client_next_seq(&b->p->client);
	if (!b->n)
		b->first_seq = nlh->nlmsg_seq;
	b->lines[b->n++] = lineno;
	b->len += NLMSG_ALIGN(nlh->nlmsg_len);
	return 0;
}

static bool packable(const struct pcfctl_req *req)
{
	return req->cmd == PCFCTL_FLOW_ADD || req->cmd == PCFCTL_FLOW_REPLACE ||
	       req->cmd == PCFCTL_FLOW_DEL || req->cmd == PCFCTL_FLOW_FLUSH;
}

/* One batch line: 0, or the exit status of its failure (reported). */
static int batch_line(struct batch *b, int argc, char **argv, int lineno,
		      bool force)
{
	struct pcfctl_req req;
	char err[256];
	int rc;

	if (argc < 0 || pcfctl_parse(argc, argv, &req, err, sizeof(err))) {
		rc = batch_flush(b);
		if (rc)
			return rc;
		b->failed_line = lineno;
		return bad_usage(
		    argc < 0 ? "more than " STR(
				   PCF_TEXT_WORDS_MAX) " words in a line"
			     : err);
	}
	if (!force && packable(&req))
		return batch_add(b, &req, lineno);
	rc = batch_flush(b);
	if (rc)
		return rc;
	rc = run_req(b->p, &req);
	if (rc)
		b->failed_line = lineno;
	return rc;
}

static int report_failure(struct batch *b, int rc)
{
	fprintf(stderr, "Command failed %s:%d\n", b->file, b->failed_line);
	b->failed_line = 0;
	return rc;
}

/*
 * The batch's lines, read within a batch file's limits: memory holds one
 * line whatever the input.  A line the reader refuses (too long, too
 * many, not text) ends the batch, -force or not: what follows it cannot
 * be trusted to be lines.  Exit status 2 then, 1 if it could not be read.
 */
static int run_batch(struct pcfctl *p, const char *file, bool force)
{
	bool is_stdin = !strcmp(file, "-"), stop = false;
	char *line, *argv[PCF_TEXT_WORDS_MAX], err[512];
	struct pcf_lines in;
	int argc, rc, got = 0, ret = 0;
	struct batch *b;

	rc = is_stdin ? pcf_lines_from(&in, stdin, "stdin", &pcf_batch_limits,
				       err, sizeof(err))
		      : pcf_lines_open(&in, file, &pcf_batch_limits, err,
				       sizeof(err));
	if (rc) {
		fprintf(stderr, "Error: %s\n", err);
		return rc == -EISDIR ? 2 : 1;
	}
	b = calloc(1, sizeof(*b));
	if (!b)
		abort();
	b->p = p;
	b->file = in.name;
	while (!stop &&
	       (got = pcf_lines_next(&in, &line, err, sizeof(err))) == 1) {
		argc = pcf_text_split_line(line, argv, PCF_TEXT_WORDS_MAX);
		if (argc &&
		    (rc = batch_line(b, argc, argv, in.lineno, force))) {
			ret = report_failure(b, rc);
			stop = !force;
		}
	}
	if (!stop && (rc = batch_flush(b)))
		ret = report_failure(b, rc);
	if (!stop && got < 0) { /* the line the reader refused */
		fprintf(stderr, "Error: %s\n", err);
		ret = got == -E2BIG || got == -EILSEQ ? 2 : 1;
	}
	free(b);
	pcf_lines_close(&in);
	return ret;
}

static int enter_netns(const char *name)
{
	char path[256];
	int fd;

	snprintf(path, sizeof(path), "/run/netns/%s", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr,
			"Error: cannot open network namespace \"%s\": %s\n",
			name, strerror(errno));
		return 1;
	}
	if (setns(fd, CLONE_NEWNET)) {
		fprintf(stderr,
			"Error: cannot enter network namespace \"%s\": %s\n",
			name, strerror(errno));
		close(fd);
		return 1;
	}
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	struct pcfctl p = { .out = { .f = stdout } };
	struct pcfctl_opts o;
	char err[256];
	int rc;

	argc--, argv++;
	if (pcfctl_parse_opts(&argc, &argv, &o, err, sizeof(err))) {
		fprintf(stderr, "Error: %s\n", err);
		pcfctl_usage(stderr, PCFCTL_HELP);
		return 2;
	}
	if (o.help) {
		pcfctl_usage(stdout, PCFCTL_HELP);
		return 0;
	}
	p.out.json = o.json;
	p.out.pretty = o.pretty;
	p.out.stats = o.stats;
	p.port = o.ctl_port;
	p.daemon_uid = o.daemon_uid;
	p.verbose = o.verbose;
	if (o.netns && enter_netns(o.netns))
		return 1;
	if (o.batch && argc)
		return bad_usage("-batch takes no command words");
	if (!o.batch && !argc) {
		pcfctl_usage(stderr, PCFCTL_HELP);
		return 2;
	}
	rc = o.batch ? run_batch(&p, o.batch, o.force)
		     : run_words(&p, argc, argv);
	if (p.connected && p.verbose &&
	    pcfctl_client_skipped(&p.client, err, sizeof(err)))
		fprintf(stderr, "pcfctl: %s\n", err);
	if (p.connected)
		pcfctl_client_close(&p.client);
	return rc;
}
