// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * test_steer_parse - what the real pcf_steer makes of a frame: VLAN tags
 * (802.1Q, QinQ), IPv6 extension headers, IPv4 and IPv6 fragments, ICMP
 * and ICMPv6 type/code in the port fields, and frames cut at every byte,
 * which must get the default verdict and count as malformed.
 */
#include "steer_env.h"

/* --- VLAN ---------------------------------------------------------- */

static void test_vlan(void **state)
{
	static const __u16 tags[][2] = {
		{ ETH_P_8021Q, 0 },
		{ ETH_P_8021AD, ETH_P_8021Q }, /* QinQ */
		{ ETH_P_8021Q, ETH_P_8021Q },  /* old-style double tag */
	};
	struct pcf_rule r4 =
	    rule_5tuple(4, IPPROTO_UDP, PCF_VERDICT_DROP, PCF_PRIO_DEFAULT);
	struct pcf_rule r6 =
	    rule_5tuple(6, IPPROTO_TCP, PCF_VERDICT_DROP, PCF_PRIO_DEFAULT);
	__u32 id4 = rule_add(&r4), id6 = rule_add(&r6);
	unsigned int i;
	struct frame f;

	for (i = 0; i < sizeof(tags) / sizeof(tags[0]); i++) {
		struct frame_spec s4 = spec4(IPPROTO_UDP);
		struct frame_spec s6 = spec6(IPPROTO_TCP);

		memcpy(s4.vlan, tags[i], sizeof(s4.vlan));
		memcpy(s6.vlan, tags[i], sizeof(s6.vlan));
		frame_build(&f, &s4);
		assert_int_equal(f.l3, 14 + 4 * (1 + !!tags[i][1]));
		expect(&f, XDP_DROP, PCF_VERDICT_DROP, PCF_REASON_NONE, NULL);
		frame_build(&f, &s6);
		expect(&f, XDP_DROP, PCF_VERDICT_DROP, PCF_REASON_NONE, NULL);
	}
	assert_hits(id4, 3);
	assert_hits(id6, 3);
}

/* --- IPv6 extension headers ---------------------------------------- */

static void test_ipv6_exthdrs(void **state)
{
	static const __u8 chains[][8] = {
		{ IPPROTO_HOPOPTS },
		{ IPPROTO_ROUTING },
		{ IPPROTO_DSTOPTS },
		{ IPPROTO_FRAGMENT }, /* offset 0: the first fragment */
		{ IPPROTO_HOPOPTS, IPPROTO_DSTOPTS, IPPROTO_ROUTING,
		  IPPROTO_FRAGMENT, IPPROTO_DSTOPTS },
	};
	struct pcf_rule r = rule_5tuple(6, IPPROTO_UDP, PCF_VERDICT_DROP, 10);
	__u32 id = rule_add(&r);
	unsigned int i;
	struct frame f;

	for (i = 0; i < sizeof(chains) / sizeof(chains[0]); i++) {
		struct frame_spec s = spec6(IPPROTO_UDP);

		memcpy(s.ext, chains[i], sizeof(s.ext));
		s.more_frags = true;
		s.payload = 8;
		frame_build(&f, &s);
		/* ports came from the UDP header behind the chain */
		expect(&f, XDP_DROP, PCF_VERDICT_DROP, PCF_REASON_NONE, NULL);
		assert_hits(id, i + 1);
	}
}

/*
 * The parser's bound: PCF_MAX_IPV6_EXTHDR (6, bpf/parse.h) extension
 * headers parse, a seventh makes the packet malformed.
 */
static void test_ipv6_exthdr_limit(void **state)
{
	struct pcf_rule r = rule_5tuple(6, IPPROTO_UDP, PCF_VERDICT_DROP, 10);
	struct frame_spec s = spec6(IPPROTO_UDP);
	__u32 id = rule_add(&r);
	struct frame f;
	int i;

	for (i = 0; i < 6; i++)
		s.ext[i] = IPPROTO_DSTOPTS;
	frame_build(&f, &s);
	expect(&f, XDP_DROP, PCF_VERDICT_DROP, PCF_REASON_NONE, NULL);
	assert_hits(id, 1);

	s.ext[6] = IPPROTO_DSTOPTS;
	frame_build(&f, &s);
	expect(&f, XDP_PASS, PCF_VERDICT_PASS, PCF_REASON_MALFORMED, NULL);
	assert_int_equal(pcf_dp_set_default(env.dp, PCF_VERDICT_DROP), 0);
	expect(&f, XDP_DROP, PCF_VERDICT_DROP, PCF_REASON_MALFORMED, NULL);
	assert_hits(id, 1);
}

