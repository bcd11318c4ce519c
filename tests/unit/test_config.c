// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * test_config - pcfd.conf into long options (daemon/service/config.c): a good file
 * becomes the argv pcfd's getopt_long reads before its command line (which
 * then wins); every kind of bad line is refused with its line number and
 * nothing returned; the rules file is parsed with the rule grammar
 * pcfctl uses too (genl/rule_text.h).  Both files are read within their
 * limits (a line, the lines, the bytes), each refused one beyond with
 * FILE:LINE and the limit, and so are NUL bytes, control characters,
 * /dev/zero and directories.  A change that fails reads back in words.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <cmocka.h>

#include "config.h"

/* Like pcfd's table: the keys a file may hold, and two it may not. */
static const struct option opts[] = {
	{ "interface", required_argument, NULL, 'i' },
	{ "pin-dir", required_argument, NULL, 256 },
	{ "ctl-port", required_argument, NULL, 257 },
	{ "xdp-mode", required_argument, NULL, 258 },
	{ "rules-file", required_argument, NULL, 259 },
	{ "verbose", no_argument, NULL, 'v' },
	{ "foreground", no_argument, NULL, 'f' },
	{ "config", required_argument, NULL, 'c' },
	{ "help", no_argument, NULL, 'h' },
	{},
};
static const char optstring[] = "i:c:fvh";
static const char *const repeatable[] = { "interface", NULL };
static const char *const cmdline_only[] = { "config", "help", NULL };
static const struct pcf_conf_spec spec = {
	.longopts = opts,
	.repeatable = repeatable,
	.cmdline_only = cmdline_only,
};

static char path[64];

static const char *write_file(const char *text, size_t len)
{
	int fd;

	snprintf(path, sizeof(path), "/tmp/pcf-test-conf.XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, len), (ssize_t)len);
	close(fd);
	return path;
}

static int teardown_file(void **state)
{
	if (*path)
		unlink(path);
	*path = '\0';
	return 0;
}

static void test_good_file(void **state)
{
	static const char text[] =
	    "# pcfd.conf\n"
	    "\n"
	    "interface = veth0\n"
	    "  interface=veth1   # a comment after a blank\n"
	    "pin-dir = \"/sys/fs/bpf/my pcf\"\n"
	    "ctl-port = 0x7063\t\n"
	    "xdp-mode = 'native'  # single quotes\n"
	    "rules-file = /etc/pcf/a#b.batch\n"
	    "verbose = yes\n"
	    "foreground = no\n"
	    "\t# indented comment\n"
	    "interface = \"with \\\"quote\\\" and \\\\\"";
	static const char *const want[] = {
		"pcfd",
		"--interface=veth0",
		"--interface=veth1",
		"--pin-dir=/sys/fs/bpf/my pcf",
		"--ctl-port=0x7063",
		"--xdp-mode=native",
		"--rules-file=/etc/pcf/a#b.batch",
		"--verbose",
		"--interface=with \"quote\" and \\",
	};
	static const int want_lines[] = { 0, 3, 4, 5, 6, 7, 8, 9, 12 };
	struct pcf_conf c;
	char err[PCF_CONF_ERR_MAX] = "", where[128];
	unsigned int i;

	assert_int_equal(pcf_conf_load(write_file(text, sizeof(text) - 1),
				       &spec, &c, err, sizeof(err)),
			 0);
	assert_string_equal(err, "");
	assert_int_equal(c.argc, sizeof(want) / sizeof(want[0]));
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		assert_string_equal(c.argv[i], want[i]);
		assert_int_equal(c.lines[i], want_lines[i]);
	}
	assert_null(c.argv[c.argc]);
	snprintf(err, sizeof(err), "%s:5", path);
	assert_string_equal(pcf_conf_origin(&c, 3, where, sizeof(where)), err);
	pcf_conf_free(&c);
}

