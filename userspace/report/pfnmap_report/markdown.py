"""report.md: summary, changes between neighbouring kernels, the what-if safety section, and the
table of the rows that differ or are not expected somewhere (for terminals and mailing lists)."""

from __future__ import annotations

from .model import COMPARISON_KIND_TEXT, COUNTED_KINDS, MARKER, Cell, Matrix
from .safety import SafetyGroup, SafetyReport, fact_texts, huge_counts_text

KIND_HEADINGS = {"expected": "✓ expected", "changed": "✗ changed", "new": "? new", "failed": "! failed",
                 "skip": "– skip"}


def code(text) -> str:
    text = str(text)
    fence = "``" if "`" in text else "`"
    pad = " " if "`" in text else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def table_text(text) -> str:
    return str(text).replace("|", "\\|")


def md_cell(cell: Cell) -> str:
    marker, text = MARKER[cell.display], cell.text
    if cell.display == "changed":
        return f"{marker} {text} (expected {cell.expected or '?'})"
    if cell.display == "failed":
        return f"{marker} {text} ({', '.join(cell.failed_checks) or 'not ok'})"
    return f"{marker} {text}"


def summary(matrix: Matrix) -> list:
    out = ["## Summary", "",
           "| column | arch | kernel | runner | cases | " + " | ".join(KIND_HEADINGS[k] for k in COUNTED_KINDS) + " |",
           "|---|---|---|---|--:|" + "--:|" * len(COUNTED_KINDS)]
    for c in matrix.columns:
        if c.has_result:
            counts = [sum(c.counts[k] for k in COUNTED_KINDS)] + [c.counts[k] for k in COUNTED_KINDS]
        else:
            counts = ["no result"] + [""] * len(COUNTED_KINDS)
        out.append("| " + " | ".join(table_text(x) for x in [c.label, c.arch, c.kernel_text, c.exit_text(), *counts])
                   + " |")
    out += ["", "✓ expected · ✗ changed (differs from the expectation) · ? new (no expectation) · "
                "! failed check (e.g. kernel log not clean) · – skip · · no result", ""]
    for c in matrix.columns:
        for reason, n in c.skip_reasons.items():
            out.append(f"- {c.label}: {n} skipped: {reason}")
    if any(c.skip_reasons for c in matrix.columns):
        out.append("")
    return out


def changes(matrix: Matrix) -> list:
    out = ["## Behaviour changes between neighbouring kernels", ""]
    if not matrix.comparisons:
        out += ["No two columns with results to compare.", ""]
    for comp in matrix.comparisons:
        out += [f"### {comp.from_} → {comp.to}" + COMPARISON_KIND_TEXT.get(comp.kind, ""), ""]
        if comp.stepped_over:
            out += [f"({', '.join(comp.stepped_over)} has no result and is stepped over.)", ""]
        listed = matrix.changes_in(comp)
        if not listed:
            out.append("No case changed its outcome." if comp.kind != "arch" else
                       "No case differs but for fields one architecture lacks.")
        for ch in listed:
            note = ""
            if ch.to_verdict == "changed":
                note = f" — ✗ not expected (expected {code(ch.to_expected or '?')})"
            elif ch.to_verdict != "expected":
                note = " — ? new (no expectation)"
            out.append(f"- {code(ch.case)}: {code(ch.from_outcome)} → {code(ch.to_outcome)}{note}")
        out.append("")
    for c in matrix.columns:
        if not c.has_result:
            out += [f"{c.label}: no result, runner {c.exit_text()}; see {c.dir}/console.log.", ""]
    return out


def evidence_text(group: SafetyGroup) -> str:
    """Every evidence case id, compactly: LABEL:{ops} when that is exactly the list."""
    if not group.evidence:
        return "none (no DONTUNMAP or grow case ran for it)"
    ops = group.operations
    expanded = {f"{p}:{op}" for p in group.personalities for op in ops}
    if expanded == set(group.evidence) and ", " not in group.label:
        return code(f"{group.label}:{ops[0] if len(ops) == 1 else '{' + ','.join(ops) + '}'}")
    return ", ".join(code(cid) for cid in group.evidence)


