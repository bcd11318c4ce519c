// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * pcf_genl.c - the policy tables of the pcf family and the strict
 * validation every received message goes through, on both sides.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <linux/if_xdp.h>

#include "pcf_genl.h"

#define U32_RANGE(n, lo, hi)                                              \
	{                                                                 \
		.name = n, .type = PCF_AT_U32, .ranged = true, .min = lo, \
		.max = hi                                                 \
	}

static const struct pcf_policy nat_policy[PCF_A_NAT_MAX + 1] = {
	[PCF_A_NAT_ADDR] = { .name = "addr", .type = PCF_AT_ADDR },
	[PCF_A_NAT_PORT] = U32_RANGE("port", 0, 65535),
	[PCF_A_NAT_PORT_MAX] = U32_RANGE("port-max", 1, 65535),
};

const struct pcf_attr_set pcf_nat_set = {
	.name = "nat",
	.max = PCF_A_NAT_MAX,
	.policy = nat_policy,
};

static const struct pcf_policy match_policy[PCF_A_MATCH_MAX + 1] = {
	[PCF_A_MATCH_SRC] = { .name = "src", .type = PCF_AT_ADDR },
	[PCF_A_MATCH_SRC_PLEN] = U32_RANGE("src-plen", 0, 128),
	[PCF_A_MATCH_DST] = { .name = "dst", .type = PCF_AT_ADDR },
	[PCF_A_MATCH_DST_PLEN] = U32_RANGE("dst-plen", 0, 128),
	[PCF_A_MATCH_SPORT] = U32_RANGE("sport", 0, 65535),
	[PCF_A_MATCH_DPORT] = U32_RANGE("dport", 0, 65535),
	[PCF_A_MATCH_PROTO] = U32_RANGE("proto", 0, 255),
	[PCF_A_MATCH_IFINDEX] = U32_RANGE("ifindex", 1, 0xffffffff),
	/* VXLAN (issue 13) */
	[PCF_A_MATCH_ENCAP] = U32_RANGE("encap", PCF_TUN_VXLAN, PCF_TUN_VXLAN),
	[PCF_A_MATCH_VNI] = U32_RANGE("vni", 0, PCF_TUN_VNI_MASK),
	/* named sets (issue 13) */
	[PCF_A_MATCH_SRC_SET] = { .name = "src-set",
				  .type = PCF_AT_STRING,
				  .max = PCF_SET_NAME_MAX },
	[PCF_A_MATCH_DST_SET] = { .name = "dst-set",
				  .type = PCF_AT_STRING,
				  .max = PCF_SET_NAME_MAX },
};

const struct pcf_attr_set pcf_match_set = {
	.name = "match",
	.max = PCF_A_MATCH_MAX,
	.policy = match_policy,
};

static const struct pcf_policy action_policy[PCF_A_ACT_MAX + 1] = {
	[PCF_A_ACT_VERDICT] = U32_RANGE("verdict", 0, PCF_VERDICT_MAX - 1),
	[PCF_A_ACT_TTL_DELTA] = { .name = "ttl-delta",
				  .type = PCF_AT_S32,
				  .ranged = true,
				  .min = -128,
				  .max = 127 },
	[PCF_A_ACT_DF_CLEAR] = { .name = "df-clear", .type = PCF_AT_FLAG },
	[PCF_A_ACT_SNAT] = { .name = "snat",
			     .type = PCF_AT_NEST,
			     .nest = &pcf_nat_set },
	[PCF_A_ACT_DNAT] = { .name = "dnat",
			     .type = PCF_AT_NEST,
			     .nest = &pcf_nat_set },
	[PCF_A_ACT_MARK] = { .name = "mark", .type = PCF_AT_U32 },
	[PCF_A_ACT_MIRROR] = U32_RANGE("mirror", 1, 0xffffffff),
	[PCF_A_ACT_EGRESS] = U32_RANGE("egress", 0, PCF_EGRESS_MAX - 1),
	[PCF_A_ACT_QUEUE] = U32_RANGE("queue", 0, 65535),
	[PCF_A_ACT_CT] = { .name = "ct", .type = PCF_AT_FLAG },
	[PCF_A_ACT_MASQUERADE] = { .name = "masquerade", .type = PCF_AT_FLAG },
	/* VXLAN and explicit egress (issue 13) */
	[PCF_A_ACT_DECAP] = { .name = "decap", .type = PCF_AT_FLAG },
	[PCF_A_ACT_EGRESS_DEV] = U32_RANGE("egress-dev", 1, 0xffffffff),
	[PCF_A_ACT_EGRESS_VIA] = { .name = "egress-via", .type = PCF_AT_ADDR },
};

