// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * pcfd - the pcf daemon: attaches the steering program, owns the pinned
 * rule table, runs the AF_XDP workers and serves the control channel.
 *
 * The main loop is one epoll set: each thing pcfd waits for (the control
 * socket, signals, the stats, watchdog and one-second timers, interface
 * events) is a pcfd_source with a handler; adding one is a pcfd_watch()
 * call.  The workers run on their own threads; the main loop only reads
 * their counters, and restarts them as a whole when the interfaces change
 * (one gone or back, an MTU that needs other frames).
 *
 * Start-up order: options and the rules file are checked whole before
 * anything is touched; then the data plane, the control socket (bound
 * first: a second pcfd must not touch the attachments), XDP on every
 * interface, the rules file, the workers, and only then READY=1.
 */
#include <dirent.h>
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>

#include "pcf_genl.h"
#include "ct_addrs.h"
#include "ct_reap.h"
#include "ctl.h"
#include "ctl_session.h"
#include "http.h"
#include "ifwatch.h"
#include "journal.h"
#include "loader.h"
#include "log.h"
#include "notify.h"
#include "pcfd_opts.h"
#include "retveth.h"
#include "rules_apply.h"
#include "table.h"
#include "workers.h"
#include "wtotals.h"

#define MAX_SOURCES 8
#define RECLAIM_MS  20 /* rule table work left for later: looked at so often */
/* The session table is swept a slice a tick: at most so many entries
 * every CT_TICK_MS, a table of a million entries in 25 s. */
#define CT_TICK_MS     100
#define CT_TICK_BUDGET 4096

struct pcfd;

struct pcfd_source {
	int fd;
	/* fd is readable; < 0: stop pcfd with this error */
	int (*ready)(struct pcfd *d, struct pcfd_source *src);
	void *ctx; /* the handler's own state */
};

/* One interface of o.ifnames, as pcfd attached it. */
struct pcfd_iface {
	__u32 ifindex; /* attached as; 0: not attached (it is not there) */
	__u32 mtu;
	__u32 refused; /* an ifindex attaching failed for: said once */
	bool csum_warned;
};

struct pcfd {
	struct pcfd_opts o;
	int argc; /* the command line, parsed again on SIGHUP */
	char **argv;
	struct pcf_rules_file rules;
	struct pcf_dp *dp;
	struct pcf_ctl *ctl;
	struct pcf_workers *ws;
	struct pcf_ctl_workers ctl_workers;
	struct pcf_http *http;	    /* --http: NULL without */
	struct pcf_wtotals *totals; /* the workers' counters, pinned */
	int epfd, stats_fd, watchdog_fd, tick_fd, ct_fd;
	bool stop;
	struct pcf_ifwatch *watch;
	struct pcfd_iface ifs[PCF_MAX_IFACES];
	bool look_again;   /* an interface event named one of ours */
	__u32 ret_mtu;	   /* the return veth's, once set */
	bool ret_mtu_said; /* its MTU is less than asked: said once */
	struct pcfd_source sources[MAX_SOURCES];
	int nsources;
	struct pcf_watchdog_gate gate;
	struct pcf_loop_gate loop_gate;
	__u64 longest_turn_ns;	/* of a handler, since the last watchdog tick */
	bool watchdog_withheld; /* said so once; quiet until it passes */
	__u64 last_packets;	/* XDP packets at the last STATUS= */
	struct timespec last_tick;
	char ifaces[PCF_MAX_IFACES * (IF_NAMESIZE + 1)]; /* "a,b" */
	/* sessions: masquerade's addresses, the reaper, what the control
	 * server is told */
	struct pcf_ct_addrs ct_addrs;
	struct pcf_ct_reaper reaper;
	struct pcf_ctl_sessions ctl_sessions;
};

static int open_dp(struct pcfd *d)
{
	const struct pcf_dp_opts opts = { .sessions = d->o.sessions };
	int err = pcf_dp_open_opts(d->o.pin_dir, &opts, &d->dp);

	if (err == -ENOTSUP)
		pr_warn(
		    "pcfd: %s is not on a bpf filesystem: mount one (mount -t bpf bpf /sys/fs/bpf) or give --pin-dir on a bpffs. "
		    "`ip netns exec` hides /sys/fs/bpf: start pcfd with nsenter --net=/run/netns/NAME instead\n",
		    d->o.pin_dir);
	else if (err == -EPROTO)
		pr_warn(
		    "pcfd: the maps pinned in %s were made by another version of pcf (another layout): save the rules with that version's pcfctl flow save if you need them, then pcfd --unload (it removes them), or give another --pin-dir\n",
		    d->o.pin_dir);
	else if (err == -EUCLEAN)
		pr_warn(
		    "pcfd: the rules pinned in %s are not a table pcf wrote: pcfd --unload removes them\n",
		    d->o.pin_dir);
	else if (err)
		pr_warn("pcfd: cannot open the data plane in %s: %s\n",
			d->o.pin_dir, strerror(-err));
	else if (d->o.sessions && d->o.sessions != pcf_dp_ct(d->dp)->sessions)
		pr_warn(
		    "pcfd: --sessions %u: the session table pinned in %s holds %u and keeps them (pcfd --unload, then start, to make it anew)\n",
		    d->o.sessions, d->o.pin_dir, pcf_dp_ct(d->dp)->sessions);
	return err;
}

/* Links of interfaces still pinned in the pin directory? */
static bool links_left(const char *pin_dir)
{
	struct dirent *e;
	bool left = false;
	DIR *dir = opendir(pin_dir);

	if (!dir)
		return false;
	while (!left && (e = readdir(dir)))
		left = !strncmp(e->d_name, "link_", 5);
	closedir(dir);
	return left;
}

/* The return veth and its programs go; -ENOENT: they were not there. */
static int unload_return(struct pcfd *d)
{
	int err, gone;

	if (!d->o.ret_name[0])
		return 0;
	err = pcf_dp_return_detach(d->dp, d->o.ret_peer);
	gone = pcf_retveth_remove(d->o.ret_name);
	if (!gone)
		pr_info("pcfd: removed the return veth %s\n", d->o.ret_name);
	else if (gone != -ENODEV)
		pr_warn("pcfd: cannot remove the return veth %s: %s\n",
			d->o.ret_name, strerror(-gone));
	return gone && gone != -ENODEV ? gone : err == -ENOENT ? 0 : err;
}

/* Maps pcfd cannot open: take everything in the pin directory away. */
static int unload_unknown(struct pcfd *d)
{
	int err = pcf_pins_remove(d->o.pin_dir);

	if (d->o.ret_name[0])
		pcf_retveth_remove(d->o.ret_name);
	if (err) {
		pr_warn("pcfd: cannot remove %s: %s\n", d->o.pin_dir,
			strerror(-err));
		return 1;
	}
	pr_info("pcfd: detached and removed everything pinned in %s\n",
		d->o.pin_dir);
	return 0;
}

