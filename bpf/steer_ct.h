// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * steer_ct.h - sessions (pcf_abi.h, "Sessions"): a packet's session
 * looked up before the rules, a pass session's packets passed, a NAT
 * session's steered to its worker, and the first packet of a ct NAT
 * rule's connection given a session and its port.  Part of
 * pcf_steer.bpf.c.
 */
#ifndef PCF_STEER_CT_H
#define PCF_STEER_CT_H

#include <linux/errno.h>

#include "steer_act.h"

/*
 * Sessions (pcf_abi.h): pcfd sizes pcf_ct and pcf_ct_filter (--sessions)
 * and sets ct_filter_mask to match before it loads the program.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, PCF_CT_ENTRIES(PCF_CT_SESSIONS_DEFAULT));
	__type(key, struct pcf_ct_key);
	__type(value, struct pcf_ct_entry);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} pcf_ct SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, PCF_CT_ENTRIES(PCF_CT_SESSIONS_DEFAULT));
	__type(key, __u32);
	__type(value, __u64);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} pcf_ct_filter SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, PCF_CT_X_MAX);
	__type(key, __u32);
	__type(value, struct pcf_counter);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} pcf_ct_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} pcf_ct_live SEC(".maps");

/* ct NAT rules' ports and masquerade addresses (pcf_abi.h, "New sessions
 * of ct NAT rules") */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, PCF_CT_PORT_WORDS);
	__type(key, __u32);
	__type(value, __u64);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} pcf_ct_ports SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, PCF_CT_POOLS_MAX);
	__type(key, struct pcf_ct_pool_key);
	__type(value, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} pcf_ct_pools SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, PCF_CT_IFADDRS_MAX);
	__type(key, __u32); /* ifindex */
	__type(value, struct pcf_ct_ifaddr_v);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} pcf_ct_ifaddrs SEC(".maps");

/* Where pcf_ct_make builds a session (off the stack, which the program
 * and its functions share: 512 bytes). */
struct ct_scratch {
	struct pcf_ct_entry e;
	struct pcf_ct_key k, rk;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct ct_scratch);
} pcf_ct_scratch SEC(".maps");

/* pcf_ct_filter's buckets less one (a power of two less one) */
const volatile __u32 ct_filter_mask =
    PCF_CT_ENTRIES(PCF_CT_SESSIONS_DEFAULT) - 1;

/* an L4 header starts before this (parse.h: 22 + 40 + 1024 at most) */
#define L4_OFF_MAX 1100
#define CT_TCP_FLAGS \
	(PCF_CT_TCP_FIN | PCF_CT_TCP_SYN | PCF_CT_TCP_RST | PCF_CT_TCP_ACK)

static __always_inline void count_ct(__u32 stat, __u64 bytes)
{
	struct pcf_counter *c = bpf_map_lookup_elem(&pcf_ct_stats, &stat);

	if (c) {
		c->packets++;
		c->bytes += bytes;
	}
}

/*
 * The ports of the ICMP echo at l4: its identifier is a request's sport
 * and a reply's dport; -1 for any other message.
 */
static __always_inline int echo_ports(__u8 proto, const __u8 *l4, void *end,
				      struct pcf_ct_key *k)
{
	__be16 id;

	if ((void *)(l4 + 8) > end)
		return -1;
	id = *(const __be16 *)(l4 + 4);
	switch (pcf_ct_icmp_kind(proto, l4[0])) {
	case PCF_CT_ICMP_REQUEST:
		k->sport = id;
		k->dport = 0;
		return 0;
	case PCF_CT_ICMP_REPLY:
		k->sport = 0;
		k->dport = id;
		return 0;
	default:
		return -1;
	}
}

/*
 * The key of the entry the ICMP error at l4 is about: the tuple of the
 * packet it quotes, reversed (that packet went the other way).  A quoted
 * IPv6 header must be followed by its L4 header.
 */
static __always_inline int quoted_key(__u8 family, __u8 *l4, void *end,
				      struct pcf_ct_key *k)
{
	struct pcf_ct_key q = {};
	__u8 *in = l4 + 8, *il4;

