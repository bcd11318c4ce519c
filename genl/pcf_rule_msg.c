// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * pcf_rule_msg.c - struct pcf_rule to and from the flow attributes, and
 * the names of the values the protocol carries.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>

#include "pcf_addr.h"
#include "pcf_genl.h"

static const char *const verdict_names[PCF_VERDICT_MAX] = {
	[PCF_VERDICT_PASS] = "pass",
	[PCF_VERDICT_DROP] = "drop",
	[PCF_VERDICT_REDIRECT] = "redirect",
};

static const char *const egress_names[PCF_EGRESS_MAX] = {
	[PCF_EGRESS_DEFAULT] = "default",
	[PCF_EGRESS_KERNEL] = "kernel",
	[PCF_EGRESS_WIRE] = "wire",
};

static int name_index(const char *const *names, unsigned int n,
		      const char *name)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (!strcmp(names[i], name))
			return i;
	return -EINVAL;
}

const char *pcf_genl_verdict_name(unsigned int v)
{
	return v < PCF_VERDICT_MAX ? verdict_names[v] : "?";
}

int pcf_genl_verdict_parse(const char *name)
{
	return name_index(verdict_names, PCF_VERDICT_MAX, name);
}

const char *pcf_genl_egress_name(unsigned int e)
{
	return e < PCF_EGRESS_MAX ? egress_names[e] : "?";
}

int pcf_genl_egress_parse(const char *name)
{
	return name_index(egress_names, PCF_EGRESS_MAX, name);
}

/* ---- encoding ---- */

static bool any_set(const __u8 *p, unsigned int len)
{
	while (len--)
		if (*p++)
			return true;
	return false;
}

static bool put_u32(struct nlmsghdr *nlh, size_t size, __u16 type, __u32 v)
{
	return mnl_attr_put_u32_check(nlh, size, type, v);
}

static bool put_addr(struct nlmsghdr *nlh, size_t size, __u16 type,
		     __u16 plen_type, const __u8 *addr, const __u8 *mask,
		     __u8 family)
{
	unsigned int len = pcf_addr_len(family);

	return mnl_attr_put_check(nlh, size, type, len, addr) &&
	       put_u32(nlh, size, plen_type, pcf_mask_bits(mask, len));
}

/* VXLAN (issue 13): encap and vni */
static bool put_tun(struct nlmsghdr *nlh, size_t size, const struct pcf_key *k,
		    const struct pcf_key *m)
{
	__u32 kind = PCF_TUN_KIND(k->tun & m->tun);

	return !kind || (put_u32(nlh, size, PCF_A_MATCH_ENCAP, kind) &&
			 (!(m->tun & PCF_TUN_VNI_MASK) ||
			  put_u32(nlh, size, PCF_A_MATCH_VNI,
				  k->tun & PCF_TUN_VNI_MASK)));
}

/* Named sets (issue 13): by name; a set with no name is refused. */
static bool put_set(struct nlmsghdr *nlh, size_t size, __u16 type, __u8 idx)
{
	const char *name = idx ? pcf_set_name(idx) : NULL;

	return !idx || (name && mnl_attr_put_strz_check(nlh, size, type, name));
}

static bool put_sets(struct nlmsghdr *nlh, size_t size, const struct pcf_key *m)
{
	return put_set(nlh, size, PCF_A_MATCH_SRC_SET, m->src_set) &&
	       put_set(nlh, size, PCF_A_MATCH_DST_SET, m->dst_set);
}

static int get_set(const struct nlattr *a, const char *kw, __u8 *key,
		   __u8 *mask, struct pcf_extack *ext)
{
	int idx;

	if (!a)
		return 0;
	idx = pcf_set_index(mnl_attr_get_str(a));
	if (idx < 0) {
		snprintf(ext->buf, sizeof(ext->buf), "%s @%s: no such set", kw,
			 mnl_attr_get_str(a));
		ext->msg = ext->buf;
		ext->bad_attr = a;
		return -ENOENT;
	}
	*key = *mask = idx;
	return 0;
}