static int unload(struct pcfd *d)
{
	int i, err, ret = 0;

	err = open_dp(d);
	if (err == -EPROTO || err == -EUCLEAN)
		return unload_unknown(d);
	if (err)
		return 1;
	ret = unload_return(d) != 0;
	for (i = 0; i < d->o.nifs; i++) {
		err = pcf_dp_detach(d->dp, d->o.ifnames[i]);
		if (err == -ENOENT)
			pr_warn("pcfd: %s: pcf is not attached\n",
				d->o.ifnames[i]);
		else if (err)
			pr_warn("pcfd: %s: detach failed: %s\n",
				d->o.ifnames[i], strerror(-err));
		else
			pr_info("pcfd: detached from %s\n", d->o.ifnames[i]);
		ret = ret || (err && err != -ENOENT);
	}
	if (links_left(d->o.pin_dir)) {
		pr_info(
		    "pcfd: other interfaces are still attached: rules and maps stay pinned in %s\n",
		    d->o.pin_dir);
	} else {
		err = pcf_wtotals_unpin(d->o.pin_dir);
		if (!err)
			err = pcf_dp_unpin(d->dp);
		if (err) {
			pr_warn("pcfd: cannot unpin %s: %s\n", d->o.pin_dir,
				strerror(-err));
			ret = 1;
		}
	}
	pcf_dp_close(d->dp);
	return ret;
}

/* Attach to interface i (it is there: link); remember how. */
static int attach_one(struct pcfd *d, int i, const struct pcf_link *l)
{
	const char *name = d->o.ifnames[i];
	enum pcf_xdp_mode got;
	int err;

	err = pcf_dp_attach(d->dp, name, d->o.mode, &got);
	if (err) {
		pr_warn("pcfd: cannot attach to %s: %s\n", name,
			strerror(-err));
		return err;
	}
	d->ifs[i].ifindex = l->ifindex;
	d->ifs[i].mtu = l->mtu;
	pcf_journal_event(LOG_INFO, "attached", name,
			  "attached to %s (%s mode)", name,
			  pcf_xdp_mode_name(got));
	return 0;
}

static int attach_all(struct pcfd *d)
{
	struct pcf_link l;
	int i, err;

	for (i = 0; i < d->o.nifs; i++) {
		err = pcf_link_get(d->o.ifnames[i], &l);
		if (err) {
			pr_warn("pcfd: cannot attach to %s: %s\n",
				d->o.ifnames[i], strerror(-err));
			return err;
		}
		err = attach_one(d, i, &l);
		if (err)
			return err;
	}
	if (d->o.default_verdict >= 0) {
		err = pcf_dp_set_default(d->dp, d->o.default_verdict);
		if (err) {
			pr_warn("pcfd: cannot set the default verdict: %s\n",
				strerror(-err));
			return err;
		}
	}
	return 0;
}

/* ---- the rules file ---- */

/*
 * The file read and every rule of it valid (the loader validates them):
 * checked before anything is touched.
 */
static int check_rules(struct pcfd *d)
{
	char err[PCF_CONF_ERR_MAX];

	if (!d->o.rules_file)
		return 0;
	if (pcf_rules_file_load(d->o.rules_file, &d->rules, err, sizeof(err))) {
		pr_warn("pcfd: %s\n", err);
		return 2;
	}
	return 0;
}

/* --check: the file's settings, one "--key=value" a line, as pcfd took them. */
static int check_only(struct pcfd *d)
{
	int i;

	for (i = 1; i < d->o.conf.argc; i++)
		printf("%s\n", d->o.conf.argv[i]);
	if (d->o.rules_file)
		printf("# %s: %d commands\n", d->o.rules_file, d->rules.n);
	return 0;
}

/* The whole file, or nothing of it (rules_apply.h). */
/* Will a worker run on ifindex?  (one on each interface pcfd steers) */
static bool steered(const struct pcfd *d, __u32 ifindex)
{
	int i;

	for (i = 0; i < d->o.nifs; i++)
		if (d->ifs[i].ifindex && d->ifs[i].ifindex == ifindex)
			return true;
	return false;
}

/* A mirror of the file pcfd cannot honour: its index, or -1. */
static int unsent_mirror(const struct pcfd *d)
{
	int i;

	for (i = 0; i < d->rules.n; i++) {
		const struct pcf_flow_change *c = &d->rules.changes[i];

		if ((c->op == PCF_FLOW_ADD || c->op == PCF_FLOW_REPLACE) &&
		    (c->rule.action.flags & PCF_ACT_MIRROR) &&
		    !steered(d, c->rule.action.mirror_ifindex))
			return i;
	}
	return -1;
}

static int apply_rules(struct pcfd *d)
{
	char why[512], text[PCF_TEXT_RULE_MAX + 32];
	int failed, err;

	if (!d->rules.n)
		return 0;
	failed = unsent_mirror(d);
	if (failed >= 0) {
		pcf_ctl_mirror_refusal(
		    d->rules.changes[failed].rule.action.mirror_ifindex, why,
		    sizeof(why));
		err = -ENODEV;
	} else {
		err = pcf_rules_apply(pcf_dp_table(d->dp), d->rules.changes,
				      d->rules.n, &failed, why, sizeof(why));
	}
	if (err) {
		pcf_text_change(&d->rules.changes[failed], text, sizeof(text));
		pr_warn("pcfd: %s:%d: %s: %s; nothing of %s was applied\n",
			d->o.rules_file, d->rules.lines[failed], text, why,
			d->o.rules_file);
		return err;
	}
	pr_info("pcfd: %d commands of %s applied\n", d->rules.n,
		d->o.rules_file);
	return 0;
}

static __u32 largest_mtu(const struct pcfd *d)
{
	__u32 mtu = 0;
	int i;

	for (i = 0; i < d->o.nifs; i++)
		if (d->ifs[i].ifindex && d->ifs[i].mtu > mtu)
			mtu = d->ifs[i].mtu;
	return mtu;
}

/*
 * The return veth takes what the steered interfaces take: a packet for
 * the kernel longer than its MTU would be dropped (its tx_dropped).
 */
static void follow_mtu(struct pcfd *d)
{
	__u32 want = largest_mtu(d), got;
	int err;

	if (!d->o.ret_name[0] || !want)
		return;
	err = pcf_retveth_set_mtu(d->o.ret_name, d->o.ret_peer, want, &got);
	if (err) {
		if (!d->ret_mtu_said)
			pr_warn(
			    "pcfd: cannot give the return veth %s the MTU %u: %s\n",
			    d->o.ret_name, want, strerror(-err));
		d->ret_mtu_said = true;
		return;
	}
	if (got != d->ret_mtu)
		pr_info("pcfd: return veth %s: MTU %u\n", d->o.ret_name, got);
	if (got < want && !d->ret_mtu_said)
		pcf_journal_event(
		    LOG_WARNING, "return_mtu", d->o.ret_name,
		    "the return veth %s takes an MTU of %u at most, not %u: packets for the kernel longer than that are dropped (its tx_dropped)",
		    d->o.ret_name, got, want);
	d->ret_mtu_said = got < want;
	d->ret_mtu = got;
}

