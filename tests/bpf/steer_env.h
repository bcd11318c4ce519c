/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * steer_env.h - the fixture of the BPF tests: the real steering program
 * opened through the loader on a pin directory of its own
 * (/sys/fs/bpf/pcft-PID-NAME), frames run through it with
 * bpf_prog_test_run_opts, counters compared before and after, rules built
 * field by field.
 *
 * The pin directory is removed on every way out: the group teardown, exit()
 * and SIGTERM/SIGINT (run.sh's timeout).  A missing kernel feature or
 * privilege exits 77 (skip) with the reason as the last line.
 */
#ifndef PCF_TEST_STEER_ENV_H
#define PCF_TEST_STEER_ENV_H

#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <dirent.h>
#include <net/if.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <cmocka.h>

#include "loader.h"
#include "pcf_genl.h"
#include "table.h"
#include "pcf_return.skel.h"
#include "pcf_steer.skel.h"
#include "frame.h"

#define SKIP_EXIT 77

struct steer_env {
	struct pcf_dp *dp;
	char pin_dir[64];
	/* what pcf_dp_open pinned, for the signal-safe cleanup */
	char pins[32][128];
	int npins;
	__u32 lo; /* ifindex test_run gives frames: the loopback */
};

static struct steer_env env;

/* This machine lacks capability (tests/run.sh lists it as a skip). */
static inline void skip_lacking(const char *capability, const char *why,
				int err)
{
	printf("SKIP: lacks %s: %s%s%s\n", capability, why, err ? ": " : "",
	       err ? strerror(-err) : "");
	exit(SKIP_EXIT);
}

/* A broken environment: a failure, with its reason. */
static inline void env_broken(const char *why, int err)
{
	fprintf(stderr, "FAIL: %s%s%s\n", why, err ? ": " : "",
		err ? strerror(-err) : "");
	exit(1);
}

/* Async-signal-safe: unlink and rmdir only. */
static inline void env_remove_pins(void)
{
	int i;

	for (i = 0; i < env.npins; i++)
		unlink(env.pins[i]);
	if (env.pin_dir[0])
		rmdir(env.pin_dir);
}

static inline void env_on_signal(int sig)
{
	env_remove_pins();
	signal(sig, SIG_DFL);
	raise(sig);
}

static inline void env_remember_maps(struct bpf_object *obj)
{
	struct bpf_map *map;

	bpf_object__for_each_map(map, obj)
	{
		const char *path = bpf_map__pin_path(map);

		if (path && env.npins < 32)
			snprintf(env.pins[env.npins++], sizeof(env.pins[0]),
				 "%s", path);
	}
}

/* The maps of pcf_steer and pcf_return, both pinned by pcf_dp_open. */
static inline void env_remember_pins(void)
{
	env.npins = 0;
	env_remember_maps(env.dp->skel->obj);
	env_remember_maps(env.dp->ret_skel->obj);
}

static inline int env_open(void)
{
	int err = pcf_dp_open(env.pin_dir, &env.dp);

	if (!err)
		env_remember_pins();
	return err;
}

static inline void env_close(void)
{
	pcf_dp_close(env.dp);
	env.dp = NULL;
}

/* Remove whatever is left in our own pin directory, entry by entry. */
static inline void env_empty_pin_dir(void)
{
	struct dirent *de;
	char path[512];
	DIR *d;

	if (!env.pin_dir[0] || !(d = opendir(env.pin_dir)))
		return;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", env.pin_dir, de->d_name);
		unlink(path);
	}
	closedir(d);
	rmdir(env.pin_dir);
}

/* Unpin through the loader, then make sure nothing is left. */
static inline void env_destroy(void)
{
	if (env.dp) {
		int err = pcf_dp_unpin(env.dp);

		if (err)
			fprintf(stderr, "pcf_dp_unpin %s: %s\n", env.pin_dir,
				strerror(-err));
		env_close();
	}
	env_remove_pins();
	env_empty_pin_dir(); /* a failed open may have pinned maps */
	env.pin_dir[0] = '\0';
}

static inline void env_atexit(void)
{
	env_destroy();
}

/*
 * Open the data plane on /sys/fs/bpf/pcft-PID-NAME.  Exit 77 only when the
 * kernel cannot load BPF programs at all; anything else in the way (no
 * root, no bpffs) is a failure.
 */
static inline void env_init(const char *name)
{
	int err;

	if (geteuid() != 0)
		env_broken("BPF tests need root: run make check as root", 0);
	if (!pcf_is_bpffs("/sys/fs/bpf"))
		env_broken("no bpffs on /sys/fs/bpf (make deps mounts it)", 0);
	env.lo = if_nametoindex("lo");
	if (!env.lo)
		env_broken("no loopback device", -errno);

	snprintf(env.pin_dir, sizeof(env.pin_dir), "/sys/fs/bpf/pcft-%d-%s",
		 getpid(), name);
	atexit(env_atexit);
	signal(SIGTERM, env_on_signal);
	signal(SIGINT, env_on_signal);

	/* only a kernel without BPF skips; anything else fails */
	err = env_open();
	if (err == -ENOSYS || err == -EOPNOTSUPP) {
		env_remove_pins();
		skip_lacking("BPF program loading", "pcf_dp_open", err);
	}
	if (err) {
		fprintf(stderr, "pcf_dp_open %s: %s\n", env.pin_dir,
			strerror(-err));
		exit(1);
	}
}