int pcf_rule_put_match(struct nlmsghdr *nlh, size_t size,
		       const struct pcf_rule *r)
{
	const struct pcf_key *k = &r->key, *m = &r->mask;
	unsigned int alen = pcf_addr_len(k->family);
	bool ok, src = any_set(m->src, alen), dst = any_set(m->dst, alen);
	struct nlattr *nest;

	nest = mnl_attr_nest_start_check(nlh, size, PCF_A_FLOW_MATCH);
	if (!nest)
		return -EMSGSIZE;
	/* a family with no address bits still needs an address to carry it */
	if (m->family && !dst)
		src = true;
	ok = (!src || put_addr(nlh, size, PCF_A_MATCH_SRC, PCF_A_MATCH_SRC_PLEN,
			       k->src, m->src, k->family)) &&
	     (!dst || put_addr(nlh, size, PCF_A_MATCH_DST, PCF_A_MATCH_DST_PLEN,
			       k->dst, m->dst, k->family)) &&
	     (!m->sport ||
	      put_u32(nlh, size, PCF_A_MATCH_SPORT, ntohs(k->sport))) &&
	     (!m->dport ||
	      put_u32(nlh, size, PCF_A_MATCH_DPORT, ntohs(k->dport))) &&
	     (!m->proto || put_u32(nlh, size, PCF_A_MATCH_PROTO, k->proto)) &&
	     (!m->ifindex ||
	      put_u32(nlh, size, PCF_A_MATCH_IFINDEX, k->ifindex)) &&
	     put_tun(nlh, size, k, m) && put_sets(nlh, size, m);
	if (!ok) {
		mnl_attr_nest_cancel(nlh, nest);
		return -EMSGSIZE;
	}
	mnl_attr_nest_end(nlh, nest);
	return 0;
}

static bool put_nat(struct nlmsghdr *nlh, size_t size, __u16 type,
		    const struct pcf_nat *nat, __be16 port_max)
{
	struct nlattr *nest = mnl_attr_nest_start_check(nlh, size, type);

	if (!nest ||
	    !mnl_attr_put_check(nlh, size, PCF_A_NAT_ADDR,
				pcf_addr_len(nat->family), nat->addr) ||
	    (nat->port &&
	     !put_u32(nlh, size, PCF_A_NAT_PORT, ntohs(nat->port))) ||
	    (port_max &&
	     !put_u32(nlh, size, PCF_A_NAT_PORT_MAX, ntohs(port_max))))
		return false;
	mnl_attr_nest_end(nlh, nest);
	return true;
}

/* VXLAN and explicit egress (issue 13): decap, egress dev [via] */
static bool put_egress_dev(struct nlmsghdr *nlh, size_t size,
			   const struct pcf_rule *r)
{
	return (!(r->action.flags & PCF_ACT_DECAP) ||
		mnl_attr_put_check(nlh, size, PCF_A_ACT_DECAP, 0, NULL)) &&
	       (!r->egress_ifindex ||
		put_u32(nlh, size, PCF_A_ACT_EGRESS_DEV, r->egress_ifindex)) &&
	       (!r->egress_via_family ||
		mnl_attr_put_check(nlh, size, PCF_A_ACT_EGRESS_VIA,
				   pcf_addr_len(r->egress_via_family),
				   r->egress_via));
}

static int put_action(struct nlmsghdr *nlh, size_t size,
		      const struct pcf_rule *r)
{
	const struct pcf_action *a = &r->action;
	struct nlattr *nest;
	bool ok;

	nest = mnl_attr_nest_start_check(nlh, size, PCF_A_FLOW_ACTION);
	if (!nest)
		return -EMSGSIZE;
	ok = put_u32(nlh, size, PCF_A_ACT_VERDICT, a->verdict) &&
	     (!(a->flags & PCF_ACT_TTL) ||
	      put_u32(nlh, size, PCF_A_ACT_TTL_DELTA, (__u32)a->ttl_delta)) &&
	     (!(a->flags & PCF_ACT_DF_CLEAR) ||
	      mnl_attr_put_check(nlh, size, PCF_A_ACT_DF_CLEAR, 0, NULL)) &&
	     (!(a->flags & PCF_ACT_SNAT) ||
	      put_nat(nlh, size, PCF_A_ACT_SNAT, &a->snat, r->snat_port_max)) &&
	     (!(a->flags & PCF_ACT_DNAT) ||
	      put_nat(nlh, size, PCF_A_ACT_DNAT, &a->dnat, 0)) &&
	     (!(a->flags & PCF_ACT_MARK) ||
	      put_u32(nlh, size, PCF_A_ACT_MARK, a->mark)) &&
	     (!(a->flags & PCF_ACT_MIRROR) ||
	      put_u32(nlh, size, PCF_A_ACT_MIRROR, a->mirror_ifindex)) &&
	     (a->egress == PCF_EGRESS_DEFAULT ||
	      put_u32(nlh, size, PCF_A_ACT_EGRESS, a->egress)) &&
	     (!(a->flags & PCF_ACT_QUEUE) ||
	      put_u32(nlh, size, PCF_A_ACT_QUEUE, a->queue)) &&
	     (!(a->flags & PCF_ACT_CT) ||
	      mnl_attr_put_check(nlh, size, PCF_A_ACT_CT, 0, NULL)) &&
	     (!(a->flags & PCF_ACT_MASQ) ||
	      mnl_attr_put_check(nlh, size, PCF_A_ACT_MASQUERADE, 0, NULL)) &&
	     put_egress_dev(nlh, size, r);
	if (!ok) {
		mnl_attr_nest_cancel(nlh, nest);
		return -EMSGSIZE;
	}
	mnl_attr_nest_end(nlh, nest);
	return 0;
}

