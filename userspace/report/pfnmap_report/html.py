"""report.html: one self-contained page (static/report.css and static/report.js are inlined at
render time): summary, changes, the safety section, and the full coloured table with filters."""

from __future__ import annotations

import html
import os

from .model import COMPARISON_KIND_TEXT, COUNTED_KINDS, MARKER, Column, Matrix, Row
from .safety import SafetyReport, fact_texts, huge_counts_text

STATIC = os.path.join(os.path.dirname(os.path.abspath(__file__)), "static")
LEGEND = (("expected", "expected"), ("changed", "changed: not what was expected"),
          ("new", "new: no expectation"), ("failed", "failed check"), ("skip", "skip"),
          ("no-result", "no result"), ("absent", "not run"))
SAFETY_CHIP = {"unsafe": "failed", "semantics change": "new", "safe": "expected", "unchanged": "skip"}
HUGE_CHIP = {"kernel bug": "failed", "fixed": "expected", "changed": "new", "clean": "skip",
             "not run": "skip"}
KMSG_SHOWN = 8


def static_text(name, closing_tag) -> str:
    with open(os.path.join(STATIC, name), encoding="utf-8") as f:
        text = f.read()
    if closing_tag in text.lower():
        raise ValueError(f"static/{name} contains {closing_tag}, which would end the inlined block")
    return text


def esc(text) -> str:
    return html.escape(str(text), quote=True)


def chip(kind, text, title=None) -> str:
    title_attr = f' title="{esc(title)}"' if title else ""
    return f'<span class="chip verdict-{kind}"{title_attr}>{esc(text)}</span>'


def cell_title(row: Row, column: Column, compared) -> str:
    cell = row.cells[column.label]
    lines = [f"{column.label}: {cell.text}", cell.note]
    if cell.expected and cell.display != "changed":
        lines.append(f"expected: {cell.expected}")
    if cell.status:
        lines.append(f"status: {cell.status}, verdict: {cell.verdict}")
    if compared is not None:
        lines.append(f"was on {column.compare_to}: {compared.text}")
    if cell.kmsg:
        lines.append("kmsg:")
        lines += ["  " + line for line in cell.kmsg[:KMSG_SHOWN]]
        if len(cell.kmsg) > KMSG_SHOWN:
            lines.append(f"  … {len(cell.kmsg) - KMSG_SHOWN} more lines")
    return "\n".join(lines)


def matrix_cell(row: Row, column: Column) -> str:
    cell = row.cells[column.label]
    kind = cell.display
    classes = ["cell", f"verdict-{kind}"]
    compared = None
    if column.label in row.changed_at:
        classes.append("changed-from-left")
        compared = row.cells[column.compare_to]
    attrs = [f'class="{" ".join(classes)}"', f'data-case="{esc(row.id)}"',
             f'data-column="{esc(column.label)}"', f'data-verdict="{kind}"']
    if compared is not None:
        attrs.append(f'data-changed-from="{esc(column.compare_to)}"')
    attrs.append(f'title="{esc(cell_title(row, column, compared))}"')
    body = f'<span class="mark">{MARKER[kind]}</span>{esc(cell.text)}'
    if kind == "changed":
        body += f'<span class="exp">expected {esc(cell.expected or "?")}</span>'
    elif kind == "failed":
        body += f'<span class="exp">{esc(cell.note)}</span>'
    elif kind == "skip" and cell.skip_reason:
        body += f'<span class="exp">{esc(cell.skip_reason)}</span>'
    return f"<td {' '.join(attrs)}>{body}</td>"


def file_links(column: Column, link_prefix) -> str:
    return "".join(f'<a href="{esc(link_prefix + path)}">{esc(name.split(".")[0])}</a>'
                   for name, path in column.files.items() if name != "meta.env")


