/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * pcf_abi.h - the one definition of everything the XDP programs and user
 * space share: flow keys and masks, actions, rules, verdict and reason
 * enums, counter layout and the metadata handed to AF_XDP.
 *
 * Included by the BPF programs (clang -target bpf) and by user space, so it
 * uses only <linux/types.h> types and no libc.
 */
#ifndef PCF_ABI_H
#define PCF_ABI_H

#include <linux/types.h>

#define PCF_MAX_RULES  16384 /* rules; a full table gives -ENOSPC */
/*
 * Slots of pcf_rules, twice the rules: a replaced or deleted rule keeps
 * its old slot, untouched, until no packet can still be reading it (see
 * table/table.h), so changes need spare slots even on a full table.
 */
#define PCF_RULE_SLOTS (2 * PCF_MAX_RULES)
#define PCF_MAX_MASKS  32 /* distinct masks in the tuple-space search */
#define PCF_MAX_IFACES 16 /* interfaces one pcfd steers */
#define PCF_MAX_QUEUES 64 /* rx queues per interface */
#define PCF_XSKMAP_SIZE (PCF_MAX_IFACES * PCF_MAX_QUEUES)

/* Priorities: like `ip rule pref` and tc, a lower number wins. */
#define PCF_PRIO_DEFAULT 32768
#define PCF_PRIO_MAX	 65535

enum pcf_verdict {
	PCF_VERDICT_PASS = 0,
	PCF_VERDICT_DROP,
	PCF_VERDICT_REDIRECT,
	PCF_VERDICT_MAX,
};

/*
 * Why a packet got the verdict it got, besides a plain rule hit.  Every
 * reason has its own counter.
 */
enum pcf_reason {
	PCF_REASON_NONE = 0,
	PCF_REASON_MISS, /* no rule matched: default verdict */
	PCF_REASON_MALFORMED, /* truncated or invalid headers */
	PCF_REASON_NOT_IP, /* neither IPv4 nor IPv6 */
	PCF_REASON_FRAGMENT, /* non-first fragment, matched with ports 0 */
	PCF_REASON_REDIRECT_FALLBACK, /* no AF_XDP socket on the queue: PASS */
	PCF_REASON_TTL_EXPIRED, /* ttl-delta took TTL/hop limit to 0 */
	PCF_REASON_META_FAILED, /* no headroom for metadata: PASS */
	/* longer than a worker's frame takes (pcf_config.max_packet): PASS */
	PCF_REASON_TOO_BIG,
	/* the queue's worker did not beat within pcf_config.worker_timeout_ns
	 * (pcfd stopped or stuck): PASS */
	PCF_REASON_WORKER_STALLED,
	/* VXLAN (issue 13): a frame to a VXLAN port, while encap rules
	 * exist, whose VXLAN header or inner packet is cut or invalid:
	 * default verdict */
	PCF_REASON_ENCAP_MALFORMED,
	/* egress dev: the next hop's neighbour entry is not known (yet):
	 * PASS, and pcfd has the kernel resolve it */
	PCF_REASON_NO_NEIGH,
	PCF_REASON_MAX,
};

/* Counter slots of the per-CPU pcf_stats array. */
#define PCF_STAT_VERDICT(v) (v)
#define PCF_STAT_REASON(r)  (PCF_VERDICT_MAX + (r))
#define PCF_STAT_MAX	    (PCF_VERDICT_MAX + PCF_REASON_MAX)

struct pcf_counter {
	__u64 packets;
	__u64 bytes;
};

/*
 * XDP's counters of the rules, pcf_rule_stats: a plain array (mmapped by
 * pcfd, as the workers' pcf_wrule_stats) of one row of PCF_RULE_SLOTS
 * counters per possible CPU.  A per-CPU array's lookup reads a pointer
 * before the counter: with many rules, a second random access a packet.
 */
#define PCF_RULE_STAT(cpu, ctr) ((cpu) * PCF_RULE_SLOTS + (ctr))

/*
 * A flow key, and with the same layout its mask.  IPv4 addresses sit in the
 * first four bytes of src/dst, the rest zero.  For ICMP and ICMPv6 the
 * type stands in for sport and the code for dport (as Open vSwitch does).
 * All multi-byte fields are in network byte order.
 */
struct pcf_key {
	__u32 ifindex;
	/*
	 * VXLAN (issue 13): PCF_TUN(kind, vni), host order.  0 for a
	 * packet's own (outer) headers; PCF_TUN(PCF_TUN_VXLAN, VNI) for the
	 * inner packet of a VXLAN frame.  Every rule's mask has the kind
	 * byte (the table sets it), so a rule matches either outer or inner
	 * headers, never both; an encap rule with a vni masks the VNI too.
	 */
	__u32 tun;
	__u8 src[16];
	__u8 dst[16];
	__be16 sport;
	__be16 dport;
	__u8 proto;
	__u8 family; /* 4 or 6; 0 in a mask means any */
	/*
	 * Named sets (see "Named sets" below): in a mask, 1 + the set the
	 * address must be in, 0 for none; in a rule's key the same; in a
	 * packet's key under a mask, the mask's value if the address is in
	 * that set, else 0 (so key & mask works as for the other fields).
	 */
	__u8 src_set;
	__u8 dst_set;
};

/* The hash key of the tuple-space search: a masked key under one mask. */
struct pcf_lookup_key {
	struct pcf_key key;
	__u32 mask_id;
};

/*
 * The hash key of the search for IPv4 packets (map pcf_flows4): the fields
 * of a masked pcf_key an IPv4 packet has, 20 bytes instead of 48.  The
 * kernel hashes and compares the whole key on every lookup, so its size is
 * most of what a mask costs.
 */
