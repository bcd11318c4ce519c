# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# pcf: everything builds into $(BUILD).  Sources are found by their folder:
#   bpf/*.bpf.c, bench/*.bpf.c, tests/**/*.bpf.c   BPF objects (+ skeletons)
#   genl/*.c                   libpcfgenl.a  (the protocol, both sides)
#   daemon/*.c but pcfd.c      libpcfd.a     (loader, rules, workers, ...)
#   tools/*.c but pcfctl.c     libpcfctl.a   (CLI parsing and printing)
#   tests/unit/*.c, tests/bpf/*.c   one test program each
#   tests/tools/*.c, bench/*.c one helper program each
# so adding a file needs no Makefile change.

BUILD	?= build
CC	?= gcc
CLANG	?= clang
BPFTOOL	?= bpftool
PREFIX	?= /usr/local
DESTDIR	?=

ARCH_INC := /usr/include/$(shell $(CC) -dumpmachine)

CFLAGS	?= -O2 -g
override CFLAGS += -std=gnu11 -Wall -Wextra -Werror -Wno-unused-parameter \
	-D_GNU_SOURCE -Ibpf -Igenl -Idaemon -Itools -I$(BUILD)/skel -MMD -MP
LDLIBS	:= -lbpf -lxdp -lmnl -ljson-c -lsystemd -lelf -lz -lpthread

BPF_CFLAGS := -target bpf -O2 -g -Wall -Wextra -Werror \
	-Wno-unused-parameter -I$(ARCH_INC) -Ibpf

BPF_SRCS   := $(wildcard bpf/*.bpf.c bench/*.bpf.c tests/*/*.bpf.c)
BPF_OBJS   := $(BPF_SRCS:%.bpf.c=$(BUILD)/%.bpf.o)
SKELS      := $(foreach s,$(BPF_SRCS),$(BUILD)/skel/$(notdir $(s:.bpf.c=.skel.h)))

GENL_OBJS  := $(patsubst %.c,$(BUILD)/%.o,$(wildcard genl/*.c))
PCFD_OBJS  := $(patsubst %.c,$(BUILD)/%.o,$(filter-out daemon/pcfd.c,$(wildcard daemon/*.c)))
CTL_OBJS   := $(patsubst %.c,$(BUILD)/%.o,$(filter-out tools/pcfctl.c,$(wildcard tools/*.c)))

LIBGENL	   := $(BUILD)/libpcfgenl.a
LIBPCFD	   := $(BUILD)/libpcfd.a
LIBCTL	   := $(BUILD)/libpcfctl.a
LIBS	   := $(LIBPCFD) $(LIBCTL) $(LIBGENL)

BINS	   := $(if $(wildcard daemon/pcfd.c),$(BUILD)/pcfd) \
	      $(if $(wildcard tools/pcfctl.c),$(BUILD)/pcfctl)
TESTS	   := $(patsubst %.c,$(BUILD)/%,$(filter-out %.bpf.c,$(wildcard tests/unit/*.c tests/bpf/*.c)))
TOOLS	   := $(patsubst %.c,$(BUILD)/%,$(filter-out %.bpf.c,$(wildcard tests/tools/*.c bench/*.c)))

.PHONY: all deps check demo bench fuzz clean install uninstall format
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
$(LIBPCFD): $(PCFD_OBJS)
$(LIBCTL): $(CTL_OBJS)
$(LIBS):
	@mkdir -p $(@D)
	@rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/pcfd: $(BUILD)/daemon/pcfd.o $(LIBS)
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/pcfctl: $(BUILD)/tools/pcfctl.o $(LIBCTL) $(LIBGENL)
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/tests/%: $(BUILD)/tests/%.o $(LIBS)
	$(CC) $(CFLAGS) -o $@ $< -Wl,--start-group $(LIBS) -Wl,--end-group \
		$(LDLIBS) -lcmocka

$(BUILD)/bench/%: $(BUILD)/bench/%.o $(LIBS)
	$(CC) $(CFLAGS) -o $@ $< -Wl,--start-group $(LIBS) -Wl,--end-group \
		$(LDLIBS)

clean:
	rm -rf $(BUILD)

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