/*
 * The return veth (created, or adopted from an earlier pcfd), pcf_return
 * on its kernel end, and our interfaces in its devmap: workers send it
 * what the kernel is to route.
 */
static int setup_return(struct pcfd *d)
{
	struct pcf_workers_cfg *w = &d->o.workers;
	struct pcf_retveth rv;
	int i, err;

	if (!d->o.ret_name[0]) {
		pr_info(
		    "pcfd: no return veth: packets for the kernel are dropped\n");
		return 0;
	}
	err = pcf_retveth_setup(d->o.ret_name, d->o.ret_peer, &rv);
	if (!err)
		err = pcf_dp_return_attach(d->dp, d->o.ret_peer);
	for (i = 0; !err && i < d->o.nifs; i++)
		if (d->ifs[i].ifindex)
			err = pcf_dp_return_allow(d->dp, d->ifs[i].ifindex);
	if (err) {
		pr_warn(
		    "pcfd: cannot set up the return veth %s,%s: %s (another name with --return-veth, or none)\n",
		    d->o.ret_name, d->o.ret_peer, strerror(-err));
		return err;
	}
	if (rv.knob_failed)
		pr_warn(
		    "pcfd: return veth: cannot write %s: %s; returned packets may be filtered\n",
		    rv.knob_failed, strerror(-rv.knob_err));
	memcpy(w->ret_ifname, rv.name, sizeof(w->ret_ifname));
	memcpy(w->ret_dmac, rv.peer_mac, sizeof(w->ret_dmac));
	memcpy(w->ret_smac, rv.mac, sizeof(w->ret_smac));
	pcf_journal_event(LOG_INFO, "return", rv.name,
			  "return veth %s, pcf_return on %s", rv.name, rv.peer);
	d->ret_mtu = 0;
	follow_mtu(d);
	return 0;
}

/* ---- sessions ---- */

/* The session table's totals: the reaper's, the workers', pcf_steer's. */
static void ct_totals(const void *ctx, struct pcf_ct_totals *ret)
{
	const struct pcfd *d = ctx;
	struct pcf_counter x[PCF_CT_X_MAX] = {};
	struct pcf_worker_stats w = {};

	if (d->ws)
		pcf_workers_stats_sum(d->ws, &w);
	pcf_ct_maps_read_xstats(pcf_dp_ct(d->dp), x);
	*ret = (struct pcf_ct_totals){
		.capacity = pcf_dp_ct(d->dp)->sessions,
		.active = d->reaper.active,
		.created = w.ct.created + x[PCF_CT_X_CREATED].packets,
		.expired = d->reaper.expired,
		.evicted = d->reaper.evicted,
		.refused =
		    w.drops[PCF_WDROP_CT_FULL] + x[PCF_CT_X_FULL].packets,
		.ports_exhausted = w.drops[PCF_WDROP_CT_PORTS],
		.race_lost = w.ct.found + x[PCF_CT_X_EXISTS].packets,
		.untracked = w.drops[PCF_WDROP_CT_UNTRACKED],
	};
}

static bool ct_announced(const void *ctx, const struct pcf_ct_session *s)
{
	const struct pcfd *d = ctx;

	return pcf_ct_reap_announced(&d->reaper, s);
}

static void on_session_event(void *ctx, bool created,
			     const struct pcf_ct_session *s)
{
	struct pcfd *d = ctx;

	pcf_ctl_session_event(d->ctl, created, s);
}

/*
 * The sessions an earlier pcfd made stay (pinned): their NAT ports are
 * taken again before any worker can give one; the reaper takes over.
 */
static int open_sessions(struct pcfd *d)
{
	struct pcf_ct_maps *m = pcf_dp_ct(d->dp);
	int n;

	pcf_ct_reaper_init(&d->reaper, m, pcf_ct_now());
	d->reaper.timeouts = d->o.ct_timeouts;
	d->reaper.full = d->o.ct_full;
	d->reaper.on_event = on_session_event;
	d->reaper.ctx = d;
	d->ctl_sessions = (struct pcf_ctl_sessions){
		.timeouts = &d->reaper.timeouts,
		.totals = ct_totals,
		.announced = ct_announced,
		.ctx = d,
	};
	pcf_ctl_set_sessions(d->ctl, &d->ctl_sessions);
	if (pcf_ct_addrs_refresh(&d->ct_addrs) < 0)
		pr_warn(
		    "pcfd: cannot read the interfaces' addresses (masquerade): %s\n",
		    strerror(errno));
	pcf_ct_maps_set_addrs(m, &d->ct_addrs);
	d->o.workers.ct_addrs = &d->ct_addrs;
	n = pcf_ct_maps_adopt_ports(m);
	if (n < 0) {
		pr_warn("pcfd: cannot read the session table: %s\n",
			strerror(-n));
		return n;
	}
	pr_info(
	    "pcfd: session table: %u sessions at most, %d adopted, full: %s\n",
	    m->sessions, n, pcf_ct_full_name(d->o.ct_full));
	return 0;
}

/* Connections the table refused so far (what makes evict-oldest act). */
static __u64 ct_refused(const struct pcfd *d)
{
	struct pcf_ct_totals t;

	ct_totals(d, &t);
	return t.refused;
}

/* ---- the workers ---- */

/* The control server's view of the workers and links: ctx is the pcfd. */
static unsigned int ws_count(const void *ctx)
{
	const struct pcfd *d = ctx;

	return d->ws ? pcf_workers_count(d->ws) : 0;
}

static int ws_info(const void *ctx, unsigned int i, struct pcf_worker_info *ret)
{
	const struct pcfd *d = ctx;

	return d->ws ? pcf_workers_info(d->ws, i, ret) : -ENOENT;
}

static const char *ws_drop_name(unsigned int reason)
{
	return pcf_wdrop_name(reason);
}

/* Link i: the attached interfaces, then both ends of the return veth. */
static int ws_link(const void *ctx, unsigned int i, struct pcf_link *ret)
{
	const struct pcfd *d = ctx;
	const char *name;

	if (i < (unsigned int)d->o.nifs) {
		if (!d->ifs[i].ifindex)
			return -ENODEV;
		name = d->o.ifnames[i];
	} else if (i - d->o.nifs < 2 && d->o.ret_name[0]) {
		name = i == (unsigned int)d->o.nifs ? d->o.ret_name
						    : d->o.ret_peer;
	} else {
		return -ENOENT;
	}
	return pcf_link_get(name, ret);
}

/* Does a worker send on ifindex? (a mirror there is refused if not) */
static bool ws_runs_on(const void *ctx, __u32 ifindex)
{
	const struct pcfd *d = ctx;
	struct pcf_worker_info in;
	unsigned int i;

	for (i = 0; d->ws && !pcf_workers_info(d->ws, i, &in); i++)
		if (in.ifindex == ifindex)
			return true;
	return false;
}

