// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * test_ct_xlat - a session's packets and the ICMP errors about them,
 * rewritten by the worker (daemon/dataplane/ct_xlat.c): each result must
 * equal, byte for byte, the packet built directly with the translated
 * tuple and full checksums; an ICMP error's quoted packet must become
 * the packet as the inside host sent it (PMTUD and traceroute through
 * ct snat), its ICMP checksum a full recomputation, IPv4 and IPv6.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>
#include <errno.h>

#include "ct_xlat.h"
#include "pipeline.h" /* pcf_pkt_check */
#include "pkt_csum.h"

#define C4 "198.18.1.10" /* the inside client */
#define N4 "198.18.2.77" /* its NAT address */
#define S4 "198.18.3.1"	 /* the server */
#define R4 "198.18.2.9"	 /* a router on the way */
#define C6 "2001:db8:1::10"
#define N6 "2001:db8:2::77"
#define S6 "2001:db8:3::1"
#define R6 "2001:db8:2::9"

/* A packet with full checksums; an echo's identifier is sport. */
static void build(struct frame *f, int family, __u8 proto, const char *src,
		  __u16 sport, const char *dst, __u16 dport)
{
	bool icmp = proto == IPPROTO_ICMP || proto == IPPROTO_ICMPV6;
	struct frame_spec s = { .family = family,
				.proto = proto,
				.src = src,
				.dst = dst,
				.sport = icmp ? (family == 4 ? 8 : 128) : sport,
				.dport = icmp ? 0 : dport,
				.payload = 24,
				.df = true };
	size_t i;

	frame_build(f, &s);
	for (i = f->len - s.payload; i < f->len; i++)
		f->data[i] = i * 7;
	if (icmp)
		put_be16(f->data + f->l4 + 4, sport);
	l4_csum_fill(f, family, proto);
}

/* A reply: as build, and an echo becomes a reply with identifier dport. */
static void build_reply(struct frame *f, int family, __u8 proto,
			const char *src, __u16 sport, const char *dst,
			__u16 dport)
{
	build(f, family, proto, src, sport, dst, dport);
	if (proto != IPPROTO_ICMP && proto != IPPROTO_ICMPV6)
		return;
	f->data[f->l4] = family == 4 ? 0 : 129;
	put_be16(f->data + f->l4 + 4, dport);
	l4_csum_fill(f, family, proto);
}

static struct pcf_pkt_ref ref_of(struct frame *f)
{
	struct pcf_meta m = meta_for(
	    f, f->data[f->l3] >> 4 == 4 ? 4 : 6,
	    f->data[f->l3] >> 4 == 4 ? f->data[f->l3 + 9] : f->data[f->l3 + 6],
	    true);
	struct pcf_pkt_ref p;

	assert_int_equal(pcf_pkt_check(f->data, f->len, &m, &p), 0);
	return p;
}

static struct pcf_ct_key tuple(int family, __u8 proto, const char *src,
			       __u16 sport, const char *dst, __u16 dport)
{
	struct pcf_ct_key k = { .proto = proto, .family = family };
	int af = family == 4 ? AF_INET : AF_INET6;

	inet_pton(af, src, k.src);
	inet_pton(af, dst, k.dst);
	k.sport = htons(sport);
	k.dport = htons(dport);
	return k;
}

static void assert_frames_equal(const struct frame *got,
				const struct frame *want)
{
	assert_int_equal(got->len, want->len);
	assert_memory_equal(got->data, want->data, want->len);
}

