#!/usr/bin/env bash
# Host tests of userspace/report/pfnmap-report: a fixture run (tests/report/fixtures/run-good)
# goes in, report.{json,md,html} come out and are checked; bad input must exit 2; and the HTML
# is rendered by headless Chromium, whose DOM is read back and whose screenshot is kept.
#
# Usage: tests/report/test_report.sh
#   REPORT_TEST_OUT=DIR   where the screenshot and rendered DOM go (default tests/report/out)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/../.." && pwd)
report=$top/userspace/report/pfnmap-report
fixtures=$here/fixtures
artifacts=${REPORT_TEST_OUT:-$here/out}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

passed=0
failed=0
pass() { passed=$((passed + 1)); printf 'ok - %s\n' "$1"; }
fail() { failed=$((failed + 1)); printf 'not ok - %s\n' "$1"; }
# check NAME COMMAND...: one assertion; the command's own output explains a failure.
check() {
	local name=$1
	shift
	if "$@"; then pass "$name"; else fail "$name"; fi
}

# json_get FILE EXPR: prints a Python expression evaluated over the report model `m`.
json_get() {
	python3 - "$1" "$2" <<'EOF'
import json, sys
m = json.load(open(sys.argv[1], encoding="utf-8"))
value = eval(sys.argv[2], {"m": m})
print("\n".join(value) if isinstance(value, list) else value)
EOF
}

# same_text WHAT EXPECTED ACTUAL: equal strings, with a diff when not.
same_text() {
	if [[ $2 == "$3" ]]; then return 0; fi
	printf '# %s differs (expected vs actual):\n' "$1"
	diff <(printf '%s\n' "$2") <(printf '%s\n' "$3") | sed 's/^/#   /' || true
	return 1
}

contains_lines() { # FILE LINES_FILE: every line of LINES_FILE occurs in FILE as a whole line
	local line missing=0
	while IFS= read -r line; do
		if ! grep -qxF -- "$line" "$1"; then
			printf '# missing line: %s\n' "$line"
			missing=1
		fi
	done <"$2"
	return "$missing"
}

lacks() { # FILE GREP_ARGS...: no line of FILE matches
	local file=$1
	shift
	if grep -q "$@" -- "$file"; then
		printf '# %s unexpectedly matches %s\n' "$file" "${*: -1}"
		return 1
	fi
}

is_png() { [[ -s $1 && $(head -c 4 "$1" | tail -c 3) == PNG ]]; }

expect_exit() { # STATUS MESSAGE_PART COMMAND...: exits STATUS and says MESSAGE_PART on stderr
	local want=$1 message=$2 status=0
	shift 2
	"$@" >"$work/stdout" 2>"$work/stderr" || status=$?
	if ((status != want)); then
		printf '# exit status %s, wanted %s; stderr: %s\n' "$status" "$want" "$(cat "$work/stderr")"
		return 1
	fi
	if ! grep -qF -- "$message" "$work/stderr"; then
		printf '# stderr does not name %s: %s\n' "$message" "$(cat "$work/stderr")"
		return 1
	fi
	if (($(wc -l <"$work/stderr") != 1)); then
		printf '# wanted a one-line message, got:\n%s\n' "$(cat "$work/stderr")"
		return 1
	fi
}

# --- the generator on the good fixture ------------------------------------------------------

run=$work/results/run-1
mkdir -p "$work/results"
cp -r "$fixtures/run-good" "$run"
out=$work/report

check "generator exits 0 with --out" "$report" "$run" --out "$out"
json=$out/report.json
md=$out/report.md
page=$out/report.html
check "three forms written" test -s "$json" -a -s "$md" -a -s "$page"

check "columns in kernel order, variant after its base" same_text "columns" \
	"5.10 6.1 6.1+relax-pfnmap 6.12 7.2" "$(json_get "$json" '" ".join(c["label"] for c in m["columns"])')"
check "changes found are exactly the fixture's" same_text "changes" \
	"$(cat "$fixtures/expected-changes.txt")" \
	"$(json_get "$json" '[c["from"] + " -> " + c["to"] + ": " + c["case"] for c in m["changes"]]')"
check "column without probe.json: no result everywhere, runner exit kept" same_text "6.12" \
	"False 4 no-result" \
	"$(json_get "$json" '" ".join([str(m["columns"][3]["has_result"]), m["columns"][3]["exit_status"], *{r["cells"]["6.12"]["display"] for r in m["rows"]}])')"
check "hung column is stepped over: 7.2 compared with 6.1" same_text "7.2 compare" \
	"6.1 6.12" "$(json_get "$json" '" ".join([m["comparisons"][2]["from"], *m["comparisons"][2]["stepped_over"]])')"
