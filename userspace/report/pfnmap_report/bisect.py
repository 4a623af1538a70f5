"""The verdict of one `run-qemu.sh --bisect` guest for git bisect run: good, bad or skip.

What good is: the probe's own verdict. The probe compared each case's outcome with the
expectations it was given (expectations.txt for the tree's kernel version, or one line per
--bisect glob made from --bisect-good OUTCOME) and ran its checks; a case is good when its status
is "ok". So a WARNING, BUG or Oops the kernel logged during a case is bad, whatever the outcome,
unless the case's outcome carries the log itself (a `log` field): then the expectation judges it.

A commit is bad when any bisected case is bad (a measured difference outweighs a case that could
not run), else skipped (git bisect run's 125) when a case did not run or could not be judged,
else good. This module decides; scripts/common.sh turns the words into exit codes.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Optional

from .load import BadInput, read_probe_json
from .model import Case
from .vocab import VocabError, Vocabulary

GOOD, BAD, SKIP = "good", "bad", "skip"
# The worse verdict wins when the cases are combined.
RANK = {GOOD: 0, SKIP: 1, BAD: 2}


@dataclass(frozen=True)
class CaseVerdict:
    case_id: str
    verdict: str
    why: str


@dataclass(frozen=True)
class BisectVerdict:
    verdict: str
    cases: tuple
    why: str = ""

    def lines(self) -> list:
        """The verdict, then one line per case (or the reason when no case was judged)."""
        head = [self.verdict] + ([self.why] if self.why else [])
        return head + [f"{c.verdict}: {c.case_id}: {c.why}" for c in self.cases]


def outcome_error(vocab: Vocabulary, operation: str, text: str) -> Optional[str]:
    """Why `text` cannot be an outcome of `operation`, or None when it can. An outcome is what
    the probe prints and expectations.txt holds: the operation's fields as name=value in the
    probe's field order, or one word of another outcome kind (timeout, crash=SIGSEGV, ...)."""
    spec = vocab.operations.get(operation)
    if spec is None:
        return f"the probe has no operation {operation!r}"
    words = text.split()
    if not words:
        return "an empty outcome"
    kind = words[0].split("=", 1)[0]
    if kind in vocab.outcome_kinds and kind != "fields":
        return None if len(words) == 1 else f"{kind} is an outcome of one word, not {text!r}"
    names = [word.split("=", 1)[0] for word in words]
    if names != list(spec.fields):
        return (f"{operation} reports {' '.join(f + '=' for f in spec.fields)} in that order, "
                f"not {' '.join(n + '=' for n in names)}")
    for word in words:
        name, _, value = word.partition("=")
        try:
            vocab.parse(name, value)
        except VocabError as e:
            return str(e)
    return None


def judge_case(case: Case) -> CaseVerdict:
    """One case as the probe judged it, in bisect's words."""
    if case.status == "skip":
        return CaseVerdict(case.id, SKIP, f"skipped: {case.skip_reason}")
    if case.outcome_kind == "setup" and not (case.expected or "").startswith("setup"):
        return CaseVerdict(case.id, SKIP, f"could not set up: {case.outcome}")
    if case.verdict == "new":
        return CaseVerdict(case.id, SKIP, f"{case.outcome}, but no expectation for this kernel "
                                          f"version (say what good is with --bisect-good)")
    if case.status == "ok":
        return CaseVerdict(case.id, GOOD, f"{case.outcome}, as good is")
    if case.verdict == "changed":
        return CaseVerdict(case.id, BAD, f"{case.outcome}, good is {case.expected}")
    failed = ", ".join(case.checks.failed()) or "a check"
    kmsg = f": {' | '.join(case.kmsg)}" if case.kmsg else ""
    return CaseVerdict(case.id, BAD, f"{case.outcome} as good is, but {failed} failed{kmsg}")


def judge_column(column_dir, vocab: Vocabulary, probe_went_down: bool = False) -> BisectVerdict:
    """The verdict of one guest's results directory. probe_went_down: the guest left no
    probe.json and its console shows a kernel splat in the probe's process (a panic or lockup in
    a case): bad; without probe.json otherwise, the cases never ran (a hang or panic before them,
    at boot or insmod): skip."""
    path = os.path.join(column_dir, "probe.json")
    if not os.path.exists(path):
        if probe_went_down:
            return BisectVerdict(BAD, (), "no probe.json: the kernel went down in the probe "
                                          "(a splat naming pfnmap-probe on the console)")
        return BisectVerdict(SKIP, (), "no probe.json: the guest ended before the cases were "
                                       "recorded (see console.log)")
    try:
        _, cases = read_probe_json(path, vocab)
    except BadInput as e:
        return BisectVerdict(SKIP, (), f"unreadable results: {e}")
    if not cases:
        return BisectVerdict(SKIP, (), "probe.json has no case")
    verdicts = tuple(judge_case(case) for case in cases)
    worst = max((v.verdict for v in verdicts), key=RANK.__getitem__)
    return BisectVerdict(worst, verdicts)
