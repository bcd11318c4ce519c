// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * test_l4csum - the workers' check of received TCP/UDP checksums: random
 * IPv4/IPv6 TCP/UDP packets (options, extension headers, odd lengths,
 * Ethernet padding after the IP packet) with correct checksums are good;
 * one flipped bit, or the pseudo-header sum a CHECKSUM_PARTIAL
 * sender leaves in the field, is bad; what cannot be checked (ICMP,
 * fragments, IPv4 UDP without checksum) is not judged.
 *
 * The seed is printed; PCF_TEST_SEED=N repeats a run.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <cmocka.h>

#include "l4csum.h"
#include "pkt_csum.h"

#define ROUNDS 2000

static unsigned int seed;

static const __u8 ext6[][3] = {
	{ 0 },
	{ IPPROTO_HOPOPTS },
	{ IPPROTO_HOPOPTS, IPPROTO_ROUTING },
	{ IPPROTO_DSTOPTS },
};

/* A random packet with a correct checksum; pad bytes of Ethernet trailer. */
static void random_frame(struct frame *f, int family, __u8 proto, int pad)
{
	struct frame_spec s = {
		.family = family,
		.proto = proto,
		.src = family == 4 ? "198.18.0.1" : "2001:db8::1",
		.dst = family == 4 ? "198.19.1.200" : "2001:db8::a:b",
		.sport = rand() & 0xffff,
		.dport = rand() & 0xffff,
		.payload = rand() % 200,
		.opt_words = family == 4 ? rand() % 3 : 0,
	};
	size_t i;

	if (family == 6)
		memcpy(s.ext, ext6[rand() % 4], 3);
	frame_build(f, &s);
	for (i = f->len - s.payload; i < f->len; i++)
		f->data[i] = rand();
	l4_csum_fill(f, family, proto);
	for (i = 0; i < (size_t)pad; i++)
		f->data[f->len++] = rand();
}

static enum pcf_l4csum check(struct frame *f, int family, __u8 proto)
{
	struct pcf_meta m = meta_for(f, family, proto, f->l4 != f->len);
	struct pcf_pkt_ref p;

	assert_int_equal(pcf_pkt_check(f->data, f->len, &m, &p), 0);
	return pcf_l4csum_check(&p);
}

static void test_good_and_bad(void **state)
{
	static const __u8 protos[] = { IPPROTO_TCP, IPPROTO_UDP };
	struct frame f;
	int i, family, pad;
	__u8 proto;
	size_t at;

	for (i = 0; i < ROUNDS; i++) {
		family = i % 2 ? 6 : 4;
		proto = protos[(i / 2) % 2];
		pad = i % 3 ? 0 : rand() % 20;
		random_frame(&f, family, proto, pad);
		assert_int_equal(check(&f, family, proto), PCF_L4CSUM_GOOD);
		/* one bit of the segment flipped (Ethernet padding is not
		 * covered; nor is UDP's field, whose 0 means "none") */
		do {
			at = f.l4 + rand() % (f.len - pad - f.l4);
		} while (proto == IPPROTO_UDP && at >= f.l4 + 6 &&
			 at < f.l4 + 8);
		f.data[at] ^= 1 << (rand() % 8);
		assert_int_equal(check(&f, family, proto), PCF_L4CSUM_BAD);
	}
}

/* The pseudo-header's sum, folded, not complemented, as the field holds
 * it from a CHECKSUM_PARTIAL sender (what a veth with tx offload on hands
 * its peer). */
static __u16 partial_csum(const struct frame *f, int family, __u8 proto)
{
	size_t seg = f->len - f->l4;
	__u8 ph[40] = {};
	size_t n;

	if (family == 4) {
		memcpy(ph, f->data + f->l3 + 12, 8); /* saddr, daddr */
		ph[9] = proto;
		put_be16(&ph[10], seg);
		n = 12;
	} else {
		memcpy(ph, f->data + f->l3 + 8, 32);
		put_be16(&ph[34], seg);
		ph[39] = proto;
		n = 40;
	}
	return ~csum_full(ph, n);
}

static void test_partial(void **state)
{
	static const __u8 protos[] = { IPPROTO_TCP, IPPROTO_UDP };
	struct frame f;
	int i, family;
	__u16 c;

	for (i = 0; i < 4; i++) {
		family = i % 2 ? 6 : 4;
		random_frame(&f, family, protos[i / 2], 0);
		c = partial_csum(&f, family, protos[i / 2]);
		memcpy(f.data + f.l4 + l4_csum_off(protos[i / 2]), &c, 2);
		assert_int_equal(check(&f, family, protos[i / 2]),
				 PCF_L4CSUM_BAD);
	}
}

static void test_not_judged(void **state)
{
	struct frame_spec s = { .family = 4,
				.proto = IPPROTO_UDP,
				.src = "198.18.0.1",
				.dst = "198.18.0.2",
				.payload = 30 };
	struct frame f;

	/* IPv4 UDP without a checksum */
	frame_build(&f, &s);
	assert_int_equal(check(&f, 4, IPPROTO_UDP), PCF_L4CSUM_NA);
	/* ICMP */
	s.proto = IPPROTO_ICMP;
	frame_build(&f, &s);
	l4_csum_fill(&f, 4, IPPROTO_ICMP);
	assert_int_equal(check(&f, 4, IPPROTO_ICMP), PCF_L4CSUM_NA);
	/* a first IPv4 fragment: the checksum covers the whole datagram */
	s.proto = IPPROTO_TCP;
	s.more_frags = true;
	frame_build(&f, &s);
	assert_int_equal(check(&f, 4, IPPROTO_TCP), PCF_L4CSUM_NA);
	/* a first IPv6 fragment */
	s.family = 6;
	s.src = "2001:db8::1";
	s.dst = "2001:db8::2";
	s.ext[0] = IPPROTO_FRAGMENT;
	frame_build(&f, &s);
	assert_int_equal(check(&f, 6, IPPROTO_TCP), PCF_L4CSUM_NA);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_and_bad),
		cmocka_unit_test(test_partial),
		cmocka_unit_test(test_not_judged),
	};
	const char *env = getenv("PCF_TEST_SEED");

	seed = env ? strtoul(env, NULL, 0) : (unsigned int)time(NULL);
	printf("seed %u\n", seed);
	srand(seed);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
