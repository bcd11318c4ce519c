// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * test_table - the rule table's limits, its counters and its adoption of
 * what an earlier pcfd left behind (a restart, a crash in the middle of a
 * change), over the memory backend, without root.  The random model test
 * is test_table_model.
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
#include "table.h"

struct env {
	struct pcf_mem *mem;
	struct pcf_table *t;
	unsigned int waits;
};

static struct env E;

static void on_wait(void *arg)
{
	E.waits++;
}

static int setup(void **state)
{
	struct pcf_table_backend be;

	memset(&E, 0, sizeof(E));
	if (pcf_mem_new(&E.mem))
		return -1;
	pcf_mem_set_manual_grace(E.mem, on_wait, NULL);
	pcf_mem_backend(E.mem, &be);
	if (pcf_table_new(&be, &E.t) || pcf_table_load(E.t))
		return -1;
	return 0;
}

static int teardown(void **state)
{
	pcf_table_free(E.t);
	pcf_mem_free(E.mem);
	E.t = NULL;
	E.mem = NULL;
	return 0;
}

/* A UDP rule to 198.18.x.y port p: one mask for all of them. */
static struct pcf_rule udp_rule(__u32 n, __u32 prio)
{
	struct pcf_rule r = { .prio = prio };

	r.key.family = 4;
	r.mask.family = 0xff;
	r.key.dst[0] = 198;
	r.key.dst[1] = 18 + (n >> 16 & 1);
	r.key.dst[2] = n >> 8;
	r.key.dst[3] = n;
	memset(r.mask.dst, 0xff, 4);
	r.key.proto = IPPROTO_UDP;
	r.mask.proto = 0xff;
	r.key.dport = htons(53);
	r.mask.dport = 0xffff;
	r.action.verdict = PCF_VERDICT_DROP;
	return r;
}

/* Set the fields r matches on in k. */
static void aim_packet(const struct pcf_rule *r, struct pcf_key *k)
{
	__u8 *kb = (__u8 *)k;
	const __u8 *mb = (const __u8 *)&r->mask, *rb = (const __u8 *)&r->key;
	size_t i;

	if (r->mask.family && r->key.family != k->family)
		return;
	for (i = 0; i < sizeof(*k); i++)
		kb[i] = (kb[i] & ~mb[i]) | rb[i];
}

#define FILTER_RULES 100 /* test_filter_bits: half IPv4, half IPv6 */

static struct pcf_key packet_for(const struct pcf_rule *r)
{
	struct pcf_key k = r->key;

	k.ifindex = 1;
	k.sport = htons(4000);
	return k;
}

static __u32 add(const struct pcf_rule *r)
{
	__u32 id = 0;

	assert_int_equal(pcf_table_add(E.t, r, 0, &id), 0);
	assert_int_not_equal(id, 0);
	return id;
}

static __u32 slot_of(__u32 id)
{
	__u32 slot;

	assert_int_equal(pcf_table_get(E.t, id, NULL, &slot), 0);
	return slot;
}

/*
 * A full table refuses one more rule, but a replace (which needs a fresh
 * slot while the old one waits for a grace period) keeps working, and so
 * do thousands of them in a row: the table waits for grace periods when
 * it runs out of spare slots.
 */
static void test_full_table(void **state)
{
	struct pcf_rule r;
	struct pcf_key k;
	__u32 i, id, first;

	for (i = 0; i < PCF_MAX_RULES; i++) {
		r = udp_rule(i, 100);
		id = add(&r);
		if (!i)
			first = id;
	}
	r = udp_rule(PCF_MAX_RULES, 100);
	assert_int_equal(pcf_table_add(E.t, &r, 0, NULL), -ENOSPC);

	r = udp_rule(0, 100);
	k = packet_for(&r);
	for (i = 0; i < 3 * PCF_MAX_RULES; i++) {
		r.prio = 100 + i % 2;
		r.action.verdict = i % 3 ? PCF_VERDICT_DROP : PCF_VERDICT_PASS;
		assert_int_equal(
		    pcf_table_add(E.t, &r, PCF_TABLE_REPLACE | PCF_TABLE_EXCL,
				  &id),
		    0);
		assert_int_equal(id, first);
		assert_int_equal(pcf_mem_classify(E.mem, &k), (int)slot_of(id));
		assert_int_equal(pcf_mem_slot(E.mem, slot_of(id))->prio,
				 100 + i % 2);
	}
	assert_true(E.waits > 0); /* it did run out of spare slots */
}

