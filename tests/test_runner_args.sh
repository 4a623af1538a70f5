#!/usr/bin/env bash
# run-qemu.sh exit codes that need no kernel: bad arguments, missing host tools, KVM asked for
# where it cannot run, QEMU that fails to start; and the cache under faults, with a fake
# kernel tree and a fake make: two runs building the same entry, a build killed with SIGKILL,
# a cache on a full filesystem.
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
check "Debian kernel of an unknown series: exit $EXIT_INFRA naming it" \
	stderr_names "unknown kernel series '9\.9'" ./run-qemu.sh --kernel 9.9-debian
check "a variant of a Debian kernel: exit $EXIT_INFRA" \
	stderr_names "6\.12-debian is Debian's kernel as it ships, it has no variants" \
	./run-qemu.sh --kernel 6.12-debian --variant relax-pfnmap
check "SERIES-debian+VARIANT in --kernels: exit $EXIT_INFRA naming it" \
	stderr_names "unknown kernel series '6\.1-debian'" ./run-qemu.sh --kernels "7.2 6.1-debian+debug"
check "a Debian kernel named twice: exit $EXIT_INFRA" stderr_names "named twice" ./run-qemu.sh --kernels "6.1-debian 6.1-debian"
check "bad --accel: exit $EXIT_INFRA" stderr_names "--accel" ./run-qemu.sh --accel warp
check "bad --memory: exit $EXIT_INFRA" stderr_names "--memory" ./run-qemu.sh --memory lots
check "not a kernel tree: exit $EXIT_INFRA" stderr_names "not a kernel tree" ./run-qemu.sh --kernel-tree /tmp
check "--stress without a number of seconds: exit $EXIT_INFRA naming it" \
	stderr_names "--stress takes a positive number of seconds, not 'soon'" ./run-qemu.sh --stress soon
check "--seed without --stress: exit $EXIT_INFRA" stderr_names "--seed goes with --stress" ./run-qemu.sh --seed 1
check "a column named twice: exit $EXIT_INFRA" stderr_names "named twice" ./run-qemu.sh --kernels "7.2 7.2"
check "--backing with an unknown backing: exit $EXIT_INFRA naming it" \
	stderr_names "not 'ram'" ./run-qemu.sh --backing pages,ram
check "--backing naming a backing twice: exit $EXIT_INFRA" stderr_names "twice" ./run-qemu.sh --backing pci,pci
check "--backing with --huge (its own region): exit $EXIT_INFRA" stderr_names "--huge" ./run-qemu.sh --huge --backing pci
check "--hazards on the pci backing: exit $EXIT_INFRA" stderr_names "memmap= backing only" \
	./run-qemu.sh --hazards --backing pci
check "--backing and a region in --module-args: exit $EXIT_INFRA" stderr_names "names a region" \
	./run-qemu.sh --backing pci --module-args pci_bar=0