struct pcf_key4 {
	__u32 ifindex;
	__be32 src;
	__be32 dst;
	__be16 sport;
	__be16 dport;
	__u8 proto;
	/*
	 * Named sets: bit 0, the source is in the mask's source set; bit 1,
	 * the destination in its destination set (the mask id says which).
	 */
	__u8 sets;
	__u16 mask_id;
	__u32 tun; /* VXLAN (issue 13): pcf_key.tun */
};

#define PCF_KEY4_SRC_SET (1U << 0)
#define PCF_KEY4_DST_SET (1U << 1)

/* The compact form of a (masked) key; mask_id is the caller's. */
static inline void pcf_key4_of(struct pcf_key4 *k4, const struct pcf_key *k)
{
	k4->ifindex = k->ifindex;
	__builtin_memcpy(&k4->src, k->src, 4);
	__builtin_memcpy(&k4->dst, k->dst, 4);
	k4->sport = k->sport;
	k4->dport = k->dport;
	k4->proto = k->proto;
	k4->sets = (k->src_set ? PCF_KEY4_SRC_SET : 0) |
		   (k->dst_set ? PCF_KEY4_DST_SET : 0);
	k4->mask_id = 0;
	k4->tun = k->tun;
}

/*
 * The value a load of two adjacent fields gives, first at the lower
 * address: the hashes below read a key's 32-bit words, and the search
 * builds the words of a masked key from values in registers, hashing
 * them before (and mostly instead of) storing the key.  A word put
 * together in memory from narrower stores and loaded whole waits for
 * the stores to retire.
 */
static inline __u16 pcf_join8(__u8 first, __u8 second)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	return first | second << 8;
#else
	return first << 8 | second;
#endif
}

static inline __u32 pcf_join16(__u16 first, __u16 second)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	return first | (__u32)second << 16;
#else
	return (__u32)first << 16 | second;
#endif
}

/* A hash of a compact key's six words, for the filter and the flow cache. */
static inline __u64 pcf_hash4_words(const __u32 w[6])
{
	/* multiplicative hashing: the top bits of a product mix all bits */
	return (((__u64)w[1] << 32) | w[0]) * 0x9e3779b97f4a7c15ULL ^
	       (((__u64)w[3] << 32) | w[2]) * 0xc2b2ae3d27d4eb4fULL ^
	       (((__u64)w[5] << 32) | w[4]) * 0x165667b19e3779f9ULL;
}

static inline __u64 pcf_hash4(const struct pcf_key4 *k)
{
	__u32 w[6];

	__builtin_memcpy(w, k, sizeof(w)); /* no type punning */
	return pcf_hash4_words(w);
}

_Static_assert(sizeof(struct pcf_key4) == 24, "pcf_hash4 hashes 6 words");

/* A hash of a whole IPv6 key (ifindex to proto, family 6, pad 0). */
static inline __u64 pcf_hash6(const struct pcf_key *k)
{
	__u32 w[12];

	__builtin_memcpy(w, k, sizeof(w));
	return (((__u64)w[1] << 32) | w[0]) * 0x9e3779b97f4a7c15ULL ^
	       (((__u64)w[3] << 32) | w[2]) * 0xc2b2ae3d27d4eb4fULL ^
	       (((__u64)w[5] << 32) | w[4]) * 0x165667b19e3779f9ULL ^
	       (((__u64)w[7] << 32) | w[6]) * 0xd6e8feb86659fd93ULL ^
	       (((__u64)w[9] << 32) | w[8]) * 0xff51afd7ed558ccdULL ^
	       (((__u64)w[11] << 32) | w[10]) * 0xc4ceb9fe1a85ec53ULL;
}

_Static_assert(sizeof(struct pcf_key) == 48, "pcf_hash6 hashes 12 words");

/*
 * A filter in front of the search's hash maps (map pcf_filter,
 * PCF_FILTER_WORDS __u64 per mask id, both families): bit
 * pcf_filter_bit4(k) is set while an entry with key k is in pcf_flows4,
 * bit pcf_filter_bit6(k) while one is in pcf_flows.  A clear bit proves a
 * miss for a few multiplications, where the hash lookup would cost several
 * times more (an IPv6 key's, 52 bytes hashed and compared, the most).
 */
#define PCF_FILTER_BITS	 16384 /* per mask */
#define PCF_FILTER_WORDS (PCF_FILTER_BITS / 64)

_Static_assert(PCF_FILTER_BITS == 1 << 14, "the filter takes 14 hash bits");

/* The bit of a key's hash h under mask mask_id. */
static inline __u32 pcf_filter_bit(__u32 mask_id, __u64 h)
{
	return mask_id * PCF_FILTER_BITS + (__u32)(h >> 50);
}

static inline __u32 pcf_filter_bit4(const struct pcf_key4 *k)
{
	return pcf_filter_bit(k->mask_id, pcf_hash4(k));
}

/* The mask id picks the bitmap: the hash leaves it out. */
static inline __u32 pcf_filter_bit6(const struct pcf_lookup_key *k)
{
	return pcf_filter_bit(k->mask_id, pcf_hash6(&k->key));
}

/*
 * The flow caches in front of the search (as Open vSwitch's EMC, but
 * set-associative), one for IPv4 and one for IPv6 packets, per CPU.  The
 * top bits of the hash of a packet's unmasked key pick a set; each of the
 * set's PCF_CACHE_WAYS entries holds the search's result for one key
 * while the rule table is at generation gen (struct pcf_table_state):
 * every rule change forgets every result.
 *
 * A key's entries are looked at in turn from its first way
 * (pcf_cache_first below) round the set.  A result enters on a miss, in
 * place of an entry of an older generation, else of the first entry not
 * used since it entered or since the last miss in its set passed over it:
 * a miss clears the used marks it passes (their second chance).  When
 * every entry of the set was used, the new result does not enter: a scan
 * of ever new flows takes the place of idle entries, not of the flows
 * that keep coming back.
 */