/* SNAT of a packet and un-SNAT of its reply, for each protocol. */
static void xlat_both_ways(int family, __u8 proto)
{
	const char *c = family == 4 ? C4 : C6, *n = family == 4 ? N4 : N6,
		   *s = family == 4 ? S4 : S6;
	bool icmp = proto == IPPROTO_ICMP || proto == IPPROTO_ICMPV6;
	struct pcf_ct_key k, want_key;
	struct frame f, want;
	struct pcf_pkt_ref p;
	bool ports;

	build(&f, family, proto, c, 4000, s, 53);
	p = ref_of(&f);
	assert_int_equal(pcf_ct_pkt_key(&p, &k, &ports), 0);
	assert_true(ports);
	want_key = tuple(family, proto, c, 4000, s, icmp ? 0 : 53);
	assert_memory_equal(&k, &want_key, sizeof(k));
	k = tuple(family, proto, n, 20001, s, icmp ? 0 : 53);
	pcf_ct_xlat(&p, &k);
	build(&want, family, proto, n, 20001, s, 53);
	assert_frames_equal(&f, &want);

	/* the reply: an echo reply's identifier is its dport */
	build_reply(&f, family, proto, s, 53, n, 20001);
	p = ref_of(&f);
	assert_int_equal(pcf_ct_pkt_key(&p, &k, &ports), 0);
	assert_int_equal(ntohs(k.dport), 20001);
	k = tuple(family, proto, s, icmp ? 0 : 53, c, 4000);
	pcf_ct_xlat(&p, &k);
	build_reply(&want, family, proto, s, 53, c, 4000);
	assert_frames_equal(&f, &want);
}

static void test_xlat(void **state)
{
	xlat_both_ways(4, IPPROTO_UDP);
	xlat_both_ways(4, IPPROTO_TCP);
	xlat_both_ways(4, IPPROTO_ICMP);
	xlat_both_ways(6, IPPROTO_UDP);
	xlat_both_ways(6, IPPROTO_TCP);
	xlat_both_ways(6, IPPROTO_ICMPV6);
}

static void test_pkt_key_untracked(void **state)
{
	struct frame f;
	struct pcf_pkt_ref p;
	struct pcf_ct_key k;
	bool ports;

	/* an ICMP message other than an echo */
	build(&f, 4, IPPROTO_ICMP, C4, 1, S4, 0);
	f.data[f.l4] = 13; /* timestamp */
	p = ref_of(&f);
	assert_int_equal(pcf_ct_pkt_key(&p, &k, &ports), -ENOENT);
	/* another protocol: its addresses */
	build(&f, 4, IPPROTO_GRE, C4, 0, S4, 0);
	p = ref_of(&f);
	p.l4_off = 0;
	assert_int_equal(pcf_ct_pkt_key(&p, &k, &ports), 0);
	assert_false(ports);
	assert_int_equal(k.sport | k.dport, 0);
}

/*
 * An ICMP error of type/code from src to dst quoting quote_len bytes of
 * the packet q (from its IP header on).
 */
static void build_error(struct frame *e, int family, __u8 type, __u8 code,
			const char *src, const char *dst, const struct frame *q,
			size_t quote_len)
{
	struct frame_spec s = { .family = family,
				.proto =
				    family == 4 ? IPPROTO_ICMP : IPPROTO_ICMPV6,
				.src = src,
				.dst = dst,
				.sport = type,
				.dport = code,
				.payload = 4 + quote_len };

	frame_build(e, &s);
	put_be16(e->data + e->l4 + 6, 1280); /* the MTU of "too big" */
	memcpy(e->data + e->l4 + 8, q->data + q->l3, quote_len);
	l4_csum_fill(e, family, s.proto);
}

static void assert_valid_error(struct frame *e, int family)
{
	const struct iphdr *iph = (const void *)(e->data + e->l3);

	if (family == 4)
		assert_int_equal(iph->check, ipv4_csum(iph));
	assert_int_equal(
	    l4_sum(e, family, family == 4 ? IPPROTO_ICMP : IPPROTO_ICMPV6), 0);
}

/*
 * An error about the translated packet N:n -> S:s, sent by from to N,
 * quoting quote bytes (0: all of it), comes back about C:c -> S:s, sent
 * to C: the quoted packet is then byte for byte what C sent.
 */