def summary(matrix: Matrix, link_prefix) -> str:
    head = ('<tr><th class="left">kernel</th><th class="left">runner</th><th>cases</th>'
            + "".join(f'<th title="{k}">{chip(k, MARKER[k] + " " + k)}</th>' for k in COUNTED_KINDS)
            + '<th class="left">files</th></tr>')
    body = []
    for c in matrix.columns:
        exit_class = "left" if str(c.exit_status) == "0" else "left exit-bad"
        if c.has_result:
            counts = "".join(f'<td class="{"zero" if not c.counts[k] else ""}">{c.counts[k]}</td>'
                             for k in COUNTED_KINDS)
            cells = f"<td>{sum(c.counts[k] for k in COUNTED_KINDS)}</td>{counts}"
        else:
            cells = f'<td colspan="{len(COUNTED_KINDS) + 1}" class="left">{chip("no-result", "no result")}</td>'
        body.append(f'<tr data-column="{esc(c.label)}"><td class="left"><b>{esc(c.label)}</b>'
                    f'<span class="kver">{esc(c.kernel_text)}</span></td>'
                    f'<td class="{exit_class}" title="{esc(c.exit_text())}">{esc(c.exit_text(short=True))}</td>'
                    f'{cells}<td class="left files">{file_links(c, link_prefix)}</td></tr>')
    return (f'<section class="summary-section"><h2>Summary</h2>'
            f'<table class="summary"><thead>{head}</thead><tbody>{"".join(body)}</tbody></table></section>')


def changes(matrix: Matrix) -> str:
    parts = []
    for comp in matrix.comparisons:
        kind = COMPARISON_KIND_TEXT.get(comp.kind, "")
        stepped = (f'<div class="muted">{esc(", ".join(comp.stepped_over))} has no result and is stepped over</div>'
                   if comp.stepped_over else "")
        parts.append(f'<h3>{esc(comp.from_)}<span class="arrow"> → </span>{esc(comp.to)}{kind}'
                     f' <span class="muted">· {comp.changes} changed</span></h3>{stepped}')
        listed = matrix.changes_in(comp)
        if not listed:
            parts.append('<div class="muted">No case changed its outcome.</div>')
            continue
        items = []
        for ch in listed:
            verdict = ch.to_verdict if ch.to_verdict in ("expected", "changed") else "new"
            title = f"expected: {ch.to_expected}" if ch.to_expected else "no expectation"
            items.append(
                f'<li class="change" data-case="{esc(ch.case)}" data-from="{esc(ch.from_)}" '
                f'data-to="{esc(ch.to)}"><a href="#row-{esc(ch.case)}">{esc(ch.case)}</a>'
                f'<div class="out"><code>{esc(ch.from_outcome)}</code><span class="arrow"> → </span>'
                f'<code>{esc(ch.to_outcome)}</code> {chip(verdict, MARKER[verdict] + " " + verdict, title)}'
                f'</div></li>')
        parts.append(f'<ul class="change-list">{"".join(items)}</ul>')
    if not parts:
        parts.append('<div class="muted">No two columns with results to compare.</div>')
    return ('<section class="changes" id="changes"><div class="scroll">'
            '<h2>Behaviour changes between neighbouring kernels</h2>'
            f'{"".join(parts)}</div></section>')


