// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * test_rule_json: genl's rules as JSON both ways.  What pcf_json_rule
 * prints (pcfctl -j flow show's object) reads back as the same rule, for
 * hand-picked rules with every field and for 5000 random ones; the text
 * is the one pcfctl printed before the printer moved to genl.  Every
 * refusal names its field, with the grammar's own message for a bad
 * value; bad JSON of every kind (not an object, unknown fields, wrong
 * types, trailing bytes, too deep, NUL in a string, bad UTF-8) is
 * refused with a reason, never taken.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "rule_json.h"
#include "rule_text.h"
#include "rule_gen.h"

/* The rule of `flow add WORDS`. */
static struct pcf_rule words_rule(const char *words)
{
	char line[PCF_TEXT_RULE_MAX + 8], err[256], *argv[PCF_TEXT_WORDS_MAX];
	struct pcf_flow_change c;
	int argc;

	snprintf(line, sizeof(line), "add %s", words);
	argc = pcf_text_split_line(line, argv, PCF_TEXT_WORDS_MAX);
	if (pcf_text_flow_change(argc, argv, &c, err, sizeof(err)))
		fail_msg("\"%s\" refused: %s", words, err);
	return c.rule;
}

/* r as JSON text (counters too), read back: the same rule. */
static void json_round_trip(const struct pcf_rule *r, const char *want)
{
	const struct pcf_counter xdp = { 5, 235 }, wk = { 3, 141 };
	struct pcf_json_refusal why;
	struct pcf_rule back;
	json_object *o = pcf_json_rule(r, &xdp, &wk);
	const char *text = json_object_to_json_string_ext(
	    o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	__u32 id = 0;

	if (want && strcmp(text, want))
		fail_msg("printed %s\n not     %s", text, want);
	if (pcf_json_rule_parse(text, strlen(text), &back, &id, &why))
		fail_msg("%s refused: %s (field %s)", text, why.msg, why.field);
	assert_int_equal(id, r->id);
	back.id = r->id;
	if (memcmp(&back, r, sizeof(back)))
		fail_msg("%s read back as another rule", text);
	json_object_put(o);
}

static void test_round_trips(void **state)
{
	struct pcf_rule r;

	r = words_rule("dst 198.18.2.1 proto udp dport 6001 action drop");
	r.id = 1;
	/* pcfctl -j flow show's object, as the README shows it */
	json_round_trip(
	    &r,
	    "{\"id\":1,\"prio\":32768,\"match\":{\"dst\":\"198.18.2.1\",\"dport\":6001,\"proto\":\"udp\"},"
	    "\"action\":{\"type\":\"drop\",\"ttl_delta\":0,\"df_clear\":false,\"ct\":false,\"masquerade\":false,\"snat\":null,\"dnat\":null,"
	    "\"mark\":null,\"mirror\":null,\"egress\":\"default\",\"queue\":null},"
	    "\"packets\":5,\"bytes\":235,\"worker_packets\":3,\"worker_bytes\":141}");
	r = words_rule("src 198.18.0.0/15 dst 198.19.1.2 sport 1234 dport 80 "
		       "proto tcp dev lo prio 7 action redirect ttl-delta -2 "
		       "df-clear snat 198.18.9.9:4000 dnat 198.19.9.9 "
		       "mark 0xffffffff mirror lo egress kernel queue 3");
	r.id = 4000000000U;
	json_round_trip(&r, NULL);
	r = words_rule("dst 2001:db8::/33 proto icmpv6 sport 128 action "
		       "redirect dnat [2001:db8::7]:8080 snat 2001:db8::8 "
		       "egress wire");
	r.id = 2;
	json_round_trip(&r, NULL);
	r = words_rule("src 0.0.0.0/0 proto 47 action pass ttl-delta 127");
	r.id = 3;
	json_round_trip(&r, NULL);
	/* sessions: a port range, masquerade, pass ct */
	r = words_rule("src 198.18.1.0/24 proto tcp action redirect ct snat "
		       "198.18.2.77:20000-29999 egress wire");
	r.id = 5;
	json_round_trip(&r, NULL);
	r = words_rule("src 2001:db8:1::/64 action redirect ct masquerade");
	r.id = 6;
	json_round_trip(&r, NULL);
	r = words_rule("dst 198.18.2.0/24 proto udp action pass ct");
	r.id = 7;
	json_round_trip(&r, NULL);
}

/* Random valid rules (rule_gen.h); interfaces are lo, which has a name. */
static void test_random_rules(void **state)
{
	struct gen g;
	struct pcf_rule r;
	unsigned int i;

	gen_seed(&g, 14);
	for (i = 0; i < 5000; i++) {
		gen_rule(&g, &r);
		if (r.mask.ifindex)
			r.key.ifindex = 1;
		r.id = i + 1;
		json_round_trip(&r, NULL);
	}
}

/* JSON text without counters or id, as a controller writes one. */
static void test_minimal(void **state)
{
	static const char text[] =
	    " {\"match\": {\"dst\": \"198.18.2.1\", \"proto\": 17, \"dport\": 9},"
	    " \"action\": {\"type\": \"redirect\", \"snat\": \"198.18.2.77:7777\","
	    " \"ttl_delta\": -1, \"egress\": \"wire\"}}\r\n";
	struct pcf_rule want =
	    words_rule("dst 198.18.2.1 proto udp dport 9 action redirect snat "
		       "198.18.2.77:7777 ttl-delta -1 egress wire");
	struct pcf_json_refusal why;
	struct pcf_rule r;
	__u32 id = 7;

	assert_int_equal(pcf_json_rule_parse(text, strlen(text), &r, &id, &why),
			 0);
	assert_int_equal(id, 0);
	assert_memory_equal(&r, &want, sizeof(r));
}

struct refusal {
	const char *json;
	const char *field;
	const char *msg;
};

static const struct refusal refusals[] = {
	{ "[]", "",
	  "a rule is a JSON object (as pcfctl -j flow show prints each), not an array" },
	{ "null", "",
	  "a rule is a JSON object (as pcfctl -j flow show prints each), not null" },
	{ "", "", "the JSON text ends too soon" },
	{ "{\"action\":", "", "the JSON text ends too soon" },
	{ "{\"action\":{\"type\":\"drop\"}} {}", "",
	  "not JSON: unexpected character at byte 27" },
	{ "{action:1}", "", "not JSON: " },
	{ "{\"action\":{\"type\":\"drop\"},}", "", "not JSON: " },
	{ "{\"action\":{\"type\":\"dr\xff\"}}", "", "not JSON: " },
	{ "[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]", "", "not JSON: " },
	{ "{\"action\":{\"type\":\"drop\"},\"bogus\":1}", "bogus",
	  "bogus: unknown field" },
	{ "{\"match\":{\"port\":1},\"action\":{\"type\":\"drop\"}}",
	  "match.port", "match.port: unknown field" },
	{ "{\"action\":{\"type\":\"drop\",\"nat\":null}}", "action.nat",
	  "action.nat: unknown field" },
	{ "{\"match\":{}}", "action",
	  "action: missing: a rule needs {\"type\": \"pass|drop|redirect\", ...}" },
	{ "{\"action\":{}}", "action.type",
	  "action.type: missing: pass, drop or redirect" },
	{ "{\"action\":null}", "action", "action: wants an object, not null" },
	{ "{\"action\":{\"type\":\"frob\"}}", "action.type",
	  "action.type \"frob\": not pass, drop or redirect" },
	{ "{\"action\":{\"type\":1}}", "action.type",
	  "action.type: wants a string, not an integer" },
	{ "{\"match\":{\"dst\":\"198.18.1.1/24\"},\"action\":{\"type\":\"drop\"}}",
	  "match.dst",
	  "match.dst \"198.18.1.1/24\": host bits set beyond the prefix length (the prefix is 198.18.1.0/24)" },
	{ "{\"match\":{\"src\":\"198.18.1.1\",\"dst\":\"2001:db8::1\"},\"action\":{\"type\":\"drop\"}}",
	  "match.dst",
	  "match.dst \"2001:db8::1\": src and dst must be of the same address family" },
	{ "{\"match\":{\"dst\":\"198.18.1.300\"},\"action\":{\"type\":\"drop\"}}",
	  "match.dst",
	  "match.dst \"198.18.1.300\": not an IPv4 or IPv6 address with an optional /LENGTH" },
	{ "{\"match\":{\"sport\":\"80\",\"proto\":\"tcp\"},\"action\":{\"type\":\"drop\"}}",
	  "match.sport", "match.sport: wants an integer, not a string" },
	{ "{\"match\":{\"sport\":70000,\"proto\":\"tcp\"},\"action\":{\"type\":\"drop\"}}",
	  "match.sport",
	  "match.sport \"70000\": not a port (a decimal number 0..65535)" },
	{ "{\"match\":{\"dport\":-1,\"proto\":\"tcp\"},\"action\":{\"type\":\"drop\"}}",
	  "match.dport",
	  "match.dport \"-1\": not a port (a decimal number 0..65535)" },
	{ "{\"match\":{\"dport\":80},\"action\":{\"type\":\"drop\"}}",
	  "match.dport",
	  "match.dport \"80\": a port needs proto tcp, udp, icmp or icmpv6" },
	{ "{\"match\":{\"dst\":\"2001:db8::1\",\"proto\":\"icmp\"},\"action\":{\"type\":\"drop\"}}",
	  "match.proto",
	  "match.proto \"icmp\": the rule's addresses are IPv6: use icmpv6" },
	{ "{\"match\":{\"proto\":\"sctp\"},\"action\":{\"type\":\"drop\"}}",
	  "match.proto",
	  "match.proto \"sctp\": not tcp, udp, icmp, icmpv6 or a decimal number 0..255" },
	{ "{\"match\":{\"proto\":true},\"action\":{\"type\":\"drop\"}}",
	  "match.proto",
	  "match.proto: wants a protocol name (a string) or number, not true or false" },
	{ "{\"match\":{\"dev\":\"lo\\u0000x\"},\"action\":{\"type\":\"drop\"}}",
	  "match.dev", "match.dev: a string with a NUL" },
	{ "{\"match\":{\"dev\":\"nosuchif0\"},\"action\":{\"type\":\"drop\"}}",
	  "match.dev", "match.dev \"nosuchif0\": no such interface here" },
	{ "{\"prio\":1.5,\"action\":{\"type\":\"drop\"}}", "prio",
	  "prio: wants an integer, not a fraction" },
	{ "{\"prio\":\"1\",\"action\":{\"type\":\"drop\"}}", "prio",
	  "prio: wants an integer, not a string" },
	{ "{\"prio\":-1,\"action\":{\"type\":\"drop\"}}", "prio",
	  "prio \"-1\": not a decimal number" },
	{ "{\"prio\":99999999999999999999999,\"action\":{\"type\":\"drop\"}}",
	  "prio", "prio: a number out of range" },
	{ "{\"prio\":-99999999999999999999999,\"action\":{\"type\":\"drop\"}}",
	  "prio", "prio: a number out of range" },
	{ "{\"action\":{\"type\":\"pass\",\"ttl_delta\":-200}}",
	  "action.ttl_delta",
	  "action.ttl_delta \"-200\": not a decimal number -128..-1 or 1..127" },
	{ "{\"action\":{\"type\":\"pass\",\"df_clear\":\"yes\"}}",
	  "action.df_clear",
	  "action.df_clear: wants true or false, not a string" },
	{ "{\"action\":{\"type\":\"redirect\",\"snat\":5}}", "action.snat",
	  "action.snat: wants a string, not an integer" },
	{ "{\"action\":{\"type\":\"redirect\",\"dnat\":\"198.18.0.1:0\"}}",
	  "action.dnat",
	  "action.dnat \"198.18.0.1:0\": not ADDR, ADDR:PORT or [IPV6]:PORT (PORT a decimal number 1..65535)" },
	{ "{\"action\":{\"type\":\"redirect\",\"mark\":4294967296}}",
	  "action.mark",
	  "action.mark \"4294967296\": not a 32-bit number (decimal, or hex after 0x)" },
	{ "{\"action\":{\"type\":\"redirect\",\"egress\":\"sideways\"}}",
	  "action.egress", "action.egress \"sideways\": not kernel or wire" },
	{ "{\"action\":{\"type\":\"redirect\",\"egress\":null}}",
	  "action.egress", "action.egress: wants a string, not null" },
	{ "{\"action\":{\"type\":\"redirect\",\"queue\":65536}}",
	  "action.queue",
	  "action.queue \"65536\": not a decimal number 0..65535" },
	{ "{\"id\":0,\"action\":{\"type\":\"drop\"}}", "id",
	  "id: a rule id is an integer from 1" },
	{ "{\"id\":4294967296,\"action\":{\"type\":\"drop\"}}", "id",
	  "id: a rule id is an integer from 1" },
	{ "{\"packets\":-1,\"action\":{\"type\":\"drop\"}}", "packets",
	  "packets: a count is not negative" },
	{ "{\"bytes\":\"1\",\"action\":{\"type\":\"drop\"}}", "bytes",
	  "bytes: wants an integer, not a string" },
};

static void test_refusals(void **state)
{
	struct pcf_json_refusal why;
	struct pcf_rule r;
	unsigned int i;
	__u32 id;

	for (i = 0; i < sizeof(refusals) / sizeof(refusals[0]); i++) {
		const struct refusal *t = &refusals[i];

		if (pcf_json_rule_parse(t->json, strlen(t->json), &r, &id,
					&why) != -EINVAL)
			fail_msg("%s: taken", t->json);
		if (strcmp(why.field, t->field))
			fail_msg("%s: field \"%s\", not \"%s\" (%s)", t->json,
				 why.field, t->field, why.msg);
		if (strncmp(why.msg, t->msg, strlen(t->msg)))
			fail_msg("%s: \"%s\", not \"%s\"", t->json, why.msg,
				 t->msg);
	}
}

/* A NUL byte in the body is not JSON (the text ends before it). */
static void test_nul_byte(void **state)
{
	static const char text[] = "{\"action\":{\"type\":\"drop\"}}\0x";
	struct pcf_json_refusal why;
	struct pcf_rule r;
	__u32 id;

	assert_int_equal(
	    pcf_json_rule_parse(text, sizeof(text) - 1, &r, &id, &why),
	    -EINVAL);
	assert_string_equal(why.msg, "more after the JSON object, at byte 26");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trips),
		cmocka_unit_test(test_random_rules),
		cmocka_unit_test(test_minimal),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_nul_byte),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
