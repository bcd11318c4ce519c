// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * test_ctl_out - the control server's outbox (daemon/control/ctl_out.c) with a
 * fake socket (ports that are full or not) and a fake clock: nothing
 * waits, order holds per client, retries back off, quotas and idle limits
 * hold, dumps go in bounded turns.  The real thing under 200 hostile
 * clients is tests/e2e/ctl_stall.sh.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "ctl_out.h"

#define MS 1000000ULL

/* The fake socket: which ports are full, what was delivered. */
struct net {
	__u32 full[512];
	unsigned int nfull;
	unsigned int sends; /* tries, delivered or not */
	__u32 got_port[256];
	char got[256][8];
	unsigned int ngot;
	unsigned int parts_left; /* of the one dump */
	unsigned int refills;
};

static bool is_full(const struct net *n, __u32 port)
{
	for (unsigned int i = 0; i < n->nfull; i++)
		if (n->full[i] == port)
			return true;
	return false;
}

static int fake_send(void *ctx, const void *buf, size_t len, __u32 port)
{
	struct net *n = ctx;

	n->sends++;
	if (is_full(n, port))
		return -EAGAIN;
	if (port == 666)
		return -ECONNREFUSED;
	if (n->ngot < 256) {
		n->got_port[n->ngot] = port;
		snprintf(n->got[n->ngot++], 8, "%.*s", (int)len,
			 (const char *)buf);
	}
	return 0;
}

/* A dump of parts "p9" ... "p0"; "p0" is the last. */
static size_t fake_refill(void *ctx, struct ctl_peer *peer, void *buf,
			  size_t size)
{
	struct net *n = ctx;

	n->refills++;
	if (!n->parts_left)
		return 0;
	n->parts_left--;
	if (!n->parts_left)
		peer->dump.active = false;
	return snprintf(buf, size, "p%u", n->parts_left);
}

static struct ctl_out o;
static struct net net;

static int setup(void **state)
{
	memset(&net, 0, sizeof(net));
	ctl_out_init(&o, fake_send, fake_refill, &net, true);
	return 0;
}

static int teardown(void **state)
{
	ctl_out_free(&o);
	return 0;
}

static void test_free_socket_sends_at_once(void **state)
{
	assert_int_equal(ctl_out_send(&o, 7, 1000, "a", 1, 10 * MS), 0);
	assert_int_equal(net.ngot, 1);
	assert_int_equal(ctl_out_waiting(&o), 0);
	assert_int_equal(ctl_out_next(&o), 0);
	assert_int_equal(ctl_out_send(&o, 666, 1000, "a", 1, 10 * MS),
			 -ECONNREFUSED);
	assert_int_equal(ctl_out_waiting(&o), 0);
}

static void test_full_socket_waits_in_order(void **state)
{
	__u64 now = 10 * MS, next, last_gap = 0;

	net.full[net.nfull++] = 7;
	assert_int_equal(ctl_out_send(&o, 7, 1000, "a", 1, now), 0);
	assert_int_equal(ctl_out_send(&o, 7, 1000, "b", 1, now), 0);
	assert_int_equal(net.sends, 1); /* "b" did not try: behind "a" */
	assert_int_equal(ctl_out_waiting(&o), 1);
	/* retries back off: 1, 2, 4 ... 64 ms, never more */
	for (int i = 0; i < 10; i++) {
		next = ctl_out_next(&o);
		assert_true(next > now);
		assert_true(next - now >= last_gap);
		assert_true(next - now <= CTL_OUT_RETRY_MAX_NS);
		last_gap = next - now;
		ctl_out_run(&o, next - 1, 16); /* not yet: no try */
		assert_int_equal(net.sends, 1 + i);
		now = next;
		ctl_out_run(&o, now, 16);
	}
	assert_int_equal(last_gap, CTL_OUT_RETRY_MAX_NS);
	/* the client reads: both go, in order, and the client is forgotten */
	net.nfull = 0;
	ctl_out_run(&o, ctl_out_next(&o), 16);
	assert_int_equal(net.ngot, 2);
	assert_string_equal(net.got[0], "a");
	assert_string_equal(net.got[1], "b");
	assert_int_equal(ctl_out_waiting(&o), 0);
}

static void test_queue_is_bounded(void **state)
{
	net.full[net.nfull++] = 7;
	for (int i = 0; i < CTL_OUT_QUEUE; i++)
		assert_int_equal(ctl_out_send(&o, 7, 1000, "x", 1, MS), 0);
	assert_int_equal(ctl_out_send(&o, 7, 1000, "x", 1, MS), -ENOBUFS);
	assert_int_equal(o.lost, 1);
}

