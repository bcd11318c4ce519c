// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * ctl.c - pcfd's control server: requests of the pcf family in, rule
 * table changes through rules.c, replies, acks and events out.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>
#include <net/if.h>

#include "pcf_genl.h"
#include "pcf_nlsock.h"
#include "rule_text.h"
#include "ctl.h"
#include "ctl_judge.h"
#include "ctl_out.h"
#include "ctl_session.h"
#include "ctl_sets.h"
#include "log.h"
#include "ifwatch.h" /* struct pcf_link only: no code of it */
#include "table.h"
#include "workers.h" /* struct pcf_worker_info only: no code of it */

/* Clients whose waiting output one call of pcf_ctl_serve moves on. */
#define CTL_STEPS_PER_TURN 16

struct pcf_ctl {
	struct pcf_table *table;
	struct pcf_dp *dp; /* counters and stats; NULL: none (the fuzzer) */
	int fd;		   /* the socket; -1 without one (the fuzzer) */
	int timer_fd;	   /* when output waiting for a client is due */
	int epfd;	   /* both: what pcfd's loop waits on */
	pcf_ctl_send_fn send;
	void *send_ctx;
	char rx[PCF_GENL_MSG_MAX * 4]; /* a bigger request is refused */
	char tx[PCF_GENL_MSG_MAX];
	char ev[PCF_GENL_MSG_MAX];
	size_t out_len; /* replies gathered in tx */
	uid_t uid;	/* the sender of the datagram being served */
	struct ctl_out out;
	unsigned long served; /* datagrams taken off the socket */
	const struct pcf_ctl_workers *workers; /* NULL: none */
	struct pcf_judge judge;
	/* the datagram being served: may its sender change state? */
	int judged;    /* 0 yes, -EPERM no, CTL_UNJUDGED: not asked yet */
	char why[256]; /* if not, why */
	char msg[400]; /* the refusal's extended ack */
	/* sessions: pcfd's view (NULL: none), the events gathered for the
	 * sessions group, the sessions operators deleted */
	const struct pcf_ctl_sessions *sessions;
	char sev[PCF_GENL_MSG_MAX];
	size_t sev_len;
	__u64 sessions_deleted;
	/* named sets (issue 13) */
	struct pcf_ctl_sets sets;
};

#define CTL_UNJUDGED 1

/* One request being served. */
struct ctl_req {
	struct pcf_ctl *ctl;
	const struct nlmsghdr *nlh;
	const struct nlattr *tb[PCF_A_MAX + 1];
	__u32 port;
	struct pcf_extack ext;
	size_t out_start; /* where its replies begin in ctl->tx */
};

/* Never blocks: a full receiver is ctl_out's business (-EAGAIN). */
static int socket_send(void *ctx, const void *buf, size_t len, __u32 port,
		       __u32 groups)
{
	struct pcf_ctl *ctl = ctx;
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK,
				  .nl_pid = port,
				  .nl_groups = groups };

	if (sendto(ctl->fd, buf, len, MSG_DONTWAIT, (struct sockaddr *)&sa,
		   sizeof(sa)) < 0)
		return -errno;
	return 0;
}

static int out_send(void *ctx, const void *buf, size_t len, __u32 port)
{
	struct pcf_ctl *ctl = ctx;

	return ctl->send(ctl->send_ctx, buf, len, port, 0);
}

static __u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/*
 * The replies to the requests of one datagram (echoes or replies, acks)
 * gather in ctl->tx and leave together: a batch of requests costs one
 * sendto and one wake-up of the client, not one per request.  A dump
 * sends its own parts.
 */
#define REPLY_ROOM_MIN 4096 /* more than any one non-dump answer */

static struct nlmsghdr *reply_tail(struct ctl_req *req)
{
	return (struct nlmsghdr *)(req->ctl->tx + req->ctl->out_len);
}

static size_t reply_room(const struct ctl_req *req)
{
	return sizeof(req->ctl->tx) - req->ctl->out_len;
}

static void reply_commit(struct ctl_req *req, const struct nlmsghdr *nlh)
{
	req->ctl->out_len += NLMSG_ALIGN(nlh->nlmsg_len);
}

/*
 * Every message of an answer carries the requester's port id in
 * nlmsg_pid, as the kernel's answers do (libmnl's mnl_cb_run() and others
 * check it); events carry 0.
 */
static void to_port(void *buf, size_t len, __u32 port)
{
	struct nlmsghdr *nlh = buf;
	int rem = (int)len;

	for (; mnl_nlmsg_ok(nlh, rem); nlh = mnl_nlmsg_next(nlh, &rem))
		nlh->nlmsg_pid = port;
}

/* The replies gathered so far leave, or wait in ctl->out: never here. */
static void reply_flush(struct pcf_ctl *ctl, __u32 port)
{
	int err;

	if (!ctl->out_len)
		return;
	to_port(ctl->tx, ctl->out_len, port);
	err = ctl_out_send(&ctl->out, port, ctl->uid, ctl->tx, ctl->out_len,
			   now_ns());
	if (err)
		pr_debug("ctl: reply to port %u lost: %s\n", port,
			 strerror(-err));
	ctl->out_len = 0;
}

/* Tell the events group; delivery is best effort. */
static void ctl_event(struct pcf_ctl *ctl, const struct nlmsghdr *nlh)
{
	ctl->send(ctl->send_ctx, nlh, nlh->nlmsg_len, 0,
		  1U << (PCF_MCGRP_EVENTS - 1));
}

/*
 * NLMSG_ERROR about the request req with err (0: an ack), capped (the
 * request's header only), and the extended ack: message, offending
 * attribute offset, missing type.  In buf; its header.
 */
static struct nlmsghdr *put_ack(void *buf, size_t size,
				const struct nlmsghdr *req, int err,
				const struct pcf_extack *ext)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	const char *at = (const char *)req;
	struct nlmsgerr *e;

	nlh->nlmsg_type = NLMSG_ERROR;
	nlh->nlmsg_flags = NLM_F_CAPPED;
	nlh->nlmsg_seq = req->nlmsg_seq;
	e = mnl_nlmsg_put_extra_header(nlh, sizeof(*e));
	e->error = err;
	e->msg = *req;
	if (err && ext->msg) {
		mnl_attr_put_strz_check(nlh, size, NLMSGERR_ATTR_MSG, ext->msg);
		nlh->nlmsg_flags |= NLM_F_ACK_TLVS;
	}
	if (err && ext->bad_attr && (const char *)ext->bad_attr >= at &&
	    (const char *)ext->bad_attr < at + req->nlmsg_len) {
		mnl_attr_put_u32_check(nlh, size, NLMSGERR_ATTR_OFFS,
				       (const char *)ext->bad_attr - at);
		nlh->nlmsg_flags |= NLM_F_ACK_TLVS;
	}
	if (err && ext->miss_type) {
		mnl_attr_put_u32_check(nlh, size, NLMSGERR_ATTR_MISS_TYPE,
				       ext->miss_type);
		nlh->nlmsg_flags |= NLM_F_ACK_TLVS;
	}
	return nlh;
}

static void send_ack(struct ctl_req *req, int err)
{
	reply_commit(req, put_ack(reply_tail(req), reply_room(req), req->nlh,
				  err, &req->ext));
}

static int say(struct ctl_req *req, int err, const char *msg)
{
	req->ext.msg = msg;
	return err;
}

static int refuse(struct pcf_ctl_refusal *why, int err, enum pcf_ctl_part part,
		  const char *msg)
{
	why->part = part;
	why->msg = msg;
	return err;
}

/* A message about one rule: cmd with the rule. */
static struct nlmsghdr *rule_msg(void *buf, size_t size, __u8 cmd, __u16 flags,
				 __u32 seq, const struct pcf_rule *r)
{
	struct nlmsghdr *nlh = pcf_msg_start(buf, cmd, flags, seq);

	if (pcf_rule_put(nlh, size, r))
		return NULL;
	return nlh;
}

static void announce(struct pcf_ctl *ctl, __u8 cmd, const struct pcf_rule *r)
{
	struct nlmsghdr *nlh;

	if (r)
		nlh = rule_msg(ctl->ev, sizeof(ctl->ev), cmd, 0, 0, r);
	else
		nlh = pcf_msg_start(ctl->ev, cmd, 0, 0);
	if (nlh)
		ctl_event(ctl, nlh);
}

static unsigned int add_flags(__u16 nlflags)
{
	unsigned int flags = 0;

	if (nlflags & NLM_F_REPLACE) {
		flags |= PCF_TABLE_REPLACE;
		if (!(nlflags & NLM_F_CREATE))
			flags |= PCF_TABLE_EXCL;
	}
	return flags;
}

/* Why a flow add or replace failed: the grammar's words for it. */
static int add_error(struct pcf_ctl_refusal *why, int err)
{
	const struct pcf_flow_change c = { .op = PCF_FLOW_REPLACE };

	if (err == -EEXIST || err == -ENOENT || err == -ENOSPC ||
	    err == -ETOOMANYREFS || err == -EBUSY || err == -ETIMEDOUT)
		return refuse(why, err, PCF_CTL_PART_NONE,
			      pcf_text_change_strerror(&c, err));
	return refuse(why, err, PCF_CTL_PART_NONE,
		      "writing the rule to the pinned maps failed");
}

