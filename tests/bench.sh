#!/usr/bin/env bash
# make bench: warm figures, comparable from one run to the next on a busy machine. Per kernel,
# PFNMAP_BENCH_RUNS (5) pairs run interleaved: a full run (boot, insmod, probe, report), then a
# bare boot of the same kernel (init reboots at once). Printed: medians of wall and CPU seconds
# (the runner and its children, QEMU above all), the full/boot ratio (median of the pairs'),
# the in-guest figures of the full runs (probe duration_ms, guest clock at /init and at the
# reboot), the host's share (wall outside QEMU: prepare and report) and the probe's time per
# family. Then the warm matrix of every kernel, PFNMAP_BENCH_MATRIX_RUNS (3) times.
# PFNMAP_BENCH_ICOUNT=1 runs the guests under QEMU's -icount (one instruction per virtual
# nanosecond): the in-guest figures then count instructions and do not move with the host's
# load (wall seconds grow several times and mean nothing). Builds first: every figure is warm.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/common.sh
source scripts/kernel.sh

read -ra series_list <<<"${PFNMAP_TEST_SERIES:-$(catalog_series | tr '\n' ' ')}"
runs=${PFNMAP_BENCH_RUNS:-5}
matrix_runs=${PFNMAP_BENCH_MATRIX_RUNS:-3}
[[ $runs =~ ^[1-9][0-9]*$ && $matrix_runs =~ ^[0-9]+$ ]] ||
	die "PFNMAP_BENCH_RUNS takes a positive number, PFNMAP_BENCH_MATRIX_RUNS a number"
run_args=()
if [[ ${PFNMAP_BENCH_ICOUNT:-0} == 1 ]]; then
	export PFNMAP_QEMU_ARGS="${PFNMAP_QEMU_ARGS:-} -icount shift=0,sleep=off"
	# Wall time grows several times; a case that waits for a hang spins its 500 ms in
	# instructions (5.10: four vepc partial moves, 8 s): the default limit is too short.
	run_args=(--timeout 3600)
fi
results=$(mktemp -d)
trap 'rm -rf "$results"' EXIT
CLK_TCK=$(getconf CLK_TCK)
readonly CLK_TCK

# measure CMD...: "WALL CPU RC" of one run. CPU: user+system of the command and everything it
# waited for, from the measuring subshell's own /proc stat (cutime, cstime).
measure() {
	(
		local start rc=0 stat
		start=$(date +%s.%N)
		"$@" "${run_args[@]}" --results "$results" >/dev/null 2>&1 || rc=$?
		read -ra stat <"/proc/$BASHPID/stat"
		echo "$(echo "$(date +%s.%N) - $start" | bc) $(echo "scale=2; (${stat[15]} + ${stat[16]}) / $CLK_TCK" | bc) $rc"
	)
}

median() { sort -g | awk '{ v[NR] = $1 } END { if (NR) print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; else print "nan" }'; }

# The newest run dir's column dir for SERIES.
last_column() {
	find "$results" -mindepth 2 -maxdepth 2 -name "$1" -printf '%T@ %p\n' | sort -g | tail -n1 | cut -d' ' -f2-
}

# Guest clock (s) of the console line matching PATTERN.
guest_clock() {
	sed -n "s|^\\[ *\\([0-9.]*\\)\\] $2.*|\\1|p" "$1/console.log" 2>/dev/null | head -n1
}

# In-guest figures of one full run: probe_s init_s guest_s host_s (host: wall outside QEMU).
column_figures() {
	local dir=$1 wall=$2 probe_ms boot_wall
	probe_ms=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["duration_ms"])' \
		"$dir/probe.json" 2>/dev/null || echo nan)
	boot_wall=$(sed -n 's/^wall_seconds=//p' "$dir/meta.env" 2>/dev/null)
	echo "$(echo "scale=3; $probe_ms / 1000" | bc 2>/dev/null || echo nan)" \
		"$(guest_clock "$dir" 'Run /init')" "$(guest_clock "$dir" 'reboot: Restarting')" \
		"$(echo "$wall - ${boot_wall:-0}" | bc)"
}