# Each kernel column once per backing; with several, the non-pages ones are named COLUMN~BACKING.
backing_column_names() {
	local out
	out=$(sed -n '/^backing_columns() {/,/^}/p' run-qemu.sh)
	out=$(bash -c "$out"'
		backings=(pages pci); backing_columns 7.2 7.2+drm | tr "\n" " "
		backings=(pci); backing_columns 7.2 | tr "\n" " "')
	[[ $out == "7.2 7.2~pci 7.2+drm 7.2+drm~pci 7.2 " ]] || { echo "got: $out"; return 1; }
}
check "--backing pages,pci names the columns 7.2 and 7.2~pci; a single backing keeps the name" backing_column_names
# A joined variant (SERIES+WHATIF+DRIVERS): the patches and fragments of each part, judged as
# its what-if part, the other parts its flavor; the tree named after the parts that patch.
joined_variant_facts() {
	local functions out
	functions=$(sed -n '/^variant_rows() {/,/^prune_cache() {/p' run-qemu.sh | sed '$d')
	out=$(bash -c 'source scripts/common.sh; '"$functions"'
		for v in relax-pfnmap+drm fix-drm-shmem+drm drm debug relax-pfnmap; do
			printf "%s: patches=%s fragments=%s kind=%s judged=%s flavor=%s tree=%s\n" "$v" \
				"$(variant_patches "$v" 7.2 | xargs -rn1 basename | paste -sd,)" \
				"$(variant_fragments "$v" 7.2 | xargs -rn1 basename | paste -sd,)" \
				"$(variant_kind "$v" 7.2)" "$(variant_whatif_parts "$v" 7.2)" \
				"$(variant_flavor_parts "$v" 7.2)" "$(variant_patching_parts "$v" 7.2)"
		done')
	diff -u - <(echo "$out") <<-'EOF'
		relax-pfnmap+drm: patches=7.2-relax-pfnmap.patch fragments=drm.fragment kind=whatif judged=relax-pfnmap flavor=drm tree=relax-pfnmap
		fix-drm-shmem+drm: patches=7.2-fix-drm-shmem.patch fragments=drm.fragment kind=whatif judged=fix-drm-shmem flavor=drm tree=fix-drm-shmem
		drm: patches= fragments=drm.fragment kind=drivers judged= flavor=drm tree=
		debug: patches= fragments=debug.fragment kind=flavor judged= flavor=debug tree=
		relax-pfnmap: patches=7.2-relax-pfnmap.patch fragments= kind=whatif judged=relax-pfnmap flavor= tree=relax-pfnmap
	EOF
}
check "a joined variant: each part's patches and fragments, judged as its what-if part" joined_variant_facts
check "two what-if variants joined: exit $EXIT_INFRA naming them" \
	stderr_names "joins two what-if variants" ./run-qemu.sh --list-columns --kernels 7.2+relax-pfnmap+relax-dontunmap
check "a joined part without a row for the series: exit $EXIT_INFRA naming it" \
	stderr_names "variant relax-pfnmap has no patch for 5.10" ./run-qemu.sh --list-columns --kernels 5.10+drm+relax-pfnmap
check "a part named twice: exit $EXIT_INFRA naming it" \
	stderr_names "names a part twice" ./run-qemu.sh --list-columns --kernels 7.2+drm+drm
# --matrix judges each what-if on the real drivers where they run (x86), not twice on arm64.
matrix_joins_drivers() {
	local columns
	columns=$(./run-qemu.sh --matrix --list-columns)
	if ! grep -qx '7.2+relax-pfnmap+drm' <<<"$columns" || ! grep -qx '7.2+relax-pfnmap@arm64' <<<"$columns" ||
		! grep -qx '7.2+fix-drm-shmem' <<<"$columns" || grep -qx '7.2+relax-pfnmap' <<<"$columns"; then
		echo "got: $(paste -sd' ' <<<"$columns")"
		return 1
	fi
}
check "--matrix: a what-if joined with drm on x86, alone on arm64; one that builds drm in already as it is" \
	matrix_joins_drivers
check "a --case glob that selects nothing: exit $EXIT_INFRA naming it" \
	stderr_names "no probe case matches" ./run-qemu.sh --case 'no-such-case*'
check "unknown --arch: exit $EXIT_INFRA naming it and the known ones" \
	stderr_names "unknown architecture 'sparc' \(kernels/arch.tsv: x86 arm64\)" ./run-qemu.sh --arch sparc
check "unknown @ARCH in a column: exit $EXIT_INFRA naming it" \
	stderr_names "unknown architecture 'arm46'" ./run-qemu.sh --kernels "7.2 7.2@arm46"
check "the default architecture's @ARCH is its plain column: 7.2 and 7.2@x86 are named twice" \
	stderr_names "named twice" ./run-qemu.sh --kernels "7.2 7.2@x86"
check "memmap= regions on arm64 (no such parameter there): exit $EXIT_INFRA naming it" \
	stderr_names "memmap=, which arm64 kernels do not have" ./run-qemu.sh --arch arm64 --memmap
check "--hazards on an arm64 column of --kernels: exit $EXIT_INFRA naming it" \
	stderr_names "memmap=, which arm64 kernels do not have" ./run-qemu.sh --kernels "7.2 7.2@arm64" --hazards
check "--backing memmap on arm64: exit $EXIT_INFRA naming it" \
	stderr_names "memmap=, which arm64 kernels do not have" ./run-qemu.sh --arch arm64 --backing memmap
check "--backing pci on an arm64 column: exit $EXIT_INFRA naming it" \
	stderr_names "--backing pci: only on x86 columns so far, not 7.2@arm64" ./run-qemu.sh --kernels "7.2 7.2@arm64" --backing pages,pci
check "a drm variant on arm64 (no standard VGA there): exit $EXIT_INFRA naming it" \
	stderr_names "7.2\+drm@arm64: variant drm needs QEMU's standard VGA" ./run-qemu.sh --kernels 7.2+drm@arm64
check "a Debian kernel on arm64: exit $EXIT_INFRA naming it" \
	stderr_names "6.1-debian@arm64: Debian's kernels are x86 columns only" ./run-qemu.sh --arch arm64 --kernel 6.1-debian
check "--accel kvm for a guest of another architecture: exit $EXIT_INFRA naming it" \
	stderr_names "arm64 guests cannot use KVM on this x86_64 host" ./run-qemu.sh --arch arm64 --accel kvm

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
# A QEMU that exited before the kernel printed anything: its rc and console.log.
qemu_exit_for() {
	local name=$1 rc=$2 console=$3 dir=$tmp/qemu-$1
	rm -rf "$dir" && mkdir -p "$dir"
	printf '%s\n' "$console" >"$dir/console.log"
	(source scripts/guest.sh && guest_exit_code "$dir" "$rc" 2>"$dir/stderr")
}

expect_qemu_exit() {
	local want=$1 name=$2 got
	shift
	got=$(qemu_exit_for "$@")
	[[ $got == "$want" ]] || { echo "QEMU ($name) classified $got, want $want"; return 1; }
	if [[ $want == "$EXIT_INFRA" ]] && ! grep -q "QEMU failed to start.*${4:-qemu-system}" "$tmp/qemu-$name/stderr"; then
		echo "no message with QEMU's own words: $(cat "$tmp/qemu-$name/stderr")"
		return 1
	fi
}

check "QEMU aborting before the kernel ran (KVM: failed to set MSR) is exit $EXIT_INFRA with its message" \
	expect_qemu_exit "$EXIT_INFRA" msr 134 \
	"qemu-system-x86_64: ../../target/i386/kvm/kvm.c:3031: kvm_buf_set_msrs: Assertion failed: failed to set MSR 0x10a" \
	"failed to set MSR"
check "a kernel that printed its banner and then died is no QEMU start failure (exit $EXIT_SPLAT)" \
	expect_qemu_exit "$EXIT_SPLAT" banner 1 "Linux version 7.2.13 (root@host)"

no_vmx_cpuinfo() { printf 'processor\t: 0\nflags\t\t: fpu vme de pse tsc msr pae mce cx8 apic sse sse2 hypervisor\n' >"$tmp/cpuinfo"; }
no_vmx_cpuinfo
# "At once": before anything is built or booted, so no progress line at all.
kvm_refused_at_once() {
	local err rc=0
	err=$(PFNMAP_CPUINFO=$tmp/cpuinfo ./run-qemu.sh --accel kvm --boot-only 2>&1 >/dev/null) || rc=$?
	[[ $rc == "$EXIT_INFRA" ]] || { echo "exit $rc, want $EXIT_INFRA: $err"; return 1; }
	grep -q 'vmx/svm' <<<"$err" || { echo "does not name vmx/svm: $err"; return 1; }
	(($(wc -l <<<"$err") == 1)) || { echo "not one line at once: $err"; return 1; }
}
check "--accel kvm on a CPU without vmx/svm: exit $EXIT_INFRA at once, saying so" kvm_refused_at_once

# ---- the cache under faults, with a fake kernel tree and a fake make ----

# A make that configures and "builds" a kernel in a few seconds, counting the builds. Its
# olddefconfig spells an option asked off as kconfig does ("# CONFIG_X is not set").
fake_make_path() {
	local dir=$1
	mkdir -p "$dir"
	cat >"$dir/make" <<'FAKE'
#!/bin/bash
out=
for arg; do [[ $arg == O=* ]] && out=${arg#O=}; done
case " $* " in
*" kernelversion "*) echo 9.9.0 ;;
*" tinyconfig "*) : >"$out/.config" ;;
*" olddefconfig "*) sed -i -E 's/^(CONFIG_[A-Z0-9_]+)=n$/# \1 is not set/' "$out/.config" ;;
*" bzImage modules"*)
	echo "$$" >>"$FAKE_MAKE_LOG"
	[[ -z ${FAKE_MAKE_SPANS:-} ]] || echo "start $(date +%s.%N)" >>"$FAKE_MAKE_SPANS"
	sleep "${FAKE_MAKE_SECONDS:-3}"
	[[ -z ${FAKE_MAKE_SPANS:-} ]] || echo "end $(date +%s.%N)" >>"$FAKE_MAKE_SPANS"
	mkdir -p "$out/arch/x86/boot" && : >"$out/arch/x86/boot/bzImage" && : >"$out/Module.symvers" ;;
