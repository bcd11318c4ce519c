// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * pcfd - the pcf daemon: attaches the steering program, owns the pinned
 * rule table, runs the AF_XDP workers and serves the control channel.
 *
 * The main loop is one epoll set: each thing pcfd waits for (the control
 * socket, signals, the stats and watchdog timers) is a pcfd_source with a
 * handler; adding one is a pcfd_watch() call.  The workers run on their
 * own threads; the main loop only reads their counters.
 *
 * Start-up order: options and the rules file are checked whole before
 * anything is touched; then the data plane, the control socket (bound
 * first: a second pcfd must not touch the attachments), XDP on every
 * interface, the rules file, the workers, and only then READY=1.
 */
#include <dirent.h>
#include <errno.h>
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
#include "ctl.h"
#include "journal.h"
#include "loader.h"
#include "log.h"
#include "notify.h"
#include "pcfd_opts.h"
#include "retveth.h"
#include "rules.h"
#include "workers.h"

#define MAX_SOURCES 8

struct pcfd;

struct pcfd_source {
	int fd;
	/* fd is readable; < 0: stop pcfd with this error */
	int (*ready)(struct pcfd *d, struct pcfd_source *src);
	void *ctx; /* the handler's own state */
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
	int epfd, stats_fd, watchdog_fd;
	bool stop;
	struct pcfd_source sources[MAX_SOURCES];
	int nsources;
	struct pcf_watchdog_gate gate;
	struct pcf_loop_gate loop_gate;
	__u64 longest_turn_ns;	/* of a handler, since the last watchdog tick */
	bool watchdog_withheld; /* said so once; quiet until it passes */
	__u64 last_packets;	/* XDP packets at the last STATUS= */
	struct timespec last_tick;
	char ifaces[PCF_MAX_IFACES * (IF_NAMESIZE + 1)]; /* "a,b" */
};

