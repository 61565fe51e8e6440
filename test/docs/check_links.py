#!/usr/bin/python3
"""ctest doc-links: every relative link of README.md and docs/**/*.md must
reach a file or directory of the repository, and a `#fragment` into a
markdown page one of its headings (as GitHub makes their anchors). Links in
code blocks and code spans are not links; http(s)/mailto ones are not
checked. Prints file:line for each broken link and exits 1 if there is any.

  check_links.py [--root DIR] [FILE.md ...]   (default: README.md and docs/**/*.md)
"""
import argparse
import glob
import os
import re
import sys

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
LINK = re.compile(r"!?\[(?:[^\]\[]|\[[^\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
FENCE = re.compile(r"^\s*(```|~~~)")
CODE_SPAN = re.compile(r"(`+)(?:(?!\1).)+?\1")


def anchors(path, cache={}):
    """The anchors GitHub gives the headings of markdown file `path`."""
    if path not in cache:
        found, seen, fenced = set(), {}, False
        for line in open(path, encoding="utf-8"):
            if FENCE.match(line):
                fenced = not fenced
                continue
            m = None if fenced else re.match(r"^#{1,6}\s+(.*?)\s*#*\s*$", line)
            if not m:
                continue
            text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", m.group(1))  # a link's text only
            slug = re.sub(r"[^\w\- ]", "", text.lower()).replace(" ", "-")
            n = seen.get(slug, 0)
            seen[slug] = n + 1
            found.add(slug if n == 0 else f"{slug}-{n}")
        cache[path] = found
    return cache[path]


def links(path):
    """(line number, target) of each link of `path` outside code."""
    fenced = False
    for number, line in enumerate(open(path, encoding="utf-8"), 1):
        if FENCE.match(line):
            fenced = not fenced
            continue
        if fenced:
            continue
        for m in LINK.finditer(CODE_SPAN.sub("", line)):
            yield number, m.group(1)


def check(path, root):
    problems = []
    for number, target in links(path):
        if re.match(r"[a-zA-Z][a-zA-Z0-9+.-]*:", target):  # http:, https:, mailto:
            continue
        file, _, fragment = target.partition("#")
        where = os.path.normpath(os.path.join(os.path.dirname(path), file)) if file else path
        rel = os.path.relpath(path, root)
        if not os.path.exists(where):
            problems.append(f"{rel}:{number}: {target}: no such file")
        elif not os.path.realpath(where).startswith(os.path.realpath(root) + os.sep):
            problems.append(f"{rel}:{number}: {target}: outside the repository")
        elif fragment and where.endswith(".md") and fragment not in anchors(where):
            problems.append(f"{rel}:{number}: {target}: no heading #{fragment} in {os.path.relpath(where, root)}")
    return problems


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--root", default=ROOT)
    p.add_argument("files", nargs="*")
    args = p.parse_args()
    root = os.path.abspath(args.root)
    files = args.files or [os.path.join(root, "README.md")] + sorted(
        glob.glob(os.path.join(root, "docs", "**", "*.md"), recursive=True))
    problems, count = [], 0
    for f in files:
        problems += check(os.path.abspath(f), root)
        count += sum(1 for _ in links(f))
    for line in problems:
        print(line)
    print(f"{len(files)} files, {count} links, {len(problems)} broken")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
