#!/usr/bin/python3
"""Checks the docs' marked tables against the logs of scripts/reproduce-docs.sh.

A table whose numbers a section prints has the line

    <!-- reproduce-docs: SECTION -->

right before it (several sections: separated by spaces). The table runs from the next line
to the first blank line. Every decimal number in it -- digits, a point, digits, and an
optional exponent (0.917, 47.13, 5.33e-39, -0.5) -- must appear as a whole token in
LOGS/SECTION.log (any of the named sections' logs). Integers (network numbers, counts,
seeds, hidden sizes, commits) are not checked. A table whose numbers were derived by hand
(means computed from a log, rounded or reformatted) must not be marked, or must get them
from a command first.

    scripts/check-doc-numbers.py --logs DIR [--sections a,b,...] FILE...

Prints FILE:LINE: NUMBER (section ...) for each number not found and exits 1; otherwise
prints "all N numbers found". Tables of sections without a log (or not in --sections) are
skipped and listed. Exit 2: a marked table is empty, or a requested section has no log.
"""
import argparse
import os
import re
import sys

MARKER = re.compile(r"^\s*<!--\s*reproduce-docs:\s*([\w\- ]+?)\s*-->\s*$")
# A decimal number as a whole token: no letter, digit or point glued to its front, and no
# letter, digit or further ".digit" after it (a sentence's full stop may follow).
NUMBER = re.compile(r"(?<![\w.])-?\d+\.\d+(?:[eE][-+]?\d+)?(?!\w|\.\d)")


def numbers(text):
    return NUMBER.findall(text)


def marked_tables(path):
    """Yields (sections, [(line number, line)]) for each marked table of one file."""
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    i = 0
    while i < len(lines):
        m = MARKER.match(lines[i])
        if not m:
            i += 1
            continue
        sections = m.group(1).split()
        table = []
        i += 1
        while i < len(lines) and lines[i].strip():
            table.append((i + 1, lines[i]))
            i += 1
        yield sections, table, i


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--logs", required=True, help="folder with SECTION.log files")
    ap.add_argument("--sections", default="", help="only these sections, comma-separated")
    ap.add_argument("files", nargs="+")
    args = ap.parse_args()
    only = [s for s in args.sections.split(",") if s]

    log_tokens = {}
    for s in only:
        if not os.path.isfile(os.path.join(args.logs, s + ".log")):
            print(f"check-doc-numbers: no log {args.logs}/{s}.log for section {s}", file=sys.stderr)
            return 2

    def tokens(section):
        if section not in log_tokens:
            p = os.path.join(args.logs, section + ".log")
            log_tokens[section] = set(numbers(open(p, encoding="utf-8").read())) if os.path.isfile(p) else None
        return log_tokens[section]

    checked = missing = tables = 0
    skipped = {}
    for path in args.files:
        for sections, table, _ in marked_tables(path):
            if only and not set(sections) & set(only):
                continue
            logs = [tokens(s) for s in sections if not only or s in only]
            logs = [t for t in logs if t is not None]
            if not logs:
                skipped[" ".join(sections)] = skipped.get(" ".join(sections), 0) + 1
                continue
            if not table:
                print(f"check-doc-numbers: {path}: a marker for {' '.join(sections)} with no table after it", file=sys.stderr)
                return 2
            tables += 1
            found = set().union(*logs)
            for number_line, text in table:
                for n in numbers(text):
                    checked += 1
                    if n not in found:
                        missing += 1
                        print(f"{path}:{number_line}: {n} (section {' '.join(sections)})")
    for s, count in sorted(skipped.items()):
        print(f"skipped: {count} table(s) of section {s} (no log)")
    if missing:
        print(f"{missing} of {checked} numbers in {tables} table(s) not found in their section's log")
        return 1
    print(f"all {checked} numbers found ({tables} table(s))")
    return 0


if __name__ == "__main__":
    sys.exit(main())
