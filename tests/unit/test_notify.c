// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * test_notify - daemon/service/notify.c against a real NOTIFY_SOCKET: this test
 * binds the AF_UNIX datagram socket systemd would, points NOTIFY_SOCKET at
 * it and checks what arrives.  And the watchdog gates: a worker whose
 * heartbeat stops withholds WATCHDOG=1, and so does a main loop that
 * stands still or does not serve.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <cmocka.h>

#include "notify.h"

struct receiver {
	int fd;
	char dir[64];
	char path[96];
};

static int setup_receiver(void **state)
{
	struct receiver *r = calloc(1, sizeof(*r));
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct timeval tv = { .tv_sec = 5 };

	if (!r)
		return -1;
	snprintf(r->dir, sizeof(r->dir), "/tmp/pcf-test-notify.XXXXXX");
	if (!mkdtemp(r->dir))
		return -1;
	snprintf(r->path, sizeof(r->path), "%s/notify", r->dir);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", r->path);
	r->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (r->fd < 0 || bind(r->fd, (struct sockaddr *)&sa, sizeof(sa)))
		return -1;
	/* a lost message fails the test instead of hanging it */
	setsockopt(r->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setenv("NOTIFY_SOCKET", r->path, 1);
	*state = r;
	return 0;
}

static int teardown_receiver(void **state)
{
	struct receiver *r = *state;

	unsetenv("NOTIFY_SOCKET");
	close(r->fd);
	unlink(r->path);
	rmdir(r->dir);
	free(r);
	return 0;
}

/* The next datagram, as a string. */
static const char *next_msg(struct receiver *r)
{
	static char buf[4096];
	ssize_t n = recv(r->fd, buf, sizeof(buf) - 1, 0);

	if (n < 0)
		fail_msg("nothing arrived on NOTIFY_SOCKET: %s",
			 strerror(errno));
	buf[n] = '\0';
	return buf;
}

static void test_ready_status(void **state)
{
	struct receiver *r = *state;

	assert_true(pcf_notify_ready(NULL) > 0);
	assert_string_equal(next_msg(r), "READY=1");
	assert_true(pcf_notify_ready("2 interfaces\nattached") > 0);
	assert_string_equal(next_msg(r),
			    "READY=1\nSTATUS=2 interfaces attached");
	assert_true(pcf_notify_status("%d rules, %u pkt/s", 12, 3400u) > 0);
	assert_string_equal(next_msg(r), "STATUS=12 rules, 3400 pkt/s");
}

static void test_status_is_one_line(void **state)
{
	struct receiver *r = *state;
	char long_text[1000];
	const char *m;

	memset(long_text, 'x', sizeof(long_text) - 1);
	long_text[sizeof(long_text) - 1] = '\0';
	long_text[10] = '\n';
	assert_true(pcf_notify_status("%s", long_text) > 0);
	m = next_msg(r);
	assert_int_equal(strncmp(m, "STATUS=", 7), 0);
	assert_null(strchr(m, '\n'));
	assert_true(strlen(m) < 300);
}

static void test_watchdog_reloading_stopping(void **state)
{
	struct receiver *r = *state;
	unsigned long long usec;
	char *end;
	const char *m;

	assert_true(pcf_notify_watchdog() > 0);
	assert_string_equal(next_msg(r), "WATCHDOG=1");
	assert_true(pcf_notify_reloading() > 0);
	m = next_msg(r);
	assert_int_equal(strncmp(m, "RELOADING=1\nMONOTONIC_USEC=", 27), 0);
	usec = strtoull(m + 27, &end, 10);
	assert_true(usec > 0);
	assert_string_equal(end, "");
	assert_true(pcf_notify_stopping() > 0);
	assert_string_equal(next_msg(r), "STOPPING=1");
}

static void test_no_manager(void **state)
{
	unsetenv("NOTIFY_SOCKET");
	/* not under systemd: nothing sent, no error */
	assert_int_equal(pcf_notify_ready("x"), 0);
	assert_int_equal(pcf_notify_watchdog(), 0);
}

static void test_watchdog_period(void **state)
{
	char pid[32];
	__u64 usec = 1;

	unsetenv("WATCHDOG_USEC");
	unsetenv("WATCHDOG_PID");
	assert_int_equal(pcf_watchdog_period(&usec), 0);
	assert_int_equal(usec, 0);

	setenv("WATCHDOG_USEC", "3000000", 1);
	snprintf(pid, sizeof(pid), "%d", getpid());
	setenv("WATCHDOG_PID", pid, 1);
	assert_int_equal(pcf_watchdog_period(&usec), 0);
	assert_int_equal(usec, 1500000);

	/* meant for another process (our parent): not ours to ping */
	snprintf(pid, sizeof(pid), "%d", getppid());
	setenv("WATCHDOG_PID", pid, 1);
	assert_int_equal(pcf_watchdog_period(&usec), 0);
	assert_int_equal(usec, 0);
	unsetenv("WATCHDOG_USEC");
	unsetenv("WATCHDOG_PID");
}

static void test_gate_all_move(void **state)
{
	static struct pcf_watchdog_gate g;
	__u64 beats[3] = { 10, 20, 30 };
	int i;

	/* the first look only takes a reference */
	assert_true(pcf_watchdog_gate_check(&g, beats, 3, NULL));
	for (i = 0; i < 5; i++) {
		beats[0] += 1, beats[1] += 1000, beats[2] += 7;
		assert_true(pcf_watchdog_gate_check(&g, beats, 3, NULL));
	}
}

static void test_gate_stuck_worker(void **state)
{
	static struct pcf_watchdog_gate g;
	__u64 beats[3] = { 1, 1, 1 };
	unsigned int stuck = 99;
	int i;

	assert_true(pcf_watchdog_gate_check(&g, beats, 3, &stuck));
	beats[0]++, beats[2]++; /* worker 1 stopped */
	assert_false(pcf_watchdog_gate_check(&g, beats, 3, &stuck));
	assert_int_equal(stuck, 1);
	/* the others keep going: still no ping while worker 1 is stuck */
	for (i = 0; i < 5; i++) {
		beats[0] += 5, beats[2] += 5;
		assert_false(pcf_watchdog_gate_check(&g, beats, 3, &stuck));
		assert_int_equal(stuck, 1);
	}
	/* it moves again: pings resume */
	beats[1]++;
	assert_true(pcf_watchdog_gate_check(&g, beats, 3, &stuck));
	/* and now the last one stops */
	beats[0]++, beats[1]++;
	assert_false(pcf_watchdog_gate_check(&g, beats, 3, &stuck));
	assert_int_equal(stuck, 2);
}

static void test_gate_reference_is_last_ping(void **state)
{
	static struct pcf_watchdog_gate g;
	__u64 beats[2] = { 0, 0 };

	assert_true(pcf_watchdog_gate_check(&g, beats, 2, NULL));
	beats[0]++; /* worker 1 has not moved yet */
	assert_false(pcf_watchdog_gate_check(&g, beats, 2, NULL));
	/*
	 * now it has; worker 0 moved since the last ping, if not since the
	 * last check: both alive
	 */
	beats[1]++;
	assert_true(pcf_watchdog_gate_check(&g, beats, 2, NULL));
}

static void test_gate_workers_change(void **state)
{
	static struct pcf_watchdog_gate g;
	__u64 beats[4] = { 5, 5, 5, 5 };

	assert_true(pcf_watchdog_gate_check(&g, beats, 2, NULL));
	assert_false(pcf_watchdog_gate_check(&g, beats, 2, NULL));
	/* restarted with 4 workers: a new reference */
	assert_true(pcf_watchdog_gate_check(&g, beats, 4, NULL));
	assert_false(pcf_watchdog_gate_check(&g, beats, 4, NULL));
	/* no worker at all: the main loop's own ping */
	assert_true(pcf_watchdog_gate_check(&g, beats, 0, NULL));
	assert_true(pcf_watchdog_gate_check(&g, beats, 0, NULL));
}

/* The main loop's own part of the ping. */
static void test_loop_gate(void **state)
{
	struct pcf_loop_gate g = {};
	struct pcf_loop_sample s = { .expirations = 1,
				     .longest_turn_ns = 2000000 };
	const char *why = NULL;

	assert_true(pcf_loop_gate_check(&g, &s, &why));
	assert_null(why);
	/* a whole period late: the loop stood still */
	s.expirations = 3;
	assert_false(pcf_loop_gate_check(&g, &s, &why));
	assert_non_null(strstr(why, "late"));
	/* one handler that ran a second: everyone waited that long */
	s.expirations = 1;
	s.longest_turn_ns = PCF_LOOP_TURN_MAX_NS;
	assert_false(pcf_loop_gate_check(&g, &s, &why));
	assert_non_null(strstr(why, "turn"));
	s.longest_turn_ns = PCF_LOOP_TURN_MAX_NS - 1;
	assert_true(pcf_loop_gate_check(&g, &s, NULL));
}

static void test_loop_gate_ctl(void **state)
{
	struct pcf_loop_gate g = {};
	struct pcf_loop_sample s = { .expirations = 1, .ctl_served = 5 };
	const char *why = NULL;

	/* requests waiting at one tick only: they came just before it */
	s.ctl_waiting = true;
	assert_true(pcf_loop_gate_check(&g, &s, NULL));
	/* still waiting at the next, but some were served: a busy loop */
	s.ctl_served = 9;
	assert_true(pcf_loop_gate_check(&g, &s, NULL));
	/* waiting at two ticks and none served between: not serving */
	assert_false(pcf_loop_gate_check(&g, &s, &why));
	assert_non_null(strstr(why, "none is served"));
	/* served again */
	s.ctl_served = 10;
	assert_true(pcf_loop_gate_check(&g, &s, NULL));
	/* idle: nothing waits, nothing served, all is well */
	s.ctl_waiting = false;
	assert_true(pcf_loop_gate_check(&g, &s, NULL));
	assert_true(pcf_loop_gate_check(&g, &s, NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    test_ready_status, setup_receiver, teardown_receiver),
		cmocka_unit_test_setup_teardown(
		    test_status_is_one_line, setup_receiver, teardown_receiver),
		cmocka_unit_test_setup_teardown(
		    test_watchdog_reloading_stopping, setup_receiver,
		    teardown_receiver),
		cmocka_unit_test(test_no_manager),
		cmocka_unit_test(test_watchdog_period),
		cmocka_unit_test(test_gate_all_move),
		cmocka_unit_test(test_gate_stuck_worker),
		cmocka_unit_test(test_gate_reference_is_last_ping),
		cmocka_unit_test(test_gate_workers_change),
		cmocka_unit_test(test_loop_gate),
		cmocka_unit_test(test_loop_gate_ctl),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
