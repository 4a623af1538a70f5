#!/usr/bin/env bash
# End-to-end tests of userspace/report/pfnmap-report (the package userspace/report/pfnmap_report,
# whose unit tests are userspace/report/tests/): the recorded QEMU runs
# tests/report/fixtures/run-7.2-relax-pfnmap and run-7.2-huge (made by
# tests/report/record-fixtures.sh, never by hand) go in, report.{json,md,html} and the grid come
# out; bad input must exit 2 with one line; and the HTML is rendered by headless Chromium, whose
# DOM is read back and whose screenshot is kept.
#
# Usage: tests/report/test_report.sh
#   REPORT_TEST_OUT=DIR   where the screenshot and rendered DOM go (default tests/report/out)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/../.." && pwd)
report=$top/userspace/report/pfnmap-report
fixture=$here/fixtures/run-7.2-relax-pfnmap
describe=$fixture/describe.json
huge_fixture=$here/fixtures/run-7.2-huge
artifacts=${REPORT_TEST_OUT:-$here/out}
base=7.2
variant=7.2+relax-pfnmap
fixed=7.2+fix-huge-pud

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

if [[ ! -f $fixture/$base/probe.json || ! -f $fixture/$variant/probe.json || ! -f $describe ||
	! -f $huge_fixture/$base/probe.json || ! -f $huge_fixture/$fixed/probe.json ||
	! -f $huge_fixture/describe.json ]]; then
	fail "the recorded fixtures exist (record them with tests/report/record-fixtures.sh)"
	printf 'report: %d passed, %d failed\n' "$passed" "$failed"
	exit 1
fi

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

lacks() { # FILE GREP_ARGS...: no line of FILE matches
	local file=$1
	shift
	if grep -q "$@" -- "$file"; then
		printf '# %s unexpectedly matches %s\n' "$file" "${*: -1}"
		return 1
	fi
}

fits() { # FILE WIDTH: no line is wider than WIDTH characters
	python3 - "$1" "$2" <<'EOF'
import sys
long = [line for line in open(sys.argv[1], encoding="utf-8").read().splitlines() if len(line) > int(sys.argv[2])]
for line in long:
    print(f"# {len(line)} wide: {line}")
sys.exit(1 if long else 0)
EOF
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

# --- the generator on the recorded run ---------------------------------------------------------

run=$work/results/run-1
mkdir -p "$work/results"
cp -r "$fixture" "$run"
out=$work/report

check "generator exits 0 with --out and --describe" "$report" "$run" --out "$out" --describe "$describe"
json=$out/report.json
md=$out/report.md
page=$out/report.html
check "three forms written" test -s "$json" -a -s "$md" -a -s "$page"

check "columns in kernel order, variant after its base" same_text "columns" \
	"$base $variant" "$(json_get "$json" '" ".join(c["label"] for c in m["columns"])')"
check "the variant is compared with its base" same_text "comparison" \
	"$base $variant variant" \
	"$(json_get "$json" '" ".join([m["comparisons"][0]["from"], m["comparisons"][0]["to"], m["comparisons"][0]["kind"]])')"
check "relaxed DONTUNMAP is a change of the variant" same_text "change" \
	"ret=EINVAL ret=ok" \
	"$(json_get "$json" '" ".join(o.split()[0] for c in m["changes"] if c["case"] == "dev.remap.nodx.none.allow:dontunmap" for o in (c["from_outcome"], c["to_outcome"]))')"
check "safety: DONTUNMAP now allowed without VM_DONTEXPAND, unchanged with it" same_text "safety" \
	"$(printf '%s\n' "semantics change DONTUNMAP now allowed" "unchanged -")" \
	"$(json_get "$json" '[r["verdict"]["kind"] + " " + ("DONTUNMAP now allowed" if "DONTUNMAP now allowed" in r["verdict"]["text"] else "-") for p in ("dev.remap.nodx.none.allow", "dev.remap.dx.none.allow") for r in m["safety"]["variants"][0]["rows"] if r["personality"] == p]')"
check "safety: a vepc driver whose old range hangs after DONTUNMAP is unsafe" same_text "vepc" \
	"unsafe hang" \
	"$(json_get "$json" '[r["verdict"]["kind"] + (" hang" if "old range reads hang" in r["verdict"]["text"] else "") for r in m["safety"]["variants"][0]["rows"] if r["personality"] == "dev.vepc.nodx.none.allow"]')"
check "report.md sections in order" same_text "sections" \
	"$(printf '%s\n' "## Summary" "## Behaviour changes between neighbouring kernels" \
		"## Safety of the what-if variants" "## Table")" \
	"$(grep -E '^## ' "$md")"
