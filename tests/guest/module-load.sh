#!/bin/sh
# Runs inside the guest (busybox sh) after the runner loaded pfnmap_dev with default
# parameters: unload, then every bad load parameter must fail with its errno and one
# message, and a good load must work again. Prints one line per check, then a summary.
passed=0
failed=0

pass() { passed=$((passed + 1)); echo "ok - $1"; }
fail() { failed=$((failed + 1)); echo "not ok - $1"; }

# expect_load_error NAME ERRNO_TEXT PARAMS...
expect_load_error() {
	name=$1 want=$2
	shift 2
	dmesg -c >/dev/null
	if out=$(insmod /pfnmap/pfnmap_dev.ko "$@" 2>&1); then
		fail "$name: insmod $* succeeded"
		rmmod pfnmap_dev
		return
	fi
	# busybox insmod retries a failed finit_module() with init_module(), so the module's
	# init runs twice: count distinct messages.
	lines=$(dmesg | grep 'pfnmap_dev: ' | sed 's/^\[[^]]*\] //' | sort -u | wc -l)
	case "$out" in
	*"$want"*) ;;
	*) fail "$name: insmod said '$out', want '$want'"; return ;;
	esac
	if [ "$lines" -ne 1 ]; then
		fail "$name: $lines pfnmap_dev log lines, want exactly 1"
		return
	fi
	pass "$name ($want: $(dmesg | grep 'pfnmap_dev: ' | sed 's/^\[[^]]*\] //' | sort -u))"
}

# check NAME COMMAND...
check() {
	name=$1
	shift
	if "$@"; then pass "$name"; else fail "$name"; fi
}

check "/dev/pfnmap has mode 0600" test "$(stat -c %a /dev/pfnmap)" = 600
check "unload with no mapping" rmmod pfnmap_dev

expect_load_error "zero region_size" "Invalid argument" region_size=0
expect_load_error "unaligned region_size" "Invalid argument" region_size=0x1001
expect_load_error "region_size beyond 4 MiB" "Invalid argument" region_size=0x10000000
expect_load_error "phys_base without phys_size" "Invalid argument" phys_base=0x8000000
expect_load_error "unaligned phys_base" "Invalid argument" phys_base=0x8000800 phys_size=0x1000
expect_load_error "overflowing phys range" "Invalid argument" phys_base=0xfffffffffffff000 phys_size=0x2000
expect_load_error "System RAM as phys range" "Invalid argument" phys_base=0x1000000 phys_size=0x100000
# Reserved, but by the firmware, not by a memmap= of the command line (QEMU's e820 reserves
# the BIOS flash at 0xfffc0000): the module would overwrite it, so it refuses unless told.
expect_load_error "reserved range no memmap= covers" "Invalid argument" phys_base=0xfffc0000 phys_size=0x10000
check "i_know_this_is_reserved_ram=1 loads that range" \
	insmod /pfnmap/pfnmap_dev.ko phys_base=0xfffc0000 phys_size=0x10000 i_know_this_is_reserved_ram=1
check "and unloads" rmmod pfnmap_dev
# run-qemu.sh --memmap reserves 16M at 0x8000000 (memmap=16M$0x8000000).
if grep -q 'memmap=' /proc/cmdline; then
	expect_load_error "phys range past the reservation" "Invalid argument" phys_base=0x8000000 phys_size=0x2000000
	dmesg -c >/dev/null
	check "memmap range loads" insmod /pfnmap/pfnmap_dev.ko phys_base=0x8000000 phys_size=0x1000000
	check "memmap range loads with one log line" test "$(dmesg | grep -c 'pfnmap_dev: ')" -eq 1
	check "memmap range is claimed in /proc/iomem" grep -q 'pfnmap_dev' /proc/iomem
	check "memmap module unloads" rmmod pfnmap_dev
	check "a part of the memmap= range loads" insmod /pfnmap/pfnmap_dev.ko phys_base=0x8100000 phys_size=0x100000
	check "and unloads" rmmod pfnmap_dev
fi

check "default load after the failures" insmod /pfnmap/pfnmap_dev.ko
# The runner's list of lines of concern (userspace/log-concern.txt), packed into the initramfs.
check "the list of lines of concern is in the initramfs" test -s /pfnmap/log-concern.txt
if dmesg | grep -qE -f /pfnmap/log-concern.txt; then
	fail "no splat in the kernel log"
	dmesg | grep -E -A5 -f /pfnmap/log-concern.txt
else
	pass "no splat in the kernel log"
fi
echo "module-load: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
