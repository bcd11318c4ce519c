// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * test_validate - the pure functions of table/validate.c: prefix masks both
 * ways, and pcf_rule_validate on good rules and on every rejection.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <cmocka.h>

#include "pcf_genl.h" /* pcf_genl_prefix_mask */
#include "table.h"

/* Bit i (from the most significant bit of byte 0) of a mask. */
static int bit(const __u8 *mask, unsigned int i)
{
	return mask[i / 8] >> (7 - i % 8) & 1;
}

static void test_prefix_mask(void **state)
{
	unsigned int alen, plen, i;
	__u8 mask[16];

	for (alen = 4; alen <= 16; alen += 12) {
		for (plen = 0; plen <= alen * 8; plen++) {
			memset(mask, 0xa5, sizeof(mask));
			pcf_genl_prefix_mask(mask, alen, plen);
			for (i = 0; i < alen * 8; i++)
				assert_int_equal(bit(mask, i), i < plen);
			/* bytes past the address are left alone */
			for (i = alen; i < sizeof(mask); i++)
				assert_int_equal(mask[i], 0xa5);
			assert_int_equal(pcf_mask_prefix_len(mask, alen), plen);
		}
	}
}

static void test_prefix_mask_examples(void **state)
{
	__u8 mask[4];

	pcf_genl_prefix_mask(mask, 4, 20);
	assert_memory_equal(mask, "\xff\xff\xf0\x00", 4);
	pcf_genl_prefix_mask(mask, 4, 1);
	assert_memory_equal(mask, "\x80\x00\x00\x00", 4);
	/* a length past the address saturates */
	pcf_genl_prefix_mask(mask, 4, 40);
	assert_memory_equal(mask, "\xff\xff\xff\xff", 4);
}

static void test_mask_not_prefix(void **state)
{
	static const char *const bad4[] = {
		"\x7f\x00\x00\x00",
		"\xff\x00\x00\x01",
		"\xff\xfe\xff\x00",
		"\x00\x00\x00\x01",
		"\xf0\xf0\x00\x00",
		/* a prefix: the fifth byte is past an IPv4 mask */
		"\xff\xff\xff\xfe\x01",
	};
	__u8 mask[16];
	unsigned int i;

	for (i = 0; i < sizeof(bad4) / sizeof(bad4[0]); i++)
		assert_int_equal(pcf_mask_prefix_len((const __u8 *)bad4[i], 4),
				 i == 5 ? 31 : -1);
	/* a hole in the last byte of an IPv6 mask */
	pcf_genl_prefix_mask(mask, 16, 128);
	mask[15] = 0xfd;
	assert_int_equal(pcf_mask_prefix_len(mask, 16), -1);
	/* a stray bit after a /64 */
	pcf_genl_prefix_mask(mask, 16, 64);
	mask[12] = 0x10;
	assert_int_equal(pcf_mask_prefix_len(mask, 16), -1);
}

/* --- pcf_rule_validate --------------------------------------------- */

static void set_addr(__u8 *key, __u8 *mask, int family, const char *addr,
		     unsigned int plen)
{
	assert_int_equal(inet_pton(family == 4 ? AF_INET : AF_INET6, addr, key),
			 1);
	pcf_genl_prefix_mask(mask, family == 4 ? 4 : 16, plen);
}

/* An IPv4 UDP 5-tuple rule; the tests bend one field at a time. */
static struct pcf_rule udp4_rule(__u8 verdict)
{
	struct pcf_rule r = {};

	r.key.family = 4;
	r.mask.family = 0xff;
	set_addr(r.key.src, r.mask.src, 4, "198.18.0.1", 32);
	set_addr(r.key.dst, r.mask.dst, 4, "198.19.0.0", 16);
	r.key.proto = IPPROTO_UDP;
	r.mask.proto = 0xff;
	r.key.sport = htons(1000);
	r.mask.sport = 0xffff;
	r.key.dport = htons(2000);
	r.mask.dport = 0xffff;
	r.prio = PCF_PRIO_DEFAULT;
	r.action.verdict = verdict;
	return r;
}

