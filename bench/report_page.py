"""Writes docs/performance.md and its SVG charts from the results report_data.py read."""

import os

import report_data as rd
import svgplot

COLORS = {"cafmq": "#1f5fbf", "libzmq": "#e07b00", "raw tcp": "#666666"}
DASHES = {"raw tcp": "6,4"}
IMPLS = ("raw tcp", "libzmq", "cafmq")


def times(value):
    return "n/a" if value is None else f"{value:.2f}x"


def rate(msgs_per_s):
    return "n/a" if not msgs_per_s else f"{svgplot.si(msgs_per_s)} msg/s"


def megabytes(mb_per_s):
    return "n/a" if not mb_per_s else f"{mb_per_s:,.0f} MB/s" if mb_per_s >= 10 else \
        f"{mb_per_s:.2g} MB/s"


def best_and_median(a, b, best_key, runs_key):
    """'best / median' ratios of a to b: the best figures', and the median of paired runs'."""
    best = rd.ratio(rd.field(a, best_key), rd.field(b, best_key))
    return f"{times(best)} / {times(rd.median_round_ratio(a, b, runs_key))}"


def series(records, impls, y, x_field="size", **keys):
    """One chart line per implementation in `impls` that has records."""
    out = []
    for impl in impls:
        points = [(r[x_field], y(r)) for r in records
                  if r["impl"] == impl and all(r.get(k) == v for k, v in keys.items())]
        if points:
            out.append(svgplot.Series(impl, points, COLORS[impl], DASHES.get(impl)))
    return out


class Page:
    """Collects the Markdown text and writes each chart next to it."""

    def __init__(self, img_dir, img_link):
        self.img_dir, self.img_link, self.lines = img_dir, img_link, []
        self.charts = []

    def add(self, *lines):
        self.lines.extend(lines)

    def chart(self, name, alt, svg):
        os.makedirs(self.img_dir, exist_ok=True)
        with open(os.path.join(self.img_dir, name), "w", encoding="utf-8") as f:
            f.write(svg)
        self.charts.append(name)
        self.add(f"![{alt}]({self.img_link}/{name})", "")

    def table(self, header, rows):
        self.add("| " + " | ".join(header) + " |", "|" + "---|" * len(header))
        self.add(*("| " + " | ".join(row) + " |" for row in rows))
        self.add("")


def slower_note(recs, sizes, what):
    """A sentence naming the sizes at which cafmq's median round ratio to libzmq, or to raw TCP,
    is below 1."""
    notes = []
    for other in ("libzmq", "raw tcp"):
        slower = []
        for size in sizes:
            r = rd.median_round_ratio(rd.find(recs, "cafmq", size=size),
                                      rd.find(recs, other, size=size))
            if r is not None and r < 1:
                slower.append(f"{svgplot.byte_size(size)} ({times(r)})")
        if slower:
            label = "raw TCP" if other == "raw tcp" else other
            notes.append(f"cafmq was slower than {label} (median of the rounds below 1x) at "
                         f"{', '.join(slower)}")
        elif other == "libzmq":
            notes.append("cafmq was at least as fast as libzmq at every size measured")
    return f"{what}: {'; '.join(notes)}."


