// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * test_nat - SNAT/DNAT of random IPv4 and IPv6 TCP/UDP/ICMP packets: the
 * addresses and ports end up as asked, and the IPv4 header checksum and the
 * L4 checksum (pseudo-header included) equal a full recomputation.  Also
 * the UDP corners: a checksum of 0 stays 0 over IPv4, and a result of 0 is
 * sent as 0xffff.
 *
 * The seed is printed; PCF_TEST_SEED=N repeats a run.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <cmocka.h>

#include "nat.h"
#include "pipeline.h" /* pcf_pkt_check */
#include "pkt_csum.h"

#define ROUNDS 5000

static unsigned int seed;

static const char *const v4[] = { "198.18.0.1", "198.19.255.254", "198.18.77.3",
				  "198.19.1.200" };
static const char *const v6[] = { "2001:db8::1", "2001:db8:ffff::fffe",
				  "2001:db8:1:2:3:4:5:6", "2001:db8::a:b" };

static __u16 rnd16(void)
{
	return rand() & 0xffff;
}

/* A random frame of family/proto with correct checksums. */
static void random_frame(struct frame *f, int family, __u8 proto)
{
	struct frame_spec s = {
		.family = family,
		.proto = proto,
		.src = family == 4 ? v4[rand() % 4] : v6[rand() % 4],
		.dst = family == 4 ? v4[rand() % 4] : v6[rand() % 4],
		.sport = proto == IPPROTO_ICMP	   ? 8
			 : proto == IPPROTO_ICMPV6 ? 128
						   : rnd16(),
		.dport = proto == IPPROTO_ICMP || proto == IPPROTO_ICMPV6
			     ? 0
			     : rnd16(),
		.payload = rand() % 64,
		.opt_words = family == 4 ? rand() % 3 : 0,
	};
	size_t i;

	frame_build(f, &s);
	for (i = f->len - s.payload; i < f->len; i++)
		f->data[i] = rand();
	l4_csum_fill(f, family, proto);
}

static struct pcf_nat random_nat(int family)
{
	struct pcf_nat nat = { .family = family };
	int i;

	for (i = 0; i < (family == 4 ? 4 : 16); i++)
		nat.addr[i] = rand();
	nat.port = rand() % 2 ? htons(rnd16() | 1) : 0;
	return nat;
}

static void check_ref(struct frame *f, struct pcf_pkt_ref *p, int family,
		      __u8 proto)
{
	struct pcf_meta m = meta_for(f, family, proto, true);

	assert_int_equal(pcf_pkt_check(f->data, f->len, &m, p), 0);
}

static void assert_checksums(const struct frame *f, int family, __u8 proto)
{
	if (family == 4) {
		const struct iphdr *iph = (const void *)(f->data + f->l3);

		assert_int_equal(iph->check, ipv4_csum(iph));
	}
	if (proto == IPPROTO_UDP && family == 4 && !l4_csum_get(f, proto))
		return;
	assert_int_equal(l4_sum(f, family, proto), 0);
}

static void assert_nat_applied(const struct frame *f, int family, __u8 proto,
			       const struct pcf_nat *nat, enum pcf_nat_dir dir,
			       __u16 old_port)
{
	size_t alen = family == 4 ? 4 : 16;
	size_t aoff = family == 4 ? (dir == PCF_NAT_SRC ? 12 : 16)
				  : (dir == PCF_NAT_SRC ? 8 : 24);
	__u16 port;

	assert_memory_equal(f->data + f->l3 + aoff, nat->addr, alen);
	if (proto != IPPROTO_TCP && proto != IPPROTO_UDP)
		return;
	memcpy(&port, f->data + f->l4 + (dir == PCF_NAT_SRC ? 0 : 2), 2);
	assert_int_equal(port, nat->port ? nat->port : old_port);
}

static void nat_rounds(int family, __u8 proto)
{
	struct pcf_pkt_ref p;
	struct frame f;
	int i;

	for (i = 0; i < ROUNDS; i++) {
		enum pcf_nat_dir dir = rand() % 2 ? PCF_NAT_SRC : PCF_NAT_DST;
		struct pcf_nat nat = random_nat(family);
		__u16 old_port;

		random_frame(&f, family, proto);
		memcpy(&old_port, f.data + f.l4 + (dir == PCF_NAT_SRC ? 0 : 2),
		       2);
		check_ref(&f, &p, family, proto);
		assert_int_equal(pcf_nat_apply(&p, &nat, dir), 0);
		assert_nat_applied(&f, family, proto, &nat, dir, old_port);
		assert_checksums(&f, family, proto);
	}
}

static void test_v4_udp(void **state)
{
	nat_rounds(4, IPPROTO_UDP);
}

static void test_v4_tcp(void **state)
{
	nat_rounds(4, IPPROTO_TCP);
}

static void test_v6_udp(void **state)
{
	nat_rounds(6, IPPROTO_UDP);
}

static void test_v6_tcp(void **state)
{
	nat_rounds(6, IPPROTO_TCP);
}

static void test_v6_icmp(void **state)
{
	nat_rounds(6, IPPROTO_ICMPV6);
}

/* ICMP echo: addresses rewritten, the ICMP checksum (no pseudo-header)
 * stays as it was and valid. */
