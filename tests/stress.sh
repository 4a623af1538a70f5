#!/usr/bin/env bash
# make stress: the long pfnmap-stress run on the debug flavors and the what-if variants
# (every column of kernels/variants.tsv), over kernel pages and over a memmap= region; then
# one line of figures per column and region. Builds what is missing first (one at a time).
#   STRESS_SECONDS  per guest (default 300)
#   STRESS_SEED     default: a random one, printed (the same seed repeats each thread's
#                   sequence of operations)
#   STRESS_COLUMNS  e.g. "7.2+debug 7.2+relax-pfnmap" (default: every variants.tsv column)
set -euo pipefail
cd "$(dirname "$0")/.."
source tests/lib.sh
source scripts/common.sh

variants_columns() { grep -v '^#' kernels/variants.tsv | awk -F'\t' 'NF >= 2 { print $2 "+" $1 }'; }

seconds=${STRESS_SECONDS:-300}
seed=${STRESS_SEED:-$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}
read -ra columns <<<"${STRESS_COLUMNS:-$(variants_columns | tr '\n' ' ')}"
results=$PFNMAP_TOP/results/stress-$(date +%Y%m%d-%H%M%S)
progress "stress: ${columns[*]}, $seconds s each, seed $seed, results in $results"

# stress_on REGION [RUNNER OPTION...]: every column, in one runner call (guests two at a time).
stress_on() {
	local region=$1
	shift
	expect_exit "$EXIT_OK" ./run-qemu.sh --kernels "${columns[*]}" --stress "$seconds" --seed "$seed" \
		--results "$results/$region" "$@"
}

# One value of a guest's figures (pfnmap-stress --summary, /results/stress.env).
figure() { sed -n "s/^$2=//p" "$1"; }

figures() {
	local env column region balance result
	printf '%-22s %-7s %7s %10s %7s %11s %6s %8s %9s %13s %-6s %s\n' column region seconds operations \
		threads seed splats balance mismatch "MemFree drop" stress "runner exit"
	for env in "$results"/*/*/*/stress.env; do
		[[ -f $env ]] || continue
		column=$(basename "$(dirname "$env")")
		region=$(basename "$(dirname "$(dirname "$(dirname "$env")")")")
		balance=no
		[[ $(figure "$env" opens_balanced)$(figure "$env" vmas_balanced) == 11 ]] && balance=yes
		result=FAIL
		[[ $(figure "$env" pass) == 1 ]] && result=pass
		printf '%-22s %-7s %7s %10s %7s %11s %6s %8s %9s %10s kB %-6s %s\n' "$column" "$region" \
			"$(figure "$env" seconds)" "$(figure "$env" operations)" \
			"$(figure "$env" procs)x$(figure "$env" threads)" "$(figure "$env" seed)" \
			"$(figure "$env" splats)" "$balance" "$(figure "$env" mismatches)" \
			"$(($(figure "$env" memfree_before_kb) - $(figure "$env" memfree_after_kb)))" "$result" \
			"$(figure "$(dirname "$env")/meta.env" exit_status)"
	done
}

check "stress over kernel pages: ${columns[*]}" stress_on pages
check "stress over a memmap= region: ${columns[*]}" stress_on memmap --memmap
figures
summary