int pcf_rule_put(struct nlmsghdr *nlh, size_t size, const struct pcf_rule *r)
{
	__u32 start = nlh->nlmsg_len;
	int err;

	if ((r->id && !put_u32(nlh, size, PCF_A_FLOW_ID, r->id)) ||
	    !put_u32(nlh, size, PCF_A_FLOW_PRIO, r->prio))
		goto full;
	err = pcf_rule_put_match(nlh, size, r);
	if (err)
		goto full;
	err = put_action(nlh, size, r);
	if (err)
		goto full;
	return 0;
full:
	nlh->nlmsg_len = start;
	return -EMSGSIZE;
}

int pcf_counters_put(struct nlmsghdr *nlh, size_t size,
		     const struct pcf_counter *c)
{
	if (!mnl_attr_put_u64_check(nlh, size, PCF_A_FLOW_PACKETS,
				    c->packets) ||
	    !mnl_attr_put_u64_check(nlh, size, PCF_A_FLOW_BYTES, c->bytes))
		return -EMSGSIZE;
	return 0;
}

/* ---- decoding (the attributes were validated by pcf_attr_parse) ---- */

int pcf_ext_refuse(struct pcf_extack *ext, const struct nlattr *attr,
		   const char *msg)
{
	ext->msg = msg;
	ext->bad_attr = attr;
	return -EINVAL;
}

void pcf_genl_prefix_mask(__u8 *mask, unsigned int len, unsigned int plen)
{
	unsigned int i;

	for (i = 0; i<len; i++, plen = plen> 8 ? plen - 8 : 0)
		mask[i] = plen >= 8 ? 0xff : (__u8)(0xff00 >> plen);
}

static int get_addr(const struct nlattr *addr, const struct nlattr *plen,
		    __u8 *key_addr, __u8 *mask_addr, __u8 *family,
		    struct pcf_extack *ext)
{
	unsigned int len = mnl_attr_get_payload_len(addr), bits = len * 8;
	__u8 fam = len == 16 ? 6 : 4;

	if (*family && *family != fam)
		return pcf_ext_refuse(
		    ext, addr,
		    "src and dst must be of the same address family");
	*family = fam;
	if (plen) {
		bits = mnl_attr_get_u32(plen);
		if (bits > len * 8)
			return pcf_ext_refuse(
			    ext, plen,
			    fam == 4 ? "an IPv4 prefix length is at most 32"
				     : "an IPv6 prefix length is at most 128");
	}
	memcpy(key_addr, mnl_attr_get_payload(addr), len);
	pcf_genl_prefix_mask(mask_addr, len, bits);
	return 0;
}

/* VXLAN (issue 13): encap and vni */
static int get_tun(const struct nlattr *const *tb, struct pcf_key *k,
		   struct pcf_key *m, struct pcf_extack *ext)
{
	if (tb[PCF_A_MATCH_VNI] && !tb[PCF_A_MATCH_ENCAP])
		return pcf_ext_refuse(ext, tb[PCF_A_MATCH_VNI],
				      "vni needs encap vxlan");
	m->tun = PCF_TUN_KIND_MASK;
	if (tb[PCF_A_MATCH_ENCAP])
		k->tun = PCF_TUN(mnl_attr_get_u32(tb[PCF_A_MATCH_ENCAP]), 0);
	if (tb[PCF_A_MATCH_VNI]) {
		k->tun |= mnl_attr_get_u32(tb[PCF_A_MATCH_VNI]);
		m->tun |= PCF_TUN_VNI_MASK;
	}
	return 0;
}

