// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * test_steer_rules - the rule table as the real pcf_steer sees it:
 * overlapping exact and wildcard rules under priorities (lower prio wins,
 * then lower id), deletes and replaces, the limits (-EEXIST, -ENOSPC with
 * 32 masks), the ingress interface match, and rules and counters that
 * survive closing and reopening the data plane on the same pin directory.
 */
#include "steer_env.h"

/* Run the spec4 UDP frame; it must give xdp_ret. */
static void send_udp4(int xdp_ret)
{
	struct frame_spec s = spec4(IPPROTO_UDP);
	struct result res;
	struct frame f;

	frame_build(&f, &s);
	run_frame(&f, &res);
	if (res.ret != xdp_ret)
		fail_msg("XDP action %d, expected %d", res.ret, xdp_ret);
}

/* Rules the spec4 UDP frame matches, from exact to match-all. */
static struct pcf_rule exact_rule(enum pcf_verdict v, __u32 prio)
{
	return rule_5tuple(4, IPPROTO_UDP, v, prio);
}

static struct pcf_rule subnet_rule(enum pcf_verdict v, __u32 prio)
{
	struct pcf_rule r = rule_new(v, prio);

	rule_addrs(&r, 4, NULL, 0, "198.19.0.0", 16);
	return r;
}

static struct pcf_rule udp_rule(enum pcf_verdict v, __u32 prio)
{
	struct pcf_rule r = rule_new(v, prio);

	rule_proto(&r, IPPROTO_UDP);
	return r;
}

static struct pcf_rule any_rule(enum pcf_verdict v, __u32 prio)
{
	return rule_new(v, prio);
}

/* Packets rule id matched; 0 for a deleted rule. */
static __u64 hits_if_present(__u32 id)
{
	if (pcf_table_get(pcf_dp_table(env.dp), id, NULL, NULL))
		return 0;
	return rule_hits(id).packets;
}

/* Of the rules ids, exactly winner (0: none) took the next packet. */
static void expect_winner(__u32 winner, const __u32 *ids, unsigned int n,
			  int xdp_ret)
{
	__u64 before[8];
	unsigned int i;

	assert_true(n <= 8);
	for (i = 0; i < n; i++)
		before[i] = hits_if_present(ids[i]);
	send_udp4(xdp_ret);
	for (i = 0; i < n; i++) {
		__u64 moved = hits_if_present(ids[i]) - before[i];

		if (moved != (ids[i] == winner))
			fail_msg("rule %u matched %llu packets, winner is %u",
				 ids[i], (unsigned long long)moved, winner);
	}
}

/*
 * Four overlapping rules; deleting each winner in turn hands the packet to
 * the next in (prio, id) order, and finally to the default.
 */
static void test_priority_order(void **state)
{
	struct pcf_rule exact = exact_rule(PCF_VERDICT_DROP, 100);
	struct pcf_rule subnet = subnet_rule(PCF_VERDICT_PASS, 50);
	struct pcf_rule udp = udp_rule(PCF_VERDICT_DROP, 200);
	struct pcf_rule all = any_rule(PCF_VERDICT_DROP, 50);
	__u32 ids[4];

	ids[0] = rule_add(&exact);
	ids[1] = rule_add(&subnet); /* prio 50, older: wins */
	ids[2] = rule_add(&udp);
	ids[3] = rule_add(&all); /* prio 50, newer */
	assert_true(ids[1] < ids[3]);

	expect_winner(ids[1], ids, 4, XDP_PASS);
	assert_int_equal(pcf_table_del(pcf_dp_table(env.dp), ids[1], NULL), 0);
	expect_winner(ids[3], ids, 4, XDP_DROP);
	assert_int_equal(pcf_table_del(pcf_dp_table(env.dp), ids[3], NULL), 0);
	expect_winner(ids[0], ids, 4, XDP_DROP);
	assert_int_equal(pcf_table_del(pcf_dp_table(env.dp), ids[0], NULL), 0);
	expect_winner(ids[2], ids, 4, XDP_DROP);
	assert_int_equal(pcf_table_del(pcf_dp_table(env.dp), ids[2], NULL), 0);
	assert_int_equal(pcf_table_del(pcf_dp_table(env.dp), ids[2], NULL), -ENOENT);

	assert_int_equal(pcf_dp_set_default(env.dp, PCF_VERDICT_DROP), 0);
	expect_winner(0, ids, 0, XDP_DROP);
}

