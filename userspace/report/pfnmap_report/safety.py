"""The safety section, in two parts.

The what-if variants: per variant column (a kernel with mremap's checks relaxed,
kernels/variants.tsv) and device personality, what relaxing the checks does to the calls the base
kernel refused: is DONTUNMAP or growth now allowed, what the old range and a grown tail read, what
the driver's hooks saw, leaks, kernel log lines, and a verdict (unsafe, semantics change, safe,
unchanged). This is the LKML question behind the project. A personality is a mapping of family
`dev`; what it is comes from its axes (insert, dontexpand, mremap_hook, split_hook), what happened
from the parsed outcome fields. An old range that reads `hang` after DONTUNMAP (a vepc-style
driver whose ->fault returns VM_FAULT_NOPAGE for an index it already backed, trusting its PTE to
stay) refaults forever: unsafe for that driver.

Huge pfnmap leaves (family `huge`): per column with huge cases, which cases show a kernel bug —
a kernel log line of concern (`bad pud`), a case that crashed or timed out (a kernel BUG), a leaf
that a whole, leaf-aligned move dropped — and, on a variant column, which of its base's bugs are
fixed (the same case clean there).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace
from typing import Optional

from . import labels
from .model import Case, Column, to_json
from .vocab import LEAF_LEVELS

# Operations the section reads, and the fields it reads from them (checked against --describe).
NEEDS = {
    "dontunmap": ("ret", "old"),
    "dontunmap_fixed": ("ret", "old"),
    "dontunmap_fork": ("ret", "old", "child", "mremap_calls"),
    "dontunmap_munmap": ("ret", "closed", "live", "mremap_calls"),
    "grow_maymove": ("ret", "new"),
    "grow_touch": ("ret", "new", "oor"),
}
SAFETY_OPS = ("dontunmap", "dontunmap_fixed", "dontunmap_fork", "dontunmap_munmap",
              "grow_inplace", "grow_maymove", "grow_touch", "move", "partial_move")
HOOK_OPS = ("dontunmap_munmap", "dontunmap_fork")
# The probe's window is 8 pages; grow_maymove and grow_touch grow it to 12 (their --describe
# "what"): pages 8.. are the grown tail.
GROW_FROM_PAGES = 8
DATA_CLASSES = ("pattern", "zero", "marker", "other")
STALE_CLASSES = ("zero", "other")
# A read still faulting after the probe's bound: the page refaults forever.
HANG = "hang"
INSERT_TEXT = {
    "remap": "remap_pfn_range drivers (insert=remap, like /dev/mem)",
    "fault": "vfio-style fault drivers (insert=fault, vmf_insert_pfn in ->fault)",
    "mixed": "VM_MIXEDMAP drivers (insert=mixed, vm_insert_page)",
    "vepc": "sgx_vepc-style drivers (insert=vepc: ->fault inserts once per index, then returns "
            "VM_FAULT_NOPAGE without inserting)",
}
# Insert styles whose in-tree model never sets VM_DONTEXPAND (sgx_vepc): for them the personalities
# that clear it are the real drivers.
REAL_WITHOUT_DONTEXPAND = frozenset({"vepc"})
RANK = {"unsafe": 0, "semantics change": 1, "safe": 2, "unchanged": 3}


def log_line_shape(line: str) -> str:
    """A kernel log line without what differs between two runs of the same event: pids,
    addresses, timestamps. "x86/PAT: pfnmap-probe:149 freeing invalid memtype [mem 0x08702000-"
    on the base and ":175 ... [mem 0x08882000-" on the variant are the same problem."""
    return re.sub(r"(0x)?[0-9a-f]{4,}|\d+", "#", line)


def succeeded(case: Optional[Case]) -> bool:
    """Did the call succeed: the parsed `ret` field is ok."""
    ret = case.value("ret") if case else None
    return ret is not None and ret.ok


@dataclass(frozen=True)
class Allowed:
    """The ret of an operation on the variant and on its base."""
    variant: Optional[str]
    base: Optional[str]


@dataclass(frozen=True)
class Growth:
    grow_maymove: Optional[str]
    grow_touch: Optional[str]
    base_grow_maymove: Optional[str]
    base_grow_touch: Optional[str]


@dataclass(frozen=True)
class GrownTail:
    new_maymove: Optional[str]
    new_touch: Optional[str]
    tail: tuple
    oor: Optional[str]


@dataclass(frozen=True)
class Hook:
    """What the driver saw in one of HOOK_OPS (field texts; None: not reported)."""
    operation: str
    ret: Optional[str]
    mremap_calls: Optional[str]
    closed: Optional[str]
    live: Optional[str]
    child: Optional[str]
    base_mremap_calls: Optional[str]


@dataclass(frozen=True)
class Difference:
    case: str
    operation: str
    base: str
    variant: str


@dataclass(frozen=True)
class Leak:
    case: str
    operation: str
    what: str
    on_base: bool


@dataclass(frozen=True)
class Splat:
    case: str
    operation: str
    line: str
    on_base: bool


@dataclass(frozen=True)
class Verdict:
    kind: str
    text: str
    why: tuple


@dataclass(frozen=True)
class Facts:
    """What a personality's calls did on the variant (and on the base)."""
    dontunmap: Allowed
    old_after_dontunmap: Optional[str]
    growth: Growth
    grown_tail: GrownTail
    hooks: tuple


