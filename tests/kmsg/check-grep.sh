#!/usr/bin/env bash
# check-grep.sh [PATTERNS [SAMPLES]]
# grep -E -f userspace/log-concern.txt, as the runner (scripts/guest.sh) and the guest scripts
# (busybox) use it, against tests/kmsg/samples.txt: every "match" line must match, no "nomatch"
# line may. The probe's regcomp copy is held to the same samples by userspace/tests/
# test_log_concern.c, so the two cannot drift apart. Also checks the file's own rules: no blank
# line, comment lines that cannot match a log line (they are patterns to grep too).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
patterns=${1:-$here/../../userspace/log-concern.txt}
samples=${2:-$here/samples.txt}
failed=0

fail() { printf 'check-grep: %s\n' "$*" >&2; failed=1; }

[[ -s $patterns ]] || { fail "no patterns in $patterns"; exit 1; }
[[ -s $samples ]] || { fail "no samples in $samples"; exit 1; }

# The file's rules.
if grep -n -E '^[[:space:]]*$' "$patterns" >&2; then
	fail "$patterns: a blank line matches everything under grep -f"
fi
if grep -n -E '[[:space:]]$' "$patterns" >&2; then
	fail "$patterns: trailing white space is part of the pattern"
fi
if grep -n $'\r' "$patterns" >&2; then
	fail "$patterns: carriage return"
fi
if grep -n '^#' "$patterns" | grep -v -E "^[0-9]+:# [A-Za-z0-9 ,.:/_'=;#!-]{18,}$" >&2; then
	fail "$patterns: a comment line must be '# ' and 18 or more letters, digits, spaces or , . : / _ - ' = ; # !"
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# Texts and sample line numbers of each kind; the rest of the line after the second tab is the text.
awk -F'\t' -v dir="$tmp" '
	$1 == "match" || $1 == "nomatch" {
		text = $0; sub(/^[^\t]*\t[^\t]*\t/, "", text)
		print text > (dir "/" $1 ".txt"); print NR > (dir "/" $1 ".nr")
		next
	}
	{ printf "%s:%d: kind \"%s\"\n", FILENAME, NR, $1 > "/dev/stderr"; bad = 1 }
	END { exit bad }' "$samples" || fail "$samples: malformed lines"
grep -v '^#' "$patterns" >"$tmp/rules"
grep '^#' "$patterns" >"$tmp/comments" || true
for kind in match nomatch; do
	[[ -s $tmp/$kind.txt ]] || fail "$samples: no $kind samples"
	touch "$tmp/$kind.txt" "$tmp/$kind.nr"
done

# report KIND WHAT LINE-NUMBERS-IN-THE-KIND-FILE...: the samples, with their sources.
report() {
	local kind=$1 what=$2 n
	shift 2
	for n in "$@"; do
		n=$(sed -n "${n}p" "$tmp/$kind.nr")
		fail "$what: $samples:$n: $(sed -n "${n}p" "$samples")"
	done
}

# check_tool NAME GREP...: one grep implementation over both kinds.
check_tool() {
	local name=$1 misses hits
	shift
	# -v -n: the match samples no pattern matched; -n: the nomatch samples one did.
	misses=$("$@" -a -v -n -E -f "$patterns" "$tmp/match.txt" | cut -d: -f1 | head -20) || true
	hits=$("$@" -a -n -E -f "$patterns" "$tmp/nomatch.txt" | cut -d: -f1 | head -20) || true
	# shellcheck disable=SC2086 # line numbers
	report match "$name: no pattern matches" $misses
	# shellcheck disable=SC2086
	report nomatch "$name: matched" $hits
	# The comment lines, taken as patterns, must match no sample at all; and without them the
	# verdicts must be the same (so the probe, which drops them, agrees with grep).
	if [[ -s $tmp/comments ]] && "$@" -a -q -E -f "$tmp/comments" "$tmp/match.txt" "$tmp/nomatch.txt"; then
		fail "$name: a comment line of $patterns matches a sample"
	fi
	if [[ $("$@" -a -c -E -f "$tmp/rules" "$tmp/match.txt") != $(wc -l <"$tmp/match.txt") ]]; then
		fail "$name: the patterns without the comment lines miss a match sample"
	fi
}

LC_ALL=C check_tool "grep -E (C locale)" grep
check_tool "grep -E (${LC_ALL:-${LANG:-default} locale})" grep
if command -v busybox >/dev/null 2>&1; then
	check_tool "busybox grep -E" busybox grep
fi

if ((failed)); then
	exit 1
fi
echo "check-grep: $(wc -l <"$tmp/match.txt") match and $(wc -l <"$tmp/nomatch.txt") nomatch samples agree with grep -E -f $(basename "$patterns")"
