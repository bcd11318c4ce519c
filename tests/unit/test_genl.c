// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * test_genl: the pcf family's messages.  Rules survive an encode/decode
 * round trip bit for bit, and every way a message can break the policy is
 * refused with the right errno, a message, and the offending attribute.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <cmocka.h>

#include "pcf_genl.h"

static char buf[PCF_GENL_MSG_MAX];

static struct pcf_rule v4_rule(void)
{
	struct pcf_rule r = { .id = 7, .prio = 100 };

	r.key.family = 4;
	r.mask.family = 0xff;
	inet_pton(AF_INET, "198.18.0.0", r.key.src);
	pcf_genl_prefix_mask(r.mask.src, 4, 15);
	inet_pton(AF_INET, "198.19.1.2", r.key.dst);
	pcf_genl_prefix_mask(r.mask.dst, 4, 32);
	r.key.sport = htons(1234);
	r.mask.sport = 0xffff;
	r.key.dport = htons(80);
	r.mask.dport = 0xffff;
	r.key.proto = IPPROTO_TCP;
	r.mask.proto = 0xff;
	r.key.ifindex = 3;
	r.mask.ifindex = 0xffffffff;
	r.action.verdict = PCF_VERDICT_PASS;
	r.action.flags = PCF_ACT_TTL | PCF_ACT_DF_CLEAR;
	r.action.ttl_delta = -3;
	return r;
}

static struct pcf_rule v6_rule(void)
{
	struct pcf_rule r = { .id = 0xfffffffe, .prio = 0 };
	struct pcf_action *a = &r.action;

	r.key.family = 6;
	r.mask.family = 0xff;
	inet_pton(AF_INET6, "2001:db8::", r.key.dst);
	pcf_genl_prefix_mask(r.mask.dst, 16, 33);
	r.key.dst[4] &= 0x80;
	r.key.proto = IPPROTO_UDP;
	r.mask.proto = 0xff;
	a->verdict = PCF_VERDICT_REDIRECT;
	a->flags = PCF_ACT_SNAT | PCF_ACT_DNAT | PCF_ACT_MARK | PCF_ACT_MIRROR |
		   PCF_ACT_QUEUE | PCF_ACT_TTL;
	a->ttl_delta = 127;
	inet_pton(AF_INET6, "2001:db8::5", a->snat.addr);
	a->snat.family = 6;
	a->snat.port = htons(99);
	inet_pton(AF_INET6, "2001:db8::6", a->dnat.addr);
	a->dnat.family = 6;
	a->mark = 0xdeadbeef;
	a->mirror_ifindex = 12;
	a->egress = PCF_EGRESS_WIRE;
	a->queue = 65535;
	return r;
}

/* Encode r, parse it back as the receiving side would. */
static void round_trip(const struct pcf_rule *r)
{
	const struct nlattr *tb[PCF_A_MAX + 1];
	const struct genlmsghdr *genl;
	struct pcf_extack ext = {};
	struct pcf_rule got, want = *r;
	struct nlmsghdr *nlh;

	/* a rule read from the wire says outer or inner (issue 13) */
	want.mask.tun |= PCF_TUN_KIND_MASK;
	r = &want;
	nlh = pcf_msg_start(buf, PCF_CMD_FLOW_NEW, NLM_F_REQUEST, 42);
	assert_int_equal(pcf_rule_put(nlh, sizeof(buf), r), 0);
	assert_int_equal(pcf_msg_parse(nlh, nlh->nlmsg_len, tb, &genl, &ext),
			 0);
	assert_int_equal(genl->cmd, PCF_CMD_FLOW_NEW);
	assert_int_equal(pcf_msg_check_required(genl->cmd, tb, &ext), 0);
	assert_int_equal(pcf_rule_from_attrs(tb, &got, &ext), 0);
	assert_int_equal(got.id, r->id);
	assert_int_equal(got.prio, r->prio);
	assert_memory_equal(&got.key, &r->key, sizeof(got.key));
	assert_memory_equal(&got.mask, &r->mask, sizeof(got.mask));
	assert_memory_equal(&got.action, &r->action, sizeof(got.action));
	assert_int_equal(got.snat_port_max, r->snat_port_max);
	assert_int_equal(got.egress_ifindex, r->egress_ifindex);
	assert_int_equal(got.egress_via_family, r->egress_via_family);
	assert_memory_equal(got.egress_via, r->egress_via,
			    sizeof(got.egress_via));
}