/* The attribute of type in nest, or NULL. */
static const struct nlattr *nested_attr(const struct nlattr *nest, __u16 type)
{
	const struct nlattr *a;

	mnl_attr_for_each_nested(a, nest)
		if (mnl_attr_get_type(a) == type)
			return a;
	return NULL;
}

/*
 * A mirror pcfd cannot honour is refused: with no worker sending on its
 * interface every copy would be lost.  Without workers (the fuzzer)
 * anything goes, as before.
 */
/* "WHAT IFNAME: no pcfd worker runs on it, so WHY: ADVICE-i IFNAME too" */
static const char *no_worker(const char *what, __u32 ifindex, const char *why,
			     const char *advice, char *buf, size_t len)
{
	char name[IF_NAMESIZE + 16];

	if (!if_indextoname(ifindex, name))
		snprintf(name, sizeof(name), "ifindex %u", ifindex);
	snprintf(
	    buf, len,
	    "%s %s: no pcfd worker runs on it, so %s: %sstart pcfd with -i %s too",
	    what, name, why, advice, name);
	return buf;
}

const char *pcf_ctl_mirror_refusal(__u32 ifindex, char *buf, size_t len)
{
	return no_worker("mirror", ifindex, "every copy would be lost",
			 "mirror to an interface pcfd runs on, or ", buf, len);
}

/*
 * Explicit egress (issue 13): egress dev names an interface a worker
 * sends on, else nothing could leave by it.
 */
const char *pcf_ctl_egress_dev_refusal(__u32 ifindex, char *buf, size_t len)
{
	return no_worker("egress dev", ifindex, "nothing can leave by it", "",
			 buf, len);
}

static int check_mirror(struct pcf_ctl *ctl, const struct pcf_rule *r,
			struct pcf_ctl_refusal *why)
{
	const struct pcf_ctl_workers *w = ctl->workers;
	__u32 ifindex = r->action.mirror_ifindex;

	if (w && r->egress_ifindex && !w->runs_on(w->ctx, r->egress_ifindex))
		return refuse(why, -ENODEV, PCF_CTL_PART_EGRESS_DEV,
			      pcf_ctl_egress_dev_refusal(r->egress_ifindex,
							 why->buf,
							 sizeof(why->buf)));
	if (!(r->action.flags & PCF_ACT_MIRROR) || !w ||
	    w->runs_on(w->ctx, ifindex))
		return 0;
	return refuse(
	    why, -ENODEV, PCF_CTL_PART_MIRROR,
	    pcf_ctl_mirror_refusal(ifindex, why->buf, sizeof(why->buf)));
}

/*
 * A rule on a named set that NATs (its own match has no family): the NAT
 * address must be of the set's family while the set holds addresses.  (A
 * packet of another family never matches; one the set took after being
 * emptied and refilled otherwise is dropped by the worker as nat_family.)
 */
static int check_set_family(struct pcf_ctl *ctl, const struct pcf_rule *r,
			    struct pcf_ctl_refusal *why)
{
	const struct pcf_action *a = &r->action;
	const __u8 idx[2] = { r->mask.src_set, r->mask.dst_set };
	struct pcf_set_info info;
	unsigned int i;
	__u8 nat = 0;

	if (a->flags & PCF_ACT_SNAT)
		nat = a->snat.family;
	else if (a->flags & PCF_ACT_DNAT)
		nat = a->dnat.family;
	for (i = 0; nat && !r->mask.family && i < 2; i++) {
		if (!idx[i] || !pcf_sets_info(ctl->sets.sets, idx[i], &info) ||
		    !info.family || info.family == nat)
			continue;
		snprintf(
		    why->buf, sizeof(why->buf),
		    "%s @%s holds IPv%u addresses: NAT to an IPv%u address never applies to its packets",
		    i ? "dst" : "src", info.name, info.family, nat);
		return refuse(why, -EINVAL, PCF_CTL_PART_ACTION, why->buf);
	}
	return 0;
}

/* Which part of spec pcf_rule_validate refused. */
static enum pcf_ctl_part invalid_part(const struct pcf_rule *spec)
{
	if (pcf_match_validate(&spec->key, &spec->mask, NULL))
		return PCF_CTL_PART_MATCH;
	return spec->prio > PCF_PRIO_MAX ? PCF_CTL_PART_PRIO
					 : PCF_CTL_PART_ACTION;
}

int pcf_ctl_flow_add(struct pcf_ctl *ctl, const struct pcf_rule *spec,
		     unsigned int flags, struct pcf_rule *ret_rule,
		     struct pcf_ctl_refusal *why)
{
	const char *invalid;
	__u32 id;
	int err;

	/* the whole rule is checked before any map is touched */
	err = pcf_rule_validate(spec, &invalid);
	if (err)
		return refuse(why, err, invalid_part(spec), invalid);
	err = check_mirror(ctl, spec, why);
	if (!err)
		err = check_set_family(ctl, spec, why);
	if (err)
		return err;
	err = pcf_table_add(ctl->table, spec, flags, &id);
	if (err)
		return add_error(why, err);
	/* as the table keeps it (the match masked), with its id */
	*ret_rule = *spec;
	ret_rule->id = id;
	pcf_table_get(ctl->table, id, ret_rule, NULL);
	pr_debug("ctl: rule %u added\n", id);
	announce(ctl, PCF_CMD_FLOW_NEW, ret_rule);
	return 0;
}

int pcf_ctl_flow_del(struct pcf_ctl *ctl, __u32 id, struct pcf_rule *ret_rule,
		     struct pcf_ctl_refusal *why)
{
	int err;

	if (pcf_table_get(ctl->table, id, ret_rule, NULL))
		return refuse(why, -ENOENT, PCF_CTL_PART_NONE,
			      "no rule with this id");
	err = pcf_table_del(ctl->table, id, NULL);
	if (err)
		return refuse(why, err, PCF_CTL_PART_NONE,
			      "removing the rule from the maps failed");
	pr_debug("ctl: rule %u deleted\n", id);
	announce(ctl, PCF_CMD_FLOW_DEL, ret_rule);
	return 0;
}

static int do_flow_new(struct ctl_req *req)
{
	struct pcf_ctl_refusal why = {};
	struct pcf_rule spec, rule;
	int err;

	if (req->tb[PCF_A_FLOW_ID]) {
		req->ext.bad_attr = req->tb[PCF_A_FLOW_ID];
		return say(req, -EINVAL, "pcfd assigns rule ids: give no id");
	}
	err = pcf_rule_from_attrs(req->tb, &spec, &req->ext);
	if (err)
		return err;
	err = pcf_ctl_flow_add(req->ctl, &spec,
			       add_flags(req->nlh->nlmsg_flags), &rule, &why);
	if (err) {
		if (why.part == PCF_CTL_PART_MIRROR)
			req->ext.bad_attr = nested_attr(
			    req->tb[PCF_A_FLOW_ACTION], PCF_A_ACT_MIRROR);
		if (why.part == PCF_CTL_PART_EGRESS_DEV)
			req->ext.bad_attr = nested_attr(
			    req->tb[PCF_A_FLOW_ACTION], PCF_A_ACT_EGRESS_DEV);
		snprintf(req->ctl->msg, sizeof(req->ctl->msg), "%s", why.msg);
		return say(req, err, req->ctl->msg);
	}
	if (req->nlh->nlmsg_flags & NLM_F_ECHO) {
		struct nlmsghdr *nlh;

		nlh = rule_msg(reply_tail(req), reply_room(req),
			       PCF_CMD_FLOW_NEW, 0, req->nlh->nlmsg_seq, &rule);
		if (nlh)
			reply_commit(req, nlh);
	}
	return 0;
}

static int do_flow_del(struct ctl_req *req)
{
	struct pcf_ctl *ctl = req->ctl;
	struct pcf_ctl_refusal why = {};
	struct pcf_rule spec, rule;
	int err;

	if (req->tb[PCF_A_FLOW_ID]) {
		err = pcf_ctl_flow_del(
		    ctl, mnl_attr_get_u32(req->tb[PCF_A_FLOW_ID]), &rule, &why);
		return err ? say(req, err, why.msg) : 0;
	} else if (req->tb[PCF_A_FLOW_MATCH]) {
		err = pcf_rule_from_attrs(req->tb, &spec, &req->ext);
		if (err)
			return err;
		/* announce the rule that went, not the request's match */
		err = pcf_table_del_match(ctl->table, &spec, &rule);
		if (err == -ENOENT)
			return say(req, err, "no rule with this match");
		if (err == -EINVAL)
			return say(req, err, "this match is not valid");
	} else {
		req->ext.miss_type = PCF_A_FLOW_ID;
		return say(req, -EINVAL, "flow-del needs an id or a match");
	}
	if (err)
		return say(req, err, "removing the rule from the maps failed");
	pr_debug("ctl: rule %u deleted\n", rule.id);
	announce(ctl, PCF_CMD_FLOW_DEL, &rule);
	return 0;
}

