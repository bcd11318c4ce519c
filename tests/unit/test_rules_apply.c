// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * test_rules_apply - pcfd's rules file as one transaction
 * (daemon/control/rules_apply.c) over the rule table in memory: a list that
 * fails anywhere changes nothing and says why in words; a list whose
 * real apply fails half way (a map update refused) is undone.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "mem.h"
#include "rule_gen.h"
#include "rules_apply.h"
#include "table.h"

#define NRULES 20

static struct pcf_mem *mem;
static struct pcf_table *t;

static int setup(void **state)
{
	struct pcf_table_backend be;
	struct gen g;
	struct pcf_rule r;
	int i, err;

	if (pcf_mem_new(&mem))
		return -1;
	pcf_mem_backend(mem, &be);
	if (pcf_table_new(&be, &t) || pcf_table_load(t))
		return -1;
	gen_seed(&g, 99);
	for (i = 0; i < NRULES; i++) {
		gen_rule(&g, &r);
		err = pcf_table_add(t, &r, 0, NULL);
		if (err && err != -EEXIST && err != -ETOOMANYREFS)
			return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	pcf_table_free(t);
	pcf_mem_free(mem);
	return 0;
}

struct dump {
	struct pcf_rule r[NRULES + 64];
	unsigned int n;
};

static int dump_one(const struct pcf_rule *r, __u32 slot, void *ctx)
{
	struct dump *d = ctx;

	d->r[d->n] = *r;
	d->r[d->n].ctr = 0;	/* a restored rule counts anew */
	d->r[d->n].mask_id = 0; /* internal */
	d->r[d->n].flags = 0;
	d->n++;
	return 0;
}

static void dump(struct dump *d)
{
	d->n = 0;
	assert_int_equal(pcf_table_foreach(t, 0, dump_one, d), 0);
}

static void assert_same(const struct dump *a, const struct dump *b)
{
	assert_int_equal(a->n, b->n);
	assert_memory_equal(a->r, b->r, a->n * sizeof(a->r[0]));
}

/* A list of changes: adds, a replace and deletes of what is there. */
static int changes_of(struct pcf_flow_change *c, int max)
{
	struct dump d;
	struct gen g;
	int n = 0;

	dump(&d);
	gen_seed(&g, 1234);
	while (n < max - 4) {
		/* new rules under one mask: dst/32, udp, a port */
		struct pcf_rule *r = &c[n].rule;

		c[n] = (struct pcf_flow_change){ .op = PCF_FLOW_ADD };
		r->key.family = 4;
		r->mask.family = 0xff;
		gen_pool_addr(gen_below(&g, 8), 4, r->key.dst);
		r->key.dst[3] = n;
		memset(r->mask.dst, 0xff, 4);
		r->key.proto = IPPROTO_UDP;
		r->mask.proto = 0xff;
		r->key.dport = htons(1000 + n);
		r->mask.dport = 0xffff;
		r->action.verdict = PCF_VERDICT_DROP;
		n++;
	}
	c[n] =
	    (struct pcf_flow_change){ .op = PCF_FLOW_REPLACE, .rule = d.r[0] };
	c[n++].rule.prio = 7;
	c[n++] =
	    (struct pcf_flow_change){ .op = PCF_FLOW_DEL, .id = d.r[1].id };
	c[n++] = (struct pcf_flow_change){ .op = PCF_FLOW_DEL, .rule = d.r[2] };
	c[n++] =
	    (struct pcf_flow_change){ .op = PCF_FLOW_DEL, .id = d.r[3].id };
	return n;
}

static void test_all(void **state)
{
	struct pcf_flow_change c[20];
	struct dump before, after;
	int n = changes_of(c, 20), failed = -1;
	char why[256] = "";

	dump(&before);
	assert_int_equal(pcf_rules_apply(t, c, n, &failed, why, sizeof(why)),
			 0);
	dump(&after);
	assert_true(after.n >= before.n - 3);
	assert_int_equal(pcf_table_get(t, before.r[1].id, NULL, NULL), -ENOENT);
	assert_int_equal(pcf_table_get(t, before.r[2].id, NULL, NULL), -ENOENT);
}

/* A change that fails anywhere in the list: nothing of it is done. */
static void test_nothing(void **state)
{
	struct pcf_flow_change c[20], bad;
	struct dump before, after;
	int n, at, failed;
	__u64 gen;
	char why[256];

	for (at = 0; at < 20; at += 3) {
		n = changes_of(c, 20);
		bad = (struct pcf_flow_change){ .op = PCF_FLOW_DEL,
						.id = 999999 };
		c[at] = bad;
		dump(&before);
		gen = pcf_mem_gen(mem);
		failed = -1;
		assert_int_equal(
		    pcf_rules_apply(t, c, n, &failed, why, sizeof(why)),
		    -ENOENT);
		assert_int_equal(failed, at);
		assert_string_equal(why, "no rule with this id");
		dump(&after);
		assert_same(&before, &after);
		assert_int_equal(pcf_mem_gen(mem), gen); /* not even touched */
	}
	n = changes_of(c, 20);
	c[5].op = PCF_FLOW_REPLACE; /* a rule that is not there */
	assert_int_equal(pcf_rules_apply(t, c, n, &failed, why, sizeof(why)),
			 -ENOENT);
	assert_int_equal(failed, 5);
	assert_string_equal(why, "no rule with this match to replace");
	c[5].op = PCF_FLOW_ADD;
	c[5].rule.prio = PCF_PRIO_MAX + 1;
	assert_int_equal(pcf_rules_apply(t, c, n, &failed, why, sizeof(why)),
			 -EINVAL);
	assert_int_equal(failed, 5);
	assert_string_equal(why, "prio must be 0..65535");
}

/*
 * The list goes through on the copy but the real table refuses a write
 * half way: what was done is undone, the table is as before (rules, ids,
 * actions).
 */
static void test_undone(void **state)
{
	struct pcf_flow_change c[22];
	struct dump before, after;
	int n, failed, k, undone = 0, err;
	char why[256];

	for (k = 1; k < 400; k += 7) {
		n = changes_of(c, 20);
		c[n++] = (struct pcf_flow_change){ .op = PCF_FLOW_FLUSH };
		c[n] = c[0];
		n++;
		dump(&before);
		pcf_mem_fail_write(mem, k, -EIO);
		err = pcf_rules_apply(t, c, n, &failed, why, sizeof(why));
		if (pcf_mem_fault_pending(mem)) {
			pcf_mem_fail_write(mem, 0, 0);
			break;
		}
		if (!err)
			continue; /* a write whose failure costs only speed */
		assert_int_equal(err, -EIO);
		assert_non_null(strstr(why, "the kernel refused a map update"));
		dump(&after);
		assert_same(&before, &after);
		undone++;
	}
	printf("undone: %d lists refused half way, each undone\n", undone);
	assert_true(undone > 10);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_all, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_undone, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