const struct pcf_attr_set pcf_action_set = {
	.name = "action",
	.max = PCF_A_ACT_MAX,
	.policy = action_policy,
};

static const struct pcf_policy counter_policy[PCF_A_COUNTER_MAX + 1] = {
	[PCF_A_COUNTER_PAD] = { .name = "pad", .type = PCF_AT_PAD },
	[PCF_A_COUNTER_KIND] = U32_RANGE("kind", 0, PCF_COUNTER_KIND_MAX - 1),
	[PCF_A_COUNTER_NAME] = { .name = "name",
				 .type = PCF_AT_STRING,
				 .max = 32 },
	[PCF_A_COUNTER_PACKETS] = { .name = "packets", .type = PCF_AT_U64 },
	[PCF_A_COUNTER_BYTES] = { .name = "bytes", .type = PCF_AT_U64 },
};

const struct pcf_attr_set pcf_counter_set = {
	.name = "counter",
	.max = PCF_A_COUNTER_MAX,
	.policy = counter_policy,
};

static const struct pcf_policy stats_policy[PCF_A_STATS_MAX + 1] = {
	[PCF_A_STATS_COUNTER] = { .name = "counter",
				  .type = PCF_AT_NEST,
				  .nest = &pcf_counter_set,
				  .multi = true },
};

const struct pcf_attr_set pcf_stats_set = {
	.name = "stats",
	.max = PCF_A_STATS_MAX,
	.policy = stats_policy,
};

static const struct pcf_policy worker_policy[PCF_A_WORKER_MAX + 1] = {
	[PCF_A_WORKER_PAD] = { .name = "pad", .type = PCF_AT_PAD },
	[PCF_A_WORKER_IFNAME] = { .name = "ifname",
				  .type = PCF_AT_STRING,
				  .max = 16 },
	[PCF_A_WORKER_IFINDEX] = U32_RANGE("ifindex", 1, 0xffffffff),
	[PCF_A_WORKER_QUEUE] = { .name = "queue", .type = PCF_AT_U32 },
	[PCF_A_WORKER_CPU] = { .name = "cpu",
			       .type = PCF_AT_S32,
			       .ranged = true,
			       .min = -1,
			       .max = 0x7fffffff },
	[PCF_A_WORKER_BIND_MODE] =
	    U32_RANGE("bind-mode", 0, PCF_GENL_BIND_MAX - 1),
	[PCF_A_WORKER_RX_PACKETS] = { .name = "rx-packets",
				      .type = PCF_AT_U64 },
	[PCF_A_WORKER_RX_BYTES] = { .name = "rx-bytes", .type = PCF_AT_U64 },
	[PCF_A_WORKER_TX_PACKETS] = { .name = "tx-packets",
				      .type = PCF_AT_U64 },
	[PCF_A_WORKER_TX_BYTES] = { .name = "tx-bytes", .type = PCF_AT_U64 },
	[PCF_A_WORKER_HEARTBEAT] = { .name = "heartbeat", .type = PCF_AT_U64 },
	[PCF_A_WORKER_MIRROR_PACKETS] = { .name = "mirror-packets",
					  .type = PCF_AT_U64 },
	[PCF_A_WORKER_COUNTER] = { .name = "counter",
				   .type = PCF_AT_NEST,
				   .nest = &pcf_counter_set,
				   .multi = true },
	[PCF_A_WORKER_SOCKET] = { .name = "socket",
				  .type = PCF_AT_NEST,
				  .nest = &pcf_xsk_set },
	[PCF_A_WORKER_RETURN_SOCKET] = { .name = "return-socket",
					 .type = PCF_AT_NEST,
					 .nest = &pcf_xsk_set },
	[PCF_A_WORKER_L4_CSUM_SAMPLED] = { .name = "l4-csum-sampled",
					   .type = PCF_AT_U64 },
	[PCF_A_WORKER_BAD_L4_CSUM] = { .name = "bad-l4-csum",
				       .type = PCF_AT_U64 },
};

