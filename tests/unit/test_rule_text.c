// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * test_rule_text: genl's rule words both ways.  A printed rule parses back
 * into the same struct pcf_rule (what flow save relies on), printing is
 * canonical (printing the parse of a printed rule gives the same text),
 * and the edges: a buffer too small, an interface with no name, the
 * commands that are not changes left to the caller.  Every refusal of the
 * grammar, with its exact message; numbers in decimal only; what the
 * grammar must accept (df-clear without an address family); a change
 * back into words, and why pcfd could not make it.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <cmocka.h>

#include "rule_text.h"

/* Parse "flow CMD ..." given as one string into c; err holds the reason. */
static int change(const char *line, struct pcf_flow_change *c, char *err)
{
	static char copy[PCF_TEXT_RULE_MAX + 32];
	char *argv[PCF_TEXT_WORDS_MAX];
	int argc;

	snprintf(copy, sizeof(copy), "%s", line);
	argc = pcf_text_split_line(copy, argv, PCF_TEXT_WORDS_MAX);
	assert_true(argc >= 0);
	err[0] = '\0';
	return pcf_text_flow_change(argc, argv, c, err, 256);
}

static void round_trip(const char *words, const char *want_text)
{
	char line[PCF_TEXT_RULE_MAX + 16], text[PCF_TEXT_RULE_MAX],
	    again[PCF_TEXT_RULE_MAX], err[256];
	struct pcf_flow_change a, b;
	int n;

	snprintf(line, sizeof(line), "add %s", words);
	if (change(line, &a, err))
		fail_msg("\"%s\" refused: %s", words, err);
	n = pcf_text_rule(&a.rule, text, sizeof(text));
	assert_int_equal(n, strlen(text));
	if (want_text && strcmp(text, want_text))
		fail_msg("\"%s\" printed as \"%s\", not \"%s\"", words, text,
			 want_text);
	snprintf(line, sizeof(line), "add %s", text);
	if (change(line, &b, err))
		fail_msg("printed \"%s\" refused: %s", text, err);
	if (memcmp(&a.rule, &b.rule, sizeof(a.rule)))
		fail_msg("\"%s\" read back as another rule", text);
	assert_int_equal(pcf_text_rule(&b.rule, again, sizeof(again)), n);
	assert_string_equal(again, text);
}

