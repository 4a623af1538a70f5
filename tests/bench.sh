#!/usr/bin/env bash
# make bench: warm wall times. Per kernel: a full run (boot, insmod, probe, report) next to a
# bare boot of the same kernel (init reboots at once), their ratio and the probe's own time;
# then the warm matrix of every catalog kernel. Builds first so that every figure is warm.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/common.sh
source scripts/kernel.sh

read -ra series_list <<<"${PFNMAP_TEST_SERIES:-$(catalog_series | tr '\n' ' ')}"
results=$(mktemp -d)
trap 'rm -rf "$results"' EXIT

wall_of() {
	local start rc=0
	start=$(date +%s.%N)
	"$@" --results "$results" >/dev/null 2>&1 || rc=$?
	echo "$(date +%s.%N) - $start" | bc
	return "$rc"
}

progress "warming the cache for ${series_list[*]}"
./run-qemu.sh --kernels "${series_list[*]}" --boot-only --results "$results" >/dev/null

printf '%-8s %10s %10s %7s %10s\n' kernel "full (s)" "boot (s)" ratio "probe (s)"
for series in "${series_list[@]}"; do
	full=$(wall_of ./run-qemu.sh --kernel "$series") || true
	probe_ms=$(python3 -c 'import json,sys,glob; print(json.load(open(sorted(glob.glob(sys.argv[1]))[-1]))["duration_ms"])' \
		"$results/*/$series/probe.json" 2>/dev/null || echo nan)
	boot=$(wall_of ./run-qemu.sh --kernel "$series" --boot-only) || true
	printf '%-8s %10.2f %10.2f %7.2f %10.2f\n' "$series" "$full" "$boot" \
		"$(echo "$full / $boot" | bc -l)" "$(echo "$probe_ms / 1000" | bc -l 2>/dev/null || echo 0)"
done
matrix=$(wall_of ./run-qemu.sh --kernels "${series_list[*]}") || true
printf 'warm matrix of %d kernels (2 guests at a time): %.2f s\n' "${#series_list[@]}" "$matrix"
