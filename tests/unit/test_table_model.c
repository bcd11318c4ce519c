// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * test_table_model - the rule table (table/table.c) over its memory
 * backend against a linear reference, without root.
 *
 * Random adds, deletes (by id and by match), replaces, refused changes
 * and flushes; between them, random packets (and packets aimed at the
 * changed rule) go through pcf_steer's search over what the table wrote
 * (pcf_mem_classify) and must get the rule the reference picks: the best
 * priority, then the lowest id, over all rules.
 *
 * During each change, after every single write the table makes, the
 * probes must get the answer of the table before or of the table after
 * the change, never anything else (no moment without the rule, no mix),
 * and every slot a probe was led to must keep its content until a grace
 * period that began after that moment has ended (no slot reused under a
 * packet in flight).  Grace periods end at random moments, in the middle
 * of changes too, and whenever the table waits for one.  Per-rule counters
 * follow the rule across replaces and start at zero for a new rule.
 *
 * Rules may also match on named sets (fixed ones, rule_gen.h): the search
 * over the memory tries must agree with the reference's membership.
 *
 * PCF_MODEL_SEED=N picks another seed; PCF_MODEL_ROUNDS=N more rounds.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "mem.h"
#include "rule_gen.h"
#include "table.h"

#define MAX_LIVE    400	 /* live rules the test keeps at most */
#define OPS	    700	 /* changes per round */
#define PACKETS	    150	 /* random packets after each change */
#define NPROBES	    12	 /* probes during a change */
#define MAX_REFS    4096 /* slots probes were led to, until a grace ends */
#define PLACEHOLDER 0xfffffff0U /* a new rule's id: above every live one */

/* What a probe may get: no rule, or a rule with this content. */
struct want {
	bool none;
	struct pcf_rule r; /* id, key, mask, prio, action */
};

/* A slot a probe was led to, and what it held then. */
struct ref {
	__u32 slot;
	struct pcf_rule content;
	__u64 graces; /* grace periods started when it was taken */
};

struct model {
	struct gen g;
	struct pcf_mem *mem;
	struct pcf_table *t;
	struct pcf_sets *sets;
	__u64 set_wins;			/* packets a rule on a set won */
	struct pcf_rule live[MAX_LIVE]; /* as the table holds them */
	__u64 count[MAX_LIVE];		/* packets counted on each */
	unsigned int n;

	bool probing;
	struct pcf_key probe[NPROBES];
	struct want before[NPROBES], after[NPROBES];
	struct ref refs[MAX_REFS];
	unsigned int nrefs;

	bool fault_armed;
	__u64 cases, probes, writes, grace_ends, waits, refused, faults;
	__u64 encap_cases; /* VXLAN frames among the cases (issue 13) */
};

static struct model M;

static bool same_content(const struct pcf_rule *a, const struct pcf_rule *b)
{
	return a->id == b->id && a->prio == b->prio &&
	       !memcmp(&a->key, &b->key, sizeof(a->key)) &&
	       !memcmp(&a->mask, &b->mask, sizeof(a->mask)) &&
	       !memcmp(&a->action, &b->action, sizeof(a->action));
}

/* Same rule, by everything but an id still to be given. */
static bool same_new_rule(const struct pcf_rule *want,
			  const struct pcf_rule *got)
{
	struct pcf_rule w = *want;

	if (w.id == PLACEHOLDER)
		w.id = got->id;
	return same_content(&w, got);
}

static struct want want_of(const struct pcf_rule *rules, unsigned int n,
			   const struct pcf_key *k)
{
	int i = gen_reference(rules, n, k);
	struct want w = { .none = i < 0 };

	if (i >= 0)
		w.r = rules[i];
	return w;
}

static bool got_is(const struct want *w, int slot)
{
	if (slot == PCF_MEM_ENTRY_WRONG)
		fail_msg("a hash entry's verdict or counter is not its rule's");
	if (slot < 0)
		return w->none;
	return !w->none && same_new_rule(&w->r, pcf_mem_slot(M.mem, slot));
}

/* ---- slots in use by packets in flight ---- */