def safety(report: SafetyReport) -> list:
    if not report or not report.variants:
        return []
    out = ["## Safety of the what-if variants", "",
           "Per variant and device personality: is the call mremap used to refuse now allowed, what the "
           "old range and a grown tail read, what the driver's hooks saw, leaks, kernel log lines, "
           "and a verdict. Personalities with identical rows share a line.", ""]
    for v in report.variants:
        out += [f"### {v.column} against {v.base or '(no base)'}", ""]
        if v.note:
            out += [v.note + ".", ""]
            continue
        out += [f"- {s.text}" for s in v.summary]
        out += ["", "By personality:", ""]
        for g in v.groups:
            count = len(g.personalities)
            who = code(g.label) + (f" ({count} personalities)" if count > 1 else "")
            kind, _, rest = g.verdict.text.partition(":")
            out.append(f"- {who}: " + (f"**{kind}:**{rest}" if rest else f"**{kind}**"))
            out.append("  - " + " · ".join(f"{name} {code(text)}" for name, text in fact_texts(g)))
            for s in g.splats:
                also = " (also on base)" if s.on_base else ""
                out.append(f"  - kernel log, {code(s.case)}{also}: {code(s.line)}")
            out.append(f"  - evidence: {evidence_text(g)}")
        out.append("")
    return out


def huge(report: SafetyReport) -> list:
    if not report or not report.huge:
        return []
    out = ["## Huge pfnmap leaves: kernel bugs and fixes", "",
           "Per column with `huge.*` cases (PMD and PUD leaves of a ->huge_fault driver): the cases that "
           "show a kernel bug (a kernel log line of concern, a case that crashed or timed out, a leaf "
           "dropped by a whole leaf-aligned move); on a variant, the base's bugs it fixes (the same case "
           "clean there). Mappings with identical rows share a line; clean cases are only counted.", ""]
    for h in report.huge:
        out += [f"### {h.column}" + (f" against {h.base}" if h.base else ""), "",
                f"{huge_counts_text(h)}.", ""]
        for g in h.groups:
            kind, _, rest = g.verdict.text.partition(":")
            out.append(f"- {code(g.label + ':' + g.operation)}: **{kind}:**{rest}")
            outcome = f"outcome {code(g.outcome or '-')}"
            if g.base_outcome is not None and g.base_outcome != g.outcome:
                outcome += f" (base {code(g.base_outcome)})"
            out.append(f"  - {outcome}")
            out.append(f"  - evidence: {', '.join(code(cid) for cid in g.evidence)}")
        if h.groups:
            out.append("")
    return out


def table(matrix: Matrix) -> list:
    rows = matrix.rows
    shown = [r for r in rows if r.differs or not r.all_expected]
    out = ["## Table", "",
           f"{len(rows) - len(shown)} of {len(rows)} cases have the same outcome on every kernel and are "
           f"expected everywhere; they are not listed. The {len(shown)} others:", ""]
    if not shown:
        return out
    out.append("| case | " + " | ".join(table_text(c.label) for c in matrix.columns) + " |")
    out.append("|---|" + "---|" * len(matrix.columns))
    for r in shown:
        cells = []
        for c in matrix.columns:
            text = md_cell(r.cells[c.label])
            if c.label in r.changed_at:
                text = "**Δ** " + text  # behaviour changed against the compared column
            cells.append(table_text(text))
        out.append(f"| {table_text(r.id)} | " + " | ".join(cells) + " |")
    out += ["", "**Δ**: outcome differs from the neighbouring kernel (or, for a variant, from its base).", ""]
    return out


def render(matrix: Matrix) -> str:
    out = [f"# pfnmap matrix report — run {matrix.run_id}", ""]
    out += summary(matrix) + changes(matrix) + safety(matrix.safety) + huge(matrix.safety) + table(matrix)
    return "\n".join(out)
