// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * test_pcfctl_parse: pcfctl's grammar, words in, request out; and every
 * kind of bad usage refused with a message.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <cmocka.h>

#include "pcfctl.h"

static char err[256];

/* Parse a command line given as one string. */
static int parse_line(const char *line, struct pcfctl_req *req)
{
	static char copy[512];
	char *argv[64];
	int argc;

	snprintf(copy, sizeof(copy), "%s", line);
	argc = pcf_text_split_line(copy, argv, 64);
	assert_true(argc >= 0);
	err[0] = '\0';
	return pcfctl_parse(argc, argv, req, err, sizeof(err));
}

static void parse_ok(const char *line, struct pcfctl_req *req)
{
	if (parse_line(line, req))
		fail_msg("\"%s\" refused: %s", line, err);
}

static void parse_bad(const char *line, const char *why)
{
	struct pcfctl_req req;

	if (!parse_line(line, &req))
		fail_msg("\"%s\" accepted", line);
	if (!strstr(err, why))
		fail_msg("\"%s\": message \"%s\" lacks \"%s\"", line, err, why);
}

static void test_add_everything(void **state)
{
	struct pcfctl_req req;
	const struct pcf_rule *r = &req.rule;
	const struct pcf_action *a = &r->action;
	__u8 want[16] = {};

	parse_ok(
	    "flow add src 198.18.0.0/15 dst 198.19.1.2 sport 1234 dport 80 "
	    "proto tcp dev lo prio 7 action redirect ttl-delta -2 df-clear "
	    "snat 198.18.9.9:4000 dnat 198.19.9.9 mark 0x10 mirror lo "
	    "egress kernel queue 3",
	    &req);
	assert_int_equal(req.cmd, PCFCTL_FLOW_ADD);
	assert_int_equal(r->key.family, 4);
	assert_int_equal(r->mask.family, 0xff);
	inet_pton(AF_INET, "198.18.0.0", want);
	assert_memory_equal(r->key.src, want, 16);
	assert_memory_equal(r->mask.src, "\xff\xfe\0\0\0\0\0\0\0\0\0\0\0\0\0\0",
			    16);
	assert_memory_equal(r->mask.dst,
			    "\xff\xff\xff\xff\0\0\0\0\0\0\0\0\0\0\0\0", 16);
	assert_int_equal(ntohs(r->key.sport), 1234);
	assert_int_equal(ntohs(r->key.dport), 80);
	assert_int_equal(r->mask.sport, 0xffff);
	assert_int_equal(r->key.proto, IPPROTO_TCP);
	assert_int_equal(r->key.ifindex, if_nametoindex("lo"));
	assert_int_equal(r->mask.ifindex, 0xffffffff);
	assert_int_equal(r->prio, 7);
	assert_int_equal(a->verdict, PCF_VERDICT_REDIRECT);
	assert_int_equal(a->ttl_delta, -2);
	assert_int_equal(a->flags, PCF_ACT_TTL | PCF_ACT_DF_CLEAR |
				       PCF_ACT_SNAT | PCF_ACT_DNAT |
				       PCF_ACT_MARK | PCF_ACT_MIRROR |
				       PCF_ACT_QUEUE);
	assert_int_equal(a->snat.family, 4);
	assert_int_equal(ntohs(a->snat.port), 4000);
	assert_int_equal(a->dnat.port, 0);
	assert_int_equal(a->mark, 0x10);
	assert_int_equal(a->mirror_ifindex, if_nametoindex("lo"));
	assert_int_equal(a->egress, PCF_EGRESS_KERNEL);
	assert_int_equal(a->queue, 3);
}

static void test_add_minimal(void **state)
{
	struct pcfctl_req req;

	parse_ok("flow add action drop", &req);
	assert_int_equal(req.rule.prio, PCF_PRIO_DEFAULT);
	assert_int_equal(req.rule.mask.family, 0);
	assert_int_equal(req.rule.action.verdict, PCF_VERDICT_DROP);
	assert_int_equal(req.rule.action.flags, 0);
	parse_ok("flow replace proto 47 action pass", &req);
	assert_int_equal(req.cmd, PCFCTL_FLOW_REPLACE);
	assert_int_equal(req.rule.key.proto, 47);
}

static void test_ipv6(void **state)
{
	struct pcfctl_req req;
	__u8 want[16];

	parse_ok(
	    "flow add dst 2001:db8::/33 proto icmpv6 sport 128 action redirect "
	    "dnat [2001:db8::7]:8080 snat 2001:db8::8",
	    &req);
	assert_int_equal(req.rule.key.family, 6);
	inet_pton(AF_INET6, "2001:db8::", want);
	assert_memory_equal(req.rule.key.dst, want, 16);
	assert_int_equal(req.rule.mask.dst[4], 0x80);
	assert_int_equal(req.rule.mask.dst[5], 0);
	assert_int_equal(req.rule.key.proto, IPPROTO_ICMPV6);
	assert_int_equal(req.rule.action.dnat.family, 6);
	assert_int_equal(ntohs(req.rule.action.dnat.port), 8080);
	inet_pton(AF_INET6, "2001:db8::8", want);
	assert_memory_equal(req.rule.action.snat.addr, want, 16);
	assert_int_equal(req.rule.action.snat.port, 0);
	parse_ok("flow add src [2001:db8::1]/128 action pass", &req);
	assert_int_equal(req.rule.mask.src[15], 0xff);
}

