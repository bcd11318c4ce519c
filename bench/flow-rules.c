// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * flow-rules - one exact 5-tuple rule for each flow gen sends with the same
 * options (bench.h), added to the rule table pinned in PIN_DIR through the
 * rules API: pcf-steer would take one process per rule.
 *
 *   flow-rules -p PIN_DIR [-s SRC] [-d DST] [-S SPORT] [-D DPORT]
 *              [-f FLOWS]
 *
 * The rules are UDP (gen's frames are), action drop, added in a shuffled
 * (but fixed) order: a rule's counter index follows the order rules come
 * in, and gen sends the flows in turn, so rules added in flow order would
 * have their counters read one after the other, which the CPU prefetches
 * and real traffic never does.  Prints the number of rules added.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>

#include "bench.h"
#include "loader.h"
#include "pcf_genl.h"
#include "table.h"

struct flow_rules_opts {
	const char *pin_dir;
	struct bench_tuple tuple;
};

/* The exact rule of flow i. */
static void flow_rule(struct pcf_rule *r, const struct flow_rules_opts *o,
		      __u32 i)
{
	struct pcf_key *k = &r->key, *m = &r->mask;

	*r = (struct pcf_rule){ .prio = PCF_PRIO_DEFAULT };
	k->family = o->tuple.family;
	m->family = 0xff;
	if (k->family == 6) {
		memcpy(k->src, &o->tuple.src6, 16);
		memcpy(k->dst, &o->tuple.dst6, 16);
		pcf_genl_prefix_mask(m->src, 16, 128);
		pcf_genl_prefix_mask(m->dst, 16, 128);
	} else {
		memcpy(k->src, &o->tuple.src, 4);
		memcpy(k->dst, &o->tuple.dst, 4);
		pcf_genl_prefix_mask(m->src, 4, 32);
		pcf_genl_prefix_mask(m->dst, 4, 32);
	}
	k->sport = bench_flow_sport(&o->tuple, i);
	k->dport = htons(o->tuple.dport);
	m->sport = m->dport = 0xffff;
	k->proto = IPPROTO_UDP;
	m->proto = 0xff;
	r->action.verdict = PCF_VERDICT_DROP;
}

/* order[0..n) a permutation of 0..n-1, the same in every run */
static void shuffled(__u32 *order, __u32 n)
{
	__u64 x = 88172645463325252ULL; /* xorshift64, any nonzero seed */
	__u32 i, j, t;

	for (i = 0; i < n; i++)
		order[i] = i;
	for (i = n; i > 1; i--) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		j = x % i;
		t = order[i - 1];
		order[i - 1] = order[j];
		order[j] = t;
	}
}

static int add_rules(struct pcf_dp *dp, const struct flow_rules_opts *o)
{
	static __u32 order[PCF_MAX_RULES];
	struct pcf_rule r;
	const char *why;
	__u32 i, id;
	int err;

	shuffled(order, o->tuple.flows);
	for (i = 0; i < o->tuple.flows; i++) {
		flow_rule(&r, o, order[i]);
		err = pcf_rule_validate(&r, &why);
		if (err) {
			fprintf(stderr, "flow-rules: invalid rule: %s\n", why);
			return err;
		}
		err = pcf_table_add(pcf_dp_table(dp), &r, 0, &id);
		if (err)
			return err;
	}
	return 0;
}

static int parse_args(int argc, char **argv, struct flow_rules_opts *o)
{
	int c;

	*o = (struct flow_rules_opts){};
	bench_tuple_default(&o->tuple);
	while ((c = getopt(argc, argv, "p:" BENCH_TUPLE_OPTS)) != -1) {
		if (c == 'p')
			o->pin_dir = optarg;
		else if (bench_tuple_opt(&o->tuple, c, optarg))
			return -EINVAL;
	}
	if (optind != argc || !o->pin_dir || !bench_tuple_valid(&o->tuple) ||
	    o->tuple.flows > PCF_MAX_RULES)
		return -EINVAL;
	return 0;
}

int main(int argc, char **argv)
{
	struct flow_rules_opts o;
	struct pcf_dp *dp;
	int err;

	if (parse_args(argc, argv, &o)) {
		fprintf(stderr,
			"Usage: %s -p PIN_DIR " BENCH_TUPLE_USAGE
			"\n(at most %d flows)\n",
			argv[0], PCF_MAX_RULES);
		return 2;
	}
	err = pcf_dp_open(o.pin_dir, &dp);
	if (err) {
		fprintf(stderr,
			"flow-rules: cannot open the data plane in %s: %s\n",
			o.pin_dir, strerror(-err));
		return 1;
	}
	err = add_rules(dp, &o);
	pcf_dp_close(dp);
	if (err) {
		fprintf(stderr, "flow-rules: add: %s\n", strerror(-err));
		return 1;
	}
	printf("%u\n", o.tuple.flows);
	return 0;
}