def matrix_table(matrix: Matrix) -> str:
    columns = matrix.columns
    head = ['<th class="case">case</th>']
    # Equal data columns, so a boundary reads as a change of behaviour rather than of width.
    width = f"{80 / max(len(columns), 1):.2f}%"
    for c in columns:
        classes, marker = [], ""
        delta = len(matrix.changes_to(c.label))
        if delta:
            classes.append("boundary")
            marker = (f'<span class="delta" title="{delta} cases changed against {esc(c.compare_to)}">'
                      f'Δ {delta} vs {esc(c.compare_to)}</span>')
        if not c.has_result:
            classes.append("no-result")
        sub = c.kernel_text if c.has_result else f"no result · {c.exit_text()}"
        # A variant label may break after its "+", so long names do not widen the column.
        label = esc(c.label).replace("+", "+<wbr>")
        head.append(f'<th class="{" ".join(classes)}" style="width: {width}" data-column="{esc(c.label)}">'
                    f'<span class="label">{label}</span><span class="kver">{esc(sub)}</span>{marker}</th>')
    body, current = [], None
    for row in matrix.rows:
        if row.operation != current:
            current = row.operation
            body.append(f'<tr class="group" data-operation="{esc(current)}">'
                        f'<th colspan="{len(columns) + 1}"><span>{esc(current)}</span></th></tr>')
        search = " ".join([row.id] + [cell.text for cell in row.cells.values()]).lower()
        cells = "".join(matrix_cell(row, c) for c in columns)
        body.append(
            f'<tr class="row" id="row-{esc(row.id)}" data-case="{esc(row.id)}" '
            f'data-operation="{esc(row.operation)}" data-changes="{1 if row.changed_at else 0}" '
            f'data-all-expected="{1 if row.all_expected else 0}" data-search="{esc(search)}">'
            f'<th class="case mono">{esc(row.id)}</th>{cells}</tr>')
    return (f'<div class="table-wrap"><table class="matrix"><thead><tr>{"".join(head)}</tr></thead>'
            f'<tbody>{"".join(body)}</tbody></table></div>')


def controls() -> str:
    legend = "".join(chip(kind, f"{MARKER[kind]} {text}") for kind, text in LEGEND)
    legend += '<span class="chip verdict-boundary">differs from the kernel it is compared with</span>'
    return ('<div class="controls">'
            '<input type="search" id="filter" placeholder="Filter: case id or outcome text" aria-label="filter rows">'
            '<label><input type="checkbox" id="only-changes"> only rows that change</label>'
            '<label><input type="checkbox" id="only-attention"> only rows not expected everywhere</label>'
            f'<span id="shown-count"></span><span class="legend">{legend}</span></div>')


def safety(report: SafetyReport) -> str:
    if not report or not report.variants:
        return ""
    parts = ['<section class="safety" id="safety"><h2>Safety of the what-if variants</h2>'
             '<div class="muted">Per variant and device personality; personalities with identical rows '
             'share a line. Case links jump to the rows used as evidence.</div>']
    head = ("<tr><th>personalities</th>"
            + "".join(f"<th>{esc(name)}</th>" for name in ("DONTUNMAP", "old range", "grow maymove/touch",
                                                            "grown tail", "hooks", "leaks", "splats"))
            + "<th>verdict</th><th>evidence</th></tr>")
    for v in report.variants:
        parts.append(f'<div class="safety-variant" data-column="{esc(v.column)}">'
                     f'<h3>{esc(v.column)} <span class="muted">against {esc(v.base or "(no base)")}'
                     f'</span></h3>')
        if v.note:
            parts.append(f'<div class="muted">{esc(v.note)}</div></div>')
            continue
        parts.append('<ul class="safety-summary">'
                     + "".join(f'<li data-insert="{esc(s.insert)}">{esc(s.text)}</li>' for s in v.summary)
                     + "</ul>")
        body = []
        for g in v.groups:
            kind, count = g.verdict.kind, len(g.personalities)
            who = (f'<code>{esc(g.label)}</code>'
                   + (f' <span class="muted">({count} personalities)</span>' if count > 1 else ""))
            cells = []
            for name, text in fact_texts(g):
                if name == "splats" and g.splats:
                    lines = "".join(
                        f'<li><a class="evidence" href="#row-{esc(s.case)}">{esc(s.case)}</a>'
                        f'{" (also on base)" if s.on_base else ""}: <code>{esc(s.line)}</code></li>'
                        for s in g.splats)
                    cells.append(f'<td class="splats"><ul>{lines}</ul></td>')
                else:
                    cells.append(f'<td class="mono">{esc(text)}</td>')
            links = "".join(
                f'<div class="ev"><span class="mono">{esc(p)}</span>: '
                + " ".join(f'<a class="evidence" href="#row-{esc(cid)}" data-case="{esc(cid)}">{esc(op)}</a>'
                           for cid, op in refs) + "</div>"
                for p, refs in g.by_personality)
            why = g.verdict.text.partition(": ")[2] if kind != "unchanged" else ""
            evidence = (f'<details><summary>{len(g.evidence)} cases</summary>{links}</details>'
                        if count > 1 else links)
            body.append(f'<tr class="safety-row" data-verdict="{esc(kind)}" data-group="{esc(g.label)}" '
                        f'data-personalities="{count}"><th>{who}</th>{"".join(cells)}'
                        f'<td>{chip(SAFETY_CHIP[kind], kind)}<div class="why">{esc(why)}'
                        f'</div></td><td class="evidence">{evidence}</td></tr>')
        parts.append(f'<div class="scroll-x"><table class="safety"><thead>{head}</thead>'
                     f'<tbody>{"".join(body)}</tbody></table></div></div>')
    parts.append("</section>")
    return "".join(parts)