static void serve_workers(struct pcfd *d)
{
	d->ctl_workers = (struct pcf_ctl_workers){
		.count = ws_count,
		.info = ws_info,
		.drop_name = ws_drop_name,
		.ndrops = PCF_WDROP_MAX,
		.link = ws_link,
		.runs_on = ws_runs_on,
		.ctx = d,
	};
	pcf_ctl_set_workers(d->ctl, &d->ctl_workers);
}

/*
 * Workers on every attached interface (none is there: none).  pcf_steer
 * then sends them only what their frames take, and only while they beat.
 */
static int start_workers(struct pcfd *d)
{
	const char *names[PCF_MAX_IFACES];
	struct pcf_worker_info in;
	unsigned int i;
	int n = 0, err;

	for (i = 0; i < (unsigned int)d->o.nifs; i++)
		if (d->ifs[i].ifindex)
			names[n++] = d->o.ifnames[i];
	if (!n) {
		pr_warn(
		    "pcfd: none of the interfaces is there: no workers until one comes back\n");
		return 0;
	}
	err = pcf_workers_start(d->dp, names, n, &d->o.workers, &d->ws);
	if (err) {
		pr_warn("pcfd: cannot start the AF_XDP workers: %s\n",
			strerror(-err));
		return err;
	}
	for (i = 0; !pcf_workers_info(d->ws, i, &in); i++)
		pr_info("pcfd: worker %u on %s queue %u: %s mode, cpu %d\n", i,
			in.ifname, in.queue, in.zerocopy ? "zerocopy" : "copy",
			in.cpu);
	pr_info("pcfd: %u workers running in %u threads (rx-mode %s), "
		"packets up to %u bytes\n",
		pcf_workers_count(d->ws), pcf_workers_threads(d->ws),
		pcf_rx_mode_name(d->o.workers.rx_mode),
		pcf_workers_max_packet(d->ws));
	err = pcf_dp_set_redirect_limits(d->dp, pcf_workers_max_packet(d->ws),
					 (__u64)d->o.worker_timeout_ms * 1000 *
					     1000);
	if (err)
		pr_warn("pcfd: cannot tell pcf_steer the workers' limits: %s\n",
			strerror(-err));
	return 0;
}

/* Empty the xskmap first: REDIRECTed flows go on through the kernel. */
static void stop_workers(struct pcfd *d)
{
	struct pcf_worker_info in;
	unsigned int i;

	if (!d->ws)
		return;
	/* what they counted stays in /metrics' totals (wtotals.h) */
	for (i = 0; d->totals && !pcf_workers_info(d->ws, i, &in); i++)
		pcf_wtotals_fold(d->totals, &in);
	pcf_workers_stop(d->ws);
	d->ws = NULL;
}

/*
 * The workers pinned (--cpus): the main loop (control channel, HTTP and
 * its /metrics, the journal) keeps to the other CPUs, if any is left, so
 * that serving never takes a worker's time, as DPDK keeps its main lcore
 * apart.  Workers made later pin themselves.
 */
static void keep_off_workers(const struct pcfd *d)
{
	const struct pcf_workers_cfg *w = &d->o.workers;
	cpu_set_t set;
	unsigned int i;

	if (!w->ncpus || sched_getaffinity(0, sizeof(set), &set))
		return;
	for (i = 0; i < w->ncpus; i++)
		CPU_CLR(w->cpus[i], &set);
	if (!CPU_COUNT(&set))
		return; /* workers on every CPU pcfd may use: shared */
	if (sched_setaffinity(0, sizeof(set), &set))
		pr_warn(
		    "pcfd: cannot keep the main loop off the workers' CPUs: %s\n",
		    strerror(errno));
	else
		pr_debug("pcfd: the main loop keeps off the workers' CPUs\n");
}

/*
 * All the workers again, on the interfaces there are now (they share one
 * UMEM and reach each other: restarting one interface alone would mean
 * rewiring the rest).  Meanwhile REDIRECTed flows of every interface pass
 * to the kernel (redirect_fallback); what the old sockets' rings held is
 * forwarded first (the threads drain them).  The workers' counters start
 * again from 0.
 */
static void restart_workers(struct pcfd *d)
{
	pr_info("pcfd: restarting the workers\n");
	stop_workers(d);
	d->gate = (struct pcf_watchdog_gate){}; /* other workers now */
	if (start_workers(d))
		pcf_journal_event(
		    LOG_ERR, "no_workers", d->ifaces,
		    "no AF_XDP workers: REDIRECTed flows go through the kernel (redirect_fallback)");
}

/* ---- interfaces that come and go ---- */

/* Interface i is gone, or now names another device: forget it. */
static void iface_gone(struct pcfd *d, int i)
{
	const char *name = d->o.ifnames[i];
	int err;

	pcf_journal_event(
	    LOG_WARNING, "gone", name,
	    "%s went away: its workers stop, its XDP link is unpinned; pcfd attaches again when an interface of that name comes",
	    name);
	err = pcf_dp_iface_gone(d->dp, name, d->ifs[i].ifindex);
	if (err)
		pr_warn("pcfd: %s: cannot unpin its link: %s\n", name,
			strerror(-err));
	d->ifs[i].ifindex = 0;
}

/*
 * An interface of the name of i is there (again): attach.  Attached?  A
 * device pcfd could not attach to is tried once (a new one, again).
 */
static bool iface_back(struct pcfd *d, int i, const struct pcf_link *l)
{
	int err;

	if (d->ifs[i].refused == l->ifindex)
		return false;
	err = attach_one(d, i, l);
	if (err) {
		d->ifs[i].refused = l->ifindex;
		pcf_journal_event(LOG_ERR, "attach_failed", d->o.ifnames[i],
				  "%s is back, but pcfd cannot attach: %s",
				  d->o.ifnames[i], strerror(-err));
		return false;
	}
	d->ifs[i].refused = 0;
	err = d->o.ret_name[0] ? pcf_dp_return_allow(d->dp, l->ifindex) : 0;
	if (err)
		pr_warn(
		    "pcfd: %s: pcf_return cannot redirect to it: %s (the kernel forwards what the workers return for it)\n",
		    d->o.ifnames[i], strerror(-err));
	return true;
}

/*
 * Look again at interface i: gone, back, or its MTU changed (*old_mtu:
 * the one before, else 0).  Returns whether the set of attached
 * interfaces changed.
 */
static bool sync_iface(struct pcfd *d, int i, __u32 *old_mtu)
{
	struct pcfd_iface *f = &d->ifs[i];
	bool there, changed = false;
	struct pcf_link l;

	there = !pcf_link_get(d->o.ifnames[i], &l);
	*old_mtu = 0;
	if (f->ifindex && (!there || l.ifindex != f->ifindex)) {
		iface_gone(d, i);
		changed = true;
	}
	if (!there)
		return changed;
	if (!f->ifindex)
		return iface_back(d, i, &l) || changed;
	if (l.mtu != f->mtu) {
		*old_mtu = f->mtu;
		f->mtu = l.mtu;
	}
	return changed;
}

