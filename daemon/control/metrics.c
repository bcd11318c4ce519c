// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * metrics.c - GET /metrics (metrics.h): pcfd's counters in the Prometheus
 * text format, one section a part.  A family's samples come together, as
 * the format wants: per worker and per rule, each family loops over all.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pcf_genl.h"
#include "stats_reply.h" /* pcf_stats_key */
#include "pcf_version.h"
#include "ct.h"	     /* pcf_ct_xstat_name */
#include "ct_maps.h" /* pcf_ct_maps_read_xstats */
#include "ct_reap.h" /* struct pcf_ct_totals */
#include "ctl.h"
#include "ifwatch.h" /* struct pcf_link */
#include "loader.h"
#include "metrics.h"
#include "prom.h"
#include "table.h"
#include "workers.h" /* struct pcf_worker_info, pcf_heartbeat_now() */
#include "wtotals.h"

/* Rules a part writes, per family: about 50 bytes each. */
#define RULES_PER_PART 1024

/* One rule as the scrape began. */
struct rule_snap {
	__u32 id;
	struct pcf_counter xdp;
};

enum section {
	SEC_INFO,
	SEC_XDP,
	SEC_RETURN,
	SEC_WORKERS,
	SEC_LINKS,
	SEC_SESSIONS,
	SEC_RULE_PACKETS,
	SEC_RULE_BYTES,
	SEC_DONE,
};

struct pcf_metrics {
	struct pcf_metrics_src src;
	enum section sec;
	unsigned int next; /* the next rule of a rule section */
	struct rule_snap *rules;
	unsigned int nrules, cap;
	__u32 nctr; /* counter indexes in use: 0 .. nctr - 1 */
};

/* ---- the rules, read when the scrape begins ---- */

/* One rule of the table: its id, and its counter index for now. */
static int snap_one(const struct pcf_rule *r, __u32 slot, void *ctx)
{
	struct pcf_metrics *m = ctx;
	struct rule_snap *s;

	if (m->nrules == m->cap)
		return -ENOSPC; /* more rules than the table said: next time */
	s = &m->rules[m->nrules++];
	s->id = r->id;
	s->xdp.packets = r->ctr; /* its counters come in its stead below */
	if (r->ctr >= m->nctr && r->ctr < PCF_RULE_SLOTS)
		m->nctr = r->ctr + 1;
	return 0;
}

/*
 * The rules, then the counters of the indexes from 0 to the highest they
 * use, in batches (a fresh table uses the lowest ones; one that saw much
 * change may use any of PCF_RULE_SLOTS).
 */
static int snap_rules(struct pcf_metrics *m)
{
	struct pcf_table *t = pcf_dp_table(m->src.dp);
	struct pcf_counter *xdp = NULL;
	struct pcf_table_info ti;
	unsigned int i;
	__u64 ctr;
	int err;

	pcf_table_info(t, &ti);
	m->cap = ti.rules;
	if (!m->cap)
		return 0;
	m->rules = calloc(m->cap, sizeof(*m->rules));
	if (!m->rules)
		return -ENOMEM;
	pcf_table_foreach(t, 1, snap_one, m);
	if (m->nctr)
		xdp = malloc(sizeof(*xdp) * m->nctr);
	if (m->nctr && !xdp)
		return -ENOMEM;
	err = m->nctr ? pcf_dp_rule_counters_all(m->src.dp, xdp, m->nctr) : 0;
	for (i = 0; !err && i < m->nrules; i++) {
		ctr = m->rules[i].xdp.packets;
		m->rules[i].xdp =
		    ctr < m->nctr ? xdp[ctr] : (struct pcf_counter){};
	}
	free(xdp);
	return err;
}

int pcf_metrics_begin(const struct pcf_metrics_src *src,
		      struct pcf_metrics **ret)
{
	struct pcf_metrics *m = calloc(1, sizeof(*m));
	int err;

	if (!m)
		return -ENOMEM;
	m->src = *src;
	err = snap_rules(m);
	if (err) {
		pcf_metrics_end(m);
		return err;
	}
	*ret = m;
	return 0;
}