#define U64_ATTR(n)                           \
	{                                     \
		.name = n, .type = PCF_AT_U64 \
	}

static const struct pcf_policy xsk_policy[PCF_A_XSK_MAX + 1] = {
	[PCF_A_XSK_PAD] = { .name = "pad", .type = PCF_AT_PAD },
	[PCF_A_XSK_RX_DROPPED] = U64_ATTR("rx-dropped"),
	[PCF_A_XSK_RX_INVALID_DESCS] = U64_ATTR("rx-invalid-descs"),
	[PCF_A_XSK_TX_INVALID_DESCS] = U64_ATTR("tx-invalid-descs"),
	[PCF_A_XSK_RX_RING_FULL] = U64_ATTR("rx-ring-full"),
	[PCF_A_XSK_RX_FILL_RING_EMPTY_DESCS] =
	    U64_ATTR("rx-fill-ring-empty-descs"),
	[PCF_A_XSK_TX_RING_EMPTY_DESCS] = U64_ATTR("tx-ring-empty-descs"),
};

const struct pcf_attr_set pcf_xsk_set = {
	.name = "xsk",
	.max = PCF_A_XSK_MAX,
	.policy = xsk_policy,
};

void pcf_genl_xsk_values(const struct xdp_statistics *s, __u64 *ret)
{
	memset(ret, 0, sizeof(*ret) * (PCF_A_XSK_MAX + 1));
	ret[PCF_A_XSK_RX_DROPPED] = s->rx_dropped;
	ret[PCF_A_XSK_RX_INVALID_DESCS] = s->rx_invalid_descs;
	ret[PCF_A_XSK_TX_INVALID_DESCS] = s->tx_invalid_descs;
	ret[PCF_A_XSK_RX_RING_FULL] = s->rx_ring_full;
	ret[PCF_A_XSK_RX_FILL_RING_EMPTY_DESCS] = s->rx_fill_ring_empty_descs;
	ret[PCF_A_XSK_TX_RING_EMPTY_DESCS] = s->tx_ring_empty_descs;
}

bool pcf_genl_xsk_is_loss(unsigned int attr)
{
	return attr == PCF_A_XSK_RX_DROPPED ||
	       attr == PCF_A_XSK_RX_INVALID_DESCS ||
	       attr == PCF_A_XSK_TX_INVALID_DESCS ||
	       attr == PCF_A_XSK_RX_RING_FULL;
}

static const struct pcf_policy link_policy[PCF_A_LINK_MAX + 1] = {
	[PCF_A_LINK_PAD] = { .name = "pad", .type = PCF_AT_PAD },
	[PCF_A_LINK_IFNAME] = { .name = "ifname",
				.type = PCF_AT_STRING,
				.max = 16 },
	[PCF_A_LINK_MTU] = { .name = "mtu", .type = PCF_AT_U32 },
	[PCF_A_LINK_RX_PACKETS] = U64_ATTR("rx-packets"),
	[PCF_A_LINK_RX_DROPPED] = U64_ATTR("rx-dropped"),
	[PCF_A_LINK_TX_PACKETS] = U64_ATTR("tx-packets"),
	[PCF_A_LINK_TX_DROPPED] = U64_ATTR("tx-dropped"),
};

const struct pcf_attr_set pcf_link_set = {
	.name = "link",
	.max = PCF_A_LINK_MAX,
	.policy = link_policy,
};

static const struct pcf_policy links_policy[PCF_A_LINKS_MAX + 1] = {
	[PCF_A_LINKS_LINK] = { .name = "link",
			       .type = PCF_AT_NEST,
			       .nest = &pcf_link_set,
			       .multi = true },
};

const struct pcf_attr_set pcf_links_set = {
	.name = "links",
	.max = PCF_A_LINKS_MAX,
	.policy = links_policy,
};

const struct pcf_attr_set pcf_worker_set = {
	.name = "worker",
	.max = PCF_A_WORKER_MAX,
	.policy = worker_policy,
};

static const struct pcf_policy workers_policy[PCF_A_WORKERS_MAX + 1] = {
	[PCF_A_WORKERS_WORKER] = { .name = "worker",
				   .type = PCF_AT_NEST,
				   .nest = &pcf_worker_set,
				   .multi = true },
};

