# shellcheck shell=bash
# Guest architectures (kernels/arch.tsv): how a kernel, the module and the probe are built for
# one, and how it boots. Needs common.sh. PFNMAP_ARCH is the architecture the next build or
# boot is for (the table's default when unset): run-qemu.sh sets it per column, so callers of
# built_kernel, built_module and built_probe that know nothing of architectures get x86 as
# before.

readonly ARCH_TABLE=$PFNMAP_TOP/kernels/arch.tsv

# The table, read once when sourced: the lookups below run per fragment line and per build, and
# a fork each would make a cache-key computation take seconds on a busy machine.
declare -A ARCH_ROWS=()
ARCH_NAMES=() ARCH_DEFAULT="" HOST_MACHINE=$(uname -m)
read_arch_table() {
	local line fields
	while IFS= read -r line; do
		[[ $line == \#* || -z ${line//[[:space:]]/} ]] && continue
		IFS=$'\t' read -r -a fields <<<"$line"
		ARCH_NAMES+=("${fields[0]}")
		ARCH_ROWS[${fields[0]}]=$line
		[[ ${fields[9]:-} != default ]] || ARCH_DEFAULT=${fields[0]}
	done <"$ARCH_TABLE"
}
read_arch_table

arch_names() { printf '%s\n' "${ARCH_NAMES[@]}"; }
arch_default() { echo "$ARCH_DEFAULT"; }

# arch_field ARCH COLUMN: one field of an architecture's row ("-" prints nothing); fails for an
# architecture the table does not have.
arch_field() {
	local arch=$1 column=$2 fields
	[[ -n ${ARCH_ROWS[$arch]:-} ]] || return 1
	IFS=$'\t' read -r -a fields <<<"${ARCH_ROWS[$arch]}"
	[[ ${fields[column - 1]:--} == - ]] || echo "${fields[column - 1]}"
}

check_arch() {
	[[ -n ${ARCH_ROWS[$1]:-} ]] ||
		die "unknown architecture '$1' (kernels/arch.tsv: ${ARCH_NAMES[*]})"
}

current_arch() { echo "${PFNMAP_ARCH:-$ARCH_DEFAULT}"; }

# The host's architecture in the table's names (empty when the table has no row for it).
host_arch() {
	local name fields
	for name in "${ARCH_NAMES[@]}"; do
		IFS=$'\t' read -r -a fields <<<"${ARCH_ROWS[$name]}"
		[[ ${fields[1]} != "$HOST_MACHINE" ]] || { echo "$name"; return; }
	done
}

# The compiler prefix for ARCH: none when the host is of that architecture.
arch_cross_prefix() {
	local arch=$1
	[[ $arch == "$(host_arch)" ]] || arch_field "$arch" 3
}

# Arguments for make in a kernel tree; nothing for a native build, so its command is unchanged.
arch_make_args() {
	local arch=$1 prefix
	prefix=$(arch_cross_prefix "$arch")
	[[ -z $prefix ]] || printf '%s\n' "ARCH=$arch" "CROSS_COMPILE=$prefix"
}

arch_cc() { echo "$(arch_cross_prefix "$1")gcc"; }
arch_image() { arch_field "$1" 6; }
arch_image_target() { basename "$(arch_image "$1")"; }
arch_qemu() { arch_field "$1" 4; }

# "@arm64" for a build or cache entry of a non-default architecture; nothing for the default,
# whose entries keep the names they had before there were architectures.
arch_suffix() {
	local arch=$1
	[[ $arch == "$ARCH_DEFAULT" ]] || echo "@$arch"
}

# Columns: SERIES[+VARIANT][@ARCH]. '@' is free in series and variant names ([A-Za-z0-9._+-]).
column_arch() {
	local column=$1
	if [[ $column == *@* ]]; then echo "${column##*@}"; else echo "$ARCH_DEFAULT"; fi
}
column_base() { echo "${1%@*}"; }

# Host packages for a cross build: the compiler and a libc for the static probe.
declare -A PACKAGE_FOR_CROSS_TOOL=(
	[aarch64-linux-gnu-gcc]="gcc-aarch64-linux-gnu libc6-dev-arm64-cross"
	[x86_64-linux-gnu-gcc]="gcc-x86-64-linux-gnu libc6-dev-amd64-cross"
	[qemu-system-aarch64]=qemu-system-arm
)

# ensure_arch_tools ARCH: the compiler (when cross) and QEMU for ARCH, installed when missing.
ensure_arch_tools() {
	local arch=$1 tool missing=()
	for tool in "$(arch_cc "$arch")" "$(arch_qemu "$arch")"; do
		command -v "$tool" >/dev/null 2>&1 && continue
		if [[ -n ${PACKAGE_FOR_CROSS_TOOL[$tool]:-} ]]; then
			read -ra missing <<<"${missing[*]} ${PACKAGE_FOR_CROSS_TOOL[$tool]}"
		else
			missing+=("${PACKAGE_FOR_TOOL[$tool]:-$tool}")
		fi
	done
	((${#missing[@]} == 0)) || apt_install "${missing[@]}"
}

# The guest's busybox: the host's own for the host's architecture, else Debian's busybox-static
# of that architecture, fetched once with a private apt state of its own (the system's apt and
# the source lists in $PFNMAP_CACHE/apt stay untouched) and cached.
readonly BUSYBOX_SUITE=bookworm

guest_busybox() {
	local arch=$1 debian final lock
	if [[ $arch == "$(host_arch)" ]]; then
		command -v busybox
		return
	fi
	debian=$(arch_field "$arch" 9)
	final=$PFNMAP_CACHE/busybox/$debian
	if [[ ! -x $final/busybox ]]; then
		lock_entry "$final" x
		lock=$ENTRY_LOCK_FD
		[[ -x $final/busybox ]] || fetch_busybox "$debian" "$final"
		unlock_entry "$lock"
	fi
	echo "$final/busybox"
}

fetch_busybox() {
	local debian=$1 final=$2 staging deb
	local apt=$PFNMAP_CACHE/apt-$debian
	ensure_host_tools apt-get dpkg-deb
	require_free_mb "$PFNMAP_CACHE" 100
	mkdir -p "$apt/lists/partial" "$apt/archives/partial" "$apt/cache"
	echo "deb [trusted=yes] ${PFNMAP_DEBIAN_MIRROR:-http://deb.debian.org}/debian $BUSYBOX_SUITE main" >"$apt/sources.list"
	progress "fetching busybox-static for $debian (Debian $BUSYBOX_SUITE, private apt state in $apt)"
	apt_arch "$debian" apt-get update >&2 || die "apt-get update of $apt failed"
	(cd "$apt/archives" && apt_arch "$debian" apt-get download "busybox-static:$debian" >&2) ||
		die "download of busybox-static:$debian failed"
	deb=$(find "$apt/archives" -maxdepth 1 -name "busybox-static_*_$debian.deb" | sort -V | tail -n1)
	sweep_stale_staging "${final%/*}" "$final"
	staging=$(make_staging "$final")
	dpkg-deb -x "$deb" "$staging/deb" || die "cannot unpack $deb"
	mv "$staging/deb/bin/busybox" "$staging/busybox" || die "$deb has no bin/busybox"
	rm -rf "$staging/deb"
	basename "$deb" >"$staging/source"
	publish_dir "$staging" "$final"
}

apt_arch() {
	local debian=$1 tool=$2 dir=$PFNMAP_CACHE/apt-$1
	shift 2
	"$tool" -q -o APT::Sandbox::User=root -o Dir::Etc::SourceList="$dir/sources.list" -o Dir::Etc::SourceParts=/dev/null \
		-o Dir::State::Lists="$dir/lists" -o Dir::State::Status=/dev/null \
		-o Dir::Cache::Archives="$dir/archives" -o Dir::Cache="$dir/cache" \
		-o APT::Architecture="$debian" -o APT::Architectures="$debian" -o Acquire::Languages=none "$@"
}
