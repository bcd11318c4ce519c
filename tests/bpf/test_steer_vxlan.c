// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * test_steer_vxlan - VXLAN-aware rules (issue 13) in the real pcf_steer:
 * an encap rule matches the inner packet of a VXLAN frame (IPv4 or IPv6
 * inside IPv4 or IPv6, an inner VLAN tag skipped, a VNI), outer rules
 * still judge the same frames by their outer headers, the better rank
 * wins; cut or invalid encapsulations get the default verdict and their
 * reason counter; pass with ttl-delta and df-clear rewrites the inner
 * header with every checksum valid (the inner IPv4 header's and the outer
 * UDP checksum, recomputed in full here), and decap hands the inner
 * frame on, byte for byte.
 */
#include "steer_env.h"

#define VNI   4242
#define OSRC4 "198.18.9.1" /* the underlay's VTEPs */
#define ODST4 "198.18.9.2"
#define OSRC6 "2001:db8:9::1"
#define ODST6 "2001:db8:9::2"

/* A VXLAN frame (outer family ofam) carrying the frame of inner spec s. */
static void vxlan_of(struct frame *f, int ofam, const struct frame_spec *s,
		     __u32 vni, bool udp_csum, struct frame *ret_inner)
{
	struct frame_spec o = { .family = ofam,
				.src = ofam == 4 ? OSRC4 : OSRC6,
				.dst = ofam == 4 ? ODST4 : ODST6,
				.sport = 50000 };

	frame_build(ret_inner, s);
	frame_vxlan(f, &o, vni, ret_inner, udp_csum);
}

/* The 5-tuple rule of spec4/spec6 on a VXLAN frame's inner packet. */
static struct pcf_rule encap_rule(int family, enum pcf_verdict v, __u32 prio)
{
	struct pcf_rule r = rule_5tuple(family, IPPROTO_UDP, v, prio);

	r.key.tun = PCF_TUN(PCF_TUN_VXLAN, 0);
	r.mask.tun = PCF_TUN_KIND_MASK;
	return r;
}

static void test_inner_drop(void **state)
{
	int ofam, ifam;

	for (ofam = 4; ofam <= 6; ofam += 2)
		for (ifam = 4; ifam <= 6; ifam += 2) {
			struct pcf_rule r =
			    encap_rule(ifam, PCF_VERDICT_DROP, 100);
			struct frame_spec s =
			    ifam == 4 ? spec4(IPPROTO_UDP) : spec6(IPPROTO_UDP);
			struct frame f, in;
			__u32 id;

			env_reset(NULL);
			id = rule_add(&r);
			vxlan_of(&f, ofam, &s, VNI, ofam == 6, &in);
			expect(&f, XDP_DROP, PCF_VERDICT_DROP, PCF_REASON_NONE,
			       NULL);
			assert_hits(id, 1);
			/* the same packet unencapsulated: an outer key, no
			 * encap rule for it */
			expect(&in, XDP_PASS, PCF_VERDICT_PASS, PCF_REASON_MISS,
			       NULL);
			assert_hits(id, 1);
		}
}

/* An inner VLAN tag is skipped; the VNI matches exactly when given. */
static void test_inner_vlan_and_vni(void **state)
{
	struct pcf_rule r = encap_rule(4, PCF_VERDICT_DROP, 100);
	struct frame_spec s = spec4(IPPROTO_UDP);
	struct frame f, in;
	__u32 id;

	r.key.tun = PCF_TUN(PCF_TUN_VXLAN, VNI);
	r.mask.tun = ~0U;
	id = rule_add(&r);
	s.vlan[0] = ETH_P_8021Q;
	vxlan_of(&f, 4, &s, VNI, false, &in);
	expect(&f, XDP_DROP, PCF_VERDICT_DROP, PCF_REASON_NONE, NULL);
	vxlan_of(&f, 4, &s, VNI + 1, false, &in);
	expect(&f, XDP_PASS, PCF_VERDICT_PASS, PCF_REASON_MISS, NULL);
	assert_hits(id, 1);
}

/*
 * Outer rules keep judging VXLAN frames by their outer headers; between
 * an outer and an inner rule that both match, the lower prio wins.
 */