	if (family == 4) {
		struct iphdr *ip = (void *)in;

		if ((void *)(ip + 1) > end || ip->version != 4 || ip->ihl < 5 ||
		    (ip->frag_off & bpf_htons(IP_OFFSET)))
			return -1;
		__builtin_memcpy(q.src, &ip->saddr, 4);
		__builtin_memcpy(q.dst, &ip->daddr, 4);
		q.proto = ip->protocol;
		il4 = in + ip->ihl * 4;
	} else {
		struct ipv6hdr *ip6 = (void *)in;

		if ((void *)(ip6 + 1) > end || ip6->version != 6)
			return -1;
		__builtin_memcpy(q.src, &ip6->saddr, 16);
		__builtin_memcpy(q.dst, &ip6->daddr, 16);
		q.proto = ip6->nexthdr;
		il4 = in + sizeof(*ip6);
	}
	q.family = family;
	if ((void *)(il4 + 8) > end)
		return -1;
	if (q.proto == IPPROTO_TCP || q.proto == IPPROTO_UDP) {
		q.sport = *(const __be16 *)il4;
		q.dport = *(const __be16 *)(il4 + 2);
	} else if (q.proto == (family == 4 ? IPPROTO_ICMP : IPPROTO_ICMPV6) &&
		   echo_ports(q.proto, il4, end, &q)) {
		return -1;
	}
	pcf_ct_reverse(k, &q);
	return 0;
}

/*
 * The key of an ICMP or ICMPv6 packet's entry in k, with *ret_error set
 * when the packet is an error about that session; -1: no session can
 * have it (another message, or cut short).
 */
static __always_inline int icmp_key(struct xdp_md *ctx,
				    const struct pcf_pkt *pkt,
				    struct pcf_ct_key *k, __u32 *ret_error)
{
	void *end = (void *)(long)ctx->data_end;
	__u32 off = pkt->l4_off;
	__u8 *l4;

	if (!off || off > L4_OFF_MAX)
		return -1;
	l4 = (void *)(long)ctx->data + off;
	if ((void *)(l4 + 8) > end)
		return -1;
	if (pcf_ct_icmp_kind(pkt->key.proto, l4[0]) == PCF_CT_ICMP_ERROR) {
		*ret_error = PCF_CT_M_ICMP_ERROR;
		return quoted_key(pkt->key.family, l4, end, k);
	}
	__builtin_memcpy(k, &pkt->key.src, sizeof(*k));
	return echo_ports(pkt->key.proto, l4, end, k);
}

/* The TCP flags (PCF_CT_TCP_*) of pkt; 0 for another protocol. */
static __always_inline __u32 tcp_flags(struct xdp_md *ctx,
				       const struct pcf_pkt *pkt)
{
	void *end = (void *)(long)ctx->data_end;
	__u32 off = pkt->l4_off;
	__u8 *th;

	if (pkt->key.proto != IPPROTO_TCP || !off || off > L4_OFF_MAX)
		return 0;
	th = (void *)(long)ctx->data + off;
	if ((void *)(th + 14) > end)
		return 0;
	return th[13] & CT_TCP_FLAGS;
}

/* A packet of e's direction: the session lives on, counted. */
static __always_inline void ct_seen(struct xdp_md *ctx,
				    const struct pcf_pkt *pkt,
				    struct pcf_ct_entry *e, __u64 bytes)
{
	__u64 now = bpf_ktime_get_coarse_ns();
	__u64 fl = tcp_flags(ctx, pkt);

	/* the coarse clock moves every tick: few writes of the line */
	if (e->last_seen != now)
		e->last_seen = now;
	/*
	 * Each direction has its entry, and a direction's packets come on
	 * one queue (RSS hashes the tuple): plain adds, no locked
	 * instruction per packet (a direction spread over CPUs would lose
	 * counts, never the session).  A flag a direction has not shown yet
	 * (rare: a state change) goes in atomically.
	 */
	e->packets++;
	e->bytes += bytes;
	if ((e->tcp & fl) != fl)
		__sync_fetch_and_or(&e->tcp, fl);
}

/* The rule that made e's session, if it is still there. */
static __always_inline struct pcf_rule *ct_rule(const struct pcf_ct_entry *e)
{
	__u32 slot = e->rule_slot;
	struct pcf_rule *rule = bpf_map_lookup_elem(&pcf_rules, &slot);

	return rule && READ_ONCE(rule->id) == e->rule_id ? rule : NULL;
}

