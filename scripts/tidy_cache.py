#!/usr/bin/env python3
"""A result cache for clang-tidy (scripts/static-analysis.sh).

A translation unit found clean once needs no second look while nothing clang-tidy sees has
changed: its preprocessed text (comments kept, so NOLINT counts), its compile flags, the
.clang-tidy file, the header filter and clang-tidy's version. Each clean unit leaves an empty
file named by the hash of all that in the cache directory; the clone's own path is taken out
first, so every clone on the machine shares the cache.

  tidy_cache.py select DB ROOT FILE_REGEX HEADER_FILTER TIDY STATE
      prints, one regex per line, the units of DB (compile_commands.json) under FILE_REGEX that
      have no clean entry, and writes their keys to STATE
  tidy_cache.py commit STATE
      records every unit of STATE as clean (call it only after a clean run over them)

The cache lives in $CAFMQ_TIDY_CACHE, else $XDG_CACHE_HOME/cafmq/clang-tidy, else
~/.cache/cafmq/clang-tidy. A unit that cannot be preprocessed is always selected.
"""
import concurrent.futures
import hashlib
import json
import os
import re
import shlex
import subprocess
import sys

FORMAT = b"cafmq-tidy-cache 1"
COMPILER = re.compile(r"(^|/)(c\+\+|g\+\+|gcc|cc|clang\+\+|clang)(-[0-9.]+)?$")


def cache_dir():
    if os.environ.get("CAFMQ_TIDY_CACHE"):
        return os.environ["CAFMQ_TIDY_CACHE"]
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "cafmq", "clang-tidy")


def compiler_args(entry):
    """The compile command without its launcher (cmake -E env ... ccache), -o and -c."""
    args = entry["arguments"] if "arguments" in entry else shlex.split(entry["command"])
    start = next((i for i, a in enumerate(args) if COMPILER.search(a)), None)
    if start is None:
        return None
    out, skip = [], False
    for a in args[start:]:
        if skip:
            skip = False
        elif a == "-o":
            skip = True
        elif a != "-c" and a != entry["file"]:
            out.append(a)
    return out


def unit_key(entry, root, salt):
    """The unit's key, or None if it does not preprocess."""
    args = compiler_args(entry)
    if args is None:
        return None
    run = subprocess.run(args + ["-E", "-P", "-C", entry["file"]], cwd=entry["directory"],
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, check=False)
    if run.returncode != 0:
        return None
    h = hashlib.sha256(salt)
    h.update(" ".join(args).replace(root, "<root>").encode())
    h.update(entry["file"].replace(root, "<root>").encode())
    h.update(run.stdout.replace(root.encode(), b"<root>"))
    return h.hexdigest()


def select(db_path, root, file_regex, header_filter, tidy, state_path):
    with open(db_path, encoding="utf-8") as f:
        entries = [e for e in json.load(f) if re.search(file_regex, e["file"])]
    version = subprocess.run([tidy, "--version"], stdout=subprocess.PIPE, check=False).stdout
    with open(os.path.join(root, ".clang-tidy"), "rb") as f:
        config = f.read()
    salt = b"\0".join([FORMAT, version, config, header_filter.replace(root, "<root>").encode()])
    with concurrent.futures.ThreadPoolExecutor(os.cpu_count() or 2) as pool:
        keys = list(pool.map(lambda e: unit_key(e, root, salt), entries))
    cache = cache_dir()
    pending = {}
    for entry, key in zip(entries, keys):
        if key is None or not os.path.exists(os.path.join(cache, key)):
            pending[entry["file"]] = key
            print(re.escape(entry["file"]) + "$")
    with open(state_path, "w", encoding="utf-8") as f:
        json.dump(pending, f)


def commit(state_path):
    with open(state_path, encoding="utf-8") as f:
        pending = json.load(f)
    cache = cache_dir()
    os.makedirs(cache, exist_ok=True)
    for key in pending.values():
        if key:
            open(os.path.join(cache, key), "w", encoding="utf-8").close()


def main(argv):
    if len(argv) == 8 and argv[1] == "select":
        select(*argv[2:])
    elif len(argv) == 3 and argv[1] == "commit":
        commit(argv[2])
    else:
        sys.stderr.write(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
