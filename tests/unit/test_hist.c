// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * test_hist - the benchmark's log-linear latency buckets (bench/stamp.h),
 * which the sink program fills and bench/sink reads back by their edges:
 * every bucket holds exactly the latencies between its neighbours' edges,
 * none is wider than 1/1024 of what it holds above the linear part, and
 * the last takes everything above the range, up to 2^64 - 1 ns.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "../../bench/stamp.h"

static __u64 ns_of(__u64 units)
{
	return units << BENCH_HIST_SHIFT;
}

static void test_fls64(void **state)
{
	__u64 v;
	int i;

	(void)state;
	assert_int_equal(bench_fls64(0), 0);
	for (i = 0; i < 64; i++) {
		v = 1ULL << i;
		assert_int_equal(bench_fls64(v), i + 1);
		assert_int_equal(bench_fls64(v | (v - 1)), i + 1);
		assert_int_equal(bench_fls64(v | 1), i + 1);
	}
}

/* bucket b holds [edge(b - 1), edge(b)) units, edges strictly rising */
static void test_buckets_tile(void **state)
{
	__u64 lo = 0, hi;
	__u32 b;

	(void)state;
	for (b = 0; b < BENCH_HIST_BUCKETS - 1; b++) {
		hi = bench_hist_edge(b);
		assert_true(hi > lo);
		assert_int_equal(bench_hist_bucket(ns_of(lo)), b);
		assert_int_equal(bench_hist_bucket(ns_of(hi - 1)), b);
		/* every ns of a unit falls in that unit's bucket */
		assert_int_equal(bench_hist_bucket(ns_of(hi) - 1), b);
		if (b >= 2U << BENCH_HIST_SUB)
			assert_true((hi - lo) * 1024 <= lo);
		else
			assert_true(hi - lo == 1);
		lo = hi;
	}
}

static void test_last_takes_the_rest(void **state)
{
	__u32 last = BENCH_HIST_BUCKETS - 1;

	(void)state;
	assert_int_equal(bench_hist_edge(last), 1ULL << BENCH_HIST_TOP);
	assert_int_equal(bench_hist_bucket(ns_of(bench_hist_edge(last - 1))),
			 last);
	assert_int_equal(bench_hist_bucket(ns_of(1ULL << BENCH_HIST_TOP)),
			 last);
	assert_int_equal(bench_hist_bucket(UINT64_MAX), last);
	/* the range covers the tails seen under steal: seconds */
	assert_true(ns_of(bench_hist_edge(last - 1)) > 30ULL * 1000000000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fls64),
		cmocka_unit_test(test_buckets_tile),
		cmocka_unit_test(test_last_takes_the_rest),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