def throughput_section(page, res):
    recs = res["push_pull"]
    sizes = rd.values(recs, lambda r: True, "size")
    page.add("## Throughput against message size (PUSH -> PULL)", "",
             "One process sends, the other receives, over loopback TCP. Raw TCP is one blocking "
             "`write` per message into a receiver reading 256 KiB at a time, one thread per "
             "process: the reference for large messages, measured from 1 KiB up (below that it "
             "only counts system calls). Both libraries' senders hand over messages larger than "
             "their inline size without a copy (libzmq: above 32 B, `zmq_msg_init_data`; cafmq: "
             "above 30 B, `frame::zero_copy`), as an application sending buffers would.", "")
    page.chart("throughput-msgs.svg", "PUSH/PULL messages per second against message size",
               svgplot.line_chart(series(recs, IMPLS, lambda r: r["msgs_per_s"]),
                                  "PUSH/PULL throughput (messages/s, log scale)",
                                  "message size", "messages per second", sizes,
                                  svgplot.byte_size, y_log=True))
    page.chart("throughput-mbs.svg", "PUSH/PULL megabytes per second against message size",
               svgplot.line_chart(series(recs, IMPLS, lambda r: r["mb_per_s"]),
                                  "PUSH/PULL throughput (MB/s, log scale)",
                                  "message size", "MB per second (10^6 bytes)", sizes,
                                  svgplot.byte_size, y_log=True))
    rows = []
    for size in sizes:
        fig = {impl: rd.find(recs, impl, size=size) for impl in IMPLS}
        cells = [svgplot.byte_size(size)]
        for impl in IMPLS:
            r = fig[impl]
            cells.append("not run" if r is None else
                         f"{rate(r['msgs_per_s'])}, {megabytes(r['mb_per_s'])}")
        cpu = [fig[i]["cpu_ns_per_msg"] if fig[i] else None for i in ("libzmq", "cafmq")]
        cells.append(" / ".join("n/a" if c is None else f"{c:,.0f}" for c in cpu))
        for other in ("libzmq", "raw tcp"):
            cells.append("not run" if fig[other] is None else
                         best_and_median(fig["cafmq"], fig[other], "msgs_per_s",
                                         "round_msgs_per_s"))
        rows.append(cells)
    page.table(["size", "raw TCP", "libzmq", "cafmq", "CPU ns/msg, both processes: libzmq / cafmq",
                "cafmq/libzmq (best / median round)", "cafmq/raw TCP (best / median round)"],
               rows)
    page.add(slower_note(recs, sizes, "In this run"), "")


def latency_section(page, res):
    recs = res["req_rep"]
    sizes = rd.values(recs, lambda r: True, "size")
    page.add("## Round-trip latency (REQ -> REP)", "",
             "The REP echoes each request; the figure is the mean round trip over "
             f"{recs[0]['count']:,} round trips after a warm-up, the best run of "
             f"{recs[0]['runs']} (libzmq's and cafmq's runs alternate). Lower is better.", "")
    page.chart("req-rep-latency.svg", "REQ/REP round trip against message size",
               svgplot.line_chart(series(recs, ("libzmq", "cafmq"),
                                         lambda r: r["us_per_round_trip"]),
                                  "REQ/REP round trip (lower is better)", "message size",
                                  "microseconds per round trip", sizes, svgplot.byte_size))
    rows = []
    for size in sizes:
        z, c = rd.find(recs, "libzmq", size=size), rd.find(recs, "cafmq", size=size)
        spread = lambda r: "n/a" if not r or not r["run_us"] else \
            f"{min(r['run_us']):.1f}-{max(r['run_us']):.1f}"
        rows.append([svgplot.byte_size(size),
                     f"{z['us_per_round_trip']:.1f} us" if z else "n/a",
                     f"{c['us_per_round_trip']:.1f} us" if c else "n/a",
                     best_and_median(c, z, "us_per_round_trip", "run_us"),
                     f"{spread(z)} / {spread(c)}"])
    page.table(["size", "libzmq", "cafmq", "cafmq/libzmq, lower is better (best / median pair)",
                "runs' range libzmq / cafmq (us)"], rows)


def fanout_section(page, res):
    recs = res["pub_sub"]
    counts = rd.values(recs, lambda r: True, "subscribers")
    size = recs[0]["size"]
    page.add("## PUB fan-out (PUB -> N SUB)", "",
             f"One PUB sends {size} B messages to N subscribers, one thread each in the other "
             "process; the HWMs hold every message, so the figure is deliveries (messages x N) "
             f"per second, the best run of {recs[0]['runs']} (libzmq's and cafmq's runs "
             "alternate).", "")
    page.chart("pub-sub-fanout.svg", "PUB fan-out deliveries per second against subscribers",
               svgplot.line_chart(series(recs, ("libzmq", "cafmq"),
                                         lambda r: r["deliveries_per_s"], "subscribers"),
                                  f"PUB -> N SUB fan-out, {size} B", "subscribers (N)",
                                  "deliveries per second", counts, str))
    rows = []
    for n in counts:
        z, c = rd.find(recs, "libzmq", subscribers=n), rd.find(recs, "cafmq", subscribers=n)
        rows.append([str(n), f"{(c or z)['messages']:,}",
                     f"{svgplot.si(z['deliveries_per_s'])}/s" if z else "n/a",
                     f"{svgplot.si(c['deliveries_per_s'])}/s" if c else "n/a",
                     best_and_median(c, z, "deliveries_per_s", "run_deliveries_per_s")])
    page.table(["subscribers", "messages each", "libzmq deliveries", "cafmq deliveries",
                "cafmq/libzmq (best / median pair)"], rows)