/* What pcfd does: the file through getopt_long first, then argv. */
static void test_command_line_wins(void **state)
{
	static const char text[] = "pin-dir = /from/file\n"
				   "xdp-mode = generic\n"
				   "ctl-port = 5\n";
	char *cmdline[] = { "pcfd", "--pin-dir", "/from/cmdline",
			    "-c",   path,	 NULL };
	const char *pin = NULL, *mode = NULL, *port = NULL;
	struct pcf_conf c;
	char *const *argvs[2];
	int argcs[2], pass, o;

	write_file(text, sizeof(text) - 1);
	assert_string_equal(pcf_conf_path(5, cmdline, optstring, opts), path);
	assert_int_equal(pcf_conf_load(path, &spec, &c, NULL, 0), 0);
	argvs[0] = c.argv, argcs[0] = c.argc;
	argvs[1] = cmdline, argcs[1] = 5;
	for (pass = 0; pass < 2; pass++) {
		optind = 0;
		while ((o = getopt_long(argcs[pass], (char **)argvs[pass],
					optstring, opts, NULL)) != -1) {
			if (o == 256)
				pin = optarg;
			else if (o == 257)
				port = optarg;
			else if (o == 258)
				mode = optarg;
			else
				assert_int_equal(o, 'c');
		}
		assert_int_equal(optind, argcs[pass]);
	}
	assert_string_equal(pin, "/from/cmdline");
	assert_string_equal(mode, "generic");
	assert_string_equal(port, "5");
	pcf_conf_free(&c);
}

static void test_conf_path(void **state)
{
	char *a1[] = { "pcfd", "-c", "one", "--config=two", NULL };
	char *a2[] = { "pcfd", "-fcthree", "-i", "x", NULL };
	char *a3[] = { "pcfd", "-i", "-c", "--pin-dir", "-c", NULL };
	char *a4[] = { "pcfd", "-i", "x", "--", "-c", "y", NULL };

	assert_string_equal(pcf_conf_path(4, a1, optstring, opts), "two");
	assert_string_equal(pcf_conf_path(4, a2, optstring, opts), "three");
	/* "-c" as the value of -i and of --pin-dir is no config file */
	assert_null(pcf_conf_path(5, a3, optstring, opts));
	assert_null(pcf_conf_path(6, a4, optstring, opts));
	assert_int_equal(optind, 0);
}

struct bad_case {
	const char *text;
	int line;
	const char *why;
};

static void expect_refused(const char *text, size_t len, int line,
			   const char *why, unsigned int i)
{
	char err[PCF_CONF_ERR_MAX] = "", want[PCF_CONF_ERR_MAX];
	struct pcf_conf c = { .argc = 42 };

	write_file(text, len);
	if (pcf_conf_load(path, &spec, &c, err, sizeof(err)) != -EINVAL)
		fail_msg("case %u: not refused as -EINVAL (%s)", i, err);
	snprintf(want, sizeof(want), "%s:%d: ", path, line);
	if (strncmp(err, want, strlen(want)) || !strstr(err, why))
		fail_msg("case %u: got \"%s\", want \"%s%s...\"", i, err, want,
			 why);
	assert_int_equal(c.argc, 42); /* untouched */
	teardown_file(NULL);
}

static void test_bad_lines(void **state)
{
	static const struct bad_case cases[] = {
		{ "interface = a\nbogus = 1\n", 2, "unknown key 'bogus'" },
		{ "\n\ninterface veth0\n", 3, "no '=' after the key" },
		{ "interface\n", 1, "no '=' after the key" },
		{ "= veth0\n", 1, "no key before '='" },
		{ "pin-dir =\n", 1, "empty value" },
		{ "pin-dir =    # nothing\n", 1, "empty value" },
		{ "pin-dir = \"\"\n", 1, "empty value" },
		{ "pin-dir = \"/a\n", 1, "double quote is not closed" },
		{ "pin-dir = '/a\n", 1, "single quote is not closed" },
		{ "pin-dir = \"/a\" b\n", 1, "text after the closing quote" },
		{ "pin-dir = /a\"b\n", 1, "a quote inside an unquoted value" },
		{ "pin-dir = \"/a\\n\"\n", 1,
		  "only \\\" and \\\\ are escapes" },
		{ "pin-dir = /a\npin-dir = /b\n", 2,
		  "'pin-dir' is already set on line 1" },
		{ "config = /etc/x\n", 1,
		  "'config' is for the command line only" },
		{ "help = yes\n", 1, "'help' is for the command line only" },
		{ "verbose = maybe\n", 1,
		  "'verbose' is yes or no, not 'maybe'" },
	};
	unsigned int i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		expect_refused(cases[i].text, strlen(cases[i].text),
			       cases[i].line, cases[i].why, i);
}

