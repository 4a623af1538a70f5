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

complete_builds() { find "$1/build" -name .pfnmap-build 2>/dev/null | wc -l; }

# Interrupts a cold build of one series in a private cache (sharing the real source tree),
# then checks that nothing half-built is trusted and that the next run builds and boots.
interrupted_build_is_rebuilt() {
	local cache=$tmp/cache tree pid waited=0
	tree=$(source_tree_for_series "$interrupt_series")
	mkdir -p "$cache/src"
	ln -s "$tree" "$cache/src/"
	PFNMAP_CACHE=$cache setsid ./run-qemu.sh --kernel "$interrupt_series" --boot-only \
		--results "$tmp/results" >"$tmp/first.log" 2>&1 &
	pid=$!
	# Interrupt in the middle of make, once object files are appearing.
	until compgen -G "$cache/build/*.tmp.*/mm/*.o" >/dev/null; do
		sleep 2
		waited=$((waited + 2))
		((waited < 600)) || { echo "the build never started"; cat "$tmp/first.log"; return 1; }
	done
	kill -INT -- "-$pid"
	wait "$pid" && { echo "interrupted run exited 0"; return 1; }
	if (($(complete_builds "$cache") != 0)); then
		echo "an interrupted build left a complete-looking cache entry"
		return 1
	fi
	PFNMAP_CACHE=$cache ./run-qemu.sh --kernel "$interrupt_series" --boot-only \
		--results "$tmp/results" >"$tmp/second.log" 2>&1 || { cat "$tmp/second.log"; return 1; }
	grep -q "building" "$tmp/second.log" || { echo "second run did not rebuild"; return 1; }
	(($(complete_builds "$cache") == 1)) || { echo "second run left no complete build"; return 1; }
	if compgen -G "$cache/build/*.tmp.*" >/dev/null; then
		echo "the interrupted staging dir was not swept"
		return 1
	fi
}

check "a guest kernel panic exits $EXIT_SPLAT" expect_exit "$EXIT_SPLAT" \
	./run-qemu.sh --results "$tmp/results" --exec 'echo c > /proc/sysrq-trigger'
check "a hung guest exits $EXIT_HANG within its --timeout" expect_exit "$EXIT_HANG" \
	./run-qemu.sh --results "$tmp/results" --timeout 30 --exec 'sleep 600'
check "a failing guest command exits $EXIT_CHANGED" expect_exit "$EXIT_CHANGED" \
	./run-qemu.sh --results "$tmp/results" --exec 'false'
check "a kernel build interrupted by SIGINT is rebuilt by the next run" interrupted_build_is_rebuilt
summary
