// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * test_steer_model - a sample of the classifier model test's cases
 * (tests/unit/test_table_model.c) through the real pcf_steer in BPF
 * test-run: random rules added, replaced and deleted through the table
 * on the pinned maps, random packets built as frames, and the rule the
 * program picks (the id in the metadata it writes for a REDIRECT) must be
 * the one the linear reference picks, or none.  Rules match on named
 * sets too (rule_gen.h's, in the pinned tries): one trie lookup per
 * address in the real program must agree with the reference.
 */
#include "steer_env.h"
#include "../unit/rule_gen.h"

#define OPS	 300
#define PACKETS	 40
#define MAX_LIVE 300

static struct pcf_rule live[MAX_LIVE];
static unsigned int nlive;

static void register_lo(void)
{
	struct pcf_iface iface = { .xsk_base = 0 };

	assert_int_equal(bpf_map_update_elem(pcf_dp_ifaces_fd(env.dp), &env.lo,
					     &iface, BPF_ANY),
			 0);
}

/*
 * Every rule REDIRECTs: the metadata then names the rule it matched (an
 * encap rule's decapsulates, as it must).
 */
static void redirect_action(struct pcf_rule *r)
{
	memset(&r->action, 0, sizeof(r->action));
	r->action.verdict = PCF_VERDICT_REDIRECT;
	if (PCF_TUN_KIND(r->key.tun))
		r->action.flags = PCF_ACT_DECAP;
}

static void model_rule(struct gen *g, struct pcf_rule *r)
{
	do
		gen_rule(g, r);
	while (r->key.ifindex && r->key.ifindex != env.lo);
	redirect_action(r);
}

static void frame_of(const struct pcf_key *k, struct frame *f)
{
	char src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN];
	struct frame_spec s = { .family = k->family, .proto = k->proto };
	int af = k->family == 4 ? AF_INET : AF_INET6;

	inet_ntop(af, k->src, src, sizeof(src));
	inet_ntop(af, k->dst, dst, sizeof(dst));
	s.src = src;
	s.dst = dst;
	s.sport = ntohs(k->sport);
	s.dport = ntohs(k->dport);
	frame_build(f, &s);
}

/*
 * pcf_steer's pick for k (with inner: a VXLAN frame of outer headers k,
 * UDP to 4789, carrying inner): a rule id, or 0 for none.
 */
static __u32 steer_pick(const struct pcf_key *k, const struct pcf_key *inner)
{
	const struct pcf_meta *meta;
	struct result res;
	struct frame f, in;
	__u32 id[2];
	int run;

	frame_of(k, &f);
	if (inner) {
		frame_of(inner, &in);
		frame_vxlan(&f,
			    &(struct frame_spec){ .family = k->family,
						  .src = "198.18.0.1",
						  .dst = "198.18.0.2",
						  .sport = ntohs(k->sport) },
			    inner->tun & PCF_TUN_VNI_MASK, &in, true);
		frame_of(k, &in); /* the outer headers k says */
		memcpy(f.data, in.data, in.l4 + 4); /* to the UDP ports */
		if (k->family == 4) { /* the length as the frame has it */
			struct iphdr *iph = (void *)(f.data + f.l3);

			iph->tot_len = htons(f.len - f.l3);
			iph->check = ipv4_csum(iph);
		} else {
			struct ipv6hdr *ip6h = (void *)(f.data + f.l3);

			ip6h->payload_len = htons(f.len - f.l3 - sizeof(*ip6h));
		}
		((struct udphdr *)(f.data + f.l4))->check = 0;
	}
	/* twice: the second run takes the fast path where it can (issue 15) */
	for (run = 0; run < 2; run++) {
		run_frame(&f, &res);
		assert_int_equal(res.ret, XDP_PASS); /* no socket: falls back */
		if (!res.meta_len) {
			id[run] = 0;
			continue;
		}
		assert_int_equal(res.meta_len, sizeof(*meta));
		meta = (const void *)res.out;
		assert_int_equal(meta->magic, PCF_META_MAGIC);
		id[run] = meta->rule_id;
	}
	assert_int_equal(id[0], id[1]);
	return id[0];
}

static bool encap_rules(void)
{
	unsigned int i;

	for (i = 0; i < nlive; i++)
		if (PCF_TUN_KIND(live[i].key.tun))
			return true;
	return false;
}

