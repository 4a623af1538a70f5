#!/usr/bin/env bash
# build-module.sh SERIES[@ARCH] | debian-headers | checkpatch
# Builds pfnmap_dev with W=1 against a catalog kernel (fetched and built if not cached; @ARCH:
# cross-built for that architecture of kernels/arch.tsv) or
# against Debian's own headers package, and fails on any warning; or runs checkpatch --strict.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/common.sh
source scripts/kernel.sh
source scripts/guest.sh

target=${1:?usage: build-module.sh SERIES|debian-headers|checkpatch}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

build_without_warnings() {
	local tree=$1 build=$2
	if ! compile_module "$work" "$tree" "$build"; then
		cat "$work/build.log"
		exit 1
	fi
	if [[ -n $(module_own_warnings "$work") ]]; then
		module_own_warnings "$work"
		echo "warnings from pfnmap_dev in the W=1 build against $tree"
		exit 1
	fi
	grep -E 'warning:' "$work/build.log" | sort -u | sed 's/^/kernel header, not ours: /' || true
	echo "built $(modinfo -F vermagic "$work/pfnmap_dev/pfnmap_dev.ko" 2>/dev/null || echo "$tree") with no warning from pfnmap_dev"
}

case $target in
debian-headers)
	ensure_host_tools /usr/include/libelf.h
	headers=$(find /usr/src -maxdepth 1 -name 'linux-headers-*-amd64' 2>/dev/null | sort -V | tail -n1 || true)
	if [[ -z $headers ]]; then
		apt_install linux-headers-amd64
		headers=$(find /usr/src -maxdepth 1 -name 'linux-headers-*-amd64' | sort -V | tail -n1)
	fi
	build_without_warnings "$headers" ""
	;;
checkpatch)
	tree=$(source_tree_for_series "$(catalog_default_series)")
	checkpatch=("$tree/scripts/checkpatch.pl" --strict --no-tree --terse --show-types --quiet -f)
	# The compat header exists to test LINUX_VERSION_CODE (design.md): that one warning
	# type is expected there and nowhere else.
	"${checkpatch[@]}" --ignore LINUX_VERSION_CODE "$PFNMAP_TOP/pfnmap_dev/compat.h"
	find "$PFNMAP_TOP/pfnmap_dev" -name '*.[ch]' ! -name '*.mod.c' ! -name compat.h -print0 |
		xargs -0 -n1 "${checkpatch[@]}"
	;;
*)
	if [[ $target == *@* ]]; then
		check_arch "${target##*@}"
		export PFNMAP_ARCH=${target##*@}
		target=${target%@*}
	fi
	check_series "$target"
	tree=$(source_tree_for_series "$target")
	build_without_warnings "$tree" "$(built_kernel "$tree" "$(nproc)")"
	;;
esac