static void check_refs(void)
{
	unsigned int i;

	for (i = 0; i < M.nrefs; i++) {
		struct pcf_rule now = *pcf_mem_slot(M.mem, M.refs[i].slot);

		if (!same_content(&now, &M.refs[i].content))
			fail_msg("slot %u rewritten while a packet may still "
				 "read it (rule %u became %u)",
				 M.refs[i].slot, M.refs[i].content.id, now.id);
	}
}

static void take_ref(int slot)
{
	struct ref *r;
	unsigned int i;

	if (slot < 0)
		return;
	for (i = 0; i < M.nrefs; i++)
		if (M.refs[i].slot == (__u32)slot)
			break;
	if (i == M.nrefs) {
		assert_true(M.nrefs < MAX_REFS);
		M.nrefs++;
	}
	r = &M.refs[i];
	r->slot = slot;
	r->content = *pcf_mem_slot(M.mem, slot);
	r->graces = pcf_mem_graces_started(M.mem);
}

/* Every grace period started so far ends: the refs they cover go. */
static void end_graces(void)
{
	__u64 started = pcf_mem_graces_started(M.mem);
	unsigned int i, j;

	check_refs();
	for (i = j = 0; i < M.nrefs; i++)
		if (M.refs[i].graces >= started)
			M.refs[j++] = M.refs[i];
	M.nrefs = j;
	M.grace_ends++;
}

static void on_wait(void *arg)
{
	M.waits++;
	end_graces();
}

/* After every write of the table: old or new answer, never else. */
static void on_write(void *arg)
{
	unsigned int i;
	int slot;

	if (!M.probing)
		return;
	M.writes++;
	for (i = 0; i < NPROBES; i++) {
		slot = pcf_mem_classify(M.mem, &M.probe[i]);
		if (!got_is(&M.before[i], slot) && !got_is(&M.after[i], slot))
			fail_msg(
			    "during a change a probe got rule %d (slot %d), "
			    "neither the rule before (%d) nor after (%d)",
			    slot < 0 ? -1 : (int)pcf_mem_slot(M.mem, slot)->id,
			    slot, M.before[i].none ? -1 : (int)M.before[i].r.id,
			    M.after[i].none ? -1 : (int)M.after[i].r.id);
		take_ref(slot);
		M.probes++;
	}
	check_refs();
	/* grace periods end whenever they do, in the middle of a change too */
	if (gen_chance(&M.g, 10)) {
		end_graces();
		pcf_mem_grace_end(M.mem);
	}
}

/* An address of set (if any) into addr, when of the packet's family. */
static void aim_at_set(unsigned int set, struct pcf_key *k, __u8 *addr)
{
	__u8 a[16], family = 0;

	if (!set)
		return;
	gen_set_member(&M.g, set, &family, a);
	if (family == k->family)
		memcpy(addr, a, 16);
}

/* A packet the rule matches: a random one with the rule's fields set. */
static void aim_at(const struct pcf_rule *r, struct pcf_key *k)
{
	__u8 *kb = (__u8 *)k;
	const __u8 *mb = (const __u8 *)&r->mask, *rb = (const __u8 *)&r->key;
	size_t i;

	gen_packet(&M.g, k);
	if (r->mask.family && k->family != r->key.family) {
		/* the other family's addresses would not fit */
		gen_packet(&M.g, k);
		k->family = r->key.family;
		if (k->family == 4)
			memset(k->src + 4, 0, 12), memset(k->dst + 4, 0, 12);
	}
	for (i = 0; i < sizeof(*k); i++)
		kb[i] = (kb[i] & ~mb[i]) | rb[i];
	/* named sets: a packet has no set fields, its addresses are in */
	k->src_set = k->dst_set = 0;
	aim_at_set(r->mask.src_set, k, k->src);
	aim_at_set(r->mask.dst_set, k, k->dst);
}