/* --- per test: an empty table, default PASS, lo not registered ----- */

static inline int env_reset(void **state)
{
	__u32 key = 0;

	if (pcf_table_flush(pcf_dp_table(env.dp)) ||
	    pcf_dp_set_default(env.dp, PCF_VERDICT_PASS))
		return -1;
	bpf_map_delete_elem(pcf_dp_ifaces_fd(env.dp), &env.lo);
	bpf_map_delete_elem(pcf_dp_xskmap_fd(env.dp), &key);
	return 0;
}

/* --- running frames ------------------------------------------------ */

struct result {
	int ret;		  /* XDP_* */
	__u8 out[FRAME_MAX + 64]; /* metadata, then the frame */
	__u32 meta_len;
	__u32 len; /* of the frame after the metadata */
};

static inline const __u8 *result_frame(const struct result *r)
{
	return r->out + r->meta_len;
}

/*
 * Run len bytes through the XDP program prog_fd as received on lo queue 0,
 * with meta_len bytes of metadata in front (a multiple of 4, at most 32);
 * this also reaches frames shorter than the Ethernet header, which
 * test_run refuses as plain data.  Returns 0 or -errno of the syscall.
 */
static inline int run_prog_raw(int prog_fd, const void *data, __u32 len,
			       __u32 meta_len, struct result *res)
{
	__u8 in[FRAME_MAX + 64] = {};
	struct xdp_md ctx_in = {
		.data = meta_len,
		.data_end = meta_len + len,
		.ingress_ifindex = env.lo,
	};
	struct xdp_md ctx_out = {};
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = in,
		    .data_size_in = meta_len + len, .data_out = res->out,
		    .data_size_out = sizeof(res->out), .ctx_in = &ctx_in,
		    .ctx_size_in = sizeof(ctx_in), .ctx_out = &ctx_out,
		    .ctx_size_out = sizeof(ctx_out), .repeat = 1);

	if (len + meta_len > sizeof(in))
		return -E2BIG;
	memcpy(in + meta_len, data, len);
	if (bpf_prog_test_run_opts(prog_fd, &opts))
		return -errno;
	res->ret = opts.retval;
	res->meta_len = ctx_out.data - ctx_out.data_meta;
	res->len = ctx_out.data_end - ctx_out.data;
	assert_int_equal(opts.data_size_out, res->meta_len + res->len);
	return 0;
}

/* Run len bytes through pcf_steer (see run_prog_raw). */
static inline int run_raw(const void *data, __u32 len, __u32 meta_len,
			  struct result *res)
{
	return run_prog_raw(pcf_dp_steer_prog_fd(env.dp), data, len, meta_len,
			    res);
}

static inline void run_frame(const struct frame *f, struct result *res)
{
	assert_int_equal(run_raw(f->data, f->len, 0, res), 0);
}

/* --- counters ------------------------------------------------------ */

struct stats {
	struct pcf_counter c[PCF_STAT_MAX];
};

static inline void stats_read(struct stats *s)
{
	assert_int_equal(pcf_dp_read_stats(env.dp, s->c), 0);
}

static inline const char *stat_name(unsigned int slot)
{
	return slot < PCF_VERDICT_MAX ? pcf_genl_verdict_name(slot)
				      : pcf_reason_name(slot - PCF_VERDICT_MAX);
}

/*
 * Since before: verdict v counted npkts packets of bytes in total, each
 * reason in reasons (ended by PCF_REASON_NONE) counted npkts, nothing else
 * moved.
 */
static inline void assert_stats_moved(const struct stats *before,
				      enum pcf_verdict v,
				      const enum pcf_reason *reasons,
				      __u64 npkts, __u64 bytes)
{
	__u64 want[PCF_STAT_MAX] = {};
	struct stats now;
	unsigned int i;

	want[PCF_STAT_VERDICT(v)] = npkts;
	for (i = 0; reasons && reasons[i] != PCF_REASON_NONE; i++)
		want[PCF_STAT_REASON(reasons[i])] = npkts;
	stats_read(&now);
	for (i = 0; i < PCF_STAT_MAX; i++) {
		__u64 got = now.c[i].packets - before->c[i].packets;

		if (got != want[i])
			fail_msg("counter %s moved by %llu, expected %llu",
				 stat_name(i), (unsigned long long)got,
				 (unsigned long long)want[i]);
	}
	assert_int_equal(now.c[PCF_STAT_VERDICT(v)].bytes -
			     before->c[PCF_STAT_VERDICT(v)].bytes,
			 bytes);
}