def curve_section(page, res):
    recs = res["curve"]
    sizes = rd.values(recs, lambda r: True, "size")
    page.add("## CURVE (encrypted PUSH -> PULL)", "",
             "Both sides speak CURVE (libzmq's test keys; the receiver is the server). Both "
             "libraries spend most of their time in libsodium's `crypto_box_afternm`.", "")
    page.chart("curve-throughput.svg", "CURVE PUSH/PULL messages per second against size",
               svgplot.line_chart(series(recs, ("libzmq", "cafmq"), lambda r: r["msgs_per_s"]),
                                  "PUSH/PULL with CURVE (messages/s, log scale)", "message size",
                                  "messages per second", sizes, svgplot.byte_size, y_log=True))
    rows = []
    for size in sizes:
        z, c = rd.find(recs, "libzmq", size=size), rd.find(recs, "cafmq", size=size)
        rows.append([svgplot.byte_size(size)]
                    + [f"{rate(r['msgs_per_s'])}, {megabytes(r['mb_per_s'])}" if r else "n/a"
                       for r in (z, c)]
                    + [best_and_median(c, z, "msgs_per_s", "round_msgs_per_s")])
    page.table(["size", "libzmq", "cafmq", "cafmq/libzmq (best / median round)"], rows)
    page.add(slower_note(recs, sizes, "With CURVE, in this run"), "")


def headline(page, res):
    pp, cv = res["push_pull"], res["curve"]
    sizes = rd.values(pp, lambda r: True, "size")
    small, large = sizes[0], sizes[-1]

    def pp_ratio(recs, a, b, size):
        return best_and_median(rd.find(recs, a, size=size), rd.find(recs, b, size=size),
                               "msgs_per_s", "round_msgs_per_s")

    rows = [[f"PUSH/PULL {svgplot.byte_size(small)}", "cafmq/libzmq messages/s",
             pp_ratio(pp, "cafmq", "libzmq", small)],
            [f"PUSH/PULL {svgplot.byte_size(large)}", "cafmq/libzmq",
             pp_ratio(pp, "cafmq", "libzmq", large)],
            [f"PUSH/PULL {svgplot.byte_size(large)}", "cafmq/raw TCP",
             pp_ratio(pp, "cafmq", "raw tcp", large)]]
    latency_size = min(r["size"] for r in res["req_rep"])  # the rest are in its own table
    rows.append([f"REQ/REP {svgplot.byte_size(latency_size)}",
                 "cafmq/libzmq round trip (lower is better)",
                 best_and_median(rd.find(res["req_rep"], "cafmq", size=latency_size),
                                 rd.find(res["req_rep"], "libzmq", size=latency_size),
                                 "us_per_round_trip", "run_us")])
    for r in sorted((r for r in res["pub_sub"] if r["impl"] == "cafmq"),
                    key=lambda r: r["subscribers"]):
        z = rd.find(res["pub_sub"], "libzmq", subscribers=r["subscribers"])
        rows.append([f"PUB -> {r['subscribers']} SUB", "cafmq/libzmq deliveries/s",
                     best_and_median(r, z, "deliveries_per_s", "run_deliveries_per_s")])
    for size in (min(r["size"] for r in cv), max(r["size"] for r in cv)):
        rows.append([f"CURVE {svgplot.byte_size(size)}", "cafmq/libzmq messages/s",
                     pp_ratio(cv, "cafmq", "libzmq", size)])
    page.add("## Summary", "",
             "Ratios of cafmq to libzmq measured in the same run (above 1x: cafmq is faster, "
             "except for the round trip). The first figure is the ratio of the best figure of "
             "each; the second, the median of the ratios of figures measured back to back (each "
             "throughput round runs every implementation once; the latency and fan-out runs "
             "alternate libzmq and cafmq): the steadier of the two on a busy machine.", "")
    page.table(["benchmark", "ratio", "best / median round"], rows)