# The probe's own time per family (ms, summed over its cases) of one run.
family_times() {
	python3 - "$1/probe.json" <<'EOF'
import collections, json, sys
times = collections.Counter()
for case in json.load(open(sys.argv[1]))["cases"]:
    times[case["mapping"]["family"]] += case["duration_ms"] or 0
print(" ".join(f"{family} {ms}" for family, ms in times.most_common()))
EOF
}

load() { cut -d' ' -f1-3 /proc/loadavg; }

progress "warming the cache for ${series_list[*]}"
./run-qemu.sh --kernels "${series_list[*]}" --boot-only --results "$results" >/dev/null

echo "make bench: $runs interleaved pairs per kernel (full run, bare boot), medians;" \
	"${PFNMAP_BENCH_ICOUNT:+icount mode (guest figures count instructions), }$(nproc) cores, load $(load) at start"
printf '%-7s %7s %7s %6s %7s %7s %7s %7s %7s %7s %7s  %s\n' kernel "full s" "boot s" ratio "extra s" \
	"cpu f" "cpu b" "probe s" "init s" "guest s" "host s" "load"
declare -A fams
rc=0
for series in "${series_list[@]}"; do
	fulls=() boots=() ratios=() cpu_f=() cpu_b=() probe=() init=() guest=() host=()
	for ((i = 0; i < runs; i++)); do
		read -r wf cf rf < <(measure ./run-qemu.sh --kernel "$series")
		((rf == 0)) || { warn "$series: a full run exited $rf"; rc=1; }
		read -r p in g h < <(column_figures "$(last_column "$series")" "$wf")
		[[ $i != 0 ]] || fams[$series]=$(family_times "$(last_column "$series")" 2>/dev/null || echo "?")
		read -r wb cb rb < <(measure ./run-qemu.sh --kernel "$series" --boot-only)
		((rb == 0)) || { warn "$series: a bare boot exited $rb"; rc=1; }
		fulls+=("$wf") boots+=("$wb") ratios+=("$(echo "scale=3; $wf / $wb" | bc)")
		cpu_f+=("$cf") cpu_b+=("$cb") probe+=("$p") init+=("$in") guest+=("$g") host+=("$h")
	done
	full=$(printf '%s\n' "${fulls[@]}" | median) boot=$(printf '%s\n' "${boots[@]}" | median)
	printf '%-7s %7.2f %7.2f %6.2f %7.2f %7.2f %7.2f %7.3f %7.3f %7.3f %7.2f  %s\n' "$series" "$full" "$boot" \
		"$(printf '%s\n' "${ratios[@]}" | median)" "$(echo "$full - $boot" | bc)" \
		"$(printf '%s\n' "${cpu_f[@]}" | median)" "$(printf '%s\n' "${cpu_b[@]}" | median)" \
		"$(printf '%s\n' "${probe[@]}" | median)" "$(printf '%s\n' "${init[@]}" | median)" \
		"$(printf '%s\n' "${guest[@]}" | median)" "$(printf '%s\n' "${host[@]}" | median)" "$(load)"
done
for series in "${series_list[@]}"; do
	echo "  $series probe ms by family: ${fams[$series]}"
done
if ((matrix_runs)); then
	walls=() cpus=()
	for ((i = 0; i < matrix_runs; i++)); do
		read -r wm cm rcm < <(measure ./run-qemu.sh --kernels "${series_list[*]}")
		((rcm == 0)) || { warn "the matrix exited $rcm"; rc=1; }
		walls+=("$wm") cpus+=("$cm")
	done
	printf 'warm matrix of %d kernels (%s guests at a time): %.2f s wall, %.2f s cpu (median of %d; walls %s), load %s\n' \
		"${#series_list[@]}" "${PFNMAP_PARALLEL_GUESTS:-2}" "$(printf '%s\n' "${walls[@]}" | median)" \
		"$(printf '%s\n' "${cpus[@]}" | median)" "$matrix_runs" "${walls[*]}" "$(load)"
fi
exit "$rc"