def huge(report: SafetyReport) -> str:
    """The huge family's kernel bugs and fixes, per column; a table of one row per group."""
    if not report or not report.huge:
        return ""
    parts = ['<section class="safety huge" id="huge"><h2>Huge pfnmap leaves: kernel bugs and fixes</h2>'
             '<div class="muted">Per column with huge.* cases: the cases that show a kernel bug (a kernel '
             'log line of concern, a crash or timeout, a leaf dropped by a whole leaf-aligned move); on a '
             'variant, the base\'s bugs it fixes. Clean cases are only counted.</div>']
    head = "<tr><th>cases</th><th>outcome</th><th>verdict</th><th>evidence</th></tr>"
    for h in report.huge:
        against = f' <span class="muted">against {esc(h.base)}</span>' if h.base else ""
        parts.append(f'<div class="huge-column" data-column="{esc(h.column)}"><h3>{esc(h.column)}{against}</h3>'
                     f'<div class="muted">{esc(huge_counts_text(h))}</div>')
        body = []
        for g in h.groups:
            kind = g.verdict.kind
            why = g.verdict.text.partition(": ")[2]
            outcome = f'<code>{esc(g.outcome or "-")}</code>'
            if g.base_outcome is not None and g.base_outcome != g.outcome:
                outcome += f'<div class="muted">base: <code>{esc(g.base_outcome)}</code></div>'
            links = " ".join(f'<a class="evidence" href="#row-{esc(cid)}" data-case="{esc(cid)}">{esc(cid)}</a>'
                             for cid in g.evidence)
            body.append(f'<tr class="huge-row" data-verdict="{esc(kind)}" data-group="{esc(g.label)}:'
                        f'{esc(g.operation)}"><th><code>{esc(g.label)}:{esc(g.operation)}</code></th>'
                        f'<td class="mono">{outcome}</td><td>{chip(HUGE_CHIP[kind], kind)}'
                        f'<div class="why">{esc(why)}</div></td><td class="evidence">{links}</td></tr>')
        if body:
            parts.append(f'<div class="scroll-x"><table class="safety"><thead>{head}</thead>'
                         f'<tbody>{"".join(body)}</tbody></table></div>')
        parts.append("</div>")
    parts.append("</section>")
    return "".join(parts)


def render(matrix: Matrix, link_prefix: str) -> str:
    title = f"pfnmap matrix — run {matrix.run_id}"
    columns = ", ".join(c.label for c in matrix.columns)
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="en"><head><meta charset="utf-8"><title>{esc(title)}</title>'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<style>{static_text('report.css', '</style')}</style></head><body>"
        f'<header class="top"><h1>{esc(title)}</h1>'
        f'<div class="sub">{len(matrix.rows)} cases × {len(matrix.columns)} kernels: {esc(columns)}</div>'
        "</header><main>"
        f'<div class="overview">{summary(matrix, link_prefix)}{changes(matrix)}</div>'
        f'{safety(matrix.safety)}{huge(matrix.safety)}'
        f'<section class="table-section" id="matrix">{controls()}{matrix_table(matrix)}</section>'
        "</main><footer>Hover a cell for its expected outcome and kernel log evidence. "
        "Made by pfnmap-report; the same data is in report.json.</footer>"
        f"<script>{static_text('report.js', '</script')}</script></body></html>\n")