static void test_round_trip_v4(void **state)
{
	struct pcf_rule r = v4_rule();

	round_trip(&r);
}

static void test_round_trip_v6(void **state)
{
	struct pcf_rule r = v6_rule();

	round_trip(&r);
}

/* ct snat with a port range, ct masquerade, pass ct. */
static void test_round_trip_ct(void **state)
{
	struct pcf_rule r = v6_rule();

	r.action = (struct pcf_action){ .verdict = PCF_VERDICT_REDIRECT,
					.flags = PCF_ACT_CT | PCF_ACT_SNAT,
					.snat = r.action.snat };
	r.snat_port_max = htons(29999);
	round_trip(&r);
	r.action.flags = PCF_ACT_CT | PCF_ACT_MASQ;
	r.action.snat = (struct pcf_nat){};
	r.snat_port_max = 0;
	round_trip(&r);
	r = v4_rule();
	r.action.flags |= PCF_ACT_CT;
	round_trip(&r);
}

/* VXLAN and explicit egress (issue 13): encap, vni, decap, egress dev via. */
static void test_round_trip_encap(void **state)
{
	struct pcf_rule r = v4_rule();

	r.key.tun = PCF_TUN(PCF_TUN_VXLAN, 0);
	r.mask.tun = PCF_TUN_KIND_MASK;
	r.action.flags |= PCF_ACT_DECAP;
	round_trip(&r);
	r.key.tun = PCF_TUN(PCF_TUN_VXLAN, 0xabcdef);
	r.mask.tun = ~0U;
	r.egress_ifindex = 7;
	inet_pton(AF_INET6, "2001:db8::9", r.egress_via);
	r.egress_via_family = 6;
	round_trip(&r);
	r.egress_via_family = 0;
	memset(r.egress_via, 0, sizeof(r.egress_via));
	round_trip(&r);
}

/* A family with no address bits (src 0.0.0.0/0) keeps its family. */
static void test_round_trip_family_only(void **state)
{
	struct pcf_rule r = { .id = 1, .prio = 5 };

	r.key.family = 4;
	r.mask.family = 0xff;
	r.action.verdict = PCF_VERDICT_DROP;
	round_trip(&r);
	r.key.family = 0;
	r.mask.family = 0;
	round_trip(&r); /* and a rule matching everything */
}

static void test_round_trip_counters(void **state)
{
	const struct nlattr *tb[PCF_A_MAX + 1];
	struct pcf_counter c = { 1ULL << 40, 0xfffffffffffULL };
	struct pcf_extack ext = {};
	struct pcf_rule r = v4_rule();
	struct nlmsghdr *nlh;

	nlh = pcf_msg_start(buf, PCF_CMD_FLOW_GET, NLM_F_MULTI, 1);
	assert_int_equal(pcf_rule_put(nlh, sizeof(buf), &r), 0);
	assert_int_equal(pcf_counters_put(nlh, sizeof(buf), &c), 0);
	assert_int_equal(pcf_msg_parse(nlh, nlh->nlmsg_len, tb, NULL, &ext), 0);
	assert_int_equal(mnl_attr_get_u64(tb[PCF_A_FLOW_PACKETS]), c.packets);
	assert_int_equal(mnl_attr_get_u64(tb[PCF_A_FLOW_BYTES]), c.bytes);
}

/* A rule that does not fit leaves the message as it was. */
static void test_put_too_small(void **state)
{
	struct pcf_rule r = v6_rule();
	struct nlmsghdr *nlh = pcf_msg_start(buf, PCF_CMD_FLOW_NEW, 0, 1);
	__u32 len = nlh->nlmsg_len;

	assert_int_equal(pcf_rule_put(nlh, len + 40, &r), -EMSGSIZE);
	assert_int_equal(nlh->nlmsg_len, len);
}

/* ---- rejections ---- */

struct refusal {
	int err;
	const struct nlattr *bad;
	struct pcf_extack ext;
};

