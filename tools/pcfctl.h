/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * pcfctl.h - the pieces of pcfctl: command line parsing (parse.c), the
 * netlink client (client.c), output (print.c) and flow save (save.c).
 * Built on genl/ and the ABI header only; the words of a rule are genl's
 * (rule_text.h), shared with pcfd's rules file.
 */
#ifndef PCFCTL_H
#define PCFCTL_H

#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>
#include <json-c/json.h>

#include "pcf_genl.h"
#include "rule_json.h"
#include "rule_text.h"
#include "stats_reply.h"

enum pcfctl_cmd {
	PCFCTL_HELP,
	PCFCTL_FLOW_HELP,
	PCFCTL_FLOW_ADD,
	PCFCTL_FLOW_REPLACE,
	PCFCTL_FLOW_DEL,  /* by id if id, else by match */
	PCFCTL_FLOW_SHOW, /* one if id, else all */
	PCFCTL_FLOW_FLUSH,
	PCFCTL_FLOW_SAVE, /* the rules as a -batch file */
	PCFCTL_STATS,
	PCFCTL_MONITOR,
	PCFCTL_SESSION_SHOW, /* all, or those the match takes */
	PCFCTL_SESSION_DEL,
	PCFCTL_SESSION_FLUSH,
	/* named sets (issue 13) */
	PCFCTL_SET_ADD,
	PCFCTL_SET_DEL,
	PCFCTL_SET_SHOW, /* all, or one */
	PCFCTL_SET_FLUSH,
	PCFCTL_SET_DESTROY,
	PCFCTL_SET_LOAD,
};

/* What pcfctl monitor listens to (groups). */
#define PCFCTL_MONITOR_FLOWS	(1U << 0)
#define PCFCTL_MONITOR_SESSIONS (1U << 1)

struct pcfctl_req {
	enum pcfctl_cmd cmd;
	struct pcf_rule rule; /* match, action, prio; a session's match */
	__u32 id;
	bool has_match;	      /* session show: a match was given */
	unsigned int monitor; /* PCFCTL_MONITOR_* */
	/* named sets: the set, its elements as words (checked), a file */
	const char *set_name;
	char **set_words;
	int nset_words;
	const char *set_file;
};

/* ---- parse.c ---- */

/* The options in front of OBJECT. */
struct pcfctl_opts {
	bool json, pretty, stats, force, help;
	bool verbose;	   /* -v: say how many foreign datagrams were skipped */
	const char *netns; /* -n */
	const char *batch; /* -batch FILE, "-" for stdin */
	__u32 ctl_port;	   /* --ctl-port, default PCF_CTL_PORT_DEFAULT */
	uid_t daemon_uid;  /* --ctl-uid, default 0 */
};

/*
 * Take the options off the front of argc and argv (argv[0] is the first
 * word after the program name), iproute2 style: -j -p -s -v -n NETNS
 * -batch FILE -force, --ctl-port ID, --ctl-uid UID (one dash or two).
 * -EINVAL with a message in err for bad usage.
 */
int pcfctl_parse_opts(int *argc, char ***argv, struct pcfctl_opts *ret,
		      char *err, size_t errlen);

/*
 * Parse OBJECT COMMAND ARGS (argv[0] is OBJECT; pcf_text_split_line splits
 * a batch line).  The rule changes are genl's grammar
 * (pcf_text_flow_change); the rest is pcfctl's.  -EINVAL with a message
 * in err for bad usage.
 */
int pcfctl_parse(int argc, char **argv, struct pcfctl_req *ret, char *err,
		 size_t errlen);
void pcfctl_usage(FILE *f, enum pcfctl_cmd which);

/* ---- client.c ---- */

struct pcfctl_client {
	int fd;
	__u32 daemon_port;
	uid_t daemon_uid; /* datagrams from any other uid are skipped */
	__u32 seq;
	/* datagrams not from pcfd's port id and uid, skipped; the last one's */
	unsigned long skipped;
	__u32 skipped_port;
	int skipped_pid;
	long skipped_uid; /* -1: no credentials */
	/* called after each skipped datagram, if set */
	void (*on_skip)(const struct pcfctl_client *c);
	char errmsg[256]; /* the daemon's (or our) reason for the last error */
	char buf[PCF_GENL_MSG_MAX * 2];
};

/* Called for each family message of a reply, already validated. */
typedef int (*pcfctl_msg_cb)(const struct nlmsghdr *nlh,
			     const struct nlattr *const *tb, void *ctx);

int pcfctl_client_open(struct pcfctl_client *c, __u32 daemon_port,
		       uid_t daemon_uid);
