# shellcheck shell=bash disable=SC2154 # run-qemu.sh's option globals, set by its parse_args
# run-qemu.sh --bisect: one run is one step of git bisect run. Sourced by run-qemu.sh; reads its
# option globals (bisect_globs, bisect_good, kernel_tree, kernel_columns, series, variant, mode,
# probe_args, includes). The verdicts and their exit codes are scripts/common.sh's
# (bisect_code, bisect_verdict_of_stop).

# What a failure means to git bisect at this point of the run (bisect_verdict_of_stop).
bisect_stage=setup

# Set up before the arguments are read: a bad argument must stop the bisection, not mark the
# commit bad (our own exit code 2 would be "bad" to git bisect run).
bisect_requested() {
	local arg
	for arg; do [[ $arg == --bisect || $arg == --bisect-good ]] && return 0; done
	return 1
}

# shellcheck disable=SC2317 # an EXIT trap: reached, though not called
exit_for_bisect() {
	local code=$? verdict
	trap - EXIT
	verdict=$(bisect_verdict_of_stop "$bisect_stage" "$code")
	[[ $verdict != judge ]] || verdict=skip
	warn "bisect: $verdict (exit $(bisect_code "$verdict")): the run stopped in its $bisect_stage stage (exit $code)"
	exit "$(bisect_code "$verdict")"
}

check_bisect_args() {
	if ((${#bisect_globs[@]} == 0)); then
		[[ -z $bisect_good ]] || die "--bisect-good goes with --bisect"
		return 0
	fi
	[[ -n $kernel_tree ]] || die "--bisect needs --kernel-tree DIR, the tree whose commits git bisect checks out"
	if ((${#kernel_columns[@]})) || [[ -n $series$variant ]]; then
		die "--bisect runs the --kernel-tree kernel only: drop --kernel, --kernels and --variant"
	fi
	[[ $mode == probe ]] || die "--bisect runs the probe: drop --exec, --shell, --boot-only and --stress"
}

# check_bisect_good RUN_DIR: --bisect-good must be an outcome of every bisected case's operation,
# in the probe's vocabulary (its --describe, kept as RUN_DIR/describe.json); then it becomes the
# expectations the probe judges by, one line per glob, in RUN_DIR/bisect-expectations.txt.
check_bisect_good() {
	local run_dir=$1 probe ids why glob
	[[ -n $bisect_good ]] || return 0
	probe=$(built_probe)
	mkdir -p "$run_dir"
	"$probe" --describe >"$run_dir/describe.json" || die "pfnmap-probe --describe failed"
	mapfile -t ids < <("$probe" --list "${bisect_globs[@]/#/--case=}")
	why=$("$PFNMAP_TOP/userspace/report/pfnmap-bisect" check-outcome --describe "$run_dir/describe.json" \
		"$bisect_good" "${ids[@]}" 2>&1) || die "--bisect-good '$bisect_good': $why"
	for glob in "${bisect_globs[@]}"; do
		printf '%s * %s\n' "$glob" "$bisect_good"
	done >"$run_dir/bisect-expectations.txt"
	includes+=("$run_dir/bisect-expectations.txt")
	# After the runner's own --expect in the guest's command line: the last one counts.
	probe_args+=(--expect /pfnmap/bisect-expectations.txt)
}

# Whether the console shows the kernel going down in the probe's process: a line of concern,
# and from there on the probe named as the task (Comm: pfnmap-probe; a lockup's [pfnmap-probe:PID]).
kernel_died_in_probe() {
	local log=$1/console.log first
	first=$(grep -n -E -f "$LOG_CONCERN" "$log" 2>/dev/null | head -n1 | cut -d: -f1)
	[[ -n $first ]] && tail -n +"$first" "$log" | grep -qE 'Comm: pfnmap-probe|\[pfnmap-probe:[0-9]+\]'
}

# finish_bisect DIR CODE BUILD_SECONDS: the step's verdict from the guest's results and the
# runner's code for it; prints it with each case's and exits with git bisect run's code.
finish_bisect() {
	local dir=$1 code=$2 build_seconds=$3 verdict lines=() went_down=() out kernel guest_seconds
	trap - EXIT
	verdict=$(bisect_verdict_of_stop guest "$code")
	if [[ $verdict == judge ]]; then
		[[ -f ${dir%/*}/describe.json ]] || "$(built_probe)" --describe >"${dir%/*}/describe.json"
		! kernel_died_in_probe "$dir" || went_down=(--probe-went-down)
		if out=$("$PFNMAP_TOP/userspace/report/pfnmap-bisect" judge --describe "${dir%/*}/describe.json" \
			"${went_down[@]}" "$dir" 2>&1); then
			mapfile -t lines <<<"$out"
			verdict=${lines[0]}
			lines=("${lines[@]:1}")
		else
			verdict=skip
			lines=("the results could not be judged: $out")
		fi
	fi
	printf '  %s\n' "${lines[@]}" >&2
	[[ $code != "$EXIT_SPLAT" || $verdict != good ]] ||
		warn "bisect: a kernel log line of concern outside the bisected cases (boot, insmod or rmmod): see $dir/console.log"
	kernel=$(sed -n 's/^kernel_version=//p' "$dir/meta.env")
	guest_seconds=$(sed -n 's/^wall_seconds=//p' "$dir/meta.env")
	warn "bisect: $verdict (exit $(bisect_code "$verdict")): kernel $kernel, build $build_seconds s," \
		"guest $guest_seconds s; results in $dir"
	exit "$(bisect_code "$verdict")"
}
