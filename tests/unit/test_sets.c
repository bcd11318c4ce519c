// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * test_sets - named sets (table/sets.c, table/set_text.c) without root.
 *
 * The model: random adds, deletes, loads, flushes and destroys of prefixes
 * of every length (overlapping, within and across sets) over the memory
 * tries, then random addresses: the bits pcf_steer's one lookup finds
 * (longest prefix in the memory trie) must name exactly the sets whose
 * elements, by a linear reference, hold the address.  A load under a
 * rule `src @A dst @A`, checked after every single trie or table write:
 * A alternates between two disjoint groups, so a packet from one group to
 * the other must never match (it would, were it judged by a half-loaded
 * set), and one within a group matches as the old or the new content.
 * Then the text: elements, lines with file:line, JSON with its path.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "mem.h"
#include "pcf_genl.h"
#include "rule_json.h"
#include "rule_text.h"
#include "rule_gen.h"
#include "sets.h"
#include "table.h"

#define NSETS	 5
#define MAX_ELEM 64

struct ref_set {
	bool live;
	char name[16];
	struct pcf_set_elem e[MAX_ELEM];
	unsigned int n;
};

static struct ref_set R[NSETS];

static bool covers(const struct pcf_set_elem *e, __u8 family, const __u8 *a)
{
	unsigned int l;

	if (e->family != family)
		return false;
	for (l = 0; l < e->plen; l++)
		if ((e->addr[l / 8] ^ a[l / 8]) & (0x80 >> (l % 8)))
			return false;
	return true;
}

static bool ref_in(const struct ref_set *r, __u8 family, const __u8 *a)
{
	unsigned int i;

	for (i = 0; i < r->n; i++)
		if (covers(&r->e[i], family, a))
			return true;
	return false;
}

/* A random element of the pool's neighbourhood, of the set's family. */
static void rand_elem(struct gen *g, __u8 family, struct pcf_set_elem *e)
{
	unsigned int max = family == 4 ? 32 : 128, l;

	memset(e, 0, sizeof(*e));
	e->family = family;
	gen_pool_addr(gen_below(g, 8), family, e->addr);
	e->plen = gen_chance(g, 60) ? max : gen_below(g, max + 1);
	for (l = e->plen; l < max; l++)
		e->addr[l / 8] &= ~(0x80 >> (l % 8));
}

static int ref_find(const struct ref_set *r, const struct pcf_set_elem *e)
{
	unsigned int i;

	for (i = 0; i < r->n; i++)
		if (!memcmp(&r->e[i], e, sizeof(*e)))
			return i;
	return -1;
}

static void check_lookups(struct gen *g, struct pcf_mem *m,
			  const struct pcf_sets *s)
{
	int k, i;

	for (k = 0; k < 200; k++) {
		struct pcf_key p;
		__u64 bits[2], mbits[2];

		gen_packet(g, &p);
		pcf_mem_set_lookup(m, p.family, p.src, bits);
		pcf_sets_lookup(s, p.family, p.src, mbits);
		assert_memory_equal(bits, mbits, sizeof(bits));
		for (i = 0; i < NSETS; i++) {
			struct pcf_set_info in;
			int idx = R[i].live ? pcf_sets_find(s, R[i].name) : -1;

			if (!R[i].live)
				continue;
			assert_true(idx > 0 && pcf_sets_info(s, idx, &in));
			assert_int_equal(in.count, R[i].n);
			assert_int_equal(pcf_set_bit_test(bits, in.bit),
					 ref_in(&R[i], p.family, p.src));
		}
	}
}

