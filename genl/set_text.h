/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * set_text.h - named sets as text (issue 13): names, elements, and the
 * files `set load` reads.  Pure: no I/O, no state; shared by pcfctl (which
 * reads the files) and the rule grammar (genl/rule_text.c).
 */
#ifndef PCF_SET_TEXT_H
#define PCF_SET_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

#include "pcf_abi.h"

/* Is name a set name: [A-Za-z_][A-Za-z0-9_.-]*, < PCF_SET_NAME_MAX. */
bool pcf_set_name_ok(const char *name);
/*
 * One element: an IPv4 or IPv6 address or prefix, host bits clear.
 * -EINVAL with why (a sentence) filled.
 */
int pcf_set_elem_parse(const char *text, struct pcf_set_elem *ret, char *why,
		       size_t len);
/* "198.18.0.0/24", "2001:db8::1" (a full length is not written). */
void pcf_set_elem_format(const struct pcf_set_elem *e, char *buf, size_t len);

/*
 * A file's elements: one per line (# comments, blank lines), or JSON: an
 * array of strings, or an object with "flat_ip_list" (design 001's
 * allowlist: version, total_ips, organizations, flat_ip_list).  All of
 * one family.  On an error nothing is returned and where says where:
 * "FILE:LINE: ..." or "FILE: $.flat_ip_list[3]: ...".  *ret is malloc'd.
 */
int pcf_set_file_parse(const char *name, const char *text, size_t len,
		       struct pcf_set_elem **ret, size_t *ret_n, char *where,
		       size_t where_len);

#endif /* PCF_SET_TEXT_H */