#define PCF_CACHE_WAYS	    4
#define PCF_CACHE4_SET_BITS 13 /* 8192 sets: 32768 IPv4 flows, 1 MiB */
#define PCF_CACHE6_SET_BITS 13 /* 8192 sets: 32768 IPv6 flows, 2 MiB */
#define PCF_CACHE_SET_BITS(family)                                            \
	((family) == 4 ? PCF_CACHE4_SET_BITS : PCF_CACHE6_SET_BITS)

/* The set a key's hash picks in the cache of family: the top bits. */
static inline __u32 pcf_cache_set(int family, __u64 hash)
{
	return (__u32)(hash >> (64 - PCF_CACHE_SET_BITS(family)));
}

/*
 * A key's first way in the cache of family (4 or 6: the cache's, which
 * for 6 holds inner keys of both families too), from the hash that
 * picked its set: IPv6 entries take a cache line each, so flows of one
 * set that begin at different ways are each found in the first line read
 * (with flows in every set, one line rather than two or more).  IPv4
 * entries are half a line, two to a line: they all begin at way 0.  The
 * two hash bits below the set index's.
 */
static inline __u32 pcf_cache_first(int family, __u64 hash)
{
	return family == 4 ? 0
			   : (__u32)(hash >> (64 - PCF_CACHE6_SET_BITS - 2)) &
				 (PCF_CACHE_WAYS - 1);
}

/* The i-th way looked at of a key whose first way is first. */
static inline __u32 pcf_cache_way(__u32 first, __u32 i)
{
	return (first + i) & (PCF_CACHE_WAYS - 1);
}

_Static_assert(PCF_CACHE_WAYS == 4, "pcf_cache_first takes two hash bits");
#define PCF_CACHE_NO_RULE   0xffff /* slot of a cached miss */

_Static_assert(PCF_RULE_SLOTS <= PCF_CACHE_NO_RULE,
	       "a slot or a counter index fits a cache entry's 16 bits");

/*
 * IPv4: the first 17 bytes are those of the packet's pcf_key4.  The
 * IPv4 cache holds outer keys only (tun 0); the IPv6 one, whole keys,
 * also holds the inner keys of VXLAN frames of both families (issue 13):
 * the best rule for the inner headers alone.
 */
struct pcf_cached4 {
	__u32 ifindex;
	__be32 src;
	__be32 dst;
	__be16 sport;
	__be16 dport;
	__u8 proto;
	/* the rule's verdict and counter index, as its pcf_flow says */
	__u8 verdict;
	__u16 slot; /* PCF_CACHE_NO_RULE: no rule matched */
	__u16 ctr;
	__u8 used; /* a packet found it since the last miss passed over it */
	__u8 pad;
	__u64 gen;
};

/* IPv6: the packet's whole key (family 6, pad 0). */
struct pcf_cached6 {
	struct pcf_key key;
	__u16 slot;
	__u16 ctr;
	__u8 verdict;
	__u8 used;
	__u8 pad[2];
	__u64 gen;
};

struct pcf_cache_set4 {
	struct pcf_cached4 way[PCF_CACHE_WAYS];
};

struct pcf_cache_set6 {
	struct pcf_cached6 way[PCF_CACHE_WAYS];
};

_Static_assert(sizeof(struct pcf_cached4) == 32 &&
		   sizeof(struct pcf_cached6) == 64,
	       "cache entries of half and one cache line");

/*
 * The value of a pcf_flows4 and a pcf_flows entry: the rule's slot and its
 * pcf_rank(), so the search compares ranks without reading the rule.
 */
struct pcf_flow {
	__u64 rank;
	__u16 slot;
	/*
	 * The rule's verdict and counter index, as in its slot: a DROP needs
	 * nothing else, so the steering program does not read the rule.
	 */
	__u8 verdict;
	__u8 pad;
	__u32 ctr;
};

enum pcf_egress {
	PCF_EGRESS_DEFAULT = 0, /* pcfd's --egress */
	PCF_EGRESS_KERNEL,
	PCF_EGRESS_WIRE,
	PCF_EGRESS_MAX,
};

/* pcf_action.flags */
#define PCF_ACT_DF_CLEAR (1U << 0)
#define PCF_ACT_SNAT	 (1U << 1)
#define PCF_ACT_DNAT	 (1U << 2)
#define PCF_ACT_MARK	 (1U << 3)
#define PCF_ACT_MIRROR	 (1U << 4)
#define PCF_ACT_QUEUE	 (1U << 5)
#define PCF_ACT_TTL	 (1U << 6)
/* sessions (pcf_abi.h, "Sessions"): track the connection; with redirect,
 * its NAT is per connection (stateful) */
#define PCF_ACT_CT (1U << 7)
/* with PCF_ACT_CT: SNAT to the primary address of the egress interface */
#define PCF_ACT_MASQ (1U << 8)
/* VXLAN (issue 13), an encap rule: take the outer headers off (pass: the
 * kernel gets the inner frame; redirect: the worker does) */
#define PCF_ACT_DECAP (1U << 9)

struct pcf_nat {
	__u8 addr[16]; /* IPv4 in the first four bytes */
	__be16 port; /* 0: keep the port */
	__u8 family; /* 4 or 6 */
	__u8 pad;
};

