/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * journal.h - pcfd's counters and lifecycle events as structured journal
 * records (sd_journal_send): a human MESSAGE plus PCF_* fields one can
 * query (`journalctl -u pcf PCF_IFACE=eth0 -o json`).
 *
 * sd_journal_send succeeds silently when no journald listens, so the
 * destination is chosen, not guessed from its result: the journal when
 * stderr is the stream systemd connected to journald (JOURNAL_STREAM, see
 * systemd.exec(5)), otherwise stderr, as the same MESSAGE lines.
 */
#ifndef PCF_JOURNAL_H
#define PCF_JOURNAL_H

#include <stdbool.h>
#include <stdio.h>
#include <linux/types.h>

#include "pcf_abi.h"
#include "ct_reap.h"
#include "pipeline.h"

/* MESSAGE_IDs: `journalctl MESSAGE_ID=...` finds every record of a kind */
#define PCF_MESSAGE_ID_COUNTERS "533a57d058984cacbc87c9e5daa79243"
#define PCF_MESSAGE_ID_EVENT	"364df0835eff425fbb82c2208928ee8c"

enum pcf_journal_dest {
	PCF_JOURNAL_AUTO = 0, /* journald if JOURNAL_STREAM is our stderr */
	PCF_JOURNAL_JOURNALD,
	PCF_JOURNAL_STDERR,
};

/* Pick the destination; out: where STDERR lines go (NULL: stderr). */
void pcf_journal_init(enum pcf_journal_dest dest, FILE *out);
/* Does JOURNAL_STREAM name the file open as fd (systemd.exec(5))? */
bool pcf_journal_stream_is(int fd);
/* Where records go now (never AUTO). */
enum pcf_journal_dest pcf_journal_dest(void);

enum pcf_journal_scope {
	PCF_JOURNAL_XDP = 0, /* the steering program, all interfaces */
	PCF_JOURNAL_WORKER,  /* one AF_XDP worker: one (interface, queue) */
	PCF_JOURNAL_LINK,    /* one interface pcfd uses: the kernel's view */
};

struct xdp_statistics;

/* One snapshot of counters, as plain numbers (summed by the caller). */
struct pcf_journal_counters {
	enum pcf_journal_scope scope;
	const char *iface;	/* worker: its interface; XDP: the list */
	int queue;		/* worker: its rx queue */
	__u64 rx_packets;	/* XDP: every packet seen; worker: received */
	__u64 tx_packets;	/* worker: transmitted */
	__u64 pass_packets;	/* XDP: verdict PASS */
	__u64 redirect_packets; /* XDP: verdict REDIRECT */
	__u64 drop_packets;	/* XDP: verdict DROP; worker: all drops */
	__u64 reasons[PCF_REASON_MAX]; /* XDP: packets per enum pcf_reason */
	__u64 drops[PCF_WDROP_MAX];    /* worker: packets per enum pcf_wdrop */
	/* worker: the kernel's counters of its socket and of its socket on
	 * the return veth (NULL: none) */
	const struct xdp_statistics *sock, *ret_sock;
	__u64 csum_sampled, csum_bad; /* worker: TCP/UDP checksums checked */
	__u32 mtu;		      /* link */
	__u64 rx_dropped, tx_dropped; /* link: the kernel's drops */
	/* XDP: the session table's totals (NULL: none) */
	const struct pcf_ct_totals *sessions;
};

#define PCF_JOURNAL_MAX_FIELDS 64
#define PCF_JOURNAL_FIELD_LEN  320

/* A record: "FIELD=value" strings, MESSAGE= first. */
struct pcf_journal_record {
	char fields[PCF_JOURNAL_MAX_FIELDS][PCF_JOURNAL_FIELD_LEN];
	int n;
};

/*
 * Build the record for c (pure).  Fields: MESSAGE, MESSAGE_ID, PRIORITY,
 * SYSLOG_IDENTIFIER, PCF_EVENT=counters, PCF_SCOPE (xdp|worker|link),
 * PCF_IFACE, PCF_QUEUE (worker), PCF_RX_PACKETS, PCF_TX_PACKETS (worker,
 * link), PCF_PASS_PACKETS and PCF_REDIRECT_PACKETS (XDP), PCF_DROP_PACKETS
 * (XDP, worker), and one per reason: PCF_REASON_<NAME>_PACKETS (XDP,
 * pcf_reason_name) or PCF_DROP_<NAME>_PACKETS (worker, pcf_wdrop_name),
 * names in upper case.  A worker's sockets: PCF_SOCKET_<NAME> and
 * PCF_RETURN_SOCKET_<NAME> (the protocol's xsk attribute names:
 * RX_DROPPED, RX_RING_FULL, ...), PCF_L4_CSUM_SAMPLED, PCF_BAD_L4_CSUM.
 * A link: PCF_MTU, PCF_RX_DROPPED, PCF_TX_DROPPED.  XDP with sessions:
 * PCF_SESSIONS_{CAPACITY,ACTIVE,CREATED,EXPIRED,EVICTED,DELETED,REFUSED,
 * PORTS_EXHAUSTED}.
 */
void pcf_journal_counters_record(const struct pcf_journal_counters *c,
				 struct pcf_journal_record *ret);
/* The value of FIELD in rec, or NULL. */
const char *pcf_journal_field(const struct pcf_journal_record *rec,
			      const char *name);

/* Send a record to the destination; 0 or a negative errno. */
int pcf_journal_send(const struct pcf_journal_record *rec);
/* Build and send: what pcfd calls every --stats-interval and on SIGUSR1. */
int pcf_journal_counters(const struct pcf_journal_counters *c);

/*
 * A lifecycle event (started, attached, ready, reloading, stopping, ...):
 * PCF_EVENT=event, PCF_IFACE=iface if not NULL, priority a LOG_* level.
 */
int pcf_journal_event(int priority, const char *event, const char *iface,
		      const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#endif /* PCF_JOURNAL_H */