const struct pcf_attr_set pcf_workers_set = {
	.name = "workers",
	.max = PCF_A_WORKERS_MAX,
	.policy = workers_policy,
};

static const struct pcf_policy session_policy[PCF_A_SESSION_MAX + 1] = {
	[PCF_A_SESSION_PAD] = { .name = "pad", .type = PCF_AT_PAD },
	[PCF_A_SESSION_PROTO] = U32_RANGE("proto", 0, 255),
	[PCF_A_SESSION_ORIG_SRC] = { .name = "orig-src", .type = PCF_AT_ADDR },
	[PCF_A_SESSION_ORIG_DST] = { .name = "orig-dst", .type = PCF_AT_ADDR },
	[PCF_A_SESSION_ORIG_SPORT] = U32_RANGE("orig-sport", 0, 65535),
	[PCF_A_SESSION_ORIG_DPORT] = U32_RANGE("orig-dport", 0, 65535),
	[PCF_A_SESSION_REPLY_SRC] = { .name = "reply-src",
				      .type = PCF_AT_ADDR },
	[PCF_A_SESSION_REPLY_DST] = { .name = "reply-dst",
				      .type = PCF_AT_ADDR },
	[PCF_A_SESSION_REPLY_SPORT] = U32_RANGE("reply-sport", 0, 65535),
	[PCF_A_SESSION_REPLY_DPORT] = U32_RANGE("reply-dport", 0, 65535),
	[PCF_A_SESSION_STATE] = U32_RANGE("state", 0, PCF_CT_STATE_MAX - 1),
	[PCF_A_SESSION_TIMEOUT] = { .name = "timeout", .type = PCF_AT_U32 },
	[PCF_A_SESSION_ORIG_PACKETS] = U64_ATTR("orig-packets"),
	[PCF_A_SESSION_ORIG_BYTES] = U64_ATTR("orig-bytes"),
	[PCF_A_SESSION_REPLY_PACKETS] = U64_ATTR("reply-packets"),
	[PCF_A_SESSION_REPLY_BYTES] = U64_ATTR("reply-bytes"),
	[PCF_A_SESSION_RULE_ID] = { .name = "rule-id", .type = PCF_AT_U32 },
	[PCF_A_SESSION_SNAT] = { .name = "snat", .type = PCF_AT_FLAG },
	[PCF_A_SESSION_DNAT] = { .name = "dnat", .type = PCF_AT_FLAG },
	[PCF_A_SESSION_AGE] = { .name = "age", .type = PCF_AT_U32 },
};

const struct pcf_attr_set pcf_session_set = {
	.name = "session",
	.max = PCF_A_SESSION_MAX,
	.policy = session_policy,
};

static const struct pcf_policy sessions_policy[PCF_A_SESSIONS_MAX + 1] = {
	[PCF_A_SESSIONS_PAD] = { .name = "pad", .type = PCF_AT_PAD },
	[PCF_A_SESSIONS_CAPACITY] = U64_ATTR("capacity"),
	[PCF_A_SESSIONS_ACTIVE] = U64_ATTR("active"),
	[PCF_A_SESSIONS_CREATED] = U64_ATTR("created"),
	[PCF_A_SESSIONS_EXPIRED] = U64_ATTR("expired"),
	[PCF_A_SESSIONS_EVICTED] = U64_ATTR("evicted"),
	[PCF_A_SESSIONS_DELETED] = U64_ATTR("deleted"),
	[PCF_A_SESSIONS_REFUSED] = U64_ATTR("refused"),
	[PCF_A_SESSIONS_PORTS_EXHAUSTED] = U64_ATTR("ports-exhausted"),
	[PCF_A_SESSIONS_RACE_LOST] = U64_ATTR("race-lost"),
	[PCF_A_SESSIONS_UNTRACKED] = U64_ATTR("untracked"),
};

const struct pcf_attr_set pcf_sessions_set = {
	.name = "sessions",
	.max = PCF_A_SESSIONS_MAX,
	.policy = sessions_policy,
};

