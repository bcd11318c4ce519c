// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * worker.c - the per-worker loop: completions -> returned frames ->
 * hand-offs in -> batch rx -> pipeline -> tx / hand-off / drop -> refill.
 *
 * Frame accounting: every UMEM frame is at any time in exactly one place:
 * its owner's pool, a fill ring, the kernel, an rx ring, a pending list,
 * a hand-off ring, a tx ring or a return ring.  Each path below moves a
 * frame from one place to the next and never forgets it (test_frames).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <linux/bpf.h>

#include "l4csum.h"
#include "worker.h"

/* Received TCP/UDP checksums checked: the first packet, then one in this */
#define CSUM_SAMPLE_EVERY 64

_Static_assert(PCF_WDROP_MAX <= sizeof(((struct pcf_worker_stats *)0)->drops) /
				    sizeof(__u64),
	       "pcf_worker_stats.drops too small");

static inline __u64 chunk_of(const struct pcf_worker *w, __u64 addr)
{
	return addr & ~(__u64)(w->frame_size - 1);
}

static inline void drop(struct pcf_worker *w, int reason, __u64 addr)
{
	w->st.drops[reason]++;
	pcf_pool_put(&w->pool, chunk_of(w, addr));
}

/* Wake w's thread if it sleeps; called after making work visible to it. */
static void wake(struct pcf_worker *w)
{
	struct pcf_wthread *t = w->t;
	__u64 one = 1;

	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (t && __atomic_load_n(&t->sleeping, __ATOMIC_SEQ_CST))
		(void)!write(t->efd, &one, sizeof(one));
}

/* A frame the kernel is done with goes home: our pool, or its owner's. */
static void give_back(struct pcf_worker *w, __u64 addr)
{
	__u64 chunk = chunk_of(w, addr);
	unsigned int owner = chunk / w->region;
	struct pcf_handoff *h;
	__u32 idx = 0;

	if (owner == w->id) {
		pcf_pool_put(&w->pool, chunk);
		return;
	}
	if (w->local[owner]) { /* our thread runs the owner too */
		pcf_pool_put(&w->local[owner]->pool, chunk);
		return;
	}
	/* the return ring holds all the owner's frames: it cannot be full */
	h = w->in[owner];
	xsk_ring_prod__reserve(&h->ret.prod, 1, &idx);
	*xsk_ring_prod__fill_addr(&h->ret.prod, idx) = chunk;
	xsk_ring_prod__submit(&h->ret.prod, 1);
	h->returned = true;
}

static unsigned int reap(struct pcf_worker *w, struct xsk_ring_cons *comp)
{
	unsigned int i;
	__u32 idx, n;

	n = xsk_ring_cons__peek(comp, comp->size, &idx);
	if (!n)
		return 0;
	for (i = 0; i < n; i++)
		give_back(w, *xsk_ring_cons__comp_addr(comp, idx + i));
	xsk_ring_cons__release(comp, n);
	return n;
}

static void reap_completions(struct pcf_worker *w)
{
	unsigned int j, n;

	n = reap(w, &w->xsk.comp);
	if (w->ret_xsk.fd >= 0)
		n += reap(w, &w->ret_xsk.comp);
	if (!n)
		return;
	/* an owner out of frames may sleep: it gets them back now */
	for (j = 0; j < w->nworkers; j++) {
		if (w->in[j] && w->in[j]->returned) {
			w->in[j]->returned = false;
			wake(w->in[j]->src);
		}
	}
}

/* Frames other workers transmitted for us come back to our pool. */
static void drain_returns(struct pcf_worker *w)
{
	unsigned int p, i;
	__u32 idx, n;

	for (p = 1; p < w->negress; p++) {
		struct xsk_ring_cons *r;

		if (!w->egress[p].h)
			continue;
		r = &w->egress[p].h->ret.cons;
		n = xsk_ring_cons__peek(r, r->size, &idx);
		for (i = 0; i < n; i++)
			pcf_pool_put(&w->pool,
				     *xsk_ring_cons__comp_addr(r, idx + i));
		if (n)
			xsk_ring_cons__release(r, n);
	}
}

