// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * test_pcfd_opts: pcfd's options from a configuration file and the
 * command line: the command line wins, an -i there replaces the file's
 * interfaces, a bad value in the file is refused (exit status 2), and
 * --check needs no interface.  Every limit at its edge, the same for a
 * start and for --check, refused one beyond with its message: the
 * numbers' ranges, interface names, an interface given twice (in the file
 * or on the command line), the number of interfaces, the pin directory,
 * --worker-timeout's range, --http's forms.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <fcntl.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/un.h>

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
		   "pipeline = off\nspin-us = 30\n");
	assert_int_equal(parse(&o, "-c", path, "--rx-mode", "interrupt",
			       "--stats-interval=7", "--idle-polls", "70",
			       NULL),
			 0);
	assert_int_equal(o.workers.rx_mode, PCF_RX_INTERRUPT);
	assert_int_equal(o.workers.idle_polls, 70);
	assert_int_equal(o.workers.spin_us, 30); /* the file's */
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
	assert_int_equal(o.workers.spin_us, 0);	   /* the workers' default */
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

/*
 * Parse argv (NULL-ended, after "pcfd") with and without --check: both
 * must exit 2 and print want_fmt (%s: the configuration file's path) as
 * the first line on standard error.
 */
static void refused(const char *want_fmt, char **words)
{
	char *argv[40] = { "pcfd" }, want[512], got[512] = "";
	int argc = 1, pass, saved = dup(2), fd;
	struct pcfd_opts o;
	FILE *f;

	while (words[argc - 1])
		argv[argc] = words[argc - 1], argc++;
	snprintf(want, sizeof(want), want_fmt, path);
	for (pass = 0; pass < 2; pass++) {
		if (pass)
			argv[argc++] = "--check";
		fd = open("/tmp", O_TMPFILE | O_RDWR, 0600);
		assert_true(fd >= 0);
		fflush(stderr);
		dup2(fd, 2);
		assert_int_equal(pcfd_opts_parse(argc, argv, &o), 2);
		fflush(stderr);
		dup2(saved, 2);
		pcfd_opts_free(&o);
		f = fdopen(fd, "r");
		rewind(f);
		if (!fgets(got, sizeof(got), f))
			got[0] = '\0';
		fclose(f);
		got[strcspn(got, "\n")] = '\0';
		if (strcmp(got, want))
			fail_msg("%s%s:\n got \"%s\"\nwant \"%s\"", words[0],
				 pass ? " --check" : "", got, want);
	}
	close(saved);
}

#define REFUSED(want, ...) refused(want, (char *[]){ __VA_ARGS__, NULL })

static void accepted(char **words)
{
	char *argv[40] = { "pcfd" };
	struct pcfd_opts o;
	int argc = 1;

	while (words[argc - 1])
		argv[argc] = words[argc - 1], argc++;
	if (pcfd_opts_parse(argc, argv, &o))
		fail_msg("%s %s refused", argv[1], argv[2]);
	pcfd_opts_free(&o);
}

#define ACCEPTED(...) accepted((char *[]){ __VA_ARGS__, NULL })

