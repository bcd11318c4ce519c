// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * log.c - pcfd's logging, shared with libbpf through its print callback.
 */
#include <stdio.h>
#include <syslog.h>

#include "log.h"

static enum pcf_log_level max_level = PCF_LOG_INFO;
static bool to_syslog;

void pcf_log_init(enum pcf_log_level level, bool use_syslog)
{
	max_level = level;
	pcf_log_to_syslog(use_syslog);
	libbpf_set_print(pcf_log_libbpf);
}

void pcf_log_to_syslog(bool use_syslog)
{
	if (use_syslog && !to_syslog)
		openlog("pcfd", LOG_PID, LOG_DAEMON);
	to_syslog = use_syslog;
}

void pcf_log_set_level(enum pcf_log_level level)
{
	max_level = level;
}

static void vlog(enum pcf_log_level level, const char *fmt, va_list ap)
{
	static const int prio[] = {
		[PCF_LOG_WARN] = LOG_WARNING,
		[PCF_LOG_INFO] = LOG_INFO,
		[PCF_LOG_DEBUG] = LOG_DEBUG,
	};

	if (level > max_level)
		return;
	if (to_syslog)
		vsyslog(prio[level], fmt, ap);
	else
		vfprintf(stderr, fmt, ap);
}

void pcf_log(enum pcf_log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(level, fmt, ap);
	va_end(ap);
}

int pcf_log_libbpf(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	vlog((enum pcf_log_level)level, fmt, ap);
	return 0;
}
