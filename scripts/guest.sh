# shellcheck shell=bash
# Building what goes into the guest (module, probe, initramfs) and booting it.
# Needs common.sh and kernel.sh.

# Hash of the source files under the given paths; build products (ignored by git) do not count.
tree_hash() {
	(
		cd "$PFNMAP_TOP" || exit
		if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
			git ls-files -z --cached --others --exclude-standard -- "$@"
		else
			find "$@" -type f ! -name '*.o' ! -name '.*' -print0
		fi | sort -z | xargs -0 sha256sum | sha256sum | cut -c1-12
	)
}

# compile_module DIR TREE BUILD: builds the module with W=1 in a private copy of the sources
# under DIR, so neither the kernel tree nor the checkout gets build products. Log: DIR/build.log.
compile_module() {
	local dir=$1 tree=$2 build=$3
	rm -rf "$dir" && mkdir -p "$dir"
	cp -a "$PFNMAP_TOP/Kbuild" "$PFNMAP_TOP/pfnmap_dev" "$dir/"
	find "$dir" \( -name '*.o' -o -name '*.ko' -o -name '.*.cmd' -o -name '*.mod*' \) -delete
	make -C "$tree" ${build:+O="$build"} M="$dir" W=1 modules >"$dir/build.log" 2>&1
}

# Warnings located in the module's own sources under DIR. Some stable kernels' headers warn
# under W=1 in every file that includes them (5.10.262: mmzone.h, "nid set but not used");
# those are the kernel's, not ours.
module_own_warnings() {
	local dir=$1
	grep -E 'warning:|WARNING:' "$dir/build.log" | grep -F "$dir/" || true
}

# Prints the path of the module built for a kernel build dir, cached by source hash.
built_module() {
	local tree=$1 build=$2 dir
	dir=$PFNMAP_CACHE/module/$(basename "$build")-$(tree_hash pfnmap_dev Kbuild)
	if [[ -f $dir/pfnmap_dev/pfnmap_dev.ko ]]; then
		echo "$dir/pfnmap_dev/pfnmap_dev.ko"
		return
	fi
	progress "building pfnmap_dev.ko for $(basename "$build")"
	if ! compile_module "$dir" "$tree" "$build"; then
		cat "$dir/build.log" >&2
		rm -rf "$dir"
		die "module build failed against $(basename "$build")"
	fi
	if [[ -n $(module_own_warnings "$dir") ]]; then
		module_own_warnings "$dir" >&2
		warn "pfnmap_dev has W=1 warnings against $(basename "$build")"
	fi
	echo "$dir/pfnmap_dev/pfnmap_dev.ko"
}

built_probe() {
	local out staging
	out=$PFNMAP_CACHE/probe/$(tree_hash userspace pfnmap_dev/pfnmap_dev_uapi.h)
	if [[ ! -x $out/pfnmap-probe ]]; then
		progress "building pfnmap-probe (static)"
		sweep_stale_staging "${out%/*}"
		staging=$(make_staging "$out")
		make -s -C "$PFNMAP_TOP/userspace" OUT="$staging" STATIC=1 >&2 || die "probe build failed"
		publish_dir "$staging" "$out"
	fi
	echo "$out/pfnmap-probe"
}

built_gen_init_cpio() {
	local tree=$1 tool=$PFNMAP_CACHE/tools/gen_init_cpio
	if [[ ! -x $tool ]]; then
		mkdir -p "${tool%/*}"
		gcc -O2 -o "$tool.tmp" "$tree/usr/gen_init_cpio.c" || die "cannot build gen_init_cpio"
		mv "$tool.tmp" "$tool"
	fi
	echo "$tool"
}

# pack_initramfs OUT_CPIO TREE MODULE PROBE JOB_ENV [EXTRA_FILE...]
pack_initramfs() {
	local cpio=$1 tree=$2 module=$3 probe=$4 job_env=$5 list extra
	shift 5
	list=$cpio.list
	sed -e "s|@BUSYBOX@|$(command -v busybox)|" -e "s|@INIT@|$PFNMAP_TOP/initramfs/init|" \
		-e "s|@JOB_ENV@|$job_env|" -e "s|@MODULE@|$module|" -e "s|@PROBE@|$probe|" \
		-e "s|@STRESS@|${probe%/*}/pfnmap-stress|" \
		-e "s|@EXPECTATIONS@|$PFNMAP_TOP/userspace/expectations.txt|" \
		-e "s|@LOG_CONCERN@|$LOG_CONCERN|" \
		"$PFNMAP_TOP/initramfs/files.list" >"$list"
	for extra in "$@"; do
		[[ -f $extra ]] || die "--include $extra: no such file"
		echo "file /pfnmap/$(basename "$extra") $(realpath "$extra") 755 0 0" >>"$list"
	done
	"$(built_gen_init_cpio "$tree")" "$list" >"$cpio" || die "cannot pack the initramfs from $list"
}