static void test_number_ranges(void **state)
{
	static const struct {
		const char *opt, *val, *range;
	} cases[] = {
		{ "--frames", "127", "128..65536" },
		{ "--frames", "65537", "128..65536" },
		{ "--frames", "1000000000", "128..65536" },
		{ "--batch", "0", "1..256" },
		{ "--batch", "257", "1..256" },
		{ "--queues", "0", "1..64" },
		{ "--queues", "65", "1..64" },
		{ "--idle-polls", "0", "1..4294967295" },
		{ "--idle-polls", "4294967296", "1..4294967295" },
		{ "--spin-us", "0", "1..1000000" },
		{ "--spin-us", "1000001", "1..1000000" },
		{ "--stats-interval", "86401", "0..86400" },
		{ "--ctl-port", "0", "1..4294967295" },
		/* no octal, no sign, no blank, no suffix */
		{ "--stats-interval", "010", "0..86400" },
		{ "--batch", "+8", "1..256" },
		{ "--batch", " 8", "1..256" },
		{ "--frames", "4096k", "128..65536" },
	};
	char want[128];
	unsigned int i;

	ACCEPTED("-i", "x", "--frames", "128", "--batch", "1", "--queues", "1",
		 "--idle-polls", "1", "--stats-interval", "0", "--ctl-port",
		 "1", "--spin-us", "1");
	ACCEPTED("-i", "x", "--frames", "65536", "--batch", "256", "--queues",
		 "64", "--idle-polls", "4294967295", "--stats-interval",
		 "86400", "--ctl-port", "0xffffffff", "--spin-us", "1000000");
	ACCEPTED("-i", "x", "--frames", "0x1000", "--queues", "all");
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(want, sizeof(want), "pcfd: --%s wants a number %s: %s",
			 cases[i].opt + 2, cases[i].range, cases[i].val);
		REFUSED(want, "-i", "x", (char *)cases[i].opt,
			(char *)cases[i].val);
	}
}

static void test_interfaces(void **state)
{
	char *many[40], names[17][8];
	int i;

	ACCEPTED("-i", "abcdefghijklmno"); /* 15 bytes */
	REFUSED("pcfd: an interface name is 1..15 bytes, without '/', ':' or "
		"blanks: abcdefghijklmnop",
		"-i", "abcdefghijklmnop");
	REFUSED("pcfd: an interface name is 1..15 bytes, without '/', ':' or "
		"blanks: ",
		"-i", "");
	REFUSED("pcfd: an interface name is 1..15 bytes, without '/', ':' or "
		"blanks: a/b",
		"-i", "a/b");
	REFUSED("pcfd: an interface name is 1..15 bytes, without '/', ':' or "
		"blanks: ..",
		"-i", "..");
	REFUSED("pcfd: an interface name is 1..15 bytes, without '/', ':' or "
		"blanks: a b",
		"-i", "x", "-i", "a b");
	REFUSED("pcfd: this interface is given twice: v", "-i", "v", "-i", "w",
		"-i", "v");
	REFUSED("pcfd: an interface to steer is also an end of the return veth "
		"(--return-veth): pcfr1",
		"-i", "pcfr1");
	REFUSED("pcfd: an interface to steer is also an end of the return veth "
		"(--return-veth): v",
		"-i", "v", "--return-veth", "u,v");
	ACCEPTED("-i", "pcfr1", "--return-veth", "none");
	REFUSED("pcfd: --return-veth wants NAME,PEER (two interface names) or "
		"none; an interface name is 1..15 bytes, without '/', ':' or "
		"blanks: a,b:c",
		"-i", "x", "--return-veth", "a,b:c");
	/* PCF_MAX_IFACES interfaces, not one more */
	for (i = 0; i < PCF_MAX_IFACES + 1; i++) {
		snprintf(names[i], sizeof(names[i]), "if%d", i);
		many[2 * i] = "-i";
		many[2 * i + 1] = names[i];
	}
	many[2 * PCF_MAX_IFACES] = NULL;
	accepted(many);
	many[2 * PCF_MAX_IFACES] = "-i";
	many[2 * PCF_MAX_IFACES + 2] = NULL;
	refused("pcfd: more than 16 interfaces: if16", many);
}

static void test_conf_interfaces(void **state)
{
	write_conf("interface = v\n# again\ninterface = v\n");
	REFUSED("pcfd: %s:3: this interface is given twice: v", "-c", path);
	/* the file is checked whole, even when -i replaces its interfaces */
	REFUSED("pcfd: %s:3: this interface is given twice: v", "-c", path,
		"-i", "w");
	unlink(path);
	write_conf("interface = v\ninterface = abcdefghijklmnop\n");
	REFUSED("pcfd: %s:2: an interface name is 1..15 bytes, without '/', "
		"':' or blanks: abcdefghijklmnop",
		"-c", path);
	unlink(path);
	write_conf("interface = v\nframes = 1000000000\n");
	REFUSED("pcfd: %s:2: --frames wants a number 128..65536: 1000000000",
		"-c", path);
	unlink(path);
	/* the command line may not repeat one either */
	write_conf("interface = v\n");
	REFUSED("pcfd: this interface is given twice: w", "-c", path, "-i", "w",
		"-i", "w");
	unlink(path);
}

