/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * ifwatch.h - network interfaces as rtnetlink tells them: a watcher on
 * the link multicast group (a device deleted, created, renamed, its MTU
 * changed), one link's state on demand (ifindex, MTU, drop counters), and
 * the request helper retveth.c builds on.
 *
 * pcfd follows its interfaces by name: an event only says "look again";
 * what to do is decided from pcf_link_get()'s answer, so a lost event
 * (-ENOBUFS) costs nothing but a look at every interface.
 */
#ifndef PCF_IFWATCH_H
#define PCF_IFWATCH_H

#include <stdbool.h>
#include <net/if.h>
#include <linux/types.h>
#include <libmnl/libmnl.h>

struct ifinfomsg;

/* A link, from an RTM_NEWLINK or RTM_DELLINK message. */
struct pcf_link {
	__u32 ifindex;
	char name[IF_NAMESIZE];
	__u32 mtu;     /* 0: not said */
	__u32 max_mtu; /* the largest the device takes; 0: not said */
	__u32 flags;   /* IFF_* */
	bool has_stats;
	__u64 rx_packets, rx_dropped, tx_packets, tx_dropped;
};

/*
 * Read a link message (pure).  0; -ENOENT for another message type;
 * -EINVAL for a malformed one.
 */
int pcf_link_parse(const struct nlmsghdr *nlh, struct pcf_link *ret);

/* The link named name in this network namespace; -ENODEV if none. */
int pcf_link_get(const char *name, struct pcf_link *ret);

/*
 * Send an rtnetlink request and wait for its acknowledgement; cb (if not
 * NULL) sees every other message of the answer.  0 or a negative errno
 * (the kernel's, for a refused request).
 */
int pcf_rtnl_talk(struct nlmsghdr *nlh, mnl_cb_t cb, void *data);
/* Start a link request of type in buf; *ret_ifm is its ifinfomsg. */
struct nlmsghdr *pcf_link_msg(char *buf, __u16 type, __u16 flags,
			      struct ifinfomsg **ret_ifm);

struct pcf_ifwatch;

/* Join the link multicast group of this network namespace. */
int pcf_ifwatch_open(struct pcf_ifwatch **ret);
void pcf_ifwatch_close(struct pcf_ifwatch *w);
int pcf_ifwatch_fd(const struct pcf_ifwatch *w);

typedef void (*pcf_ifwatch_fn)(void *ctx, bool deleted,
			       const struct pcf_link *l);

/*
 * Read every event waiting (never blocks) and call changed for each.
 * 0; -ENOBUFS when the kernel dropped events (the socket's buffer ran
 * over): look again at every link followed; another negative errno.
 */
int pcf_ifwatch_read(struct pcf_ifwatch *w, pcf_ifwatch_fn changed, void *ctx);

#endif /* PCF_IFWATCH_H */
