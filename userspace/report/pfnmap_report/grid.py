"""The behaviour grid: what ./run-qemu.sh prints, at most 120 columns wide.

Per kernel column: rows = groups of mappings (controls, then device personalities) whose
key-operation outcomes are identical, columns = the key operations (`key: true` in --describe),
each cell the outcome in short form; then the verdict summary. With several columns the changes
between neighbouring kernels (and a variant against its base) come first.

A cell is the call's result (`ok` or the errno) and, after a `/`, the fact that matters for that
operation (CELL_RULES) in the short class names of SHORT, e.g. `ok/bus` (dontunmap: the old range
gives SIGBUS), `ok/zero` (grow_*: the grown tail reads zero), `EINVAL/gone` (dontunmap_fixed
refused, but the FIXED target was unmapped anyway), `EINVAL` (refused, nothing disturbed).

The huge family (PMD and PUD leaves of a ->huge_fault driver) has a small grid of its own under
the first: rows = groups of huge.* mappings, columns = the first touch and the key operations
that apply to it (HUGE_CELL_RULES), each cell the result and the page-table level right after
the operation, e.g. `ok/pud` (the leaf arrived whole), `ok/none` (no entry: dropped, or zapped
by a split, and refaulted on the next touch).
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from typing import Optional

from . import labels
from .model import COUNTED_KINDS, MARKER, Case, Column, Matrix
from .vocab import PagesList

WIDTH = 120
CELL_MAX = 11
FAMILIES = ("ctl", "dev", "real")  # the grid's row families, in this order
MAX_LISTED = 40            # groups of cases listed per column (not expected) or comparison (changed)

SHORT = {
    # page classes
    "pattern": "data", "zero": "zero", "marker": "mark", "other": "oth", "sigbus": "bus",
    "sigsegv": "segv",
    # target classes (dontunmap_fixed's pre-existing mapping); zero, other, sigbus as above
    "intact": "kept", "replaced": "repl", "unmapped": "gone",
    # a read still faulting after the probe's bound (page and target class)
    "hang": "hang",
}
OUTCOME_KIND_SHORT = {"setup": "setup", "crash": "crash", "timeout": "timeout", "lost-result": "lost"}


@dataclass(frozen=True)
class CellRule:
    """Which field a key operation's cell shows. on_ok/on_error: the field whose page classes are
    the fact after a successful/failed call; *_quiet: classes not worth showing (the cell is then
    just `ok` or the errno); ok_last: only the last page counts (a grown tail, a cut-off end)."""
    on_ok: Optional[str]
    ok_quiet: frozenset
    on_error: Optional[str]
    error_quiet: frozenset
    ok_last: bool = False


UNTOUCHED = frozenset({"pattern"})
CELL_RULES = {
    "move": CellRule("new", UNTOUCHED, "old", UNTOUCHED),
    "grow_inplace": CellRule("new", frozenset(), "old", UNTOUCHED, ok_last=True),
    "grow_maymove": CellRule("new", frozenset(), "old", UNTOUCHED, ok_last=True),
    "shrink": CellRule("old", frozenset({"sigsegv"}), "old", UNTOUCHED, ok_last=True),
    "dontunmap": CellRule("old", frozenset(), "old", UNTOUCHED),
    "dontunmap_fixed": CellRule("old", frozenset(), "target", frozenset({"intact"})),
    "partial_move": CellRule("new", UNTOUCHED, "old", UNTOUCHED),
    "multi_vma_move": CellRule("new", frozenset({"marker", "pattern"}), "old",
                               frozenset({"marker", "pattern"})),
    "fork_read": CellRule("child", UNTOUCHED, None, frozenset()),
}
# The huge grid: per operation, the level fields a successful call's cell shows, joined by ","
# (old range first). map_touch is not a key operation but says which leaf the touch got: the
# row's starting point.
HUGE_FAMILY = "huge"
HUGE_CELL_RULES = {
    "map_touch": ("level_before",),
    "move_aligned": ("level_new",),
    "move_half": ("level_old", "level_new"),
    "shrink_half": ("level_old",),
    "fork_child": ("level_child",),
    "dontunmap_leaf": ("level_old", "level_new"),
    "grow_double": ("level_old",),
}
HUGE_CELL_MAX = 13
# What the grid reads, checked against --describe.
NEEDS = {op: tuple(dict.fromkeys(f for f in ("ret", rule.on_ok, rule.on_error) if f))
         for op, rule in CELL_RULES.items()}
NEEDS.update({op: ("ret",) + fields for op, fields in HUGE_CELL_RULES.items()})


def _classes(value, last: bool) -> tuple:
    """The page classes of a parsed pages / target / pages_list value."""
    if value is None:
        return ()
    if isinstance(value, PagesList):  # a forked child's ranges: the first is the old range
        if value.lost:
            return ("lost",)
        value = value.ranges[0] if value.ranges else None
        if value is None:
            return ()
    if last:
        return (value.last(),)
    return value.classes()


def fact(case: Case, rule: Optional[CellRule], ok: bool) -> str:
    if rule is None:
        return ""
    name, quiet = (rule.on_ok, rule.ok_quiet) if ok else (rule.on_error, rule.error_quiet)
    if name is None:
        return ""
    unusual = [c for c in _classes(case.value(name), rule.ok_last and ok) if c not in quiet]
    return "+".join(SHORT.get(c, c) for c in unusual)


def _special_cell(case: Optional[Case]) -> Optional[str]:
    """The cell of a case that has no fields to show (absent, skipped, no outcome), else None."""
    if case is None:
        return "·"
    if case.status == "skip":
        return "skip"
    if case.outcome_kind != "fields":
        return OUTCOME_KIND_SHORT.get(case.outcome_kind, str(case.outcome_kind))
    return None


def cell_text(case: Optional[Case]) -> str:
    """A key operation's cell (without its verdict mark), at most CELL_MAX characters unless an
    errno name alone is longer."""
    special = _special_cell(case)
    if special is not None:
        return special
    ret = case.value("ret")
    head = "-" if ret is None else ret.text
    detail = fact(case, CELL_RULES.get(case.operation), ret is not None and ret.ok)
    if detail and len(head) + 1 + len(detail) > CELL_MAX:
        detail = "mix" if "+" in detail else detail[:max(0, CELL_MAX - len(head) - 1)]
    return f"{head}/{detail}" if detail else head


def huge_cell_text(case: Optional[Case]) -> str:
    """A huge grid cell (without its verdict mark): the result, and after a successful call the
    levels HUGE_CELL_RULES names (`-`: the field does not apply)."""
    special = _special_cell(case)
    if special is not None:
        return special
    ret = case.value("ret")
    head = "-" if ret is None else ret.text
    if ret is None or not ret.ok:
        return head
    levels = [case.value(name) for name in HUGE_CELL_RULES.get(case.operation, ())]
    detail = ",".join(level.text if level is not None else "-" for level in levels)
    return f"{head}/{detail}" if detail else head


def mark(case: Optional[Case]) -> str:
    if case is None or case.display in ("expected", "skip"):
        return " "
    return MARKER[case.display]


@dataclass(frozen=True)
class GridRow:
    label: str
    mappings: tuple
    cells: tuple   # (text, mark) per key operation


@dataclass(frozen=True)
class Grid:
    column: str
    operations: tuple
    rows: tuple
    skipped: tuple  # (label, reason) of mapping groups whose every key case was skipped


def _grouped_rows(by_mapping, families, operations, mapping_order, text) -> tuple:
    """(rows, skipped): mappings of each family grouped where every cell is equal."""
    order = {m: i for i, m in enumerate(mapping_order)}
    rows, skipped = [], []
    for family in families:
        mappings = sorted((m for m, ops in by_mapping.items()
                           if next(iter(ops.values())).family == family), key=lambda m: order.get(m, 0))
        groups, skips = {}, {}
        for m in mappings:
            ops = by_mapping[m]
            if all(c.status == "skip" for c in ops.values()):
                reasons = "; ".join(sorted({c.skip_reason or "no reason given" for c in ops.values()}))
                skips.setdefault(reasons, []).append(m)
                continue
            signature = tuple((ops[op].outcome, ops[op].display) if op in ops else None
                              for op in operations)
            groups.setdefault(signature, []).append(m)
        for members in groups.values():
            ops = by_mapping[members[0]]
            rows.append(GridRow(labels.label(members, mappings), tuple(members),
                                tuple((text(ops.get(op)), mark(ops.get(op))) for op in operations)))
        skipped += [(labels.label(members, mappings), reason) for reason, members in skips.items()]
    return tuple(rows), tuple(skipped)


def build_huge_grid(column: Column, key_operations, mapping_order) -> Optional[Grid]:
    """The huge family's grid, None when the column ran no huge case."""
    wanted = [op for op in HUGE_CELL_RULES if op == "map_touch" or op in key_operations]
    by_mapping = {}
    for case in column.cases.values():
        if case.family == HUGE_FAMILY and case.operation in wanted:
            by_mapping.setdefault(case.mapping, {})[case.operation] = case
    if not by_mapping:
        return None
    operations = tuple(op for op in wanted if any(op in ops for ops in by_mapping.values()))
    rows, skipped = _grouped_rows(by_mapping, (HUGE_FAMILY,), operations, mapping_order, huge_cell_text)
    return Grid(column.label, operations, rows, skipped)


