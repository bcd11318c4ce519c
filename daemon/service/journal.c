// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * journal.c - structured records for journald, or readable lines on stderr
 * when pcfd does not run under it.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <systemd/sd-journal.h>

#include "pcf_genl.h"
#include "journal.h"
#include "loader.h"

static enum pcf_journal_dest dest = PCF_JOURNAL_STDERR;
static FILE *out;

bool pcf_journal_stream_is(int fd)
{
	const char *env = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;
	char tail;

	if (!env || sscanf(env, "%llu:%llu%c", &dev, &ino, &tail) != 2)
		return false;
	if (fstat(fd, &st))
		return false;
	return st.st_dev == dev && st.st_ino == ino;
}

void pcf_journal_init(enum pcf_journal_dest d, FILE *o)
{
	if (d == PCF_JOURNAL_AUTO)
		d = pcf_journal_stream_is(STDERR_FILENO) ? PCF_JOURNAL_JOURNALD
							 : PCF_JOURNAL_STDERR;
	dest = d;
	out = o;
}

enum pcf_journal_dest pcf_journal_dest(void)
{
	return dest;
}

/* ---- building records ---- */

static void add_field(struct pcf_journal_record *rec, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void add_field(struct pcf_journal_record *rec, const char *fmt, ...)
{
	va_list ap;

	if (rec->n == PCF_JOURNAL_MAX_FIELDS)
		return;
	va_start(ap, fmt);
	vsnprintf(rec->fields[rec->n++], PCF_JOURNAL_FIELD_LEN, fmt, ap);
	va_end(ap);
}

/* PCF_<name>=v */
static void add_u64(struct pcf_journal_record *rec, const char *name, __u64 v)
{
	add_field(rec, "PCF_%s=%llu", name, (unsigned long long)v);
}

/* "ttl_expired" -> "TTL_EXPIRED": journal field names are upper case */
static const char *field_name(const char *name, char *buf, size_t len)
{
	size_t i;

	for (i = 0; name[i] && i + 1 < len; i++)
		buf[i] = isalnum((unsigned char)name[i])
			     ? toupper((unsigned char)name[i])
			     : '_';
	buf[i] = '\0';
	return buf;
}

/* A message being written: appends, cut at the end of the buffer. */
struct msg {
	char *buf;
	size_t len, pos;
};

static void msg_add(struct msg *m, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void msg_add(struct msg *m, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (m->pos >= m->len)
		return;
	va_start(ap, fmt);
	n = vsnprintf(m->buf + m->pos, m->len - m->pos, fmt, ap);
	va_end(ap);
	if (n > 0)
		m->pos += n;
}

/* Counters by reason: fields for all, the message names the non-zero. */
static void add_reasons(struct pcf_journal_record *rec, struct msg *m,
			const char *prefix, const __u64 *counts, unsigned int n,
			const char *(*name)(unsigned int))
{
	unsigned int i, shown = 0;
	char upper[64];

	for (i = 1; i < n; i++) { /* 0 is "none" */
		add_field(rec, "PCF_%s_%s_PACKETS=%llu", prefix,
			  field_name(name(i), upper, sizeof(upper)),
			  (unsigned long long)counts[i]);
		if (counts[i])
			msg_add(m, "%s%s %llu", shown++ ? ", " : " (", name(i),
				(unsigned long long)counts[i]);
	}
	if (shown)
		msg_add(m, ")");
}

static const char *reason_name(unsigned int r)
{
	return pcf_reason_name(r);
}

static const char *wdrop_name(unsigned int r)
{
	return pcf_wdrop_name(r);
}

/* The session table's totals: fields, and a word in the message. */
static void session_fields(const struct pcf_ct_totals *t,
			   struct pcf_journal_record *rec, struct msg *m)
{
	msg_add(m,
		"; sessions: %llu active of %llu, %llu created, %llu expired, "
		"%llu refused, %llu ports exhausted",
		(unsigned long long)t->active, (unsigned long long)t->capacity,
		(unsigned long long)t->created, (unsigned long long)t->expired,
		(unsigned long long)t->refused,
		(unsigned long long)t->ports_exhausted);
	add_u64(rec, "SESSIONS_CAPACITY", t->capacity);
	add_u64(rec, "SESSIONS_ACTIVE", t->active);
	add_u64(rec, "SESSIONS_CREATED", t->created);
	add_u64(rec, "SESSIONS_EXPIRED", t->expired);
	add_u64(rec, "SESSIONS_EVICTED", t->evicted);
	add_u64(rec, "SESSIONS_DELETED", t->deleted);
	add_u64(rec, "SESSIONS_REFUSED", t->refused);
	add_u64(rec, "SESSIONS_PORTS_EXHAUSTED", t->ports_exhausted);
}

static void xdp_fields(const struct pcf_journal_counters *c,
		       struct pcf_journal_record *rec, struct msg *m)
{
	msg_add(m, "xdp%s%s: %llu packets: %llu pass, %llu redirect, %llu drop",
		c->iface ? " on " : "", c->iface ? c->iface : "",
		(unsigned long long)c->rx_packets,
		(unsigned long long)c->pass_packets,
		(unsigned long long)c->redirect_packets,
		(unsigned long long)c->drop_packets);
	add_field(rec, "PCF_SCOPE=xdp");
	if (c->iface)
		add_field(rec, "PCF_IFACE=%s", c->iface);
	add_u64(rec, "RX_PACKETS", c->rx_packets);
	add_u64(rec, "PASS_PACKETS", c->pass_packets);
	add_u64(rec, "REDIRECT_PACKETS", c->redirect_packets);
	add_u64(rec, "DROP_PACKETS", c->drop_packets);
	add_reasons(rec, m, "REASON", c->reasons, PCF_REASON_MAX, reason_name);
	if (c->sessions)
		session_fields(c->sessions, rec, m);
}

/*
 * A socket's counters: a field each (PCF_<PREFIX>_<NAME>), and the
 * non-zero losses in the message, as "(what: name N, ...)".
 */
static void add_xsk(struct pcf_journal_record *rec, struct msg *m,
		    const char *prefix, const char *what,
		    const struct xdp_statistics *st)
{
	char upper[64], key[64], lower[64];
	__u64 v[PCF_A_XSK_MAX + 1];
	unsigned int a, i, shown = 0;

	pcf_genl_xsk_values(st, v);
	for (a = PCF_A_XSK_RX_DROPPED; a <= PCF_A_XSK_MAX; a++) {
		const char *name = pcf_xsk_set.policy[a].name;

		add_field(rec, "PCF_%s_%s=%llu",
			  field_name(prefix, upper, sizeof(upper)),
			  field_name(name, key, sizeof(key)),
			  (unsigned long long)v[a]);
		if (!v[a] || !pcf_genl_xsk_is_loss(a))
			continue;
		for (i = 0; name[i] && i + 1 < sizeof(lower); i++)
			lower[i] = name[i] == '-' ? '_' : name[i];
		lower[i] = '\0';
		msg_add(m, "%s%s %llu", shown++ ? ", " : what, lower,
			(unsigned long long)v[a]);
	}
	if (shown)
		msg_add(m, ")");
}

static void worker_fields(const struct pcf_journal_counters *c,
			  struct pcf_journal_record *rec, struct msg *m)
{
	const char *iface = c->iface ? c->iface : "?";

	msg_add(m, "worker %s queue %d: %llu rx, %llu tx, %llu drop", iface,
		c->queue, (unsigned long long)c->rx_packets,
		(unsigned long long)c->tx_packets,
		(unsigned long long)c->drop_packets);
	add_field(rec, "PCF_SCOPE=worker");
	add_field(rec, "PCF_IFACE=%s", iface);
	add_field(rec, "PCF_QUEUE=%d", c->queue);
	add_u64(rec, "RX_PACKETS", c->rx_packets);
	add_u64(rec, "TX_PACKETS", c->tx_packets);
	add_u64(rec, "DROP_PACKETS", c->drop_packets);
	add_reasons(rec, m, "DROP", c->drops, PCF_WDROP_MAX, wdrop_name);
	add_u64(rec, "L4_CSUM_SAMPLED", c->csum_sampled);
	add_u64(rec, "BAD_L4_CSUM", c->csum_bad);
	if (c->sock)
		add_xsk(rec, m, "socket", " (socket drops: ", c->sock);
	if (c->ret_sock)
		add_xsk(rec, m, "return-socket",
			" (return socket drops: ", c->ret_sock);
}

static void link_fields(const struct pcf_journal_counters *c,
			struct pcf_journal_record *rec, struct msg *m)
{
	const char *iface = c->iface ? c->iface : "?";

	msg_add(
	    m, "link %s (mtu %u): %llu rx, %llu dropped; %llu tx, %llu dropped",
	    iface, c->mtu, (unsigned long long)c->rx_packets,
	    (unsigned long long)c->rx_dropped,
	    (unsigned long long)c->tx_packets,
	    (unsigned long long)c->tx_dropped);
	add_field(rec, "PCF_SCOPE=link");
	add_field(rec, "PCF_IFACE=%s", iface);
	add_field(rec, "PCF_MTU=%u", c->mtu);
	add_u64(rec, "RX_PACKETS", c->rx_packets);
	add_u64(rec, "RX_DROPPED", c->rx_dropped);
	add_u64(rec, "TX_PACKETS", c->tx_packets);
	add_u64(rec, "TX_DROPPED", c->tx_dropped);
}

/* MESSAGE= is fields[0], filled in once the other fields are known. */
static void start_record(struct pcf_journal_record *rec, int priority,
			 const char *message_id, const char *event)
{
	rec->n = 1;
	add_field(rec, "MESSAGE_ID=%s", message_id);
	add_field(rec, "PRIORITY=%d", priority);
	add_field(rec, "SYSLOG_IDENTIFIER=pcfd");
	add_field(rec, "PCF_EVENT=%s", event);
}

void pcf_journal_counters_record(const struct pcf_journal_counters *c,
				 struct pcf_journal_record *ret)
{
	struct msg m = { .buf = ret->fields[0], .len = PCF_JOURNAL_FIELD_LEN };

	start_record(ret, LOG_INFO, PCF_MESSAGE_ID_COUNTERS, "counters");
	msg_add(&m, "MESSAGE=");
	if (c->scope == PCF_JOURNAL_WORKER)
		worker_fields(c, ret, &m);
	else if (c->scope == PCF_JOURNAL_LINK)
		link_fields(c, ret, &m);
	else
		xdp_fields(c, ret, &m);
}

const char *pcf_journal_field(const struct pcf_journal_record *rec,
			      const char *name)
{
	size_t len = strlen(name);
	int i;

	for (i = 0; i < rec->n; i++)
		if (!strncmp(rec->fields[i], name, len) &&
		    rec->fields[i][len] == '=')
			return rec->fields[i] + len + 1;
	return NULL;
}

/* ---- sending ---- */

int pcf_journal_send(const struct pcf_journal_record *rec)
{
	struct iovec iov[PCF_JOURNAL_MAX_FIELDS];
	int i;

	if (dest == PCF_JOURNAL_JOURNALD) {
		for (i = 0; i < rec->n; i++) {
			iov[i].iov_base = (void *)rec->fields[i];
			iov[i].iov_len = strlen(rec->fields[i]);
		}
		return sd_journal_sendv(iov, rec->n);
	}
	/* the MESSAGE says it all, as one line */
	if (fprintf(out ? out : stderr, "pcfd: %s\n",
		    pcf_journal_field(rec, "MESSAGE")) < 0)
		return -EIO;
	fflush(out ? out : stderr);
	return 0;
}

int pcf_journal_counters(const struct pcf_journal_counters *c)
{
	struct pcf_journal_record *rec = malloc(sizeof(*rec));
	int r;

	if (!rec)
		return -ENOMEM;
	pcf_journal_counters_record(c, rec);
	r = pcf_journal_send(rec);
	free(rec);
	return r;
}

int pcf_journal_event(int priority, const char *event, const char *iface,
		      const char *fmt, ...)
{
	struct pcf_journal_record *rec = malloc(sizeof(*rec));
	struct msg m;
	va_list ap;
	int r;

	if (!rec)
		return -ENOMEM;
	start_record(rec, priority, PCF_MESSAGE_ID_EVENT, event);
	if (iface)
		add_field(rec, "PCF_IFACE=%s", iface);
	m = (struct msg){ .buf = rec->fields[0], .len = PCF_JOURNAL_FIELD_LEN };
	msg_add(&m, "MESSAGE=");
	va_start(ap, fmt);
	if (m.pos < m.len)
		vsnprintf(m.buf + m.pos, m.len - m.pos, fmt, ap);
	va_end(ap);
	r = pcf_journal_send(rec);
	free(rec);
	return r;
}
