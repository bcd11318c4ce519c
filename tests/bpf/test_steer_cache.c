// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * test_steer_cache - the real pcf_steer's flow caches (pcf_abi.h), read
 * back from the cache maps after each frame: results enter a set's ways
 * in turn, a miss in a set whose entries were all used since they entered
 * does not enter but takes their used marks (so a scan of new flows does
 * not push out flows that come back), it enters on its next miss, and
 * after a rule change a result takes the place of one of the old
 * generation; an entry answers only for its own key, whichever field
 * another key of its set differs in.  The frames run on CPU 0, whose
 * slice of the caches is read.
 */
#include <sched.h>

#include "steer_env.h"

/* A flow of this test: the source port and destination port of spec4 /
 * spec6's frame, and where its key falls in the cache. */
struct flow {
	__u16 sport, dport;
	struct pcf_key key; /* as pcf_steer's fast path builds it */
	__u32 set;
	__u32 first; /* the way its probes begin at (pcf_cache_first) */
};

/* The key pcf_steer's fast path builds for the frame of spec s */
static struct pcf_key key_of(const struct frame_spec *s)
{
	struct pcf_key k = { .ifindex = env.lo, .family = s->family };
	int af = s->family == 4 ? AF_INET : AF_INET6;

	assert_int_equal(inet_pton(af, s->src, k.src), 1);
	assert_int_equal(inet_pton(af, s->dst, k.dst), 1);
	k.sport = htons(s->sport);
	k.dport = htons(s->dport);
	k.proto = s->proto ? s->proto : IPPROTO_UDP;
	return k;
}

/* The set of its family's cache that key falls in */
static __u32 set_of(const struct pcf_key *key)
{
	struct pcf_key4 pk;

	if (key->family == 6)
		return pcf_cache_set(6, pcf_hash6(key));
	pcf_key4_of(&pk, key);
	return pcf_cache_set(4, pcf_hash4(&pk));
}

static void flow_init(struct flow *f, int family, __u16 sport, __u16 dport)
{
	struct frame_spec s =
	    family == 4 ? spec4(IPPROTO_UDP) : spec6(IPPROTO_UDP);
	struct pcf_key4 pk;
	__u64 h;

	s.sport = sport;
	s.dport = dport;
	f->sport = sport;
	f->dport = dport;
	f->key = key_of(&s);
	if (family == 4) {
		pcf_key4_of(&pk, &f->key);
		h = pcf_hash4(&pk);
	} else {
		h = pcf_hash6(&f->key);
	}
	f->set = pcf_cache_set(family, h);
	f->first = pcf_cache_first(family, h);
}

/*
 * n flows of one set of the family's cache; same_first: that also begin
 * at the same way.
 */
static void flows_of_one_set(int family, struct flow *f, unsigned int n,
			     bool same_first)
{
	unsigned int got = 0, sport, dport;
	struct flow c;

	for (dport = 1; dport < 65536 && got < n; dport++) {
		for (sport = 1; sport < 65536 && got < n; sport += 7) {
			flow_init(&c, family, sport, dport);
			if (!got || (c.set == f[0].set &&
				     (!same_first || c.first == f[0].first)))
				f[got++] = c;
		}
	}
	assert_int_equal(got, n);
}

static void send_flow(const struct flow *f)
{
	struct frame_spec s =
	    f->key.family == 4 ? spec4(IPPROTO_UDP) : spec6(IPPROTO_UDP);
	struct result res;
	struct frame fr;

	s.sport = f->sport;
	s.dport = f->dport;
	frame_build(&fr, &s);
	run_frame(&fr, &res);
	assert_int_equal(res.ret, XDP_DROP); /* the rule of every test */
}

/* Element idx of one of pcf_steer's array maps into val. */
static void map_read(const struct bpf_map *map, __u32 idx, void *val)
{
	assert_int_equal(bpf_map_lookup_elem(bpf_map__fd(map), &idx, val), 0);
}

static __u64 table_gen(void)
{
	struct pcf_table_state st;

	map_read(env.dp->skel->maps.pcf_state, 0, &st);
	return st.gen;
}

/* CPU 0's entries of f's set, in the same form for both families */
struct way {
	bool current; /* of the table's generation */
	bool used;
	struct pcf_key key; /* IPv4: as a pcf_key, the fields it keeps */
};