static struct pcf_rule udp6_rule(__u8 verdict)
{
	struct pcf_rule r = udp4_rule(verdict);

	memset(r.key.src, 0, 16);
	memset(r.key.dst, 0, 16);
	r.key.family = 6;
	set_addr(r.key.src, r.mask.src, 6, "2001:db8::1", 128);
	set_addr(r.key.dst, r.mask.dst, 6, "2001:db8:1::", 48);
	return r;
}

static void assert_ok(const struct pcf_rule *r)
{
	const char *why = "untouched";

	assert_int_equal(pcf_rule_validate(r, &why), 0);
	assert_null(why);
	/* ret_why is optional */
	assert_int_equal(pcf_rule_validate(r, NULL), 0);
}

/* Rejected with -EINVAL and a reason that contains words. */
static void assert_rejected(const struct pcf_rule *r, const char *words)
{
	const char *why = NULL;

	assert_int_equal(pcf_rule_validate(r, &why), -EINVAL);
	assert_non_null(why);
	if (!strstr(why, words))
		fail_msg("reason \"%s\" does not say \"%s\"", why, words);
	assert_int_equal(pcf_rule_validate(r, NULL), -EINVAL);
}

static void test_validate_good(void **state)
{
	struct pcf_rule r;

	/* the common exact 5-tuples, every verdict */
	r = udp4_rule(PCF_VERDICT_PASS);
	assert_ok(&r);
	r = udp4_rule(PCF_VERDICT_DROP);
	assert_ok(&r);
	r = udp6_rule(PCF_VERDICT_REDIRECT);
	assert_ok(&r);

	/* match everything */
	memset(&r, 0, sizeof(r));
	assert_ok(&r);

	/* protocol only, any family; ingress interface only */
	r.key.proto = IPPROTO_TCP;
	r.mask.proto = 0xff;
	assert_ok(&r);
	memset(&r, 0, sizeof(r));
	r.key.ifindex = 7;
	r.mask.ifindex = 0xffffffff;
	assert_ok(&r);

	/* a family without addresses; /0 prefixes */
	memset(&r, 0, sizeof(r));
	r.key.family = 6;
	r.mask.family = 0xff;
	assert_ok(&r);

	/* one port only; icmp type as sport; icmpv6 code as dport */
	r = udp4_rule(PCF_VERDICT_DROP);
	r.mask.sport = 0;
	r.key.sport = 0;
	assert_ok(&r);
	r.key.proto = IPPROTO_ICMP;
	r.key.dport = htons(3);
	assert_ok(&r);
	r = udp6_rule(PCF_VERDICT_DROP);
	r.key.proto = IPPROTO_ICMPV6;
	r.key.sport = htons(128);
	r.key.dport = htons(0);
	assert_ok(&r);

	/* prio bounds */
	r.prio = 0;
	assert_ok(&r);
	r.prio = PCF_PRIO_MAX;
	assert_ok(&r);

	/* PASS may rewrite TTL/hop limit and DF in XDP */
	r = udp4_rule(PCF_VERDICT_PASS);
	r.action.flags = PCF_ACT_TTL | PCF_ACT_DF_CLEAR;
	r.action.ttl_delta = -1;
	assert_ok(&r);
	r = udp6_rule(PCF_VERDICT_PASS);
	r.action.flags = PCF_ACT_TTL;
	r.action.ttl_delta = 5;
	assert_ok(&r);

	/* REDIRECT may do all of the worker pipeline */
	r = udp4_rule(PCF_VERDICT_REDIRECT);
	r.action.flags = PCF_ACT_SNAT | PCF_ACT_DNAT | PCF_ACT_MARK |
			 PCF_ACT_MIRROR | PCF_ACT_QUEUE | PCF_ACT_TTL |
			 PCF_ACT_DF_CLEAR;
	r.action.ttl_delta = -2;
	r.action.mirror_ifindex = 3;
	r.action.mark = 42;
	r.action.queue = 1;
	r.action.egress = PCF_EGRESS_WIRE;
	r.action.snat.family = 4;
	r.action.snat.port = htons(4000);
	r.action.dnat.family = 4;
	assert_ok(&r);
	r.action.egress = PCF_EGRESS_KERNEL;
	assert_ok(&r);
}