/* Packets other workers route out of our interface go on our tx ring. */
static unsigned int drain_handoffs(struct pcf_worker *w)
{
	unsigned int j, i, total = 0;
	__u32 ridx = 0, tidx, n, room;

	for (j = 0; j < w->nworkers; j++) {
		struct xsk_ring_cons *r;

		if (!w->in[j])
			continue;
		r = &w->in[j]->desc.cons;
		n = xsk_cons_nb_avail(r, w->batch);
		if (!n)
			continue;
		room = xsk_prod_nb_free(&w->xsk.tx, n);
		if (room < n)
			n = room;
		if (!n || xsk_ring_prod__reserve(&w->xsk.tx, n, &tidx) != n)
			continue; /* tx ring full: they wait in the hand-off */
		xsk_ring_cons__peek(r, n, &ridx);
		for (i = 0; i < n; i++) {
			const struct xdp_desc *d =
			    xsk_ring_cons__rx_desc(r, ridx + i);

			*xsk_ring_prod__tx_desc(&w->xsk.tx, tidx + i) = *d;
			w->st.tx_packets++;
			w->st.tx_bytes += d->len;
		}
		xsk_ring_prod__submit(&w->xsk.tx, n);
		xsk_ring_cons__release(r, n);
		total += n;
	}
	return total;
}

static struct pcf_egress_port *port_of(struct pcf_worker *w, __u32 ifindex)
{
	unsigned int p;

	for (p = 0; p < w->negress; p++)
		if (w->egress[p].ifindex == ifindex)
			return &w->egress[p];
	return NULL;
}

static void queue_out(struct pcf_egress_port *port, __u64 addr, __u32 len)
{
	port->pend[port->npend++] =
	    (struct xdp_desc){ .addr = addr, .len = len };
}

/* A copy of the packet for the mirror interface, in a frame of our own. */
static void mirror(struct pcf_worker *w, const __u8 *data, __u32 len,
		   __u32 ifindex)
{
	struct pcf_egress_port *port = port_of(w, ifindex);
	__u64 chunk;

	if (!port || len > w->frame_size - XDP_PACKET_HEADROOM ||
	    !pcf_pool_get(&w->pool, &chunk)) {
		w->st.drops[PCF_WDROP_MIRROR]++;
		return;
	}
	memcpy(w->umem_area + chunk + XDP_PACKET_HEADROOM, data, len);
	port->mirror[port->nmirror++] =
	    (struct xdp_desc){ .addr = chunk + XDP_PACKET_HEADROOM,
			       .len = len };
}

/*
 * A packet for the kernel leaves on the return veth, addressed to its
 * kernel end; a mark rides in the source address (pcf_abi.h).
 */
static struct pcf_egress_port *to_kernel(struct pcf_worker *w, __u8 *data,
					 const struct pcf_pipe_out *out)
{
	__u32 mark = htonl(out->mark);

	memcpy(data, w->ret_dmac, 6);
	if (out->has_mark) {
		data[6] = PCF_RET_MARK_MAC0;
		data[7] = PCF_RET_MARK_MAC1;
		memcpy(data + 8, &mark, sizeof(mark));
	} else {
		memcpy(data + 6, w->ret_smac, 6);
	}
	return &w->ret;
}

/*
 * Check the TCP/UDP checksum of a packet as it arrived (before the
 * pipeline rewrites it): senders that leave checksums to an offload (a
 * veth, a container) send packets that the receiver will drop.  Counted;
 * pcfd tells the operator.
 */
static void sample_csum(struct pcf_worker *w, __u8 *data, __u32 len,
			__u64 headroom)
{
	struct pcf_pkt_ref p;
	struct pcf_meta m;
	enum pcf_l4csum r;

	if (headroom < sizeof(m))
		return;
	memcpy(&m, data - sizeof(m), sizeof(m));
	if (m.magic != PCF_META_MAGIC || pcf_pkt_check(data, len, &m, &p))
		return;
	r = pcf_l4csum_check(&p);
	if (r == PCF_L4CSUM_NA)
		return;
	w->st.csum_sampled++;
	if (r == PCF_L4CSUM_BAD)
		w->st.csum_bad++;
}