/* What an MTU of interface i means for REDIRECTed packets, in words. */
static void say_mtu(struct pcfd *d, int i, __u32 old_mtu, bool restarting)
{
	__u32 frame = d->ifs[i].mtu + 14 + 8; /* two VLAN tags */
	__u32 size = pcf_workers_frame_size(largest_mtu(d));
	__u32 room = pcf_workers_frame_room(size);
	char again[64] = "";

	if (restarting)
		snprintf(again, sizeof(again),
			 " (they restart with %u-byte frames)", size);
	if (frame > room)
		pcf_journal_event(
		    LOG_WARNING, "mtu", d->o.ifnames[i],
		    "%s: MTU %u -> %u: its frames reach %u bytes, the workers take %u%s: longer packets of redirect rules go to the kernel, counted as too_big",
		    d->o.ifnames[i], old_mtu, d->ifs[i].mtu, frame, room,
		    again);
	else
		pcf_journal_event(
		    LOG_NOTICE, "mtu", d->o.ifnames[i],
		    "%s: MTU %u -> %u: its frames reach %u bytes, "
		    "the workers take %u%s",
		    d->o.ifnames[i], old_mtu, d->ifs[i].mtu, frame, room,
		    again);
}

/* The return veth went away (someone deleted it): make it again. */
static bool return_gone(struct pcfd *d)
{
	if (!d->o.ret_name[0] ||
	    (if_nametoindex(d->o.ret_name) && if_nametoindex(d->o.ret_peer)))
		return false;
	pcf_journal_event(LOG_WARNING, "return_gone", d->o.ret_name,
			  "the return veth %s went away: making it again",
			  d->o.ret_name);
	if (setup_return(d))
		pcf_journal_event(
		    LOG_ERR, "return_gone", d->o.ret_name,
		    "no return veth: packets for the kernel are dropped (egress_kernel)");
	return true;
}

/*
 * Bring what pcfd runs in line with the interfaces there are: attach to
 * those back, forget those gone, follow MTUs (the return veth's, the
 * workers' frames), and restart the workers when their set changed.
 */
static void reconcile(struct pcfd *d)
{
	__u32 old_mtu[PCF_MAX_IFACES], room;
	bool restart = false, mtu_changed = false;
	int i;

	for (i = 0; i < d->o.nifs; i++) {
		restart |= sync_iface(d, i, &old_mtu[i]);
		mtu_changed |= old_mtu[i] != 0;
	}
	restart |= return_gone(d);
	if (restart || mtu_changed)
		follow_mtu(d);
	room = pcf_workers_frame_room(pcf_workers_frame_size(largest_mtu(d)));
	if (d->ws && room != pcf_workers_max_packet(d->ws))
		restart = true; /* frames of another size now */
	for (i = 0; i < d->o.nifs; i++)
		if (old_mtu[i])
			say_mtu(d, i, old_mtu[i], restart);
	if (restart || (!d->ws && mtu_changed))
		restart_workers(d);
}

/* Is l one of the interfaces pcfd uses? */
static bool is_ours(const struct pcfd *d, const struct pcf_link *l)
{
	int i;

	for (i = 0; i < d->o.nifs; i++)
		if (!strcmp(l->name, d->o.ifnames[i]) ||
		    (d->ifs[i].ifindex && l->ifindex == d->ifs[i].ifindex))
			return true;
	return d->o.ret_name[0] && (!strcmp(l->name, d->o.ret_name) ||
				    !strcmp(l->name, d->o.ret_peer));
}

static void on_link_event(void *ctx, bool deleted, const struct pcf_link *l)
{
	struct pcfd *d = ctx;

	if (is_ours(d, l))
		d->look_again = true;
}

static int on_ifwatch(struct pcfd *d, struct pcfd_source *src)
{
	int err = pcf_ifwatch_read(d->watch, on_link_event, d);

	if (err == -ENOBUFS)
		d->look_again = true; /* events lost: look at everything */
	else if (err)
		pr_warn("pcfd: interface events: %s\n", strerror(-err));
	if (d->look_again) {
		d->look_again = false;
		reconcile(d);
	}
	return 0;
}

/*
 * Senders that leave TCP/UDP checksums to an offload (a veth, a
 * container) send packets AF_XDP passes on as they are, and the receiver
 * drops: say so once per interface, when most of what the workers
 * checked there was bad.
 */
static void check_csums(struct pcfd *d)
{
	__u64 bad[PCF_MAX_IFACES] = {}, sampled[PCF_MAX_IFACES] = {};
	struct pcf_worker_info in;
	unsigned int w;
	int i;

	for (w = 0; d->ws && !pcf_workers_info(d->ws, w, &in); w++)
		for (i = 0; i < d->o.nifs; i++)
			if (!strcmp(in.ifname, d->o.ifnames[i])) {
				bad[i] += in.stats.csum_bad;
				sampled[i] += in.stats.csum_sampled;
			}
	for (i = 0; i < d->o.nifs; i++) {
		if (d->ifs[i].csum_warned || bad[i] < 3 ||
		    2 * bad[i] <= sampled[i])
			continue;
		d->ifs[i].csum_warned = true;
		pcf_journal_event(
		    LOG_WARNING, "bad_checksums", d->o.ifnames[i],
		    "%s: TCP/UDP packets arrive with bad checksums (%llu of %llu checked): the sender leaves them to checksum offload (a veth or a container does) and AF_XDP forwards them as they are, so receivers drop them; turn the offload off on the sending interface: ethtool -K IFNAME tx off",
		    d->o.ifnames[i], (unsigned long long)bad[i],
		    (unsigned long long)sampled[i]);
	}
}

/* ---- counters: STATUS= and the journal ---- */

static void xdp_counters(struct pcfd *d, struct pcf_journal_counters *jc,
			 struct pcf_ct_totals *sessions)
{
	struct pcf_counter c[PCF_STAT_MAX];
	unsigned int r;

	ct_totals(d, sessions);
	sessions->deleted = pcf_ctl_sessions_deleted(d->ctl);
	*jc = (struct pcf_journal_counters){ .scope = PCF_JOURNAL_XDP,
					     .iface = d->ifaces,
					     .sessions = sessions };
	if (pcf_dp_read_stats(d->dp, c))
		return;
	jc->pass_packets = c[PCF_STAT_VERDICT(PCF_VERDICT_PASS)].packets;
	jc->redirect_packets =
	    c[PCF_STAT_VERDICT(PCF_VERDICT_REDIRECT)].packets;
	jc->drop_packets = c[PCF_STAT_VERDICT(PCF_VERDICT_DROP)].packets;
	jc->rx_packets =
	    jc->pass_packets + jc->redirect_packets + jc->drop_packets;
	for (r = 0; r < PCF_REASON_MAX; r++)
		jc->reasons[r] = c[PCF_STAT_REASON(r)].packets;
}

