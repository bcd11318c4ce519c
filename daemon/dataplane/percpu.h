/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * percpu.h - reading a per-CPU counter map: one key summed over the CPUs.
 * Its own module so that the maps' owners (loader.c, ct_maps.c) need
 * nothing of each other to read their counters.
 */
#ifndef PCF_PERCPU_H
#define PCF_PERCPU_H

#include <linux/types.h>

#include "pcf_abi.h" /* struct pcf_counter */

/* Sum key of the per-CPU counter map fd over ncpus CPUs; -errno. */
int pcf_percpu_sum(int fd, __u32 key, int ncpus, struct pcf_counter *ret);

#endif /* PCF_PERCPU_H */
