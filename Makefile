# SPDX-License-Identifier: MIT
# Flashvisor build. Everything generated goes to build/ (out of tree).
#   make run    install what is missing, build everything, boot it in QEMU
#   make test   every test tier; ends with "N passed, N failed"
#   make fuzz   long fuzzing campaigns (FUZZ_SECONDS each)

PLAT ?= qemu-virt
B := build
CONFIG ?= configs/two-linux.dts
CROSS ?= aarch64-linux-gnu-
HOSTCC ?= gcc
VERSION := $(shell git describe --always --dirty 2>/dev/null || echo unknown)

WARN := -Wall -Wextra -Werror -Wshadow -Wmissing-prototypes -Wstrict-prototypes -Wundef \
	-Wno-unused-parameter
INC := -Iinclude -Iplat/$(PLAT)/include -Iarch/aarch64/include

# ---- the hypervisor (AArch64, freestanding, no FP/SIMD: those registers are the guest's) ----
HV_CC := $(CROSS)gcc
HV_CFLAGS := -std=c11 -O2 -g $(WARN) $(INC) -ffreestanding -fno-builtin -nostdinc \
	-isystem $(shell $(CROSS)gcc -print-file-name=include) \
	-mgeneral-regs-only -mstrict-align -mno-outline-atomics -march=armv8-a \
	-fno-delete-null-pointer-checks -fno-tree-loop-distribute-patterns -fno-stack-protector \
	-fno-pic -fno-pie -fno-common -ffunction-sections -fdata-sections -MMD -MP
HV_LDFLAGS := -nostdlib -static -no-pie -Wl,--gc-sections -Wl,-T,plat/$(PLAT)/hv.ld \
	-Wl,--build-id=none -Wl,-z,noexecstack
