/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * pcfd_opts.h - pcfd's options: the configuration file (-c), then the
 * command line, through one getopt_long table, so the command line wins
 * and no option has two parsers.
 */
#ifndef PCFD_OPTS_H
#define PCFD_OPTS_H

#include <stdbool.h>
#include <stdio.h>
#include <net/if.h>
#include <sys/socket.h>
#include <linux/types.h>

#include "config.h"
#include "ct.h"
#include "ct_reap.h"
#include "loader.h"
#include "workers.h"

#define PCFD_STATS_INTERVAL_DEFAULT 60 /* seconds */
#define PCFD_STATS_INTERVAL_MAX	    86400

#define PCFD_HTTP_MAX 4 /* --http listeners */

/* An --http listener: unix:PATH, IPV4:PORT or [IPV6]:PORT. */
struct pcfd_http_listen {
	struct sockaddr_storage sa;
	socklen_t len;
	const char *text; /* as given */
};

struct pcfd_opts {
	const char *ifnames[PCF_MAX_IFACES];
	int nifs;
	const char *pin_dir;
	__u32 ctl_port;
	enum pcf_xdp_mode mode;
	int default_verdict; /* -1: keep what is pinned */
	bool foreground;
	bool verbose;
	bool unload;
	bool check; /* --check: check the file(s), print the settings, exit */
	const char *config;	 /* -c FILE, or NULL */
	const char *rules_file;	 /* --rules-file FILE, or NULL */
	__u32 stats_interval;	 /* seconds; 0: only on SIGUSR1 */
	__u32 worker_timeout_ms; /* 0: REDIRECT whatever the heartbeats */
	/* the return veth: the workers' end, the kernel's end; "": none */
	char ret_name[IF_NAMESIZE], ret_peer[IF_NAMESIZE];
	struct pcf_workers_cfg workers;
	/* sessions: the table's capacity (0: the default, or the pinned
	 * table's), what a full table does, the timeouts */
	__u32 sessions;
	enum pcf_ct_full ct_full;
	struct pcf_ct_timeouts ct_timeouts;
	struct pcfd_http_listen http[PCFD_HTTP_MAX]; /* HTTP: off if none */
	int nhttp;
	struct pcf_conf conf; /* the file's words: the strings above point in */
};

/*
 * Fill o from the file named by -c (if any), then from argv.  0, or the
 * exit status pcfd should end with (2) once the reason is printed; --help
 * prints the usage and exits.  Free with pcfd_opts_free, also on error.
 *
 * Every value is checked here against its limit, so a start and --check
 * refuse the same: numbers against their ranges, interface names as the
 * kernel takes them (1..15 bytes), each interface once (in the file, or
 * on the command line, whose -i replace the file's), at most
 * PCF_MAX_IFACES, none of them an end of the return veth, the pin
 * directory's length, an --http listener's form (an absolute path of a
 * unix socket, or a numeric address and a port; each once).  What needs the
 * system (does the interface exist, is the pin directory on a bpffs) is left to
 * the start.
 */
int pcfd_opts_parse(int argc, char **argv, struct pcfd_opts *o);
void pcfd_opts_free(struct pcfd_opts *o);

/*
 * "unix:/PATH", "IPV4:PORT" or "[IPV6]:PORT" (numeric, port 1..65535)
 * into ret; -EINVAL otherwise.
 */
int pcfd_http_parse(const char *s, struct pcfd_http_listen *ret);

#endif /* PCFD_OPTS_H */
