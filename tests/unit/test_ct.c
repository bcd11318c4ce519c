// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * test_ct - sessions, pure (table/ct.h, ct_ports.h) over the memory
 * backend: states and timeouts, a connection's NAT, sessions made and
 * unmade, port pools that never give a port twice, and the race of two
 * workers (threads) making one connection's session at once: one session,
 * one port, the same translation for both.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <cmocka.h>

#include "ct.h"
#include "ct_mem.h"
#include "ct_ports.h"

#define SEC 1000000000ULL

/* A tuple; the family is the addresses'. */
static struct pcf_ct_key key(const char *src, __u16 sport, const char *dst,
			     __u16 dport, __u8 proto)
{
	struct pcf_ct_key k = { .proto = proto };
	int af = strchr(src, ':') ? AF_INET6 : AF_INET;

	k.family = af == AF_INET ? 4 : 6;
	assert_int_equal(inet_pton(af, src, k.src), 1);
	assert_int_equal(inet_pton(af, dst, k.dst), 1);
	k.sport = htons(sport);
	k.dport = htons(dport);
	return k;
}

static struct pcf_action snat_action(const char *addr, __u16 port)
{
	struct pcf_action a = { .verdict = PCF_VERDICT_REDIRECT,
				.flags = PCF_ACT_CT | PCF_ACT_SNAT };

	a.snat.family = strchr(addr, ':') ? 6 : 4;
	assert_int_equal(inet_pton(a.snat.family == 4 ? AF_INET : AF_INET6,
				   addr, a.snat.addr),
			 1);
	a.snat.port = htons(port);
	return a;
}

/* ---- states and timeouts ---- */

static void test_timeouts_default(void **state)
{
	struct pcf_ct_timeouts t;
	int i;

	pcf_ct_timeouts_default(&t);
	assert_int_equal(t.sec[PCF_CT_T_TCP_ESTABLISHED], 432000);
	assert_int_equal(t.sec[PCF_CT_T_TCP_SYN_SENT], 120);
	assert_int_equal(t.sec[PCF_CT_T_TCP_CLOSE], 10);
	assert_int_equal(t.sec[PCF_CT_T_UDP], 30);
	assert_int_equal(t.sec[PCF_CT_T_UDP_STREAM], 120);
	assert_int_equal(t.sec[PCF_CT_T_ICMP], 30);
	assert_int_equal(t.sec[PCF_CT_T_GENERIC], 600);
	for (i = 0; i < PCF_CT_T_MAX; i++)
		assert_int_equal(pcf_ct_timeout_parse(pcf_ct_timeout_name(i)),
				 i);
	assert_int_equal(pcf_ct_timeout_parse("tcp"), -EINVAL);
}

static void test_tcp_states(void **state)
{
	struct pcf_ct_entry o = { .xlat.proto = IPPROTO_TCP, .packets = 1 },
			    r = { .xlat.proto = IPPROTO_TCP };

	o.tcp = PCF_CT_TCP_SYN;
	assert_int_equal(pcf_ct_state(&o, &r), PCF_CT_SYN_SENT);
	assert_int_equal(pcf_ct_state(&o, NULL), PCF_CT_SYN_SENT);
	r.packets = 1;
	r.tcp = PCF_CT_TCP_SYN | PCF_CT_TCP_ACK;
	assert_int_equal(pcf_ct_state(&o, &r), PCF_CT_SYN_RECV);
	o.tcp |= PCF_CT_TCP_ACK;
	assert_int_equal(pcf_ct_state(&o, &r), PCF_CT_ESTABLISHED);
	o.tcp |= PCF_CT_TCP_FIN;
	assert_int_equal(pcf_ct_state(&o, &r), PCF_CT_FIN_WAIT);
	r.tcp |= PCF_CT_TCP_FIN;
	assert_int_equal(pcf_ct_state(&o, &r), PCF_CT_TIME_WAIT);
	r.tcp |= PCF_CT_TCP_RST;
	assert_int_equal(pcf_ct_state(&o, &r), PCF_CT_CLOSE);
	assert_int_equal(pcf_ct_timeout_of(IPPROTO_TCP, PCF_CT_CLOSE),
			 PCF_CT_T_TCP_CLOSE);
	/* picked up mid-stream: both sides' ACKs */
	o.tcp = r.tcp = PCF_CT_TCP_ACK;
	assert_int_equal(pcf_ct_state(&o, &r), PCF_CT_ESTABLISHED);
}