/* Equal prios: the older rule wins whichever mask it sits under. */
static void test_equal_prio_lower_id(void **state)
{
	struct pcf_rule exact = exact_rule(PCF_VERDICT_DROP, 7);
	struct pcf_rule all = any_rule(PCF_VERDICT_PASS, 7);
	__u32 ids[2];

	ids[0] = rule_add(&exact);
	ids[1] = rule_add(&all);
	expect_winner(ids[0], ids, 2, XDP_DROP);

	/* the other way round */
	assert_int_equal(pcf_table_flush(pcf_dp_table(env.dp)), 0);
	ids[0] = rule_add(&all);
	ids[1] = rule_add(&exact);
	expect_winner(ids[0], ids, 2, XDP_PASS);

	/* a better prio beats age */
	exact.prio = 6;
	assert_int_equal(pcf_table_add(pcf_dp_table(env.dp), &exact, PCF_TABLE_REPLACE, NULL),
			 0);
	expect_winner(ids[1], ids, 2, XDP_DROP);
}

/*
 * The rule a packet matches under a mask is not always the mask's best:
 * each mask here holds a better rule for other packets.  The search must
 * compare the ranks of the rules found, not stop at the first hit nor
 * take the last.
 */
static void test_rank_within_mask(void **state)
{
	struct pcf_rule exact_other = exact_rule(PCF_VERDICT_DROP, 10);
	struct pcf_rule exact = exact_rule(PCF_VERDICT_DROP, 100);
	struct pcf_rule subnet_other = rule_new(PCF_VERDICT_PASS, 50);
	struct pcf_rule subnet = subnet_rule(PCF_VERDICT_PASS, 150);
	__u32 ids[4];

	exact_other.key.dport = htons(DPORT + 1);
	rule_addrs(&subnet_other, 4, NULL, 0, "198.18.0.0", 16);
	ids[0] = rule_add(&exact_other);
	ids[1] = rule_add(&exact);
	ids[2] = rule_add(&subnet_other);
	ids[3] = rule_add(&subnet);
	/* masks in order: exact (best 10), subnet (best 50) */
	expect_winner(ids[1], ids, 4, XDP_DROP);

	exact.prio = 200; /* now the subnet rule, found second, is better */
	assert_int_equal(pcf_table_add(pcf_dp_table(env.dp), &exact, PCF_TABLE_REPLACE, NULL),
			 0);
	expect_winner(ids[3], ids, 4, XDP_PASS);

	exact.prio = 149;
	assert_int_equal(pcf_table_add(pcf_dp_table(env.dp), &exact, PCF_TABLE_REPLACE, NULL),
			 0);
	expect_winner(ids[1], ids, 4, XDP_DROP);
}

/* Wildcards that do not match must not shadow an exact rule. */
static void test_wildcard_miss(void **state)
{
	struct pcf_rule exact = exact_rule(PCF_VERDICT_DROP, 100);
	struct pcf_rule other_net = rule_new(PCF_VERDICT_PASS, 1);
	struct pcf_rule tcp = udp_rule(PCF_VERDICT_PASS, 1);
	__u32 ids[3];

	rule_addrs(&other_net, 4, NULL, 0, "198.18.128.0", 17);
	tcp.key.proto = IPPROTO_TCP;
	ids[0] = rule_add(&exact);
	ids[1] = rule_add(&other_net);
	ids[2] = rule_add(&tcp);
	expect_winner(ids[0], ids, 3, XDP_DROP);
}