static int get_match(const struct nlattr *nest, struct pcf_rule *r,
		     struct pcf_extack *ext)
{
	const struct nlattr *tb[PCF_A_MATCH_MAX + 1];
	struct pcf_key *k = &r->key, *m = &r->mask;
	int err;

	err = pcf_attr_parse_nested(nest, &pcf_match_set, tb, ext);
	if (err)
		return err;
	if ((tb[PCF_A_MATCH_SRC_PLEN] && !tb[PCF_A_MATCH_SRC]) ||
	    (tb[PCF_A_MATCH_DST_PLEN] && !tb[PCF_A_MATCH_DST]))
		return pcf_ext_refuse(ext, nest,
				      "a prefix length needs its address");
	if (tb[PCF_A_MATCH_SRC]) {
		err = get_addr(tb[PCF_A_MATCH_SRC], tb[PCF_A_MATCH_SRC_PLEN],
			       k->src, m->src, &k->family, ext);
		if (err)
			return err;
	}
	if (tb[PCF_A_MATCH_DST]) {
		err = get_addr(tb[PCF_A_MATCH_DST], tb[PCF_A_MATCH_DST_PLEN],
			       k->dst, m->dst, &k->family, ext);
		if (err)
			return err;
	}
	if (k->family)
		m->family = 0xff;
	if (tb[PCF_A_MATCH_SPORT]) {
		k->sport = htons(mnl_attr_get_u32(tb[PCF_A_MATCH_SPORT]));
		m->sport = 0xffff;
	}
	if (tb[PCF_A_MATCH_DPORT]) {
		k->dport = htons(mnl_attr_get_u32(tb[PCF_A_MATCH_DPORT]));
		m->dport = 0xffff;
	}
	if (tb[PCF_A_MATCH_PROTO]) {
		k->proto = mnl_attr_get_u32(tb[PCF_A_MATCH_PROTO]);
		m->proto = 0xff;
	}
	if (tb[PCF_A_MATCH_IFINDEX]) {
		k->ifindex = mnl_attr_get_u32(tb[PCF_A_MATCH_IFINDEX]);
		m->ifindex = 0xffffffff;
	}
	err = get_tun(tb, k, m, ext);
	if (!err)
		err = get_set(tb[PCF_A_MATCH_SRC_SET], "src", &k->src_set,
			      &m->src_set, ext);
	if (!err)
		err = get_set(tb[PCF_A_MATCH_DST_SET], "dst", &k->dst_set,
			      &m->dst_set, ext);
	return err;
}

static int get_nat(const struct nlattr *nest, struct pcf_nat *nat,
		   __be16 *port_max, struct pcf_extack *ext)
{
	const struct nlattr *tb[PCF_A_NAT_MAX + 1];
	unsigned int len;
	int err;

	err = pcf_attr_parse_nested(nest, &pcf_nat_set, tb, ext);
	if (err)
		return err;
	if (!tb[PCF_A_NAT_ADDR])
		return pcf_ext_refuse(ext, nest, "NAT needs an address");
	len = mnl_attr_get_payload_len(tb[PCF_A_NAT_ADDR]);
	memcpy(nat->addr, mnl_attr_get_payload(tb[PCF_A_NAT_ADDR]), len);
	nat->family = len == 16 ? 6 : 4;
	if (tb[PCF_A_NAT_PORT])
		nat->port = htons(mnl_attr_get_u32(tb[PCF_A_NAT_PORT]));
	if (tb[PCF_A_NAT_PORT_MAX]) {
		if (!port_max)
			return pcf_ext_refuse(ext, tb[PCF_A_NAT_PORT_MAX],
					      "only snat takes a port range");
		*port_max = htons(mnl_attr_get_u32(tb[PCF_A_NAT_PORT_MAX]));
	}
	return 0;
}

/* VXLAN and explicit egress (issue 13): decap, egress dev [via] */
static int get_egress_dev(const struct nlattr *const *tb, struct pcf_rule *r,
			  struct pcf_extack *ext)
{
	const struct nlattr *via = tb[PCF_A_ACT_EGRESS_VIA];