static void test_quotas(void **state)
{
	__u32 port;
	uid_t uid;

	/* one uid: CTL_OUT_PER_UID clients with output waiting */
	for (port = 1; port <= 200; port++)
		net.full[net.nfull++] = port;
	for (port = 1; port <= CTL_OUT_PER_UID; port++)
		assert_int_equal(ctl_out_send(&o, port, 65534, "x", 1, MS), 0);
	assert_int_equal(ctl_out_send(&o, port, 65534, "x", 1, MS), -ENOBUFS);
	assert_null(ctl_out_claim(&o, port, 65534, MS));
	/* other users up to CTL_OUT_PEERS in all */
	for (uid = 1; ctl_out_waiting(&o) < CTL_OUT_PEERS; uid++)
		assert_int_equal(ctl_out_send(&o, ++port, uid, "x", 1, MS), 0);
	assert_int_equal(ctl_out_send(&o, ++port, uid + 1, "x", 1, MS),
			 -ENOBUFS);
	/* root still has its own room */
	for (int i = 0; i < CTL_OUT_PER_UID; i++)
		assert_int_equal(ctl_out_send(&o, ++port, 0, "x", 1, MS), 0);
	assert_int_equal(ctl_out_send(&o, ++port, 0, "x", 1, MS), -ENOBUFS);
}

static void test_idle_client_is_forgotten(void **state)
{
	__u64 now = MS;

	net.full[net.nfull++] = 7;
	assert_int_equal(ctl_out_send(&o, 7, 1000, "a", 1, now), 0);
	while ((now = ctl_out_next(&o)) && now < MS + CTL_OUT_IDLE_NS)
		ctl_out_run(&o, now, 16);
	assert_int_equal(now, MS + CTL_OUT_IDLE_NS);
	ctl_out_run(&o, now, 16);
	assert_int_equal(ctl_out_waiting(&o), 0);
	assert_int_equal(o.lost, 1);
	/* its uid has room again */
	assert_non_null(ctl_out_claim(&o, 8, 1000, now));
}

static void test_dump_goes_in_turns(void **state)
{
	struct ctl_peer *p = ctl_out_claim(&o, 7, 1000, MS);

	assert_non_null(p);
	net.parts_left = 10;
	p->dump.active = true;
	ctl_out_step(&o, p, MS);
	/* one turn: CTL_OUT_BURST parts, then it waits for its next turn */
	assert_int_equal(net.ngot, CTL_OUT_BURST);
	assert_int_equal(ctl_out_next(&o), MS);
	ctl_out_run(&o, MS, 16);
	assert_int_equal(net.ngot, 2 * CTL_OUT_BURST);
	/* the client's socket fills: one part made and kept, no more */
	net.full[net.nfull++] = 7;
	ctl_out_run(&o, MS, 16);
	assert_int_equal(net.refills, 2 * CTL_OUT_BURST + 1);
	ctl_out_run(&o, ctl_out_next(&o), 16);
	assert_int_equal(net.refills, 2 * CTL_OUT_BURST + 1);
	net.nfull = 0;
	ctl_out_run(&o, ctl_out_next(&o), 16);
	assert_int_equal(net.ngot, 10);
	assert_string_equal(net.got[9], "p0");
	for (int i = 0; i < 10; i++)
		assert_int_equal(net.got[i][1], '9' - i);
	assert_int_equal(ctl_out_waiting(&o), 0);
}

/* Many dumps: one run moves at most max_steps clients, round robin. */
static void test_run_is_bounded(void **state)
{
	struct ctl_peer *p;
	__u32 port;

	net.parts_left = 1000;
	for (port = 1; port <= 20; port++) {
		p = ctl_out_claim(&o, port, 1000 + port, MS);
		assert_non_null(p);
		p->dump.active = true;
	}
	ctl_out_run(&o, MS, 5);
	assert_int_equal(net.ngot, 5 * CTL_OUT_BURST);
	ctl_out_run(&o, MS, 5);
	assert_int_equal(net.ngot, 10 * CTL_OUT_BURST);
	/* the second run went on where the first stopped */
	assert_int_not_equal(net.got_port[0], net.got_port[5 * CTL_OUT_BURST]);
}

static void test_cannot_wait_drops(void **state)
{
	o.can_wait = false;
	net.full[net.nfull++] = 7;
	assert_int_equal(ctl_out_send(&o, 7, 1000, "a", 1, MS), -ENOBUFS);
	assert_int_equal(ctl_out_waiting(&o), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_free_socket_sends_at_once,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_full_socket_waits_in_order,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_queue_is_bounded, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_quotas, setup, teardown),
		cmocka_unit_test_setup_teardown(test_idle_client_is_forgotten,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_dump_goes_in_turns, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_run_is_bounded, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_cannot_wait_drops, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