void pcf_metrics_end(struct pcf_metrics *m)
{
	if (!m)
		return;
	free(m->rules);
	free(m);
}

/* ---- the sections ---- */

static void gauge(struct textbuf *b, const char *name, const char *help,
		  __u64 v)
{
	pcf_prom_family(b, name, "gauge", help);
	pcf_prom_u64(b, name, NULL, 0, v);
}

static void info_part(struct pcf_metrics *m, struct textbuf *b)
{
	const struct pcf_ctl_workers *w = pcf_ctl_get_workers(m->src.ctl);
	struct pcf_prom_label l = { "version", PCF_VERSION };
	enum pcf_verdict dv;
	struct pcf_table_info ti;

	pcf_prom_family(
	    b, "pcf_build_info", "gauge",
	    "pcf's version (git describe of the tree pcfd was built from), as a label; always 1");
	pcf_prom_u64(b, "pcf_build_info", &l, 1, 1);
	pcf_prom_family(b, "process_start_time_seconds", "gauge",
			"When pcfd started, in seconds since the epoch");
	pcf_prom_double(b, "process_start_time_seconds", NULL, 0,
			m->src.start_time);
	pcf_table_info(pcf_dp_table(m->src.dp), &ti);
	gauge(b, "pcf_rules", "Rules in the table", ti.rules);
	gauge(b, "pcf_rules_max", "Rules the table holds at most",
	      PCF_MAX_RULES);
	gauge(b, "pcf_masks", "Distinct match masks in use (one lookup each)",
	      ti.masks);
	gauge(b, "pcf_masks_max", "Distinct match masks the search takes",
	      PCF_MAX_MASKS);
	gauge(b, "pcf_workers", "AF_XDP workers running",
	      w ? w->count(w->ctx) : 0);
	if (pcf_dp_get_default(m->src.dp, &dv))
		return;
	l = (struct pcf_prom_label){ "verdict", pcf_genl_verdict_name(dv) };
	pcf_prom_family(
	    b, "pcf_default_verdict", "gauge",
	    "The verdict of packets no rule matches, as a label; always 1");
	pcf_prom_u64(b, "pcf_default_verdict", &l, 1, 1);
}

/* One counter family of XDP's per-CPU counters: c[first + i], i < n. */
static void xdp_family(struct textbuf *b, const char *name, const char *help,
		       const char *label, const struct pcf_counter *c,
		       unsigned int n, const char *(*name_of)(unsigned int),
		       unsigned int skip_prefix, bool bytes)
{
	struct pcf_prom_label l = { label, NULL };
	unsigned int i;

	pcf_prom_family(b, name, "counter", help);
	for (i = 0; i < n; i++) {
		l.value = name_of(i) + skip_prefix;
		pcf_prom_u64(b, name, &l, 1, bytes ? c[i].bytes : c[i].packets);
	}
}

static const char *verdict_name(unsigned int v)
{
	return pcf_genl_verdict_name(v);
}

/* Reasons from 1: 0 is "none", never counted. */
static const char *reason_name(unsigned int r)
{
	return pcf_reason_name(r + 1);
}

static const char *ret_name(unsigned int s)
{
	return pcf_ret_stat_name(s);
}

static int xdp_part(struct pcf_metrics *m, struct textbuf *b)
{
	struct pcf_counter c[PCF_STAT_MAX];
	const struct pcf_counter *r = &c[PCF_STAT_REASON(1)];
	int err = pcf_dp_read_stats(m->src.dp, c);

	if (err)
		return err;
	xdp_family(b, "pcf_xdp_packets_total",
		   "Packets pcf_steer gave each verdict", "verdict", c,
		   PCF_VERDICT_MAX, verdict_name, 0, false);
	xdp_family(b, "pcf_xdp_bytes_total",
		   "Bytes of the packets pcf_steer gave each verdict",
		   "verdict", c, PCF_VERDICT_MAX, verdict_name, 0, true);
	xdp_family(
	    b, "pcf_xdp_reason_packets_total",
	    "Packets pcf_steer counted for a reason (a miss, a fallback to the kernel, ...), beside their verdict",
	    "reason", r, PCF_REASON_MAX - 1, reason_name, 0, false);
	xdp_family(b, "pcf_xdp_reason_bytes_total",
		   "Bytes of the packets pcf_steer counted for a reason",
		   "reason", r, PCF_REASON_MAX - 1, reason_name, 0, true);
	return 0;
}

