"""The probe's vocabulary as the report understands it.

The probe owns the vocabulary and prints it with `pfnmap-probe --describe` (docs/probe-json.md):
mapping families and their axes, operations with the fields they report, the outcome fields with
their kinds and values, page and target classes, outcome kinds, statuses, verdicts and checks.

This module holds two things and keeps them apart:

- KNOWN_*: what this report understands: every field it can parse, by name and kind, every page
  class, enum value, verdict ... it has code for. It is the report's side of a contract.
- Vocabulary: one describe document, checked against KNOWN_* when it is read
  (Vocabulary.from_describe raises VocabError for anything the report would not understand), and
  the parsers that turn a field's text into a typed value (Vocabulary.parse raises VocabError on a
  value that does not fit its kind).

So a probe that can emit a value the report does not know fails loudly when the report reads its
--describe, not silently when the value first turns up in a run.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Mapping, Optional, Union

SCHEMA_VERSION = 2


class VocabError(ValueError):
    """A describe document or a field value the report does not understand."""


# ---------------------------------------------------------------------------------------------
# What the report understands

KINDS = ("result", "pages", "target", "pages_list", "enum", "closed", "count", "config", "memtype", "log")

# Every outcome field the report reads, with its kind.
KNOWN_FIELDS: Mapping[str, str] = {
    "ret": "result",
    "old": "pages",
    "new": "pages",
    "target": "target",
    "write": "enum",
    "child": "pages_list",
    "read": "pages",
    "config": "config",
    "loaded": "enum",
    "closed": "closed",
    "live": "count",
    "oor": "count",
    "mremap_calls": "count",
    "pat": "enum",
    "memtype": "memtype",
    "log": "log",
    "level_before": "enum",
    "level_old": "enum",
    "level_new": "enum",
    "level_child": "enum",
    "refaults": "count",
}

# The page-table levels of the huge family's level_* fields: no entry, 4 KiB pages, a 2 MiB PMD
# leaf, a 1 GiB PUD leaf.
LEVELS = ("none", "pte", "pmd", "pud")
LEAF_LEVELS = frozenset({"pmd", "pud"})

# The values of the enum fields the report has words for. "hang": a read still faulting after
# the probe's bound (a ->fault that returns without inserting, refaulting forever).
KNOWN_ENUM_VALUES: Mapping[str, frozenset] = {
    "write": frozenset({"ok", "lost", "sigbus", "sigsegv", "hang"}),
    "loaded": frozenset({"yes", "no"}),
    "pat": frozenset({"same", "leaked", "freed"}),
    **{name: frozenset(LEVELS) for name in ("level_before", "level_old", "level_new", "level_child")},
}

KNOWN_PAGE_CLASSES = frozenset({"pattern", "zero", "marker", "other", "sigbus", "sigsegv", "hang"})
KNOWN_TARGET_CLASSES = frozenset({"intact", "zero", "replaced", "other", "sigbus", "unmapped", "hang"})
KNOWN_OUTCOME_KINDS = frozenset({"fields", "setup", "crash", "timeout", "lost-result"})
KNOWN_STATUSES = frozenset({"ok", "not ok", "skip"})
KNOWN_VERDICTS = frozenset({"expected", "changed", "new", "skip"})
KNOWN_CHECKS = frozenset({"balanced", "kmsg_clean", "exit_clean"})

# The mapping families the report reads by name (the grid's rows, the safety section), and the
# axes it reads with the values it has words for. Other families are shown in the full table
# only; a family may have more axes than listed here.
KNOWN_FAMILIES: Mapping[str, str] = {
    "ctl": "controls",
    "dev": "device personalities",
    "huge": "huge pfnmap leaves",
}
KNOWN_AXES: Mapping[tuple, frozenset] = {
    ("dev", "insert"): frozenset({"remap", "fault", "mixed", "vepc"}),
    ("dev", "dontexpand"): frozenset({"keep", "clear"}),
    ("dev", "mremap_hook"): frozenset({"none", "track", "refuse"}),
    ("dev", "split_hook"): frozenset({"allow", "refuse"}),
    ("huge", "leaf"): frozenset({"pmd", "pud"}),
    ("huge", "dontexpand"): frozenset({"keep", "clear"}),
}

NOT_APPLICABLE = "-"
ERRNO_RE = re.compile(r"E[A-Z0-9]+\Z")
MEMTYPE_RE = re.compile(r"[a-z]+(-[a-z]+)*\Z")      # x86 PAT: write-back, uncached-minus, ...
LOG_WORD_RE = re.compile(r"[!-~]+\Z")                # printable, no blank; '+' and '=' excluded below


# ---------------------------------------------------------------------------------------------
# Typed field values


@dataclass(frozen=True)
class Result:
    """A `result` field: ok, short (a partial read) or an errno name."""
    text: str

    @property
    def ok(self) -> bool:
        return self.text == "ok"

    @property
    def errno(self) -> Optional[str]:
        return self.text if ERRNO_RE.match(self.text) else None


@dataclass(frozen=True)
class Run:
    """count pages of one class; count None: the whole range (a one-word value)."""
    cls: str
    count: Optional[int]


@dataclass(frozen=True)
class Pages:
    """A `pages` or `target` field: page classes, run-length joined."""
    text: str
    runs: tuple

    def classes(self) -> tuple:
        """The classes in order of first appearance."""
        return tuple(dict.fromkeys(run.cls for run in self.runs))

    def uniform(self) -> Optional[str]:
        """The class of every page, or None when the pages differ."""
        classes = self.classes()
        return classes[0] if len(classes) == 1 else None

    def last(self) -> str:
        """The class of the range's last page."""
        return self.runs[-1].cls


