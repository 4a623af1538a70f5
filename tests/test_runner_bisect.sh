#!/usr/bin/env bash
# run-qemu.sh --bisect without a kernel: git bisect run's exit codes (scripts/common.sh BISECT_*)
# for argument errors (stop the bisection, one line naming the problem), a tree that does not
# build, and guests that end every way a guest can, with a fake kernel tree, a fake make and a
# fake QEMU. The fake QEMU hands the runner a results directory recorded from a real run (the
# report's fixtures, tests/report/record-fixtures.sh: stock 7.2 with every case as expected, and
# 7.2 booted with --huge --hazards, whose PUD-leaf splits hit a kernel BUG during their cases) or
# one made here by the real probe on this host (its device cases skip: no module here), as a
# guest would send it.
set -euo pipefail
cd "$(dirname "$0")/.."
source tests/lib.sh
source scripts/common.sh

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fixtures=tests/report/fixtures
glob='dev.remap.dx.*:dontunmap'
# What stock kernels do: expectations.txt's outcome for these cases on every version.
good_outcome=$(awk '$1 == "dev.*:dontunmap" && $2 == "*" { $1 = $2 = ""; sub(/^ +/, ""); print }' \
	userspace/expectations.txt)
export PFNMAP_CACHE=$tmp/cache
# The fake make takes no time: it must not wait for a real kernel build elsewhere on the machine.
export PFNMAP_BUILD_SLOT=$tmp/build-slot.lock
# A run that wrongly went for a catalog kernel fails at once instead of downloading one.
export PFNMAP_DEBIAN_MIRROR=http://127.0.0.1:9

# A kernel tree the fake make "builds": its gen_init_cpio is a stub (the fake QEMU needs no
# initramfs).
fake_tree() {
	local tree=$tmp/tree
	mkdir -p "$tree/mm" "$tree/usr"
	: >"$tree/Makefile"
	echo 'int main(void) { return 0; }' >"$tree/usr/gen_init_cpio.c"
}

# make for the fake tree (anything else goes to the real make): FAKE_MAKE_FAIL=1 fails the kernel
# build; each build writes a new bzImage, as a changed tree would.
fake_make() {
	cat >"$tmp/bin/make" <<'FAKE'
#!/bin/bash
case " $* " in *" -C $FAKE_TREE "*) ;; *) exec /usr/bin/make "$@" ;; esac
out= module=
for arg; do
	[[ $arg == O=* ]] && out=${arg#O=}
	[[ $arg == M=* ]] && module=${arg#M=}
done
case " $* " in
*" kernelversion "*) echo 9.9.0 ;;
*" tinyconfig "*) : >"$out/.config" ;;
*" olddefconfig "*) sed -i -E 's/^(CONFIG_[A-Z0-9_]+)=n$/# \1 is not set/' "$out/.config" ;;
*" bzImage modules"*)
	[[ ${FAKE_MAKE_FAIL:-0} != 1 ]] || { echo "fake make: error" >&2; exit 2; }
	mkdir -p "$out/arch/x86/boot" && date +%s.%N >"$out/arch/x86/boot/bzImage" && : >"$out/Module.symvers" ;;
*" modules"*) mkdir -p "$module/pfnmap_dev" && : >"$module/pfnmap_dev/pfnmap_dev.ko" ;;
*) echo "fake make: $*" >&2; exit 2 ;;
esac
FAKE
	chmod +x "$tmp/bin/make"
}

