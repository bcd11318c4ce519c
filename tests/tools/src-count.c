// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * src-count - count, on a test's far end, the UDP packets to a port by
 * source address and TTL (tests/tools/src_count.bpf.c), dropping them.
 *
 *   src-count attach IFNAME PORT PIN   attach to IFNAME (native XDP), pin
 *                                      the counts at PIN; stays attached
 *   src-count read PIN                 "ADDR TTL PACKETS" lines
 *
 * Detach with `ip link set dev IFNAME xdp off`; remove PIN.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <linux/if_link.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "src_count.skel.h"

struct src_key {
	__u32 addr;
	__u32 ttl;
};

static int attach(const char *ifname, const char *port, const char *pin)
{
	int ifindex = if_nametoindex(ifname), err;
	struct src_count *skel;

	if (!ifindex) {
		fprintf(stderr, "src-count: no interface %s here\n", ifname);
		return 1;
	}
	skel = src_count__open();
	if (!skel)
		return 1;
	skel->rodata->dport = atoi(port);
	err = src_count__load(skel);
	if (!err)
		err = bpf_xdp_attach(ifindex,
				     bpf_program__fd(skel->progs.src_count),
				     XDP_FLAGS_DRV_MODE, NULL);
	if (!err)
		err = bpf_map__pin(skel->maps.src_counts, pin);
	if (err)
		fprintf(stderr, "src-count: attach to %s: %s\n", ifname,
			strerror(-err));
	src_count__destroy(skel);
	return err ? 1 : 0;
}

static int read_counts(const char *pin)
{
	struct src_key key, next, *prev = NULL;
	char addr[INET_ADDRSTRLEN];
	int fd = bpf_obj_get(pin);
	__u64 n;

	if (fd < 0) {
		fprintf(stderr, "src-count: %s: %s\n", pin, strerror(errno));
		return 1;
	}
	while (!bpf_map_get_next_key(fd, prev, &next)) {
		if (!bpf_map_lookup_elem(fd, &next, &n))
			printf(
			    "%s %u %llu\n",
			    inet_ntop(AF_INET, &next.addr, addr, sizeof(addr)),
			    next.ttl, (unsigned long long)n);
		key = next;
		prev = &key;
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 5 && !strcmp(argv[1], "attach"))
		return attach(argv[2], argv[3], argv[4]);
	if (argc == 3 && !strcmp(argv[1], "read"))
		return read_counts(argv[2]);
	fprintf(stderr, "usage: src-count attach IFNAME PORT PIN | read PIN\n");
	return 2;
}