*) echo "fake make: $*" >&2; exit 2 ;;
esac
FAKE
	chmod +x "$dir/make"
}

fake_cache() {
	local cache=$1
	rm -rf "$cache"
	mkdir -p "$cache/src/linux-source-9.9_9.9.0-1/mm"
	: >"$cache/src/linux-source-9.9_9.9.0-1/Makefile"
}

# built_kernel of the fake tree (or of TREE, a name under src/) in a fresh shell, as a run
# would call it.
fake_built_kernel() {
	local cache=$1 tree=${2:-linux-source-9.9_9.9.0-1}
	PATH=$tmp/fakebin:$PATH PFNMAP_CACHE=$cache bash -c \
		'source scripts/common.sh && source scripts/kernel.sh && built_kernel "$PFNMAP_CACHE/src/$1" 1' _ "$tree"
}

fake_make_path "$tmp/fakebin"
export FAKE_MAKE_LOG=$tmp/fake-make.log
# The fake builds take turns among themselves, not behind a real build elsewhere on the machine.
export PFNMAP_BUILD_SLOT=$tmp/build-slot.lock

# Two runs need the same kernel at once: one builds, the other waits and reuses its build.
concurrent_builds_share_one() {
	local cache=$tmp/cache-concurrent a b
	fake_cache "$cache"
	: >"$FAKE_MAKE_LOG"
	fake_built_kernel "$cache" >"$tmp/a.out" 2>"$tmp/a.err" &
	a=$!
	sleep 1
	fake_built_kernel "$cache" >"$tmp/b.out" 2>"$tmp/b.err" &
	b=$!
	if ! wait "$a" || ! wait "$b"; then
		echo "a build failed"
		cat "$tmp/a.err" "$tmp/b.err"
		return 1
	fi
	(($(wc -l <"$FAKE_MAKE_LOG") == 1)) || { echo "$(wc -l <"$FAKE_MAKE_LOG") builds, want 1"; return 1; }
	cmp -s "$tmp/a.out" "$tmp/b.out" || { echo "different entries: $(cat "$tmp/a.out" "$tmp/b.out")"; return 1; }
	grep -q "waiting for another run" "$tmp/b.err" || { echo "the second did not wait: $(cat "$tmp/b.err")"; return 1; }
	[[ -f $(cat "$tmp/a.out")/.pfnmap-build ]] || { echo "no complete entry"; return 1; }
}

