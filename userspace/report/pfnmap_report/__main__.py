"""python3 -m pfnmap_report RUN_DIR [--out DIR] [--describe FILE] [--grid]

Writes report.json, report.md and report.html to DIR (default RUN_DIR); with --grid also prints
the behaviour grid on stdout. Exit status: 0 when written, 2 for bad input (one line on stderr
naming the problem).
"""

from __future__ import annotations

import argparse
import json
import os
import sys

from . import build_report, grid, html, markdown
from .load import BadInput
from .model import report_json


def write_atomically(path, text):
    """A reader (or a browser reloading) never sees a half-written report."""
    tmp = f"{path}.tmp.{os.getpid()}"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, path)


def main(argv, prog="pfnmap-report") -> int:
    parser = argparse.ArgumentParser(
        prog=prog, description="Merge one run's kernel columns into a matrix report.")
    parser.add_argument("run_dir", metavar="RESULTS_RUN_DIR")
    parser.add_argument("--out", metavar="DIR",
                        help="where to write report.{json,md,html} (default: RESULTS_RUN_DIR)")
    parser.add_argument("--describe", metavar="FILE",
                        help="the probe's vocabulary, pfnmap-probe --describe "
                             "(default: RESULTS_RUN_DIR/describe.json)")
    parser.add_argument("--grid", action="store_true",
                        help="also print the behaviour grid (at most 120 columns) on stdout")
    args = parser.parse_args(argv)
    out_dir = args.out or args.run_dir
    try:
        run, matrix = build_report(args.run_dir, args.describe)
    except BadInput as e:
        print(f"{prog}: {e}", file=sys.stderr)
        return 2
    except OSError as e:
        print(f"{prog}: cannot read {e.filename}: {e.strerror}", file=sys.stderr)
        return 2

    os.makedirs(out_dir, exist_ok=True)
    # Links to console.log and friends are relative, so the report can be moved with the run.
    link_prefix = os.path.relpath(os.path.abspath(args.run_dir), os.path.abspath(out_dir))
    link_prefix = "" if link_prefix == "." else link_prefix + "/"
    write_atomically(os.path.join(out_dir, "report.json"),
                     json.dumps(report_json(matrix), indent=2, ensure_ascii=False) + "\n")
    write_atomically(os.path.join(out_dir, "report.md"), markdown.render(matrix))
    write_atomically(os.path.join(out_dir, "report.html"), html.render(matrix, link_prefix))
    if args.grid:
        sys.stdout.write(grid.render(matrix, run.vocab))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
