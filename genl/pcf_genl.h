/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * pcf_genl.h - the pcf control protocol, defined once for pcfd and pcfctl.
 *
 * A genetlink-style family carried over NETLINK_USERSOCK: every message is
 * nlmsghdr + genlmsghdr + attributes.  USERSOCK has no genl controller to
 * resolve the family name, so the family has a fixed nlmsg_type
 * (PCF_GENL_TYPE) and pcfd listens on a well-known port id
 * (PCF_CTL_PORT_DEFAULT, "pcf\0" as a u32: far above any pid_max, so an
 * autobound socket never takes it).  Both sides take --ctl-port to change it.
 *
 * Integers are u32/s32/u64 in host order (the kernel's netlink specs
 * prefer 32-bit or wider types); ports and addresses in the match and NAT
 * nests are host-order u32 and raw 4- or 16-byte addresses.  genl/pcf.yaml
 * describes the same family in the kernel's netlink-spec format;
 * tests/unit/test_genl_spec.c keeps the two in agreement.
 */
#ifndef PCF_GENL_H
#define PCF_GENL_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/netlink.h>
#include <linux/genetlink.h>
#include <libmnl/libmnl.h>

#include "pcf_abi.h"

#define PCF_GENL_NAME	 "pcf"
#define PCF_GENL_VERSION 1
#define PCF_GENL_TYPE	 (NLMSG_MIN_TYPE + 0x50) /* nlmsg_type of the family */

#define PCF_CTL_PORT_DEFAULT 0x70636600U /* "pcf\0" */
#define PCF_MCGRP_EVENTS     1 /* multicast group: flow added/removed */
#define PCF_MCGRP_SESSIONS   2 /* multicast group: sessions made/unmade */

/*
 * pcfd never sends a datagram bigger than this; a receiver's buffer must
 * hold at least this much (a dump comes in several such parts).
 */
#define PCF_GENL_MSG_MAX 16384

enum pcf_cmd {
	PCF_CMD_UNSPEC,
	PCF_CMD_FLOW_NEW,   /* add (NLM_F_REPLACE: or replace); event: added */
	PCF_CMD_FLOW_DEL,   /* by id or by match; event: removed */
	PCF_CMD_FLOW_GET,   /* one by id, or all with NLM_F_DUMP */
	PCF_CMD_FLOW_FLUSH, /* event: flushed */
	PCF_CMD_STATS_GET,
	PCF_CMD_SESSION_GET,   /* dump, or filtered by a match */
	PCF_CMD_SESSION_DEL,   /* by match; event: a session unmade */
	PCF_CMD_SESSION_FLUSH, /* every session */
	PCF_CMD_SESSION_NEW,   /* event only: a session made */
	/* named sets (issue 13): PCF_A_SET, see enum pcf_set_attr */
	PCF_CMD_SET_NEW,     /* add elements (made on first use); event */
	PCF_CMD_SET_DEL,     /* delete elements; event */
	PCF_CMD_SET_GET,     /* one by name, or all with NLM_F_DUMP */
	PCF_CMD_SET_FLUSH,   /* empty a set; event */
	PCF_CMD_SET_DESTROY, /* a set no rule uses goes; event */
	PCF_CMD_SET_LOAD,    /* replace the content, in parts; event */
	__PCF_CMD_MAX,
};
#define PCF_CMD_MAX (__PCF_CMD_MAX - 1)

