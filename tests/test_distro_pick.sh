#!/usr/bin/env bash
# Which Debian kernel a SERIES-debian column takes (scripts/distro.sh, distro_pick), replayed
# from apt answers recorded by tests/distro/record-apt.sh (2026-11-28): the newest ABI whose
# signed linux-image and linux-headers have one version in the row's suites. On that day
# bookworm-security had linux-headers-6.1.0-57-amd64 6.1.192-3 but its signed image only at
# 6.1.0-56 (6.1.192-2): the pair must be 56, the version the host's own headers have too.
set -euo pipefail
cd "$(dirname "$0")/.."
source tests/lib.sh
source scripts/common.sh
source scripts/kernel.sh
source scripts/guest.sh
source scripts/distro.sh

data=
# Stands in for the private apt state: the three questions distro_pick asks.
apt_private() {
	local command=$2 name
	shift 2
	case $command in
	pkgnames) cat "$data/pkgnames.txt" ;;
	madison)
		for name; do
			awk -F'|' -v n="$name" '{ p = $1; gsub(/ /, "", p) } p == n' "$data/madison.txt"
		done
		;;
	show)
		awk -v p="${1%%=*}" -v v="${1#*=}" '
			/^Package: / { keep = ($2 == p) } /^Version: / { keep = keep && ($2 == v) }
			/^$/ { if (keep) print block; block = ""; keep = 0; next }
			{ block = block $0 "\n" }
			END { if (keep) print block }' "$data/show.txt"
		;;
	*) echo "unexpected apt-cache $command" >&2; return 1 ;;
	esac
}

picks() {
	local series=$1 want=$2 got
	data=tests/distro/apt-$series
	got=$(distro_pick "$series") || { echo "distro_pick $series found nothing"; return 1; }
	[[ $got == "$want" ]] || { echo "distro_pick $series: '$got', want '$want'"; return 1; }
}

check "6.1: the newest ABI whose signed image has the headers' version (not 57: headers only)" \
	picks 6.1 "6.1.0-56-amd64 6.1.192-2"
check "7.3-rc: experimental's 7.3-amd64, not -cloud or -rt" picks 7.3-rc "7.3-amd64 7.3~rc7-1~exp1"
summary