static void test_validate_match(void **state)
{
	struct pcf_rule r;

	r = udp4_rule(PCF_VERDICT_DROP);
	r.mask.family = 0x0f;
	assert_rejected(&r, "family must be IPv4 or IPv6");
	r = udp4_rule(PCF_VERDICT_DROP);
	r.key.family = 5;
	assert_rejected(&r, "family must be IPv4 or IPv6");
	r.key.family = 0;
	assert_rejected(&r, "family must be IPv4 or IPv6");

	r = udp4_rule(PCF_VERDICT_DROP);
	r.mask.family = 0;
	assert_rejected(&r, "needs its family");
	r = udp4_rule(PCF_VERDICT_DROP);
	r.mask.family = 0;
	memset(r.mask.src, 0, 16); /* only dst left */
	assert_rejected(&r, "needs its family");

	r = udp4_rule(PCF_VERDICT_DROP);
	r.mask.src[3] = 0xfe;
	r.mask.src[2] = 0xf0;
	assert_rejected(&r, "prefixes");
	r = udp4_rule(PCF_VERDICT_DROP);
	r.mask.dst[1] = 0x7f;
	assert_rejected(&r, "prefixes");
	/* an IPv4 mask reaching past its four bytes */
	r = udp4_rule(PCF_VERDICT_DROP);
	r.mask.src[4] = 0xff;
	assert_rejected(&r, "prefixes");
	r = udp4_rule(PCF_VERDICT_DROP);
	pcf_genl_prefix_mask(r.mask.dst, 16, 40);
	assert_rejected(&r, "prefixes");
	r = udp6_rule(PCF_VERDICT_DROP);
	r.mask.src[15] = 0xf7;
	assert_rejected(&r, "prefixes");

	r = udp4_rule(PCF_VERDICT_DROP);
	r.mask.sport = htons(0xff00);
	assert_rejected(&r, "ports match exactly");
	r = udp4_rule(PCF_VERDICT_DROP);
	r.mask.dport = htons(1);
	assert_rejected(&r, "ports match exactly");

	r = udp4_rule(PCF_VERDICT_DROP);
	r.mask.proto = 0xf0;
	assert_rejected(&r, "protocol matches exactly");

	r = udp4_rule(PCF_VERDICT_DROP);
	r.key.ifindex = 1;
	r.mask.ifindex = 0xffff;
	assert_rejected(&r, "ingress interface");

	r = udp4_rule(PCF_VERDICT_DROP);
	r.mask.proto = 0;
	r.key.proto = 0;
	assert_rejected(&r, "ports need proto");
	r = udp4_rule(PCF_VERDICT_DROP);
	r.key.proto = IPPROTO_GRE;
	assert_rejected(&r, "ports need proto");
	r.mask.sport = 0;
	assert_rejected(&r, "ports need proto"); /* dport alone too */

	r = udp4_rule(PCF_VERDICT_DROP);
	r.key.proto = IPPROTO_ICMPV6;
	assert_rejected(&r, "icmp is for IPv4");

	/* an ICMP type or code is a byte: 300 can never match */
	r = udp4_rule(PCF_VERDICT_DROP);
	r.key.proto = IPPROTO_ICMP;
	r.key.sport = htons(300);
	r.key.dport = htons(0);
	assert_rejected(&r, "0..255");
	r.key.sport = htons(8);
	r.key.dport = htons(256);
	assert_rejected(&r, "0..255");
	r = udp6_rule(PCF_VERDICT_DROP);
	r.key.proto = IPPROTO_ICMP;
	assert_rejected(&r, "icmpv6 for IPv6");
}

