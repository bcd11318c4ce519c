// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * test_journal - the records of daemon/service/journal.c: every PCF_* field with
 * its value, one per reason named after pcf_reason_name/pcf_wdrop_name; a
 * MESSAGE a person can read (a worker's sockets, an interface's drops);
 * the stderr lines used when not under journald; and how JOURNAL_STREAM
 * is matched against a real file.
 * (tests/e2e/svc_journal.sh sends to a real journald.)
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/stat.h>
#include <cmocka.h>
#include <linux/if_xdp.h>

#include "journal.h"
#include "loader.h"

static struct pcf_journal_record rec;

static void expect_field(const char *name, const char *value)
{
	const char *got = pcf_journal_field(&rec, name);

	if (!got)
		fail_msg("no field %s", name);
	if (strcmp(got, value))
		fail_msg("%s=%s, want %s", name, got, value);
}

static void test_xdp_record(void **state)
{
	struct pcf_journal_counters c = {
		.scope = PCF_JOURNAL_XDP,
		.iface = "veth0 veth1",
		.rx_packets = 1000,
		.pass_packets = 700,
		.redirect_packets = 250,
		.drop_packets = 50,
	};

	c.reasons[PCF_REASON_MISS] = 40;
	c.reasons[PCF_REASON_TTL_EXPIRED] = 10;
	c.reasons[PCF_REASON_META_FAILED] = 3;
	pcf_journal_counters_record(&c, &rec);
	/* the message first: sd_journal_sendv wants no order, people do */
	assert_int_equal(strncmp(rec.fields[0], "MESSAGE=", 8), 0);
	expect_field(
	    "MESSAGE",
	    "xdp on veth0 veth1: 1000 packets: 700 pass, 250 redirect, 50 drop (miss 40, ttl_expired 10, meta_failed 3)");
	expect_field("MESSAGE_ID", PCF_MESSAGE_ID_COUNTERS);
	expect_field("PRIORITY", "6");
	expect_field("SYSLOG_IDENTIFIER", "pcfd");
	expect_field("PCF_EVENT", "counters");
	expect_field("PCF_SCOPE", "xdp");
	expect_field("PCF_IFACE", "veth0 veth1");
	expect_field("PCF_RX_PACKETS", "1000");
	expect_field("PCF_PASS_PACKETS", "700");
	expect_field("PCF_REDIRECT_PACKETS", "250");
	expect_field("PCF_DROP_PACKETS", "50");
	expect_field("PCF_REASON_MISS_PACKETS", "40");
	expect_field("PCF_REASON_TTL_EXPIRED_PACKETS", "10");
	expect_field("PCF_REASON_META_FAILED_PACKETS", "3");
	expect_field("PCF_REASON_MALFORMED_PACKETS", "0");
	/* a worker's fields do not belong here */
	assert_null(pcf_journal_field(&rec, "PCF_QUEUE"));
	assert_null(pcf_journal_field(&rec, "PCF_TX_PACKETS"));
	assert_null(pcf_journal_field(&rec, "PCF_REASON_NONE_PACKETS"));
}

/* Every reason has its field, named after the loader's name for it. */
static void test_every_reason_has_a_field(void **state)
{
	struct pcf_journal_counters c = { .scope = PCF_JOURNAL_XDP };
	char name[96], value[32], upper[64];
	unsigned int r, i;

	for (r = 1; r < PCF_REASON_MAX; r++)
		c.reasons[r] = 100 + r;
	pcf_journal_counters_record(&c, &rec);
	for (r = 1; r < PCF_REASON_MAX; r++) {
		snprintf(upper, sizeof(upper), "%s", pcf_reason_name(r));
		for (i = 0; upper[i]; i++)
			upper[i] = upper[i] >= 'a' && upper[i] <= 'z'
				       ? upper[i] - 'a' + 'A'
				       : upper[i];
		snprintf(name, sizeof(name), "PCF_REASON_%s_PACKETS", upper);
		snprintf(value, sizeof(value), "%u", 100 + r);
		expect_field(name, value);
	}
}