choose_accel() {
	local wanted=$1
	case $wanted in
	tcg | kvm) echo "$wanted" ;;
	auto)
		# /dev/kvm can open and still hang guests where the CPU lacks vmx/svm: ask for both.
		if [[ -r /dev/kvm && -w /dev/kvm ]] && grep -qwE 'vmx|svm' /proc/cpuinfo; then
			echo kvm
		else
			echo tcg
		fi
		;;
	*) die "--accel takes kvm, tcg or auto, not '$wanted'" ;;
	esac
}

# Lines in a guest log that mean the kernel itself went wrong: one ERE per line, the same list
# the probe builds in and the guest scripts grep (tests/kmsg/samples.txt says what it must match).
readonly LOG_CONCERN=$PFNMAP_TOP/userspace/log-concern.txt

# boot_guest COLUMN_DIR BZIMAGE CPIO ACCEL MEMORY_MB TIMEOUT APPEND VERBOSE INTERACTIVE
# Leaves console.log and the guest's /results in COLUMN_DIR; returns QEMU's (or timeout's) status.
boot_guest() {
	local dir=$1 bzimage=$2 cpio=$3 accel=$4 memory=$5 timeout_s=$6 append=$7 verbose=$8
	local interactive=$9
	local -a cmd=(qemu-system-x86_64 -accel "$accel" -m "$memory" -smp 1
		-nic none -display none -no-reboot -monitor none
		-kernel "$bzimage" -initrd "$cpio"
		-append "console=ttyS0 panic=-1 $append"
		-serial stdio -serial "file:$dir/results.tar")
	[[ $accel == tcg ]] && cmd+=(-cpu max)
	[[ $accel == kvm ]] && cmd+=(-cpu host)
	printf '%q ' "${cmd[@]}" >"$dir/qemu-cmdline.txt"
	echo >>"$dir/qemu-cmdline.txt"
	local rc=0
	if [[ $interactive == 1 ]]; then
		"${cmd[@]}" | tee "$dir/console.log" || rc=$?
	elif [[ $verbose == 1 ]]; then
		timeout -k 5 "$timeout_s" "${cmd[@]}" </dev/null 2>&1 | tee "$dir/console.log" >&2 || rc=$?
	else
		timeout -k 5 "$timeout_s" "${cmd[@]}" </dev/null >"$dir/console.log" 2>&1 || rc=$?
	fi
	if [[ -s $dir/results.tar ]]; then
		tar -xzf "$dir/results.tar" -C "$dir" 2>/dev/null || true
	fi
	rm -f "$dir/results.tar"
	return "$rc"
}

# Classifies a finished guest into one of the runner's exit codes.
guest_exit_code() {
	local dir=$1 qemu_rc=$2 log
	if ((qemu_rc == 124 || qemu_rc == 137)); then
		echo "$EXIT_HANG"
		return
	fi
	log=$dir/dmesg.txt
	[[ -f $log ]] || log=$dir/console.log
	# grep's errors are silenced for a missing log; a missing pattern file must not pass as clean.
	[[ -s $LOG_CONCERN ]] || die "$LOG_CONCERN is missing"
	if grep -qE -f "$LOG_CONCERN" "$log" "$dir/console.log" 2>/dev/null ||
		! grep -q 'pfnmap-guest: done' "$dir/console.log"; then
		echo "$EXIT_SPLAT"
		return
	fi
	# Every step that ran must have exited 0. The probe's 4 (every case skipped) is no pass:
	# a run that measured nothing is not green.
	local rc
	for rc in insmod.rc probe.rc exec.rc stress.rc rmmod.rc; do
		if [[ -f $dir/$rc && $(cat "$dir/$rc") != 0 ]]; then
			echo "$EXIT_CHANGED"
			return
		fi
	done
	echo "$EXIT_OK"
}