static void process(struct pcf_worker *w, const struct xdp_desc *d)
{
	__u64 headroom = d->addr - chunk_of(w, d->addr);
	__u8 *data = w->umem_area + d->addr;
	struct pcf_egress_port *port;
	struct pcf_pipe_out out;
	__u64 addr;
	__u32 len;
	int rc;

	w->st.rx_packets++;
	w->st.rx_bytes += d->len;
	if (d->len > w->frame_size - headroom) {
		drop(w, PCF_WDROP_MALFORMED, d->addr);
		return;
	}
	if (w->st.rx_packets % CSUM_SAMPLE_EVERY == 1)
		sample_csum(w, data, d->len, headroom);
	rc = pcf_pipeline_run(&w->pl, data, d->len, headroom, &out);
	if (rc && !(out.to_kernel && w->ret_xsk.fd >= 0)) {
		drop(w, rc, d->addr);
		return;
	}
	/* VLAN tags taken off: the frame starts later in the same chunk */
	data += out.strip;
	addr = d->addr + out.strip;
	len = d->len - out.strip;
	if (out.mirror_ifindex)
		mirror(w, data, len, out.mirror_ifindex);
	if (rc) {
		w->st.returned[rc]++;
		queue_out(to_kernel(w, data, &out), addr, len);
		return;
	}
	port = port_of(w, out.egress_ifindex);
	if (!port) {
		drop(w, PCF_WDROP_NOT_OURS, addr);
		return;
	}
	queue_out(port, addr, len);
}

/*
 * Put n descs on a ring of descs (our tx ring, or a hand-off); what does
 * not fit is dropped for reason.  Returns how many went.
 */
static __u32 flush_descs(struct pcf_worker *w, struct pcf_egress_port *port,
			 struct xsk_ring_prod *r, const struct xdp_desc *d,
			 __u32 n, int reason)
{
	__u32 fit, idx, i;

	if (!n)
		return 0;
	fit = xsk_prod_nb_free(r, n);
	if (fit > n)
		fit = n;
	if (fit && xsk_ring_prod__reserve(r, fit, &idx) == fit) {
		for (i = 0; i < fit; i++)
			*xsk_ring_prod__tx_desc(r, idx + i) = d[i];
		xsk_ring_prod__submit(r, fit);
		for (i = 0; !port->h && i < fit; i++) {
			w->st.tx_packets++;
			w->st.tx_bytes += d[i].len;
		}
	} else {
		fit = 0;
	}
	for (i = fit; i < n; i++)
		drop(w, reason, d[i].addr);
	return fit;
}

/* Pending packets, then mirror copies, onto the port's ring. */
static void flush_port(struct pcf_worker *w, struct pcf_egress_port *port)
{
	struct xsk_ring_prod *r =
	    port->h ? &port->h->desc.prod : &port->xsk->tx;
	__u32 sent, copies;

	sent =
	    flush_descs(w, port, r, port->pend, port->npend, PCF_WDROP_TX_FULL);
	copies = flush_descs(w, port, r, port->mirror, port->nmirror,
			     PCF_WDROP_MIRROR);
	w->st.mirrors += copies;
	if (port->h && sent + copies)
		wake(port->h->dst);
	port->npend = 0;
	port->nmirror = 0;
}

/*
 * Pipeline off (a benchmark's floor, pcfd --pipeline off): the packet goes
 * out of the next interface (egress[1], else our own) as it came in, like
 * testpmd's io forwarding.
 */
static void forward_raw(struct pcf_worker *w, const struct xdp_desc *d)
{
	w->st.rx_packets++;
	w->st.rx_bytes += d->len;
	queue_out(&w->egress[w->negress > 1], d->addr, d->len);
}