/* --- fragments ----------------------------------------------------- */

/*
 * A first fragment matches on its ports; a later one has no L4 header and
 * matches with ports 0 (here: a rule for proto udp, ports 0), counting
 * reason fragment.
 */
static void check_fragments(int family)
{
	struct pcf_rule exact =
	    rule_5tuple(family, IPPROTO_UDP, PCF_VERDICT_DROP, 10);
	struct pcf_rule zero =
	    rule_5tuple(family, IPPROTO_UDP, PCF_VERDICT_PASS, 20);
	struct frame_spec s =
	    family == 4 ? spec4(IPPROTO_UDP) : spec6(IPPROTO_UDP);
	__u32 id_exact, id_zero;
	struct frame f;

	rule_ports(&zero, 0, 0);
	id_exact = rule_add(&exact);
	id_zero = rule_add(&zero);
	if (family == 6)
		s.ext[0] = IPPROTO_FRAGMENT;

	s.more_frags = true; /* first fragment */
	s.payload = 16;
	frame_build(&f, &s);
	expect(&f, XDP_DROP, PCF_VERDICT_DROP, PCF_REASON_NONE, NULL);
	assert_hits(id_exact, 1);

	s.frag_offset = 3; /* a middle fragment: 24 bytes in */
	frame_build(&f, &s);
	expect(&f, XDP_PASS, PCF_VERDICT_PASS, PCF_REASON_FRAGMENT, NULL);
	assert_hits(id_zero, 1);

	s.more_frags = false; /* the last one */
	frame_build(&f, &s);
	expect(&f, XDP_PASS, PCF_VERDICT_PASS, PCF_REASON_FRAGMENT, NULL);
	assert_hits(id_zero, 2);

	/* without the ports-0 rule a later fragment is a miss */
	assert_int_equal(pcf_table_del(pcf_dp_table(env.dp), id_zero, NULL), 0);
	assert_int_equal(pcf_dp_set_default(env.dp, PCF_VERDICT_DROP), 0);
	{
		const enum pcf_reason both[] = { PCF_REASON_FRAGMENT,
						 PCF_REASON_MISS,
						 PCF_REASON_NONE };
		struct stats before;
		struct result res;

		stats_read(&before);
		run_frame(&f, &res);
		assert_int_equal(res.ret, XDP_DROP);
		assert_stats_moved(&before, PCF_VERDICT_DROP, both, 1, f.len);
	}
	assert_hits(id_exact, 1);
}

static void test_ipv4_fragments(void **state)
{
	check_fragments(4);
}

static void test_ipv6_fragments(void **state)
{
	check_fragments(6);
}

/* An unfragmented IPv4 packet with DF or an atomic IPv6 fragment is whole. */
static void test_not_fragments(void **state)
{
	struct pcf_rule r4 = rule_5tuple(4, IPPROTO_UDP, PCF_VERDICT_DROP, 1);
	struct pcf_rule r6 = rule_5tuple(6, IPPROTO_UDP, PCF_VERDICT_DROP, 1);
	struct frame_spec s4 = spec4(IPPROTO_UDP), s6 = spec6(IPPROTO_UDP);
	struct frame f;

	rule_add(&r4);
	rule_add(&r6);
	s4.df = true;
	frame_build(&f, &s4);
	expect(&f, XDP_DROP, PCF_VERDICT_DROP, PCF_REASON_NONE, NULL);
	s6.ext[0] = IPPROTO_FRAGMENT; /* offset 0, M clear */
	frame_build(&f, &s6);
	expect(&f, XDP_DROP, PCF_VERDICT_DROP, PCF_REASON_NONE, NULL);
}

/* --- ICMP ---------------------------------------------------------- */

static __u32 icmp_rule(int family, int type, int code)
{
	struct pcf_rule r = rule_new(PCF_VERDICT_DROP, PCF_PRIO_DEFAULT);

	if (family == 4)
		rule_addrs(&r, 4, NULL, 0, DST4, 32);
	else
		rule_addrs(&r, 6, NULL, 0, DST6, 128);
	rule_proto(&r, family == 4 ? IPPROTO_ICMP : IPPROTO_ICMPV6);
	rule_ports(&r, type, code);
	return rule_add(&r);
}