/* Top level attributes (set "flow" and "stats" share the space). */
enum pcf_attr {
	PCF_A_UNSPEC,
	PCF_A_PAD,
	PCF_A_FLOW_ID,	     /* u32 */
	PCF_A_FLOW_PRIO,     /* u32, 0..PCF_PRIO_MAX */
	PCF_A_FLOW_MATCH,    /* nest: enum pcf_match_attr */
	PCF_A_FLOW_ACTION,   /* nest: enum pcf_action_attr */
	PCF_A_FLOW_PACKETS,  /* u64 */
	PCF_A_FLOW_BYTES,    /* u64 */
	PCF_A_STATS_XDP,     /* nest: PCF_A_STATS_COUNTER, repeated */
	PCF_A_STATS_WORKERS, /* nest: PCF_A_WORKERS_WORKER, repeated */
	/* a rule's packets and bytes through the workers' pipelines */
	PCF_A_FLOW_WORKER_PACKETS, /* u64 */
	PCF_A_FLOW_WORKER_BYTES,   /* u64 */
	PCF_A_STATS_LINKS,	   /* nest: PCF_A_LINKS_LINK, repeated */
	PCF_A_SESSION,		   /* nest: enum pcf_session_attr */
	PCF_A_STATS_SESSIONS,	   /* nest: enum pcf_sessions_attr */
	PCF_A_SET,		   /* nest: enum pcf_set_attr (issue 13) */
	__PCF_A_MAX,
};
#define PCF_A_MAX (__PCF_A_MAX - 1)

enum pcf_match_attr {
	PCF_A_MATCH_UNSPEC,
	PCF_A_MATCH_SRC,      /* binary, 4 or 16 bytes */
	PCF_A_MATCH_SRC_PLEN, /* u32; default: full length */
	PCF_A_MATCH_DST,
	PCF_A_MATCH_DST_PLEN,
	PCF_A_MATCH_SPORT,   /* u32, 0..65535; ICMP type */
	PCF_A_MATCH_DPORT,   /* u32, 0..65535; ICMP code */
	PCF_A_MATCH_PROTO,   /* u32, 0..255 */
	PCF_A_MATCH_IFINDEX, /* u32 */
	/* VXLAN (issue 13): the other fields are the inner packet's */
	PCF_A_MATCH_ENCAP, /* u32: PCF_TUN_VXLAN */
	PCF_A_MATCH_VNI,   /* u32, 0..0xffffff; needs ENCAP */
	/* named sets (issue 13): the address is in the set of this name */
	PCF_A_MATCH_SRC_SET, /* string */
	PCF_A_MATCH_DST_SET, /* string */
	__PCF_A_MATCH_MAX,
};
#define PCF_A_MATCH_MAX (__PCF_A_MATCH_MAX - 1)

enum pcf_action_attr {
	PCF_A_ACT_UNSPEC,
	PCF_A_ACT_VERDICT,    /* u32: enum pcf_verdict */
	PCF_A_ACT_TTL_DELTA,  /* s32, -128..127 */
	PCF_A_ACT_DF_CLEAR,   /* flag */
	PCF_A_ACT_SNAT,	      /* nest: enum pcf_nat_attr */
	PCF_A_ACT_DNAT,	      /* nest: enum pcf_nat_attr */
	PCF_A_ACT_MARK,	      /* u32 */
	PCF_A_ACT_MIRROR,     /* u32 ifindex */
	PCF_A_ACT_EGRESS,     /* u32: enum pcf_egress */
	PCF_A_ACT_QUEUE,      /* u32, 0..65535 */
	PCF_A_ACT_CT,	      /* flag: per connection (sessions) */
	PCF_A_ACT_MASQUERADE, /* flag: with ct, SNAT to the egress address */
	/* VXLAN and explicit egress (issue 13) */
	PCF_A_ACT_DECAP,      /* flag: take the outer headers off */
	PCF_A_ACT_EGRESS_DEV, /* u32 ifindex: leave by it, whatever the route */
	PCF_A_ACT_EGRESS_VIA, /* binary, 4 or 16 bytes: its next hop */
	__PCF_A_ACT_MAX,
};
#define PCF_A_ACT_MAX (__PCF_A_ACT_MAX - 1)

enum pcf_nat_attr {
	PCF_A_NAT_UNSPEC,
	PCF_A_NAT_ADDR, /* binary, 4 or 16 bytes */
	PCF_A_NAT_PORT, /* u32, 0..65535; 0 or absent: keep */
	/* u32, 1..65535: with ct, snat's ports are PORT..PORT-MAX */
	PCF_A_NAT_PORT_MAX,
	__PCF_A_NAT_MAX,
};
#define PCF_A_NAT_MAX (__PCF_A_NAT_MAX - 1)