@dataclass(frozen=True)
class SafetyRow:
    personality: str
    axes: dict
    facts: Facts
    leaks: tuple
    splats: tuple
    differs: tuple
    verdict: Verdict
    operations: tuple
    evidence: tuple

    @property
    def insert(self) -> str:
        return self.axes.get("insert", "")

    @property
    def keeps_dontexpand(self) -> bool:
        return self.axes.get("dontexpand") == "keep"

    def signature(self) -> str:
        """What must be equal for two personalities to share a line."""
        facts = to_json(self)
        for key in ("personality", "axes", "evidence", "operations"):
            facts.pop(key)
        for key in ("leaks", "splats", "differs"):
            for item in facts[key]:
                item.pop("case")
        facts["insert"] = self.insert
        return json.dumps(facts, sort_keys=True)


@dataclass(frozen=True)
class SafetyGroup:
    """Personalities whose rows are equal but for their names; facts and verdict are theirs."""
    label: str
    personalities: tuple
    verdict: Verdict
    facts: Facts
    leaks: tuple
    splats: tuple
    operations: tuple
    evidence: tuple
    by_personality: tuple  # (personality, ((case id, operation), ...)) per member

@dataclass(frozen=True)
class FamilySummary:
    insert: str
    text: str
    counts: dict
    personalities: int


@dataclass(frozen=True)
class SafetyVariant:
    column: str
    variant: str
    series: str
    base: Optional[str]
    note: Optional[str]
    summary: tuple
    groups: tuple
    rows: tuple


@dataclass(frozen=True)
class HugeRow:
    """One huge case in one column: what in it shows a kernel bug (concerns), the same case on
    the base when the column is a variant, and the verdict."""
    case: str
    mapping: str
    operation: str
    outcome: Optional[str]
    concerns: tuple
    base_outcome: Optional[str]
    base_concerns: tuple
    verdict: Verdict


@dataclass(frozen=True)
class HugeGroup:
    """Huge cases of one operation whose rows are equal but for their mapping."""
    label: str
    operation: str
    verdict: Verdict
    outcome: Optional[str]
    base_outcome: Optional[str]
    concerns: tuple
    evidence: tuple


@dataclass(frozen=True)
class HugeColumn:
    column: str
    variant: str
    base: Optional[str]
    counts: dict
    groups: tuple
    rows: tuple


@dataclass(frozen=True)
class SafetyReport:
    variants: tuple
    huge: tuple = ()


# ---------------------------------------------------------------------------------------------


def field_text(case: Optional[Case], name: str) -> Optional[str]:
    """A field's text for display and comparison; None when skipped, not reported or "-"."""
    if case is None or case.status == "skip" or case.value(name) is None:
        return None
    return case.fields[name]


