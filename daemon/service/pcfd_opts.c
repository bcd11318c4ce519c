// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * pcfd_opts.c - pcfd's options from its configuration file and command
 * line.  Two getopt_long passes over the same table: the file's
 * "--key=value" words first, the command line second, so the command line
 * wins.  An -i on the command line replaces the file's interfaces.
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/un.h>

#include "pcf_genl.h"
#include "log.h"
#include "pcfd_opts.h"
#include "retveth.h"
#include "worker.h" /* PCF_BATCH_MAX */

#define OPTSTRING "c:i:fvh"
#define STR(x)	  STR_(x)
#define STR_(x)	  #x

enum {
	OPT_PIN = 256,
	OPT_PORT,
	OPT_MODE,
	OPT_DEFAULT,
	OPT_UNLOAD,
	OPT_RULES,
	OPT_STATS,
	OPT_QUEUES,
	OPT_EGRESS,
	OPT_RX,
	OPT_BIND,
	OPT_BATCH,
	OPT_IDLE_POLLS,
	OPT_SPIN_US,
	OPT_FRAMES,
	OPT_CPUS,
	OPT_PIPELINE,
	OPT_RETURN,
	OPT_CHECK,
	OPT_WORKER_TIMEOUT,
	OPT_HTTP,
	OPT_VXLAN_PORT, /* issue 13 */
	OPT_SESSIONS,
	OPT_SESSIONS_FULL,
	/* last: OPT_CT_TIMEOUT + enum pcf_ct_timeout, PCF_CT_T_MAX of them */
	OPT_CT_TIMEOUT,
};

static const struct option longopts[] = {
	{ "config", required_argument, NULL, 'c' },
	{ "interface", required_argument, NULL, 'i' },
	{ "pin-dir", required_argument, NULL, OPT_PIN },
	{ "ctl-port", required_argument, NULL, OPT_PORT },
	{ "xdp-mode", required_argument, NULL, OPT_MODE },
	{ "default", required_argument, NULL, OPT_DEFAULT },
	{ "rules-file", required_argument, NULL, OPT_RULES },
	{ "stats-interval", required_argument, NULL, OPT_STATS },
	{ "queues", required_argument, NULL, OPT_QUEUES },
	{ "egress", required_argument, NULL, OPT_EGRESS },
	{ "rx-mode", required_argument, NULL, OPT_RX },
	{ "bind-mode", required_argument, NULL, OPT_BIND },
	{ "batch", required_argument, NULL, OPT_BATCH },
	{ "idle-polls", required_argument, NULL, OPT_IDLE_POLLS },
	{ "spin-us", required_argument, NULL, OPT_SPIN_US },
	{ "frames", required_argument, NULL, OPT_FRAMES },
	{ "cpus", required_argument, NULL, OPT_CPUS },
	{ "pipeline", required_argument, NULL, OPT_PIPELINE },
	{ "return-veth", required_argument, NULL, OPT_RETURN },
	{ "worker-timeout", required_argument, NULL, OPT_WORKER_TIMEOUT },
	{ "sessions", required_argument, NULL, OPT_SESSIONS },
	{ "sessions-full", required_argument, NULL, OPT_SESSIONS_FULL },
	/* --ct-timeout-NAME, NAME pcf_ct_timeout_name()'s, in its order */
	{ "ct-timeout-tcp-syn-sent", required_argument, NULL,
	  OPT_CT_TIMEOUT + PCF_CT_T_TCP_SYN_SENT },
	{ "ct-timeout-tcp-syn-recv", required_argument, NULL,
	  OPT_CT_TIMEOUT + PCF_CT_T_TCP_SYN_RECV },
	{ "ct-timeout-tcp-established", required_argument, NULL,
	  OPT_CT_TIMEOUT + PCF_CT_T_TCP_ESTABLISHED },
	{ "ct-timeout-tcp-fin-wait", required_argument, NULL,
	  OPT_CT_TIMEOUT + PCF_CT_T_TCP_FIN_WAIT },
	{ "ct-timeout-tcp-time-wait", required_argument, NULL,
	  OPT_CT_TIMEOUT + PCF_CT_T_TCP_TIME_WAIT },
	{ "ct-timeout-tcp-close", required_argument, NULL,
	  OPT_CT_TIMEOUT + PCF_CT_T_TCP_CLOSE },
	{ "ct-timeout-udp", required_argument, NULL,
	  OPT_CT_TIMEOUT + PCF_CT_T_UDP },
	{ "ct-timeout-udp-stream", required_argument, NULL,
	  OPT_CT_TIMEOUT + PCF_CT_T_UDP_STREAM },
	{ "ct-timeout-icmp", required_argument, NULL,
	  OPT_CT_TIMEOUT + PCF_CT_T_ICMP },
	{ "ct-timeout-generic", required_argument, NULL,
	  OPT_CT_TIMEOUT + PCF_CT_T_GENERIC },
	{ "http", required_argument, NULL, OPT_HTTP },
	{ "vxlan-port", required_argument, NULL, OPT_VXLAN_PORT },
	{ "foreground", no_argument, NULL, 'f' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "unload", no_argument, NULL, OPT_UNLOAD },
	{ "check", no_argument, NULL, OPT_CHECK },
	{ "help", no_argument, NULL, 'h' },
	{},
};