static void test_round_trips(void **state)
{
	round_trip("action drop", "prio 32768 action drop");
	round_trip("src 198.18.0.0/15 dst 198.19.1.2 sport 1234 dport 80 "
		   "proto tcp dev lo prio 7 action redirect ttl-delta -2 "
		   "df-clear snat 198.18.9.9:4000 dnat 198.19.9.9 mark 16 "
		   "mirror lo egress kernel queue 3",
		   "prio 7 src 198.18.0.0/15 dst 198.19.1.2 sport 1234 "
		   "dport 80 proto tcp dev lo action redirect ttl-delta -2 "
		   "df-clear snat 198.18.9.9:4000 dnat 198.19.9.9 mark 0x10 "
		   "mirror lo egress kernel queue 3");
	round_trip("dst 2001:db8::/33 proto icmpv6 sport 128 action redirect "
		   "dnat [2001:db8::7]:8080 snat 2001:db8::8 egress wire",
		   "prio 32768 dst 2001:db8::/33 sport 128 proto icmpv6 "
		   "action redirect snat 2001:db8::8 dnat [2001:db8::7]:8080 "
		   "egress wire");
	/* a family and no address bits: src /0 carries it */
	round_trip(
	    "src 0.0.0.0/0 proto 47 action pass ttl-delta 127",
	    "prio 32768 src 0.0.0.0/0 proto 47 action pass ttl-delta 127");
	round_trip("dst ::/0 prio 0 action pass",
		   "prio 0 src ::/0 action pass");
	round_trip("src [2001:db8::1]/128 dport 0 proto udp action pass",
		   "prio 32768 src 2001:db8::1 dport 0 proto udp action pass");
	/* sessions: ct, port ranges, masquerade */
	round_trip("src 198.18.1.0/24 action redirect snat "
		   "198.18.2.77:20000-29999 ct",
		   "prio 32768 src 198.18.1.0/24 action redirect ct snat "
		   "198.18.2.77:20000-29999");
	round_trip("src 2001:db8:1::/64 action redirect ct snat "
		   "[2001:db8:2::77]:1-65535 egress wire",
		   "prio 32768 src 2001:db8:1::/64 action redirect ct snat "
		   "[2001:db8:2::77]:1-65535 egress wire");
	round_trip("dst 198.18.2.80 proto tcp dport 80 action redirect ct "
		   "dnat 198.18.3.8:8080",
		   "prio 32768 dst 198.18.2.80 dport 80 proto tcp action "
		   "redirect ct dnat 198.18.3.8:8080");
	round_trip("action redirect masquerade ct",
		   "prio 32768 action redirect ct masquerade");
	round_trip("proto tcp action pass ct",
		   "prio 32768 proto tcp action pass ct");
	/* a one-port range is that port */
	round_trip("src 198.18.1.0/24 action redirect ct snat 198.18.2.77:7-7",
		   "prio 32768 src 198.18.1.0/24 action redirect ct snat "
		   "198.18.2.77:7");
	/* VXLAN and explicit egress (issue 13) */
	round_trip("src 198.18.100.0/24 encap vxlan action redirect decap "
		   "dnat 198.18.2.1 df-clear egress dev lo",
		   "prio 32768 encap vxlan src 198.18.100.0/24 action redirect "
		   "decap df-clear dnat 198.18.2.1 egress dev lo");
	round_trip("encap vxlan vni 16777215 proto udp dport 53 action pass "
		   "ttl-delta -1 df-clear",
		   "prio 32768 encap vxlan vni 16777215 dport 53 proto udp "
		   "action pass ttl-delta -1 df-clear");
	round_trip("encap vxlan vni 0 action pass decap",
		   "prio 32768 encap vxlan vni 0 action pass decap");
	round_trip("dst 2001:db8:2::/64 action redirect dnat 2001:db8:2::1 "
		   "egress dev lo via 2001:db8:2::9",
		   "prio 32768 dst 2001:db8:2::/64 action redirect dnat "
		   "2001:db8:2::1 egress dev lo via 2001:db8:2::9");
}

static void test_edges(void **state)
{
	struct pcf_flow_change c;
	char text[PCF_TEXT_RULE_MAX], err[256];

	assert_int_equal(change("add src 2001:db8::1 action drop", &c, err), 0);
	assert_int_equal(pcf_text_rule(&c.rule, text, 10), -ENOSPC);
	assert_int_equal(pcf_text_rule(&c.rule, text, 0), -ENOSPC);
	/* an interface index with no name: written as ifN, and said so */
	c.rule.key.ifindex = 0x7ffffff0;
	c.rule.mask.ifindex = 0xffffffff;
	assert_int_equal(pcf_text_rule(&c.rule, text, sizeof(text)), -ENODEV);
	assert_non_null(strstr(text, " dev if2147483632 "));
	/* not changes: the caller's to handle, err untouched */
	assert_int_equal(change("show", &c, err), -ENOENT);
	assert_string_equal(err, "");
	assert_int_equal(change("save", &c, err), -ENOENT);
	assert_int_equal(change("", &c, err), -ENOENT);
	assert_int_equal(change("flush", &c, err), 0);
	assert_int_equal(c.op, PCF_FLOW_FLUSH);
	assert_int_equal(change("flush all", &c, err), -EINVAL);
	assert_non_null(strstr(err, "takes no arguments"));
	assert_int_equal(change("del id 9", &c, err), 0);
	assert_int_equal(c.op, PCF_FLOW_DEL);
	assert_int_equal(c.id, 9);
}

struct refusal {
	const char *line; /* after "flow " */
	const char *err;  /* the whole message */
};

