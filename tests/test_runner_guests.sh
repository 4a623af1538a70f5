#!/usr/bin/env bash
# run-qemu.sh exit codes produced by real guests: a kernel panic, a guest that hangs, QEMU that
# cannot start, a kernel build interrupted by SIGINT that the next run must rebuild rather than
# trust; two runs sharing a cache at once; a cache on a full filesystem.
set -euo pipefail
cd "$(dirname "$0")/.."
source tests/lib.sh
source scripts/common.sh
source scripts/kernel.sh

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
interrupt_series=${PFNMAP_TEST_INTERRUPT_SERIES:-5.10}
cache=

complete_builds() { find "$1/build" -name .pfnmap-build 2>/dev/null | wc -l; }

# Whether make is compiling kernel objects in a staging dir other than IGNORE.
compiling_in_staging() {
	local ignore=$1 staging
	for staging in "$cache"/build/*.tmp.*; do
		# init/ is among the first kernel directories make compiles.
		[[ $staging != "$ignore" ]] && compgen -G "$staging/init/*.o" >/dev/null && return 0
	done
	return 1
}

# wait_until_compiling PID LOG [IGNORE_STAGING]
wait_until_compiling() {
	local pid=$1 log=$2 ignore=${3:-} waited=0
	until compiling_in_staging "$ignore"; do
		sleep 2
		waited=$((waited + 2))
		if ((waited > 900)) || ! kill -0 "$pid" 2>/dev/null; then
			echo "the build never started"
			cat "$log"
			return 1
		fi
	done
}

# Starts a boot-only run in the private cache as a process group of its own, with SIGINT at
# its default: without job control an asynchronous command ignores SIGINT (POSIX), and so does
# everything started from a shell that was itself started in the background.
start_in_own_group() {
	local log=$1
	set -m
	env --default-signal=INT PFNMAP_CACHE="$cache" ./run-qemu.sh --kernel "$interrupt_series" \
		--boot-only --results "$tmp/results" >"$log" 2>&1 &
	set +m
}

interrupt() {
	local pid=$1
	kill -INT -- "-$pid"
	if wait "$pid"; then
		echo "an interrupted run exited 0"
		return 1
	fi
}

# Interrupts a cold build of one series in a private cache (sharing the real source tree), then
# checks that nothing half-built is trusted: the next run sweeps the leftovers and builds again
# instead of booting (it is interrupted in turn once it compiles, to keep the test short).
interrupted_build_is_rebuilt() {
	local tree pid leftover
	cache=$tmp/cache
	tree=$(source_tree_for_series "$interrupt_series")
	mkdir -p "$cache/src"
	ln -s "$tree" "$cache/src/"
	start_in_own_group "$tmp/first.log"
	pid=$!
	wait_until_compiling "$pid" "$tmp/first.log" || return 1
	leftover=$(compgen -G "$cache/build/*.tmp.*")
	interrupt "$pid" || return 1
	if (($(complete_builds "$cache") != 0)); then
		echo "an interrupted build left a complete-looking cache entry"
		return 1
	fi
	start_in_own_group "$tmp/second.log"
	pid=$!
	wait_until_compiling "$pid" "$tmp/second.log" "$leftover" || return 1
	interrupt "$pid" || return 1
	grep -q "removing $(basename "$leftover"), left by an interrupted run" "$tmp/second.log" ||
		{ echo "the second run did not sweep $leftover"; cat "$tmp/second.log"; return 1; }
	grep -q "building" "$tmp/second.log" || { echo "the second run did not rebuild"; return 1; }
	grep -q "booting" "$tmp/second.log" && { echo "the second run booted a half-built kernel"; return 1; }
	[[ ! -e $leftover ]] || { echo "$leftover is still there"; return 1; }
}

# A private cache whose source tree and kernel build are the real cache's (linked): what is
# left to build is the module and the probe.
cache_with_kernel() {
	local dir=$1 tree build
	tree=$(source_tree_for_series "$(catalog_default_series)")
	build=$(built_kernel "$tree" "$(nproc)")
	mkdir -p "$dir/src" "$dir/build"
	ln -sfn "$tree" "$dir/src/"
	ln -sfn "$build" "$dir/build/"
}

# Two runs at once on one cache, both needing the module and the probe nobody has built yet:
# each is built once, the other run waits for it and boots with it.
concurrent_runs_build_once() {
	local shared=$tmp/shared a b rc_a=0 rc_b=0 logs
	cache_with_kernel "$shared"
	PFNMAP_CACHE=$shared ./run-qemu.sh --boot-only --results "$tmp/results" >"$tmp/run-a.log" 2>&1 &
	a=$!
	PFNMAP_CACHE=$shared ./run-qemu.sh --boot-only --results "$tmp/results" >"$tmp/run-b.log" 2>&1 &
	b=$!
	wait "$a" || rc_a=$?
	wait "$b" || rc_b=$?
	logs=$(cat "$tmp/run-a.log" "$tmp/run-b.log")
	[[ $rc_a == 0 && $rc_b == 0 ]] || { echo "exits $rc_a and $rc_b"; echo "$logs"; return 1; }
	(($(grep -c 'building pfnmap_dev.ko' <<<"$logs") == 1)) || { echo "module not built once"; echo "$logs"; return 1; }
	(($(grep -c 'building pfnmap-probe' <<<"$logs") == 1)) || { echo "probe not built once"; echo "$logs"; return 1; }
	grep -q 'waiting for another run' <<<"$logs" || { echo "no run waited"; echo "$logs"; return 1; }
	! compgen -G "$shared/module/*.tmp.*" >/dev/null || { echo "staging left in module/"; return 1; }
}

# expect_full_cache KEEP_KB PATTERN [ENV...]: a cache on a 50 MB tmpfs holding the kernel
# (linked) and filled but for KEEP_KB: the run exits 2 with a message matching PATTERN, and
# leaves no module or probe entry, complete or half-written.
expect_full_cache() {
	local keep_kb=$1 pattern=$2 mnt=$tmp/full rc=0 avail_kb entries
	shift 2
	mkdir -p "$mnt"
	if ! mount -t tmpfs -o size=50m tmpfs "$mnt" 2>/dev/null; then
		echo "skipped: mounting a tmpfs needs root"
		return 0
	fi
	cache_with_kernel "$mnt"
	avail_kb=$(df -Pk "$mnt" | awk 'NR == 2 { print $4 }')
	dd if=/dev/zero of="$mnt/filler" bs=1k count=$((avail_kb - keep_kb)) status=none 2>/dev/null || true
	env PFNMAP_CACHE="$mnt" "$@" ./run-qemu.sh --boot-only --results "$tmp/results" \
		>/dev/null 2>"$tmp/full.err" || rc=$?
	entries=$(find "$mnt/module" "$mnt/probe" -mindepth 1 -maxdepth 1 ! -name '*.lock' 2>/dev/null || true)
	umount "$mnt"
	[[ $rc == "$EXIT_INFRA" ]] || { echo "exit $rc, want $EXIT_INFRA"; cat "$tmp/full.err"; return 1; }
	grep -qE "$pattern" "$tmp/full.err" || { echo "the message does not say the cache is full:"; cat "$tmp/full.err"; return 1; }
	[[ -z $entries ]] || { echo "entries left in the full cache: $entries"; return 1; }
}

# QEMU refuses a guest of 100 TB before any kernel runs: infrastructure, in QEMU's words.
qemu_start_failure_is_infra() {
	local err rc=0
	err=$(./run-qemu.sh --results "$tmp/results" --boot-only --memory 100000000 2>&1 >/dev/null) || rc=$?
	[[ $rc == "$EXIT_INFRA" ]] || { echo "exit $rc, want $EXIT_INFRA"; echo "$err"; return 1; }
	grep -q 'QEMU failed to start (exit 1): qemu-system-x86_64: cannot set up guest memory' <<<"$err" ||
		{ echo "QEMU's message is missing:"; echo "$err"; return 1; }
}

check "two runs sharing a cache at once build the module and the probe once, both boot" \
	concurrent_runs_build_once
check "a cache with 5 MiB free: exit $EXIT_INFRA before building the module, naming the space" \
	expect_full_cache 5120 'only [0-9]+ MiB free under .*, need 20 MiB'
check "a cache that fills up during the module build: exit $EXIT_INFRA saying so, no entry" \
	expect_full_cache 64 'filesystem of .* is full' PFNMAP_CACHE_MIN_FREE_MB=0
check "QEMU that cannot start (no memory for the guest) exits $EXIT_INFRA with its message" \
	qemu_start_failure_is_infra
check "a guest kernel panic exits $EXIT_SPLAT" expect_exit "$EXIT_SPLAT" \
	./run-qemu.sh --results "$tmp/results" --exec 'echo c > /proc/sysrq-trigger'
check "a hung guest exits $EXIT_HANG within its --timeout" expect_exit "$EXIT_HANG" \
	./run-qemu.sh --results "$tmp/results" --timeout 30 --exec 'sleep 600'
check "a failing guest command exits $EXIT_CHANGED" expect_exit "$EXIT_CHANGED" \
	./run-qemu.sh --results "$tmp/results" --exec 'false'
check "an unusable device after a good insmod fails the run (exit $EXIT_CHANGED), never skips" \
	expect_exit "$EXIT_CHANGED" ./run-qemu.sh --results "$tmp/results" \
	--case 'dev.remap.dx.none.allow:*' --probe-arg --device=/dev/null
check "a kernel build interrupted by SIGINT is rebuilt by the next run" interrupted_build_is_rebuilt
summary