static void usage(FILE *f)
{
	fprintf(
	    f,
	    "Usage: pcfd [-c FILE] -i IFNAME [-i IFNAME ...] [--pin-dir DIR] [--ctl-port ID]\n"
	    "            [--xdp-mode native|generic|auto] [--default pass|drop]\n"
	    "            [--rules-file FILE] [--queues N|all] [--egress kernel|wire]\n"
	    "            [--rx-mode poll|interrupt|adaptive] [--idle-polls N]\n"
	    "            [--bind-mode auto|copy|zerocopy] [--batch N] [--frames N]\n"
	    "            [--cpus LIST] [--stats-interval SEC] [--return-veth NAME,PEER|none]\n"
	    "            [--spin-us US] [--pipeline on|off] [--worker-timeout MS]\n"
	    "            [--sessions N] [--sessions-full refuse|evict-oldest]\n"
	    "            [--ct-timeout-NAME SEC] [--vxlan-port PORT[,PORT...]]\n"
	    "            [--http unix:PATH|ADDR:PORT ...]\n"
	    "            [-f] [-v]\n"
	    "       pcfd --unload [--pin-dir DIR] -i IFNAME\n"
	    "       pcfd -c FILE --check\n"
	    "\n"
	    "  -c, --config FILE   options from FILE first (key = value, the long\n"
	    "                      options' names); the command line wins\n"
	    "  --pin-dir DIR       pinned maps and links (default %s)\n"
	    "  --ctl-port ID       netlink port id of the control socket (default 0x%x)\n"
	    "  --rules-file FILE   a pcfctl batch file of flow commands applied at start\n"
	    "                      (flow add replaces a rule with the same match)\n"
	    "  --queues N|all      rx queues per interface with a worker (default all)\n"
	    "  --egress kernel|wire  egress of REDIRECT rules that name none (default\n"
	    "                      kernel: back through the return veth)\n"
	    "  --return-veth NAME,PEER|none  the veth pair pcfd creates (or adopts)\n"
	    "                      to give packets back to the kernel: workers send\n"
	    "                      on NAME, pcf_return forwards from PEER (default\n"
	    "                      pcfr0,pcfr1; none: packets for the kernel are\n"
	    "                      dropped); --unload removes it\n"
	    "  --rx-mode MODE      how workers wait for packets (default adaptive)\n"
	    "  --idle-polls N      adaptive: empty polls in a row before a worker\n"
	    "                      thread sleeps (default 1000)\n"
	    "  --spin-us US        adaptive: and not before a spin window that\n"
	    "                      follows the gaps between packets has passed, at\n"
	    "                      most US us, 1..%u (default %u)\n"
	    "  --bind-mode MODE    AF_XDP bind mode (default auto: zero-copy, else copy)\n"
	    "  --batch N           packets per rx batch, 1..%u (default 64)\n"
	    "  --frames N          UMEM frames per worker, %u..%u (default %u)\n"
	    "  --cpus LIST         pin workers to these CPUs (\"0,2-3\"; default not\n"
	    "                      pinned); workers on one CPU share one thread\n"
	    "  --pipeline on|off   off, for benchmarks only: workers send every packet\n"
	    "                      out of the next interface untouched (default on)\n"
	    "  --worker-timeout MS  REDIRECTed packets go to the kernel while their\n"
	    "                      worker has not gone round its loop for MS ms\n"
	    "                      (pcfd stopped or stuck; default %u, 0: never)\n"
	    "  --sessions N        the session table's capacity (connections of ct\n"
	    "                      rules), %u..%u (default %u; a table pinned\n"
	    "                      already keeps its own: pcfd --unload to change)\n"
	    "  --sessions-full refuse|evict-oldest  a full table refuses new\n"
	    "                      connections (default), or evicts the longest idle\n"
	    "  --ct-timeout-NAME SEC  idle timeouts of sessions, 1..%u s; NAME and\n"
	    "                      default (Linux conntrack's): tcp-syn-sent 120,\n"
	    "                      tcp-syn-recv 60, tcp-established 432000,\n"
	    "                      tcp-fin-wait 120, tcp-time-wait 120, tcp-close 10,\n"
	    "                      udp 30, udp-stream 120, icmp 30, generic 600\n"
	    "  --http unix:PATH|ADDR:PORT  an HTTP endpoint (repeatable; off by\n"
	    "                      default): GET /metrics (Prometheus), /stats,\n"
	    "                      /flows; POST, PUT, DELETE /flows on a unix\n"
	    "                      socket only, from root or CAP_NET_ADMIN\n"
	    "  --vxlan-port PORT[,PORT...]  UDP destination ports of the VXLAN\n"
	    "                      frames encap rules look into, at most %u\n"
	    "                      (default %u)\n"
	    "  --stats-interval SEC  counters to the journal and STATUS= every SEC\n"
	    "                      seconds, 0..%u (default %u; 0: only on SIGUSR1)\n"
	    "  -f, --foreground    stay in the foreground, log to stderr\n"
	    "  -v, --verbose       debug messages\n"
	    "  --check             check the configuration file (and the rules file it\n"
	    "                      names), print its settings as pcfd takes them, exit\n"
	    "Signals: SIGHUP re-reads the configuration file (default verdict,\n"
	    "stats interval and verbosity change at run time), SIGUSR1 logs the\n"
	    "counters, SIGTERM/SIGINT stop (rules and XDP stay pinned).\n",
	    PCF_PIN_DIR_DEFAULT, PCF_CTL_PORT_DEFAULT, PCF_WORKERS_SPIN_US_MAX,
	    PCF_WORKERS_SPIN_US_DEFAULT, PCF_BATCH_MAX, PCF_WORKERS_FRAMES_MIN,
	    PCF_WORKERS_FRAMES_MAX, PCF_WORKERS_FRAMES_DEFAULT,
	    PCF_WORKER_TIMEOUT_MS_DEFAULT, PCF_CT_SESSIONS_MIN,
	    PCF_CT_SESSIONS_MAX, PCF_CT_SESSIONS_DEFAULT, PCF_CT_TIMEOUT_MAX,
	    PCF_VXLAN_PORTS_MAX, PCF_VXLAN_PORT, PCFD_STATS_INTERVAL_MAX,
	    PCFD_STATS_INTERVAL_DEFAULT);
}