def build_grid(column: Column, key_operations, mapping_order) -> Grid:
    by_mapping = {}
    for case in column.cases.values():
        if case.family in FAMILIES and case.operation in key_operations:
            by_mapping.setdefault(case.mapping, {})[case.operation] = case
    operations = tuple(op for op in CELL_RULES
                       if op in key_operations and any(op in ops for ops in by_mapping.values()))
    rows, skipped = _grouped_rows(by_mapping, FAMILIES, operations, mapping_order, cell_text)
    return Grid(column.label, operations, rows, skipped)


# ---------------------------------------------------------------------------------------------
# Text


def wrap(text, width=WIDTH, indent="", first=""):
    return textwrap.wrap(text, width=width, initial_indent=first, subsequent_indent=indent,
                         break_on_hyphens=False, break_long_words=True) or [first.rstrip()]


def _header_words(op):
    top, _, bottom = op.rpartition("_")
    return top, bottom


def render_grid_table(grid: Grid, width=WIDTH,
                      empty="(no control or device case of a key operation ran)") -> list:
    skipped = [line for label, reason in grid.skipped
               for line in wrap(f"skipped: {label} ({reason})", width, indent="  ")]
    if not grid.rows:
        return ([empty] if empty else []) + skipped
    widths = [max(max(len(w) for w in _header_words(op)),
                  max(len(r.cells[i][0]) + 1 for r in grid.rows)) for i, op in enumerate(grid.operations)]
    cells_width = sum(w + 1 for w in widths)
    room = width - cells_width - 1
    label_width = max([len("mapping")] + [len(r.label) for r in grid.rows if len(r.label) <= room])

    def line(label, parts):
        body = " ".join(p.ljust(w) for p, w in zip(parts, widths))
        return f"{label.ljust(label_width)} {body}".rstrip()

    out = [line("", [_header_words(op)[0] for op in grid.operations]),
           line("mapping", [_header_words(op)[1] for op in grid.operations])]
    out = [o for o in out if o.strip()]
    for row in grid.rows:
        parts = [text + m for text, m in row.cells]
        if len(row.label) <= label_width:
            out.append(line(row.label, parts))
        else:
            out += wrap(row.label, width, indent="  ")
            out.append(line("", parts))
    out += skipped
    return out


