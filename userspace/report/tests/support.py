"""Where the report's tests get their data: only from real probe runs, never typed by hand.

- The recorded QEMU fixtures, written by tests/report/record-fixtures.sh, each a run directory
  with the describe.json of the probe that made it:
  tests/report/fixtures/run-7.2-relax-pfnmap/{7.2,7.2+relax-pfnmap}/ (a case subset on kernel
  pages), tests/report/fixtures/run-7.2-huge/{7.2,7.2+fix-huge-pud}/ (every huge.* case,
  --huge --hazards), tests/report/fixtures/run-7.2-drivers/{7.2,7.2~pci,7.2+drm,7.2+drm~pci}/
  (the real drivers, the drm flavor and the pci backing) and
  tests/report/fixtures/run-7.2-arm64/{7.2,7.2@arm64}/ (the relax subset on 7.2 on x86 and on
  arm64).
- Live runs of the host-built probe (userspace/pfnmap-probe, made by `make -C userspace`): its
  --describe, the controls on this host's kernel (device cases skip: no module here), and the
  device cases against the LD_PRELOAD fake (userspace/.obj/fake_pfnmap.so, `make -C userspace
  fake-run`). A test that needs one of them is skipped when it is not there; the fixture's own
  presence is a test (test_fixtures.py).

Live runs are made once per test process, in a temporary directory, as run-qemu.sh lays out a
run: RUN/<column>/{probe.json,meta.env,ktap.txt} and RUN/describe.json.
"""

from __future__ import annotations

import atexit
import functools
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
REPORT = os.path.dirname(HERE)
TOP = os.path.dirname(os.path.dirname(REPORT))
FIXTURES = os.path.join(TOP, "tests", "report", "fixtures")
QEMU_RUN = os.path.join(FIXTURES, "run-7.2-relax-pfnmap")
DESCRIBE = os.path.join(QEMU_RUN, "describe.json")
HUGE_RUN = os.path.join(FIXTURES, "run-7.2-huge")
HUGE_DESCRIBE = os.path.join(HUGE_RUN, "describe.json")
RECORDER = "tests/report/record-fixtures.sh"
PROBE = os.path.join(TOP, "userspace", "pfnmap-probe")
FAKE = os.path.join(TOP, "userspace", ".obj", "fake_pfnmap.so")
SCHEMA = os.path.join(TOP, "userspace", "probe-schema.json")
WRAPPER = os.path.join(REPORT, "pfnmap-report")
BASE, VARIANT = "7.2", "7.2+relax-pfnmap"
HUGE_BASE, HUGE_VARIANT = "7.2", "7.2+fix-huge-pud"
DRIVERS_RUN = os.path.join(FIXTURES, "run-7.2-drivers")
DRIVERS_DESCRIBE = os.path.join(DRIVERS_RUN, "describe.json")
DRIVERS_COLUMNS = ("7.2", "7.2~pci", "7.2+drm", "7.2+drm~pci", "7.2+relax-dontunmap+drm",
                   "7.2+relax-dontunmap+drm~pci")
ARCH_RUN = os.path.join(FIXTURES, "run-7.2-arm64")
ARCH_DESCRIBE = os.path.join(ARCH_RUN, "describe.json")
ARCH_COLUMNS = ("7.2", "7.2@arm64")

if REPORT not in sys.path:
    sys.path.insert(0, REPORT)


def qemu_fixture_present() -> bool:
    return all(os.path.isfile(os.path.join(QEMU_RUN, column, "probe.json")) for column in (BASE, VARIANT)) \
        and os.path.isfile(DESCRIBE)


def need_qemu_fixture():
    if not qemu_fixture_present():
        raise unittest.SkipTest(f"no recorded QEMU fixture: run {RECORDER}")
    return QEMU_RUN, DESCRIBE