/* Append rule (with its counters) to a reply being built; -EMSGSIZE if full. */
static int put_rule_reply(struct pcf_ctl *ctl, struct nlmsghdr *nlh,
			  size_t size, const struct pcf_rule *r)
{
	struct pcf_counter c = {}, wc = {};

	if (ctl->dp)
		pcf_dp_rule_counters(ctl->dp, r->ctr, &c, &wc);
	if (pcf_rule_put(nlh, size, r) || pcf_counters_put(nlh, size, &c))
		return -EMSGSIZE;
	if (!ctl->workers)
		return 0;
	if (!mnl_attr_put_u64_check(nlh, size, PCF_A_FLOW_WORKER_PACKETS,
				    wc.packets) ||
	    !mnl_attr_put_u64_check(nlh, size, PCF_A_FLOW_WORKER_BYTES,
				    wc.bytes))
		return -EMSGSIZE;
	return 0;
}

/* One part of a dump being made. */
struct dump_ctx {
	struct pcf_ctl *ctl;
	__u32 seq;
	char *pos, *end; /* next message, end of the part */
	__u32 next_id;	 /* where the next part resumes */
};

static int dump_one(const struct pcf_rule *r, __u32 slot, void *arg)
{
	struct dump_ctx *d = arg;
	size_t room = d->end - d->pos;
	struct nlmsghdr *nlh;

	if (room < NLMSG_HDRLEN + GENL_HDRLEN)
		goto full;
	nlh = pcf_msg_start(d->pos, PCF_CMD_FLOW_GET, NLM_F_MULTI, d->seq);
	if (put_rule_reply(d->ctl, nlh, room, r))
		goto full;
	d->pos += NLMSG_ALIGN(nlh->nlmsg_len);
	d->next_id = r->id + 1;
	return 0;
full:
	d->next_id = r->id;
	return 1;
}

/*
 * The next part of peer's dump, at most size bytes.
 * Each part resumes at the id the previous one could not hold, so rules
 * added or removed meanwhile never make it repeat or skip the others;
 * NLMSG_DONE ends the last one.
 */
static size_t dump_sessions_part(struct ctl_peer *peer, void *buf, size_t size,
				 struct pcf_ctl *ctl);

/* Named sets (issue 13): the next part of a set show, DONE at its end. */
static size_t dump_sets_part(struct ctl_peer *peer, void *buf, size_t size,
			     struct pcf_ctl *ctl)
{
	struct ctl_dump *dump = &peer->dump;
	struct nlmsghdr *done;
	size_t len;

	len = ctl_sets_part(&ctl->sets, &dump->set_cursor, buf, size,
			    NLM_F_MULTI, dump->req.nlmsg_seq);
	if (!dump->set_cursor.done || size - len < NLMSG_HDRLEN + sizeof(int))
		return len;
	done = mnl_nlmsg_put_header((char *)buf + len);
	done->nlmsg_type = NLMSG_DONE;
	done->nlmsg_flags = NLM_F_MULTI;
	done->nlmsg_seq = dump->req.nlmsg_seq;
	*(int *)mnl_nlmsg_put_extra_header(done, sizeof(int)) = 0;
	dump->active = false;
	return len + done->nlmsg_len;
}

static size_t dump_part(struct ctl_peer *peer, void *buf, size_t size,
			struct pcf_ctl *ctl)
{
	struct ctl_dump *dump = &peer->dump;
	struct dump_ctx d = { .ctl = ctl,
			      .seq = dump->req.nlmsg_seq,
			      .pos = buf,
			      .end = (char *)buf + size,
			      .next_id = dump->next_id };
	struct pcf_extack ext = { .msg = "a rule does not fit a message" };
	struct nlmsghdr *done;

	if (dump->sessions)
		return dump_sessions_part(peer, buf, size, ctl);
	if (dump->sets)
		return dump_sets_part(peer, buf, size, ctl);
	if (pcf_table_foreach(d.ctl->table, dump->next_id, dump_one, &d)) {
		dump->next_id = d.next_id;
		if (d.pos != (char *)buf)
			return d.pos - (char *)buf;
		dump->active = false;
		return put_ack(buf, size, &dump->req, -EMSGSIZE, &ext)
		    ->nlmsg_len;
	}
	dump->next_id = d.next_id;
	if ((size_t)(d.end - d.pos) < NLMSG_HDRLEN + sizeof(int))
		return d.pos - (char *)buf; /* DONE in a part of its own */
	done = mnl_nlmsg_put_header(d.pos);
	done->nlmsg_type = NLMSG_DONE;
	done->nlmsg_flags = NLM_F_MULTI;
	done->nlmsg_seq = d.seq;
	*(int *)mnl_nlmsg_put_extra_header(done, sizeof(int)) = 0;
	dump->active = false;
	return d.pos + done->nlmsg_len - (char *)buf;
}

/* ctl_out's refill: a part addressed to its client. */
static size_t dump_refill(void *ctx, struct ctl_peer *peer, void *buf,
			  size_t size)
{
	size_t len = dump_part(peer, buf, size, ctx);

	to_port(buf, len, peer->port);
	return len;
}

/*
 * A dump is not sent here: it becomes output waiting for its client in
 * ctl->out, which sends its parts as the client takes them (the first
 * ones at once), in turns with every other client.  One dump a socket at
 * a time, as the kernel has it; a uid whose clients already have too
 * much waiting gets EBUSY.
 */
static int start_sessions_dump(struct ctl_req *req, struct ctl_peer *p,
			       __u64 now);

static __u8 genl_cmd(const struct nlmsghdr *nlh)
{
	return ((const struct genlmsghdr *)mnl_nlmsg_get_payload(nlh))->cmd;
}

/*
 * The socket's answer queue for a dump: refused (-EBUSY, said) while one
 * is still being sent to it or its uid waits on too many; the answers
 * before it go first.  *ret: the peer, its dump to fill.
 */
static int dump_claim(struct ctl_req *req, __u64 now, struct ctl_peer **ret)
{
	struct pcf_ctl *ctl = req->ctl;
	struct ctl_peer *p = ctl_out_peer(&ctl->out, req->port);

	if (p && p->dump.active)
		return say(
		    req, -EBUSY,
		    "a dump to this socket is still being sent: read it first");
	reply_flush(ctl, req->port);
	p = ctl_out_claim(&ctl->out, req->port, ctl->uid, now);
	if (!p) {
		snprintf(
		    ctl->msg, sizeof(ctl->msg),
		    "too many answers to uid %u wait for their readers: read them, or try again later",
		    ctl->uid);
		return say(req, -EBUSY, ctl->msg);
	}
	*ret = p;
	return 0;
}

static int dump_flows(struct ctl_req *req)
{
	__u64 now = now_ns();
	struct ctl_peer *p;
	int err = dump_claim(req, now, &p);

	if (err)
		return err;
	p->dump =
	    (struct ctl_dump){ .active = true, .req = *req->nlh, .next_id = 1 };
	if (req->nlh->nlmsg_type == PCF_GENL_TYPE &&
	    genl_cmd(req->nlh) == PCF_CMD_SESSION_GET)
		return start_sessions_dump(req, p, now);
	ctl_out_step(&req->ctl->out, p, now);
	return 0;
}

/* set show: the sets, or one, as a dump (struct ctl_sets_cursor). */
static int dump_sets(struct ctl_req *req, int one)
{
	__u64 now = now_ns();
	struct ctl_peer *p;
	int err = dump_claim(req, now, &p);

	if (err)
		return err;
	p->dump =
	    (struct ctl_dump){ .active = true,
			       .req = *req->nlh,
			       .sets = true,
			       .set_cursor = { .idx = one, .one = one > 0 } };
	ctl_out_step(&req->ctl->out, p, now);
	return 0;
}

static int do_flow_get(struct ctl_req *req)
{
	struct pcf_ctl *ctl = req->ctl;
	struct nlmsghdr *nlh;
	struct pcf_rule rule;

	if (req->nlh->nlmsg_flags & NLM_F_DUMP)
		return dump_flows(req);
	if (!req->tb[PCF_A_FLOW_ID]) {
		req->ext.miss_type = PCF_A_FLOW_ID;
		return say(req, -EINVAL, "flow-get needs an id (or a dump)");
	}
	if (pcf_table_get(ctl->table, mnl_attr_get_u32(req->tb[PCF_A_FLOW_ID]),
			  &rule, NULL))
		return say(req, -ENOENT, "no rule with this id");
	nlh = pcf_msg_start(reply_tail(req), PCF_CMD_FLOW_GET, 0,
			    req->nlh->nlmsg_seq);
	if (put_rule_reply(ctl, nlh, reply_room(req), &rule))
		return -EMSGSIZE;
	reply_commit(req, nlh);
	return 0;
}

static int do_flow_flush(struct ctl_req *req)
{
	int err = pcf_table_flush(req->ctl->table);

	if (err)
		return say(req, err, "flushing the rule table failed");
	pr_debug("ctl: rules flushed\n");
	announce(req->ctl, PCF_CMD_FLOW_FLUSH, NULL);
	return 0;
}

/* ---- named sets (issue 13) ---- */

/* The request's set nest into tb, its name checked; the set's index or
 * -ENOENT in *ret_idx. */