static void test_worker_record(void **state)
{
	struct pcf_journal_counters c = {
		.scope = PCF_JOURNAL_WORKER,
		.iface = "eth1",
		.queue = 3,
		.rx_packets = 18446744073709551615ULL,
		.tx_packets = 12,
		.drop_packets = 2,
	};
	unsigned int r, fields = 0;

	c.drops[PCF_WDROP_TX_FULL] = 2;
	pcf_journal_counters_record(&c, &rec);
	expect_field(
	    "MESSAGE",
	    "worker eth1 queue 3: 18446744073709551615 rx, 12 tx, 2 drop (tx_full 2)");
	expect_field("PCF_SCOPE", "worker");
	expect_field("PCF_IFACE", "eth1");
	expect_field("PCF_QUEUE", "3");
	expect_field("PCF_RX_PACKETS", "18446744073709551615");
	expect_field("PCF_TX_PACKETS", "12");
	expect_field("PCF_DROP_PACKETS", "2");
	expect_field("PCF_DROP_TX_FULL_PACKETS", "2");
	expect_field("PCF_DROP_EGRESS_NOT_OURS_PACKETS", "0");
	assert_null(pcf_journal_field(&rec, "PCF_REDIRECT_PACKETS"));
	for (r = 0; r < (unsigned int)rec.n; r++)
		fields += !strncmp(rec.fields[r], "PCF_DROP_", 9) &&
			  strcmp(rec.fields[r], "PCF_DROP_PACKETS=2");
	assert_int_equal(fields, PCF_WDROP_MAX - 1);
}

/* A worker's sockets: every counter a field, the losses in the message. */
static void test_worker_sockets(void **state)
{
	struct xdp_statistics sock = { .rx_ring_full = 7,
				       .rx_fill_ring_empty_descs = 3,
				       .tx_ring_empty_descs = 99 },
			      ret = { .rx_dropped = 1 };
	struct pcf_journal_counters c = {
		.scope = PCF_JOURNAL_WORKER,
		.iface = "eth1",
		.queue = 0,
		.rx_packets = 10,
		.tx_packets = 10,
		.sock = &sock,
		.ret_sock = &ret,
		.csum_sampled = 4,
		.csum_bad = 3,
	};

	pcf_journal_counters_record(&c, &rec);
	expect_field(
	    "MESSAGE",
	    "worker eth1 queue 0: 10 rx, 10 tx, 0 drop (socket drops: rx_ring_full 7) (return socket drops: rx_dropped 1)");
	expect_field("PCF_SOCKET_RX_RING_FULL", "7");
	expect_field("PCF_SOCKET_RX_DROPPED", "0");
	expect_field("PCF_SOCKET_RX_FILL_RING_EMPTY_DESCS", "3");
	expect_field("PCF_SOCKET_TX_RING_EMPTY_DESCS", "99");
	expect_field("PCF_SOCKET_RX_INVALID_DESCS", "0");
	expect_field("PCF_SOCKET_TX_INVALID_DESCS", "0");
	expect_field("PCF_RETURN_SOCKET_RX_DROPPED", "1");
	expect_field("PCF_L4_CSUM_SAMPLED", "4");
	expect_field("PCF_BAD_L4_CSUM", "3");
	/* no return socket: no such fields */
	c.ret_sock = NULL;
	pcf_journal_counters_record(&c, &rec);
	assert_null(pcf_journal_field(&rec, "PCF_RETURN_SOCKET_RX_DROPPED"));
}

static void test_link_record(void **state)
{
	struct pcf_journal_counters c = {
		.scope = PCF_JOURNAL_LINK,
		.iface = "pcfr0",
		.mtu = 1770,
		.rx_packets = 2,
		.tx_packets = 500,
		.tx_dropped = 12,
	};

	pcf_journal_counters_record(&c, &rec);
	expect_field(
	    "MESSAGE",
	    "link pcfr0 (mtu 1770): 2 rx, 0 dropped; 500 tx, 12 dropped");
	expect_field("PCF_SCOPE", "link");
	expect_field("PCF_IFACE", "pcfr0");
	expect_field("PCF_MTU", "1770");
	expect_field("PCF_RX_PACKETS", "2");
	expect_field("PCF_RX_DROPPED", "0");
	expect_field("PCF_TX_PACKETS", "500");
	expect_field("PCF_TX_DROPPED", "12");
	assert_null(pcf_journal_field(&rec, "PCF_QUEUE"));
}

