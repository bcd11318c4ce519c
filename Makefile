# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# pcf: everything builds into $(BUILD).  Sources are found by their folder:
#   bpf/*.bpf.c, bench/*.bpf.c, tests/**/*.bpf.c   BPF objects (+ skeletons)
#   genl/*.c                   libpcfgenl.a  (the protocol, both sides)
#   table/*.c                  libpcftable.a (the rule table: pure, no BPF)
#   daemon/*.c and daemon/*/*.c but pcfd.c
#                              libpcfd.a     (dataplane/, control/, service/)
#   tools/*.c but pcfctl.c     libpcfctl.a   (CLI parsing and printing)
#   tests/unit/*.c, tests/bpf/*.c   one test program each
#   tests/tools/*.c, bench/*.c one helper program each
# so adding a file needs no Makefile change.

BUILD	?= build
# one name for each file: a BUILD given as an absolute path into this tree
# (the tests' scripts give it so to make install) is made relative, so the
# dependency files (-MMD) and the rules name the same targets
override BUILD := $(patsubst $(CURDIR)/%,%,$(BUILD))
ifeq ($(filter /%,$(BUILD)),)
# and a goal named by its absolute path (the fuzz tests do) is that file
$(CURDIR)/$(BUILD)/%: $(BUILD)/% ;
endif
CC	?= gcc
CLANG	?= clang
BPFTOOL	?= bpftool
PREFIX	?= /usr/local
DESTDIR	?=

ARCH_INC := /usr/include/$(shell $(CLANG) -print-multiarch)
DAEMON_INC := -Idaemon -Idaemon/dataplane -Idaemon/control -Idaemon/service

CFLAGS	?= -O2 -g
override CFLAGS += -std=gnu11 -Wall -Wextra -Werror -Wno-unused-parameter \
	-D_GNU_SOURCE -Ibpf -Igenl -Itable $(DAEMON_INC) -Itools -I$(BUILD)/skel \
	-I$(BUILD)/gen -MMD -MP
LDLIBS	:= -lbpf -lxdp -lmnl -ljson-c -lsystemd -lelf -lz -lpthread

BPF_CFLAGS := -target bpf -O2 -g -Wall -Wextra -Werror \
	-Wno-unused-parameter -I$(ARCH_INC) -Ibpf

BPF_SRCS   := $(wildcard bpf/*.bpf.c bench/*.bpf.c tests/*/*.bpf.c)
BPF_OBJS   := $(BPF_SRCS:%.bpf.c=$(BUILD)/%.bpf.o)
SKELS      := $(foreach s,$(BPF_SRCS),$(BUILD)/skel/$(notdir $(s:.bpf.c=.skel.h)))

GENL_OBJS  := $(patsubst %.c,$(BUILD)/%.o,$(wildcard genl/*.c))
TABLE_OBJS := $(patsubst %.c,$(BUILD)/%.o,$(wildcard table/*.c))
PCFD_OBJS  := $(patsubst %.c,$(BUILD)/%.o,$(filter-out daemon/pcfd.c,\
	      $(wildcard daemon/*.c daemon/*/*.c)))