static void test_refusals(void **state)
{
	static const struct refusal cases[] = {
		/* the words themselves */
		{ "add color red action pass",
		  "unknown word \"color\" (try \"pcfctl flow help\")" },
		{ "add src 198.18.0.1 src 198.18.0.2 action pass",
		  "\"src\" given twice" },
		{ "add action", "\"action\" needs a value" },
		{ "add src 198.18.0.1",
		  "a rule needs \"action pass|drop|redirect\"" },
		{ "del", "flow del needs id N or match words" },
		{ "del src 198.18.0.1 action drop",
		  "flow del takes id N or match words only, not \"action\"" },
		{ "flush all", "flow flush takes no arguments" },
		{ "add action maybe",
		  "action \"maybe\": not pass, drop or redirect" },
		/* prefixes: an address, a decimal length, no host bits */
		{ "add src 198.18.0 action pass",
		  "src \"198.18.0\": not an IPv4 or IPv6 address with an optional /LENGTH" },
		{ "add dst 198.18.0.1/ action pass",
		  "dst \"198.18.0.1/\": the length after / is a decimal number 0..32" },
		{ "add src 198.18.0.0/33 action pass",
		  "src \"198.18.0.0/33\": the length after / is a decimal number 0..32" },
		{ "add src 198.18.0.0/0x10 action pass",
		  "src \"198.18.0.0/0x10\": the length after / is a decimal number 0..32" },
		{ "add src 198.18.0.0/08 action pass",
		  "src \"198.18.0.0/08\": the length after / is a decimal number 0..32" },
		{ "add src 198.18.0.0/+8 action pass",
		  "src \"198.18.0.0/+8\": the length after / is a decimal number 0..32" },
		{ "add src 2001:db8::/129 action pass",
		  "src \"2001:db8::/129\": the length after / is a decimal number 0..128" },
		{ "add dst 198.18.1.1/24 action pass",
		  "dst \"198.18.1.1/24\": host bits set beyond the prefix length (the prefix is 198.18.1.0/24)" },
		{ "add src 2001:db8::1/32 action pass",
		  "src \"2001:db8::1/32\": host bits set beyond the prefix length (the prefix is 2001:db8::/32)" },
		{ "add src 198.18.0.1/0 action pass",
		  "src \"198.18.0.1/0\": host bits set beyond the prefix length (the prefix is 0.0.0.0/0)" },
		{ "add src 198.18.0.1 dst 2001:db8::1 action pass",
		  "dst \"2001:db8::1\": src and dst must be of the same address family" },
		/* ports: decimal, with a protocol that has them */
		{ "add dport 0x50 proto tcp action pass",
		  "dport \"0x50\": not a port (a decimal number 0..65535)" },
		{ "add dport 080 proto tcp action pass",
		  "dport \"080\": not a port (a decimal number 0..65535)" },
		{ "add dport 65536 proto tcp action pass",
		  "dport \"65536\": not a port (a decimal number 0..65535)" },
		{ "add sport -1 proto udp action pass",
		  "sport \"-1\": not a port (a decimal number 0..65535)" },
		{ "add dport 53 action pass",
		  "dport \"53\": a port needs proto tcp, udp, icmp or icmpv6" },
		{ "add sport 1 dport 2 action pass",
		  "sport \"1\": a port needs proto tcp, udp, icmp or icmpv6" },
		{ "del dst 198.18.0.1 dport 53",
		  "dport \"53\": a port needs proto tcp, udp, icmp or icmpv6" },
		{ "add proto 47 dport 1 action pass",
		  "dport \"1\": proto 47 has no ports (tcp, udp, icmp and icmpv6 have)" },
		{ "add sport 1 proto 132 action pass",
		  "sport \"1\": proto 132 has no ports (tcp, udp, icmp and icmpv6 have)" },
		/* ICMP: type and code are 0..255, icmp IPv4's, icmpv6 IPv6's */
		{ "add proto icmp sport 300 action pass",
		  "sport \"300\": with proto icmp, sport is the type: 0..255" },
		{ "add dport 256 proto icmpv6 action pass",
		  "dport \"256\": with proto icmpv6, dport is the code: 0..255" },
		{ "add proto 1 dport 999 action pass",
		  "dport \"999\": with proto 1, dport is the code: 0..255" },
		{ "add src 2001:db8::1 proto icmp action pass",
		  "proto \"icmp\": the rule's addresses are IPv6: use icmpv6" },
		{ "add proto icmpv6 dst 198.18.0.1 action pass",
		  "proto \"icmpv6\": the rule's addresses are IPv4: use icmp" },
		{ "add proto sctpx action pass",
		  "proto \"sctpx\": not tcp, udp, icmp, icmpv6 or a decimal number 0..255" },
		{ "add proto 256 action pass",
		  "proto \"256\": not tcp, udp, icmp, icmpv6 or a decimal number 0..255" },
		{ "add proto 0x6 action pass",
		  "proto \"0x6\": not tcp, udp, icmp, icmpv6 or a decimal number 0..255" },
		{ "add dev nosuchdev0 action pass",
		  "dev \"nosuchdev0\": no such interface here" },
		/* the action's words */
		{ "add prio many action pass",
		  "prio \"many\": not a decimal number" },
		{ "add prio 0x10 action pass",
		  "prio \"0x10\": not a decimal number" },
		{ "add action pass ttl-delta 128",
		  "ttl-delta \"128\": not a decimal number -128..-1 or 1..127" },
		{ "add action pass ttl-delta -129",
		  "ttl-delta \"-129\": not a decimal number -128..-1 or 1..127" },
		{ "add action pass ttl-delta 0",
		  "ttl-delta \"0\": not a decimal number -128..-1 or 1..127" },
		{ "add action pass ttl-delta +1",
		  "ttl-delta \"+1\": not a decimal number -128..-1 or 1..127" },
		{ "add action pass ttl-delta -0x1",
		  "ttl-delta \"-0x1\": not a decimal number -128..-1 or 1..127" },
		{ "add action redirect snat 198.18.0.1:0",
		  "snat \"198.18.0.1:0\": not ADDR, ADDR:PORT, ADDR:LOW-HIGH or [IPV6]:PORT[-HIGH] (ports decimal numbers 1..65535)" },
		{ "add action redirect dnat [2001:db8::1]:0x50",
		  "dnat \"[2001:db8::1]:0x50\": not ADDR, ADDR:PORT or [IPV6]:PORT (PORT a decimal number 1..65535)" },
		{ "add action redirect mark 0x100000000",
		  "mark \"0x100000000\": not a 32-bit number (decimal, or hex after 0x)" },
		{ "add action redirect mark 010",
		  "mark \"010\": not a 32-bit number (decimal, or hex after 0x)" },
		{ "add action redirect mirror nosuchdev0",
		  "mirror \"nosuchdev0\": no such interface here" },
		{ "add action redirect egress default",
		  "egress \"default\": not kernel, wire or dev IFNAME" },
		{ "add action redirect queue 65536",
		  "queue \"65536\": not a decimal number 0..65535" },
		{ "add src 198.18.1.0/24 action redirect snat 198.18.2.77:20000-29999",
		  "snat \"198.18.2.77:20000-29999\": a port range is for NAT per connection: write action redirect ct snat 198.18.2.77:20000-29999 (without ct, NAT rewrites to one port)" },
		{ "add action redirect ct snat 198.18.2.77:29999-20000",
		  "snat \"198.18.2.77:29999-20000\": a port range is LOW-HIGH, LOW not above HIGH" },
		{ "add action redirect ct snat 198.18.2.77:1-65536",
		  "snat \"198.18.2.77:1-65536\": not ADDR, ADDR:PORT, ADDR:LOW-HIGH or [IPV6]:PORT[-HIGH] (ports decimal numbers 1..65535)" },
		{ "add action redirect ct dnat 198.18.2.3:80-81",
		  "dnat \"198.18.2.3:80-81\": not ADDR, ADDR:PORT or [IPV6]:PORT (PORT a decimal number 1..65535)" },
		{ "add action drop ct",
		  "ct goes with action pass (let the replies in: action pass ct) or action redirect (stateful NAT: action redirect ct snat ...), not drop" },
		{ "add action redirect masquerade",
		  "masquerade is NAT per connection: write action redirect ct masquerade" },
		{ "add action pass ct masquerade",
		  "masquerade runs in the workers: write action redirect ct masquerade" },
		{ "add src 198.18.1.0/24 action redirect ct masquerade snat 198.18.2.77",
		  "masquerade and snat both choose the source address: give one of them" },
		{ "add action redirect ct ct", "\"ct\" given twice" },
		/* VXLAN and explicit egress (issue 13) */
		{ "add encap gre action drop",
		  "encap \"gre\": not vxlan (the one encapsulation known)" },
		{ "add vni 42 action drop",
		  "vni \"42\": a VNI is a VXLAN frame's: write encap vxlan vni 42" },
		{ "add encap vxlan vni 16777216 action drop",
		  "vni \"16777216\": not a VNI (a decimal number 0..16777215)" },
		{ "add action pass decap",
		  "decap takes the outer headers off a VXLAN frame: add encap vxlan to the match" },
		{ "add encap vxlan action drop decap",
		  "a dropped packet is not decapsulated: write action drop without decap" },
		{ "add encap vxlan action redirect dnat 198.18.2.1",
		  "the workers take the inner frame: write action redirect decap ..." },
		{ "add encap vxlan proto tcp action pass ct",
		  "ct tracks outer headers: it does not go with encap vxlan" },
		{ "add action pass egress dev lo",
		  "egress dev \"lo\": the workers send by it: write action redirect ... egress dev lo" },
		{ "add action redirect egress kernel egress dev lo",
		  "egress \"kernel\": egress dev lo is the egress: give no other" },
		{ "add action redirect via 198.18.2.1",
		  "via \"198.18.2.1\": a next hop needs its interface: write egress dev IFNAME via 198.18.2.1" },
		{ "add action redirect egress dev",
		  "\"egress dev\" needs a value" },
		{ "add action redirect egress dev lo via",
		  "\"via\" needs a value" },
		{ "add action redirect egress dev lo via nowhere",
		  "via \"nowhere\": not an IPv4 or IPv6 address" },
		{ "add action redirect egress dev nosuchif0",
		  "egress dev \"nosuchif0\": no such interface here" },
		{ "del id 0",
		  "id \"0\": not a rule id (a decimal number from 1)" },
		{ "del id 0x10",
		  "id \"0x10\": not a rule id (a decimal number from 1)" },
		{ "del id 4294967296",
		  "id \"4294967296\": not a rule id (a decimal number from 1)" },
	};
	struct pcf_flow_change c;
	char err[256];
	unsigned int i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (change(cases[i].line, &c, err) != -EINVAL)
			fail_msg("\"%s\" not refused", cases[i].line);
		if (strcmp(err, cases[i].err))
			fail_msg("\"%s\":\n got \"%s\"\nwant \"%s\"",
				 cases[i].line, err, cases[i].err);
	}
}

