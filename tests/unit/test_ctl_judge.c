// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * test_ctl_judge - the pure parts of pcfd's privilege judge
 * (daemon/control/ctl_judge.c): /proc parsing, and pcf_judge_decide against a
 * model of the kernel's cap_capable() on random trees of user namespaces;
 * the peer of a unix socket named by a pidfd (this process and a child).
 * The judge on real processes is tests/e2e/ctl_access.sh and http_access.sh.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/pidfd.h>
#include <sys/wait.h>
#include <linux/capability.h>
#include <linux/netlink.h>
#include <cmocka.h>

#include "ctl_judge.h"

#define NET_ADMIN (1ULL << CAP_NET_ADMIN)

static const char status_text[] = "Name:\tpcfctl\n"
				  "Umask:\t0022\n"
				  "State:\tS (sleeping)\n"
				  "Tgid:\t4242\n"
				  "Uid:\t65534\t65534\t65534\t65534\n"
				  "Gid:\t65534\t65534\t65534\t65534\n"
				  "CapInh:\t0000000000001000\n"
				  "CapPrm:\t0000000000001000\n"
				  "CapEff:\t0000000000001000\n"
				  "CapBnd:\t000001ffffffffff\n"
				  "CapAmb:\t0000000000001000\n";

static void test_parse_status(void **state)
{
	struct pcf_proc_status st;

	assert_int_equal(pcf_judge_parse_status(status_text, &st), 0);
	assert_int_equal(st.state, 'S');
	assert_int_equal(st.uid[0], 65534);
	assert_int_equal(st.uid[3], 65534);
	assert_true(st.cap_eff == NET_ADMIN);
}

static void test_parse_status_refuses_partial(void **state)
{
	struct pcf_proc_status st = { .state = '?' };
	char text[sizeof(status_text)];

	/* each field missing in turn; the output is left alone */
	static const char *const keys[] = { "State:", "Uid:", "CapEff:" };
	for (size_t i = 0; i < 3; i++) {
		memcpy(text, status_text, sizeof(text));
		memcpy(strstr(text, keys[i]), "Xx", 2);
		assert_int_equal(pcf_judge_parse_status(text, &st), -EINVAL);
		assert_int_equal(st.state, '?');
	}
	/* a key inside another line does not count */
	assert_int_equal(pcf_judge_parse_status("Name:\tUid: 0 0 0 0\n"
						"State:\tR\nCapEff:\t0\n",
						&st),
			 -EINVAL);
	/* three uids are not four */
	assert_int_equal(pcf_judge_parse_status("State:\tR\nUid:\t1\t1\t1\n"
						"CapEff:\t0\n",
						&st),
			 -EINVAL);
}

static void test_netlink_line(void **state)
{
	const char *line = "00000000b0e2c5a4 2   1885562368 00000001 0        "
			   "0        0     2        0        913731\n";
	unsigned long ino = 0;

	assert_int_equal(
	    pcf_judge_netlink_line(line, NETLINK_USERSOCK, 1885562368U, &ino),
	    1);
	assert_int_equal(ino, 913731);
	ino = 7;
	assert_int_equal(
	    pcf_judge_netlink_line(line, NETLINK_ROUTE, 1885562368U, &ino), 0);
	assert_int_equal(
	    pcf_judge_netlink_line(line, NETLINK_USERSOCK, 1, &ino), 0);
	assert_int_equal(
	    pcf_judge_netlink_line("sk Eth Pid Groups Rmem Wmem Dump Locks "
				   "Drops Inode\n",
				   NETLINK_USERSOCK, 0, &ino),
	    0);
	assert_int_equal(ino, 7);
}

/* ---- pcf_judge_decide against the kernel's cap_capable() ---- */

#define TREE_MAX 12

/* A tree of user namespaces: node 0 is the initial one. */
struct tree {
	int parent[TREE_MAX]; /* -1 for node 0 */
	int level[TREE_MAX];
	uid_t owner[TREE_MAX];
	int n;
};

static void random_tree(struct tree *t, unsigned int *seed)
{
	int i;

	t->n = 1 + rand_r(seed) % TREE_MAX;
	t->parent[0] = -1;
	t->level[0] = 0;
	t->owner[0] = 0;
	for (i = 1; i < t->n; i++) {
		t->parent[i] = rand_r(seed) % i;
		t->level[i] = t->level[t->parent[i]] + 1;
		t->owner[i] = rand_r(seed) % 3 * 1000; /* 0, 1000, 2000 */
	}
}

