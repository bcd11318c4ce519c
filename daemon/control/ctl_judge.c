// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * ctl_judge.c - who may change pcfd's rules (see ctl_judge.h): the
 * kernel's netlink_net_capable() judgement, rebuilt from what a netlink
 * receiver can see.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/pidfd.h>
#include <sys/stat.h>
#include <linux/capability.h>
#include <linux/netlink.h>
#include <linux/nsfs.h>

#include "ctl_judge.h"

#define STATUS_MAX 8192 /* /proc/PID/status is about 1.5 KiB */

static struct pcf_ns_id ns_id(const struct stat *st)
{
	return (struct pcf_ns_id){ .dev = st->st_dev, .ino = st->st_ino };
}

static uid_t read_overflow_uid(void)
{
	unsigned int uid = 65534;
	FILE *f = fopen("/proc/sys/kernel/overflowuid", "re");

	if (f) {
		if (fscanf(f, "%u", &uid) != 1)
			uid = 65534;
		fclose(f);
	}
	return uid;
}

/* Walk from the owner of pcfd's network namespace up to the top we see. */
static int learn_userns_chain(struct pcf_judge *j)
{
	int netfd, fd, parent, err = 0;
	struct stat st;
	uid_t owner;

	netfd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (netfd < 0)
		return -errno;
	fd = ioctl(netfd, NS_GET_USERNS);
	err = fd < 0 ? -errno : 0;
	close(netfd);
	while (fd >= 0 && j->n < PCF_JUDGE_USERNS_MAX) {
		if (fstat(fd, &st) || ioctl(fd, NS_GET_OWNER_UID, &owner)) {
			err = -errno;
			close(fd);
			break;
		}
		j->ns[j->n] = ns_id(&st);
		j->owner[j->n++] = owner;
		/* EPERM above the user namespace pcfd itself runs in */
		parent = ioctl(fd, NS_GET_PARENT);
		close(fd);
		fd = parent;
	}
	if (fd >= 0)
		close(fd);
	return err;
}

void pcf_judge_init(struct pcf_judge *j)
{
	*j = (struct pcf_judge){ .overflow_uid = read_overflow_uid() };
	j->err = learn_userns_chain(j);
	if (j->err)
		j->n = 0;
}

static bool ns_eq(const struct pcf_ns_id *a, const struct pcf_ns_id *b)
{
	return a->dev == b->dev && a->ino == b->ino;
}

enum pcf_judge_verdict pcf_judge_decide(const struct pcf_judge *j, uid_t uid,
					const struct pcf_proc_status *st,
					const struct pcf_ns_id *userns)
{
	bool net_admin = st->cap_eff & (1ULL << CAP_NET_ADMIN);
	unsigned int k;

	if (st->state == 'Z' || st->state == 'X')
		return PCF_JUDGE_DEAD;
	/* a setuid program run since the send shows as euid != ruid */
	if (st->uid[0] != uid || st->uid[1] != uid || st->uid[2] != uid)
		return PCF_JUDGE_UIDS;
	if (!j->n || !userns)
		return PCF_JUDGE_UNKNOWN;
	for (k = 0; k < j->n && !ns_eq(&j->ns[k], userns); k++)
		;
	if (k == j->n)
		return net_admin ? PCF_JUDGE_OTHER_USERNS : PCF_JUDGE_NO_CAP;
	/*
	 * cap_capable(): walking up from ns[0], the creator of ns[k - 1]
	 * has every capability there if it lives in ns[k], its parent.
	 */
	if (k > 0 && j->owner[k - 1] == st->uid[1] &&
	    j->owner[k - 1] != j->overflow_uid)
		return PCF_JUDGE_ALLOW;
	return net_admin ? PCF_JUDGE_ALLOW : PCF_JUDGE_NO_CAP;
}

