// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * test_frames - UMEM frame accounting of the workers, without sockets.
 *
 * Three workers on three "interfaces" get rings over plain memory; this
 * test plays the kernel: it takes frames from their fill rings, writes
 * packets with pcf_meta into them and posts rx descriptors; it consumes
 * their tx rings (sometimes not, so they fill up) and posts completions.
 * Workers 0 and 1 play two run by one thread: each puts packets for the
 * other straight onto its tx ring; worker 2 is reached through hand-off
 * rings.  A million packets go through every path: forwarded on the same
 * interface, sent on a same-thread worker's socket, handed to another
 * thread's worker, dropped in the pipeline (TTL,
 * bad metadata), egress not ours, tx or hand-off ring full, mirrored.
 * Then, once the kernel side is drained, every frame must be back in its
 * owner's pool or fill ring, each exactly once.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <cmocka.h>

#include "worker.h"
#include "pkt_csum.h"

#define NW	3
#define NFRAMES 256
#define RING	64
#define FSIZE	4096
#define RX_OFF	320 /* where this "kernel" puts received data */
#define PACKETS 1000000

enum { R_FWD = 1, R_TTL = 2, R_MIRROR = 3 };

struct fake_sock {
	struct pcf_ring rx, tx, fill, comp;
};

static struct pcf_worker wk[NW];
static struct fake_sock fs[NW];
static struct pcf_rule *rules;
static struct pcf_counter *rule_ctr; /* NW rows */
static __u8 *umem;
static struct frame pkt_fwd, pkt_ttl1;
static const __u32 ifidx[NW] = { 10, 20, 30 };
static __u64 kernel_tx[NW], foreign_tx, direct_tx, mirror_tx;

/* wk[0] and wk[1] are "run by one thread" */
static bool one_thread(unsigned int i, unsigned int j)
{
	return i < 2 && j < 2;
}

static void rule_set(__u32 slot, __u32 flags, __s8 ttl_delta, __u32 mirror_if)
{
	struct pcf_rule *r = &rules[slot];

	r->id = slot;
	r->ctr = slot;
	r->flags = PCF_RULE_USED;
	r->action.verdict = PCF_VERDICT_REDIRECT;
	r->action.egress = PCF_EGRESS_WIRE;
	r->action.flags = flags;
	r->action.ttl_delta = ttl_delta;
	r->action.mirror_ifindex = mirror_if;
}

static void build_frames(void)
{
	struct frame_spec s = { .family = 4,
				.proto = IPPROTO_UDP,
				.src = "198.18.0.1",
				.dst = "198.19.0.1",
				.sport = 1,
				.dport = 2,
				.payload = 22 };

	frame_build(&pkt_fwd, &s);
	s.ttl = 1;
	frame_build(&pkt_ttl1, &s);
}

static void setup_worker(unsigned int i, const struct pcf_workers_cfg *cfg)
{
	struct pcf_worker *w = &wk[i];

	assert_int_equal(
	    pcf_worker_init(w, i, NW, umem, FSIZE, NFRAMES, rules,
			    rule_ctr + (size_t)i * PCF_RULE_SLOTS, cfg),
	    0);
	w->ifindex = ifidx[i];
	assert_int_equal(
	    pcf_ring_init(&fs[i].rx, RING, sizeof(struct xdp_desc)), 0);
	assert_int_equal(
	    pcf_ring_init(&fs[i].tx, RING, sizeof(struct xdp_desc)), 0);
	assert_int_equal(pcf_ring_init(&fs[i].fill, RING, sizeof(__u64)), 0);
	assert_int_equal(pcf_ring_init(&fs[i].comp, RING, sizeof(__u64)), 0);
	/* the worker's side of each ring; the test keeps the other */
	w->xsk.rx = fs[i].rx.cons;
	w->xsk.tx = fs[i].tx.prod;
	w->xsk.fill = fs[i].fill.prod;
	w->xsk.comp = fs[i].comp.cons;
	assert_int_equal(pcf_worker_add_egress(w, ifidx[i], NULL, NULL), 0);
}