check "report.html has no network resources" lacks "$page" -iE '(src|href)="?(https?:)?//|<link |@import'
check "report.html links the ktap log relative to --out" grep -qF "href=\"../results/run-1/$base/ktap.txt\"" "$page"

cp "$describe" "$run/describe.json"
check "default --out is the run directory, default --describe RUN/describe.json" "$report" "$run"
check "report.json is the same wherever it is written" cmp -s "$json" "$run/report.json"
"$report" "$run" --out "$work/again"
check "output is reproducible" cmp -s "$out/report.html" "$work/again/report.html"

"$report" "$run" --out "$work/grid" --grid >"$work/grid.txt"
check "--grid prints the grid, at most 120 columns" fits "$work/grid.txt" 120
check "the grid starts with the changes" grep -qxF "Changes between neighbouring kernels (a variant against its base):" \
	"$work/grid.txt"
check "the grid has a row for the controls" grep -qE '^ctl\.' "$work/grid.txt"
check "python3 -m pfnmap_report is the same program" \
	env -C "$top/userspace/report" python3 -m pfnmap_report "$run" --out "$work/module"
check "same report.json from the module" cmp -s "$run/report.json" "$work/module/report.json"

# --- the huge fixture: stock 7.2 and 7.2+fix-huge-pud with --huge --hazards --------------------

huge_run=$work/results/huge-1
cp -r "$huge_fixture" "$huge_run"
check "generator exits 0 on the huge run" "$report" "$huge_run" --out "$work/huge"
"$report" "$huge_run" --out "$work/huge-grid" --grid >"$work/huge-grid.txt" || true # checked below
huge_json=$work/huge/report.json
check "huge: a PUD leaf move is a kernel bug on $base, fixed on $fixed" same_text "huge verdicts" \
	"$(printf '%s\n' "$base kernel bug" "$fixed fixed")" \
	"$(json_get "$huge_json" '[h["column"] + " " + r["verdict"]["kind"] for h in m["safety"]["huge"] for r in h["rows"] if r["case"] == "huge.pud.dx:move_aligned"]')"
check "huge: no kernel bug left on $fixed" same_text "bugs on the fix" "0" \
	"$(json_get "$huge_json" 'sum(r["verdict"]["kind"] == "kernel bug" for h in m["safety"]["huge"] if h["column"] == "'"$fixed"'" for r in h["rows"])')"
check "huge: report.md has the huge section before the table" same_text "huge sections" \
	"$(printf '%s\n' "## Summary" "## Behaviour changes between neighbouring kernels" \
		"## Huge pfnmap leaves: kernel bugs and fixes" "## Table")" \
	"$(grep -E '^## ' "$work/huge/report.md")"
check "huge: the grid shows the dropped leaf on $base and the moved one on $fixed" same_text "huge grid" \
	"$(printf '%s\n' "ok/none" "ok/pud")" \
	"$(awk '/^huge\.pud\.[*a-z]+ / { print $3 }' "$work/huge-grid.txt" | tr -d '!?✗')"
check "huge: --grid at most 120 columns" fits "$work/huge-grid.txt" 120

# --- bad input ---------------------------------------------------------------------------------

check "missing directory exits 2 naming it" expect_exit 2 "$work/nonexistent" "$report" "$work/nonexistent"
mkdir "$work/empty"
check "directory without columns exits 2" expect_exit 2 "no kernel column" "$report" "$work/empty" \
	--describe "$describe"
cp -r "$fixture" "$work/no-describe"
rm "$work/no-describe/describe.json"
check "a run without describe.json exits 2" expect_exit 2 "describe.json" "$report" "$work/no-describe"
cp -r "$run" "$work/bad-json"
printf '{"tool": "pfnmap-probe", "cases": [' >"$work/bad-json/$base/probe.json"
check "malformed JSON exits 2 naming the file" expect_exit 2 "$work/bad-json/$base/probe.json: malformed JSON" \
	"$report" "$work/bad-json"
