// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* pcf_nlsock.c - the control channel's socket (see pcf_nlsock.h). */
#include <errno.h>
#include <unistd.h>
#include <sys/time.h>
#include <linux/netlink.h>

#include "pcf_nlsock.h"

int pcf_nlsock_open(__u32 port)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_pid = port };
	int fd, one = 1, err;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_USERSOCK);
	if (fd < 0)
		return -errno;
	if (setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &one, sizeof(one)) ||
	    bind(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		err = -errno;
		close(fd);
		return err;
	}
	return fd;
}

static const struct ucred *find_cred(struct msghdr *msg)
{
	struct cmsghdr *cm;

	for (cm = CMSG_FIRSTHDR(msg); cm; cm = CMSG_NXTHDR(msg, cm))
		if (cm->cmsg_level == SOL_SOCKET &&
		    cm->cmsg_type == SCM_CREDENTIALS)
			return (const struct ucred *)CMSG_DATA(cm);
	return NULL;
}

ssize_t pcf_nlsock_recv(int fd, void *buf, size_t len, int flags,
			struct pcf_nlsock_from *from)
{
	char cbuf[CMSG_SPACE(sizeof(struct ucred))];
	struct sockaddr_nl sa = {};
	struct iovec iov = { buf, len };
	struct msghdr msg = { .msg_name = &sa,
			      .msg_namelen = sizeof(sa),
			      .msg_iov = &iov,
			      .msg_iovlen = 1,
			      .msg_control = cbuf,
			      .msg_controllen = sizeof(cbuf) };
	const struct ucred *cred;
	ssize_t n;

	n = recvmsg(fd, &msg, flags);
	if (n < 0)
		return -errno;
	cred = find_cred(&msg);
	from->port = sa.nl_pid;
	from->has_cred = cred != NULL;
	if (cred)
		from->cred = *cred;
	from->truncated = msg.msg_flags & MSG_TRUNC;
	return n;
}
