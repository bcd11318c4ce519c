// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * pcf-nlclient - a second, independent client of pcfd, built on
 * libnl-genl-3 alone: proof that the pcf family is plain genetlink a
 * generic netlink library can speak (genl/README.md says what a
 * third-party controller needs).  Only the numbers come from
 * genl/pcf_genl.h; every message is made and read by libnl, none of
 * pcf's own code.  tests/e2e/ctl_libnl.sh runs it.
 *
 *   pcf-nlclient [--ctl-port ID] add SRC DPORT        udp, action drop; prints
 * the id pcf-nlclient [--ctl-port ID] del ID pcf-nlclient [--ctl-port ID] dump
 * "id N src A dport P" lines pcf-nlclient [--ctl-port ID] monitor COUNT COUNT
 * events, "added id N" ...
 *
 * Like pcfctl it takes only what comes from pcfd's port id and uid 0,
 * and skips the rest.  A refusal prints "Error: " and pcfd's extended
 * ack message, exit 1.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <netlink/netlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <netlink/genl/genl.h>

#include "pcf_genl.h"

#define TIMEOUT_S 10

struct client {
	struct nl_sock *sk;
	struct nl_cb *cb;
	__u32 port;    /* pcfd's */
	bool done;     /* the ack, the end of the dump, or the events wanted */
	int err;       /* pcfd's errno */
	char msg[256]; /* and its reason */
	unsigned long skipped;
	int events;    /* monitor: how many are left to print */
	bool not_ours; /* an answer did not carry our port id */
};

static struct nla_policy flow_policy[PCF_A_MAX + 1] = {
	[PCF_A_FLOW_ID] = { .type = NLA_U32 },
	[PCF_A_FLOW_PRIO] = { .type = NLA_U32 },
	[PCF_A_FLOW_MATCH] = { .type = NLA_NESTED },
	[PCF_A_FLOW_ACTION] = { .type = NLA_NESTED },
	[PCF_A_FLOW_PACKETS] = { .type = NLA_U64 },
	[PCF_A_FLOW_BYTES] = { .type = NLA_U64 },
	[PCF_A_FLOW_WORKER_PACKETS] = { .type = NLA_U64 },
	[PCF_A_FLOW_WORKER_BYTES] = { .type = NLA_U64 },
};

static struct nla_policy match_policy[PCF_A_MATCH_MAX + 1] = {
	[PCF_A_MATCH_SRC] = { .type = NLA_UNSPEC, .minlen = 4 },
	[PCF_A_MATCH_DST] = { .type = NLA_UNSPEC, .minlen = 4 },
	[PCF_A_MATCH_SPORT] = { .type = NLA_U32 },
	[PCF_A_MATCH_DPORT] = { .type = NLA_U32 },
	[PCF_A_MATCH_PROTO] = { .type = NLA_U32 },
};

/*
 * Only pcfd's datagrams: its port id, and uid 0 vouched by the kernel.
 * And, as libmnl's mnl_cb_run() and the kernel's own replies have it, an
 * answer carries the requester's port id in nlmsg_pid (events carry 0).
 */
static int on_msg_in(struct nl_msg *msg, void *arg)
{
	struct client *c = arg;
	struct ucred *cred = nlmsg_get_creds(msg);
	__u32 pid = nlmsg_hdr(msg)->nlmsg_pid;

	if (nlmsg_get_src(msg)->nl_pid != c->port || !cred || cred->uid) {
		c->skipped++;
		return NL_SKIP;
	}
	if (!c->events && pid != nl_socket_get_local_port(c->sk)) {
		c->not_ours = true;
		c->done = true;
		return NL_STOP;
	}
	return NL_OK;
}

/* pcfd's error ack: the errno, and NLMSGERR_ATTR_MSG from its TLVs. */
static int on_error(struct sockaddr_nl *who, struct nlmsgerr *e, void *arg)
{
	struct client *c = arg;
	struct nlmsghdr *nlh = (struct nlmsghdr *)((char *)e - NLMSG_HDRLEN);
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];
	size_t off = sizeof(*e);

	c->err = e->error;
	c->done = true;
	snprintf(c->msg, sizeof(c->msg), "%s", strerror(-e->error));
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += e->msg.nlmsg_len - NLMSG_HDRLEN;
	if (nlh->nlmsg_flags & NLM_F_ACK_TLVS &&
	    nlh->nlmsg_len > NLMSG_HDRLEN + off &&
	    !nla_parse(tb, NLMSGERR_ATTR_MAX,
		       (struct nlattr *)((char *)e + off),
		       nlh->nlmsg_len - NLMSG_HDRLEN - off, NULL) &&
	    tb[NLMSGERR_ATTR_MSG])
		snprintf(c->msg, sizeof(c->msg), "%s",
			 nla_get_string(tb[NLMSGERR_ATTR_MSG]));
	return NL_STOP;
}

