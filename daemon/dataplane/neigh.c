// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * neigh.c - explicit egress (issue 13): the kernel's neighbour table into
 * pcf_neigh, and pcf_steer's misses to the kernel (see neigh.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <linux/if_arp.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <libmnl/libmnl.h>

#include "ifwatch.h"
#include "neigh.h"

#define RCVBUF	     (1 << 20)
#define ASKED	     16 /* next hops asked for lately, not asked again soon */
#define ASK_AGAIN_NS 1000000000ULL
/* the kernel's states in which a neighbour's address may be used */
#define NUD_USABLE                                                           \
	(NUD_REACHABLE | NUD_STALE | NUD_DELAY | NUD_PROBE | NUD_PERMANENT | \
	 NUD_NOARP)

struct pcf_neigh_sync {
	struct mnl_socket *nl;
	struct ring_buffer *rb;
	int map_fd;
	__u32 ifindex[PCF_MAX_IFACES];
	__u8 smac[PCF_MAX_IFACES][6];
	unsigned int n;
	struct pcf_neigh_key asked[ASKED];
	__u64 asked_at[ASKED];
	unsigned int next_ask;
	char buf[8192];
};

/* ---- messages (pure) ---- */

struct neigh_attrs {
	const struct nlattr *dst, *lladdr;
};

static int neigh_attr(const struct nlattr *a, void *data)
{
	struct neigh_attrs *t = data;

	if (mnl_attr_get_type(a) == NDA_DST)
		t->dst = a;
	else if (mnl_attr_get_type(a) == NDA_LLADDR)
		t->lladdr = a;
	return MNL_CB_OK;
}

int pcf_neigh_parse(const struct nlmsghdr *nlh, struct pcf_neigh_key *key,
		    __u8 *mac)
{
	struct neigh_attrs t = {};
	const struct ndmsg *nd;
	unsigned int alen;

	if ((nlh->nlmsg_type != RTM_NEWNEIGH &&
	     nlh->nlmsg_type != RTM_DELNEIGH) ||
	    nlh->nlmsg_len < NLMSG_LENGTH(sizeof(*nd)))
		return -1;
	nd = mnl_nlmsg_get_payload(nlh);
	if (nd->ndm_family != AF_INET && nd->ndm_family != AF_INET6)
		return -1;
	if (mnl_attr_parse(nlh, sizeof(*nd), neigh_attr, &t) < 0 || !t.dst)
		return -1;
	alen = nd->ndm_family == AF_INET ? 4 : 16;
	if (mnl_attr_get_payload_len(t.dst) != alen)
		return -1;
	memset(key, 0, sizeof(*key));
	key->ifindex = nd->ndm_ifindex;
	key->family = alen == 4 ? 4 : 6;
	memcpy(key->addr, mnl_attr_get_payload(t.dst), alen);
	if (nlh->nlmsg_type == RTM_DELNEIGH || !(nd->ndm_state & NUD_USABLE) ||
	    !t.lladdr || mnl_attr_get_payload_len(t.lladdr) != 6)
		return 0;
	memcpy(mac, mnl_attr_get_payload(t.lladdr), 6);
	return 1;
}

/* ---- the copy ---- */

static int iface_slot(const struct pcf_neigh_sync *s, __u32 ifindex)
{
	unsigned int i;

	for (i = 0; i < s->n; i++)
		if (s->ifindex[i] == ifindex)
			return i;
	return -1;
}

static int on_neigh(const struct nlmsghdr *nlh, void *data)
{
	struct pcf_neigh_sync *s = data;
	struct pcf_neigh_key key;
	struct pcf_neigh v = {};
	int rc = pcf_neigh_parse(nlh, &key, v.mac), i;

	if (rc < 0 || (i = iface_slot(s, key.ifindex)) < 0)
		return MNL_CB_OK;
	if (rc) {
		memcpy(v.smac, s->smac[i], 6);
		bpf_map_update_elem(s->map_fd, &key, &v, BPF_ANY);
	} else {
		bpf_map_delete_elem(s->map_fd, &key);
	}
	return MNL_CB_OK;
}