/* Where the option being parsed came from, for messages. */
struct origin {
	const struct pcf_conf *conf; /* NULL: the command line */
	int idx;		     /* its argv index */
};

static int bad(const struct origin *at, const char *msg, const char *arg)
{
	char where[PCF_CONF_ERR_MAX];

	if (at->conf) {
		pr_warn(
		    "pcfd: %s: %s%s%s\n",
		    pcf_conf_origin(at->conf, at->idx, where, sizeof(where)),
		    msg, arg ? ": " : "", arg ? arg : "");
		return 2;
	}
	pr_warn("pcfd: %s%s%s\n", msg, arg ? ": " : "", arg ? arg : "");
	usage(stderr);
	return 2;
}

/*
 * The numbers pcfd takes and their ranges, one table for a start and for
 * --check alike: what is refused here never reaches the data plane.
 * Decimal, or hex after 0x (the control port id is written so).
 */
struct range {
	int opt;
	__u32 min, max;
};

static const struct range ranges[] = {
	{ OPT_PORT, 1, UINT32_MAX },
	{ OPT_STATS, 0, PCFD_STATS_INTERVAL_MAX },
	{ OPT_QUEUES, 1, PCF_MAX_QUEUES },
	{ OPT_BATCH, 1, PCF_BATCH_MAX },
	{ OPT_IDLE_POLLS, 1, UINT32_MAX },
	{ OPT_SPIN_US, 1, PCF_WORKERS_SPIN_US_MAX },
	{ OPT_FRAMES, PCF_WORKERS_FRAMES_MIN, PCF_WORKERS_FRAMES_MAX },
	{ OPT_WORKER_TIMEOUT, 0, 3600000 },
	{ OPT_SESSIONS, PCF_CT_SESSIONS_MIN, PCF_CT_SESSIONS_MAX },
	{ OPT_CT_TIMEOUT, 1, PCF_CT_TIMEOUT_MAX },
};