/* What the strict grammar still takes, and what it makes of it. */
static void test_accepted(void **state)
{
	struct pcf_flow_change c;
	char err[256];

	/* df-clear with no family: the data plane applies it to IPv4 */
	assert_int_equal(
	    change("add proto udp dport 31765 action pass df-clear", &c, err),
	    0);
	assert_int_equal(c.rule.mask.family, 0);
	assert_true(c.rule.action.flags & PCF_ACT_DF_CLEAR);
	/* ports given before the protocol; ICMP type and code up to 255 */
	assert_int_equal(
	    change("add sport 255 dport 0 proto icmp action pass", &c, err), 0);
	assert_int_equal(ntohs(c.rule.key.sport), 255);
	assert_int_equal(change("add proto 6 dport 65535 action pass", &c, err),
			 0);
	/* icmp with no address, a prefix of length 0, ports on del */
	assert_int_equal(change("add proto icmp action drop", &c, err), 0);
	assert_int_equal(change("add src 0.0.0.0/0 action drop", &c, err), 0);
	assert_int_equal(change("del proto tcp dport 80", &c, err), 0);
	assert_int_equal(ntohs(c.rule.key.dport), 80);
	/* marks in hex or decimal; ttl-delta's edges */
	assert_int_equal(change("add action redirect mark 0xFFFFFFFF", &c, err),
			 0);
	assert_int_equal(c.rule.action.mark, 0xffffffff);
	assert_int_equal(change("add action redirect mark 0", &c, err), 0);
	assert_int_equal(change("add action pass ttl-delta -128", &c, err), 0);
	assert_int_equal(c.rule.action.ttl_delta, -128);
	assert_int_equal(change("add action pass ttl-delta 127", &c, err), 0);
	assert_int_equal(change("del id 4294967295", &c, err), 0);
	assert_int_equal(c.id, 4294967295U);
}