# Two runs (two checkouts, two helpers) building different kernels on one machine: the second
# make starts only after the first ends, and says what it waits for.
different_builds_take_turns() {
	local cache=$tmp/cache-turns a b
	fake_cache "$cache"
	mkdir -p "$cache/src/linux-source-9.8_9.8.0-1/mm"
	: >"$cache/src/linux-source-9.8_9.8.0-1/Makefile"
	export FAKE_MAKE_SPANS=$tmp/spans
	: >"$FAKE_MAKE_SPANS"
	fake_built_kernel "$cache" >/dev/null 2>"$tmp/t1.err" &
	a=$!
	sleep 1
	fake_built_kernel "$cache" linux-source-9.8_9.8.0-1 >/dev/null 2>"$tmp/t2.err" &
	b=$!
	if ! wait "$a" || ! wait "$b"; then
		cat "$tmp/t1.err" "$tmp/t2.err"
		unset FAKE_MAKE_SPANS
		return 1
	fi
	unset FAKE_MAKE_SPANS
	[[ $(cut -d' ' -f1 "$tmp/spans" | tr '\n' ' ') == "start end start end " ]] ||
		{ echo "the builds overlapped: $(tr '\n' ' ' <"$tmp/spans")"; return 1; }
	grep -q "waiting for another kernel build on this machine" "$tmp/t2.err" ||
		{ echo "the second did not say it waits: $(cat "$tmp/t2.err")"; return 1; }
}

