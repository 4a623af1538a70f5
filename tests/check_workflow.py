#!/usr/bin/python3
"""Checks .github/workflows/*.yml: valid YAML, the shape GitHub Actions requires, and a kernel
matrix that lists exactly the columns of --matrix: the catalog series and the what-if variants
on every architecture of kernels/arch.tsv they run on, and the Debian kernels (no column
forgotten)."""
import pathlib
import sys

import yaml

TOP = pathlib.Path(__file__).resolve().parent.parent


def data_rows(path):
    for line in (TOP / path).read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            yield line.split("\t")


def expected_columns():
    columns = [row[0] for row in data_rows("kernels/catalog.tsv")]
    # Flavors (debug builds) are built on demand, not matrix columns (kernels/variants.tsv).
    columns += [f"{row[1]}+{row[0]}" for row in data_rows("kernels/variants.tsv")
                if len(row) < 5 or row[4] != "flavor"]
    # The default architecture's columns carry no @ARCH (run-qemu.sh's column names); bochs-drm
    # (drm.fragment) needs the pc machine's VGA: those variants on the default one only.
    arches = [("" if len(row) > 9 and row[9] == "default" else f"@{row[0]}")
              for row in data_rows("kernels/arch.tsv")]
    drm = {f"{row[1]}+{row[0]}" for row in data_rows("kernels/variants.tsv")
           if "drm.fragment" in row[3].split(",")}
    columns = [column + arch for arch in arches for column in columns
               if not (arch and column in drm)]
    # Debian's prebuilt kernels marked for --matrix (kernels/distro.tsv).
    columns += [f"{row[0]}-debian" for row in data_rows("kernels/distro.tsv") if row[2].strip() == "yes"]
    return sorted(columns)


def check_job(name, job, all_jobs, errors):
    if "runs-on" not in job:
        errors.append(f"job {name}: no runs-on")
    for i, step in enumerate(job.get("steps") or []):
        if ("uses" in step) == ("run" in step):
            errors.append(f"job {name} step {i}: needs exactly one of 'uses' and 'run'")
    if not job.get("steps"):
        errors.append(f"job {name}: no steps")
    for need in [job["needs"]] if isinstance(job.get("needs"), str) else job.get("needs", []):
        if need not in all_jobs:
            errors.append(f"job {name}: needs unknown job {need}")


def main():
    errors = []
    workflows = sorted((TOP / ".github/workflows").glob("*.yml"))
    if not workflows:
        errors.append("no workflow in .github/workflows")
    for path in workflows:
        doc = yaml.safe_load(path.read_text())
        # YAML 1.1 reads the key "on" as True.
        if not ("on" in doc or True in doc) or "jobs" not in doc:
            errors.append(f"{path.name}: needs 'on' and 'jobs'")
            continue
        for name, job in doc["jobs"].items():
            check_job(name, job, set(doc["jobs"]), errors)
        kernel = doc["jobs"].get("kernel")
        if kernel:
            columns = sorted(kernel["strategy"]["matrix"]["column"])
            if columns != expected_columns():
                errors.append(f"{path.name}: matrix {columns} != catalog + variants {expected_columns()}")
    for error in errors:
        print(error, file=sys.stderr)
    print(f"workflow: {len(workflows)} checked, {len(errors)} problems")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
