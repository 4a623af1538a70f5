#!/usr/bin/env bash
# run-qemu.sh exit codes that need no kernel: bad arguments and missing host tools.
set -euo pipefail
cd "$(dirname "$0")/.."
source tests/lib.sh
source scripts/common.sh

# A PATH that has everything the host has except QEMU.
path_without_qemu() {
	local dir=$1 bin tool
	mkdir -p "$dir"
	for bin in /usr/local/bin /usr/bin /bin; do
		for tool in "$bin"/*; do
			[[ $tool == */qemu-system-* || -e $dir/${tool##*/} ]] || ln -s "$tool" "$dir/${tool##*/}"
		done
	done
}

stderr_names() {
	local pattern=$1
	shift
	local err rc=0
	# Progress lines ("[12:00:00] building ...") may come first; the error is one line.
	err=$("$@" 2>&1 >/dev/null) || rc=$?
	err=$(grep -v '^\[[0-9:]*\] ' <<<"$err" || true)
	[[ $rc == "$EXIT_INFRA" ]] || { echo "exit $rc, want $EXIT_INFRA"; return 1; }
	grep -qE -e "$pattern" <<<"$err" || { echo "stderr does not name the problem: $err"; return 1; }
	(($(wc -l <<<"$err") == 1)) || { echo "more than one line: $err"; return 1; }
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
path_without_qemu "$tmp/bin"

check "unknown option: exit $EXIT_INFRA naming it" stderr_names "'--bogus'" ./run-qemu.sh --bogus
check "unknown kernel series: exit $EXIT_INFRA naming it" stderr_names "'9\.9'" ./run-qemu.sh --kernel 9.9
check "unknown variant: exit $EXIT_INFRA naming it" stderr_names "'nope'" ./run-qemu.sh --variant nope
check "option without value: exit $EXIT_INFRA" stderr_names "--timeout needs a value" ./run-qemu.sh --timeout
check "bad --accel: exit $EXIT_INFRA" stderr_names "--accel" ./run-qemu.sh --accel warp
check "bad --memory: exit $EXIT_INFRA" stderr_names "--memory" ./run-qemu.sh --memory lots
check "not a kernel tree: exit $EXIT_INFRA" stderr_names "not a kernel tree" ./run-qemu.sh --kernel-tree /tmp
check "a --case glob that selects nothing: exit $EXIT_INFRA naming it" \
	stderr_names "no probe case matches" ./run-qemu.sh --case 'no-such-case*'

# guest_exit_code on a results dir as a guest leaves it: STEP.rc files and console.log.
guest_exit_for() {
	local dir=$tmp/guest-$1 step
	shift
	rm -rf "$dir" && mkdir -p "$dir"
	echo "pfnmap-guest: done" >"$dir/console.log"
	for step in "$@"; do echo "${step#*=}" >"$dir/${step%%=*}.rc"; done
	(source scripts/guest.sh && guest_exit_code "$dir" 0)
}

# expect_guest_exit WANT NAME STEP=RC...: the runner's verdict on such a guest.
expect_guest_exit() {
	local want=$1 got
	shift
	got=$(guest_exit_for "$@")
	[[ $got == "$want" ]] || { echo "guest with $* classified $got, want $want"; return 1; }
}

check "a guest whose probe passed is exit $EXIT_OK" \
	expect_guest_exit "$EXIT_OK" pass insmod=0 probe=0 rmmod=0
check "a guest whose probe skipped every case is not a pass (exit $EXIT_CHANGED)" \
	expect_guest_exit "$EXIT_CHANGED" allskip insmod=0 probe=4 rmmod=0
check "a guest whose probe refused its arguments is not a pass (exit $EXIT_CHANGED)" \
	expect_guest_exit "$EXIT_CHANGED" usage insmod=0 probe=2 rmmod=0
check "--help exits 0 and lists the exit codes" bash -c './run-qemu.sh --help | grep -q "exit codes"'
check "missing QEMU without installing: exit $EXIT_INFRA naming the package" \
	stderr_names "qemu-system-x86" env PATH="$tmp/bin" PFNMAP_NO_INSTALL=1 ./run-qemu.sh
summary
