// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * test_pipeline - one packet through the worker pipeline as the worker
 * sees it: pcf_meta in front of the frame, the rule read from a rules
 * array.  Forwarding with NAT, TTL and next hop (checksums against full
 * recomputation), and every rejection path.  Frames are placed so that
 * their last byte sits right before a PROT_NONE page, and their metadata
 * right after the start of one: any read out of bounds crashes the test.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <cmocka.h>

#include "pipeline.h"
#include "pkt_csum.h"

#define SLOT 7
#define ID   42
#define CTR  1234 /* the rule's counter index: not its slot */

static const __u8 dmac[6] = { 2, 0xd, 0xd, 0xd, 0xd, 0xd };
static const __u8 smac[6] = { 2, 0x5, 0x5, 0x5, 0x5, 0x5 };

struct env {
	struct pcf_rule *rules;
	struct pcf_counter *ctr;
	struct pcf_pipeline pl;
	__u8 *page; /* a page followed by a PROT_NONE page */
	long pagesz;
};

static struct env *E;

static int setup(void **state)
{
	static struct env e;

	e.pagesz = sysconf(_SC_PAGESIZE);
	e.page = mmap(NULL, 3 * e.pagesz, PROT_NONE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (e.page == MAP_FAILED)
		return -1;
	e.page += e.pagesz; /* guard before and after */
	if (mprotect(e.page, e.pagesz, PROT_READ | PROT_WRITE))
		return -1;
	e.rules = calloc(PCF_RULE_SLOTS, sizeof(*e.rules));
	e.ctr = calloc(PCF_RULE_SLOTS, sizeof(*e.ctr));
	e.pl.rules = e.rules;
	e.pl.rule_ctr = e.ctr;
	E = &e;
	return 0;
}

/* Reset slot SLOT to a plain REDIRECT rule with wire egress. */
static struct pcf_action *rule_reset(void)
{
	struct pcf_rule *r = &E->rules[SLOT];

	memset(r, 0, sizeof(*r));
	r->id = ID;
	r->ctr = CTR;
	r->flags = PCF_RULE_USED;
	r->action.verdict = PCF_VERDICT_REDIRECT;
	r->action.egress = PCF_EGRESS_WIRE;
	E->pl.default_egress = PCF_EGRESS_WIRE;
	memset(E->ctr, 0, PCF_RULE_SLOTS * sizeof(*E->ctr));
	return &r->action;
}

static struct pcf_meta meta_ok(const struct frame *f, int family, __u8 proto,
			       bool has_l4)
{
	struct pcf_meta m = meta_for(f, family, proto, has_l4);

	m.rule_slot = SLOT;
	m.rule_id = ID;
	m.fib = PCF_FIB_OK;
	m.fib_ifindex = 9;
	memcpy(m.dmac, dmac, 6);
	memcpy(m.smac, smac, 6);
	return m;
}

/*
 * Copy len bytes of f to the end of the guarded page, the metadata (of
 * headroom bytes, as much of m as fits) right before; returns the data.
 */
static __u8 *place(const struct frame *f, size_t len, const struct pcf_meta *m,
		   size_t headroom)
{
	__u8 *data = E->page + E->pagesz - len;
	size_t mlen = headroom < sizeof(*m) ? headroom : sizeof(*m);

	memcpy(data - mlen, (const __u8 *)m + sizeof(*m) - mlen, mlen);
	memcpy(data, f->data, len);
	return data;
}

static int run(const struct frame *f, size_t len, const struct pcf_meta *m,
	       size_t headroom, struct pcf_pipe_out *out, __u8 **ret_data)
{
	__u8 *data = place(f, len, m, headroom);

	memset(out, 0, sizeof(*out));
	if (ret_data)
		*ret_data = data;
	return pcf_pipeline_run(&E->pl, data, len, headroom, out);
}

static void build(struct frame *f, int family, __u8 proto, __u8 ttl)
{
	struct frame_spec s = {
		.family = family,
		.proto = proto,
		.src = family == 4 ? "198.18.0.1" : "2001:db8::1",
		.dst = family == 4 ? "198.19.0.2" : "2001:db8::2",
		.sport = 1000,
		.dport = 2000,
		.ttl = ttl,
		.payload = 18,
	};

	frame_build(f, &s);
	l4_csum_fill(f, family, proto);
}

static void forward(int family, __u8 proto)
{
	struct pcf_action *act = rule_reset();
	struct pcf_pipe_out out;
	struct pcf_meta m;
	struct frame f;
	__u8 *data;

	act->flags = PCF_ACT_TTL | PCF_ACT_SNAT | PCF_ACT_DNAT | PCF_ACT_MIRROR;
	act->ttl_delta = -1;
	act->mirror_ifindex = 11;
	act->snat.family = act->dnat.family = family;
	inet_pton(family == 4 ? AF_INET : AF_INET6,
		  family == 4 ? "198.18.9.9" : "2001:db8::99", act->snat.addr);
	inet_pton(family == 4 ? AF_INET : AF_INET6,
		  family == 4 ? "198.19.8.8" : "2001:db8::88", act->dnat.addr);
	act->snat.port = htons(5555);
	build(&f, family, proto, 64);
	m = meta_ok(&f, family, proto, true);

	assert_int_equal(run(&f, f.len, &m, 256, &out, &data), PCF_WDROP_NONE);
	assert_int_equal(out.egress_ifindex, 9);
	assert_int_equal(out.mirror_ifindex, 11);
	memcpy(f.data, data, f.len);
	/* router decrement plus ttl-delta */
	assert_int_equal(f.data[f.l3 + (family == 4 ? 8 : 7)], 62);
	assert_memory_equal(f.data, dmac, 6);
	assert_memory_equal(f.data + 6, smac, 6);
	assert_memory_equal(f.data + f.l3 + (family == 4 ? 12 : 8),
			    act->snat.addr, family == 4 ? 4 : 16);
	assert_memory_equal(f.data + f.l3 + (family == 4 ? 16 : 24),
			    act->dnat.addr, family == 4 ? 4 : 16);
	if (proto != IPPROTO_ICMP && proto != IPPROTO_ICMPV6)
		assert_int_equal(*(__u16 *)(f.data + f.l4), htons(5555));
	if (family == 4)
		assert_int_equal(((struct iphdr *)(f.data + f.l3))->check,
				 ipv4_csum((struct iphdr *)(f.data + f.l3)));
	assert_int_equal(l4_sum(&f, family, proto), 0);
	assert_int_equal(E->ctr[CTR].packets, 1);
	assert_int_equal(E->ctr[CTR].bytes, f.len);
}

static void test_forward(void **state)
{
	forward(4, IPPROTO_UDP);
	forward(4, IPPROTO_TCP);
	forward(4, IPPROTO_ICMP);
	forward(6, IPPROTO_UDP);
	forward(6, IPPROTO_TCP);
	forward(6, IPPROTO_ICMPV6);
}

/*
 * A tagged frame (802.1Q, QinQ) leaves untagged, to the wire and to the
 * kernel: byte for byte what the same frame without tags gives.
 */
static void strip_case(int family, const __u16 *vlan, __u8 egress)
{
	struct frame_spec s = { .family = family,
				.proto = IPPROTO_TCP,
				.src =
				    family == 4 ? "198.18.0.1" : "2001:db8::1",
				.dst =
				    family == 4 ? "198.19.0.2" : "2001:db8::2",
				.sport = 1000,
				.dport = 2000,
				.payload = 18 };
	struct pcf_action *act;
	struct pcf_pipe_out out, out0;
	struct pcf_meta m;
	struct frame f, f0;
	__u8 *data, want[FRAME_MAX];
	int rc;

	frame_build(&f0, &s);
	l4_csum_fill(&f0, family, IPPROTO_TCP);
	memcpy(s.vlan, vlan, sizeof(s.vlan));
	frame_build(&f, &s);
	l4_csum_fill(&f, family, IPPROTO_TCP);
	act = rule_reset();
	act->flags = PCF_ACT_TTL | PCF_ACT_SNAT;
	act->ttl_delta = -1;
	act->egress = egress;
	act->snat.family = family;
	inet_pton(family == 4 ? AF_INET : AF_INET6,
		  family == 4 ? "198.18.9.9" : "2001:db8::99", act->snat.addr);
	act->snat.port = htons(5555);

	m = meta_ok(&f0, family, IPPROTO_TCP, true);
	rc = run(&f0, f0.len, &m, 256, &out0, &data);
	assert_int_equal(out0.strip, 0);
	memcpy(want, data, f0.len);

	m = meta_ok(&f, family, IPPROTO_TCP, true);
	assert_int_equal(run(&f, f.len, &m, 256, &out, &data), rc);
	assert_int_equal(out.strip, f.l3 - 14);
	assert_int_equal(f.len - out.strip, f0.len);
	assert_int_equal(out.to_kernel, egress == PCF_EGRESS_KERNEL);
	assert_memory_equal(data + out.strip, want, f0.len);
}

static void test_vlan_strip(void **state)
{
	static const __u16 tags[][2] = { { 0x8100 }, { 0x88a8, 0x8100 } };
	size_t i;
	int fam;

	for (fam = 4; fam <= 6; fam += 2)
		for (i = 0; i < 2; i++) {
			strip_case(fam, tags[i], PCF_EGRESS_WIRE);
			strip_case(fam, tags[i], PCF_EGRESS_KERNEL);
		}
}

static void test_bad_meta(void **state)
{
	struct pcf_pipe_out out;
	struct pcf_meta m;
	struct frame f;
	size_t h;

	rule_reset();
	build(&f, 4, IPPROTO_UDP, 64);
	m = meta_ok(&f, 4, IPPROTO_UDP, true);
	for (h = 0; h < sizeof(m); h++)
		assert_int_equal(run(&f, f.len, &m, h, &out, NULL),
				 PCF_WDROP_BAD_META);
	m.magic ^= 1;
	assert_int_equal(run(&f, f.len, &m, 64, &out, NULL),
			 PCF_WDROP_BAD_META);
	m = meta_ok(&f, 4, IPPROTO_UDP, true);
	m.rule_slot = PCF_RULE_SLOTS + 3;
	assert_int_equal(run(&f, f.len, &m, 64, &out, NULL),
			 PCF_WDROP_BAD_META);
	assert_int_equal(E->ctr[CTR].packets, 0);
}

static void test_rule_gone(void **state)
{
	struct pcf_pipe_out out;
	struct pcf_meta m;
	struct frame f;

	rule_reset();
	build(&f, 4, IPPROTO_UDP, 64);
	m = meta_ok(&f, 4, IPPROTO_UDP, true);
	m.rule_id = ID + 1;
	assert_int_equal(run(&f, f.len, &m, 64, &out, NULL),
			 PCF_WDROP_RULE_GONE);
	/* replaced or deleted: the old slot still serves packets in flight */
	m.rule_id = ID;
	E->rules[SLOT].flags = PCF_RULE_RETIRED;
	assert_int_equal(run(&f, f.len, &m, 64, &out, NULL), PCF_WDROP_NONE);
	/* freed after the grace period: a packet older than that is dropped */
	memset(&E->rules[SLOT], 0, sizeof(E->rules[SLOT]));
	assert_int_equal(run(&f, f.len, &m, 64, &out, NULL),
			 PCF_WDROP_RULE_GONE);
}

static void test_next_hop(void **state)
{
	static const struct {
		__u8 fib;
		int want;
	} cases[] = {
		{ PCF_FIB_NONE, PCF_WDROP_NO_ROUTE },
		{ PCF_FIB_NO_NEIGH, PCF_WDROP_NO_NEIGH },
		{ PCF_FIB_NO_ROUTE, PCF_WDROP_NO_ROUTE },
		{ PCF_FIB_FRAG_NEEDED, PCF_WDROP_FRAG_NEEDED },
		{ 200, PCF_WDROP_NO_ROUTE },
	};
	struct pcf_action *act;
	struct pcf_pipe_out out;
	struct pcf_meta m;
	struct frame f;
	size_t i;

	build(&f, 4, IPPROTO_UDP, 64);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		rule_reset();
		m = meta_ok(&f, 4, IPPROTO_UDP, true);
		m.fib = cases[i].fib;
		assert_int_equal(run(&f, f.len, &m, 64, &out, NULL),
				 cases[i].want);
	}
	act = rule_reset();
	m = meta_ok(&f, 4, IPPROTO_UDP, true);
	act->egress = PCF_EGRESS_KERNEL;
	assert_int_equal(run(&f, f.len, &m, 64, &out, NULL),
			 PCF_WDROP_EGRESS_KERNEL);
	act->egress = PCF_EGRESS_DEFAULT;
	assert_int_equal(run(&f, f.len, &m, 64, &out, NULL), PCF_WDROP_NONE);
	E->pl.default_egress = PCF_EGRESS_KERNEL;
	m.fib = PCF_FIB_NO_NEIGH;
	assert_int_equal(run(&f, f.len, &m, 64, &out, NULL),
			 PCF_WDROP_EGRESS_KERNEL);
}

