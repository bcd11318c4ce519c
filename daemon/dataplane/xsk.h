/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * xsk.h - AF_XDP plumbing of the workers: one UMEM shared by all of them,
 * one socket per (interface, queue) with its own fill and completion
 * rings, published in pcf's xskmap; the free-frame pool; and a
 * single-producer single-consumer ring in the AF_XDP layout for hand-offs
 * between workers (and, in tests, to stand in for the kernel's side).
 */
#ifndef PCF_XSK_H
#define PCF_XSK_H

#include <stdbool.h>
#include <time.h>
#include <xdp/xsk.h>

enum pcf_bind_mode {
	PCF_BIND_AUTO = 0, /* zero-copy if the driver can, else copy */
	PCF_BIND_COPY,
	PCF_BIND_ZEROCOPY,
};

const char *pcf_bind_mode_name(enum pcf_bind_mode m);

/*
 * An SPSC ring: prod is used by one thread only, cons by one other; the
 * xsk_ring_prod__* / xsk_ring_cons__* accessors of xdp/xsk.h work on it.
 */
struct pcf_ring {
	struct xsk_ring_prod prod;
	struct xsk_ring_cons cons;
	void *mem;
};

/* size: a power of 2; entry_size: sizeof(__u64) or sizeof(struct xdp_desc) */
int pcf_ring_init(struct pcf_ring *r, __u32 size, size_t entry_size);
void pcf_ring_free(struct pcf_ring *r);

/*
 * The free frames one worker owns.  Frames are identified by the UMEM
 * offset of their chunk; each worker owns a contiguous region of the UMEM,
 * so a frame's owner follows from its address.
 */
struct pcf_frame_pool {
	__u64 *addrs;
	__u32 count; /* free frames on the stack */
	__u32 cap;   /* frames this pool owns */
};

int pcf_pool_init(struct pcf_frame_pool *p, __u64 base, __u32 nframes,
		  __u32 frame_size);
void pcf_pool_free(struct pcf_frame_pool *p);

static inline void pcf_pool_put(struct pcf_frame_pool *p, __u64 chunk)
{
	p->addrs[p->count++] = chunk;
}

static inline bool pcf_pool_get(struct pcf_frame_pool *p, __u64 *ret)
{
	if (!p->count)
		return false;
	*ret = p->addrs[--p->count];
	return true;
}

/* One AF_XDP socket with the four rings it uses. */
struct pcf_xsk {
	struct xsk_ring_cons rx;
	struct xsk_ring_prod tx;
	struct xsk_ring_prod fill;
	struct xsk_ring_cons comp;
	struct xsk_socket *xsk;
	int fd;	       /* -1: no socket (tests), no syscalls */
	bool zerocopy; /* the bind mode the kernel chose */
	__u32 map_key; /* our slot in pcf_xskmap, once published */
	bool published;
};

/* The UMEM all workers share. */
struct pcf_umem {
	struct xsk_umem *umem;
	void *area;
	size_t size;
	__u32 frame_size;
	__u32 ring_size;
	/* rings of the first socket, handed to xsk_umem__create */
	struct xsk_ring_prod fill0;
	struct xsk_ring_cons comp0;
};

/* frame_size: 2048 or 4096 (a power of 2 up to the page size) */
int pcf_umem_create(struct pcf_umem *u, __u64 nframes, __u32 ring_size,
		    __u32 frame_size);
void pcf_umem_destroy(struct pcf_umem *u);

/*
 * Open an AF_XDP socket on ifname/queue in the shared UMEM (the first one
 * decides zero-copy or copy for all; -EOPNOTSUPP if zero-copy is asked for
 * and the driver cannot).  Retries briefly on EBUSY (a socket that just
 * closed).
 */
int pcf_xsk_open(struct pcf_xsk *x, struct pcf_umem *u, bool first,
		 const char *ifname, __u32 queue, enum pcf_bind_mode mode,
		 __u32 tx_budget);
/*
 * Insert the socket into pcf_xskmap at pcf_ifaces[ifindex].xsk_base +
 * queue; heartbeats (the mmapped pcf_heartbeat, or NULL) gets the slot's
 * first beat before, so that the steering program finds it alive.
 */
int pcf_xsk_publish(struct pcf_xsk *x, int xskmap_fd, int ifaces_fd,
		    __u32 ifindex, __u32 queue, volatile __u64 *heartbeats);
/* Take the socket out of pcf_xskmap (if there). */
void pcf_xsk_unpublish(struct pcf_xsk *x, int xskmap_fd);
void pcf_xsk_close(struct pcf_xsk *x, int xskmap_fd);
/* The kernel's counters of the socket (getsockopt XDP_STATISTICS). */
int pcf_xsk_stats(const struct pcf_xsk *x, struct xdp_statistics *ret);

/* A heartbeat: the clock of bpf_ktime_get_coarse_ns(), in ns (pcf_abi.h). */
static inline __u64 pcf_heartbeat_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return (__u64)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

#endif /* PCF_XSK_H */
