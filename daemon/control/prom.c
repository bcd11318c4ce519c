// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * prom.c - Prometheus text exposition, written (prom.h).
 */
#include <stdio.h>
#include <string.h>

#include "prom.h"

void pcf_prom_escape(struct textbuf *b, const char *v)
{
	const char *run = v;

	for (; *v; v++) {
		const char *esc = *v == '\\'   ? "\\\\"
				  : *v == '"'  ? "\\\""
				  : *v == '\n' ? "\\n"
					       : NULL;

		if (!esc)
			continue;
		tb_put(b, run, v - run);
		tb_str(b, esc);
		run = v + 1;
	}
	tb_put(b, run, v - run);
}

/* HELP text: backslash and newline escaped (quotes stay). */
static void help_escape(struct textbuf *b, const char *v)
{
	for (; *v; v++) {
		if (*v == '\\')
			tb_str(b, "\\\\");
		else if (*v == '\n')
			tb_str(b, "\\n");
		else
			tb_put(b, v, 1);
	}
}

void pcf_prom_family(struct textbuf *b, const char *name, const char *type,
		     const char *help)
{
	tb_str(b, "# HELP ");
	tb_str(b, name);
	tb_put(b, " ", 1);
	help_escape(b, help);
	tb_str(b, "\n# TYPE ");
	tb_str(b, name);
	tb_put(b, " ", 1);
	tb_str(b, type);
	tb_put(b, "\n", 1);
}

static void series(struct textbuf *b, const char *name,
		   const struct pcf_prom_label *l, unsigned int n)
{
	unsigned int i;

	tb_str(b, name);
	if (!n)
		return;
	tb_put(b, "{", 1);
	for (i = 0; i < n; i++) {
		if (i)
			tb_put(b, ",", 1);
		tb_str(b, l[i].name);
		tb_put(b, "=\"", 2);
		pcf_prom_escape(b, l[i].value);
		tb_put(b, "\"", 1);
	}
	tb_put(b, "}", 1);
}

void pcf_prom_u64(struct textbuf *b, const char *name,
		  const struct pcf_prom_label *l, unsigned int n, __u64 v)
{
	series(b, name, l, n);
	tb_put(b, " ", 1);
	tb_u64(b, v);
	tb_put(b, "\n", 1);
}

void pcf_prom_double(struct textbuf *b, const char *name,
		     const struct pcf_prom_label *l, unsigned int n, double v)
{
	series(b, name, l, n);
	tb_printf(b, " %.6f\n", v);
}

void pcf_prom_u64_id(struct textbuf *b, const char *name, const char *label,
		     __u32 id, __u64 v)
{
	tb_str(b, name);
	tb_put(b, "{", 1);
	tb_str(b, label);
	tb_put(b, "=\"", 2);
	tb_u64(b, id);
	tb_put(b, "\"} ", 3);
	tb_u64(b, v);
	tb_put(b, "\n", 1);
}
