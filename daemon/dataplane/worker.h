/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * worker.h - one worker: an AF_XDP socket on one (interface, rx queue), its
 * share of the UMEM's frames, its pipeline and its counters, and the loop
 * batch rx -> pipeline -> tx.  Internal to workers.c and the tests; pcfd
 * uses workers.h.
 *
 * A thread runs one worker, or all the workers --cpus puts on one CPU
 * (two spinning threads on one CPU would only steal each other's time).
 * A packet leaving on another interface goes straight onto the tx ring of
 * that interface's worker when the same thread runs it; otherwise through
 * an SPSC hand-off ring to that worker, which transmits it and gives the
 * frame back to its owner once the kernel completed it.  No locks, no
 * atomics on counters, nothing allocated after start.
 */
#ifndef PCF_WORKER_H
#define PCF_WORKER_H

#include <net/if.h>
#include <poll.h>
#include <pthread.h>

#include "pipeline.h"
#include "workers.h"
#include "xsk.h"

#define PCF_BATCH_MAX 256

/* Frames from one worker (src) to another (dst) and back. */
struct pcf_handoff {
	struct pcf_ring desc; /* src -> dst: xdp_desc to transmit */
	struct pcf_ring ret;  /* dst -> src: transmitted frames, owned by src */
	struct pcf_worker *src, *dst;
	bool returned; /* dst gave frames back since it last woke src */
};

/* Where a worker sends packets for one egress interface. */
struct pcf_egress_port {
	__u32 ifindex;
	struct pcf_handoff *h; /* NULL: we fill xsk's tx ring ourselves */
	struct pcf_xsk *xsk;   /* without h: ours, or a same-thread worker's */
	__u32 npend, nmirror;
	struct xdp_desc pend[PCF_BATCH_MAX];
	/* mirror copies: on the ring after the packets, so that a full
	 * ring drops copies (counted as mirror) before any packet */
	struct xdp_desc mirror[PCF_BATCH_MAX];
};

struct pcf_worker {
	unsigned int id; /* owns UMEM frames [id * nframes, (id+1) * nframes) */
	char ifname[IF_NAMESIZE];
	__u32 ifindex, queue;
	int cpu; /* -1: not pinned */

	struct pcf_xsk xsk;
	__u8 *umem_area;
	__u32 frame_size;
	__u64 region; /* bytes of UMEM each worker owns */
	struct pcf_frame_pool pool;
	struct pcf_pipeline pl;

	struct pcf_egress_port egress[PCF_MAX_IFACES];
	unsigned int negress; /* egress[0] is our own interface */
	struct pcf_handoff *
	    *in; /* [nworkers]: hand-off from worker i, or NULL */
	/* [nworkers]: worker i when it transmits on our socket from our
	 * thread (its frames come back straight to its pool), or NULL */
	struct pcf_worker **local;

	/* the return path: our socket on the return veth (fd -1: none) */
	struct pcf_xsk ret_xsk;
	struct pcf_egress_port ret;
	__u8 ret_dmac[6], ret_smac[6]; /* the veth's kernel end, our end */
	unsigned int nworkers;

	__u32 batch;
	bool raw; /* pipeline off: forward to egress[1] untouched */
	struct pcf_wthread *t; /* the thread running us; NULL in tests */
	/* our pcf_heartbeat slot (NULL: none, as in tests): the thread
	 * writes pcf_heartbeat_now() there as it goes round */
	volatile __u64 *beat;

	struct pcf_worker_stats st;
};

/* A thread and the workers it runs, in turn, batch by batch. */
struct pcf_wthread {
	struct pcf_worker **w;
	unsigned int n;
	int cpu; /* -1: not pinned */
	enum pcf_rx_mode rx_mode;
	__u32 idle_polls; /* adaptive: empty turns before sleeping */
	/* adaptive: how long an idle spell spins on after idle_polls turns,
	 * between 0 and spin_max_ns as idle spells turn out short or long
	 * (pcf_spin_adapt); idle_since: its first empty turn */
	__u64 spin_ns, spin_max_ns, idle_since;
	int efd;      /* eventfd other threads ring to wake us */
	int sleeping; /* read by other threads: __atomic only */
	int stop;
	struct pollfd *pfd; /* [n + 1]: the sockets, then efd */
	pthread_t thread;
	bool running;
};

/*
 * Set up w (id, its frames in the UMEM at area, its pipeline counting
 * into rule_ctr: PCF_RULE_SLOTS counters w alone writes); the socket
 * rings in w->xsk are filled in by the caller (a real socket, or plain
 * memory in tests).
 */
int pcf_worker_init(struct pcf_worker *w, unsigned int id,
		    unsigned int nworkers, void *umem_area, __u32 frame_size,
		    __u32 nframes, const struct pcf_rule *rules,
		    struct pcf_counter *rule_ctr,
		    const struct pcf_workers_cfg *cfg);
void pcf_worker_fini(struct pcf_worker *w);

/*
 * Add an egress port: packets for ifindex go on our own tx ring (h and
 * peer NULL), through the hand-off h to another thread's worker, or
 * straight onto the tx ring of peer, a worker our thread runs.
 */
int pcf_worker_add_egress(struct pcf_worker *w, __u32 ifindex,
			  struct pcf_handoff *h, struct pcf_worker *peer);
/*
 * Send packets for the kernel out of w->ret_xsk (the caller opened it on
 * the return veth): dmac is the veth's kernel end, smac ours.
 */
void pcf_worker_set_return(struct pcf_worker *w, const __u8 *dmac,
			   const __u8 *smac);
/* Create the hand-off src -> dst (ring sizes from src's frame count). */
int pcf_handoff_create(struct pcf_worker *src, struct pcf_worker *dst,
		       struct pcf_handoff **ret);
void pcf_handoff_destroy(struct pcf_handoff *h);

/* One turn of the loop; returns how many packets it moved. */
unsigned int pcf_worker_step(struct pcf_worker *w);
/* Nothing for w to do: no packet, completion, hand-off or tx waiting. */
bool pcf_worker_idle(struct pcf_worker *w);

/*
 * Set up t to run the n workers at w (an array t keeps), in mode; an
 * eventfd and the poll set are allocated here.
 */
int pcf_wthread_init(struct pcf_wthread *t, struct pcf_worker **w,
		     unsigned int n, int cpu, enum pcf_rx_mode mode,
		     __u32 idle_polls, __u32 spin_us);
/*
 * Adaptive: the spin window after a sleep that ended an idle spell of
 * gap_ns (first empty turn to the work that woke us): doubled (from
 * 10 us) up to max_ns when gap_ns < max_ns, the sleep cost a wake-up that
 * spinning would have saved; else halved (0 below 10 us).
 */
__u64 pcf_spin_adapt(__u64 spin_ns, __u64 gap_ns, __u64 max_ns);
void pcf_wthread_fini(struct pcf_wthread *t);
/* The thread: every worker's pcf_worker_step in the rx mode until stop. */
void *pcf_wthread_run(void *arg);

#endif /* PCF_WORKER_H */
