# SPDX-License-Identifier: GPL-2.0
# pfnmap_dev: the module (Kbuild), the userspace probe, and the project's checks.

KDIR ?= /lib/modules/$(shell uname -r)/build
PWD := $(CURDIR)

.PHONY: all modules userspace check check-host check-build check-qemu matrix check-whatif stress bench install clean

all: modules userspace

modules:
	@test -d "$(KDIR)" || { echo "make: no kernel build tree at KDIR=$(KDIR) (install linux-headers-$$(uname -r) or pass KDIR=)" >&2; exit 2; }
	$(MAKE) -C $(KDIR) M=$(PWD) W=1 modules

userspace:
	$(MAKE) -C userspace

install: modules
	$(MAKE) -C $(KDIR) M=$(PWD) modules_install

# The README's test command: host unit tests, the module built against every
# catalog kernel and Debian's own headers, and the probe in QEMU on every kernel.
check:
	tests/run-all.sh

check-host:
	tests/run-all.sh host

check-build:
	tests/run-all.sh build

check-qemu:
	tests/run-all.sh qemu

# Every catalog kernel and every what-if variant, with the report.
matrix:
	./run-qemu.sh --matrix

# The what-if kernels' x86 PAT behaviour on a memmap= region (builds the variants if needed).
check-whatif:
	tests/test_whatif_pat.sh

# The long stress run: pfnmap-stress on the debug flavors and the what-if variants, over kernel
# pages and a memmap= region (STRESS_SECONDS, default 300 per guest; STRESS_SEED; STRESS_COLUMNS).
stress:
	tests/stress.sh

bench:
	tests/bench.sh

clean:
	-test -d "$(KDIR)" && $(MAKE) -C $(KDIR) M=$(PWD) clean
	$(MAKE) -C userspace clean
