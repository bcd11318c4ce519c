/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * rules_apply.h - a list of rule changes (pcfd's rules file) applied to
 * the rule table as one transaction: all of them, or none.
 */
#ifndef PCF_RULES_APPLY_H
#define PCF_RULES_APPLY_H

#include <stddef.h>

#include "rule_text.h"
#include "table.h"

/*
 * Apply changes[0..n) to t.  `flow add` replaces a rule with the same
 * match (a restart finds its rules already there); `flow replace` needs
 * one.  The changes run first on a copy of t in memory: t is touched only
 * if every one of them succeeds there; should the real table still fail
 * (the kernel refusing a map update), what was done is undone (deleted
 * rules come back with their ids, their counters from zero).
 *
 * 0, or a negative errno with *ret_failed the index of the change that
 * failed and why a sentence saying why, in words for the rule.
 */
int pcf_rules_apply(struct pcf_table *t, const struct pcf_flow_change *changes,
		    int n, int *ret_failed, char *why, size_t len);

#endif /* PCF_RULES_APPLY_H */