static int return_part(struct pcf_metrics *m, struct textbuf *b)
{
	struct pcf_counter c[PCF_RET_STAT_MAX];
	/* "return_redirect" -> outcome="redirect" */
	const unsigned int skip = strlen("return_");

	if (pcf_dp_read_return_stats(m->src.dp, c))
		return 0; /* no return path */
	xdp_family(
	    b, "pcf_return_packets_total",
	    "Packets the workers gave back to the kernel, by what pcf_return did with them",
	    "outcome", c, PCF_RET_STAT_MAX, ret_name, skip, false);
	xdp_family(b, "pcf_return_bytes_total",
		   "Bytes of the packets pcf_return handled, by outcome",
		   "outcome", c, PCF_RET_STAT_MAX, ret_name, skip, true);
	return 0;
}

/* ---- sessions ---- */

static const char *ct_xstat_name(unsigned int s)
{
	return pcf_ct_xstat_name(s);
}

/* The session table's totals (pcfd's, they start again with it) and
 * pcf_steer's session counters (pinned); nothing without a table. */
static void sessions_part(struct pcf_metrics *m, struct textbuf *b)
{
	static const struct {
		const char *name, *help;
		size_t off;
	} totals[] = {
		{ "pcf_sessions_created_total", "Sessions made",
		  offsetof(struct pcf_ct_totals, created) },
		{ "pcf_sessions_expired_total", "Sessions reclaimed idle",
		  offsetof(struct pcf_ct_totals, expired) },
		{ "pcf_sessions_evicted_total",
		  "Sessions evicted to make room (--sessions-full evict-oldest)",
		  offsetof(struct pcf_ct_totals, evicted) },
		{ "pcf_sessions_deleted_total",
		  "Sessions deleted (pcfctl session del, flush)",
		  offsetof(struct pcf_ct_totals, deleted) },
		{ "pcf_sessions_refused_total",
		  "New connections refused: the table was full",
		  offsetof(struct pcf_ct_totals, refused) },
		{ "pcf_sessions_ports_exhausted_total",
		  "New connections dropped: no NAT port left in the rule's range",
		  offsetof(struct pcf_ct_totals, ports_exhausted) },
		{ "pcf_sessions_races_lost_total",
		  "First packets that found their session made by another CPU",
		  offsetof(struct pcf_ct_totals, race_lost) },
		{ "pcf_sessions_untracked_total",
		  "Packets of ct rules no session could take (fragments, ...)",
		  offsetof(struct pcf_ct_totals, untracked) },
	};
	struct pcf_counter c[PCF_CT_X_MAX];
	struct pcf_ct_totals t;
	unsigned int i;

	if (pcf_ctl_session_totals(m->src.ctl, &t))
		return;
	gauge(b, "pcf_sessions", "Sessions in the table", t.active);
	gauge(b, "pcf_sessions_max", "Sessions the table holds at most",
	      t.capacity);
	for (i = 0; i < sizeof(totals) / sizeof(totals[0]); i++) {
		pcf_prom_family(b, totals[i].name, "counter", totals[i].help);
		pcf_prom_u64(
		    b, totals[i].name, NULL, 0,
		    *(const __u64 *)((const char *)&t + totals[i].off));
	}
	if (pcf_ct_maps_read_xstats(pcf_dp_ct(m->src.dp), c))
		return;
	xdp_family(b, "pcf_xdp_session_packets_total",
		   "What pcf_steer did with packets of sessions, by event",
		   "event", c, PCF_CT_X_MAX, ct_xstat_name, 0, false);
}

/* ---- workers ---- */

/* The running workers and their totals. */
struct wview {
	unsigned int n;
	struct pcf_worker_info *in;
	struct pcf_wtotal *tot;
	char (*queue)[12];
};