CTL_OBJS   := $(patsubst %.c,$(BUILD)/%.o,$(filter-out tools/pcfctl.c,$(wildcard tools/*.c)))

LIBGENL	   := $(BUILD)/libpcfgenl.a
LIBTABLE   := $(BUILD)/libpcftable.a
LIBPCFD	   := $(BUILD)/libpcfd.a
LIBCTL	   := $(BUILD)/libpcfctl.a
LIBS	   := $(LIBPCFD) $(LIBCTL) $(LIBTABLE) $(LIBGENL)

BINS	   := $(if $(wildcard daemon/pcfd.c),$(BUILD)/pcfd) \
	      $(if $(wildcard tools/pcfctl.c),$(BUILD)/pcfctl)
TESTS	   := $(patsubst %.c,$(BUILD)/%,$(filter-out %.bpf.c,$(wildcard tests/unit/*.c tests/bpf/*.c)))
TOOLS	   := $(patsubst %.c,$(BUILD)/%,$(filter-out %.bpf.c,$(wildcard tests/tools/*.c bench/*.c)))

.PHONY: all deps check demo bench fuzz image clean install uninstall format
.DELETE_ON_ERROR:
.SECONDARY:

all: $(LIBS) $(BINS) $(TESTS) $(TOOLS)

deps:
	@scripts/deps.sh

check: deps
	@$(MAKE) --no-print-directory all
	@tests/run.sh $(BUILD)

demo: deps
	@$(MAKE) --no-print-directory all
	@scripts/demo.sh $(BUILD)

bench: deps
	@$(MAKE) --no-print-directory all
	@bench/run.sh $(BUILD)

# the OCI image of pcfd and pcfctl: $(BUILD)/image/pcf-oci.tar (scripts/image.sh)
image: deps
	@$(MAKE) --no-print-directory all
	@scripts/image.sh $(BUILD)

# libFuzzer targets: tests/fuzz/*.c, each built with clang and the sanitizers
# together with the sources it exercises (instrumented too).
# tests/e2e/ctl_fuzz.sh runs them for a bounded time inside `make check`.
FUZZ_CFLAGS := -g -O1 -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=undefined -std=gnu11 -D_GNU_SOURCE \
	-Ibpf -Igenl -Itable $(DAEMON_INC) -I$(BUILD)/skel
FUZZ_SRCS  := $(wildcard genl/*.c table/*.c daemon/control/ctl*.c) \
	daemon/dataplane/loader.c daemon/dataplane/rule_maps.c \
	daemon/dataplane/set_maps.c \
	daemon/dataplane/ct_maps.c daemon/dataplane/ct_reap.c \
	daemon/dataplane/percpu.c \
	daemon/dataplane/grace.c daemon/log.c
FUZZERS	   := $(patsubst %.c,$(BUILD)/%,$(wildcard tests/fuzz/*.c))

fuzz: $(FUZZERS)

# The skeletons and headers are real prerequisites: a fuzzer built against an
# older pcf_steer or ABI must not survive a change to them.
$(BUILD)/tests/fuzz/%: tests/fuzz/%.c $(FUZZ_SRCS) $(SKELS) \
		$(wildcard bpf/*.h genl/*.h table/*.h daemon/*.h daemon/*/*.h)
	@mkdir -p $(@D)
	$(CLANG) $(FUZZ_CFLAGS) -o $@ $(filter %.c,$^) $(LDLIBS)

# BPF objects and their skeletons
$(BUILD)/%.bpf.o: %.bpf.c $(wildcard bpf/*.h)
	@mkdir -p $(@D)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@

define skel_rule
$(BUILD)/skel/$(notdir $(1:.bpf.c=.skel.h)): $(BUILD)/$(1:.bpf.c=.bpf.o)
	@mkdir -p $$(@D)
	$(BPFTOOL) gen skeleton $$< name $(notdir $(1:.bpf.c=)) > $$@
endef
$(foreach s,$(BPF_SRCS),$(eval $(call skel_rule,$(s))))

# user space: every object may include any skeleton
$(BUILD)/%.o: %.c | $(SKELS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -c $< -o $@

$(LIBGENL): $(GENL_OBJS)
$(LIBTABLE): $(TABLE_OBJS)
$(LIBPCFD): $(PCFD_OBJS)
$(LIBCTL): $(CTL_OBJS)
$(LIBS):
	@mkdir -p $(@D)
	@rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/pcfd: $(BUILD)/daemon/pcfd.o $(LIBS)
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

# pcfd's HTTP endpoint (daemon/control/http*.c); what links libpcfd may use it
$(BUILD)/pcfd $(BUILD)/tests/% $(BUILD)/bench/%: LDLIBS += -lmicrohttpd

# the version /metrics reports (pcf_build_info): git describe of the tree,
# the header rewritten only when it changes
VERSION_H := $(BUILD)/gen/pcf_version.h
.PHONY: FORCE
$(VERSION_H): FORCE
	@mkdir -p $(@D)
	@v="#define PCF_VERSION \"$$(git describe --always --dirty 2>/dev/null || echo unknown)\""; \
	echo "$$v" | cmp -s - $@ || echo "$$v" >$@
$(BUILD)/daemon/control/metrics.o: $(VERSION_H)

$(BUILD)/pcfctl: $(BUILD)/tools/pcfctl.o $(LIBCTL) $(LIBGENL)
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/tests/%: $(BUILD)/tests/%.o $(LIBS)
	$(CC) $(CFLAGS) -o $@ $< -Wl,--start-group $(LIBS) -Wl,--end-group \
		$(LDLIBS) -lcmocka

# the second client speaks the protocol through libnl-genl-3 alone
NLCLIENT := $(BUILD)/tests/tools/pcf-nlclient
$(NLCLIENT).o: override CFLAGS += \
	$(shell pkg-config --cflags libnl-genl-3.0 2>/dev/null || echo -I/usr/include/libnl3)
$(NLCLIENT): LDLIBS += -lnl-genl-3 -lnl-3

$(BUILD)/bench/%: $(BUILD)/bench/%.o $(LIBS)
	$(CC) $(CFLAGS) -o $@ $< -Wl,--start-group $(LIBS) -Wl,--end-group \
		$(LDLIBS)

# install: binaries, unit, man pages, and the example configuration (never
# over an operator's own).  DESTDIR stages, PREFIX moves the binaries (the
# unit's ExecStart= follows) and the man pages; unit and configuration go
# where systemd and pcfd look for them.
SBINDIR	:= $(PREFIX)/sbin
MAN8DIR	:= $(PREFIX)/share/man/man8
UNITDIR	:= /lib/systemd/system
CONFDIR	:= /etc/pcf

install: $(BINS)
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(MAN8DIR) \
		$(DESTDIR)$(UNITDIR) $(DESTDIR)$(CONFDIR)
	install -m 0755 $(BINS) $(DESTDIR)$(SBINDIR)/
	sed 's|/usr/local/sbin/|$(SBINDIR)/|g' systemd/pcf.service \
		>$(DESTDIR)$(UNITDIR)/pcf.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/pcf.service
	install -m 0644 docs/pcfd.8 docs/pcfctl.8 $(DESTDIR)$(MAN8DIR)/
	@if [ -e $(DESTDIR)$(CONFDIR)/pcfd.conf ]; then \
		echo "install: keeping $(DESTDIR)$(CONFDIR)/pcfd.conf"; \
	else \
		install -m 0644 systemd/pcfd.conf $(DESTDIR)$(CONFDIR)/pcfd.conf; \
	fi
	@[ -n "$(DESTDIR)" ] || echo "install: now systemctl daemon-reload, set interface in $(CONFDIR)/pcfd.conf, systemctl enable --now pcf"

uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/pcfd $(DESTDIR)$(SBINDIR)/pcfctl \
		$(DESTDIR)$(UNITDIR)/pcf.service \
		$(DESTDIR)$(MAN8DIR)/pcfd.8 $(DESTDIR)$(MAN8DIR)/pcfctl.8
	@if cmp -s systemd/pcfd.conf $(DESTDIR)$(CONFDIR)/pcfd.conf; then \
		rm -f $(DESTDIR)$(CONFDIR)/pcfd.conf; \
		rmdir $(DESTDIR)$(CONFDIR) 2>/dev/null || true; \
	elif [ -e $(DESTDIR)$(CONFDIR)/pcfd.conf ]; then \
		echo "uninstall: keeping the edited $(DESTDIR)$(CONFDIR)/pcfd.conf"; \
	fi

clean:
	rm -rf $(BUILD)

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

-include $(shell find $(BUILD) -path $(BUILD)/image -prune -o -name '*.d' -type f -print 2>/dev/null)