struct pcf_action {
	__u8 verdict; /* enum pcf_verdict */
	__s8 ttl_delta; /* with PCF_ACT_TTL */
	__u8 egress; /* enum pcf_egress */
	__u8 pad;
	__u16 queue; /* with PCF_ACT_QUEUE: queue hint */
	__u16 flags; /* PCF_ACT_* */
	__u32 mark; /* with PCF_ACT_MARK */
	__u32 mirror_ifindex; /* with PCF_ACT_MIRROR */
	struct pcf_nat snat;
	struct pcf_nat dnat;
};

/* pcf_rule.flags */
#define PCF_RULE_USED	 (1U << 0) /* the rule's current slot */
/*
 * An old slot of a replaced or deleted rule: still intact for packets
 * that found it before the change, freed after a grace period.
 */
#define PCF_RULE_RETIRED (1U << 1)

/*
 * One slot of the pcf_rules array (BPF_F_MMAPABLE, so workers read actions
 * without a syscall).  key is stored already masked.  A slot is written
 * whole before anything leads to it and never rewritten while anything
 * may: a replace writes a new slot and switches to it.
 */
struct pcf_rule {
	/* what the steering program reads of a rule: its first cache line */
	struct pcf_action action;
	/*
	 * Index of the rule's counters in pcf_rule_stats and the workers'
	 * pcf_wrule_stats: kept across replaces, so no packet is missed.
	 */
	__u32 ctr;
	__u32 id; /* the id the operator sees; never 0 */
	/* the rest is user space's */
	__u32 prio; /* lower wins */
	__u32 mask_id;
	__u32 flags;
	/*
	 * ct snat with a port range: its last port (action.snat.port is its
	 * first); 0: the one port action.snat.port, or with no port there
	 * the default range.  Read by the workers when they make a session.
	 */
	__be16 snat_port_max;
	__u16 pad;
	struct pcf_key key;
	struct pcf_key mask;
	/*
	 * Explicit egress (issue 13), `egress dev IFNAME [via NEXTHOP]`: a
	 * redirected packet leaves by egress_ifindex (0: as the action's
	 * egress says), to the Ethernet address the kernel's neighbour table
	 * has for egress_via (family 0: the packet's destination, after
	 * DNAT).  Read by pcf_steer when it redirects.
	 */
	__u32 egress_ifindex;
	__u8 egress_via[16]; /* IPv4 in the first four bytes */
	__u8 egress_via_family; /* 0, 4 or 6 */
	__u8 pad2[3];
};

_Static_assert(__builtin_offsetof(struct pcf_rule, id) + 4 <= 64,
	       "action, ctr and id share the rule's first cache line");

/* One entry of the priority-ordered mask list. */
struct pcf_mask {
	struct pcf_key mask;
	__u32 mask_id; /* part of every lookup key under this mask */
	__u64 best_rank; /* lowest pcf_rank() of the rules under this mask */
	/*
	 * Named sets: the bit of pcf_set_val.bits that says an address is
	 * in the mask's source (mask.src_set) and destination (dst_set) set
	 * in this version of the list (see "Named sets").
	 */
	__u8 src_bit;
	__u8 dst_bit;
	__u8 pad[6];
};

/*
 * The order of rules: lower prio wins; between equal prios the older rule
 * (lower id) wins, so the result never depends on the mask list's order.
 */
static inline __u64 pcf_rank(__u32 prio, __u32 id)
{
	return ((__u64)prio << 32) | id;
}

/*
 * The mask list the steering program walks, ordered by best_rank.  Each
 * version is written whole into a free buffer of pcf_masks, then made
 * current (pcf_state.mask_buf), so a packet never sees a half-updated
 * list; a buffer is written again only after a grace period.
 */
#define PCF_MASK_BUFS 512

struct pcf_mask_table {
	__u32 count;
	__u32 flags; /* PCF_MASKS_*: named sets some mask tests */
	struct pcf_mask masks[PCF_MAX_MASKS];
};

#define PCF_MASKS_SRC_SET (1U << 0) /* a mask has a src_set */
#define PCF_MASKS_DST_SET (1U << 1) /* a mask has a dst_set */

/*
 * The rule table's state (map pcf_state, one entry, BPF_F_MMAPABLE: pcfd
 * stores each field atomically).  gen moves on with every change of the
 * table (at least 1 once pcfd opened it), which forgets every result in
 * the flow caches; mask_buf is the pcf_masks buffer holding the current
 * mask list.
 */
struct pcf_table_state {
	__u64 gen;
	__u32 mask_buf;
	/*
	 * VXLAN (issue 13): rules with encap in the table, and rules
	 * without.  While encap_rules is 0, no packet is looked into; while
	 * outer_rules is 0, no packet's own headers are looked up (a table of
	 * encap rules alone, or none).  Each is stored after a rule's entries
	 * are in, and lowered after they are gone.
	 */
	__u32 encap_rules;
	__u32 outer_rules;
	__u32 pad2;
};

/* ---- VXLAN (issue 13) ---- */
#define PCF_VXLAN_PORTS_MAX  4
#define PCF_VXLAN_PORT	     4789 /* IANA */
#define PCF_TUN_VXLAN	     1	  /* pcf_key.tun kind */
#define PCF_TUN(kind, vni)   (((__u32)(kind) << 24) | ((vni) & 0xffffff))
#define PCF_TUN_KIND_MASK    0xff000000U
#define PCF_TUN_VNI_MASK     0x00ffffffU
#define PCF_TUN_KIND(tun)    ((tun) >> 24)

/*
 * Explicit egress (issue 13): the kernel's neighbour table as pcfd copies
 * it for pcf_steer (hash pcf_neigh), for the interfaces that have a
 * worker: the next hop's Ethernet address and the interface's own.
 */