static void test_v4_icmp_echo(void **state)
{
	struct pcf_pkt_ref p;
	struct frame f;
	__u16 before;
	int i;

	for (i = 0; i < ROUNDS; i++) {
		struct pcf_nat nat = random_nat(4);

		random_frame(&f, 4, IPPROTO_ICMP);
		before = l4_csum_get(&f, IPPROTO_ICMP);
		check_ref(&f, &p, 4, IPPROTO_ICMP);
		assert_int_equal(pcf_nat_apply(&p, &nat, PCF_NAT_DST), 0);
		assert_nat_applied(&f, 4, IPPROTO_ICMP, &nat, PCF_NAT_DST, 0);
		assert_int_equal(l4_csum_get(&f, IPPROTO_ICMP), before);
		assert_checksums(&f, 4, IPPROTO_ICMP);
	}
}

static void test_v4_udp_zero_stays_zero(void **state)
{
	struct pcf_pkt_ref p;
	struct frame f;
	int i;

	for (i = 0; i < 100; i++) {
		struct pcf_nat nat = random_nat(4);

		random_frame(&f, 4, IPPROTO_UDP);
		memset(f.data + f.l4 + 6, 0, 2);
		check_ref(&f, &p, 4, IPPROTO_UDP);
		assert_int_equal(pcf_nat_apply(&p, &nat, PCF_NAT_SRC), 0);
		assert_int_equal(l4_csum_get(&f, IPPROTO_UDP), 0);
		assert_checksums(&f, 4, IPPROTO_UDP);
	}
}

/*
 * Find a new port that makes the UDP checksum come out as zero: it must be
 * sent as 0xffff, and the segment must still verify.
 */
static void udp_zero_result(int family)
{
	struct frame f, orig;
	struct pcf_pkt_ref p;
	int found = 0;
	__u32 port;

	random_frame(&orig, family, IPPROTO_UDP);
	for (port = 1; port <= 0xffff; port++) {
		struct pcf_nat nat = { .family = family, .port = htons(port) };

		f = orig;
		memcpy(nat.addr, f.data + f.l3 + (family == 4 ? 12 : 8),
		       family == 4 ? 4 : 16);
		check_ref(&f, &p, family, IPPROTO_UDP);
		assert_int_equal(pcf_nat_apply(&p, &nat, PCF_NAT_SRC), 0);
		assert_int_not_equal(l4_csum_get(&f, IPPROTO_UDP), 0);
		assert_checksums(&f, family, IPPROTO_UDP);
		if (l4_csum_get(&f, IPPROTO_UDP) == 0xffff)
			found++;
	}
	assert_true(found > 0);
}

static void test_udp_zero_result_v4(void **state)
{
	udp_zero_result(4);
}

static void test_udp_zero_result_v6(void **state)
{
	udp_zero_result(6);
}

static void test_family_mismatch(void **state)
{
	struct pcf_nat nat6 = random_nat(6), nat4 = random_nat(4);
	struct pcf_pkt_ref p;
	struct frame f, orig;

	random_frame(&orig, 4, IPPROTO_UDP);
	f = orig;
	check_ref(&f, &p, 4, IPPROTO_UDP);
	assert_int_equal(pcf_nat_apply(&p, &nat6, PCF_NAT_SRC),
			 -EAFNOSUPPORT);
	assert_memory_equal(f.data, orig.data, f.len);

	random_frame(&orig, 6, IPPROTO_TCP);
	f = orig;
	check_ref(&f, &p, 6, IPPROTO_TCP);
	assert_int_equal(pcf_nat_apply(&p, &nat4, PCF_NAT_DST),
			 -EAFNOSUPPORT);
	assert_memory_equal(f.data, orig.data, f.len);
}

/* A non-first fragment: only the IP addresses change, header csum right. */
static void test_v4_fragment(void **state)
{
	struct frame_spec s = { .family = 4,
				.src = v4[0],
				.dst = v4[1],
				.frag_offset = 100,
				.payload = 20 };
	struct pcf_nat nat = random_nat(4);
	struct pcf_pkt_ref p;
	struct pcf_meta m;
	struct frame f, orig;

	nat.port = htons(4242);
	frame_build(&orig, &s);
	f = orig;
	m = meta_for(&f, 4, IPPROTO_UDP, false);
	assert_int_equal(pcf_pkt_check(f.data, f.len, &m, &p), 0);
	assert_int_equal(p.l4_off, 0);
	assert_int_equal(pcf_nat_apply(&p, &nat, PCF_NAT_SRC), 0);
	assert_memory_equal(f.data + f.l3 + 12, nat.addr, 4);
	assert_int_equal(((struct iphdr *)(f.data + f.l3))->check,
			 ipv4_csum((struct iphdr *)(f.data + f.l3)));
	assert_memory_equal(f.data + f.l4, orig.data + orig.l4, f.len - f.l4);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_v4_udp),
		cmocka_unit_test(test_v4_tcp),
		cmocka_unit_test(test_v6_udp),
		cmocka_unit_test(test_v6_tcp),
		cmocka_unit_test(test_v6_icmp),
		cmocka_unit_test(test_v4_icmp_echo),
		cmocka_unit_test(test_v4_udp_zero_stays_zero),
		cmocka_unit_test(test_udp_zero_result_v4),
		cmocka_unit_test(test_udp_zero_result_v6),
		cmocka_unit_test(test_family_mismatch),
		cmocka_unit_test(test_v4_fragment),
	};
	const char *env = getenv("PCF_TEST_SEED");

	seed = env ? strtoul(env, NULL, 0) : (unsigned int)time(NULL);
	printf("seed %u\n", seed);
	srand(seed);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