check "verdict changed kept with its expectation" same_text "changed cell" \
	"changed changed ret=EINVAL old=pattern new=-" \
	"$(json_get "$json" '" ".join((lambda c: [c["verdict"], c["display"], c["expected"]])(next(r for r in m["rows"] if r["id"] == "dev.fault.nodx.track.refuse:move")["cells"]["7.2"]))')"
check "failed check shown as failed with its kmsg" same_text "failed cell" \
	"failed kmsg_clean 2" \
	"$(json_get "$json" '" ".join((lambda c: [c["display"], *c["failed_checks"], str(len(c["kmsg"]))])(next(r for r in m["rows"] if r["id"] == "memfd:grow")["cells"]["6.1"]))')"
check "case missing from an older probe is absent, not a change" same_text "absent cell" \
	"absent new" \
	"$(json_get "$json" '" ".join(next(r for r in m["rows"] if r["id"] == "anon-private:mseal")["cells"][k]["display"] for k in ("5.10", "7.2"))')"
check "rows grouped by operation" same_text "operation order" \
	"map dontunmap move grow uffd mseal" \
	"$(json_get "$json" '" ".join(dict.fromkeys(r["operation"] for r in m["rows"]))')"
check "per-column counts" same_text "7.2 counts" \
	"10 1 1 0 0" \
	"$(json_get "$json" '" ".join(str(m["columns"][4]["counts"][k]) for k in ("expected", "changed", "new", "failed", "skip"))')"

check "report.md lists every change line" contains_lines "$md" "$fixtures/expected-md-lines.txt"
check "report.md summary has the hung column" grep -qF '| 6.12 | 6.12.117 | exit 4 (guest hang) | no result |' "$md"
check "report.md collapses rows identical and expected everywhere" \
	grep -qxF '5 of 12 cases have the same outcome on every kernel and are expected everywhere; they are not listed. The 7 others:' "$md"
check "report.md table omits a collapsed row" lacks "$md" -F '| anon-private:map |'
check "report.md table marks the changed cell" grep -qF '**Δ** ✗ ret=0 old=SIGSEGV new=pattern (expected ret=EINVAL old=pattern new=-)' "$md"

check "report.html has no network resources" lacks "$page" -iE '(src|href)="?(https?:)?//|<link |@import'
check "report.html links the console log relative to --out" grep -qF 'href="../results/run-1/6.12/console.log"' "$page"

check "default --out is the run directory" "$report" "$run"
check "report.json is the same wherever it is written" cmp -s "$json" "$run/report.json"
"$report" "$run" --out "$work/again"
check "output is reproducible" cmp -s "$out/report.html" "$work/again/report.html"

# --- the safety section on a variant fixture ------------------------------------------------------

srun=$work/results/run-safety
cp -r "$fixtures/run-safety" "$srun"
sout=$work/safety
check "generator exits 0 on the safety fixture" "$report" "$srun" --out "$sout"
sjson=$sout/report.json
smd=$sout/report.md
spage=$sout/report.html
check "safety: one variant, compared with its base" same_text "safety variants" \
	"7.2+relax-pfnmap relax-pfnmap 7.2" \
	"$(json_get "$sjson" '" ".join(" ".join([v["column"], v["variant"], v["base"]]) for v in m["safety"]["variants"])')"
check "safety: verdicts per group, identical personalities grouped, controls left out" same_text "safety groups" \
	"$(printf '%s\n' \
		"dev.remap.nodx.none.* 2 semantics change" \
		"dev.remap.dx.none.allow 1 unchanged" \
		"dev.fault.nodx.track.allow 1 unsafe" \
		"dev.fault.dx.track.allow 1 unchanged")" \
	"$(json_get "$sjson" '[g["label"] + " " + str(len(g["personalities"])) + " " + g["verdict"]["kind"] for g in m["safety"]["variants"][0]["groups"]]')"
check "safety: DONTUNMAP now allowed, old range sigbus, grown tail sigbus" same_text "remap nodx row" \
	"0 EINVAL sigbus sigbus 0" \
	"$(json_get "$sjson" '(lambda r: " ".join([r["dontunmap_allowed"]["variant"], r["dontunmap_allowed"]["base"], r["old_after_dontunmap"], *r["grown_tail"]["tail"], r["grown_tail"]["oor"]]))(next(r for r in m["safety"]["variants"][0]["rows"] if r["personality"] == "dev.remap.nodx.none.refuse"))')"
check "safety: the WARNING line is the splat, quoted with its case" same_text "splat" \
	"dev.fault.nodx.track.allow:dontunmap_fork WARNING: CPU: 0 PID: 117 at mm/memory.c:1516 zap_pte_range+0x3f1/0x500 [fixture] False" \
	"$(json_get "$sjson" '[s["case"] + " " + s["line"] + " " + str(s["on_base"]) for g in m["safety"]["variants"][0]["groups"] for s in g["splats"]]')"
