#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""probe-schema.json checks probe.json by hand-written rules; the probe owns the vocabulary
(`pfnmap-probe --describe`). This compares the two so that the schema cannot lag: every outcome
field the probe describes has a schema property and no other does, each enum field allows
exactly the probe's values (and "-"), and the page and target classes the probe can print are
the ones the schema's patterns name. Exit 1 with the differences.

Usage: check_schema_vocab.py PROBE SCHEMA
"""
import json
import re
import subprocess
import sys


def resolve(schema, node):
    while "$ref" in node:
        node = schema["$defs"][node["$ref"].rsplit("/", 1)[1]]
    return node


def classes_in(pattern):
    """The words of the first (a|b|c) group of a pattern."""
    group = re.search(r"\(([a-z|]+)\)", pattern)
    return set(group.group(1).split("|")) if group else set()


def main(argv):
    if len(argv) != 3:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    describe = json.loads(subprocess.run([argv[1], "--describe"], check=True,
                                         capture_output=True, text=True).stdout)
    with open(argv[2], encoding="utf-8") as f:
        schema = json.load(f)
    problems = []
    props = schema["$defs"]["fields"]["properties"]
    fields = {f["name"]: f for f in describe["fields"]}
    if set(props) != set(fields):
        problems.append(f"fields: schema has {sorted(set(props) - set(fields))} extra, "
                        f"lacks {sorted(set(fields) - set(props))}")
    for name, field in fields.items():
        if field["kind"] != "enum" or name not in props:
            continue
        allowed = set(resolve(schema, props[name]).get("enum", [])) - {"-"}
        if allowed != set(field["values"]):
            problems.append(f"{name}: schema allows {sorted(allowed)}, the probe {sorted(field['values'])}")
    for kind, words in (("pages", describe["page_classes"]), ("target", describe["target_classes"])):
        named = classes_in(schema["$defs"][kind]["pattern"])
        if named != set(words):
            problems.append(f"{kind} classes: schema {sorted(named)}, probe {sorted(words)}")
    for p in problems:
        print(f"check_schema_vocab: {p}")
    if not problems:
        print(f"check_schema_vocab: {len(fields)} fields, their enums and the page classes agree")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