def column_heading(column: Column) -> str:
    what = column.kernel_text
    if column.variant:
        what += f", {column.variant}"
    return f"{column.label} ({what}, runner {column.exit_text()})"


def cases_label(cases, column: Column, mapping_order) -> str:
    """`LABEL:operation` for cases of one operation and family: their mappings compactly, among
    the mappings of that family that ran the operation in the column."""
    first = cases[0]
    order = {m: i for i, m in enumerate(mapping_order)}
    universe = sorted({c.mapping for c in column.cases.values()
                       if c.operation == first.operation and c.family == first.family},
                      key=lambda m: order.get(m, 0))
    return ", ".join(f"{p}:{first.operation}" for p in labels.cover([c.mapping for c in cases], universe))


def grouped(cases, key) -> list:
    """Lists of cases with the same key (and operation and family), in first-seen order."""
    groups = {}
    for case in cases:
        groups.setdefault((case.operation, case.family, key(case)), []).append(case)
    return list(groups.values())


def entry(head: str, parts, width: int, sep="; ") -> list:
    """`head: part1; part2` on one line, or head and then each part on its own indented line(s)."""
    one = f"{head}: {sep.join(parts)}"
    if len(one) <= width:
        return [one]
    out = wrap(head, width, indent="      ")
    for part in parts:
        out += wrap(part, width, indent="        ", first="      ")
    return out