/*
 * A packet of a pass session (pass ct) passes whatever the rules say;
 * the original direction's also gets its rule's TTL/DF rewrites and is
 * counted as the rule's while the rule is there.
 */
static __always_inline int ct_pass(struct xdp_md *ctx,
				   const struct pcf_pkt *pkt,
				   const struct pcf_ct_entry *e, __u32 error,
				   __u64 bytes)
{
	struct pcf_rule *rule;
	__u32 delta = 0;

	count_ct(error ? PCF_CT_X_ICMP_ERROR : PCF_CT_X_PASS, bytes);
	if (!error && !(e->flags & PCF_CT_REPLY) && (rule = ct_rule(e))) {
		count_rule(rule->ctr, bytes);
		if (!rewrite_l3(ctx, pkt, &rule->action, &delta)) {
			count(PCF_STAT_REASON(PCF_REASON_TTL_EXPIRED), bytes);
			return finish(PCF_VERDICT_DROP, bytes);
		}
	}
	return finish(PCF_VERDICT_PASS, bytes);
}

/*
 * A packet of a NAT session goes to the worker of its queue with the
 * entry's translation in front of its pcf_meta, and the next hop of the
 * translated destination.  No worker can take it: dropped (counted), not
 * passed untranslated, which would leak the inside address or make the
 * peer reset the connection; TCP sends it again once a worker is back.
 */
static __always_inline int ct_redirect(struct xdp_md *ctx,
				       const struct pcf_pkt *pkt,
				       const struct pcf_ct_entry *e,
				       __u32 error, __u64 bytes,
				       int rule_counted)
{
	struct bpf_fib_lookup fib = {};
	__u8 fib_rc = PCF_FIB_NONE, egress = PCF_EGRESS_DEFAULT;
	struct pcf_ct_meta *cm;
	struct pcf_meta *meta;
	struct pcf_rule *rule;
	void *data;
	__u32 key;

	rule = ct_rule(e);
	if (rule) {
		egress = rule->action.egress;
		if (!error && !(e->flags & PCF_CT_REPLY) && !rule_counted)
			count_rule(rule->ctr, bytes);
	}
	if (xsk_slot(ctx, &key))
		goto no_worker;
	if (egress != PCF_EGRESS_KERNEL)
		fib_rc = fib_lookup(ctx, pkt, e->xlat.src, e->xlat.dst, &fib);
	if (bpf_xdp_adjust_meta(ctx, -(int)(sizeof(*cm) + sizeof(*meta)))) {
		count(PCF_STAT_REASON(PCF_REASON_META_FAILED), 0);
		goto no_worker;
	}
	cm = (void *)(long)ctx->data_meta;
	meta = (void *)(cm + 1);
	data = (void *)(long)ctx->data;
	if ((void *)(meta + 1) > data)
		goto no_worker;
	fill_meta(meta, pkt, e->rule_slot, e->rule_id, fib_rc, &fib);
	meta->magic = PCF_META_MAGIC_CT;
	__builtin_memcpy(&cm->xlat, &e->xlat, sizeof(cm->xlat));
	cm->flags = e->flags | error;
	cm->magic = PCF_CT_META_MAGIC;
	if (bpf_redirect_map(&pcf_xskmap, key, XDP_DROP) != XDP_REDIRECT)
		goto no_worker;
	count_ct(error ? PCF_CT_X_ICMP_ERROR : PCF_CT_X_REDIRECT, bytes);
	return finish(PCF_VERDICT_REDIRECT, bytes);
no_worker:
	count_ct(PCF_CT_X_NO_WORKER, bytes);
	return finish(PCF_VERDICT_DROP, bytes);
}

/*
 * The session of pkt, looked up before the rules: a pass session's
 * packets pass, a NAT session's go to a worker.  -1: pkt has no session
 * (classify it).  A TCP or UDP packet's key is where parse.h put its rule
 * key; the filter proves most misses with a hash and one array read (for
 * TCP and UDP, ct_maybe has, before the call).  first: pkt is the packet
 * that made the session (its rule counted it).
 *
 * The session functions are global: the verifier checks each once, not
 * once for every way of reaching its call (static ones doubled the
 * program's verification).
 */