def tail_classes(case: Optional[Case]) -> tuple:
    """Page classes of a grown window's tail (pages GROW_FROM_PAGES..)."""
    pages = case.value("new") if case else None
    if pages is None:
        return ()
    if pages.uniform() and pages.runs[0].count is None:
        return (pages.runs[0].cls,)
    seen, pos = [], 0
    for run in pages.runs:
        count = run.count or 1
        if pos + count > GROW_FROM_PAGES and run.cls not in seen:
            seen.append(run.cls)
        pos += count
    return tuple(sorted(seen))


def old_classes(case: Optional[Case]) -> set:
    """What the old range reads after a DONTUNMAP op, in the parent and in a forked child."""
    classes = set()
    old = case.value("old") if case else None
    if old is not None:
        classes.update(old.classes())
    child = case.value("child") if case else None
    if child is not None and child.ranges and child.ranges[0] is not None:
        classes.update(child.ranges[0].classes())
    return classes


def personality_row(mapping: str, axes: dict, ops: dict, base_ops: dict) -> SafetyRow:
    """One personality's row, from its cases (operation -> Case) in the variant and the base."""
    used = []  # the operations the row is made from: its evidence

    def use(op):
        if op in ops and op not in used:
            used.append(op)

    differs = []
    for op, case in ops.items():
        base = base_ops.get(op)
        if base is None or case.status == "skip" or base.status == "skip":
            continue
        if case.outcome is not None and base.outcome is not None and case.outcome != base.outcome:
            differs.append(Difference(case.id, op, base.outcome, case.outcome))

    for op in ("dontunmap", "grow_maymove", "grow_touch"):
        use(op)
    touch = ops.get("grow_touch")
    grown_tail = GrownTail(field_text(ops.get("grow_maymove"), "new"), field_text(touch, "new"),
                           tail_classes(touch) if succeeded(touch) else (), field_text(touch, "oor"))
    hooks = []
    for op in HOOK_OPS:
        if op in ops:
            use(op)
            hooks.append(Hook(op, *(field_text(ops[op], name) for name in
                                    ("ret", "mremap_calls", "closed", "live", "child")),
                              field_text(base_ops.get(op), "mremap_calls")))

    leaks, splats = [], []
    for op, case in ops.items():
        base = base_ops.get(op)
        if field_text(case, "pat") == "leaked":
            leaks.append(Leak(case.id, op, "PAT memtype leaked", field_text(base, "pat") == "leaked"))
            use(op)
        if case.checks.balanced is False:
            leaks.append(Leak(case.id, op, "open/close or VMA counters unbalanced",
                              base is not None and base.checks.balanced is False))
            use(op)
        lines = list(case.kmsg)
        base_lines = {log_line_shape(line) for line in base.kmsg} if base else set()
        if lines or case.checks.kmsg_clean is False:
            on_base = bool(base_lines) and {log_line_shape(line) for line in lines} <= base_lines
            for line in lines or ["(kmsg_clean failed, no line captured)"]:
                splats.append(Splat(case.id, op, line, on_base))
            use(op)
    for d in differs:
        use(d.operation)
    order = list(ops)
    used.sort(key=order.index)

    def ret(cases, op):
        return field_text(cases.get(op), "ret")

    facts = Facts(
        dontunmap=Allowed(ret(ops, "dontunmap"), ret(base_ops, "dontunmap")),
        old_after_dontunmap=field_text(ops.get("dontunmap"), "old"),
        growth=Growth(ret(ops, "grow_maymove"), ret(ops, "grow_touch"),
                      ret(base_ops, "grow_maymove"), ret(base_ops, "grow_touch")),
        grown_tail=grown_tail, hooks=tuple(hooks))
    row = SafetyRow(
        personality=mapping, axes=dict(axes), facts=facts, leaks=tuple(leaks), splats=tuple(splats),
        differs=tuple(differs), verdict=Verdict("unchanged", "unchanged", ()),
        operations=tuple(used), evidence=tuple(ops[op].id for op in used))
    return _with_verdict(row, ops, base_ops)


