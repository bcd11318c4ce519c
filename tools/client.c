// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * client.c - pcfctl's side of the control channel.  A datagram counts
 * only if it comes from pcfd's port id AND carries pcfd's uid in its
 * kernel-verified credentials; any other is skipped and counted, as
 * iproute2's libnetlink skips messages that are not its own.  So a process
 * squatting the port id, or one writing to our port or to the events
 * group, can neither make a request look done nor stop pcfctl; and since
 * only pcfd's datagrams restart the reply timeout, a flood of others
 * cannot make pcfctl wait forever.
 */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>

#include "pcf_nlsock.h"
#include "pcfctl.h"

#define REPLY_TIMEOUT_S 10

static int fail(struct pcfctl_client *c, int err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(struct pcfctl_client *c, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->errmsg, sizeof(c->errmsg), fmt, ap);
	va_end(ap);
	return err;
}

int pcfctl_client_open(struct pcfctl_client *c, __u32 daemon_port,
		       uid_t daemon_uid)
{
	struct timeval tmo = { .tv_sec = REPLY_TIMEOUT_S };

	c->daemon_port = daemon_port;
	c->daemon_uid = daemon_uid;
	c->seq = time(NULL);
	c->errmsg[0] = '\0';
	c->skipped = 0;
	c->on_skip = NULL;
	c->fd = pcf_nlsock_open(0);
	/* a send waits while pcfd's queue is full, but not forever */
	if (c->fd >= 0 &&
	    setsockopt(c->fd, SOL_SOCKET, SO_SNDTIMEO, &tmo, sizeof(tmo))) {
		int err = -errno;

		close(c->fd);
		c->fd = err;
	}
	if (c->fd < 0) {
		int err = c->fd;

		c->fd = -1;
		return fail(c, err, "cannot open a netlink socket: %s",
			    strerror(-err));
	}
	return 0;
}

void pcfctl_client_close(struct pcfctl_client *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
}

static bool from_daemon(const struct pcfctl_client *c,
			const struct pcf_nlsock_from *from)
{
	return from->port == c->daemon_port && from->has_cred &&
	       from->cred.uid == c->daemon_uid;
}

static void skip(struct pcfctl_client *c, const struct pcf_nlsock_from *from)
{
	c->skipped++;
	c->skipped_port = from->port;
	c->skipped_pid = from->has_cred ? from->cred.pid : -1;
	c->skipped_uid = from->has_cred ? (long)from->cred.uid : -1;
	if (c->on_skip)
		c->on_skip(c);
}

int pcfctl_client_skipped(const struct pcfctl_client *c, char *buf, size_t len)
{
	if (!c->skipped)
		return 0;
	return snprintf(
	    buf, len,
	    "skipped %lu datagram%s not from pcfd (port id 0x%x, uid %u); the last from port id 0x%x, pid %d, uid %ld",
	    c->skipped, c->skipped == 1 ? "" : "s", c->daemon_port,
	    c->daemon_uid, c->skipped_port, c->skipped_pid, c->skipped_uid);
}

static int timed_out(struct pcfctl_client *c)
{
	char skipped[200];

	if (!pcfctl_client_skipped(c, skipped, sizeof(skipped)))
		return fail(c, -ETIMEDOUT, "pcfd did not answer within %d s",
			    REPLY_TIMEOUT_S);
	return fail(
	    c, -ETIMEDOUT,
	    "pcfd did not answer within %d s; %s (another process may hold the port id, or pcfd runs as another uid: --ctl-uid)",
	    REPLY_TIMEOUT_S, skipped);
}

static long ms_left(const struct timespec *deadline)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (deadline->tv_sec - now.tv_sec) * 1000 +
	       (deadline->tv_nsec - now.tv_nsec) / 1000000;
}

/*
 * One datagram from pcfd into c->buf: its length, or -errno.  Others are
 * skipped.  Gives up after REPLY_TIMEOUT_S without a datagram from pcfd;
 * with a stop_fd (>= 0), never, but ends with -EINTR once stop_fd is
 * readable.
 */
