#!/usr/bin/env bash
# x86 PAT and partial mremap moves of a remap_pfn_range VMA over non-RAM (memmap=) memory.
# Observed: up to 6.15 the moved piece frees a memtype that does not match the whole-VMA
# reservation ("x86/PAT: ... freeing invalid memtype"); 6.16's refcounted pfnmap_track_ctx
# keeps one reservation for all pieces. This asserts both sides on the catalog kernels given.
set -euo pipefail
cd "$(dirname "$0")/.."
source tests/lib.sh
source scripts/common.sh
source scripts/kernel.sh

readonly CASE='dev.remap.dx.none.allow:partial_move'
readonly LINE='freeing invalid memtype'
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# partial_move_log SERIES WANT_EXIT WANT_LINE(yes|no)
partial_move_log() {
	local series=$1 want_exit=$2 want_line=$3 dmesg
	expect_exit "$want_exit" ./run-qemu.sh --kernel "$series" --memmap --case "$CASE" \
		--results "$tmp/$series" >/dev/null || return 1
	# The case must have run: a skipped or missing case would pass the "no line" half.
	python3 tests/case_result.py "$tmp/$series" "$CASE" || return 1
	dmesg=$(find "$tmp/$series" -name dmesg.txt)
	if [[ $want_line == yes ]]; then
		grep "$LINE" "$dmesg" || { echo "no '$LINE' in $dmesg"; return 1; }
	elif grep "$LINE" "$dmesg"; then
		echo "'$LINE' in $dmesg"
		return 1
	fi
}

for series in "$@"; do
	if (($(version_number "$series") < 6016)); then
		check "PAT: partial move on $series frees an invalid memtype (exit $EXIT_SPLAT)" \
			partial_move_log "$series" "$EXIT_SPLAT" yes
	else
		check "PAT: partial move on $series keeps the reservation whole (exit $EXIT_OK)" \
			partial_move_log "$series" "$EXIT_OK" no
	fi
done
summary