def conditions(page, res, regenerate):
    m = res["machine"]
    load = m.get("load_average", {})
    page.add(
        "# Performance", "",
        "cafmq next to libzmq (and raw TCP), measured by the programs in `bench/` and drawn by "
        "`bench/report.py`. Every figure on this page comes from one run of that script; the "
        "optimisation journal, with the history of each figure and what was tried, is "
        "[benchmarks.md](benchmarks.md).", "",
        "To regenerate this page (builds `build-bench/` in Release, then about "
        f"{m.get('minutes', '?')} minutes of benchmarks):", "",
        "```sh", *regenerate, "```", "",
        "## Machine and conditions", "")
    page.table(["", ""], [
        ["date (UTC)", m.get("date", "?")],
        ["CPU", f"{m.get('nproc', '?')} x {m.get('cpu_model', '?')}"],
        ["kernel", m.get("kernel", "?")],
        ["compiler", m.get("compiler", "?")],
        ["libzmq", m.get("libzmq", "?")],
        ["cafmq commit", m.get("commit", "?")],
        ["load average (1 min) at start / end",
         f"{load.get('start', '?')} / {load.get('end', '?')}"]])
    page.add("Commands (each prints JSON lines on stdout, saved in "
             f"[{res['data_link']}]({res['data_link']}), and its usual report on stderr, saved "
             "next to them):", "", "```sh", *m.get("commands", []), "```", "")
    noise(page, res)


def noise(page, res):
    m = res["machine"]
    load = m.get("load_average", {})
    nproc = m.get("nproc") or 1
    page.add("**Noise.** Read the ratios, not the rates. Loopback benchmarks on a small VM move "
             "from run to run by 15 % or more; each rate here is the best of a few runs and each "
             "throughput round runs every implementation once, in rotating order, so that the "
             "figures compared come from the same second or two.", "")
    trips = [t for recs in res["core_latency"].values() for t in recs]
    if trips:
        shown = "; ".join(f"{run} run {t['before_ns']:.0f} / {t['after_ns']:.0f} ns"
                          for run, recs in (("plain", res["core_latency"]["push_pull"]),
                                            ("CURVE", res["core_latency"]["curve"]))
                          for t in recs
                          if t["before_ns"] is not None and t["after_ns"] is not None)
        page.add("This VM's core-to-core latency is bimodal: a cache line's round trip between "
                 "CPU 0 and CPU 1 is either about 130 ns or about 480 ns, and the mode can change "
                 "at run time; small messages' figures move with it (the journal's \"two "
                 f"modes\"). `bench_push_pull` measured it before / after its runs: {shown}. "
                 "On a busy machine this figure also counts the two spinning threads being "
                 "preempted: far above 480 ns, it says the CPUs were busy, not that there is a "
                 "third mode.", "")
    smallest = min(res["req_rep"], key=lambda r: r["size"])["size"]
    trip = rd.find(res["req_rep"], "libzmq", size=smallest)
    libzmq_trip = f"{trip['us_per_round_trip']:.0f} us at {smallest} B" if trip else "not measured"
    if isinstance(load.get("start"), (int, float)) and max(load.get("start", 0),
                                                          load.get("end", 0)) > nproc / 2:
        page.add(f"The machine was shared and loaded while these figures were taken (a load "
                 f"average of {load['start']} at the start and {load['end']} at the end on "
                 f"{nproc} CPUs: other work was running), so the absolute rates are lower "
                 "and noisier than on a quiet machine; the ratios of figures measured in the "
                 "same round suffer least. Load need not hit both libraries alike: compare "
                 f"libzmq's round trip here ({libzmq_trip}) with the 62-93 us of the journal's "
                 "runs. The journal's runs on a less loaded machine put cafmq at about 3x libzmq "
                 "for 16 B PUSH/PULL, 0.6-0.85x libzmq's REQ/REP round trip and 1.8-2.2x its PUB "
                 "fan-out.", "")


def write_page(res, page_path, img_dir, data_dir, regenerate):
    """Writes the page and its charts; returns the chart file names."""
    link = os.path.relpath(img_dir, os.path.dirname(page_path))
    res = dict(res, data_link=os.path.relpath(data_dir, os.path.dirname(page_path)))
    page = Page(img_dir, link)
    conditions(page, res, regenerate)
    headline(page, res)
    throughput_section(page, res)
    latency_section(page, res)
    fanout_section(page, res)
    curve_section(page, res)
    with open(page_path, "w", encoding="utf-8") as f:
        f.write("\n".join(page.lines).rstrip() + "\n")
    return page.charts