/* The stats reply: PCF_A_STATS_XDP holds one nest per counter. */
enum pcf_stats_attr {
	PCF_A_STATS_UNSPEC,
	PCF_A_STATS_COUNTER, /* nest: enum pcf_counter_attr */
	__PCF_A_STATS_MAX,
};
#define PCF_A_STATS_MAX (__PCF_A_STATS_MAX - 1)

enum pcf_counter_attr {
	PCF_A_COUNTER_UNSPEC,
	PCF_A_COUNTER_PAD,
	PCF_A_COUNTER_KIND,    /* u32: enum pcf_counter_kind */
	PCF_A_COUNTER_NAME,    /* string: "pass", "miss", ... */
	PCF_A_COUNTER_PACKETS, /* u64 */
	PCF_A_COUNTER_BYTES,   /* u64 */
	__PCF_A_COUNTER_MAX,
};
#define PCF_A_COUNTER_MAX (__PCF_A_COUNTER_MAX - 1)

enum pcf_counter_kind {
	PCF_COUNTER_VERDICT,
	PCF_COUNTER_REASON,
	PCF_COUNTER_DROP, /* a worker's drops, by reason (packets only) */
	/* pcf_return's outcomes (XDP); a worker's packets sent to the kernel
	 * through the return veth, by why (packets only) */
	PCF_COUNTER_RETURN,
	PCF_COUNTER_SESSION, /* pcf_steer's session counters ("session_*") */
	PCF_COUNTER_KIND_MAX,
};

/* The stats reply: PCF_A_STATS_WORKERS holds one nest per worker. */
enum pcf_workers_attr {
	PCF_A_WORKERS_UNSPEC,
	PCF_A_WORKERS_WORKER, /* nest: enum pcf_worker_attr */
	__PCF_A_WORKERS_MAX,
};
#define PCF_A_WORKERS_MAX (__PCF_A_WORKERS_MAX - 1)

/* One AF_XDP worker: one (interface, rx queue). */
enum pcf_worker_attr {
	PCF_A_WORKER_UNSPEC,
	PCF_A_WORKER_PAD,
	PCF_A_WORKER_IFNAME,	     /* string */
	PCF_A_WORKER_IFINDEX,	     /* u32 */
	PCF_A_WORKER_QUEUE,	     /* u32 */
	PCF_A_WORKER_CPU,	     /* s32, -1: not pinned */
	PCF_A_WORKER_BIND_MODE,	     /* u32: enum pcf_genl_bind_mode */
	PCF_A_WORKER_RX_PACKETS,     /* u64 */
	PCF_A_WORKER_RX_BYTES,	     /* u64 */
	PCF_A_WORKER_TX_PACKETS,     /* u64 */
	PCF_A_WORKER_TX_BYTES,	     /* u64 */
	PCF_A_WORKER_HEARTBEAT,	     /* u64: moves while the thread lives */
	PCF_A_WORKER_COUNTER,	     /* nest: drops per reason, repeated */
	PCF_A_WORKER_MIRROR_PACKETS, /* u64: mirror copies sent */
	PCF_A_WORKER_SOCKET,	     /* nest: enum pcf_xsk_attr */
	PCF_A_WORKER_RETURN_SOCKET,  /* nest: enum pcf_xsk_attr */
	/* received TCP/UDP checksums checked (a sample), found bad */
	PCF_A_WORKER_L4_CSUM_SAMPLED, /* u64 */
	PCF_A_WORKER_BAD_L4_CSUM,     /* u64 */
	__PCF_A_WORKER_MAX,
};
#define PCF_A_WORKER_MAX (__PCF_A_WORKER_MAX - 1)