__noinline int pcf_ct_steer(struct xdp_md *ctx, const struct pcf_pkt *pkt,
			    __u64 bytes, int first)
{
	struct pcf_ct_entry *e;
	struct pcf_ct_key k;
	__u32 idx, error = 0;
	const void *key;
	__u64 *n;

	if (!pkt || pkt->fragment)
		return -1;
	key = &pkt->key.src;
	/* (a TCP or UDP packet's bucket was found counted: ct_maybe) */
	if (pkt->key.proto == IPPROTO_ICMP ||
	    pkt->key.proto == IPPROTO_ICMPV6) {
		if (icmp_key(ctx, pkt, &k, &error))
			return -1;
		key = &k;
		idx = pcf_ct_hash(key) & ct_filter_mask;
		n = bpf_map_lookup_elem(&pcf_ct_filter, &idx);
		if (!n || !*n)
			return -1;
	}
	e = bpf_map_lookup_elem(&pcf_ct, key);
	if (!e)
		return -1;
	if (!error)
		ct_seen(ctx, pkt, e, bytes);
	if (!(e->flags & PCF_CT_NAT))
		return ct_pass(ctx, pkt, e, error, bytes);
	return ct_redirect(ctx, pkt, e, error, bytes, first);
}

/* Count key in the filter (delta 1) or uncount it (-1); -1: no bucket. */
static __always_inline int filter_add(const struct pcf_ct_key *key, int delta)
{
	__u32 idx = pcf_ct_hash(key) & ct_filter_mask, zero = 0;
	__u64 *n = bpf_map_lookup_elem(&pcf_ct_filter, &idx),
	      *live = bpf_map_lookup_elem(&pcf_ct_live, &zero);

	if (!n || !live)
		return -1;
	__sync_fetch_and_add(live, delta);
	__sync_fetch_and_add(n, delta);
	return 0;
}

/*
 * pass ct: record the connection of pkt (a pass rule with ct matched it;
 * no NAT), so that its replies pass whatever the rules say.  The reply
 * entry goes in first: of two packets of one connection racing on two
 * CPUs, the one that finds it taken leaves the session to the other.
 * Each key is counted in the filter before it goes in, and uncounted
 * after it went out.
 */
__noinline int pcf_ct_record(struct xdp_md *ctx, const struct pcf_pkt *pkt,
			     __u32 slot, __u32 rule_id, __u64 bytes)
{
	struct pcf_ct_entry e = {};
	struct pcf_ct_key k, r;
	__u32 error = 0;
	int err;

	if (!pkt || pkt->fragment)
		return 0;
	if (pkt->key.proto == IPPROTO_ICMP ||
	    pkt->key.proto == IPPROTO_ICMPV6) {
		if (icmp_key(ctx, pkt, &k, &error) || error)
			return 0;
	} else {
		__builtin_memcpy(&k, &pkt->key.src, sizeof(k));
	}
	pcf_ct_reverse(&r, &k);
	e.created = bpf_ktime_get_coarse_ns();
	e.last_seen = e.created;
	e.rule_id = rule_id;
	e.rule_slot = slot;
	e.xlat = r; /* no NAT: packets leave as they come */
	e.flags = PCF_CT_REPLY;
	if (filter_add(&r, 1))
		return 0;
	err = bpf_map_update_elem(&pcf_ct, &r, &e, BPF_NOEXIST);
	if (err)
		goto undo_reply;
	e.xlat = k;
	e.flags = 0;
	e.packets = 1;
	e.bytes = bytes;
	e.tcp = tcp_flags(ctx, pkt);
	if (filter_add(&k, 1))
		goto undo_reply_entry;
	err = bpf_map_update_elem(&pcf_ct, &k, &e, BPF_NOEXIST);
	if (err) {
		filter_add(&k, -1);
		goto undo_reply_entry;
	}
	count_ct(PCF_CT_X_CREATED, bytes);
	return 0;
undo_reply_entry:
	bpf_map_delete_elem(&pcf_ct, &r);
undo_reply:
	filter_add(&r, -1);
	count_ct(err == -EEXIST ? PCF_CT_X_EXISTS : PCF_CT_X_FULL, bytes);
	return 0;
}

/*
 * Might pkt have a session?  Not while the table is empty (one array
 * read), nor, for TCP and UDP, while the filter's bucket of its key is
 * empty (a hash and one more): the price of sessions for a packet of
 * none, here in line rather than a call away.
 */