int pcf_neigh_read_events(struct pcf_neigh_sync *s)
{
	int lost = 0;
	ssize_t n;

	for (;;) {
		n = recv(mnl_socket_get_fd(s->nl), s->buf, sizeof(s->buf), 0);
		if (n < 0 && errno == ENOBUFS) {
			lost = -ENOBUFS; /* the next event of each fixes it */
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errno == EAGAIN ? lost : -errno;
		mnl_cb_run(s->buf, n, 0, 0, on_neigh, s);
	}
}

/* Have the kernel resolve key's next hop (as a packet sent there would). */
static int resolve(const struct pcf_neigh_key *key)
{
	char buf[512];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ndmsg *nd;

	nlh->nlmsg_type = RTM_NEWNEIGH;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_CREATE | NLM_F_ACK;
	nd = mnl_nlmsg_put_extra_header(nlh, sizeof(*nd));
	nd->ndm_family = key->family == 4 ? AF_INET : AF_INET6;
	nd->ndm_ifindex = key->ifindex;
	nd->ndm_state = NUD_NONE;
	nd->ndm_flags = NTF_USE;
	mnl_attr_put(nlh, NDA_DST, key->family == 4 ? 4 : 16, key->addr);
	return pcf_rtnl_talk(nlh, NULL, NULL);
}

static __u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* Every packet of a next hop not resolved yet tells; the kernel is asked
 * once a second at most. */
static int on_miss(void *ctx, void *data, size_t len)
{
	struct pcf_neigh_sync *s = ctx;
	struct pcf_neigh_key key;
	__u64 now = now_ns();
	unsigned int i;

	if (len < sizeof(key))
		return 0;
	memcpy(&key, data, sizeof(key));
	for (i = 0; i < ASKED; i++)
		if (!memcmp(&s->asked[i], &key, sizeof(key)) &&
		    now - s->asked_at[i] < ASK_AGAIN_NS)
			return 0;
	i = s->next_ask++ % ASKED;
	s->asked[i] = key;
	s->asked_at[i] = now;
	resolve(&key);
	return 0;
}

int pcf_neigh_read_misses(struct pcf_neigh_sync *s)
{
	int n = ring_buffer__consume(s->rb);

	return n < 0 ? n : 0;
}

/* ---- life ---- */

static int iface_mac(__u32 ifindex, __u8 *mac)
{
	struct ifreq ifr = {};
	int fd, err = 0;

	if (!if_indextoname(ifindex, ifr.ifr_name))
		return -ENODEV;
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (ioctl(fd, SIOCGIFHWADDR, &ifr))
		err = -errno;
	else
		memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
	close(fd);
	return err;
}

static int dump(struct pcf_neigh_sync *s)
{
	char buf[512];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ndmsg *nd;

	nlh->nlmsg_type = RTM_GETNEIGH;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nd = mnl_nlmsg_put_extra_header(nlh, sizeof(*nd));
	nd->ndm_family = AF_UNSPEC;
	/* its answer comes on the socket like the events, read alike */
	return mnl_socket_sendto(s->nl, nlh, nlh->nlmsg_len) < 0 ? -errno : 0;
}

/* The interfaces to follow, with their own Ethernet addresses. */
static void set_ifaces(struct pcf_neigh_sync *s, const __u32 *ifindex,
		       unsigned int n)
{
	unsigned int i;

	s->n = 0;
	for (i = 0; i < n && s->n < PCF_MAX_IFACES; i++)
		if (ifindex[i] && !iface_mac(ifindex[i], s->smac[s->n]))
			s->ifindex[s->n++] = ifindex[i];
}

int pcf_neigh_set_ifaces(struct pcf_neigh_sync *s, const __u32 *ifindex,
			 unsigned int n)
{
	if (!s)
		return 0;
	set_ifaces(s, ifindex, n);
	return dump(s);
}

int pcf_neigh_open(int map_fd, int ringbuf_fd, const __u32 *ifindex,
		   unsigned int n, struct pcf_neigh_sync **ret)
{
	struct pcf_neigh_sync *s = calloc(1, sizeof(*s));
	int rcvbuf = RCVBUF, err;

	if (!s)
		return -ENOMEM;
	s->map_fd = map_fd;
	set_ifaces(s, ifindex, n);
	s->nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (!s->nl) {
		err = -errno;
		goto fail;
	}
	setsockopt(mnl_socket_get_fd(s->nl), SOL_SOCKET, SO_RCVBUF, &rcvbuf,
		   sizeof(rcvbuf));
	if (mnl_socket_bind(s->nl, 1 << (RTNLGRP_NEIGH - 1),
			    MNL_SOCKET_AUTOPID) < 0) {
		err = -errno;
		goto fail;
	}
	s->rb = ring_buffer__new(ringbuf_fd, on_miss, s, NULL);
	if (!s->rb) {
		err = -errno;
		goto fail;
	}
	err = dump(s);
	if (err)
		goto fail;
	*ret = s;
	return 0;
fail:
	pcf_neigh_close(s);
	return err;
}

void pcf_neigh_close(struct pcf_neigh_sync *s)
{
	if (!s)
		return;
	ring_buffer__free(s->rb);
	if (s->nl)
		mnl_socket_close(s->nl);
	free(s);
}

int pcf_neigh_event_fd(const struct pcf_neigh_sync *s)
{
	return mnl_socket_get_fd(s->nl);
}

int pcf_neigh_miss_fd(const struct pcf_neigh_sync *s)
{
	return ring_buffer__epoll_fd(s->rb);
}
