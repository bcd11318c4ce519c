// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * peak-rss - run a command and say the most memory it held: its peak
 * resident set size in KiB (getrusage's ru_maxrss of the waited child),
 * written to FILE.  The tests use it to show that an input without end
 * keeps pcfd and pcfctl small.  This program is small itself, since a
 * child's peak counts what it held between fork and exec too (a Python
 * parent would add its own 14 MiB).
 *
 * Usage: peak-rss [-t SECONDS] FILE COMMAND [ARG...]
 * Exits with the command's status (128 + N if killed by signal N); with
 * -t the command is killed after SECONDS and peak-rss exits 124 then.
 */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/wait.h>

/* Wait for pid, killing it once the deadline (0: none) has passed. */
static int wait_child(pid_t pid, double secs, int *status, struct rusage *ru)
{
	struct timespec start, now, nap = { 0, 10 * 1000 * 1000 };
	bool killed = false;
	pid_t r;

	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		r = wait4(pid, status, secs > 0 ? WNOHANG : 0, ru);
		if (r == pid)
			return killed;
		if (r < 0 && errno != EINTR)
			return -1;
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (secs > 0 && !killed &&
		    (now.tv_sec - start.tv_sec) +
			    (now.tv_nsec - start.tv_nsec) / 1e9 >=
			secs) {
			kill(pid, SIGKILL);
			killed = true;
		}
		if (secs > 0)
			nanosleep(&nap, NULL);
	}
}

int main(int argc, char **argv)
{
	struct rusage ru;
	double secs = 0;
	int status, killed;
	FILE *out;
	pid_t pid;

	if (argc > 2 && !strcmp(argv[1], "-t")) {
		secs = atof(argv[2]);
		argc -= 2, argv += 2;
	}
	if (argc < 3) {
		fprintf(stderr,
			"usage: peak-rss [-t SECONDS] FILE COMMAND...\n");
		return 2;
	}
	pid = fork();
	if (pid < 0)
		return perror("fork"), 2;
	if (!pid) {
		execvp(argv[2], argv + 2);
		perror(argv[2]);
		_exit(127);
	}
	killed = wait_child(pid, secs, &status, &ru);
	if (killed < 0)
		return perror("wait4"), 2;
	out = fopen(argv[1], "w");
	if (!out || fprintf(out, "%ld\n", ru.ru_maxrss) < 0 || fclose(out))
		return perror(argv[1]), 2;
	if (killed)
		return 124;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