static int set_request(struct ctl_req *req, const struct nlattr **tb,
		       const char **ret_name, int *ret_idx)
{
	int err = pcf_attr_parse_nested(req->tb[PCF_A_SET], &pcf_set_set, tb,
					&req->ext);

	if (err)
		return err;
	if (!tb[PCF_A_SET_NAME]) {
		req->ext.miss_type = PCF_A_SET_NAME;
		return say(req, -EINVAL, "a set command needs the set's name");
	}
	*ret_name = mnl_attr_get_str(tb[PCF_A_SET_NAME]);
	*ret_idx = pcf_sets_find(req->ctl->sets.sets, *ret_name);
	return 0;
}

static int set_missing(struct ctl_req *req, const char *name)
{
	snprintf(req->ctl->msg, sizeof(req->ctl->msg), "no set %s", name);
	return say(req, -ENOENT, req->ctl->msg);
}

static int set_refused(struct ctl_req *req, int err,
		       const struct pcf_sets_err *why)
{
	snprintf(req->ctl->msg, sizeof(req->ctl->msg), "%s",
		 why->msg[0] ? why->msg : strerror(-err));
	return say(req, err, req->ctl->msg);
}

/* Tell the events group what the set is now (gone: count 0, no family). */
static void announce_set(struct pcf_ctl *ctl, __u8 cmd, const char *name,
			 int idx)
{
	struct nlmsghdr *nlh = pcf_msg_start(ctl->ev, cmd, 0, 0);
	struct pcf_set_info in = {};
	struct nlattr *nest;

	pcf_sets_info(ctl->sets.sets, idx, &in);
	nest = mnl_attr_nest_start_check(nlh, sizeof(ctl->ev), PCF_A_SET);
	if (!nest ||
	    !mnl_attr_put_strz_check(nlh, sizeof(ctl->ev), PCF_A_SET_NAME,
				     name) ||
	    !mnl_attr_put_u32_check(nlh, sizeof(ctl->ev), PCF_A_SET_FAMILY,
				    in.family) ||
	    !mnl_attr_put_u32_check(nlh, sizeof(ctl->ev), PCF_A_SET_COUNT,
				    in.count))
		return;
	mnl_attr_nest_end(nlh, nest);
	ctl_event(ctl, nlh);
}

/* The sets' contents changed: bits for new sets, flow caches forget. */
static void sets_changed(struct pcf_ctl *ctl)
{
	pcf_table_set_bits_init(ctl->table, pcf_sets_bits(ctl->sets.sets));
	pcf_table_sets_changed(ctl->table);
}

/* set-new and set-del: elements in or out of a set (add makes it). */
static int set_elems(struct ctl_req *req, __u8 cmd)
{
	const struct nlattr *tb[PCF_A_SET_MAX + 1];
	const struct pcf_set_elem *e;
	struct pcf_sets_err why = {};
	const char *name;
	int idx, err;
	size_t n;

	err = set_request(req, tb, &name, &idx);
	if (err)
		return err;
	e = ctl_sets_elems(tb[PCF_A_SET_ELEMS], &n);
	if (cmd == PCF_CMD_SET_NEW) {
		err = pcf_sets_add(req->ctl->sets.sets, name, e, n, &idx, &why);
	} else if (idx < 0) {
		return set_missing(req, name);
	} else if (!n) {
		req->ext.miss_type = PCF_A_SET_ELEMS;
		return say(req, -EINVAL,
			   "set-del needs the elements to delete");
	} else {
		err = pcf_sets_del(req->ctl->sets.sets, name, e, n, &why);
	}
	sets_changed(req->ctl);
	if (err)
		return set_refused(req, err, &why);
	announce_set(req->ctl, cmd, name, idx);
	return 0;
}

static int do_set_new(struct ctl_req *req)
{
	return set_elems(req, PCF_CMD_SET_NEW);
}

static int do_set_del(struct ctl_req *req)
{
	return set_elems(req, PCF_CMD_SET_DEL);
}

static int do_set_get(struct ctl_req *req)
{
	const struct nlattr *tb[PCF_A_SET_MAX + 1];
	const char *name;
	int idx = 0, err;

	if (req->tb[PCF_A_SET]) {
		err = set_request(req, tb, &name, &idx);
		if (err)
			return err;
		if (idx < 0)
			return set_missing(req, name);
	}
	return dump_sets(req, idx);
}

static int do_set_flush(struct ctl_req *req)
{
	const struct nlattr *tb[PCF_A_SET_MAX + 1];
	const char *name;
	int idx, err;

	err = set_request(req, tb, &name, &idx);
	if (err)
		return err;
	if (idx < 0)
		return set_missing(req, name);
	err = pcf_sets_flush(req->ctl->sets.sets, idx);
	sets_changed(req->ctl);
	if (err)
		return say(req, err,
			   "emptying the set in the pinned maps failed");
	announce_set(req->ctl, PCF_CMD_SET_FLUSH, name, idx);
	return 0;
}

static int do_set_destroy(struct ctl_req *req)
{
	const struct nlattr *tb[PCF_A_SET_MAX + 1];
	struct pcf_ctl *ctl = req->ctl;
	const char *name;
	char ids[96];
	unsigned int n;
	int idx, err;

	err = set_request(req, tb, &name, &idx);
	if (err)
		return err;
	if (idx < 0)
		return set_missing(req, name);
	n = ctl_sets_users(&ctl->sets, idx, ids, sizeof(ids));
	if (n) {
		snprintf(ctl->msg, sizeof(ctl->msg),
			 "set %s is used by %u rule%s (%s): delete %s first",
			 name, n, n == 1 ? "" : "s", ids,
			 n == 1 ? "it" : "them");
		return say(req, -EBUSY, ctl->msg);
	}
	if (ctl->sets.load_idx == idx)
		ctl->sets.load_port = 0;
	err = pcf_sets_destroy(ctl->sets.sets, idx);
	sets_changed(ctl);
	if (err)
		return say(req, err,
			   "removing the set from the pinned maps failed");
	announce_set(ctl, PCF_CMD_SET_DESTROY, name, idx);
	return 0;
}

/*
 * A load in parts: BEGIN starts one (dropping an unfinished one), the
 * parts must come from the same socket, COMMIT switches.  Until the
 * switch the set answers with its old content; a refused part drops the
 * load whole.
 */
static int do_set_load(struct ctl_req *req)
{
	const struct nlattr *tb[PCF_A_SET_MAX + 1];
	struct pcf_ctl_sets *cs = &req->ctl->sets;
	const struct pcf_set_elem *e;
	struct pcf_sets_err why = {};
	const char *name;
	__u32 flags;
	int idx, err;
	size_t n;

	err = set_request(req, tb, &name, &idx);
	if (err)
		return err;
	flags = tb[PCF_A_SET_LOAD] ? mnl_attr_get_u32(tb[PCF_A_SET_LOAD]) : 0;
	if (flags & PCF_SET_LOAD_BEGIN) {
		if (cs->load_port && cs->load_idx > 0)
			pcf_sets_load_abort(cs->sets, cs->load_idx);
		cs->load_port = 0;
		cs->load_made = idx < 0;
		err = pcf_sets_load_begin(cs->sets, name, &idx, &why);
		sets_changed(req->ctl);
		if (err)
			return set_refused(req, err, &why);
		cs->load_idx = idx;
		cs->load_port = req->port;
		/* the elements to come, if said: room made at once */
		if (tb[PCF_A_SET_COUNT] &&
		    pcf_sets_reserve(cs->sets,
				     mnl_attr_get_u32(tb[PCF_A_SET_COUNT])))
			pr_debug("ctl: no room made for set %s's load\n", name);
	} else if (!cs->load_port || cs->load_port != req->port ||
		   cs->load_idx != idx || !pcf_sets_loading(cs->sets, idx)) {
		snprintf(
		    req->ctl->msg, sizeof(req->ctl->msg),
		    "no load of set %s under way from this socket (its first part has load 1)",
		    name);
		return say(req, -ENOENT, req->ctl->msg);
	}
	e = ctl_sets_elems(tb[PCF_A_SET_ELEMS], &n);
	err = pcf_sets_load_add(cs->sets, idx, e, n, &why);
	if (!err && (flags & PCF_SET_LOAD_COMMIT)) {
		cs->load_port = 0;
		err = ctl_sets_commit(cs, idx, &why);
		sets_changed(req->ctl);
		if (!err)
			announce_set(req->ctl, PCF_CMD_SET_LOAD, name, idx);
	}
	if (err) {
		pcf_sets_load_abort(cs->sets, idx);
		/* a set the load made goes again, unless named meanwhile */
		if (cs->load_made && !ctl_sets_users(cs, idx, NULL, 0))
			pcf_sets_destroy(cs->sets, idx);
		cs->load_port = 0;
		return set_refused(req, err, &why);
	}
	return 0;
}

/* ---- sessions ---- */

#define SESSION_MSG_MAX	    256 /* a session's message is shorter */
#define SESSIONS_STEP	    32	/* entries a step of a dump takes */
#define SESSIONS_PART_STEPS 16	/* steps a part of a dump takes at most */

static const struct pcf_ct_timeouts *ct_timeouts(const struct pcf_ctl *ctl,
						 struct pcf_ct_timeouts *buf)
{
	if (ctl->sessions && ctl->sessions->timeouts)
		return ctl->sessions->timeouts;
	pcf_ct_timeouts_default(buf);
	return buf;
}

