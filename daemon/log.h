/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * log.h - pcfd's messages: pr_warn / pr_info / pr_debug at the levels of
 * libbpf's print callback, so library and daemon messages read alike.
 * To stderr in the foreground, to syslog (the journal) otherwise.
 */
#ifndef PCF_LOG_H
#define PCF_LOG_H

#include <stdarg.h>
#include <stdbool.h>
#include <bpf/libbpf.h>

enum pcf_log_level {
	PCF_LOG_WARN = LIBBPF_WARN,
	PCF_LOG_INFO = LIBBPF_INFO,
	PCF_LOG_DEBUG = LIBBPF_DEBUG,
};

/* Print up to level; use_syslog: to syslog instead of stderr. */
void pcf_log_init(enum pcf_log_level level, bool use_syslog);
void pcf_log_to_syslog(bool use_syslog);
/* Change the level (SIGHUP may turn debug messages on or off). */
void pcf_log_set_level(enum pcf_log_level level);

void pcf_log(enum pcf_log_level level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* libbpf's print callback (libbpf_set_print), routed through pcf_log. */
int pcf_log_libbpf(enum libbpf_print_level level, const char *fmt, va_list ap);

#define pr_warn(fmt, ...)  pcf_log(PCF_LOG_WARN, fmt, ##__VA_ARGS__)
#define pr_info(fmt, ...)  pcf_log(PCF_LOG_INFO, fmt, ##__VA_ARGS__)
#define pr_debug(fmt, ...) pcf_log(PCF_LOG_DEBUG, fmt, ##__VA_ARGS__)

#endif /* PCF_LOG_H */