def _unsafe_reasons(row: SafetyRow, ops: dict) -> list:
    unsafe = [f"kernel log in {s.operation}: {s.line}" for s in row.splats if not s.on_base][:1]
    unsafe += [f"{leak.what} ({leak.operation})" for leak in row.leaks if not leak.on_base][:1]
    munmap = next((h for h in row.facts.hooks if h.operation == "dontunmap_munmap"), None)
    if munmap and munmap.live not in (None, "0"):
        unsafe.append(f"{munmap.live} VMA(s) still live after both munmaps")
    if munmap and succeeded(ops.get("dontunmap_munmap")) and munmap.closed not in (None, "old+new"):
        unsafe.append(f"->close after DONTUNMAP and both munmaps: {munmap.closed} (want old+new)")
    for op in ("dontunmap", "dontunmap_fixed", "dontunmap_fork"):
        if succeeded(ops.get(op)) and HANG in old_classes(ops[op]):
            unsafe.append(f"old range reads hang after {op}: an access refaults forever (->fault "
                          f"returns without inserting, trusting a PTE that DONTUNMAP took away)")
            break
    for op in ("dontunmap", "dontunmap_fixed", "dontunmap_fork"):
        if not succeeded(ops.get(op)):
            continue
        stale = sorted(old_classes(ops[op]) & set(STALE_CLASSES))
        if stale:
            unsafe.append(f"old range reads {'/'.join(stale)} after {op} (an anonymous or stale page "
                          f"in a driver VMA)")
            break
    tail = row.facts.grown_tail.tail
    if any(c in DATA_CLASSES for c in tail):
        unsafe.append(f"grown tail beyond the region reads {'/'.join(tail)}")
    return unsafe


def _semantic_changes(row: SafetyRow, ops: dict, base_ops: dict) -> list:
    what = []
    if succeeded(ops.get("dontunmap")) and not succeeded(base_ops.get("dontunmap")):
        was = row.facts.dontunmap.base or "-"
        old = ops["dontunmap"].value("old")
        reads = old.classes() if old else ()
        if reads == ("sigbus",):
            refill = "->fault did not refill it" if row.insert == "fault" else "no ->fault to refill it"
            what.append(f"DONTUNMAP now allowed (was {was}); the old range gives SIGBUS ({refill})")
        elif reads == ("pattern",):
            how = "refaults through ->fault" if row.insert == "fault" else "still reads the device"
            what.append(f"DONTUNMAP now allowed (was {was}); the old range {how}")
        else:
            what.append(f"DONTUNMAP now allowed (was {was}); the old range reads "
                        f"{row.facts.old_after_dontunmap}")
    grown_now = [op for op in ("grow_maymove", "grow_touch")
                 if succeeded(ops.get(op)) and not succeeded(base_ops.get(op))]
    if grown_now:
        grew = f"growing now allowed ({', '.join(grown_now)})"
        tail = row.facts.grown_tail
        if tail.tail:
            grew += f", the tail gives {'/'.join(tail.tail)}"
        if tail.oor not in (None, "0"):
            grew += (f"; ->fault was asked for {tail.oor} pages beyond the region (safe "
                     f"only for a driver that checks the offset)")
        what.append(grew)
    for hook in row.facts.hooks:
        if hook.mremap_calls not in (None, "0") and hook.mremap_calls != hook.base_mremap_calls:
            what.append(f"the driver's ->mremap is called ({hook.operation}: {hook.mremap_calls}) "
                        f"with no way to know the old range stays")
            break
    return what


def _with_verdict(row: SafetyRow, ops: dict, base_ops: dict) -> SafetyRow:
    if not row.differs and all(s.on_base for s in row.splats) and all(x.on_base for x in row.leaks):
        return row
    unsafe = _unsafe_reasons(row, ops)
    if unsafe:
        return replace(row, verdict=Verdict("unsafe", "unsafe: " + "; ".join(unsafe), tuple(unsafe)))
    what = _semantic_changes(row, ops, base_ops)
    if what:
        return replace(row, verdict=Verdict("semantics change", "semantics change: " + "; ".join(what),
                                            tuple(what)))
    ops_text = ", ".join(d.operation for d in row.differs)
    return replace(row, verdict=Verdict("safe", f"safe (outcomes differ only in {ops_text}: no splat, "
                                                f"leak or stale page)", ()))