#define PCF_NEIGH_MAX 4096

struct pcf_neigh_key {
	__u32 ifindex;
	__u8 addr[16]; /* IPv4 in the first four bytes */
	__u8 family;   /* 4 or 6 */
	__u8 pad[3];
};

struct pcf_neigh {
	__u8 mac[6];
	__u8 smac[6];
};

struct pcf_config {
	__u32 default_verdict; /* enum pcf_verdict for a miss */
	__u32 pad;
	/*
	 * The longest frame (from its Ethernet header) a worker's UMEM frame
	 * takes: a longer packet of a REDIRECT rule goes to the kernel
	 * (PCF_REASON_TOO_BIG) instead of into a socket that would drop it.
	 * 0: no limit.
	 */
	__u32 max_packet;
	__u32 pad2;
	/*
	 * REDIRECT only to a queue whose worker wrote its pcf_heartbeat
	 * entry less than this long ago, else to the kernel
	 * (PCF_REASON_WORKER_STALLED); 0: no check.
	 */
	__u64 worker_timeout_ns;
	/*
	 * VXLAN (issue 13): the UDP destination ports (network order) of
	 * VXLAN frames; 0 ends the list; all 0: 4789 alone.
	 */
	__be16 vxlan_ports[PCF_VXLAN_PORTS_MAX];
};

/* Per interface state, keyed by ifindex. */
struct pcf_iface {
	__u32 xsk_base; /* index of queue 0 in pcf_xskmap */
	__u32 xdp_flags; /* XDP_FLAGS_DRV_MODE or XDP_FLAGS_SKB_MODE */
};

#define PCF_META_MAGIC 0x70636631 /* "pcf1" */

/* What the steering program's FIB lookup found for a REDIRECT (wire egress). */
enum pcf_fib_result {
	PCF_FIB_NONE = 0, /* no lookup done (rule egress is kernel) */
	PCF_FIB_OK, /* next hop resolved: fib_ifindex, dmac, smac are valid */
	PCF_FIB_NO_NEIGH, /* route found, neighbour not resolved */
	PCF_FIB_NO_ROUTE, /* no route, blackhole, forwarding off, ... */
	PCF_FIB_FRAG_NEEDED, /* bigger than the egress MTU */
	PCF_FIB_MAX,
};

/*
 * Written in front of the frame (bpf_xdp_adjust_meta) for a REDIRECT; the
 * AF_XDP worker finds it right before the packet data in its UMEM frame.
 * The kernel allows at most 32 bytes of metadata, in multiples of 4.
 */
struct pcf_meta {
	__u16 rule_slot; /* index into pcf_rules */
	__u8 l3_off; /* offset of the IP header from the frame start */
	__u8 family; /* 4 or 6 */
	__u16 l4_off; /* offset of the L4 header; 0 if none/fragment */
	__u8 proto;
	__u8 fib; /* enum pcf_fib_result, for the NATed destination */
	__u32 rule_id; /* to notice a slot reused under the worker */
	__u32 fib_ifindex; /* egress interface of the next hop */
	__u8 dmac[6]; /* next hop's Ethernet address */
	__u8 smac[6]; /* egress interface's Ethernet address */
	__u32 magic; /* PCF_META_MAGIC, last: sits right before the frame */
};

_Static_assert(sizeof(struct pcf_meta) == 32,
	       "XDP metadata is at most 32 bytes");
_Static_assert(PCF_RULE_SLOTS <= 65536, "pcf_meta.rule_slot is 16 bits");

/*
 * The return path: workers transmit packets for the kernel on their side
 * of a veth pair pcfd owns; pcf_return, on the other side, forwards them
 * by devmap redirect or passes them up the stack.  Its counters (per-CPU
 * array pcf_ret_stats) by outcome:
 */
enum pcf_ret_stat {
	PCF_RET_REDIRECT = 0, /* forwarded by devmap redirect */
	PCF_RET_PASS_LOCAL, /* destination is local: up the stack */
	PCF_RET_PASS_NO_NEIGH, /* next hop unresolved: the kernel resolves */
	PCF_RET_PASS_NOT_DEVMAP, /* egress cannot take redirects: kernel */
	PCF_RET_PASS_MARKED, /* carries a mark: up the stack with skb->mark */
	PCF_RET_PASS_OTHER, /* no route, TTL, MTU, not IP, ...: kernel */
	PCF_RET_REDIRECT_FAILED, /* devmap redirect refused: XDP_ABORTED */
	PCF_RET_STAT_MAX,
};

/*
 * The source Ethernet address of a frame a worker returns to the kernel
 * says whether the rule set a mark: 02:6d ("m", locally administered)
 * then the mark in network byte order.  pcf_return moves the mark into
 * XDP metadata (struct pcf_ret_meta) for its tc program, which sets
 * skb->mark.
 */
#define PCF_RET_MARK_MAC0 0x02
#define PCF_RET_MARK_MAC1 0x6d
#define PCF_RET_META_MAGIC 0x70636d31 /* "pcm1" */

struct pcf_ret_meta {
	__u32 mark;
	__u32 magic; /* PCF_RET_META_MAGIC, last: right before the frame */
};

/*
 * Worker heartbeats: the pinned array pcf_heartbeat (BPF_F_MMAPABLE, one
 * __u64 per pcf_xskmap slot, same index) holds the CLOCK_MONOTONIC_COARSE
 * time in ns (bpf_ktime_get_coarse_ns()) at which the worker of that
 * queue last went round its loop; an idle worker still goes round at
 * least every PCF_HEARTBEAT_PERIOD_MS.  A REDIRECT to a queue whose
 * heartbeat is older than pcf_config.worker_timeout_ns passes to the
 * kernel, so a stopped pcfd (SIGSTOP, a debugger) never blackholes.
 */
