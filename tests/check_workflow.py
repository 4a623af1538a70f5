#!/usr/bin/python3
"""Checks .github/workflows/*.yml: valid YAML, the shape GitHub Actions requires, and a kernel
matrix that lists exactly the columns of `run-qemu.sh --matrix` (no column forgotten)."""
import pathlib
import subprocess
import sys

import yaml

TOP = pathlib.Path(__file__).resolve().parent.parent


def expected_columns():
    """The columns of --matrix, as the runner names them (it owns the rule)."""
    listed = subprocess.run([str(TOP / "run-qemu.sh"), "--matrix", "--list-columns"],
                            check=True, capture_output=True, text=True).stdout
    return sorted(listed.split())


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
