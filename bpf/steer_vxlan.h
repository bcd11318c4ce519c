// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * steer_vxlan.h - VXLAN (issue 13): the inner packet of a VXLAN frame
 * classified against the encap rules, and an encap rule's action on it.
 * Part of pcf_steer.bpf.c.
 */
#ifndef PCF_STEER_VXLAN_H
#define PCF_STEER_VXLAN_H

#include "steer_act.h"
#include "steer_classify.h"

/* VXLAN (issue 13): a frame's inner packet, off the stack (512 bytes for
 * the program and its calls) */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct pcf_pkt);
} pcf_inner SEC(".maps");

/* Is port (network order) one of pcfd's --vxlan-port ports? */
static __always_inline int vxlan_port(const struct pcf_config *cfg, __be16 port)
{
	int i;

	if (!cfg || !cfg->vxlan_ports[0])
		return port == bpf_htons(PCF_VXLAN_PORT);
	for (i = 0; i < PCF_VXLAN_PORTS_MAX; i++)
		if (cfg->vxlan_ports[i] && cfg->vxlan_ports[i] == port)
			return 1;
	return 0;
}

/* Rules with encap in the table: only then are packets looked into. */
static __always_inline int encap_live(void)
{
	__u32 zero = 0;
	struct pcf_table_state *st = bpf_map_lookup_elem(&pcf_state, &zero);

	return st && READ_ONCE(st->encap_rules);
}

/*
 * The inner packet of outer, a VXLAN frame, into inner (its key's tun
 * says VXLAN and the VNI; offsets from the outer frame's start, eth_off
 * where the inner frame starts).  1: parsed; 0: not a VXLAN frame, or
 * its inner frame is not IP (ARP...), for the outer rules alone; -1: the
 * encapsulation is cut short or invalid.
 */
__noinline int pcf_vxlan_inner(struct xdp_md *ctx, const struct pcf_pkt *outer,
			       struct pcf_pkt *inner)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;
	struct pcf_config *cfg;
	__u32 zero = 0, off, vni;
	int rc;

	if (!outer || !inner || outer->key.proto != IPPROTO_UDP ||
	    outer->fragment || !outer->l4_off)
		return 0;
	cfg = bpf_map_lookup_elem(&pcf_config, &zero);
	if (!vxlan_port(cfg, outer->key.dport))
		return 0;
	off = outer->l4_off + sizeof(struct udphdr);
	if (off > PCF_VXLAN_INNER_MAX)
		return -1;
	if (pcf_parse_vxlan(data, data_end, off, &vni))
		return -1;
	off += sizeof(struct pcf_vxlanhdr);
	__builtin_memset(inner, 0, sizeof(*inner));
	rc = pcf_parse_eth(data, data_end, off, inner);
	if (rc == PCF_PARSE_NOT_IP)
		return 0;
	if (rc != PCF_PARSE_OK)
		return -1;
	inner->eth_off = off;
	inner->key.ifindex = outer->key.ifindex;
	inner->key.tun = PCF_TUN(PCF_TUN_VXLAN, vni);
	return 1;
}

/* The rank of the rule in slot (~0: none there). */
static __always_inline __u64 slot_rank(int slot)
{
	__u32 s = slot;
	struct pcf_rule *rule;

	if (slot < 0)
		return ~0ULL;
	rule = bpf_map_lookup_elem(&pcf_rules, &s);
	return rule ? pcf_rank(rule->prio, rule->id) : ~0ULL;
}

/*
 * The best rule for an inner key (its tun set; 8-byte aligned), through
 * the IPv6 flow cache, which holds whole keys, whatever the inner
 * family: the search's answer for the inner headers alone.  It wins if
 * ranked before the outer headers' winner (slot outer_slot, -1: none);
 * else ret->slot is -1.
 */
__noinline int pcf_classify_inner(const struct pcf_key *key, int outer_slot,
				  struct hit *ret)
{
	struct pcf_table_state *st;
	__u32 zero = 0, buf;
	__u64 g;

	if (!key || !ret)
		return 0;
	ret->slot = -1;
	st = bpf_map_lookup_elem(&pcf_state, &zero);
	if (!st)
		return 0;
	g = READ_ONCE(st->gen); /* before the list: as classify() */
	barrier();
	buf = READ_ONCE(st->mask_buf);
	cached6(key, g, buf, ret);
	/* the rank of two rules matters only when both headers match */
	if (ret->slot >= 0 && outer_slot >= 0 &&
	    slot_rank(outer_slot) < slot_rank(ret->slot))
		ret->slot = -1;
	return 0;
}

/*
 * An encap rule's action on the inner packet of a frame: TTL/DF rewritten
 * in place (the outer UDP checksum kept valid) unless decap, which takes
 * the outer headers off: the inner frame is what the kernel or the worker
 * gets, and in's offsets are then its own.  0, or the XDP verdict to
 * return (TTL expired: dropped, counted).
 */
static __always_inline int act_inner(struct xdp_md *ctx,
				     const struct pcf_pkt *outer,
				     struct pcf_pkt *in,
				     const struct pcf_action *act, __u64 bytes)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;
	__u32 delta = 0, udp_off = outer->l4_off & 0x7ff;
	struct udphdr *uh;

	if (act->verdict == PCF_VERDICT_PASS) {
		if (!rewrite_l3(ctx, in, act, &delta)) {
			count(PCF_STAT_REASON(PCF_REASON_TTL_EXPIRED), bytes);
			return finish(PCF_VERDICT_DROP, bytes);
		}
		if (delta && !(act->flags & PCF_ACT_DECAP)) {
			data_end = (void *)(long)ctx->data_end;
			data = (void *)(long)ctx->data;
			uh = data + udp_off;
			if ((void *)(uh + 1) > data_end)
				return finish(PCF_VERDICT_DROP, bytes);
			uh->check = pcf_csum_udp_apply(uh->check, delta);
		}
	}
	if (!(act->flags & PCF_ACT_DECAP))
		return 0;
	if (bpf_xdp_adjust_head(ctx, in->eth_off)) {
		count(PCF_STAT_REASON(PCF_REASON_ENCAP_MALFORMED), bytes);
		return finish(default_verdict(), bytes);
	}
	in->l3_off -= in->eth_off;
	if (in->l4_off)
		in->l4_off -= in->eth_off;
	in->eth_off = 0;
	return 0;
}

#endif /* PCF_STEER_VXLAN_H */