static void test_pin_dir(void **state)
{
	char dir[PCF_PIN_DIR_MAX + 2], want[PCF_PIN_DIR_MAX + 64];

	memset(dir, 'd', sizeof(dir));
	dir[0] = '/';
	dir[PCF_PIN_DIR_MAX] = '\0';
	ACCEPTED("-i", "x", "--pin-dir", dir);
	dir[PCF_PIN_DIR_MAX] = 'd';
	dir[PCF_PIN_DIR_MAX + 1] = '\0';
	snprintf(want, sizeof(want),
		 "pcfd: --pin-dir wants a path of 1..223 bytes: %s", dir);
	REFUSED(want, "-i", "x", "--pin-dir", dir);
	REFUSED("pcfd: --pin-dir wants a path of 1..223 bytes: ", "-i", "x",
		"--pin-dir", "");
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

/*
 * --http: off unless given; unix:/PATH, IPV4:PORT, [IPV6]:PORT, as many
 * as PCFD_HTTP_MAX, each once; the file's (repeatable "http") replaced by
 * the command line's.  Anything else refused.
 */
static void test_http(void **state)
{
	static const char *const bad[] = {
		"unix:relative/path",
		"unix:",
		"localhost:80",
		"198.18.0.1",
		"198.18.0.1:0",
		"198.18.0.1:65536",
		"198.18.0.1:080",
		"::1:80",
		"[::1]",
		"[::1]:",
		"[198.18.0.1]:80",
		":80",
		"unix:/"
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
		NULL
	};
	const struct sockaddr_in6 *in6;
	const struct sockaddr_in *in;
	struct pcfd_opts o;
	int i;

	assert_int_equal(parse(&o, "-i", "x", NULL), 0);
	assert_int_equal(o.nhttp, 0);
	pcfd_opts_free(&o);
	assert_int_equal(parse(&o, "-i", "x", "--http", "unix:/run/pcf/s",
			       "--http", "198.18.0.1:9750", "--http",
			       "[2001:db8::1]:80", NULL),
			 0);
	assert_int_equal(o.nhttp, 3);
	assert_int_equal(o.http[0].sa.ss_family, AF_UNIX);
	assert_string_equal(((struct sockaddr_un *)&o.http[0].sa)->sun_path,
			    "/run/pcf/s");
	in = (const struct sockaddr_in *)&o.http[1].sa;
	assert_int_equal(in->sin_family, AF_INET);
	assert_int_equal(ntohs(in->sin_port), 9750);
	assert_int_equal(ntohl(in->sin_addr.s_addr), 0xc6120001);
	in6 = (const struct sockaddr_in6 *)&o.http[2].sa;
	assert_int_equal(in6->sin6_family, AF_INET6);
	assert_int_equal(ntohs(in6->sin6_port), 80);
	assert_int_equal(o.http[2].len, sizeof(*in6));
	pcfd_opts_free(&o);
	for (i = 0; bad[i]; i++) {
		if (parse(&o, "--http", bad[i], "-i", "x", NULL) != 2)
			fail_msg("--http %s taken", bad[i]);
		pcfd_opts_free(&o);
	}
	assert_int_equal(parse(&o, "--http", "198.18.0.1:1", "--http",
			       "198.18.0.1:1", "-i", "x", NULL),
			 2);
	pcfd_opts_free(&o);
	assert_int_equal(parse(&o, "-i", "x", "--http", "198.18.0.1:1",
			       "--http", "198.18.0.1:2", "--http",
			       "198.18.0.1:3", "--http", "198.18.0.1:4",
			       "--http", "198.18.0.1:5", NULL),
			 2);
	pcfd_opts_free(&o);
	write_conf("interface = a\nhttp = unix:/a\nhttp = 198.18.0.1:1\n");
	assert_int_equal(parse(&o, "-c", path, NULL), 0);
	assert_int_equal(o.nhttp, 2);
	pcfd_opts_free(&o);
	assert_int_equal(parse(&o, "-c", path, "--http", "unix:/b", NULL), 0);
	assert_int_equal(o.nhttp, 1);
	assert_string_equal(o.http[0].text, "unix:/b");
	pcfd_opts_free(&o);
	unlink(path);
}

/*
 * Every option of sessions beside --http, each its own (their codes
 * once overlapped: --ct-timeout-tcp-syn-recv was read as --http).
 */
static void test_http_and_sessions(void **state)
{
	struct pcfd_opts o;
	int t;

	assert_int_equal(parse(&o, "-i", "x", "--http", "unix:/run/pcf/s",
			       "--sessions", "4096", "--sessions-full",
			       "evict-oldest", "--ct-timeout-tcp-syn-recv",
			       "61", "--ct-timeout-generic", "601", NULL),
			 0);
	assert_int_equal(o.nhttp, 1);
	assert_int_equal(o.sessions, 4096);
	assert_int_equal(o.ct_full, PCF_CT_FULL_EVICT);
	assert_int_equal(o.ct_timeouts.sec[PCF_CT_T_TCP_SYN_RECV], 61);
	assert_int_equal(o.ct_timeouts.sec[PCF_CT_T_GENERIC], 601);
	pcfd_opts_free(&o);
	for (t = 0; t < PCF_CT_T_MAX; t++) {
		char opt[64];

		snprintf(opt, sizeof(opt), "--ct-timeout-%s",
			 pcf_ct_timeout_name(t));
		assert_int_equal(parse(&o, "-i", "x", opt, "77", NULL), 0);
		assert_int_equal(o.nhttp, 0);
		assert_int_equal(o.ct_timeouts.sec[t], 77);
		pcfd_opts_free(&o);
	}
}

/* --vxlan-port (issue 13): none set (4789 in pcf_steer), or 1..4 ports. */
static void test_vxlan_port(void **state)
{
	static const char *const bad[] = { "0",		"65536",     "4789,",
					   ",4789",	"1,2,3,4,5", "x",
					   "4789;8472", "-1",	     NULL };
	struct pcfd_opts o;
	int i;

	assert_int_equal(parse(&o, "-i", "x", NULL), 0);
	assert_int_equal(o.vxlan_ports[0], 0);
	pcfd_opts_free(&o);
	write_conf("interface = a\nvxlan-port = 8472\n");
	assert_int_equal(parse(&o, "-c", path, NULL), 0);
	assert_int_equal(o.vxlan_ports[0], 8472);
	assert_int_equal(o.vxlan_ports[1], 0);
	pcfd_opts_free(&o);
	assert_int_equal(
	    parse(&o, "-c", path, "--vxlan-port", "4789,8472,1,65535", NULL),
	    0);
	assert_int_equal(o.vxlan_ports[0], 4789);
	assert_int_equal(o.vxlan_ports[1], 8472);
	assert_int_equal(o.vxlan_ports[3], 65535);
	pcfd_opts_free(&o);
	unlink(path);
	for (i = 0; bad[i]; i++) {
		assert_int_equal(
		    parse(&o, "--vxlan-port", bad[i], "-i", "x", NULL), 2);
		pcfd_opts_free(&o);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vxlan_port),
		cmocka_unit_test(test_cmdline_wins),
		cmocka_unit_test(test_cmdline_interfaces_replace),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_return_veth),
		cmocka_unit_test(test_check_needs_no_interface),
		cmocka_unit_test(test_number_ranges),
		cmocka_unit_test(test_interfaces),
		cmocka_unit_test(test_conf_interfaces),
		cmocka_unit_test(test_pin_dir),
		cmocka_unit_test(test_worker_timeout),
		cmocka_unit_test(test_http),
		cmocka_unit_test(test_http_and_sessions),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