/* named sets (issue 13) */
static const struct pcf_policy set_policy[PCF_A_SET_MAX + 1] = {
	[PCF_A_SET_NAME] = { .name = "name",
			     .type = PCF_AT_STRING,
			     .max = PCF_SET_NAME_MAX },
	[PCF_A_SET_FAMILY] = U32_RANGE("family", 0, 6),
	[PCF_A_SET_COUNT] = { .name = "count", .type = PCF_AT_U32 },
	[PCF_A_SET_ELEMS] = { .name = "elems", .type = PCF_AT_ELEMS },
	[PCF_A_SET_LOAD] = U32_RANGE("load", 0, 3),
	[PCF_A_SET_RULES] = { .name = "rules", .type = PCF_AT_U32 },
	[PCF_A_SET_PACKETS] = { .name = "packets", .type = PCF_AT_U64 },
	[PCF_A_SET_BYTES] = { .name = "bytes", .type = PCF_AT_U64 },
};

const struct pcf_attr_set pcf_set_set = {
	.name = "set",
	.max = PCF_A_SET_MAX,
	.policy = set_policy,
};

static const struct pcf_policy flow_policy[PCF_A_MAX + 1] = {
	[PCF_A_PAD] = { .name = "pad", .type = PCF_AT_PAD },
	[PCF_A_FLOW_ID] = U32_RANGE("id", 1, 0xffffffff),
	[PCF_A_FLOW_PRIO] = U32_RANGE("prio", 0, PCF_PRIO_MAX),
	[PCF_A_FLOW_MATCH] = { .name = "match",
			       .type = PCF_AT_NEST,
			       .nest = &pcf_match_set },
	[PCF_A_FLOW_ACTION] = { .name = "action",
				.type = PCF_AT_NEST,
				.nest = &pcf_action_set },
	[PCF_A_FLOW_PACKETS] = { .name = "packets", .type = PCF_AT_U64 },
	[PCF_A_FLOW_BYTES] = { .name = "bytes", .type = PCF_AT_U64 },
	[PCF_A_STATS_XDP] = { .name = "stats-xdp",
			      .type = PCF_AT_NEST,
			      .nest = &pcf_stats_set },
	[PCF_A_STATS_WORKERS] = { .name = "stats-workers",
				  .type = PCF_AT_NEST,
				  .nest = &pcf_workers_set },
	[PCF_A_FLOW_WORKER_PACKETS] = { .name = "worker-packets",
					.type = PCF_AT_U64 },
	[PCF_A_FLOW_WORKER_BYTES] = { .name = "worker-bytes",
				      .type = PCF_AT_U64 },
	[PCF_A_STATS_LINKS] = { .name = "stats-links",
				.type = PCF_AT_NEST,
				.nest = &pcf_links_set },
	[PCF_A_SESSION] = { .name = "session",
			    .type = PCF_AT_NEST,
			    .nest = &pcf_session_set },
	[PCF_A_STATS_SESSIONS] = { .name = "stats-sessions",
				   .type = PCF_AT_NEST,
				   .nest = &pcf_sessions_set },
	[PCF_A_SET] = { .name = "set",
			.type = PCF_AT_NEST,
			.nest = &pcf_set_set },
};

const struct pcf_attr_set pcf_flow_set = {
	.name = "flow",
	.max = PCF_A_MAX,
	.policy = flow_policy,
};

#define BIT(n) (1ULL << (n))

const struct pcf_op pcf_ops[PCF_CMD_MAX + 1] = {
	[PCF_CMD_FLOW_NEW] = { .name = "flow-new",
			       .admin = true,
			       .required = BIT(PCF_A_FLOW_ACTION) },
	[PCF_CMD_FLOW_DEL] = { .name = "flow-del", .admin = true },
	[PCF_CMD_FLOW_GET] = { .name = "flow-get", .dump = true },
	[PCF_CMD_FLOW_FLUSH] = { .name = "flow-flush", .admin = true },
	[PCF_CMD_STATS_GET] = { .name = "stats-get" },
	[PCF_CMD_SESSION_GET] = { .name = "session-get", .dump = true },
	[PCF_CMD_SESSION_DEL] = { .name = "session-del",
				  .admin = true,
				  .required = BIT(PCF_A_FLOW_MATCH) },
	[PCF_CMD_SESSION_FLUSH] = { .name = "session-flush", .admin = true },
	/* an event pcfd sends; as a request, refused */
	[PCF_CMD_SESSION_NEW] = { .name = "session-new", .admin = true },
	/* named sets (issue 13) */
	[PCF_CMD_SET_NEW] = { .name = "set-new",
			      .admin = true,
			      .required = BIT(PCF_A_SET) },
	[PCF_CMD_SET_DEL] = { .name = "set-del",
			      .admin = true,
			      .required = BIT(PCF_A_SET) },
	[PCF_CMD_SET_GET] = { .name = "set-get", .dump = true },
	[PCF_CMD_SET_FLUSH] = { .name = "set-flush",
				.admin = true,
				.required = BIT(PCF_A_SET) },
	[PCF_CMD_SET_DESTROY] = { .name = "set-destroy",
				  .admin = true,
				  .required = BIT(PCF_A_SET) },
	[PCF_CMD_SET_LOAD] = { .name = "set-load",
			       .admin = true,
			       .required = BIT(PCF_A_SET) },
};