def verdict_summary(column: Column, mapping_order, width=WIDTH) -> list:
    if not column.has_result:
        return [f"no result: runner {column.exit_text()}; see {column.dir}/console.log"]
    counts = " · ".join(f"{column.counts.get(k, 0)} {k}" for k in COUNTED_KINDS)
    out = wrap(f"verdicts: {counts}", width, indent="  ")
    for reason, n in column.skip_reasons.items():
        out += wrap(f"skip reason ({n}): {reason}", width, indent="    ", first="  ")
    odd = [c for c in column.cases.values() if c.display in ("changed", "new", "failed")]
    groups = grouped(odd, lambda c: (c.display, c.outcome, c.expected, c.checks.failed(), c.kmsg[:1]))
    for cases in groups[:MAX_LISTED]:
        case = cases[0]
        if case.display == "failed":
            why = f"failed {', '.join(case.checks.failed()) or 'status ' + case.status}"
            tail = why + (f"; kmsg: {case.kmsg[0]}" if case.kmsg else "")
        elif case.display == "changed":
            tail = f"expected {case.expected or '?'}"
        else:
            tail = "no expectation"
        count = f" ({len(cases)} cases)" if len(cases) > 1 else ""
        out += entry(f"  {MARKER[case.display]} {cases_label(cases, column, mapping_order)}{count}",
                     (f"got {case.outcome or '-'}", tail), width)
    if len(groups) > MAX_LISTED:
        rest = sum(len(g) for g in groups[MAX_LISTED:])
        out.append(f"  … and {rest} more cases: see report.md")
    return out


def change_lines(matrix: Matrix, mapping_order, width=WIDTH) -> list:
    out = []
    for comp in matrix.comparisons:
        listed = matrix.changes_in(comp)
        kind = {"version": "", "arch": " (architecture, same kernel)"}.get(comp.kind, f" ({comp.kind} against its base)")
        stepped = f" ({', '.join(comp.stepped_over)}: no result, stepped over)" if comp.stepped_over else ""
        out += wrap(f"{comp.from_} → {comp.to}{kind}: {len(listed)} case{'s' if len(listed) != 1 else ''} "
                    f"changed{stepped}", width, indent="  ")
        column = matrix.column(comp.to)
        before = {ch.case: ch.from_outcome for ch in listed}
        cases = [column.cases[ch.case] for ch in listed]
        groups = grouped(cases, lambda c: (before[c.id], c.outcome, c.display))
        for group in groups[:MAX_LISTED]:
            case = group[0]
            note = "" if case.display == "expected" else f"  {MARKER[case.display]} {case.display}"
            out += entry(f"  {cases_label(group, column, mapping_order)}",
                         (before[case.id], f"→ {case.outcome}{note}"), width, sep=" ")
        if len(groups) > MAX_LISTED:
            out.append(f"  … and {sum(len(g) for g in groups[MAX_LISTED:])} more cases: see report.md")
    return out