/* A message of cmd about s at buf: its length, 0 if it does not fit. */
static size_t session_msg(const struct pcf_ctl *ctl, void *buf, size_t size,
			  __u8 cmd, __u16 flags, __u32 seq,
			  const struct pcf_ct_session *s, __u64 now)
{
	struct pcf_ct_timeouts def;
	struct pcf_session info;
	struct nlmsghdr *nlh;

	if (size < NLMSG_HDRLEN + GENL_HDRLEN)
		return 0;
	nlh = pcf_msg_start(buf, cmd, flags, seq);
	ctl_session_info(s, ct_timeouts(ctl, &def), now, &info);
	if (pcf_session_put(nlh, size, &info))
		return 0;
	return NLMSG_ALIGN(nlh->nlmsg_len);
}

void pcf_ctl_flush_events(struct pcf_ctl *ctl)
{
	if (!ctl->sev_len)
		return;
	ctl->send(ctl->send_ctx, ctl->sev, ctl->sev_len, 0,
		  1U << (PCF_MCGRP_SESSIONS - 1));
	ctl->sev_len = 0;
}

/* Many events a datagram: one sendto for a table's worth of expiries. */
void pcf_ctl_session_event(struct pcf_ctl *ctl, bool created,
			   const struct pcf_ct_session *s)
{
	__u8 cmd = created ? PCF_CMD_SESSION_NEW : PCF_CMD_SESSION_DEL;
	__u64 now = pcf_ct_now();
	size_t n;

	n = session_msg(ctl, ctl->sev + ctl->sev_len,
			sizeof(ctl->sev) - ctl->sev_len, cmd, 0, 0, s, now);
	if (!n) {
		pcf_ctl_flush_events(ctl);
		n = session_msg(ctl, ctl->sev, sizeof(ctl->sev), cmd, 0, 0, s,
				now);
	}
	ctl->sev_len += n;
}

/* A part of a session dump being made. */
struct session_part {
	const struct pcf_ctl *ctl;
	const struct ctl_dump *dump;
	char *pos, *end;
	__u64 now;
};

static bool dump_session(const struct pcf_ct_session *s, void *arg)
{
	struct session_part *d = arg;
	size_t n;

	if (!ctl_session_matches(d->dump->has_match ? &d->dump->match : NULL,
				 s))
		return false;
	/* a step's messages always fit (the room is checked before it) */
	n = session_msg(d->ctl, d->pos, d->end - d->pos, PCF_CMD_SESSION_GET,
			NLM_F_MULTI, d->dump->req.nlmsg_seq, s, d->now);
	d->pos += n;
	return n;
}

/*
 * The next part of a session dump: whole hash buckets at a time, so a
 * part resumes where the last one ended (the walk's cursor) and sessions
 * made or unmade meanwhile never make it repeat or skip the others.  A
 * part walks SESSIONS_PART_STEPS steps at most: a filter that takes few
 * of many sessions makes empty parts, not a long turn of pcfd's loop.
 */
static size_t dump_sessions_part(struct ctl_peer *peer, void *buf, size_t size,
				 struct pcf_ctl *ctl)
{
	struct ctl_dump *dump = &peer->dump;
	struct session_part d = { .ctl = ctl,
				  .dump = dump,
				  .pos = buf,
				  .end = (char *)buf + size,
				  .now = pcf_ct_now() };
	struct pcf_ct_walk w = { .token = dump->ct_token,
				 .started = dump->ct_started,
				 .done = dump->ct_done || !ctl->dp };
	struct pcf_extack ext = { .msg = "walking the session table failed" };
	struct nlmsghdr *done;
	unsigned int steps;
	int err = 0;

	for (steps = 0;
	     !w.done && steps < SESSIONS_PART_STEPS &&
	     (size_t)(d.end - d.pos) >=
		 SESSIONS_STEP * SESSION_MSG_MAX + NLMSG_HDRLEN + sizeof(int);
	     steps++) {
		err = ctl_sessions_step(pcf_dp_ct(ctl->dp), &w, SESSIONS_STEP,
					dump_session, &d);
		if (err < 0)
			break;
	}
	dump->ct_token = w.token;
	dump->ct_started = w.started;
	dump->ct_done = w.done;
	if (err < 0) {
		if (d.pos != (char *)buf)
			return d.pos - (char *)buf; /* the error comes next */
		dump->active = false;
		return put_ack(buf, size, &dump->req, err, &ext)->nlmsg_len;
	}
	if (!w.done || (size_t)(d.end - d.pos) < NLMSG_HDRLEN + sizeof(int))
		return d.pos - (char *)buf;
	done = mnl_nlmsg_put_header(d.pos);
	done->nlmsg_type = NLMSG_DONE;
	done->nlmsg_flags = NLM_F_MULTI;
	done->nlmsg_seq = dump->req.nlmsg_seq;
	*(int *)mnl_nlmsg_put_extra_header(done, sizeof(int)) = 0;
	dump->active = false;
	return d.pos + done->nlmsg_len - (char *)buf;
}

/* The match of a session command, checked; has: one was given. */
static int session_match(struct ctl_req *req, struct pcf_rule *ret, bool *has)
{
	const char *why;
	int err;

	*has = req->tb[PCF_A_FLOW_MATCH];
	if (!*has)
		return 0;
	err = pcf_rule_from_attrs(req->tb, ret, &req->ext);
	if (err)
		return err;
	why = ctl_session_match_invalid(ret);
	if (why) {
		req->ext.bad_attr = req->tb[PCF_A_FLOW_MATCH];
		return say(req, -EINVAL, why);
	}
	return 0;
}

static int start_sessions_dump(struct ctl_req *req, struct ctl_peer *p,
			       __u64 now)
{
	int err = session_match(req, &p->dump.match, &p->dump.has_match);

	if (err) {
		p->dump.active = false;
		return err;
	}
	p->dump.sessions = true;
	ctl_out_step(&req->ctl->out, p, now);
	return 0;
}

static int do_session_get(struct ctl_req *req)
{
	struct pcf_rule match;
	bool has;
	int err;

	if (!(req->nlh->nlmsg_flags & NLM_F_DUMP))
		return say(
		    req, -EOPNOTSUPP,
		    "session-get is a dump (NLM_F_DUMP), with a match to filter");
	/* refused before a dump is started for it */
	err = session_match(req, &match, &has);
	return err ? err : dump_flows(req);
}

struct session_del {
	struct pcf_ctl *ctl;
	const struct pcf_rule *match; /* NULL: all */
	__u64 deleted;
};

static bool delete_session(const struct pcf_ct_session *s, void *arg)
{
	const struct pcf_ctl_sessions *ss;
	struct session_del *d = arg;

	if (!ctl_session_matches(d->match, s) ||
	    pcf_ct_destroy(&pcf_dp_ct(d->ctl->dp)->table, &s->key, &s->orig))
		return false;
	d->deleted++;
	/* every "destroy" follows its "new", even before a sweep saw it */
	ss = d->ctl->sessions;
	if (ss && ss->announced && !ss->announced(ss->ctx, s))
		pcf_ctl_session_event(d->ctl, true, s);
	pcf_ctl_session_event(d->ctl, false, s);
	return true;
}

/* Every session match takes (NULL: all) unmade: a whole walk. */
static int delete_sessions(struct ctl_req *req, const struct pcf_rule *match)
{
	struct pcf_ctl *ctl = req->ctl;
	struct session_del d = { .ctl = ctl, .match = match };
	struct pcf_ct_walk w = { .done = !ctl->dp };
	int err = 0;

	while (!w.done && err >= 0)
		err = ctl_sessions_step(pcf_dp_ct(ctl->dp), &w,
					PCF_CT_REAP_BATCH, delete_session, &d);
	ctl->sessions_deleted += d.deleted;
	pcf_ctl_flush_events(ctl);
	if (err < 0)
		return say(req, err, "walking the session table failed");
	pr_debug("ctl: %llu sessions deleted\n", (unsigned long long)d.deleted);
	return match && !d.deleted ? say(req, -ENOENT, "no session matches")
				   : 0;
}

static int do_session_del(struct ctl_req *req)
{
	struct pcf_rule match;
	bool has;
	int err = session_match(req, &match, &has);

	return err ? err : delete_sessions(req, &match);
}

static int do_session_flush(struct ctl_req *req)
{
	return delete_sessions(req, NULL);
}

static int do_session_new(struct ctl_req *req)
{
	return say(
	    req, -EOPNOTSUPP,
	    "session-new is an event pcfd sends (group sessions), not a request");
}

void pcf_ctl_set_sessions(struct pcf_ctl *ctl, const struct pcf_ctl_sessions *s)
{
	ctl->sessions = s;
}

__u64 pcf_ctl_sessions_deleted(const struct pcf_ctl *ctl)
{
	return ctl->sessions_deleted;
}

