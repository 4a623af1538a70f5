#!/usr/bin/env bash
# run-qemu.sh exit codes produced by real guests: a kernel panic, a guest that hangs, and a
# kernel build interrupted by SIGINT that the next run must rebuild rather than trust.
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