/*
 * The kernel's counters of one AF_XDP socket (getsockopt XDP_STATISTICS,
 * struct xdp_statistics, the same names): what it dropped before the
 * worker saw it (rx-dropped: no free frame or too long; rx-ring-full),
 * and how often it found a ring empty.  All u64.
 */
enum pcf_xsk_attr {
	PCF_A_XSK_UNSPEC,
	PCF_A_XSK_PAD,
	PCF_A_XSK_RX_DROPPED,
	PCF_A_XSK_RX_INVALID_DESCS,
	PCF_A_XSK_TX_INVALID_DESCS,
	PCF_A_XSK_RX_RING_FULL,
	PCF_A_XSK_RX_FILL_RING_EMPTY_DESCS,
	PCF_A_XSK_TX_RING_EMPTY_DESCS,
	__PCF_A_XSK_MAX,
};
#define PCF_A_XSK_MAX (__PCF_A_XSK_MAX - 1)

/* The stats reply: PCF_A_STATS_LINKS holds one nest per interface. */
enum pcf_links_attr {
	PCF_A_LINKS_UNSPEC,
	PCF_A_LINKS_LINK, /* nest: enum pcf_link_attr */
	__PCF_A_LINKS_MAX,
};
#define PCF_A_LINKS_MAX (__PCF_A_LINKS_MAX - 1)

/* An interface pcfd uses (steered, or an end of the return veth). */
enum pcf_link_attr {
	PCF_A_LINK_UNSPEC,
	PCF_A_LINK_PAD,
	PCF_A_LINK_IFNAME,     /* string */
	PCF_A_LINK_MTU,	       /* u32 */
	PCF_A_LINK_RX_PACKETS, /* u64, the kernel's counters of the device */
	PCF_A_LINK_RX_DROPPED, /* u64 */
	PCF_A_LINK_TX_PACKETS, /* u64 */
	PCF_A_LINK_TX_DROPPED, /* u64 */
	__PCF_A_LINK_MAX,
};
#define PCF_A_LINK_MAX (__PCF_A_LINK_MAX - 1)

/*
 * A session (connection tracking): the tuple of each direction as its
 * packets carry it on the wire (the reply's is the translated one), its
 * state and what is left of its timeout, the packets and bytes each way
 * as pcf_steer counted them.
 */
enum pcf_session_attr {
	PCF_A_SESSION_UNSPEC,
	PCF_A_SESSION_PAD,
	PCF_A_SESSION_PROTO,	     /* u32, 0..255 */
	PCF_A_SESSION_ORIG_SRC,	     /* binary, 4 or 16 bytes */
	PCF_A_SESSION_ORIG_DST,	     /* binary */
	PCF_A_SESSION_ORIG_SPORT,    /* u32, 0..65535; an echo's identifier */
	PCF_A_SESSION_ORIG_DPORT,    /* u32, 0..65535 */
	PCF_A_SESSION_REPLY_SRC,     /* binary */
	PCF_A_SESSION_REPLY_DST,     /* binary */
	PCF_A_SESSION_REPLY_SPORT,   /* u32, 0..65535 */
	PCF_A_SESSION_REPLY_DPORT,   /* u32, 0..65535 */
	PCF_A_SESSION_STATE,	     /* u32: enum pcf_ct_state */
	PCF_A_SESSION_TIMEOUT,	     /* u32: seconds left */
	PCF_A_SESSION_ORIG_PACKETS,  /* u64 */
	PCF_A_SESSION_ORIG_BYTES,    /* u64 */
	PCF_A_SESSION_REPLY_PACKETS, /* u64 */
	PCF_A_SESSION_REPLY_BYTES,   /* u64 */
	PCF_A_SESSION_RULE_ID,	     /* u32: the rule that made it */
	PCF_A_SESSION_SNAT,	     /* flag: its source is rewritten */
	PCF_A_SESSION_DNAT,	     /* flag: its destination is rewritten */
	PCF_A_SESSION_AGE,	     /* u32: seconds since it was made */
	__PCF_A_SESSION_MAX,
};
#define PCF_A_SESSION_MAX (__PCF_A_SESSION_MAX - 1)

