/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * prom.h - the Prometheus text exposition format (version 0.0.4), written
 * into a textbuf: a family's # HELP and # TYPE, then its samples, label
 * values escaped as the format says (\\, \", \n).  Pure: what pcfd says
 * is metrics.c's business, how it is written is this file's.
 */
#ifndef PCF_PROM_H
#define PCF_PROM_H

#include "textbuf.h"

#define PCF_PROM_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

struct pcf_prom_label {
	const char *name;
	const char *value;
};

/* "# HELP name help" and "# TYPE name type" (counter, gauge). */
void pcf_prom_family(struct textbuf *b, const char *name, const char *type,
		     const char *help);
/* name{labels} value; n labels (0: no braces). */
void pcf_prom_u64(struct textbuf *b, const char *name,
		  const struct pcf_prom_label *l, unsigned int n, __u64 v);
void pcf_prom_double(struct textbuf *b, const char *name,
		     const struct pcf_prom_label *l, unsigned int n, double v);
/* name{label="id"} value: one numeric label, the fast way (per rule). */
void pcf_prom_u64_id(struct textbuf *b, const char *name, const char *label,
		     __u32 id, __u64 v);
/* A label value as the format wants it, quotes not included. */
void pcf_prom_escape(struct textbuf *b, const char *v);

#endif /* PCF_PROM_H */
