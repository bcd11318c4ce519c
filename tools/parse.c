// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * parse.c - pcfctl's command line: the options, then OBJECT COMMAND as
 * iproute2 has it.  The words of a rule change (flow add, replace, del,
 * flush) are genl's grammar (rule_text.c), the one pcfd reads its rules
 * file with; here are only the commands that are pcfctl's own.  What makes
 * sense as a rule is decided by pcfd (pcf_rule_validate) and comes back as
 * the error message.
 */
#include <errno.h>
#include <string.h>

#include "pcfctl.h"

struct parser {
	int argc;
	char **argv;
	char *err;
	size_t errlen;
};

#define usage_error(p, ...) pcf_text_refuse((p)->err, (p)->errlen, __VA_ARGS__)

/* The change commands are genl's grammar, shared with pcfd's rules file. */
static const enum pcfctl_cmd change_cmds[] = {
	[PCF_FLOW_ADD] = PCFCTL_FLOW_ADD,
	[PCF_FLOW_REPLACE] = PCFCTL_FLOW_REPLACE,
	[PCF_FLOW_DEL] = PCFCTL_FLOW_DEL,
	[PCF_FLOW_FLUSH] = PCFCTL_FLOW_FLUSH,
};

static int parse_flow(struct parser *p, struct pcfctl_req *req)
{
	const char *cmd = p->argc > 1 ? p->argv[1] : "show";
	struct pcf_flow_change c;
	int err;

	err = pcf_text_flow_change(p->argc - 1, p->argv + 1, &c, p->err,
				   p->errlen);
	if (err != -ENOENT) {
		if (!err)
			*req = (struct pcfctl_req){ .cmd = change_cmds[c.op],
						    .rule = c.rule,
						    .id = c.id };
		return err;
	}
	if (!strcmp(cmd, "show") || !strcmp(cmd, "list")) {
		req->cmd = PCFCTL_FLOW_SHOW;
		if (p->argc <= 2)
			return 0;
		err = pcf_text_id(p->argc - 2, p->argv + 2, &req->id, p->err,
				  p->errlen);
		return err != -ENOENT
			   ? err
			   : usage_error(p, "flow show takes nothing or id N");
	}
	if (!strcmp(cmd, "save") || !strcmp(cmd, "help")) {
		req->cmd = cmd[0] == 's' ? PCFCTL_FLOW_SAVE : PCFCTL_FLOW_HELP;
		return p->argc > 2
			   ? usage_error(p, "flow %s takes no arguments", cmd)
			   : 0;
	}
	return usage_error(
	    p, "unknown command \"flow %s\" (try \"pcfctl flow help\")", cmd);
}

/* session show [MATCH] | del MATCH | flush */
static int parse_session(struct parser *p, struct pcfctl_req *req)
{
	const char *cmd = p->argc > 1 ? p->argv[1] : "show";
	int n = p->argc > 2 ? p->argc - 2 : 0;
	char what[32];

	if (!strcmp(cmd, "show") || !strcmp(cmd, "list"))
		req->cmd = PCFCTL_SESSION_SHOW;
	else if (!strcmp(cmd, "del") || !strcmp(cmd, "delete"))
		req->cmd = PCFCTL_SESSION_DEL;
	else if (!strcmp(cmd, "flush"))
		req->cmd = PCFCTL_SESSION_FLUSH;
	else
		return usage_error(
		    p, "unknown command \"session %s\" (try \"pcfctl help\")",
		    cmd);
	if (req->cmd == PCFCTL_SESSION_FLUSH)
		return n ? usage_error(p, "session flush takes no arguments")
			 : 0;
	if (req->cmd == PCFCTL_SESSION_DEL && !n)
		return usage_error(
		    p,
		    "session del needs match words (src, dst, sport, dport, proto); session flush deletes them all");
	snprintf(what, sizeof(what), "session %s", cmd);
	req->has_match = n;
	return pcf_text_session_match(n, p->argv + 2, what, &req->rule, p->err,
				      p->errlen);
}