const char *const pcf_mcgrp_names[] = {
	[PCF_MCGRP_EVENTS] = "events",
	[PCF_MCGRP_SESSIONS] = "sessions",
	NULL,
};

_Static_assert(
    PCF_A_MAX <= PCF_A_ANY_MAX && PCF_A_MATCH_MAX <= PCF_A_ANY_MAX &&
	PCF_A_ACT_MAX <= PCF_A_ANY_MAX && PCF_A_NAT_MAX <= PCF_A_ANY_MAX &&
	PCF_A_STATS_MAX <= PCF_A_ANY_MAX &&
	PCF_A_COUNTER_MAX <= PCF_A_ANY_MAX &&
	PCF_A_WORKERS_MAX <= PCF_A_ANY_MAX &&
	PCF_A_WORKER_MAX <= PCF_A_ANY_MAX && PCF_A_XSK_MAX <= PCF_A_ANY_MAX &&
	PCF_A_LINKS_MAX <= PCF_A_ANY_MAX && PCF_A_LINK_MAX <= PCF_A_ANY_MAX &&
	PCF_A_SESSION_MAX <= PCF_A_ANY_MAX &&
	PCF_A_SESSIONS_MAX <= PCF_A_ANY_MAX && PCF_A_SET_MAX <= PCF_A_ANY_MAX,
    "check_attr's sub[] must hold every set");

static const struct pcf_attr_set *const all_sets[] = {
	&pcf_flow_set,	   &pcf_match_set,   &pcf_action_set,  &pcf_nat_set,
	&pcf_stats_set,	   &pcf_counter_set, &pcf_workers_set, &pcf_worker_set,
	&pcf_xsk_set,	   &pcf_links_set,   &pcf_link_set,    &pcf_session_set,
	&pcf_sessions_set, &pcf_set_set,
};