/* The whole message of a file that is refused. */
static void expect_conf_error(const char *text, size_t len, int want_rc,
			      const char *want_fmt)
{
	char err[PCF_CONF_ERR_MAX], want[PCF_CONF_ERR_MAX];
	struct pcf_conf c = { .argc = 42 };

	write_file(text, len);
	assert_int_equal(pcf_conf_load(path, &spec, &c, err, sizeof(err)),
			 want_rc);
	snprintf(want, sizeof(want), want_fmt, path);
	assert_string_equal(err, want);
	assert_int_equal(c.argc, 42); /* untouched */
	teardown_file(NULL);
}

static void test_not_text(void **state)
{
	static const char nul[] = "# ok\nxdp-mode = a\0b\n";
	static const char esc[] = "pin-dir = /a\x1b[2J\n";
	static const char latin1[] = "# caf\xe9\n";

	expect_conf_error(nul, sizeof(nul) - 1, -EILSEQ,
			  "%s:2:13: a NUL byte: not a text file");
	expect_conf_error(esc, sizeof(esc) - 1, -EILSEQ,
			  "%s:1:13: control character 0x1b");
	expect_conf_error(latin1, sizeof(latin1) - 1, -EILSEQ,
			  "%s:1:6: invalid UTF-8");
}

/* A file of n copies of line (each with its newline). */
static char *repeat(const char *line, size_t n, size_t *ret_len)
{
	size_t len = strlen(line), i;
	char *text = malloc(n * len + 1);

	assert_non_null(text);
	for (i = 0; i < n; i++)
		memcpy(text + i * len, line, len);
	*ret_len = n * len;
	return text;
}

static void test_conf_limits(void **state)
{
	struct pcf_conf c;
	char err[PCF_CONF_ERR_MAX], line[129]; /* 128 bytes a line */
	size_t len;
	char *text;

	/* PCF_CONF_LINES_MAX lines are fine, one more is not */
	text = repeat("#\n", PCF_CONF_LINES_MAX + 1, &len);
	write_file(text, len - 2);
	assert_int_equal(pcf_conf_load(path, &spec, &c, err, sizeof(err)), 0);
	pcf_conf_free(&c);
	teardown_file(NULL);
	expect_conf_error(
	    text, len, -E2BIG,
	    "%s:16385: more than 16384 lines, the limit of a configuration file");
	free(text);
	/* 1 MiB is fine, one byte more is not */
	memset(line, '#', sizeof(line) - 2);
	line[sizeof(line) - 2] = '\n';
	line[sizeof(line) - 1] = '\0';
	text = repeat(line, PCF_CONF_BYTES_MAX / 128 + 1, &len);
	write_file(text, PCF_CONF_BYTES_MAX);
	assert_int_equal(pcf_conf_load(path, &spec, &c, err, sizeof(err)), 0);
	pcf_conf_free(&c);
	teardown_file(NULL);
	expect_conf_error(
	    text, PCF_CONF_BYTES_MAX + 1, -E2BIG,
	    "%s:8193: more than 1 MiB, the limit of a configuration file");
	free(text);
	/* endless: refused at the first byte */
	assert_int_equal(
	    pcf_conf_load("/dev/zero", &spec, &c, err, sizeof(err)), -EILSEQ);
	assert_string_equal(err, "/dev/zero:1:1: a NUL byte: not a text file");
}

