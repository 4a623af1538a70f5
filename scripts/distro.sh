# shellcheck shell=bash
# Debian's own prebuilt kernels as columns (SERIES-debian, kernels/distro.tsv): the image and
# the headers of one version fetched through the private apt state of kernel.sh, unpacked with
# dpkg-deb (never installed), and the module built against the headers the way the README's
# native flow does it (make KDIR=...). Needs common.sh, kernel.sh and guest.sh. Cache:
#   distro/<series>-debian_<abi>_<version>/  root/ (the packages' files), .pfnmap-distro (what)
#   module/<that name>-<source hash>/          the module built against root/usr/src/linux-headers-<abi>

readonly DISTRO_CATALOG=$PFNMAP_TOP/kernels/distro.tsv
readonly DISTRO_SUFFIX=-debian

distro_rows() { grep -v '^#' "$DISTRO_CATALOG" | grep -v '^[[:space:]]*$' || true; }

distro_field() {
	local series=$1 column=$2
	distro_rows | awk -F'\t' -v s="$series" -v c="$column" '$1 == s { print $c }'
}

is_distro_column() { [[ $1 == *"$DISTRO_SUFFIX" ]]; }
distro_series_of() { echo "${1%"$DISTRO_SUFFIX"}"; }

check_distro_column() {
	local column=$1 series
	series=$(distro_series_of "$column")
	check_series "$series"
	[[ -n $(distro_field "$series" 2) ]] ||
		die "no Debian prebuilt kernel listed for $series (kernels/distro.tsv: $(distro_rows | cut -f1 | tr '\n' ' '))"
}

distro_matrix_columns() { distro_rows | awk -F'\t' -v s="$DISTRO_SUFFIX" '$3 == "yes" { print $1 s }'; }

# Suites of the distro rows, for the private sources list next to the catalog's.
distro_suites() { distro_rows | cut -f2 | tr ',' '\n'; }

# versions_in SUITES NAME...: "NAME VERSION" for each version of each NAME that one of SUITES
# (comma-separated) carries. One apt-cache call: each one reads every list anew.
versions_in() {
	local suites=$1
	shift
	apt_private apt-cache madison "$@" 2>/dev/null | awk -F'|' -v suites="$suites" '
		BEGIN { n = split(suites, s, ",") }
		{
			gsub(/ /, "", $1); gsub(/ /, "", $2)
			for (i = 1; i <= n; i++) if (index($3, " " s[i] "/")) print $1, $2
		}'
}

# newest_of NAME: the newest version of NAME in "NAME VERSION" lines on stdin.
newest_of() {
	local name=$1 package version best=""
	while read -r package version; do
		[[ $package == "$name" ]] || continue
		if [[ -z $best ]] || dpkg --compare-versions "$version" gt "$best"; then best=$version; fi
	done
	echo "$best"
}

newest_version_in() { versions_in "$2" "$1" | newest_of "$1"; }

# package_depends PACKAGE VERSION: the names PACKAGE=VERSION depends on, one a line.
package_depends() {
	apt_private apt-cache show "$1=$2" 2>/dev/null | sed -n 's/^\(Pre-\)\{0,1\}Depends: //p' |
		tr ',|' '\n' | sed 's/^ *//; s/ .*//' | grep -v '^$' || true
}

