// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * test_rewrite - TTL / hop limit deltas (with the drop at 0 and the cap at
 * 255), DF clear and the Ethernet rewrite, with the IPv4 header checksum
 * checked against a full recomputation.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>

#include "pipeline.h" /* pcf_pkt_check */
#include "rewrite.h"
#include "pkt_csum.h"

static struct pcf_pkt_ref ref(struct frame *f, int family)
{
	struct pcf_meta m = meta_for(f, family, IPPROTO_UDP, true);
	struct pcf_pkt_ref p;

	assert_int_equal(pcf_pkt_check(f->data, f->len, &m, &p), 0);
	return p;
}

static void build(struct frame *f, int family, __u8 ttl, bool df)
{
	struct frame_spec s = {
		.family = family,
		.src = family == 4 ? "198.18.0.1" : "2001:db8::1",
		.dst = family == 4 ? "198.19.0.2" : "2001:db8::2",
		.sport = 1000,
		.dport = 2000,
		.ttl = ttl,
		.df = df,
		.opt_words = family == 4 ? ttl % 3 : 0,
	};

	frame_build(f, &s);
}

static __u8 ttl_of(const struct frame *f, int family)
{
	return f->data[f->l3 + (family == 4 ? 8 : 7)];
}

static void ttl_all(int family)
{
	int ttl, delta;

	for (ttl = 1; ttl <= 255; ttl++) {
		for (delta = -128; delta <= 127; delta++) {
			struct frame f, orig;
			struct pcf_pkt_ref p;
			int want = ttl + delta;

			build(&orig, family, ttl, false);
			f = orig;
			p = ref(&f, family);
			if (want <= 0) {
				assert_int_equal(pcf_rewrite_ttl(&p, delta),
						 -1);
				assert_memory_equal(f.data, orig.data, f.len);
				continue;
			}
			assert_int_equal(pcf_rewrite_ttl(&p, delta), 0);
			assert_int_equal(ttl_of(&f, family),
					 want > 255 ? 255 : want);
			if (family == 4) {
				struct iphdr *iph = (void *)(f.data + f.l3);

				assert_int_equal(iph->check, ipv4_csum(iph));
			}
		}
	}
}

static void test_ttl_v4(void **state)
{
	ttl_all(4);
}

static void test_hop_limit_v6(void **state)
{
	ttl_all(6);
}

static void test_df_clear(void **state)
{
	int ttl;

	for (ttl = 1; ttl <= 255; ttl++) {
		struct frame f, orig;
		struct pcf_pkt_ref p;
		struct iphdr *iph;

		build(&f, 4, ttl, true);
		p = ref(&f, 4);
		pcf_rewrite_df_clear(&p);
		iph = (void *)(f.data + f.l3);
		assert_int_equal(ntohs(iph->frag_off) & 0x4000, 0);
		assert_int_equal(iph->check, ipv4_csum(iph));

		build(&orig, 4, ttl, false); /* no DF: nothing changes */
		f = orig;
		p = ref(&f, 4);
		pcf_rewrite_df_clear(&p);
		assert_memory_equal(f.data, orig.data, f.len);
	}
}

static void test_df_clear_v6_untouched(void **state)
{
	struct frame f, orig;
	struct pcf_pkt_ref p;

	build(&orig, 6, 64, false);
	f = orig;
	p = ref(&f, 6);
	pcf_rewrite_df_clear(&p);
	assert_memory_equal(f.data, orig.data, f.len);
}

static void test_eth(void **state)
{
	const __u8 d[6] = { 2, 0xaa, 0xbb, 0xcc, 0xdd, 0xee };
	const __u8 s[6] = { 2, 0x11, 0x22, 0x33, 0x44, 0x55 };
	struct frame f, orig;
	struct pcf_pkt_ref p;

	build(&orig, 4, 64, false);
	f = orig;
	p = ref(&f, 4);
	pcf_rewrite_eth(&p, d, s);
	assert_memory_equal(f.data, d, 6);
	assert_memory_equal(f.data + 6, s, 6);
	assert_memory_equal(f.data + 12, orig.data + 12, f.len - 12);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ttl_v4),
		cmocka_unit_test(test_hop_limit_v6),
		cmocka_unit_test(test_df_clear),
		cmocka_unit_test(test_df_clear_v6_untouched),
		cmocka_unit_test(test_eth),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
