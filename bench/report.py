#!/usr/bin/python3
"""Runs the benchmarks and writes docs/performance.md with SVG charts (standard library only).

  bench/report.py run [--runs R] [--quick]   build, run every benchmark (--json), save, render
                                             (R = 5 runs per figure by default; about 10 min)
  bench/report.py render                     render the page again from the saved results
  bench/report.py --check                    render bench/testdata into a temporary directory
                                             and verify the parsing and the charts
"""

import argparse
import datetime
import json
import os
import platform
import shlex
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import report_data  # noqa: E402
import report_page  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PAGE = os.path.join(ROOT, "docs", "performance.md")
IMG_DIR = os.path.join(ROOT, "docs", "performance")
DATA_DIR = os.path.join(IMG_DIR, "data")
TESTDATA = os.path.join(ROOT, "bench", "testdata")
REGENERATE = ["bench/report.py run      # runs the benchmarks (5 runs a figure), then renders",
              "bench/report.py run --quick --runs 1   # a try-out in a minute or two",
              "bench/report.py render   # renders again from docs/performance/data",
              "bench/report.py --check  # checks the parsing and the charts on bench/testdata"]

# Saved file name -> bench/run.sh arguments (each also gets --runs R --json).
BENCHMARKS = {
    "push_pull": ["push_pull", "--sizes", "16,64,256,1K,4K,16K,64K",
                  "--small-count", "3000000", "--large-count", "30000"],
    "curve": ["push_pull", "--curve", "--sizes", "16,256,4K,64K",
              "--small-count", "300000", "--large-count", "5000"],
    "req_rep": ["req_rep", "--sizes", "16,256,4K,64K", "--count", "10000"],
    "pub_sub": ["pub_sub", "--subscribers", "1,10,100", "--deliveries", "1000000"],
}
COUNT_FLAGS = ("--small-count", "--large-count", "--count", "--deliveries")


def first_line(command):
    try:
        return subprocess.run(command, capture_output=True, text=True, check=True,
                              cwd=ROOT).stdout.splitlines()[0].strip()
    except (OSError, subprocess.CalledProcessError, IndexError):
        return "unknown"


def cpu_model():
    with open("/proc/cpuinfo", encoding="utf-8") as f:
        for line in f:
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return "unknown"


def machine():
    dirty = first_line(["git", "status", "--porcelain", "--untracked-files=no", "--", ".",
                        ":!docs/performance", ":!docs/performance.md"])
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M"),
        "nproc": os.cpu_count(),
        "cpu_model": cpu_model(),
        "kernel": platform.release(),
        "compiler": first_line(["c++", "--version"]),
        "libzmq": first_line(["dpkg-query", "-W", "-f=${Version}\n", "libzmq5"]),
        "commit": first_line(["git", "rev-parse", "--short", "HEAD"])
                  + (" (with local changes)" if dirty != "unknown" else ""),
        "load_average": {"start": round(os.getloadavg()[0], 1)},
    }


