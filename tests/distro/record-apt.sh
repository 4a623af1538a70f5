#!/usr/bin/env bash
# record-apt.sh [SERIES...]: records what scripts/distro.sh asks the private apt state about the
# Debian kernels of SERIES (default 6.1 and 7.3-rc), for tests/test_distro_pick.sh, which
# replays it without network: tests/distro/apt-SERIES/{pkgnames,madison,show}.txt, the output
# of `apt-cache pkgnames linux-headers-PREFIX`, of `apt-cache madison` on every linux-headers-*
# and linux-image-* name of the series, and of `apt-cache show` on every linux-headers-* name.
# Needs the private lists (./run-qemu.sh --kernel SERIES-debian has made them).
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/common.sh
source scripts/kernel.sh

record() {
	local series=$1 prefix out names=()
	prefix=${series%-rc}
	out=tests/distro/apt-$series
	mkdir -p "$out"
	apt_private apt-cache pkgnames "linux-headers-$prefix" | sort >"$out/pkgnames.txt"
	mapfile -t names < <(sed 's/^linux-headers-//' "$out/pkgnames.txt")
	apt_private apt-cache madison "${names[@]/#/linux-headers-}" "${names[@]/#/linux-image-}" \
		2>/dev/null >"$out/madison.txt" || true
	apt_private apt-cache show "${names[@]/#/linux-headers-}" 2>/dev/null |
		grep -E '^(Package|Version|Depends|Pre-Depends):|^$' >"$out/show.txt" || true
	echo "recorded $out: $(wc -l <"$out/pkgnames.txt") names, $(wc -l <"$out/madison.txt") versions"
}

for series in "${@:-6.1 7.3-rc}"; do
	for one in $series; do record "$one"; done
done
