// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * test_wthread - the adaptive rx mode of a worker thread.
 *
 * The spin window's rule (pcf_spin_adapt), then a real thread running one
 * worker over rings in plain memory: this test plays the kernel, takes
 * frames from the fill ring and posts them on the rx ring (the pipeline
 * drops them: no pcf_meta), and rings the thread's eventfd when it
 * sleeps, as another worker's hand-off does.  Packets a few hundred
 * microseconds apart must soon stop finding the thread asleep (each
 * would pay a wake-up of its CPU); once they stop, the thread must sleep
 * again.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "worker.h"

#define NFRAMES 256
#define RING	64
#define FSIZE	2048
#define GAP_US	300  /* between two packets */
#define SPIN_US 5000 /* the longest window: a loaded machine's gaps */
#define PACKETS 400

static void test_adapt_rule(void **state)
{
	const __u64 max = 200000;

	(void)state;
	/* a short sleep: from 0 to 10 us, then doubled, up to max */
	assert_int_equal(pcf_spin_adapt(0, 30000, max), 10000);
	assert_int_equal(pcf_spin_adapt(10000, 30000, max), 20000);
	assert_int_equal(pcf_spin_adapt(160000, 30000, max), max);
	assert_int_equal(pcf_spin_adapt(max, 199999, max), max);
	/* a long one: halved, 0 below 10 us */
	assert_int_equal(pcf_spin_adapt(max, max, max), max / 2);
	assert_int_equal(pcf_spin_adapt(40000, 5000000, max), 20000);
	assert_int_equal(pcf_spin_adapt(15000, 5000000, max), 0);
	assert_int_equal(pcf_spin_adapt(0, 5000000, max), 0);
	/* a window of 1 us (--spin-us 1): never more */
	assert_int_equal(pcf_spin_adapt(0, 500, 1000), 1000);
}

static struct pcf_worker wk;
static struct pcf_ring rx, tx, fill, comp;
static struct pcf_wthread th;
static struct pcf_rule *rules;
static struct pcf_counter *rule_ctr;
static __u8 *umem;

static int setup(void **state)
{
	struct pcf_workers_cfg cfg;
	struct pcf_worker *w = &wk;

	(void)state;
	pcf_workers_cfg_init(&cfg);
	rules = calloc(PCF_RULE_SLOTS, sizeof(*rules));
	rule_ctr = calloc(PCF_RULE_SLOTS, sizeof(*rule_ctr));
	umem = calloc(NFRAMES, FSIZE);
	if (!rules || !rule_ctr || !umem ||
	    pcf_worker_init(w, 0, 1, umem, FSIZE, NFRAMES, rules, rule_ctr,
			    &cfg) ||
	    pcf_ring_init(&rx, RING, sizeof(struct xdp_desc)) ||
	    pcf_ring_init(&tx, RING, sizeof(struct xdp_desc)) ||
	    pcf_ring_init(&fill, RING, sizeof(__u64)) ||
	    pcf_ring_init(&comp, RING, sizeof(__u64)))
		return -1;
	w->xsk.rx = rx.cons;
	w->xsk.tx = tx.prod;
	w->xsk.fill = fill.prod;
	w->xsk.comp = comp.cons;
	w->ifindex = 10;
	return pcf_worker_add_egress(w, 10, NULL, NULL);
}

static int teardown(void **state)
{
	(void)state;
	pcf_worker_fini(&wk);
	pcf_ring_free(&rx);
	pcf_ring_free(&tx);
	pcf_ring_free(&fill);
	pcf_ring_free(&comp);
	free(rules);
	free(rule_ctr);
	free(umem);
	return 0;
}

static __u64 now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static __u64 sleeps(void)
{
	return __atomic_load_n(&wk.st.sleeps, __ATOMIC_RELAXED);
}

static __u64 received(void)
{
	return __atomic_load_n(&wk.st.rx_packets, __ATOMIC_RELAXED);
}

/* The "kernel": one packet from the fill ring onto the rx ring. */
static void kernel_rx_one(void)
{
	struct xsk_ring_cons *f = &fill.cons;
	struct xsk_ring_prod *r = &rx.prod;
	__u32 fidx = 0, ridx = 0;
	__u64 chunk;
	__u64 one = 1;

	while (!xsk_cons_nb_avail(f, 1) || !xsk_prod_nb_free(r, 1))
		; /* the worker refills and drains at once */
	xsk_ring_cons__peek(f, 1, &fidx);
	chunk = *xsk_ring_cons__comp_addr(f, fidx);
	xsk_ring_cons__release(f, 1);
	memset(umem + chunk + 256, 0, 64); /* no pcf_meta: dropped */
	xsk_ring_prod__reserve(r, 1, &ridx);
	*xsk_ring_prod__tx_desc(r, ridx) =
	    (struct xdp_desc){ .addr = chunk + 256, .len = 64 };
	xsk_ring_prod__submit(r, 1);
	/* a socket would wake poll(); here the eventfd, as a hand-off */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (__atomic_load_n(&th.sleeping, __ATOMIC_SEQ_CST))
		(void)!write(th.efd, &one, sizeof(one));
}