static void test_long_line(void **state)
{
	char text[PCF_CONF_LINE_MAX + 64], err[PCF_CONF_ERR_MAX], want[256];
	struct pcf_conf c;
	int prefix = snprintf(text, sizeof(text), "#ok\npin-dir = /");

	/* a line of exactly PCF_CONF_LINE_MAX characters is fine */
	memset(text + prefix, 'a', PCF_CONF_LINE_MAX - (prefix - 4));
	strcpy(text + 4 + PCF_CONF_LINE_MAX, "\n");
	write_file(text, strlen(text));
	assert_int_equal(pcf_conf_load(path, &spec, &c, err, sizeof(err)), 0);
	/* "pin-dir = " and "--pin-dir=" are just as long */
	assert_int_equal(strlen(c.argv[1]), PCF_CONF_LINE_MAX);
	pcf_conf_free(&c);
	teardown_file(NULL);

	/* one more is not */
	strcpy(text + 4 + PCF_CONF_LINE_MAX, "a\n");
	write_file(text, strlen(text));
	assert_int_equal(pcf_conf_load(path, &spec, &c, err, sizeof(err)),
			 -E2BIG);
	snprintf(
	    want, sizeof(want),
	    "%s:2: line longer than %d bytes, the limit of a configuration file",
	    path, PCF_CONF_LINE_MAX);
	assert_string_equal(err, want);
}

static void test_unreadable(void **state)
{
	char err[PCF_CONF_ERR_MAX];
	struct pcf_conf c;

	assert_int_equal(pcf_conf_load("/nonexistent/pcfd.conf", &spec, &c, err,
				       sizeof(err)),
			 -ENOENT);
	assert_string_equal(
	    err,
	    "/nonexistent/pcfd.conf: cannot open: No such file or directory");
	assert_int_equal(pcf_conf_load("/", &spec, &c, err, sizeof(err)),
			 -EISDIR);
	assert_string_equal(err, "/: is a directory, not a file");
}

static void test_rules_file(void **state)
{
	static const char text[] =
	    "# saved by pcfctl flow save\n"
	    "flow flush\n"
	    "\n"
	    "flow add dst 198.18.0.2/32 proto udp dport 9 action drop\n"
	    "flow replace src 2001:db8::/64 prio 10 action pass # why\n"
	    "flow del id 7\n";
	struct pcf_rules_file rf;
	char err[PCF_CONF_ERR_MAX];

	write_file(text, sizeof(text) - 1);
	assert_int_equal(pcf_rules_file_load(path, &rf, err, sizeof(err)), 0);
	assert_int_equal(rf.n, 4);
	assert_int_equal(rf.changes[0].op, PCF_FLOW_FLUSH);
	assert_int_equal(rf.lines[0], 2);
	assert_int_equal(rf.changes[1].op, PCF_FLOW_ADD);
	assert_int_equal(rf.lines[1], 4);
	assert_int_equal(rf.changes[1].rule.key.dport, htons(9));
	assert_int_equal(rf.changes[1].rule.action.verdict, PCF_VERDICT_DROP);
	assert_int_equal(rf.changes[2].op, PCF_FLOW_REPLACE);
	assert_int_equal(rf.changes[2].rule.prio, 10);
	assert_int_equal(rf.changes[3].op, PCF_FLOW_DEL);
	assert_int_equal(rf.changes[3].id, 7);
	assert_int_equal(rf.lines[3], 6);
	pcf_rules_file_free(&rf);
}

