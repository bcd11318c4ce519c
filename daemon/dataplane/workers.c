// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * workers.c - start, stop and read the workers: one per (interface, rx
 * queue), all sharing one UMEM so a packet can leave on another
 * interface's socket without a copy.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <linux/ethtool.h>
#include <linux/sockios.h>

#include "grace.h"
#include "worker.h"
#include "workers.h"

#define RING_MAX       2048

struct pcf_workers {
	struct pcf_dp *dp;
	struct pcf_umem umem;
	struct pcf_worker *w;
	unsigned int n;
	struct pcf_handoff **h;
	unsigned int nh;
	struct pcf_wthread *t;
	unsigned int nt;
	struct pcf_worker **tw; /* [n]: the workers, grouped by thread */
	bool watched; /* the rule table's grace periods wait for us */
};

static const char *const rx_mode_names[PCF_RX_MAX] = {
	[PCF_RX_POLL] = "poll",
	[PCF_RX_INTERRUPT] = "interrupt",
	[PCF_RX_ADAPTIVE] = "adaptive",
};

const char *pcf_rx_mode_name(enum pcf_rx_mode m)
{
	return (unsigned int)m < PCF_RX_MAX ? rx_mode_names[m] : "?";
}

int pcf_rx_mode_parse(const char *s)
{
	int m;

	for (m = 0; m < PCF_RX_MAX; m++)
		if (!strcmp(s, rx_mode_names[m]))
			return m;
	return -EINVAL;
}

void pcf_workers_cfg_init(struct pcf_workers_cfg *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->queues = PCF_WORKERS_QUEUES_ALL;
	cfg->default_egress = PCF_EGRESS_KERNEL;
	cfg->rx_mode = PCF_RX_ADAPTIVE;
	cfg->bind_mode = PCF_BIND_AUTO;
	cfg->batch = 64;
	cfg->frames = PCF_WORKERS_FRAMES_DEFAULT;
}

int pcf_workers_parse_cpus(struct pcf_workers_cfg *cfg, const char *list)
{
	unsigned int n = 0;
	const char *p = list;
	char *end;
	long a, b;

	while (*p) {
		a = strtol(p, &end, 10);
		if (end == p || a < 0 || a >= CPU_SETSIZE)
			return -EINVAL;
		b = a;
		if (*end == '-') {
			p = end + 1;
			b = strtol(p, &end, 10);
			if (end == p || b < a || b >= CPU_SETSIZE)
				return -EINVAL;
		}
		for (; a <= b; a++) {
			if (n == PCF_WORKERS_MAX_CPUS)
				return -EINVAL;
			cfg->cpus[n++] = a;
		}
		if (*end == ',')
			end++;
		else if (*end)
			return -EINVAL;
		p = end;
	}
	if (!n)
		return -EINVAL;
	cfg->ncpus = n;
	return 0;
}

/* Number of rx queues of ifname (ethtool channels); 1 if it cannot say. */
static __u32 rx_queues(const char *ifname)
{
	struct ethtool_channels ch = { .cmd = ETHTOOL_GCHANNELS };
	struct ifreq ifr = { .ifr_data = (void *)&ch };
	__u32 n = 1;
	int fd;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return 1;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (!ioctl(fd, SIOCETHTOOL, &ifr)) {
		n = ch.rx_count + ch.combined_count;
		if (!n)
			n = 1;
	}
	close(fd);
	return n > PCF_MAX_QUEUES ? PCF_MAX_QUEUES : n;
}

/*
 * Frame size: 2048 bytes when the largest frame any of our interfaces can
 * receive fits after the XDP headroom, else 4096.  Half the UMEM means
 * half the cache lines the kernel's copy and the workers fight over:
 * make bench's (b) gains about 10 %.
 */
__u32 pcf_workers_frame_size(__u32 mtu)
{
	/* Ethernet header and two VLAN tags on top of the MTU */
	return mtu + 14 + 8 <= pcf_workers_frame_room(2048) ? 2048 : 4096;
}

__u32 pcf_workers_frame_room(__u32 frame_size)
{
	return frame_size - XDP_PACKET_HEADROOM;
}