/* One line: interfaces, rules, workers, packets/s since the last one. */
static void update_status(struct pcfd *d, bool ready)
{
	struct pcf_journal_counters jc;
	struct pcf_ct_totals sessions;
	struct pcf_table_info ti;
	struct timespec now;
	double secs, pps = 0;
	char line[sizeof(d->ifaces) + 128];

	xdp_counters(d, &jc, &sessions);
	pcf_table_info(pcf_dp_table(d->dp), &ti);
	clock_gettime(CLOCK_MONOTONIC, &now);
	secs = (now.tv_sec - d->last_tick.tv_sec) +
	       (now.tv_nsec - d->last_tick.tv_nsec) / 1e9;
	if (d->last_tick.tv_sec && secs > 0 && jc.rx_packets >= d->last_packets)
		pps = (jc.rx_packets - d->last_packets) / secs;
	d->last_tick = now;
	d->last_packets = jc.rx_packets;
	snprintf(
	    line, sizeof(line),
	    "pcfd: %d interfaces (%s), %u rules, %u workers, %.0f packets/s",
	    d->o.nifs, d->ifaces, ti.rules,
	    d->ws ? pcf_workers_count(d->ws) : 0,
	    pps);
	if (ready)
		pcf_notify_ready(line);
	else
		pcf_notify_status("%s", line);
}

static void journal_counters(struct pcfd *d)
{
	struct pcf_journal_counters jc;
	struct pcf_ct_totals sessions;
	struct pcf_worker_info in;
	struct pcf_link l;
	unsigned int i, r;
	int err;

	xdp_counters(d, &jc, &sessions);
	pcf_journal_counters(&jc);
	for (i = 0; d->ws && !pcf_workers_info(d->ws, i, &in); i++) {
		jc = (struct pcf_journal_counters){
			.scope = PCF_JOURNAL_WORKER,
			.iface = in.ifname,
			.queue = in.queue,
			.rx_packets = in.stats.rx_packets,
			.tx_packets = in.stats.tx_packets,
			.sock = &in.sock,
			.ret_sock = in.has_ret_sock ? &in.ret_sock : NULL,
			.csum_sampled = in.stats.csum_sampled,
			.csum_bad = in.stats.csum_bad,
		};
		for (r = 1; r < PCF_WDROP_MAX; r++) {
			jc.drops[r] = in.stats.drops[r];
			jc.drop_packets += in.stats.drops[r];
		}
		pcf_journal_counters(&jc);
	}
	for (i = 0; (err = ws_link(d, i, &l)) != -ENOENT; i++) {
		if (err)
			continue;
		jc = (struct pcf_journal_counters){
			.scope = PCF_JOURNAL_LINK,
			.iface = l.name,
			.mtu = l.mtu,
			.rx_packets = l.rx_packets,
			.rx_dropped = l.rx_dropped,
			.tx_packets = l.tx_packets,
			.tx_dropped = l.tx_dropped,
		};
		pcf_journal_counters(&jc);
	}
}

/* ---- the main loop ---- */

/* Call ready (with ctx) whenever fd is readable. */
static int pcfd_watch(struct pcfd *d, int fd,
		      int (*ready)(struct pcfd *, struct pcfd_source *),
		      void *ctx)
{
	struct pcfd_source *src;
	struct epoll_event ev = { .events = EPOLLIN };

	if (d->nsources == MAX_SOURCES)
		return -ENOSPC;
	src = &d->sources[d->nsources++];
	src->fd = fd;
	src->ready = ready;
	src->ctx = ctx;
	ev.data.ptr = src;
	if (epoll_ctl(d->epfd, EPOLL_CTL_ADD, fd, &ev))
		return -errno;
	return 0;
}

/* Arm a periodic timerfd every usec (0: disarm). */
static int timer_set(int fd, __u64 usec)
{
	struct itimerspec its = {};

	its.it_value.tv_sec = usec / 1000000;
	its.it_value.tv_nsec = (usec % 1000000) * 1000;
	its.it_interval = its.it_value;
	return timerfd_settime(fd, 0, &its, NULL) ? -errno : 0;
}

/* Read a timerfd's expirations (it is readable: at least one). */
static __u64 timer_ack(int fd)
{
	__u64 n = 1;

	if (read(fd, &n, sizeof(n)) < 0)
		pr_debug("pcfd: timer read: %s\n", strerror(errno));
	return n;
}

static int on_stats_tick(struct pcfd *d, struct pcfd_source *src)
{
	timer_ack(src->fd);
	journal_counters(d);
	update_status(d, false);
	return 0;
}

static int on_tick(struct pcfd *d, struct pcfd_source *src)
{
	timer_ack(src->fd);
	check_csums(d);
	/* masquerade follows the interfaces' addresses within a second */
	if (pcf_ct_addrs_refresh(&d->ct_addrs) > 0) {
		pr_debug("pcfd: interface addresses changed\n");
		pcf_ct_maps_set_addrs(pcf_dp_ct(d->dp), &d->ct_addrs);
	}
	return 0;
}

static int on_ct_tick(struct pcfd *d, struct pcfd_source *src)
{
	int n;

	timer_ack(src->fd);
	n = pcf_ct_reap(&d->reaper, pcf_ct_now(), CT_TICK_BUDGET,
			ct_refused(d));
	if (n < 0)
		pr_debug("pcfd: session sweep: %s\n", strerror(-n));
	pcf_ctl_flush_events(d->ctl);
	return 0;
}

/* The main loop's part of the ping (notify.h): turning and serving. */
static bool loop_alive(struct pcfd *d, __u64 expirations)
{
	struct pcf_loop_sample s = {
		.expirations = expirations,
		.longest_turn_ns = d->longest_turn_ns,
		.ctl_waiting = pcf_ctl_waiting(d->ctl),
		.ctl_served = pcf_ctl_served(d->ctl),
	};
	const char *why;

	d->longest_turn_ns = 0;
	if (pcf_loop_gate_check(&d->loop_gate, &s, &why))
		return true;
	if (!d->watchdog_withheld) {
		pcf_journal_event(LOG_WARNING, "stalled", NULL,
				  "%s: WATCHDOG=1 withheld", why);
		pcf_notify_status("pcfd: %s: WATCHDOG=1 withheld", why);
	}
	d->watchdog_withheld = true;
	return false;
}

/*
 * WATCHDOG=1 only while the main loop turns and serves and every worker's
 * heartbeat moved since the last ping: a stuck loop or worker makes
 * systemd restart pcfd.
 */
