/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * textbuf.h - a growing text buffer for what the HTTP server answers
 * (Prometheus text, JSON): appends never fail on the spot; a buffer that
 * could not grow says so once, in oom, and keeps what it had.
 */
#ifndef PCF_TEXTBUF_H
#define PCF_TEXTBUF_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

struct textbuf {
	char *p;
	size_t len, cap;
	bool oom; /* an append did not fit and could not grow */
};

void tb_put(struct textbuf *b, const char *s, size_t n);
void tb_str(struct textbuf *b, const char *s);
void tb_u64(struct textbuf *b, __u64 v);
void tb_printf(struct textbuf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Empty it, keeping its memory. */
void tb_reset(struct textbuf *b);
void tb_free(struct textbuf *b);

#endif /* PCF_TEXTBUF_H */