static unsigned int rx_batch(struct pcf_worker *w)
{
	unsigned int p;
	__u32 idx, n, i;

	n = xsk_ring_cons__peek(&w->xsk.rx, w->batch, &idx);
	if (!n)
		return 0;
	if (w->raw) /* once per batch: the pipeline's loop stays as it is */
		for (i = 0; i < n; i++)
			forward_raw(
			    w, xsk_ring_cons__rx_desc(&w->xsk.rx, idx + i));
	else
		for (i = 0; i < n; i++)
			process(w, xsk_ring_cons__rx_desc(&w->xsk.rx, idx + i));
	xsk_ring_cons__release(&w->xsk.rx, n);
	for (p = 0; p < w->negress; p++)
		flush_port(w, &w->egress[p]);
	if (w->ret_xsk.fd >= 0)
		flush_port(w, &w->ret);
	return n;
}

static void refill(struct pcf_worker *w)
{
	__u32 n = xsk_prod_nb_free(&w->xsk.fill, w->pool.count), idx, i;

	if (n > w->pool.count)
		n = w->pool.count;
	if (!n || xsk_ring_prod__reserve(&w->xsk.fill, n, &idx) != n)
		return;
	for (i = 0; i < n; i++)
		pcf_pool_get(&w->pool,
			     xsk_ring_prod__fill_addr(&w->xsk.fill, idx + i));
	xsk_ring_prod__submit(&w->xsk.fill, n);
}

static bool tx_pending(const struct pcf_xsk *x)
{
	return x->fd >= 0 &&
	       __atomic_load_n(x->tx.consumer, __ATOMIC_ACQUIRE) !=
		   *x->tx.producer;
}

/*
 * Copy mode sends only inside sendto() (a budget of frames per call),
 * whatever the need_wakeup flag says: kick while the tx ring holds work.
 * A zero-copy driver says when it needs a kick.
 */
static void kick_tx(struct pcf_worker *w, struct pcf_xsk *x)
{
	if (!tx_pending(x) ||
	    (x->zerocopy && !xsk_ring_prod__needs_wakeup(&x->tx)))
		return;
	w->st.kicks++;
	sendto(x->fd, NULL, 0, MSG_DONTWAIT, NULL, 0);
}

/*
 * A zero-copy driver may ask to be woken to pick up fill ring entries
 * (copy mode never does); poll() does it when we sleep, this when we spin.
 */
static void kick_rx(struct pcf_worker *w)
{
	if (w->xsk.fd < 0 || !xsk_ring_prod__needs_wakeup(&w->xsk.fill))
		return;
	w->st.kicks++;
	recvfrom(w->xsk.fd, NULL, 0, MSG_DONTWAIT, NULL, NULL);
}

unsigned int pcf_worker_step(struct pcf_worker *w)
{
	unsigned int moved;

	reap_completions(w);
	drain_returns(w);
	moved = drain_handoffs(w);
	moved += rx_batch(w);
	refill(w);
	kick_tx(w, &w->xsk);
	kick_tx(w, &w->ret_xsk);
	if (!moved)
		kick_rx(w);
	w->st.heartbeat++;
	return moved;
}

bool pcf_worker_idle(struct pcf_worker *w)
{
	unsigned int j;

	if (xsk_cons_nb_avail(&w->xsk.rx, 1) || tx_pending(&w->xsk) ||
	    xsk_cons_nb_avail(&w->xsk.comp, 1) || tx_pending(&w->ret_xsk) ||
	    (w->ret_xsk.fd >= 0 && xsk_cons_nb_avail(&w->ret_xsk.comp, 1)))
		return false;
	for (j = 0; j < w->nworkers; j++)
		if (w->in[j] && xsk_cons_nb_avail(&w->in[j]->desc.cons, 1))
			return false;
	for (j = 1; j < w->negress; j++)
		if (w->egress[j].h &&
		    xsk_cons_nb_avail(&w->egress[j].h->ret.cons, 1))
			return false;
	return true;
}