static void parse(struct nlmsghdr *nlh, size_t len, struct refusal *r)
{
	const struct nlattr *tb[PCF_A_MAX + 1];

	memset(r, 0, sizeof(*r));
	r->err = pcf_msg_parse(nlh, len, tb, NULL, &r->ext);
	if (!r->err)
		r->err = pcf_msg_check_required(
		    ((struct genlmsghdr *)mnl_nlmsg_get_payload(nlh))->cmd, tb,
		    &r->ext);
	if (!r->err)
		r->err = pcf_rule_from_attrs(tb, &(struct pcf_rule){}, &r->ext);
}

static void expect(struct nlmsghdr *nlh, int err, const char *msg_part,
		   const void *bad_attr)
{
	struct refusal r;

	parse(nlh, nlh->nlmsg_len, &r);
	assert_int_equal(r.err, err);
	assert_non_null(r.ext.msg);
	if (!strstr(r.ext.msg, msg_part))
		fail_msg("message \"%s\" lacks \"%s\"", r.ext.msg, msg_part);
	assert_ptr_equal(r.ext.bad_attr, bad_attr);
}

static struct nlmsghdr *new_msg(void)
{
	memset(buf, 0, sizeof(buf));
	return pcf_msg_start(buf, PCF_CMD_FLOW_NEW, NLM_F_REQUEST, 1);
}

static struct nlattr *tail(struct nlmsghdr *nlh)
{
	return mnl_nlmsg_get_payload_tail(nlh);
}

static void put_action(struct nlmsghdr *nlh)
{
	struct nlattr *n = mnl_attr_nest_start(nlh, PCF_A_FLOW_ACTION);

	mnl_attr_put_u32(nlh, PCF_A_ACT_VERDICT, PCF_VERDICT_PASS);
	mnl_attr_nest_end(nlh, n);
}

static void test_wrong_type(void **state)
{
	struct nlmsghdr *nlh = new_msg();
	struct nlattr *bad = tail(nlh), *n;

	/* a nest where a u32 belongs */
	n = mnl_attr_nest_start(nlh, PCF_A_FLOW_PRIO);
	mnl_attr_put_u32(nlh, 1, 1);
	mnl_attr_nest_end(nlh, n);
	put_action(nlh);
	expect(nlh, -EINVAL, "flow.prio is not a nest", bad);

	/* a u32 where a nest belongs: its "attributes" are garbage */
	nlh = new_msg();
	bad = tail(nlh);
	mnl_attr_put_u32(nlh, PCF_A_FLOW_MATCH, 0x00010002);
	put_action(nlh);
	expect(nlh, -EINVAL, "of match", mnl_attr_get_payload(bad));
}

static void test_wrong_length(void **state)
{
	struct nlmsghdr *nlh = new_msg();
	struct nlattr *bad = tail(nlh), *n;
	__u8 five[5] = {};

	mnl_attr_put_u16(nlh, PCF_A_FLOW_PRIO, 1);
	put_action(nlh);
	expect(nlh, -EINVAL, "flow.prio must be 4 bytes", bad);

	nlh = new_msg();
	put_action(nlh);
	n = mnl_attr_nest_start(nlh, PCF_A_FLOW_MATCH);
	bad = tail(nlh);
	mnl_attr_put(nlh, PCF_A_MATCH_SRC, sizeof(five), five);
	mnl_attr_nest_end(nlh, n);
	expect(nlh, -EINVAL, "match.src must be an IPv4 or IPv6", bad);

	nlh = new_msg();
	put_action(nlh);
	n = mnl_attr_nest_start(nlh, PCF_A_FLOW_ACTION);
	bad = tail(nlh);
	mnl_attr_put_u32(nlh, PCF_A_ACT_DF_CLEAR, 1);
	mnl_attr_nest_end(nlh, n);
	expect(nlh, -EINVAL, "flag action.df-clear", bad);

	nlh = pcf_msg_start(buf, PCF_CMD_STATS_GET, 0, 1);
	bad = tail(nlh);
	mnl_attr_put_u32(nlh, PCF_A_FLOW_PACKETS, 1);
	expect(nlh, -EINVAL, "flow.packets must be 8 bytes", bad);
}