/* Probes for a change of rule r (NULL: random), and their answers. */
static void arm(const struct pcf_rule *r, const struct pcf_rule *after,
		unsigned int nafter)
{
	unsigned int i;

	for (i = 0; i < NPROBES; i++) {
		if (r && i < NPROBES / 2)
			aim_at(r, &M.probe[i]);
		else
			gen_packet(&M.g, &M.probe[i]);
		M.before[i] = want_of(M.live, M.n, &M.probe[i]);
		M.after[i] = want_of(after, nafter, &M.probe[i]);
	}
	M.probing = true;
}

static void disarm(void)
{
	M.probing = false;
}

/* ---- map updates the kernel refuses ---- */

/* Now and then, one of the writes of the next change fails. */
static void arm_fault(void)
{
	M.fault_armed = gen_chance(&M.g, 8);
	if (M.fault_armed)
		pcf_mem_fail_write(M.mem, 1 + gen_below(&M.g, 16), -EIO);
}

/*
 * After the change: did the fault make it fail?  Then it must have left
 * everything as it was (the probes checked the moments in between).
 */
static bool failed_by_fault(int err)
{
	bool hit = M.fault_armed && !pcf_mem_fault_pending(M.mem);

	pcf_mem_fail_write(M.mem, 0, 0);
	M.fault_armed = false;
	if (err != -EIO)
		return false;
	assert_true(hit);
	M.faults++;
	return true;
}

/* ---- the model's view of the table ---- */

static unsigned int distinct_masks(const struct pcf_key *extra)
{
	unsigned int i, j, n = 0;
	bool seen;

	for (i = 0; i <= M.n; i++) {
		const struct pcf_key *m = i < M.n ? &M.live[i].mask : extra;

		if (!m)
			continue;
		for (seen = false, j = 0; j < i && !seen; j++)
			seen = !memcmp(&M.live[j].mask, m, sizeof(*m));
		n += !seen;
	}
	return n;
}

static int find_match(const struct pcf_rule *spec)
{
	unsigned int i;

	for (i = 0; i < M.n; i++)
		if (!memcmp(&M.live[i].key, &spec->key, sizeof(spec->key)) &&
		    !memcmp(&M.live[i].mask, &spec->mask, sizeof(spec->mask)))
			return i;
	return -1;
}

static void forget(unsigned int i)
{
	M.live[i] = M.live[M.n - 1];
	M.count[i] = M.count[M.n - 1];
	M.n--;
}

/* ---- the changes ---- */

static void op_add(void)
{
	struct pcf_rule spec, after[MAX_LIVE + 1];
	bool new_mask;
	__u32 id;
	int err, want_err = 0;

	gen_rule(&M.g, &spec);
	if (find_match(&spec) >= 0 || M.n >= MAX_LIVE)
		return;
	new_mask = distinct_masks(&spec.mask) > distinct_masks(NULL);
	if (new_mask && distinct_masks(NULL) >= PCF_MAX_MASKS)
		want_err = -ETOOMANYREFS;
	memcpy(after, M.live, M.n * sizeof(*after));
	after[M.n] = spec;
	after[M.n].id = PLACEHOLDER;
	arm(&spec, after, want_err ? M.n : M.n + 1);
	arm_fault();
	err = pcf_table_add(M.t, &spec, 0, &id);
	disarm();
	if (failed_by_fault(err))
		return;
	assert_int_equal(err, want_err);
	if (err) {
		M.refused++;
		return;
	}
	spec.id = id;
	M.live[M.n] = spec;
	M.count[M.n++] = 0;
}

static void op_replace(void)
{
	struct pcf_rule spec, after[MAX_LIVE];
	unsigned int i;
	__u32 id;
	int err;

	if (!M.n)
		return;
	i = gen_below(&M.g, M.n);
	spec = M.live[i];
	gen_change(&M.g, &spec);
	memcpy(after, M.live, M.n * sizeof(*after));
	after[i] = spec;
	arm(&M.live[i], after, M.n);
	arm_fault();
	err = pcf_table_add(M.t, &spec,
			    PCF_TABLE_REPLACE |
				(gen_chance(&M.g, 50) ? PCF_TABLE_EXCL : 0),
			    &id);
	disarm();
	if (failed_by_fault(err))
		return;
	assert_int_equal(err, 0);
	assert_int_equal(id, M.live[i].id); /* a replace keeps the id */
	M.live[i] = spec;
}

