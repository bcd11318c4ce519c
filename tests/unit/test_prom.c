// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * test_prom: the Prometheus text pcfd writes (daemon/control/prom.c) and
 * the buffer it writes into: label values and HELP escaped as the format
 * says, samples with and without labels, the per-rule fast path equal to
 * the general one; a buffer grows to megabytes and keeps
 * what it had.  Real output is checked by promtool in
 * tests/e2e/http_prom.sh.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "prom.h"

static void test_escape(void **state)
{
	struct textbuf b = {};
	struct pcf_prom_label l[2] = { { "ifname", "a\"b\\c\nd" },
				       { "queue", "0" } };

	pcf_prom_family(&b, "pcf_x_total", "counter", "line\none \\ \"q\"");
	pcf_prom_u64(&b, "pcf_x_total", l, 2, 18446744073709551615ULL);
	pcf_prom_u64(&b, "pcf_y", NULL, 0, 0);
	pcf_prom_double(&b, "pcf_z_seconds", l + 1, 1, 0.25);
	assert_string_equal(
	    b.p, "# HELP pcf_x_total line\\none \\\\ \"q\"\n"
		 "# TYPE pcf_x_total counter\n"
		 "pcf_x_total{ifname=\"a\\\"b\\\\c\\nd\",queue=\"0\"} "
		 "18446744073709551615\n"
		 "pcf_y 0\n"
		 "pcf_z_seconds{queue=\"0\"} 0.250000\n");
	tb_free(&b);
}

static void test_rule_fast_path(void **state)
{
	struct textbuf a = {}, b = {};
	struct pcf_prom_label l = { "rule", "4294967295" };

	pcf_prom_u64_id(&a, "pcf_rule_packets_total", "rule", 4294967295U, 7);
	pcf_prom_u64(&b, "pcf_rule_packets_total", &l, 1, 7);
	assert_string_equal(a.p, b.p);
	tb_free(&a);
	tb_free(&b);
}

static void test_buffer_grows(void **state)
{
	struct textbuf b = {};
	unsigned int i;

	for (i = 0; i < 100000; i++)
		tb_u64(&b, i);
	assert_false(b.oom);
	assert_int_equal(b.len, strlen(b.p));
	assert_memory_equal(b.p, "0123456789101112", 16);
	tb_reset(&b);
	assert_int_equal(b.len, 0);
	tb_printf(&b, "%s-%d", "x", 42);
	assert_string_equal(b.p, "x-42");
	tb_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape),
		cmocka_unit_test(test_rule_fast_path),
		cmocka_unit_test(test_buffer_grows),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