static void read_set(const struct flow *f, struct way *w)
{
	__u64 g = table_gen();
	unsigned int i;

	/* f->set: its index in CPU 0's slice */
	if (f->key.family == 4) {
		struct pcf_cache_set4 s;

		map_read(env.dp->skel->maps.pcf_flow_cache4, f->set, &s);
		for (i = 0; i < PCF_CACHE_WAYS; i++) {
			struct pcf_cached4 *c = &s.way[i];

			w[i].current = c->gen == g;
			w[i].used = c->used;
			w[i].key = (struct pcf_key){ .ifindex = c->ifindex,
						     .family = 4,
						     .sport = c->sport,
						     .dport = c->dport,
						     .proto = c->proto };
			memcpy(w[i].key.src, &c->src, 4);
			memcpy(w[i].key.dst, &c->dst, 4);
		}
	} else {
		struct pcf_cache_set6 s;

		map_read(env.dp->skel->maps.pcf_flow_cache6, f->set, &s);
		for (i = 0; i < PCF_CACHE_WAYS; i++) {
			w[i].current = s.way[i].gen == g;
			w[i].used = s.way[i].used;
			w[i].key = s.way[i].key;
		}
	}
}

/* The way holding f's result of the current generation, or -1. */
static int way_of(const struct flow *f)
{
	struct way w[PCF_CACHE_WAYS];
	int i;

	read_set(f, w);
	for (i = 0; i < PCF_CACHE_WAYS; i++)
		if (w[i].current && !memcmp(&w[i].key, &f->key, sizeof(f->key)))
			return i;
	return -1;
}

static bool used(const struct flow *f)
{
	struct way w[PCF_CACHE_WAYS];
	int i = way_of(f);

	assert_true(i >= 0);
	read_set(f, w);
	return w[i].used;
}

/* One DROP rule every flow of the tests matches (by source address). */
static __u32 drop_all_from(int family)
{
	struct pcf_rule r = rule_new(PCF_VERDICT_DROP, PCF_PRIO_DEFAULT);

	rule_addrs(&r, family, family == 4 ? SRC4 : SRC6,
		   family == 4 ? 32 : 128, NULL, 0);
	rule_proto(&r, IPPROTO_UDP);
	return rule_add(&r);
}

/*
 * Five flows of one set of the family's cache, all beginning at one way:
 * they enter the ways in turn from there (way i: the i-th looked at), the
 * fifth does not take the place of four that came back, and does on its
 * next miss.
 */
static void check_set(int family)
{
	struct flow f[5];
	__u32 id = drop_all_from(family);
	int i;

	flows_of_one_set(family, f, 5, true);
#define WAY(i) ((int)pcf_cache_way(f[0].first, (i)))
	for (i = 0; i < 4; i++) {
		send_flow(&f[i]);
		assert_int_equal(way_of(&f[i]), WAY(i));
		assert_false(used(&f[i]));
	}
	for (i = 0; i < 4; i++) { /* back: hits, each marked used */
		send_flow(&f[i]);
		assert_int_equal(way_of(&f[i]), WAY(i));
		assert_true(used(&f[i]));
	}
	/* a fifth: every entry was used, so it does not enter, and its
	 * miss takes their marks (their second chance) */
	send_flow(&f[4]);
	assert_int_equal(way_of(&f[4]), -1);
	for (i = 0; i < 4; i++) {
		assert_int_equal(way_of(&f[i]), WAY(i));
		assert_false(used(&f[i]));
	}
	/* its next miss: the first entry not used since then */
	send_flow(&f[4]);
	assert_int_equal(way_of(&f[4]), WAY(0));
	assert_int_equal(way_of(&f[0]), -1);
	for (i = 1; i < 4; i++)
		assert_int_equal(way_of(&f[i]), WAY(i));
	/* a rule change: every entry is of an older generation, so the
	 * flow that made room comes back to the first way */
	drop_all_from(family == 4 ? 6 : 4);
	send_flow(&f[0]);
	assert_int_equal(way_of(&f[0]), WAY(0));
	assert_int_equal(way_of(&f[4]), -1);
	assert_hits(id, 4 + 4 + 2 + 1);
#undef WAY
}

/*
 * IPv6: flows of one set begin at the way the hash gives them, so each of
 * four flows that begin at different ways sits in its first one, the
 * line read first.  (IPv4's all begin at way 0: test_cache4_set.)
 */
static void test_cache_first(void **state)
{
	struct flow f[40], *by_first[PCF_CACHE_WAYS] = {};
	__u32 id = drop_all_from(6);
	unsigned int i, n = 0;

	flows_of_one_set(6, f, 40, false);
	for (i = 0; i < 40; i++)
		if (!by_first[f[i].first])
			by_first[f[i].first] = &f[i];
	/* last way first: ways taken in turn would put each elsewhere */
	for (i = PCF_CACHE_WAYS; i-- > 0;) {
		assert_non_null(by_first[i]); /* 40 flows: all four seen */
		send_flow(by_first[i]);
		send_flow(by_first[i]);
		n += 2;
	}
	for (i = 0; i < PCF_CACHE_WAYS; i++)
		assert_int_equal(way_of(by_first[i]), i);
	assert_hits(id, n);
}

/* The verdict pcf_steer gives the frame of spec s */
static int verdict_of(const struct frame_spec *s)
{
	struct result res;
	struct frame fr;

	frame_build(&fr, s);
	run_frame(&fr, &res);
	return res.ret;
}