@dataclass(frozen=True)
class PagesList:
    """A `pages_list` field: one Pages (or None: the range does not exist) per range, or a fork
    that failed (fork_errno) or a child that sent nothing (lost)."""
    text: str
    ranges: tuple = ()
    fork_errno: Optional[str] = None
    lost: bool = False


@dataclass(frozen=True)
class Closed:
    """A `closed` field: (range, times) pairs; empty for `none`."""
    text: str
    ranges: tuple = ()


@dataclass(frozen=True)
class Count:
    text: str
    value: int


@dataclass(frozen=True)
class Word:
    """An `enum` or `config` field: one word (config: kept, changed or an errno name)."""
    text: str


@dataclass(frozen=True)
class Words:
    """A `memtype` or `log` field: `none` (no words) or words joined by '+'."""
    text: str
    words: tuple = ()


FieldValue = Union[Result, Pages, PagesList, Closed, Count, Word, Words]


# ---------------------------------------------------------------------------------------------
# The describe document


@dataclass(frozen=True)
class FieldSpec:
    name: str
    kind: str
    meaning: str
    values: tuple
    # The architectures whose kernels have the field (x86 PAT); None: every one.
    arches: Optional[tuple] = None

    def on(self, arch: str) -> bool:
        return self.arches is None or arch in self.arches


@dataclass(frozen=True)
class OperationSpec:
    name: str
    what: str
    fields: tuple
    applies_to: tuple
    key: bool


@dataclass(frozen=True)
class AxisSpec:
    name: str
    values: tuple


@dataclass(frozen=True)
class FamilySpec:
    name: str
    what: str
    axes: tuple


@dataclass(frozen=True)
class MappingSpec:
    id: str
    family: str
    axes: Mapping[str, str]


def _require(doc, key, kind, where):
    """doc[key], which must be a `kind` (str, list, dict)."""
    if not isinstance(doc, dict) or key not in doc:
        raise VocabError(f"{where}: no {key!r}")
    if not isinstance(doc[key], kind):
        raise VocabError(f"{where}: {key!r} is not a {kind.__name__}")
    return doc[key]