/*
 * Run f and check its XDP action, its verdict counter and its reason
 * counter (PCF_REASON_NONE: none), and that nothing else was counted.
 */
static inline void expect(const struct frame *f, int xdp_ret,
			  enum pcf_verdict v, enum pcf_reason reason,
			  struct result *ret_res)
{
	enum pcf_reason reasons[] = { reason, PCF_REASON_NONE };
	struct result local, *res = ret_res ? ret_res : &local;
	struct stats before;

	stats_read(&before);
	run_frame(f, res);
	if (res->ret != xdp_ret)
		fail_msg("XDP action %d, expected %d", res->ret, xdp_ret);
	assert_stats_moved(&before, v, reasons, 1, f->len);
}

/* --- rules --------------------------------------------------------- */

static inline struct pcf_rule rule_new(enum pcf_verdict v, __u32 prio)
{
	struct pcf_rule r = {};

	r.action.verdict = v;
	r.prio = prio;
	return r;
}

static inline void rule_addr(__u8 *key, __u8 *mask, int family,
			     const char *addr, unsigned int plen)
{
	assert_int_equal(inet_pton(family == 4 ? AF_INET : AF_INET6, addr, key),
			 1);
	pcf_genl_prefix_mask(mask, family == 4 ? 4 : 16, plen);
}

/* Match src/plen and dst/plen; a NULL address is any. */
static inline void rule_addrs(struct pcf_rule *r, int family, const char *src,
			      unsigned int splen, const char *dst,
			      unsigned int dplen)
{
	r->key.family = family;
	r->mask.family = 0xff;
	if (src)
		rule_addr(r->key.src, r->mask.src, family, src, splen);
	if (dst)
		rule_addr(r->key.dst, r->mask.dst, family, dst, dplen);
}

static inline void rule_proto(struct pcf_rule *r, __u8 proto)
{
	r->key.proto = proto;
	r->mask.proto = 0xff;
}

/* Exact ports (host order); -1 is any. */
static inline void rule_ports(struct pcf_rule *r, int sport, int dport)
{
	if (sport >= 0) {
		r->key.sport = htons(sport);
		r->mask.sport = 0xffff;
	}
	if (dport >= 0) {
		r->key.dport = htons(dport);
		r->mask.dport = 0xffff;
	}
}

static inline __u32 rule_add(const struct pcf_rule *r)
{
	__u32 id = 0;
	int err = pcf_table_add(pcf_dp_table(env.dp), r, 0, &id);

	if (err)
		fail_msg("pcf_rule_add: %s", strerror(-err));
	assert_int_not_equal(id, 0);
	return id;
}

static inline struct pcf_counter rule_hits(__u32 id)
{
	struct pcf_counter c;
	struct pcf_rule r;

	assert_int_equal(pcf_table_get(pcf_dp_table(env.dp), id, &r, NULL), 0);
	assert_int_equal(pcf_dp_rule_counters(env.dp, r.ctr, &c, NULL), 0);
	return c;
}

static inline void assert_hits(__u32 id, __u64 packets)
{
	__u64 got = rule_hits(id).packets;

	if (got != packets)
		fail_msg("rule %u matched %llu packets, expected %llu", id,
			 (unsigned long long)got, (unsigned long long)packets);
}

/* --- frames used by several tests ---------------------------------- */

#define SRC4  "198.18.0.1"
#define DST4  "198.19.0.2"
#define SRC6  "2001:db8::1"
#define DST6  "2001:db8:1::2"
#define SPORT 1000
#define DPORT 2000

static inline struct frame_spec spec4(__u8 proto)
{
	return (struct frame_spec){ .family = 4,
				    .proto = proto,
				    .src = SRC4,
				    .dst = DST4,
				    .sport = SPORT,
				    .dport = DPORT };
}

static inline struct frame_spec spec6(__u8 proto)
{
	return (struct frame_spec){ .family = 6,
				    .proto = proto,
				    .src = SRC6,
				    .dst = DST6,
				    .sport = SPORT,
				    .dport = DPORT };
}

/* The exact 5-tuple rule for the frames of spec4/spec6. */
static inline struct pcf_rule rule_5tuple(int family, __u8 proto,
					  enum pcf_verdict v, __u32 prio)
{
	struct pcf_rule r = rule_new(v, prio);

	if (family == 4)
		rule_addrs(&r, 4, SRC4, 32, DST4, 32);
	else
		rule_addrs(&r, 6, SRC6, 128, DST6, 128);
	rule_proto(&r, proto);
	rule_ports(&r, SPORT, DPORT);
	return r;
}

#define setup_test(fn) cmocka_unit_test_setup(fn, env_reset)

static inline int env_teardown(void **state)
{
	env_destroy();
	return 0;
}

#endif /* PCF_TEST_STEER_ENV_H */