/* PCF_TABLE_REPLACE keeps the id and the counters and changes the action. */
static void test_replace(void **state)
{
	struct pcf_rule exact = exact_rule(PCF_VERDICT_DROP, 100);
	struct pcf_rule subnet = subnet_rule(PCF_VERDICT_PASS, 150);
	struct frame_spec s = spec4(IPPROTO_UDP);
	struct pcf_rule got;
	struct result res;
	__u32 id, id2, other, ids[2];
	struct frame f;
	int i;

	id = rule_add(&exact);
	other = rule_add(&subnet);
	ids[0] = id;
	ids[1] = other;
	for (i = 0; i < 3; i++)
		send_udp4(XDP_DROP);
	assert_hits(id, 3);

	/* same match without REPLACE */
	exact.action.verdict = PCF_VERDICT_PASS;
	assert_int_equal(pcf_table_add(pcf_dp_table(env.dp), &exact, 0, NULL), -EEXIST);
	send_udp4(XDP_DROP);
	assert_hits(id, 4);

	/* a new action: PASS with TTL - 1 */
	exact.action.flags = PCF_ACT_TTL;
	exact.action.ttl_delta = -1;
	assert_int_equal(pcf_table_add(pcf_dp_table(env.dp), &exact, PCF_TABLE_REPLACE, &id2),
			 0);
	assert_int_equal(id2, id);
	assert_hits(id, 4);
	assert_int_equal(pcf_table_get(pcf_dp_table(env.dp), id, &got, NULL), 0);
	assert_int_equal(got.action.verdict, PCF_VERDICT_PASS);
	assert_int_equal(got.id, id);

	frame_build(&f, &s);
	expect(&f, XDP_PASS, PCF_VERDICT_PASS, PCF_REASON_NONE, &res);
	assert_int_equal(result_frame(&res)[f.l3 + 8], 63);
	assert_hits(id, 5);

	/* a worse prio than the subnet rule: that one wins now */
	exact.prio = 200;
	assert_int_equal(pcf_table_add(pcf_dp_table(env.dp), &exact,
				      PCF_TABLE_REPLACE | PCF_TABLE_EXCL, &id2),
			 0);
	assert_int_equal(id2, id);
	expect_winner(other, ids, 2, XDP_PASS);
	assert_hits(id, 5);
	/* and back: the early stop must not skip the better rule */
	exact.prio = 10;
	assert_int_equal(pcf_table_add(pcf_dp_table(env.dp), &exact, PCF_TABLE_REPLACE, NULL),
			 0);
	expect_winner(id, ids, 2, XDP_PASS);
	assert_hits(id, 6);

	/* REPLACE | EXCL needs an existing rule; REPLACE alone adds one */
	s.dport = DPORT + 1;
	exact.key.dport = htons(DPORT + 1);
	assert_int_equal(pcf_table_add(pcf_dp_table(env.dp), &exact,
				      PCF_TABLE_REPLACE | PCF_TABLE_EXCL, NULL),
			 -ENOENT);
	assert_int_equal(pcf_table_add(pcf_dp_table(env.dp), &exact, PCF_TABLE_REPLACE, &id2),
			 0);
	assert_int_not_equal(id2, id);
	assert_hits(id2, 0);
}

/* Same match: -EEXIST whatever the action or prio; the table is intact. */
static void test_duplicate(void **state)
{
	struct pcf_rule r = exact_rule(PCF_VERDICT_DROP, 100);
	__u32 id = rule_add(&r), id2 = 12345;

	assert_int_equal(pcf_table_add(pcf_dp_table(env.dp), &r, 0, &id2), -EEXIST);
	assert_int_equal(id2, 12345); /* untouched on failure */
	r.prio = 1;
	r.action.verdict = PCF_VERDICT_PASS;
	assert_int_equal(pcf_table_add(pcf_dp_table(env.dp), &r, 0, NULL), -EEXIST);
	/* a different mask is a different match... */
	r.mask.dport = 0;
	r.key.dport = htons(9);
	id2 = rule_add(&r);
	assert_int_not_equal(id2, id);
	/* ...but key bits outside the mask are not */
	r.key.dport = htons(10);
	assert_int_equal(pcf_table_add(pcf_dp_table(env.dp), &r, 0, NULL), -EEXIST);

	send_udp4(XDP_PASS); /* id2 (prio 1, PASS) wins */
	assert_hits(id2, 1);
	assert_hits(id, 0);
}