static int on_ack(struct nl_msg *msg, void *arg)
{
	((struct client *)arg)->done = true;
	return NL_STOP;
}

/* id, src and dport of a rule message, or -1. */
static int rule_of(struct nl_msg *msg, __u32 *id, char *src, __u32 *dport)
{
	struct nlattr *tb[PCF_A_MAX + 1], *m[PCF_A_MATCH_MAX + 1];
	struct nlmsghdr *nlh = nlmsg_hdr(msg);

	if (genlmsg_parse(nlh, 0, tb, PCF_A_MAX, flow_policy) ||
	    !tb[PCF_A_FLOW_ID] || !tb[PCF_A_FLOW_MATCH] ||
	    nla_parse_nested(m, PCF_A_MATCH_MAX, tb[PCF_A_FLOW_MATCH],
			     match_policy))
		return -1;
	*id = nla_get_u32(tb[PCF_A_FLOW_ID]);
	strcpy(src, "any");
	if (m[PCF_A_MATCH_SRC])
		inet_ntop(nla_len(m[PCF_A_MATCH_SRC]) == 4 ? AF_INET : AF_INET6,
			  nla_data(m[PCF_A_MATCH_SRC]), src, INET6_ADDRSTRLEN);
	*dport = m[PCF_A_MATCH_DPORT] ? nla_get_u32(m[PCF_A_MATCH_DPORT]) : 0;
	return 0;
}

static int on_rule(struct nl_msg *msg, void *arg)
{
	char src[INET6_ADDRSTRLEN];
	__u32 id, dport;

	if (!rule_of(msg, &id, src, &dport))
		printf("id %u src %s dport %u\n", id, src, dport);
	return NL_OK;
}

static int on_added(struct nl_msg *msg, void *arg)
{
	char src[INET6_ADDRSTRLEN];
	__u32 id, dport;

	if (!rule_of(msg, &id, src, &dport))
		printf("%u\n", id);
	return NL_OK;
}

static int on_event(struct nl_msg *msg, void *arg)
{
	struct genlmsghdr *g = nlmsg_data(nlmsg_hdr(msg));
	struct client *c = arg;
	char src[INET6_ADDRSTRLEN];
	__u32 id = 0, dport;

	if (g->cmd == PCF_CMD_FLOW_FLUSH)
		printf("flushed\n");
	else if (!rule_of(msg, &id, src, &dport))
		printf("%s id %u src %s dport %u\n",
		       g->cmd == PCF_CMD_FLOW_NEW ? "added" : "deleted", id,
		       src, dport);
	else
		return NL_OK;
	fflush(stdout);
	if (--c->events == 0) {
		c->done = true;
		return NL_STOP;
	}
	return NL_OK;
}

static int any_seq(struct nl_msg *msg, void *arg)
{
	return NL_OK;
}

static int on_done(struct nl_msg *msg, void *arg)
{
	((struct client *)arg)->done = true;
	return NL_STOP;
}

static int connect_pcfd(struct client *c)
{
	struct timeval tmo = { .tv_sec = TIMEOUT_S };
	int err;

	c->sk = nl_socket_alloc();
	c->cb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!c->sk || !c->cb)
		return -NLE_NOMEM;
	err = nl_connect(c->sk, NETLINK_USERSOCK);
	if (err)
		return err;
	nl_socket_set_peer_port(c->sk, c->port);
	/* pcfd's datagrams are up to PCF_GENL_MSG_MAX */
	nl_socket_set_msg_buf_size(c->sk, 2 * PCF_GENL_MSG_MAX);
	err = nl_socket_set_passcred(c->sk, 1);
	if (err)
		return err;
	setsockopt(nl_socket_get_fd(c->sk), SOL_SOCKET, SO_RCVTIMEO, &tmo,
		   sizeof(tmo));
	nl_cb_set(c->cb, NL_CB_MSG_IN, NL_CB_CUSTOM, on_msg_in, c);
	nl_cb_err(c->cb, NL_CB_CUSTOM, on_error, c);
	nl_cb_set(c->cb, NL_CB_ACK, NL_CB_CUSTOM, on_ack, c);
	nl_cb_set(c->cb, NL_CB_FINISH, NL_CB_CUSTOM, on_done, c);
	return 0;
}

/*
 * Read until the answer is complete: a skipped datagram does not count
 * (nl_recvmsgs returns after each one).  pcfd's own error is c->err.
 */
static int wait_done(struct client *c)
{
	int err;

	while (!c->done) {
		err = nl_recvmsgs(c->sk, c->cb);
		if (err < 0 && !c->done && err != -NLE_INTR)
			return err;
	}
	return 0;
}