#define PCF_HEARTBEAT_PERIOD_MS	     100
#define PCF_WORKER_TIMEOUT_MS_DEFAULT 1000

/*
 * How long before now a time of the coarse clock was stamped (a
 * heartbeat, a session's last packet); 0 if later.  A stamp another CPU
 * wrote may be newer than a now read a moment before it: the reader was
 * interrupted, or its vCPU descheduled, in between (measured here: by up
 * to 16 ms).  Such a stamp is fresh, not 2^64 - 16 ms old.
 */
static inline __u64 pcf_age_ns(__u64 now, __u64 stamp)
{
	return now > stamp ? now - stamp : 0;
}

/*
 * ---- Sessions: connection tracking, stateful NAT, pass ct ----
 *
 * A session is one connection (TCP, UDP, ICMP echo, or another protocol
 * by its addresses), made by the first packet that a rule with PCF_ACT_CT
 * matched: by pcf_steer itself for `pass ct` (no NAT) and, once pcfd has
 * a port pool for the NAT address, for `redirect ct` (see "New sessions
 * of ct NAT rules"); by a worker for the rest.  It lives in the
 * pinned hash pcf_ct as two entries, one per direction, each keyed by the
 * tuple that direction's packets carry on the wire, as Open vSwitch and
 * Cilium key theirs: pcf_steer finds a packet's session with one lookup,
 * before the rules, whichever way the packet goes.
 *
 * An entry's xlat is the tuple its direction's packets leave with (after
 * the NAT; the key itself without NAT), so the other direction's key is
 * pcf_ct_reverse(xlat), and pcf_steer hands xlat to the worker in the
 * packet's metadata: any worker can serve any session, no syscall.
 */
#define PCF_CT_SESSIONS_DEFAULT 262144
#define PCF_CT_SESSIONS_MIN	1024
#define PCF_CT_SESSIONS_MAX	(1U << 24)
/* two entries a session */
#define PCF_CT_ENTRIES(sessions) (2 * (sessions))

/*
 * A tuple as a packet carries it: the fields of struct pcf_key after
 * ifindex, in the same order (all in network byte order), so pcf_steer
 * reads a TCP or UDP packet's key where its rule key already is.  For
 * ICMP and ICMPv6 echo the identifier is the port: an echo request's
 * sport (dport 0), an echo reply's dport (sport 0), so a reply's key is
 * the request's reversed.  Other protocols: ports 0.
 */
struct pcf_ct_key {
	__u8 src[16];
	__u8 dst[16];
	__be16 sport;
	__be16 dport;
	__u8 proto;
	__u8 family; /* 4 or 6 */
	__u8 pad[2];
};

_Static_assert(sizeof(struct pcf_ct_key) == 40, "pcf_ct_hash hashes 10 words");
_Static_assert(sizeof(struct pcf_key) ==
		   __builtin_offsetof(struct pcf_key, src) +
		       sizeof(struct pcf_ct_key),
	       "a pcf_key's tail is a pcf_ct_key");

/* The tuple of the other direction's packets. */
static inline void pcf_ct_reverse(struct pcf_ct_key *ret,
				  const struct pcf_ct_key *k)
{
	__builtin_memcpy(ret->src, k->dst, 16);
	__builtin_memcpy(ret->dst, k->src, 16);
	ret->sport = k->dport;
	ret->dport = k->sport;
	ret->proto = k->proto;
	ret->family = k->family;
	ret->pad[0] = 0;
	ret->pad[1] = 0;
}

/* What an ICMP (proto 1) or ICMPv6 (58) message of type is to sessions. */
enum pcf_ct_icmp {
	PCF_CT_ICMP_OTHER = 0,
	PCF_CT_ICMP_REQUEST, /* echo request: the identifier is its sport */
	PCF_CT_ICMP_REPLY,   /* echo reply: the identifier is its dport */
	/* an error about the packet it quotes: ICMP destination unreachable
	 * (fragmentation needed too), time exceeded, parameter problem;
	 * ICMPv6 destination unreachable, packet too big, time exceeded,
	 * parameter problem */
	PCF_CT_ICMP_ERROR,
};

static inline enum pcf_ct_icmp pcf_ct_icmp_kind(__u8 proto, __u8 type)
{
	if (proto == 1) /* IPPROTO_ICMP */
		return type == 8   ? PCF_CT_ICMP_REQUEST
		       : type == 0 ? PCF_CT_ICMP_REPLY
		       : type == 3 || type == 11 || type == 12
			   ? PCF_CT_ICMP_ERROR
			   : PCF_CT_ICMP_OTHER;
	if (proto == 58) /* IPPROTO_ICMPV6 */
		return type == 128		? PCF_CT_ICMP_REQUEST
		       : type == 129		? PCF_CT_ICMP_REPLY
		       : type >= 1 && type <= 4 ? PCF_CT_ICMP_ERROR
						: PCF_CT_ICMP_OTHER;
	return PCF_CT_ICMP_OTHER;
}

/* A hash of a key (40 bytes at k), for the filter in front of pcf_ct. */
static inline __u32 pcf_ct_hash(const void *k)
{
	__u32 w[10];
	__u64 h;

	__builtin_memcpy(w, k, sizeof(w));
	h = (((__u64)w[1] << 32) | w[0]) * 0x9e3779b97f4a7c15ULL ^
	    (((__u64)w[3] << 32) | w[2]) * 0xc2b2ae3d27d4eb4fULL ^
	    (((__u64)w[5] << 32) | w[4]) * 0x165667b19e3779f9ULL ^
	    (((__u64)w[7] << 32) | w[6]) * 0x27d4eb2f165667c5ULL ^
	    (((__u64)w[9] << 32) | w[8]) * 0xff51afd7ed558ccdULL;
	return h >> 32;
}

