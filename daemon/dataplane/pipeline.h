/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * pipeline.h - what a worker does to one REDIRECTed packet: find its rule
 * through the pcf_meta the steering program wrote in front of it, check
 * that its headers fit the frame, then NAT, TTL/DF rewrite and next hop.
 *
 * No syscall, no lock, no allocation: the rule is read from the mmapped
 * pcf_rules array and the counters belong to the calling worker alone.
 */
#ifndef PCF_PIPELINE_H
#define PCF_PIPELINE_H

#include <stdbool.h>
#include <string.h>
#include <linux/types.h>

#include "pcf_abi.h"
#include "ct_stage.h"
#include "pkt.h"

/* Why a worker dropped a packet; each has its own counter. */
enum pcf_wdrop {
	PCF_WDROP_NONE = 0,    /* not dropped: transmit */
	PCF_WDROP_BAD_META,    /* no valid pcf_meta in front of the frame */
	PCF_WDROP_MALFORMED,   /* headers do not fit the frame or the meta */
	PCF_WDROP_RULE_GONE,   /* rule deleted or replaced since XDP saw it */
	PCF_WDROP_NAT_FAMILY,  /* NAT address of the other IP family */
	PCF_WDROP_TTL_EXPIRED, /* ttl-delta and the router decrement hit 0 */
	PCF_WDROP_NO_ROUTE,    /* FIB: no route (kernel fallback) */
	PCF_WDROP_NO_NEIGH,    /* FIB: next hop unresolved (kernel fallback) */
	PCF_WDROP_FRAG_NEEDED, /* FIB: bigger than the egress MTU */
	PCF_WDROP_NOT_OURS,    /* egress interface has no pcf worker */
	PCF_WDROP_EGRESS_KERNEL, /* egress kernel, and no return veth */
	PCF_WDROP_TX_FULL,	 /* egress tx ring (or hand-off ring) full */
	PCF_WDROP_MIRROR,   /* mirror copy lost: no free frame or no worker */
	PCF_WDROP_CT_FULL,  /* ct: the session table is full */
	PCF_WDROP_CT_PORTS, /* ct: no NAT port left in the rule's range */
	/* ct: the packet can have no session (an ICMP message other than an
	 * echo, a fragment, masquerade without an address, a quote cut) */
	PCF_WDROP_CT_UNTRACKED,
	PCF_WDROP_MAX,
};

const char *pcf_wdrop_name(enum pcf_wdrop r);


/* One worker's pipeline. */
struct pcf_pipeline {
	const struct pcf_rule *rules; /* PCF_RULE_SLOTS slots, read-only */
	__u8 default_egress; /* enum pcf_egress for PCF_EGRESS_DEFAULT */
	/* PCF_RULE_SLOTS, by pcf_rule.ctr: this worker's row of the pinned
	 * pcf_wrule_stats */
	struct pcf_counter *rule_ctr;
	/* interfaces the worker can transmit on; none listed: any */
	__u32 wire_ifindex[PCF_MAX_IFACES];
	unsigned int nwire;
	struct pcf_ct_stage ct; /* sessions */
};

struct pcf_pipe_out {
	__u32 egress_ifindex; /* transmit here (when not dropped) */
	__u32 mirror_ifindex; /* 0, or also send a copy here */
	/*
	 * With a drop reason: the packet is ready for the kernel (NATed,
	 * rule's TTL delta and DF applied, no router decrement): egress
	 * kernel, or a wire next hop pcf cannot reach (no route, neighbour
	 * unresolved, too big, interface not ours).  Only its Ethernet
	 * addresses are left for the return path to write.
	 */
	bool to_kernel;
	bool has_mark;
	__u32 mark; /* with has_mark: the rule's mark */
	/*
	 * Bytes of VLAN tags taken off the front: the packet to send (or
	 * mirror) starts at data + strip and is strip bytes shorter.
	 */
	__u16 strip;
};

/*
 * Check the headers of the frame (len bytes at data) against meta and fill
 * ret; PCF_WDROP_MALFORMED if anything would be read out of bounds.
 */
int pcf_pkt_check(__u8 *data, __u32 len, const struct pcf_meta *meta,
		  struct pcf_pkt_ref *ret);

/*
 * Run one packet: the pcf_meta sits in the headroom bytes before data
 * (a session's packet: its pcf_ct_meta before that, pcf_abi.h).
 * Returns PCF_WDROP_NONE with out filled, or the reason to drop it.
 */
int pcf_pipeline_run(struct pcf_pipeline *pl, __u8 *data, __u32 len,
		     __u32 headroom, struct pcf_pipe_out *out);

#endif /* PCF_PIPELINE_H */