static void test_rules_file_bad(void **state)
{
	static const struct bad_case cases[] = {
		{ "flow add action drop\nflow add dport 99999 action drop\n", 2,
		  "dport \"99999\": not a port (a decimal number 0..65535)" },
		{ "\n# c\nflow show\n", 3,
		  "a rules file holds only flow add, replace, del and flush commands" },
		{ "stats\n", 1,
		  "a rules file holds only flow add, replace, del and flush commands" },
		/* refused by pcf_rule_validate: the line's words say which */
		{ "flow add  action drop\tsnat 198.18.0.1  # why\n", 1,
		  "flow add action drop snat 198.18.0.1: a dropped packet cannot "
		  "be rewritten, marked, mirrored or sent anywhere" },
		{ "flow add dst 198.18.0.0/16 action pass\n"
		  "flow add dst 198.18.1.1/24 action pass\n",
		  2,
		  "dst \"198.18.1.1/24\": host bits set beyond the prefix length "
		  "(the prefix is 198.18.1.0/24)" },
		/* named sets are pcfd's own (issue 13): not in this file */
		{ "set add allow 198.18.0.1\n", 1,
		  "a rules file holds only flow add, replace, del and flush "
		  "commands (named sets: load them with pcfctl set, they are "
		  "pinned)" },
		{ "flow add src @allow proto udp action drop\n", 1,
		  "flow add src @allow proto udp action drop: a rules file "
		  "names no set (pcfctl set load, then pcfctl flow add ... "
		  "@NAME: both are pinned)" },
		{ "flow del id 0x10\n", 1,
		  "id \"0x10\": not a rule id (a decimal number from 1)" },
		{ "flow add proto icmp sport 300 action drop\n", 1,
		  "sport \"300\": with proto icmp, sport is the type: 0..255" },
		{ "flow add a b c d e f g h i j k l m n o p q r s t u v w x y z "
		  "a b c d e f g h i j k l m n o p q r s t u v w x y z "
		  "a b c d e f g h i j k l m\n",
		  1, "more than 64 words" },
	};
	struct pcf_rules_file rf = { .n = 42 };
	char err[PCF_CONF_ERR_MAX], want[PCF_CONF_ERR_MAX];
	unsigned int i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		write_file(cases[i].text, strlen(cases[i].text));
		if (pcf_rules_file_load(path, &rf, err, sizeof(err)) != -EINVAL)
			fail_msg("case %u: not refused as -EINVAL", i);
		snprintf(want, sizeof(want), "%s:%d: %s", path, cases[i].line,
			 cases[i].why);
		if (strcmp(err, want))
			fail_msg("case %u:\n got \"%s\"\nwant \"%s\"", i, err,
				 want);
		assert_int_equal(rf.n, 42);
		teardown_file(NULL);
	}
	assert_int_equal(
	    pcf_rules_file_load("/nonexistent", &rf, err, sizeof(err)),
	    -ENOENT);
	assert_int_equal(pcf_rules_file_load("/tmp", &rf, err, sizeof(err)),
			 -EISDIR);
	assert_string_equal(err, "/tmp: is a directory, not a file");
	assert_int_equal(rf.n, 42);
}

static void expect_rules_error(const char *text, size_t len, int want_rc,
			       const char *want_fmt)
{
	struct pcf_rules_file rf = { .n = 42 };
	char err[PCF_CONF_ERR_MAX], want[PCF_CONF_ERR_MAX];

	write_file(text, len);
	assert_int_equal(pcf_rules_file_load(path, &rf, err, sizeof(err)),
			 want_rc);
	snprintf(want, sizeof(want), want_fmt, path);
	assert_string_equal(err, want);
	assert_int_equal(rf.n, 42);
	teardown_file(NULL);
}