# A run that boots from an entry holds it shared: --rebuild elsewhere waits until it is done.
rebuild_waits_for_a_user() {
	local cache=$tmp/cache-rebuild entry holder start
	fake_cache "$cache"
	entry=$(fake_built_kernel "$cache" 2>/dev/null)
	PFNMAP_CACHE=$cache bash -c 'source scripts/common.sh && lock_entry "$1" s && sleep 4' _ "$entry" &
	holder=$!
	sleep 1
	start=$SECONDS
	PFNMAP_REBUILD=1 fake_built_kernel "$cache" >/dev/null 2>"$tmp/rebuild.err" || { cat "$tmp/rebuild.err"; return 1; }
	wait "$holder"
	grep -q "waiting for another run using or building" "$tmp/rebuild.err" ||
		{ echo "the rebuild did not wait for the user: $(cat "$tmp/rebuild.err")"; return 1; }
	((SECONDS - start >= 3)) || { echo "the rebuild did not wait long enough"; return 1; }
}

# SIGKILL of a whole run mid-build: nothing complete is left, the next run sweeps and rebuilds.
killed_build_is_rebuilt() {
	local cache=$tmp/cache-killed pid waited=0
	fake_cache "$cache"
	: >"$FAKE_MAKE_LOG"
	set -m
	FAKE_MAKE_SECONDS=60 fake_built_kernel "$cache" >/dev/null 2>"$tmp/killed.err" &
	pid=$!
	set +m
	until [[ -s $FAKE_MAKE_LOG ]]; do
		sleep 0.2
		((++waited < 100)) || { echo "the build never started"; return 1; }
	done
	kill -KILL -- "-$pid"
	wait "$pid" 2>/dev/null && { echo "a killed build exited 0"; return 1; }
	if compgen -G "$cache/build/*/.pfnmap-build" >/dev/null; then
		echo "a killed build left a complete-looking entry"
		return 1
	fi
	fake_built_kernel "$cache" >/dev/null 2>"$tmp/after.err" || { cat "$tmp/after.err"; return 1; }
	grep -q "left by an interrupted run" "$tmp/after.err" || { echo "no sweep: $(cat "$tmp/after.err")"; return 1; }
	compgen -G "$cache/build/*/.pfnmap-build" >/dev/null || { echo "not rebuilt"; return 1; }
	! compgen -G "$cache/build/*.tmp.*" >/dev/null || { echo "staging left behind"; return 1; }
}