/* A counter nest of type attr; c->bytes only if with_bytes. */
static bool put_counter_as(struct nlmsghdr *nlh, size_t size, __u16 attr,
			   __u32 kind, const char *name,
			   const struct pcf_counter *c, bool with_bytes)
{
	struct nlattr *nest;

	nest = mnl_attr_nest_start_check(nlh, size, attr);
	if (!nest ||
	    !mnl_attr_put_u32_check(nlh, size, PCF_A_COUNTER_KIND, kind) ||
	    !mnl_attr_put_strz_check(nlh, size, PCF_A_COUNTER_NAME, name) ||
	    !mnl_attr_put_u64_check(nlh, size, PCF_A_COUNTER_PACKETS,
				    c->packets) ||
	    (with_bytes &&
	     !mnl_attr_put_u64_check(nlh, size, PCF_A_COUNTER_BYTES, c->bytes)))
		return false;
	mnl_attr_nest_end(nlh, nest);
	return true;
}

static bool put_counter(struct nlmsghdr *nlh, size_t size, __u32 kind,
			const char *name, const struct pcf_counter *c)
{
	return put_counter_as(nlh, size, PCF_A_STATS_COUNTER, kind, name, c,
			      true);
}

static bool put_u64s(struct nlmsghdr *nlh, size_t size,
		     const struct pcf_worker_stats *s)
{
	return mnl_attr_put_u64_check(nlh, size, PCF_A_WORKER_RX_PACKETS,
				      s->rx_packets) &&
	       mnl_attr_put_u64_check(nlh, size, PCF_A_WORKER_RX_BYTES,
				      s->rx_bytes) &&
	       mnl_attr_put_u64_check(nlh, size, PCF_A_WORKER_TX_PACKETS,
				      s->tx_packets) &&
	       mnl_attr_put_u64_check(nlh, size, PCF_A_WORKER_TX_BYTES,
				      s->tx_bytes) &&
	       mnl_attr_put_u64_check(nlh, size, PCF_A_WORKER_HEARTBEAT,
				      s->heartbeat) &&
	       mnl_attr_put_u64_check(nlh, size, PCF_A_WORKER_MIRROR_PACKETS,
				      s->mirrors);
}

#define DROPS_MAX \
	(sizeof(((struct pcf_worker_stats *)0)->drops) / sizeof(__u64))

/* An AF_XDP socket's counters, as a nest of type attr. */
static bool put_xsk(struct nlmsghdr *nlh, size_t size, __u16 attr,
		    const struct xdp_statistics *st)
{
	__u64 v[PCF_A_XSK_MAX + 1];
	struct nlattr *nest;
	unsigned int a;

	pcf_genl_xsk_values(st, v);
	nest = mnl_attr_nest_start_check(nlh, size, attr);
	if (!nest)
		return false;
	for (a = PCF_A_XSK_RX_DROPPED; a <= PCF_A_XSK_MAX; a++)
		if (!mnl_attr_put_u64_check(nlh, size, a, v[a]))
			return false;
	mnl_attr_nest_end(nlh, nest);
	return true;
}

/* One worker's nest: identity, counters, and its drops by reason. */
static bool put_worker(struct nlmsghdr *nlh, size_t size,
		       const struct pcf_ctl_workers *w,
		       const struct pcf_worker_info *in)
{
	struct pcf_counter drop = {};
	struct nlattr *nest;
	unsigned int r;

	nest = mnl_attr_nest_start_check(nlh, size, PCF_A_WORKERS_WORKER);
	if (!nest ||
	    !mnl_attr_put_strz_check(nlh, size, PCF_A_WORKER_IFNAME,
				     in->ifname) ||
	    !mnl_attr_put_u32_check(nlh, size, PCF_A_WORKER_IFINDEX,
				    in->ifindex) ||
	    !mnl_attr_put_u32_check(nlh, size, PCF_A_WORKER_QUEUE, in->queue) ||
	    !mnl_attr_put_u32_check(nlh, size, PCF_A_WORKER_CPU,
				    (__u32)in->cpu) ||
	    !mnl_attr_put_u32_check(nlh, size, PCF_A_WORKER_BIND_MODE,
				    in->zerocopy ? PCF_GENL_BIND_ZEROCOPY
						 : PCF_GENL_BIND_COPY) ||
	    !put_u64s(nlh, size, &in->stats) ||
	    !mnl_attr_put_u64_check(nlh, size, PCF_A_WORKER_L4_CSUM_SAMPLED,
				    in->stats.csum_sampled) ||
	    !mnl_attr_put_u64_check(nlh, size, PCF_A_WORKER_BAD_L4_CSUM,
				    in->stats.csum_bad) ||
	    !put_xsk(nlh, size, PCF_A_WORKER_SOCKET, &in->sock) ||
	    (in->has_ret_sock &&
	     !put_xsk(nlh, size, PCF_A_WORKER_RETURN_SOCKET, &in->ret_sock)))
		return false;
	for (r = 1; r < w->ndrops && r < DROPS_MAX; r++) {
		drop.packets = in->stats.drops[r];
		if (!put_counter_as(nlh, size, PCF_A_WORKER_COUNTER,
				    PCF_COUNTER_DROP, w->drop_name(r), &drop,
				    false))
			return false;
		drop.packets = in->stats.returned[r];
		if (drop.packets &&
		    !put_counter_as(nlh, size, PCF_A_WORKER_COUNTER,
				    PCF_COUNTER_RETURN, w->drop_name(r), &drop,
				    false))
			return false;
	}
	mnl_attr_nest_end(nlh, nest);
	return true;
}

static int put_workers(struct pcf_ctl *ctl, struct nlmsghdr *nlh, size_t size,
		       const char **why)
{
	const struct pcf_ctl_workers *w = ctl->workers;
	struct pcf_worker_info info;
	struct nlattr *nest;
	unsigned int i, n = w ? w->count(w->ctx) : 0;

	nest = mnl_attr_nest_start_check(nlh, size, PCF_A_STATS_WORKERS);
	if (!nest)
		return -EMSGSIZE;
	for (i = 0; i < n; i++) {
		if (w->info(w->ctx, i, &info))
			continue;
		if (!put_worker(nlh, size, w, &info)) {
			*why =
			    "the counters of all workers do not fit one reply: run fewer workers (--queues)";
			return -EMSGSIZE;
		}
	}
	mnl_attr_nest_end(nlh, nest);
	return 0;
}

static bool put_link(struct nlmsghdr *nlh, size_t size,
		     const struct pcf_link *l)
{
	struct nlattr *nest;

	nest = mnl_attr_nest_start_check(nlh, size, PCF_A_LINKS_LINK);
	if (!nest ||
	    !mnl_attr_put_strz_check(nlh, size, PCF_A_LINK_IFNAME, l->name) ||
	    !mnl_attr_put_u32_check(nlh, size, PCF_A_LINK_MTU, l->mtu) ||
	    !mnl_attr_put_u64_check(nlh, size, PCF_A_LINK_RX_PACKETS,
				    l->rx_packets) ||
	    !mnl_attr_put_u64_check(nlh, size, PCF_A_LINK_RX_DROPPED,
				    l->rx_dropped) ||
	    !mnl_attr_put_u64_check(nlh, size, PCF_A_LINK_TX_PACKETS,
				    l->tx_packets) ||
	    !mnl_attr_put_u64_check(nlh, size, PCF_A_LINK_TX_DROPPED,
				    l->tx_dropped))
		return false;
	mnl_attr_nest_end(nlh, nest);
	return true;
}

static int put_links(struct pcf_ctl *ctl, struct nlmsghdr *nlh, size_t size)
{
	const struct pcf_ctl_workers *w = ctl->workers;
	struct pcf_link l;
	struct nlattr *nest;
	unsigned int i;
	int err;

	if (!w || !w->link)
		return 0;
	nest = mnl_attr_nest_start_check(nlh, size, PCF_A_STATS_LINKS);
	if (!nest)
		return -EMSGSIZE;
	for (i = 0; (err = w->link(w->ctx, i, &l)) != -ENOENT; i++)
		if (!err && !put_link(nlh, size, &l))
			return -EMSGSIZE;
	mnl_attr_nest_end(nlh, nest);
	return 0;
}

/* pcf_steer's session counters, in the XDP nest: "session_...". */
static bool put_ct_xstats(struct pcf_ctl *ctl, struct nlmsghdr *nlh,
			  size_t size)
{
	struct pcf_counter c[PCF_CT_X_MAX];
	char name[32];
	unsigned int i;

	if (pcf_ct_maps_read_xstats(pcf_dp_ct(ctl->dp), c))
		return true; /* none to say */
	for (i = 0; i < PCF_CT_X_MAX; i++) {
		snprintf(name, sizeof(name), "session_%s",
			 pcf_ct_xstat_name(i));
		if (!put_counter(nlh, size, PCF_COUNTER_SESSION, name, &c[i]))
			return false;
	}
	return true;
}

int pcf_ctl_session_totals(const struct pcf_ctl *ctl, struct pcf_ct_totals *ret)
{
	const struct pcf_ctl_sessions *s = ctl->sessions;

	if (!s || !s->totals)
		return -ENOENT;
	*ret = (struct pcf_ct_totals){};
	s->totals(s->ctx, ret);
	ret->deleted += ctl->sessions_deleted;
	return 0;
}