/*
 * The filter in front of pcf_ct (map pcf_ct_filter, BPF_F_MMAPABLE): one
 * __u64 count per bucket pcf_ct_hash(key) & (buckets - 1) (an array's
 * values are 8 bytes apart in its mmap whatever their size), buckets the
 * power of two at or above the table's entries.  Whoever inserts a key
 * counts it first and whoever deletes it uncounts it after, so a count of
 * 0 proves that no key of the bucket is in pcf_ct: a packet of no session
 * costs pcf_steer a hash and one array read, not a hash table lookup.
 * In front of that, the same count for the whole table (map pcf_ct_live,
 * one __u64, BPF_F_MMAPABLE): while it is 0, no hash either.
 */
static inline __u32 pcf_ct_filter_buckets(__u32 sessions)
{
	__u32 n = 1;

	while (n < PCF_CT_ENTRIES(sessions))
		n <<= 1;
	return n;
}

/*
 * pcf_ct_entry.flags: REPLY, the entry of the replies' direction; NAT,
 * the session rewrites (its packets go to a worker; a pass session's
 * never do); PORT, the original direction's source port was allocated
 * (ct snat, masquerade); SNAT, DNAT: the source, the destination of the
 * original direction is rewritten.
 */
#define PCF_CT_REPLY (1U << 0)
#define PCF_CT_NAT   (1U << 1)
#define PCF_CT_PORT  (1U << 2)
#define PCF_CT_SNAT  (1U << 3)
#define PCF_CT_DNAT  (1U << 4)

/* pcf_ct_entry.tcp: the TCP flags seen in this direction */
#define PCF_CT_TCP_FIN 0x01
#define PCF_CT_TCP_SYN 0x02
#define PCF_CT_TCP_RST 0x04
#define PCF_CT_TCP_ACK 0x10

/*
 * The value of a pcf_ct entry: one direction of one session.  Written
 * whole when the session is made; then pcf_steer alone writes last_seen,
 * packets, bytes and tcp (tcp atomically; the counters plainly: one
 * direction's packets come on one queue).  The hash
 * is not preallocated: a deleted entry is freed after an RCU grace
 * period, never reused under a reader.
 */
struct pcf_ct_entry {
	struct pcf_ct_key xlat; /* this direction's packets leave so */
	__u64 created;		/* bpf_ktime_get_coarse_ns() */
	__u64 last_seen;	/* of this direction's last packet */
	__u64 packets;		/* this direction's, as pcf_steer saw them */
	__u64 bytes;
	__u32 rule_id;	 /* the rule that made the session */
	__u16 rule_slot; /* its slot then: its action, if id still matches */
	__u8 flags;	 /* PCF_CT_* */
	__u8 pad;
	/* PCF_CT_TCP_* seen in this direction (64 bits: BPF's atomic or) */
	__u64 tcp;
};

/*
 * A REDIRECT of a session's packet carries this in front of its struct
 * pcf_meta (whose magic is then PCF_META_MAGIC_CT and whose rule_slot and
 * rule_id are the session's rule): 80 bytes of metadata in all.
 */
#define PCF_META_MAGIC_CT 0x70636632 /* "pcf2" */
#define PCF_CT_META_MAGIC 0x70636333 /* "pcc3" */
/* pcf_ct_meta.flags besides the entry's: an ICMP error about the
 * session (its quoted packet is translated too) */
#define PCF_CT_M_ICMP_ERROR (1U << 8)

struct pcf_ct_meta {
	struct pcf_ct_key xlat; /* the entry's xlat */
	__u32 flags;		/* the entry's PCF_CT_* | PCF_CT_M_* */
	__u32 magic;		/* PCF_CT_META_MAGIC */
};

_Static_assert(sizeof(struct pcf_ct_meta) + sizeof(struct pcf_meta) == 80,
	       "a session packet's metadata is 80 bytes");

/* What a session is, as pcfd tells it from its two entries (table/ct.h). */
enum pcf_ct_state {
	PCF_CT_SYN_SENT = 0, /* TCP: no reply yet */
	PCF_CT_SYN_RECV,     /* TCP: a reply, the original side's ACK not */
	PCF_CT_ESTABLISHED,  /* TCP: both sides sent ACKs */
	PCF_CT_FIN_WAIT,     /* TCP: one side sent FIN */
	PCF_CT_TIME_WAIT,    /* TCP: both sides sent FIN */
	PCF_CT_CLOSE,	     /* TCP: a side sent RST */
	PCF_CT_UNREPLIED,    /* UDP, ICMP, others: no reply yet */
	PCF_CT_REPLIED,	     /* a reply came */
	PCF_CT_STREAM,	     /* UDP: replied, and alive after 2 s */
	PCF_CT_STATE_MAX,
};

