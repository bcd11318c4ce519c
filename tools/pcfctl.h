/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * pcfctl.h - the pieces of pcfctl: command line parsing (parse.c), the
 * netlink client (client.c) and output (print.c).  Built on genl/ and the
 * ABI header only.
 */
#ifndef PCFCTL_H
#define PCFCTL_H

#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>
#include <json-c/json.h>

#include "pcf_genl.h"

enum pcfctl_cmd {
	PCFCTL_HELP,
	PCFCTL_FLOW_HELP,
	PCFCTL_FLOW_ADD,
	PCFCTL_FLOW_REPLACE,
	PCFCTL_FLOW_DEL,  /* by id if id, else by match */
	PCFCTL_FLOW_SHOW, /* one if id, else all */
	PCFCTL_FLOW_FLUSH,
	PCFCTL_STATS,
	PCFCTL_MONITOR,
};

struct pcfctl_req {
	enum pcfctl_cmd cmd;
	struct pcf_rule rule; /* match, action, prio */
	__u32 id;
};

/* ---- parse.c ---- */

/* The options in front of OBJECT. */
struct pcfctl_opts {
	bool json, pretty, stats, force, help;
	const char *netns; /* -n */
	const char *batch; /* -batch FILE, "-" for stdin */
	__u32 ctl_port;	   /* --ctl-port, default PCF_CTL_PORT_DEFAULT */
	uid_t daemon_uid;  /* --ctl-uid, default 0 */
};

/*
 * Take the options off the front of argc and argv (argv[0] is the first
 * word after the program name), iproute2 style: -j -p -s -n NETNS
 * -batch FILE -force, --ctl-port ID, --ctl-uid UID (one dash or two).
 * -EINVAL with a message in err for bad usage.
 */
int pcfctl_parse_opts(int *argc, char ***argv, struct pcfctl_opts *ret,
		      char *err, size_t errlen);

/*
 * Parse OBJECT COMMAND ARGS (argv[0] is OBJECT).  -EINVAL with a message
 * in err for bad usage.
 */
int pcfctl_parse(int argc, char **argv, struct pcfctl_req *ret, char *err,
		 size_t errlen);
/* ADDR[/LEN], ADDR bracketed or not: key address and mask, family 4/6. */
int pcfctl_parse_prefix(const char *s, __u8 *addr, __u8 *mask,
			__u8 *ret_family);
/* ADDR[:PORT], an IPv6 address with a port as [ADDR]:PORT. */
int pcfctl_parse_nat(const char *s, struct pcf_nat *ret);
/* Split a batch line into words; returns their number, -E2BIG if too many. */
int pcfctl_split_line(char *line, char **argv, int max);
void pcfctl_usage(FILE *f, enum pcfctl_cmd which);

/* ---- client.c ---- */

struct pcfctl_client {
	int fd;
	__u32 daemon_port;
	uid_t daemon_uid; /* replies from any other uid are refused */
	__u32 seq;
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
/* Join the events group and call cb for each event, until it fails. */
int pcfctl_client_monitor(struct pcfctl_client *c, pcfctl_msg_cb cb, void *ctx);

/* ---- print.c ---- */

struct pcfctl_out {
	FILE *f;
	bool json;
	bool pretty;
	bool stats; /* -s */
};

void pcfctl_print_rule(const struct pcfctl_out *o, const struct pcf_rule *r,
		       const struct pcf_counter *c);
json_object *pcfctl_rule_json(const struct pcf_rule *r,
			      const struct pcf_counter *c);
/* The STATS_GET reply's attributes, as an object {"xdp": {...}}. */
json_object *pcfctl_stats_json(const struct nlattr *const *tb);
void pcfctl_print_stats(const struct pcfctl_out *o,
			const struct nlattr *const *tb);
void pcfctl_print_json(const struct pcfctl_out *o, json_object *obj);
/* json-c's to_string flags for o (-p) */
int pcfctl_json_flags(const struct pcfctl_out *o);
const char *pcfctl_proto_name(__u8 proto, char *buf, size_t len);

#endif /* PCFCTL_H */
