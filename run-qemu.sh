#!/usr/bin/env bash
# Boots kernels from the catalog in QEMU with pfnmap_dev and the probe, and prints the behaviour
# table. Everything slow (fetch, kernel build, module and probe build) is cached.
set -euo pipefail

source "$(dirname "$0")/scripts/common.sh"
source "$PFNMAP_TOP/scripts/kernel.sh"
source "$PFNMAP_TOP/scripts/guest.sh"
source "$PFNMAP_TOP/scripts/distro.sh"
source "$PFNMAP_TOP/scripts/bisect.sh"

usage() {
	cat <<EOF
usage: $0 [options]
  --kernel SERIES     a catalog series ($(catalog_series | tr '\n' ' ')); default $(catalog_default_series);
                      SERIES$DISTRO_SUFFIX for Debian's own prebuilt kernel of it (kernels/distro.tsv)
  --variant NAME      a what-if variant or a flavor (debug) from kernels/variants.tsv
  --arch ARCH         the guest architecture ($(arch_names | tr '\n' ' '| sed 's/ $//'); default $(arch_default)):
                      built with a cross compiler and booted under TCG when not the host's
  --matrix            every catalog series and every what-if variant on every architecture
                      (with --arch: on that one; on $(arch_default) a what-if joined with the
                      series' drivers variant, e.g. 7.2+relax-pfnmap+drm), and the Debian
                      kernels marked for it in kernels/distro.tsv, then the report
  --list-columns      print the kernel columns the other options name (e.g. with --matrix),
                      one a line, and exit
  --kernels "S1 S2"   several columns, then the report: SERIES[+VARIANT[+VARIANT]][@ARCH] or
                      SERIES-debian, e.g. "7.2 7.2@arm64 7.2+relax-pfnmap@arm64 7.2+relax-pfnmap+drm"
                      (no @ARCH: --arch's; joined variants: the what-if with the other's drivers)
  --kernel-tree DIR   your own kernel tree (built here with our config, or used as built)
  --exec CMD          run CMD in the guest after insmod instead of the probe
  --shell             an interactive shell in the guest after insmod
  --boot-only         boot and reboot, nothing else (for timing)
  --stress SECONDS    run pfnmap-stress in the guest instead of the probe (random operations
                      from several processes x threads; with --memmap on the memmap= region)
  --seed N            the stress run's seed (default: a random one, printed)
  --case GLOB         run only probe cases matching GLOB (repeatable)
  --bisect GLOB       for git bisect run, with --kernel-tree: bring the tree's build up to date,
                      run the cases matching GLOB (repeatable) and exit with git bisect run's
                      codes (below) instead of ours
  --bisect-good OUTCOME  what good is for --bisect: an outcome as the probe prints it and
                      userspace/expectations.txt holds it, e.g. 'ret=EINVAL old=pattern new=-'
                      (the operation's fields in order) or one word (timeout, crash=SIGSEGV);
                      default: expectations.txt for the tree's kernel version
  --probe-arg ARG     pass ARG to pfnmap-probe in the guest (repeatable), e.g. -v
  --module-args ARGS  insmod parameters, e.g. "region_size=0x200000"
  --backing LIST      where the module's region lives, one guest per backing and kernel
                      (comma-separated; default pages): pages (kernel pages), memmap (16M of
                      guest RAM reserved at 128M with memmap=), pci (BAR 2 of a second
                      ivshmem-plain device bound to pfnmap_dev: MMIO, no struct page);
                      with several, column names end in ~BACKING (7.2~pci)
  --memmap            the same as --backing memmap
  --huge              a boot for the huge.* probe cases: 1 GiB reserved with memmap= on a 1 GiB
                      boundary (room for a PUD leaf), the module loaded on it, 2560 MB of RAM
                      (arm64, no memmap=: 4 MiB of kernel pages, PMD leaves only);
                      with --hazards also the cases that make some kernels BUG
  --hazards           a boot for the hazard.* probe cases only (they make the kernel WARN on
                      purpose; implies --memmap; with --case, those cases instead; with
                      --real also real.vfio.1g, whose PUD leaf moves log "bad pud")
  --real              add the real drivers of the real.* probe cases: QEMU's ivshmem-plain
                      device bound to vfio-pci in no-IOMMU mode, and a memmap= range for
                      /dev/mem that the module does not claim; their cases then must run
  --include PATH      add a file to the guest's /pfnmap (repeatable)
  --append ARGS       extra kernel command line
  --memory MB         guest memory (default 256)
  --accel MODE        kvm, tcg or auto (default auto: kvm only with vmx/svm and /dev/kvm)
  --timeout SECONDS   host-side limit for one guest (default 300)
  --jobs N            parallel kernel build jobs (default: number of cores)
  --results DIR       where results/<run-id>/ goes (default: ./results)
  --rebuild           rebuild the kernel even when a cached build exists
  --refresh           look for a newer Debian source package even when one is cached
  --prune             remove cached sources and builds not used by the current catalog
  -v, --verbose       show the guest console
  -h, --help          this text
exit codes: $EXIT_OK all cases expected; $EXIT_CHANGED some case changed, failed or new;
  $EXIT_INFRA bad argument, missing tool, fetch or build failure; $EXIT_SPLAT kernel panic or
  WARNING/BUG/Oops in the guest log; $EXIT_HANG guest timed out.
with --bisect, git bisect run's codes instead:
  $BISECT_GOOD good: every bisected case ran, its outcome is what good is, and the probe's checks
    passed;
  $BISECT_BAD bad: a case's outcome differs; or the kernel logged a WARNING, BUG or Oops during
    a case (its kmsg_clean check) whose good outcome has no log= field (with one, the outcome
    itself says which splat is good); or the guest died with a splat in the probe's process;
  $BISECT_SKIP skip: the tree or the module does not build against it, a case skipped, could not
    set up or has no expectation for the version, the guest hung or died before the cases;
  $BISECT_ABORT stop the bisection: a bad argument, a missing tool, QEMU that cannot start (the
    same at every commit). A splat outside the cases (boot, insmod, rmmod) is reported, not judged.
cache: $PFNMAP_CACHE (set PFNMAP_CACHE or XDG_CACHE_HOME to move it)
PFNMAP_QEMU_ARGS: more QEMU arguments for every guest (make bench's PFNMAP_BENCH_ICOUNT=1)
EOF
}

# Options, set by parse_args.
series="" variant="" arch="" matrix=0 list_columns=0 kernel_columns=() kernel_tree="" mode=probe exec_cmd="" module_args="" append=""
memory=256 accel=auto timeout_s=300 jobs=$(nproc) verbose=0 results_root=$PFNMAP_TOP/results
probe_args=() case_globs=() includes=() hazards=0 huge=0 stress_seconds="" stress_seed="" timeout_given=0
memory_given=0
real=0 qemu_args="" pci_bind="" backings=(pages) backing_given=0
bisect_globs=() bisect_good=""

need_value() { [[ $# -ge 2 && -n $2 ]] || die "$1 needs a value (see --help)"; }

parse_args() {
	while (($#)); do
		case $1 in
		--kernel) need_value "$@"; series=$2; shift ;;
		--variant) need_value "$@"; variant=$2; shift ;;
		--arch) need_value "$@"; arch=$2; shift ;;
		--matrix) matrix=1 ;;
		--list-columns) list_columns=1 ;;
		--kernels) need_value "$@"; read -ra kernel_columns <<<"$2"; shift ;;
		--kernel-tree) need_value "$@"; kernel_tree=$2; shift ;;
		--exec) need_value "$@"; mode="exec"; exec_cmd=$2; shift ;;
		--shell) mode=shell ;;
		--boot-only) mode=boot ;;
		--stress) need_value "$@"; mode=stress; stress_seconds=$2; shift ;;
		--seed) need_value "$@"; stress_seed=$2; shift ;;
		--case) need_value "$@"; probe_args+=(--case "$2"); case_globs+=("$2"); shift ;;
		--bisect) need_value "$@"; probe_args+=(--case "$2"); case_globs+=("$2"); bisect_globs+=("$2")
			shift ;;
		--bisect-good) need_value "$@"; bisect_good=$2; shift ;;
		--probe-arg) need_value "$@"; probe_args+=("$2"); shift ;;
		--module-args) need_value "$@"; module_args=$2; shift ;;
		--backing) need_value "$@"; IFS=, read -ra backings <<<"$2"; backing_given=1; shift ;;
		--memmap) backings=(memmap); backing_given=1 ;;
		--hazards) hazards=1 ;;
		--huge) huge=1 ;;
		--real) real=1 ;;
		--include) need_value "$@"; includes+=("$2"); shift ;;
		--append) need_value "$@"; append+=" $2"; shift ;;
		--memory) need_value "$@"; memory=$2; memory_given=1; shift ;;
		--accel) need_value "$@"; accel=$2; shift ;;
		--timeout) need_value "$@"; timeout_s=$2; timeout_given=1; shift ;;
		--jobs) need_value "$@"; jobs=$2; shift ;;
		--results) need_value "$@"; results_root=$2; shift ;;
		--rebuild) export PFNMAP_REBUILD=1 ;;
		--refresh) export PFNMAP_REFRESH=1 ;;
		--prune) prune_cache; exit 0 ;;
		-v | --verbose) verbose=1 ;;
		-h | --help) usage; exit 0 ;;
		*) die "unknown argument '$1' (see --help)" ;;
		esac
		shift
	done
	check_backings
	[[ -z $arch ]] || check_arch "$arch"
	((huge == 0)) || use_huge_region
	if ((hazards)); then
		# The hazard cases map the memmap= region, in a boot of their own.
		[[ $module_args == *phys_base=* ]] || backings=(memmap)
		# With --real also the real driver that logs "bad pud" on purpose.
		if [[ " ${probe_args[*]:-} " != *" --case "* ]]; then
			probe_args+=(--case 'hazard.*')
			((real == 0)) || probe_args+=(--case 'real.vfio.1g:*')
		fi
		probe_args+=(--hazards)
	fi
	if ((real)); then
		# First: a later --append of the same parameter wins over ours.
		append=" $REAL_APPEND$append"
		qemu_args=$REAL_QEMU_ARGS
		pci_bind=$REAL_PCI_BIND
		probe_args+=(--require-real)
	fi
	[[ $memory =~ ^[0-9]+$ ]] || die "--memory takes megabytes, not '$memory'"
	[[ $timeout_s =~ ^[0-9]+$ ]] || die "--timeout takes seconds, not '$timeout_s'"
	[[ $jobs =~ ^[0-9]+$ && $jobs -gt 0 ]] || die "--jobs takes a positive number, not '$jobs'"
	check_stress_args
	if [[ -n $kernel_tree ]]; then
		[[ -f $kernel_tree/Makefile && -d $kernel_tree/mm ]] || die "--kernel-tree $kernel_tree is not a kernel tree"
		((matrix == 0)) || die "--kernel-tree and --matrix exclude each other"
	fi
	check_bisect_args
	if [[ -n $series ]] && is_distro_column "$series"; then
		[[ -z $variant ]] || die "--variant $variant: $series is Debian's kernel as it ships, it has no variants"
	else
		[[ -z $variant ]] || series=$(variant_series "$variant" "$series")
	fi
	[[ -n $series ]] && check_column "$(canonical_column "$series")"
	local i
	for i in "${!kernel_columns[@]}"; do
		kernel_columns[i]=$(canonical_column "${kernel_columns[i]}")
		check_column "${kernel_columns[i]}"
	done
	check_arch_options
	if [[ $mode == shell ]]; then verbose=1; fi
	choose_accel "$accel" "${arch:-$(arch_default)}" >/dev/null
}

