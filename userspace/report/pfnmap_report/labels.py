"""Short names for sets of mapping ids: `dev.remap.*.{none,track}.*`, `ctl.{memfd,tmpfs-file}`.

A label is for reading only: nothing takes a label (or an id) apart to learn what a mapping is;
that comes from the mapping's family and axes. A label is a list of glob patterns over the ids'
dot-separated words, each pattern a product of word sets (`{a,b}` for some, `*` for every word
seen at that place among the ids considered), and together they match exactly the members.
"""

from __future__ import annotations

import itertools


def _words(mapping_id):
    return tuple(mapping_id.split("."))


def _product_inside(block, members):
    return all(combo in members for combo in itertools.product(*block))


def _render(block, places):
    parts = []
    for chosen, seen in zip(block, places):
        if len(chosen) == 1:
            parts.append(chosen[0])
        elif len(chosen) == len(seen):
            parts.append("*")
        else:
            parts.append("{" + ",".join(chosen) + "}")
    return ".".join(parts)


def cover(members, universe) -> list:
    """Glob patterns matching exactly `members` among `universe` (both lists of mapping ids;
    members must be in universe), in the order of their first member."""
    members = list(dict.fromkeys(members))
    universe = list(dict.fromkeys(list(universe) + members))
    patterns = []
    for length in dict.fromkeys(len(_words(m)) for m in members):
        same_length = [_words(u) for u in universe if len(_words(u)) == length]
        places = [list(dict.fromkeys(w[i] for w in same_length)) for i in range(length)]
        wanted = [_words(m) for m in members if len(_words(m)) == length]
        wanted_set = set(wanted)
        covered = set()
        for seed in wanted:
            if seed in covered:
                continue
            block = [[word] for word in seed]
            for i, seen in enumerate(places):
                for word in seen:
                    if word in block[i]:
                        continue
                    trial = block[:i] + [sorted(block[i] + [word], key=seen.index)] + block[i + 1:]
                    if _product_inside(trial, wanted_set):
                        block = trial
            covered.update(itertools.product(*block))
            patterns.append(_render(block, places))
    return patterns


def label(members, universe) -> str:
    return ", ".join(cover(members, universe))


def expand(pattern, universe) -> list:
    """The ids of universe a pattern of cover() matches (for checking labels)."""
    words = _words(pattern)
    out = []
    for u in universe:
        w = _words(u)
        if len(w) != len(words):
            continue
        if all(p == "*" or p == x or (p.startswith("{") and x in p[1:-1].split(","))
               for p, x in zip(words, w)):
            out.append(u)
    return out