static __always_inline int ct_maybe(const struct pcf_pkt *pkt)
{
	__u32 zero = 0, idx;
	__u64 *n = bpf_map_lookup_elem(&pcf_ct_live, &zero);

	if (!n || !*n || pkt->fragment)
		return 0;
	if (pkt->key.proto == IPPROTO_ICMP || pkt->key.proto == IPPROTO_ICMPV6)
		return 1; /* its key is found in the message */
	idx = pcf_ct_hash(&pkt->key.src) & ct_filter_mask;
	n = bpf_map_lookup_elem(&pcf_ct_filter, &idx);
	return n && *n;
}

/* A ct rule that rewrites: its packets need a worker, never the kernel. */
static __always_inline int ct_nat(const struct pcf_action *act)
{
	return (act->flags & PCF_ACT_CT) &&
	       (act->flags & (PCF_ACT_SNAT | PCF_ACT_DNAT | PCF_ACT_MASQ));
}

/* ---- new sessions of ct NAT rules (pcf_abi.h) ---- */

/* ports tried in the bitmap before the worker (which searches it all) */
#define CT_PORT_TRIES 8

/*
 * *p |= v, returning what *p was: "r2 = atomic_fetch_or((u64 *)(r1 + 0),
 * r2)" written out, as this clang emits BPF_FETCH atomics only with
 * -mcpu=v3 (which would change the code of the whole program) and its
 * assembler does not know the mnemonic.  Kernels have taken it since 5.12.
 */
static __always_inline __u64 fetch_or(__u64 *p, __u64 v)
{
	register __u64 *rp asm("r1") = p;
	register __u64 rv asm("r2") = v;

	/* BPF_STX | BPF_DW | BPF_ATOMIC, dst r1, src r2, BPF_OR | BPF_FETCH */
	asm volatile(".quad 0x00000041000021db"
		     : "+r"(rv)
		     : "r"(rp)
		     : "memory");
	return rv;
}

/* The bitmap word of port in pool. */
static __always_inline __u64 *port_word(__u32 pool, __u32 port)
{
	__u32 idx = pool * PCF_CT_POOL_WORDS + port / 64;

	return bpf_map_lookup_elem(&pcf_ct_ports, &idx);
}

/* Take port of pool if it is free: one fetch-or decides between takers. */
static __always_inline int port_take(__u32 pool, __u32 port)
{
	__u64 bit = 1ULL << (port % 64), *w = port_word(pool, port);

	return w && !(*w & bit) && !(fetch_or(w, bit) & bit);
}

static __always_inline void port_give(__u32 pool, __u32 port)
{
	__u64 *w = port_word(pool, port);

	if (w)
		__sync_fetch_and_and(w, ~(1ULL << (port % 64)));
}

/*
 * A port of lo..hi of pool for the connection whose source port is
 * prefer: that one if it is free (as Linux's NAT does), else one of a few
 * tried at random.  0: none found here.
 */
static __always_inline __u32 port_pick(__u32 pool, __u32 lo, __u32 hi,
				       __u32 prefer)
{
	__u32 span = hi - lo + 1, start, port, i;

	if (prefer >= lo && prefer <= hi && port_take(pool, prefer))
		return prefer;
	start = bpf_get_prandom_u32();
	for (i = 0; i < CT_PORT_TRIES; i++) {
		port = lo + (start + i * 40503) % span;
		if (port && port_take(pool, port))
			return port;
	}
	return 0;
}

/*
 * masquerade: the source of x (the original tuple, DNAT done) becomes the
 * address of the interface x leaves by.  -1: none known.
 */
__noinline int pcf_ct_masq(struct xdp_md *ctx, const struct pcf_pkt *pkt,
			   struct pcf_ct_key *x)
{
	struct bpf_fib_lookup fib = {};
	struct pcf_ct_ifaddr_v *ifa;
	__u32 ifindex;