/* The field of the key a frame b differs from a in: two bytes of an
 * address */
struct field {
	bool dst;	  /* the destination address, else the source */
	unsigned int off; /* the first of the two bytes */
};

/*
 * Frame b: a with the two bytes of field f XORed with i (from 1, so b
 * always differs from a), its address in buf.  An address has hash words
 * of its own (pcf_hash4/6), so only other addresses put b's key into
 * other sets.
 */
static void vary(const struct frame_spec *a, struct frame_spec *b,
		 struct field f, unsigned int i, char *buf)
{
	int af = a->family == 4 ? AF_INET : AF_INET6;
	__u8 addr[16];

	*b = *a;
	assert_int_equal(inet_pton(af, f.dst ? a->dst : a->src, addr), 1);
	addr[f.off] ^= i >> 8;
	addr[f.off + 1] ^= i & 255;
	assert_non_null(inet_ntop(af, addr, buf, INET6_ADDRSTRLEN));
	if (f.dst)
		b->dst = buf;
	else
		b->src = buf;
}

/*
 * An entry answers only for its own key: a DROP rule for frame a alone,
 * and a frame b equal to a but for field f, whose key falls in the same
 * cache set (so that b's lookup meets a's entry, and a's b's).  If the
 * entries' compare missed that field, b would take a's cached DROP, or
 * a b's cached miss (PASS, the default).
 */
static void check_field(struct frame_spec a, struct field f)
{
	struct pcf_rule r = rule_new(PCF_VERDICT_DROP, PCF_PRIO_DEFAULT);
	char buf[INET6_ADDRSTRLEN];
	struct frame_spec b;
	struct pcf_key ka, kb;
	unsigned int i;
	__u32 id;

	for (i = 1; i < 65536; i++) {
		vary(&a, &b, f, i, buf);
		ka = key_of(&a);
		kb = key_of(&b);
		if (set_of(&ka) == set_of(&kb))
			break;
	}
	assert_true(i < 65536); /* some 8 in 65535 do: 8192 sets */
	rule_addrs(&r, a.family, a.src, a.family == 4 ? 32 : 128, a.dst,
		   a.family == 4 ? 32 : 128);
	rule_proto(&r, a.proto);
	rule_ports(&r, a.sport, a.dport);
	id = rule_add(&r);
	assert_int_equal(verdict_of(&a), XDP_DROP); /* enters the cache */
	assert_int_equal(verdict_of(&a), XDP_DROP); /* from the cache */
	assert_int_equal(verdict_of(&b), XDP_PASS);
	assert_int_equal(verdict_of(&b), XDP_PASS); /* b's entry */
	assert_int_equal(verdict_of(&a), XDP_DROP);
	assert_hits(id, 3);
	assert_int_equal(pcf_table_del(pcf_dp_table(env.dp), id, NULL), 0);
}

/*
 * Not the protocol: the product of the hash word that holds it differs
 * between a UDP and a TCP key by a constant (11 times the word's
 * multiplier), whatever else the word holds, and for both families that
 * constant changes the set's bits: keys that differ in the protocol
 * alone never meet in a set.
 */
static void test_cache4_fields(void **state)
{
	/* bytes 2 and 3: the addresses stay in 198.18.0.0/15 */
	check_field(spec4(IPPROTO_UDP),
		    (struct field){ .dst = false, .off = 2 });
	check_field(spec4(IPPROTO_UDP),
		    (struct field){ .dst = true, .off = 2 });
}

/* IPv6: each address in both of its 64-bit halves (bytes 4 - 5 and 14 -
 * 15: the addresses stay in 2001:db8::/32) */
static void test_cache6_fields(void **state)
{
	static const struct field fields[] = {
		{ .dst = false, .off = 4 },
		{ .dst = false, .off = 14 },
		{ .dst = true, .off = 4 },
		{ .dst = true, .off = 14 },
	};
	unsigned int i;

	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		check_field(spec6(IPPROTO_UDP), fields[i]);
}

static void test_cache6_set(void **state)
{
	check_set(6);
}

static void test_cache4_set(void **state)
{
	check_set(4);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		setup_test(test_cache6_set),	setup_test(test_cache4_set),
		setup_test(test_cache_first),	setup_test(test_cache4_fields),
		setup_test(test_cache6_fields),
	};
	cpu_set_t cpu0;

	/* the frames run on this thread's CPU, and so in its slice */
	CPU_ZERO(&cpu0);
	CPU_SET(0, &cpu0);
	if (sched_setaffinity(0, sizeof(cpu0), &cpu0))
		fail_msg("sched_setaffinity: %s", strerror(errno));
	env_init("cache");
	return cmocka_run_group_tests(tests, NULL, env_teardown);
}