/* The stats reply: PCF_A_STATS_SESSIONS, the session table's totals. */
enum pcf_sessions_attr {
	PCF_A_SESSIONS_UNSPEC,
	PCF_A_SESSIONS_PAD,
	PCF_A_SESSIONS_CAPACITY,	/* u64: sessions the table holds */
	PCF_A_SESSIONS_ACTIVE,		/* u64: at the last sweep */
	PCF_A_SESSIONS_CREATED,		/* u64: made (workers and XDP) */
	PCF_A_SESSIONS_EXPIRED,		/* u64: reaped by their timeouts */
	PCF_A_SESSIONS_EVICTED,		/* u64: --sessions-full evict-oldest */
	PCF_A_SESSIONS_DELETED,		/* u64: session del, flush */
	PCF_A_SESSIONS_REFUSED,		/* u64: the table was full */
	PCF_A_SESSIONS_PORTS_EXHAUSTED, /* u64: no port left in a range */
	PCF_A_SESSIONS_RACE_LOST,	/* u64: made meanwhile by another */
	PCF_A_SESSIONS_UNTRACKED,	/* u64: ct packets with no session */
	__PCF_A_SESSIONS_MAX,
};
#define PCF_A_SESSIONS_MAX (__PCF_A_SESSIONS_MAX - 1)

/*
 * ---- Named sets (issue 13) ----
 *
 * A set: its name, and in requests and answers its elements, packed
 * struct pcf_set_elem (bpf/pcf_abi.h) in one attribute of at most
 * PCF_SET_ELEMS_PER_MSG of them.  An answer to SET_GET is one message
 * with name, family and count, then as many as it takes with name and a
 * part of the elements.  SET_LOAD comes in parts: the first with
 * PCF_SET_LOAD_BEGIN, the last with PCF_SET_LOAD_COMMIT (one message may
 * have both); until the commit the set keeps its old content.
 */
enum pcf_set_attr {
	PCF_A_SET_UNSPEC,
	PCF_A_SET_NAME,	  /* string, at most PCF_SET_NAME_MAX with the NUL */
	PCF_A_SET_FAMILY, /* u32: 4, 6; 0 while empty */
	PCF_A_SET_COUNT,  /* u32: elements */
	PCF_A_SET_ELEMS,  /* binary: struct pcf_set_elem[] */
	PCF_A_SET_LOAD,	  /* u32: PCF_SET_LOAD_* */
	PCF_A_SET_RULES,  /* u32: rules using the set (answers) */
	/* what its rules matched in XDP, summed (answers) */
	PCF_A_SET_PACKETS, /* u64 */
	PCF_A_SET_BYTES,   /* u64 */
	__PCF_A_SET_MAX,
};
#define PCF_A_SET_MAX (__PCF_A_SET_MAX - 1)

#define PCF_SET_LOAD_BEGIN  (1U << 0)
#define PCF_SET_LOAD_COMMIT (1U << 1)
/* elements in one message, so that a request stays under 64 KiB */
#define PCF_SET_ELEMS_PER_MSG 3000
/* and in one part of an answer (PCF_GENL_MSG_MAX) */
#define PCF_SET_ELEMS_PER_PART 700

/* The AF_XDP bind mode a worker's socket got. */
enum pcf_genl_bind_mode {
	PCF_GENL_BIND_COPY,
	PCF_GENL_BIND_ZEROCOPY,
	PCF_GENL_BIND_MAX,
};

/* ---- the policy: one table for both sides ---- */

enum pcf_attr_type {
	PCF_AT_UNUSED = 0, /* not an attribute of the set: refused */
	PCF_AT_U32,
	PCF_AT_S32,
	PCF_AT_U64,
	PCF_AT_FLAG,
	PCF_AT_STRING, /* NUL terminated, at most max bytes with the NUL */
	PCF_AT_ADDR,   /* binary: 4 (IPv4) or 16 (IPv6) bytes */
	PCF_AT_NEST,
	PCF_AT_PAD,
	PCF_AT_ELEMS, /* binary: 1.. struct pcf_set_elem (named sets) */
};