static int on_watchdog_tick(struct pcfd *d, struct pcfd_source *src)
{
	__u64 beats[PCF_WATCHDOG_MAX_WORKERS];
	struct pcf_worker_info in;
	unsigned int n = 0, stuck;

	if (!loop_alive(d, timer_ack(src->fd)))
		return 0;
	while (d->ws && n < PCF_WATCHDOG_MAX_WORKERS &&
	       !pcf_workers_info(d->ws, n, &in))
		beats[n++] = in.stats.heartbeat;
	if (pcf_watchdog_gate_check(&d->gate, beats, n, &stuck)) {
		pcf_notify_watchdog();
		d->watchdog_withheld = false;
	} else if (!d->watchdog_withheld) {
		d->watchdog_withheld = true;
		pcf_workers_info(d->ws, stuck, &in);
		pcf_journal_event(
		    LOG_WARNING, "stuck", in.ifname,
		    "worker %u (%s queue %u) stuck: WATCHDOG=1 withheld", stuck,
		    in.ifname, in.queue);
	}
	return 0;
}

/*
 * SIGHUP: read the configuration again; what changes at run time is the
 * default verdict, the stats interval, the worker timeout and the
 * verbosity.  The rest (interfaces, workers, pin dir, control port)
 * needs a restart.
 */
static void reload(struct pcfd *d)
{
	struct pcfd_opts n;
	int err;

	pcf_notify_reloading();
	pcf_journal_event(LOG_INFO, "reloading", NULL, "reloading");
	err = pcfd_opts_parse(d->argc, d->argv, &n);
	if (err) {
		pr_warn(
		    "pcfd: the configuration is refused: keeping the running one\n");
	} else {
		if (n.default_verdict >= 0 &&
		    n.default_verdict != d->o.default_verdict &&
		    !pcf_dp_set_default(d->dp, n.default_verdict))
			d->o.default_verdict = n.default_verdict;
		d->o.stats_interval = n.stats_interval;
		timer_set(d->stats_fd, (__u64)n.stats_interval * 1000000);
		d->o.worker_timeout_ms = n.worker_timeout_ms;
		if (d->ws)
			pcf_dp_set_redirect_limits(
			    d->dp, pcf_workers_max_packet(d->ws),
			    (__u64)n.worker_timeout_ms * 1000 * 1000);
		d->o.verbose = n.verbose;
		pcf_log_set_level(n.verbose ? PCF_LOG_DEBUG : PCF_LOG_INFO);
		d->reaper.timeouts = d->o.ct_timeouts = n.ct_timeouts;
		d->reaper.full = d->o.ct_full = n.ct_full;
		pcf_journal_event(
		    LOG_INFO, "reloaded", NULL,
		    "reloaded: default %s, stats-interval %u s, worker-timeout %u ms, verbose %s, sessions-full %s, session timeouts",
		    d->o.default_verdict < 0
			? "as pinned"
			: pcf_genl_verdict_name(d->o.default_verdict),
		    d->o.stats_interval, d->o.worker_timeout_ms,
		    d->o.verbose ? "yes" : "no",
		    pcf_ct_full_name(d->o.ct_full));
	}
	pcfd_opts_free(&n);
	update_status(d, true);
}

static int on_signal(struct pcfd *d, struct pcfd_source *src)
{
	struct signalfd_siginfo si;

	if (read(src->fd, &si, sizeof(si)) != sizeof(si))
		return 0;
	switch (si.ssi_signo) {
	case SIGHUP:
		reload(d);
		break;
	case SIGUSR1:
		journal_counters(d);
		break;
	default:
		pr_info(
		    "pcfd: %s: stopping; the XDP program and rules stay pinned\n",
		    strsignal(si.ssi_signo));
		d->stop = true;
	}
	return 0;
}

static int on_ctl(struct pcfd *d, struct pcfd_source *src)
{
	int err = pcf_ctl_serve(src->ctx);

	if (err)
		pr_warn("pcfd: control socket: %s\n", strerror(-err));
	return err;
}

static int on_http(struct pcfd *d, struct pcfd_source *src)
{
	int err = pcf_http_serve(src->ctx);

	if (err)
		pr_warn("pcfd: HTTP: %s\n", strerror(-err));
	return err;
}

static void handled_signals(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGHUP);
	sigaddset(set, SIGUSR1);
}

/*
 * Block the signals the loop reads from its signalfd, before any worker
 * thread exists: threads inherit the mask, and a thread that did not
 * block SIGTERM would take it with its default action.
 */
static int block_signals(void)
{
	sigset_t set;

	handled_signals(&set);
	signal(SIGPIPE, SIG_IGN);
	return sigprocmask(SIG_BLOCK, &set, NULL) ? -errno : 0;
}

static int open_timers(struct pcfd *d)
{
	__u64 wd_usec = 0;
	int err;

	d->stats_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
	d->watchdog_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
	d->tick_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
	d->ct_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
	if (d->stats_fd < 0 || d->watchdog_fd < 0 || d->tick_fd < 0 ||
	    d->ct_fd < 0)
		return -errno;
	err = timer_set(d->stats_fd, (__u64)d->o.stats_interval * 1000000);
	if (!err)
		err = timer_set(d->tick_fd, 1000000);
	if (!err)
		err = timer_set(d->ct_fd, CT_TICK_MS * 1000);
	if (!err && !pcf_watchdog_period(&wd_usec) && wd_usec) {
		pr_info("pcfd: watchdog: WATCHDOG=1 every %llu ms\n",
			(unsigned long long)wd_usec / 1000);
		err = timer_set(d->watchdog_fd, wd_usec);
	}
	if (!err)
		err = pcfd_watch(d, d->stats_fd, on_stats_tick, NULL);
	if (!err)
		err = pcfd_watch(d, d->watchdog_fd, on_watchdog_tick, NULL);
	if (!err)
		err = pcfd_watch(d, d->tick_fd, on_tick, NULL);
	if (!err)
		err = pcfd_watch(d, d->ct_fd, on_ct_tick, NULL);
	return err;
}

static __u64 mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* Call src's handler, and keep the longest call for the watchdog. */
static int turn(struct pcfd *d, struct pcfd_source *src)
{
	__u64 start = mono_ns(), took;
	int err = src->ready(d, src);

	took = mono_ns() - start;
	if (took > d->longest_turn_ns)
		d->longest_turn_ns = took;
	return err;
}