/*
 * A rule without an egress under --egress kernel: the worker forwards
 * what the FIB sends out of one of its interfaces itself, as pcf_return
 * would; the rest (a mark, another interface, no resolved next hop, a
 * TTL the router's decrement ends, `egress kernel`) to the return veth,
 * untouched by the router's decrement.
 */
static void test_kernel_shortcut(void **state)
{
	struct pcf_action *act;
	struct pcf_pipe_out out;
	struct pcf_meta m;
	struct frame f;
	__u8 *data;
	int fam, ttl_at;

	for (fam = 4; fam <= 6; fam += 2) {
		ttl_at = fam == 4 ? 8 : 7;
		build(&f, fam, IPPROTO_UDP, 64);
		act = rule_reset();
		act->egress = PCF_EGRESS_DEFAULT;
		act->flags = PCF_ACT_TTL;
		act->ttl_delta = -1;
		E->pl.default_egress = PCF_EGRESS_KERNEL;
		m = meta_ok(&f, fam, IPPROTO_UDP, true);
		assert_int_equal(run(&f, f.len, &m, 64, &out, &data),
				 PCF_WDROP_NONE);
		assert_false(out.to_kernel);
		assert_int_equal(out.egress_ifindex, 9);
		assert_int_equal(data[f.l3 + ttl_at], 62);
		assert_memory_equal(data, dmac, 6);
		assert_memory_equal(data + 6, smac, 6);
		if (fam == 4)
			assert_int_equal(
			    ((struct iphdr *)(data + f.l3))->check,
			    ipv4_csum((struct iphdr *)(data + f.l3)));

		/* the rule's -1 only: the kernel lowers the TTL itself */
		act->flags |= PCF_ACT_MARK;
		assert_int_equal(run(&f, f.len, &m, 64, &out, &data),
				 PCF_WDROP_EGRESS_KERNEL);
		assert_true(out.to_kernel);
		assert_int_equal(data[f.l3 + ttl_at], 63);
		act->flags &= ~PCF_ACT_MARK;
		act->egress = PCF_EGRESS_KERNEL;
		assert_int_equal(run(&f, f.len, &m, 64, &out, &data),
				 PCF_WDROP_EGRESS_KERNEL);
		assert_int_equal(data[f.l3 + ttl_at], 63);
		act->egress = PCF_EGRESS_DEFAULT;
		E->pl.wire_ifindex[0] = 10;
		E->pl.nwire = 1;
		assert_int_equal(run(&f, f.len, &m, 64, &out, NULL),
				 PCF_WDROP_EGRESS_KERNEL);
		E->pl.nwire = 0;
		build(&f, fam, IPPROTO_UDP, 2);
		m = meta_ok(&f, fam, IPPROTO_UDP, true);
		assert_int_equal(run(&f, f.len, &m, 64, &out, &data),
				 PCF_WDROP_EGRESS_KERNEL);
		assert_true(out.to_kernel);
		assert_int_equal(data[f.l3 + ttl_at], 1);
	}
}