static void test_validate_action(void **state)
{
	struct pcf_rule r;

	r = udp4_rule(PCF_VERDICT_PASS);
	r.prio = PCF_PRIO_MAX + 1;
	assert_rejected(&r, "prio must be 0..65535");

	r.prio = 0;
	r.action.verdict = PCF_VERDICT_MAX;
	assert_rejected(&r, "unknown action");
	r.action.verdict = 0xff;
	assert_rejected(&r, "unknown action");

	r = udp4_rule(PCF_VERDICT_REDIRECT);
	r.action.flags = PCF_ACT_DECAP << 1;
	r.action.ttl_delta = 1;
	assert_rejected(&r, "unknown action flags");
	r.action.flags = 0x8000;
	assert_rejected(&r, "unknown action flags");

	r = udp4_rule(PCF_VERDICT_REDIRECT);
	r.action.egress = PCF_EGRESS_MAX;
	assert_rejected(&r, "unknown egress");

	r = udp4_rule(PCF_VERDICT_DROP);
	r.action.flags = PCF_ACT_TTL;
	r.action.ttl_delta = -1;
	assert_rejected(&r, "dropped packet");
	r = udp4_rule(PCF_VERDICT_DROP);
	r.action.flags = PCF_ACT_MARK;
	assert_rejected(&r, "dropped packet");
	r = udp4_rule(PCF_VERDICT_DROP);
	r.action.egress = PCF_EGRESS_KERNEL;
	assert_rejected(&r, "dropped packet");

	r = udp4_rule(PCF_VERDICT_PASS);
	r.action.flags = PCF_ACT_SNAT;
	r.action.snat.family = 4;
	assert_rejected(&r, "need action redirect");
	r.action.flags = PCF_ACT_QUEUE;
	assert_rejected(&r, "need action redirect");
	r.action.flags = PCF_ACT_MIRROR;
	r.action.mirror_ifindex = 2;
	assert_rejected(&r, "need action redirect");
	r.action.flags = 0;
	r.action.egress = PCF_EGRESS_WIRE;
	assert_rejected(&r, "need action redirect");

	r = udp4_rule(PCF_VERDICT_PASS);
	r.action.flags = PCF_ACT_TTL;
	assert_rejected(&r, "ttl-delta must not be 0");

	r = udp4_rule(PCF_VERDICT_REDIRECT);
	r.action.flags = PCF_ACT_MIRROR;
	assert_rejected(&r, "mirror needs an interface");

	r = udp6_rule(PCF_VERDICT_PASS);
	r.action.flags = PCF_ACT_DF_CLEAR;
	assert_rejected(&r, "df-clear is for IPv4");
	/* no family at all: it applies to the IPv4 packets the rule matches */
	memset(&r, 0, sizeof(r));
	r.key.proto = IPPROTO_UDP;
	r.mask.proto = 0xff;
	r.key.dport = htons(31765);
	r.mask.dport = 0xffff;
	r.action.flags = PCF_ACT_DF_CLEAR;
	assert_int_equal(pcf_rule_validate(&r, NULL), 0);
}