/* security/commoncap.c cap_capable(), on the tree: may cred act in ns? */
static bool model_capable(const struct tree *t, int ns, int cred_ns, uid_t euid,
			  bool net_admin)
{
	for (;;) {
		if (ns == cred_ns)
			return net_admin;
		if (t->level[ns] <= t->level[cred_ns])
			return false;
		if (t->parent[ns] == cred_ns && t->owner[ns] == euid)
			return true;
		ns = t->parent[ns];
	}
}

static struct pcf_ns_id node_id(int i)
{
	return (struct pcf_ns_id){ .dev = 4, .ino = 4026531837ULL + i };
}

/* What pcfd learns when the owner of its netns is node netns_owner. */
static void judge_of(const struct tree *t, int netns_owner, struct pcf_judge *j)
{
	int ns;

	*j = (struct pcf_judge){ .overflow_uid = 65534 };
	for (ns = netns_owner; ns >= 0; ns = t->parent[ns]) {
		j->ns[j->n] = node_id(ns);
		j->owner[j->n++] = t->owner[ns];
	}
}

static void test_decide_is_cap_capable(void **state)
{
	unsigned int seed = 1, round, agree = 0, allowed = 0;
	struct pcf_proc_status st;
	struct pcf_judge j;
	struct pcf_ns_id id;
	struct tree t;
	int owner, cred_ns;
	bool want, got;

	for (round = 0; round < 20000; round++) {
		random_tree(&t, &seed);
		owner = rand_r(&seed) % t.n;
		cred_ns = rand_r(&seed) % t.n;
		judge_of(&t, owner, &j);
		st = (struct pcf_proc_status){ .state = 'S' };
		st.uid[0] = st.uid[1] = st.uid[2] = rand_r(&seed) % 3 * 1000;
		st.cap_eff = rand_r(&seed) % 2 ? NET_ADMIN : 0;
		id = node_id(cred_ns);
		want = model_capable(&t, owner, cred_ns, st.uid[1],
				     st.cap_eff & NET_ADMIN);
		got = pcf_judge_decide(&j, st.uid[0], &st, &id) ==
		      PCF_JUDGE_ALLOW;
		if (want != got)
			fail_msg("round %u: netns owner %d, sender in %d, euid "
				 "%u, cap %d: model %d, judge %d",
				 round, owner, cred_ns, st.uid[1], !!st.cap_eff,
				 want, got);
		agree++;
		allowed += got;
	}
	/* both answers came up often enough to mean something */
	assert_true(allowed > 2000 && allowed < agree - 2000);
}

static void test_decide_refusals(void **state)
{
	struct pcf_judge j = { .n = 2, .overflow_uid = 65534 };
	struct pcf_proc_status st = { .state = 'R',
				      .uid = { 1000, 1000, 1000, 1000 },
				      .cap_eff = NET_ADMIN };
	struct pcf_ns_id child = { 4, 99 };

	j.ns[0] = (struct pcf_ns_id){ 4, 10 }; /* pcfd's netns owner */
	j.ns[1] = (struct pcf_ns_id){ 4, 1 };  /* its parent, the initial */
	j.owner[0] = 1000;
	assert_int_equal(pcf_judge_decide(&j, 1000, &st, &j.ns[0]),
			 PCF_JUDGE_ALLOW);
	/* privileged only in a user namespace of its own */
	assert_int_equal(pcf_judge_decide(&j, 1000, &st, &child),
			 PCF_JUDGE_OTHER_USERNS);
	st.cap_eff = 0;
	assert_int_equal(pcf_judge_decide(&j, 1000, &st, &child),
			 PCF_JUDGE_NO_CAP);
	assert_int_equal(pcf_judge_decide(&j, 1000, &st, &j.ns[0]),
			 PCF_JUDGE_NO_CAP);
	/* the creator of ns[0], in its parent, has every capability */
	assert_int_equal(pcf_judge_decide(&j, 1000, &st, &j.ns[1]),
			 PCF_JUDGE_ALLOW);
	/* but not when its uid only reads as the overflow uid */
	j.owner[0] = 65534;
	st.uid[0] = st.uid[1] = st.uid[2] = 65534;
	assert_int_equal(pcf_judge_decide(&j, 65534, &st, &j.ns[1]),
			 PCF_JUDGE_NO_CAP);
	/* a setuid program since the send: euid or saved uid differ */
	st = (struct pcf_proc_status){ .state = 'S',
				       .uid = { 1000, 0, 0, 0 },
				       .cap_eff = ~0ULL };
	assert_int_equal(pcf_judge_decide(&j, 1000, &st, &j.ns[0]),
			 PCF_JUDGE_UIDS);
	st.uid[1] = 1000;
	assert_int_equal(pcf_judge_decide(&j, 1000, &st, NULL), PCF_JUDGE_UIDS);
	/* another process than the sender's uid */
	st.uid[2] = 1000;
	assert_int_equal(pcf_judge_decide(&j, 2000, &st, &j.ns[0]),
			 PCF_JUDGE_UIDS);
	/* the status alone: the rest is unknown until ns/user is read */
	assert_int_equal(pcf_judge_decide(&j, 1000, &st, NULL),
			 PCF_JUDGE_UNKNOWN);
	/* a zombie holds no socket and runs nothing */
	st.state = 'Z';
	assert_int_equal(pcf_judge_decide(&j, 1000, &st, &j.ns[0]),
			 PCF_JUDGE_DEAD);
	/* pcfd that could not learn its namespaces refuses */
	st.state = 'R';
	j.n = 0;
	assert_int_equal(pcf_judge_decide(&j, 1000, &st, &j.ns[0]),
			 PCF_JUDGE_UNKNOWN);
}

