/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * ctl_judge.h - may the sender of a control datagram change pcfd's rules?
 * Judged as the kernel's netlink_net_capable() judges a netlink sender:
 * uid 0, or CAP_NET_ADMIN in the user namespace that owns pcfd's network
 * namespace, or in an ancestor of it (cap_capable(): the owner of a user
 * namespace has every capability in it, seen from its parent).  "root"
 * of a child user namespace is nobody here.
 *
 * What pcfd gets from the kernel is a port id and SCM_CREDENTIALS: the
 * sender's real uid translated into pcfd's user namespace (65534 when it
 * has no mapping there), and its pid *as the sender's own pid namespace
 * numbers it*.  So the pid alone names nobody; the judge ties it to the
 * sending socket and to a process that stays the same while it looks
 * (see pcf_judge_admin).
 *
 * The decisions are pure functions over what was read (pcf_judge_decide,
 * pcf_judge_parse_status, pcf_judge_netlink_line), unit-tested in
 * tests/unit/test_ctl_judge.c; pcf_judge_admin does the reading.
 */
#ifndef PCF_CTL_JUDGE_H
#define PCF_CTL_JUDGE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <linux/types.h>

/* A namespace, as stat() of its nsfs file names it. */
struct pcf_ns_id {
	__u64 dev;
	__u64 ino;
};

/* Nesting of user namespaces is limited to 32 (and the initial one). */
#define PCF_JUDGE_USERNS_MAX 33

/*
 * The user namespaces whose CAP_NET_ADMIN counts: ns[0] owns pcfd's
 * network namespace, ns[i + 1] is the parent of ns[i], as far up as pcfd
 * can see.  owner[i]: the uid that created ns[i] (as pcfd sees it), the
 * one that holds every capability in ns[i] from ns[i + 1].
 */
struct pcf_judge {
	struct pcf_ns_id ns[PCF_JUDGE_USERNS_MAX];
	uid_t owner[PCF_JUDGE_USERNS_MAX];
	unsigned int n;	    /* 0: unknown, every non-root change is refused */
	uid_t overflow_uid; /* how an unmapped uid reads: never an owner */
	int err;	    /* why n is 0 */
};

/* What /proc/PID/status says, the fields the judge needs. */
struct pcf_proc_status {
	char state;    /* 'R', 'S', ..., 'Z' */
	uid_t uid[4];  /* real, effective, saved, file system */
	__u64 cap_eff; /* CapEff: in the process's own user namespace */
};

enum pcf_judge_verdict {
	PCF_JUDGE_ALLOW,
	PCF_JUDGE_NO_CAP,	/* no CAP_NET_ADMIN where it counts */
	PCF_JUDGE_OTHER_USERNS, /* privileged only in another user ns */
	PCF_JUDGE_UIDS,		/* uids are not all the sender's */
	PCF_JUDGE_DEAD,		/* zombie or gone */
	PCF_JUDGE_NO_SOCKET,	/* it does not hold the sending socket */
	PCF_JUDGE_UNKNOWN,	/* something could not be read */
};

/* Learn pcfd's user namespaces (from /proc/self/ns/net). Never fails:
 * without them j->n is 0 and j->err says why. */
void pcf_judge_init(struct pcf_judge *j);

/*
 * Pure: may a process whose /proc status is st, whose user namespace is
 * userns, change state for a sender whose credentials say uid?  The uid
 * 0 case is the caller's (it needs no process).  With userns NULL, what
 * the status alone decides (dead, other uids), else PCF_JUDGE_UNKNOWN.
 */
enum pcf_judge_verdict pcf_judge_decide(const struct pcf_judge *j, uid_t uid,
					const struct pcf_proc_status *st,
					const struct pcf_ns_id *userns);

/* Pure: the fields of /proc/PID/status text; -EINVAL if one is missing. */
int pcf_judge_parse_status(const char *text, struct pcf_proc_status *ret);

