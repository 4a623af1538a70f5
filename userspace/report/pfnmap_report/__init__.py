"""pfnmap_report: merge the per-kernel results of one run into a matrix report.

  load      run dir (meta.env, probe.json per column) + the probe's --describe -> typed columns
  vocab     the probe's vocabulary (--describe) and the parsers of every field kind
  model     typed cases, columns, and the merged matrix (rows, cells, changes, comparisons)
  safety    the what-if variants' safety section
  grid      the compact behaviour grid run-qemu.sh prints
  markdown  report.md          html  report.html (static/ inlined)

Entry point: python3 -m pfnmap_report RUN_DIR [--out DIR] [--describe FILE] [--grid]
"""

from __future__ import annotations

import dataclasses

from . import grid, safety
from .load import BadInput, Run, load_run
from .model import Matrix, build_matrix
from .vocab import VocabError, Vocabulary

__all__ = ["BadInput", "Run", "Matrix", "build_report", "check_vocabulary", "load_run"]


def check_vocabulary(vocab: Vocabulary) -> None:
    """VocabError unless the probe has every operation and field the report's sections read
    (what every listed value means is checked when the vocabulary is read)."""
    vocab.check_understood()
    vocab.require("the safety section", safety.NEEDS)
    vocab.require("the grid", grid.NEEDS)
    missing = [op for op in vocab.key_operations
               if op not in grid.CELL_RULES and op not in grid.HUGE_CELL_RULES]
    if missing:
        raise VocabError(f"the grid has no cell rule for key operation(s) {', '.join(missing)}")


def build_report(run_dir, describe=None) -> tuple:
    """(run, matrix with its safety section) for a results run directory."""
    run = load_run(run_dir, describe)
    try:
        check_vocabulary(run.vocab)
    except VocabError as e:
        raise BadInput(f"{describe or run_dir}: {e}") from None
    matrix = build_matrix(run)
    report = safety.build_safety(matrix.columns, list(run.vocab.mappings))
    return run, dataclasses.replace(matrix, safety=report)