static void test_model(void **state)
{
	struct pcf_sets_err err;
	struct pcf_sets *s;
	struct pcf_mem *m;
	struct gen g;
	int op, i;

	gen_seed(&g, 13);
	memset(R, 0, sizeof(R));
	assert_int_equal(pcf_mem_new(&m), 0);
	assert_int_equal(pcf_sets_new(pcf_mem_set_ops(), m, &s), 0);
	for (op = 0; op < 3000; op++) {
		struct ref_set *r = &R[gen_below(&g, NSETS)];
		__u8 family = r - R < 3 ? 4 : 6;
		struct pcf_set_elem e[4];
		unsigned int n = 1 + gen_below(&g, 4), k;
		int idx, what = gen_below(&g, 100);

		snprintf(r->name, sizeof(r->name), "s%d", (int)(r - R));
		for (k = 0; k < n; k++)
			rand_elem(&g, family, &e[k]);
		idx = pcf_sets_find(s, r->name);
		if (what < 55 && r->n + n <= MAX_ELEM) {
			assert_int_equal(
			    pcf_sets_add(s, r->name, e, n, NULL, &err), 0);
			r->live = true;
			for (k = 0; k < n; k++)
				if (ref_find(r, &e[k]) < 0)
					r->e[r->n++] = e[k];
		} else if (what < 75 && r->live && r->n) {
			int at = gen_below(&g, r->n);

			e[0] = r->e[at];
			assert_int_equal(pcf_sets_del(s, r->name, e, 1, &err),
					 0);
			r->e[at] = r->e[--r->n];
			/* not in it (any more): refused, nothing changes */
			assert_int_equal(pcf_sets_del(s, r->name, e, 1, &err),
					 -ENOENT);
		} else if (what < 90) {
			assert_int_equal(
			    pcf_sets_load_begin(s, r->name, &idx, &err), 0);
			assert_int_equal(pcf_sets_load_add(s, idx, e, n, &err),
					 0);
			assert_int_equal(pcf_sets_load_commit(s, idx, &err), 0);
			assert_int_equal(pcf_sets_load_cleanup(s), 0);
			r->live = true;
			r->n = 0;
			for (k = 0; k < n; k++)
				if (ref_find(r, &e[k]) < 0)
					r->e[r->n++] = e[k];
		} else if (what < 95 && r->live) {
			assert_int_equal(pcf_sets_flush(s, idx), 0);
			r->n = 0;
		} else if (r->live) {
			assert_int_equal(pcf_sets_destroy(s, idx), 0);
			r->live = false;
			r->n = 0;
		}
		if (op % 10 == 0)
			check_lookups(&g, m, s);
	}
	check_lookups(&g, m, s);
	/* a family a set: refused, nothing changes */
	for (i = 0; i < NSETS && !(R[i].live && R[i].n && i < 3); i++)
		;
	if (i < NSETS) {
		struct pcf_set_elem six;

		rand_elem(&g, 6, &six);
		assert_int_equal(
		    pcf_sets_add(s, R[i].name, &six, 1, NULL, &err), -EINVAL);
		assert_non_null(strstr(err.msg, "one family a set"));
	}
	pcf_sets_free(s);
	/* every set destroyed: the trie is empty */
	pcf_mem_free(m);
}

/* ---- a load under a rule, after every write ---- */

struct atomic_ctx {
	struct pcf_mem *m;
	struct pcf_table *t;
	__u32 rule_slot;
	struct pcf_set_elem grp[2][8];
	unsigned int checks, in_old;
	int from; /* the group the set held before the load */
	bool busy;
};

static struct pcf_key probe(const struct atomic_ctx *c, int gs, int ks, int gd,
			    int kd)
{
	struct pcf_key p = { .family = 4, .proto = IPPROTO_UDP };

	/* an address in element k of group g (a /32 or in a /28) */
	memcpy(p.src, c->grp[gs][ks].addr, 4);
	memcpy(p.dst, c->grp[gd][kd].addr, 4);
	p.src[3] |= c->grp[gs][ks].plen < 32 ? 5 : 0;
	p.dst[3] |= c->grp[gd][kd].plen < 32 ? 9 : 0;
	p.ifindex = GEN_IFINDEX0;
	return p;
}