static void test_outer_and_inner_by_rank(void **state)
{
	struct pcf_rule inner = encap_rule(4, PCF_VERDICT_DROP, 200);
	struct pcf_rule outer = rule_new(PCF_VERDICT_PASS, 100);
	struct frame_spec s = spec4(IPPROTO_UDP);
	struct frame f, in;
	__u32 iid, oid;

	rule_addrs(&outer, 4, OSRC4, 32, NULL, 0);
	rule_proto(&outer, IPPROTO_UDP);
	rule_ports(&outer, -1, 4789);
	iid = rule_add(&inner);
	oid = rule_add(&outer);
	vxlan_of(&f, 4, &s, VNI, false, &in);
	expect(&f, XDP_PASS, PCF_VERDICT_PASS, PCF_REASON_NONE, NULL);
	assert_hits(oid, 1);
	assert_hits(iid, 0);
	/* the outer rule below the inner one: the inner wins */
	outer.prio = 300;
	assert_int_equal(pcf_table_add(pcf_dp_table(env.dp), &outer,
				       PCF_TABLE_REPLACE, NULL),
			 0);
	expect(&f, XDP_DROP, PCF_VERDICT_DROP, PCF_REASON_NONE, NULL);
	assert_hits(iid, 1);
	/* an inner packet the encap rule does not match: the outer rule */
	s.sport++;
	vxlan_of(&f, 4, &s, VNI, false, &in);
	expect(&f, XDP_PASS, PCF_VERDICT_PASS, PCF_REASON_NONE, NULL);
	assert_hits(oid, 2);
}

/* Cut or invalid encapsulations: the default verdict, counted. */
static void test_malformed(void **state)
{
	struct pcf_rule r = encap_rule(4, PCF_VERDICT_PASS, 100);
	struct frame_spec s = spec4(IPPROTO_UDP);
	struct frame f, in, cut;
	size_t vx, len;

	rule_add(&r);
	pcf_dp_set_default(env.dp, PCF_VERDICT_DROP);
	vxlan_of(&f, 4, &s, VNI, false, &in);
	vx = f.l4 + sizeof(struct udphdr);
	/* cut anywhere from the VXLAN header to the inner L4 header's end;
	 * the lengths in the outer headers still say the whole frame */
	for (len = vx; len < f.len; len++) {
		cut = f;
		cut.len = len;
		expect(&cut, XDP_DROP, PCF_VERDICT_DROP,
		       PCF_REASON_ENCAP_MALFORMED, NULL);
	}
	/* the I flag clear: no valid VNI */
	cut = f;
	cut.data[vx] = 0;
	expect(&cut, XDP_DROP, PCF_VERDICT_DROP, PCF_REASON_ENCAP_MALFORMED,
	       NULL);
	/* the whole frame: the rule */
	expect(&f, XDP_PASS, PCF_VERDICT_PASS, PCF_REASON_NONE, NULL);
	/* an inner frame that is not IP (ARP): the outer rules alone */
	s = (struct frame_spec){ .ethertype = ETH_P_ARP };
	vxlan_of(&f, 4, &s, VNI, false, &in);
	expect(&f, XDP_DROP, PCF_VERDICT_DROP, PCF_REASON_MISS, NULL);
}

/* No encap rule: no packet is looked into (a cut one is a plain miss). */
static void test_no_encap_rule_no_look(void **state)
{
	struct frame_spec s = spec4(IPPROTO_UDP);
	struct frame f, in;

	vxlan_of(&f, 4, &s, VNI, false, &in);
	f.len = f.l4 + sizeof(struct udphdr) + 4;
	expect(&f, XDP_PASS, PCF_VERDICT_PASS, PCF_REASON_MISS, NULL);
}

static __u16 udp_check_of(struct frame *f)
{
	return ((struct udphdr *)(f->data + f->l4))->check;
}

/*
 * pass ttl-delta -1 df-clear on the inner IPv4 packet: TTL and DF
 * rewritten, the inner header checksum and the outer UDP checksum (when
 * not 0) still valid; decap: the inner frame, rewritten, alone.
 */
