// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * xsk.c - UMEM, AF_XDP sockets, the frame pool and SPSC rings.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <linux/if_xdp.h>
#include <bpf/bpf.h>

#include "pcf_abi.h"
#include "xsk.h"

#ifndef XDP_MAX_TX_SKB_BUDGET
#define XDP_MAX_TX_SKB_BUDGET 9
#endif

const char *pcf_bind_mode_name(enum pcf_bind_mode m)
{
	switch (m) {
	case PCF_BIND_COPY:
		return "copy";
	case PCF_BIND_ZEROCOPY:
		return "zerocopy";
	default:
		return "auto";
	}
}

/* Layout: producer, consumer and flags words, then the entries. */
struct ring_words {
	__u32 producer;
	__u32 consumer;
	__u32 flags;
	__u32 pad;
};

int pcf_ring_init(struct pcf_ring *r, __u32 size, size_t entry_size)
{
	struct ring_words *w;

	if (!size || (size & (size - 1)))
		return -EINVAL;
	w = aligned_alloc(64, (sizeof(*w) + size * entry_size + 63) / 64 * 64);
	if (!w)
		return -ENOMEM;
	memset(w, 0, sizeof(*w));
	r->mem = w;
	r->prod = (struct xsk_ring_prod){
		.cached_cons = size, /* xsk.h keeps the consumer + size */
		.mask = size - 1,
		.size = size,
		.producer = &w->producer,
		.consumer = &w->consumer,
		.ring = w + 1,
		.flags = &w->flags,
	};
	r->cons = (struct xsk_ring_cons){
		.mask = size - 1,
		.size = size,
		.producer = &w->producer,
		.consumer = &w->consumer,
		.ring = w + 1,
		.flags = &w->flags,
	};
	return 0;
}

void pcf_ring_free(struct pcf_ring *r)
{
	free(r->mem);
	r->mem = NULL;
}

int pcf_pool_init(struct pcf_frame_pool *p, __u64 base, __u32 nframes,
		  __u32 frame_size)
{
	__u32 i;

	p->addrs = calloc(nframes, sizeof(*p->addrs));
	if (!p->addrs)
		return -ENOMEM;
	/* hand out low addresses first: easier to read in a debugger */
	for (i = 0; i < nframes; i++)
		p->addrs[i] = base + (__u64)(nframes - 1 - i) * frame_size;
	p->count = p->cap = nframes;
	return 0;
}

void pcf_pool_free(struct pcf_frame_pool *p)
{
	free(p->addrs);
	p->addrs = NULL;
}

int pcf_umem_create(struct pcf_umem *u, __u64 nframes, __u32 ring_size,
		    __u32 frame_size)
{
	struct xsk_umem_config cfg = {
		.fill_size = ring_size,
		.comp_size = ring_size,
		.frame_size = frame_size,
		.frame_headroom = 0,
	};
	int err;

	memset(u, 0, sizeof(*u));
	u->frame_size = cfg.frame_size;
	u->ring_size = ring_size;
	u->size = nframes * u->frame_size;
	u->area = mmap(NULL, u->size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (u->area == MAP_FAILED) {
		u->area = NULL;
		return -errno;
	}
	err = xsk_umem__create(&u->umem, u->area, u->size, &u->fill0, &u->comp0,
			       &cfg);
	if (err) {
		munmap(u->area, u->size);
		u->area = NULL;
		return err;
	}
	return 0;
}

void pcf_umem_destroy(struct pcf_umem *u)
{
	if (u->umem)
		xsk_umem__delete(u->umem);
	if (u->area)
		munmap(u->area, u->size);
	memset(u, 0, sizeof(*u));
}

static bool is_zerocopy(int fd)
{
	struct xdp_options opts = {};
	socklen_t len = sizeof(opts);

	return !getsockopt(fd, SOL_XDP, XDP_OPTIONS, &opts, &len) &&
	       (opts.flags & XDP_OPTIONS_ZEROCOPY);
}

int pcf_xsk_open(struct pcf_xsk *x, struct pcf_umem *u, bool first,
		 const char *ifname, __u32 queue, enum pcf_bind_mode mode,
		 __u32 tx_budget)
{
	struct xsk_socket_config cfg = {
		.rx_size = u->ring_size,
		.tx_size = u->ring_size,
		.libxdp_flags = XSK_LIBXDP_FLAGS__INHIBIT_PROG_LOAD,
		.bind_flags = XDP_USE_NEED_WAKEUP,
	};
	struct timespec pause = { .tv_nsec = 20 * 1000 * 1000 };
	int err, tries;

	memset(x, 0, sizeof(*x));
	x->fd = -1;
	if (mode == PCF_BIND_ZEROCOPY)
		cfg.bind_flags |= XDP_ZEROCOPY;
	else if (mode == PCF_BIND_COPY)
		cfg.bind_flags |= XDP_COPY;
	if (first) {
		/* the rings xsk_umem__create set up belong to this socket */
		x->fill = u->fill0;
		x->comp = u->comp0;
	}
	for (tries = 0; tries < 50; tries++) {
		err = xsk_socket__create_shared(&x->xsk, ifname, queue, u->umem,
						&x->rx, &x->tx, &x->fill,
						&x->comp, &cfg);
		if (err != -EBUSY)
			break;
		nanosleep(&pause, NULL);
	}
	if (err)
		return err;
	x->fd = xsk_socket__fd(x->xsk);
	x->zerocopy = is_zerocopy(x->fd);
	if (mode == PCF_BIND_ZEROCOPY && !x->zerocopy) {
		pcf_xsk_close(x, -1);
		return -EOPNOTSUPP;
	}
	/* copy-mode TX sends at most this many frames per kick; best effort */
	if (tx_budget)
		setsockopt(x->fd, SOL_XDP, XDP_MAX_TX_SKB_BUDGET, &tx_budget,
			   sizeof(tx_budget));
	return 0;
}

int pcf_xsk_publish(struct pcf_xsk *x, int xskmap_fd, int ifaces_fd,
		    __u32 ifindex, __u32 queue, volatile __u64 *heartbeats)
{
	struct pcf_iface iface;

	if (queue >= PCF_MAX_QUEUES)
		return -ERANGE;
	if (bpf_map_lookup_elem(ifaces_fd, &ifindex, &iface))
		return -ENODEV; /* not attached by pcf */
	x->map_key = iface.xsk_base + queue;
	if (x->map_key >= PCF_XSKMAP_SIZE)
		return -ERANGE;
	if (heartbeats)
		heartbeats[x->map_key] = pcf_heartbeat_now();
	if (bpf_map_update_elem(xskmap_fd, &x->map_key, &x->fd, BPF_ANY))
		return -errno;
	x->published = true;
	return 0;
}

void pcf_xsk_unpublish(struct pcf_xsk *x, int xskmap_fd)
{
	if (x->published && xskmap_fd >= 0)
		bpf_map_delete_elem(xskmap_fd, &x->map_key);
	x->published = false;
}

void pcf_xsk_close(struct pcf_xsk *x, int xskmap_fd)
{
	pcf_xsk_unpublish(x, xskmap_fd);
	if (x->xsk)
		xsk_socket__delete(x->xsk);
	x->xsk = NULL;
	x->fd = -1;
}

int pcf_xsk_stats(const struct pcf_xsk *x, struct xdp_statistics *ret)
{
	socklen_t len = sizeof(*ret);

	memset(ret, 0, sizeof(*ret));
	if (x->fd < 0)
		return -EBADF;
	return getsockopt(x->fd, SOL_XDP, XDP_STATISTICS, ret, &len) ? -errno
								     : 0;
}