static ssize_t recv_from_daemon(struct pcfctl_client *c, int stop_fd)
{
	struct pollfd p[2] = { { .fd = c->fd, .events = POLLIN },
			       { .fd = stop_fd, .events = POLLIN } };
	struct pcf_nlsock_from from;
	struct timespec deadline;
	long ms = -1;
	ssize_t n;

	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += REPLY_TIMEOUT_S;
	for (;;) {
		if (stop_fd < 0 && (ms = ms_left(&deadline)) <= 0)
			return timed_out(c);
		n = poll(p, stop_fd < 0 ? 1 : 2, (int)ms);
		if (n > 0 && p[1].revents)
			return -EINTR;
		if (n <= 0 || !p[0].revents)
			continue;
		n = pcf_nlsock_recv(c->fd, c->buf, sizeof(c->buf), MSG_DONTWAIT,
				    &from);
		if (n == -EAGAIN || n == -EINTR)
			continue;
		if (n < 0)
			return fail(c, n, "receiving from pcfd failed: %s",
				    strerror(-n));
		if (!from_daemon(c, &from)) {
			skip(c, &from);
			continue;
		}
		if (from.truncated)
			return fail(c, -EMSGSIZE,
				    "a reply from pcfd was too big");
		return n;
	}
}

/* The extended ack of an NLMSG_ERROR: keep its message. */
static void read_extack(struct pcfctl_client *c, const struct nlmsghdr *nlh)
{
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
	size_t off = sizeof(*e);
	const struct nlattr *a;

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += e->msg.nlmsg_len - sizeof(e->msg);
	if (off >= mnl_nlmsg_get_payload_len(nlh))
		return;
	mnl_attr_for_each(a, nlh, off) {
		if (mnl_attr_get_type(a) == NLMSGERR_ATTR_MSG &&
		    mnl_attr_validate(a, MNL_TYPE_NUL_STRING) == 0)
			snprintf(c->errmsg, sizeof(c->errmsg), "%s",
				 mnl_attr_get_str(a));
	}
}

struct talk {
	struct pcfctl_client *c;
	pcfctl_msg_cb cb;
	void *ctx;
	int err; /* from the daemon or the callback */
};

static int on_error(const struct nlmsghdr *nlh, void *data)
{
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
	struct talk *t = data;

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*e)) {
		t->err = fail(t->c, -EBADMSG, "a truncated error from pcfd");
		return MNL_CB_ERROR;
	}
	if (!e->error)
		return MNL_CB_STOP;
	t->err = e->error < 0 ? e->error : -EBADMSG;
	snprintf(t->c->errmsg, sizeof(t->c->errmsg), "%s", strerror(-t->err));
	read_extack(t->c, nlh);
	return MNL_CB_ERROR;
}

static int on_done(const struct nlmsghdr *nlh, void *data)
{
	return MNL_CB_STOP;
}

static int on_msg(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[PCF_A_MAX + 1];
	struct talk *t = data;
	struct pcf_extack ext = {};
	int err;

	err = pcf_msg_parse(nlh, nlh->nlmsg_len, tb, NULL, &ext);
	if (err) {
		t->err = fail(t->c, err, "bad message from pcfd: %s", ext.msg);
		return MNL_CB_ERROR;
	}
	err = t->cb ? t->cb(nlh, tb, t->ctx) : 0;
	if (err) {
		t->err = err;
		return MNL_CB_ERROR;
	}
	return MNL_CB_OK;
}

static int run_replies(struct talk *t, size_t len, __u32 seq)
{
	static mnl_cb_t ctl_cbs[NLMSG_MIN_TYPE] = {
		[NLMSG_ERROR] = on_error,
		[NLMSG_DONE] = on_done,
	};
	int ret;

	ret = mnl_cb_run2(t->c->buf, len, seq, 0, on_msg, t, ctl_cbs,
			  NLMSG_MIN_TYPE);
	if (ret == MNL_CB_ERROR && !t->err)
		t->err = fail(t->c, -errno, "bad reply from pcfd: %s",
			      strerror(errno));
	return ret;
}

__u32 pcfctl_client_next_seq(struct pcfctl_client *c)
{
	return ++c->seq;
}

