// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * pcfd - the pcf daemon: attaches the steering program, owns the pinned
 * rule table and serves the control channel.
 *
 * The main loop is one epoll set: each thing pcfd waits for (the control
 * socket, signals, later worker and timer fds) is a pcfd_source with a
 * handler; adding one is a pcfd_watch() call.
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>

#include "pcf_genl.h"
#include "ctl.h"
#include "loader.h"
#include "log.h"

#define MAX_SOURCES 8

struct pcfd;

struct pcfd_source {
	int fd;
	/* fd is readable; < 0: stop pcfd with this error */
	int (*ready)(struct pcfd *d, struct pcfd_source *src);
	void *ctx; /* the handler's own state */
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
};

struct pcfd {
	struct pcfd_opts o;
	struct pcf_dp *dp;
	struct pcf_ctl *ctl;
	int epfd;
	bool stop;
	struct pcfd_source sources[MAX_SOURCES];
	int nsources;
};

static void usage(FILE *f)
{
	fprintf(
	    f,
	    "Usage: pcfd -i IFNAME [-i IFNAME ...] [--pin-dir DIR] [--ctl-port ID]\n"
	    "            [--xdp-mode native|generic|auto] [--default pass|drop] [-f] [-v]\n"
	    "       pcfd --unload [--pin-dir DIR] -i IFNAME\n"
	    "\n"
	    "  --pin-dir DIR    pinned maps and links (default %s)\n"
	    "  --ctl-port ID    netlink port id of the control socket (default 0x%x)\n"
	    "  -f               stay in the foreground, log to stderr\n"
	    "  -v               debug messages\n",
	    PCF_PIN_DIR_DEFAULT, PCF_CTL_PORT_DEFAULT);
}

static int bad_usage(const char *msg, const char *arg)
{
	fprintf(stderr, "pcfd: %s%s%s\n", msg, arg ? ": " : "", arg ? arg : "");
	usage(stderr);
	return 2;
}

static int parse_u32(const char *s, __u32 *ret)
{
	unsigned long long v;
	char *end;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || *end || !*s || v > 0xffffffffULL || s[0] == '-')
		return -EINVAL;
	*ret = v;
	return 0;
}

static int parse_opts(int argc, char **argv, struct pcfd_opts *o)
{
	enum { OPT_PIN = 256, OPT_PORT, OPT_MODE, OPT_DEFAULT, OPT_UNLOAD };
	static const struct option longopts[] = {
		{ "pin-dir", required_argument, NULL, OPT_PIN },
		{ "ctl-port", required_argument, NULL, OPT_PORT },
		{ "xdp-mode", required_argument, NULL, OPT_MODE },
		{ "default", required_argument, NULL, OPT_DEFAULT },
		{ "unload", no_argument, NULL, OPT_UNLOAD },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	int c;

	*o = (struct pcfd_opts){ .pin_dir = PCF_PIN_DIR_DEFAULT,
				 .ctl_port = PCF_CTL_PORT_DEFAULT,
				 .default_verdict = -1 };
	while ((c = getopt_long(argc, argv, "i:fvh", longopts, NULL)) != -1) {
		switch (c) {
		case 'i':
			if (o->nifs == PCF_MAX_IFACES)
				return bad_usage("too many interfaces", optarg);
			o->ifnames[o->nifs++] = optarg;
			break;
		case OPT_PIN:
			o->pin_dir = optarg;
			break;
		case OPT_PORT:
			if (parse_u32(optarg, &o->ctl_port) || !o->ctl_port)
				return bad_usage(
				    "--ctl-port wants a non-zero u32", optarg);
			break;
		case OPT_MODE:
			if (!strcmp(optarg, "native"))
				o->mode = PCF_XDP_NATIVE;
			else if (!strcmp(optarg, "generic"))
				o->mode = PCF_XDP_GENERIC;
			else if (!strcmp(optarg, "auto"))
				o->mode = PCF_XDP_AUTO;
			else
				return bad_usage(
				    "--xdp-mode is native, generic or auto",
				    optarg);
			break;
		case OPT_DEFAULT:
			if (!strcmp(optarg, "pass"))
				o->default_verdict = PCF_VERDICT_PASS;
			else if (!strcmp(optarg, "drop"))
				o->default_verdict = PCF_VERDICT_DROP;
			else
				return bad_usage("--default is pass or drop",
						 optarg);
			break;
		case OPT_UNLOAD:
			o->unload = true;
			break;
		case 'f':
			o->foreground = true;
			break;
		case 'v':
			o->verbose = true;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc)
		return bad_usage("unexpected argument", argv[optind]);
	if (!o->nifs)
		return bad_usage("give at least one interface with -i", NULL);
	return 0;
}

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

static int unload(struct pcfd *d)
{
	int i, err, ret = 0;

	if (open_dp(d))
		return 1;
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
		pr_info("pcfd: attached to %s (%s mode)\n", d->o.ifnames[i],
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

static int on_signal(struct pcfd *d, struct pcfd_source *src)
{
	struct signalfd_siginfo si;

	if (read(src->fd, &si, sizeof(si)) == sizeof(si)) {
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

static int signals_fd(void)
{
	sigset_t set;
	int fd;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	if (sigprocmask(SIG_BLOCK, &set, NULL))
		return -errno;
	signal(SIGPIPE, SIG_IGN);
	fd = signalfd(-1, &set, SFD_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

static int run(struct pcfd *d)
{
	struct epoll_event evs[MAX_SOURCES];
	struct pcfd_source *src;
	int sfd, n, i, err;

	d->epfd = epoll_create1(EPOLL_CLOEXEC);
	sfd = signals_fd();
	if (d->epfd < 0 || sfd < 0)
		return -errno;
	err = pcfd_watch(d, sfd, on_signal, NULL);
	if (!err)
		err = pcfd_watch(d, pcf_ctl_fd(d->ctl), on_ctl, d->ctl);
	if (err)
		return err;
	pr_info("pcfd: serving control port id 0x%x\n", d->o.ctl_port);
	while (!d->stop) {
		n = epoll_wait(d->epfd, evs, MAX_SOURCES, -1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		for (i = 0; i < n && !d->stop; i++) {
			src = evs[i].data.ptr;
			err = src->ready(d, src);
			if (err)
				return err;
		}
	}
	close(sfd);
	close(d->epfd);
	return 0;
}

int main(int argc, char **argv)
{
	struct pcfd d = { .epfd = -1 };
	int err;

	err = parse_opts(argc, argv, &d.o);
	if (err)
		return err;
	pcf_log_init(d.o.verbose ? PCF_LOG_DEBUG : PCF_LOG_INFO, false);
	if (d.o.unload)
		return unload(&d);

	if (open_dp(&d))
		return 1;
	/* bind first: a second pcfd must not touch the attachments */
	err = open_ctl(&d);
	if (!err)
		err = attach_all(&d);
	if (!err && !d.o.foreground) {
		if (daemon(0, 0)) {
			err = -errno;
			pr_warn("pcfd: cannot go to the background: %s\n",
				strerror(errno));
		}
		pcf_log_to_syslog(true);
	}
	if (!err)
		err = run(&d);
	pcf_ctl_close(d.ctl);
	pcf_dp_close(d.dp);
	return err ? 1 : 0;
}
