/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * pcf_addr.h - the address arithmetic both ends of the protocol share:
 * how long a family's address is, and how many bits a mask sets.
 */
#ifndef PCF_ADDR_H
#define PCF_ADDR_H

#include <linux/types.h>

/* Bytes of an address of family 4 or 6 (pcf_abi.h's numbering). */
unsigned int pcf_addr_len(__u8 family);

/*
 * The bits set in the first len bytes of mask: its prefix length when it
 * is contiguous (pcfd refuses any other mask).
 */
unsigned int pcf_mask_bits(const __u8 *mask, unsigned int len);

#endif /* PCF_ADDR_H */
