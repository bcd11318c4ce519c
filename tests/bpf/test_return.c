// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * test_return: the real pcf_return program in the real kernel, through
 * bpf_prog_test_run_opts, for the outcomes that do not depend on the
 * host's routes (the FIB ones are tested end to end by tests/e2e/ret_*):
 * a marked frame goes up the stack with its mark in XDP metadata for the
 * tc program; TTL 1, a frame that is not IP and truncated frames are
 * passed to the kernel untouched; each outcome has its own counter.
 */
#include "steer_env.h"

struct ret_stats {
	struct pcf_counter c[PCF_RET_STAT_MAX];
};

static void ret_stats_read(struct ret_stats *s)
{
	assert_int_equal(pcf_dp_read_return_stats(env.dp, s->c), 0);
}

/* Since before, only outcome moved, by one packet of len bytes. */
static void assert_ret_moved(const struct ret_stats *before,
			     enum pcf_ret_stat outcome, __u64 len)
{
	struct ret_stats now;
	unsigned int i;

	ret_stats_read(&now);
	for (i = 0; i < PCF_RET_STAT_MAX; i++) {
		__u64 got = now.c[i].packets - before->c[i].packets;

		if (got != (i == outcome))
			fail_msg("%s moved by %llu", pcf_ret_stat_name(i),
				 (unsigned long long)got);
	}
	assert_int_equal(now.c[outcome].bytes - before->c[outcome].bytes, len);
}

/* Run len bytes of f through pcf_return: XDP_PASS, outcome counted. */
static void expect_pass(const struct frame *f, __u32 len,
			enum pcf_ret_stat outcome, struct result *res)
{
	struct ret_stats before;

	ret_stats_read(&before);
	assert_int_equal(
	    run_prog_raw(pcf_dp_return_prog_fd(env.dp), f->data, len, 0, res),
	    0);
	assert_int_equal(res->ret, XDP_PASS);
	assert_ret_moved(&before, outcome, len);
}

static void test_marked(void **state)
{
	static const __u8 src[6] = {
		PCF_RET_MARK_MAC0, PCF_RET_MARK_MAC1, 0xde, 0xad, 0xbe, 0xef
	};
	struct frame_spec s = spec4(IPPROTO_UDP);
	struct pcf_ret_meta m;
	struct result res;
	struct frame f;

	frame_build(&f, &s);
	memcpy(f.data + ETH_ALEN, src, sizeof(src));
	expect_pass(&f, f.len, PCF_RET_PASS_MARKED, &res);
	assert_int_equal(res.meta_len, sizeof(m));
	memcpy(&m, res.out, sizeof(m));
	assert_int_equal(m.magic, PCF_RET_META_MAGIC);
	assert_int_equal(m.mark, 0xdeadbeef);
	assert_int_equal(res.len, f.len);
	assert_memory_equal(result_frame(&res), f.data, f.len);
}

/* TTL 1 (IPv4) and hop limit 1 (IPv6): the kernel sends time exceeded. */
static void test_last_hop(void **state)
{
	struct frame_spec s4 = spec4(IPPROTO_UDP), s6 = spec6(IPPROTO_TCP);
	struct result res;
	struct frame f;

	s4.ttl = 1;
	frame_build(&f, &s4);
	expect_pass(&f, f.len, PCF_RET_PASS_OTHER, &res);
	assert_int_equal(res.meta_len, 0);
	assert_memory_equal(result_frame(&res), f.data, f.len);

	s6.ttl = 1;
	frame_build(&f, &s6);
	expect_pass(&f, f.len, PCF_RET_PASS_OTHER, &res);
	assert_memory_equal(result_frame(&res), f.data, f.len);
}

static void test_not_ip_or_short(void **state)
{
	struct frame_spec s = spec4(IPPROTO_UDP);
	struct result res;
	struct frame f;

	frame_build(&f, &s);
	put_be16(f.data + offsetof(struct ethhdr, h_proto), ETH_P_ARP);
	expect_pass(&f, f.len, PCF_RET_PASS_OTHER, &res);
	assert_memory_equal(result_frame(&res), f.data, f.len);

	frame_build(&f, &s);
	/* the Ethernet header and half an IPv4 header */
	expect_pass(&f, sizeof(struct ethhdr) + 10, PCF_RET_PASS_OTHER, &res);
	/* a bare Ethernet header (shorter frames never reach XDP) */
	expect_pass(&f, sizeof(struct ethhdr), PCF_RET_PASS_OTHER, &res);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_marked),
		cmocka_unit_test(test_last_hop),
		cmocka_unit_test(test_not_ip_or_short),
	};

	env_init("return");
	return cmocka_run_group_tests(tests, NULL, env_teardown);
}
