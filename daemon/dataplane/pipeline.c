// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * pipeline.c - one REDIRECTed packet through the worker's stages:
 * meta → rule → header check → NAT (stateless, or the session's) →
 * TTL/DF → next hop → counters.
 */
#include <netinet/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>

#include "nat.h"
#include "pipeline.h"
#include "rewrite.h"

#define IP_OFFSET 0x1fff

static const char *const wdrop_names[PCF_WDROP_MAX] = {
	[PCF_WDROP_NONE] = "none",
	[PCF_WDROP_BAD_META] = "bad_meta",
	[PCF_WDROP_MALFORMED] = "malformed",
	[PCF_WDROP_RULE_GONE] = "rule_gone",
	[PCF_WDROP_NAT_FAMILY] = "nat_family",
	[PCF_WDROP_TTL_EXPIRED] = "ttl_expired",
	[PCF_WDROP_NO_ROUTE] = "no_route",
	[PCF_WDROP_NO_NEIGH] = "no_neigh",
	[PCF_WDROP_FRAG_NEEDED] = "frag_needed",
	[PCF_WDROP_NOT_OURS] = "egress_not_ours",
	[PCF_WDROP_EGRESS_KERNEL] = "egress_kernel",
	[PCF_WDROP_TX_FULL] = "tx_full",
	[PCF_WDROP_MIRROR] = "mirror",
	[PCF_WDROP_CT_FULL] = "ct_full",
	[PCF_WDROP_CT_PORTS] = "ct_ports",
	[PCF_WDROP_CT_UNTRACKED] = "ct_untracked",
};

const char *pcf_wdrop_name(enum pcf_wdrop r)
{
	return (unsigned int)r < PCF_WDROP_MAX ? wdrop_names[r] : "?";
}

/* Minimum L4 bytes the pipeline may touch (ports and checksum). */
static __u32 l4_min_len(__u8 proto)
{
	switch (proto) {
	case IPPROTO_TCP:
		return 20;
	case IPPROTO_UDP:
		return 8;
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		return 4;
	default:
		return 0;
	}
}

static int check_ipv4(const __u8 *l3, __u32 room, const struct pcf_meta *m,
		      __u32 *ret_l4_off)
{
	const struct iphdr *iph = (const void *)l3;
	__u32 hdrlen;

	if (room < sizeof(*iph) || iph->version != 4)
		return PCF_WDROP_MALFORMED;
	hdrlen = iph->ihl * 4;
	if (hdrlen < sizeof(*iph) || hdrlen > room ||
	    ntohs(iph->tot_len) < hdrlen || ntohs(iph->tot_len) > room ||
	    iph->protocol != m->proto)
		return PCF_WDROP_MALFORMED;
	/* a non-first fragment has no L4 header to rewrite */
	if (iph->frag_off & htons(IP_OFFSET)) {
		if (m->l4_off)
			return PCF_WDROP_MALFORMED;
		*ret_l4_off = 0;
		return 0;
	}
	*ret_l4_off = m->l3_off + hdrlen;
	/* the steering program found the same L4 offset, or none at all */
	if (m->l4_off != *ret_l4_off)
		return PCF_WDROP_MALFORMED;
	return 0;
}

static int check_ipv6(const __u8 *l3, __u32 room, const struct pcf_meta *m,
		      __u32 *ret_l4_off)
{
	const struct ipv6hdr *ip6h = (const void *)l3;

	if (room < sizeof(*ip6h) || ip6h->version != 6 ||
	    ntohs(ip6h->payload_len) > room - sizeof(*ip6h))
		return PCF_WDROP_MALFORMED;
	/* extension headers were walked by XDP: trust only a sane bound */
	if (m->l4_off && m->l4_off < m->l3_off + sizeof(*ip6h))
		return PCF_WDROP_MALFORMED;
	*ret_l4_off = m->l4_off;
	return 0;
}

int pcf_pkt_check(__u8 *data, __u32 len, const struct pcf_meta *meta,
		  struct pcf_pkt_ref *ret)
{
	__u32 l4_off = 0;
	int err;

	if (meta->l3_off < 14 || meta->l3_off >= len)
		return PCF_WDROP_MALFORMED;
	if (meta->family == 4)
		err = check_ipv4(data + meta->l3_off, len - meta->l3_off, meta,
				 &l4_off);
	else if (meta->family == 6)
		err = check_ipv6(data + meta->l3_off, len - meta->l3_off, meta,
				 &l4_off);
	else
		err = PCF_WDROP_MALFORMED;
	if (err)
		return err;
	if (l4_off && (l4_off > len || len - l4_off < l4_min_len(meta->proto)))
		return PCF_WDROP_MALFORMED;

	ret->data = data;
	ret->len = len;
	ret->l3_off = meta->l3_off;
	ret->l4_off = l4_off;
	ret->family = meta->family;
	ret->proto = meta->proto;
	return 0;
}

/*
 * Copy the rule's action and counter index out of the shared array.  The
 * slot XDP matched stays as it was until this worker has run the packet
 * (pcfd reuses a slot only after every worker drained the packets
 * classified before it was replaced or deleted: table/table.h), so the
 * copy is never torn; the id check catches a packet that is somehow
 * older than that.
 */
static int read_action(const struct pcf_pipeline *pl, const struct pcf_meta *m,
		       struct pcf_action *ret, __u32 *ret_ctr)
{
	const struct pcf_rule *rule = &pl->rules[m->rule_slot];

	if (__atomic_load_n(&rule->id, __ATOMIC_ACQUIRE) != m->rule_id)
		return PCF_WDROP_RULE_GONE;
	memcpy(ret, &rule->action, sizeof(*ret));
	*ret_ctr = rule->ctr;
	if (*ret_ctr >= PCF_RULE_SLOTS)
		return PCF_WDROP_RULE_GONE;
	return 0;
}

static int nat(struct pcf_pkt_ref *p, const struct pcf_action *act)
{
	int err = 0;

	if (act->flags & PCF_ACT_SNAT)
		err = pcf_nat_apply(p, &act->snat, PCF_NAT_SRC);
	if (!err && (act->flags & PCF_ACT_DNAT))
		err = pcf_nat_apply(p, &act->dnat, PCF_NAT_DST);
	return err ? PCF_WDROP_NAT_FAMILY : 0;
}

static int fib_drop_reason(__u8 fib)
{
	switch (fib) {
	case PCF_FIB_NO_NEIGH:
		return PCF_WDROP_NO_NEIGH;
	case PCF_FIB_FRAG_NEEDED:
		return PCF_WDROP_FRAG_NEEDED;
	default:
		return PCF_WDROP_NO_ROUTE;
	}
}

static bool is_wire(const struct pcf_pipeline *pl, __u32 ifindex)
{
	unsigned int i;

	if (!pl->nwire)
		return true;
	for (i = 0; i < pl->nwire; i++)
		if (pl->wire_ifindex[i] == ifindex)
			return true;
	return false;
}

/*
 * The kernel routes the packet: the rule's TTL delta and DF only; the
 * kernel (or pcf_return, as the kernel would) lowers the TTL itself.
 */
static int for_kernel(struct pcf_pkt_ref *p, const struct pcf_action *act,
		      int reason, struct pcf_pipe_out *out)
{
	if ((act->flags & PCF_ACT_TTL) && act->ttl_delta &&
	    pcf_rewrite_ttl(p, act->ttl_delta))
		return PCF_WDROP_TTL_EXPIRED;
	if (act->flags & PCF_ACT_DF_CLEAR)
		pcf_rewrite_df_clear(p);
	/* the return veth's end has no VLAN devices */
	out->strip = pcf_rewrite_strip_vlan(p);
	out->to_kernel = true;
	return reason;
}

/*
 * Egress kernel.  A rule without an egress of its own (pcfd's --egress
 * kernel) leaves the route to the kernel's FIB, which pcf_steer asked
 * already: when it names an interface a worker sends on, with the next
 * hop resolved, and no mark has to reach skb->mark, the worker forwards
 * the packet there itself, as pcf_return would have done after the
 * return veth's hop (the router's TTL decrement, the Ethernet
 * addresses).  Else, and always for `egress kernel`, the return veth; so
 * too a packet the router's decrement would expire: the kernel answers
 * it (ICMP time exceeded).
 */
static int kernel_route(const struct pcf_pipeline *pl, struct pcf_pkt_ref *p,
			const struct pcf_action *act, const struct pcf_meta *m,
			struct pcf_pipe_out *out)
{
	int reason = for_kernel(p, act, PCF_WDROP_EGRESS_KERNEL, out);

	if (reason != PCF_WDROP_EGRESS_KERNEL ||
	    act->egress != PCF_EGRESS_DEFAULT || m->fib != PCF_FIB_OK ||
	    out->has_mark || !is_wire(pl, m->fib_ifindex) ||
	    pcf_rewrite_ttl(p, -1))
		return reason;
	out->to_kernel = false;
	pcf_rewrite_eth(p, m->dmac, m->smac);
	out->egress_ifindex = m->fib_ifindex;
	return 0;
}

/* TTL/DF rewrite and next hop; wire egress means pcf routes the packet. */
static int route(struct pcf_pipeline *pl, struct pcf_pkt_ref *p,
		 const struct pcf_action *act, const struct pcf_meta *m,
		 struct pcf_pipe_out *out)
{
	__u8 egress = act->egress ? act->egress : pl->default_egress;
	int delta = act->flags & PCF_ACT_TTL ? act->ttl_delta : 0;

	if (egress != PCF_EGRESS_WIRE)
		return kernel_route(pl, p, act, m, out);
	if (m->fib != PCF_FIB_OK)
		return for_kernel(p, act, fib_drop_reason(m->fib), out);
	if (!is_wire(pl, m->fib_ifindex))
		return for_kernel(p, act, PCF_WDROP_NOT_OURS, out);
	/* a router lowers the TTL by one, on top of the rule's delta */
	if (pcf_rewrite_ttl(p, delta - 1))
		return PCF_WDROP_TTL_EXPIRED;
	if (act->flags & PCF_ACT_DF_CLEAR)
		pcf_rewrite_df_clear(p);
	out->strip = pcf_rewrite_strip_vlan(p);
	pcf_rewrite_eth(p, m->dmac, m->smac);
	out->egress_ifindex = m->fib_ifindex;
	return 0;
}

/* What the mirror and mark of act make of the packet. */
static void mark_mirror(const struct pcf_action *act, struct pcf_pipe_out *out)
{
	out->mirror_ifindex =
	    act->flags & PCF_ACT_MIRROR ? act->mirror_ifindex : 0;
	out->has_mark = act->flags & PCF_ACT_MARK;
	out->mark = act->mark;
}

/*
 * A packet of a session: rewritten as its entry says.  The original
 * direction follows its rule's action (egress, TTL/DF, mark, mirror)
 * while the rule is there; replies, and packets of a session whose rule
 * went, only take its egress, or the default one.
 */
static int run_session(struct pcf_pipeline *pl, __u8 *data, __u32 len,
		       __u32 headroom, const struct pcf_meta *m,
		       struct pcf_pipe_out *out)
{
	struct pcf_action act = { .verdict = PCF_VERDICT_REDIRECT };
	struct pcf_ct_meta cm;
	struct pcf_pkt_ref p;
	__u32 ctr;
	int err;

	if (headroom < sizeof(cm) + sizeof(*m) ||
	    m->rule_slot >= PCF_RULE_SLOTS)
		return PCF_WDROP_BAD_META;
	memcpy(&cm, data - sizeof(*m) - sizeof(cm), sizeof(cm));
	if (cm.magic != PCF_CT_META_MAGIC)
		return PCF_WDROP_BAD_META;
	if (!read_action(pl, m, &act, &ctr) &&
	    !(cm.flags & (PCF_CT_REPLY | PCF_CT_M_ICMP_ERROR))) {
		pl->rule_ctr[ctr].packets++;
		pl->rule_ctr[ctr].bytes += len;
	} else {
		act = (struct pcf_action){ .verdict = PCF_VERDICT_REDIRECT,
					   .egress = act.egress };
	}
	err = pcf_pkt_check(data, len, m, &p);
	if (!err)
		err = pcf_ct_stage_session(&pl->ct, &p, &cm);
	if (err)
		return err;
	mark_mirror(&act, out);
	return route(pl, &p, &act, m, out);
}

/* The first packet of a connection a ct rule matched: its session. */
static int new_session(struct pcf_pipeline *pl, struct pcf_pkt_ref *p,
		       const struct pcf_action *act, const struct pcf_meta *m)
{
	const struct pcf_rule *rule = &pl->rules[m->rule_slot];

	/* read after the rule's id, as its action was */
	return pcf_ct_stage_new(&pl->ct, p, act, rule->snat_port_max,
				m->rule_id, m->rule_slot, m);
}

int pcf_pipeline_run(struct pcf_pipeline *pl, __u8 *data, __u32 len,
		     __u32 headroom, struct pcf_pipe_out *out)
{
	struct pcf_action act;
	struct pcf_pkt_ref p;
	struct pcf_meta m;
	__u32 ctr;
	int err;

	out->to_kernel = false;
	out->strip = 0;
	if (headroom < sizeof(m))
		return PCF_WDROP_BAD_META;
	memcpy(&m, data - sizeof(m), sizeof(m));
	if (m.magic == PCF_META_MAGIC_CT)
		return run_session(pl, data, len, headroom, &m, out);
	if (m.magic != PCF_META_MAGIC || m.rule_slot >= PCF_RULE_SLOTS)
		return PCF_WDROP_BAD_META;
	err = read_action(pl, &m, &act, &ctr);
	if (err)
		return err;
	pl->rule_ctr[ctr].packets++;
	pl->rule_ctr[ctr].bytes += len;

	err = pcf_pkt_check(data, len, &m, &p);
	if (err)
		return err;
	err = act.flags & PCF_ACT_CT ? new_session(pl, &p, &act, &m)
				     : nat(&p, &act);
	if (err)
		return err;
	mark_mirror(&act, out);
	return route(pl, &p, &act, &m, out);
}
