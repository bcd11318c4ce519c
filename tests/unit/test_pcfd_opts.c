// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * test_pcfd_opts: pcfd's options from a configuration file and the
 * command line: the command line wins, an -i there replaces the file's
 * interfaces, a bad value in the file is refused (exit status 2),
 * --check needs no interface, --worker-timeout's range.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "pcfd_opts.h"

static char path[64];

static void write_conf(const char *text)
{
	int fd;
	FILE *f;

	snprintf(path, sizeof(path), "/tmp/test_pcfd_opts.XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* Parse "pcfd" + words (NULL-ended) into o; the exit status or 0. */
static int parse(struct pcfd_opts *o, ...)
{
	char *argv[16] = { "pcfd" };
	int argc = 1;
	va_list ap;

	va_start(ap, o);
	while ((argv[argc] = va_arg(ap, char *)))
		argc++;
	va_end(ap);
	return pcfd_opts_parse(argc, argv, o);
}

static void test_cmdline_wins(void **state)
{
	struct pcfd_opts o;

	write_conf("interface = a\ninterface = b\nrx-mode = poll\nqueues = 2\n"
		   "stats-interval = 5\ndefault = drop\nidle-polls = 50\n"
		   "pipeline = off\n");
	assert_int_equal(parse(&o, "-c", path, "--rx-mode", "interrupt",
			       "--stats-interval=7", "--idle-polls", "70",
			       NULL),
			 0);
	assert_int_equal(o.workers.rx_mode, PCF_RX_INTERRUPT);
	assert_int_equal(o.workers.idle_polls, 70);
	assert_true(o.workers.pipeline_off);
	assert_int_equal(o.workers.queues, 2);
	assert_int_equal(o.stats_interval, 7);
	assert_int_equal(o.default_verdict, PCF_VERDICT_DROP);
	assert_int_equal(o.nifs, 2);
	assert_string_equal(o.ifnames[0], "a");
	assert_string_equal(o.ifnames[1], "b");
	pcfd_opts_free(&o);
	unlink(path);
}

static void test_cmdline_interfaces_replace(void **state)
{
	struct pcfd_opts o;

	write_conf("interface = a\ninterface = b\n");
	assert_int_equal(parse(&o, "-i", "x", "-c", path, "-i", "y", NULL), 0);
	assert_int_equal(o.nifs, 2);
	assert_string_equal(o.ifnames[0], "x");
	assert_string_equal(o.ifnames[1], "y");
	pcfd_opts_free(&o);
	unlink(path);
}

static void test_defaults(void **state)
{
	struct pcfd_opts o;

	assert_int_equal(parse(&o, "-i", "x", NULL), 0);
	assert_int_equal(o.stats_interval, PCFD_STATS_INTERVAL_DEFAULT);
	assert_int_equal(o.default_verdict, -1);
	assert_int_equal(o.workers.default_egress, PCF_EGRESS_KERNEL);
	assert_string_equal(o.ret_name, "pcfr0");
	assert_string_equal(o.ret_peer, "pcfr1");
	assert_int_equal(o.workers.rx_mode, PCF_RX_ADAPTIVE);
	assert_int_equal(o.workers.idle_polls, 0); /* the workers' default */
	assert_false(o.workers.pipeline_off);
	assert_null(o.config);
	pcfd_opts_free(&o);
}

static void test_refused(void **state)
{
	struct pcfd_opts o;

	write_conf("interface = a\nbatch = 999\n");
	assert_int_equal(parse(&o, "-c", path, NULL), 2);
	pcfd_opts_free(&o);
	unlink(path);
	write_conf("interface = a\nunload = yes\n"); /* command line only */
	assert_int_equal(parse(&o, "-c", path, NULL), 2);
	pcfd_opts_free(&o);
	unlink(path);
	assert_int_equal(parse(&o, "--queues", "0", "-i", "x", NULL), 2);
	pcfd_opts_free(&o);
	assert_int_equal(parse(&o, "--egress", "sideways", "-i", "x", NULL), 2);
	pcfd_opts_free(&o);
	assert_int_equal(parse(&o, "--idle-polls", "0", "-i", "x", NULL), 2);
	pcfd_opts_free(&o);
	assert_int_equal(parse(&o, "--idle-polls", "1x", "-i", "x", NULL), 2);
	pcfd_opts_free(&o);
	assert_int_equal(parse(&o, "--pipeline", "maybe", "-i", "x", NULL), 2);
	pcfd_opts_free(&o);
	assert_int_equal(parse(&o, "-v", NULL), 2); /* no interface */
	pcfd_opts_free(&o);
	assert_int_equal(parse(&o, "--return-veth", "a", "-i", "x", NULL), 2);
	pcfd_opts_free(&o);
	assert_int_equal(parse(&o, "--return-veth", "a,a", "-i", "x", NULL), 2);
	pcfd_opts_free(&o);
	assert_int_equal(parse(&o, "--return-veth", "a,", "-i", "x", NULL), 2);
	pcfd_opts_free(&o);
	assert_int_equal(parse(&o, "--return-veth", "a,b,c", "-i", "x", NULL),
			 2);
	pcfd_opts_free(&o);
	assert_int_equal(
	    parse(&o, "--return-veth", "a234567890123456,b", "-i", "x", NULL),
	    2);
	pcfd_opts_free(&o);
}

static void test_return_veth(void **state)
{
	struct pcfd_opts o;

	assert_int_equal(parse(&o, "--return-veth", "ra,rb", "-i", "x", NULL),
			 0);
	assert_string_equal(o.ret_name, "ra");
	assert_string_equal(o.ret_peer, "rb");
	pcfd_opts_free(&o);
	assert_int_equal(parse(&o, "--return-veth", "none", "-i", "x", NULL),
			 0);
	assert_string_equal(o.ret_name, "");
	pcfd_opts_free(&o);
}

static void test_check_needs_no_interface(void **state)
{
	struct pcfd_opts o;

	write_conf("# nothing set\n");
	assert_int_equal(parse(&o, "-c", path, "--check", NULL), 0);
	assert_true(o.check);
	assert_int_equal(o.conf.argc, 1);
	pcfd_opts_free(&o);
	unlink(path);
}

/* --worker-timeout: 1000 unless set; 0 (off) or 500..3600000 ms. */
static void test_worker_timeout(void **state)
{
	static const char *const bad[] = { "100", "499", "3600001",
					   "1s",  "-1",	 NULL };
	struct pcfd_opts o;
	int i;

	assert_int_equal(parse(&o, "-i", "x", NULL), 0);
	assert_int_equal(o.worker_timeout_ms, PCF_WORKER_TIMEOUT_MS_DEFAULT);
	pcfd_opts_free(&o);
	write_conf("interface = a\nworker-timeout = 0\n");
	assert_int_equal(parse(&o, "-c", path, NULL), 0);
	assert_int_equal(o.worker_timeout_ms, 0);
	pcfd_opts_free(&o);
	assert_int_equal(
	    parse(&o, "-c", path, "--worker-timeout", "2500", NULL), 0);
	assert_int_equal(o.worker_timeout_ms, 2500);
	pcfd_opts_free(&o);
	unlink(path);
	for (i = 0; bad[i]; i++) {
		assert_int_equal(
		    parse(&o, "--worker-timeout", bad[i], "-i", "x", NULL), 2);
		pcfd_opts_free(&o);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cmdline_wins),
		cmocka_unit_test(test_cmdline_interfaces_replace),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_return_veth),
		cmocka_unit_test(test_check_needs_no_interface),
		cmocka_unit_test(test_worker_timeout),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