static void expect_icmp(int family, __u8 type, __u8 code, int xdp_ret)
{
	struct frame_spec s =
	    family == 4 ? spec4(IPPROTO_ICMP) : spec6(IPPROTO_ICMPV6);
	struct frame f;

	s.sport = type;
	s.dport = code;
	s.payload = 4; /* echo id and sequence */
	frame_build(&f, &s);
	if (xdp_ret == XDP_DROP)
		expect(&f, XDP_DROP, PCF_VERDICT_DROP, PCF_REASON_NONE, NULL);
	else
		expect(&f, XDP_PASS, PCF_VERDICT_PASS, PCF_REASON_MISS, NULL);
}

static void test_icmp_type_code(void **state)
{
	__u32 echo = icmp_rule(4, 8, 0);     /* echo request */
	__u32 unreach = icmp_rule(4, 3, -1); /* any code */
	__u32 echo6 = icmp_rule(6, 128, 0);
	__u32 too_big = icmp_rule(6, 2, -1);

	expect_icmp(4, 8, 0, XDP_DROP);
	expect_icmp(4, 0, 0, XDP_PASS); /* echo reply */
	expect_icmp(4, 8, 1, XDP_PASS); /* the code counts */
	expect_icmp(4, 3, 1, XDP_DROP);
	expect_icmp(4, 3, 4, XDP_DROP);
	expect_icmp(4, 0, 3, XDP_PASS); /* type and code are not swapped */
	expect_icmp(6, 128, 0, XDP_DROP);
	expect_icmp(6, 129, 0, XDP_PASS);
	expect_icmp(6, 2, 0, XDP_DROP);
	expect_icmp(6, 0, 2, XDP_PASS);
	assert_hits(echo, 1);
	assert_hits(unreach, 2);
	assert_hits(echo6, 1);
	assert_hits(too_big, 1);
}

/* --- truncation ---------------------------------------------------- */

/*
 * Frames that end exactly where the parser stops reading, so that every
 * shorter cut lacks a byte it needs.
 */
static const struct frame_spec *truncation_kinds(unsigned int *ret_n)
{
	static struct frame_spec kinds[10];
	unsigned int n = 0;

	kinds[n++] = spec4(IPPROTO_UDP);
	kinds[n] = spec4(IPPROTO_TCP);
	kinds[n++].opt_words = 3;
	kinds[n++] = spec4(IPPROTO_ICMP);
	kinds[n] = spec4(IPPROTO_UDP);
	kinds[n].frag_offset = 10; /* a later fragment: no L4 */
	kinds[n].opt_words = 2;
	kinds[n].vlan[0] = ETH_P_8021AD;
	kinds[n++].vlan[1] = ETH_P_8021Q;
	kinds[n++] = spec6(IPPROTO_TCP);
	kinds[n] = spec6(IPPROTO_UDP);
	kinds[n].vlan[0] = ETH_P_8021Q;
	kinds[n].ext[0] = IPPROTO_HOPOPTS;
	kinds[n].ext[1] = IPPROTO_ROUTING;
	kinds[n++].ext[2] = IPPROTO_FRAGMENT;
	kinds[n] = spec6(IPPROTO_ICMPV6);
	kinds[n++].ext[0] = IPPROTO_DSTOPTS;
	kinds[n] = spec6(IPPROTO_UDP);
	kinds[n].ext[0] = IPPROTO_FRAGMENT;
	kinds[n++].frag_offset = 100;
	*ret_n = n;
	return kinds;
}

/*
 * A frame shorter than an Ethernet header never reaches XDP: test_run
 * refuses it (EINVAL) even behind metadata, as Ethernet devices refuse to
 * send one.  Check that refusal, and that nothing was counted.
 */
static void check_runt_refused(const struct frame *f)
{
	struct stats before, now;
	struct result res;
	__u32 len, meta;

	stats_read(&before);
	for (len = 0; len < ETH_HLEN; len++)
		for (meta = 0; meta <= 32; meta += 4)
			assert_int_equal(run_raw(f->data, len, meta, &res),
					 -EINVAL);
	stats_read(&now);
	assert_memory_equal(&now, &before, sizeof(now));
}