def legend(grids, width=WIDTH) -> list:
    """What the cells of these grids say: only the abbreviations and marks that occur."""
    texts = [text for g in grids for r in g.rows for text, _ in r.cells]
    used_marks = {m for g in grids for r in g.rows for _, m in r.cells}
    facts = [text.partition("/")[2] for text in texts]
    words = {w for fact in facts for w in fact.split("+")}
    names = [f"{short}={LONG_NAME[long]}" for long, short in SHORT.items() if short in words]
    marks = [f"{MARKER[k]} {k}" for k in ("changed", "new", "failed") if MARKER[k] in used_marks]
    text = ("Cells: ok or the errno, then /what matters: dontunmap and dontunmap_fixed what the old range "
            "reads, grow_* what the grown tail reads, others what reads unusually (after an errno: what "
            "the failed call disturbed anyway; dontunmap_fixed: the FIXED target)."
            + (f" {', '.join(names)}." if names else "")
            + (" A+B: the pages differ." if any("+" in f for f in facts) else "")
            + (" mix: several classes." if "mix" in words else "")
            + (f" Marks: {', '.join(marks)} (see below)." if marks else "")
            + (" ·: not run." if "·" in texts else "")
            + " In a label * is every value seen in that column.")
    return wrap(text, width)


def render_huge_grid(grid: Optional[Grid], width=WIDTH) -> list:
    """The huge family's grid under a heading of its own; nothing when the column ran none."""
    if grid is None:
        return []
    if not grid.rows:
        return render_grid_table(grid, width, empty="")
    return ["huge pfnmap leaves: the page-table level right after each operation"] + \
        render_grid_table(grid, width)


def huge_legend(grids, width=WIDTH) -> list:
    """What the huge grid's cells say, when one was shown."""
    shown = [g for g in grids if g is not None and g.rows]
    if not shown:
        return []
    words = {w for g in shown for r in g.rows for text, _ in r.cells
             for w in text.partition("/")[2].split(",")}
    names = [f"{level}={LEVEL_NAME[level]}" for level in LEVEL_NAME if level in words]
    text = ("Huge cells: ok or the errno, then the level right after the operation, before anything "
            "touches it: map touch the leaf the first touch got; move aligned the new range; move half "
            "and dontunmap leaf the old range, then the new; shrink half the half kept; fork child the "
            "child's copy; grow double the part that was there."
            + (f" {', '.join(names)}." if names else ""))
    return wrap(text, width)


LEVEL_NAME = {
    "pud": "a 1 GiB PUD leaf", "pmd": "a 2 MiB PMD leaf", "pte": "4 KiB pages",
    "none": "no entry (dropped or zapped: the driver refaults it)", "-": "does not apply",
}

LONG_NAME = {
    "pattern": "the data", "zero": "zero page", "marker": "the anon neighbour's marker",
    "other": "wrong data", "sigbus": "SIGBUS", "sigsegv": "SIGSEGV",
    "intact": "target intact", "replaced": "target replaced", "unmapped": "target unmapped",
    "hang": "still faulting after the probe's bound (->fault never inserts)",
}


def render(matrix: Matrix, vocab, width=WIDTH) -> str:
    """The grid text for one or several columns."""
    mapping_order = list(vocab.mappings)
    out, grids, huge_grids, previous = [], [], [], None
    if len(matrix.columns) > 1:
        out += ["Changes between neighbouring kernels (a variant against its base):"]
        out += change_lines(matrix, mapping_order, width) or ["  no two columns with results to compare"]
        out.append("")
    for column in matrix.columns:
        out.append(column_heading(column))
        if column.has_result:
            grid = build_grid(column, vocab.key_operations, mapping_order)
            huge = build_huge_grid(column, vocab.key_operations, mapping_order)
            shape = [(g.operations, g.rows, g.skipped) if g else None for g in (grid, huge)]
            if previous is not None and shape == previous[1]:
                out.append(f"  (grid as for {previous[0]})")
            else:
                empty = "(no control or device case of a key operation ran)" if huge is None else ""
                out += render_grid_table(grid, width, empty) + render_huge_grid(huge, width)
            grids.append(grid)
            huge_grids.append(huge)
            previous = (column.label, shape)
        out += verdict_summary(column, mapping_order, width)
        out.append("")
    out += legend(grids, width) + huge_legend(huge_grids, width)
    return "\n".join(out) + "\n"