static int setup(void **state)
{
	struct pcf_workers_cfg cfg;
	struct pcf_handoff *h;
	unsigned int i, j;

	pcf_workers_cfg_init(&cfg);
	cfg.batch = 32;
	rules = calloc(PCF_RULE_SLOTS, sizeof(*rules));
	rule_ctr = calloc((size_t)NW * PCF_RULE_SLOTS, sizeof(*rule_ctr));
	umem = calloc(NW * NFRAMES, FSIZE);
	if (!rules || !rule_ctr || !umem)
		return -1;
	rule_set(R_FWD, PCF_ACT_TTL, -1, 0);
	rule_set(R_TTL, PCF_ACT_TTL, -1, 0);
	rule_set(R_MIRROR, PCF_ACT_TTL | PCF_ACT_MIRROR, -1, ifidx[1]);
	build_frames();
	for (i = 0; i < NW; i++)
		setup_worker(i, &cfg);
	for (i = 0; i < NW; i++)
		for (j = 0; j < NW; j++) {
			if (i == j)
				continue;
			if (one_thread(i, j)) {
				if (pcf_worker_add_egress(&wk[i], ifidx[j],
							  NULL, &wk[j]))
					return -1;
				continue;
			}
			if (pcf_handoff_create(&wk[i], &wk[j], &h))
				return -1;
			if (pcf_worker_add_egress(&wk[i], ifidx[j], h, NULL))
				return -1;
		}
	return 0;
}

/* The "kernel" receives up to n packets on worker i's socket. */
static __u64 kernel_rx(unsigned int i, unsigned int n)
{
	struct xsk_ring_cons *fill = &fs[i].fill.cons;
	struct xsk_ring_prod *rx = &fs[i].rx.prod;
	__u32 fidx = 0, ridx = 0, k;

	n = xsk_cons_nb_avail(fill, n);
	if (n > xsk_prod_nb_free(rx, n))
		n = xsk_prod_nb_free(rx, n);
	if (!n)
		return 0;
	xsk_ring_cons__peek(fill, n, &fidx);
	xsk_ring_prod__reserve(rx, n, &ridx);
	for (k = 0; k < n; k++) {
		__u64 chunk = *xsk_ring_cons__comp_addr(fill, fidx + k);
		int kind = rand() % 10;
		const struct frame *f = kind == 0 ? &pkt_ttl1 : &pkt_fwd;
		struct pcf_meta m = meta_for(f, 4, IPPROTO_UDP, true);
		__u8 *data = umem + chunk + RX_OFF;

		m.rule_slot = kind == 0 ? R_TTL : kind == 1 ? R_MIRROR : R_FWD;
		m.rule_id = m.rule_slot;
		m.fib = PCF_FIB_OK;
		/* mostly our interfaces, sometimes one pcf does not run on */
		m.fib_ifindex = kind == 2 ? 99 : ifidx[rand() % NW];
		if (kind == 3)
			m.magic = 0;
		memcpy(data - sizeof(m), &m, sizeof(m));
		memcpy(data, f->data, f->len);
		*xsk_ring_prod__tx_desc(rx, ridx + k) =
		    (struct xdp_desc){ .addr = chunk + RX_OFF, .len = f->len };
	}
	xsk_ring_cons__release(fill, n);
	xsk_ring_prod__submit(rx, n);
	return n;
}

/* The "kernel" transmits up to n frames of worker i and completes them. */
static void kernel_tx_complete(unsigned int i, unsigned int n)
{
	struct xsk_ring_cons *tx = &fs[i].tx.cons;
	struct xsk_ring_prod *comp = &fs[i].comp.prod;
	__u32 tidx = 0, cidx = 0, k;

	n = xsk_cons_nb_avail(tx, n);
	if (n > xsk_prod_nb_free(comp, n))
		n = xsk_prod_nb_free(comp, n);
	if (!n)
		return;
	xsk_ring_cons__peek(tx, n, &tidx);
	xsk_ring_prod__reserve(comp, n, &cidx);
	for (k = 0; k < n; k++) {
		__u64 addr = xsk_ring_cons__rx_desc(tx, tidx + k)->addr;
		unsigned int owner = addr / (NFRAMES * FSIZE);

		if (addr % FSIZE == XDP_PACKET_HEADROOM)
			mirror_tx++;
		if (owner != i && one_thread(owner, i))
			direct_tx++;
		else if (owner != i)
			foreign_tx++;
		*xsk_ring_prod__fill_addr(comp, cidx + k) = addr;
	}
	xsk_ring_cons__release(tx, n);
	xsk_ring_prod__submit(comp, n);
	kernel_tx[i] += n;
}