check "safety: ->mremap calls and out-of-region faults recorded" same_text "fault nodx hooks" \
	"1 old+new 0 4" \
	"$(json_get "$sjson" '(lambda r: " ".join([r["hooks"]["dontunmap_munmap"][k] for k in ("mremap_calls", "closed", "live")] + [r["grown_tail"]["oor"]]))(next(r for r in m["safety"]["variants"][0]["rows"] if r["personality"] == "dev.fault.nodx.track.allow"))')"
check "safety: every device case is evidence of exactly one group" same_text "evidence" \
	"$(json_get "$sjson" 'sorted(r["id"] for r in m["rows"] if r["id"].startswith("dev."))')" \
	"$(json_get "$sjson" 'sorted(c for g in m["safety"]["variants"][0]["groups"] for c in g["evidence"])')"
check "safety: the good fixture's variant has its section too" same_text "6.1 variant verdicts" \
	"semantics change unchanged" \
	"$(json_get "$json" '" ".join(g["verdict"]["kind"] for g in m["safety"]["variants"][0]["groups"])')"
check "report.md safety lines" contains_lines "$smd" "$fixtures/expected-safety-md-lines.txt"
check "report.md safety section sits between the change list and the table" same_text "section order" \
	"$(printf '%s\n' "## Behaviour changes between neighbouring kernels" "## Safety of the what-if variants" "## Table")" \
	"$(grep -E '^## (Behaviour|Safety|Table)' "$smd")"
"$report" "$srun" --out "$work/safety-again"
check "safety output is reproducible" cmp -s "$spage" "$work/safety-again/report.html"

# --- bad input -------------------------------------------------------------------------------

check "missing directory exits 2 naming it" expect_exit 2 "$work/nonexistent" "$report" "$work/nonexistent"
mkdir "$work/empty"
check "directory without columns exits 2" expect_exit 2 "no kernel column" "$report" "$work/empty"
cp -r "$fixtures/run-good" "$work/bad-json"
printf '{"tool": "pfnmap-probe", "cases": [' >"$work/bad-json/6.1/probe.json"
check "malformed JSON exits 2 naming the file" expect_exit 2 "$work/bad-json/6.1/probe.json: malformed JSON" \
	"$report" "$work/bad-json"
cp -r "$fixtures/run-good" "$work/no-cases"
printf '{"tool": "pfnmap-probe"}\n' >"$work/no-cases/7.2/probe.json"
check "probe.json without cases exits 2 naming the file" expect_exit 2 "$work/no-cases/7.2/probe.json" \
	"$report" "$work/no-cases"

# --- the page as a browser renders it ----------------------------------------------------------

# Prints the cells of a dumped DOM as "column case verdict changed-from-left?" lines.
dom_cells() {
	python3 - "$1" <<'EOF'
import sys
from html.parser import HTMLParser

class Cells(HTMLParser):
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        classes = (a.get("class") or "").split()
        if tag == "td" and "cell" in classes:
            verdict = next(c for c in classes if c.startswith("verdict-"))
            moved = "changed-from-left" if "changed-from-left" in classes else "-"
            print(a.get("data-column"), a.get("data-case"), verdict, moved)
        if tag == "body":
            print("body data-ready", a.get("data-ready"))

Cells().feed(open(sys.argv[1], encoding="utf-8").read())
EOF
}

# Prints the safety section of a dumped DOM: "section safety", "group LABEL VERDICT" per row,
# "splat HREF LINE" per quoted kernel log line, "link HREF found|missing" per evidence link
# (missing: no matrix row has that id).
dom_safety() {
	python3 - "$1" <<'EOF'
import sys
from html.parser import HTMLParser

class Safety(HTMLParser):
    def __init__(self):
        super().__init__()
        self.row_ids, self.links, self.out = set(), [], []
        self.in_splat, self.splat_href, self.code = False, None, None
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        classes = (a.get("class") or "").split()
        if tag == "tr" and "row" in classes:
            self.row_ids.add(a.get("id"))
        if tag == "section" and "safety" in classes:
            self.out.append("section safety")
        if tag == "tr" and "safety-row" in classes:
            self.out.append(f"group {a.get('data-group')} {a.get('data-verdict')}")
        if tag == "td" and "splats" in classes:
            self.in_splat = True
        if tag == "a" and "evidence" in classes:
            self.links.append(a.get("href"))
            if self.in_splat:
                self.splat_href = a.get("href")
        if tag == "code" and self.in_splat:
            self.code = ""
    def handle_data(self, data):
        if self.code is not None:
            self.code += data
    def handle_endtag(self, tag):
        if tag == "code" and self.code is not None:
            self.out.append(f"splat {self.splat_href} {self.code}")
            self.code = None
        if tag == "td":
            self.in_splat = False

p = Safety()
p.feed(open(sys.argv[1], encoding="utf-8").read())
print("\n".join(p.out))
for href in p.links:
    print("link", href, "found" if href.startswith("#") and href[1:] in p.row_ids else "missing")
EOF
}