/* Not under journald: the MESSAGE, one line per record, on the stream. */
static void test_stderr_lines(void **state)
{
	struct pcf_journal_counters c = {
		.scope = PCF_JOURNAL_WORKER,
		.iface = "veth9",
		.queue = 0,
		.rx_packets = 5,
		.tx_packets = 5,
	};
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	assert_non_null(f);
	pcf_journal_init(PCF_JOURNAL_STDERR, f);
	assert_int_equal(pcf_journal_dest(), PCF_JOURNAL_STDERR);
	assert_int_equal(pcf_journal_counters(&c), 0);
	assert_int_equal(pcf_journal_event(6, "attached", "veth9",
					   "attached to %s (%s mode)", "veth9",
					   "native"),
			 0);
	fclose(f);
	assert_string_equal(text,
			    "pcfd: worker veth9 queue 0: 5 rx, 5 tx, 0 drop\n"
			    "pcfd: attached to veth9 (native mode)\n");
	free(text);
	pcf_journal_init(PCF_JOURNAL_STDERR, NULL);
}

static void test_stream_detection(void **state)
{
	char path[] = "/tmp/pcf-test-journal.XXXXXX", env[64];
	int fd = mkstemp(path), other = open("/dev/null", O_RDONLY);
	struct stat st;
	int saved;

	assert_true(fd >= 0 && other >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	snprintf(env, sizeof(env), "%llu:%llu", (unsigned long long)st.st_dev,
		 (unsigned long long)st.st_ino);
	setenv("JOURNAL_STREAM", env, 1);
	assert_true(pcf_journal_stream_is(fd));
	assert_false(pcf_journal_stream_is(other));
	/* AUTO on a stderr that is not the stream: stderr */
	pcf_journal_init(PCF_JOURNAL_AUTO, NULL);
	assert_int_equal(pcf_journal_dest(), PCF_JOURNAL_STDERR);

	snprintf(env, sizeof(env), "%llu:%llu", (unsigned long long)st.st_dev,
		 (unsigned long long)st.st_ino + 1);
	setenv("JOURNAL_STREAM", env, 1);
	assert_false(pcf_journal_stream_is(fd));
	setenv("JOURNAL_STREAM", "garbage", 1);
	assert_false(pcf_journal_stream_is(fd));
	snprintf(env, sizeof(env), "%llu:%llux", (unsigned long long)st.st_dev,
		 (unsigned long long)st.st_ino);
	setenv("JOURNAL_STREAM", env, 1);
	assert_false(pcf_journal_stream_is(fd));
	unsetenv("JOURNAL_STREAM");
	assert_false(pcf_journal_stream_is(fd));

	/* AUTO with stderr being the stream: the journal */
	snprintf(env, sizeof(env), "%llu:%llu", (unsigned long long)st.st_dev,
		 (unsigned long long)st.st_ino);
	setenv("JOURNAL_STREAM", env, 1);
	saved = dup(STDERR_FILENO);
	dup2(fd, STDERR_FILENO);
	pcf_journal_init(PCF_JOURNAL_AUTO, NULL);
	dup2(saved, STDERR_FILENO);
	close(saved);
	assert_int_equal(pcf_journal_dest(), PCF_JOURNAL_JOURNALD);
	pcf_journal_init(PCF_JOURNAL_STDERR, NULL);
	unsetenv("JOURNAL_STREAM");
	close(fd);
	close(other);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_xdp_record),
		cmocka_unit_test(test_every_reason_has_a_field),
		cmocka_unit_test(test_worker_record),
		cmocka_unit_test(test_worker_sockets),
		cmocka_unit_test(test_link_record),
		cmocka_unit_test(test_stderr_lines),
		cmocka_unit_test(test_stream_detection),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