/* 32 distinct masks fit; the 33rd has its own error. */
static void test_mask_limit(void **state)
{
	struct pcf_rule r;
	unsigned int plen;

	for (plen = 1; plen <= PCF_MAX_MASKS; plen++) {
		r = udp_rule(1, 100);
		gen_prefix_mask(r.mask.dst, 4, plen);
		r.key.dst[0] &= r.mask.dst[0];
		r.key.dst[1] &= r.mask.dst[1];
		r.key.dst[2] &= r.mask.dst[2];
		r.key.dst[3] &= r.mask.dst[3];
		add(&r);
	}
	r = udp_rule(1, 100);
	r.mask.dport = 0;
	r.key.dport = 0;
	assert_int_equal(pcf_table_add(E.t, &r, 0, NULL), -ETOOMANYREFS);
	/* an existing mask still takes rules */
	r = udp_rule(7, 100);
	add(&r);
}

/*
 * A rule's counters follow it across replaces; a new rule (reusing the
 * deleted rule's counter index after a grace period) starts at zero.
 */
static void test_counters(void **state)
{
	struct pcf_rule r = udp_rule(5, 100), got;
	__u32 id, ctr, i;

	id = add(&r);
	assert_int_equal(pcf_table_get(E.t, id, &got, NULL), 0);
	ctr = got.ctr;
	pcf_mem_count(E.mem, ctr);
	pcf_mem_count(E.mem, ctr);
	r.prio = 7;
	assert_int_equal(pcf_table_add(E.t, &r, PCF_TABLE_REPLACE, NULL), 0);
	assert_int_equal(pcf_table_get(E.t, id, &got, NULL), 0);
	assert_int_equal(got.ctr, ctr);
	assert_int_equal(pcf_mem_counter(E.mem, ctr), 2);

	assert_int_equal(pcf_table_del(E.t, id, NULL), 0);
	/* new rules until one gets the old counter index */
	for (i = 0; i < 2 * PCF_RULE_SLOTS; i++) {
		pcf_mem_grace_end(E.mem);
		r = udp_rule(100 + i % 1000, 100);
		id = add(&r);
		assert_int_equal(pcf_table_get(E.t, id, &got, NULL), 0);
		if (got.ctr == ctr)
			break;
		assert_int_equal(pcf_table_del(E.t, id, NULL), 0);
	}
	assert_int_equal(got.ctr, ctr);
	assert_int_equal(pcf_mem_counter(E.mem, ctr), 0);
}

/* A second table on the same storage: a restart of pcfd. */
static struct pcf_table *reload(void)
{
	struct pcf_table_backend be;
	struct pcf_table *t;

	pcf_mem_backend(E.mem, &be);
	assert_int_equal(pcf_table_new(&be, &t), 0);
	assert_int_equal(pcf_table_load(t), 0);
	return t;
}

static void test_adoption(void **state)
{
	struct pcf_rule a = udp_rule(1, 100), b = udp_rule(2, 50), got;
	struct pcf_key ka = packet_for(&a), kb = packet_for(&b);
	__u32 ida, idb, idc;

	ida = add(&a);
	idb = add(&b);
	assert_int_equal(pcf_table_del(E.t, idb, NULL), 0);
	idb = add(&b);
	pcf_table_free(E.t);
	E.t = reload();

	assert_int_equal(pcf_table_get(E.t, ida, &got, NULL), 0);
	assert_int_equal(got.prio, 100);
	assert_int_equal(pcf_mem_classify(E.mem, &ka), (int)slot_of(ida));
	assert_int_equal(pcf_mem_classify(E.mem, &kb), (int)slot_of(idb));
	/* ids go on where they were */
	a = udp_rule(3, 1);
	idc = add(&a);
	assert_true(idc > idb);
}

/*
 * pcfd killed in a replace, between writing the new slot and retiring
 * the old one: two used slots hold the rule; the one its entries lead to
 * wins, the other is freed.
 */
