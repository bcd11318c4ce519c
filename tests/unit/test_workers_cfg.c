// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * test_workers_cfg - the workers' configuration: defaults, --cpus lists,
 * rx mode names, and pcf_workers_start refusing a bad configuration
 * before it touches anything.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "workers.h"

static void test_defaults(void **state)
{
	struct pcf_workers_cfg cfg;

	pcf_workers_cfg_init(&cfg);
	assert_int_equal(cfg.queues, PCF_WORKERS_QUEUES_ALL);
	assert_int_equal(cfg.default_egress, PCF_EGRESS_KERNEL);
	assert_int_equal(cfg.rx_mode, PCF_RX_ADAPTIVE);
	assert_int_equal(cfg.bind_mode, PCF_BIND_AUTO);
	assert_int_equal(cfg.ncpus, 0);
}

static void test_cpus(void **state)
{
	static const int want[] = { 0, 2, 3, 4, 7 };
	struct pcf_workers_cfg cfg;
	unsigned int i;

	pcf_workers_cfg_init(&cfg);
	assert_int_equal(pcf_workers_parse_cpus(&cfg, "0,2-4,7"), 0);
	assert_int_equal(cfg.ncpus, 5);
	for (i = 0; i < 5; i++)
		assert_int_equal(cfg.cpus[i], want[i]);
	assert_int_equal(pcf_workers_parse_cpus(&cfg, "1"), 0);
	assert_int_equal(cfg.ncpus, 1);

	assert_int_equal(pcf_workers_parse_cpus(&cfg, ""), -EINVAL);
	assert_int_equal(pcf_workers_parse_cpus(&cfg, "3-1"), -EINVAL);
	assert_int_equal(pcf_workers_parse_cpus(&cfg, "a"), -EINVAL);
	assert_int_equal(pcf_workers_parse_cpus(&cfg, "1,"), 0);
	assert_int_equal(pcf_workers_parse_cpus(&cfg, "1;2"), -EINVAL);
	assert_int_equal(pcf_workers_parse_cpus(&cfg, "-1"), -EINVAL);
	assert_int_equal(pcf_workers_parse_cpus(&cfg, "0-99999"), -EINVAL);
}

static void test_rx_modes(void **state)
{
	int m;

	for (m = 0; m < PCF_RX_MAX; m++)
		assert_int_equal(pcf_rx_mode_parse(pcf_rx_mode_name(m)), m);
	assert_int_equal(pcf_rx_mode_parse("busy"), -EINVAL);
}

static void test_start_refuses(void **state)
{
	const char *ifs[] = { "lo" };
	struct pcf_workers *ws = (void *)1;
	struct pcf_workers_cfg cfg;

	pcf_workers_cfg_init(&cfg);
	cfg.frames = PCF_WORKERS_FRAMES_MIN - 1;
	assert_int_equal(pcf_workers_start(NULL, ifs, 1, &cfg, &ws), -EINVAL);
	cfg.frames = PCF_WORKERS_FRAMES_MAX + 1;
	assert_int_equal(pcf_workers_start(NULL, ifs, 1, &cfg, &ws), -EINVAL);
	pcf_workers_cfg_init(&cfg);
	cfg.rx_mode = PCF_RX_MAX;
	assert_int_equal(pcf_workers_start(NULL, ifs, 1, &cfg, &ws), -EINVAL);
	pcf_workers_cfg_init(&cfg);
	assert_int_equal(pcf_workers_start(NULL, ifs, 0, &cfg, &ws), -EINVAL);
	ifs[0] = "pcf-no-such-if";
	assert_int_equal(pcf_workers_start(NULL, ifs, 1, &cfg, &ws), -ENODEV);
	assert_ptr_equal(ws, (void *)1); /* untouched on failure */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_cpus),
		cmocka_unit_test(test_rx_modes),
		cmocka_unit_test(test_start_refuses),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
