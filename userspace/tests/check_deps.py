#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The probe's files must form layers, not circles: no header includes itself through
others, and no object file needs a symbol from one that (directly or not) needs it back.
Reads the sources' #include "..." lines and `nm` of the built objects.

Usage: check_deps.py SRC_DIR OBJ_DIR [--graph]   (exit 1 on a circle, printing it)
"""
import os
import re
import subprocess
import sys


def include_graph(src):
    graph = {}
    for name in sorted(os.listdir(src)):
        if name.endswith((".c", ".h")):
            with open(os.path.join(src, name), encoding="utf-8") as f:
                graph[name] = sorted(set(re.findall(r'^#include "([^"]+)"', f.read(), re.M)))
    return graph


def symbol_graph(obj):
    """Object -> objects it takes symbols from (main.o and tests excluded: nothing uses them)."""
    defined, used = {}, {}
    for name in sorted(os.listdir(obj)):
        if not name.endswith(".o") or name == "main.o":
            continue
        out = subprocess.run(["nm", os.path.join(obj, name)], capture_output=True, text=True,
                             check=True).stdout
        for line in out.splitlines():
            parts = line.split()
            if len(parts) == 3 and parts[1] in "TDBR":
                defined[parts[2]] = name
            elif len(parts) == 2 and parts[0] == "U":
                used.setdefault(name, set()).add(parts[1])
    return {o: sorted({defined[s] for s in syms if s in defined and defined[s] != o})
            for o, syms in used.items()}


def find_cycle(graph):
    state, stack = {}, []

    def visit(node):
        state[node] = "open"
        stack.append(node)
        for nxt in graph.get(node, []):
            if state.get(nxt) == "open":
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        stack.pop()
        state[node] = "done"
        return None

    for node in sorted(graph):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def main(argv):
    src, obj = argv[1], argv[2]
    failed = False
    for what, graph in (("include", include_graph(src)), ("symbol", symbol_graph(obj))):
        if "--graph" in argv:
            for node, deps in sorted(graph.items()):
                print(f"{what}: {node} -> {' '.join(deps) or '-'}")
        cycle = find_cycle(graph)
        if cycle:
            print(f"check_deps: {what} circle: {' -> '.join(cycle)}")
            failed = True
        else:
            print(f"check_deps: no {what} circle among {len(graph)} files")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