# A column as the runner names it: SERIES[+VARIANT], then @ARCH unless the architecture is the
# default one (its columns keep the names they had). Without @ARCH a column is --arch's.
canonical_column() {
	local column=$1 column_arch=${arch:-$(arch_default)}
	[[ $column != *@* ]] || column_arch=$(column_arch "$column")
	echo "$(column_base "$column")$(arch_suffix "$column_arch")"
}

# The memmap= regions (--memmap, --hazards, --real) need the kernel parameter, which
# arm64 does not have (a reserved-memory node in the device tree would be its way): refused
# there until one of those exists (kernels/arch.tsv, column memmap).
check_arch_options() {
	local columns=("${kernel_columns[@]}") column column_arch
	((${#columns[@]})) || columns=("$(canonical_column "${series:-x}")")
	for column in "${columns[@]}"; do
		column_arch=$(column_arch "$column")
		[[ $(arch_field "$column_arch" 11) == yes ]] && continue
		[[ " $append $module_args " != *" memmap="* && " $module_args " != *" phys_base="* &&
			" ${backings[*]} " != *" memmap "* ]] ||
			die "--memmap, --hazards and --real reserve guest RAM with memmap=, which $column_arch kernels do not have"
		# The pci backing's ivshmem device sits on the pc machine's bus; virt's PCIe is untried.
		[[ " ${backings[*]} " != *" pci "* ]] || die "--backing pci: only on $(arch_default) columns so far, not $column"
	done
}

# check_column NAME: SERIES[+VARIANT][@ARCH], or SERIES-debian (the default architecture's).
check_column() {
	local column=$1 base
	check_arch "$(column_arch "$column")"
	base=$(column_base "$column")
	if is_distro_column "$base"; then
		[[ $base == "$column" ]] || die "$column: Debian's kernels are $(arch_default) columns only"
		check_distro_column "$base"
		return
	fi
	check_series "${base%%+*}"
	[[ $base != *+* ]] || variant_series "${base#*+}" "${base%%+*}" >/dev/null
	[[ $base != *+* ]] || variant_runs_on "${base#*+}" "${base%%+*}" "$(column_arch "$column")" ||
		die "$column: variant ${base#*+} needs QEMU's standard VGA, which only $(arch_default) guests have"
}

# --backing: known names, each once; the modes with a region of their own take no other.
check_backings() {
	local b
	((${#backings[@]})) || die "--backing needs at least one of: $BACKINGS"
	for b in "${backings[@]}"; do
		[[ " $BACKINGS " == *" $b "* ]] || die "--backing takes $BACKINGS (comma-separated), not '$b'"
	done
	[[ -z $(printf '%s\n' "${backings[@]}" | sort | uniq -d) ]] || die "--backing names a backing twice: ${backings[*]}"
	((backing_given)) || return 0
	((huge == 0)) || die "--huge loads the module on its own region: no --backing/--memmap with it"
	((hazards == 0)) || [[ ${backings[*]} == memmap ]] ||
		die "--hazards runs on the memmap= backing only: no --backing ${backings[*]} with it"
	[[ $module_args != *phys_base=* && $module_args != *pci_bar=* ]] ||
		die "--module-args names a region (phys_base/pci_bar): no --backing/--memmap with it"
}

# The column names of a run: each kernel column once per backing, named COLUMN~BACKING when
# the run has more than one backing (a single backing keeps the kernel's name).
backing_columns() {
	local column backing
	for column; do
		for backing in "${backings[@]}"; do
			if ((${#backings[@]} > 1)) && [[ $backing != pages ]]; then
				echo "$column~$backing"
			else
				echo "$column"
			fi
		done
	done
}

# The backing of a column: its ~BACKING, else the run's only one.
column_backing() {
	if [[ $1 == *~* ]]; then echo "${1##*~}"; else echo "${backings[0]}"; fi
}

# --huge: the huge.* cases need a region a PUD leaf fits, physically aligned like one. RAM
# below 4G is contiguous up to --memory on QEMU's pc machine, so 1G at 1G fits in 2560 MB.
# An architecture without memmap= (kernels/arch.tsv) gets 4 MiB of kernel pages instead, one
# naturally aligned order-10 allocation: room for PMD leaves; huge.pud skips, saying why.
readonly HUGE_REGION_BASE=0x40000000 HUGE_REGION_SIZE=0x40000000 HUGE_MEMORY_MB=2560
readonly HUGE_PAGES_REGION_SIZE=0x400000
use_huge_region() {
	[[ $module_args != *phys_base=* ]] || die "--huge loads the module on its own region; drop phys_base/--memmap"
	((memory_given)) || memory=$HUGE_MEMORY_MB
	((memory >= HUGE_MEMORY_MB)) || die "--huge needs --memory $HUGE_MEMORY_MB or more"
	[[ " ${probe_args[*]:-} " == *" --case "* ]] || probe_args+=(--case 'huge.*' --case 'abi:config_huge')
}

# The kernel command line and insmod parameters of a column: the run's, its backing's and
# --huge's region on its architecture.
column_append() {
	local backing=$1 column_arch=$2 line
	line="$append $(backing_append "$backing")"
	((huge == 0)) || [[ $(arch_field "$column_arch" 11) != yes ]] || line+=" memmap=1G\$$HUGE_REGION_BASE"
	echo "$line"
}
column_module_args() {
	local backing=$1 column_arch=$2 args
	args="$module_args $(backing_module_args "$backing")"
	if ((huge)) && [[ $(arch_field "$column_arch" 11) == yes ]]; then
		args+=" phys_base=$HUGE_REGION_BASE phys_size=$HUGE_REGION_SIZE"
	elif ((huge)); then
		args+=" region_size=$HUGE_PAGES_REGION_SIZE"
	fi
	echo "$args"
}

# --stress: seconds and seed are numbers; the seed is chosen here when not given, so that the
# run can be repeated from what it printed; the guest gets its run time plus boot and checks.
check_stress_args() {
	if [[ $mode != stress ]]; then
		[[ -z $stress_seed ]] || die "--seed goes with --stress"
		return 0
	fi
	[[ $stress_seconds =~ ^[0-9]+$ && $stress_seconds -gt 0 ]] ||
		die "--stress takes a positive number of seconds, not '$stress_seconds'"
	[[ -n $stress_seed ]] || stress_seed=$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')
	[[ $stress_seed =~ ^[0-9]+$ ]] || die "--seed takes a number, not '$stress_seed'"
	((timeout_given)) || timeout_s=$((stress_seconds + STRESS_SLACK_SECONDS))
}

# A stress guest's time beyond its --stress seconds: boot, the workers' grace, the checks.
readonly STRESS_SLACK_SECONDS=150

variant_rows() { grep -v '^#' "$PFNMAP_TOP/kernels/variants.tsv" | grep -v '^[[:space:]]*$' || true; }

# A column's variant may join rows of one series with '+': 7.2+relax-pfnmap+drm is the what-if
# kernel with bochs-drm built in, so that the what-if is judged on the real drivers too. Its
# patches and fragments are those of each part; it is judged as its what-if part.
variant_parts() { tr '+' '\n' <<<"$1"; }

# Prints the series a variant applies to: the one asked for, else the default series if the
# variant has a row for it, else its only series. Each part of a joined variant must have a row
# for it.
variant_series() {
	local name=$1 wanted=$2 all part
	if [[ $name == *+* ]]; then
		[[ -z $(variant_parts "$name" | sort | uniq -d) ]] || die "variant $name names a part twice"
		[[ $name != *+ && $name != *++* ]] || die "variant '$name' has an empty part"
		wanted=$(variant_series "${name%%+*}" "$wanted")
		for part in $(variant_parts "$name"); do variant_series "$part" "$wanted" >/dev/null; done
		(($(variant_whatif_parts "$name" "$wanted" | wc -l) <= 1)) ||
			die "variant $name joins two what-if variants: the expectations judge a column as one"
		echo "$wanted"
		return
	fi
	all=$(variant_rows | awk -F'\t' -v v="$name" '$1 == v { print $2 }')
	[[ -n $all ]] || die "unknown variant '$name' (kernels/variants.tsv: $(variant_rows | cut -f1 | sort -u | tr '\n' ' '))"
	if [[ -n $wanted ]]; then
		grep -qxF "$wanted" <<<"$all" || die "variant $name has no patch for $wanted (only: ${all//$'\n'/ })"
		echo "$wanted"
	elif grep -qxF "$(catalog_default_series)" <<<"$all"; then
		catalog_default_series
	else
		head -n1 <<<"$all"
	fi
}

# variant_field NAME SERIES COLUMN: one field of a variant's row, of each part's row in turn for
# a joined one ("-" and empty: nothing).
variant_field() {
	local name=$1 series=$2 column=$3 part
	for part in $(variant_parts "$name"); do
		variant_rows | awk -F'\t' -v v="$part" -v s="$series" -v c="$column" \
			'$1 == v && $2 == s && $c != "-" { print $c }'
	done
}

variant_patches() {
	variant_field "$1" "$2" 3 | tr ',' '\n' | sed "s|^|$PFNMAP_TOP/kernels/patches/|"
}

# Each fragment once, in the order the parts name them (fix-drm-shmem+drm: drm.fragment once).
variant_fragments() {
	variant_field "$1" "$2" 4 | tr ',' '\n' | awk '!seen[$0]++' | sed "s|^|$PFNMAP_TOP/kernels/|"
}

# variant_runs_on NAME SERIES ARCH: bochs-drm (drm.fragment) drives the pc machine's standard
# VGA, which the other architectures' machines do not have.
variant_runs_on() {
	[[ $3 == "$(arch_default)" ]] || ! variant_fragments "$1" "$2" | grep -q '/drm\.fragment$'
}

# whatif (the default), flavor or drivers: see kernels/variants.tsv. A joined variant is a
# what-if if a part is one, else drivers if a part is, else a flavor.
variant_kind() {
	local part kind kinds=""
	for part in $(variant_parts "$1"); do
		kind=$(variant_rows | awk -F'\t' -v v="$part" -v s="$2" '$1 == v && $2 == s { print $5 }')
		[[ -n $kind && $kind != - ]] || kind=whatif
		kinds+=" $kind"
	done
	case $kinds in *whatif*) echo whatif ;; *drivers*) echo drivers ;; *) echo flavor ;; esac
}

# The what-if parts of a variant (at most one, variant_series makes sure): the name its
# expectations are qualified with.
variant_whatif_parts() {
	local part
	for part in $(variant_parts "$1"); do
		[[ $(variant_kind "$part" "$2") != whatif ]] || echo "$part"
	done
}

# The parts with patches, which name the patched source tree (a fragment changes only the build).
variant_patching_parts() {
	local part
	for part in $(variant_parts "$1"); do
		[[ -z $(variant_field "$part" "$2" 3) ]] || echo "$part"
	done | paste -sd+
}

# The parts that change how the kernel is built, not what mremap does: the column's flavor.
variant_flavor_parts() {
	local part
	for part in $(variant_parts "$1"); do
		[[ $(variant_kind "$part" "$2") == whatif ]] || echo "$part"
	done | paste -sd+
}

prune_cache() {
	local keep entry package
	keep=$(catalog_rows | cut -f2)
	for entry in "$PFNMAP_CACHE"/src/* "$PFNMAP_CACHE"/build/*; do
		[[ -e $entry && $entry != *.lock ]] || continue
		# An entry another run is building or booting from stays (its lock file always does).
		if [[ -e ${entry%.tmp.*}.lock ]] && ! flock -n -x "${entry%.tmp.*}.lock" true; then
			progress "keeping $entry: another run is using it"
			continue
		fi
		package=$(basename "$entry")
		package=${package%%_*}
		if ! grep -qxF "$package" <<<"$keep" || [[ $entry == *.tmp.* ]]; then
			progress "removing $entry"
			rm -rf "$entry"
		fi
	done
	rm -rf "$PFNMAP_CACHE/module" "$PFNMAP_CACHE/probe"
}

# Source tree for one column: a catalog series, a variant of one, or the user's own tree.
column_tree() {
	local column_series=$1 column_variant=$2 tree patches
	if [[ -n $kernel_tree ]]; then
		realpath "$kernel_tree"
		return
	fi
	tree=$(source_tree_for_series "$column_series")
	if [[ -n $column_variant ]]; then
		mapfile -t patches < <(variant_patches "$column_variant" "$column_series")
		# Named after the parts that patch: 7.2+relax-pfnmap+drm shares 7.2+relax-pfnmap's tree.
		((${#patches[@]} == 0)) ||
			tree=$(patched_tree "$tree" "$(variant_patching_parts "$column_variant" "$column_series")-$(
				cat "${patches[@]}" | sha256sum | cut -c1-8)" "${patches[@]}")
	fi
	echo "$tree"
}

# column_build TREE [VARIANT SERIES]: a tree that is already configured and built is used as it
# is; anything else is built here, with the variant's config fragments if it has any.
column_build() {
	local tree=$1 column_variant=${2:-} column_series=${3:-} fragments=()
	if [[ -f $tree/$(arch_image "$(current_arch)") && -f $tree/Module.symvers && -f $tree/.config ]]; then
		echo "$tree"
		return
	fi
	[[ -z $column_variant ]] || mapfile -t fragments < <(variant_fragments "$column_variant" "$column_series")
	built_kernel "$tree" "$jobs" "${fragments[@]}"
}

# prepare_column DIR SERIES VARIANT BACKING ARCH: one column (kernel, module, probe, initramfs)
# for ARCH in its results dir: what the guest does in job.env, how it boots in boot.env.
prepare_column() {
	local dir=$1 column_series=$2 column_variant=$3 backing=$4 tree build module probe judged_as flavor
	local -x PFNMAP_ARCH=$5
	mkdir -p "$dir"
	tree=$(column_tree "$column_series" "$column_variant")
	build=$(column_build "$tree" "$column_variant" "$column_series")
	# Held until this run ends (QEMU inherits it): a --rebuild in another run waits for us.
	[[ $build != "$PFNMAP_CACHE"/build/* ]] || lock_entry "$build" s
	# A flavor is the stock kernel built differently: the stock expectations judge it.
	judged_as=$(variant_whatif_parts "$column_variant" "$column_series")
	flavor=$(variant_flavor_parts "$column_variant" "$column_series")
	module=$(built_module "$tree" "$build")
	probe=$(built_probe)
	{
		echo "column=$(basename "$dir")"
		echo "series=$column_series"
		echo "arch=$PFNMAP_ARCH"
		echo "backing=$backing"
		echo "variant=$judged_as"
		[[ -z $flavor ]] || echo "flavor=$flavor"
		cat "$build/.pfnmap-build" 2>/dev/null || echo "kernel_version=$(kernel_version_of_tree "$tree")"
	} >"$dir/meta.env"
	{
		printf 'MODE=%q\nMODULE_ARGS=%q\nEXEC_CMD=%q\nVERBOSE=%q\n' "$mode" \
			"$(column_module_args "$backing" "$PFNMAP_ARCH")" "$exec_cmd" "$verbose"
		printf 'PCI_BIND=%q\nRESULTS_DEV=%q\n' "$pci_bind $(backing_pci_bind "$backing")" "$(results_device "$PFNMAP_ARCH")"
		printf 'STRESS_ARGS=%q\n' "--seconds ${stress_seconds:-0} --seed ${stress_seed:-0} --summary /results/stress.env"
		# The module was loaded for this run: an unusable device fails its cases, never skips them;
		# so does a DRM card the kernel was built to drive (the drm flavor).
		printf 'PROBE_ARGS=%q\n' "--require-device ${probe_args[*]:-}${judged_as:+ --variant $judged_as}$(
			config_has CONFIG_DRM_BOCHS=y "$build/.config" && echo " --require-drm")"
	} >"$dir/job.env"
	pack_initramfs "$dir/initramfs.cpio" "$tree" "$module" "$probe" "$dir/job.env" "${includes[@]}"
	write_boot_env "$dir" "$build/$(arch_image "$PFNMAP_ARCH")" "$backing"
}

# prepare_distro_column DIR SERIES BACKING: as prepare_column, for Debian's prebuilt kernel of
# SERIES: a flavor of SERIES for the report (compared with its base), judged by the stock
# expectations and the lines qualified @debian (what Debian's config changes).
prepare_distro_column() {
	local dir=$1 column_series=$2 backing=$3 entry module probe
	local -x PFNMAP_ARCH
	PFNMAP_ARCH=$(arch_default)
	mkdir -p "$dir"
	entry=$(distro_kernel "$column_series")
	module=$(built_distro_module "$entry")
	probe=$(built_probe)
	{
		echo "column=$(basename "$dir")"
		echo "series=$column_series"
		echo "arch=$PFNMAP_ARCH"
		echo "backing=$backing"
		echo "variant="
		echo "flavor=${DISTRO_SUFFIX#-}"
		echo "distro=debian"
		grep -v -e '^vmlinuz=' -e '^kdir=' "$entry/.pfnmap-distro"
		printf 'module_cc=%q\n' "$(cat "${module%/pfnmap_dev/pfnmap_dev.ko}/module-cc")"
	} >"$dir/meta.env"
	{
		printf 'MODE=%q\nMODULE_ARGS=%q\nEXEC_CMD=%q\nVERBOSE=%q\n' "$mode" \
			"$(column_module_args "$backing" "$PFNMAP_ARCH")" "$exec_cmd" "$verbose"
		printf 'PCI_BIND=%q\nRESULTS_DEV=%q\n' "$pci_bind $(backing_pci_bind "$backing")" "$(results_device "$PFNMAP_ARCH")"
		printf 'STRESS_ARGS=%q\n' "--seconds ${stress_seconds:-0} --seed ${stress_seed:-0} --summary /results/stress.env"
		printf 'PROBE_ARGS=%q\n' "--require-device ${probe_args[*]:-} --variant ${DISTRO_SUFFIX#-}"
	} >"$dir/job.env"
	pack_initramfs "$dir/initramfs.cpio" "$(any_source_tree)" "$module" "$probe" "$dir/job.env" "${includes[@]}"
	write_boot_env "$dir" "$entry/$(distro_value "$entry" vmlinuz)" "$backing"
}

# write_boot_env DIR KERNEL_IMAGE BACKING: how a column boots (PFNMAP_ARCH's machine).
write_boot_env() {
	local dir=$1 image=$2 backing=$3
	{
		printf 'KERNEL_IMAGE=%q\nGUEST_ARCH=%q\n' "$image" "$PFNMAP_ARCH"
		printf 'APPEND=%q\n' "$(column_append "$backing" "$PFNMAP_ARCH")"
		printf 'QEMU_ARGS=%q\n' "$qemu_args $(backing_qemu_args "$backing")"
	} >"$dir/boot.env"
}

boot_column() {
	local dir=$1 start qemu_rc=0 code KERNEL_IMAGE GUEST_ARCH APPEND QEMU_ARGS accel_mode
	# shellcheck source=/dev/null # written by prepare_column
	source "$dir/boot.env"
	local -x PFNMAP_ARCH=$GUEST_ARCH
	accel_mode=$(choose_accel "$accel" "$PFNMAP_ARCH")
	start=$(date +%s.%N)
	progress "booting $(grep '^column=' "$dir/meta.env" | cut -d= -f2) ($accel_mode)"
	boot_guest "$dir" "$KERNEL_IMAGE" "$dir/initramfs.cpio" "$accel_mode" \
		"$memory" "$timeout_s" "$APPEND" "$verbose" "$([[ $mode == shell ]] && echo 1 || echo 0)" "$QEMU_ARGS" ||
		qemu_rc=$?
	code=$(guest_exit_code "$dir" "$qemu_rc")
	rm -f "$dir/initramfs.cpio" "$dir/initramfs.cpio.list"
	printf 'exit_status=%s\nwall_seconds=%.2f\n' "$code" "$(echo "$(date +%s.%N) - $start" | bc)" >>"$dir/meta.env"
	return "$code"
}

# Severity order for combining columns: infra > hang > splat > changed > ok.
severity_rank() {
	case $1 in
	"$EXIT_INFRA") echo 4 ;; "$EXIT_HANG") echo 3 ;; "$EXIT_SPLAT") echo 2 ;;
	"$EXIT_CHANGED") echo 1 ;; *) echo 0 ;;
	esac
}

worse_code() {
	if (($(severity_rank "$1") >= $(severity_rank "$2"))); then echo "$1"; else echo "$2"; fi
}

# Every series and what-if variant on every architecture it runs on (--arch: on that one); the
# Debian kernels marked for it (the default architecture's).
matrix_columns() {
	local s v a
	for a in ${arch:-$(arch_names)}; do
		for s in $(catalog_series); do
			echo "$s$(arch_suffix "$a")"
			for v in $(variant_rows | awk -F'\t' -v s="$s" '$2 == s && $5 != "flavor" { print $1 }'); do
				variant_runs_on "$v" "$s" "$a" && echo "$s+$(with_drivers "$v" "$s" "$a")$(arch_suffix "$a")"
			done
			[[ $a != "$(arch_default)" ]] || distro_matrix_columns | grep -xF "$s$DISTRO_SUFFIX" || true
		done
	done
}

# with_drivers VARIANT SERIES ARCH: a what-if variant joined with the series' drivers variants
# that run on ARCH and that it does not build in already, so that the matrix judges each
# what-if on the real drivers too; any other variant as it is.
with_drivers() {
	local joined=$1 d
	[[ $(variant_kind "$1" "$2") == whatif ]] || { echo "$1"; return; }
	for d in $(variant_rows | awk -F'\t' -v s="$2" '$2 == s && $5 == "drivers" { print $1 }'); do
		variant_runs_on "$d" "$2" "$3" || continue
		[[ -z $(comm -13 <(variant_fragments "$1" "$2" | sort) <(variant_fragments "$d" "$2" | sort)) ]] ||
			joined+=+$d
	done
	echo "$joined"
}

# The behaviour grid on stdout; report.md, report.html and report.json (the full table) in the
# run dir, read with the vocabulary of the probe that ran (its --describe, kept as describe.json).
print_report() {
	local run_dir=$1
	if ! "$(host_built_probe)" --describe >"$run_dir/describe.json"; then
		warn "pfnmap-probe --describe failed: no report for $run_dir"
		return
	fi
	if "$PFNMAP_TOP/userspace/report/pfnmap-report" "$run_dir" --describe "$run_dir/describe.json" --grid; then
		progress "report: $run_dir/report.md, report.html, report.json"
	else
		warn "the report could not be made from $run_dir"
	fi
}

# The stress summary of one column, and what the runner adds: rmmod after it, the guest log.
print_stress_result() {
	local dir=$1 column=$2
	echo "== $column: stress (seed $stress_seed)"
	cat "$dir/stress.txt" 2>/dev/null || echo "(no stress output: see $dir/console.log)"
	echo "  rmmod after the run: $(if [[ $(cat "$dir/rmmod.rc" 2>/dev/null) == 0 ]]; then echo clean; else echo FAILED; fi)"
	# The console has every line; dmesg.txt only what the log buffer still held at the end.
	echo "  guest log lines of concern: $(cat "$dir/console.log" "$dir/dmesg.txt" 2>/dev/null |
		grep -E -f "$LOG_CONCERN" | sort -u | wc -l)"
}

# The probe built for the host, for what the runner asks it on the host (--describe, --list).
host_built_probe() { PFNMAP_ARCH=$(host_arch) built_probe; }

# The kernel columns asked for (--matrix, --kernels, --kernel-tree or --kernel/--variant).
requested_columns() {
	if ((matrix)); then
		matrix_columns
	elif ((${#kernel_columns[@]})); then
		printf '%s\n' "${kernel_columns[@]}"
	elif [[ -n $kernel_tree ]]; then
		canonical_column own
	else
		canonical_column "${series:-$(catalog_default_series)}${variant:++$variant}"
	fi
}

main() {
	if bisect_requested "$@"; then trap exit_for_bisect EXIT; fi
	parse_args "$@"
	if ((list_columns)); then
		requested_columns
		return
	fi
	ensure_host_tools busybox gcc make bc
	remember_source_hashes
	# A glob that selects nothing would boot a guest to measure nothing: refuse it here.
	if ((${#case_globs[@]})) && ! "$(host_built_probe)" --list "${case_globs[@]/#/--case=}" >/dev/null 2>&1; then
		die "--case ${case_globs[*]}: no probe case matches (see userspace/pfnmap-probe --list)"
	fi
	local run_dir columns=() column dir code=$EXIT_OK pids=() rc parallel=1 build_start=$SECONDS
	run_dir=$results_root/$(date +%Y%m%d-%H%M%S)-$$
	check_bisect_good "$run_dir"
	bisect_stage=build
	mapfile -t columns < <(requested_columns)
	((matrix == 0 && ${#kernel_columns[@]} == 0)) || parallel=${PFNMAP_PARALLEL_GUESTS:-2}
	for column in "${columns[@]}"; do ensure_arch_tools "$(column_arch "$column")"; done
	# One results dir per column; and a column twice would wait for its own lock under --rebuild.
	[[ -z $(printf '%s\n' "${columns[@]}" | sort | uniq -d) ]] ||
		die "a column is named twice: ${columns[*]}"
	mapfile -t columns < <(backing_columns "${columns[@]}")
	((${#columns[@]} == 1)) || parallel=${PFNMAP_PARALLEL_GUESTS:-2}
	# Builds one after another (two cores), then the guests, up to $parallel at once.
	local kernel base
	for column in "${columns[@]}"; do
		kernel=${column%~*}
		base=$(column_base "$kernel")
		if [[ $base == own ]]; then
			prepare_column "$run_dir/$column" "" "" "$(column_backing "$column")" "$(column_arch "$kernel")"
			continue
		fi
		if is_distro_column "$base"; then
			prepare_distro_column "$run_dir/$column" "$(distro_series_of "$base")" "$(column_backing "$column")"
			continue
		fi
		prepare_column "$run_dir/$column" "${base%%+*}" "$([[ $base == *+* ]] && echo "${base#*+}")" \
			"$(column_backing "$column")" "$(column_arch "$kernel")"
	done
	bisect_stage=guest
	for column in "${columns[@]}"; do
		boot_column "$run_dir/$column" &
		pids+=($!)
		if ((${#pids[@]} >= parallel)); then
			rc=0; wait "${pids[0]}" || rc=$?; code=$(worse_code "$code" "$rc"); pids=("${pids[@]:1}")
		fi
	done
	for pid in "${pids[@]}"; do
		rc=0; wait "$pid" || rc=$?; code=$(worse_code "$code" "$rc")
	done
	((${#bisect_globs[@]} == 0)) || finish_bisect "$run_dir/$(canonical_column own)" "$code" "$((SECONDS - build_start))"
	if [[ $mode == probe ]]; then
		print_report "$run_dir"
	elif [[ $mode == exec ]]; then
		for column in "${columns[@]}"; do cat "$run_dir/$column/exec.txt" 2>/dev/null || true; done
	elif [[ $mode == stress ]]; then
		for column in "${columns[@]}"; do print_stress_result "$run_dir/$column" "$column"; done
	fi
	progress "results in $run_dir (exit $code)"
	exit "$code"
}

main "$@"
