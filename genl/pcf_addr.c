// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* pcf_addr.c - address lengths and mask bits (see pcf_addr.h). */
#include "pcf_addr.h"

unsigned int pcf_addr_len(__u8 family)
{
	return family == 6 ? 16 : 4;
}

unsigned int pcf_mask_bits(const __u8 *mask, unsigned int len)
{
	unsigned int i, n = 0;

	for (i = 0; i < len; i++)
		n += __builtin_popcount(mask[i]);
	return n;
}