static void turn(bool traffic)
{
	unsigned int i;

	for (i = 0; i < NW; i++) {
		if (traffic)
			kernel_rx(i, rand() % 48);
		/* a stalled tx side fills tx and hand-off rings */
		if (!traffic || rand() % 4)
			kernel_tx_complete(i, rand() % 64);
		if (!traffic || rand() % 5)
			pcf_worker_step(&wk[i]);
	}
}

/* Mark chunk as seen exactly once, and at its owner. */
static void mark(__u8 *seen, __u64 chunk, unsigned int owner)
{
	assert_int_equal(chunk % FSIZE, 0);
	assert_true(chunk < (__u64)NW * NFRAMES * FSIZE);
	assert_int_equal(chunk / (NFRAMES * FSIZE), owner);
	assert_int_equal(seen[chunk / FSIZE], 0);
	seen[chunk / FSIZE] = 1;
}

static void assert_all_frames_home(void)
{
	static __u8 seen[NW * NFRAMES];
	unsigned int i, k;

	memset(seen, 0, sizeof(seen));
	for (i = 0; i < NW; i++) {
		struct xsk_ring_cons *fill = &fs[i].fill.cons;
		/* all of it, not what the cached view shows */
		__u32 n = *fill->producer - *fill->consumer, idx = 0;

		fill->cached_prod = *fill->producer;

		for (k = 0; k < wk[i].pool.count; k++)
			mark(seen, wk[i].pool.addrs[k], i);
		if (n)
			xsk_ring_cons__peek(fill, n, &idx);
		for (k = 0; k < n; k++)
			mark(seen, *xsk_ring_cons__comp_addr(fill, idx + k), i);
		xsk_ring_cons__cancel(fill, n);
		assert_int_equal(wk[i].pool.count + n, NFRAMES);
	}
}

static void test_million(void **state)
{
	struct pcf_worker_stats sum = {};
	__u64 rx = 0, ktx = 0;
	unsigned int i, r;

	while (rx < PACKETS) {
		turn(true);
		for (rx = 0, i = 0; i < NW; i++)
			rx += wk[i].st.rx_packets;
	}
	for (r = 0; r < 100; r++)
		turn(false);
	assert_all_frames_home();

	for (i = 0; i < NW; i++) {
		for (r = 0; r < PCF_WDROP_MAX; r++)
			sum.drops[r] += wk[i].st.drops[r];
		sum.tx_packets += wk[i].st.tx_packets;
		ktx += kernel_tx[i];
	}
	for (r = 0; r < PCF_WDROP_MAX; r++)
		printf("%-16s %llu\n", pcf_wdrop_name(r),
		       (unsigned long long)sum.drops[r]);
	printf("tx %llu, same thread %llu, handed over %llu, mirrors %llu\n",
	       (unsigned long long)sum.tx_packets,
	       (unsigned long long)direct_tx, (unsigned long long)foreign_tx,
	       (unsigned long long)mirror_tx);
	/* every path was taken... */
	assert_true(sum.drops[PCF_WDROP_TTL_EXPIRED] > 0);
	assert_true(sum.drops[PCF_WDROP_BAD_META] > 0);
	assert_true(sum.drops[PCF_WDROP_NOT_OURS] > 0);
	assert_true(sum.drops[PCF_WDROP_TX_FULL] > 0);
	assert_true(foreign_tx > 0);
	assert_true(direct_tx > 0);
	assert_true(mirror_tx > 0);
	/* ...and what the workers put on tx rings is what the kernel sent */
	assert_int_equal(sum.tx_packets, ktx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_million),
	};
	unsigned int seed = getenv("PCF_TEST_SEED")
				? strtoul(getenv("PCF_TEST_SEED"), NULL, 0)
				: (unsigned int)time(NULL);

	printf("seed %u\n", seed);
	srand(seed);
	return cmocka_run_group_tests(tests, setup, NULL);
}