/*
 * Pure: one line of /proc/net/netlink.  1 and *ret_inode if it is the
 * socket of protocol proto bound at port, else 0.
 */
int pcf_judge_netlink_line(const char *line, int proto, __u32 port,
			   unsigned long *ret_inode);

/*
 * Judge the sender of a datagram that came from port with credentials
 * cred (NULL: none).  0 when it may change state; else -EPERM with a
 * sentence for the sender in why (what it lacks, or what pcfd could not
 * verify).
 *
 * For uid 0, nothing more.  Otherwise: a pidfd of cred->pid, then through
 * /proc/PID opened after it: status (not a zombie; real, effective and
 * saved uid all the sender's, so a setuid program started after the send
 * does not lend its privilege; CAP_NET_ADMIN), ns/user (pcfd's or an
 * ancestor, pcf_judge_decide), and that it holds the socket bound at
 * port; last, the pidfd must show the same process still running, so
 * every read was of it.  Anything unreadable refuses.
 *
 * What remains open, and why the kernel has no such gap: the kernel
 * judges the sending task itself, at the moment it sends (current), and
 * the opener of its socket (file_ns_capable on the socket file); a
 * receiver only learns a pid afterwards.  So pcfd cannot tell
 *  - a sender that, after sending, executes a file with capabilities
 *    (file capabilities keep the uids) and keeps the socket open across
 *    the exec: its request is judged with those capabilities;
 *  - a privileged process that shares its socket with a sender in
 *    another pid namespace whose number there is the privileged one's
 *    number here (the pid matches, the socket matches);
 *  - a sender that exits, whose pid and port id are both taken again by
 *    a CAP_NET_ADMIN process of the same uid before pcfd reads the
 *    request;
 *  - a thread whose credentials differ from its process's leader.
 * Each needs a privileged process's cooperation or a pid and port reuse
 * inside pcfd's queueing delay.  The other way round it is stricter than
 * the kernel: a non-root sender in another pid namespace, or one that
 * closes its socket before pcfd answers, is refused (root is not).
 */
int pcf_judge_admin(const struct pcf_judge *j, __u32 port,
		    const struct ucred *cred, char *why, size_t len);

/*
 * Judge the peer of a unix stream socket: pidfd from SO_PEERPIDFD (the
 * process that connected, named by the kernel: no pid to trust, no
 * socket to find), uid from SO_PEERCRED (its effective uid when it
 * connected, in pcfd's user namespace).  Judged now, as the netlink
 * path judges a datagram when it comes: the process must still run,
 * with real, effective and saved uid all uid (root too: one that
 * dropped to another uid since it connected speaks as that one), and
 * for a uid other than 0 with CAP_NET_ADMIN where it counts
 * (pcf_judge_decide).  Root in another pid namespace is taken, as the
 * netlink path takes it; any other peer there cannot be verified and is
 * refused.  pidfd < 0 (a kernel before 6.5): only uid 0.  0 or -EPERM
 * with the reason in why.
 *
 * What remains open is what pcf_judge_admin says, but for pid and port
 * reuse (the kernel names the process): a process that connects, then
 * executes a file with capabilities, or hands its connection to another
 * process while it goes on running, is judged as itself.
 */
int pcf_judge_admin_pidfd(const struct pcf_judge *j, int pidfd, uid_t uid,
			  char *why, size_t len);
/* The pid of a pidfd in pcfd's pid namespace: 0 outside it, -1 exited. */
int pcf_judge_pidfd_pid(int pidfd);

/* The inode of the NETLINK_USERSOCK socket bound at port here, or 0. */
unsigned long pcf_judge_port_inode(__u32 port);
/*
 * Does the process of procfd (an open /proc/PID) hold the socket with
 * inode?  1 yes, 0 no, -errno if its fd table cannot be read.
 */
int pcf_judge_holds_socket(int procfd, unsigned long inode);

#endif /* PCF_CTL_JUDGE_H */