	if (!pkt || !x)
		return -1;
	switch (fib_lookup(ctx, pkt, x->src, x->dst, &fib)) {
	case PCF_FIB_OK:
	case PCF_FIB_NO_NEIGH:
	case PCF_FIB_FRAG_NEEDED:
		break;
	default:
		return -1;
	}
	ifindex = fib.ifindex;
	ifa = bpf_map_lookup_elem(&pcf_ct_ifaddrs, &ifindex);
	if (!ifa || !(x->family == 4 ? ifa->has4 : ifa->has6))
		return -1;
	__builtin_memset(x->src, 0, 16);
	if (x->family == 4)
		__builtin_memcpy(x->src, ifa->addr4, 4);
	else
		__builtin_memcpy(x->src, ifa->addr6, 16);
	return 0;
}

/* A new session's port: where from. */
struct ct_ports {
	__u32 pool, lo, hi;
};

/*
 * The translated tuple of connection x (its original tuple in, as a ct
 * NAT rule rewrites it out) and its PCF_CT_* flags; the pool and the
 * port range when a source port is to be given.  -1: the worker must see
 * to it.
 */
static __always_inline int ct_plan(struct xdp_md *ctx,
				   const struct pcf_pkt *pkt,
				   const struct pcf_rule *rule,
				   struct pcf_ct_key *x, __u32 *ret_flags,
				   struct ct_ports *ret)
{
	const struct pcf_action *act = &rule->action;
	__u32 flags = PCF_CT_NAT, *pool;
	__u8 icmp = x->family == 4 ? IPPROTO_ICMP : IPPROTO_ICMPV6;
	struct pcf_ct_pool_key pk = {};

	if (act->flags & PCF_ACT_DNAT) {
		if (act->dnat.family != x->family)
			return -1;
		__builtin_memcpy(x->dst, act->dnat.addr, 16);
		if (act->dnat.port &&
		    (x->proto == IPPROTO_TCP || x->proto == IPPROTO_UDP))
			x->dport = act->dnat.port;
		flags |= PCF_CT_DNAT;
	}
	if (act->flags & PCF_ACT_MASQ) {
		if (pcf_ct_masq(ctx, pkt, x))
			return -1;
		flags |= PCF_CT_SNAT;
	} else if (act->flags & PCF_ACT_SNAT) {
		if (act->snat.family != x->family)
			return -1;
		__builtin_memcpy(x->src, act->snat.addr, 16);
		flags |= PCF_CT_SNAT;
	}
	*ret_flags = flags;
	if (!(flags & PCF_CT_SNAT) ||
	    (x->proto != IPPROTO_TCP && x->proto != IPPROTO_UDP &&
	     x->proto != icmp))
		return 0; /* no port to give */
	*ret_flags = flags | PCF_CT_PORT;
	if (!(act->flags & PCF_ACT_MASQ) && act->snat.port) {
		ret->lo = bpf_ntohs(act->snat.port);
		ret->hi = rule->snat_port_max ? bpf_ntohs(rule->snat_port_max)
					      : ret->lo;
	} else {
		ret->lo = PCF_CT_PORT_MIN_DEFAULT;
		ret->hi = PCF_CT_PORT_MAX_DEFAULT;
	}
	if (ret->lo > ret->hi || !ret->lo)
		return -1;
	__builtin_memcpy(pk.addr, x->src, 16);
	pk.family = x->family;
	pk.proto = x->proto;
	pool = bpf_map_lookup_elem(&pcf_ct_pools, &pk);
	if (!pool || *pool >= PCF_CT_POOLS_MAX)
		return -1; /* pcfd makes the pool: through the worker */
	ret->pool = *pool;
	return 0;
}

/* How making a session came out. */
enum { CT_MADE, CT_RACE_LOST, CT_TO_WORKER, CT_FULL };

/* Put k's entry e in, counted in the filter: CT_MADE, CT_RACE_LOST (the
 * key was there), CT_FULL. */
static __always_inline int ct_put(const struct pcf_ct_key *k,
				  const struct pcf_ct_entry *e)
{
	int err;

	if (filter_add(k, 1))
		return CT_FULL;
	err = bpf_map_update_elem(&pcf_ct, k, e, BPF_NOEXIST);
	if (!err)
		return CT_MADE;
	filter_add(k, -1);
	return err == -EEXIST ? CT_RACE_LOST : CT_FULL;
}

static __always_inline void ct_unput(const struct pcf_ct_key *k)
{
	if (!bpf_map_delete_elem(&pcf_ct, k))
		filter_add(k, -1);
}