def _strings(doc, key, where, default=None):
    if default is not None and key not in doc:
        return default
    value = _require(doc, key, list, where)
    if not all(isinstance(v, str) for v in value):
        raise VocabError(f"{where}: {key!r} must be a list of strings")
    return tuple(value)


def _unknown(what, values, known):
    extra = sorted(set(values) - set(known))
    if extra:
        raise VocabError(f"the probe can emit {what} {', '.join(extra)} that the report does not know")


@dataclass(frozen=True)
class Vocabulary:
    """One `pfnmap-probe --describe` document, checked against what the report understands."""
    families: Mapping[str, FamilySpec]
    mappings: Mapping[str, MappingSpec]
    operations: Mapping[str, OperationSpec]
    fields: Mapping[str, FieldSpec]
    page_classes: tuple
    target_classes: tuple
    outcome_kinds: tuple
    statuses: tuple
    verdicts: tuple
    checks: tuple
    log_concern: tuple
    exit_codes: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_describe(cls, doc) -> "Vocabulary":
        """Reads a describe document; VocabError for a document of another schema, a malformed
        one, or one that lists anything the report does not understand."""
        where = "describe"
        if not isinstance(doc, dict):
            raise VocabError(f"{where}: not a JSON object")
        if doc.get("tool") != "pfnmap-probe":
            raise VocabError(f"{where}: tool is {doc.get('tool')!r}, not 'pfnmap-probe'")
        if doc.get("schema_version") != SCHEMA_VERSION:
            raise VocabError(f"{where}: schema_version {doc.get('schema_version')!r}, this report "
                             f"reads {SCHEMA_VERSION}")

        fields = {}
        for i, f in enumerate(_require(doc, "fields", list, where)):
            w = f"{where}: fields[{i}]"
            arches = f.get("arches")
            if arches is not None and not isinstance(arches, str):
                raise VocabError(f"{w}: 'arches' is not a string or null")
            spec = FieldSpec(_require(f, "name", str, w), _require(f, "kind", str, w),
                             f.get("meaning") or "", _strings(f, "values", w, default=()),
                             tuple(arches.split(",")) if arches else None)
            fields[spec.name] = spec
        page_classes = _strings(doc, "page_classes", where)
        target_classes = _strings(doc, "target_classes", where)

        families = {}
        for i, fam in enumerate(_require(doc, "families", list, where)):
            w = f"{where}: families[{i}]"
            axes = tuple(AxisSpec(_require(a, "name", str, w), _strings(a, "values", w))
                         for a in _require(fam, "axes", list, w))
            spec = FamilySpec(_require(fam, "name", str, w), fam.get("what") or "", axes)
            families[spec.name] = spec

        mappings = {}
        for i, m in enumerate(_require(doc, "mappings", list, where)):
            w = f"{where}: mappings[{i}]"
            axes = _require(m, "axes", dict, w)
            spec = MappingSpec(_require(m, "id", str, w), _require(m, "family", str, w), dict(axes))
            mappings[spec.id] = spec

        operations = {}
        for i, op in enumerate(_require(doc, "operations", list, where)):
            w = f"{where}: operations[{i}]"
            spec = OperationSpec(_require(op, "name", str, w), op.get("what") or "",
                                 _strings(op, "fields", w), _strings(op, "applies_to", w, default=()),
                                 bool(op.get("key", False)))
            operations[spec.name] = spec

        exit_codes = doc.get("exit_codes") or {}
        vocab = cls(families=families, mappings=mappings, operations=operations, fields=fields,
                    page_classes=page_classes, target_classes=target_classes,
                    outcome_kinds=_strings(doc, "outcome_kinds", where),
                    statuses=_strings(doc, "statuses", where),
                    verdicts=_strings(doc, "verdicts", where),
                    checks=_strings(doc, "checks", where),
                    log_concern=_strings(doc, "log_concern", where, default=()),
                    exit_codes=dict(exit_codes) if isinstance(exit_codes, dict) else {})
        vocab.check_understood()
        return vocab

    def absent_fields(self, *arches) -> frozenset:
        """The fields some of these architectures lack (x86 PAT on arm64)."""
        return frozenset(name for name, spec in self.fields.items()
                         if not all(spec.on(arch) for arch in arches))

    # -----------------------------------------------------------------------------------------
    # The round trip: everything the probe can emit is something the report understands.

    def check_understood(self) -> None:
        for spec in self.fields.values():
            if spec.kind not in KINDS:
                raise VocabError(f"field {spec.name}: kind {spec.kind!r} is not one the report parses")
            if spec.name not in KNOWN_FIELDS:
                raise VocabError(f"the probe can emit field {spec.name!r} ({spec.kind}) that the "
                                 f"report does not know")
            if KNOWN_FIELDS[spec.name] != spec.kind:
                raise VocabError(f"field {spec.name}: the probe says kind {spec.kind!r}, the report "
                                 f"reads it as {KNOWN_FIELDS[spec.name]!r}")
            if spec.kind == "enum":
                if not spec.values:
                    raise VocabError(f"field {spec.name}: an enum without values")
                _unknown(f"{spec.name} values", spec.values, KNOWN_ENUM_VALUES[spec.name])
            if spec.kind == "result":
                odd = [v for v in spec.values if v not in ("ok", "short") and not ERRNO_RE.match(v)]
                if odd:
                    raise VocabError(f"field {spec.name}: result values {', '.join(odd)} are neither "
                                     f"ok, short nor an errno name")
        _unknown("page classes", self.page_classes, KNOWN_PAGE_CLASSES)
        _unknown("target classes", self.target_classes, KNOWN_TARGET_CLASSES)
        _unknown("outcome kinds", self.outcome_kinds, KNOWN_OUTCOME_KINDS)
        _unknown("statuses", self.statuses, KNOWN_STATUSES)
        _unknown("verdicts", self.verdicts, KNOWN_VERDICTS)
        _unknown("checks", self.checks, KNOWN_CHECKS)
        missing = [f for f in KNOWN_FAMILIES if f not in self.families]
        if missing:
            raise VocabError(f"the probe has no mapping family {', '.join(missing)}, which the report reads")
        for (family, axis), known in KNOWN_AXES.items():
            spec = self.families.get(family)
            values = next((a.values for a in spec.axes if a.name == axis), None) if spec else None
            if values is None:
                raise VocabError(f"family {family} has no axis {axis}, which the report reads")
            _unknown(f"{family} axis {axis} values", values, known)
        for op in self.operations.values():
            missing = [f for f in op.fields if f not in self.fields]
            if missing:
                raise VocabError(f"operation {op.name} reports undeclared fields {', '.join(missing)}")
        for m in self.mappings.values():
            if m.family not in self.families:
                raise VocabError(f"mapping {m.id}: unknown family {m.family}")
            for axis in self.families[m.family].axes:
                if m.axes.get(axis.name) not in axis.values:
                    raise VocabError(f"mapping {m.id}: axis {axis.name} is {m.axes.get(axis.name)!r}")

    def require(self, who: str, needs: Mapping[str, tuple]) -> None:
        """needs: operation -> the fields `who` reads from it. VocabError when the probe does not
        have that operation or it does not report that field."""
        for op, names in needs.items():
            spec = self.operations.get(op)
            if spec is None:
                raise VocabError(f"{who} reads operation {op}, which the probe does not have")
            missing = [n for n in names if n not in spec.fields]
            if missing:
                raise VocabError(f"{who} reads {', '.join(missing)} of {op}, which it does not report")

    # -----------------------------------------------------------------------------------------
    # Parsers

    @property
    def key_operations(self) -> tuple:
        return tuple(op.name for op in self.operations.values() if op.key)

    def parse(self, name: str, text: str) -> Optional[FieldValue]:
        """The typed value of field `name`; None for "-" (does not apply in this run)."""
        spec = self.fields.get(name)
        if spec is None:
            raise VocabError(f"unknown field {name!r}")
        if not isinstance(text, str) or not text:
            raise VocabError(f"{name}: {text!r} is not a value")
        if text == NOT_APPLICABLE:
            return None
        parser = getattr(self, f"_parse_{spec.kind}")
        return parser(spec, text)

    def parse_fields(self, fields: Mapping[str, str]) -> dict:
        return {name: self.parse(name, text) for name, text in fields.items()}

    def _errno(self, spec, text):
        return text in spec.values or re.fullmatch(r"E[0-9]+", text) is not None

    def _parse_result(self, spec, text):
        if text in ("ok", "short") or self._errno(spec, text):
            return Result(text)
        raise VocabError(f"{spec.name}: {text!r} is not ok, short or an errno name the probe lists")

    def _pages(self, spec, text, classes):
        runs = []
        parts = text.split("+")
        for part in parts:
            name, star, count = part.partition("*")
            if name not in classes:
                raise VocabError(f"{spec.name}: {text!r}: {name!r} is not one of {', '.join(classes)}")
            if star and not (count.isdigit() and int(count) > 0):
                raise VocabError(f"{spec.name}: {text!r}: bad run length {count!r}")
            if not star and len(parts) > 1:
                raise VocabError(f"{spec.name}: {text!r}: a run without its length")
            runs.append(Run(name, int(count) if star else None))
        return Pages(text, tuple(runs))

    def _parse_pages(self, spec, text):
        return self._pages(spec, text, self.page_classes)

    def _parse_target(self, spec, text):
        return self._pages(spec, text, self.target_classes)

    def _parse_pages_list(self, spec, text):
        if text == "lost":
            return PagesList(text, lost=True)
        if text.startswith("fork:"):
            errno = text[len("fork:"):]
            if not ERRNO_RE.match(errno):
                raise VocabError(f"{spec.name}: {text!r}: {errno!r} is not an errno name")
            return PagesList(text, fork_errno=errno)
        ranges = tuple(None if part == NOT_APPLICABLE else self._pages(spec, part, self.page_classes)
                       for part in text.split("/"))
        return PagesList(text, ranges=ranges)

    def _parse_enum(self, spec, text):
        if text not in spec.values:
            raise VocabError(f"{spec.name}: {text!r} is not one of {', '.join(spec.values)}")
        return Word(text)

    def _parse_closed(self, spec, text):
        if text == "none":
            return Closed(text)
        ranges = []
        for part in text.split("+"):
            name, star, count = part.partition("*")
            if name not in ("old", "new") or (star and not (count.isdigit() and int(count) > 0)):
                raise VocabError(f"{spec.name}: {text!r} is not none or old/new[*N] joined by +")
            ranges.append((name, int(count) if star else 1))
        return Closed(text, tuple(ranges))

    def _parse_count(self, spec, text):
        if not re.fullmatch(r"-?[0-9]+", text):
            raise VocabError(f"{spec.name}: {text!r} is not a decimal integer")
        return Count(text, int(text))

    def _words(self, spec, text, word_ok, what):
        if text == "none":
            return Words(text)
        words = tuple(text.split("+"))
        bad = [w for w in words if not word_ok(w)]
        if bad:
            raise VocabError(f"{spec.name}: {text!r}: {bad[0]!r} is not {what}")
        return Words(text, words)

    def _parse_memtype(self, spec, text):
        return self._words(spec, text, MEMTYPE_RE.match, "a memtype name")

    def _parse_log(self, spec, text):
        return self._words(spec, text, lambda w: LOG_WORD_RE.match(w) and "=" not in w,
                           "one word of a kernel log line")

    def _parse_config(self, spec, text):
        if text in ("kept", "changed") or ERRNO_RE.match(text):
            return Word(text)
        raise VocabError(f"{spec.name}: {text!r} is not kept, changed or an errno name")