static __u32 frame_size_for(const struct pcf_workers *ws)
{
	struct ifreq ifr = {};
	unsigned int i;
	__u32 mtu = 0;
	int fd;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return 4096;
	for (i = 0; i < ws->n; i++) {
		snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s",
			 ws->w[i].ifname);
		if (ioctl(fd, SIOCGIFMTU, &ifr) || ifr.ifr_mtu < 0) {
			mtu = INT_MAX;
			break;
		}
		if ((__u32)ifr.ifr_mtu > mtu)
			mtu = ifr.ifr_mtu;
	}
	close(fd);
	return pcf_workers_frame_size(mtu);
}

static __u32 ring_size(__u32 frames)
{
	__u32 r = RING_MAX;

	while (r > 64 && 2 * r > frames)
		r >>= 1;
	return r;
}

static void close_sockets(struct pcf_workers *ws)
{
	unsigned int i;
	int map;

	if (!ws->n)
		return;
	map = pcf_dp_xskmap_fd(ws->dp);

	for (i = 0; i < ws->n; i++) {
		pcf_xsk_close(&ws->w[i].xsk, map);
		pcf_xsk_close(&ws->w[i].ret_xsk, -1);
	}
}

/* Empty our xskmap slots: the steering program passes to the kernel. */
static void unpublish(struct pcf_workers *ws)
{
	unsigned int i;
	int map;

	if (!ws->n)
		return;
	map = pcf_dp_xskmap_fd(ws->dp);

	for (i = 0; i < ws->n; i++)
		pcf_xsk_unpublish(&ws->w[i].xsk, map);
}

static void teardown(struct pcf_workers *ws)
{
	unsigned int i;

	close_sockets(ws);
	for (i = 0; i < ws->nh; i++)
		pcf_handoff_destroy(ws->h[i]);
	free(ws->h);
	ws->h = NULL;
	ws->nh = 0;
	for (i = 0; i < ws->n; i++)
		pcf_worker_fini(&ws->w[i]);
	pcf_umem_destroy(&ws->umem);
}

/*
 * Worker i transmits packets for the kernel on queue i of the return veth:
 * sockets sharing a UMEM need a queue each.  Workers beyond its queues
 * have no return path (their packets for the kernel are dropped).
 */
static int open_return(struct pcf_workers *ws,
		       const struct pcf_workers_cfg *cfg,
		       enum pcf_bind_mode mode)
{
	__u32 nq;
	unsigned int i;
	int err;

	if (!cfg->ret_ifname[0])
		return 0;
	nq = rx_queues(cfg->ret_ifname);
	for (i = 0; i < ws->n && i < nq; i++) {
		struct pcf_worker *w = &ws->w[i];

		err = pcf_xsk_open(&w->ret_xsk, &ws->umem, false,
				   cfg->ret_ifname, i, mode, PCF_BATCH_MAX);
		if (err)
			return err;
		pcf_worker_set_return(w, cfg->ret_dmac, cfg->ret_smac);
	}
	return 0;
}

/* Workers, UMEM and sockets, bound in one mode (no zero-copy fallback). */
static int open_all(struct pcf_workers *ws, const struct pcf_workers_cfg *cfg,
		    enum pcf_bind_mode mode)
{
	__u32 frames = cfg->frames ? cfg->frames : PCF_WORKERS_FRAMES_DEFAULT;
	struct pcf_counter *rows;
	unsigned int i;
	int err;

	err = pcf_dp_worker_counters(ws->dp, ws->n, &rows);
	if (err)
		return err;
	err = pcf_umem_create(&ws->umem, (__u64)frames * ws->n,
			      ring_size(frames), frame_size_for(ws));
	if (err)
		return err;
	for (i = 0; i < ws->n; i++) {
		struct pcf_worker *w = &ws->w[i];
		struct pcf_worker keep = *w; /* identity set by the caller */

		err = pcf_worker_init(w, i, ws->n, ws->umem.area,
				      ws->umem.frame_size, frames,
				      pcf_dp_rules(ws->dp),
				      rows + (size_t)i * PCF_RULE_SLOTS, cfg);
		if (err)
			return err;
		w->pl.ct.table = &pcf_dp_ct(ws->dp)->table;
		memcpy(w->ifname, keep.ifname, sizeof(w->ifname));
		w->ifindex = keep.ifindex;
		w->queue = keep.queue;
		w->cpu = keep.cpu;
		err = pcf_xsk_open(&w->xsk, &ws->umem, i == 0, w->ifname,
				   w->queue, mode, PCF_BATCH_MAX);
		if (err)
			return err;
	}
	return open_return(ws, cfg, mode);
}