/* e as the reply entry of the session of k, or back as the original's */
static __always_inline void as_reply(struct pcf_ct_entry *e,
				     const struct pcf_ct_key *k, __u32 flags)
{
	/* replies leave as the original's packets came, reversed */
	pcf_ct_reverse(&e->xlat, k);
	e->flags = flags | PCF_CT_REPLY;
}

/*
 * The first packet of a connection a ct NAT rule (in slot) matched: make
 * its session here.  Its two entries go in as table/ct.c puts them: the
 * reply's first when a port was given (a taken reply tuple means "another
 * port": the worker's), else the original's first (of two CPUs racing,
 * the loser finds the winner's session at once).  0: the session is there
 * (pcf_ct_steer sends the packet on as the session's); -1: the worker
 * makes the session (see ct_plan; a taken reply tuple); else the verdict
 * (a full table: dropped).
 */
__noinline int pcf_ct_make(struct xdp_md *ctx, const struct pcf_pkt *pkt,
			   __u32 slot, __u64 bytes)
{
	__u32 flags = 0, port = 0, key, error = 0, zero = 0;
	struct ct_ports ports = {};
	struct ct_scratch *sc;
	struct pcf_rule *rule;
	int rc;

	if (!pkt || pkt->fragment || xsk_slot(ctx, &key))
		return -1;
	rule = bpf_map_lookup_elem(&pcf_rules, &slot);
	sc = bpf_map_lookup_elem(&pcf_ct_scratch, &zero);
	if (!rule || !sc)
		return -1;
	__builtin_memset(&sc->e, 0, sizeof(sc->e));
	if (pkt->key.proto == IPPROTO_ICMP ||
	    pkt->key.proto == IPPROTO_ICMPV6) {
		if (icmp_key(ctx, pkt, &sc->k, &error) || error)
			return -1;
	} else {
		__builtin_memcpy(&sc->k, &pkt->key.src, sizeof(sc->k));
	}
	sc->e.xlat = sc->k;
	if (ct_plan(ctx, pkt, rule, &sc->e.xlat, &flags, &ports))
		goto to_worker;
	if (flags & PCF_CT_PORT) {
		port = port_pick(ports.pool, ports.lo, ports.hi,
				 bpf_ntohs(sc->k.sport));
		if (!port)
			goto to_worker;
		sc->e.xlat.sport = bpf_htons(port);
	}
	pcf_ct_reverse(&sc->rk, &sc->e.xlat);
	sc->e.created = bpf_ktime_get_coarse_ns();
	sc->e.last_seen = sc->e.created;
	sc->e.rule_id = rule->id;
	sc->e.rule_slot = slot;
	/* the packets, bytes and TCP flags of the first one: pcf_ct_steer
	 * counts them */
	if (flags & PCF_CT_PORT) {
		as_reply(&sc->e, &sc->k, flags);
		rc = ct_put(&sc->rk, &sc->e);
		if (rc == CT_RACE_LOST)
			rc = CT_TO_WORKER; /* the reply tuple is another's */
		if (rc == CT_MADE) {
			pcf_ct_reverse(&sc->e.xlat, &sc->rk);
			sc->e.flags = flags;
			rc = ct_put(&sc->k, &sc->e);
			if (rc != CT_MADE)
				ct_unput(&sc->rk);
		}
		if (rc != CT_MADE)
			port_give(ports.pool, port);
	} else {
		sc->e.flags = flags;
		rc = ct_put(&sc->k, &sc->e);
		if (rc == CT_MADE) {
			as_reply(&sc->e, &sc->k, flags);
			rc = ct_put(&sc->rk, &sc->e);
			/* the translated tuple is another's */
			if (rc == CT_RACE_LOST)
				rc = CT_TO_WORKER;
			if (rc != CT_MADE)
				ct_unput(&sc->k);
		}
	}
	switch (rc) {
	case CT_MADE:
		count_ct(PCF_CT_X_CREATED, bytes);
		return 0;
	case CT_RACE_LOST:
		count_ct(PCF_CT_X_EXISTS, bytes);
		return 0;
	case CT_FULL:
		count_ct(PCF_CT_X_FULL, bytes);
		return finish(PCF_VERDICT_DROP, bytes);
	}
to_worker:
	count_ct(PCF_CT_X_TO_WORKER, bytes);
	return -1;
}

#endif /* PCF_STEER_CT_H */