def load_json(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def huge_fixture_present() -> bool:
    return all(os.path.isfile(os.path.join(HUGE_RUN, column, "probe.json"))
               for column in (HUGE_BASE, HUGE_VARIANT)) and os.path.isfile(HUGE_DESCRIBE)


def need_huge_fixture():
    if not huge_fixture_present():
        raise unittest.SkipTest(f"no recorded huge fixture: run {RECORDER} huge")
    return HUGE_RUN, HUGE_DESCRIBE


def drivers_fixture_present() -> bool:
    return all(os.path.isfile(os.path.join(DRIVERS_RUN, column, "probe.json"))
               for column in DRIVERS_COLUMNS) and os.path.isfile(DRIVERS_DESCRIBE)


def need_drivers_fixture():
    if not drivers_fixture_present():
        raise unittest.SkipTest(f"no recorded drivers fixture: run {RECORDER} drivers")
    return DRIVERS_RUN, DRIVERS_DESCRIBE


def recorded_describes():
    """(path, describe document) of every recorded fixture present."""
    return [(path, load_json(path)) for path, present in
            ((DESCRIBE, qemu_fixture_present()), (HUGE_DESCRIBE, huge_fixture_present()),
             (DRIVERS_DESCRIBE, drivers_fixture_present())) if present]


def fixture_docs():
    """(path, probe.json document) of every column of the QEMU fixtures present."""
    out = []
    for present, run, columns in ((qemu_fixture_present(), QEMU_RUN, (BASE, VARIANT)),
                                  (huge_fixture_present(), HUGE_RUN, (HUGE_BASE, HUGE_VARIANT)),
                                  (drivers_fixture_present(), DRIVERS_RUN, DRIVERS_COLUMNS)):
        if present:
            out += [(os.path.join(run, c, "probe.json"), load_json(os.path.join(run, c, "probe.json")))
                    for c in columns]
    if not out:
        need_qemu_fixture()
    return out


@functools.lru_cache(maxsize=None)
def _scratch():
    path = tempfile.mkdtemp(prefix="pfnmap-report-test.")
    atexit.register(shutil.rmtree, path, True)
    return path


def need_probe():
    if not os.access(PROBE, os.X_OK):
        raise unittest.SkipTest(f"no {PROBE}: make -C userspace")
    return PROBE


@functools.lru_cache(maxsize=None)
def live_describe() -> str:
    """The path of the host-built probe's --describe."""
    probe = need_probe()
    path = os.path.join(_scratch(), "describe.json")
    with open(path, "w", encoding="utf-8") as f:
        subprocess.run([probe, "--describe"], stdout=f, check=True)
    return path


def _probe_column(run, column, args, env=None):
    col = os.path.join(run, column)
    os.makedirs(col)
    with open(os.path.join(col, "ktap.txt"), "w", encoding="utf-8") as ktap:
        rc = subprocess.run([need_probe(), "--json", os.path.join(col, "probe.json"), *args],
                            stdout=ktap, env=env).returncode
    if rc == 4:  # every selected case skipped: nothing to test with
        summary = load_json(os.path.join(col, "probe.json"))["summary"]
        raise unittest.SkipTest(f"pfnmap-probe {' '.join(args)}: every case skipped: "
                                f"{', '.join(summary['skip_reasons'])}")
    if rc not in (0, 1):
        raise RuntimeError(f"pfnmap-probe {' '.join(args)} exited {rc}")
    release = load_json(os.path.join(col, "probe.json"))["kernel"]["release"]
    series = ".".join(release.split(".")[:2])
    label, _, variant = column.partition("+")
    with open(os.path.join(col, "meta.env"), "w", encoding="utf-8") as meta:
        meta.write(f"column={column}\nseries={series if label == 'host' else label}\n"
                   f"variant={variant}\nkernel_version={release}\nexit_status={rc}\n")


@functools.lru_cache(maxsize=None)
def host_run() -> str:
    """A run dir with one column "host": the controls on this host's kernel, device cases
    skipped (no /dev/pfnmap here)."""
    run = tempfile.mkdtemp(prefix="host-run.", dir=_scratch())
    shutil.copy(live_describe(), os.path.join(run, "describe.json"))
    _probe_column(run, "host", [])
    return run


@functools.lru_cache(maxsize=None)
def fake_run() -> str:
    """A run dir with the remap personalities against the LD_PRELOAD fake (a memfd behind the ioctls):
    column "fake" and the same run again as its what-if variant "fake+again" (so the safety
    section has a base and a variant that behave the same)."""
    if not os.path.isfile(FAKE):
        raise unittest.SkipTest(f"no {FAKE}: make -C userspace fake-run")
    run = tempfile.mkdtemp(prefix="fake-run.", dir=_scratch())
    shutil.copy(live_describe(), os.path.join(run, "describe.json"))
    env = dict(os.environ, LD_PRELOAD=FAKE)
    args = ["--device", "/dev/pfnmap-fake", "--case", "dev.remap.*", "--case", "abi:*"]
    _probe_column(run, "fake", args, env)
    _probe_column(run, "fake+again", args, env)
    return run


def find(items, predicate, what):
    """The first item that satisfies predicate; AssertionError naming `what` when none does."""
    for item in items:
        if predicate(item):
            return item
    raise AssertionError(f"no {what}")


def copy_run(run, into) -> str:
    """A writable copy of a run dir (for tests that spoil one)."""
    dest = os.path.join(into, "run")
    shutil.copytree(run, dest)
    return dest


def build(run, describe=None):
    from pfnmap_report import build_report
    return build_report(run, describe)


@functools.lru_cache(maxsize=None)
def fixture_report():
    run, describe = need_qemu_fixture()
    return build(run, describe)


@functools.lru_cache(maxsize=None)
def huge_fixture_report():
    run, describe = need_huge_fixture()
    return build(run, describe)


@functools.lru_cache(maxsize=None)
def drivers_fixture_report():
    run, describe = need_drivers_fixture()
    return build(run, describe)


@functools.lru_cache(maxsize=None)
def host_report():
    return build(host_run())


@functools.lru_cache(maxsize=None)
def fake_report():
    return build(fake_run())


def all_reports():
    """(name, (run, matrix)) of every data source present."""
    out = []
    for name, make in (("qemu fixture", fixture_report), ("huge fixture", huge_fixture_report),
                       ("host run", host_report), ("fake run", fake_report)):
        try:
            out.append((name, make()))
        except unittest.SkipTest:
            continue
    if not out:
        raise unittest.SkipTest(f"no data: neither the QEMU fixture ({RECORDER}) nor {PROBE}")
    return out
