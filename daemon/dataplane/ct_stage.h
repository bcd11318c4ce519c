/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * ct_stage.h - the worker pipeline's session stage.  A packet of a known
 * session comes with its entry's translation (pcf_ct_meta, written by
 * pcf_steer): it is rewritten, or, an ICMP error about the session, its
 * quoted packet with it (ct_xlat.h).  The first packet of a connection a
 * ct rule matched that pcf_steer did not make the session of (the first
 * of its NAT address and protocol, or what pcf_steer cannot settle: see
 * pcf_abi.h) makes it here (table/ct.h: port, reply entry, original
 * entry, whichever worker wins) and is rewritten as it says.  Any worker
 * can serve any session.
 */
#ifndef PCF_CT_STAGE_H
#define PCF_CT_STAGE_H

#include <linux/types.h>

#include "ct.h"
#include "ct_addrs.h"
#include "pkt.h"

/* One worker's session counters (its thread writes them, plain). */
struct pcf_ct_wstats {
	__u64 created;	   /* sessions made */
	__u64 found;	   /* a first packet found its session made by
			    * another worker meanwhile (the race lost) */
	__u64 translated;  /* session packets rewritten */
	__u64 icmp_errors; /* ICMP errors about sessions rewritten */
};

struct pcf_ct_stage {
	const struct pcf_ct_table *table; /* NULL: none (untracked) */
	const struct pcf_ct_addrs *addrs; /* masquerade's; NULL: none */
	struct pcf_ct_wstats *st;
};

/*
 * A session's packet p, cm its metadata: 0, or the reason to drop it
 * (PCF_WDROP_CT_UNTRACKED: an ICMP error whose quote does not fit).
 */
int pcf_ct_stage_session(struct pcf_ct_stage *s, struct pcf_pkt_ref *p,
			 const struct pcf_ct_meta *cm);

/*
 * The first packet p of a connection that the ct rule (act,
 * snat_port_max) matched, m its metadata (masquerade takes the address
 * of m's egress interface): its session made (or found), p rewritten.
 * 0, or the reason to drop it: PCF_WDROP_CT_FULL, _CT_PORTS,
 * _CT_UNTRACKED.
 */
int pcf_ct_stage_new(struct pcf_ct_stage *s, struct pcf_pkt_ref *p,
		     const struct pcf_action *act, __be16 snat_port_max,
		     __u32 rule_id, __u16 rule_slot, const struct pcf_meta *m);

#endif /* PCF_CT_STAGE_H */
