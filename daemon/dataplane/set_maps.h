/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * set_maps.h - the named sets' backend (table/sets.h) on pcf_steer's
 * pinned maps: the tries pcf_sets4, pcf_sets6 and the array pcf_set_info
 * (bpf/pcf_abi.h, "Named sets").
 */
#ifndef PCF_SET_MAPS_H
#define PCF_SET_MAPS_H

#include "sets.h"

struct pcf_set_maps {
	int v4_fd, v6_fd, info_fd;
};

const struct pcf_set_ops *pcf_set_maps_ops(void);

/* A restart: give s what the maps hold (sets, then every prefix). */
int pcf_set_maps_adopt(struct pcf_set_maps *m, struct pcf_sets *s);

#endif /* PCF_SET_MAPS_H */