void pcfctl_client_close(struct pcfctl_client *c);
/*
 * Every receive below takes only datagrams from pcfd's port id and uid;
 * others are skipped and counted in c->skipped.  A wait ends with
 * -ETIMEDOUT after 10 s without a datagram from pcfd, however many others
 * come.
 *
 * Send the request nlh (NLM_F_ACK is added) and read the replies until the
 * ack or the end of the dump, calling cb for each family message.
 * 0 or -errno, with c->errmsg set.
 */
int pcfctl_client_talk(struct pcfctl_client *c, struct nlmsghdr *nlh,
		       pcfctl_msg_cb cb, void *ctx);
/* The outcome of request idx of a talk_many: 0 or -errno, and why. */
typedef void (*pcfctl_ack_cb)(unsigned int idx, int err, const char *msg,
			      void *ctx);
/* The sequence number for the next request packed by the caller. */
__u32 pcfctl_client_next_seq(struct pcfctl_client *c);
/*
 * Send n requests packed in buf (each with NLM_F_ACK and its sequence
 * number from first_seq on) in one datagram, and read until every one is
 * answered: cb for each family message, ack for each request's outcome.
 * 0, or -errno when the exchange itself failed (c->errmsg says why).
 */
int pcfctl_client_talk_many(struct pcfctl_client *c, const void *buf,
			    size_t len, unsigned int n, __u32 first_seq,
			    pcfctl_msg_cb cb, pcfctl_ack_cb ack, void *ctx);
/*
 * Join the groups (a bit mask of PCF_MCGRP_* numbers: 1 << group) and
 * call cb for each event, until it fails, or -EINTR once stop_fd is
 * readable.  on_skip (may be NULL) is called after each skipped datagram.
 */
int pcfctl_client_monitor(struct pcfctl_client *c, unsigned int groups,
			  pcfctl_msg_cb cb, void *ctx,
			  void (*on_skip)(const struct pcfctl_client *c),
			  int stop_fd);
/*
 * "skipped N datagrams not from pcfd (...); the last from ..." in buf,
 * as snprintf counts; 0 when none was skipped.
 */
int pcfctl_client_skipped(const struct pcfctl_client *c, char *buf, size_t len);

/* ---- save.c ---- */

/*
 * Print every rule as a `flow add` line with all its words: a file that
 * `pcfctl -batch` (or pcfd --rules-file) turns back into the same rules.
 * All or nothing: f gets no line unless every rule could be written.
 * 0 or -errno, with c->errmsg set.
 */
int pcfctl_flow_save(struct pcfctl_client *c, FILE *f);

/*
 * ---- named sets (tools/sets.c, issue 13) ----
 *
 * set add|del|show|flush|destroy|load: parse (argv[0] is "set"), and
 * run (connected; 0 or -errno with c->errmsg set, or for load a file
 * that does not read, 1 with the reason printed).
 */
struct pcfctl_out;
int pcfctl_parse_set(int argc, char **argv, struct pcfctl_req *ret, char *err,
		     size_t errlen);
int pcfctl_set_run(struct pcfctl_client *c, const struct pcfctl_out *o,
		   const struct pcfctl_req *req);
/* Every set as `set add` lines (flow save writes them before the rules). */
int pcfctl_sets_save(struct pcfctl_client *c, FILE *f);
/* A set event for monitor (cmd PCF_CMD_SET_*), printed; 0. */
int pcfctl_set_event(const struct pcfctl_out *o, __u8 cmd,
		     const struct nlattr *const *tb);

/* ---- print.c ---- */

struct pcfctl_out {
	FILE *f;
	bool json;
	bool pretty;
	bool stats; /* -s */
};

void pcfctl_print_rule(const struct pcfctl_out *o, const struct pcf_rule *r,
		       const struct pcf_counter *c);
/*
 * A rule from flow show: c the XDP counters, workers the packets and bytes
 * the workers' pipelines saw (NULL: none reported).  Text shows both with
 * -s ("packets N bytes N worker-packets N worker-bytes N"); JSON
 * (pcf_json_rule) adds "worker_packets" and "worker_bytes".
 */
void pcfctl_print_flow(const struct pcfctl_out *o, const struct pcf_rule *r,
		       const struct pcf_counter *c,
		       const struct pcf_counter *workers);
/* The STATS_GET reply's attributes as text, or -j as pcf_stats_json. */
void pcfctl_print_stats(const struct pcfctl_out *o,
			const struct nlattr *const *tb);
void pcfctl_print_json(const struct pcfctl_out *o, json_object *obj);
/* A session as `conntrack -L` shows one (what: "new", "destroy" or NULL
 * before it), or its JSON object. */
void pcfctl_print_session(const struct pcfctl_out *o, const char *what,
			  const struct pcf_session *s);
json_object *pcfctl_session_json(const struct pcf_session *s);
/* json-c's to_string flags for o (-p) */
int pcfctl_json_flags(const struct pcfctl_out *o);

#endif /* PCFCTL_H */