static void test_ttl(void **state)
{
	static const struct {
		__u8 ttl;
		__s8 delta;
		int want;
	} cases[] = {
		{ 1, 0, PCF_WDROP_TTL_EXPIRED }, /* the router decrement */
		{ 2, 0, PCF_WDROP_NONE },
		{ 2, -1, PCF_WDROP_TTL_EXPIRED },
		{ 3, -1, PCF_WDROP_NONE },
		{ 1, 1, PCF_WDROP_NONE },
		{ 255, 100, PCF_WDROP_NONE },
	};
	struct pcf_action *act;
	struct pcf_pipe_out out;
	struct pcf_meta m;
	struct frame f;
	size_t i;
	int fam;

	for (fam = 4; fam <= 6; fam += 2) {
		for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
			act = rule_reset();
			act->flags = PCF_ACT_TTL;
			act->ttl_delta = cases[i].delta;
			build(&f, fam, IPPROTO_UDP, cases[i].ttl);
			m = meta_ok(&f, fam, IPPROTO_UDP, true);
			assert_int_equal(run(&f, f.len, &m, 64, &out, NULL),
					 cases[i].want);
		}
	}
}

/* Frames of many shapes, cut at every length: always MALFORMED, the
 * guard page catches any read past the end. */
static void test_truncated(void **state)
{
	static const struct frame_spec specs[] = {
		{ .family = 4, .proto = IPPROTO_UDP, .payload = 5 },
		{ .family = 4, .proto = IPPROTO_TCP, .opt_words = 3 },
		{ .family = 4, .proto = IPPROTO_ICMP, .vlan = { 0x8100 } },
		{ .family = 6,
		  .proto = IPPROTO_UDP,
		  .vlan = { 0x88a8, 0x8100 } },
		{ .family = 6,
		  .proto = IPPROTO_TCP,
		  .ext = { IPPROTO_HOPOPTS, IPPROTO_DSTOPTS } },
		{ .family = 6, .proto = IPPROTO_ICMPV6 },
	};
	struct pcf_action *act;
	struct pcf_pipe_out out;
	struct pcf_meta m;
	size_t i, len;

	for (i = 0; i < sizeof(specs) / sizeof(specs[0]); i++) {
		struct frame_spec s = specs[i];
		struct frame f;

		s.src = s.family == 4 ? "198.18.0.1" : "2001:db8::1";
		s.dst = s.family == 4 ? "198.19.0.2" : "2001:db8::2";
		frame_build(&f, &s);
		act = rule_reset();
		act->flags = PCF_ACT_SNAT | PCF_ACT_TTL;
		act->snat.family = s.family;
		act->snat.port = htons(7);
		act->ttl_delta = -1;
		m = meta_ok(&f, s.family, s.proto, true);
		assert_int_equal(run(&f, f.len, &m, 64, &out, NULL),
				 PCF_WDROP_NONE);
		for (len = 0; len < f.len; len++)
			assert_int_equal(run(&f, len, &m, 64, &out, NULL),
					 PCF_WDROP_MALFORMED);
	}
}