static const char *opt_name(int c)
{
	int i;

	for (i = 0; longopts[i].name; i++)
		if (longopts[i].val == c)
			return longopts[i].name;
	return "?";
}

/* The number of option c (in ranges[]) into *ret; 2 with the reason said. */
static int opt_number(int c, const char *arg, __u32 *ret,
		      const struct origin *at)
{
	const struct range *r = ranges;
	unsigned long v;
	char msg[96];

	while (r->opt != c && !(r->opt == OPT_CT_TIMEOUT && c > OPT_CT_TIMEOUT))
		r++;
	if (pcf_text_ulong(arg, r->max, &v) || v < r->min) {
		snprintf(msg, sizeof(msg), "--%s wants a number %u..%u",
			 opt_name(c), r->min, r->max);
		return bad(at, msg, arg);
	}
	*ret = v;
	return 0;
}

/* One table lookup: word -> value, -EINVAL if none. */
static int pick(const char *s, const char *const *names, const int *values)
{
	int i;

	for (i = 0; names[i]; i++)
		if (!strcmp(s, names[i]))
			return values[i];
	return -EINVAL;
}

static int opt_xdp_mode(const char *s)
{
	static const char *const n[] = { "native", "generic", "auto", NULL };
	static const int v[] = { PCF_XDP_NATIVE, PCF_XDP_GENERIC,
				 PCF_XDP_AUTO };

	return pick(s, n, v);
}

static int opt_bind_mode(const char *s)
{
	static const char *const n[] = { "auto", "copy", "zerocopy", NULL };
	static const int v[] = { PCF_BIND_AUTO, PCF_BIND_COPY,
				 PCF_BIND_ZEROCOPY };

	return pick(s, n, v);
}

static int opt_egress(const char *s)
{
	static const char *const n[] = { "kernel", "wire", NULL };
	static const int v[] = { PCF_EGRESS_KERNEL, PCF_EGRESS_WIRE };

	return pick(s, n, v);
}

static int opt_verdict(const char *s)
{
	static const char *const n[] = { "pass", "drop", NULL };
	static const int v[] = { PCF_VERDICT_PASS, PCF_VERDICT_DROP };

	return pick(s, n, v);
}

/* The options that configure the workers. */
static int worker_opt(int c, const char *arg, struct pcf_workers_cfg *w,
		      const struct origin *at)
{
	int v;

	switch (c) {
	case OPT_QUEUES:
		if (!strcmp(arg, "all")) {
			w->queues = PCF_WORKERS_QUEUES_ALL;
			return 0;
		}
		return opt_number(c, arg, &w->queues, at);
	case OPT_EGRESS:
		v = opt_egress(arg);
		if (v < 0)
			return bad(at, "--egress is kernel or wire", arg);
		w->default_egress = v;
		return 0;
	case OPT_RX:
		v = pcf_rx_mode_parse(arg);
		if (v < 0)
			return bad(at,
				   "--rx-mode is poll, interrupt or adaptive",
				   arg);
		w->rx_mode = v;
		return 0;
	case OPT_BIND:
		v = opt_bind_mode(arg);
		if (v < 0)
			return bad(at, "--bind-mode is auto, copy or zerocopy",
				   arg);
		w->bind_mode = v;
		return 0;
	case OPT_BATCH:
		return opt_number(c, arg, &w->batch, at);
	case OPT_IDLE_POLLS:
		return opt_number(c, arg, &w->idle_polls, at);
	case OPT_SPIN_US:
		return opt_number(c, arg, &w->spin_us, at);
	case OPT_FRAMES:
		return opt_number(c, arg, &w->frames, at);
	case OPT_CPUS:
		if (pcf_workers_parse_cpus(w, arg))
			return bad(at, "--cpus wants a list such as 0,2-3",
				   arg);
		return 0;
	case OPT_PIPELINE:
		if (strcmp(arg, "on") && strcmp(arg, "off"))
			return bad(at, "--pipeline is on or off", arg);
		w->pipeline_off = !strcmp(arg, "off");
		return 0;
	}
	return bad(at, "unknown option", NULL);
}

