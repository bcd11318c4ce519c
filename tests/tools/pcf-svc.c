// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * pcf-svc - run pcfd's service modules (daemon/journal.c, notify.c,
 * config.c) alone, for the svc_* end-to-end tests, until pcfd calls them.
 *
 *   pcf-svc journal TAG [auto|journald|stderr]
 *       an XDP record (PCF_IFACE=TAG), a worker record (TAG, queue 2) and
 *       a "started" event, with fixed counters
 *   pcf-svc notify TAG
 *       what pcfd will do under systemd, with two make-believe workers:
 *       READY=1 and STATUS=, WATCHDOG=1 while both heartbeats move
 *       (SIGUSR2 stops worker 1's), RELOADING=1 then READY=1 on SIGHUP,
 *       STOPPING=1 on SIGTERM; events and counters to the journal
 *   pcf-svc conf FILE     print the --key=value words of a pcfd.conf
 *   pcf-svc rules FILE    print how many requests a rules file holds
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "config.h"
#include "journal.h"
#include "notify.h"

static int journal(const char *tag, const char *how)
{
	struct pcf_journal_counters xdp = {
		.scope = PCF_JOURNAL_XDP,
		.iface = tag,
		.rx_packets = 1000,
		.pass_packets = 700,
		.redirect_packets = 250,
		.drop_packets = 50,
	};
	struct pcf_journal_counters w = {
		.scope = PCF_JOURNAL_WORKER,
		.iface = tag,
		.queue = 2,
		.rx_packets = 250,
		.tx_packets = 245,
		.drop_packets = 5,
	};
	enum pcf_journal_dest d = PCF_JOURNAL_AUTO;

	if (how && !strcmp(how, "journald"))
		d = PCF_JOURNAL_JOURNALD;
	else if (how && !strcmp(how, "stderr"))
		d = PCF_JOURNAL_STDERR;
	xdp.reasons[PCF_REASON_MISS] = 40;
	xdp.reasons[PCF_REASON_MALFORMED] = 10;
	w.drops[PCF_WDROP_TX_FULL] = 5;
	pcf_journal_init(d, NULL);
	printf("%s\n", pcf_journal_dest() == PCF_JOURNAL_JOURNALD ? "journald"
								  : "stderr");
	return pcf_journal_event(LOG_NOTICE, "started", tag,
				 "pcf-svc started on %s", tag) ||
	       pcf_journal_counters(&xdp) || pcf_journal_counters(&w);
}

static volatile sig_atomic_t got_hup, got_term, worker1_stuck;

static void on_signal(int sig)
{
	if (sig == SIGHUP)
		got_hup = 1;
	else if (sig == SIGUSR2)
		worker1_stuck = 1;
	else
		got_term = 1;
}

static int notify(const char *tag)
{
	static struct pcf_watchdog_gate gate;
	struct pcf_journal_counters c = {
		.scope = PCF_JOURNAL_WORKER,
		.iface = tag,
		.queue = 1,
		.rx_packets = 10,
		.tx_packets = 10,
	};
	__u64 beats[2] = {}, period = 0, waited = 0;
	unsigned int stuck;
	bool withheld = false;

	signal(SIGHUP, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGUSR2, on_signal);
	pcf_journal_init(PCF_JOURNAL_AUTO, NULL);
	if (pcf_watchdog_period(&period))
		return 1;
	pcf_journal_event(LOG_INFO, "started", tag, "watchdog every %llu us",
			  (unsigned long long)period);
	usleep(300000); /* systemctl start must wait for READY=1 */
	pcf_notify_ready("pcf-svc: 2 workers");
	pcf_journal_counters(&c);
	while (!got_term) {
		usleep(100000);
		beats[0]++;
		beats[1] += !worker1_stuck;
		if (got_hup) {
			got_hup = 0;
			pcf_notify_reloading();
			pcf_journal_event(LOG_INFO, "reloading", tag,
					  "reloading");
			pcf_notify_ready("pcf-svc: reloaded");
		}
		waited += 100000;
		if (!period || waited < period)
			continue;
		waited = 0;
		if (pcf_watchdog_gate_check(&gate, beats, 2, &stuck)) {
			pcf_notify_watchdog();
		} else if (!withheld) {
			withheld = true;
			pcf_journal_event(
			    LOG_WARNING, "stuck", tag,
			    "worker %u stuck: WATCHDOG=1 withheld", stuck);
		}
	}
	pcf_notify_stopping();
	pcf_journal_event(LOG_INFO, "stopping", tag, "stopping");
	return 0;
}

/* pcfd's long options (issues 3 and 4), until pcfd reads the file itself */
static const struct option opts[] = {
	{ "interface", required_argument, NULL, 'i' },
	{ "pin-dir", required_argument, NULL, 256 },
	{ "ctl-port", required_argument, NULL, 257 },
	{ "xdp-mode", required_argument, NULL, 258 },
	{ "default", required_argument, NULL, 259 },
	{ "rules-file", required_argument, NULL, 260 },
	{ "stats-interval", required_argument, NULL, 261 },
	{ "queues", required_argument, NULL, 262 },
	{ "egress", required_argument, NULL, 263 },
	{ "rx-mode", required_argument, NULL, 264 },
	{ "bind-mode", required_argument, NULL, 265 },
	{ "batch", required_argument, NULL, 266 },
	{ "frames", required_argument, NULL, 267 },
	{ "cpus", required_argument, NULL, 268 },
	{ "verbose", no_argument, NULL, 'v' },
	{},
};

static int conf(const char *file)
{
	static const char *const rep[] = { "interface", NULL };
	const struct pcf_conf_spec spec = { .longopts = opts,
					    .repeatable = rep };
	char err[PCF_CONF_ERR_MAX];
	struct pcf_conf c;
	int i;

	if (pcf_conf_load(file, &spec, &c, err, sizeof(err))) {
		fprintf(stderr, "pcf-svc: %s\n", err);
		return 1;
	}
	for (i = 1; i < c.argc; i++)
		printf("%s\n", c.argv[i]);
	pcf_conf_free(&c);
	return 0;
}

static int rules(const char *file)
{
	char err[PCF_CONF_ERR_MAX];
	struct pcf_rules_file rf;

	if (pcf_rules_file_load(file, &rf, err, sizeof(err))) {
		fprintf(stderr, "pcf-svc: %s\n", err);
		return 1;
	}
	printf("%d\n", rf.n);
	pcf_rules_file_free(&rf);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 3 && !strcmp(argv[1], "journal"))
		return journal(argv[2], argc > 3 ? argv[3] : NULL);
	if (argc == 3 && !strcmp(argv[1], "notify"))
		return notify(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "conf"))
		return conf(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "rules"))
		return rules(argv[2]);
	fprintf(
	    stderr,
	    "usage: pcf-svc journal TAG [auto|journald|stderr] | notify TAG | conf FILE | rules FILE\n");
	return 2;
}