/* Metadata that does not match the frame. */
static void test_meta_lies(void **state)
{
	struct pcf_pipe_out out;
	struct pcf_meta m, ok;
	struct frame f, f6;

	rule_reset();
	build(&f, 4, IPPROTO_UDP, 64);
	build(&f6, 6, IPPROTO_TCP, 64);
	ok = meta_ok(&f, 4, IPPROTO_UDP, true);

	m = ok, m.l3_off = 200;
	assert_int_equal(run(&f, f.len, &m, 64, &out, NULL),
			 PCF_WDROP_MALFORMED);
	m = ok, m.l3_off = 10;
	assert_int_equal(run(&f, f.len, &m, 64, &out, NULL),
			 PCF_WDROP_MALFORMED);
	m = ok, m.l4_off = f.len + 100;
	assert_int_equal(run(&f, f.len, &m, 64, &out, NULL),
			 PCF_WDROP_MALFORMED);
	m = ok, m.family = 6;
	assert_int_equal(run(&f, f.len, &m, 64, &out, NULL),
			 PCF_WDROP_MALFORMED);
	m = ok, m.family = 5;
	assert_int_equal(run(&f, f.len, &m, 64, &out, NULL),
			 PCF_WDROP_MALFORMED);
	m = ok, m.proto = IPPROTO_TCP;
	assert_int_equal(run(&f, f.len, &m, 64, &out, NULL),
			 PCF_WDROP_MALFORMED);

	m = meta_ok(&f6, 6, IPPROTO_TCP, true);
	m.l4_off = f6.len - 10; /* TCP header would run off the end */
	assert_int_equal(run(&f6, f6.len, &m, 64, &out, NULL),
			 PCF_WDROP_MALFORMED);
	m.l4_off = f6.l3 + 8; /* inside the IPv6 header */
	assert_int_equal(run(&f6, f6.len, &m, 64, &out, NULL),
			 PCF_WDROP_MALFORMED);
}

