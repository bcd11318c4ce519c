/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * pcf_nlsock.h - the control channel's socket, the same at both ends: a
 * NETLINK_USERSOCK socket that receives its peers' kernel-verified
 * credentials, and one datagram received with who sent it.
 */
#ifndef PCF_NLSOCK_H
#define PCF_NLSOCK_H

#include <stdbool.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <linux/types.h>

/*
 * A NETLINK_USERSOCK socket with SO_PASSCRED, bound at port (0: one the
 * kernel picks).  The fd, or -errno.
 */
int pcf_nlsock_open(__u32 port);

/* Who sent a datagram. */
struct pcf_nlsock_from {
	__u32 port;	   /* its port id */
	bool has_cred;	   /* the kernel gave credentials */
	struct ucred cred; /* if has_cred */
	bool truncated;	   /* it was bigger than the buffer */
};

/* recvmsg() of one datagram into buf: its length, or -errno. */
ssize_t pcf_nlsock_recv(int fd, void *buf, size_t len, int flags,
			struct pcf_nlsock_from *from);

#endif /* PCF_NLSOCK_H */