static void test_numbers(void **state)
{
	unsigned long n = 7;

	assert_int_equal(pcf_text_dec("0", 10, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(pcf_text_dec("10", 10, &n), 0);
	assert_int_equal(n, 10);
	assert_int_equal(pcf_text_dec("11", 10, &n), -ERANGE);
	assert_int_equal(pcf_text_dec("99999999999999999999999", ~0UL, &n),
			 -ERANGE);
	assert_int_equal(pcf_text_dec("", 10, &n), -EINVAL);
	assert_int_equal(pcf_text_dec("00", 10, &n), -EINVAL);
	assert_int_equal(pcf_text_dec("07", 10, &n), -EINVAL);
	assert_int_equal(pcf_text_dec(" 7", 10, &n), -EINVAL);
	assert_int_equal(pcf_text_dec("7 ", 10, &n), -EINVAL);
	assert_int_equal(pcf_text_dec("+7", 10, &n), -EINVAL);
	assert_int_equal(pcf_text_dec("0x7", 10, &n), -EINVAL);
	assert_int_equal(n, 10); /* untouched on failure */
	assert_int_equal(pcf_text_ulong("0x7f", 127, &n), 0);
	assert_int_equal(n, 127);
	assert_int_equal(pcf_text_ulong("0X10", 127, &n), 0);
	assert_int_equal(n, 16);
	assert_int_equal(pcf_text_ulong("0x80", 127, &n), -ERANGE);
	assert_int_equal(pcf_text_ulong("0x", 127, &n), -EINVAL);
	assert_int_equal(pcf_text_ulong("0xg", 127, &n), -EINVAL);
	assert_int_equal(pcf_text_ulong("010", 127, &n), -EINVAL);
	assert_int_equal(pcf_text_ulong("100", 127, &n), 0);
	assert_int_equal(n, 100);
}

static void test_change_words(void **state)
{
	struct pcf_flow_change c;
	char err[256], text[PCF_TEXT_RULE_MAX + 32];

	assert_int_equal(change("del id 999999", &c, err), 0);
	assert_int_equal(pcf_text_change(&c, text, sizeof(text)),
			 strlen("flow del id 999999"));
	assert_string_equal(text, "flow del id 999999");
	assert_string_equal(pcf_text_change_strerror(&c, -ENOENT),
			    "no rule with this id");
	assert_int_equal(change("del dst 198.18.0.0/24 proto udp", &c, err), 0);
	pcf_text_change(&c, text, sizeof(text));
	assert_string_equal(text, "flow del dst 198.18.0.0/24 proto udp");
	assert_string_equal(pcf_text_change_strerror(&c, -ENOENT),
			    "no rule with this match");
	assert_int_equal(change("replace dst 198.18.0.1 action drop", &c, err),
			 0);
	pcf_text_change(&c, text, sizeof(text));
	assert_string_equal(
	    text, "flow replace prio 32768 dst 198.18.0.1 action drop");
	assert_string_equal(pcf_text_change_strerror(&c, -ENOENT),
			    "no rule with this match to replace");
	assert_string_equal(pcf_text_change_strerror(&c, -ENOSPC),
			    "the rule table is full (16384 rules): delete rules "
			    "first");
	assert_non_null(strstr(pcf_text_change_strerror(&c, -ETOOMANYREFS),
			       "beyond the 32 distinct ones"));
	assert_string_equal(pcf_text_change_strerror(&c, -EPERM),
			    strerror(EPERM));
	assert_int_equal(change("flush", &c, err), 0);
	pcf_text_change(&c, text, sizeof(text));
	assert_string_equal(text, "flow flush");
	assert_int_equal(pcf_text_change(&c, text, 5), -ENOSPC);
	assert_string_equal(text, "flow");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trips),
		cmocka_unit_test(test_edges),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_accepted),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_change_words),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
