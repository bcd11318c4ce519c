// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * test_rule_text: genl's rule words both ways.  A printed rule parses back
 * into the same struct pcf_rule (what flow save relies on), printing is
 * canonical (printing the parse of a printed rule gives the same text),
 * and the edges: a buffer too small, an interface with no name, the
 * commands that are not changes left to the caller.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trips),
		cmocka_unit_test(test_edges),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
