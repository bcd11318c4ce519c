/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * rule_text.h - a flow rule as words, both ways: the grammar of
 * `flow add|replace|del|flush` that pcfctl reads from its command line and
 * batch files and pcfd from its rules file, and the words pcfctl prints
 * (`flow show`, `flow save`), which read back as the same rule.
 *
 * Keywords each followed by their value, as iproute2 does.  Numbers are
 * decimal (no sign but ttl-delta's minus, no leading zero: nothing reads
 * as octal); a mark may also be hex after 0x, as flow save prints it.
 * Here is checked what the words say on their own and what a match says
 * together: a prefix has no host bits set, ports need a protocol that
 * has them, an ICMP type or code is 0..255, icmp goes with IPv4 and
 * icmpv6 with IPv6.  What depends on the action or on the table is
 * pcfd's to judge (pcf_rule_validate).  Parsers return -EINVAL (or other
 * codes where said) with a message for a person in err that names the
 * offending words: KEYWORD "VALUE": why.
 */
#ifndef PCF_RULE_TEXT_H
#define PCF_RULE_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <net/if.h>
#include <netinet/in.h>

#include "pcf_abi.h"

#define PCF_TEXT_WORDS_MAX 64 /* words in a line */
/* a rule as text fits in this, every keyword given at full length */
#define PCF_TEXT_RULE_MAX 512
/* one value as text: an IPv6 [address]:port or address/length */
#define PCF_TEXT_VALUE_MAX (INET6_ADDRSTRLEN + 16)

/* The changes of the rule table, in words: flow add|replace|del|flush. */
enum pcf_flow_op {
	PCF_FLOW_ADD,
	PCF_FLOW_REPLACE,
	PCF_FLOW_DEL, /* by id if id, else by match */
	PCF_FLOW_FLUSH,
};

struct pcf_flow_change {
	enum pcf_flow_op op;
	struct pcf_rule
	    rule; /* add, replace: match, action, prio; del: match */
	__u32 id; /* del by id */
};

/* Say why in err (a sentence for a person) and return -EINVAL. */
int pcf_text_refuse(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/*
 * Split a line into words at blanks, in place; a word starting with #
 * ends the line.  Returns their number, -E2BIG if more than max.
 */
int pcf_text_split_line(char *line, char **argv, int max);

/*
 * Parse a change: argv[0] is the word after "flow" (add, replace, del or
 * flush), then its arguments.  -ENOENT, err untouched, when argv[0] is
 * none of these (the caller may know other commands).
 */
int pcf_text_flow_change(int argc, char **argv, struct pcf_flow_change *ret,
			 char *err, size_t errlen);

/*
 * The match words of a session command (cmd: "session show", ...): src,
 * dst, sport, dport, proto, in ret's key and mask (all of argv; none: a
 * match of everything).  A session's ICMP echo has its identifier as a
 * port.
 */
int pcf_text_session_match(int argc, char **argv, const char *cmd,
			   struct pcf_rule *ret, char *err, size_t errlen);

/*
 * A rule given as (keyword, value) pairs by another syntax (JSON,
 * rule_json.h) rather than as a line: the same grammar and checks as the
 * words of `flow add`, in any order, each keyword at most once, value
 * NULL for a flag (df-clear).  A refusal calls the word by its label
 * (`LABEL "VALUE": why`), and *ret_bad (may be NULL) says which word it
 * is about (-1: the rule as a whole, as when no action is given).
 */
struct pcf_text_word {
	const char *keyword; /* "dst", "action", "df-clear", ... */
	const char *value;
	const char *label; /* what the caller calls it: "match.dst" */
};

int pcf_text_rule_words(const struct pcf_text_word *words, int n,
			struct pcf_rule *ret, int *ret_bad, char *err,
			size_t errlen);

/* "id N" (N from 1) as the whole of argv; -ENOENT if argv is not that form. */
int pcf_text_id(int argc, char **argv, __u32 *ret, char *err, size_t errlen);

/*
 * Numbers as the grammar reads them, at most max: decimal digits ("0", or
 * no leading zero), no sign, no blank; pcf_text_ulong also takes hex
 * after 0x.  -EINVAL if s is not such a number, -ERANGE above max.
 */
int pcf_text_dec(const char *s, unsigned long max, unsigned long *ret);
int pcf_text_ulong(const char *s, unsigned long max, unsigned long *ret);
/*
 * ADDR[/LEN], ADDR bracketed or not: key address and mask, family 4/6.
 * -EINVAL: not an address; -ERANGE: a bad length; -EDOM: host bits set.
 */
int pcf_text_prefix_parse(const char *s, __u8 *addr, __u8 *mask,
			  __u8 *ret_family);
/* ADDR[:PORT], an IPv6 address with a port as [ADDR]:PORT. */
int pcf_text_nat_parse(const char *s, struct pcf_nat *ret);
/*
 * The same, and a port range ADDR:LOW-HIGH ([IPV6]:LOW-HIGH): nat's port
 * is LOW, *ret_port_max HIGH (0 for a lone port).  -ERANGE: a bad port;
 * -ENOTEMPTY: LOW above HIGH.
 */
int pcf_text_nat_range_parse(const char *s, struct pcf_nat *ret,
			     __be16 *ret_port_max);

/*
 * The values as words, into buf (PCF_TEXT_VALUE_MAX bytes do; for ifname
 * IF_NAMESIZE): ADDR or ADDR/LEN; ADDR, ADDR:PORT or [IPV6]:PORT;
 * tcp/udp/icmp/icmpv6 or the number; the interface's name here, or
 * "ifN" when it has none.  Each returns buf.
 */
const char *pcf_text_prefix(const __u8 *addr, const __u8 *mask, __u8 family,
			    char *buf, size_t len);
const char *pcf_text_nat(const struct pcf_nat *nat, char *buf, size_t len);
/* ADDR:LOW-HIGH when port_max is above nat's port, else as pcf_text_nat */
const char *pcf_text_nat_range(const struct pcf_nat *nat, __be16 port_max,
			       char *buf, size_t len);
const char *pcf_text_proto(__u8 proto, char *buf, size_t len);
const char *pcf_text_ifname(__u32 ifindex, char *buf);

/* Does the rule match on src, on dst (a family alone shows as src /0)? */
bool pcf_text_has_src(const struct pcf_rule *r);
bool pcf_text_has_dst(const struct pcf_rule *r);

/*
 * The rule as the words `flow add` takes: "prio N", the match words, then
 * "action VERDICT" and the action's options; every word r sets, so that
 * parsing the text gives r back (but its id).  Returns the length, or
 * -ENOSPC if len is too small, or -ENODEV (the text written all the same)
 * when an interface of the rule has no name here and shows as "ifN",
 * which does not read back.
 */
int pcf_text_rule(const struct pcf_rule *r, char *buf, size_t len);

/*
 * A change as the words that make it, "flow add prio ...", "flow del id
 * N", "flow del MATCH", "flow flush", for messages about it; the length,
 * or -ENOSPC if len is too small (the text cut short all the same).
 */
int pcf_text_change(const struct pcf_flow_change *c, char *buf, size_t len);

/*
 * Why pcfd could not make change c (pcf_rule_add, _del, _del_match,
 * _flush returned err), in words: no rule with this id, table full...
 */
const char *pcf_text_change_strerror(const struct pcf_flow_change *c, int err);

#endif /* PCF_RULE_TEXT_H */