static void test_udp_states_expiry(void **state)
{
	struct pcf_ct_entry o = { .xlat.proto = IPPROTO_UDP,
				  .created = 100 * SEC,
				  .last_seen = 100 * SEC,
				  .packets = 1 },
			    r = { .xlat.proto = IPPROTO_UDP };
	struct pcf_ct_timeouts t;

	pcf_ct_timeouts_default(&t);
	assert_int_equal(pcf_ct_state(&o, &r), PCF_CT_UNREPLIED);
	assert_true(pcf_ct_expires(&o, &r, &t) == 130 * SEC);
	r.packets = 1;
	r.last_seen = 101 * SEC;
	assert_int_equal(pcf_ct_state(&o, &r), PCF_CT_REPLIED);
	assert_true(pcf_ct_expires(&o, &r, &t) == 131 * SEC);
	r.last_seen = 103 * SEC;
	assert_int_equal(pcf_ct_state(&o, &r), PCF_CT_STREAM);
	assert_true(pcf_ct_expires(&o, &r, &t) == 223 * SEC);
	o.xlat.proto = IPPROTO_ICMP;
	assert_int_equal(pcf_ct_state(&o, &r), PCF_CT_REPLIED);
	assert_true(pcf_ct_expires(&o, &r, &t) == 133 * SEC);
	o.xlat.proto = IPPROTO_GRE;
	assert_true(pcf_ct_expires(&o, NULL, &t) == 700 * SEC);
}

/* ---- a connection's NAT ---- */

static void test_plan(void **state)
{
	struct pcf_ct_key k = key("198.18.1.10", 4000, "198.18.2.1", 53,
				  IPPROTO_UDP),
			  echo = key("198.18.1.10", 77, "198.18.2.1", 0,
				     IPPROTO_ICMP),
			  gre = key("198.18.1.10", 0, "198.18.2.1", 0,
				    IPPROTO_GRE);
	struct pcf_action a = snat_action("198.18.2.77", 20000);
	__u8 masq[16] = { 198, 18, 2, 2 };
	struct pcf_ct_plan p;

	assert_int_equal(pcf_ct_plan(&k, true, &a, htons(29999), NULL, &p), 0);
	assert_int_equal(p.flags, PCF_CT_NAT | PCF_CT_SNAT | PCF_CT_PORT);
	assert_int_equal(p.lo, 20000);
	assert_int_equal(p.hi, 29999);
	assert_memory_equal(p.xlat.src, a.snat.addr, 4);
	assert_memory_equal(p.xlat.dst, k.dst, 16);
	assert_int_equal(ntohs(p.xlat.sport), 4000); /* preferred */
	/* one port */
	assert_int_equal(pcf_ct_plan(&k, true, &a, 0, NULL, &p), 0);
	assert_int_equal(p.lo, 20000);
	assert_int_equal(p.hi, 20000);
	/* no port: the default range */
	a.snat.port = 0;
	assert_int_equal(pcf_ct_plan(&k, true, &a, 0, NULL, &p), 0);
	assert_int_equal(p.lo, PCF_CT_PORT_MIN_DEFAULT);
	assert_int_equal(p.hi, PCF_CT_PORT_MAX_DEFAULT);
	/* an echo request's identifier is its port */
	assert_int_equal(pcf_ct_plan(&echo, true, &a, 0, NULL, &p), 0);
	assert_true(p.flags & PCF_CT_PORT);
	/* a protocol without ports: the address alone */
	assert_int_equal(pcf_ct_plan(&gre, false, &a, 0, NULL, &p), 0);
	assert_int_equal(p.flags, PCF_CT_NAT | PCF_CT_SNAT);
	/* masquerade */
	a.flags = PCF_ACT_CT | PCF_ACT_MASQ;
	assert_int_equal(pcf_ct_plan(&k, true, &a, 0, NULL, &p),
			 -EADDRNOTAVAIL);
	assert_int_equal(pcf_ct_plan(&k, true, &a, 0, masq, &p), 0);
	assert_memory_equal(p.xlat.src, masq, 16);
	assert_int_equal(p.lo, PCF_CT_PORT_MIN_DEFAULT);
	/* dnat: address, and a port for TCP and UDP */
	a = snat_action("198.18.2.3", 80);
	a.flags = PCF_ACT_CT | PCF_ACT_DNAT;
	a.dnat = a.snat;
	assert_int_equal(pcf_ct_plan(&k, true, &a, 0, NULL, &p), 0);
	assert_int_equal(p.flags, PCF_CT_NAT | PCF_CT_DNAT);
	assert_memory_equal(p.xlat.dst, a.dnat.addr, 4);
	assert_int_equal(ntohs(p.xlat.dport), 80);
	assert_memory_equal(p.xlat.src, k.src, 16);
	assert_int_equal(pcf_ct_plan(&echo, true, &a, 0, NULL, &p), 0);
	assert_int_equal(p.xlat.dport, 0);
	/* the other family */
	k = key("2001:db8:1::1", 1, "2001:db8:2::1", 2, IPPROTO_UDP);
	assert_int_equal(pcf_ct_plan(&k, true, &a, 0, NULL, &p), -EAFNOSUPPORT);
	/* no NAT: pass-through tracking */
	a.flags = PCF_ACT_CT;
	assert_int_equal(pcf_ct_plan(&k, true, &a, 0, NULL, &p), 0);
	assert_int_equal(p.flags, 0);
	assert_memory_equal(&p.xlat, &k, sizeof(k));
}