static int send_to_daemon(struct pcfctl_client *c, const void *buf, size_t len)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK,
				  .nl_pid = c->daemon_port };

	if (sendto(c->fd, buf, len, 0, (struct sockaddr *)&sa, sizeof(sa)) >= 0)
		return 0;
	if (errno == EAGAIN)
		return fail(
		    c, -ETIMEDOUT,
		    "pcfd's queue stayed full for %d s: pcfd is not reading",
		    REPLY_TIMEOUT_S);
	if (errno == ECONNREFUSED)
		return fail(
		    c, -errno,
		    "nothing listens at port id 0x%x: is pcfd running (in this network namespace)?",
		    c->daemon_port);
	return fail(c, -errno, "cannot send to pcfd: %s", strerror(errno));
}

int pcfctl_client_talk(struct pcfctl_client *c, struct nlmsghdr *nlh,
		       pcfctl_msg_cb cb, void *ctx)
{
	struct talk t = { c, cb, ctx, 0 };
	ssize_t n;
	int ret;

	nlh->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = ++c->seq;
	c->errmsg[0] = '\0';
	ret = send_to_daemon(c, nlh, nlh->nlmsg_len);
	if (ret)
		return ret;
	do {
		n = recv_from_daemon(c, -1);
		if (n < 0)
			return n;
		ret = run_replies(&t, n, c->seq);
	} while (ret == MNL_CB_OK);
	return ret == MNL_CB_STOP ? 0 : t.err;
}

/* One NLMSG_ERROR of a talk_many: to ack, with the daemon's reason. */
static void many_ack(struct pcfctl_client *c, const struct nlmsghdr *nlh,
		     unsigned int idx, pcfctl_ack_cb ack, void *ctx)
{
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
	int err = e->error <= 0 ? e->error : -EBADMSG;

	snprintf(c->errmsg, sizeof(c->errmsg), "%s", strerror(-err));
	if (err)
		read_extack(c, nlh);
	ack(idx, err, c->errmsg, ctx);
	c->errmsg[0] = '\0';
}

int pcfctl_client_talk_many(struct pcfctl_client *c, const void *buf,
			    size_t len, unsigned int n, __u32 first_seq,
			    pcfctl_msg_cb cb, pcfctl_ack_cb ack, void *ctx)
{
	struct talk t = { c, cb, ctx, 0 };
	unsigned int answered = 0, idx;
	const struct nlmsghdr *nlh;
	ssize_t got;
	int rem, err;

	c->errmsg[0] = '\0';
	err = send_to_daemon(c, buf, len);
	if (err)
		return err;
	while (answered < n) {
		got = recv_from_daemon(c, -1);
		if (got < 0)
			return got;
		nlh = (const struct nlmsghdr *)c->buf;
		for (rem = got; rem >= NLMSG_HDRLEN &&
				nlh->nlmsg_len <= (unsigned int)rem &&
				mnl_nlmsg_ok(nlh, rem);
		     nlh = mnl_nlmsg_next(nlh, &rem)) {
			idx = nlh->nlmsg_seq - first_seq;
			if (idx >= n)
				continue; /* not an answer to this batch */
			if (nlh->nlmsg_type == NLMSG_ERROR &&
			    mnl_nlmsg_get_payload_len(nlh) >=
				sizeof(struct nlmsgerr)) {
				many_ack(c, nlh, idx, ack, ctx);
				answered++;
			} else if (nlh->nlmsg_type >= NLMSG_MIN_TYPE &&
				   on_msg(nlh, &t) == MNL_CB_ERROR) {
				return t.err;
			}
		}
	}
	return 0;
}

int pcfctl_client_monitor(struct pcfctl_client *c, unsigned int groups,
			  pcfctl_msg_cb cb, void *ctx,
			  void (*on_skip)(const struct pcfctl_client *c),
			  int stop_fd)
{
	struct talk t = { c, cb, ctx, 0 };
	ssize_t n;
	int grp;

	for (grp = 1; grp < 32; grp++)
		if ((groups & (1U << grp)) &&
		    setsockopt(c->fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &grp,
			       sizeof(grp)))
			return fail(c, -errno, "cannot join the %s group: %s",
				    pcf_mcgrp_names[grp], strerror(errno));
	c->on_skip = on_skip;
	for (;;) {
		n = recv_from_daemon(c, stop_fd);
		if (n == -ENOBUFS) {
			fprintf(
			    stderr,
			    "Warning: events were lost (pcfctl read too slowly)\n");
			continue;
		}
		if (n < 0)
			return n;
		if (run_replies(&t, n, 0) == MNL_CB_ERROR)
			return t.err;
	}
}