	if (tb[PCF_A_ACT_DECAP])
		r->action.flags |= PCF_ACT_DECAP;
	if (via && !tb[PCF_A_ACT_EGRESS_DEV])
		return pcf_ext_refuse(ext, via, "via needs egress dev IFNAME");
	if (tb[PCF_A_ACT_EGRESS_DEV])
		r->egress_ifindex = mnl_attr_get_u32(tb[PCF_A_ACT_EGRESS_DEV]);
	if (via) {
		r->egress_via_family =
		    mnl_attr_get_payload_len(via) == 16 ? 6 : 4;
		memcpy(r->egress_via, mnl_attr_get_payload(via),
		       mnl_attr_get_payload_len(via));
	}
	return 0;
}

static int get_action(const struct nlattr *nest, struct pcf_rule *r,
		      struct pcf_extack *ext)
{
	const struct nlattr *tb[PCF_A_ACT_MAX + 1];
	struct pcf_action *a = &r->action;
	int err;

	err = pcf_attr_parse_nested(nest, &pcf_action_set, tb, ext);
	if (err)
		return err;
	if (!tb[PCF_A_ACT_VERDICT])
		return pcf_ext_refuse(ext, nest, "an action needs its verdict");
	a->verdict = mnl_attr_get_u32(tb[PCF_A_ACT_VERDICT]);
	if (tb[PCF_A_ACT_TTL_DELTA]) {
		a->ttl_delta = (__s8)mnl_attr_get_u32(tb[PCF_A_ACT_TTL_DELTA]);
		a->flags |= PCF_ACT_TTL;
	}
	if (tb[PCF_A_ACT_DF_CLEAR])
		a->flags |= PCF_ACT_DF_CLEAR;
	if (tb[PCF_A_ACT_SNAT]) {
		err = get_nat(tb[PCF_A_ACT_SNAT], &a->snat, &r->snat_port_max,
			      ext);
		if (err)
			return err;
		a->flags |= PCF_ACT_SNAT;
	}
	if (tb[PCF_A_ACT_DNAT]) {
		err = get_nat(tb[PCF_A_ACT_DNAT], &a->dnat, NULL, ext);
		if (err)
			return err;
		a->flags |= PCF_ACT_DNAT;
	}
	if (tb[PCF_A_ACT_MARK]) {
		a->mark = mnl_attr_get_u32(tb[PCF_A_ACT_MARK]);
		a->flags |= PCF_ACT_MARK;
	}
	if (tb[PCF_A_ACT_MIRROR]) {
		a->mirror_ifindex = mnl_attr_get_u32(tb[PCF_A_ACT_MIRROR]);
		a->flags |= PCF_ACT_MIRROR;
	}
	if (tb[PCF_A_ACT_EGRESS])
		a->egress = mnl_attr_get_u32(tb[PCF_A_ACT_EGRESS]);
	if (tb[PCF_A_ACT_QUEUE]) {
		a->queue = mnl_attr_get_u32(tb[PCF_A_ACT_QUEUE]);
		a->flags |= PCF_ACT_QUEUE;
	}
	if (tb[PCF_A_ACT_CT])
		a->flags |= PCF_ACT_CT;
	if (tb[PCF_A_ACT_MASQUERADE])
		a->flags |= PCF_ACT_MASQ;
	return get_egress_dev(tb, r, ext);
}

int pcf_rule_from_attrs(const struct nlattr *const *tb, struct pcf_rule *ret,
			struct pcf_extack *ext)
{
	/* VXLAN (issue 13): a rule's match, as the table keeps it, says
	 * whether it is about outer or inner headers */
	struct pcf_rule r = { .prio = PCF_PRIO_DEFAULT,
			      .mask.tun = PCF_TUN_KIND_MASK };
	int err;

	if (tb[PCF_A_FLOW_ID])
		r.id = mnl_attr_get_u32(tb[PCF_A_FLOW_ID]);
	if (tb[PCF_A_FLOW_PRIO])
		r.prio = mnl_attr_get_u32(tb[PCF_A_FLOW_PRIO]);
	if (tb[PCF_A_FLOW_MATCH]) {
		err = get_match(tb[PCF_A_FLOW_MATCH], &r, ext);
		if (err)
			return err;
	}
	if (tb[PCF_A_FLOW_ACTION]) {
		err = get_action(tb[PCF_A_FLOW_ACTION], &r, ext);
		if (err)
			return err;
	}
	*ret = r;
	return 0;
}