static void error_back(int family, __u8 proto, __u8 type, __u8 code,
		       bool from_server, size_t quote)
{
	const char *c = family == 4 ? C4 : C6, *n = family == 4 ? N4 : N6,
		   *s = family == 4 ? S4 : S6, *r = family == 4 ? R4 : R6;
	const char *from = from_server ? s : r;
	bool icmp = proto == IPPROTO_ICMP || proto == IPPROTO_ICMPV6;
	struct frame sent, out, e, want;
	struct pcf_pkt_ref p;
	/* the reply entry's translation: S:s -> C:c */
	struct pcf_ct_key to = tuple(family, proto, s, icmp ? 0 : 53, c, 4000);

	build(&sent, family, proto, c, 4000, s, 53);
	build(&out, family, proto, n, 20001, s, 53);
	if (!quote)
		quote = out.len - out.l3;
	build_error(&e, family, type, code, from, n, &out, quote);
	p = ref_of(&e);
	assert_int_equal(pcf_ct_xlat_error(&p, &to), 0);
	assert_valid_error(&e, family);
	build_error(&want, family, type, code, from, c, &sent, quote);
	assert_frames_equal(&e, &want);
}

static void test_errors(void **state)
{
	/* fragmentation needed and time exceeded from a router, whole and
	 * cut to 8 bytes of TCP (no quoted checksum then) */
	error_back(4, IPPROTO_TCP, 3, 4, false, 0);
	error_back(4, IPPROTO_TCP, 3, 4, false, 28);
	error_back(4, IPPROTO_UDP, 11, 0, false, 0);
	error_back(4, IPPROTO_UDP, 11, 0, false, 28);
	error_back(4, IPPROTO_ICMP, 11, 0, false, 0);
	/* port unreachable from the server itself */
	error_back(4, IPPROTO_UDP, 3, 3, true, 0);
	/* ICMPv6: packet too big, time exceeded, unreachable */
	error_back(6, IPPROTO_TCP, 2, 0, false, 0);
	error_back(6, IPPROTO_TCP, 2, 0, false, 48);
	error_back(6, IPPROTO_UDP, 3, 0, false, 0);
	error_back(6, IPPROTO_ICMPV6, 3, 0, false, 0);
	error_back(6, IPPROTO_UDP, 1, 4, true, 0);
}

/*
 * ct dnat: C -> V:80 went out as C -> B:8080; B's port unreachable
 * (outer B -> C) comes back from V, about C -> V:80.
 */
static void test_error_dnat_peer(void **state)
{
	const char *v = "198.18.2.80", *b = "198.18.3.8";
	struct frame sent, out, e, want;
	struct pcf_pkt_ref p;
	struct pcf_ct_key to = tuple(4, IPPROTO_UDP, v, 80, C4, 4000);

	build(&sent, 4, IPPROTO_UDP, C4, 4000, v, 80);
	build(&out, 4, IPPROTO_UDP, C4, 4000, b, 8080);
	build_error(&e, 4, 3, 3, b, C4, &out, out.len - out.l3);
	p = ref_of(&e);
	assert_int_equal(pcf_ct_xlat_error(&p, &to), 0);
	build_error(&want, 4, 3, 3, v, C4, &sent, sent.len - sent.l3);
	assert_frames_equal(&e, &want);
}

/* A quote cut before its ports: refused, the packet untouched. */
static void test_error_cut(void **state)
{
	struct frame out, e, keep;
	struct pcf_pkt_ref p;
	struct pcf_ct_key to = tuple(4, IPPROTO_UDP, S4, 53, C4, 4000);

	build(&out, 4, IPPROTO_UDP, N4, 20001, S4, 53);
	build_error(&e, 4, 11, 0, R4, N4, &out, 24);
	keep = e;
	p = ref_of(&e);
	assert_int_equal(pcf_ct_xlat_error(&p, &to), -EINVAL);
	assert_frames_equal(&e, &keep);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_xlat),
		cmocka_unit_test(test_pkt_key_untracked),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_error_dnat_peer),
		cmocka_unit_test(test_error_cut),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