static void check_atomic(void *arg)
{
	struct atomic_ctx *c = arg;
	int k, j, g;

	if (c->busy)
		return;
	/* new packets: the flow cache forgets (its writes are not checked) */
	c->busy = true;
	pcf_table_sets_changed(c->t);
	c->busy = false;
	c->checks++;
	for (k = 0; k < 8; k++) {
		for (j = 0; j < 8; j++) {
			struct pcf_key x = probe(c, 0, k, 1, j);
			struct pcf_key y = probe(c, 1, j, 0, k);

			/* never both groups in the set at once */
			assert_int_equal(pcf_mem_classify(c->m, &x), -1);
			assert_int_equal(pcf_mem_classify(c->m, &y), -1);
		}
	}
	for (g = 0; g < 2; g++) {
		struct pcf_key p = probe(c, g, 0, g, 7);
		int got = pcf_mem_classify(c->m, &p);

		assert_true(got == -1 || got == (int)c->rule_slot);
		if (got >= 0 && g == c->from)
			c->in_old++;
	}
}

static void test_atomic_load(void **state)
{
	struct atomic_ctx c = {};
	struct pcf_table_backend be;
	struct pcf_sets_err err;
	struct pcf_rule spec = {}, got;
	struct pcf_sets *s;
	int idx, round, k;
	__u32 id;

	for (k = 0; k < 8; k++) {
		/* group 0: 198.18.0.16k /32s and /28s; group 1: 198.19 */
		struct pcf_set_elem *a = &c.grp[0][k], *b = &c.grp[1][k];

		a->family = b->family = 4;
		a->addr[0] = b->addr[0] = 198;
		a->addr[1] = 18;
		b->addr[1] = 19;
		a->addr[3] = b->addr[3] = 16 * k;
		a->plen = b->plen = k % 2 ? 32 : 28;
	}
	assert_int_equal(pcf_mem_new(&c.m), 0);
	pcf_mem_backend(c.m, &be);
	assert_int_equal(pcf_table_new(&be, &c.t), 0);
	assert_int_equal(pcf_table_load(c.t), 0);
	assert_int_equal(pcf_sets_new(pcf_mem_set_ops(), c.m, &s), 0);
	assert_int_equal(pcf_sets_add(s, "A", c.grp[0], 8, &idx, &err), 0);
	assert_int_equal(pcf_table_set_bits(c.t, pcf_sets_bits(s)), 0);
	spec.key.src_set = spec.mask.src_set = idx;
	spec.key.dst_set = spec.mask.dst_set = idx;
	spec.prio = 1;
	spec.action.verdict = PCF_VERDICT_DROP;
	assert_int_equal(pcf_table_add(c.t, &spec, 0, &id), 0);
	assert_int_equal(pcf_table_get(c.t, id, &got, &c.rule_slot), 0);
	c.from = 0;
	check_atomic(&c);
	assert_int_equal(c.in_old, 1);
	pcf_mem_observe(c.m, check_atomic, &c);
	for (round = 0; round < 6; round++) {
		int to = !c.from;

		assert_int_equal(pcf_sets_load_begin(s, "A", &idx, &err), 0);
		assert_int_equal(pcf_sets_load_add(s, idx, c.grp[to], 8, &err),
				 0);
		assert_int_equal(pcf_sets_load_commit(s, idx, &err), 0);
		assert_int_equal(pcf_table_set_bits(c.t, pcf_sets_bits(s)), 0);
		assert_int_equal(
		    pcf_table_grace_wait(c.t, pcf_table_grace_start(c.t)), 0);
		assert_int_equal(pcf_sets_load_cleanup(s), 0);
		c.from = to;
		c.in_old = 0;
		check_atomic(&c);
		assert_int_equal(c.in_old, 1); /* the new content, whole */
	}
	assert_true(c.checks > 6 * 16);
	pcf_mem_observe(c.m, NULL, NULL);
	pcf_sets_free(s);
	pcf_table_free(c.t);
	pcf_mem_free(c.m);
}

/* ---- text ---- */