find_chromium() {
	command -v chromium && return 0
	if ((EUID != 0)); then
		return 1
	fi
	printf '# chromium missing: installing the Debian package\n' >&2
	export DEBIAN_FRONTEND=noninteractive
	apt-get install -y chromium >"$work/apt.log" 2>&1 ||
		{ apt-get update >>"$work/apt.log" 2>&1 && apt-get install -y chromium >>"$work/apt.log" 2>&1; } ||
		{ tail -5 "$work/apt.log" >&2; return 2; }
	command -v chromium
}

chromium_run() { # chromium with a throwaway profile and nothing that talks to the network
	timeout 120 "$chromium" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
		--disable-background-networking --disable-component-update --disable-sync \
		--user-data-dir="$(mktemp -d "$work/profile.XXXXXX")" "$@" 2>>"$work/chromium.log"
}

chromium_status=0
chromium=$(find_chromium) || chromium_status=$?
if ((chromium_status == 1)); then
	printf '# SKIP browser checks: chromium is not installed and we are not root to install it\n'
elif ((chromium_status != 0)); then
	fail "chromium could be installed"
else
	mkdir -p "$artifacts"
	dom=$artifacts/report.dom.html
	check "chromium dumps the rendered DOM" chromium_run --dump-dom "file://$page" >"$dom"
	dom_cells "$dom" >"$work/cells"
	check "page script ran (filter applied, count shown)" grep -qxF "body data-ready 1" "$work/cells"
	check "count of shown rows written by the script" grep -qF '12 of 12 cases shown' "$dom"
	check "rendered cells: changed-from-left exactly on the changed cases" same_text "changed cells" \
		"$(awk -F' -> |: ' '{ print $2, $3 }' "$fixtures/expected-changes.txt" | sort)" \
		"$(awk '$4 == "changed-from-left" { print $1, $2 }' "$work/cells" | sort)"
	check "rendered cell with verdict changed" grep -qxF \
		"7.2 dev.fault.nodx.track.refuse:move verdict-changed changed-from-left" "$work/cells"
	check "rendered cell with a failed check" grep -qxF "6.1 memfd:grow verdict-failed -" "$work/cells"
	check "rendered hung column: all no-result" same_text "6.12 cells" "verdict-no-result" \
		"$(awk '$1 == "6.12" { print $3 }' "$work/cells" | sort -u)"
	check "rendered header marks the boundary" grep -qF 'Δ 2 vs 5.10' "$dom"

	sdom=$artifacts/report-safety.dom.html
	check "chromium dumps the safety fixture's DOM" chromium_run --dump-dom "file://$spage" >"$sdom"
	dom_safety "$sdom" >"$work/safety-dom"
	check "rendered safety section with one row per group" same_text "safety rows" \
		"$(printf '%s\n' "section safety" \
			"group dev.remap.nodx.none.* semantics change" "group dev.remap.dx.none.allow unchanged" \
			"group dev.fault.nodx.track.allow unsafe" "group dev.fault.dx.track.allow unchanged")" \
		"$(grep -E '^(section|group) ' "$work/safety-dom")"
	check "every evidence link of the safety section lands on a rendered row" same_text "dangling links" \
		"" "$(awk '$1 == "link" && $3 != "found" { print $2 }' "$work/safety-dom")"
	check "safety links reach every device case, the splat's case twice" same_text "link targets" \
		"26 25" "$(awk '$1 == "link" { n++; seen[$2] = 1 } END { print n, length(seen) }' "$work/safety-dom")"
	check "rendered splat line links to its case" grep -qxF \
		"splat #row-dev.fault.nodx.track.allow:dontunmap_fork WARNING: CPU: 0 PID: 117 at mm/memory.c:1516 zap_pte_range+0x3f1/0x500 [fixture]" \
		"$work/safety-dom"

	shot=$artifacts/report.png
	rm -f "$shot"
	chromium_run --screenshot="$shot" --window-size=1400,900 "file://$page" >/dev/null || true
	check "screenshot taken" is_png "$shot"
	printf '# screenshot: %s\n' "$shot"
fi

printf 'report: %d passed, %d failed\n' "$passed" "$failed"
((failed == 0))