cp -r "$run" "$work/schema-1"
python3 - "$work/schema-1/$variant/probe.json" <<'EOF'
import json, sys
doc = json.load(open(sys.argv[1], encoding="utf-8"))
doc["schema_version"] = 1
json.dump(doc, open(sys.argv[1], "w", encoding="utf-8"))
EOF
check "probe.json of schema version 1 exits 2" expect_exit 2 "schema_version 1" "$report" "$work/schema-1"

# --- the page as a browser renders it ----------------------------------------------------------

# Prints the cells of a dumped DOM as "column case verdict changed-from-left?" lines, the safety
# rows as "group LABEL VERDICT", and every in-page link as "link HREF found|missing".
dom_read() {
	python3 - "$1" <<'EOF'
import sys
from html.parser import HTMLParser

class Page(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids, self.links = set(), []
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        classes = (a.get("class") or "").split()
        if a.get("id"):
            self.ids.add(a["id"])
        if tag == "td" and "cell" in classes:
            verdict = next(c for c in classes if c.startswith("verdict-"))
            moved = "changed-from-left" if "changed-from-left" in classes else "-"
            print("cell", a.get("data-column"), a.get("data-case"), verdict, moved)
        if tag == "tr" and "safety-row" in classes:
            print("group", a.get("data-group"), a.get("data-verdict"))
        if tag == "tr" and "huge-row" in classes:
            print("huge", a.get("data-group"), a.get("data-verdict"))
        if tag == "a" and (a.get("href") or "").startswith("#"):
            self.links.append(a["href"][1:])
        if tag == "body":
            print("body data-ready", a.get("data-ready"))

page = Page()
page.feed(open(sys.argv[1], encoding="utf-8").read())
for link in page.links:
    print("link", link, "found" if link in page.ids else "missing")
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
	dom_read "$dom" >"$work/dom"
	rows=$(json_get "$json" 'len(m["rows"])')
	check "page script ran (filter applied, count shown)" grep -qxF "body data-ready 1" "$work/dom"
	check "count of shown rows written by the script" grep -qF "$rows of $rows cases shown" "$dom"
	check "one rendered cell per case and column" same_text "cells" "$((rows * 2))" \
		"$(grep -c '^cell ' "$work/dom")"
	check "rendered cells: changed-from-left exactly on the changed cases" same_text "changed cells" \
		"$(json_get "$json" '[c["to"] + " " + c["case"] for c in m["changes"]]' | sort)" \
		"$(awk '$1 == "cell" && $5 == "changed-from-left" { print $2, $3 }' "$work/dom" | sort)"
	check "rendered cells carry the model's verdicts" same_text "verdicts" \
		"$(json_get "$json" '[c + " " + r["id"] + " verdict-" + r["cells"][c]["display"] for r in m["rows"] for c in r["cells"]]' | sort)" \
		"$(awk '$1 == "cell" { print $2, $3, $4 }' "$work/dom" | sort)"
	check "rendered safety rows: the same groups as the model" same_text "safety rows" \
		"$(json_get "$json" '["group " + g["label"] + " " + g["verdict"]["kind"] for g in m["safety"]["variants"][0]["groups"]]')" \
		"$(grep '^group ' "$work/dom")"
	check "every in-page link lands on an element" same_text "dangling links" \
		"" "$(awk '$1 == "link" && $3 != "found" { print $2 }' "$work/dom")"
	check "rendered header marks the variant's changes" grep -qF "vs $base" "$dom"
	chromium_run --dump-dom "file://$work/huge/report.html" >"$work/huge.dom.html"
	dom_read "$work/huge.dom.html" >"$work/huge.dom"
	check "rendered huge rows: the same groups as the model, per column" same_text "huge rows" \
		"$(json_get "$huge_json" '["huge " + g["label"] + ":" + g["operation"] + " " + g["verdict"]["kind"] for h in m["safety"]["huge"] for g in h["groups"]]')" \
		"$(grep '^huge ' "$work/huge.dom")"
	check "huge page: every in-page link lands on an element" same_text "dangling huge links" \
		"" "$(awk '$1 == "link" && $3 != "found" { print $2 }' "$work/huge.dom")"

	shot=$artifacts/report.png
	rm -f "$shot"
	chromium_run --screenshot="$shot" --window-size=1400,900 "file://$page" >/dev/null || true
	check "screenshot taken" is_png "$shot"
	printf '# screenshot: %s\n' "$shot"
fi

printf 'report: %d passed, %d failed\n' "$passed" "$failed"
((failed == 0))