/* Random bytes over headers and metadata: any verdict, never a crash. */
static void test_fuzz(void **state)
{
	struct pcf_action *act = rule_reset();
	unsigned int seed = time(NULL);
	struct pcf_pipe_out out;
	int i, fam, r;

	printf("seed %u\n", seed);
	srand(seed);
	act->flags =
	    PCF_ACT_SNAT | PCF_ACT_DNAT | PCF_ACT_TTL | PCF_ACT_DF_CLEAR;
	act->ttl_delta = -3;
	for (i = 0; i < 200000; i++) {
		struct pcf_meta m;
		struct frame f;
		int n, k;

		fam = rand() % 2 ? 4 : 6;
		act->snat.family = act->dnat.family = rand() % 2 ? 4 : 6;
		build(&f, fam, rand() % 2 ? IPPROTO_UDP : IPPROTO_TCP,
		      rand() % 4);
		m = meta_ok(&f, fam, f.data[f.l3 + (fam == 4 ? 9 : 6)], true);
		n = 1 + rand() % 4;
		for (k = 0; k < n; k++) {
			if (rand() % 3 == 0)
				((__u8 *)&m)[rand() % 8] = rand();
			else
				f.data[rand() % f.len] = rand();
		}
		r = run(&f, rand() % 8 ? f.len : rand() % (f.len + 1), &m, 64,
			&out, NULL);
		assert_in_range(r, 0, PCF_WDROP_MAX - 1);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_forward),
		cmocka_unit_test(test_vlan_strip),
		cmocka_unit_test(test_bad_meta),
		cmocka_unit_test(test_rule_gone),
		cmocka_unit_test(test_next_hop),
		cmocka_unit_test(test_kernel_shortcut),
		cmocka_unit_test(test_ttl),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_meta_lies),
		cmocka_unit_test(test_fuzz),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