/* The session table's totals, from pcfd (none without it). */
static int put_sessions(struct pcf_ctl *ctl, struct nlmsghdr *nlh, size_t size)
{
	struct pcf_ct_totals t;
	__u64 v[PCF_A_SESSIONS_MAX + 1];
	struct nlattr *nest;
	unsigned int i;

	if (pcf_ctl_session_totals(ctl, &t))
		return 0;
	v[PCF_A_SESSIONS_CAPACITY] = t.capacity;
	v[PCF_A_SESSIONS_ACTIVE] = t.active;
	v[PCF_A_SESSIONS_CREATED] = t.created;
	v[PCF_A_SESSIONS_EXPIRED] = t.expired;
	v[PCF_A_SESSIONS_EVICTED] = t.evicted;
	v[PCF_A_SESSIONS_DELETED] = t.deleted;
	v[PCF_A_SESSIONS_REFUSED] = t.refused;
	v[PCF_A_SESSIONS_PORTS_EXHAUSTED] = t.ports_exhausted;
	v[PCF_A_SESSIONS_RACE_LOST] = t.race_lost;
	v[PCF_A_SESSIONS_UNTRACKED] = t.untracked;
	nest = mnl_attr_nest_start_check(nlh, size, PCF_A_STATS_SESSIONS);
	if (!nest)
		return -EMSGSIZE;
	for (i = PCF_A_SESSIONS_CAPACITY; i <= PCF_A_SESSIONS_MAX; i++)
		if (!mnl_attr_put_u64_check(nlh, size, i, v[i]))
			return -EMSGSIZE;
	mnl_attr_nest_end(nlh, nest);
	return 0;
}

int pcf_ctl_stats_msg(struct pcf_ctl *ctl, void *buf, size_t size, __u32 seq,
		      struct nlmsghdr **ret, const char **why)
{
	struct pcf_counter c[PCF_STAT_MAX], rc[PCF_RET_STAT_MAX];
	struct nlmsghdr *nlh;
	struct nlattr *xdp;
	unsigned int i;
	bool ok = true;
	int err;

	*why = NULL;
	err = ctl->dp ? pcf_dp_read_stats(ctl->dp, c) : -ENODEV;
	if (err) {
		*why = "reading the XDP counters failed";
		return err;
	}
	nlh = pcf_msg_start(buf, PCF_CMD_STATS_GET, 0, seq);
	xdp = mnl_attr_nest_start(nlh, PCF_A_STATS_XDP);
	for (i = 0; i < PCF_VERDICT_MAX; i++)
		ok = ok && put_counter(nlh, size, PCF_COUNTER_VERDICT,
				       pcf_genl_verdict_name(i),
				       &c[PCF_STAT_VERDICT(i)]);
	for (i = 0; i < PCF_REASON_MAX; i++)
		ok = ok &&
		     put_counter(nlh, size, PCF_COUNTER_REASON,
				 pcf_reason_name(i), &c[PCF_STAT_REASON(i)]);
	/* pcf_return's outcomes, in the XDP nest: "return_..." */
	err = pcf_dp_read_return_stats(ctl->dp, rc);
	for (i = 0; !err && i < PCF_RET_STAT_MAX; i++)
		ok = ok && put_counter(nlh, size, PCF_COUNTER_RETURN,
				       pcf_ret_stat_name(i), &rc[i]);
	ok = ok && put_ct_xstats(ctl, nlh, size);
	if (!ok)
		return -EMSGSIZE;
	mnl_attr_nest_end(nlh, xdp);
	err = put_workers(ctl, nlh, size, why);
	if (!err)
		err = put_links(ctl, nlh, size);
	if (!err)
		err = put_sessions(ctl, nlh, size);
	if (err)
		return err;
	*ret = nlh;
	return 0;
}

/*
 * The reply: PCF_A_STATS_XDP with one counter nest per verdict and reason,
 * PCF_A_STATS_WORKERS with one nest per worker (empty without any), and
 * PCF_A_STATS_LINKS with one nest per interface.
 */
static int do_stats_get(struct ctl_req *req)
{
	struct nlmsghdr *nlh;
	const char *why;
	int err;

	err = pcf_ctl_stats_msg(req->ctl, reply_tail(req), reply_room(req),
				req->nlh->nlmsg_seq, &nlh, &why);
	if (err)
		return say(req, err, why);
	reply_commit(req, nlh);
	return 0;
}

typedef int (*ctl_handler)(struct ctl_req *req);

static const ctl_handler handlers[PCF_CMD_MAX + 1] = {
	[PCF_CMD_FLOW_NEW] = do_flow_new,
	[PCF_CMD_FLOW_DEL] = do_flow_del,
	[PCF_CMD_FLOW_GET] = do_flow_get,
	[PCF_CMD_FLOW_FLUSH] = do_flow_flush,
	[PCF_CMD_STATS_GET] = do_stats_get,
	[PCF_CMD_SESSION_GET] = do_session_get,
	[PCF_CMD_SESSION_DEL] = do_session_del,
	[PCF_CMD_SESSION_FLUSH] = do_session_flush,
	[PCF_CMD_SESSION_NEW] = do_session_new,
	[PCF_CMD_SET_NEW] = do_set_new,
	[PCF_CMD_SET_DEL] = do_set_del,
	[PCF_CMD_SET_GET] = do_set_get,
	[PCF_CMD_SET_FLUSH] = do_set_flush,
	[PCF_CMD_SET_DESTROY] = do_set_destroy,
	[PCF_CMD_SET_LOAD] = do_set_load,
};

/*
 * May the sender of the datagram being served change state?  Judged once
 * a datagram (a batch of 64 changes costs one look at the sender), the
 * way the kernel would (ctl_judge.h).
 */
static int admin_allowed(struct ctl_req *req, const struct ucred *cred)
{
	struct pcf_ctl *ctl = req->ctl;

	if (ctl->judged == CTL_UNJUDGED) {
		ctl->judged = pcf_judge_admin(&ctl->judge, req->port, cred,
					      ctl->why, sizeof(ctl->why));
		if (ctl->judged)
			pr_debug("ctl: port %u may not change rules: %s\n",
				 req->port, ctl->why);
	}
	return ctl->judged;
}