def family_summary(insert: str, rows: list, base: str) -> Optional[FamilySummary]:
    mine = [r for r in rows if r.insert == insert]
    if not mine:
        return None
    name = INSERT_TEXT.get(insert, f"insert={insert} drivers")
    counts = {}
    for r in mine:
        counts[r.verdict.kind] = counts.get(r.verdict.kind, 0) + 1
    n = len(mine)
    if counts.get("unchanged", 0) == n:
        who = "its one personality behaves" if n == 1 else f"all {n} personalities behave"
        return FamilySummary(insert, f"{name}: the relaxation changes nothing — {who} as on {base}.",
                             counts, n)
    changed = n - counts.get("unchanged", 0)
    kinds = ", ".join(f"{counts[k]} {k}" for k in ("unsafe", "semantics change", "safe") if counts.get(k))
    keep = [r for r in mine if r.keeps_dontexpand]
    keep_changed = [r for r in keep if r.verdict.kind != "unchanged"]
    summary = (f"{name}: the relaxation changes {changed} of {n} "
               f"personalit{'y' if n == 1 else 'ies'} ({kinds})")
    if insert in REAL_WITHOUT_DONTEXPAND:
        real = [r for r in mine if not r.keeps_dontexpand]
        real_counts = {}
        for r in real:
            real_counts[r.verdict.kind] = real_counts.get(r.verdict.kind, 0) + 1
        real_kinds = ", ".join(f"{real_counts[k]} {k}" for k in RANK if real_counts.get(k))
        summary += (f"; the in-tree driver never sets VM_DONTEXPAND: of the {len(real)} "
                    f"personalit{'y' if len(real) == 1 else 'ies'} without it, {real_kinds or 'none ran'}.")
    elif keep and not keep_changed:
        who = "the one that keeps it" if len(keep) == 1 else f"the {len(keep)} that keep it"
        summary += (f"; every changed one clears VM_DONTEXPAND: {who}, as remap_pfn_range and "
                    f"vfio-pci leave a real driver, {'sees' if len(keep) == 1 else 'see'} no change.")
    elif keep:
        summary += (f", including {len(keep_changed)} of the {len(keep)} that keep VM_DONTEXPAND, as "
                    f"real drivers do.")
    else:
        summary += "; no personality that keeps VM_DONTEXPAND was run."
    return FamilySummary(insert, summary, counts, n)


def _group(members: list, universe: list) -> SafetyGroup:
    first = members[0]
    return SafetyGroup(
        label=labels.label([r.personality for r in members], universe),
        personalities=tuple(r.personality for r in members), verdict=first.verdict, facts=first.facts,
        leaks=tuple(leak for r in members for leak in r.leaks),
        splats=tuple(s for r in members for s in r.splats),
        operations=tuple(dict.fromkeys(op for r in members for op in r.operations)),
        evidence=tuple(cid for r in members for cid in r.evidence),
        by_personality=tuple((r.personality, tuple(zip(r.evidence, r.operations))) for r in members))


def variant_section(column: Column, base: Optional[Column], mapping_order) -> Optional[SafetyVariant]:
    per = {}
    for case in column.cases.values():
        if case.family == "dev":
            per.setdefault(case.mapping, {})[case.operation] = case
    per = {m: ops for m, ops in per.items() if any(op in ops for op in SAFETY_OPS)}
    if not per:
        return None
    if base is None:
        return SafetyVariant(column.label, column.variant, column.series, None,
                             f"no base column {column.series} with results: nothing to compare with",
                             (), (), ())
    base_per = {}
    for case in base.cases.values():
        base_per.setdefault(case.mapping, {})[case.operation] = case
    order = {m: i for i, m in enumerate(mapping_order)}
    personalities = sorted(per, key=lambda m: order.get(m, len(order)))
    rows = [personality_row(m, next(iter(per[m].values())).axes, per[m], base_per.get(m, {}))
            for m in personalities]
    grouped = {}
    for row in rows:
        grouped.setdefault(row.signature(), []).append(row)
    inserts = list(dict.fromkeys(r.insert for r in rows))
    groups = sorted((_group(members, personalities) for members in grouped.values()),
                    key=lambda g: (inserts.index(rows[personalities.index(g.personalities[0])].insert),
                                   RANK[g.verdict.kind], personalities.index(g.personalities[0])))
    summary = tuple(s for s in (family_summary(i, rows, base.label) for i in inserts) if s)
    return SafetyVariant(column.label, column.variant, column.series, base.label, None, summary,
                         tuple(groups), tuple(rows))