static void test_elem_text(void **state)
{
	struct pcf_set_elem e;
	char why[160], buf[64];

	assert_int_equal(pcf_set_elem_parse("198.18.0.0/24", &e, why, 160), 0);
	assert_int_equal(e.family, 4);
	assert_int_equal(e.plen, 24);
	pcf_set_elem_format(&e, buf, sizeof(buf));
	assert_string_equal(buf, "198.18.0.0/24");
	assert_int_equal(pcf_set_elem_parse("2001:db8::1", &e, why, 160), 0);
	assert_int_equal(e.plen, 128);
	pcf_set_elem_format(&e, buf, sizeof(buf));
	assert_string_equal(buf, "2001:db8::1");
	assert_int_equal(pcf_set_elem_parse("198.18.1.1/24", &e, why, 160),
			 -EINVAL);
	assert_non_null(strstr(why, "198.18.1.0/24"));
	assert_int_equal(pcf_set_elem_parse("198.18.0.0/33", &e, why, 160),
			 -EINVAL);
	assert_int_equal(pcf_set_elem_parse("198.18.0.0/024", &e, why, 160),
			 -EINVAL);
	assert_int_equal(pcf_set_elem_parse("example.com", &e, why, 160),
			 -EINVAL);
	assert_true(pcf_set_name_ok("allow"));
	assert_true(pcf_set_name_ok("_a.b-1"));
	assert_false(pcf_set_name_ok("1a"));
	assert_false(pcf_set_name_ok("a b"));
	assert_false(pcf_set_name_ok(""));
	assert_false(pcf_set_name_ok("abcdefghijabcdefghijabcdefghijab"));
}

static int parse(const char *text, size_t *n, char *where)
{
	struct pcf_set_elem *v = NULL;
	int err;

	err = pcf_set_file_parse("f", text, strlen(text), &v, n, where, 200);
	free(v);
	return err;
}

static void test_file_text(void **state)
{
	char where[200];
	size_t n;

	assert_int_equal(
	    parse("# allow\n198.18.0.1\n\n  198.18.1.0/24  \r\n", &n, where),
	    0);
	assert_int_equal(n, 2);
	assert_int_equal(parse("198.18.0.1\n198.18.0.300\n", &n, where),
			 -EINVAL);
	assert_string_equal(where,
			    "f:2: \"198.18.0.300\" is not an IPv4 or IPv6 "
			    "address or prefix");
	assert_int_equal(parse("198.18.0.1\n\n2001:db8::1\n", &n, where),
			 -EINVAL);
	assert_non_null(strstr(where, "f:3: IPv6, but the set is IPv4 (from "
				      "line 1)"));
	assert_int_equal(
	    parse(" [\"198.18.0.1\", \"2001:db8::/32\"]", &n, where), -EINVAL);
	assert_non_null(strstr(where, "f: $[1]: IPv6"));
	assert_int_equal(parse("[\"198.18.0.1\", 7]", &n, where), -EINVAL);
	assert_string_equal(where, "f: $[1]: not a string");
	assert_int_equal(parse("[\"198.18.0.1\",\n \"198.18.0.2\"", &n, where),
			 -EINVAL);
	assert_non_null(strstr(where, "f:2: not valid JSON"));
	assert_int_equal(parse("{\"version\": \"1.0\", \"total_ips\": 2, "
			       "\"organizations\": [], \"flat_ip_list\": "
			       "[\"198.18.0.1\", \"198.18.0.0/16\"]}",
			       &n, where),
			 0);
	assert_int_equal(n, 2);
	assert_int_equal(parse("{\"total_ips\": 3, \"flat_ip_list\": "
			       "[\"198.18.0.1\"]}",
			       &n, where),
			 -EINVAL);
	assert_non_null(strstr(where, "$.total_ips: says 3"));
	assert_int_equal(parse("{\"flat_ip_list\": [\"198.18.0.1\", "
			       "\"198.18.0.1/8\"]}",
			       &n, where),
			 -EINVAL);
	assert_non_null(strstr(where, "f: $.flat_ip_list[1]: "));
	assert_int_equal(parse("{\"ips\": []}", &n, where), -EINVAL);
	assert_non_null(strstr(where, "$.flat_ip_list: missing"));
	assert_int_equal(parse("\"198.18.0.1\"", &n, where), -EINVAL);
}