static void wview_free(struct wview *v)
{
	free(v->in);
	free(v->tot);
	free(v->queue);
}

static int wview_read(struct pcf_metrics *m, struct wview *v)
{
	const struct pcf_ctl_workers *w = pcf_ctl_get_workers(m->src.ctl);
	unsigned int i, n = w ? w->count(w->ctx) : 0;

	*v = (struct wview){};
	if (!n)
		return 0;
	v->in = calloc(n, sizeof(*v->in));
	v->tot = calloc(n, sizeof(*v->tot));
	v->queue = calloc(n, sizeof(*v->queue));
	if (!v->in || !v->tot || !v->queue) {
		wview_free(v);
		return -ENOMEM;
	}
	for (i = 0; i < n; i++) {
		if (w->info(w->ctx, i, &v->in[v->n]))
			continue;
		pcf_wtotals_read(m->src.totals, &v->in[v->n], &v->tot[v->n]);
		snprintf(v->queue[v->n], sizeof(v->queue[0]), "%u",
			 v->in[v->n].queue);
		v->n++;
	}
	return 0;
}

/* A u64 of a worker's totals, by its offset. */
#define WFIELD(f) offsetof(struct pcf_wtotal, f)

static __u64 wvalue(const struct pcf_wtotal *t, size_t off)
{
	return *(const __u64 *)((const char *)t + off);
}

static void worker_family(struct textbuf *b, const struct wview *v,
			  const char *name, const char *help, size_t off)
{
	struct pcf_prom_label l[2] = { { "ifname", NULL }, { "queue", NULL } };
	unsigned int i;

	pcf_prom_family(b, name, "counter", help);
	for (i = 0; i < v->n; i++) {
		l[0].value = v->in[i].ifname;
		l[1].value = v->queue[i];
		pcf_prom_u64(b, name, l, 2, wvalue(&v->tot[i], off));
	}
}

/* Drops (or packets returned) by reason: reasons from 1, 0 is none. */
static void worker_reasons(struct textbuf *b, const struct wview *v,
			   const struct pcf_ctl_workers *w, const char *name,
			   const char *help, bool returned)
{
	struct pcf_prom_label l[3] = { { "ifname", NULL },
				       { "queue", NULL },
				       { "reason", NULL } };
	unsigned int i, r;

	pcf_prom_family(b, name, "counter", help);
	for (i = 0; i < v->n; i++) {
		l[0].value = v->in[i].ifname;
		l[1].value = v->queue[i];
		for (r = 1; r < w->ndrops && r < PCF_WTOTAL_REASONS; r++) {
			__u64 n = returned ? v->tot[i].returned[r]
					   : v->tot[i].drops[r];

			/* returned: only the reasons that return packets */
			if (returned && !n)
				continue;
			l[2].value = w->drop_name(r);
			pcf_prom_u64(b, name, l, 3, n);
		}
	}
}

/* The kernel's XDP_STATISTICS of the workers' sockets, one family each. */
static void worker_sockets(struct textbuf *b, const struct wview *v)
{
	struct pcf_prom_label l[3] = { { "ifname", NULL },
				       { "queue", NULL },
				       { "socket", NULL } };
	char name[96], key[64], help[256];
	unsigned int a, i;

	for (a = PCF_A_XSK_RX_DROPPED; a <= PCF_A_XSK_MAX; a++) {
		pcf_stats_key(pcf_xsk_set.policy[a].name, key, sizeof(key));
		snprintf(name, sizeof(name), "pcf_worker_xsk_%s_total", key);
		snprintf(
		    help, sizeof(help),
		    "The kernel's %s count (XDP_STATISTICS) of a worker's AF_XDP socket: steered (its interface) or return (the return veth)",
		    key);
		pcf_prom_family(b, name, "counter", help);
		for (i = 0; i < v->n; i++) {
			l[0].value = v->in[i].ifname;
			l[1].value = v->queue[i];
			l[2].value = "steered";
			pcf_prom_u64(b, name, l, 3, v->tot[i].sock[a]);
			if (!v->in[i].has_ret_sock)
				continue;
			l[2].value = "return";
			pcf_prom_u64(b, name, l, 3, v->tot[i].ret_sock[a]);
		}
	}
}