def hooks_text(hooks) -> str:
    parts = []
    for hook in hooks:
        words = [f"{name} {getattr(hook, name)}" for name in ("mremap_calls", "closed", "live", "child")
                 if getattr(hook, name) is not None]
        if hook.base_mremap_calls is not None and hook.base_mremap_calls != hook.mremap_calls:
            words.append(f"(base mremap_calls {hook.base_mremap_calls})")
        parts.append(f"{hook.operation.replace('dontunmap_', '')}: {' '.join(words) or '-'}")
    return "; ".join(parts) or "-"


def fact_texts(group: SafetyGroup) -> list:
    """The group's facts as (name, text) pairs: the columns of report.md's and report.html's
    safety rows."""
    facts = group.facts
    d, g, t = facts.dontunmap, facts.growth, facts.grown_tail
    dontunmap = d.variant or "-"
    if d.base != d.variant:
        dontunmap += f" (base {d.base or '-'})"
    grow = f"{g.grow_maymove or '-'}/{g.grow_touch or '-'}"
    if (g.base_grow_maymove, g.base_grow_touch) != (g.grow_maymove, g.grow_touch):
        grow += f" (base {g.base_grow_maymove or '-'}/{g.base_grow_touch or '-'})"
    tail = "/".join(t.tail) if t.tail else "-"
    if t.oor not in (None, "0"):
        tail += f", oor {t.oor}"
    leaks = "; ".join(f"{leak.what} in {leak.case}" + (" (also on base)" if leak.on_base else "")
                      for leak in group.leaks) or "none"
    splats = f"{len(group.splats)} line(s)" if group.splats else "none"
    return [("DONTUNMAP", dontunmap), ("old range", facts.old_after_dontunmap or "-"),
            ("grow maymove/touch", grow), ("grown tail", tail), ("hooks", hooks_text(facts.hooks)),
            ("leaks", leaks), ("splats", splats)]


# ---------------------------------------------------------------------------------------------
# Huge pfnmap leaves

HUGE_FAMILY = "huge"
# Fields the huge part reads, per operation (checked against --describe).
HUGE_NEEDS = {
    "move_aligned": ("ret", "level_before", "level_new", "refaults", "log"),
    "dontunmap_leaf": ("ret", "level_before", "level_new", "refaults", "log"),
}
NEEDS.update(HUGE_NEEDS)
# Operations that move every leaf whole to a leaf-aligned place: the leaf must arrive at the level
# it left (the field names the level at its destination). Elsewhere a leaf the operation cuts is
# split — for a special VMA, zapped and refaulted — so `none` after them is no bug by itself.
WHOLE_LEAF_MOVES = {"move_aligned": "level_new", "dontunmap_leaf": "level_new"}
BROKEN_KINDS = ("crash", "timeout", "lost-result")
HUGE_RANK = {"kernel bug": 0, "fixed": 1, "changed": 2, "clean": 3, "not run": 4}