CORE_SRC := $(sort $(shell find core -name '*.c'))
LIB_SRC := $(wildcard lib/*.c)
HV_SRC := $(CORE_SRC) $(LIB_SRC) $(wildcard arch/aarch64/*.c) $(wildcard plat/$(PLAT)/*.c)
HV_ASM := $(wildcard arch/aarch64/*.S)
HV_OBJ := $(patsubst %.c,$(B)/hv/%.o,$(HV_SRC)) $(patsubst %.S,$(B)/hv/%.o,$(HV_ASM)) $(B)/hv/version.o
# Code that runs once or at a human's pace (boot, checks, VM set-up, the
# console commands, formatting) is built for size; exits and the run loop
# stay -O2. docs/performance.md has the figures.
HV_COLD_SRC := $(wildcard core/boot/*.c) core/console/hvcons.c core/console/log.c core/dev/device.c \
	core/dev/table.c core/vm/lifecycle.c core/vm/panic_check.c core/vm/s2.c arch/aarch64/probe.c lib/str_copy.c \
	lib/fmt.c lib/dtb.c arch/aarch64/debug.c arch/aarch64/workaround.c arch/aarch64/smccc.c arch/aarch64/vcpu_reset.c
$(patsubst %.c,$(B)/hv/%.o,$(HV_COLD_SRC)): HV_CFLAGS += -Os

.PHONY: all hv tools guest guests image run test unit unit-build fuzz fuzz-build fuzz-smoke integration bench deps \
	clean distclean lint lint-clang lint-cppcheck lint-tidy check-format format
all: image

hv: $(B)/flashvisor.bin

$(B)/hv/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(HV_CC) $(HV_CFLAGS) -c $< -o $@

$(B)/hv/%.o: %.S
	@mkdir -p $(dir $@)
	@echo "  AS      $<"
	@$(HV_CC) $(HV_CFLAGS) -D__ASSEMBLY__ -c $< -o $@

$(B)/hv/version.c: FORCE
	@mkdir -p $(dir $@)
	@echo 'const char hv_version[] = "$(VERSION)";' > $@.tmp
	@cmp -s $@.tmp $@ && rm -f $@.tmp || mv $@.tmp $@

$(B)/hv/version.o: $(B)/hv/version.c
	@$(HV_CC) $(HV_CFLAGS) -c $< -o $@

$(B)/flashvisor.elf: $(HV_OBJ) plat/$(PLAT)/hv.ld
	@echo "  LD      $@"
	@$(HV_CC) $(HV_CFLAGS) $(HV_LDFLAGS) $(HV_OBJ) -o $@ -lgcc

$(B)/flashvisor.bin: $(B)/flashvisor.elf
	@$(CROSS)objcopy -O binary $< $@
	@echo "  BIN     $@ ($$(stat -c %s $@) bytes)"

# ---- host side: the image tool (shares the manifest, validator and SHA-256 with the hypervisor) ----
HOST_CFLAGS := -std=gnu11 -O2 -g $(WARN) $(INC) -DFV_HOST -MMD -MP
SHARED_SRC := core/boot/manifest.c core/boot/image.c lib/sha256.c lib/fmt.c lib/str_copy.c
# The tool is a library that fvimage and the config fuzzer link (a test of the tool links the
# same list): every file but main.c (the command line) and host_arch.c (the tool's arch; tests
# bring the fake one).
FVIMAGE_LIB_SRC := $(filter-out tools/fvimage/main.c tools/fvimage/host_arch.c,$(wildcard tools/fvimage/*.c))
FVIMAGE_LIB := $(B)/host/libfvimage.a
TOOL_SRC := tools/fvimage/main.c tools/fvimage/host_arch.c $(SHARED_SRC)
TOOL_OBJ := $(patsubst %.c,$(B)/host/%.o,$(TOOL_SRC))
FVIMAGE := $(B)/host/fvimage

tools: $(FVIMAGE)

$(B)/host/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  $<"
	@$(HOSTCC) $(HOST_CFLAGS) -c $< -o $@

$(FVIMAGE_LIB): $(patsubst %.c,$(B)/host/%.o,$(FVIMAGE_LIB_SRC))
	@echo "  AR      $@"
	@rm -f $@ && ar rcs $@ $^

$(FVIMAGE): $(TOOL_OBJ) $(FVIMAGE_LIB)
	@echo "  LD      $@"
	@$(HOSTCC) $(TOOL_OBJ) $(FVIMAGE_LIB) -o $@ -lfdt

# ---- fvtest: the bare-metal misbehaving guest of the fault-containment tests ----
# It runs with its MMU off, where nothing is read-only or execute-never: one RWX segment is the truth.
FVTEST_SRC := $(wildcard guests/fvtest/*.c) lib/fmt.c lib/dtb.c lib/string.c lib/str_copy.c
FVTEST_OBJ := $(patsubst %.c,$(B)/fvtest/%.o,$(FVTEST_SRC)) \
	$(patsubst %.S,$(B)/fvtest/%.o,$(wildcard guests/fvtest/*.S))
FVTEST := $(B)/guests/fvtest.bin

$(B)/fvtest/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $< (fvtest)"
	@$(HV_CC) $(HV_CFLAGS) -Iguests/fvtest -c $< -o $@

$(B)/fvtest/%.o: %.S
	@mkdir -p $(dir $@)
	@$(HV_CC) $(HV_CFLAGS) -D__ASSEMBLY__ -c $< -o $@

$(FVTEST): $(FVTEST_OBJ) guests/fvtest/fvtest.ld
	@mkdir -p $(dir $@)
	@$(HV_CC) $(HV_CFLAGS) -nostdlib -static -no-pie -Wl,--gc-sections -Wl,-T,guests/fvtest/fvtest.ld \
		-Wl,--build-id=none -Wl,--no-warn-rwx-segments $(FVTEST_OBJ) -o $(B)/fvtest/fvtest.elf -lgcc
	@$(CROSS)objcopy -O binary $(B)/fvtest/fvtest.elf $@
	@echo "  BIN     $@"

guests: $(FVTEST)

# ---- guests: Debian's arm64 kernel and busybox, fetched at build time ----
GUEST := $(B)/guest
guest: $(GUEST)/Image $(GUEST)/initrd.gz

$(GUEST)/Image:
	@scripts/fetch-guest.sh $(GUEST)

$(GUEST)/initrd.gz: $(GUEST)/Image guest/rc guest/inittab guest/profile guest/mkinitramfs.sh
	@guest/mkinitramfs.sh $(GUEST) guest $@
	@echo "  INITRD  $@"

# ---- the flash image ----
IMAGE := $(B)/flash.bin
image: $(IMAGE)

$(IMAGE): $(B)/flashvisor.bin $(FVIMAGE) $(CONFIG) $(GUEST)/Image $(GUEST)/initrd.gz
	@$(FVIMAGE) --hv $(B)/flashvisor.bin -I $(GUEST) -o $@ $(CONFIG)

# ---- run it: the board flash is the whole firmware ----
QEMU_SMP ?= 4
QEMU_MEM ?= 2G
QEMU := qemu-system-aarch64 -M virt,virtualization=on,secure=off,gic-version=3 -cpu cortex-a57 \
	-smp $(QEMU_SMP) -m $(QEMU_MEM) -nic none -display none -monitor none \
	-chardev stdio,id=s0,signal=off -serial chardev:s0

run: deps
	@$(MAKE) --no-print-directory image
	@echo "Booting $(IMAGE) (Ctrl-A three times switches the console between VMs)"
	$(QEMU) -bios $(IMAGE) $(QEMU_EXTRA)

deps:
	@scripts/deps.sh

# ---- tests ----
# Host unit tests: core logic on the fake arch, under ASan and UBSan.
SAN := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
UNIT_CFLAGS := -std=gnu11 -O1 -g $(WARN) -Wno-missing-prototypes $(INC) -Iarch/fake/include -Itests/common -DFV_HOST $(SAN) -MMD -MP
CORE_HOST_SRC := $(CORE_SRC) $(filter-out lib/string.c,$(LIB_SRC)) arch/fake/fake.c arch/aarch64/pte.c \
	arch/aarch64/workaround.c arch/aarch64/el2map.c
CORE_HOST_OBJ := $(patsubst %.c,$(B)/unit/%.o,$(CORE_HOST_SRC))
UNIT_TESTS := $(patsubst tests/unit/%.c,$(B)/unit/bin/%,$(wildcard tests/unit/test_*.c))

$(B)/unit/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  UNITCC  $<"
	@$(HOSTCC) $(UNIT_CFLAGS) -c $< -o $@

$(B)/unit/bin/%: tests/unit/%.c $(CORE_HOST_OBJ) $(B)/unit/tests/common/testbed.o
	@mkdir -p $(dir $@)
	@echo "  UNIT    $@"
	@$(HOSTCC) $(UNIT_CFLAGS) -Itests/common $< $(CORE_HOST_OBJ) $(B)/unit/tests/common/testbed.o -o $@ -lcmocka -lfdt

unit-build: $(UNIT_TESTS)

unit: deps unit-build
	@scripts/run-unit.sh $(UNIT_TESTS)

# Fuzzers: libFuzzer with ASan and UBSan, one per parser and per emulated register file.
FUZZ_CC ?= clang
FUZZ_CFLAGS := -std=gnu11 -O1 -g $(INC) -Iarch/fake/include -DFV_HOST -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=all -Wall -Wno-unused-parameter
FUZZERS := $(patsubst tests/fuzz/%.c,$(B)/fuzz/%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_SECONDS ?= 600
FUZZ_TEST_SECONDS ?= 15

# A fuzzer that needs more than core/ (a tool's parser) names it in FUZZ_SRC_<fuzzer>.
FUZZ_SRC_fuzz_config := $(FVIMAGE_LIB_SRC)
# Each fuzzer is one clang command over all its sources, so no object of its
# own records what it included: any header it can reach rebuilds them all.
FUZZ_HDR := $(shell find include core lib arch plat tools tests/common tests/fuzz -name '*.h')
.SECONDEXPANSION:
$(B)/fuzz/%: tests/fuzz/%.c $(CORE_HOST_SRC) tests/common/testbed.c $(FUZZ_HDR) $$(FUZZ_SRC_$$*)
	@mkdir -p $(dir $@)
	@echo "  FUZZ    $@"
	@$(FUZZ_CC) $(FUZZ_CFLAGS) -Itests/common $< $(FUZZ_SRC_$*) $(CORE_HOST_SRC) tests/common/testbed.c -o $@ -lfdt

fuzz-build: $(FUZZERS)

# The smoke run in make test is repeatable: a fixed libFuzzer seed, so CI and
# a developer's clean clone try the same inputs (a slower machine, fewer of
# them). The long campaigns explore with a new seed each run.
FUZZ_TEST_SEED ?= 1
fuzz-smoke: deps fuzz-build
	@FUZZ_SEED=$(FUZZ_TEST_SEED) scripts/run-fuzz.sh $(FUZZ_TEST_SECONDS) $(FUZZERS)

fuzz: deps fuzz-build
	@scripts/run-fuzz.sh $(FUZZ_SECONDS) $(FUZZERS)

# QEMU integration tests: real guests, what a user sees. K selects tests by
# name as pytest -k does: make integration K=restart. Debian's pytest, run
# by Debian's python (not whatever python3 is first on PATH); it writes
# nothing into the tree (no cache, no bytecode), only build/tests/.
integration: deps image tools $(FVTEST)
	@PYTHONDONTWRITEBYTECODE=1 /usr/bin/python3 -m pytest tests/integration -p no:cacheprovider -v -rfE \
		$(if $(K),-k "$(K)")

test: deps
	@$(MAKE) --no-print-directory all tools
	@scripts/run-tests.sh

# ---- form and static analysis ----
# Gates: each fails (non-zero) on any finding, and make test counts them as
# the tiers "format" and "lint".
#   make check-format  every tracked C file is as .clang-format (clang-format
#                      14, Debian 12's: other versions break lines otherwise)
#                      has it; prints the files that are not
#   make format        rewrites those same files so
#   make lint          the hypervisor compiled by clang too (same warnings,
#                      -Werror), cppcheck, and clang-tidy with the checks of
#                      .clang-tidy, where every warning is an error
CLANG_FORMAT ?= clang-format
CLANG_TIDY ?= clang-tidy
CPPCHECK ?= cppcheck
# What git tracks (a tarball without .git: what find sees outside build/).
FORMAT_SRC = $(shell git ls-files '*.c' '*.h' 2>/dev/null || find . -path ./$(B) -prune -o -name '*.[ch]' -print)

check-format:
	@command -v $(CLANG_FORMAT) >/dev/null || { echo "check-format: no $(CLANG_FORMAT) (make deps)"; \
		echo "RESULT format 0 1"; exit 1; }
	@echo "  FORMAT  $(words $(FORMAT_SRC)) files ($$($(CLANG_FORMAT) --version | sed 's/.*version \([0-9.]*\).*/\1/'))"
	@bad=0; for f in $(FORMAT_SRC); do \
		$(CLANG_FORMAT) --dry-run --Werror "$$f" 2>/dev/null && continue; \
		echo "FAIL format $$f: $$($(CLANG_FORMAT) --dry-run "$$f" 2>&1 | grep -c 'warning:') places differ"; \
		bad=$$((bad + 1)); \
	done; \
	if [ $$bad -ne 0 ]; then \
		echo "check-format: $$bad files differ from .clang-format: clang-format --dry-run FILE shows where, make format rewrites them"; \
		echo "RESULT format 0 1"; exit 1; \
	fi; echo "RESULT format 1 0"

format:
	@$(CLANG_FORMAT) -i $(FORMAT_SRC)

# Every pass runs even when one fails, so one run lists every finding.
LINT_PASSES := lint-clang lint-cppcheck lint-tidy
LINT_SRC := $(CORE_SRC) $(LIB_SRC) $(wildcard arch/aarch64/*.c) $(wildcard plat/$(PLAT)/*.c)
CPPCHECK_SRC := $(LINT_SRC) $(wildcard arch/fake/*.c) $(wildcard tools/*/*.c)
TIDY_SRC := $(CORE_SRC) $(LIB_SRC) $(wildcard tools/*/*.c)

lint:
	@passed=0; failed=0; for t in $(LINT_PASSES); do \
		if $(MAKE) --no-print-directory $$t; then passed=$$((passed + 1)); \
		else failed=$$((failed + 1)); echo "FAIL lint: $$t"; fi; \
	done; echo "RESULT lint $$passed $$failed"; [ $$failed -eq 0 ]

lint-clang:
	@echo "  CLANG   $(words $(LINT_SRC)) files of the hypervisor (aarch64, -Werror)"
	@rc=0; for f in $(LINT_SRC); do clang --target=aarch64-linux-gnu -std=c11 $(WARN) $(INC) -ffreestanding \
		-nostdinc -isystem $$(clang -print-resource-dir)/include -mgeneral-regs-only -fsyntax-only $$f || rc=1; \
	done; exit $$rc

lint-cppcheck:
	@echo "  CPPCHECK $(words $(CPPCHECK_SRC)) files"
	@$(CPPCHECK) --quiet --enable=warning,performance,portability --error-exitcode=1 $(INC) -Iarch/fake/include \
		-DFV_HOST --suppress=missingIncludeSystem --suppress=unknownMacro:tools/fvimage/config.c $(CPPCHECK_SRC)

# clang-tidy says "N warnings generated." for what it filtered out (system
# headers, NOLINT): that is noise, its findings and errors are not.
lint-tidy:
	@echo "  TIDY    $(words $(TIDY_SRC)) files of core/ lib/ tools/ (.clang-tidy)"
	@mkdir -p $(B)/lint
	@rc=0; $(CLANG_TIDY) --quiet $(TIDY_SRC) -- -std=gnu11 $(INC) -DFV_HOST > $(B)/lint/tidy.log 2>&1 || rc=$$?; \
	grep -v '^[0-9]* warnings\{0,1\} generated\.$$' $(B)/lint/tidy.log; exit $$rc

# Phony, or .SECONDARY below would let make treat it as an intermediate that
# need not exist, and the version (and the banner) would go stale.
.PHONY: FORCE
FORCE:
.SECONDARY:

# clean removes everything the build and the tests wrote (objects, binaries,
# images, fuzz corpora and findings, test and bench output) but what was
# fetched: the guest kernel (build/guest) and the apt lists that fetched it.
# distclean removes build/ entirely; the next build fetches the guest again.
clean:
	@[ ! -d $(B) ] || find $(B) -mindepth 1 -maxdepth 1 ! -name guest ! -name apt-arm64 -exec rm -rf {} +
	@echo "  CLEAN   $(B)/ (kept: $(GUEST))"

distclean:
	rm -rf $(B)

-include $(shell find $(B)/hv $(B)/unit $(B)/host $(B)/fvtest -name "*.d" 2>/dev/null)