/* ---- port pools ---- */

static void test_ports(void **state)
{
	struct pcf_ct_pools *pools;
	struct pcf_ct_pool *p, *q;
	__u8 a[16] = { 198, 18, 2, 77 };
	__u16 port, seen[10];
	int i, j;

	assert_int_equal(pcf_ct_pools_new(&pools), 0);
	assert_null(pcf_ct_pool(pools, 4, a, IPPROTO_UDP, false));
	p = pcf_ct_pool(pools, 4, a, IPPROTO_UDP, true);
	assert_non_null(p);
	assert_ptr_equal(pcf_ct_pool(pools, 4, a, IPPROTO_UDP, false), p);
	q = pcf_ct_pool(pools, 4, a, IPPROTO_TCP, true);
	assert_ptr_not_equal(p, q);
	/* the preferred port when free */
	assert_int_equal(pcf_ct_port_take(p, 100, 109, 105, &port), 0);
	assert_int_equal(port, 105);
	assert_true(pcf_ct_port_taken(p, 105));
	assert_false(pcf_ct_port_taken(q, 105));
	seen[0] = port;
	/* then the others, each once, then none */
	for (i = 1; i < 10; i++) {
		assert_int_equal(pcf_ct_port_take(p, 100, 109, 105, &port), 0);
		assert_in_range(port, 100, 109);
		for (j = 0; j < i; j++)
			assert_int_not_equal(port, seen[j]);
		seen[i] = port;
	}
	assert_int_equal(pcf_ct_port_take(p, 100, 109, 105, &port),
			 -EADDRNOTAVAIL);
	assert_int_equal(pcf_ct_pool_taken(p), 10);
	pcf_ct_port_give(p, 103);
	assert_int_equal(pcf_ct_port_take(p, 100, 109, 0, &port), 0);
	assert_int_equal(port, 103);
	/* the whole range, across words, and its edges */
	assert_int_equal(pcf_ct_port_take(p, 65535, 65535, 0, &port), 0);
	assert_int_equal(port, 65535);
	assert_int_equal(pcf_ct_port_take(p, 65535, 65535, 0, &port),
			 -EADDRNOTAVAIL);
	assert_false(pcf_ct_port_mark(p, 65535));
	assert_true(pcf_ct_port_mark(p, 0));
	for (i = 0; i < 200; i++)
		assert_int_equal(pcf_ct_port_take(q, 60, 259, 0, &port), 0);
	assert_int_equal(pcf_ct_port_take(q, 60, 259, 0, &port),
			 -EADDRNOTAVAIL);
	for (i = 60; i <= 259; i++)
		assert_true(pcf_ct_port_taken(q, i));
	assert_false(pcf_ct_port_taken(q, 59));
	assert_false(pcf_ct_port_taken(q, 260));
	pcf_ct_pools_free(pools);
}

struct taker {
	struct pcf_ct_pool *pool;
	__u16 got[2000];
	int n;
};