/* Workers --cpus puts on one CPU share a thread; the others have one each. */
static bool same_thread(const struct pcf_worker *a, const struct pcf_worker *b)
{
	return a == b || (a->cpu >= 0 && a->cpu == b->cpu);
}

/*
 * Egress ports: our own socket for our interface; for each other
 * interface, the worker of the same queue number there (modulo its queue
 * count): its tx ring when our thread runs it, else a hand-off to it.
 */
static int link_all(struct pcf_workers *ws)
{
	unsigned int i, j, k, nq;
	int err;

	ws->h = calloc((size_t)ws->n * PCF_MAX_IFACES, sizeof(*ws->h));
	if (!ws->h)
		return -ENOMEM;
	for (i = 0; i < ws->n; i++) {
		struct pcf_worker *w = &ws->w[i];

		err = pcf_worker_add_egress(w, w->ifindex, NULL, NULL);
		for (j = 0; !err && j < ws->n; j++) {
			struct pcf_worker *first = &ws->w[j];

			/* workers of one interface are adjacent: take the
			 * first of each other interface */
			if (first->ifindex == w->ifindex ||
			    (j && ws->w[j - 1].ifindex == first->ifindex))
				continue;
			for (nq = 0; j + nq < ws->n &&
				     ws->w[j + nq].ifindex == first->ifindex;
			     nq++)
				;
			k = j + w->queue % nq;
			if (same_thread(w, &ws->w[k])) {
				err = pcf_worker_add_egress(w, first->ifindex,
							    NULL, &ws->w[k]);
				continue;
			}
			err = pcf_handoff_create(w, &ws->w[k], &ws->h[ws->nh]);
			if (!err)
				err = pcf_worker_add_egress(
				    w, first->ifindex, ws->h[ws->nh++], NULL);
		}
		if (err)
			return err;
	}
	return 0;
}

static int publish_all(struct pcf_workers *ws)
{
	int map = pcf_dp_xskmap_fd(ws->dp), ifaces = pcf_dp_ifaces_fd(ws->dp);
	volatile __u64 *beats = ws->dp->heartbeats;
	unsigned int i;
	int err;

	for (i = 0; i < ws->n; i++) {
		struct pcf_worker *w = &ws->w[i];

		pcf_worker_step(w); /* fill the fill ring first */
		err = pcf_xsk_publish(&w->xsk, map, ifaces, w->ifindex,
				      w->queue, beats);
		if (err)
			return err;
		if (beats)
			w->beat = &beats[w->xsk.map_key];
	}
	return 0;
}

static int plan(struct pcf_workers *ws, const char *const *ifnames, int n,
		const struct pcf_workers_cfg *cfg)
{
	unsigned int total = 0, i, q, nq[PCF_MAX_IFACES];
	int k;

	if (n <= 0 || n > PCF_MAX_IFACES)
		return -EINVAL;
	for (k = 0; k < n; k++) {
		if (!if_nametoindex(ifnames[k]))
			return -ENODEV;
		nq[k] = cfg->queues ? cfg->queues : rx_queues(ifnames[k]);
		if (nq[k] > PCF_MAX_QUEUES)
			return -ERANGE;
		total += nq[k];
	}
	ws->w = calloc(total, sizeof(*ws->w));
	if (!ws->w)
		return -ENOMEM;
	ws->n = total;
	for (i = 0, k = 0; k < n; k++) {
		for (q = 0; q < nq[k]; q++, i++) {
			struct pcf_worker *w = &ws->w[i];

			snprintf(w->ifname, sizeof(w->ifname), "%s",
				 ifnames[k]);
			w->ifindex = if_nametoindex(ifnames[k]);
			w->queue = q;
			w->cpu = cfg->ncpus ? cfg->cpus[i % cfg->ncpus] : -1;
			w->xsk.fd = -1;
		}
	}
	return 0;
}