static void test_other_commands(void **state)
{
	struct pcfctl_req req;

	parse_ok("flow del id 42", &req);
	assert_int_equal(req.cmd, PCFCTL_FLOW_DEL);
	assert_int_equal(req.id, 42);
	parse_ok("flow del src 198.18.0.1 dport 53 proto udp", &req);
	assert_int_equal(req.id, 0);
	assert_int_equal(ntohs(req.rule.key.dport), 53);
	parse_ok("flow show", &req);
	assert_int_equal(req.cmd, PCFCTL_FLOW_SHOW);
	assert_int_equal(req.id, 0);
	parse_ok("flow show id 3", &req);
	assert_int_equal(req.id, 3);
	parse_ok("flow flush", &req);
	assert_int_equal(req.cmd, PCFCTL_FLOW_FLUSH);
	parse_ok("stats", &req);
	assert_int_equal(req.cmd, PCFCTL_STATS);
	parse_ok("monitor", &req);
	assert_int_equal(req.cmd, PCFCTL_MONITOR);
	parse_ok("help", &req);
	assert_int_equal(req.cmd, PCFCTL_HELP);
	parse_ok("flow help", &req);
	assert_int_equal(req.cmd, PCFCTL_FLOW_HELP);
}

static void test_bad_usage(void **state)
{
	parse_bad("route show", "unknown object");
	parse_bad("flow frobnicate", "unknown command");
	parse_bad("flow add src 198.18.0.1", "needs \"action");
	parse_bad("flow add action maybe", "action \"maybe\": not pass, drop or redirect");
	parse_bad("flow add action", "needs a value");
	parse_bad("flow add color red action pass", "unknown word \"color\"");
	parse_bad("flow add src 198.18.0.1 src 198.18.0.2 action pass",
		  "given twice");
	parse_bad("flow add src 198.18.0.1/33 action pass", "src \"198.18.0.1/33\": ");
	parse_bad("flow add src 2001:db8::/129 action pass", "src \"2001:db8::/129\": ");
	parse_bad("flow add src 198.18.0 action pass", "src \"198.18.0\": ");
	parse_bad("flow add src 198.18.0.1 dst 2001:db8::1 action pass",
		  "same address family");
	parse_bad("flow add dport 65536 proto tcp action pass", "not a port");
	parse_bad("flow add sport -1 proto tcp action pass", "not a port");
	parse_bad("flow add proto sctpx action pass", "proto \"sctpx\": not tcp");
	parse_bad("flow add proto 256 action pass", "proto \"256\": not tcp");
	parse_bad("flow add dev nosuchdev0 action pass", "no such interface");
	parse_bad("flow add prio many action pass", "prio \"many\": not a decimal number");
	parse_bad("flow add action pass ttl-delta 128", "ttl-delta");
	parse_bad("flow add action pass ttl-delta x", "ttl-delta");
	parse_bad("flow add action redirect snat 1.2.3.4:0", "snat \"1.2.3.4:0\": not ADDR");
	parse_bad("flow add action redirect snat 1.2.3.4:99999", "snat \"1.2.3.4:99999\": not ADDR");
	parse_bad("flow add action redirect dnat nowhere", "dnat \"nowhere\": not ADDR");
	parse_bad("flow add action redirect mark 0x100000000", "mark \"0x100000000\": not a 32-bit number");
	parse_bad("flow add action redirect egress default",
		  "egress \"default\": not kernel, wire or dev IFNAME");
	parse_bad("flow add action redirect queue 65536", "queue \"65536\": not a decimal");
	parse_bad("flow del", "needs id N or match words");
	parse_bad("flow del id 0", "id \"0\": not a rule id");
	parse_bad("flow del id x", "id \"x\": not a rule id");
	parse_bad("flow del src 198.18.0.1 action drop", "match words only");
	parse_bad("flow show id", "flow show takes");
	parse_bad("flow show all", "flow show takes");
	parse_bad("flow flush now", "takes no arguments");
	parse_bad("stats now", "takes no arguments");
	/* the strict grammar, through pcfctl (test_rule_text has them all) */
	parse_bad("flow add dst 198.18.1.1/24 action pass", "host bits set");
	parse_bad("flow add dport 0x50 proto tcp action pass", "not a port");
	parse_bad("flow add dport 80 action pass", "a port needs proto");
	parse_bad("flow add proto icmp sport 300 action pass", "0..255");
	parse_bad("flow show id 0x1", "id \"0x1\": not a rule id");
}