struct pcf_attr_set;

struct pcf_policy {
	const char *name; /* as in pcf.yaml */
	enum pcf_attr_type type;
	bool ranged; /* integers: min..max apply */
	long long min, max;
	const struct pcf_attr_set *nest; /* PCF_AT_NEST */
	bool multi; /* may appear more than once (PCF_AT_NEST lists) */
};

struct pcf_attr_set {
	const char *name;		 /* as in pcf.yaml */
	unsigned int max;		 /* highest attribute type */
	const struct pcf_policy *policy; /* max + 1 entries */
};

extern const struct pcf_attr_set pcf_flow_set; /* the top level */
extern const struct pcf_attr_set pcf_match_set;
extern const struct pcf_attr_set pcf_action_set;
extern const struct pcf_attr_set pcf_nat_set;
extern const struct pcf_attr_set pcf_stats_set;
extern const struct pcf_attr_set pcf_counter_set;
extern const struct pcf_attr_set pcf_workers_set;
extern const struct pcf_attr_set pcf_worker_set;
extern const struct pcf_attr_set pcf_xsk_set;
extern const struct pcf_attr_set pcf_links_set;
extern const struct pcf_attr_set pcf_link_set;
extern const struct pcf_attr_set pcf_session_set;
extern const struct pcf_attr_set pcf_sessions_set;
extern const struct pcf_attr_set pcf_set_set;

/* Every attribute set of the family (for the spec test). */
const struct pcf_attr_set *const *pcf_genl_sets(unsigned int *ret_n);

/* What each command needs. */
struct pcf_op {
	const char *name;	     /* as in pcf.yaml */
	bool admin;		     /* changes state: uid 0 or CAP_NET_ADMIN */
	bool dump;		     /* NLM_F_DUMP is allowed */
	unsigned long long required; /* bit n: top attribute n required */
};

extern const struct pcf_op pcf_ops[PCF_CMD_MAX + 1];
extern const char *const pcf_mcgrp_names[];

/*
 * Why a message was refused: a human message, and the offending attribute
 * (for NLMSGERR_ATTR_OFFS) or the missing one (NLMSGERR_ATTR_MISS_TYPE).
 */
struct pcf_extack {
	const char *msg;
	const struct nlattr *bad_attr;
	unsigned int miss_type; /* 0: none */
	char buf[160];		/* msg may point here */
};

#define PCF_TB_SIZE(set_max) ((set_max) + 1)
/* At least the highest attribute type of any set (pcf_genl.c checks). */
#define PCF_A_ANY_MAX 24

/*
 * Validate the attributes in [payload, payload + len) against set, nested
 * sets included, and index them in tb (set->max + 1 entries; for a
 * multi attribute the first one).  Strict: unknown attributes, duplicates
 * and bytes left over are refused.  -EINVAL (or -ERANGE for an
 * out-of-range integer) with ext filled.
 */
int pcf_attr_parse(const void *payload, size_t len,
		   const struct pcf_attr_set *set, const struct nlattr **tb,
		   struct pcf_extack *ext);
int pcf_attr_parse_nested(const struct nlattr *nest,
			  const struct pcf_attr_set *set,
			  const struct nlattr **tb, struct pcf_extack *ext);

/*
 * Check one received message of len bytes (the rest of the datagram):
 * header sizes, family type, version and command, then the top level
 * attributes.  Fills tb (PCF_A_MAX + 1) and *ret_genl.
 */
int pcf_msg_parse(const struct nlmsghdr *nlh, size_t len,
		  const struct nlattr **tb, const struct genlmsghdr **ret_genl,
		  struct pcf_extack *ext);
/* Are the attributes the request cmd needs all there? */
int pcf_msg_check_required(unsigned int cmd, const struct nlattr *const *tb,
			   struct pcf_extack *ext);