# distro_pick SERIES: "ABI VERSION" of the newest kernel of SERIES whose linux-image-ABI and
# linux-headers-ABI have one version in the row's suites. Meta-packages (linux-headers-6.1-amd64)
# are left out: a real headers package depends on a linux-kbuild package.
distro_pick() {
	local series=$1 suites prefix abis=() abi table version candidates=()
	suites=$(distro_field "$series" 2)
	prefix=${series%-rc}
	mapfile -t abis < <(apt_private apt-cache pkgnames "linux-headers-$prefix" 2>/dev/null | sed 's/^linux-headers-//' |
		grep -E "^${prefix//./\\.}([.][^-]*)?(-[0-9]+)?-amd64$" || true)
	((${#abis[@]})) || return 1
	table=$(versions_in "$suites" "${abis[@]/#/linux-headers-}" "${abis[@]/#/linux-image-}")
	for abi in "${abis[@]}"; do
		version=$(newest_of "linux-headers-$abi" <<<"$table")
		[[ -n $version && $(newest_of "linux-image-$abi" <<<"$table") == "$version" ]] &&
			candidates+=("$version $abi")
	done
	while read -r version abi; do
		[[ -n $abi ]] || continue
		if package_depends "linux-headers-$abi" "$version" | grep -q '^linux-kbuild-'; then
			echo "$abi $version"
			return 0
		fi
	done < <(printf '%s\n' "${candidates[@]}" | sort_versions_newest_first)
	return 1
}

# "VERSION REST" lines, newest VERSION (dpkg's order) first.
sort_versions_newest_first() {
	local lines=() line i j
	mapfile -t lines
	for ((i = 1; i < ${#lines[@]}; i++)); do
		line=${lines[i]}
		for ((j = i; j > 0; j--)); do
			dpkg --compare-versions "${lines[j - 1]%% *}" ge "${line%% *}" && break
			lines[j]=${lines[j - 1]}
		done
		lines[j]=$line
	done
	((${#lines[@]} == 0)) || printf '%s\n' "${lines[@]}"
}

# distro_packages ABI VERSION SUITES: NAME=VERSION of the image, the headers and the linux-*
# packages they need for booting and for building a module (headers -common, kbuild; on 7.x
# the image is split: linux-binary has vmlinuz, linux-base the config). Not the modules (our
# initramfs carries none) nor the compiler meta-package (compilers are the host's).
distro_packages() {
	local abi=$1 version=$2 suites=$3 todo=() name seen=" " wanted
	todo=("linux-image-$abi" "linux-headers-$abi")
	while ((${#todo[@]})); do
		name=${todo[0]}
		todo=("${todo[@]:1}")
		[[ $seen != *" $name "* ]] || continue
		seen+="$name "
		wanted=$(newest_version_in "$name" "$suites")
		[[ -n $wanted ]] || die "$name (needed by linux-image-$abi $version) is not in $suites"
		echo "$name=$wanted"
		mapfile -t -O "${#todo[@]}" todo < <(package_depends "$name" "$wanted" |
			grep -E '^linux-(headers|kbuild|binary|base)-' || true)
	done
}

# distro_kernel SERIES: the cache entry of SERIES's Debian kernel, fetched when none is cached
# (or with --refresh when a newer one is out).
distro_kernel() {
	local series=$1 entry
	entry=$(find "$PFNMAP_CACHE/distro" -maxdepth 1 -name "$series${DISTRO_SUFFIX}_*" ! -name '*.tmp.*' \
		! -name '*.lock' 2>/dev/null | sort -V | tail -n1 || true)
	if [[ -n $entry && -f $entry/.pfnmap-distro && ${PFNMAP_REFRESH:-0} != 1 ]]; then
		echo "$entry"
		return
	fi
	fetch_distro_kernel "$series"
}

fetch_distro_kernel() {
	local series=$1 suites abi version final apt_lock lock staging packages start bytes
	suites=$(distro_field "$series" 2)
	ensure_host_tools apt-get dpkg-deb
	require_free_space "$PFNMAP_CACHE" 2
	lock_entry "$PFNMAP_CACHE/apt" x
	apt_lock=$ENTRY_LOCK_FD
	refresh_package_lists
	read -r abi version < <(distro_pick "$series") ||
		die "no linux-image/linux-headers pair of one version for $series in $suites (kernels/distro.tsv)"
	final=$PFNMAP_CACHE/distro/$series${DISTRO_SUFFIX}_${abi}_$version
	lock_entry "$final" x
	lock=$ENTRY_LOCK_FD
	if [[ -f $final/.pfnmap-distro ]]; then
		unlock_entry "$lock"
		unlock_entry "$apt_lock"
		echo "$final"
		return
	fi
	mapfile -t packages < <(distro_packages "$abi" "$version" "$suites")
	sweep_stale_staging "$PFNMAP_CACHE/distro" "$final"
	staging=$(make_staging "$final")
	mkdir "$staging/debs" "$staging/root"
	progress "downloading Debian's $abi $version: ${packages[*]%%=*}"
	start=$(date +%s.%N)
	(cd "$staging/debs" && apt_logged apt_private apt-get download "${packages[@]}") ||
		die "download of ${packages[*]} failed$(cache_full_hint "$staging")"
	unlock_entry "$apt_lock"
	bytes=$(du -cb "$staging"/debs/*.deb | tail -n1 | cut -f1)
	progress "unpacking $((bytes / 1024 / 1024)) MB of packages"
	unpack_distro_debs "$staging/debs" "$staging/root" || die "cannot unpack the packages of $abi$(cache_full_hint "$staging")"
	relocate_headers "$staging/root" "$final/root" "$abi"
	write_distro_stamp "$staging" "$series" "$abi" "$version" "$bytes" \
		"$(echo "$(date +%s.%N) - $start" | bc)" "${packages[@]}" >"$staging/.pfnmap-distro" ||
		die "cannot write into $staging$(cache_full_hint "$staging")"
	rm -rf "$staging/debs"
	publish_dir "$staging" "$final"
	unlock_entry "$lock"
	echo "$final"
}

# The images of 5.10 to 6.12 carry every module (400 MB unpacked): only the kernel is booted.
unpack_distro_debs() {
	local debs=$1 root=$2 deb
	for deb in "$debs"/*.deb; do
		dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$root" \
			--exclude='./lib/modules/*/kernel' --exclude='./usr/lib/modules/*/kernel' || return
	done
}

# The headers' top Makefile names its -common half (and on 7.x its output dir) under /usr/src,
# where the package would be installed: it is pointed at the cache instead, the one change.
relocate_headers() {
	local root=$1 final_root=$2 abi=$3 makefile
	makefile=$root/usr/src/linux-headers-$abi/Makefile
	[[ -f $makefile ]] || die "linux-headers-$abi has no Makefile at usr/src/linux-headers-$abi"
	sed -i "s|/usr/src/|$final_root/usr/src/|g" "$makefile"
}

# write_distro_stamp STAGING SERIES ABI VERSION BYTES SECONDS NAME=VERSION...: .pfnmap-distro,
# shell-style like meta.env, which it becomes part of.
write_distro_stamp() {
	local staging=$1 series=$2 abi=$3 version=$4 bytes=$5 seconds=$6 vmlinuz
	shift 6
	vmlinuz=$(cd "$staging" && find root -name 'vmlinuz*' -type f | head -n1)
	[[ -n $vmlinuz ]] || die "linux-image-$abi $version has no vmlinuz"
	printf 'kernel_version=%q\ndebian_version=%q\n' "$abi" "$version"
	printf 'image_package=%q\nheaders_package=%q\n' "linux-image-$abi=$version" "linux-headers-$abi=$version"
	printf 'packages=%q\n' "$*"
	printf 'kernel_cc=%q\n' "$(sed -n 's/^CONFIG_CC_VERSION_TEXT="\(.*\)"$/\1/p' \
		"$staging/root/usr/src/linux-headers-$abi/.config")"
	printf 'download_bytes=%s\nfetch_seconds=%.1f\n' "$bytes" "$seconds"
	printf 'vmlinuz=%q\nkdir=%q\n' "$vmlinuz" "root/usr/src/linux-headers-$abi"
}

# distro_value ENTRY KEY: one value of the entry's .pfnmap-distro.
distro_value() {
	(
		# shellcheck source=/dev/null
		source "$1/.pfnmap-distro" && printf '%s\n' "${!2}"
	)
}

# The compiler the headers' kernel was built with (its first word, e.g. gcc-10 or
# x86_64-linux-gnu-gcc-14), when this host has it; otherwise the host's gcc, which Kbuild asks
# for its flags at build time: nothing when the headers' own compiler is here.
distro_module_cc() {
	local kdir=$1 wanted
	wanted=$(sed -n 's/^CONFIG_CC_VERSION_TEXT="\([^ ]*\) .*/\1/p' "$kdir/.config")
	if [[ -z $wanted ]] || command -v "$wanted" >/dev/null 2>&1; then
		return 0
	fi
	echo gcc
}

# built_distro_module ENTRY: the module built against ENTRY's headers with the top Makefile
# (make KDIR=... modules: W=1, as the native flow) in a private copy, cached like built_module.
built_distro_module() {
	local entry=$1 final lock
	final=$PFNMAP_CACHE/module/$(basename "$entry")-$(tree_hash pfnmap_dev Kbuild Makefile)
	if [[ ! -f $final/pfnmap_dev/pfnmap_dev.ko ]]; then
		lock_entry "$final" x
		lock=$ENTRY_LOCK_FD
		[[ -f $final/pfnmap_dev/pfnmap_dev.ko ]] || build_distro_module_entry "$entry" "$final"
		unlock_entry "$lock"
	fi
	echo "$final/pfnmap_dev/pfnmap_dev.ko"
}

build_distro_module_entry() {
	local entry=$1 final=$2 staging kdir cc abi wanted used
	kdir=$entry/$(distro_value "$entry" kdir)
	abi=$(distro_value "$entry" kernel_version)
	wanted=$(distro_value "$entry" kernel_cc)
	grep -q '^CONFIG_DEBUG_INFO_BTF_MODULES=y' "$kdir/.config" && ensure_host_tools pahole
	cc=$(distro_module_cc "$kdir")
	used=${cc:-${wanted%% *}}
	[[ -z $cc ]] || progress "linux-headers-$abi want ${wanted%% *}, which this host does not have: building with $($cc --version | head -n1)"
	require_free_mb "$PFNMAP_CACHE" "$SMALL_ENTRY_MB"
	sweep_stale_staging "${final%/*}" "$final"
	staging=$(make_staging "$final")
	progress "building pfnmap_dev.ko against linux-headers-$abi (make KDIR=...)"
	cp -a "$PFNMAP_TOP/Makefile" "$PFNMAP_TOP/Kbuild" "$PFNMAP_TOP/pfnmap_dev" "$staging/" ||
		die "cannot copy the module sources$(cache_full_hint "$staging")"
	find "$staging" \( -name '*.o' -o -name '*.ko' -o -name '.*.cmd' -o -name '*.mod*' \) -delete
	if ! make -C "$staging" KDIR="$kdir" ${cc:+CC="$cc"} modules >"$staging/build.log" 2>&1; then
		rm -rf "$staging.failed" && mv "$staging" "$staging.failed"
		die "cannot build the module against linux-headers-$abi here: its kernel was built with ${wanted%% (*}, and $used $("$used" -dumpfullversion 2>/dev/null) fails: $(grep -m1 -E 'error|Error|not found' "$staging.failed/build.log") (log: $staging.failed/build.log)"
	fi
	"$used" --version | head -n1 >"$staging/module-cc"
	publish_dir "$staging" "$final"
}

# The gen_init_cpio tool is built from a kernel source; a headers package has none. The cached
# tool, else one of the cached sources.
any_source_tree() {
	local tree
	tree=$(find "$PFNMAP_CACHE/src" -maxdepth 2 -path '*/usr/gen_init_cpio.c' 2>/dev/null | head -n1 || true)
	[[ -x $PFNMAP_CACHE/tools/gen_init_cpio || -n $tree ]] ||
		die "no gen_init_cpio yet (it is built from a kernel source): run ./run-qemu.sh --kernel $(catalog_default_series) once"
	echo "${tree%/usr/gen_init_cpio.c}"
}