/* The sample allowlist of design 001 loads whole. */
static void test_sample(void **state)
{
	const char *path = getenv("PCF_SAMPLE_ALLOWLIST");
	struct pcf_set_elem *v = NULL;
	char where[200], *text;
	size_t n = 0, len;
	FILE *f;

	if (!path)
		path = "tests/data/ip_allowlist.json";
	f = fopen(path, "r");
	assert_non_null(f);
	text = malloc(1 << 20);
	len = fread(text, 1, 1 << 20, f);
	fclose(f);
	assert_int_equal(
	    pcf_set_file_parse(path, text, len, &v, &n, where, sizeof(where)),
	    0);
	assert_int_equal(n, 324);
	free(v);
	free(text);
}

static void test_limits(void **state)
{
	struct pcf_set_elem *e = calloc(PCF_SET_ELEMS_MAX + 1, sizeof(*e));
	struct pcf_sets_err err;
	struct pcf_sets *s;
	struct pcf_mem *m;
	char name[16];
	int i;

	assert_non_null(e);
	assert_int_equal(pcf_mem_new(&m), 0);
	assert_int_equal(pcf_sets_new(pcf_mem_set_ops(), m, &s), 0);
	for (i = 0; i < PCF_MAX_SETS; i++) {
		snprintf(name, sizeof(name), "s%d", i);
		assert_int_equal(pcf_sets_add(s, name, NULL, 0, NULL, &err), 0);
	}
	assert_int_equal(pcf_sets_add(s, "one_more", NULL, 0, NULL, &err),
			 -ENOSPC);
	assert_non_null(strstr(err.msg, "at most 64 sets"));
	assert_int_equal(pcf_sets_destroy(s, pcf_sets_find(s, "s0")), 0);
	for (i = 0; i <= PCF_SET_ELEMS_MAX; i++) {
		e[i].family = 4;
		e[i].plen = 32;
		e[i].addr[0] = 198;
		e[i].addr[1] = 18 + (i >> 16);
		e[i].addr[2] = i >> 8;
		e[i].addr[3] = i;
	}
	assert_int_equal(
	    pcf_sets_add(s, "big", e, PCF_SET_ELEMS_MAX + 1, NULL, &err),
	    -ENOSPC);
	assert_non_null(strstr(err.msg, "limit of 1000000"));
	assert_int_equal(pcf_sets_total(s), 0);
	assert_int_equal(pcf_sets_find(s, "big"),
			 -ENOENT); /* made for nothing */
	/* a set that was there stays, though empty, after a refused add */
	assert_int_equal(
	    pcf_sets_add(s, "s1", e, PCF_SET_ELEMS_MAX + 1, NULL, &err),
	    -ENOSPC);
	assert_true(pcf_sets_find(s, "s1") > 0);
	pcf_sets_free(s);
	pcf_mem_free(m);
	free(e);
}

/* ---- rules on sets in words, JSON and attributes, both ways ---- */