def huge_concerns(case: Case) -> tuple:
    """What in a huge case shows a kernel bug, in words; () when nothing does."""
    if case.status == "skip":
        return ()
    out = []
    if case.outcome_kind in BROKEN_KINDS:
        first = next((line for line in case.kmsg if "BUG" in line or "Oops" in line),
                     case.kmsg[0] if case.kmsg else None)
        out.append(f"the case ended in {case.outcome_kind}" + (f" after {first}" if first else ""))
    log = case.value("log")
    if log is not None and log.words:
        out.append(f"kernel log: {'+'.join(log.words)}")
    elif case.checks.kmsg_clean is False:
        out.append(f"kernel log: {case.kmsg[0] if case.kmsg else '(kmsg_clean failed)'}")
    if succeeded(case):
        where = WHOLE_LEAF_MOVES.get(case.operation)
        before = case.value("level_before")
        after = case.value(where) if where else None
        if before is not None and after is not None and before.text in LEAF_LEVELS \
                and after.text != before.text:
            refaults = field_text(case, "refaults")
            out.append(f"the {before.text} leaf was dropped: {after.text} at the destination right after "
                       f"the move" + (f", {refaults} refault(s)" if refaults not in (None, "0") else ""))
    return tuple(out)


def huge_row(case: Case, base: Optional[Case], variant: bool) -> HugeRow:
    concerns = huge_concerns(case)
    base_concerns = huge_concerns(base) if base is not None else ()
    base_ran = base is not None and base.status != "skip"
    if case.status == "skip":
        verdict = Verdict("not run", f"not run: {case.skip_reason or 'skipped'}", ())
    elif concerns:
        note = ""
        if variant and base_ran:
            note = " (as on the base)" if base_concerns else " (new on this variant: the base is clean)"
        verdict = Verdict("kernel bug", "kernel bug" + note + ": " + "; ".join(concerns), concerns)
    elif variant and base_concerns:
        verdict = Verdict("fixed", "fixed: the base showed " + "; ".join(base_concerns), base_concerns)
    elif variant and base_ran and base.outcome != case.outcome:
        verdict = Verdict("changed", f"changed, clean: {base.outcome} on the base", ())
    else:
        verdict = Verdict("clean", "clean", ())
    return HugeRow(case.id, case.mapping, case.operation, case.outcome, concerns,
                   base.outcome if base_ran else None, base_concerns if base_ran else (), verdict)


def huge_section(column: Column, base: Optional[Column], mapping_order) -> Optional[HugeColumn]:
    cases = [c for c in column.cases.values() if c.family == HUGE_FAMILY]
    if all(c.status == "skip" for c in cases):  # none ran (no --huge boot): nothing to say
        return None
    variant = bool(column.variant) and base is not None
    rows = [huge_row(c, base.cases.get(c.id) if variant else None, variant) for c in cases]
    counts = {}
    for r in rows:
        counts[r.verdict.kind] = counts.get(r.verdict.kind, 0) + 1
    universe = sorted({c.mapping for c in cases},
                      key=lambda m: mapping_order.index(m) if m in mapping_order else len(mapping_order))
    grouped = {}
    for r in rows:
        if r.verdict.kind in ("clean", "not run"):
            continue
        key = (r.operation, r.verdict.text, r.outcome, r.base_outcome)
        grouped.setdefault(key, []).append(r)
    groups = [HugeGroup(label=labels.label([r.mapping for r in members], universe),
                        operation=members[0].operation, verdict=members[0].verdict,
                        outcome=members[0].outcome, base_outcome=members[0].base_outcome,
                        concerns=members[0].concerns, evidence=tuple(r.case for r in members))
              for members in grouped.values()]
    groups.sort(key=lambda g: HUGE_RANK[g.verdict.kind])
    return HugeColumn(column.label, column.variant, base.label if variant else None, counts,
                      tuple(groups), tuple(rows))


def huge_counts_text(section: HugeColumn) -> str:
    return ", ".join(f"{section.counts[k]} {k}" for k in HUGE_RANK if section.counts.get(k))


def build_safety(columns, mapping_order) -> SafetyReport:
    """One section per variant column with results, and one huge section per column with huge
    cases (a variant's compared with its base)."""
    by_label = {c.label: c for c in columns}
    variants, huge = [], []
    for column in columns:
        if not column.has_result:
            continue
        base = by_label.get(column.compare_to) if column.variant and column.compare_to else None
        section = huge_section(column, base, list(mapping_order))
        if section:
            huge.append(section)
        if not column.variant:
            continue
        section = variant_section(column, base, mapping_order)
        if section:
            variants.append(section)
    return SafetyReport(tuple(variants), tuple(huge))