static void torn_replace(bool switched)
{
	struct pcf_rule r = udp_rule(9, 100), newer;
	struct pcf_key k = packet_for(&r);
	struct pcf_table_backend be;
	struct pcf_flow f;
	struct pcf_key4 k4;
	__u32 id, old, spare;

	id = add(&r);
	old = slot_of(id);
	spare = old + 100;
	newer = *pcf_mem_slot(E.mem, old);
	newer.action.verdict = PCF_VERDICT_PASS;
	pcf_mem_backend(E.mem, &be);
	assert_int_equal(be.ops->slot_write(be.ctx, spare, &newer), 0);
	if (switched) {
		pcf_key4_of(&k4, &newer.key);
		k4.mask_id = newer.mask_id;
		f = (struct pcf_flow){ .rank = pcf_rank(newer.prio, id),
				       .slot = spare,
				       .verdict = newer.action.verdict,
				       .ctr = newer.ctr };
		assert_int_equal(
		    be.ops->flow4_put(be.ctx, &k4, &f, PCF_PUT_EXIST), 0);
	}
	pcf_table_free(E.t);
	E.t = reload();
	assert_int_equal(pcf_table_get(E.t, id, &r, NULL), 0);
	assert_int_equal(slot_of(id), switched ? spare : old);
	assert_int_equal(r.action.verdict,
			 switched ? PCF_VERDICT_PASS : PCF_VERDICT_DROP);
	assert_int_equal(pcf_mem_slot(E.mem, switched ? old : spare)->flags, 0);
	assert_int_equal(pcf_mem_classify(E.mem, &k), (int)slot_of(id));
}

static void test_adopt_torn_replace(void **state)
{
	torn_replace(false);
}

static void test_adopt_switched_replace(void **state)
{
	torn_replace(true);
}

/* Entries no live rule owns (a crash in a delete) are pruned. */
static void test_adopt_orphans(void **state)
{
	struct pcf_rule r = udp_rule(11, 100), gone = udp_rule(12, 100);
	struct pcf_table_backend be;
	struct pcf_key k = packet_for(&gone);
	struct pcf_flow f;
	struct pcf_key4 k4;
	__u32 id = add(&r), n4, n6;

	pcf_mem_backend(E.mem, &be);
	pcf_key4_of(&k4, &gone.key);
	k4.mask_id = pcf_mem_slot(E.mem, slot_of(id))->mask_id;
	f = (struct pcf_flow){ .rank = 1, .slot = slot_of(id) + 7 };
	assert_int_equal(be.ops->flow4_put(be.ctx, &k4, &f, PCF_PUT_NOEXIST),
			 0);
	pcf_table_free(E.t);
	E.t = reload();
	pcf_mem_entries(E.mem, &n4, &n6);
	assert_int_equal(n4, 1);
	assert_int_equal(pcf_mem_classify(E.mem, &k), -1);
}

/* Slots that are not a table pcf wrote are refused, not adopted. */
static void test_adopt_garbage(void **state)
{
	struct pcf_rule r = udp_rule(4, 100), bad;
	struct pcf_table_backend be;
	struct pcf_table *t;
	__u32 id = add(&r);

	bad = *pcf_mem_slot(E.mem, slot_of(id));
	bad.mask_id = PCF_MAX_MASKS;
	pcf_mem_backend(E.mem, &be);
	assert_int_equal(be.ops->slot_write(be.ctx, slot_of(id), &bad), 0);
	assert_int_equal(pcf_table_new(&be, &t), 0);
	assert_int_equal(pcf_table_load(t), -EUCLEAN);
	pcf_table_free(t);
}

/* A refused change changes nothing, not even the generation. */
static void test_refused(void **state)
{
	struct pcf_rule r = udp_rule(1, 100), bad;
	__u64 gen;

	add(&r);
	gen = pcf_mem_gen(E.mem);
	assert_int_equal(pcf_table_add(E.t, &r, 0, NULL), -EEXIST);
	bad = r;
	bad.prio = PCF_PRIO_MAX + 1;
	assert_int_equal(pcf_table_add(E.t, &bad, PCF_TABLE_REPLACE, NULL),
			 -EINVAL);
	bad = udp_rule(2, 100);
	assert_int_equal(
	    pcf_table_add(E.t, &bad, PCF_TABLE_REPLACE | PCF_TABLE_EXCL, NULL),
	    -ENOENT);
	assert_int_equal(pcf_table_del(E.t, 12345, NULL), -ENOENT);
	assert_int_equal(pcf_table_del_match(E.t, &bad, NULL), -ENOENT);
	assert_int_equal(pcf_mem_gen(E.mem), gen);
}

/* ---- a map update the kernel refuses, at every step of a change ---- */

#define FAULT_RULES  24
#define FAULT_PROBES 64