/* 32 distinct masks fit; a 33rd gives -ETOOMANYREFS until one is freed. */
static void test_mask_limit(void **state)
{
	__u32 ids[33], extra;
	struct pcf_rule r;
	unsigned int plen;

	/* dst/1 ... dst/32: one mask each, longer prefixes win */
	for (plen = 1; plen <= 32; plen++) {
		r = rule_new(PCF_VERDICT_DROP, 1000 - plen);
		rule_addrs(&r, 4, NULL, 0, DST4, plen);
		ids[plen] = rule_add(&r);
	}
	r = rule_new(PCF_VERDICT_PASS, 1);
	rule_addrs(&r, 4, SRC4, 32, NULL, 0);
	assert_int_equal(pcf_table_add(pcf_dp_table(env.dp), &r, 0, NULL), -ETOOMANYREFS);
	r.key.proto = IPPROTO_UDP; /* any new mask */
	r.mask.proto = 0xff;
	assert_int_equal(pcf_table_add(pcf_dp_table(env.dp), &r, 0, NULL), -ETOOMANYREFS);

	/* the full table still works, and an existing mask takes more rules */
	send_udp4(XDP_DROP);
	assert_hits(ids[32], 1);
	r = rule_new(PCF_VERDICT_DROP, 1);
	rule_addrs(&r, 4, NULL, 0, "198.19.0.99", 32);
	extra = rule_add(&r);

	/* /32 gone: /31 wins; its mask stays (extra uses it) */
	assert_int_equal(pcf_table_del(pcf_dp_table(env.dp), ids[32], NULL), 0);
	send_udp4(XDP_DROP);
	assert_hits(ids[31], 1);
	r = rule_new(PCF_VERDICT_PASS, 1);
	rule_addrs(&r, 4, SRC4, 32, NULL, 0);
	assert_int_equal(pcf_table_add(pcf_dp_table(env.dp), &r, 0, NULL), -ETOOMANYREFS);

	/* the last rule of a mask gone: its mask is free */
	assert_int_equal(pcf_table_del(pcf_dp_table(env.dp), ids[1], NULL), 0);
	extra = rule_add(&r);
	send_udp4(XDP_PASS);
	assert_hits(extra, 1);
}

/* The ingress interface is part of the match. */
static void test_ifindex_match(void **state)
{
	struct pcf_rule here = exact_rule(PCF_VERDICT_DROP, 10);
	struct pcf_rule elsewhere = udp_rule(PCF_VERDICT_DROP, 1);
	__u32 id_here, id_elsewhere;

	here.key.ifindex = env.lo;
	here.mask.ifindex = 0xffffffff;
	elsewhere.key.ifindex = env.lo + 1000; /* not this frame's */
	elsewhere.mask.ifindex = 0xffffffff;
	id_elsewhere = rule_add(&elsewhere);
	id_here = rule_add(&here);
	send_udp4(XDP_DROP);
	assert_hits(id_here, 1);
	assert_hits(id_elsewhere, 0);
}

/*
 * Close the data plane and open it again on the same pin directory, as a
 * restarted pcfd does: rules, ids, counters and the default survive, and
 * the table keeps working.
 */