static void test_split_line(void **state)
{
	char line[] = "  flow\tadd  src 1.2.3.4 # a comment\n", *argv[8];
	char many[] = "a b c d e f g h i";

	assert_int_equal(pcf_text_split_line(line, argv, 8), 4);
	assert_string_equal(argv[0], "flow");
	assert_string_equal(argv[3], "1.2.3.4");
	assert_int_equal(pcf_text_split_line(many, argv, 8), -E2BIG);
}

static void test_nat_forms(void **state)
{
	struct pcf_nat nat;

	assert_int_equal(pcf_text_nat_parse("198.18.0.1", &nat), 0);
	assert_int_equal(nat.family, 4);
	assert_int_equal(pcf_text_nat_parse("198.18.0.1:53", &nat), 0);
	assert_int_equal(ntohs(nat.port), 53);
	assert_int_equal(pcf_text_nat_parse("2001:db8::1", &nat), 0);
	assert_int_equal(nat.family, 6);
	assert_int_equal(nat.port, 0);
	assert_int_equal(pcf_text_nat_parse("[2001:db8::1]", &nat), 0);
	assert_int_equal(pcf_text_nat_parse("[2001:db8::1]:1", &nat), 0);
	assert_int_equal(ntohs(nat.port), 1);
	assert_int_not_equal(pcf_text_nat_parse("[2001:db8::1]:", &nat), 0);
	assert_int_not_equal(pcf_text_nat_parse("[198.18.0.1]:5", &nat), 0);
	assert_int_not_equal(pcf_text_nat_parse("198.18.0.1:5:6", &nat), 0);
	assert_int_not_equal(pcf_text_nat_parse("", &nat), 0);
}

/* Parse the options of a command line; returns the words left. */
static int opts(const char *line, struct pcfctl_opts *o)
{
	static char copy[512];
	char *words[64], **argv = words;
	int argc;

	snprintf(copy, sizeof(copy), "%s", line);
	argc = pcf_text_split_line(copy, words, 64);
	err[0] = '\0';
	if (pcfctl_parse_opts(&argc, &argv, o, err, sizeof(err)))
		return -1;
	return argc;
}

static void test_options(void **state)
{
	struct pcfctl_opts o;

	assert_int_equal(opts("flow show", &o), 2);
	assert_false(o.json || o.pretty || o.stats || o.force || o.help ||
		     o.verbose);
	assert_null(o.netns);
	assert_null(o.batch);
	assert_int_equal(o.ctl_port, PCF_CTL_PORT_DEFAULT);
	assert_int_equal(o.daemon_uid, 0);

	assert_int_equal(opts("-j -p -s -n blue --ctl-port 0x70630001 "
			      "-ctl-uid 998 flow show id 3",
			      &o),
			 4);
	assert_true(o.json && o.pretty && o.stats);
	assert_string_equal(o.netns, "blue");
	assert_int_equal(o.ctl_port, 0x70630001);
	assert_int_equal(o.daemon_uid, 998);

	assert_int_equal(opts("-force -batch - ", &o), 0);
	assert_true(o.force);
	assert_string_equal(o.batch, "-");
	assert_int_equal(opts("--json --help", &o), 0);
	assert_true(o.json && o.help);
	assert_int_equal(opts("-v monitor", &o), 1);
	assert_true(o.verbose);
	assert_int_equal(opts("--verbose stats", &o), 1);
	assert_true(o.verbose);
}

static void test_bad_options(void **state)
{
	struct pcfctl_opts o;

	assert_int_equal(opts("-x flow show", &o), -1);
	assert_non_null(strstr(err, "unknown option -x"));
	assert_int_equal(opts("-n", &o), -1);
	assert_non_null(strstr(err, "-n needs a value"));
	assert_int_equal(opts("-batch", &o), -1);
	assert_non_null(strstr(err, "needs a value"));
	assert_int_equal(opts("--ctl-port 0 stats", &o), -1);
	assert_non_null(strstr(err, "must not be 0"));
	assert_int_equal(opts("--ctl-port pcf stats", &o), -1);
	assert_non_null(strstr(err, "wants a number"));
	assert_int_equal(opts("--ctl-uid -1 stats", &o), -1);
	assert_int_equal(opts("--ctl-port 0x100000000 stats", &o), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_add_everything),
		cmocka_unit_test(test_add_minimal),
		cmocka_unit_test(test_ipv6),
		cmocka_unit_test(test_other_commands),
		cmocka_unit_test(test_bad_usage),
		cmocka_unit_test(test_split_line),
		cmocka_unit_test(test_nat_forms),
		cmocka_unit_test(test_options),
		cmocka_unit_test(test_bad_options),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