struct snap {
	struct pcf_rule rules[FAULT_RULES + 2];
	unsigned int n;
	__u32 answer[FAULT_PROBES];
};

static struct pcf_key probes[FAULT_PROBES];

static int snap_rule(const struct pcf_rule *r, __u32 slot, void *ctx)
{
	struct snap *s = ctx;

	assert_true(s->n < FAULT_RULES + 2);
	s->rules[s->n] = *r;
	s->rules[s->n].flags = 0;
	s->n++;
	return 0;
}

/*
 * The rules the table says it has, and what pcf_steer's search gives the
 * probes: which must be what the reference gives for those rules.
 */
static void snapshot(struct snap *s)
{
	unsigned int i;
	int slot, want;

	s->n = 0;
	assert_int_equal(pcf_table_foreach(E.t, 0, snap_rule, s), 0);
	for (i = 0; i < FAULT_PROBES; i++) {
		slot = pcf_mem_classify(E.mem, &probes[i]);
		assert_int_not_equal(slot, PCF_MEM_ENTRY_WRONG);
		s->answer[i] = slot < 0 ? 0 : pcf_mem_slot(E.mem, slot)->id;
		want = gen_reference(s->rules, s->n, &probes[i]);
		assert_int_equal(s->answer[i],
				 want < 0 ? 0 : s->rules[want].id);
	}
}

enum fault_op {
	F_ADD,
	F_ADD_BEST,
	F_REPLACE_UP,
	F_REPLACE_DOWN,
	F_DEL_LAST,
	F_DEL_BEST,
	F_FLUSH,
	F_OPS
};

/* Random rules, then A, B, C under one mask (B best), D alone in its own. */
static struct pcf_rule fault_rules[FAULT_RULES];
enum { RA = FAULT_RULES - 4, RB, RC, RD };

static struct pcf_rule lone_rule(__u16 sport)
{
	struct pcf_rule r = {};

	r.key.proto = IPPROTO_UDP;
	r.mask.proto = 0xff;
	r.key.sport = htons(sport); /* a port no random rule uses */
	r.mask.sport = 0xffff;
	r.action.verdict = PCF_VERDICT_PASS;
	r.prio = 10;
	return r;
}

/* A fresh table with the same rules each time. */
static void fault_setup(void)
{
	unsigned int i;

	teardown(NULL);
	assert_int_equal(setup(NULL), 0);
	for (i = 0; i < FAULT_RULES; i++)
		fault_rules[i].id = add(&fault_rules[i]);
}

static int fault_op(enum fault_op op)
{
	struct pcf_rule r;

	switch (op) {
	case F_ADD: /* a mask of its own */
		r = lone_rule(12345);
		r.mask.dport = 0xffff;
		return pcf_table_add(E.t, &r, 0, NULL);
	case F_ADD_BEST: /* under A's mask, the best rank there */
		r = udp_rule(4, 0);
		return pcf_table_add(E.t, &r, 0, NULL);
	case F_REPLACE_UP:
		r = fault_rules[RA];
		r.prio = 0;
		return pcf_table_add(E.t, &r, PCF_TABLE_REPLACE, NULL);
	case F_REPLACE_DOWN: /* the best of its mask goes last */
		r = fault_rules[RB];
		r.prio = PCF_PRIO_MAX;
		return pcf_table_add(E.t, &r, PCF_TABLE_REPLACE, NULL);
	case F_DEL_LAST:
		return pcf_table_del(E.t, fault_rules[RD].id, NULL);
	case F_DEL_BEST:
		return pcf_table_del(E.t, fault_rules[RB].id, NULL);
	default:
		return pcf_table_flush(E.t);
	}
}

/*
 * Every write of every kind of change fails once: the change is refused
 * and everything is as before (or, where the failed write only made the
 * search slower, the change is done); either way the table's own view and
 * what the data plane answers agree, and the table goes on working.
 */