/*
 * Wait (spinning: the test is the traffic) until t, in us; true if this
 * thread came back too late (descheduled on a busy machine), making a
 * gap the worker may rightly sleep through.
 */
static bool until(__u64 t)
{
	__u64 now;

	while ((now = now_us()) < t)
		;
	return now - t > GAP_US;
}

/* An adaptive thread running our one worker: idle_polls 100, SPIN_US */
static void start_adaptive(void)
{
	static struct pcf_worker *ws[1] = { &wk }; /* th keeps it */

	assert_int_equal(
	    pcf_wthread_init(&th, ws, 1, -1, PCF_RX_ADAPTIVE, 100, SPIN_US), 0);
	assert_int_equal(pthread_create(&th.thread, NULL, pcf_wthread_run, &th),
			 0);
}

static void stop_thread(void)
{
	__atomic_store_n(&th.stop, 1, __ATOMIC_RELEASE);
	(void)!write(th.efd, &(__u64){ 1 }, sizeof(__u64));
	assert_int_equal(pthread_join(th.thread, NULL), 0);
	pcf_wthread_fini(&th);
}

/* received(), once it reaches n or 5 s have passed */
static __u64 wait_received(__u64 n)
{
	__u64 end;

	for (end = now_us() + 5000000; received() < n && now_us() < end;)
		usleep(1000);
	return received();
}

static void test_adaptive_stays_awake(void **state)
{
	__u64 s0, s_half = 0, t, end;
	unsigned int late = 0;
	int i;

	(void)state;
	start_adaptive();
	/* idle: it sleeps */
	for (end = now_us() + 5000000; !sleeps() && now_us() < end;)
		usleep(1000);
	assert_true(sleeps() > 0);
	s0 = sleeps();
	for (i = 0, t = now_us(); i < PACKETS; i++) {
		if (until(t += GAP_US) && i > PACKETS / 2)
			late++;
		t = now_us();
		kernel_rx_one();
		if (i == PACKETS / 2)
			s_half = sleeps();
	}
	assert_int_equal(wait_received(PACKETS), PACKETS);
	printf("sleeps: %llu in the first %d packets %d us apart, %llu in "
	       "the last %d (%u of their gaps late)\n",
	       (unsigned long long)(s_half - s0), PACKETS / 2, GAP_US,
	       (unsigned long long)(sleeps() - s_half), PACKETS / 2, late);
	/* the window grew past the gap: few sleeps in the second half (a
	 * wake-up per packet before); a late gap may cost two */
	assert_true(sleeps() - s_half < PACKETS / 20 + 2 * late);
	/* no more packets: it sleeps again, after the window at most */
	s0 = sleeps();
	for (end = now_us() + 5000000; sleeps() == s0 && now_us() < end;)
		usleep(1000);
	assert_true(sleeps() > s0);
	stop_thread();
}

/*
 * A sender that stalls now and then (every STALL_EVERY-th gap longer
 * than the window): each stall may cost one sleep, but the ordinary gaps
 * in between must not.  The window a stall halves grows back on the
 * gaps it bridges; before, it kept sinking below the ordinary gap, and
 * every stall cost a second wake-up on top of its own.
 */
#define STALL_EVERY 8
#define STALL_US    (SPIN_US + 1000)

static void test_adaptive_through_stalls(void **state)
{
	unsigned int late = 0, stalls = 0;
	__u64 s0 = 0, t;
	int i;

	(void)state;
	start_adaptive();
	for (i = 0, t = now_us(); i < PACKETS; i++) {
		bool stall = i % STALL_EVERY == 0;

		if (until(t += stall ? STALL_US : GAP_US) && i > PACKETS / 2)
			late++;
		t = now_us();
		kernel_rx_one();
		if (i == PACKETS / 2)
			s0 = sleeps();
		else if (i > PACKETS / 2 && stall)
			stalls++;
	}
	assert_int_equal(wait_received(PACKETS), PACKETS);
	printf("sleeps: %llu in the last %d packets, %u stalls among their "
	       "gaps (%u of the gaps late)\n",
	       (unsigned long long)(sleeps() - s0), PACKETS / 2, stalls, late);
	assert_true(sleeps() - s0 <= stalls + stalls / 4 + 2 * late);
	stop_thread();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_adapt_rule),
		cmocka_unit_test_setup_teardown(test_adaptive_stays_awake,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_adaptive_through_stalls,
						setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