static void test_missing_attribute(void **state)
{
	struct nlmsghdr *nlh = new_msg();
	struct refusal r;
	struct nlattr *n;

	mnl_attr_put_u32(nlh, PCF_A_FLOW_PRIO, 1);
	parse(nlh, nlh->nlmsg_len, &r);
	assert_int_equal(r.err, -EINVAL);
	assert_int_equal(r.ext.miss_type, PCF_A_FLOW_ACTION);
	assert_non_null(strstr(r.ext.msg, "needs attribute action"));

	/* an action nest without its verdict */
	nlh = new_msg();
	n = mnl_attr_nest_start(nlh, PCF_A_FLOW_ACTION);
	mnl_attr_put_u32(nlh, PCF_A_ACT_MARK, 1);
	mnl_attr_nest_end(nlh, n);
	expect(nlh, -EINVAL, "needs its verdict", n);

	/* a NAT nest without an address */
	nlh = new_msg();
	n = mnl_attr_nest_start(nlh, PCF_A_FLOW_ACTION);
	mnl_attr_put_u32(nlh, PCF_A_ACT_VERDICT, PCF_VERDICT_REDIRECT);
	mnl_attr_nest_end(nlh, mnl_attr_nest_start(nlh, PCF_A_ACT_SNAT));
	mnl_attr_nest_end(nlh, n);
	expect(nlh, -EINVAL, "NAT needs an address",
	       (struct nlattr *)((char *)n + MNL_ATTR_HDRLEN +
				 MNL_ALIGN(MNL_ATTR_HDRLEN + 4)));
}

static void test_out_of_range(void **state)
{
	struct nlmsghdr *nlh = new_msg();
	struct nlattr *bad = tail(nlh), *n;

	mnl_attr_put_u32(nlh, PCF_A_FLOW_PRIO, PCF_PRIO_MAX + 1);
	put_action(nlh);
	expect(nlh, -ERANGE, "flow.prio = 65536 is out of range 0..65535", bad);

	nlh = new_msg();
	put_action(nlh);
	n = mnl_attr_nest_start(nlh, PCF_A_FLOW_MATCH);
	bad = tail(nlh);
	mnl_attr_put_u32(nlh, PCF_A_MATCH_SPORT, 65536);
	mnl_attr_nest_end(nlh, n);
	expect(nlh, -ERANGE, "match.sport", bad);

	nlh = new_msg();
	n = mnl_attr_nest_start(nlh, PCF_A_FLOW_ACTION);
	mnl_attr_put_u32(nlh, PCF_A_ACT_VERDICT, PCF_VERDICT_PASS);
	bad = tail(nlh);
	mnl_attr_put_u32(nlh, PCF_A_ACT_TTL_DELTA, (__u32)-129);
	mnl_attr_nest_end(nlh, n);
	expect(nlh, -ERANGE, "action.ttl-delta = -129", bad);

	nlh = new_msg();
	n = mnl_attr_nest_start(nlh, PCF_A_FLOW_ACTION);
	bad = tail(nlh);
	mnl_attr_put_u32(nlh, PCF_A_ACT_VERDICT, PCF_VERDICT_MAX);
	mnl_attr_nest_end(nlh, n);
	expect(nlh, -ERANGE, "action.verdict", bad);

	/* a prefix longer than its address (the range allows IPv6's 128) */
	nlh = new_msg();
	put_action(nlh);
	n = mnl_attr_nest_start(nlh, PCF_A_FLOW_MATCH);
	mnl_attr_put(nlh, PCF_A_MATCH_SRC, 4, "\xc6\x12\0\0");
	bad = tail(nlh);
	mnl_attr_put_u32(nlh, PCF_A_MATCH_SRC_PLEN, 33);
	mnl_attr_nest_end(nlh, n);
	expect(nlh, -EINVAL, "IPv4 prefix length is at most 32", bad);
}