static int refuse(struct pcf_extack *ext, const struct nlattr *attr, int err,
		  const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int refuse(struct pcf_extack *ext, const struct nlattr *attr, int err,
		  const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(ext->buf, sizeof(ext->buf), fmt, ap);
	va_end(ap);
	ext->msg = ext->buf;
	ext->bad_attr = attr;
	return err;
}

static int check_int(const struct nlattr *a, const struct pcf_attr_set *set,
		     const struct pcf_policy *p, struct pcf_extack *ext)
{
	long long v;

	if (p->type == PCF_AT_U64)
		return mnl_attr_get_payload_len(a) == 8
			   ? 0
			   : refuse(ext, a, -EINVAL,
				    "attribute %s.%s must be 8 bytes (u64)",
				    set->name, p->name);
	if (mnl_attr_get_payload_len(a) != 4)
		return refuse(ext, a, -EINVAL,
			      "attribute %s.%s must be 4 bytes (%s)", set->name,
			      p->name, p->type == PCF_AT_S32 ? "s32" : "u32");
	v = p->type == PCF_AT_S32 ? (long long)(__s32)mnl_attr_get_u32(a)
				  : (long long)mnl_attr_get_u32(a);
	if (p->ranged && (v < p->min || v > p->max))
		return refuse(
		    ext, a, -ERANGE,
		    "attribute %s.%s = %lld is out of range %lld..%lld",
		    set->name, p->name, v, p->min, p->max);
	return 0;
}

static int check_attr(const struct nlattr *a, const struct pcf_attr_set *set,
		      const struct pcf_policy *p, struct pcf_extack *ext)
{
	const struct nlattr *sub[PCF_A_ANY_MAX + 1]; /* any nested set */
	size_t len = mnl_attr_get_payload_len(a);
	const char *s;

	if ((a->nla_type & NLA_F_NESTED) && p->type != PCF_AT_NEST)
		return refuse(ext, a, -EINVAL, "attribute %s.%s is not a nest",
			      set->name, p->name);
	switch (p->type) {
	case PCF_AT_U32:
	case PCF_AT_S32:
	case PCF_AT_U64:
		return check_int(a, set, p, ext);
	case PCF_AT_FLAG:
		return len ? refuse(ext, a, -EINVAL,
				    "flag %s.%s must have no payload",
				    set->name, p->name)
			   : 0;
	case PCF_AT_STRING:
		s = mnl_attr_get_payload(a);
		if (!len || s[len - 1] || strlen(s) != len - 1 ||
		    (long long)len > p->max)
			return refuse(
			    ext, a, -EINVAL,
			    "attribute %s.%s must be a string of at most %lld bytes",
			    set->name, p->name, p->max - 1);
		return 0;
	case PCF_AT_ADDR:
		return len == 4 || len == 16
			   ? 0
			   : refuse(
				 ext, a, -EINVAL,
				 "attribute %s.%s must be an IPv4 or IPv6 address (4 or 16 bytes)",
				 set->name, p->name);
	case PCF_AT_ELEMS:
		return len && len % sizeof(struct pcf_set_elem) == 0 &&
			       len <= PCF_SET_ELEMS_PER_MSG *
					  sizeof(struct pcf_set_elem)
			   ? 0
			   : refuse(
				 ext, a, -EINVAL,
				 "attribute %s.%s must hold 1..%d set elements of %zu bytes",
				 set->name, p->name, PCF_SET_ELEMS_PER_MSG,
				 sizeof(struct pcf_set_elem));
	case PCF_AT_NEST:
		return pcf_attr_parse_nested(a, p->nest, sub, ext);
	case PCF_AT_PAD:
		return 0;
	default:
		return refuse(ext, a, -EINVAL, "unknown attribute %u in %s",
			      mnl_attr_get_type(a), set->name);
	}
}

int pcf_attr_parse(const void *payload, size_t len,
		   const struct pcf_attr_set *set, const struct nlattr **tb,
		   struct pcf_extack *ext)
{
	const struct nlattr *a = payload;
	const struct pcf_policy *p;
	unsigned int type;
	int err;

	memset(tb, 0, sizeof(*tb) * (set->max + 1));
	while (len >= sizeof(*a)) {
		if (!mnl_attr_ok(a, (int)len))
			return refuse(
			    ext, a, -EINVAL,
			    "an attribute of %s runs past the end of the message",
			    set->name);
		type = mnl_attr_get_type(a);
		p = type <= set->max ? &set->policy[type] : NULL;
		if (!p || p->type == PCF_AT_UNUSED)
			return refuse(ext, a, -EINVAL,
				      "unknown attribute %u in %s", type,
				      set->name);
		err = check_attr(a, set, p, ext);
		if (err)
			return err;
		if (tb[type] && !p->multi && p->type != PCF_AT_PAD)
			return refuse(ext, a, -EINVAL,
				      "attribute %s.%s given twice", set->name,
				      p->name);
		if (!tb[type])
			tb[type] = a;
		if ((size_t)NLA_ALIGN(a->nla_len) >= len)
			return 0;
		len -= NLA_ALIGN(a->nla_len);
		a = mnl_attr_next(a);
	}
	if (len)
		return refuse(ext, a, -EINVAL,
			      "%zu stray bytes after the attributes of %s", len,
			      set->name);
	return 0;
}

int pcf_attr_parse_nested(const struct nlattr *nest,
			  const struct pcf_attr_set *set,
			  const struct nlattr **tb, struct pcf_extack *ext)
{
	return pcf_attr_parse(mnl_attr_get_payload(nest),
			      mnl_attr_get_payload_len(nest), set, tb, ext);
}

int pcf_msg_parse(const struct nlmsghdr *nlh, size_t len,
		  const struct nlattr **tb, const struct genlmsghdr **ret_genl,
		  struct pcf_extack *ext)
{
	const struct genlmsghdr *genl;
	int err;

	if (len < NLMSG_HDRLEN || nlh->nlmsg_len < NLMSG_HDRLEN ||
	    nlh->nlmsg_len > len)
		return refuse(ext, NULL, -EINVAL,
			      "truncated message: %zu bytes, header says %u",
			      len, len >= NLMSG_HDRLEN ? nlh->nlmsg_len : 0);
	if (nlh->nlmsg_type != PCF_GENL_TYPE)
		return refuse(ext, NULL, -EOPNOTSUPP,
			      "message type %u is not the pcf family (%u)",
			      nlh->nlmsg_type, PCF_GENL_TYPE);
	if (mnl_nlmsg_get_payload_len(nlh) < GENL_HDRLEN)
		return refuse(ext, NULL, -EINVAL, "truncated genetlink header");
	genl = mnl_nlmsg_get_payload(nlh);
	if (genl->version != PCF_GENL_VERSION)
		return refuse(ext, NULL, -EPROTONOSUPPORT,
			      "protocol version %u, this side speaks %u",
			      genl->version, PCF_GENL_VERSION);
	if (!genl->cmd || genl->cmd > PCF_CMD_MAX)
		return refuse(ext, NULL, -EOPNOTSUPP, "unknown command %u",
			      genl->cmd);
	err = pcf_attr_parse(mnl_nlmsg_get_payload_offset(nlh, GENL_HDRLEN),
			     mnl_nlmsg_get_payload_len(nlh) - GENL_HDRLEN,
			     &pcf_flow_set, tb, ext);
	if (err)
		return err;
	if (ret_genl)
		*ret_genl = genl;
	return 0;
}

int pcf_msg_check_required(unsigned int cmd, const struct nlattr *const *tb,
			   struct pcf_extack *ext)
{
	unsigned int i;

	if (!cmd || cmd > PCF_CMD_MAX)
		return refuse(ext, NULL, -EOPNOTSUPP, "unknown command %u",
			      cmd);
	for (i = 0; i <= PCF_A_MAX; i++) {
		if ((pcf_ops[cmd].required & BIT(i)) && !tb[i]) {
			ext->miss_type = i;
			return refuse(ext, NULL, -EINVAL,
				      "%s needs attribute %s",
				      pcf_ops[cmd].name, flow_policy[i].name);
		}
	}
	return 0;
}

struct nlmsghdr *pcf_msg_start(void *buf, __u8 cmd, __u16 flags, __u32 seq)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *genl;

	nlh->nlmsg_type = PCF_GENL_TYPE;
	nlh->nlmsg_flags = flags;
	nlh->nlmsg_seq = seq;
	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	genl->cmd = cmd;
	genl->version = PCF_GENL_VERSION;
	return nlh;
}

