"""Reading a run directory: results/<run-id>/<column>/{meta.env,probe.json,...} and the probe's
--describe, into typed columns.

Only probe.json of schema version 2 (docs/probe-json.md) is read; anything else, and any case
whose fields the vocabulary does not understand, is BadInput with a message naming the file.
"""

from __future__ import annotations

import json
import os
import shlex
from dataclasses import dataclass
from typing import Optional

from .model import DEFAULT_ARCH, Case, Checks, Column, Evidence, column_order
from .vocab import SCHEMA_VERSION, VocabError, Vocabulary

DESCRIBE_NAME = "describe.json"
# Files of a column the report links to, when they exist.
COLUMN_FILES = ("console.log", "ktap.txt", "dmesg.txt", "qemu-cmdline.txt", "probe.json", "meta.env")
CASE_KEYS = ("id", "mapping", "operation", "status", "verdict", "outcome_kind", "outcome", "fields",
             "expected", "checks", "skip_reason", "duration_ms", "evidence")


class BadInput(Exception):
    """Input the report cannot be made from; the CLI turns it into exit status 2."""


@dataclass(frozen=True)
class Run:
    run_dir: str
    run_id: str
    vocab: Vocabulary
    columns: tuple


def read_json(path):
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except json.JSONDecodeError as e:
        raise BadInput(f"{path}: malformed JSON: {e}") from None
    except UnicodeDecodeError as e:
        raise BadInput(f"{path}: not UTF-8: {e}") from None


