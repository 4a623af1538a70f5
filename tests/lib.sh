# shellcheck shell=bash
# A minimal test harness for the project's shell-level tests: TAP-like lines, a closing
# "N passed, N failed" line, and a non-zero exit when anything failed.

TESTS_PASSED=0
TESTS_FAILED=0
TESTS_FAILED_NAMES=()

# check NAME COMMAND...: runs COMMAND, passes when it exits 0. Output goes to a log
# that is shown only on failure.
check() {
	local name=$1 log
	shift
	log=$(mktemp)
	local start=$SECONDS
	if "$@" >"$log" 2>&1; then
		TESTS_PASSED=$((TESTS_PASSED + 1))
		printf 'ok - %s (%ss)\n' "$name" "$((SECONDS - start))"
	else
		TESTS_FAILED=$((TESTS_FAILED + 1))
		TESTS_FAILED_NAMES+=("$name")
		printf 'not ok - %s (%ss)\n' "$name" "$((SECONDS - start))"
		sed 's/^/#   /' "$log" | tail -n 40
	fi
	rm -f "$log"
}

# expect_exit CODE COMMAND...: passes when COMMAND exits with CODE.
expect_exit() {
	local want=$1 rc=0
	shift
	"$@" || rc=$?
	if [[ $rc != "$want" ]]; then
		echo "expected exit $want, got $rc from: $*"
		return 1
	fi
}

summary() {
	echo "tests: $TESTS_PASSED passed, $TESTS_FAILED failed"
	if ((TESTS_FAILED)); then
		printf 'failed: %s\n' "${TESTS_FAILED_NAMES[@]}"
		return 1
	fi
}