int pcf_worker_init(struct pcf_worker *w, unsigned int id,
		    unsigned int nworkers, void *umem_area, __u32 frame_size,
		    __u32 nframes, const struct pcf_rule *rules,
		    struct pcf_counter *rule_ctr,
		    const struct pcf_workers_cfg *cfg)
{
	int err;

	memset(w, 0, sizeof(*w));
	w->id = id;
	w->nworkers = nworkers;
	w->cpu = -1;
	w->xsk.fd = -1;
	w->ret_xsk.fd = -1;
	w->umem_area = umem_area;
	w->frame_size = frame_size;
	w->region = (__u64)nframes * frame_size;
	w->batch = cfg->batch ? cfg->batch : 64;
	if (w->batch > PCF_BATCH_MAX)
		w->batch = PCF_BATCH_MAX;
	w->raw = cfg->pipeline_off;
	w->pl.rules = rules;
	w->pl.default_egress = cfg->default_egress;
	w->pl.rule_ctr = rule_ctr;
	w->pl.ct.addrs = cfg->ct_addrs;
	w->pl.ct.st = &w->st.ct;
	w->in = calloc(nworkers, sizeof(*w->in));
	w->local = calloc(nworkers, sizeof(*w->local));
	if (!w->in || !w->local) {
		err = -ENOMEM;
		goto fail;
	}
	err = pcf_pool_init(&w->pool, w->region * id, nframes, frame_size);
	if (err)
		goto fail;
	return 0;
fail:
	pcf_worker_fini(w);
	return err;
}

void pcf_worker_fini(struct pcf_worker *w)
{
	pcf_pool_free(&w->pool);
	free(w->in);
	free(w->local);
	w->pl.rule_ctr = NULL;
	w->in = NULL;
	w->local = NULL;
}

int pcf_worker_add_egress(struct pcf_worker *w, __u32 ifindex,
			  struct pcf_handoff *h, struct pcf_worker *peer)
{
	if (w->negress == PCF_MAX_IFACES)
		return -ENOSPC;
	if (peer) /* our frames come back through peer's completions */
		peer->local[w->id] = w;
	w->egress[w->negress].ifindex = ifindex;
	w->egress[w->negress].h = h;
	w->egress[w->negress].xsk = peer ? &peer->xsk : &w->xsk;
	w->egress[w->negress].npend = 0;
	w->egress[w->negress].nmirror = 0;
	w->pl.wire_ifindex[w->pl.nwire++] = ifindex;
	w->negress++;
	return 0;
}

void pcf_worker_set_return(struct pcf_worker *w, const __u8 *dmac,
			   const __u8 *smac)
{
	memcpy(w->ret_dmac, dmac, sizeof(w->ret_dmac));
	memcpy(w->ret_smac, smac, sizeof(w->ret_smac));
	w->ret.xsk = &w->ret_xsk;
	w->ret.h = NULL;
	w->ret.npend = 0;
	w->ret.nmirror = 0;
}

int pcf_handoff_create(struct pcf_worker *src, struct pcf_worker *dst,
		       struct pcf_handoff **ret)
{
	struct pcf_handoff *h = calloc(1, sizeof(*h));
	__u32 ret_size = 1;
	int err;

	if (!h)
		return -ENOMEM;
	while (ret_size < src->pool.cap)
		ret_size <<= 1;
	/*
	 * Room for half of src's frames: when both workers share a CPU, src
	 * fills it for a whole time slice before dst gets to drain it.
	 */
	err = pcf_ring_init(
	    &h->desc,
	    ret_size / 2 > 2 * PCF_BATCH_MAX ? ret_size / 2 : 2 * PCF_BATCH_MAX,
	    sizeof(struct xdp_desc));
	if (!err)
		err = pcf_ring_init(&h->ret, ret_size, sizeof(__u64));
	if (err) {
		pcf_handoff_destroy(h);
		return err;
	}
	h->src = src;
	h->dst = dst;
	dst->in[src->id] = h;
	*ret = h;
	return 0;
}

void pcf_handoff_destroy(struct pcf_handoff *h)
{
	if (!h)
		return;
	pcf_ring_free(&h->desc);
	pcf_ring_free(&h->ret);
	free(h);
}
