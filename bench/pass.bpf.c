// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * pass - an XDP program that passes everything to the kernel: on a veth
 * end it turns NAPI on, which XDP_TX'd frames from the peer need (GRO on
 * is enough for redirected frames, not for those): the kernel-NAT
 * reference of the new-connections benchmark puts it on the dut's end
 * that the echo answers through.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

SEC("xdp")
int bench_pass(struct xdp_md *ctx)
{
	return XDP_PASS;
}