static void op_delete(bool by_match)
{
	struct pcf_rule after[MAX_LIVE], gone;
	unsigned int i;
	int err;

	if (!M.n)
		return;
	i = gen_below(&M.g, M.n);
	memcpy(after, M.live, M.n * sizeof(*after));
	after[i] = after[M.n - 1];
	arm(&M.live[i], after, M.n - 1);
	arm_fault();
	if (by_match)
		err = pcf_table_del_match(M.t, &M.live[i], &gone);
	else
		err = pcf_table_del(M.t, M.live[i].id, &gone);
	disarm();
	if (failed_by_fault(err))
		return;
	assert_int_equal(err, 0);
	assert_true(same_content(&gone, &M.live[i]));
	forget(i);
}

/* Changes that must be refused, and leave everything as it was. */
static void op_refused(void)
{
	struct pcf_rule spec;
	__u32 gen_before = pcf_mem_gen(M.mem);

	if (M.n && gen_chance(&M.g, 50)) {
		spec = M.live[gen_below(&M.g, M.n)];
		assert_int_equal(pcf_table_add(M.t, &spec, 0, NULL), -EEXIST);
	} else {
		gen_rule(&M.g, &spec);
		if (find_match(&spec) >= 0)
			return;
		assert_int_equal(
		    pcf_table_add(M.t, &spec,
				  PCF_TABLE_REPLACE | PCF_TABLE_EXCL, NULL),
		    -ENOENT);
		assert_int_equal(pcf_table_del_match(M.t, &spec, NULL),
				 -ENOENT);
	}
	assert_int_equal(pcf_table_del(M.t, PLACEHOLDER, NULL), -ENOENT);
	assert_int_equal(pcf_mem_gen(M.mem), gen_before);
	M.refused++;
}

static void op_flush(void)
{
	int err;

	arm(NULL, NULL, 0);
	arm_fault();
	err = pcf_table_flush(M.t);
	disarm();
	if (failed_by_fault(err))
		return;
	assert_int_equal(err, 0);
	M.n = 0;
}

/* ---- the verdicts between changes ---- */

static int live_index(__u32 id)
{
	unsigned int i;

	for (i = 0; i < M.n; i++)
		if (M.live[i].id == id)
			return i;
	return -1;
}

static void check_packets(void)
{
	struct pcf_table_info info;
	struct pcf_key k, outer;
	unsigned int p, i;
	int want, slot;

	for (p = 0; p < PACKETS; p++) {
		if (M.n && p % 3 == 0)
			aim_at(&M.live[gen_below(&M.g, M.n)], &k);
		else
			gen_packet(&M.g, &k);
		/* VXLAN (issue 13): an inner packet comes in outer headers
		 * of their own; some outer headers carry one */
		if (k.tun || gen_chance(&M.g, 25)) {
			if (k.tun) {
				gen_packet(&M.g, &outer);
				outer.ifindex = k.ifindex;
			} else {
				outer = k;
				gen_inner(&M.g, &outer, &k);
			}
			want = gen_reference_encap(M.live, M.n, &outer, &k);
			slot = pcf_mem_classify_encap(M.mem, &outer, &k);
			M.encap_cases++;
		} else {
			want = gen_reference(M.live, M.n, &k);
			slot = pcf_mem_classify(M.mem, &k);
		}
		assert_int_not_equal(slot, PCF_MEM_ENTRY_WRONG);
		if (want < 0) {
			if (slot >= 0)
				fail_msg("a packet no rule matches got rule %u",
					 pcf_mem_slot(M.mem, slot)->id);
		} else {
			if (slot < 0)
				fail_msg("a packet of rule %u matched none",
					 M.live[want].id);
			if (!same_content(pcf_mem_slot(M.mem, slot),
					  &M.live[want]))
				fail_msg("a packet got rule %u, not rule %u",
					 pcf_mem_slot(M.mem, slot)->id,
					 M.live[want].id);
			M.set_wins += M.live[want].mask.src_set ||
				      M.live[want].mask.dst_set;
			/* count it as pcf_steer does, by counter index */
			pcf_mem_count(M.mem, pcf_mem_slot(M.mem, slot)->ctr);
			M.count[want]++;
		}
		M.cases++;
	}
	for (i = 0; i < M.n; i++) {
		struct pcf_rule got;

		assert_int_equal(pcf_table_get(M.t, M.live[i].id, &got, NULL),
				 0);
		assert_true(same_content(&got, &M.live[i]));
		assert_int_equal(pcf_mem_counter(M.mem, got.ctr), M.count[i]);
	}
	pcf_table_info(M.t, &info);
	assert_int_equal(info.rules, M.n);
	assert_int_equal(info.masks, distinct_masks(NULL));
	assert_int_equal(live_index(PLACEHOLDER), -1);
}