/* The value after "Key:" on its own line of text, or NULL. */
static const char *status_field(const char *text, const char *key)
{
	size_t n = strlen(key);
	const char *p;

	for (p = text; p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (!strncmp(p, key, n) && p[n] == ':')
			return p + n + 1;
	return NULL;
}

int pcf_judge_parse_status(const char *text, struct pcf_proc_status *ret)
{
	const char *state = status_field(text, "State");
	const char *uid = status_field(text, "Uid");
	const char *cap = status_field(text, "CapEff");
	struct pcf_proc_status st = {};
	unsigned long long c;
	unsigned int u[4];

	if (!state || !uid || !cap || sscanf(state, " %c", &st.state) != 1 ||
	    sscanf(uid, "%u %u %u %u", &u[0], &u[1], &u[2], &u[3]) != 4 ||
	    sscanf(cap, "%llx", &c) != 1)
		return -EINVAL;
	memcpy(st.uid, u, sizeof(st.uid));
	st.cap_eff = c;
	*ret = st;
	return 0;
}

int pcf_judge_netlink_line(const char *line, int proto, __u32 port,
			   unsigned long *ret_inode)
{
	unsigned int p, pid;
	unsigned long ino;

	/* sk Eth Pid Groups Rmem Wmem Dump Locks Drops Inode */
	if (sscanf(line, "%*s %u %u %*s %*s %*s %*s %*s %*s %lu", &p, &pid,
		   &ino) != 3 ||
	    p != (unsigned int)proto || pid != port)
		return 0;
	*ret_inode = ino;
	return 1;
}

unsigned long pcf_judge_port_inode(__u32 port)
{
	unsigned long inode = 0;
	char line[512];
	FILE *f;

	f = fopen("/proc/net/netlink", "re");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (pcf_judge_netlink_line(line, NETLINK_USERSOCK, port,
					   &inode))
			break;
	fclose(f);
	return inode;
}

int pcf_judge_holds_socket(int procfd, unsigned long inode)
{
	char want[64], link[64];
	struct dirent *e;
	int fd, found = 0;
	ssize_t n;
	DIR *d;

	fd = openat(procfd, "fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return -ENOMEM;
	}
	snprintf(want, sizeof(want), "socket:[%lu]", inode);
	while (!found && (e = readdir(d))) {
		n = readlinkat(dirfd(d), e->d_name, link, sizeof(link) - 1);
		if (n > 0) {
			link[n] = '\0';
			found = !strcmp(link, want);
		}
	}
	closedir(d);
	return found;
}

static int read_status(int dirfd, struct pcf_proc_status *ret)
{
	char text[STATUS_MAX];
	size_t len = 0;
	ssize_t n;
	int fd;

	fd = openat(dirfd, "status", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while (len < sizeof(text) - 1 &&
	       (n = read(fd, text + len, sizeof(text) - 1 - len)) > 0)
		len += n;
	close(fd);
	text[len] = '\0';
	return pcf_judge_parse_status(text, ret);
}

static int refuse(char *why, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int refuse(char *why, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, len, fmt, ap);
	va_end(ap);
	return -EPERM;
}

/* The sender's process, held still while it is looked at. */
struct suspect {
	int pidfd; /* the process at cred->pid when judging began */
	int dirfd; /* its /proc/PID, opened after the pidfd */
	pid_t pid;
	uid_t uid;
};

static int say_verdict(const struct suspect *s, enum pcf_judge_verdict v,
		       char *why, size_t len)
{
	switch (v) {
	case PCF_JUDGE_ALLOW:
		return 0;
	case PCF_JUDGE_NO_CAP:
		return refuse(why, len, "uid %u has neither", s->uid);
	case PCF_JUDGE_OTHER_USERNS:
		return refuse(
		    why, len,
		    "uid %u has CAP_NET_ADMIN only in another user namespace than pcfd's network namespace's",
		    s->uid);
	case PCF_JUDGE_UIDS:
		return refuse(
		    why, len,
		    "uid %u: pid %d runs with other uids (a setuid program, a process that changed its uids, or one of another pid namespace)",
		    s->uid, s->pid);
	case PCF_JUDGE_DEAD:
		return refuse(
		    why, len,
		    "uid %u: the sender, pid %d, ended before pcfd could verify it",
		    s->uid, s->pid);
	case PCF_JUDGE_NO_SOCKET:
		return refuse(
		    why, len,
		    "uid %u: pid %d does not hold the socket that sent the request (a sender in another pid namespace cannot be verified)",
		    s->uid, s->pid);
	default:
		return refuse(why, len, "uid %u: pcfd could not verify pid %d",
			      s->uid, s->pid);
	}
}

/*
 * ns/user and fd of another user's process need ptrace access: pcfd as
 * root without CAP_SYS_PTRACE (the systemd unit's set) cannot verify a
 * non-root sender, and says so.
 */
static int unreadable(const struct suspect *s, const char *what, int err,
		      char *why, size_t len)
{
	return refuse(
	    why, len, "uid %u: pcfd cannot read /proc/%d/%s: %s%s", s->uid,
	    s->pid, what, strerror(-err),
	    err == -EACCES || err == -EPERM
		? " (pcfd needs CAP_SYS_PTRACE to verify a sender that is not root)"
		: "");
}

/* Has the process of the pidfd exited (or is it a zombie) by now? */
static bool ended(int pidfd)
{
	struct pollfd p = { .fd = pidfd, .events = POLLIN };

	return poll(&p, 1, 0) != 0;
}

/*
 * Judge the process s (its /proc status, user namespace, and, port given,
 * that it holds the socket bound there), then check it still runs.
 */
static int judge_process(const struct pcf_judge *j, struct suspect *s,
			 const __u32 *port, char *why, size_t len)
{
	struct pcf_proc_status st;
	struct stat nsst;
	struct pcf_ns_id userns;
	enum pcf_judge_verdict v;
	unsigned long inode;
	int err;

	err = read_status(s->dirfd, &st);
	if (err)
		return unreadable(s, "status", err, why, len);
	/* what the status alone decides first: cheap, and no ptrace check */
	v = pcf_judge_decide(j, s->uid, &st, NULL);
	if (v != PCF_JUDGE_UNKNOWN)
		return say_verdict(s, v, why, len);
	if (s->uid == 0)
		goto running; /* root (all three uids): nothing more */
	if (fstatat(s->dirfd, "ns/user", &nsst, 0))
		return unreadable(s, "ns/user", -errno, why, len);
	userns = ns_id(&nsst);
	v = pcf_judge_decide(j, s->uid, &st, &userns);
	if (v != PCF_JUDGE_ALLOW)
		return say_verdict(s, v, why, len);
	if (port) {
		inode = pcf_judge_port_inode(*port);
		err = inode ? pcf_judge_holds_socket(s->dirfd, inode) : 0;
		if (err < 0)
			return unreadable(s, "fd", err, why, len);
		if (!err)
			return say_verdict(s, PCF_JUDGE_NO_SOCKET, why, len);
	}
running:
	/* still running: every read above was of this very process */
	if (ended(s->pidfd))
		return say_verdict(s, PCF_JUDGE_DEAD, why, len);
	return 0;
}

/* Open /proc/PID of s (its pidfd open) and judge it. */
static int judge_suspect(const struct pcf_judge *j, struct suspect *s,
			 const __u32 *port, char *why, size_t len)
{
	char path[32];
	int err;

	snprintf(path, sizeof(path), "/proc/%d", s->pid);
	s->dirfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (s->dirfd < 0)
		return say_verdict(s, PCF_JUDGE_DEAD, why, len);
	err = judge_process(j, s, port, why, len);
	close(s->dirfd);
	return err;
}

int pcf_judge_admin(const struct pcf_judge *j, __u32 port,
		    const struct ucred *cred, char *why, size_t len)
{
	struct suspect s = { .pidfd = -1, .dirfd = -1 };
	int err;

	if (!cred)
		return refuse(why, len, "no credentials came with the request");
	if (cred->uid == 0)
		return 0;
	s.pid = cred->pid;
	s.uid = cred->uid;
	if (!j->n)
		return refuse(why, len,
			      "uid %u: pcfd cannot tell its user namespace: %s",
			      s.uid, strerror(-j->err));
	s.pidfd = s.pid > 0 ? pidfd_open(s.pid, 0) : -1;
	if (s.pidfd < 0 && (s.pid <= 0 || errno != ESRCH))
		return refuse(why, len, "uid %u: pcfd cannot open pid %d: %s",
			      s.uid, s.pid,
			      strerror(s.pid > 0 ? errno : ESRCH));
	if (s.pidfd < 0)
		return say_verdict(&s, PCF_JUDGE_DEAD, why, len);
	err = judge_suspect(j, &s, &port, why, len);
	close(s.pidfd);
	return err;
}

int pcf_judge_pidfd_pid(int pidfd)
{
	char path[64], line[128];
	int pid = -ENOENT;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", pidfd);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Pid: %d", &pid) == 1)
			break;
	fclose(f);
	return pid;
}

int pcf_judge_admin_pidfd(const struct pcf_judge *j, int pidfd, uid_t uid,
			  char *why, size_t len)
{
	struct suspect s = { .pidfd = pidfd, .dirfd = -1, .uid = uid };

	if (pidfd < 0)
		return uid == 0
			   ? 0
			   : refuse(
				 why, len,
				 "uid %u: this kernel does not name the peer's process (SO_PEERPIDFD, Linux 6.5): only root may change rules here",
				 uid);
	s.pid = pcf_judge_pidfd_pid(pidfd);
	if (s.pid == -1 || ended(pidfd))
		return say_verdict(&s, PCF_JUDGE_DEAD, why, len);
	/* root in another pid namespace: the netlink path asks no more */
	if (s.pid == 0 && uid == 0)
		return 0;
	if (s.pid <= 0)
		return refuse(
		    why, len,
		    "uid %u: the peer runs in another pid namespace than pcfd's: pcfd cannot verify it",
		    uid);
	if (uid && !j->n)
		return refuse(why, len,
			      "uid %u: pcfd cannot tell its user namespace: %s",
			      uid, strerror(-j->err));
	return judge_suspect(j, &s, NULL, why, len);
}
