/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * workers.h - the AF_XDP fast path as pcfd sees it: start one worker per
 * (interface, rx queue) (a thread each, or one thread for the workers
 * --cpus puts on one CPU), read their counters, stop them.
 *
 * Packets a rule REDIRECTs reach a worker with the rule's slot in XDP
 * metadata; the worker reads the rule's action from the mmapped rule
 * table, runs the pipeline (NAT, TTL/DF rewrite) and, for wire egress,
 * transmits on the AF_XDP socket of the interface the kernel's FIB chose.
 * Closing a socket empties its xskmap slot: the steering program then
 * passes the flow to the kernel, so stopping (or killing) the workers
 * never blackholes traffic.  Nor does stopping pcfd without closing them
 * (SIGSTOP): each thread writes a heartbeat per queue (pcf_heartbeat),
 * and the steering program passes the flows of a queue whose heartbeat
 * is too old to the kernel.
 */
#ifndef PCF_WORKERS_H
#define PCF_WORKERS_H

#include <stdbool.h>
#include <net/if.h>
#include <linux/types.h>

#include "loader.h"
#include "pipeline.h" /* enum pcf_wdrop, pcf_wdrop_name() */
#include "xsk.h"

enum pcf_rx_mode {
	PCF_RX_POLL = 0,  /* spin */
	PCF_RX_INTERRUPT, /* sleep in poll() whenever idle */
	/* spin while busy, sleep after idle_polls empty polls in a row and
	 * a spin window that follows the gaps between packets */
	PCF_RX_ADAPTIVE,
	PCF_RX_MAX,
};

#define PCF_WORKERS_QUEUES_ALL 0
#define PCF_WORKERS_MAX_CPUS   64
/* UMEM frames per worker: a fill ring of 64 and as many in flight at the
 * least; at the most 128 MiB (256 MiB with 4 KiB frames) a worker */
#define PCF_WORKERS_FRAMES_MIN	   128
#define PCF_WORKERS_FRAMES_MAX	   65536
#define PCF_WORKERS_FRAMES_DEFAULT 4096
/* adaptive: the longest an idle worker thread spins before it sleeps */
#define PCF_WORKERS_SPIN_US_MAX	    1000000
#define PCF_WORKERS_SPIN_US_DEFAULT 200

struct pcf_workers_cfg {
	__u32 queues; /* rx queues per interface; PCF_WORKERS_QUEUES_ALL */
	/* enum pcf_egress for rules that name none */
	__u8 default_egress;
	/* the return veth's end the workers transmit on ("": no return
	 * path, packets for the kernel are dropped), the MAC addresses of
	 * its kernel end (dmac) and of this end (smac) */
	char ret_ifname[IF_NAMESIZE];
	__u8 ret_dmac[6], ret_smac[6];
	enum pcf_rx_mode rx_mode;
	__u32 idle_polls; /* adaptive; 0: the default */
	__u32 spin_us;	  /* adaptive: the longest spin window; 0: default */
	enum pcf_bind_mode bind_mode;
	__u32 batch;  /* packets per rx batch; 0: default, max 256 */
	__u32 frames; /* UMEM frames per worker, PCF_WORKERS_FRAMES_MIN..MAX;
		       * 0: the default */
	int cpus[PCF_WORKERS_MAX_CPUS]; /* worker i runs on cpus[i % ncpus] */
	unsigned int ncpus;		/* 0: not pinned */
	/* benchmarks only (pcfd --pipeline off): every packet goes out of
	 * the next interface untouched, pcf's floor */
	bool pipeline_off;
	/* the addresses ct masquerade takes (NULL: none) */
	const struct pcf_ct_addrs *ct_addrs;
};