/* monitor [flows|sessions|all] */
static int parse_monitor(struct parser *p, struct pcfctl_req *req)
{
	const char *what = p->argc > 1 ? p->argv[1] : "flows";

	req->cmd = PCFCTL_MONITOR;
	if (p->argc > 2)
		return usage_error(
		    p, "monitor takes one word: flows, sessions or all");
	if (!strcmp(what, "flows"))
		req->monitor = PCFCTL_MONITOR_FLOWS;
	else if (!strcmp(what, "sessions"))
		req->monitor = PCFCTL_MONITOR_SESSIONS;
	else if (!strcmp(what, "all"))
		req->monitor = PCFCTL_MONITOR_FLOWS | PCFCTL_MONITOR_SESSIONS;
	else
		return usage_error(
		    p, "monitor \"%s\": not flows, sessions or all", what);
	return 0;
}

int pcfctl_parse(int argc, char **argv, struct pcfctl_req *ret, char *err,
		 size_t errlen)
{
	struct parser p = { argc, argv, err, errlen };
	struct pcfctl_req req = {};
	const char *obj = argc ? argv[0] : "help";
	int rc = 0;

	if (!strcmp(obj, "flow"))
		rc = parse_flow(&p, &req);
	else if (!strcmp(obj, "session"))
		rc = parse_session(&p, &req);
	else if (!strcmp(obj, "monitor"))
		rc = parse_monitor(&p, &req);
	else if (!strcmp(obj, "set"))
		rc = pcfctl_parse_set(argc, argv, &req, err, errlen);
	else if (!strcmp(obj, "stats") || !strcmp(obj, "help"))
		req.cmd = obj[0] == 's' ? PCFCTL_STATS : PCFCTL_HELP;
	else
		return usage_error(
		    &p, "unknown object \"%s\" (try \"pcfctl help\")", obj);
	if (!rc && (req.cmd == PCFCTL_STATS || req.cmd == PCFCTL_HELP) &&
	    argc > 1)
		return usage_error(&p, "%s takes no arguments", obj);
	if (!rc)
		*ret = req;
	return rc;
}

static const char *opt_name(const char *arg)
{
	return arg[0] == '-' && arg[1] == '-' ? arg + 1 : arg;
}

static bool opt_is(const char *opt, const char *a, const char *b)
{
	return !strcmp(opt, a) || (b && !strcmp(opt, b));
}

int pcfctl_parse_opts(int *argc, char ***argv, struct pcfctl_opts *ret,
		      char *err, size_t errlen)
{
	struct parser p = { *argc, *argv, err, errlen };
	struct pcfctl_opts o = { .ctl_port = PCF_CTL_PORT_DEFAULT };
	char **av = *argv, *val;
	int ac = *argc;
	unsigned long n;
	const char *opt;

	for (; ac && av[0][0] == '-' && av[0][1]; ac--, av++) {
		opt = opt_name(av[0]);
		if (opt_is(opt, "-j", "-json")) {
			o.json = true;
			continue;
		}
		if (opt_is(opt, "-p", "-pretty")) {
			o.pretty = true;
			continue;
		}
		if (opt_is(opt, "-s", "-stats")) {
			o.stats = true;
			continue;
		}
		if (opt_is(opt, "-force", NULL)) {
			o.force = true;
			continue;
		}
		if (opt_is(opt, "-v", "-verbose")) {
			o.verbose = true;
			continue;
		}
		if (opt_is(opt, "-h", "-help")) {
			o.help = true;
			continue;
		}
		if (!opt_is(opt, "-n", "-netns") &&
		    !opt_is(opt, "-batch", "-b") &&
		    !opt_is(opt, "-ctl-port", "-ctl-uid"))
			return usage_error(&p, "unknown option %s", av[0]);
		if (ac < 2)
			return usage_error(&p, "%s needs a value", av[0]);
		val = av[1];
		if (opt_is(opt, "-n", "-netns")) {
			o.netns = val;
		} else if (opt_is(opt, "-batch", "-b")) {
			o.batch = val;
		} else if (pcf_text_ulong(val, 0xffffffff, &n)) {
			return usage_error(&p, "%s wants a number, not \"%s\"",
					   av[0], val);
		} else if (opt_is(opt, "-ctl-port", NULL)) {
			if (!n)
				return usage_error(&p, "%s must not be 0",
						   av[0]);
			o.ctl_port = n;
		} else {
			o.daemon_uid = n;
		}
		ac--, av++;
	}
	*argc = ac;
	*argv = av;
	*ret = o;
	return 0;
}