/* A name the kernel takes for a device (as dev_valid_name judges). */
static bool ifname_valid(const char *s, size_t len)
{
	size_t i;

	if (!len || len >= IF_NAMESIZE || (s[0] == '.' && len == 1) ||
	    (len == 2 && !strncmp(s, "..", 2)))
		return false;
	for (i = 0; i < len; i++)
		if (s[i] == '/' || s[i] == ':' || isspace((unsigned char)s[i]))
			return false;
	return true;
}

#define IFNAME_RULE \
	"an interface name is 1..15 bytes, without '/', ':' or blanks"
_Static_assert(IF_NAMESIZE == 16, "IFNAME_RULE says 15 bytes");

/* "NAME,PEER" or "none" into o->ret_name, o->ret_peer. */
static int opt_return(const char *s, struct pcfd_opts *o)
{
	const char *comma = strchr(s, ',');
	size_t n = comma ? (size_t)(comma - s) : 0;

	if (!strcmp(s, "none")) {
		o->ret_name[0] = o->ret_peer[0] = '\0';
		return 0;
	}
	if (!comma || !ifname_valid(s, n) || strchr(comma + 1, ',') ||
	    !ifname_valid(comma + 1, strlen(comma + 1)) ||
	    (strlen(comma + 1) == n && !strncmp(s, comma + 1, n)))
		return -EINVAL;
	memcpy(o->ret_name, s, n);
	o->ret_name[n] = '\0';
	snprintf(o->ret_peer, sizeof(o->ret_peer), "%s", comma + 1);
	return 0;
}

/* One more interface; the same one twice is refused, as is a bad name. */
static int add_interface(struct pcfd_opts *o, const char *name,
			 const struct origin *at)
{
	int i;

	if (!ifname_valid(name, strlen(name)))
		return bad(at, IFNAME_RULE, name);
	for (i = 0; i < o->nifs; i++)
		if (!strcmp(o->ifnames[i], name))
			return bad(at, "this interface is given twice", name);
	if (o->nifs == PCF_MAX_IFACES)
		return bad(at, "more than " STR(PCF_MAX_IFACES) " interfaces",
			   name);
	o->ifnames[o->nifs++] = name;
	return 0;
}

int pcfd_http_parse(const char *s, struct pcfd_http_listen *ret)
{
	struct pcfd_http_listen l = { .text = s };
	struct sockaddr_un *un = (struct sockaddr_un *)&l.sa;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&l.sa;
	struct sockaddr_in *in = (struct sockaddr_in *)&l.sa;
	char addr[INET6_ADDRSTRLEN + 2];
	const char *colon = strrchr(s, ':');
	unsigned long port;
	size_t n;

	if (!strncmp(s, "unix:", 5)) {
		n = strlen(s + 5);
		if (s[5] != '/' || n >= sizeof(un->sun_path))
			return -EINVAL;
		un->sun_family = AF_UNIX;
		memcpy(un->sun_path, s + 5, n + 1);
		l.len = offsetof(struct sockaddr_un, sun_path) + n + 1;
		*ret = l;
		return 0;
	}
	if (!colon || (size_t)(colon - s) >= sizeof(addr) ||
	    pcf_text_dec(colon + 1, 65535, &port) || !port)
		return -EINVAL;
	n = colon - s;
	if (n > 2 && s[0] == '[' && s[n - 1] == ']') {
		memcpy(addr, s + 1, n - 2);
		addr[n - 2] = '\0';
		if (inet_pton(AF_INET6, addr, &in6->sin6_addr) != 1)
			return -EINVAL;
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(port);
		l.len = sizeof(*in6);
	} else {
		memcpy(addr, s, n);
		addr[n] = '\0';
		if (inet_pton(AF_INET, addr, &in->sin_addr) != 1)
			return -EINVAL;
		in->sin_family = AF_INET;
		in->sin_port = htons(port);
		l.len = sizeof(*in);
	}
	*ret = l;
	return 0;
}

