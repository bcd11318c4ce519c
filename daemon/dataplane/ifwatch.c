// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * ifwatch.c - rtnetlink links: parse, query, watch (libmnl).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>

#include "ifwatch.h"

#define RCVBUF	(1 << 20) /* events of many links at once, before -ENOBUFS */
#define MSG_MAX 16384	  /* a datagram of rtnetlink link messages */

struct pcf_ifwatch {
	struct mnl_socket *nl;
	char buf[MSG_MAX];
};

/* The attributes we read, checked as their type says; the rest skipped. */
static int link_attr(const struct nlattr *a, void *data)
{
	const struct nlattr **tb = data;
	unsigned int type = mnl_attr_get_type(a);
	int bad;

	switch (type) {
	case IFLA_IFNAME:
		bad = mnl_attr_validate(a, MNL_TYPE_NUL_STRING) < 0;
		break;
	case IFLA_MTU:
	case IFLA_MAX_MTU:
		bad = mnl_attr_validate(a, MNL_TYPE_U32) < 0;
		break;
	case IFLA_STATS64:
		bad = mnl_attr_get_payload_len(a) <
		      sizeof(struct rtnl_link_stats64);
		break;
	default:
		return MNL_CB_OK;
	}
	if (bad)
		return MNL_CB_ERROR;
	tb[type] = a;
	return MNL_CB_OK;
}

int pcf_link_parse(const struct nlmsghdr *nlh, struct pcf_link *ret)
{
	const struct nlattr *tb[IFLA_MAX + 1] = {};
	const struct ifinfomsg *ifm;
	struct rtnl_link_stats64 st;

	if (nlh->nlmsg_type != RTM_NEWLINK && nlh->nlmsg_type != RTM_DELLINK)
		return -ENOENT;
	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*ifm)))
		return -EINVAL;
	ifm = mnl_nlmsg_get_payload(nlh);
	if (mnl_attr_parse(nlh, sizeof(*ifm), link_attr, tb) < 0 ||
	    !tb[IFLA_IFNAME] ||
	    mnl_attr_get_payload_len(tb[IFLA_IFNAME]) > IF_NAMESIZE)
		return -EINVAL;
	memset(ret, 0, sizeof(*ret));
	ret->ifindex = ifm->ifi_index;
	ret->flags = ifm->ifi_flags;
	strcpy(ret->name, mnl_attr_get_str(tb[IFLA_IFNAME]));
	if (tb[IFLA_MTU])
		ret->mtu = mnl_attr_get_u32(tb[IFLA_MTU]);
	if (tb[IFLA_MAX_MTU])
		ret->max_mtu = mnl_attr_get_u32(tb[IFLA_MAX_MTU]);
	if (tb[IFLA_STATS64]) {
		/* the payload need not be 8-byte aligned */
		memcpy(&st, mnl_attr_get_payload(tb[IFLA_STATS64]), sizeof(st));
		ret->has_stats = true;
		ret->rx_packets = st.rx_packets;
		ret->rx_dropped = st.rx_dropped;
		ret->tx_packets = st.tx_packets;
		ret->tx_dropped = st.tx_dropped;
	}
	return 0;
}

int pcf_rtnl_talk(struct nlmsghdr *nlh, mnl_cb_t cb, void *data)
{
	char buf[MSG_MAX];
	struct mnl_socket *nl;
	__u32 seq = time(NULL), port;
	int n, err;

	nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	if (!nl)
		return -errno;
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		err = -errno;
		goto out;
	}
	port = mnl_socket_get_portid(nl);
	nlh->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = seq;
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
		err = -errno;
		goto out;
	}
	/* the answer, then the acknowledgement (MNL_CB_STOP) */
	do {
		n = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		err = n < 0 ? -1 : mnl_cb_run(buf, n, seq, port, cb, data);
	} while (err > 0);
	err = err < 0 ? -errno : 0;
out:
	mnl_socket_close(nl);
	return err;
}

struct nlmsghdr *pcf_link_msg(char *buf, __u16 type, __u16 flags,
			      struct ifinfomsg **ret_ifm)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = flags;
	*ret_ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(**ret_ifm));
	(*ret_ifm)->ifi_family = AF_UNSPEC;
	return nlh;
}

static int got_link(const struct nlmsghdr *nlh, void *data)
{
	return pcf_link_parse(nlh, data) ? MNL_CB_ERROR : MNL_CB_OK;
}

int pcf_link_get(const char *name, struct pcf_link *ret)
{
	char buf[MSG_MAX];
	struct ifinfomsg *ifm;
	struct nlmsghdr *nlh;
	int err;

	if (strlen(name) >= IF_NAMESIZE)
		return -ENODEV;
	nlh = pcf_link_msg(buf, RTM_GETLINK, 0, &ifm);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	memset(ret, 0, sizeof(*ret));
	err = pcf_rtnl_talk(nlh, got_link, ret);
	if (!err && !ret->ifindex)
		err = -EINVAL; /* no answer but an ack */
	return err;
}

int pcf_ifwatch_open(struct pcf_ifwatch **ret)
{
	struct pcf_ifwatch *w = calloc(1, sizeof(*w));
	int rcvbuf = RCVBUF, err;

	if (!w)
		return -ENOMEM;
	w->nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (!w->nl) {
		err = -errno;
		free(w);
		return err;
	}
	/* best effort: a smaller buffer only means -ENOBUFS sooner */
	setsockopt(mnl_socket_get_fd(w->nl), SOL_SOCKET, SO_RCVBUF, &rcvbuf,
		   sizeof(rcvbuf));
	if (mnl_socket_bind(w->nl, 1 << (RTNLGRP_LINK - 1),
			    MNL_SOCKET_AUTOPID) < 0) {
		err = -errno;
		pcf_ifwatch_close(w);
		return err;
	}
	*ret = w;
	return 0;
}

void pcf_ifwatch_close(struct pcf_ifwatch *w)
{
	if (!w)
		return;
	mnl_socket_close(w->nl);
	free(w);
}

int pcf_ifwatch_fd(const struct pcf_ifwatch *w)
{
	return mnl_socket_get_fd(w->nl);
}

struct event_ctx {
	pcf_ifwatch_fn changed;
	void *ctx;
};

static int on_event(const struct nlmsghdr *nlh, void *data)
{
	const struct event_ctx *e = data;
	struct pcf_link l;

	/* what we cannot read, we skip: the next look finds the truth */
	if (!pcf_link_parse(nlh, &l))
		e->changed(e->ctx, nlh->nlmsg_type == RTM_DELLINK, &l);
	return MNL_CB_OK;
}

int pcf_ifwatch_read(struct pcf_ifwatch *w, pcf_ifwatch_fn changed, void *ctx)
{
	struct event_ctx e = { .changed = changed, .ctx = ctx };
	int lost = 0;
	ssize_t n;

	for (;;) {
		n = recv(mnl_socket_get_fd(w->nl), w->buf, sizeof(w->buf), 0);
		if (n < 0 && errno == ENOBUFS) {
			lost = -ENOBUFS;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errno == EAGAIN ? lost : -errno;
		/* multicast: sequence and port 0, nothing to match */
		mnl_cb_run(w->buf, n, 0, 0, on_event, &e);
	}
}
