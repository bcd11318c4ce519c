/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * rule_json.h - a flow rule as JSON, both ways: the object `pcfctl -j flow
 * show` prints, and the same object read back (pcfd's HTTP API takes it
 * as the body of POST and PUT /flows), so what one prints the other takes.
 *
 *   {"id": 1, "prio": 32768,
 *    "match": {"src": "198.18.0.0/16", "dst": "198.18.2.1", "sport": 9,
 *              "dport": 80, "proto": "tcp", "dev": "eth0"},
 *    "action": {"type": "redirect", "ttl_delta": -1, "df_clear": false,
 *               "snat": "198.18.2.77:7777", "dnat": null, "mark": 7,
 *               "mirror": null, "egress": "wire", "queue": null},
 *    "packets": 0, "bytes": 0, "worker_packets": 0, "worker_bytes": 0}
 *
 * The match has only the fields the rule matches on; the action has every
 * field, null (or 0, false, "default") where the rule sets nothing; "id"
 * is there when the rule has one (pcfd's always do).
 *
 * Reading is the grammar of rule_text.h field by field (one set of
 * checks and messages for words and JSON): a refusal names the field
 * ("match.dst \"198.18.1.1/24\": host bits set ...").  Strict: an
 * unknown field, a value of the wrong JSON type (a number as a string, a
 * fraction) is refused.  id and the counters are what pcfd reports: they
 * are read (the id is the caller's to check) but make no part of the rule.
 */
#ifndef PCF_RULE_JSON_H
#define PCF_RULE_JSON_H

#include <stddef.h>
#include <json-c/json.h>

#include "pcf_abi.h"

/* A JSON text is at most this deep: a rule is 2 deep. */
#define PCF_JSON_DEPTH_MAX 8

/* Why a JSON rule was refused: which field ("" the body as a whole). */
struct pcf_json_refusal {
	char field[32];
	char msg[512];
};

/*
 * The rule as `pcfctl -j flow show` prints it; xdp (packets, bytes) and
 * workers (worker_packets, worker_bytes) are left out when NULL.  A new
 * object, or NULL without memory.
 */
json_object *pcf_json_rule(const struct pcf_rule *r,
			   const struct pcf_counter *xdp,
			   const struct pcf_counter *workers);

/*
 * Read a rule (prio, match, action) from o; *ret_id gets its "id" (0:
 * none given).  -EINVAL with why filled.
 */
int pcf_json_rule_read(json_object *o, struct pcf_rule *ret, __u32 *ret_id,
		       struct pcf_json_refusal *why);

/*
 * The same from a JSON text of len bytes (UTF-8, one object, nothing but
 * blanks after it, at most PCF_JSON_DEPTH_MAX deep).
 */
int pcf_json_rule_parse(const char *text, size_t len, struct pcf_rule *ret,
			__u32 *ret_id, struct pcf_json_refusal *why);

#endif /* PCF_RULE_JSON_H */