static void test_rule_words(void **state)
{
	char *argv[PCF_TEXT_WORDS_MAX], line[200], text[PCF_TEXT_RULE_MAX];
	char buf[PCF_GENL_MSG_MAX], err[256];
	const struct nlattr *tb[PCF_A_MAX + 1];
	const struct genlmsghdr *genl;
	struct pcf_json_refusal why;
	struct pcf_flow_change c;
	struct pcf_extack ext = {};
	struct pcf_rule back;
	struct nlmsghdr *nlh;
	const char *j;
	json_object *o;
	__u32 id;
	int argc;

	pcf_set_resolver_use(NULL); /* names get indexes as they come */
	snprintf(line, sizeof(line),
		 "add src @allow dst @deny proto udp dport 53 action drop");
	argc = pcf_text_split_line(line, argv, PCF_TEXT_WORDS_MAX);
	assert_int_equal(pcf_text_flow_change(argc, argv, &c, err, sizeof(err)),
			 0);
	assert_int_not_equal(c.rule.mask.src_set, 0);
	assert_int_not_equal(c.rule.mask.dst_set, 0);
	assert_string_equal(pcf_set_name(c.rule.mask.src_set), "allow");
	assert_string_equal(pcf_set_name(c.rule.mask.dst_set), "deny");
	assert_true(pcf_text_rule(&c.rule, text, sizeof(text)) > 0);
	assert_non_null(strstr(text, " src @allow dst @deny "));

	/* JSON: "src": "@allow" out and back in */
	o = pcf_json_rule(&c.rule, NULL, NULL);
	j = json_object_to_json_string(o);
	assert_non_null(strstr(j, "\"src\": \"@allow\""));
	assert_int_equal(pcf_json_rule_parse(j, strlen(j), &back, &id, &why),
			 0);
	assert_memory_equal(&back.key, &c.rule.key, sizeof(back.key));
	assert_memory_equal(&back.mask, &c.rule.mask, sizeof(back.mask));
	json_object_put(o);

	/* attributes: by name, and back */
	nlh = pcf_msg_start(buf, PCF_CMD_FLOW_NEW, 0, 1);
	assert_int_equal(pcf_rule_put(nlh, sizeof(buf), &c.rule), 0);
	assert_int_equal(pcf_msg_parse(nlh, nlh->nlmsg_len, tb, &genl, &ext),
			 0);
	assert_int_equal(pcf_rule_from_attrs(tb, &back, &ext), 0);
	assert_memory_equal(&back.mask, &c.rule.mask, sizeof(back.mask));

	/* a word that is not a set name */
	snprintf(line, sizeof(line), "add src @9x action drop");
	argc = pcf_text_split_line(line, argv, PCF_TEXT_WORDS_MAX);
	assert_int_equal(pcf_text_flow_change(argc, argv, &c, err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "src \"@9x\": a set name is"));
}

/* The set nest: elements of 20 bytes each, at most 3000; by policy. */
static void test_set_attrs(void **state)
{
	static char buf[PCF_SET_ELEMS_PER_MSG * 20 + 1024];
	struct pcf_set_elem e[2] = {};
	const struct nlattr *tb[PCF_A_MAX + 1];
	const struct genlmsghdr *genl;
	struct pcf_extack ext = {};
	struct nlmsghdr *nlh;
	struct nlattr *nest;

	assert_int_equal(sizeof(struct pcf_set_elem), 20);
	nlh = pcf_msg_start(buf, PCF_CMD_SET_NEW, 0, 1);
	assert_int_equal(pcf_set_put(nlh, sizeof(buf), "allow", e, 2), 0);
	assert_int_equal(pcf_msg_parse(nlh, nlh->nlmsg_len, tb, &genl, &ext),
			 0);
	/* 19 bytes: not whole elements */
	nlh = pcf_msg_start(buf, PCF_CMD_SET_NEW, 0, 1);
	nest = mnl_attr_nest_start(nlh, PCF_A_SET);
	mnl_attr_put_strz(nlh, PCF_A_SET_NAME, "allow");
	mnl_attr_put(nlh, PCF_A_SET_ELEMS, 19, e);
	mnl_attr_nest_end(nlh, nest);
	assert_int_equal(pcf_msg_parse(nlh, nlh->nlmsg_len, tb, &genl, &ext),
			 -EINVAL);
	assert_non_null(strstr(ext.msg, "set elements of 20 bytes"));
	/* a name too long */
	nlh = pcf_msg_start(buf, PCF_CMD_SET_NEW, 0, 1);
	nest = mnl_attr_nest_start(nlh, PCF_A_SET);
	mnl_attr_put_strz(nlh, PCF_A_SET_NAME,
			  "abcdefghijabcdefghijabcdefghijab");
	mnl_attr_nest_end(nlh, nest);
	assert_int_equal(pcf_msg_parse(nlh, nlh->nlmsg_len, tb, &genl, &ext),
			 -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_model),
		cmocka_unit_test(test_atomic_load),
		cmocka_unit_test(test_elem_text),
		cmocka_unit_test(test_file_text),
		cmocka_unit_test(test_sample),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_rule_words),
		cmocka_unit_test(test_set_attrs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