void pcfctl_usage(FILE *f, enum pcfctl_cmd which)
{
	if (which != PCFCTL_FLOW_HELP)
		fprintf(
		    f,
		    "Usage: pcfctl [-j] [-p] [-s] [-v] [-n NETNS] [-batch FILE] [-force]\n"
		    "              [--ctl-port ID] [--ctl-uid UID] OBJECT COMMAND ...\n"
		    "       OBJECT := flow | set | session | stats | monitor | help\n"
		    "  -j JSON output, -p pretty JSON, -s counters in flow show,\n"
		    "  -v say how many datagrams not from pcfd were skipped,\n"
		    "  -n NETNS run in /run/netns/NETNS, -batch FILE (- is stdin),\n"
		    "  -force keep going after a failed batch line,\n"
		    "  --ctl-port pcfd's port id (default 0x%x),\n"
		    "  --ctl-uid the uid pcfd runs as (default 0).\n",
		    PCF_CTL_PORT_DEFAULT);
	fprintf(
	    f,
	    "Usage: pcfctl flow add|replace [encap vxlan [vni N]]\n"
	    "                      [src PREFIX] [dst PREFIX] [sport PORT] [dport PORT]\n"
	    "                      [proto tcp|udp|icmp|icmpv6|NUM] [dev IFNAME] [prio N]\n"
	    "                      action pass|drop|redirect [ct] [decap] [ttl-delta N] [df-clear]\n"
	    "                      [snat ADDR[:PORT]] [dnat ADDR[:PORT]] [mark N]\n"
	    "                      (with ct: [snat ADDR[:PORT[-PORT]]] [masquerade])\n"
	    "                      [mirror IFNAME] [queue N]\n"
	    "                      [egress kernel|wire|dev IFNAME [via ADDR]]\n"
	    "       pcfctl flow del id N\n"
	    "       pcfctl flow del MATCH...\n"
	    "       pcfctl flow show [id N]\n"
	    "       pcfctl flow flush\n"
	    "       pcfctl flow save > FILE    (pcfctl -batch FILE adds them back)\n"
	    "       pcfctl set add|del NAME ELEM...   (ELEM: an IPv4 or IPv6 ADDR[/LEN])\n"
	    "       pcfctl set load NAME FILE   (one ELEM a line, or JSON; atomic)\n"
	    "       pcfctl set show [NAME]\n"
	    "       pcfctl set flush|destroy NAME\n"
	    "       pcfctl session show [MATCH]   (sessions: both tuples, state, timeout)\n"
	    "       pcfctl session del MATCH\n"
	    "       pcfctl session flush\n"
	    "       pcfctl stats\n"
	    "       pcfctl monitor [flows|sessions|all]\n"
	    "MATCH := [src PREFIX] [dst PREFIX] [sport PORT] [dport PORT] [proto P]\n"
	    "         (in a rule, src @SET and dst @SET: the address is in the set)\n"
	    "         (a session matches when either direction's tuple does)\n"
	    "PREFIX := ADDR[/LEN] (IPv4 or IPv6); an IPv6 ADDR with a PORT is [ADDR]:PORT\n");
}