static void worker_info(struct textbuf *b, const struct wview *v)
{
	struct pcf_prom_label l[4] = { { "ifname", NULL },
				       { "queue", NULL },
				       { "cpu", NULL },
				       { "bind_mode", NULL } };
	__u64 now = pcf_heartbeat_now();
	char cpu[12];
	unsigned int i;

	pcf_prom_family(
	    b, "pcf_worker_info", "gauge",
	    "A running AF_XDP worker: its CPU (-1: not pinned) and AF_XDP bind mode as labels; always 1");
	for (i = 0; i < v->n; i++) {
		snprintf(cpu, sizeof(cpu), "%d", v->in[i].cpu);
		l[0].value = v->in[i].ifname;
		l[1].value = v->queue[i];
		l[2].value = cpu;
		l[3].value = v->in[i].zerocopy ? "zerocopy" : "copy";
		pcf_prom_u64(b, "pcf_worker_info", l, 4, 1);
	}
	pcf_prom_family(
	    b, "pcf_worker_heartbeat_age_seconds", "gauge",
	    "How long ago a worker's thread last went round its loop (pcf_steer passes its queue's flows to the kernel beyond --worker-timeout)");
	for (i = 0; i < v->n; i++) {
		__u64 beat = v->in[i].beat_ns;

		l[0].value = v->in[i].ifname;
		l[1].value = v->queue[i];
		pcf_prom_double(b, "pcf_worker_heartbeat_age_seconds", l, 2,
				beat ? pcf_age_ns(now, beat) / 1e9 : 0);
	}
}

static int workers_part(struct pcf_metrics *m, struct textbuf *b)
{
	const struct pcf_ctl_workers *w = pcf_ctl_get_workers(m->src.ctl);
	struct wview v;
	int err = wview_read(m, &v);

	if (err)
		return err;
	worker_info(b, &v);
	worker_family(b, &v, "pcf_worker_rx_packets_total",
		      "Packets a worker took off its AF_XDP socket",
		      WFIELD(rx_packets));
	worker_family(b, &v, "pcf_worker_rx_bytes_total",
		      "Bytes of the packets a worker took in",
		      WFIELD(rx_bytes));
	worker_family(b, &v, "pcf_worker_tx_packets_total",
		      "Packets a worker handed to a tx ring",
		      WFIELD(tx_packets));
	worker_family(b, &v, "pcf_worker_tx_bytes_total",
		      "Bytes of the packets a worker handed to a tx ring",
		      WFIELD(tx_bytes));
	worker_family(b, &v, "pcf_worker_mirror_packets_total",
		      "Mirror copies a worker sent", WFIELD(mirrors));
	worker_family(b, &v, "pcf_worker_l4_csum_sampled_total",
		      "Received TCP/UDP checksums a worker checked (a sample)",
		      WFIELD(csum_sampled));
	worker_family(
	    b, &v, "pcf_worker_bad_l4_csum_total",
	    "Received TCP/UDP checksums a worker found bad (a sender leaving them to offload)",
	    WFIELD(csum_bad));
	if (w) {
		worker_reasons(b, &v, w, "pcf_worker_drops_total",
			       "Packets a worker dropped, by reason", false);
		worker_reasons(
		    b, &v, w, "pcf_worker_returned_packets_total",
		    "Packets a worker gave back to the kernel through the return veth, by why",
		    true);
	}
	worker_sockets(b, &v);
	wview_free(&v);
	return 0;
}

/* ---- links ---- */

static void link_family(struct textbuf *b, const struct pcf_link *l,
			unsigned int n, const char *name, const char *type,
			const char *help, size_t off)
{
	struct pcf_prom_label lab = { "ifname", NULL };
	unsigned int i;

	pcf_prom_family(b, name, type, help);
	for (i = 0; i < n; i++) {
		lab.value = l[i].name;
		pcf_prom_u64(b, name, &lab, 1,
			     *(const __u64 *)((const char *)&l[i] + off));
	}
}

