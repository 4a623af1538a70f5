# shellcheck shell=bash
# Building what goes into the guest (module, probe, initramfs) and booting it.
# Needs common.sh and kernel.sh.

# Hash of the source files under the given paths; build products (ignored by git) do not count.
# Remembered for the rest of the run once remember_source_hashes has computed it in the
# runner's own shell (the callers run in subshells): a matrix hashed them once per column.
declare -gA TREE_HASH_MEMO=()
tree_hash() {
	local key="$*"
	if [[ -z ${TREE_HASH_MEMO[$key]:-} ]]; then
		TREE_HASH_MEMO[$key]=$(hash_source_files "$@") || return
	fi
	echo "${TREE_HASH_MEMO[$key]}"
}

readonly PROBE_SOURCES=(userspace pfnmap_dev/pfnmap_dev_uapi.h kernels/arch.tsv) MODULE_SOURCES=(pfnmap_dev Kbuild)

remember_source_hashes() {
	tree_hash "${PROBE_SOURCES[@]}" >/dev/null
	tree_hash "${MODULE_SOURCES[@]}" >/dev/null
}

hash_source_files() {
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
# For the current architecture (PFNMAP_ARCH), cross-compiled when it is not the host's.
compile_module() {
	local dir=$1 tree=$2 build=$3 make_args
	mapfile -t make_args < <(arch_make_args "$(current_arch)")
	rm -rf "$dir/Kbuild" "$dir/pfnmap_dev" && mkdir -p "$dir" || return
	cp -a "$PFNMAP_TOP/Kbuild" "$PFNMAP_TOP/pfnmap_dev" "$dir/" || return
	find "$dir" \( -name '*.o' -o -name '*.ko' -o -name '.*.cmd' -o -name '*.mod*' \) -delete
	make -C "$tree" ${build:+O="$build"} "${make_args[@]}" M="$dir" W=1 modules >"$dir/build.log" 2>&1
}

# Warnings located in the module's own sources under DIR. Some stable kernels' headers warn
# under W=1 in every file that includes them (5.10.262: mmzone.h, "nid set but not used");
# those are the kernel's, not ours.
module_own_warnings() {
	local dir=$1
	grep -E 'warning:|WARNING:' "$dir/build.log" | grep -F "$dir/" || true
}

# The space a module or probe build needs in the cache (about 1 MiB each, with room to spare).
readonly SMALL_ENTRY_MB=20

# Prints the path of the module built for a kernel build dir, cached by source hash. Built in
# a staging dir under the entry's lock: a second run waits and reuses it.
built_module() {
	local tree=$1 build=$2 final staging lock
	final=$PFNMAP_CACHE/module/$(basename "$build")-$(tree_hash "${MODULE_SOURCES[@]}")
	# A user's tree changes under the same build dir (a bisect checks out another commit): its
	# module is keyed by the kernel image too, so that it is built against each kernel.
	[[ $tree == "$PFNMAP_CACHE"/src/* ]] || final+=-$(sha256sum <"$build/$(arch_image "$(current_arch)")" | cut -c1-8)
	if [[ ! -f $final/pfnmap_dev/pfnmap_dev.ko ]]; then
		lock_entry "$final" x
		lock=$ENTRY_LOCK_FD
		[[ -f $final/pfnmap_dev/pfnmap_dev.ko ]] || build_module_entry "$tree" "$build" "$final"
		unlock_entry "$lock"
	fi
	echo "$final/pfnmap_dev/pfnmap_dev.ko"
}

build_module_entry() {
	local tree=$1 build=$2 final=$3 staging
	require_free_mb "$PFNMAP_CACHE" "$SMALL_ENTRY_MB"
	sweep_stale_staging "${final%/*}" "$final"
	staging=$(make_staging "$final")
	progress "building pfnmap_dev.ko for $(basename "$build")"
	if ! compile_module "$staging" "$tree" "$build"; then
		cat "$staging/build.log" >&2 2>/dev/null || true
		rm -rf "$staging"
		die "module build failed against $(basename "$build")$(cache_full_hint "${final%/*}")"
	fi
	if [[ -n $(module_own_warnings "$staging") ]]; then
		module_own_warnings "$staging" >&2
		warn "pfnmap_dev has W=1 warnings against $(basename "$build")"
	fi
	publish_dir "$staging" "$final"
}

# The probe and pfnmap-stress, static, cached by the hash of their sources, for the current
# architecture (PFNMAP_ARCH; the host runs --describe and --list with the host's own).
built_probe() {
	local final staging lock arch cc=()
	arch=$(current_arch)
	[[ -z $(arch_cross_prefix "$arch") ]] || cc=("CC=$(arch_cc "$arch")")
	final=$PFNMAP_CACHE/probe/$(tree_hash "${PROBE_SOURCES[@]}")$(arch_suffix "$arch")
	if [[ ! -x $final/pfnmap-probe ]]; then
		lock_entry "$final" x
		lock=$ENTRY_LOCK_FD
		if [[ ! -x $final/pfnmap-probe ]]; then
			require_free_mb "$PFNMAP_CACHE" "$SMALL_ENTRY_MB"
			progress "building pfnmap-probe and pfnmap-stress (static, $arch)"
			sweep_stale_staging "${final%/*}" "$final"
			staging=$(make_staging "$final")
			if ! make -s -C "$PFNMAP_TOP/userspace" OUT="$staging" STATIC=1 "${cc[@]}" >&2; then
				rm -rf "$staging"
				die "probe build failed$(cache_full_hint "${final%/*}")"
			fi
			publish_dir "$staging" "$final"
		fi
		unlock_entry "$lock"
	fi
	echo "$final/pfnmap-probe"
}

# Built under a name of its own and renamed: two runs may build it at once, either one wins.
built_gen_init_cpio() {
	local tree=$1 tool=$PFNMAP_CACHE/tools/gen_init_cpio new
	if [[ ! -x $tool ]]; then
		mkdir -p "${tool%/*}" || die "cannot create ${tool%/*}$(cache_full_hint "${tool%/*}")"
		new=$(mktemp "$tool.XXXXXX") || die "cannot write into ${tool%/*}$(cache_full_hint "${tool%/*}")"
		gcc -O2 -o "$new" "$tree/usr/gen_init_cpio.c" ||
			{ rm -f "$new"; die "cannot build gen_init_cpio$(cache_full_hint "${tool%/*}")"; }
		mv -f "$new" "$tool"
	fi
	echo "$tool"
}

# pack_initramfs OUT_CPIO TREE MODULE PROBE JOB_ENV [EXTRA_FILE...]: for the current architecture.
pack_initramfs() {
	local cpio=$1 tree=$2 module=$3 probe=$4 job_env=$5 list extra busybox
	shift 5
	list=$cpio.list
	busybox=$(guest_busybox "$(current_arch)")
	sed -e "s|@BUSYBOX@|$busybox|" -e "s|@INIT@|$PFNMAP_TOP/initramfs/init|" \
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

# /dev/kvm can open and still hang guests (or make QEMU abort: "failed to set MSR") where the
# CPU lacks vmx/svm: KVM needs both. PFNMAP_CPUINFO stands in for /proc/cpuinfo in tests.
cpu_has_virtualization() { grep -qwE 'vmx|svm' "${PFNMAP_CPUINFO:-/proc/cpuinfo}"; }
kvm_device_usable() { [[ -r /dev/kvm && -w /dev/kvm ]]; }

# choose_accel MODE [ARCH]: a guest of another architecture than the host's only runs under TCG.
choose_accel() {
	local wanted=$1 arch=${2:-$(arch_default)} native=1
	[[ $arch == "$(host_arch)" ]] || native=0
	case $wanted in
	tcg) echo tcg ;;
	kvm)
		((native)) || die "--accel kvm: $arch guests cannot use KVM on this $(uname -m) host (use --accel tcg or auto)"
		cpu_has_virtualization ||
			die "--accel kvm: this CPU has no vmx/svm flag in /proc/cpuinfo, KVM guests cannot run here (use --accel tcg or auto)"
		kvm_device_usable || die "--accel kvm: /dev/kvm is missing or not read-writable by $(id -un)"
		echo kvm
		;;
	auto)
		if ((native)) && kvm_device_usable && cpu_has_virtualization; then
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

# --real: the real drivers of the probe's real.* family. vfio-pci in no-IOMMU mode gets QEMU's
# ivshmem-plain device (PCI 1af4:1110; BAR 2 is the 1 GiB memory backend: MMIO to the guest, no
# struct page) at a fixed slot; the guest binds it to vfio-pci (initramfs/init, PCI_BIND).
# /dev/mem gets a memmap= range of its own, next to the one --memmap gives the module (which it
# never claims).
# The PCI slots of the two ivshmem devices: QEMU places them there, the guest binds them by it.
readonly REAL_VFIO_SLOT=10 PCI_BACKING_SLOT=11
# shellcheck disable=SC2034 # these are run-qemu.sh's
readonly REAL_QEMU_ARGS="-object memory-backend-ram,id=hm,size=1G -device ivshmem-plain,memdev=hm,addr=0x$REAL_VFIO_SLOT"
# shellcheck disable=SC2034
readonly REAL_APPEND="vfio.enable_unsafe_noiommu_mode=1 memmap=16M\$0x9000000"
# shellcheck disable=SC2034
readonly REAL_PCI_BIND="0000:00:$REAL_VFIO_SLOT.0=vfio-pci"

# The module's backings (--backing): where its region lives. Each is one record of facts:
# kernel command line, QEMU arguments, insmod parameters, and PCI devices the guest binds.
# pci: a second ivshmem-plain device, bound to pfnmap_dev's PCI driver, its BAR 2 the region.
backing_append() {
	case $1 in memmap) echo "memmap=16M\$0x8000000" ;; *) ;; esac
}
backing_qemu_args() {
	case $1 in
	pci) echo "-object memory-backend-ram,id=pfnmap-bar,size=16M -device ivshmem-plain,memdev=pfnmap-bar,addr=0x$PCI_BACKING_SLOT" ;;
	*) ;;
	esac
}
backing_module_args() {
	case $1 in
	memmap) echo "phys_base=0x8000000 phys_size=0x1000000" ;;
	pci) echo "pci_bar=2" ;;
	*) ;;
	esac
}
backing_pci_bind() {
	case $1 in pci) echo "0000:00:$PCI_BACKING_SLOT.0=pfnmap_dev" ;; *) ;; esac
}
# shellcheck disable=SC2034 # run-qemu.sh's
readonly BACKINGS="pages memmap pci"

# The guest's device for /results, by the channel kernels/arch.tsv names (initramfs/init writes
# to it): a second UART, or a virtio-serial port where the machine has one UART.
results_device() {
	case $(arch_field "$1" 8) in
	serial) echo /dev/ttyS1 ;;
	virtio) echo /dev/vport0p1 ;;
	*) die "kernels/arch.tsv: $1 has an unknown results channel '$(arch_field "$1" 8)'" ;;
	esac
}

# QEMU arguments for the results channel into FILE.
results_channel_args() {
	local arch=$1 file=$2
	case $(arch_field "$arch" 8) in
	serial) printf '%s\n' -serial "file:$file" ;;
	virtio) printf '%s\n' -device virtio-serial-device -chardev "file,id=results,path=$file" \
		-device virtserialport,chardev=results,name=pfnmap.results ;;
	esac
}

# boot_guest COLUMN_DIR KERNEL_IMAGE CPIO ACCEL MEMORY_MB TIMEOUT APPEND VERBOSE INTERACTIVE [QEMU_ARGS]
# Boots the current architecture's QEMU (PFNMAP_ARCH). Leaves console.log and the guest's
# /results in COLUMN_DIR; returns QEMU's (or timeout's) status.
# QEMU_ARGS: more QEMU arguments, split at blanks (REAL_QEMU_ARGS); PFNMAP_QEMU_ARGS from the
# environment too (make bench's icount mode).
boot_guest() {
	local dir=$1 image=$2 cpio=$3 accel=$4 memory=$5 timeout_s=$6 append=$7 verbose=$8
	local interactive=$9 extra=() arch machine=() channel
	# SeaBIOS, not qboot (0.13 s sooner): qboot leaves the MTRRs blank, and 5.10 and 6.1 then
	# skip PAT initialization, which changes the PAT evidence of 192 cases.
	read -ra extra <<<"${10:-} ${PFNMAP_QEMU_ARGS:-}"
	arch=$(current_arch)
	read -ra machine <<<"$(arch_field "$arch" 5)"
	mapfile -t channel < <(results_channel_args "$arch" "$dir/results.tar")
	local -a cmd=("$(arch_qemu "$arch")" "${machine[@]}" -accel "$accel" -m "$memory" -smp 1
		-nic none -display none -no-reboot -monitor none
		-kernel "$image" -initrd "$cpio"
		-append "console=$(arch_field "$arch" 7) panic=-1 $(arch_field "$arch" 12) $append"
		-serial stdio "${channel[@]}" "${extra[@]}")
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

# QEMU that exited non-zero before the kernel printed its banner never ran a guest: an
# infrastructure failure (bad option, no memory, KVM refusing the CPU), not a kernel's.
qemu_failed_to_start() {
	local dir=$1 qemu_rc=$2
	((qemu_rc != 0)) && ! grep -q 'Linux version' "$dir/console.log" 2>/dev/null
}

# What QEMU said, for the message: its own lines, else the start of the console log.
qemu_message() {
	local log=$1/console.log
	grep -m3 '^qemu-system' "$log" 2>/dev/null | tr '\n' ' ' ||
		head -c 300 "$log" 2>/dev/null | tr '\n' ' ' || true
}

# Classifies a finished guest into one of the runner's exit codes.
guest_exit_code() {
	local dir=$1 qemu_rc=$2 log
	if ((qemu_rc == 124 || qemu_rc == 137)); then
		echo "$EXIT_HANG"
		return
	fi
	if qemu_failed_to_start "$dir" "$qemu_rc"; then
		warn "QEMU failed to start (exit $qemu_rc): $(qemu_message "$dir")"
		echo "$EXIT_INFRA"
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
