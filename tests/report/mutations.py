#!/usr/bin/python3
"""The report's checks for the huge family and the vepc hang can fail: each mutation below breaks
one rule of userspace/report/pfnmap_report (or spoils a copy of a recorded fixture) in a scratch
copy of the tree, runs the tests that guard it, and must see them fail. Nothing in the working
tree is changed.

Usage: tests/report/mutations.py [-v] [NAME...]     (no name: every mutation)
Exit status 0 when every mutation was caught, 1 otherwise.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from typing import Callable, Optional

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PKG = "userspace/report/pfnmap_report"


@dataclass(frozen=True)
class Mutation:
    name: str
    path: str                     # relative to the tree; "" for a data spoil
    old: str
    new: str
    caught_by: tuple              # unittest ids (tests.module[.Class[.method]]) or "test_report.sh"
    spoil: Optional[Callable] = None  # spoil(tree) for data mutations


def _edit_json(path, change):
    with open(path, encoding="utf-8") as f:
        doc = json.load(f)
    change(doc)
    with open(path, "w", encoding="utf-8") as f:
        json.dump(doc, f)


def _drop_fixed_leaf(tree):
    def change(doc):
        for case in doc["cases"]:
            if case["id"] == "huge.pud.dx:move_aligned":
                case["fields"]["level_new"] = "none"
                case["outcome"] = case["outcome"].replace("level_new=pud", "level_new=none")
    _edit_json(os.path.join(tree, "tests/report/fixtures/run-7.2-huge/7.2+fix-huge-pud/probe.json"), change)


def _other_vocabulary(tree):
    _edit_json(os.path.join(tree, "tests/report/fixtures/run-7.2-huge/describe.json"),
               lambda doc: doc["families"][0].update(what="another probe"))


MUTATIONS = (
    # vocabulary
    Mutation("vocab-level-p4d-known", f"{PKG}/vocab.py", 'LEVELS = ("none", "pte", "pmd", "pud")',
             'LEVELS = ("none", "pte", "pmd", "pud", "p4d")', ("tests.test_roundtrip",)),
    Mutation("vocab-huge-leaf-unchecked", f"{PKG}/vocab.py", '    ("huge", "leaf"): frozenset({"pmd", "pud"}),\n',
             "", ("tests.test_roundtrip",)),
    Mutation("vocab-hang-unknown", f"{PKG}/vocab.py",
             '"sigbus", "sigsegv", "hang"})\nKNOWN_TARGET', '"sigbus", "sigsegv"})\nKNOWN_TARGET',
             ("tests.test_roundtrip",)),
    # grid
    Mutation("grid-move-shows-level-before", f"{PKG}/grid.py", '    "move_aligned": ("level_new",),',
             '    "move_aligned": ("level_before",),', ("tests.test_grid.HugeFixture", "test_report.sh")),
    Mutation("grid-no-touch-column", f"{PKG}/grid.py",
             'if op == "map_touch" or op in key_operations]', "if op in key_operations]",
             ("tests.test_grid.HugeFixture",)),
    Mutation("grid-huge-not-rendered", f"{PKG}/grid.py", " + render_huge_grid(huge, width)", "",
             ("tests.test_grid",)),
    Mutation("grid-rows-not-grouped", f"{PKG}/grid.py", "            signature = tuple((ops[op]",
             "            signature = (m,) + tuple((ops[op]", ("tests.test_grid.HugeFixture",)),
    Mutation("grid-hang-quiet", f"{PKG}/grid.py", '    "dontunmap": CellRule("old", frozenset(), ',
             '    "dontunmap": CellRule("old", frozenset({"hang"}), ', ("tests.test_grid.QemuFixture",)),
    Mutation("grid-hang-no-short-name", f"{PKG}/grid.py", '    "hang": "hang",\n', "", ("tests.test_grid",)),
    Mutation("grid-legend-without-levels", f"{PKG}/grid.py",
             "            + (f\" {', '.join(names)}.\" if names else \"\"))\n    return wrap(text, width)",
             "            )\n    return wrap(text, width)", ("tests.test_grid",)),
    # safety: vepc
    Mutation("safety-no-hang-rule", f"{PKG}/safety.py",
             "        if succeeded(ops.get(op)) and HANG in old_classes(ops[op]):", "        if False:",
             ("tests.test_safety.VepcHang", "test_report.sh")),
    Mutation("safety-vepc-not-real-without-dontexpand", f"{PKG}/safety.py",
             'REAL_WITHOUT_DONTEXPAND = frozenset({"vepc"})', "REAL_WITHOUT_DONTEXPAND = frozenset()",
             ("tests.test_safety.VepcHang",)),
    # safety: huge
    Mutation("safety-no-whole-leaf-moves", f"{PKG}/safety.py",
             'WHOLE_LEAF_MOVES = {"move_aligned": "level_new", "dontunmap_leaf": "level_new"}',
             "WHOLE_LEAF_MOVES = {}", ("tests.test_safety.HugeLeaves", "tests.test_safety.HugeConcerns")),
    Mutation("safety-misaligned-move-as-whole-leaf", f"{PKG}/safety.py",
             'WHOLE_LEAF_MOVES = {"move_aligned": "level_new", "dontunmap_leaf": "level_new"}',
             'WHOLE_LEAF_MOVES = {"move_aligned": "level_new", "dontunmap_leaf": "level_new", '
             '"move_misaligned": "level_new"}', ("tests.test_safety.HugeConcerns", "test_report.sh")),
    Mutation("safety-timeouts-ignored", f"{PKG}/safety.py",
             'BROKEN_KINDS = ("crash", "timeout", "lost-result")', "BROKEN_KINDS = ()",
             ("tests.test_safety.HugeLeaves",)),
    Mutation("safety-log-field-ignored", f"{PKG}/safety.py", "    if log is not None and log.words:",
             "    if False:", ("tests.test_safety.HugeLeaves", "tests.test_safety.HugeConcerns")),
    Mutation("safety-never-fixed", f"{PKG}/safety.py", "    elif variant and base_concerns:",
             "    elif False:", ("tests.test_safety.HugeLeaves", "test_report.sh")),
    Mutation("safety-variant-without-base", f"{PKG}/safety.py",
             "        section = huge_section(column, base, list(mapping_order))",
             "        section = huge_section(column, None, list(mapping_order))",
             ("tests.test_safety.HugeLeaves",)),
    Mutation("safety-huge-section-for-skips", f"{PKG}/safety.py",
             '    if all(c.status == "skip" for c in cases):', "    if not cases:",
             ("tests.test_safety.NoHugeRun",)),
    # rendering
    Mutation("markdown-no-huge-section", f"{PKG}/markdown.py",
             "    if not report or not report.huge:\n        return []", "    return []", ("test_report.sh",)),
    Mutation("html-no-huge-section", f"{PKG}/html.py",
             '    if not report or not report.huge:\n        return ""', '    return ""', ("test_report.sh",)),
    Mutation("html-huge-links-dangle", f"{PKG}/html.py", """links = " ".join(f'<a class="evidence" href="#row-""",
             """links = " ".join(f'<a class="evidence" href="#case-""", ("test_report.sh",)),
    # recorded data, spoiled in the scratch copy
    Mutation("data-fixed-move-drops-its-leaf", "", "", "",
             ("tests.test_safety.HugeLeaves", "tests.test_grid.HugeFixture"), spoil=_drop_fixed_leaf),
    Mutation("data-recorded-with-another-vocabulary", "", "", "",
             ("tests.test_roundtrip.EveryDescribedThingIsUnderstood",), spoil=_other_vocabulary),
)