/* Defaults: all queues, kernel egress, adaptive, auto, 64, 4096 frames. */
void pcf_workers_cfg_init(struct pcf_workers_cfg *cfg);
/* Parse a --cpus list ("0,2-3") into cfg; -EINVAL on a bad list. */
int pcf_workers_parse_cpus(struct pcf_workers_cfg *cfg, const char *list);
const char *pcf_rx_mode_name(enum pcf_rx_mode m);
/* "poll", "interrupt", "adaptive" -> mode; -EINVAL otherwise */
int pcf_rx_mode_parse(const char *s);

struct pcf_workers;

/*
 * Start workers on the given interfaces (already attached with
 * pcf_dp_attach).  Every socket is open and in pcf_xskmap when this
 * returns 0; on error nothing is left running.
 */
int pcf_workers_start(struct pcf_dp *dp, const char *const *ifnames, int n,
		      const struct pcf_workers_cfg *cfg,
		      struct pcf_workers **ret);
/* Empty the xskmap slots, stop the threads, close and free everything. */
void pcf_workers_stop(struct pcf_workers *w);

/* Counters of one worker; plain u64s, written by its thread only. */
struct pcf_worker_stats {
	__u64 rx_packets, rx_bytes;
	__u64 tx_packets, tx_bytes; /* handed to a tx ring */
	__u64 drops[24]; /* by enum pcf_wdrop, PCF_WDROP_MAX of them */
	/* sent to the kernel through the return veth, by why (enum
	 * pcf_wdrop: egress_kernel, or the wire fallbacks) */
	__u64 returned[24];
	__u64 mirrors;	 /* mirror copies handed to a tx (or hand-off) ring */
	__u64 heartbeat; /* loop turns: moves while the thread lives */
	__u64 sleeps;	 /* times its thread slept in poll() (counted on
			    the thread's first worker) */
	__u64 kicks;	 /* sendto()/recvfrom() wake-ups of the kernel */
	/* received TCP/UDP checksums checked (a sample), and found bad */
	__u64 csum_sampled, csum_bad;
	struct pcf_ct_wstats ct; /* sessions */
};

struct pcf_worker_info {
	char ifname[IF_NAMESIZE];
	__u32 ifindex;
	__u32 queue;
	int cpu;       /* -1: not pinned */
	bool zerocopy; /* bind mode in use */
	struct pcf_worker_stats stats;
	/* the kernel's counters of its socket, and of its socket on the
	 * return veth (with has_ret_sock): what the kernel dropped before
	 * the worker saw it (rx ring full, no free frame, too long) */
	struct xdp_statistics sock, ret_sock;
	bool has_ret_sock;
	/* when its thread last went round (pcf_heartbeat_now()'s clock), as
	 * pcf_steer sees it; 0: it has no pcf_heartbeat slot */
	__u64 beat_ns;
};

unsigned int pcf_workers_count(const struct pcf_workers *w);
/* Threads running them: one per worker, or one per CPU --cpus names. */
unsigned int pcf_workers_threads(const struct pcf_workers *w);
/*
 * The largest packet a worker can receive (its UMEM frame less the XDP
 * headroom: 2048 - 256 unless an interface's MTU needs 4096); pcfd passes
 * it to pcf_steer, which gives longer ones of REDIRECTed flows to the
 * kernel (too_big).
 */
__u32 pcf_workers_max_packet(const struct pcf_workers *w);
/*
 * The UMEM frame size workers use for interfaces whose largest MTU is
 * mtu: 2048 when a frame of that MTU (with Ethernet header and two VLAN
 * tags) fits after the XDP headroom, else 4096.
 */
__u32 pcf_workers_frame_size(__u32 mtu);
/* What a frame of frame_size bytes takes: frame_size less the headroom. */
__u32 pcf_workers_frame_room(__u32 frame_size);
/* Copy out worker i's identity and counters; -ENOENT past the end. */
int pcf_workers_info(const struct pcf_workers *w, unsigned int i,
		     struct pcf_worker_info *ret);
/* The stats of all workers summed. */
void pcf_workers_stats_sum(const struct pcf_workers *w,
			   struct pcf_worker_stats *ret);

#endif /* PCF_WORKERS_H */
