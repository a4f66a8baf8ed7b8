"""Reads the benchmarks' --json output (one JSON object per line) saved by report.py, and the ratios
the report derives from it."""

import json
import os
import statistics

# Saved file -> the "bench" values it may hold.
FILES = {
    "push_pull": {"push_pull", "core_latency"},
    "curve": {"push_pull", "core_latency"},
    "req_rep": {"req_rep"},
    "pub_sub": {"pub_sub"},
}
REQUIRED = {
    "push_pull": ("impl", "size", "runs", "msgs_per_s", "mb_per_s", "cpu_ns_per_msg",
                  "round_msgs_per_s"),
    "core_latency": ("before_ns", "after_ns"),
    "req_rep": ("impl", "size", "count", "runs", "us_per_round_trip", "run_us"),
    "pub_sub": ("impl", "subscribers", "messages", "size", "runs", "deliveries_per_s"),
}


def read_lines(path, allowed):
    """The objects of one JSON-lines file; ValueError naming the file and line if one is bad."""
    records = []
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            if not line.strip():
                continue
            where = f"{path}:{number}"
            try:
                record = json.loads(line)
            except json.JSONDecodeError as e:
                raise ValueError(f"{where}: not a JSON object ({e.msg}): {line.strip()[:60]}")
            if not isinstance(record, dict) or record.get("bench") not in allowed:
                raise ValueError(f"{where}: expected an object with \"bench\" one of "
                                 f"{sorted(allowed)}")
            missing = [k for k in REQUIRED[record["bench"]] if k not in record]
            if missing:
                raise ValueError(f"{where}: {record['bench']} record lacks {', '.join(missing)}")
            records.append(record)
    return records


def read_results(data_dir):
    """{"machine": {...}, "push_pull": [...], "curve": [...], "req_rep": [...], "pub_sub": [...],
    "core_latency": {"push_pull": [...], "curve": [...]}} from the files report.py saved."""
    with open(os.path.join(data_dir, "machine.json"), encoding="utf-8") as f:
        results = {"machine": json.load(f), "core_latency": {}}
    for name, allowed in FILES.items():
        path = os.path.join(data_dir, name + ".jsonl")
        records = read_lines(path, allowed)
        results[name] = [r for r in records if r["bench"] != "core_latency"]
        results["core_latency"][name] = [r for r in records if r["bench"] == "core_latency"]
        if not results[name]:
            raise ValueError(f"{path}: no figures (did the benchmark fail?)")
    return results


def find(records, impl, **keys):
    """The record of `impl` whose fields match `keys`, or None."""
    for r in records:
        if r["impl"] == impl and all(r.get(k) == v for k, v in keys.items()):
            return r
    return None


def field(record, key):
    """record[key], or None if there is no record."""
    return None if record is None else record[key]


def values(records, key, field):
    """Sorted distinct values of `field` over `records` (e.g. every size measured)."""
    return sorted({r[field] for r in records if key(r)})


def ratio(a, b):
    """a / b, or None if either is missing or b is not positive."""
    if a is None or b is None or b <= 0:
        return None
    return a / b


def median_round_ratio(a, b, key="round_msgs_per_s"):
    """The median over rounds of a's figure / b's figure measured in the same round (the lists
    under `key`: push_pull's rounds, or req_rep's and pub_sub's alternating runs), or None:
    figures measured back to back, steadier than the best of each."""
    if a is None or b is None or key not in a or key not in b:
        return None
    ratios = [x / y for x, y in zip(a[key], b[key]) if x and y and x > 0 and y > 0]
    return statistics.median(ratios) if ratios else None