static void test_pass_rewrite_inner(void **state)
{
	struct pcf_rule r = encap_rule(4, PCF_VERDICT_PASS, 100);
	struct frame_spec s = spec4(IPPROTO_UDP);
	struct frame f, in, got;
	struct result res;
	struct iphdr *iph;
	int ofam, csum;

	r.action.flags = PCF_ACT_TTL | PCF_ACT_DF_CLEAR;
	r.action.ttl_delta = -1;
	rule_add(&r);
	s.df = true;
	s.ttl = 64;
	s.payload = 13; /* odd: the checksum's last byte alone */
	for (ofam = 4; ofam <= 6; ofam += 2)
		for (csum = 0; csum <= 1; csum++) {
			vxlan_of(&f, ofam, &s, VNI, csum, &in);
			expect(&f, XDP_PASS, PCF_VERDICT_PASS, PCF_REASON_NONE,
			       &res);
			assert_int_equal(res.len, f.len);
			got = f;
			memcpy(got.data, result_frame(&res), res.len);
			iph = (void *)(got.data + f.l4 + 16 + in.l3);
			assert_int_equal(iph->ttl, 63);
			assert_int_equal(iph->frag_off & htons(0x4000), 0);
			assert_int_equal(iph->check, ipv4_csum(iph));
			if (!csum) {
				assert_int_equal(udp_check_of(&got), 0);
				continue;
			}
			/* (an IPv4 header's checksum keeps its sum: the
			 * UDP checksum stays as it was) */
			memcpy(&f, &got, sizeof(f));
			frame_udp_csum(&f, ofam); /* of the frame as passed */
			assert_int_equal(udp_check_of(&got), udp_check_of(&f));
		}
}

static void test_pass_rewrite_inner6(void **state)
{
	struct pcf_rule r = encap_rule(6, PCF_VERDICT_PASS, 100);
	struct frame_spec s = spec6(IPPROTO_UDP);
	struct frame f, in, got;
	struct result res;
	struct ipv6hdr *ip6h;

	r.action.flags = PCF_ACT_TTL;
	r.action.ttl_delta = -3;
	rule_add(&r);
	s.ttl = 9;
	vxlan_of(&f, 6, &s, VNI, true, &in);
	expect(&f, XDP_PASS, PCF_VERDICT_PASS, PCF_REASON_NONE, &res);
	got = f;
	memcpy(got.data, result_frame(&res), res.len);
	ip6h = (void *)(got.data + f.l4 + 16 + in.l3);
	assert_int_equal(ip6h->hop_limit, 6);
	f = got;
	frame_udp_csum(&f, 6);
	assert_int_equal(udp_check_of(&got), udp_check_of(&f));
	/* to 0: dropped, counted */
	s.ttl = 3;
	vxlan_of(&f, 6, &s, VNI, true, &in);
	expect(&f, XDP_DROP, PCF_VERDICT_DROP, PCF_REASON_TTL_EXPIRED, NULL);
}

static void test_pass_decap(void **state)
{
	struct pcf_rule r = encap_rule(4, PCF_VERDICT_PASS, 100);
	struct frame_spec s = spec4(IPPROTO_UDP);
	struct frame f, in;
	struct result res;
	struct iphdr *iph;

	r.action.flags = PCF_ACT_DECAP | PCF_ACT_DF_CLEAR;
	rule_add(&r);
	s.df = true;
	vxlan_of(&f, 6, &s, VNI, true, &in);
	expect(&f, XDP_PASS, PCF_VERDICT_PASS, PCF_REASON_NONE, &res);
	assert_int_equal(res.len, in.len);
	iph = (void *)(in.data + in.l3);
	iph->frag_off &= ~htons(0x4000);
	iph->check = ipv4_csum(iph);
	assert_memory_equal(result_frame(&res), in.data, in.len);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		setup_test(test_inner_drop),
		setup_test(test_inner_vlan_and_vni),
		setup_test(test_outer_and_inner_by_rank),
		setup_test(test_malformed),
		setup_test(test_no_encap_rule_no_look),
		setup_test(test_pass_rewrite_inner),
		setup_test(test_pass_rewrite_inner6),
		setup_test(test_pass_decap),
	};

	env_init("vxlan");
	return cmocka_run_group_tests(tests, NULL, env_teardown);
}