static int links_part(struct pcf_metrics *m, struct textbuf *b)
{
	const struct pcf_ctl_workers *w = pcf_ctl_get_workers(m->src.ctl);
	struct pcf_link l[PCF_MAX_IFACES + 2];
	struct pcf_prom_label lab = { "ifname", NULL };
	unsigned int i, n = 0;
	int err;

	for (i = 0; w && w->link && n < sizeof(l) / sizeof(l[0]) &&
		    (err = w->link(w->ctx, i, &l[n])) != -ENOENT;
	     i++)
		n += !err;
	link_family(
	    b, l, n, "pcf_link_rx_packets_total", "counter",
	    "The kernel's rx packets of an interface pcfd uses (steered, or an end of the return veth)",
	    offsetof(struct pcf_link, rx_packets));
	link_family(b, l, n, "pcf_link_rx_dropped_total", "counter",
		    "The kernel's rx drops of an interface pcfd uses",
		    offsetof(struct pcf_link, rx_dropped));
	link_family(b, l, n, "pcf_link_tx_packets_total", "counter",
		    "The kernel's tx packets of an interface pcfd uses",
		    offsetof(struct pcf_link, tx_packets));
	link_family(b, l, n, "pcf_link_tx_dropped_total", "counter",
		    "The kernel's tx drops of an interface pcfd uses",
		    offsetof(struct pcf_link, tx_dropped));
	pcf_prom_family(b, "pcf_link_mtu_bytes", "gauge",
			"The MTU of an interface pcfd uses");
	for (i = 0; i < n; i++) {
		lab.value = l[i].name;
		pcf_prom_u64(b, "pcf_link_mtu_bytes", &lab, 1, l[i].mtu);
	}
	return 0;
}

/* ---- rules ---- */

struct rule_family {
	const char *name, *help;
	size_t off; /* of the u64 in struct rule_snap */
};

static const struct rule_family rule_families[] = {
	{ "pcf_rule_packets_total",
	  "Packets pcf_steer matched to a rule (its id)",
	  offsetof(struct rule_snap, xdp.packets) },
	{ "pcf_rule_bytes_total",
	  "Bytes of the packets pcf_steer matched to a rule",
	  offsetof(struct rule_snap, xdp.bytes) },
};

/* RULES_PER_PART rules of one family; true when the family is done. */
static bool rules_part(struct pcf_metrics *m, struct textbuf *b)
{
	const struct rule_family *f = &rule_families[m->sec - SEC_RULE_PACKETS];
	unsigned int end = m->next + RULES_PER_PART;

	if (!m->next)
		pcf_prom_family(b, f->name, "counter", f->help);
	for (; m->next < m->nrules && m->next < end; m->next++) {
		const struct rule_snap *s = &m->rules[m->next];

		pcf_prom_u64_id(b, f->name, "rule", s->id,
				*(const __u64 *)((const char *)s + f->off));
	}
	if (m->next < m->nrules)
		return false;
	m->next = 0;
	return true;
}

int pcf_metrics_next(struct pcf_metrics *m, struct textbuf *b)
{
	int err = 0;

	switch (m->sec) {
	case SEC_INFO:
		info_part(m, b);
		break;
	case SEC_XDP:
		err = xdp_part(m, b);
		break;
	case SEC_RETURN:
		err = return_part(m, b);
		break;
	case SEC_WORKERS:
		err = workers_part(m, b);
		break;
	case SEC_LINKS:
		err = links_part(m, b);
		break;
	case SEC_SESSIONS:
		sessions_part(m, b);
		break;
	case SEC_RULE_PACKETS:
	case SEC_RULE_BYTES:
		if (!rules_part(m, b))
			return b->oom ? -ENOMEM : 0;
		break;
	case SEC_DONE:
		return 1;
	}
	if (err)
		return err;
	if (b->oom)
		return -ENOMEM;
	m->sec++;
	return m->sec == SEC_DONE;
}
