// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * ct_stage.c - the worker pipeline's session stage (see ct_stage.h).
 */
#include <errno.h>

#include "ct_stage.h"
#include "ct_xlat.h"
#include "pipeline.h" /* enum pcf_wdrop */

int pcf_ct_stage_session(struct pcf_ct_stage *s, struct pcf_pkt_ref *p,
			 const struct pcf_ct_meta *cm)
{
	if (cm->flags & PCF_CT_M_ICMP_ERROR) {
		if (pcf_ct_xlat_error(p, &cm->xlat))
			return PCF_WDROP_CT_UNTRACKED;
		s->st->icmp_errors++;
		return 0;
	}
	pcf_ct_xlat(p, &cm->xlat);
	s->st->translated++;
	return 0;
}

/* The egress interface's address for masquerade, or NULL. */
static const __u8 *masq_addr(const struct pcf_ct_stage *s,
			     const struct pcf_meta *m, __u8 family, __u8 *buf)
{
	bool routed = m->fib == PCF_FIB_OK || m->fib == PCF_FIB_NO_NEIGH ||
		      m->fib == PCF_FIB_FRAG_NEEDED;

	if (!s->addrs || !routed ||
	    !pcf_ct_addrs_get(s->addrs, m->fib_ifindex, family, buf))
		return NULL;
	return buf;
}

int pcf_ct_stage_new(struct pcf_ct_stage *s, struct pcf_pkt_ref *p,
		     const struct pcf_action *act, __be16 snat_port_max,
		     __u32 rule_id, __u16 rule_slot, const struct pcf_meta *m)
{
	struct pcf_ct_entry e;
	struct pcf_ct_plan plan;
	struct pcf_ct_key k;
	__u8 buf[16];
	bool ports;
	int rc;

	if (!s->table || pcf_ct_pkt_key(p, &k, &ports))
		return PCF_WDROP_CT_UNTRACKED;
	if (pcf_ct_plan(&k, ports, act, snat_port_max,
			masq_addr(s, m, p->family, buf), &plan))
		return PCF_WDROP_CT_UNTRACKED;
	rc = pcf_ct_create(s->table, &k, p->len, &plan, rule_id, rule_slot,
			   pcf_ct_now(), &e);
	switch (rc) {
	case 0:
		s->st->created++;
		break;
	case PCF_CT_FOUND:
		s->st->found++;
		break;
	case -ENOSPC:
		return PCF_WDROP_CT_FULL;
	case -EADDRNOTAVAIL:
		return PCF_WDROP_CT_PORTS;
	default:
		return PCF_WDROP_CT_UNTRACKED;
	}
	pcf_ct_xlat(p, &e.xlat);
	return 0;
}