static int dispatch(struct ctl_req *req, const struct ucred *cred, size_t len)
{
	const struct genlmsghdr *genl;
	const struct pcf_op *op;
	int err;

	err = pcf_msg_parse(req->nlh, len, req->tb, &genl, &req->ext);
	if (err)
		return err;
	op = &pcf_ops[genl->cmd];
	if ((req->nlh->nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP && !op->dump)
		return say(req, -EOPNOTSUPP, "this command has no dump");
	err = pcf_msg_check_required(genl->cmd, req->tb, &req->ext);
	if (err)
		return err;
	if (op->admin && admin_allowed(req, cred)) {
		snprintf(
		    req->ctl->msg, sizeof(req->ctl->msg),
		    "%s changes the %s: it needs root or CAP_NET_ADMIN (%s)",
		    op->name,
		    !strncmp(op->name, "session", 7) ? "sessions"
		    : !strncmp(op->name, "set-", 4)  ? "sets"
						     : "rules",
		    req->ctl->why);
		return say(req, -EPERM, req->ctl->msg);
	}
	return handlers[genl->cmd](req);
}

static int handle_msg(struct pcf_ctl *ctl, const struct nlmsghdr *nlh,
		      size_t len, __u32 port, const struct ucred *cred)
{
	struct ctl_req req = {
		.ctl = ctl, .nlh = nlh, .port = port, .out_start = ctl->out_len
	};
	int err;

	if (nlh->nlmsg_type < NLMSG_MIN_TYPE)
		return 0; /* NOOP, DONE, ERROR: nothing to answer */
	err = dispatch(&req, cred, len);
	if (err) {
		/* an error is all the answer (a dump may have flushed) */
		if (ctl->out_len > req.out_start)
			ctl->out_len = req.out_start;
		send_ack(&req, err);
	} else if (nlh->nlmsg_flags & NLM_F_ACK &&
		   (nlh->nlmsg_flags & NLM_F_DUMP) != NLM_F_DUMP) {
		send_ack(&req, 0);
	}
	return err;
}

static void cancel_msg(struct pcf_ctl *ctl, const struct nlmsghdr *nlh,
		       __u32 port)
{
	struct ctl_req req = { .ctl = ctl, .nlh = nlh, .port = port };

	if (nlh->nlmsg_type < NLMSG_MIN_TYPE)
		return;
	say(&req, -ECANCELED,
	    "not done: an earlier request in the same datagram failed");
	send_ack(&req, -ECANCELED);
}

/*
 * The requests of one datagram run in order and stop at the first that
 * fails; each one after it is answered ECANCELED.  So a client may pack
 * a batch into one datagram and still stop at the first failure.
 */
void pcf_ctl_handle(struct pcf_ctl *ctl, const void *buf, size_t len,
		    __u32 port, const struct ucred *cred)
{
	const struct nlmsghdr *nlh = buf;
	int rem = (int)len;
	bool failed = false;

	if (!port || len > INT_MAX)
		return; /* from the kernel, or multicast: not a request */
	ctl->out_len = 0;
	ctl->judged = CTL_UNJUDGED;
	ctl->uid = cred ? cred->uid : (uid_t)-1;
	/*
	 * mnl_nlmsg_ok() compares (int)nlmsg_len: a length of 2^31 or more
	 * would pass it as negative, so check it unsigned first.
	 */
	for (; rem >= NLMSG_HDRLEN && nlh->nlmsg_len <= (unsigned int)rem &&
	       mnl_nlmsg_ok(nlh, rem);
	     nlh = mnl_nlmsg_next(nlh, &rem)) {
		if (sizeof(ctl->tx) - ctl->out_len < REPLY_ROOM_MIN)
			reply_flush(ctl, port);
		if (failed)
			cancel_msg(ctl, nlh, port);
		else
			failed = handle_msg(ctl, nlh, rem, port, cred) != 0;
	}
	reply_flush(ctl, port);
	/* without a socket (and its timer) nothing waits: dumps end here */
	while (ctl->timer_fd < 0 && ctl_out_waiting(&ctl->out))
		ctl_out_run(&ctl->out, now_ns(), -1U);
}

/* A datagram bigger than rx: answer its first request, if it has one. */
static void refuse_oversized(struct pcf_ctl *ctl, size_t len,
			     const struct pcf_nlsock_from *from)
{
	struct ctl_req req = { .ctl = ctl,
			       .nlh = (void *)ctl->rx,
			       .port = from->port };

	pr_debug("ctl: refused an oversized datagram from port %u\n",
		 from->port);
	if (!from->port || len < NLMSG_HDRLEN ||
	    req.nlh->nlmsg_type < NLMSG_MIN_TYPE)
		return;
	say(&req, -EMSGSIZE, "the request is bigger than pcfd reads (64 KiB)");
	ctl->out_len = 0;
	ctl->uid = from->has_cred ? from->cred.uid : (uid_t)-1;
	send_ack(&req, -EMSGSIZE);
	reply_flush(ctl, from->port);
}

/* One datagram off the socket, if one waits. */
static int serve_datagram(struct pcf_ctl *ctl)
{
	struct pcf_nlsock_from from;
	ssize_t n;

	n = pcf_nlsock_recv(ctl->fd, ctl->rx, sizeof(ctl->rx), MSG_DONTWAIT,
			    &from);
	if (n == -EAGAIN || n == -EINTR)
		return 0;
	if (n == -ENOBUFS) {
		pr_warn(
		    "ctl: requests were lost: the socket buffer overflowed\n");
		return 0;
	}
	if (n < 0)
		return n;
	ctl->served++;
	if (from.truncated)
		refuse_oversized(ctl, n, &from);
	else
		pcf_ctl_handle(ctl, ctl->rx, n, from.port,
			       from.has_cred ? &from.cred : NULL);
	return 0;
}

/* The timer goes off when the first waiting output is due (or never). */
static void arm_timer(struct pcf_ctl *ctl)
{
	__u64 next = ctl_out_next(&ctl->out);
	struct itimerspec its = {};

	its.it_value.tv_sec = next / 1000000000ULL;
	its.it_value.tv_nsec = next % 1000000000ULL;
	if (timerfd_settime(ctl->timer_fd, TFD_TIMER_ABSTIME, &its, NULL))
		pr_warn("ctl: cannot arm the output timer: %s\n",
			strerror(errno));
}

/*
 * One datagram a call, and one step of at most CTL_STEPS_PER_TURN clients
 * with output waiting: the loop's epoll is level-triggered, so more wakes
 * it again, and no call runs long whatever the clients do.
 */
int pcf_ctl_serve(struct pcf_ctl *ctl)
{
	struct epoll_event ev[2];
	__u64 expirations;
	int i, n, err = 0;

	n = epoll_wait(ctl->epfd, ev, 2, 0);
	for (i = 0; i < n && !err; i++) {
		if (ev[i].data.fd == ctl->fd)
			err = serve_datagram(ctl);
		else if (read(ctl->timer_fd, &expirations,
			      sizeof(expirations)) < 0 &&
			 errno != EAGAIN)
			err = -errno;
	}
	ctl_out_run(&ctl->out, now_ns(), CTL_STEPS_PER_TURN);
	arm_timer(ctl);
	return err;
}

unsigned long pcf_ctl_served(const struct pcf_ctl *ctl)
{
	return ctl->served;
}

bool pcf_ctl_waiting(const struct pcf_ctl *ctl)
{
	struct pollfd p = { .fd = ctl->fd, .events = POLLIN };

	return ctl->fd >= 0 && poll(&p, 1, 0) > 0;
}

int pcf_ctl_new(struct pcf_table *table, struct pcf_dp *dp,
		pcf_ctl_send_fn send, void *ctx, struct pcf_ctl **ret_ctl)
{
	struct pcf_ctl *ctl = calloc(1, sizeof(*ctl));

	if (!ctl)
		return -ENOMEM;
	ctl->table = table;
	ctl->dp = dp;
	ctl->fd = -1;
	ctl->timer_fd = -1;
	ctl->epfd = -1;
	ctl->send = send;
	ctl->send_ctx = ctx;
	ctl_out_init(&ctl->out, out_send, dump_refill, ctl, false);
	if (ctl_sets_init(&ctl->sets, table, dp)) {
		free(ctl);
		return -ENOMEM;
	}
	pcf_judge_init(&ctl->judge);
	if (ctl->judge.err)
		pr_warn(
		    "ctl: cannot tell pcfd's user namespaces (%s): only root may change rules\n",
		    strerror(-ctl->judge.err));
	*ret_ctl = ctl;
	return 0;
}

/* The socket and the output timer in one epoll set: pcf_ctl_fd(). */
static int open_loop(struct pcf_ctl *ctl)
{
	struct epoll_event ev = { .events = EPOLLIN };

	ctl->timer_fd =
	    timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	ctl->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (ctl->timer_fd < 0 || ctl->epfd < 0)
		return -errno;
	ev.data.fd = ctl->fd;
	if (epoll_ctl(ctl->epfd, EPOLL_CTL_ADD, ctl->fd, &ev))
		return -errno;
	ev.data.fd = ctl->timer_fd;
	if (epoll_ctl(ctl->epfd, EPOLL_CTL_ADD, ctl->timer_fd, &ev))
		return -errno;
	return 0;
}

int pcf_ctl_open(struct pcf_dp *dp, __u32 port, struct pcf_ctl **ret_ctl)
{
	struct pcf_ctl *ctl;
	int err;

	err = pcf_ctl_new(pcf_dp_table(dp), dp, socket_send, NULL, &ctl);
	if (err)
		return err;
	ctl->send_ctx = ctl;
	ctl->fd = pcf_nlsock_open(port);
	if (ctl->fd < 0) {
		err = ctl->fd;
		ctl->fd = -1;
		pcf_ctl_close(ctl);
		return err;
	}
	err = open_loop(ctl);
	if (err) {
		pcf_ctl_close(ctl);
		return err;
	}
	ctl->out.can_wait = true;
	*ret_ctl = ctl;
	return 0;
}

void pcf_ctl_close(struct pcf_ctl *ctl)
{
	if (!ctl)
		return;
	ctl_sets_fini(&ctl->sets);
	ctl_out_free(&ctl->out);
	if (ctl->epfd >= 0)
		close(ctl->epfd);
	if (ctl->timer_fd >= 0)
		close(ctl->timer_fd);
	if (ctl->fd >= 0)
		close(ctl->fd);
	free(ctl);
}

int pcf_ctl_fd(const struct pcf_ctl *ctl)
{
	return ctl->epfd;
}

void pcf_ctl_set_workers(struct pcf_ctl *ctl, const struct pcf_ctl_workers *w)
{
	ctl->workers = w;
}

const struct pcf_ctl_workers *pcf_ctl_get_workers(const struct pcf_ctl *ctl)
{
	return ctl->workers;
}

int pcf_ctl_judge_peer(const struct pcf_ctl *ctl, int pidfd, uid_t uid,
		       char *why, size_t len)
{
	return pcf_judge_admin_pidfd(&ctl->judge, pidfd, uid, why, len);
}

/* Does process pid (a /proc entry's name) hold the socket with inode? */
static bool pid_has_socket(const char *pid, unsigned long inode)
{
	char path[300];
	int dirfd, held;

	snprintf(path, sizeof(path), "/proc/%s", pid);
	dirfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0)
		return false;
	held = pcf_judge_holds_socket(dirfd, inode);
	close(dirfd);
	return held > 0;
}

int pcf_ctl_port_owner(__u32 port, char *buf, size_t len)
{
	unsigned long inode = pcf_judge_port_inode(port);
	char path[300], comm[64] = "?";
	struct dirent *p;
	int err = -ENOENT;
	FILE *f;
	DIR *d;

	if (!inode)
		return -ENOENT;
	d = opendir("/proc");
	if (!d)
		return -errno;
	while ((p = readdir(d))) {
		if (p->d_name[0] < '1' || p->d_name[0] > '9' ||
		    !pid_has_socket(p->d_name, inode))
			continue;
		snprintf(path, sizeof(path), "/proc/%s/comm", p->d_name);
		f = fopen(path, "re");
		if (f) {
			if (fgets(comm, sizeof(comm), f))
				comm[strcspn(comm, "\n")] = '\0';
			fclose(f);
		}
		snprintf(buf, len, "pid %s (%s)", p->d_name, comm);
		err = 0;
		break;
	}
	closedir(d);
	return err;
}