/* One more --http listener; the same one twice is refused. */
static int add_http(struct pcfd_opts *o, const char *arg,
		    const struct origin *at)
{
	struct pcfd_http_listen l;
	int i;

	if (pcfd_http_parse(arg, &l))
		return bad(
		    at,
		    "--http wants unix:/ABSOLUTE/PATH, IPV4:PORT or [IPV6]:PORT (a numeric address, port 1..65535)",
		    arg);
	for (i = 0; i < o->nhttp; i++)
		if (o->http[i].len == l.len &&
		    !memcmp(&o->http[i].sa, &l.sa, l.len))
			return bad(at, "this --http listener is given twice",
				   arg);
	if (o->nhttp == PCFD_HTTP_MAX)
		return bad(at,
			   "more than " STR(PCFD_HTTP_MAX) " --http listeners",
			   arg);
	o->http[o->nhttp++] = l;
	return 0;
}

/* VXLAN (issue 13): "4789" or "4789,8472": into ports, 0 ending them. */
static int opt_vxlan_ports(const char *arg, __u16 *ports)
{
	__u16 got[PCF_VXLAN_PORTS_MAX] = {};
	unsigned int n = 0;
	const char *p = arg;
	unsigned long v;
	char *end;

	for (;;) {
		if (n == PCF_VXLAN_PORTS_MAX || *p < '1' || *p > '9')
			return -EINVAL;
		errno = 0;
		v = strtoul(p, &end, 10);
		if (errno || v > 65535 || (*end && *end != ','))
			return -EINVAL;
		got[n++] = v;
		if (!*end)
			break;
		p = end + 1;
	}
	memcpy(ports, got, sizeof(got));
	return 0;
}

/* Everything but the workers' options. */
static int main_opt(int c, const char *arg, struct pcfd_opts *o,
		    const struct origin *at)
{
	int v;

	switch (c) {
	case OPT_PIN:
		if (!*arg || strlen(arg) > PCF_PIN_DIR_MAX)
			return bad(at,
				   "--pin-dir wants a path of 1.." STR(
				       PCF_PIN_DIR_MAX) " bytes",
				   arg);
		o->pin_dir = arg;
		return 0;
	case OPT_PORT:
		return opt_number(c, arg, &o->ctl_port, at);
	case OPT_MODE:
		v = opt_xdp_mode(arg);
		if (v < 0)
			return bad(at, "--xdp-mode is native, generic or auto",
				   arg);
		o->mode = v;
		return 0;
	case OPT_DEFAULT:
		v = opt_verdict(arg);
		if (v < 0)
			return bad(at, "--default is pass or drop", arg);
		o->default_verdict = v;
		return 0;
	case OPT_RULES:
		o->rules_file = arg;
		return 0;
	case OPT_STATS:
		return opt_number(c, arg, &o->stats_interval, at);
	case OPT_UNLOAD:
		o->unload = true;
		return 0;
	case OPT_WORKER_TIMEOUT:
		if (opt_number(c, arg, &o->worker_timeout_ms, at))
			return 2;
		/* a sleeping worker beats every PCF_HEARTBEAT_PERIOD_MS */
		if (o->worker_timeout_ms &&
		    o->worker_timeout_ms < 5 * PCF_HEARTBEAT_PERIOD_MS)
			return bad(
			    at, "--worker-timeout wants 0 or 500..3600000 ms",
			    arg);
		return 0;
	case OPT_RETURN:
		if (opt_return(arg, o))
			return bad(
			    at,
			    "--return-veth wants NAME,PEER (two interface names) or none; " IFNAME_RULE,
			    arg);
		return 0;
	case OPT_CHECK:
		o->check = true;
		return 0;
	case OPT_VXLAN_PORT:
		if (opt_vxlan_ports(arg, o->vxlan_ports))
			return bad(
			    at,
			    "--vxlan-port wants 1 to " STR(
				PCF_VXLAN_PORTS_MAX) " ports 1..65535, comma separated",
			    arg);
		return 0;
	case OPT_SESSIONS:
		return opt_number(c, arg, &o->sessions, at);
	case OPT_SESSIONS_FULL:
		v = pcf_ct_full_parse(arg);
		if (v < 0)
			return bad(at,
				   "--sessions-full is refuse or evict-oldest",
				   arg);
		o->ct_full = v;
		return 0;
	case 'c':
		o->config = arg;
		return 0;
	case 'f':
		o->foreground = true;
		return 0;
	case 'v':
		o->verbose = true;
		return 0;
	}
	if (c >= OPT_CT_TIMEOUT && c < OPT_CT_TIMEOUT + PCF_CT_T_MAX)
		return opt_number(c, arg,
				  &o->ct_timeouts.sec[c - OPT_CT_TIMEOUT], at);
	return worker_opt(c, arg, &o->workers, at);
}