static void one_round(__u64 seed)
{
	struct pcf_table_backend be;
	unsigned int op;
	__u32 r;

	memset(&M, 0, sizeof(M));
	gen_seed(&M.g, seed);
	assert_int_equal(pcf_mem_new(&M.mem), 0);
	pcf_mem_backend(M.mem, &be);
	assert_int_equal(pcf_table_new(&be, &M.t), 0);
	assert_int_equal(pcf_table_load(M.t), 0);
	/* named sets: rules match on them too (rule_gen.h) */
	assert_int_equal(pcf_sets_new(pcf_mem_set_ops(), M.mem, &M.sets), 0);
	assert_int_equal(gen_sets_load(&M.g, M.sets, M.t), 0);
	pcf_mem_set_manual_grace(M.mem, on_wait, NULL);
	pcf_mem_observe(M.mem, on_write, NULL);

	for (op = 0; op < OPS; op++) {
		r = gen_below(&M.g, 100);
		if (r < 45)
			op_add();
		else if (r < 67)
			op_replace();
		else if (r < 80)
			op_delete(false);
		else if (r < 90)
			op_delete(true);
		else if (r < 99)
			op_refused();
		else
			op_flush();
		check_packets();
		if (gen_chance(&M.g, 25)) {
			end_graces();
			pcf_mem_grace_end(M.mem);
			pcf_table_reclaim(M.t);
		}
		if (gen_chance(&M.g, 20))
			assert_int_equal(pcf_table_tidy(M.t), 0);
	}
	pcf_sets_free(M.sets);
	pcf_table_free(M.t);
	pcf_mem_free(M.mem);
}

static __u64 env_u64(const char *name, __u64 def)
{
	const char *s = getenv(name);

	return s ? strtoull(s, NULL, 0) : def;
}

static void test_model(void **state)
{
	__u64 seed = env_u64("PCF_MODEL_SEED", 20261202);
	unsigned int rounds = env_u64("PCF_MODEL_ROUNDS", 2), i;
	__u64 cases = 0, probes = 0, writes = 0, ends = 0, waits = 0,
	      refused = 0, faults = 0, encap = 0, set_wins = 0;
	struct timespec t0, t1;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < rounds; i++) {
		one_round(seed + i);
		cases += M.cases;
		encap += M.encap_cases;
		probes += M.probes;
		writes += M.writes;
		ends += M.grace_ends;
		waits += M.waits;
		refused += M.refused;
		faults += M.faults;
		set_wins += M.set_wins;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("model: seed %llu, %u rounds of %u changes (%llu refused, %llu "
	       "failed by a refused map update): "
	       "%llu packets checked against the reference (%llu VXLAN "
	       "frames), %llu probes "
	       "after %llu single writes, %llu grace ends (%llu waits), "
	       "%.2f s\n",
	       (unsigned long long)seed, rounds, OPS,
	       (unsigned long long)refused, (unsigned long long)faults,
	       (unsigned long long)cases, (unsigned long long)encap,
	       (unsigned long long)probes, (unsigned long long)writes,
	       (unsigned long long)ends, (unsigned long long)waits,
	       (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9);
	printf("model: %llu packets won by a rule on a named set\n",
	       (unsigned long long)set_wins);
	assert_true(cases >= 100000);
	assert_true(encap >= cases / 8);
	assert_true(set_wins >= cases / 50);
	assert_true(faults > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_model),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