static void test_faults(void **state)
{
	struct snap before, after;
	struct gen g;
	unsigned int op, k, i, refused = 0;
	int err;

	gen_seed(&g, 7);
	for (i = 0; i < RA; i++) {
		do
			gen_rule(&g, &fault_rules[i]);
		while (fault_rules[i].key.ifindex);
	}
	fault_rules[RA] = udp_rule(1, 100);
	fault_rules[RB] = udp_rule(2, 50);
	fault_rules[RC] = udp_rule(3, 200);
	fault_rules[RD] = lone_rule(23456);
	for (i = 0; i < FAULT_PROBES; i++) {
		gen_packet(&g, &probes[i]);
		probes[i].ifindex = 0;
		if (i % 2)
			aim_packet(&fault_rules[i % FAULT_RULES], &probes[i]);
	}
	for (op = 0; op < F_OPS; op++) {
		for (k = 1;; k++) {
			fault_setup();
			snapshot(&before);
			pcf_mem_fail_write(E.mem, k, -EIO);
			err = fault_op(op);
			if (pcf_mem_fault_pending(E.mem)) {
				/* fewer than k writes: done without a fault */
				pcf_mem_fail_write(E.mem, 0, 0);
				assert_int_equal(err, 0);
				break;
			}
			snapshot(&after);
			if (err) {
				refused++;
				assert_int_equal(err, -EIO);
				assert_int_equal(after.n, before.n);
				assert_memory_equal(
				    after.rules, before.rules,
				    before.n * sizeof(before.rules[0]));
				assert_memory_equal(after.answer, before.answer,
						    sizeof(before.answer));
			}
			/* still works: the change goes through now */
			pcf_mem_grace_end(E.mem);
			if (err)
				assert_int_equal(fault_op(op), 0);
			snapshot(&after);
		}
	}
	printf("faults: %u changes refused at a failed write, all undone\n",
	       refused);
	assert_true(refused > 20);
}

/* A UDP rule to 2001:db8::n port 53: one mask for all of them. */
static struct pcf_rule udp6_rule(__u32 n)
{
	struct pcf_rule r = { .prio = 100 };

	r.key.family = 6;
	r.mask.family = 0xff;
	r.key.dst[0] = 0x20;
	r.key.dst[1] = 0x01;
	r.key.dst[2] = 0x0d;
	r.key.dst[3] = 0xb8;
	r.key.dst[14] = n >> 8;
	r.key.dst[15] = n;
	memset(r.mask.dst, 0xff, 16);
	r.key.proto = IPPROTO_UDP;
	r.mask.proto = 0xff;
	r.key.dport = htons(53);
	r.mask.dport = 0xffff;
	r.action.verdict = PCF_VERDICT_DROP;
	return r;
}

/*
 * The filter in front of both families' hash entries: a bit for each
 * entry while it exists, none left once the rules are gone (a bit left
 * set would only cost a lookup, so the model test cannot see a leak).
 * A rule without a family has an entry, and a bit, in each family.
 */
static void test_filter_bits(void **state)
{
	struct pcf_rule any = udp_rule(0, 10);
	__u32 ids[FILTER_RULES + 1], n4, n6, i;
	struct pcf_key k;

	for (i = 0; i < FILTER_RULES; i++) {
		struct pcf_rule r = i % 2 ? udp6_rule(i) : udp_rule(i, 100);

		ids[i] = add(&r);
		k = packet_for(&r);
		assert_int_equal(pcf_mem_classify(E.mem, &k), slot_of(ids[i]));
	}
	pcf_mem_entries(E.mem, &n4, &n6);
	assert_int_equal(n4, FILTER_RULES / 2);
	assert_int_equal(n6, FILTER_RULES / 2);
	/* 100 entries in two bitmaps of 16384 bits: a collision or two */
	assert_in_range(pcf_mem_filter_bits(E.mem), FILTER_RULES - 4,
			FILTER_RULES);
	any.key.family = 0;
	any.mask.family = 0;
	memset(any.key.dst, 0, sizeof(any.key.dst));
	memset(any.mask.dst, 0, sizeof(any.mask.dst));
	i = pcf_mem_filter_bits(E.mem);
	ids[FILTER_RULES] = add(&any);
	assert_int_equal(pcf_mem_filter_bits(E.mem), i + 2);
	for (i = 0; i <= FILTER_RULES; i++)
		assert_int_equal(pcf_table_del(E.t, ids[i], NULL), 0);
	pcf_mem_entries(E.mem, &n4, &n6);
	assert_int_equal(n4 + n6, 0);
	assert_int_equal(pcf_mem_filter_bits(E.mem), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_full_table, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_mask_limit, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_counters, setup, teardown),
		cmocka_unit_test_setup_teardown(test_adoption, setup, teardown),
		cmocka_unit_test_setup_teardown(test_adopt_torn_replace, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_adopt_switched_replace,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_adopt_orphans, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_adopt_garbage, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_faults, setup, teardown),
		cmocka_unit_test_setup_teardown(test_filter_bits, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