def arguments(args, runs, quick):
    """`args` with --runs and --json added; --quick divides the counts by 10."""
    out = list(args)
    if quick:
        for i, a in enumerate(out[:-1]):
            if a in COUNT_FLAGS:
                out[i + 1] = str(max(2, int(out[i + 1]) // 10))
    return out + ["--runs", str(runs), "--json"]


def run(runs, quick):
    os.makedirs(DATA_DIR, exist_ok=True)
    info, commands, t0 = machine(), [], time.monotonic()
    for name, args in BENCHMARKS.items():
        command = ["bench/run.sh"] + arguments(args, runs, quick)
        commands.append(shlex.join(command))
        print(f"report: {commands[-1]}", flush=True)
        with open(os.path.join(DATA_DIR, name + ".jsonl"), "w", encoding="utf-8") as out, \
                open(os.path.join(DATA_DIR, name + ".txt"), "w", encoding="utf-8") as err:
            done = subprocess.run(command, stdout=out, stderr=err, cwd=ROOT)
        if done.returncode != 0:
            sys.exit(f"report: {commands[-1]} failed (exit {done.returncode}); "
                     f"see {os.path.join(DATA_DIR, name + '.txt')}")
    info["load_average"]["end"] = round(os.getloadavg()[0], 1)
    info["minutes"] = max(1, round((time.monotonic() - t0) / 60))
    info["commands"] = commands
    with open(os.path.join(DATA_DIR, "machine.json"), "w", encoding="utf-8") as f:
        json.dump(info, f, indent=2)
        f.write("\n")
    render(DATA_DIR, PAGE, IMG_DIR)


def render(data_dir, page, img_dir):
    charts = report_page.write_page(report_data.read_results(data_dir), page, img_dir, data_dir,
                                    REGENERATE)
    print(f"report: wrote {page} and {len(charts)} charts in {img_dir}")
    return charts


def check():
    """Renders the canned results and checks what came out; exits non-zero on a failure."""
    failures = []

    def expect(condition, what):
        if not condition:
            failures.append(what)

    with tempfile.TemporaryDirectory() as tmp:
        page, img_dir = os.path.join(tmp, "performance.md"), os.path.join(tmp, "img")
        charts = render(TESTDATA, page, img_dir)
        text = open(page, encoding="utf-8").read()
        expect(len(charts) == 5, f"5 charts expected, got {charts}")
        for name in charts:
            svg = ET.parse(os.path.join(img_dir, name)).getroot()
            lines = svg.findall("{http://www.w3.org/2000/svg}polyline")
            expect(len(lines) in (2, 3), f"{name}: {len(lines)} lines, expected 2 or 3")
            expect(f"(img/{name})" in text, f"the page does not show {name}")
        # 16 B: cafmq 12 M/s against libzmq 4 M/s; rounds 3/1, 2.5/1.25, 2/1 -> median 2.5x.
        expect("| PUSH/PULL 16 B | cafmq/libzmq messages/s | 3.00x / 2.50x |" in text,
               "the 16 B headline ratio is not 3.00x / 2.50x")
        expect("| 64 KiB | 1.2k msg/s, 79 MB/s | 1.5k msg/s, 98 MB/s | 1.25x / 1.21x |" in text,
               "the 64 KiB CURVE row")
        expect("shared and loaded" in text, "the load note is missing")
        expect("In this run: cafmq was at least as fast as libzmq at every size" in text,
               "the note on sizes where cafmq is slower")
        expect("| 100 | 10,000 | 2M/s | 3M/s | 1.50x / 1.50x |" in text,
               "the fan-out row for N=100")
        expect("| REQ/REP 16 B | cafmq/libzmq round trip (lower is better) | 0.67x / 0.67x |"
               in text, "the REQ/REP headline row")
        bad = os.path.join(tmp, "bad.jsonl")
        with open(bad, "w", encoding="utf-8") as f:
            f.write('{"bench":"req_rep","impl":"cafmq"}\nnot json\n')
        try:
            report_data.read_lines(bad, {"req_rep"})
            failures.append("a record without its figures was accepted")
        except ValueError as e:
            expect(f"{bad}:1: req_rep record lacks size" in str(e), f"unclear error: {e}")
    for f in failures:
        print(f"report check: FAILED: {f}", file=sys.stderr)
    print("report check: " + ("OK" if not failures else f"{len(failures)} failures"))
    return 1 if failures else 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", nargs="?", choices=("run", "render"))
    parser.add_argument("--runs", type=int, default=5, help="runs per figure (default 5)")
    parser.add_argument("--quick", action="store_true", help="a tenth of the counts (a try-out)")
    parser.add_argument("--check", action="store_true", help="check on bench/testdata")
    opts = parser.parse_args()
    if opts.check:
        return check()
    if opts.runs < 1:
        parser.error("--runs must be 1 or more")
    try:
        if opts.command == "run":
            run(opts.runs, opts.quick)
        elif opts.command == "render":
            render(DATA_DIR, PAGE, IMG_DIR)
        else:
            parser.error("say run, render or --check")
    except (OSError, ValueError) as e:
        sys.exit(f"report: {e}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