static void test_rules_file_limits(void **state)
{
	static const char nul[] = "flow flush\nflow add action drop\0 x\n";
	struct pcf_rules_file rf;
	char err[PCF_CONF_ERR_MAX], line[PCF_BATCH_LINE_MAX + 2];
	size_t len;
	char *text;

	expect_rules_error(nul, sizeof(nul) - 1, -EILSEQ,
			   "%s:2:21: a NUL byte: not a text file");
	/* a line of 4096 bytes is fine, of 4097 not */
	memset(line, ' ', sizeof(line));
	memcpy(line, "flow flush", 10);
	line[PCF_BATCH_LINE_MAX] = '\n';
	write_file(line, PCF_BATCH_LINE_MAX + 1);
	assert_int_equal(pcf_rules_file_load(path, &rf, err, sizeof(err)), 0);
	assert_int_equal(rf.n, 1);
	pcf_rules_file_free(&rf);
	teardown_file(NULL);
	line[PCF_BATCH_LINE_MAX] = 'x';
	line[PCF_BATCH_LINE_MAX + 1] = '\n';
	expect_rules_error(
	    line, PCF_BATCH_LINE_MAX + 2, -E2BIG,
	    "%s:1: line longer than 4096 bytes, the limit of a rules file");
	/* 131072 lines are fine, one more is not */
	text = repeat("flow flush\n", PCF_BATCH_LINES_MAX + 1, &len);
	write_file(text, len - 11);
	assert_int_equal(pcf_rules_file_load(path, &rf, err, sizeof(err)), 0);
	assert_int_equal(rf.n, PCF_BATCH_LINES_MAX);
	pcf_rules_file_free(&rf);
	teardown_file(NULL);
	expect_rules_error(
	    text, len, -E2BIG,
	    "%s:131073: more than 131072 lines, the limit of a rules file");
	free(text);
	/* 32 MiB of long comment lines: fine; a byte more is not */
	memset(line, '#', PCF_BATCH_LINE_MAX);
	line[PCF_BATCH_LINE_MAX - 1] = '\n';
	line[PCF_BATCH_LINE_MAX] = '\0';
	text = repeat(line, PCF_BATCH_BYTES_MAX / PCF_BATCH_LINE_MAX + 1, &len);
	write_file(text, PCF_BATCH_BYTES_MAX);
	assert_int_equal(pcf_rules_file_load(path, &rf, err, sizeof(err)), 0);
	assert_int_equal(rf.n, 0);
	pcf_rules_file_free(&rf);
	teardown_file(NULL);
	expect_rules_error(
	    text, PCF_BATCH_BYTES_MAX + 1, -E2BIG,
	    "%s:8193: more than 32 MiB, the limit of a rules file");
	free(text);
	assert_int_equal(
	    pcf_rules_file_load("/dev/zero", &rf, err, sizeof(err)), -EILSEQ);
	assert_string_equal(err, "/dev/zero:1:1: a NUL byte: not a text file");
}

/* What pcfd says when applying a line of the file fails. */
static void test_rules_file_error(void **state)
{
	static const char text[] = "# the table\n"
				   "flow flush\n"
				   "flow del id 999999\n"
				   "flow del dst 198.18.0.0/24 proto udp\n"
				   "flow add dst 198.18.0.1 action drop\n";
	struct pcf_rules_file rf;
	char err[PCF_CONF_ERR_MAX], want[PCF_CONF_ERR_MAX];

	write_file(text, sizeof(text) - 1);
	assert_int_equal(pcf_rules_file_load(path, &rf, err, sizeof(err)), 0);
	snprintf(want, sizeof(want),
		 "%s:3: flow del id 999999: no rule with this id", path);
	assert_string_equal(
	    pcf_rules_file_error(&rf, 1, -ENOENT, err, sizeof(err)), want);
	snprintf(
	    want, sizeof(want),
	    "%s:4: flow del dst 198.18.0.0/24 proto udp: no rule with this match",
	    path);
	assert_string_equal(
	    pcf_rules_file_error(&rf, 2, -ENOENT, err, sizeof(err)), want);
	snprintf(
	    want, sizeof(want),
	    "%s:5: flow add prio 32768 dst 198.18.0.1 action drop: the rule "
	    "table is full (16384 rules): delete rules first",
	    path);
	assert_string_equal(
	    pcf_rules_file_error(&rf, 3, -ENOSPC, err, sizeof(err)), want);
	snprintf(want, sizeof(want), "%s:2: flow flush: %s", path,
		 strerror(EIO));
	assert_string_equal(
	    pcf_rules_file_error(&rf, 0, -EIO, err, sizeof(err)), want);
	pcf_rules_file_free(&rf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_good_file, teardown_file),
		cmocka_unit_test_teardown(test_command_line_wins,
					  teardown_file),
		cmocka_unit_test(test_conf_path),
		cmocka_unit_test_teardown(test_bad_lines, teardown_file),
		cmocka_unit_test_teardown(test_long_line, teardown_file),
		cmocka_unit_test(test_unreadable),
		cmocka_unit_test_teardown(test_rules_file, teardown_file),
		cmocka_unit_test_teardown(test_rules_file_bad, teardown_file),
		cmocka_unit_test_teardown(test_not_text, teardown_file),
		cmocka_unit_test_teardown(test_conf_limits, teardown_file),
		cmocka_unit_test_teardown(test_rules_file_limits,
					  teardown_file),
		cmocka_unit_test_teardown(test_rules_file_error, teardown_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