def scratch_tree() -> str:
    """A copy of what the report's tests read: the package and its tests, tests/report, and links
    to the probe, its fake and its schema."""
    tree = tempfile.mkdtemp(prefix="report-mutation.")
    shutil.copytree(os.path.join(TOP, "userspace/report"), os.path.join(tree, "userspace/report"),
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(os.path.join(TOP, "tests/report"), os.path.join(tree, "tests/report"),
                    ignore=shutil.ignore_patterns("out", ".record.*"))
    for name in ("pfnmap-probe", ".obj", "probe-schema.json"):
        os.symlink(os.path.join(TOP, "userspace", name), os.path.join(tree, "userspace", name))
    os.symlink(os.path.join(TOP, "tests/kmsg"), os.path.join(tree, "tests/kmsg"))
    return tree


def run(tree, test) -> bool:
    """True when `test` passes in tree."""
    if test == "test_report.sh":
        cmd = ["bash", os.path.join(tree, "tests/report/test_report.sh")]
        env = dict(os.environ, REPORT_TEST_OUT=os.path.join(tree, "out"))
        cwd = tree
    else:
        cmd = ["/usr/bin/python3", "-B", "-m", "unittest", test]
        env, cwd = os.environ, os.path.join(tree, "userspace/report")
    return subprocess.run(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL).returncode == 0


def mutate(tree, m: Mutation) -> None:
    if m.spoil:
        m.spoil(tree)
        return
    path = os.path.join(tree, m.path)
    with open(path, encoding="utf-8") as f:
        text = f.read()
    if text.count(m.old) != 1:
        raise SystemExit(f"mutations: {m.name}: its anchor occurs {text.count(m.old)} times in {m.path}")
    with open(path, "w", encoding="utf-8") as f:
        f.write(text.replace(m.old, m.new))


def main(argv) -> int:
    verbose = "-v" in argv
    names = [a for a in argv if a != "-v"]
    unknown = set(names) - {m.name for m in MUTATIONS}
    if unknown:
        print(f"mutations: no mutation {', '.join(sorted(unknown))}", file=sys.stderr)
        return 2
    missed = 0
    for m in MUTATIONS:
        if names and m.name not in names:
            continue
        tree = scratch_tree()
        try:
            mutate(tree, m)
            survived = [t for t in m.caught_by if run(tree, t)]
        finally:
            shutil.rmtree(tree, ignore_errors=True)
        if survived:
            missed += 1
            print(f"not ok - {m.name}: {', '.join(survived)} still pass{'es' if len(survived) == 1 else ''}")
        else:
            print(f"ok - {m.name}: caught by {', '.join(m.caught_by)}")
        if verbose and not m.spoil:
            print(f"#   {m.path}: {m.old.strip()!r} -> {m.new.strip()!r}")
    print(f"mutations: {missed} survived")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