static void test_unknown_attribute(void **state)
{
	struct nlmsghdr *nlh = new_msg();
	struct nlattr *bad = tail(nlh), *n;
	char msg[64];

	mnl_attr_put_u32(nlh, PCF_A_MAX + 1, 1);
	put_action(nlh);
	snprintf(msg, sizeof(msg), "unknown attribute %d in flow",
		 PCF_A_MAX + 1);
	expect(nlh, -EINVAL, msg, bad);

	nlh = new_msg();
	bad = tail(nlh);
	mnl_attr_put_u32(nlh, PCF_A_UNSPEC, 1);
	put_action(nlh);
	expect(nlh, -EINVAL, "unknown attribute 0 in flow", bad);

	nlh = new_msg();
	put_action(nlh);
	n = mnl_attr_nest_start(nlh, PCF_A_FLOW_MATCH);
	bad = tail(nlh);
	mnl_attr_put_u32(nlh, 77, 1);
	mnl_attr_nest_end(nlh, n);
	expect(nlh, -EINVAL, "unknown attribute 77 in match", bad);
}

static void test_duplicate_attribute(void **state)
{
	struct nlmsghdr *nlh = new_msg();
	struct nlattr *bad;

	mnl_attr_put_u32(nlh, PCF_A_FLOW_PRIO, 1);
	bad = tail(nlh);
	mnl_attr_put_u32(nlh, PCF_A_FLOW_PRIO, 2);
	put_action(nlh);
	expect(nlh, -EINVAL, "flow.prio given twice", bad);
}

static void test_garbage_nest(void **state)
{
	struct nlmsghdr *nlh = new_msg();
	struct nlattr *bad, *n;

	/* stray bytes shorter than an attribute header */
	put_action(nlh);
	n = mnl_attr_nest_start(nlh, PCF_A_FLOW_MATCH);
	mnl_attr_put_u32(nlh, PCF_A_MATCH_PROTO, 6);
	bad = tail(nlh);
	memcpy(bad, "abc", 4);
	nlh->nlmsg_len += 4;
	mnl_attr_nest_end(nlh, n);
	n->nla_len -= 1; /* the nest ends after "abc" */
	expect(nlh, -EINVAL, "3 stray bytes after the attributes of match",
	       bad);

	/* an attribute header claiming less than itself */
	nlh = new_msg();
	put_action(nlh);
	n = mnl_attr_nest_start(nlh, PCF_A_FLOW_MATCH);
	bad = tail(nlh);
	mnl_attr_put_u32(nlh, PCF_A_MATCH_PROTO, 6);
	bad->nla_len = 2;
	mnl_attr_nest_end(nlh, n);
	expect(nlh, -EINVAL, "runs past the end", bad);

	/* garbage two levels down, in a NAT nest */
	nlh = new_msg();
	n = mnl_attr_nest_start(nlh, PCF_A_FLOW_ACTION);
	mnl_attr_put_u32(nlh, PCF_A_ACT_VERDICT, PCF_VERDICT_REDIRECT);
	{
		struct nlattr *nat = mnl_attr_nest_start(nlh, PCF_A_ACT_DNAT);

		bad = tail(nlh);
		mnl_attr_put_u32(nlh, PCF_A_NAT_ADDR + 40, 1);
		mnl_attr_nest_end(nlh, nat);
	}
	mnl_attr_nest_end(nlh, n);
	expect(nlh, -EINVAL, "unknown attribute 41 in nat", bad);
}

static void test_truncated_header(void **state)
{
	struct nlmsghdr *nlh = new_msg();
	struct refusal r;

	put_action(nlh);
	parse(nlh, NLMSG_HDRLEN - 1, &r);
	assert_int_equal(r.err, -EINVAL);
	assert_non_null(strstr(r.ext.msg, "truncated message"));

	/* a netlink header and half a genetlink header */
	nlh->nlmsg_len = NLMSG_HDRLEN + 2;
	parse(nlh, nlh->nlmsg_len, &r);
	assert_int_equal(r.err, -EINVAL);
	assert_non_null(strstr(r.ext.msg, "truncated genetlink header"));

	nlh->nlmsg_len = 3; /* less than its own header */
	parse(nlh, 64, &r);
	assert_int_equal(r.err, -EINVAL);
}