# QEMU that prints FAKE_CONSOLE, sends FAKE_RESULTS (a directory) as the guest's results tar
# over the second serial port, sleeps FAKE_SLEEP seconds and exits FAKE_RC.
fake_qemu() {
	cat >"$tmp/bin/qemu-system-x86_64" <<'FAKE'
#!/bin/bash
for arg; do [[ $arg == file:* ]] && serial=${arg#file:}; done
printf '%s\n' "${FAKE_CONSOLE:-Linux version 9.9.0}"
[[ -z ${FAKE_RESULTS:-} ]] || tar -cz -C "$FAKE_RESULTS" . >"$serial"
sleep "${FAKE_SLEEP:-0}"
[[ -n ${FAKE_RESULTS:-} ]] && echo "pfnmap-guest: done"
exit "${FAKE_RC:-0}"
FAKE
	chmod +x "$tmp/bin/qemu-system-x86_64"
}

mkdir -p "$tmp/bin"
fake_tree
fake_make
fake_qemu
export FAKE_TREE=$tmp/tree PATH=$tmp/bin:$PATH

# A guest's results: a recorded column (probe.json and the rc files its init writes).
guest_results() {
	local name=$1 from=$2 dir=$tmp/guest-$1
	rm -rf "$dir" && mkdir -p "$dir"
	cp "$from/probe.json" "$dir/"
	for rc in insmod probe rmmod; do echo 0 >"$dir/$rc.rc"; done
	echo "$dir"
}

# The host probe's own run of the bisected cases: every device case skips (no module here).
host_probe_results() {
	local dir=$tmp/guest-host
	mkdir -p "$dir"
	make -s -C userspace >/dev/null
	userspace/pfnmap-probe --case "$glob" --json "$dir/probe.json" >/dev/null || true
	echo "$dir"
}

# bisect_exit WANT [ENV=VALUE...] -- RUNNER-ARGS...: runs the runner in the fake world, passes
# when it exits WANT; its stderr is kept in $tmp/stderr.
bisect_exit() {
	local want=$1 rc=0 envs=()
	shift
	while [[ $1 != -- ]]; do envs+=("$1"); shift; done
	shift
	env "${envs[@]}" ./run-qemu.sh --results "$tmp/results" "$@" >/dev/null 2>"$tmp/stderr" || rc=$?
	[[ $rc == "$want" ]] || { echo "exit $rc, want $want"; cat "$tmp/stderr"; return 1; }
}

run_tree() { bisect_exit "$1" "${@:2}" --kernel-tree "$FAKE_TREE" --bisect "$glob"; }

# The message of a refused argument: one line (progress lines aside) naming the problem.
one_line_naming() {
	local pattern=$1 err
	err=$(grep -v '^\[[0-9:]*\] ' "$tmp/stderr" | grep -v '^run-qemu: bisect: abort' || true)
	grep -qE -e "$pattern" <<<"$err" || { echo "stderr does not name the problem: $err"; return 1; }
	(($(wc -l <<<"$err") == 1)) || { echo "more than one line: $err"; return 1; }
}

refused() {
	local pattern=$1
	shift
	bisect_exit "$BISECT_ABORT" -- "$@" && one_line_naming "$pattern"
}

check "--bisect without --kernel-tree: abort ($BISECT_ABORT), naming --kernel-tree" \
	refused "--bisect needs --kernel-tree" --bisect "$glob"
check "--bisect-good without --bisect: abort" refused "--bisect-good goes with --bisect" \
	--kernel-tree "$FAKE_TREE" --bisect-good "$good_outcome"
check "--bisect with no glob: abort" refused "--bisect needs a value" --kernel-tree "$FAKE_TREE" --bisect
check "an unknown option before --bisect: abort, not bad" refused "'--bogus'" --bogus --bisect "$glob"
check "--bisect with --kernels: abort" refused "--kernel-tree kernel only" \
	--kernel-tree "$FAKE_TREE" --kernels 7.2 --bisect "$glob"
check "--bisect with --boot-only: abort" refused "runs the probe" --kernel-tree "$FAKE_TREE" --boot-only --bisect "$glob"
check "--bisect GLOB that selects no case: abort" refused "no probe case matches" \
	--kernel-tree "$FAKE_TREE" --bisect 'no-such-case*'
check "--bisect-good with a value the vocabulary lacks: abort naming it" refused "'maybe' is not ok, short or an errno" \
	--kernel-tree "$FAKE_TREE" --bisect "$glob" --bisect-good "${good_outcome/EINVAL/maybe}"
check "--bisect-good with its fields out of order: abort naming the order" refused "reports ret= old= new= in that order" \
	--kernel-tree "$FAKE_TREE" --bisect "$glob" --bisect-good "$(tr ' ' '\n' <<<"$good_outcome" | tac | tr '\n' ' ')"
check "--bisect-good of another operation (dontunmap_fixed's fields): abort" refused "dontunmap reports" \
	--kernel-tree "$FAKE_TREE" --bisect "$glob" --bisect-good "${good_outcome/new=-/target=intact}"

good=$(guest_results good "$fixtures/run-7.2-relax-pfnmap/7.2")
bad=$(guest_results bad "$fixtures/run-7.2-huge/7.2")
host=$(host_probe_results)

# With --bisect-good the probe judges by one line per glob, given to it after its own --expect.
bisect_good_reaches_the_probe() {
	local run
	rm -rf "$tmp/results"
	run_tree "$BISECT_GOOD" FAKE_RESULTS="$good" -- --bisect-good "$good_outcome" || return 1
	run=$(echo "$tmp"/results/*/)
	[[ $(cat "$run/bisect-expectations.txt") == "$glob * $good_outcome" ]] ||
		{ echo "expectations: $(cat "$run/bisect-expectations.txt")"; return 1; }
	grep -qF -- "--expect\\ /pfnmap/bisect-expectations.txt" "$run/own/job.env" || { cat "$run/own/job.env"; return 1; }
}

# A commit that does not build is skipped; the build stays incremental for the next step.
unbuildable_is_skipped() {
	run_tree "$BISECT_SKIP" FAKE_MAKE_FAIL=1 -- || return 1
	grep -q 'kernel build failed' "$tmp/stderr" || { cat "$tmp/stderr"; return 1; }
	run_tree "$BISECT_GOOD" FAKE_RESULTS="$good" -- || return 1
	grep -q 'incremental make' "$tmp/stderr" || { echo "not incremental:"; cat "$tmp/stderr"; return 1; }
}

# Each step's kernel gets its module built against it (a bisect changes the tree in place).
module_per_kernel() {
	local before after
	before=$(find "$PFNMAP_CACHE/module" -name pfnmap_dev.ko | wc -l)
	run_tree "$BISECT_GOOD" FAKE_RESULTS="$good" -- || return 1
	after=$(find "$PFNMAP_CACHE/module" -name pfnmap_dev.ko | wc -l)
	((after == before + 1)) || { echo "modules: $before before, $after after"; return 1; }
}

warns_of_a_splat_outside() {
	run_tree "$BISECT_GOOD" FAKE_RESULTS="$good" \
		FAKE_CONSOLE=$'Linux version 9.9.0\nWARNING: CPU: 0 PID: 1 at drivers/base/core.c:1 device_add\nComm: swapper/0' -- &&
		grep -q 'outside the bisected cases' "$tmp/stderr"
}

panic_in_probe() {
	run_tree "$BISECT_BAD" FAKE_RC=1 \
		FAKE_CONSOLE=$'Linux version 9.9.0\nKernel panic - not syncing: Fatal exception\nCPU: 0 UID: 0 PID: 95 Comm: pfnmap-probe Not tainted 9.9.0' --
}

check "the first (full) build of the tree" run_tree "$BISECT_GOOD" FAKE_RESULTS="$good" --
check "--bisect-good: the probe in the guest gets it as its expectations" bisect_good_reaches_the_probe
check "a recorded run with every case as expected: good ($BISECT_GOOD)" run_tree "$BISECT_GOOD" FAKE_RESULTS="$good" -- \
	--bisect-good "$good_outcome"
check "a recorded run with kernel BUGs during cases: bad ($BISECT_BAD)" run_tree "$BISECT_BAD" FAKE_RESULTS="$bad" -- \
	--bisect-good "$good_outcome"
check "a tree that does not build: skip ($BISECT_SKIP), and the next step builds incrementally" unbuildable_is_skipped
check "the module is built again for each kernel of the tree" module_per_kernel
check "every bisected case skipped: skip" run_tree "$BISECT_SKIP" FAKE_RESULTS="$host" --
check "the guest hangs: skip" run_tree "$BISECT_SKIP" FAKE_SLEEP=5 -- --timeout 1
check "a panic in the probe's process, no results: bad" panic_in_probe
check "a panic at boot (swapper), no results: skip" run_tree "$BISECT_SKIP" FAKE_RC=1 \
	FAKE_CONSOLE=$'Linux version 9.9.0\nKernel panic - not syncing: VFS\nCPU: 0 PID: 1 Comm: swapper/0 Not tainted' --
check "a splat outside the cases: judged by the cases (good), with a warning" warns_of_a_splat_outside
check "QEMU that cannot start: abort" run_tree "$BISECT_ABORT" FAKE_RC=1 FAKE_CONSOLE="qemu-system-x86_64: cannot set up guest memory" --
summary