/* uid 0 needs no process; no credentials, no change. */
static void test_admin_without_process(void **state)
{
	struct ucred root = { .pid = 0, .uid = 0 }, nobody = { .uid = 65534 };
	struct pcf_judge j = { .n = 0 };
	char why[200];

	assert_int_equal(pcf_judge_admin(&j, 1, &root, why, sizeof(why)), 0);
	assert_int_equal(pcf_judge_admin(&j, 1, NULL, why, sizeof(why)),
			 -EPERM);
	assert_non_null(strstr(why, "no credentials"));
	pcf_judge_init(&j);
	assert_int_equal(pcf_judge_admin(&j, 1, &nobody, why, sizeof(why)),
			 -EPERM);
	assert_non_null(strstr(why, "uid 65534"));
}

/*
 * The peer of a unix socket, named by a pidfd: this very process judged
 * under its own uid and under another; a child that exited; no pidfd.
 */
static void test_admin_pidfd(void **state)
{
	uid_t me = getuid(), other = me ? 0 : 4242;
	struct pcf_judge j;
	char why[300];
	int pidfd, status;
	pid_t child;

	pcf_judge_init(&j);
	pidfd = pidfd_open(getpid(), 0);
	assert_true(pidfd >= 0);
	assert_int_equal(pcf_judge_pidfd_pid(pidfd), getpid());
	/* as root: the uids are still all 0 */
	if (me == 0)
		assert_int_equal(
		    pcf_judge_admin_pidfd(&j, pidfd, 0, why, sizeof(why)), 0);
	/* it connected as another uid than it runs as now */
	assert_int_equal(
	    pcf_judge_admin_pidfd(&j, pidfd, other, why, sizeof(why)), -EPERM);
	assert_non_null(strstr(why, "runs with other uids"));
	close(pidfd);

	child = fork();
	assert_true(child >= 0);
	if (!child)
		_exit(0);
	pidfd = pidfd_open(child, 0);
	assert_true(pidfd >= 0);
	assert_int_equal(waitpid(child, &status, 0), child);
	assert_int_equal(pcf_judge_pidfd_pid(pidfd), -1);
	assert_int_equal(pcf_judge_admin_pidfd(&j, pidfd, me, why, sizeof(why)),
			 -EPERM);
	assert_non_null(strstr(why, "ended before pcfd could verify it"));
	close(pidfd);

	/* no SO_PEERPIDFD: root only */
	assert_int_equal(pcf_judge_admin_pidfd(&j, -1, 0, why, sizeof(why)), 0);
	assert_int_equal(pcf_judge_admin_pidfd(&j, -1, 65534, why, sizeof(why)),
			 -EPERM);
	assert_non_null(strstr(why, "SO_PEERPIDFD"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_status),
		cmocka_unit_test(test_parse_status_refuses_partial),
		cmocka_unit_test(test_netlink_line),
		cmocka_unit_test(test_decide_is_cap_capable),
		cmocka_unit_test(test_decide_refusals),
		cmocka_unit_test(test_admin_without_process),
		cmocka_unit_test(test_admin_pidfd),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