const char *pcf_genl_cmd_name(unsigned int cmd)
{
	return cmd && cmd <= PCF_CMD_MAX ? pcf_ops[cmd].name : "?";
}

const char *pcf_genl_bind_mode_name(unsigned int m)
{
	return m == PCF_GENL_BIND_ZEROCOPY ? "zerocopy"
	       : m == PCF_GENL_BIND_COPY   ? "copy"
					   : "?";
}

static const char *const ct_state_names[PCF_CT_STATE_MAX] = {
	[PCF_CT_SYN_SENT] = "SYN_SENT",	      [PCF_CT_SYN_RECV] = "SYN_RECV",
	[PCF_CT_ESTABLISHED] = "ESTABLISHED", [PCF_CT_FIN_WAIT] = "FIN_WAIT",
	[PCF_CT_TIME_WAIT] = "TIME_WAIT",     [PCF_CT_CLOSE] = "CLOSE",
	[PCF_CT_UNREPLIED] = "UNREPLIED",     [PCF_CT_REPLIED] = "REPLIED",
	[PCF_CT_STREAM] = "STREAM",
};

const char *pcf_genl_ct_state_name(unsigned int s)
{
	return s < PCF_CT_STATE_MAX ? ct_state_names[s] : "?";
}

const struct pcf_attr_set *const *pcf_genl_sets(unsigned int *ret_n)
{
	*ret_n = sizeof(all_sets) / sizeof(all_sets[0]);
	return all_sets;
}