static void test_length_past_buffer(void **state)
{
	struct nlmsghdr *nlh = new_msg();
	struct nlattr *bad;
	struct refusal r;

	put_action(nlh);
	/* the message says more than the datagram holds */
	parse(nlh, nlh->nlmsg_len - 4, &r);
	assert_int_equal(r.err, -EINVAL);
	assert_non_null(strstr(r.ext.msg, "header says"));

	/* an attribute longer than the message */
	nlh = new_msg();
	put_action(nlh);
	bad = tail(nlh);
	mnl_attr_put_u32(nlh, PCF_A_FLOW_PRIO, 1);
	bad->nla_len = 200;
	expect(nlh, -EINVAL, "runs past the end of the message", bad);
}

static void test_not_our_family(void **state)
{
	struct nlmsghdr *nlh = new_msg();
	struct genlmsghdr *genl = mnl_nlmsg_get_payload(nlh);
	struct refusal r;

	put_action(nlh);
	nlh->nlmsg_type = PCF_GENL_TYPE + 1;
	parse(nlh, nlh->nlmsg_len, &r);
	assert_int_equal(r.err, -EOPNOTSUPP);
	nlh->nlmsg_type = PCF_GENL_TYPE;
	genl->version = PCF_GENL_VERSION + 1;
	parse(nlh, nlh->nlmsg_len, &r);
	assert_int_equal(r.err, -EPROTONOSUPPORT);
	genl->version = PCF_GENL_VERSION;
	genl->cmd = PCF_CMD_MAX + 1;
	parse(nlh, nlh->nlmsg_len, &r);
	assert_int_equal(r.err, -EOPNOTSUPP);
	genl->cmd = 0;
	parse(nlh, nlh->nlmsg_len, &r);
	assert_int_equal(r.err, -EOPNOTSUPP);
}

static void test_bad_string(void **state)
{
	struct nlmsghdr *nlh = pcf_msg_start(buf, PCF_CMD_STATS_GET, 0, 1);
	struct nlattr *xdp, *c, *bad;

	xdp = mnl_attr_nest_start(nlh, PCF_A_STATS_XDP);
	c = mnl_attr_nest_start(nlh, PCF_A_STATS_COUNTER);
	bad = tail(nlh);
	mnl_attr_put(nlh, PCF_A_COUNTER_NAME, 4, "pass"); /* no NUL */
	mnl_attr_nest_end(nlh, c);
	mnl_attr_nest_end(nlh, xdp);
	expect(nlh, -EINVAL, "counter.name must be a string", bad);
}

static void test_mixed_families(void **state)
{
	struct nlmsghdr *nlh = new_msg();
	struct nlattr *n, *bad;

	put_action(nlh);
	n = mnl_attr_nest_start(nlh, PCF_A_FLOW_MATCH);
	mnl_attr_put(nlh, PCF_A_MATCH_SRC, 4, "\xc6\x12\0\1");
	bad = tail(nlh);
	mnl_attr_put(nlh, PCF_A_MATCH_DST, 16,
		     "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\1");
	mnl_attr_nest_end(nlh, n);
	expect(nlh, -EINVAL, "same address family", bad);

	nlh = new_msg();
	put_action(nlh);
	n = mnl_attr_nest_start(nlh, PCF_A_FLOW_MATCH);
	mnl_attr_put_u32(nlh, PCF_A_MATCH_DST_PLEN, 8);
	mnl_attr_nest_end(nlh, n);
	expect(nlh, -EINVAL, "prefix length needs its address", n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip_v4),
		cmocka_unit_test(test_round_trip_v6),
		cmocka_unit_test(test_round_trip_family_only),
		cmocka_unit_test(test_round_trip_ct),
		cmocka_unit_test(test_round_trip_encap),
		cmocka_unit_test(test_round_trip_counters),
		cmocka_unit_test(test_put_too_small),
		cmocka_unit_test(test_wrong_type),
		cmocka_unit_test(test_wrong_length),
		cmocka_unit_test(test_missing_attribute),
		cmocka_unit_test(test_out_of_range),
		cmocka_unit_test(test_unknown_attribute),
		cmocka_unit_test(test_duplicate_attribute),
		cmocka_unit_test(test_garbage_nest),
		cmocka_unit_test(test_truncated_header),
		cmocka_unit_test(test_length_past_buffer),
		cmocka_unit_test(test_not_our_family),
		cmocka_unit_test(test_bad_string),
		cmocka_unit_test(test_mixed_families),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