static void test_adoption(void **state)
{
	struct pcf_rule exact = exact_rule(PCF_VERDICT_DROP, 100);
	struct pcf_rule subnet = subnet_rule(PCF_VERDICT_PASS, 150);
	struct pcf_rule got_exact, got_subnet, r;
	__u32 id_exact, id_subnet, slot_exact, slot, id_new;
	struct stats before, after;
	enum pcf_verdict v;
	int i;

	id_exact = rule_add(&exact);
	id_subnet = rule_add(&subnet);
	assert_int_equal(pcf_dp_set_default(env.dp, PCF_VERDICT_DROP), 0);
	for (i = 0; i < 4; i++)
		send_udp4(XDP_DROP);
	assert_int_equal(
	    pcf_table_get(pcf_dp_table(env.dp), id_exact, &got_exact, &slot_exact), 0);
	assert_int_equal(pcf_table_get(pcf_dp_table(env.dp), id_subnet, &got_subnet, NULL), 0);
	stats_read(&before);
	assert_false(env.dp->adopted);

	env_close();
	assert_int_equal(env_open(), 0);
	assert_true(env.dp->adopted);

	assert_int_equal(pcf_table_get(pcf_dp_table(env.dp), id_exact, &r, &slot), 0);
	assert_int_equal(slot, slot_exact);
	assert_memory_equal(&r, &got_exact, sizeof(r));
	assert_int_equal(pcf_table_get(pcf_dp_table(env.dp), id_subnet, &r, NULL), 0);
	assert_memory_equal(&r, &got_subnet, sizeof(r));
	assert_hits(id_exact, 4);
	stats_read(&after);
	assert_memory_equal(&after, &before, sizeof(after));
	assert_int_equal(pcf_dp_get_default(env.dp, &v), 0);
	assert_int_equal(v, PCF_VERDICT_DROP);

	/* the adopted table classifies, changes and numbers as before */
	send_udp4(XDP_DROP);
	assert_hits(id_exact, 5);
	assert_int_equal(pcf_table_add(pcf_dp_table(env.dp), &exact, 0, NULL), -EEXIST);
	r = udp_rule(PCF_VERDICT_PASS, 1);
	id_new = rule_add(&r);
	assert_true(id_new > id_subnet);
	send_udp4(XDP_PASS);
	assert_hits(id_new, 1);
	assert_int_equal(pcf_table_del(pcf_dp_table(env.dp), id_new, NULL), 0);
	assert_int_equal(pcf_table_del(pcf_dp_table(env.dp), id_exact, NULL), 0);
	send_udp4(XDP_PASS); /* the subnet rule */
	assert_hits(id_subnet, 1);
}

/*
 * Pin a map of type, max_entries rule counters as pcf_rule_stats in place
 * of the real one (saved aside), and open the data plane: the layout an
 * older pcf pinned (a per-CPU array of one row) must be refused with
 * -EPROTO, the loader's "pcfd --unload them" case, not adopted.
 */
static int open_with_rule_stats(enum bpf_map_type type, __u32 max_entries)
{
	char path[128], saved[128];
	int fd, err;

	snprintf(path, sizeof(path), "%s/pcf_rule_stats", env.pin_dir);
	/* bpffs takes no dots in a name */
	snprintf(saved, sizeof(saved), "%s/pcf_rule_stats_saved", env.pin_dir);
	assert_int_equal(rename(path, saved), 0);
	fd = bpf_map_create(type, NULL, sizeof(__u32),
			    sizeof(struct pcf_counter), max_entries, NULL);
	assert_true(fd >= 0);
	assert_int_equal(bpf_obj_pin(fd, path), 0);
	close(fd);
	err = env_open();
	assert_int_equal(unlink(path), 0);
	assert_int_equal(rename(saved, path), 0);
	return err;
}

/*
 * XDP's rule counters are a row per CPU of a plain array (PCF_RULE_STAT):
 * the per-CPU array an older pcf pinned is refused whatever its size, and
 * the real one is adopted with its counts.
 */
static void test_rule_stats_layout(void **state)
{
	struct pcf_rule exact = exact_rule(PCF_VERDICT_DROP, 100);
	int ncpus = libbpf_num_possible_cpus();
	__u32 id = rule_add(&exact);

	send_udp4(XDP_DROP);
	assert_hits(id, 1);
	env_close();
	assert_int_equal(
	    open_with_rule_stats(BPF_MAP_TYPE_PERCPU_ARRAY, PCF_RULE_SLOTS),
	    -EPROTO);
	assert_int_equal(open_with_rule_stats(BPF_MAP_TYPE_PERCPU_ARRAY,
					      ncpus * PCF_RULE_SLOTS),
			 -EPROTO);
	assert_int_equal(
	    open_with_rule_stats(BPF_MAP_TYPE_ARRAY, PCF_RULE_SLOTS + 1),
	    -EPROTO);
	assert_int_equal(env_open(), 0);
	assert_hits(id, 1);
	send_udp4(XDP_DROP);
	assert_hits(id, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		setup_test(test_priority_order),
		setup_test(test_equal_prio_lower_id),
		setup_test(test_rank_within_mask),
		setup_test(test_wildcard_miss),
		setup_test(test_replace),
		setup_test(test_duplicate),
		setup_test(test_mask_limit),
		setup_test(test_ifindex_match),
		setup_test(test_adoption),
		setup_test(test_rule_stats_layout),
	};

	env_init("rules");
	return cmocka_run_group_tests(tests, NULL, env_teardown);
}