def read_meta_env(path) -> dict:
    """Parses shell-style KEY=value lines (values may be quoted); comments and blanks ignored."""
    meta = {}
    with open(path, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            line = line.strip()
            if not line or line.startswith("#") or "=" not in line:
                continue
            key, _, raw = line.partition("=")
            try:
                words = shlex.split(raw, comments=True)
            except ValueError as e:
                raise BadInput(f"{path}:{lineno}: cannot parse value of {key.strip()}: {e}") from None
            meta[key.strip()] = " ".join(words)
    return meta


def read_describe(path) -> Vocabulary:
    try:
        return Vocabulary.from_describe(read_json(path))
    except VocabError as e:
        raise BadInput(f"{path}: {e}") from None


def _typed(value, kinds, where, what):
    if not isinstance(value, kinds) or (isinstance(value, bool) and bool not in kinds):
        raise BadInput(f"{where}: {what} is {type(value).__name__}")
    return value


def read_case(raw, vocab: Vocabulary, where: str, arch: str = DEFAULT_ARCH) -> Case:
    """One case of probe.json, checked and its fields parsed by the vocabulary."""
    if not isinstance(raw, dict):
        raise BadInput(f"{where}: not an object")
    missing = [k for k in CASE_KEYS if k not in raw]
    if missing:
        raise BadInput(f"{where}: no {', '.join(missing)} (every key of a case is always present)")
    case_id = _typed(raw["id"], (str,), where, "id")
    where = f"{where} ({case_id})"
    mapping = _typed(raw["mapping"], (dict,), where, "mapping")
    mapping_id = _typed(mapping.get("id"), (str,), where, "mapping.id")
    spec = vocab.mappings.get(mapping_id)
    if spec is None:
        raise BadInput(f"{where}: mapping {mapping_id} is not in the probe's --describe")
    if mapping.get("family") != spec.family or mapping.get("axes") != dict(spec.axes):
        raise BadInput(f"{where}: mapping {mapping_id} has other family or axes than --describe says")
    op = vocab.operations.get(raw["operation"])
    if op is None:
        raise BadInput(f"{where}: operation {raw['operation']!r} is not in the probe's --describe")
    for key, allowed in (("status", vocab.statuses), ("verdict", vocab.verdicts)):
        if raw[key] not in allowed:
            raise BadInput(f"{where}: {key} {raw[key]!r} is not one of {', '.join(allowed)}")
    kind = raw["outcome_kind"]
    if kind is not None and kind not in vocab.outcome_kinds:
        raise BadInput(f"{where}: outcome_kind {kind!r} is not one of {', '.join(vocab.outcome_kinds)}")
    fields = _typed(raw["fields"], (dict,), where, "fields")
    # A field the column's architecture lacks (x86 PAT on arm64) is absent from its outcome.
    reported = [name for name in op.fields if name not in vocab.absent_fields(arch)]
    if kind == "fields" and set(fields) != set(reported):
        raise BadInput(f"{where}: fields {', '.join(fields)}, but {op.name} reports "
                       f"{', '.join(reported)} on {arch}")
    if kind != "fields" and fields:
        raise BadInput(f"{where}: fields present with outcome_kind {kind!r}")
    try:
        values = vocab.parse_fields(fields)
    except VocabError as e:
        raise BadInput(f"{where}: {e}") from None
    outcome = raw["outcome"]
    if kind == "fields" and sorted(str(outcome).split()) != sorted(f"{k}={v}" for k, v in fields.items()):
        raise BadInput(f"{where}: outcome {outcome!r} does not spell its fields")
    checks = _typed(raw["checks"], (dict,), where, "checks")
    if set(checks) != set(vocab.checks):
        raise BadInput(f"{where}: checks {', '.join(checks)}, --describe lists {', '.join(vocab.checks)}")
    evidence = raw["evidence"]
    if evidence is not None:
        _typed(evidence, (dict,), where, "evidence")
        known = {k: v for k, v in evidence.items() if k in Evidence.__dataclass_fields__}
        known["kmsg"] = tuple(str(line) for line in (evidence.get("kmsg") or ()))
        evidence = Evidence(**known)
    return Case(id=case_id, mapping=mapping_id, family=spec.family, axes=dict(spec.axes),
                operation=op.name, status=raw["status"], verdict=raw["verdict"], outcome_kind=kind,
                outcome=outcome, fields=dict(fields), expected=raw["expected"],
                checks=Checks(**{name: checks.get(name) for name in ("balanced", "kmsg_clean",
                                                                      "exit_clean")}),
                skip_reason=raw["skip_reason"], duration_ms=raw["duration_ms"], evidence=evidence,
                values=values)


def read_probe_json(path, vocab: Vocabulary, arch: Optional[str] = None) -> tuple:
    """(the document, its cases in probe order). BadInput unless it is probe.json of schema 2
    whose every case the vocabulary understands."""
    doc = read_json(path)
    if not isinstance(doc, dict) or doc.get("tool") != "pfnmap-probe":
        raise BadInput(f"{path}: not a pfnmap-probe document")
    version = doc.get("schema_version")
    if version != SCHEMA_VERSION:
        found = "no schema_version (a probe from before schema 2)" if version is None \
            else f"schema_version {version!r}"
        raise BadInput(f"{path}: {found}; this report reads schema_version {SCHEMA_VERSION}: "
                       f"re-run the probe")
    if not isinstance(doc.get("cases"), list):
        raise BadInput(f'{path}: no "cases" list')
    arch = arch or (doc.get("kernel") or {}).get("arch") or DEFAULT_ARCH
    cases, seen = [], set()
    for index, raw in enumerate(doc["cases"]):
        case = read_case(raw, vocab, f"{path}: case #{index}", arch)
        if case.id in seen:
            raise BadInput(f"{path}: case {case.id} appears twice")
        seen.add(case.id)
        cases.append(case)
    return doc, cases


def load_column(run_dir, name, vocab: Vocabulary) -> Optional[Column]:
    """One kernel column from RUN_DIR/<name>/, or None if the directory is not one."""
    col_dir = os.path.join(run_dir, name)
    meta_path = os.path.join(col_dir, "meta.env")
    probe_path = os.path.join(col_dir, "probe.json")
    has_meta, has_probe = os.path.isfile(meta_path), os.path.isfile(probe_path)
    if not has_meta and not has_probe:
        return None
    meta = read_meta_env(meta_path) if has_meta else {}
    doc, cases = read_probe_json(probe_path, vocab, meta.get("arch")) if has_probe else ({}, [])

    label = meta.get("column") or name
    # The runner names columns "<series>[+<variant>][@<arch>]" and says so in meta.env; the label
    # is the fallback for hand-made directories.
    base, _, label_arch = label.partition("@")
    series = meta.get("series") or base.split("+", 1)[0]
    variant = meta.get("variant", base.split("+", 1)[1] if "+" in base else "")
    kernel = doc.get("kernel") or {}
    arch = meta.get("arch") or kernel.get("arch") or label_arch or DEFAULT_ARCH
    summary = doc.get("summary") or {}
    device = doc.get("device") or {}
    return Column(
        label=label, dir=name, series=series, variant=variant,
        kernel_release=kernel.get("release") or meta.get("kernel_version"),
        kernel_build=kernel.get("version"),
        debian_version=meta.get("debian_version"), config_hash=meta.get("config_hash"),
        exit_status=meta.get("exit_status"), wall_seconds=meta.get("wall_seconds"),
        duration_ms=doc.get("duration_ms"), has_result=has_probe,
        device=doc.get("device"),
        skip_reasons=dict(summary.get("skip_reasons") or {}),
        files={f: f"{name}/{f}" for f in COLUMN_FILES if os.path.isfile(os.path.join(col_dir, f))},
        cases={case.id: case for case in cases},
        flavor=meta.get("flavor", ""),
        # Runs before --backing: the probe's own word for the region, else pages.
        backing=meta.get("backing") or device.get("region_kind") or "pages",
        arch=arch)


def find_describe(run_dir, describe=None) -> str:
    if describe:
        return describe
    path = os.path.join(run_dir, DESCRIBE_NAME)
    if os.path.isfile(path):
        return path
    raise BadInput(f"{run_dir}: no {DESCRIBE_NAME}; pass --describe FILE "
                   f"(the output of pfnmap-probe --describe)")


def load_run(run_dir, describe=None) -> Run:
    """The run directory's columns in kernel order (variants after their base), read with the
    vocabulary of `describe` (default RUN_DIR/describe.json)."""
    if not os.path.isdir(run_dir):
        raise BadInput(f"{run_dir}: no such results directory")
    vocab = read_describe(find_describe(run_dir, describe))
    columns = [c for name in sorted(os.listdir(run_dir)) if os.path.isdir(os.path.join(run_dir, name))
               for c in [load_column(run_dir, name, vocab)] if c]
    if not columns:
        raise BadInput(f"{run_dir}: no kernel column directories (with meta.env or probe.json)")
    labels = [c.label for c in columns]
    twice = sorted({label for label in labels if labels.count(label) > 1})
    if twice:
        raise BadInput(f"{run_dir}: column label {twice[0]} used by two directories")
    columns.sort(key=column_order)
    run_id = os.path.basename(os.path.normpath(os.path.abspath(run_dir)))
    return Run(run_dir=run_dir, run_id=run_id, vocab=vocab, columns=tuple(columns))
