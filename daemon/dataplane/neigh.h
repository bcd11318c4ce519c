/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * neigh.h - explicit egress (issue 13): the kernel's neighbour table,
 * copied for pcf_steer into the pinned hash pcf_neigh for the interfaces
 * pcfd steers, and the next hops pcf_steer found missing there (ring
 * buffer pcf_neigh_miss) given to the kernel to resolve.
 *
 * pcf_steer reads only entries it can use (a MAC address of a reachable,
 * stale, delayed, probed, permanent or noarp neighbour): an entry is
 * written whole by one map update and deleted when the kernel's goes or
 * fails.  A miss costs the packet the kernel's path (counted:
 * PCF_REASON_NO_NEIGH) and asks the kernel, once per next hop until it
 * answers, to resolve it (RTM_NEWNEIGH with NTF_USE, as a packet sent
 * there would), so the next packets find it.
 */
#ifndef PCF_NEIGH_H
#define PCF_NEIGH_H

#include <stdbool.h>
#include <linux/types.h>

#include "pcf_abi.h"

struct pcf_neigh_sync;

/*
 * Copy the neighbours of the interfaces ifindex[0..n) into map_fd (a
 * pcf_neigh), from a dump and then from the events of the neighbour
 * group; take misses from ringbuf_fd (pcf_neigh_miss).
 */
int pcf_neigh_open(int map_fd, int ringbuf_fd, const __u32 *ifindex,
		   unsigned int n, struct pcf_neigh_sync **ret);
void pcf_neigh_close(struct pcf_neigh_sync *s);
/* The interfaces changed (pcfd restarts its workers): copy theirs anew. */
int pcf_neigh_set_ifaces(struct pcf_neigh_sync *s, const __u32 *ifindex,
			 unsigned int n);
/* Readable when events (rtnetlink) or misses (ring buffer) wait. */
int pcf_neigh_event_fd(const struct pcf_neigh_sync *s);
int pcf_neigh_miss_fd(const struct pcf_neigh_sync *s);
int pcf_neigh_read_events(struct pcf_neigh_sync *s);
int pcf_neigh_read_misses(struct pcf_neigh_sync *s);

/*
 * The pure part: an RTM_NEWNEIGH/RTM_DELNEIGH message as what pcf_steer
 * should hold: 1 with *key and *mac set when it gives a usable address,
 * 0 with *key set when the entry must go, -1 for another or a malformed
 * message (or one of another family than IPv4/IPv6).
 */
struct nlmsghdr;
int pcf_neigh_parse(const struct nlmsghdr *nlh, struct pcf_neigh_key *key,
		    __u8 *mac);

#endif /* PCF_NEIGH_H */
