#!/usr/bin/env python3
"""Extracts the C++ code blocks of the Markdown docs so that ctest can build and run them.

The convention (docs/writing-docs.md): every fenced block whose info string starts with cpp,
c++, cc or cxx carries a marker, an HTML comment on the line right before its fence (GitHub
does not render it):

  <!-- docs-test: program -->        a complete program: built against cafmq and run; it must
                                       exit 0 within the test's timeout
  <!-- docs-test: fragment -->       statements: compiled, never run, as the body of a function
                                       in a file that includes <cafmq/cafmq.hpp>; its #include
                                       lines move to the top of that file
  <!-- docs-test: fragment            the same, after setup lines (declarations the fragment
  cafmq::context ctx;                  uses, such as `ctx`), which are compiled, not shown
  -->
  <!-- docs-test: skip REASON -->     not compiled; REASON says why (required)

A program or a one-line fragment marker may end with the option c++20 (`<!-- docs-test: program
c++20 -->` on one line): the block is compiled as C++20 (coroutines), the rest as C++17.

Usage: extract_doc_blocks.py --root SRC --out DIR [--unchecked FILE]... FILE.md...
Writes DIR/<name>.cpp for each program and fragment, and DIR/blocks.cmake, which calls
cafmq_doc_program(NAME DOC SOURCE), cafmq_doc_fragment(NAME DOC SOURCE) and
cafmq_doc_problem(NAME DOC TEXT) (an unmarked block, a bad marker) for the CMake side; a c++20
block's call ends with the standard (20). FILEs
given with --unchecked are not yet marked: their unmarked blocks are reported but not failed.
A source file is rewritten only when its text changes, so unchanged blocks are not rebuilt.
"""
import argparse
import os
import re
import sys

CPP_LANGUAGES = {"cpp", "c++", "cc", "cxx"}
FENCE = re.compile(r"^( {0,3})(`{3,}|~{3,})(.*)$")
MARKER = re.compile(r"^\s*<!--\s*docs-test:\s*(\S+)\s*(.*?)\s*$")
INCLUDE = re.compile(r"^\s*#\s*include\b")


class Block:
    def __init__(self, doc, fence_line, language, body):
        self.doc = doc                # path relative to the source root
        self.fence_line = fence_line  # 1-based line of the opening fence
        self.language = language
        self.body = body              # list of lines
        self.kind = None              # program, fragment, skip; None: unmarked
        self.setup = []               # fragment setup lines
        self.setup_line = 0           # 1-based line of the first setup line
        self.problem = None           # what is wrong with the marker
        self.standard = None          # the C++ standard, when the marker asks for one (20)

    @property
    def name(self):
        stem = re.sub(r"[^A-Za-z0-9]+", "_", self.doc).strip("_")
        return f"doc_{stem}_L{self.fence_line}"

    @property
    def test_name(self):
        return f"docs:{self.doc}:{self.fence_line}"


def closing_fence(line, opener):
    """A closing fence: the opener's character, at least as long, nothing but spaces after."""
    m = FENCE.match(line)
    return bool(m and m.group(2)[0] == opener[0] and len(m.group(2)) >= len(opener)
                and m.group(3).strip() == "")


def read_marker(lines, fence_index):
    """The docs-test comment ending on the line before the fence: (kind, argument, setup lines,
    the first setup line's number, problem), or None if there is none."""
    end = fence_index - 1
    if end < 0 or not lines[end].rstrip().endswith("-->"):
        return None
    start = end
    while start >= 0 and "<!--" not in lines[start]:
        start -= 1
    if start < 0:
        return None
    m = MARKER.match(lines[start])
    if not m:
        return None
    kind, rest = m.group(1), m.group(2)
    if start == end:  # one line: <!-- docs-test: kind [argument] -->
        argument = rest[:-3].strip() if rest.endswith("-->") else rest
        return kind, argument, [], 0, None
    # Several lines: the first names the kind, the lines up to "-->" are setup.
    setup = lines[start + 1:end]
    last = lines[end].rstrip()[:-3]
    if last.strip():
        setup.append(last)
    problem = None
    if kind != "fragment":
        problem = f"only a fragment takes setup lines, not a {kind}"
    if rest:
        problem = f"unexpected '{rest}' after 'docs-test: {kind}'"
    return kind, rest, setup, start + 2, problem


