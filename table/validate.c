// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * validate.c - what a rule may say: matches the tuple-space search can
 * hold, and actions the data plane can carry out.  Pure: no BPF, no I/O.
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <netinet/in.h>

#include "table.h"

int pcf_mask_prefix_len(const __u8 *mask, unsigned int addr_len)
{
	unsigned int i, len = 0;
	bool ended = false;
	int b;

	for (i = 0; i < addr_len; i++) {
		for (b = 7; b >= 0; b--) {
			bool one = mask[i] & (1U << b);

			if (one && ended)
				return -1;
			if (one)
				len++;
			else
				ended = true;
		}
	}
	return len;
}

static bool all_zero(const void *p, size_t len)
{
	const __u8 *b = p;

	while (len--)
		if (*b++)
			return false;
	return true;
}

static bool ports_allowed(__u8 proto)
{
	return proto == IPPROTO_TCP || proto == IPPROTO_UDP ||
	       proto == IPPROTO_ICMP || proto == IPPROTO_ICMPV6;
}

static bool is_icmp(__u8 proto)
{
	return proto == IPPROTO_ICMP || proto == IPPROTO_ICMPV6;
}

void pcf_match_normalize(struct pcf_key *mask)
{
	mask->tun |= PCF_TUN_KIND_MASK;
}

/* VXLAN (issue 13): what pcf_key.tun may say. */
static const char *tun_invalid(const struct pcf_key *k, const struct pcf_key *m)
{
	__u32 vni = m->tun & PCF_TUN_VNI_MASK;

	if (m->tun & PCF_TUN_KIND_MASK &&
	    (m->tun & PCF_TUN_KIND_MASK) != PCF_TUN_KIND_MASK)
		return "the encapsulation matches exactly";
	if (PCF_TUN_KIND(k->tun & m->tun) > PCF_TUN_VXLAN)
		return "unknown encapsulation (encap vxlan is known)";
	if (vni && vni != PCF_TUN_VNI_MASK)
		return "a VNI matches exactly or not at all";
	if (vni && PCF_TUN_KIND(k->tun & m->tun) != PCF_TUN_VXLAN)
		return "vni needs encap vxlan";
	return NULL;
}

int pcf_match_validate(const struct pcf_key *k, const struct pcf_key *m,
		       const char **ret_why)
{
	unsigned int alen = k->family == 6 ? 16 : 4;
	const char *why = NULL;

	if (m->family &&
	    (m->family != 0xff || (k->family != 4 && k->family != 6)))
		why = "address family must be IPv4 or IPv6";
	else if (!m->family && !(all_zero(m->src, 16) && all_zero(m->dst, 16)))
		why = "an address match needs its family";
	else if (pcf_mask_prefix_len(m->src, 16) < 0 ||
		 pcf_mask_prefix_len(m->dst, 16) < 0 ||
		 !all_zero(m->src + alen, 16 - alen) ||
		 !all_zero(m->dst + alen, 16 - alen))
		why = "address masks must be prefixes";
	else if ((m->sport && m->sport != 0xffff) ||
		 (m->dport && m->dport != 0xffff))
		why = "ports match exactly or not at all";
	else if (m->proto && m->proto != 0xff)
		why = "protocol matches exactly or not at all";
	else if (m->ifindex && m->ifindex != 0xffffffff)
		why = "ingress interface matches exactly";
	else if ((m->sport || m->dport) &&
		 (!m->proto || !ports_allowed(k->proto)))
		why = "ports need proto tcp, udp, icmp or icmpv6";
	else if (m->proto && m->family &&
		 ((k->proto == IPPROTO_ICMP && k->family == 6) ||
		  (k->proto == IPPROTO_ICMPV6 && k->family == 4)))
		why = "icmp is for IPv4 and icmpv6 for IPv6";
	else if (is_icmp(k->proto) && m->proto &&
		 (ntohs(k->sport) > 255 || ntohs(k->dport) > 255))
		why = "an ICMP type (sport) and code (dport) are 0..255";
	/* named sets: in the mask 1 + the set, the key the same */
	else if (m->src_set > PCF_MAX_SETS || m->dst_set > PCF_MAX_SETS ||
		 k->src_set != m->src_set || k->dst_set != m->dst_set)
		why = "a set match names a set 1..64 in key and mask alike";
	else if ((m->src_set && !all_zero(m->src, 16)) ||
		 (m->dst_set && !all_zero(m->dst, 16)))
		why = "an address matches a set or a prefix, not both";
	else
		why = tun_invalid(k, m);
	if (ret_why)
		*ret_why = why;
	return why ? -EINVAL : 0;
}

/* ct: per connection, the port applies to what has ports (TCP, UDP, an
 * echo's identifier) and the rest keeps its own. */
static const char *nat_invalid(const struct pcf_nat *nat,
			       const struct pcf_key *k, const struct pcf_key *m,
			       bool ct)
{
	if (nat->family != 4 && nat->family != 6)
		return "NAT address must be IPv4 or IPv6";
	/* a rule on a named set has its set's family (pcfd checks it) */
	if (!m->family && (m->src_set || m->dst_set))
		;
	else if (!m->family || k->family != nat->family)
		return "NAT address family must match the rule's src or dst";
	if (nat->port && !ct &&
	    (!m->proto || (k->proto != IPPROTO_TCP && k->proto != IPPROTO_UDP)))
		return "NAT of a port needs proto tcp or udp";
	return NULL;
}

