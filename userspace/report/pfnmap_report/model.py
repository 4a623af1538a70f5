"""The report's typed model: cases as the probe recorded them, kernel columns, and the merged
matrix (rows = cases, columns = kernels, cells = outcomes coloured by verdict, and the
behaviour changes between neighbouring columns).

Every object here is built from load.py's output by pure functions; nothing is global.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from typing import Mapping, Optional

FORMAT_VERSION = 2

# The architecture of a column that does not name one: every run before there were others.
DEFAULT_ARCH = "x86"

# What a cell is shown as. The probe's verdict says whether the outcome matched the expectation;
# "failed" (a check such as kmsg_clean broke) outranks it because a splat matters more than an
# outcome, and the last two describe cells for which there is no probe result at all.
DISPLAY_KINDS = ("expected", "changed", "new", "failed", "skip", "no-result", "absent")
COUNTED_KINDS = ("expected", "changed", "new", "failed", "skip")
MARKER = {"expected": "✓", "changed": "✗", "new": "?", "failed": "!", "skip": "–",
          "no-result": "·", "absent": "·"}

# Exit codes of run-qemu.sh (scripts/common.sh), spelled out for readers of the report.
RUNNER_EXIT_MEANING = {
    "0": ("all expected", "ok"),
    "1": ("changed or failed", "changed"),
    "2": ("infrastructure error", "infra"),
    "3": ("panic or splat", "splat"),
    "4": ("guest hang", "hang"),
}


def hidden(**kw):
    """A dataclass field left out of report.json."""
    return field(metadata={"json": False}, **kw)


def renamed(name, **kw):
    """A dataclass field written to report.json under another name (e.g. "from")."""
    return field(metadata={"json_name": name}, **kw)


def to_json(obj):
    """report.json's form of a model object: dataclasses as objects (without hidden fields),
    tuples as lists."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        out = {}
        for f in dataclasses.fields(obj):
            if f.metadata.get("json", True):
                out[f.metadata.get("json_name", f.name)] = to_json(getattr(obj, f.name))
        return out
    if isinstance(obj, Mapping):
        return {str(k): to_json(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [to_json(v) for v in obj]
    return obj


# ---------------------------------------------------------------------------------------------
# One probe run


@dataclass(frozen=True)
class Checks:
    balanced: Optional[bool]
    kmsg_clean: Optional[bool]
    exit_clean: Optional[bool]

    def failed(self) -> tuple:
        return tuple(f.name for f in dataclasses.fields(self) if getattr(self, f.name) is False)


@dataclass(frozen=True)
class Evidence:
    before: Optional[str] = None
    vmflags_before: Mapping = field(default_factory=dict)
    vmflags_after: Mapping = field(default_factory=dict)
    counters_delta: Optional[Mapping] = None
    device_counters_delta: Optional[Mapping] = None
    memtype: Optional[str] = None
    pat_before: Optional[int] = None
    pat_after: Optional[int] = None
    balance_note: Optional[str] = None
    last_mremap_start_moved: Optional[bool] = None
    kmsg: tuple = ()
    note: Optional[str] = None
    child_exit: Optional[str] = None


@dataclass(frozen=True)
class Case:
    """One case of one probe run, as probe.json has it; `values` are its fields parsed by the
    vocabulary (None where a field reads "-")."""
    id: str
    mapping: str
    family: str
    axes: Mapping[str, str]
    operation: str
    status: str
    verdict: str
    outcome_kind: Optional[str]
    outcome: Optional[str]
    fields: Mapping[str, str]
    expected: Optional[str]
    checks: Checks
    skip_reason: Optional[str]
    duration_ms: Optional[int]
    evidence: Optional[Evidence]
    values: Mapping = field(default_factory=dict, compare=False, repr=False)

    @property
    def display(self) -> str:
        if self.checks.failed():
            return "failed"
        if self.status == "skip" or self.verdict == "skip":
            return "skip"
        if self.status == "not ok" and self.verdict == "expected":
            return "failed"
        if self.verdict in ("expected", "changed"):
            return self.verdict
        return "new"  # no expectation: reported, never silently passed

    @property
    def kmsg(self) -> tuple:
        return self.evidence.kmsg if self.evidence else ()

    def value(self, name: str):
        """The parsed field, None when the case did not report it or it reads "-"."""
        return self.values.get(name)


@dataclass(frozen=True)
class Column:
    """One kernel column: results/<run-id>/<dir>/ with meta.env and, when the guest finished,
    probe.json."""
    label: str
    dir: str
    series: str
    variant: str
    kernel_release: Optional[str]
    kernel_build: Optional[str]
    debian_version: Optional[str]
    config_hash: Optional[str]
    exit_status: Optional[str]
    wall_seconds: Optional[str]
    duration_ms: Optional[int]
    has_result: bool
    device: Optional[Mapping]
    skip_reasons: Mapping[str, int]
    files: Mapping[str, str]
    cases: Mapping[str, Case] = hidden(default_factory=dict, repr=False)
    compare_to: Optional[str] = None
    compare_kind: str = "version"
    counts: Mapping[str, int] = field(default_factory=dict)
    # The same kernel built differently (debug, drm: judged as stock), and the module's region.
    flavor: str = ""
    backing: str = "pages"
    arch: str = DEFAULT_ARCH
    # The same kernel on the default architecture, for the differences that are the
    # architecture's (not a change between kernels).
    arch_compare_to: Optional[str] = None

    def exit_text(self, short=False) -> str:
        status = self.exit_status
        if status is None or status == "":
            return "exit ?"
        meaning = RUNNER_EXIT_MEANING.get(str(status))
        if not meaning:
            return f"exit {status}"
        return f"exit {status} {meaning[1]}" if short else f"exit {status} ({meaning[0]})"

    @property
    def kernel_text(self) -> str:
        return self.kernel_release or "?"


def version_key(text):
    """Sort key for "5.10", "6.12.117", "7.3-rc2": numeric parts, a release after its -rcs."""
    match = re.match(r"(\d+(?:\.\d+)*)(?:-rc(\d*))?", text or "")
    if not match:
        return ((), 1, 0)
    numbers = tuple(int(n) for n in match.group(1).split("."))
    if match.group(2) is not None:
        return (numbers, 0, int(match.group(2) or 0))
    return (numbers, 1, 0)


def column_order(column: Column):
    """The default architecture first, then each other one; in each, kernel version order, after
    each base series its other backings, flavors and variants."""
    return (column.arch != DEFAULT_ARCH, column.arch, version_key(column.series), column.variant != "",
            column.variant, column.flavor != "", column.flavor, column.backing != "pages", column.backing,
            version_key(column.kernel_release or ""), column.label)


# How a comparison is named after its two columns (none for "version": between kernels);
# "arch": the same kernel on the default architecture, whose differences are the architecture's.
COMPARISON_KIND_TEXT = {"variant": " (variant)", "flavor": " (flavor)", "backing": " (backing)",
                        "arch": " (architecture: the same kernel, not a change between kernels)"}


def comparison_kind(column: Column, base_backing: str) -> str:
    """How a column differs from the base column of its series (a stock kernel on the run's
    base backing): "version" for a base."""
    if column.variant:
        return "variant"
    if column.flavor:
        return "flavor"
    return "backing" if column.backing != base_backing else "version"


# ---------------------------------------------------------------------------------------------
# The matrix


@dataclass(frozen=True)
class Cell:
    display: str
    outcome: Optional[str] = None
    verdict: Optional[str] = None
    expected: Optional[str] = None
    status: Optional[str] = None
    failed_checks: tuple = ()
    skip_reason: Optional[str] = None
    kmsg: tuple = ()

    @property
    def comparable(self) -> bool:
        """Only real outcomes are compared: a skip or a missing result says nothing about the
        kernel's behaviour."""
        return self.display not in ("skip", "no-result", "absent") and self.outcome is not None

    @property
    def text(self) -> str:
        """The outcome as shown."""
        if self.display == "no-result":
            return "no result"
        if self.display == "absent":
            return "not run"
        if self.display == "skip" and not self.outcome:
            return "skip"
        return self.outcome or "-"

    @property
    def note(self) -> str:
        """What the cell says besides its outcome, in words."""
        kind = self.display
        if kind == "changed":
            return f"changed (expected {self.expected or 'unknown'})"
        if kind == "failed":
            return f"failed check: {', '.join(self.failed_checks) or f'status {self.status}'}"
        if kind == "new":
            return "new: no expectation for this kernel"
        if kind == "skip":
            return f"skip: {self.skip_reason or 'no reason given'}"
        if kind == "no-result":
            return "no result: the guest did not finish"
        if kind == "absent":
            return "not run: the probe on this kernel has no such case"
        return "expected"


@dataclass(frozen=True)
class Row:
    id: str
    mapping: str
    operation: str
    differs: bool
    all_expected: bool
    changed_at: tuple
    cells: Mapping[str, Cell]


@dataclass(frozen=True)
class Change:
    from_: str = renamed("from")
    to: str = ""
    kind: str = "version"
    case: str = ""
    from_outcome: Optional[str] = None
    to_outcome: Optional[str] = None
    to_verdict: Optional[str] = None
    to_expected: Optional[str] = None


@dataclass(frozen=True)
class Comparison:
    from_: str = renamed("from")
    to: str = ""
    kind: str = "version"
    changes: int = 0
    stepped_over: tuple = ()


@dataclass(frozen=True)
class Matrix:
    run_id: str
    columns: tuple
    comparisons: tuple
    changes: tuple
    rows: tuple
    safety: object = None  # safety.SafetyReport, filled in by build_report

    def column(self, label: str) -> Column:
        return next(c for c in self.columns if c.label == label)

    def changes_to(self, label: str, kind: Optional[str] = None) -> tuple:
        """The changes into a column: against the column it is compared with (any kind but
        "arch" when no kind is given), or those of one kind."""
        return tuple(ch for ch in self.changes if ch.to == label
                     and (ch.kind == kind if kind else ch.kind != "arch"))

    def changes_in(self, comp: Comparison) -> tuple:
        return self.changes_to(comp.to, comp.kind)


def report_json(matrix: Matrix) -> dict:
    """report.json: the merged model, after the tool and format version."""
    return {"tool": "pfnmap-report", "format": FORMAT_VERSION, **to_json(matrix)}


def assign_comparisons(columns) -> tuple:
    """Says which column each column is compared with: a base kernel with the previous base
    kernel of its architecture that has results (a hung kernel is stepped over, not compared as
    'everything changed'); a variant, a flavor or another backing with the base of its series
    on its architecture (a variant built with a flavor: that flavor's column, when the run has
    it), so that what they change is never shown as a change between kernels.
    The base backing is pages, or in a run without it (--backing pci alone) the first column's.
    A column of another architecture is also compared with the same kernel on the default one
    (arch_compare_to)."""
    backings = [c.backing for c in columns]
    base_backing = "pages" if "pages" in backings or not backings else backings[0]
    bases = {(c.arch, c.series): c for c in columns if comparison_kind(c, base_backing) == "version"}
    # A what-if built with a flavor (7.2+relax-dontunmap+drm) against that flavor of its series
    # (7.2+drm) where the run has it: the real.drm cases ran on both.
    flavored = {(c.arch, c.series, c.flavor, c.backing): c for c in columns
                if c.flavor and not c.variant and c.has_result}
    same = {(c.series, c.variant, c.flavor, c.backing): c for c in columns
            if c.arch == DEFAULT_ARCH and c.has_result}
    previous_base = {}
    out = []
    for column in columns:
        kind = comparison_kind(column, base_backing)
        if kind != "version":
            base = bases.get((column.arch, column.series))
            if column.variant and column.flavor:
                base = flavored.get((column.arch, column.series, column.flavor, column.backing), base)
            compare_to = base.label if base and base.has_result else None
        else:
            before = previous_base.get(column.arch)
            compare_to = before.label if before else None
            if column.has_result:
                previous_base[column.arch] = column
        twin = same.get((column.series, column.variant, column.flavor, column.backing)) if column.arch != DEFAULT_ARCH else None
        out.append(dataclasses.replace(column, compare_to=compare_to if column.has_result else None,
                                       compare_kind=kind,
                                       arch_compare_to=twin.label if twin and column.has_result else None))
    return tuple(out)


def outcome_without(outcome: Optional[str], fields) -> Optional[str]:
    """An outcome without the words of some fields ("pat=same" where one side has no PAT)."""
    if outcome is None or not fields:
        return outcome
    return " ".join(w for w in outcome.split() if w.partition("=")[0] not in fields or "=" not in w)


def ordered_cases(columns, operation_order, mapping_order) -> list:
    """(case id, mapping, operation) of every case in any column, grouped by operation, then by
    mapping, both in the order of the probe's --describe."""
    seen = {}
    for column in columns:
        for case in column.cases.values():
            seen.setdefault(case.id, (case.mapping, case.operation))
    op_index = {name: i for i, name in enumerate(operation_order)}
    map_index = {name: i for i, name in enumerate(mapping_order)}
    ids = sorted(seen, key=lambda i: (op_index.get(seen[i][1], len(op_index)),
                                      map_index.get(seen[i][0], len(map_index))))
    return [(case_id, *seen[case_id]) for case_id in ids]


def make_cell(column: Column, case_id: str) -> Cell:
    if not column.has_result:
        return Cell("no-result")
    case = column.cases.get(case_id)
    if case is None:
        return Cell("absent")
    return Cell(display=case.display, outcome=case.outcome, verdict=case.verdict,
                expected=case.expected, status=case.status, failed_checks=case.checks.failed(),
                skip_reason=case.skip_reason, kmsg=tuple(str(line) for line in case.kmsg))


def build_matrix(run) -> Matrix:
    """run: load.Run. The merged model without its safety section. Outcomes of two
    architectures are compared without the fields one of them lacks: a field that is not there
    is no difference in behaviour."""
    columns = assign_comparisons(run.columns)
    by_label = {c.label: c for c in columns}
    every_arch = run.vocab.absent_fields(*{c.arch for c in columns})
    rows, changes = [], []
    for case_id, mapping, operation in ordered_cases(columns, run.vocab.operations, run.vocab.mappings):
        cells = {c.label: make_cell(c, case_id) for c in columns}
        changed_at = []
        for column in columns:
            for compare_to, kind in ((column.compare_to, column.compare_kind), (column.arch_compare_to, "arch")):
                if compare_to is None:
                    continue
                before, after = cells[compare_to], cells[column.label]
                absent = run.vocab.absent_fields(column.arch, by_label[compare_to].arch)
                if before.comparable and after.comparable and \
                        outcome_without(before.outcome, absent) != outcome_without(after.outcome, absent):
                    if kind != "arch":
                        changed_at.append(column.label)
                    changes.append(Change(compare_to, column.label, kind, case_id,
                                          before.outcome, after.outcome, after.verdict, after.expected))
        outcomes = {outcome_without(cell.outcome, every_arch) for cell in cells.values() if cell.comparable}
        rows.append(Row(case_id, mapping, operation, len(outcomes) > 1,
                        all(cell.display in ("expected", "no-result") for cell in cells.values()),
                        tuple(changed_at), cells))

    # Changes listed per comparison in column order, then in row order.
    index = {c.label: i for i, c in enumerate(columns)}
    changes.sort(key=lambda ch: (ch.kind == "arch", index[ch.to]))
    comparisons = tuple(
        Comparison(c.compare_to, c.label, c.compare_kind,
                   sum(1 for ch in changes if ch.to == c.label and ch.kind != "arch"),
                   tuple(s.label for s in columns[index[c.compare_to] + 1:index[c.label]]
                         if s.compare_kind == "version" and not s.has_result and s.arch == c.arch))
        for c in columns if c.compare_to)
    # The architecture's differences after the changes between kernels.
    comparisons += tuple(
        Comparison(c.arch_compare_to, c.label, "arch",
                   sum(1 for ch in changes if ch.to == c.label and ch.kind == "arch"))
        for c in columns if c.arch_compare_to)
    columns = tuple(dataclasses.replace(c, counts={
        kind: sum(1 for r in rows if r.cells[c.label].display == kind) for kind in DISPLAY_KINDS})
        for c in columns)
    return Matrix(run_id=run.run_id, columns=columns, comparisons=comparisons,
                  changes=tuple(changes), rows=tuple(rows))