def parse(root, doc):
    with open(os.path.join(root, doc), encoding="utf-8") as f:
        lines = f.read().split("\n")
    blocks = []
    i = 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m or (m.group(2)[0] == "`" and "`" in m.group(3)):
            i += 1
            continue
        opener, info = m.group(2), m.group(3).strip()
        start = i
        i += 1
        body = []
        while i < len(lines) and not closing_fence(lines[i], opener):
            body.append(lines[i])
            i += 1
        i += 1  # past the closing fence (or the end of the file)
        language = info.split()[0].lower() if info else ""
        marker = read_marker(lines, start)
        if language not in CPP_LANGUAGES:
            if marker:
                b = Block(doc, start + 1, language, body)
                b.problem = "a docs-test marker on a block that is not C++ (```cpp)"
                blocks.append(b)
            continue
        b = Block(doc, start + 1, language, body)
        if marker:
            kind, argument, setup, setup_line, problem = marker
            b.kind, b.setup, b.setup_line, b.problem = kind, setup, setup_line, problem
            if kind not in ("program", "fragment", "skip"):
                b.problem = f"unknown docs-test kind '{kind}' (program, fragment or skip)"
            elif kind == "skip" and not argument:
                b.problem = "'docs-test: skip' needs a reason"
            elif kind != "skip" and argument == "c++20" and not setup:
                b.standard = 20
            elif kind != "skip" and argument and not setup:
                b.problem = (f"unexpected '{argument}' after 'docs-test: {kind}' (the only option "
                             "is c++20)")
        blocks.append(b)
    return blocks


def line_directive(line, path):
    return f'#line {line} "{path}"'


def program_source(b, path):
    return "\n".join([f"// {b.doc}:{b.fence_line}, a program (tests/docs/extract_doc_blocks.py).",
                      line_directive(b.fence_line + 1, path)] + b.body) + "\n"


def fragment_source(b, path):
    """The fragment as a function body; #include lines (block and setup) go to the top, and
    blank lines keep the block's line numbers for #line."""
    includes = [l for l in b.setup + b.body if INCLUDE.match(l)]
    setup = ["" if INCLUDE.match(l) else l for l in b.setup]
    body = ["" if INCLUDE.match(l) else l for l in b.body]
    out = [f"// {b.doc}:{b.fence_line}, a fragment: compiled, never run "
           "(tests/docs/extract_doc_blocks.py).",
           "#include <cafmq/cafmq.hpp>"] + includes + [
           "namespace {",
           "[[maybe_unused]] void docs_fragment() {"] + (
           [line_directive(b.setup_line, path)] + setup if setup else []) + [
           line_directive(b.fence_line + 1, path)] + body + [
           "}",
           "} // namespace"]
    return "\n".join(out) + "\n"


def write_if_changed(path, text):
    try:
        with open(path, encoding="utf-8") as f:
            if f.read() == text:
                return
    except FileNotFoundError:
        pass
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def cmake_string(text):
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("$", "\\$") + '"'


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--root", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--unchecked", action="append", default=[])
    ap.add_argument("docs", nargs="+")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    calls = []
    written = set()
    counts = {"program": 0, "fragment": 0, "skip": 0, "unchecked": 0, "problem": 0}
    for doc in args.docs:
        for b in parse(args.root, doc):
            path = os.path.join(os.path.abspath(args.root), b.doc)
            doc_arg = cmake_string(f"{b.doc}:{b.fence_line}")
            if b.kind is None and b.problem is None:
                if doc in args.unchecked:
                    counts["unchecked"] += 1
                    continue
                b.problem = ("a C++ block without a docs-test marker: put <!-- docs-test: program -->, "
                             "fragment or skip REASON on the line before its fence "
                             "(docs/writing-docs.md)")
            if b.problem:
                counts["problem"] += 1
                calls.append(f"cafmq_doc_problem({b.name} {doc_arg} {cmake_string(b.problem)})")
                continue
            counts[b.kind] += 1
            if b.kind == "skip":
                continue
            source = os.path.join(args.out, b.name + ".cpp")
            make = program_source if b.kind == "program" else fragment_source
            write_if_changed(source, make(b, path))
            written.add(b.name + ".cpp")
            standard = f" {b.standard}" if b.standard else ""
            calls.append(f"cafmq_doc_{b.kind}({b.name} {doc_arg} {cmake_string(source)}{standard})")
    for stale in set(os.listdir(args.out)) - written:
        if stale.startswith("doc_") and stale.endswith(".cpp"):
            os.remove(os.path.join(args.out, stale))
    summary = ", ".join(f"{n} {k}" for k, n in counts.items())
    calls.append(f"set(CAFMQ_DOCS_SUMMARY {cmake_string(summary)})")
    write_if_changed(os.path.join(args.out, "blocks.cmake"), "\n".join(calls) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