static int request(struct client *c, struct nl_msg *msg, nl_recvmsg_msg_cb_t cb)
{
	int err;

	nl_cb_set(c->cb, NL_CB_VALID, NL_CB_CUSTOM, cb ? cb : on_rule, c);
	err = nl_send_auto(c->sk, msg);
	nlmsg_free(msg);
	if (err < 0)
		return err;
	return wait_done(c);
}

static struct nl_msg *new_msg(__u8 cmd, int flags)
{
	struct nl_msg *msg = nlmsg_alloc();

	if (msg && !genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, PCF_GENL_TYPE,
				0, flags, cmd, PCF_GENL_VERSION)) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

static struct nl_msg *add_msg(const char *src, __u32 dport)
{
	struct nl_msg *msg =
	    new_msg(PCF_CMD_FLOW_NEW, NLM_F_ECHO | NLM_F_CREATE | NLM_F_EXCL);
	struct in_addr a;
	struct nlattr *n;

	if (!msg || inet_pton(AF_INET, src, &a) != 1)
		return NULL;
	n = nla_nest_start(msg, PCF_A_FLOW_MATCH);
	if (!n || nla_put(msg, PCF_A_MATCH_SRC, 4, &a) ||
	    nla_put_u32(msg, PCF_A_MATCH_DPORT, dport) ||
	    nla_put_u32(msg, PCF_A_MATCH_PROTO, 17))
		return NULL;
	nla_nest_end(msg, n);
	n = nla_nest_start(msg, PCF_A_FLOW_ACTION);
	if (!n || nla_put_u32(msg, PCF_A_ACT_VERDICT, PCF_VERDICT_DROP))
		return NULL;
	nla_nest_end(msg, n);
	return msg;
}

static int run(struct client *c, int argc, char **argv)
{
	struct nl_msg *msg = NULL;
	const char *cmd = argv[0];

	if (!strcmp(cmd, "add") && argc == 3) {
		msg = add_msg(argv[1], strtoul(argv[2], NULL, 0));
		return msg ? request(c, msg, on_added) : -NLE_INVAL;
	}
	if (!strcmp(cmd, "del") && argc == 2) {
		msg = new_msg(PCF_CMD_FLOW_DEL, 0);
		if (!msg ||
		    nla_put_u32(msg, PCF_A_FLOW_ID, strtoul(argv[1], NULL, 0)))
			return -NLE_NOMEM;
		return request(c, msg, NULL);
	}
	if (!strcmp(cmd, "dump") && argc == 1) {
		msg = new_msg(PCF_CMD_FLOW_GET, NLM_F_DUMP);
		return msg ? request(c, msg, on_rule) : -NLE_NOMEM;
	}
	if (!strcmp(cmd, "monitor") && argc == 2) {
		c->events = atoi(argv[1]);
		/* events carry sequence number 0 */
		nl_cb_set(c->cb, NL_CB_SEQ_CHECK, NL_CB_CUSTOM, any_seq, NULL);
		nl_cb_set(c->cb, NL_CB_VALID, NL_CB_CUSTOM, on_event, c);
		if (nl_socket_add_membership(c->sk, PCF_MCGRP_EVENTS))
			return -NLE_FAILURE;
		printf("listening\n");
		fflush(stdout);
		return wait_done(c);
	}
	fprintf(stderr, "usage: pcf-nlclient [--ctl-port ID] add SRC DPORT | "
			"del ID | dump | monitor COUNT\n");
	exit(2);
}

int main(int argc, char **argv)
{
	struct client c = { .port = PCF_CTL_PORT_DEFAULT };
	int err;

	if (argc > 2 && !strcmp(argv[1], "--ctl-port")) {
		c.port = strtoul(argv[2], NULL, 0);
		argc -= 2, argv += 2;
	}
	if (argc < 2)
		return run(&c, 1, (char *[]){ "help" });
	err = connect_pcfd(&c);
	if (!err)
		err = run(&c, argc - 1, argv + 1);
	if (c.skipped)
		fprintf(stderr,
			"pcf-nlclient: skipped %lu datagrams not from pcfd\n",
			c.skipped);
	if (c.not_ours) {
		fprintf(
		    stderr,
		    "Error: pcfd's answer does not carry our port id in nlmsg_pid\n");
		return 1;
	}
	if (err) {
		fprintf(stderr, "Error: libnl: %s\n", nl_geterror(err));
		return 1;
	}
	if (c.err) {
		fprintf(stderr, "Error: %s\n", c.msg);
		return 1;
	}
	nl_cb_put(c.cb);
	nl_socket_free(c.sk);
	return 0;
}
