// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * pcf_session_msg.c - struct pcf_session to and from PCF_A_SESSION.
 */
#include <errno.h>
#include <string.h>
#include <arpa/inet.h>

#include "pcf_addr.h"
#include "pcf_genl.h"

/* One direction's tuple: addresses, then ports, from attribute src_attr. */
static bool put_tuple(struct nlmsghdr *nlh, size_t size, __u16 src_attr,
		      const struct pcf_ct_key *k)
{
	unsigned int len = pcf_addr_len(k->family);

	return mnl_attr_put_check(nlh, size, src_attr, len, k->src) &&
	       mnl_attr_put_check(nlh, size, src_attr + 1, len, k->dst) &&
	       mnl_attr_put_u32_check(nlh, size, src_attr + 2,
				      ntohs(k->sport)) &&
	       mnl_attr_put_u32_check(nlh, size, src_attr + 3, ntohs(k->dport));
}

int pcf_session_put(struct nlmsghdr *nlh, size_t size,
		    const struct pcf_session *s)
{
	struct nlattr *nest =
	    mnl_attr_nest_start_check(nlh, size, PCF_A_SESSION);

	if (!nest ||
	    !mnl_attr_put_u32_check(nlh, size, PCF_A_SESSION_PROTO,
				    s->orig.proto) ||
	    !put_tuple(nlh, size, PCF_A_SESSION_ORIG_SRC, &s->orig) ||
	    !put_tuple(nlh, size, PCF_A_SESSION_REPLY_SRC, &s->reply) ||
	    !mnl_attr_put_u32_check(nlh, size, PCF_A_SESSION_STATE, s->state) ||
	    !mnl_attr_put_u32_check(nlh, size, PCF_A_SESSION_TIMEOUT,
				    s->timeout) ||
	    !mnl_attr_put_u64_check(nlh, size, PCF_A_SESSION_ORIG_PACKETS,
				    s->orig_c.packets) ||
	    !mnl_attr_put_u64_check(nlh, size, PCF_A_SESSION_ORIG_BYTES,
				    s->orig_c.bytes) ||
	    !mnl_attr_put_u64_check(nlh, size, PCF_A_SESSION_REPLY_PACKETS,
				    s->reply_c.packets) ||
	    !mnl_attr_put_u64_check(nlh, size, PCF_A_SESSION_REPLY_BYTES,
				    s->reply_c.bytes) ||
	    !mnl_attr_put_u32_check(nlh, size, PCF_A_SESSION_RULE_ID,
				    s->rule_id) ||
	    (s->snat &&
	     !mnl_attr_put_check(nlh, size, PCF_A_SESSION_SNAT, 0, NULL)) ||
	    (s->dnat &&
	     !mnl_attr_put_check(nlh, size, PCF_A_SESSION_DNAT, 0, NULL)) ||
	    !mnl_attr_put_u32_check(nlh, size, PCF_A_SESSION_AGE, s->age)) {
		if (nest)
			mnl_attr_nest_cancel(nlh, nest);
		return -EMSGSIZE;
	}
	mnl_attr_nest_end(nlh, nest);
	return 0;
}

/* One direction's tuple back; the addresses' family must agree. */
static int get_tuple(const struct nlattr *const *tb, __u16 src_attr, __u8 proto,
		     struct pcf_ct_key *ret, struct pcf_extack *ext)
{
	const struct nlattr *src = tb[src_attr], *dst = tb[src_attr + 1];
	unsigned int len;

	if (!src || !dst)
		return pcf_ext_refuse(
		    ext, NULL,
		    "a session needs both addresses of each direction");
	len = mnl_attr_get_payload_len(src);
	if (mnl_attr_get_payload_len(dst) != len)
		return pcf_ext_refuse(
		    ext, dst, "a session's addresses are of one family");
	memset(ret, 0, sizeof(*ret));
	ret->family = len == 16 ? 6 : 4;
	ret->proto = proto;
	memcpy(ret->src, mnl_attr_get_payload(src), len);
	memcpy(ret->dst, mnl_attr_get_payload(dst), len);
	if (tb[src_attr + 2])
		ret->sport = htons(mnl_attr_get_u32(tb[src_attr + 2]));
	if (tb[src_attr + 3])
		ret->dport = htons(mnl_attr_get_u32(tb[src_attr + 3]));
	return 0;
}

static __u64 get_u64(const struct nlattr *a)
{
	return a ? mnl_attr_get_u64(a) : 0;
}

static __u32 get_u32(const struct nlattr *a)
{
	return a ? mnl_attr_get_u32(a) : 0;
}

int pcf_session_from_attr(const struct nlattr *nest, struct pcf_session *ret,
			  struct pcf_extack *ext)
{
	const struct nlattr *tb[PCF_A_SESSION_MAX + 1];
	struct pcf_session s = {};
	__u8 proto;
	int err;

	err = pcf_attr_parse_nested(nest, &pcf_session_set, tb, ext);
	if (err)
		return err;
	proto = get_u32(tb[PCF_A_SESSION_PROTO]);
	err = get_tuple(tb, PCF_A_SESSION_ORIG_SRC, proto, &s.orig, ext);
	if (!err)
		err = get_tuple(tb, PCF_A_SESSION_REPLY_SRC, proto, &s.reply,
				ext);
	if (err)
		return err;
	if (s.orig.family != s.reply.family)
		return pcf_ext_refuse(
		    ext, nest, "a session's directions are of one family");
	s.state = get_u32(tb[PCF_A_SESSION_STATE]);
	s.timeout = get_u32(tb[PCF_A_SESSION_TIMEOUT]);
	s.rule_id = get_u32(tb[PCF_A_SESSION_RULE_ID]);
	s.age = get_u32(tb[PCF_A_SESSION_AGE]);
	s.snat = tb[PCF_A_SESSION_SNAT];
	s.dnat = tb[PCF_A_SESSION_DNAT];
	s.orig_c.packets = get_u64(tb[PCF_A_SESSION_ORIG_PACKETS]);
	s.orig_c.bytes = get_u64(tb[PCF_A_SESSION_ORIG_BYTES]);
	s.reply_c.packets = get_u64(tb[PCF_A_SESSION_REPLY_PACKETS]);
	s.reply_c.bytes = get_u64(tb[PCF_A_SESSION_REPLY_BYTES]);
	*ret = s;
	return 0;
}
