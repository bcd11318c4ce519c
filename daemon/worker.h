/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * worker.h - one worker: an AF_XDP socket on one (interface, rx queue), its
 * share of the UMEM's frames, its pipeline and its counters, and the loop
 * batch rx -> pipeline -> tx.  Internal to workers.c and the tests; pcfd
 * uses workers.h.
 *
 * Frames move between workers only through SPSC hand-off rings: a packet
 * leaving on another interface goes to that interface's worker, which
 * transmits it and gives the frame back to its owner once the kernel
 * completed it.  No locks, no atomics on counters, nothing allocated after
 * start.
 */
#ifndef PCF_WORKER_H
#define PCF_WORKER_H

#include <net/if.h>
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
	struct pcf_handoff *h; /* NULL: our own socket */
	struct pcf_xsk *xsk;   /* without h: the socket to transmit on */
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

	/* the return path: our socket on the return veth (fd -1: none) */
	struct pcf_xsk ret_xsk;
	struct pcf_egress_port ret;
	__u8 ret_dmac[6], ret_smac[6]; /* the veth's kernel end, our end */
	unsigned int nworkers;

	__u32 batch;
	enum pcf_rx_mode rx_mode;
	__u32 idle_polls; /* adaptive: empty polls before sleeping */
	bool raw;	  /* pipeline off: forward to egress[1] untouched */
	int efd;      /* eventfd other workers ring to wake us; -1 in tests */
	int sleeping; /* read by other workers: __atomic only */
	int stop;

	struct pcf_worker_stats st;
	pthread_t thread;
	bool running;
};

/*
 * Set up w (id, its frames in the UMEM at area, its pipeline); the socket
 * rings in w->xsk are filled in by the caller (a real socket, or plain
 * memory in tests).
 */
int pcf_worker_init(struct pcf_worker *w, unsigned int id,
		    unsigned int nworkers, void *umem_area, __u32 frame_size,
		    __u32 nframes, const struct pcf_rule *rules,
		    const struct pcf_workers_cfg *cfg);
void pcf_worker_fini(struct pcf_worker *w);

/* Add an egress port: packets for ifindex go through h (NULL: own socket). */
int pcf_worker_add_egress(struct pcf_worker *w, __u32 ifindex,
			  struct pcf_handoff *h);
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

/* The thread: pcf_worker_step in the configured rx mode until stop. */
void *pcf_worker_thread(void *arg);

#endif /* PCF_WORKER_H */