static int open_dp(struct pcfd *d)
{
	int err = pcf_dp_open(d->o.pin_dir, &d->dp);

	if (err == -ENOTSUP)
		pr_warn(
		    "pcfd: %s is not on a bpf filesystem: mount one (mount -t bpf bpf /sys/fs/bpf) or give --pin-dir on a bpffs. "
		    "`ip netns exec` hides /sys/fs/bpf: start pcfd with nsenter --net=/run/netns/NAME instead\n",
		    d->o.pin_dir);
	else if (err)
		pr_warn("pcfd: cannot open the data plane in %s: %s\n",
			d->o.pin_dir, strerror(-err));
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

static int unload(struct pcfd *d)
{
	int i, err, ret = 0;

	if (open_dp(d))
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

static int attach_all(struct pcfd *d)
{
	enum pcf_xdp_mode got;
	int i, err;

	for (i = 0; i < d->o.nifs; i++) {
		err = pcf_dp_attach(d->dp, d->o.ifnames[i], d->o.mode, &got);
		if (err) {
			pr_warn("pcfd: cannot attach to %s: %s\n",
				d->o.ifnames[i], strerror(-err));
			return err;
		}
		pcf_journal_event(LOG_INFO, "attached", d->o.ifnames[i],
				  "attached to %s (%s mode)", d->o.ifnames[i],
				  pcf_xdp_mode_name(got));
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

/* Every rule of the file is valid: checked before anything is touched. */
static int check_rules(struct pcfd *d)
{
	char err[PCF_CONF_ERR_MAX];
	const char *why;
	int i;

	if (!d->o.rules_file)
		return 0;
	if (pcf_rules_file_load(d->o.rules_file, &d->rules, err, sizeof(err))) {
		pr_warn("pcfd: %s\n", err);
		return 2;
	}
	for (i = 0; i < d->rules.n; i++) {
		const struct pcf_flow_change *r = &d->rules.changes[i];

		if (r->op != PCF_FLOW_ADD && r->op != PCF_FLOW_REPLACE)
			continue;
		if (pcf_rule_validate(&r->rule, &why)) {
			pr_warn("pcfd: %s:%d: %s\n", d->o.rules_file,
				d->rules.lines[i], why);
			return 2;
		}
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

static int apply_rule(struct pcfd *d, const struct pcf_flow_change *r)
{
	__u32 id;

	switch (r->op) {
	case PCF_FLOW_ADD: /* a restart finds them there: replace */
		return pcf_rule_add(d->dp, &r->rule, PCF_RULE_REPLACE, &id);
	case PCF_FLOW_REPLACE:
		return pcf_rule_add(d->dp, &r->rule,
				    PCF_RULE_REPLACE | PCF_RULE_EXCL, &id);
	case PCF_FLOW_DEL:
		return r->id ? pcf_rule_del(d->dp, r->id)
			     : pcf_rule_del_match(d->dp, &r->rule, NULL);
	case PCF_FLOW_FLUSH:
		return pcf_rule_flush(d->dp);
	default:
		return -EOPNOTSUPP;
	}
}

static int apply_rules(struct pcfd *d)
{
	int i, err;

	for (i = 0; i < d->rules.n; i++) {
		err = apply_rule(d, &d->rules.changes[i]);
		if (err) {
			pr_warn("pcfd: %s:%d: %s\n", d->o.rules_file,
				d->rules.lines[i], strerror(-err));
			return err;
		}
	}
	if (d->rules.n)
		pr_info("pcfd: %d commands of %s applied\n", d->rules.n,
			d->o.rules_file);
	return 0;
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
		err =
		    pcf_dp_return_allow(d->dp, if_nametoindex(d->o.ifnames[i]));
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
	return 0;
}

/* ---- the workers ---- */

static unsigned int ws_count(const void *ctx)
{
	return pcf_workers_count(ctx);
}

static int ws_info(const void *ctx, unsigned int i, struct pcf_worker_info *ret)
{
	return pcf_workers_info(ctx, i, ret);
}

static void ws_rule_counters(const void *ctx, __u32 slot,
			     struct pcf_counter *ret)
{
	pcf_workers_rule_counters(ctx, slot, ret);
}

static const char *ws_drop_name(unsigned int reason)
{
	return pcf_wdrop_name(reason);
}

static bool ws_runs_on(const void *ctx, __u32 ifindex)
{
	struct pcf_worker_info in;
	unsigned int i;

	for (i = 0; !pcf_workers_info(ctx, i, &in); i++)
		if (in.ifindex == ifindex)
			return true;
	return false;
}

static int start_workers(struct pcfd *d)
{
	struct pcf_worker_info in;
	unsigned int i;
	int err;

	err = pcf_workers_start(d->dp, d->o.ifnames, d->o.nifs, &d->o.workers,
				&d->ws);
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
	d->ctl_workers = (struct pcf_ctl_workers){
		.count = ws_count,
		.info = ws_info,
		.rule_counters = ws_rule_counters,
		.drop_name = ws_drop_name,
		.ndrops = PCF_WDROP_MAX,
		.runs_on = ws_runs_on,
		.ctx = d->ws,
	};
	pcf_ctl_set_workers(d->ctl, &d->ctl_workers);
	return 0;
}

/* Empty the xskmap first: REDIRECTed flows go on through the kernel. */
static void stop_workers(struct pcfd *d)
{
	if (!d->ws)
		return;
	pcf_ctl_set_workers(d->ctl, NULL);
	pcf_workers_stop(d->ws);
	d->ws = NULL;
}

/* ---- counters: STATUS= and the journal ---- */

static int count_rule(const struct pcf_rule *r, __u32 slot, void *ctx)
{
	++*(unsigned int *)ctx;
	return 0;
}

static void xdp_counters(struct pcfd *d, struct pcf_journal_counters *jc)
{
	struct pcf_counter c[PCF_STAT_MAX];
	unsigned int r;

	*jc = (struct pcf_journal_counters){ .scope = PCF_JOURNAL_XDP,
					     .iface = d->ifaces };
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
	unsigned int rules = 0;
	struct timespec now;
	double secs, pps = 0;
	char line[sizeof(d->ifaces) + 128];

	xdp_counters(d, &jc);
	pcf_rule_foreach(d->dp, 0, count_rule, &rules);
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
	    d->o.nifs, d->ifaces, rules, d->ws ? pcf_workers_count(d->ws) : 0,
	    pps);
	if (ready)
		pcf_notify_ready(line);
	else
		pcf_notify_status("%s", line);
}

static void journal_counters(struct pcfd *d)
{
	struct pcf_journal_counters jc;
	struct pcf_worker_info in;
	unsigned int i, r;

	xdp_counters(d, &jc);
	pcf_journal_counters(&jc);
	for (i = 0; d->ws && !pcf_workers_info(d->ws, i, &in); i++) {
		jc = (struct pcf_journal_counters){
			.scope = PCF_JOURNAL_WORKER,
			.iface = in.ifname,
			.queue = in.queue,
			.rx_packets = in.stats.rx_packets,
			.tx_packets = in.stats.tx_packets,
		};
		for (r = 1; r < PCF_WDROP_MAX; r++) {
			jc.drops[r] = in.stats.drops[r];
			jc.drop_packets += in.stats.drops[r];
		}
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
 * default verdict, the stats interval and the verbosity.  The rest
 * (interfaces, workers, pin dir, control port) needs a restart.
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
		d->o.verbose = n.verbose;
		pcf_log_set_level(n.verbose ? PCF_LOG_DEBUG : PCF_LOG_INFO);
		pcf_journal_event(
		    LOG_INFO, "reloaded", NULL,
		    "reloaded: default %s, stats-interval %u s, verbose %s",
		    d->o.default_verdict < 0
			? "as pinned"
			: pcf_genl_verdict_name(d->o.default_verdict),
		    d->o.stats_interval, d->o.verbose ? "yes" : "no");
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
	if (d->stats_fd < 0 || d->watchdog_fd < 0)
		return -errno;
	err = timer_set(d->stats_fd, (__u64)d->o.stats_interval * 1000000);
	if (!err && !pcf_watchdog_period(&wd_usec) && wd_usec) {
		pr_info("pcfd: watchdog: WATCHDOG=1 every %llu ms\n",
			(unsigned long long)wd_usec / 1000);
		err = timer_set(d->watchdog_fd, wd_usec);
	}
	if (!err)
		err = pcfd_watch(d, d->stats_fd, on_stats_tick, NULL);
	if (!err)
		err = pcfd_watch(d, d->watchdog_fd, on_watchdog_tick, NULL);
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
	int sfd, n, i, err;

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
		err = open_timers(d);
	if (err)
		return err;
	pr_info("pcfd: serving control port id 0x%x\n", d->o.ctl_port);
	update_status(d, true);
	pcf_journal_event(LOG_NOTICE, "ready", d->ifaces,
			  "ready: XDP on %s, %u workers", d->ifaces,
			  pcf_workers_count(d->ws));
	while (!d->stop) {
		n = epoll_wait(d->epfd, evs, MAX_SOURCES, -1);
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
		err = attach_all(d);
	if (!err)
		err = setup_return(d);
	if (!err)
		err = apply_rules(d);
	if (!err)
		err = background(d);
	if (!err)
		err = start_workers(d);
	if (!err)
		err = run(d);
	pcf_notify_stopping();
	pcf_journal_event(LOG_NOTICE, "stopping", d->ifaces,
			  "stopping: workers end, XDP and rules stay pinned");
	stop_workers(d);
	pcf_ctl_close(d->ctl);
	pcf_dp_close(d->dp);
	if (d->epfd >= 0)
		close(d->epfd);
	if (d->stats_fd >= 0)
		close(d->stats_fd);
	if (d->watchdog_fd >= 0)
		close(d->watchdog_fd);
	return err ? 1 : 0;
}

int main(int argc, char **argv)
{
	struct pcfd d = { .epfd = -1,
			  .stats_fd = -1,
			  .watchdog_fd = -1,
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