static int find_match(const struct pcf_rule *spec)
{
	unsigned int i;

	for (i = 0; i < nlive; i++)
		if (!memcmp(&live[i].key, &spec->key, sizeof(spec->key)) &&
		    !memcmp(&live[i].mask, &spec->mask, sizeof(spec->mask)))
			return i;
	return -1;
}

static unsigned int distinct_masks(void)
{
	unsigned int i, j, n = 0;

	for (i = 0; i < nlive; i++) {
		for (j = 0; j < i; j++)
			if (!memcmp(&live[j].mask, &live[i].mask,
				    sizeof(live[i].mask)))
				break;
		n += j == i;
	}
	return n;
}

static void change(struct gen *g)
{
	struct pcf_table *t = pcf_dp_table(env.dp);
	struct pcf_rule spec;
	__u32 r = gen_below(g, 100), i, id;
	int err;

	if (r < 50 && nlive < MAX_LIVE) {
		model_rule(g, &spec);
		if (find_match(&spec) >= 0)
			return;
		err = pcf_table_add(t, &spec, 0, &id);
		if (err == -ETOOMANYREFS) {
			assert_true(distinct_masks() >= PCF_MAX_MASKS);
			return;
		}
		assert_int_equal(err, 0);
		spec.id = id;
		live[nlive++] = spec;
	} else if (r < 75 && nlive) {
		i = gen_below(g, nlive);
		spec = live[i];
		gen_change(g, &spec);
		redirect_action(&spec);
		assert_int_equal(
		    pcf_table_add(t, &spec, PCF_TABLE_REPLACE, &id), 0);
		assert_int_equal(id, live[i].id);
		live[i] = spec;
	} else if (r < 98 && nlive) {
		i = gen_below(g, nlive);
		assert_int_equal(pcf_table_del(t, live[i].id, NULL), 0);
		live[i] = live[--nlive];
	} else if (r >= 98) {
		assert_int_equal(pcf_table_flush(t), 0);
		nlive = 0;
	}
}

static void test_model_sample(void **state)
{
	unsigned int op, p, cases = 0, hits = 0, set_hits = 0;
	struct gen g;
	struct pcf_key k, in;
	unsigned int encap = 0;
	bool vxlan;
	__u32 want;
	int w;

	gen_seed(&g, 20261202);
	register_lo();
	nlive = 0;
	assert_int_equal(
	    gen_sets_load(&g, pcf_dp_sets(env.dp), pcf_dp_table(env.dp)), 0);
	for (op = 0; op < OPS; op++) {
		change(&g);
		for (p = 0; p < PACKETS; p++) {
			gen_packet(&g, &k);
			k.ifindex = env.lo;
			/* VXLAN (issue 13): outer headers UDP to 4789 */
			vxlan = gen_chance(&g, 30);
			if (vxlan) {
				k.proto = IPPROTO_UDP;
				k.dport = htons(4789);
				gen_inner(&g, &k, &in);
				w = gen_reference_encap(live, nlive, &k, &in);
				encap++;
			} else {
				w = gen_reference(live, nlive, &k);
				/* UDP to 4789 with no VXLAN header: a cut
				 * encapsulation, while encap rules exist */
				if (k.proto == IPPROTO_UDP &&
				    k.dport == htons(4789) && encap_rules())
					w = -1;
			}
			want = w < 0 ? 0 : live[w].id;
			if (steer_pick(&k, vxlan ? &in : NULL) != want)
				fail_msg(
				    "after change %u, pcf_steer picked rule "
				    "%u, the reference %u (%s)",
				    op, steer_pick(&k, vxlan ? &in : NULL),
				    want, vxlan ? "a VXLAN frame" : "plain");
			cases++;
			hits += want != 0;
			set_hits += w >= 0 && (live[w].mask.src_set ||
					       live[w].mask.dst_set);
		}
	}
	printf("model sample: %u changes, %u packets through pcf_steer (%u "
	       "VXLAN frames), %u of them matched a rule, %u a rule on a "
	       "named set\n",
	       OPS, cases, encap, hits, set_hits);
	assert_true(hits > cases / 4 && hits < cases);
	assert_true(set_hits > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_model_sample, env_reset),
	};

	env_init("model");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