static void test_validate_nat(void **state)
{
	static const __u16 which[] = { PCF_ACT_SNAT, PCF_ACT_DNAT };
	struct pcf_rule r;
	struct pcf_nat *nat;
	unsigned int i;

	for (i = 0; i < 2; i++) {
		r = udp4_rule(PCF_VERDICT_REDIRECT);
		r.action.flags = which[i];
		nat =
		    which[i] == PCF_ACT_SNAT ? &r.action.snat : &r.action.dnat;
		nat->family = 4;
		assert_ok(&r);

		nat->family = 0;
		assert_rejected(&r, "NAT address must be IPv4 or IPv6");
		nat->family = 5;
		assert_rejected(&r, "NAT address must be IPv4 or IPv6");

		nat->family = 6;
		assert_rejected(&r, "family must match");
		nat->family = 4;
		r.mask.family = 0;
		r.key.family = 0;
		memset(r.mask.src, 0, 16);
		memset(r.mask.dst, 0, 16);
		memset(r.key.src, 0, 16);
		memset(r.key.dst, 0, 16);
		assert_rejected(&r, "family must match");
		/* on a named set, no family of its own: the set's (pcfd) */
		r.key.src_set = r.mask.src_set = 1;
		assert_ok(&r);
		nat->family = 6;
		assert_ok(&r);
		nat->family = 4;

		r = udp4_rule(PCF_VERDICT_REDIRECT);
		r.action.flags = which[i];
		nat =
		    which[i] == PCF_ACT_SNAT ? &r.action.snat : &r.action.dnat;
		nat->family = 4;
		nat->port = htons(5000);
		assert_ok(&r);
		r.key.proto = IPPROTO_ICMP;
		r.mask.sport = r.mask.dport = 0;
		r.key.sport = r.key.dport = 0;
		assert_rejected(&r, "port needs proto tcp or udp");
		r.key.proto = 0;
		r.mask.proto = 0;
		assert_rejected(&r, "port needs proto tcp or udp");
	}
}

/* Sessions: ct and what goes with it (the grammar's words are tested in
 * test_rule_text; these are what pcfd refuses of any client). */
static void test_validate_ct(void **state)
{
	struct pcf_rule r = {};

	r.action.verdict = PCF_VERDICT_PASS;
	r.action.flags = PCF_ACT_CT;
	assert_ok(&r);
	r.action.verdict = PCF_VERDICT_DROP;
	assert_rejected(&r, "not drop");
	r.action.verdict = PCF_VERDICT_REDIRECT;
	r.action.flags = PCF_ACT_CT | PCF_ACT_MASQ;
	assert_ok(&r);
	r.action.flags = PCF_ACT_MASQ;
	assert_rejected(&r, "needs ct");
	r.action.verdict = PCF_VERDICT_PASS;
	r.action.flags = PCF_ACT_CT | PCF_ACT_MASQ;
	assert_rejected(&r, "need action redirect");
	/* ct snat with a range, no protocol: ports where there are */
	r = udp4_rule(PCF_VERDICT_REDIRECT);
	r.mask.proto = r.mask.sport = r.mask.dport = 0;
	r.key.proto = r.key.sport = r.key.dport = 0;
	r.action.flags = PCF_ACT_CT | PCF_ACT_SNAT;
	r.action.snat.family = 4;
	r.action.snat.port = htons(20000);
	r.snat_port_max = htons(29999);
	assert_ok(&r);
	r.snat_port_max = htons(19999);
	assert_rejected(&r, "above its last");
	r.snat_port_max = htons(29999);
	r.action.flags = PCF_ACT_SNAT;
	assert_rejected(&r, "needs ct");
	r.snat_port_max = 0;
	assert_rejected(&r, "needs proto tcp or udp");
	r.action.flags = PCF_ACT_CT | PCF_ACT_SNAT | PCF_ACT_MASQ;
	assert_rejected(&r, "give one");
	r.action.flags = PCF_ACT_CT | PCF_ACT_DNAT;
	r.action.dnat = r.action.snat;
	r.snat_port_max = htons(29999);
	assert_rejected(&r, "port range needs ct and snat");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_validate_ct),
		cmocka_unit_test(test_prefix_mask),
		cmocka_unit_test(test_prefix_mask_examples),
		cmocka_unit_test(test_mask_not_prefix),
		cmocka_unit_test(test_validate_good),
		cmocka_unit_test(test_validate_match),
		cmocka_unit_test(test_validate_action),
		cmocka_unit_test(test_validate_nat),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