#define PIPELINE_FLAGS                                                 \
	(PCF_ACT_SNAT | PCF_ACT_DNAT | PCF_ACT_MARK | PCF_ACT_MIRROR | \
	 PCF_ACT_QUEUE | PCF_ACT_MASQ)

/* Sessions: ct and what goes with it. */
static const char *ct_invalid(const struct pcf_rule *spec)
{
	const struct pcf_action *a = &spec->action;
	bool ct = a->flags & PCF_ACT_CT;

	if (ct && a->verdict == PCF_VERDICT_DROP)
		return "ct goes with pass (pass ct lets the replies in) or redirect (stateful NAT), not drop";
	if ((a->flags & PCF_ACT_MASQ) && !ct)
		return "masquerade is NAT per connection: it needs ct";
	if ((a->flags & PCF_ACT_MASQ) && (a->flags & PCF_ACT_SNAT))
		return "masquerade and snat both choose the source address: give one";
	if (spec->snat_port_max &&
	    (!ct || !(a->flags & PCF_ACT_SNAT) || !a->snat.port))
		return "a port range needs ct and snat ADDR:LOW-HIGH (without ct, NAT rewrites to one port)";
	if (spec->snat_port_max &&
	    ntohs(spec->snat_port_max) < ntohs(a->snat.port))
		return "a port range's first port is above its last";
	return NULL;
}

/* VXLAN and explicit egress (issue 13): decap, egress dev. */
static const char *encap_invalid(const struct pcf_rule *spec)
{
	const struct pcf_action *a = &spec->action;
	bool encap = PCF_TUN_KIND(spec->key.tun & spec->mask.tun);

	if ((a->flags & PCF_ACT_DECAP) && !encap)
		return "decap takes the outer headers off a VXLAN frame: the rule needs encap vxlan";
	if ((a->flags & PCF_ACT_DECAP) && a->verdict == PCF_VERDICT_DROP)
		return "a dropped packet is not decapsulated: write action drop alone";
	if (encap && a->verdict == PCF_VERDICT_REDIRECT &&
	    !(a->flags & PCF_ACT_DECAP))
		return "the workers work on the inner frame: write action redirect decap ...";
	if (encap && (a->flags & PCF_ACT_CT))
		return "sessions are of outer headers: ct does not go with encap";
	if (spec->egress_ifindex && a->verdict != PCF_VERDICT_REDIRECT)
		return "egress dev sends what a worker sends: it needs action redirect";
	if (spec->egress_ifindex && a->egress != PCF_EGRESS_WIRE)
		return "egress dev is an egress of its own: give no other egress";
	if (spec->egress_via_family && !spec->egress_ifindex)
		return "via needs egress dev IFNAME";
	if (spec->egress_via_family && spec->egress_via_family != 4 &&
	    spec->egress_via_family != 6)
		return "via must be an IPv4 or IPv6 address";
	if (spec->egress_ifindex && (a->flags & PCF_ACT_MASQ))
		return "masquerade asks the routing table for its address: it does not go with egress dev";
	return NULL;
}

static const char *action_invalid(const struct pcf_rule *spec)
{
	const struct pcf_action *a = &spec->action;
	const char *why = NULL;

	if (spec->prio > PCF_PRIO_MAX)
		return "prio must be 0..65535";
	if (a->verdict >= PCF_VERDICT_MAX)
		return "unknown action";
	if (a->flags & ~(PIPELINE_FLAGS | PCF_ACT_TTL | PCF_ACT_DF_CLEAR |
			 PCF_ACT_CT | PCF_ACT_DECAP))
		return "unknown action flags";
	if (a->egress >= PCF_EGRESS_MAX)
		return "unknown egress";
	why = ct_invalid(spec);
	if (!why)
		why = encap_invalid(spec);
	if (why)
		return why;
	if (a->verdict == PCF_VERDICT_DROP &&
	    (a->flags || a->egress != PCF_EGRESS_DEFAULT))
		return "a dropped packet cannot be rewritten, marked, mirrored or sent anywhere";
	if (a->verdict == PCF_VERDICT_PASS &&
	    ((a->flags & PIPELINE_FLAGS) || a->egress != PCF_EGRESS_DEFAULT))
		return "snat, dnat, masquerade, mark, mirror, egress and queue run in the worker pipeline: they need action redirect";
	if ((a->flags & PCF_ACT_TTL) && !a->ttl_delta)
		return "ttl-delta must not be 0";
	if ((a->flags & PCF_ACT_MIRROR) && !a->mirror_ifindex)
		return "mirror needs an interface";
	/* without an address family it applies to the rule's IPv4 packets */
	if ((a->flags & PCF_ACT_DF_CLEAR) && spec->mask.family &&
	    spec->key.family != 4)
		return "df-clear is for IPv4 packets: this rule matches IPv6 only";
	if (a->flags & PCF_ACT_SNAT)
		why = nat_invalid(&a->snat, &spec->key, &spec->mask,
				  a->flags & PCF_ACT_CT);
	if (!why && (a->flags & PCF_ACT_DNAT))
		why = nat_invalid(&a->dnat, &spec->key, &spec->mask,
				  a->flags & PCF_ACT_CT);
	return why;
}

int pcf_rule_validate(const struct pcf_rule *spec, const char **ret_why)
{
	const char *why = NULL;

	if (!pcf_match_validate(&spec->key, &spec->mask, &why))
		why = action_invalid(spec);
	if (ret_why)
		*ret_why = why;
	return why ? -EINVAL : 0;
}
