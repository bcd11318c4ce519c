// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * gen - the benchmark's packet generator, run by bpf_prog_test_run_opts
 * with BPF_F_TEST_XDP_LIVE_FRAMES: every frame of the test run is
 * redirected into a veth, whose peer then receives it.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

const volatile __u32 target_ifindex; /* set before load */

SEC("xdp")
int bench_gen(struct xdp_md *ctx)
{
	return bpf_redirect(target_ifindex, 0);
}