static int run(struct pcfd *d)
{
	struct epoll_event evs[MAX_SOURCES];
	struct pcfd_source *src;
	sigset_t set;
	struct pcf_table *table = pcf_dp_table(d->dp);
	int sfd, n, i, err, timeout;

	d->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (d->epfd < 0)
		return -errno;
	handled_signals(&set);
	sfd = signalfd(-1, &set, SFD_CLOEXEC);
	if (sfd < 0)
		return -errno;
	err = pcfd_watch(d, sfd, on_signal, NULL);
	if (!err)
		err = pcfd_watch(d, pcf_ctl_fd(d->ctl), on_ctl, d->ctl);
	if (!err)
		err = pcfd_watch(d, pcf_ifwatch_fd(d->watch), on_ifwatch, NULL);
	if (!err && d->http)
		err = pcfd_watch(d, pcf_http_fd(d->http), on_http, d->http);
	if (!err)
		err = open_timers(d);
	if (err)
		return err;
	pr_info("pcfd: serving control port id 0x%x\n", d->o.ctl_port);
	update_status(d, true);
	pcf_journal_event(LOG_NOTICE, "ready", d->ifaces,
			  "ready: XDP on %s, %u workers", d->ifaces,
			  ws_count(d));
	reconcile(d); /* what changed before the watcher was read */
	while (!d->stop) {
		/*
		 * Slots of changed rules wait for grace periods, and a best
		 * rank that went up waits for a quiet moment: look again soon.
		 */
		timeout = pcf_table_reclaim(table) ||
				  pcf_table_tidy_pending(table) ?
			      RECLAIM_MS :
			      -1;
		n = epoll_wait(d->epfd, evs, MAX_SOURCES, timeout);
		if (n == 0)
			pcf_table_tidy(table);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		for (i = 0; i < n && !d->stop; i++) {
			src = evs[i].data.ptr;
			err = turn(d, src);
			if (err)
				return err;
		}
	}
	close(sfd);
	return 0;
}

static void join_ifnames(struct pcfd *d)
{
	size_t len = 0;
	int i;

	for (i = 0; i < d->o.nifs; i++)
		len += snprintf(d->ifaces + len, sizeof(d->ifaces) - len,
				"%s%s", i ? "," : "", d->o.ifnames[i]);
}

static int open_ctl(struct pcfd *d)
{
	char owner[128];
	int err = pcf_ctl_open(d->dp, d->o.ctl_port, &d->ctl);

	if (err == -EADDRINUSE) {
		if (pcf_ctl_port_owner(d->o.ctl_port, owner, sizeof(owner)))
			snprintf(owner, sizeof(owner), "another process");
		pr_warn(
		    "pcfd: control port id 0x%x is taken by %s: is another pcfd running? Stop it, or give both pcfd and pcfctl another --ctl-port\n",
		    d->o.ctl_port, owner);
	} else if (err) {
		pr_warn("pcfd: cannot open the control socket: %s\n",
			strerror(-err));
	}
	return err;
}

/*
 * The HTTP endpoint, if --http names listeners: bound before anything is
 * attached, as the control socket is.  The workers' totals it shows are
 * pinned beside the maps; without them it shows the workers' own.
 */
static int open_http(struct pcfd *d)
{
	struct pcf_http_env env = { .dp = d->dp, .ctl = d->ctl };
	const char *why;
	int i, err;

	_Static_assert(PCFD_HTTP_MAX <= PCF_HTTP_LISTENERS_MAX,
		       "every --http listener fits");
	if (!d->o.nhttp)
		return 0;
	err = pcf_wtotals_open(d->o.pin_dir, &d->totals);
	if (err)
		pr_warn(
		    "pcfd: cannot pin the workers' totals in %s: %s; /metrics shows the running workers' own counters\n",
		    d->o.pin_dir, strerror(-err));
	env.totals = d->totals;
	err = pcf_http_new(&env, &d->http);
	for (i = 0; !err && i < d->o.nhttp; i++) {
		err = pcf_http_listen(d->http,
				      (const struct sockaddr *)&d->o.http[i].sa,
				      d->o.http[i].len);
		why = err == -EADDRINUSE ? "in use: is another pcfd serving it?"
		      : err == -EEXIST	 ? "the path exists and is not a socket"
					 : strerror(-err);
		if (err)
			pr_warn("pcfd: --http %s: %s\n", d->o.http[i].text,
				why);
	}
	return err;
}

/*
 * Interface events, from before the first attach: nothing that happens
 * to our interfaces from then on goes unseen.
 */
static int open_ifwatch(struct pcfd *d)
{
	int err = pcf_ifwatch_open(&d->watch);

	if (err)
		pr_warn("pcfd: cannot watch the interfaces (rtnetlink): %s\n",
			strerror(-err));
	return err;
}

/* Go to the background (before the worker threads: fork keeps none). */
static int background(struct pcfd *d)
{
	if (d->o.foreground)
		return 0;
	if (daemon(0, 0)) {
		pr_warn("pcfd: cannot go to the background: %s\n",
			strerror(errno));
		return -errno;
	}
	pcf_log_to_syslog(true);
	pcf_journal_init(PCF_JOURNAL_JOURNALD, NULL);
	return 0;
}

static int serve(struct pcfd *d)
{
	int err;

	if (open_dp(d))
		return 1;
	pcf_journal_event(LOG_NOTICE, "started", d->ifaces,
			  "started on %s, pins in %s", d->ifaces, d->o.pin_dir);
	err = block_signals();
	if (!err)
		err = open_ctl(d);
	if (!err)
		err = open_http(d);
	if (!err)
		err = open_ifwatch(d);
	if (!err)
		err = attach_all(d);
	if (!err)
		err = setup_return(d);
	if (!err)
		err = apply_rules(d);
	if (!err)
		err = open_sessions(d);
	if (!err)
		err = background(d);
	if (!err)
		serve_workers(d);
	if (!err)
		err = start_workers(d);
	if (!err) {
		keep_off_workers(d);
		err = run(d);
	}
	pcf_notify_stopping();
	pcf_journal_event(LOG_NOTICE, "stopping", d->ifaces,
			  "stopping: workers end, XDP and rules stay pinned");
	stop_workers(d);
	pcf_http_close(d->http);
	pcf_wtotals_close(d->totals);
	pcf_ctl_close(d->ctl);
	pcf_ifwatch_close(d->watch);
	pcf_dp_close(d->dp);
	if (d->epfd >= 0)
		close(d->epfd);
	if (d->stats_fd >= 0)
		close(d->stats_fd);
	if (d->watchdog_fd >= 0)
		close(d->watchdog_fd);
	if (d->tick_fd >= 0)
		close(d->tick_fd);
	if (d->ct_fd >= 0)
		close(d->ct_fd);
	return err ? 1 : 0;
}

int main(int argc, char **argv)
{
	struct pcfd d = { .epfd = -1,
			  .stats_fd = -1,
			  .watchdog_fd = -1,
			  .tick_fd = -1,
			  .ct_fd = -1,
			  .argc = argc,
			  .argv = argv };
	int err;

	err = pcfd_opts_parse(argc, argv, &d.o);
	if (!err) {
		pcf_log_init(d.o.verbose ? PCF_LOG_DEBUG : PCF_LOG_INFO, false);
		pcf_journal_init(PCF_JOURNAL_AUTO, NULL);
		join_ifnames(&d);
		if (d.o.unload)
			err = unload(&d);
		else
			err = check_rules(&d);
		if (!err && d.o.check)
			err = check_only(&d);
		else if (!err && !d.o.unload)
			err = serve(&d);
	}
	pcf_rules_file_free(&d.rules);
	pcfd_opts_free(&d.o);
	return err;
}