/* One getopt_long pass over argv; conf: the words are that file's. */
static int parse_pass(int argc, char **argv, struct pcfd_opts *o,
		      const struct pcf_conf *conf)
{
	struct origin at = { .conf = conf };
	bool replaced_ifs = false, replaced_http = false;
	int c, err;

	optind = 0;
	while ((c = getopt_long(argc, argv, OPTSTRING, longopts, NULL)) != -1) {
		at.idx = optind - 1;
		if (c == 'h') {
			usage(stdout);
			exit(0);
		}
		if (c == '?') {
			if (!conf)
				usage(stderr);
			return 2;
		}
		if (c == OPT_HTTP) {
			if (!conf && !replaced_http) {
				o->nhttp =
				    0; /* replaces the file's listeners */
				replaced_http = true;
			}
			err = add_http(o, optarg, &at);
			if (err)
				return err;
			continue;
		}
		if (c != 'i') {
			err = main_opt(c, optarg, o, &at);
			if (err)
				return err;
			continue;
		}
		if (!conf && !replaced_ifs) {
			o->nifs = 0; /* -i replaces the file's interfaces */
			replaced_ifs = true;
		}
		err = add_interface(o, optarg, &at);
		if (err)
			return err;
	}
	if (optind < argc)
		return bad(&at, "unexpected argument", argv[optind]);
	return 0;
}

static int load_conf(const char *path, struct pcfd_opts *o)
{
	static const char *const repeatable[] = { "interface", "http", NULL };
	static const char *const cmdline_only[] = { "config", "help", "unload",
						    "check", NULL };
	const struct pcf_conf_spec spec = { .longopts = longopts,
					    .repeatable = repeatable,
					    .cmdline_only = cmdline_only };
	char err[PCF_CONF_ERR_MAX];

	if (pcf_conf_load(path, &spec, &o->conf, err, sizeof(err))) {
		pr_warn("pcfd: %s\n", err);
		return 2;
	}
	return parse_pass(o->conf.argc, o->conf.argv, o, &o->conf);
}

/* What the options say together, once all are read. */
static int check_together(const struct pcfd_opts *o)
{
	const struct origin cmdline = {};
	int i;

	if (!o->nifs && !o->check)
		return bad(&cmdline, "give at least one interface with -i",
			   NULL);
	for (i = 0; o->ret_name[0] && i < o->nifs; i++)
		if (!strcmp(o->ifnames[i], o->ret_name) ||
		    !strcmp(o->ifnames[i], o->ret_peer))
			return bad(
			    &cmdline,
			    "an interface to steer is also an end of the return veth (--return-veth)",
			    o->ifnames[i]);
	return 0;
}

int pcfd_opts_parse(int argc, char **argv, struct pcfd_opts *o)
{
	const char *path = pcf_conf_path(argc, argv, OPTSTRING, longopts);
	int err;

	*o =
	    (struct pcfd_opts){ .pin_dir = PCF_PIN_DIR_DEFAULT,
				.ctl_port = PCF_CTL_PORT_DEFAULT,
				.default_verdict = -1,
				.stats_interval = PCFD_STATS_INTERVAL_DEFAULT };
	o->worker_timeout_ms = PCF_WORKER_TIMEOUT_MS_DEFAULT;
	snprintf(o->ret_name, sizeof(o->ret_name), "%s",
		 PCF_RETVETH_NAME_DEFAULT);
	snprintf(o->ret_peer, sizeof(o->ret_peer), "%s",
		 PCF_RETVETH_PEER_DEFAULT);
	pcf_workers_cfg_init(&o->workers);
	pcf_ct_timeouts_default(&o->ct_timeouts);
	if (path) {
		err = load_conf(path, o);
		if (err)
			return err;
	}
	err = parse_pass(argc, argv, o, NULL);
	if (err)
		return err;
	return check_together(o);
}

void pcfd_opts_free(struct pcfd_opts *o)
{
	pcf_conf_free(&o->conf);
}
