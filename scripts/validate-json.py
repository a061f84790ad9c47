#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Validates verify-roundtrip --json output against schema/verify-roundtrip.schema.json.

Usage: validate-json.py FILE...   (each file: one document, or JSON Lines from --accounts)
Besides the schema, checks the rule the schema cannot express: every time in milliseconds is
written as a number with a fraction (one type for every reader, never 12 in one document and
12.5 in the next). Prints "valid N" (N documents) or each problem, and exits 1 on any.
"""
import json
import pathlib
import sys

import jsonschema

SCHEMA = pathlib.Path(__file__).resolve().parent.parent / "schema" / "verify-roundtrip.schema.json"


def ms_problems(value, path):
    if isinstance(value, dict):
        for key, v in value.items():
            where = f"{path}.{key}"
            if (key == "ms" or key.endswith("_ms")) and v is not None and not isinstance(v, float):
                yield f"{where}: {v!r} is not written as a decimal number"
            yield from ms_problems(v, where)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from ms_problems(v, f"{path}[{i}]")


def main(paths):
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.FormatChecker())
    problems, count = [], 0
    for path in paths:
        text = pathlib.Path(path).read_text(encoding="utf-8")
        lines = [line for line in text.splitlines() if line.strip()]
        if not lines:
            problems.append(f"{path}: no document")
        for n, line in enumerate(lines, 1):
            where = f"{path}:{n}"
            try:
                doc = json.loads(line)
            except ValueError as e:
                problems.append(f"{where}: not JSON: {e}")
                continue
            count += 1
            for error in validator.iter_errors(doc):
                problems.append(f"{where}: {'/'.join(map(str, error.absolute_path))}: {error.message}")
            problems.extend(f"{where}: {p}" for p in ms_problems(doc, "$"))
    for p in problems:
        print(p)
    if not problems:
        print(f"valid {count}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