# Under set -e, as the runner calls it: a fragment whose last line is for later kernels only
# must still give the earlier lines and succeed (it once ended the run silently, exit 1).
fragment_with_later_last_line() {
	local fragment=$tmp/later.fragment out
	printf 'CONFIG_A=y\nCONFIG_B=y # since 99.0\n' >"$fragment"
	out=$(bash -c 'set -euo pipefail; source scripts/common.sh; source scripts/kernel.sh
		fragment_lines_for 6.1.192 "$1"; echo end' _ "$fragment") || { echo "failed: $out"; return 1; }
	[[ $out == *$'\nCONFIG_A=y\nend' && $out != *CONFIG_B=y* ]] || { echo "got: $out"; return 1; }
}

# "# arch A" keeps a line for A's builds only; with "since" the version bound is A's.
fragment_arch_markers() {
	local fragment=$tmp/arch.fragment x86 arm64_510 arm64_61
	printf '%s\n' 'CONFIG_A=y' 'CONFIG_PAT=y # arch x86' 'CONFIG_PL011=y # arch arm64' \
		'CONFIG_PTC=y # arch x86 since 5.17' 'CONFIG_PTC=y # arch arm64 since 6.0' 'CONFIG_BOTH=y # arch x86,arm64' >"$fragment"
	fragment_lines() {
		PFNMAP_ARCH=$1 bash -c 'set -euo pipefail; source scripts/common.sh; source scripts/kernel.sh
			fragment_lines_for "$1" "$2" | grep -E "^CONFIG_(A|PAT|PL011|PTC|BOTH)=" | tr "\n" " "' _ "$2" "$fragment"
	}
	x86=$(fragment_lines x86 5.17.0)
	arm64_510=$(fragment_lines arm64 5.17.0)
	arm64_61=$(fragment_lines arm64 6.1.0)
	[[ $x86 == "CONFIG_A=y CONFIG_PAT=y CONFIG_PTC=y CONFIG_BOTH=y " ]] || { echo "x86 5.17: $x86"; return 1; }
	[[ $arm64_510 == "CONFIG_A=y CONFIG_PL011=y CONFIG_BOTH=y " ]] || { echo "arm64 5.17: $arm64_510"; return 1; }
	[[ $arm64_61 == "CONFIG_A=y CONFIG_PL011=y CONFIG_PTC=y CONFIG_BOTH=y " ]] || { echo "arm64 6.1: $arm64_61"; return 1; }
}

# Marking x86's lines must not change its builds' cache keys: its view is the file without the
# other architectures' lines and without the markers (sed here, bash in fragment_for_arch).
fragment_x86_view_unchanged() {
	grep -q '# arch x86' kernels/config.fragment || { echo "no x86 marker to test"; return 1; }
	diff <(sed -e '/# arch arm64/d' -e 's/ # arch x86$//' -e 's/# arch x86 /# /' kernels/config.fragment) \
		<(bash -c 'source scripts/common.sh; source scripts/kernel.sh; fragment_for_arch x86 kernels/config.fragment')
}

fragment_unknown_arch() {
	printf '%s\n' 'CONFIG_A=y' 'CONFIG_B=y # arch arm46' >"$tmp/bad.fragment"
	PFNMAP_ARCH=x86 bash -c 'set -euo pipefail; source scripts/common.sh; source scripts/kernel.sh
		fragment_lines_for 6.1.0 "$1" >/dev/null' _ "$tmp/bad.fragment"
}

# A build says how long it has been building, and a rebuild of the series how long the last
# build took (kernel builds take minutes: a silent runner looks hung).
build_progress_with_estimate() {
	local cache=$tmp/cache-progress
	fake_cache "$cache"
	FAKE_MAKE_SECONDS=3 PFNMAP_PROGRESS_SECONDS=1 fake_built_kernel "$cache" >/dev/null 2>"$tmp/p1.err" ||
		{ cat "$tmp/p1.err"; return 1; }
	grep -q 'building 9.9.0: 0 min 0[12] s$' "$tmp/p1.err" || { echo "no elapsed time: $(cat "$tmp/p1.err")"; return 1; }
	grep -q '^build_seconds=[0-9]' "$cache"/build/*/.pfnmap-build || { echo "build time not kept"; return 1; }
	FAKE_MAKE_SECONDS=3 PFNMAP_PROGRESS_SECONDS=1 PFNMAP_REBUILD=1 fake_built_kernel "$cache" \
		>/dev/null 2>"$tmp/p2.err" || { cat "$tmp/p2.err"; return 1; }
	grep -q 'about 0 min 0[34] s as last time' "$tmp/p2.err" || { echo "no estimate: $(cat "$tmp/p2.err")"; return 1; }
	grep -q 'building 9.9.0: 0 min 0[12] s of about 0 min 0[34] s' "$tmp/p2.err" ||
		{ echo "no elapsed/estimate line: $(cat "$tmp/p2.err")"; return 1; }
}

# A cache on a filesystem too small for a kernel source: exit 2 before anything is written.
full_cache_fails_clearly() {
	local mnt=$tmp/tiny err rc=0
	mkdir -p "$mnt"
	if ! mount -t tmpfs -o size=50m tmpfs "$mnt" 2>/dev/null; then
		echo "skipped: mounting a tmpfs needs root"
		return 0
	fi
	err=$(PFNMAP_CACHE=$mnt ./run-qemu.sh --boot-only 2>&1 >/dev/null) || rc=$?
	local entries
	entries=$(find "$mnt/src" "$mnt/build" -mindepth 1 ! -name '*.lock' 2>/dev/null || true)
	umount "$mnt"
	[[ $rc == "$EXIT_INFRA" ]] || { echo "exit $rc, want $EXIT_INFRA: $err"; return 1; }
	grep -qE 'only 0 GiB free under .*, need [0-9]+ GiB' <<<"$err" || { echo "unclear message: $err"; return 1; }
	[[ -z $entries ]] || { echo "entries written: $entries"; return 1; }
}

check "two runs needing the same kernel: one builds, the other waits and reuses it" concurrent_builds_share_one
check "--rebuild waits while another run uses the cached kernel" rebuild_waits_for_a_user
check "two runs building different kernels: one make at a time on the machine" different_builds_take_turns
check "a build killed with SIGKILL leaves nothing trusted and is rebuilt by the next run" killed_build_is_rebuilt
check "config fragment: a last line for later kernels leaves the earlier lines and succeeds" \
	fragment_with_later_last_line
check "config fragment: '# arch' lines only for their architecture, with '# since' per architecture" \
	fragment_arch_markers
check "config fragment: the x86 view of kernels/config.fragment is its text before arch markers (cache keys kept)" \
	fragment_x86_view_unchanged
check "config fragment: a marker naming an unknown architecture: exit $EXIT_INFRA naming the line" \
	stderr_names "bad.fragment line 2: unknown architecture 'arm46'" fragment_unknown_arch
check "a kernel build prints elapsed time, and an estimate from the series' last build" \
	build_progress_with_estimate
check "a cache on a full filesystem (50 MB tmpfs): exit $EXIT_INFRA naming the free space, no entry" \
	full_cache_fails_clearly
check "--help exits 0 and lists the exit codes" bash -c './run-qemu.sh --help | grep -q "exit codes"'
check "missing QEMU without installing: exit $EXIT_INFRA naming the package" \
	stderr_names "qemu-system-x86" env PATH="$tmp/bin" PFNMAP_NO_INSTALL=1 ./run-qemu.sh

# A fake apt-get that records its arguments and chatters like the real one, then fails: the
# install asks for no recommends, apt's lines go to the log, stderr gets the progress line,
# the log's tail and the one-line error.
apt_install_is_quiet_without_recommends() {
	local fake=$tmp/apt-bin err rc=0
	mkdir -p "$fake"
	cat >"$fake/apt-get" <<-EOF
		#!/bin/sh
		echo "\$*" >>"$tmp/apt-args"
		for i in 1 2 3 4 5 6 7 8 9 10; do echo "Get:\$i http://deb.debian.org chatter"; done
		exit 100
	EOF
	chmod +x "$fake/apt-get"
	err=$(PATH="$fake:$PATH" bash -c 'source scripts/common.sh; apt_install qemu-system-x86' 2>&1) || rc=$?
	[[ $rc == "$EXIT_INFRA" ]] || { echo "exit $rc, want $EXIT_INFRA"; return 1; }
	grep -q -- '--no-install-recommends' "$tmp/apt-args" || { echo "apt-get got: $(cat "$tmp/apt-args")"; return 1; }
	(($(grep -c 'Get:' <<<"$err") <= 5)) || { echo "apt's lines reached stderr: $err"; return 1; }
	grep -q 'apt log: ' <<<"$err" || { echo "no apt log named: $err"; return 1; }
}
if ((EUID == 0)); then
	check "apt install: --no-install-recommends, apt's lines in a log file, exit $EXIT_INFRA on failure" \
		apt_install_is_quiet_without_recommends
fi
summary