static void *take_all(void *arg)
{
	struct taker *t = arg;
	__u16 port;

	while (t->n < 2000 &&
	       !pcf_ct_port_take(t->pool, 20000, 21999, 20000, &port))
		t->got[t->n++] = port;
	return NULL;
}

/* Two threads take every port of a range at once: each exactly once. */
static void test_ports_threads(void **state)
{
	struct pcf_ct_pools *pools;
	struct taker t[2] = {};
	__u8 a[16] = { 198, 18, 2, 77 }, seen[65536] = {};
	pthread_t th[2];
	int i, j;

	assert_int_equal(pcf_ct_pools_new(&pools), 0);
	t[0].pool = t[1].pool = pcf_ct_pool(pools, 4, a, IPPROTO_UDP, true);
	for (i = 0; i < 2; i++)
		assert_int_equal(pthread_create(&th[i], NULL, take_all, &t[i]),
				 0);
	for (i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	assert_int_equal(t[0].n + t[1].n, 2000);
	for (i = 0; i < 2; i++)
		for (j = 0; j < t[i].n; j++) {
			assert_int_equal(seen[t[i].got[j]], 0);
			seen[t[i].got[j]] = 1;
		}
	pcf_ct_pools_free(pools);
}

/* ---- sessions ---- */

struct env {
	struct pcf_ct_mem *mem;
	struct pcf_ct_pools *pools;
	struct pcf_ct_table t;
};

static struct env E;

static int setup(void **state)
{
	if (pcf_ct_mem_new(4096, &E.mem) || pcf_ct_pools_new(&E.pools))
		return -1;
	pcf_ct_mem_table(E.mem, E.pools, &E.t);
	return 0;
}

static int teardown(void **state)
{
	pcf_ct_mem_free(E.mem);
	pcf_ct_pools_free(E.pools);
	return 0;
}

static int create(const struct pcf_ct_key *k, const struct pcf_action *a,
		  __u16 port_max, struct pcf_ct_entry *ret)
{
	struct pcf_ct_plan p;

	assert_int_equal(pcf_ct_plan(k, true, a, htons(port_max), NULL, &p), 0);
	return pcf_ct_create(&E.t, k, 100, &p, 7, 3, 5 * SEC, ret);
}

/* Both entries are there and lead to each other. */
static void assert_session(const struct pcf_ct_key *k,
			   const struct pcf_ct_entry *o)
{
	struct pcf_ct_entry e, r;
	struct pcf_ct_key rk, back;

	assert_int_equal(E.t.ops->lookup(E.t.ctx, k, &e), 0);
	assert_memory_equal(&e, o, sizeof(e));
	assert_false(e.flags & PCF_CT_REPLY);
	pcf_ct_reverse(&rk, &e.xlat);
	assert_int_equal(E.t.ops->lookup(E.t.ctx, &rk, &r), 0);
	assert_true(r.flags & PCF_CT_REPLY);
	pcf_ct_reverse(&back, &r.xlat);
	assert_memory_equal(&back, k, sizeof(*k));
	pcf_ct_orig_key(&rk, &r, &back);
	assert_memory_equal(&back, k, sizeof(*k));
	assert_int_equal(r.rule_id, 7);
	assert_int_equal(e.rule_slot, 3);
	assert_true(e.created == 5 * SEC);
	assert_true(e.packets == 1 && e.bytes == 100);
	assert_true(r.packets == 0 && r.bytes == 0);
}

static void test_create_snat(void **state)
{
	struct pcf_ct_key a = key("198.18.1.10", 4000, "198.18.2.1", 53,
				  IPPROTO_UDP),
			  b = key("198.18.1.11", 4000, "198.18.2.1", 53,
				  IPPROTO_UDP);
	struct pcf_action act = snat_action("198.18.2.77", 20000);
	struct pcf_ct_entry ea, eb, again;

	assert_int_equal(create(&a, &act, 29999, &ea), 0);
	assert_session(&a, &ea);
	assert_int_equal(ea.flags, PCF_CT_NAT | PCF_CT_SNAT | PCF_CT_PORT);
	assert_memory_equal(ea.xlat.src, act.snat.addr, 4);
	/* two clients with one source port: two NAT ports */
	assert_int_equal(create(&b, &act, 29999, &eb), 0);
	assert_session(&b, &eb);
	assert_int_not_equal(ea.xlat.sport, eb.xlat.sport);
	assert_in_range(ntohs(ea.xlat.sport), 20000, 29999);
	assert_in_range(ntohs(eb.xlat.sport), 20000, 29999);
	/* again: found, the same translation */
	assert_int_equal(create(&a, &act, 29999, &again), PCF_CT_FOUND);
	assert_memory_equal(&again, &ea, sizeof(ea));
	assert_int_equal(pcf_ct_mem_count(E.mem), 4);
	/* unmade: both entries and the port go */
	assert_int_equal(pcf_ct_destroy(&E.t, &a, &ea), 0);
	assert_int_equal(pcf_ct_destroy(&E.t, &a, &ea), -ENOENT);
	assert_int_equal(pcf_ct_mem_count(E.mem), 2);
	assert_false(pcf_ct_port_taken(
	    pcf_ct_pool(E.pools, 4, ea.xlat.src, IPPROTO_UDP, false),
	    ntohs(ea.xlat.sport)));
	assert_int_equal(pcf_ct_destroy(&E.t, &b, &eb), 0);
	assert_int_equal(pcf_ct_mem_count(E.mem), 0);
}

/* A range of three ports: three sessions, then none, nothing left. */
static void test_exhaustion(void **state)
{
	struct pcf_action act = snat_action("198.18.2.77", 20000);
	struct pcf_ct_entry e[4];
	struct pcf_ct_key k[4];
	int i;

	for (i = 0; i < 4; i++)
		k[i] =
		    key("198.18.1.10", 4000 + i, "198.18.2.1", 53, IPPROTO_TCP);
	for (i = 0; i < 3; i++)
		assert_int_equal(create(&k[i], &act, 20002, &e[i]), 0);
	assert_int_equal(create(&k[3], &act, 20002, &e[3]), -EADDRNOTAVAIL);
	assert_int_equal(pcf_ct_mem_count(E.mem), 6);
	/* another protocol has ports of its own */
	k[3].proto = IPPROTO_UDP;
	assert_int_equal(create(&k[3], &act, 20002, &e[3]), 0);
	assert_int_equal(pcf_ct_destroy(&E.t, &k[1], &e[1]), 0);
	k[3].proto = IPPROTO_TCP;
	assert_int_equal(create(&k[3], &act, 20002, &e[3]), 0);
	assert_int_equal(e[3].xlat.sport, e[1].xlat.sport);
}

/* A reply tuple in use by another session: the next port, never it. */
static void test_reply_taken(void **state)
{
	struct pcf_action act = snat_action("198.18.2.77", 20000);
	struct pcf_ct_key k = key("198.18.1.10", 20000, "198.18.2.1", 53,
				  IPPROTO_UDP),
			  foreign = key("198.18.2.1", 53, "198.18.2.77", 20000,
					IPPROTO_UDP);
	struct pcf_ct_entry fe = { .xlat = foreign }, e;

	assert_int_equal(E.t.ops->insert(E.t.ctx, &foreign, &fe), 0);
	assert_int_equal(create(&k, &act, 20001, &e), 0);
	assert_int_equal(ntohs(e.xlat.sport), 20001);
	assert_session(&k, &e);
	/* the port given back is not taken */
	assert_false(pcf_ct_port_taken(
	    pcf_ct_pool(E.pools, 4, e.xlat.src, IPPROTO_UDP, false), 20000));
	/* without a port to change: refused */
	act.flags = PCF_ACT_CT | PCF_ACT_DNAT;
	act.dnat = act.snat;
	foreign = key("198.18.2.77", 20000, "198.18.2.1", 5353, IPPROTO_UDP);
	fe.xlat = foreign;
	assert_int_equal(E.t.ops->insert(E.t.ctx, &foreign, &fe), 0);
	k = key("198.18.2.1", 5353, "198.18.9.9", 53, IPPROTO_UDP);
	assert_int_equal(create(&k, &act, 0, &e), -EADDRNOTAVAIL);
	assert_int_equal(pcf_ct_mem_count(E.mem), 4);
}

/* A full table: refused, nothing left behind. */
static void test_full(void **state)
{
	struct pcf_action act = snat_action("198.18.2.77", 0);
	struct pcf_ct_entry e;
	struct pcf_ct_key k;
	unsigned int i;

	for (i = 0; i < 2048; i++) {
		k = key("198.18.1.10", 1000 + i, "198.18.2.1", 53, IPPROTO_UDP);
		assert_int_equal(create(&k, &act, 0, &e), 0);
	}
	k = key("198.18.1.11", 1, "198.18.2.1", 53, IPPROTO_UDP);
	assert_int_equal(create(&k, &act, 0, &e), -ENOSPC);
	assert_int_equal(pcf_ct_mem_count(E.mem), 4096);
	assert_int_equal(pcf_ct_pool_taken(pcf_ct_pool(
			     E.pools, 4, act.snat.addr, IPPROTO_UDP, false)),
			 2048);
}

/* ---- the race ---- */

#define RACE_CONNS 500

struct racer {
	int id;
	pthread_barrier_t *start;
	struct pcf_ct_entry got[RACE_CONNS];
	int made, found;
};

static struct pcf_ct_key race_key(int i)
{
	return key("198.18.1.10", 1000 + i, "198.18.2.1", 53, IPPROTO_UDP);
}

/* One worker: the first packet of every connection, as fast as it can. */
static void *race(void *arg)
{
	struct pcf_action act = snat_action("198.18.2.77", 0);
	struct racer *r = arg;
	struct pcf_ct_plan p;
	struct pcf_ct_key k;
	int i, rc;

	pthread_barrier_wait(r->start);
	for (i = 0; i < RACE_CONNS; i++) {
		k = race_key(i);
		if (pcf_ct_plan(&k, true, &act, 0, NULL, &p))
			abort();
		rc =
		    pcf_ct_create(&E.t, &k, 100, &p, 7, 3, 5 * SEC, &r->got[i]);
		if (rc == 0)
			r->made++;
		else if (rc == PCF_CT_FOUND)
			r->found++;
		else
			abort();
	}
	return NULL;
}

/*
 * Two workers see the first packet of each of 500 connections at once:
 * each connection has one session, both workers translate it the same
 * way, and exactly its port is taken.  Repeated with fresh tables.
 */
static void test_race(void **state)
{
	struct pcf_action act = snat_action("198.18.2.77", 0);
	static struct racer r[2];
	pthread_barrier_t start;
	pthread_t th[2];
	struct pcf_ct_entry e;
	struct pcf_ct_key k;
	int round, i, found = 0;

	for (round = 0; round < 20; round++) {
		teardown(state);
		assert_int_equal(setup(state), 0);
		pthread_barrier_init(&start, NULL, 2);
		for (i = 0; i < 2; i++) {
			memset(&r[i], 0, sizeof(r[i]));
			r[i].start = &start;
			assert_int_equal(
			    pthread_create(&th[i], NULL, race, &r[i]), 0);
		}
		for (i = 0; i < 2; i++)
			pthread_join(th[i], NULL);
		pthread_barrier_destroy(&start);
		assert_int_equal(r[0].made + r[1].made, RACE_CONNS);
		found += r[0].found + r[1].found;
		assert_int_equal(pcf_ct_mem_count(E.mem), 2 * RACE_CONNS);
		assert_int_equal(
		    pcf_ct_pool_taken(pcf_ct_pool(E.pools, 4, act.snat.addr,
						  IPPROTO_UDP, false)),
		    RACE_CONNS);
		for (i = 0; i < RACE_CONNS; i++) {
			k = race_key(i);
			assert_memory_equal(&r[0].got[i], &r[1].got[i],
					    sizeof(e));
			assert_session(&k, &r[0].got[i]);
		}
	}
	/* both found each other's sessions: the race was run */
	print_message(
	    "%d of %d first packets found the other worker's session\n", found,
	    20 * RACE_CONNS);
	assert_true(found > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_timeouts_default),
		cmocka_unit_test(test_tcp_states),
		cmocka_unit_test(test_udp_states_expiry),
		cmocka_unit_test(test_plan),
		cmocka_unit_test(test_ports),
		cmocka_unit_test(test_ports_threads),
		cmocka_unit_test_setup_teardown(test_create_snat, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_exhaustion, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_reply_taken, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_full, setup, teardown),
		cmocka_unit_test_setup_teardown(test_race, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
