// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * percpu.c - one key of a per-CPU counter map, summed (percpu.h).
 */
#include <errno.h>
#include <bpf/bpf.h>

#include "percpu.h"

int pcf_percpu_sum(int fd, __u32 key, int ncpus, struct pcf_counter *ret)
{
	struct pcf_counter vals[ncpus];
	int i;

	if (bpf_map_lookup_elem(fd, &key, vals))
		return -errno;
	ret->packets = ret->bytes = 0;
	for (i = 0; i < ncpus; i++) {
		ret->packets += vals[i].packets;
		ret->bytes += vals[i].bytes;
	}
	return 0;
}