/* Start a family message in buf. */
struct nlmsghdr *pcf_msg_start(void *buf, __u8 cmd, __u16 flags, __u32 seq);

/*
 * Rules on the wire.  pcf_rule_put writes id (if non-zero), prio, match
 * and action of r; pcf_rule_from_attrs reads them back (key, mask, action,
 * prio, id).  Masks follow the match: a present field matches exactly, an
 * address to its prefix length.
 */
int pcf_rule_put(struct nlmsghdr *nlh, size_t size, const struct pcf_rule *r);
int pcf_rule_put_match(struct nlmsghdr *nlh, size_t size,
		       const struct pcf_rule *r);
int pcf_rule_from_attrs(const struct nlattr *const *tb, struct pcf_rule *ret,
			struct pcf_extack *ext);
int pcf_counters_put(struct nlmsghdr *nlh, size_t size,
		     const struct pcf_counter *c);

/* Set the first plen bits of a len-byte address mask, clear the rest. */
void pcf_genl_prefix_mask(__u8 *mask, unsigned int len, unsigned int plen);

/* Refuse with msg about attr (NULL: none) in ext: -EINVAL. */
int pcf_ext_refuse(struct pcf_extack *ext, const struct nlattr *attr,
		   const char *msg);

/* A session as the protocol carries it (PCF_A_SESSION). */
struct pcf_session {
	struct pcf_ct_key orig;	 /* as the original direction's packets */
	struct pcf_ct_key reply; /* as the replies (after the NAT) */
	__u32 state;		 /* enum pcf_ct_state */
	__u32 timeout;		 /* seconds left */
	__u32 rule_id;
	__u32 age; /* seconds since it was made */
	bool snat, dnat;
	struct pcf_counter orig_c, reply_c;
};

int pcf_session_put(struct nlmsghdr *nlh, size_t size,
		    const struct pcf_session *s);
/* From a PCF_A_SESSION nest (validated). */
int pcf_session_from_attr(const struct nlattr *nest, struct pcf_session *ret,
			  struct pcf_extack *ext);

/*
 * ---- Named sets in rules (issue 13) ----
 *
 * A rule carries a set as an index (pcf_key.src_set, dst_set), the
 * protocol and the words as a name.  The resolver maps between them:
 * pcfd's are its sets; by default (pcfctl) names are given indexes as
 * they come, only to map them back.  -ENOENT: no such set.
 */
struct pcf_set_resolver {
	int (*index)(void *arg, const char *name);
	const char *(*name)(void *arg, unsigned int idx); /* NULL: none */
	void *arg;
};

/* Use r from now on (NULL: the default). */
void pcf_set_resolver_use(const struct pcf_set_resolver *r);
int pcf_set_index(const char *name);
const char *pcf_set_name(unsigned int idx);

/* A set's name, and optionally its parts, into a PCF_A_SET nest. */
int pcf_set_put(struct nlmsghdr *nlh, size_t size, const char *name,
		const struct pcf_set_elem *e, size_t n);

/* Names of the wire values, for the CLI and JSON. */
const char *pcf_genl_verdict_name(unsigned int v);
int pcf_genl_verdict_parse(const char *name); /* -EINVAL if unknown */
const char *pcf_genl_egress_name(unsigned int e);
int pcf_genl_egress_parse(const char *name);
const char *pcf_genl_cmd_name(unsigned int cmd);
const char *pcf_genl_bind_mode_name(unsigned int m);
/* "ESTABLISHED", "UNREPLIED", ... (enum pcf_ct_state) */
const char *pcf_genl_ct_state_name(unsigned int s);

struct xdp_statistics;
/* s's counters by attribute type: ret[PCF_A_XSK_*], PCF_A_XSK_MAX + 1. */
void pcf_genl_xsk_values(const struct xdp_statistics *s, __u64 *ret);
/* Does the counter PCF_A_XSK_* count lost packets (not empty rings)? */
bool pcf_genl_xsk_is_loss(unsigned int attr);

#endif /* PCF_GENL_H */