/* Cut f at every byte from the end of the Ethernet header on. */
static void check_cuts(const struct frame *f, enum pcf_verdict dflt)
{
	const enum pcf_reason malformed[] = { PCF_REASON_MALFORMED,
					      PCF_REASON_NONE };
	int want = dflt == PCF_VERDICT_DROP ? XDP_DROP : XDP_PASS;
	__u64 bytes = 0;
	struct stats before;
	struct result res;
	__u32 len;

	stats_read(&before);
	for (len = ETH_HLEN; len < f->len; len++) {
		int err = run_raw(f->data, len, 0, &res);

		if (err)
			fail_msg("test_run of %u bytes: %s", len,
				 strerror(-err));
		if (res.ret != want)
			fail_msg(
			    "cut at %u of %zu bytes: XDP action %d, expected %d",
			    len, f->len, res.ret, want);
		bytes += len;
	}
	/* every cut counted once, as malformed and with the default */
	assert_stats_moved(&before, dflt, malformed, f->len - ETH_HLEN, bytes);
}

static void test_truncated(void **state)
{
	unsigned int i, n;
	const struct frame_spec *kinds = truncation_kinds(&n);
	struct frame f;
	__u32 id;

	for (i = 0; i < n; i++) {
		struct pcf_rule r = rule_new(PCF_VERDICT_DROP, 1);

		/* a rule for the whole frame, so a cut that parsed would show
		 */
		assert_int_equal(pcf_table_flush(pcf_dp_table(env.dp)), 0);
		rule_addrs(&r, kinds[i].family, kinds[i].src,
			   kinds[i].family == 4 ? 32 : 128, kinds[i].dst,
			   kinds[i].family == 4 ? 32 : 128);
		id = rule_add(&r);
		frame_build(&f, &kinds[i]);
		check_runt_refused(&f);

		assert_int_equal(pcf_dp_set_default(env.dp, PCF_VERDICT_PASS),
				 0);
		check_cuts(&f, PCF_VERDICT_PASS);
		assert_int_equal(pcf_dp_set_default(env.dp, PCF_VERDICT_DROP),
				 0);
		check_cuts(&f, PCF_VERDICT_DROP);
		assert_hits(id, 0);

		/* the whole frame parses and hits the rule */
		expect(&f, XDP_DROP, PCF_VERDICT_DROP,
		       kinds[i].frag_offset ? PCF_REASON_FRAGMENT
					    : PCF_REASON_NONE,
		       NULL);
		assert_hits(id, 1);
	}
}

/* Header fields that lie: IHL below 5, TCP doff below 5, wrong version. */
static void test_invalid_headers(void **state)
{
	struct frame_spec s4 = spec4(IPPROTO_TCP), s6 = spec6(IPPROTO_UDP);
	struct frame f;

	frame_build(&f, &s4);
	f.data[f.l3] = 0x44; /* ihl 4 */
	expect(&f, XDP_PASS, PCF_VERDICT_PASS, PCF_REASON_MALFORMED, NULL);
	frame_build(&f, &s4);
	f.data[f.l3] = 0x65; /* version 6 behind an IPv4 ethertype */
	expect(&f, XDP_PASS, PCF_VERDICT_PASS, PCF_REASON_MALFORMED, NULL);
	frame_build(&f, &s4);
	f.data[f.l3 + 2] = 0; /* total length shorter than the header */
	f.data[f.l3 + 3] = 19;
	expect(&f, XDP_PASS, PCF_VERDICT_PASS, PCF_REASON_MALFORMED, NULL);
	frame_build(&f, &s4);
	f.data[f.l4 + 12] = 4 << 4; /* doff 4 */
	expect(&f, XDP_PASS, PCF_VERDICT_PASS, PCF_REASON_MALFORMED, NULL);
	frame_build(&f, &s6);
	f.data[f.l3] = 0x40; /* version 4 behind an IPv6 ethertype */
	expect(&f, XDP_PASS, PCF_VERDICT_PASS, PCF_REASON_MALFORMED, NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		setup_test(test_vlan),
		setup_test(test_ipv6_exthdrs),
		setup_test(test_ipv6_exthdr_limit),
		setup_test(test_ipv4_fragments),
		setup_test(test_ipv6_fragments),
		setup_test(test_not_fragments),
		setup_test(test_icmp_type_code),
		setup_test(test_truncated),
		setup_test(test_invalid_headers),
	};

	env_init("parse");
	return cmocka_run_group_tests(tests, NULL, env_teardown);
}
