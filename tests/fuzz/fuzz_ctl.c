// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * fuzz_ctl: libFuzzer on pcfd's control message handler, pcf_ctl_handle(),
 * over the rule table.  The table writes to memory (table/mem.h: no root,
 * no bpffs), or, with $PCF_FUZZ_PIN_DIR set, to a real data plane pinned
 * there (removed at exit), so accepted rules really reach the maps.
 *
 * Input: byte 0 chooses the form.  Odd: the rest is a raw datagram.  Even:
 * the rest is byte 1 = command, then attributes, wrapped in a correct
 * nlmsghdr + genlmsghdr, so the fuzzer spends its time on the attributes
 * rather than on finding the family's type.  Bit 1 of byte 0 makes the
 * sender unprivileged.  Every reply must be a well-formed netlink message.
 *
 * Build and run: make fuzz; tests/e2e/ctl_fuzz.sh runs it for a while.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "pcf_genl.h"
#include "ctl.h"
#include "loader.h"
#include "log.h"
#include "mem.h"
#include "table.h"

static struct pcf_dp *dp;
static struct pcf_mem *mem;
static struct pcf_table *mem_table;
static struct pcf_ctl *ctl;

/* Replies go nowhere, but each must hold together. */
static int sink(void *ctx, const void *buf, size_t len, __u32 port,
		__u32 groups)
{
	const struct nlmsghdr *nlh = buf;
	int rem = (int)len;

	if (len > PCF_GENL_MSG_MAX)
		abort();
	while (mnl_nlmsg_ok(nlh, rem))
		nlh = mnl_nlmsg_next(nlh, &rem);
	if (rem != 0)
		abort(); /* bytes that are not a whole message */
	return 0;
}

static void teardown(void)
{
	if (dp)
		pcf_dp_unpin(dp);
	pcf_ctl_close(ctl);
	pcf_dp_close(dp);
	pcf_table_free(mem_table);
	pcf_mem_free(mem);
}

static int open_mem_table(void)
{
	struct pcf_table_backend be;
	int err = pcf_mem_new(&mem);

	if (err)
		return err;
	pcf_mem_backend(mem, &be);
	err = pcf_table_new(&be, &mem_table);
	return err ? err : pcf_table_load(mem_table);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *pin = getenv("PCF_FUZZ_PIN_DIR");
	int err;

	pcf_log_init(PCF_LOG_WARN, false);
	atexit(teardown);
	err = pin ? pcf_dp_open(pin, &dp) : open_mem_table();
	if (err) {
		fprintf(stderr, "fuzz_ctl: cannot open the %s: %s\n",
			pin ? "data plane" : "rule table", strerror(-err));
		exit(1);
	}
	if (pcf_ctl_new(dp ? pcf_dp_table(dp) : mem_table, dp, sink, NULL,
			&ctl))
		exit(1);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char buf[PCF_GENL_MSG_MAX * 2];
	struct ucred root = { .pid = getpid(), .uid = 0, .gid = 0 };
	struct ucred nobody = { .pid = 0,
				.uid = 65534,
				.gid = 65534 }; /* no /proc/0: no caps */
	struct nlmsghdr *nlh;
	__u8 mode;

	if (size < 2 || size > PCF_GENL_MSG_MAX)
		return 0;
	mode = data[0];
	if (mode & 1) {
		memcpy(buf, data + 1, size - 1);
		pcf_ctl_handle(ctl, buf, size - 1, 4242,
			       mode & 2 ? &nobody : &root);
		return 0;
	}
	nlh = pcf_msg_start(
	    buf, data[1] % (PCF_CMD_MAX + 2),
	    NLM_F_REQUEST | NLM_F_ACK | (mode & 4 ? NLM_F_DUMP : 0) |
		(mode & 8 ? NLM_F_REPLACE : 0) | (mode & 16 ? NLM_F_ECHO : 0),
	    1);
	memcpy(mnl_nlmsg_get_payload_tail(nlh), data + 2, size - 2);
	nlh->nlmsg_len += size - 2;
	pcf_ctl_handle(ctl, buf, nlh->nlmsg_len, 4242,
		       mode & 2 ? &nobody : &root);
	return 0;
}
