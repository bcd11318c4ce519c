// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * textbuf.c - a growing text buffer (textbuf.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "textbuf.h"

/* Room for n more bytes and a NUL; false (and oom) if it cannot grow. */
static bool room(struct textbuf *b, size_t n)
{
	size_t cap = b->cap ? b->cap : 4096;
	char *p;

	if (b->oom)
		return false;
	if (b->len + n + 1 <= b->cap)
		return true;
	while (cap < b->len + n + 1)
		cap *= 2;
	p = realloc(b->p, cap);
	if (!p) {
		b->oom = true;
		return false;
	}
	b->p = p;
	b->cap = cap;
	return true;
}

void tb_put(struct textbuf *b, const char *s, size_t n)
{
	if (!room(b, n))
		return;
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void tb_str(struct textbuf *b, const char *s)
{
	tb_put(b, s, strlen(s));
}

/* Decimal, without printf: a scrape writes tens of thousands. */
void tb_u64(struct textbuf *b, __u64 v)
{
	char d[20];
	int n = 0;

	do {
		d[sizeof(d) - 1 - n++] = '0' + v % 10;
		v /= 10;
	} while (v);
	tb_put(b, d + sizeof(d) - n, n);
}

void tb_printf(struct textbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || !room(b, n))
		return;
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, n + 1, fmt, ap);
	va_end(ap);
	b->len += n;
}

void tb_reset(struct textbuf *b)
{
	b->len = 0;
	b->oom = false;
	if (b->p)
		b->p[0] = '\0';
}

void tb_free(struct textbuf *b)
{
	free(b->p);
	*b = (struct textbuf){};
}