/*
 * New sessions of ct NAT rules, made by pcf_steer itself (the first
 * packet then goes to a worker as a session's does: no syscall per
 * connection).  What it cannot settle alone it leaves to the worker, which
 * makes the session as before (table/ct.h): an address whose port pool
 * pcfd has not made yet, a port it does not find in a few tries, a taken
 * reply tuple, masquerade out of an interface pcfd has no address of.
 *
 * The ports of ct snat and masquerade, shared by pcf_steer and the
 * workers: one pool per (NAT address, protocol), a bitmap of its 65536
 * ports (port p taken: bit p % 64 of word p / 64): PCF_CT_POOL_WORDS
 * words of the array pcf_ct_ports (BPF_F_MMAPABLE) from pool * that.  pcfd
 * makes a pool (on its first connection, through a worker) and writes its
 * number into the hash pcf_ct_pools; from then on pcf_steer gives that
 * address's ports too.  A port is taken with one atomic fetch-or, given
 * back (when its session goes) with one fetch-and.  The bitmap is a
 * guide; the reply entry going in with BPF_NOEXIST is what decides.
 */
#define PCF_CT_POOLS_MAX  128 /* distinct (NAT address, protocol) */
#define PCF_CT_POOL_WORDS 1024
#define PCF_CT_PORT_WORDS (PCF_CT_POOLS_MAX * PCF_CT_POOL_WORDS)
/* the source ports of ct snat without a port, and of masquerade: Linux's
 * NAT keeps the original port when it is free, and otherwise picks one of
 * these (unprivileged ports) */
#define PCF_CT_PORT_MIN_DEFAULT 1024
#define PCF_CT_PORT_MAX_DEFAULT 65535

struct pcf_ct_pool_key {
	__u8 addr[16]; /* IPv4 in the first four bytes */
	__u8 family;
	__u8 proto;
	__u8 pad[2];
};

/* masquerade: an interface's addresses, as pcfd last read them (the hash
 * pcf_ct_ifaddrs, by ifindex) */
#define PCF_CT_IFADDRS_MAX 64
struct pcf_ct_ifaddr_v {
	__u8 addr4[4];
	__u8 addr6[16];
	__u8 has4, has6;
	__u8 pad[2];
};

/* pcf_steer's session counters (per-CPU array pcf_ct_stats). */
enum pcf_ct_xstat {
	PCF_CT_X_PASS = 0,   /* packets of pass sessions: passed */
	PCF_CT_X_REDIRECT,   /* packets of NAT sessions: to a worker */
	PCF_CT_X_ICMP_ERROR, /* ICMP errors about a session (either above) */
	PCF_CT_X_CREATED,    /* sessions made (pass ct, ct NAT rules) */
	PCF_CT_X_EXISTS,     /* a first packet found its session made */
	PCF_CT_X_FULL,	     /* table full, no session made */
	/* packets of NAT sessions and ct NAT rules dropped: no worker to
	 * translate them (untranslated, they would leak or reset) */
	PCF_CT_X_NO_WORKER,
	/* first packets of ct NAT rules whose session a worker makes (see
	 * "New sessions of ct NAT rules") */
	PCF_CT_X_TO_WORKER,
	PCF_CT_X_MAX,
};

/*
 * ---- Named sets (issue 13) ----
 *
 * A set is a named list of IPv4 or IPv6 addresses and prefixes; a rule's
 * match may say that its source or destination is in one
 * (pcf_key.src_set, dst_set).  pcf_steer answers "which sets hold this
 * address" with one lookup per address in an LPM trie per family
 * (pcf_sets4, pcf_sets6), whatever the sets' sizes: the value of a prefix
 * is the bitmap of the sets that hold it or a prefix covering it (user
 * space folds the covering prefixes in, since only the longest prefix is
 * found).  The lookups happen only when the current mask list has a
 * mask that tests a set (pcf_mask_table.flags), and only on a flow cache
 * miss: a packet of a table without set rules costs nothing more.
 *
 * Bits are not sets: a set has a bit (pcf_mask.src_bit, dst_bit), and a
 * `set load` builds the new content under a spare bit, then publishes a
 * mask list that names the new bit (one word, pcf_table_state.mask_buf),
 * and after a grace period clears the old bit: each packet sees the old
 * content or the new, never a mix.  Hence more bits than sets.
 */
#define PCF_MAX_SETS	  64
#define PCF_SET_BITS	  128	  /* bits of pcf_set_val.bits */
#define PCF_SET_ELEMS_MAX 1000000 /* elements of all sets together */
/* a load holds the old content and the new at once */
#define PCF_SET_TRIE_ENTRIES (2 * PCF_SET_ELEMS_MAX)
#define PCF_SET_NAME_MAX     32 /* with the NUL */

struct pcf_set_key4 {
	__u32 prefixlen; /* as BPF_MAP_TYPE_LPM_TRIE wants */
	__u8 addr[4];
};

struct pcf_set_key6 {
	__u32 prefixlen;
	__u8 addr[16];
};

struct pcf_set_val {
	__u64 bits[2]; /* sets holding the prefix or one covering it */
	__u64 own[2];  /* sets holding this very prefix (user space's) */
};

static inline int pcf_set_bit_test(const __u64 *bits, __u32 bit)
{
	return (bits[(bit / 64) & 1] >> (bit % 64)) & 1;
}

/*
 * What a set is, for a restarted pcfd (the pinned array pcf_set_info,
 * PCF_MAX_SETS entries; index = pcf_key.src_set - 1).  Written by pcfd
 * alone.
 */
struct pcf_set_info {
	char name[PCF_SET_NAME_MAX]; /* "" for a free index */
	__u8 family;		     /* 4 or 6; 0 while empty */
	__u8 bit;		     /* its bit in pcf_set_val.bits */
	__u8 pad[2];
	__u32 count; /* elements */
};

/* An element of a set, as user space and the protocol carry it. */
struct pcf_set_elem {
	__u8 addr[16]; /* IPv4 in the first four bytes, the rest zero */
	__u8 plen;
	__u8 family; /* 4 or 6 */
	__u8 pad[2];
};

#endif /* PCF_ABI_H */