/* Group the workers into threads (same_thread) and start them. */
static int start_threads(struct pcf_workers *ws,
			 const struct pcf_workers_cfg *cfg)
{
	__u32 spin_us =
	    cfg->spin_us ? cfg->spin_us : PCF_WORKERS_SPIN_US_DEFAULT;
	unsigned int i, j, first, n = 0;
	int err;

	ws->t = calloc(ws->n, sizeof(*ws->t));
	ws->tw = calloc(ws->n, sizeof(*ws->tw));
	if (!ws->t || !ws->tw)
		return -ENOMEM;
	for (i = 0; i < ws->n; i++) {
		if (ws->w[i].t)
			continue;
		for (first = n, j = i; j < ws->n; j++)
			if (!ws->w[j].t && same_thread(&ws->w[i], &ws->w[j]))
				ws->tw[n++] = &ws->w[j];
		err = pcf_wthread_init(&ws->t[ws->nt], &ws->tw[first],
				       n - first, ws->w[i].cpu, cfg->rx_mode,
				       cfg->idle_polls, spin_us);
		if (err)
			return err;
		ws->nt++;
	}
	for (i = 0; i < ws->nt; i++) {
		err = -pthread_create(&ws->t[i].thread, NULL, pcf_wthread_run,
				      &ws->t[i]);
		if (err)
			return err;
		ws->t[i].running = true;
	}
	return 0;
}

static void stop_threads(struct pcf_workers *ws)
{
	unsigned int i;
	__u64 one = 1;

	for (i = 0; i < ws->nt; i++) {
		__atomic_store_n(&ws->t[i].stop, 1, __ATOMIC_RELEASE);
		(void)!write(ws->t[i].efd, &one, sizeof(one));
	}
	for (i = 0; i < ws->nt; i++) {
		if (ws->t[i].running)
			pthread_join(ws->t[i].thread, NULL);
		pcf_wthread_fini(&ws->t[i]);
	}
	free(ws->t);
	free(ws->tw);
	ws->t = NULL;
	ws->tw = NULL;
	ws->nt = 0;
}

/*
 * The rule table's grace periods wait for the workers to run the packets
 * that were in their rx rings (grace.h): a worker releases ring entries
 * only after their pipeline ran.
 */
static unsigned int readers_count(void *ctx)
{
	return ((struct pcf_workers *)ctx)->n;
}

static void readers_mark(void *ctx, __u32 *marks)
{
	struct pcf_workers *ws = ctx;
	unsigned int i;

	for (i = 0; i < ws->n; i++)
		marks[i] = ws->w[i].xsk.fd < 0 ?
				   0 :
				   __atomic_load_n(ws->w[i].xsk.rx.producer,
						   __ATOMIC_ACQUIRE);
}

static bool readers_passed(void *ctx, const __u32 *marks)
{
	struct pcf_workers *ws = ctx;
	unsigned int i;
	__u32 cons;

	for (i = 0; i < ws->n; i++) {
		if (ws->w[i].xsk.fd < 0)
			continue;
		cons = __atomic_load_n(ws->w[i].xsk.rx.consumer,
				       __ATOMIC_ACQUIRE);
		if ((__s32)(cons - marks[i]) < 0)
			return false;
	}
	return true;
}

static int watch_readers(struct pcf_workers *ws)
{
	const struct pcf_grace_readers r = {
		.count = readers_count,
		.mark = readers_mark,
		.passed = readers_passed,
		.ctx = ws,
	};

	int err = pcf_grace_set_readers(pcf_dp_grace(ws->dp), &r);

	ws->watched = !err;
	return err;
}

int pcf_workers_start(struct pcf_dp *dp, const char *const *ifnames, int n,
		      const struct pcf_workers_cfg *cfg,
		      struct pcf_workers **ret)
{
	enum pcf_bind_mode modes[2] = { cfg->bind_mode, cfg->bind_mode };
	struct pcf_workers *ws;
	int err, m, nmodes = 1;

	if (cfg->rx_mode >= PCF_RX_MAX ||
	    cfg->default_egress >= PCF_EGRESS_MAX ||
	    (cfg->frames && (cfg->frames < PCF_WORKERS_FRAMES_MIN ||
			     cfg->frames > PCF_WORKERS_FRAMES_MAX)))
		return -EINVAL;
	if (cfg->bind_mode == PCF_BIND_AUTO) {
		modes[0] = PCF_BIND_ZEROCOPY;
		modes[1] = PCF_BIND_COPY;
		nmodes = 2;
	}
	ws = calloc(1, sizeof(*ws));
	if (!ws)
		return -ENOMEM;
	ws->dp = dp;
	err = plan(ws, ifnames, n, cfg);
	for (m = 0; ws->n && m < nmodes; m++) {
		err = open_all(ws, cfg, modes[m]);
		if (!err)
			break;
		teardown(ws);
	}
	if (!err)
		err = link_all(ws);
	if (!err)
		err = publish_all(ws);
	if (!err)
		err = start_threads(ws, cfg);
	if (!err)
		err = watch_readers(ws);
	if (err) {
		pcf_workers_stop(ws);
		return err;
	}
	*ret = ws;
	return 0;
}

void pcf_workers_stop(struct pcf_workers *ws)
{
	if (!ws)
		return;
	/* empty the xskmap slots first: new packets go to the kernel */
	unpublish(ws);
	stop_threads(ws);
	/* what is left in the rings will never be run */
	if (ws->watched)
		pcf_grace_set_readers(pcf_dp_grace(ws->dp), NULL);
	teardown(ws);
	free(ws->w);
	free(ws);
}

unsigned int pcf_workers_count(const struct pcf_workers *ws)
{
	return ws->n;
}

unsigned int pcf_workers_threads(const struct pcf_workers *ws)
{
	return ws->nt;
}

__u32 pcf_workers_max_packet(const struct pcf_workers *ws)
{
	return pcf_workers_frame_room(ws->umem.frame_size);
}

int pcf_workers_info(const struct pcf_workers *ws, unsigned int i,
		     struct pcf_worker_info *ret)
{
	const struct pcf_worker *w;

	if (i >= ws->n)
		return -ENOENT;
	w = &ws->w[i];
	memset(ret, 0, sizeof(*ret));
	memcpy(ret->ifname, w->ifname, sizeof(ret->ifname));
	ret->ifindex = w->ifindex;
	ret->queue = w->queue;
	ret->cpu = w->cpu;
	ret->zerocopy = w->xsk.zerocopy;
	ret->stats = w->st; /* plain reads of another thread's u64s */
	pcf_xsk_stats(&w->xsk, &ret->sock);
	ret->has_ret_sock = !pcf_xsk_stats(&w->ret_xsk, &ret->ret_sock);
	ret->beat_ns = w->beat ? *w->beat : 0;
	return 0;
}

void pcf_workers_stats_sum(const struct pcf_workers *ws,
			   struct pcf_worker_stats *ret)
{
	unsigned int i, r;

	memset(ret, 0, sizeof(*ret));
	for (i = 0; i < ws->n; i++) {
		const struct pcf_worker_stats *s = &ws->w[i].st;

		ret->rx_packets += s->rx_packets;
		ret->rx_bytes += s->rx_bytes;
		ret->tx_packets += s->tx_packets;
		ret->tx_bytes += s->tx_bytes;
		for (r = 0; r < PCF_WDROP_MAX; r++) {
			ret->drops[r] += s->drops[r];
			ret->returned[r] += s->returned[r];
		}
		ret->mirrors += s->mirrors;
		ret->heartbeat += s->heartbeat;
		ret->sleeps += s->sleeps;
		ret->kicks += s->kicks;
		ret->csum_sampled += s->csum_sampled;
		ret->csum_bad += s->csum_bad;
		ret->ct.created += s->ct.created;
		ret->ct.found += s->ct.found;
		ret->ct.translated += s->ct.translated;
		ret->ct.icmp_errors += s->ct.icmp_errors;
	}
}
