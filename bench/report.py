"""Turns the benchmarks' results into the figures docs/performance.md and docs/designs.md show.

  python bench/report.py jmh <jmh.json> [--quick]   JMH's output to bench/results/jmh.json
  python bench/report.py render                     bench/results/*.json to docs/performance.md,
                                                    docs/designs.md and docs/img/*.svg
  python bench/report.py render --check             exit 1 when those are not what the results render
                                                    to, or when a claim docs/designs.md makes does not
                                                    hold in bench/results/designs.json

The standard library only: the tables go between the markers in each doc, the plots are plain SVG.
"""

import json
import math
import os
import platform
import sys
from datetime import datetime, timezone

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RESULTS = os.path.join(ROOT, "bench", "results")
DOC = os.path.join(ROOT, "docs", "performance.md")
DESIGNS_DOC = os.path.join(ROOT, "docs", "designs.md")
IMG = os.path.join(ROOT, "docs", "img")
BEGIN, END = "<!-- results:begin -->", "<!-- results:end -->"


def machine():
    cpu = platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return {"cpu": cpu, "cores": os.cpu_count(), "os": f"{platform.system()} {platform.release()} {platform.machine()}"}


def jmh(path, quick):
    with open(path) as f:
        runs = json.load(f)
    rows = []
    baseline = None
    for run in runs:
        name = run["benchmark"].rsplit(".", 1)[1]
        metric = run["primaryMetric"]
        pct = metric["scorePercentiles"]
        row = {"benchmark": name, "median": round(pct["50.0"], 3), "p99": round(pct["99.0"], 3),
               "min": round(pct["0.0"], 3), "max": round(pct["100.0"], 3), "mean": round(metric["score"], 3),
               "unit": metric["scoreUnit"], "samples": sum(len(x) for x in metric.get("rawDataHistogram", [])) or None}
        if name == "baselineSdkRequest":
            baseline = row
        rows.append(row)
    for row in rows:
        row["ratioToBaselineMedian"] = round(row["median"] / baseline["median"], 2) if baseline and baseline["median"] else None
    first = runs[0]
    out = {"name": "jmh", "measuredAt": datetime.now(timezone.utc).isoformat(timespec="seconds"), "quick": quick,
           "method": "JMH sample time on Lambda's Java 21 with its java21 flags (C1 only: -XX:TieredStopAtLevel=1,"
                     f" Serial GC), {first['forks']} fork(s), {first['warmupIterations']} warm-up and"
                     f" {first['measurementIterations']} measured iterations; no I/O. The baseline is the bare SDK's"
                     " own per-call work: building the UpdateItem request of a visit.",
           "machine": dict(machine(), functionJvm=f"{first['vmName']} {first['jdkVersion']}", jvmArgs=first["jvmArgs"]),
           "baseline": baseline, "results": [r for r in rows if r is not baseline]}
    with open(os.path.join(RESULTS, "jmh.json"), "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")


def load(name):
    path = os.path.join(RESULTS, name + ".json")
    if not os.path.exists(path):
        return None
    with open(path) as f:
        return json.load(f)


def bar_chart(path, title, unit, groups, width=760, labelled=("function", "p50")):
    """groups: [(label, [(series, median, low, high)])] -> horizontal bars with p25-p75 whiskers.

    A group's label stands on its row of a series in `labelled`; other rows name their series. With
    `labelled` None, each group's label gets a row of its own above its series."""
    colors = {"function": "#2f6fae", "baseline": "#b0b0b0", "with priming": "#5aa469", "p99": "#e08a3c",
              "state outside": "#2f6fae", "in memory": "#c0504d", "signed cookie": "#5aa469"}
    rows = sum(len(series) for _, series in groups) + (len(groups) if labelled is None else 0)
    height = 60 + rows * 22 + len(groups) * 8
    top = max([high for _, series in groups for (_, _, _, high) in series] + [1])
    left = 20 + 7 * max(len(label) for label, _ in groups)  # room for the longest label
    width += max(0, left - 200)
    scale = (width - left - 60) / top
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif" font-size="12">',
           f'<text x="10" y="20" font-size="14" font-weight="bold">{title}</text>']
    y = 40
    for label, series in groups:
        if labelled is None:
            out.append(f'<text x="10" y="{y + 13}" font-weight="bold">{label}</text>')
            y += 20
        for kind, median, low, high in series:
            shown = label if labelled is not None and kind in labelled else "    " + kind
            out.append(f'<text x="10" y="{y + 13}" xml:space="preserve">{shown}</text>')
            out.append(f'<rect x="{left}" y="{y}" width="{max(1, median * scale):.1f}" height="16" fill="{colors.get(kind, "#2f6fae")}"/>')
            if high > low:
                out.append(f'<line x1="{left + low * scale:.1f}" x2="{left + high * scale:.1f}" y1="{y + 8}" y2="{y + 8}" stroke="black"/>')
            out.append(f'<text x="{left + 5 + max(median, high) * scale:.1f}" y="{y + 13}">{median:g} {unit}</text>')
            y += 20
        y += 8
    out.append("</svg>")
    return path, "\n".join(out) + "\n"


def table(header, rows):
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


API_FUNCTIONS = ("HelloFunction", "VisitsFunction", "SessionsFunction", "AdminFunction", "StatsFunction")


def targets(cold, hot, bench_load=None):
    """The issue's targets next to what the latest results show."""
    rows = [["a visit costs exactly one DynamoDB write",
             "one UpdateItem (one PutItem for a first visit), asserted by VisitsHandlerIT and DynamoDbSessionStoreIT", "met"],
            ["a cached session read costs no DynamoDB read",
             "no DynamoDB request at all on a cache hit, asserted by SessionsCacheIT", "met"]]
    if cold:
        api = [r for r in cold["results"] if r["function"] in API_FUNCTIONS]
        worst = max(api, key=lambda r: r["ratioToBaseline"])
        rows.append(["local cold start of each API function within 2x of the bare-SDK baseline",
                     f"worst {worst['function']} at {worst['ratioToBaseline']:.2f}x (medians of {worst['total']['runs']} runs)",
                     "met" if worst["ratioToBaseline"] <= 2 else "**not met**"])
    if hot:
        whole = {r["benchmark"]: r for r in hot["results"] if r["benchmark"] in ("visitHandler", "readHandler")}
        if whole:
            slowest = max(whole.values(), key=lambda r: r["median"])
            factor = {"us/op": 1e-3, "ms/op": 1.0, "ns/op": 1e-6}.get(slowest["unit"], None)
            text = ", ".join(f"{name} {r['median']} {r['unit']}" for name, r in sorted(whole.items()))
            status = "met" if factor is not None and slowest["median"] * factor < 1 else "**not met**"
            rows.append(["the handler's own work under 1 ms at p50, warm",
                         f"{text} (JMH p50 of the whole handler, event JSON in and response JSON out, on an in-memory store, with Lambda's flags)", status])
    iam = (bench_load or {}).get("iam")
    if iam:
        check_ms = iam["check"]["median"] / 1000
        # the target is the check's cost; the proxy's extra loopback hop is local plumbing that AWS
        # does not have, reported beside it so that nobody mistakes one for the other
        rows.append(["a warm request's added latency from the local IAM check under 0.2 ms at p50",
                     f"the check {iam['check']['median']} µs p50 (p99 {iam['check']['p99']} µs); the local-only loopback hop"
                     f" through the checking proxy adds {iam['proxyAddedMedianMs']} ms p50 on top (GetItem through it"
                     f" against straight to the emulator)", "met" if check_ms < 0.2 else "**not met**"])
    return "### Targets\n\n" + table(["target", "measured", "status"], rows) + "\n"


def render(check=False):
    """Writes the doc's generated section and the plots; with check, only says whether they are current."""
    parts = []
    files = {}
    cold = load("coldstart")
    hot = load("jmh")
    parts.append(targets(cold, hot, load("load")))
    if cold:
        b = cold["baseline"]["total"]
        parts.append(f"### Cold start\n\n{cold['method']}\n\nMachine: {cold['machine']['cpu']}, {cold['machine']['cores']} cores;"
                     f" functions on {cold['machine']['functionJvm']}. {cold['baseline']['total']['runs']} runs each,"
                     f" measured {cold['measuredAt'][:10]}{' (quick pass)' if cold['quick'] else ''}.\n")
        rows = [["bare SDK baseline", b["median"], b["p99"], f"{b['min']}–{b['max']}", cold["baseline"]["init"]["median"],
                 cold["baseline"]["firstInvoke"]["median"], "1.00"]]
        groups = [("bare SDK baseline", [("baseline", b["median"], b["p25"], b["p75"])])]
        for r in cold["results"]:
            t = r["total"]
            rows.append([r["function"], t["median"], t["p99"], f"{t['min']}–{t['max']}", r["init"]["median"],
                         r["firstInvoke"]["median"], f"{r['ratioToBaseline']:.2f}"])
            groups.append((r["function"], [("function", t["median"], t["p25"], t["p75"])]))
        parts.append(table(["function", "median ms", "p99 ms", "range ms", "init median ms", "first invoke median ms",
                            "ratio to baseline"], rows))
        files.update([bar_chart(os.path.join(IMG, "coldstart.svg"), "Cold start, process start to first response (median, p25-p75)", "ms", groups)])
        parts.append("\n![Cold starts per function next to the baseline](img/coldstart.svg)\n")
        if cold.get("plainStart"):
            parts.append("The local runtime's share of a cold start: the same handler through the runtime and started"
                         " plainly with `java -cp` (same JVM, flags and heap), in the same runs.\n")
            parts.append(table(["function", "via the runtime, median ms", "plain java -cp, median ms", "p99 ms",
                                "runtime's share ms", "ratio"],
                               [[r["function"], r["viaRuntime"]["median"], r["plain"]["median"], r["plain"]["p99"],
                                 r["runtimeShareMs"], f"{r['ratioToPlain']:.2f}"] for r in cold["plainStart"]]) + "\n")
    priming = load("priming")
    if priming:
        parts.append(f"### Priming\n\n{priming['method']}\n")
        parts.append(table(["function", "first invoke without, median ms", "with priming, median ms", "saved ms",
                            "init without, median ms", "init with, median ms"],
                           [[r["function"], r["firstInvokeWithout"]["median"], r["firstInvokeWith"]["median"], r["savedMs"],
                             r["initWithout"]["median"], r["initWith"]["median"]] for r in priming["results"]]))
    deps = load("dependencies")
    sizes = load("sizes")
    if deps:
        size_of = {s["function"]: s for s in (sizes or {}).get("probes", [])}
        parts.append(f"\n### Dependency choices\n\n{deps['method']}\n")
        rows = []
        for r in deps["results"]:
            probe = r["function"].split(" ")[0]
            probe = "BaselineFunction" if probe == "Baseline" else probe
            s = size_of.get(probe, {})
            rows.append([r["function"], r["total"]["median"], r["total"]["p99"], f"{r['ratioToBaseline']:.2f}",
                         s.get("megabytes", ""), s.get("jars", "")])
        parts.append(table(["probe", "cold start median ms", "p99 ms", "ratio to url-connection baseline", "artifact MB", "jars"], rows))
    if sizes:
        parts.append(f"\n### Deployment size\n\n{sizes['method']}\n")
        parts.append(table(["function", "MB", "jars"], [[s["function"], s["megabytes"], s["jars"]] for s in sizes["functions"]]))
    bench_load = load("load")
    if bench_load:
        parts.append(f"\n### Warm latency and throughput\n\n{bench_load['method']}\n")
        rows, groups = [], []
        for r in bench_load["results"]:
            b = r["baseline"]
            rows.append([r["scenario"], r["clients"], r["latency"]["median"], r["latency"]["p99"], r["throughputPerSecond"],
                         r["handlerDuration"]["median"], b["scenario"], b["latency"]["median"], b["latency"]["p99"], f"{r['ratioToBaselineMedian']:.2f}"])
            label = f"{r['scenario'].split(' (')[0]}, {r['clients']} client{'s' if r['clients'] > 1 else ''}"
            groups.append((label, [("p50", r["latency"]["median"], r["latency"]["median"], r["latency"]["median"]),
                                   ("p99", r["latency"]["p99"], r["latency"]["p99"], r["latency"]["p99"]),
                                   ("baseline", b["latency"]["median"], b["latency"]["median"], b["latency"]["median"])]))
        parts.append(table(["scenario", "clients", "p50 ms", "p99 ms", "requests/s", "handler Duration p50 ms", "baseline", "baseline p50 ms",
                            "baseline p99 ms", "p50 ratio to baseline"], rows))
        o = bench_load["runtimeOverhead"]
        parts.append(f"\nThe local runtime's own overhead (HTTP front and Runtime API hop): GET /hello end to end p50"
                     f" {o['endToEnd']['median']} ms (p99 {o['endToEnd']['p99']} ms) over {o['requests']} sequential"
                     f" requests, of which the handler's own p50 is {o['handler']['median']} ms: **{o['runtimeOverheadMedianMs']} ms**"
                     f" per request at p50.\n")
        iam = bench_load.get("iam")
        if iam:
            c, d, v = iam["check"], iam["direct"], iam["viaProxy"]
            parts.append(f"\nIAM, enforced by default in local runs: the check of one signed request (signature, actions,"
                         f" the function's policy) takes {c['median']} µs at p50 (p99 {c['p99']} µs, {c['runs']} runs); a"
                         f" GetItem through the checking proxy takes {v['median']} ms at p50 (p99 {v['p99']} ms) against"
                         f" {d['median']} ms (p99 {d['p99']} ms) straight to the emulator, in the same alternating slices:"
                         f" **{iam['proxyAddedMedianMs']} ms** added per AWS call at p50, check and loopback hop together. The check"
                         f" is what enforcement costs; the hop is the price of keeping the emulator swappable (any"
                         f" AWS_ENDPOINT_URL behind the proxy), paid only locally: on AWS the call goes straight to"
                         f" the service. `scripts/run --no-iam` takes the hop away for one run.\n")
        files.update([bar_chart(os.path.join(IMG, "latency.svg"), "Warm latency: p50, p99 and the bare SDK call's p50", "ms",
                                groups)])
        parts.append("![Warm latency percentiles next to the bare SDK round trip](img/latency.svg)\n")
    authorizer = load("authorizer")
    if authorizer:
        parts.append(authorizer_section(authorizer))
    sync = load("sync")
    if sync:
        lag = sync["lag"]["writeToReplica"]
        thr = sync["throughput"]
        parts.append(f"\n### Data sync\n\n{sync['method']}\n")
        parts.append(table(["measure", "median", "p99", "runs", "baseline median", "ratio"],
                           [["write to replica lag (ms)", lag["median"], lag["p99"], lag["runs"],
                             f"poll {sync['lag']['pollIntervalMs']} ms + window {sync['lag']['batchingWindowMs']} ms", ""],
                            ["sync handler (records/s)", thr["syncHandler"]["median"], thr["syncHandler"]["p99"],
                             thr["syncHandler"]["runs"], thr["baselinePlainSet"]["median"], f"{thr['ratioToBaselineMedian']:.2f}"]]))
    if hot:
        b = hot["baseline"]
        parts.append(f"\n### Hot paths (JMH)\n\n{hot['method']}\n")
        rows = [["baselineSdkRequest (baseline)", b["median"], b["p99"], b["unit"], "1.00"]]
        rows += [[r["benchmark"], r["median"], r["p99"], r["unit"], r["ratioToBaselineMedian"]] for r in hot["results"]]
        parts.append(table(["benchmark", "median", "p99", "unit", "ratio to baseline"], rows))
    generated = "\n".join(parts) if parts else "_No results yet: run `bench/run`._"
    files[DOC] = between_markers(DOC, generated)
    failed = []
    designs = load("designs")
    if designs:
        text, plots, failed = designs_section(designs)
        files[DESIGNS_DOC] = between_markers(DESIGNS_DOC, text)
        files.update(plots)
    stale = []
    for path, text in files.items():
        current = open(path).read() if os.path.exists(path) else None
        if current != text:
            stale.append(os.path.relpath(path, ROOT))
            if not check:
                os.makedirs(os.path.dirname(path), exist_ok=True)
                with open(path, "w") as f:
                    f.write(text)
    for claim in failed:
        print(f"error: docs/designs.md claims what bench/results/designs.json does not show: {claim}", file=sys.stderr)
    if check and stale:
        print(f"error: {', '.join(stale)} out of date with bench/results: run python bench/report.py render",
              file=sys.stderr)
    if failed or (check and stale):
        sys.exit(1)


def authorizer_section(a):
    """The session authorizer: cold start, a protected request's added latency, caching, cost per million."""
    parts = [f"\n### The session authorizer\n\n{a['method']}\n"]
    cold = a["coldStart"]
    b = cold["baseline"]["total"]
    rows = [["bare SDK baseline", b["median"], b["p99"], f"{b['min']}–{b['max']}", "1.00"]]
    for r in cold["results"]:
        t = r["total"]
        rows.append([r["function"], t["median"], t["p99"], f"{t['min']}–{t['max']}", f"{r['ratioToBaseline']:.2f}"])
    parts.append(table(["cold start", "median ms", "p99 ms", "range ms", "ratio to baseline"], rows) + "\n")
    rows = []
    for r in a["results"]:
        auth = r["authorizerDuration"]
        rows.append([r["setup"], r["protected"]["median"], r["protected"]["p99"], r["unprotected"]["median"],
                     f"**{r['addedMedianMs']}**", f"{r['ratioToUnprotectedMedian']:.2f}",
                     auth["median"] if auth else "–", r["authorizerInvocationsPerRequest"]])
    parts.append(table(["stack", "GET /me p50 ms", "GET /me p99 ms", "GET /hello p50 ms", "added p50 ms",
                        "ratio", "authorizer Duration p50 ms", "authorizer invocations per request"], rows) + "\n")
    by = {r["setup"]: r for r in a["results"]}
    cached = next((r for r in a["results"] if "cached" in r["setup"]), None)
    uncached = by.get("with the replica")
    if cached and uncached:
        parts.append(f"Caching the authorizer's answers saves {round(uncached['addedMedianMs'] - cached['addedMedianMs'], 2)}"
                     f" ms of the {uncached['addedMedianMs']} ms a protected request adds at p50 and"
                     f" {round((1 - cached['authorizerInvocationsPerRequest']) * 100)}% of the authorizer's invocations"
                     " (one per token per TTL), and buys the bound on revocation docs/api.md states.\n")
    rows = []
    for r in a["results"]:
        asked = r["authorizerInvocationsPerRequest"]
        me_ms = max(1, math.ceil(r["meDuration"]["median"]))
        auth_ms = max(1, math.ceil(r["authorizerDuration"]["median"])) if r["authorizerDuration"] else 0
        gb = a["memorySizeMb"] / 1024
        requests = (1 + asked) * PRICES["lambdaRequestsPerMillion"]
        duration = (me_ms + asked * auth_ms) / 1000 * gb * PRICES["lambdaArmGbSecond"] * 1e6
        reads = 0.0 if r["replica"] else asked * PRICES["rruPerMillion"]
        total = PRICES["httpApiPerMillion"] + requests + duration + reads
        hello_ms = max(1, math.ceil(r["helloDuration"]["median"]))
        hello = PRICES["httpApiPerMillion"] + PRICES["lambdaRequestsPerMillion"] \
            + hello_ms / 1000 * gb * PRICES["lambdaArmGbSecond"] * 1e6
        rows.append([r["setup"], f"${PRICES['httpApiPerMillion']:.2f}", f"${requests:.2f} ({1 + asked:g} invocation{'' if 1 + asked == 1 else 's'})",
                     f"${duration:.3f} ({me_ms} ms + {asked:g} x {auth_ms} ms)",
                     "–" if r["replica"] else f"${reads:.3f} ({asked:g} RRU)", f"**${total:.2f}**",
                     f"+${total - hello:.2f}"])
    parts.append("Cost of a million protected requests (published on-demand prices, us-east-1, as above: HTTP API"
                 " $1.00 and Lambda $0.20 per million requests, arm64 $0.0000133334 per GB-second at"
                 f" {a['memorySizeMb']} MB for each handler's p50 Duration billed in whole milliseconds, $0.125 per"
                 " million strongly consistent reads); the session's touch (1 WRU per session per touch interval,"
                 " whatever its reads), the replica's ECPUs and the log lines left out. Against an unprotected"
                 " request of the same stack (GET /hello):\n")
    parts.append(table(["stack", "HTTP API", "Lambda requests", "Lambda duration", "DynamoDB", "total per million",
                        "over unprotected"], rows))
    return "\n".join(parts)


def between_markers(path, generated):
    """The doc at `path` with `generated` between its results markers."""
    with open(path) as f:
        doc = f.read()
    start, end = doc.index(BEGIN) + len(BEGIN), doc.index(END)
    return doc[:start] + "\n" + generated.strip() + "\n" + doc[end:]


# Published on-demand prices, us-east-1, as docs/performance.md's cost model uses them.
PRICES = {"httpApiPerMillion": 1.00, "lambdaRequestsPerMillion": 0.20, "lambdaArmGbSecond": 0.0000133334,
          "wruPerMillion": 0.625, "rruPerMillion": 0.125}
SERIES = {"outside": "state outside", "memory": "in memory", "signed": "signed cookie"}


def designs_section(d):
    """docs/designs.md's generated part: tables, plots, and the claims the page makes, checked."""
    parts, plots = [], {}
    by = {(r["design"], r["environments"]): r for r in d["scale"]}
    recycled = {r["design"]: r for r in d["recycled"]}
    replay = {r["design"]: r for r in d["replay"]}
    size = d["size"]
    n_all = sorted({r["environments"] for r in d["scale"]})
    names = [name for name in SERIES if (name, n_all[0]) in by]

    claims = []

    def claim(text, holds):
        claims.append((text, holds))

    claim("state outside: every client shown its exact count, at every number of environments and with them recycled",
          all(by[("outside", n)]["clientsRight"] == by[("outside", n)]["clients"] for n in n_all)
          and recycled["outside"]["clientsRight"] == recycled["outside"]["clients"])
    claim("signed cookie: every client shown its exact count, at every number of environments and with them recycled",
          all(by[("signed", n)]["clientsRight"] == by[("signed", n)]["clients"] for n in n_all)
          and recycled["signed"]["clientsRight"] == recycled["signed"]["clients"])
    claim("in memory: exact counts with one environment only; with two or more, clients are shown wrong counts",
          by[("memory", 1)]["clientsRight"] == by[("memory", 1)]["clients"]
          and all(by[("memory", n)]["clientsRight"] < by[("memory", n)]["clients"] for n in n_all if n > 1))
    claim("in memory: environments recycled mid-run lose the counts they held",
          recycled["memory"]["visitsShownOfMade"] < 1)
    claim("signed cookie: a copied old cookie rolls the count back, and goes on after its session was ended",
          replay["signed"]["replayWhileLiveShows"] < replay["signed"]["countBeforeReplay"]
          and replay["signed"]["endedSessionGoesOn"])
    claim("state outside: a copied old cookie cannot roll the count back, and is refused once its session has ended",
          replay["outside"]["replayWhileLiveShows"] > replay["outside"]["countBeforeReplay"]
          and not replay["outside"]["endedSessionGoesOn"])
    claim("signed cookie: it carries less session data than the product's limit, and carries it on every request",
          size["signedMaxDataBytes"] < size["outsideMaxDataBytes"])
    lat = {(r["design"], r["scenario"].split(" (")[0] + (" replica" if "replica" in r["scenario"] else ""),
            r["clients"]): r for r in d["latency"]}
    claim("in memory and signed cookie: a visit within 2x of GET /hello at p50, from 1 and from 4 clients",
          all(r["ratioToBaselineMedian"] <= 2 for r in d["latency"] if r["design"] != "outside"))
    claim("state outside: a visit, one DynamoDB write, is slower at p50 than a visit of either design without a store",
          all(lat[("outside", "GET /", n)]["latency"]["median"] > max(lat[("memory", "GET /memory", n)]["latency"]["median"],
                                                                     lat[("signed", "GET /signed", n)]["latency"]["median"])
              for n in (1, 4)))
    claim("state outside: a read from the cache replica takes less than half the time of a read from the table at p50",
          all(lat[("outside", "GET /sessions/current replica", n)]["latency"]["median"]
              < lat[("outside", "GET /sessions/current?consistent=true", n)]["latency"]["median"] / 2 for n in (1, 4)))

    parts.append(f"### Method\n\n{d['method']}\n\nMachine: {d['machine']['cpu']}, {d['machine']['cores']} cores;"
                 f" functions on {d['machine']['functionJvm']}. Measured {d['measuredAt'][:10]}"
                 f"{' (quick pass)' if d['quick'] else ''}.\n")
    parts.append("### What the results show\n\n" + table(["claim", "holds"],
                 [[text, "yes" if holds else "**no**"] for text, holds in claims]) + "\n")

    # correctness and scale
    rows, groups = [], []
    for n in n_all:
        series = []
        for name in names:
            r = by[(name, n)]
            rows.append([n, SERIES[name], f"{r['clientsRight']} of {r['clients']}", f"{r['visitsShownOfMade']:.2f}",
                         ", ".join(str(c) for c in r["lastCounts"]), r["latency"]["median"], r["latency"]["p99"],
                         r["throughputPerSecond"], r["throttledRetries"]])
            series.append((SERIES[name], r["visitsShownOfMade"], r["visitsShownOfMade"], r["visitsShownOfMade"]))
        groups.append((f"{n} environment{'s' if n > 1 else ''}", series))
    parts.append(f"### Correctness and scale\n\n{d['clients']} clients, {d['visitsPerClient']} visits each: the count"
                 " each was last shown, and the visits shown as a share of the visits made (1.00: nothing lost).\n")
    parts.append(table(["environments", "design", "clients shown the right count", "visits shown / made",
                        "last counts", "p50 ms", "p99 ms", "requests/s", "throttled, retried"], rows))
    plots.update([bar_chart(os.path.join(IMG, "designs-counts.svg"),
                            f"Visits shown / visits made, {d['clients']} clients x {d['visitsPerClient']} visits", "",
                            groups, labelled=None)])
    parts.append("\n![Visits shown as a share of visits made, per design and number of environments]"
                 "(img/designs-counts.svg)\n")

    # fault tolerance
    parts.append("### Environments recycled mid-run\n\nThe same workload at 4 environments; after half the visits every"
                 " environment of the design's function is ended, as Lambda may end one at any time.\n")
    parts.append(table(["design", "environments ended", "clients shown the right count", "visits shown / made",
                        "last counts"],
                       [[SERIES[name], recycled[name]["environmentsRecycled"],
                         f"{recycled[name]['clientsRight']} of {recycled[name]['clients']}",
                         f"{recycled[name]['visitsShownOfMade']:.2f}",
                         ", ".join(str(c) for c in recycled[name]["lastCounts"])] for name in names]) + "\n")

    # latency
    rows, groups = [], []
    for r in d["latency"]:
        b = r["baseline"]["latency"]
        rows.append([SERIES[r["design"]], r["scenario"], r["clients"], r["latency"]["median"], r["latency"]["p99"],
                     r["handlerDuration"]["median"], b["median"], b["p99"], f"{r['ratioToBaselineMedian']:.2f}"])
        label = f"{SERIES[r['design']]}: {r['scenario'].split(' (')[0]}" + \
                (" (cache)" if "replica" in r["scenario"] else " (table)" if "table" in r["scenario"] else "") + \
                f", {r['clients']} client{'s' if r['clients'] > 1 else ''}"
        groups.append((label, [("p50", r["latency"]["median"], r["latency"]["median"], r["latency"]["median"]),
                               ("p99", r["latency"]["p99"], r["latency"]["p99"], r["latency"]["p99"]),
                               ("baseline", b["median"], b["median"], b["median"])]))
    parts.append("### Latency\n\nAt 4 environments; the baseline is GET /hello (no state at all), alternating with"
                 " each scenario in the same run.\n")
    parts.append(table(["design", "request", "clients", "p50 ms", "p99 ms", "handler Duration p50 ms",
                        "GET /hello p50 ms", "GET /hello p99 ms", "p50 ratio to GET /hello"], rows))
    plots.update([bar_chart(os.path.join(IMG, "designs-latency.svg"),
                            "Warm latency per design: p50, p99 and GET /hello's p50", "ms", groups)])
    parts.append("\n![Warm latency per design next to the stateless GET /hello](img/designs-latency.svg)\n")

    # replay and size
    parts.append("### An old cookie replayed\n\nA client's cookie copied after 5 visits and presented after 10,"
                 " then again after the session was ended with DELETE.\n")
    parts.append(table(["design", "count shown to the copy, session live", "DELETE answered",
                        "count shown to the copy, session ended", "ended session goes on"],
                       [[SERIES[name], replay[name]["replayWhileLiveShows"], replay[name]["endStatus"],
                         replay[name]["replayAfterEndShows"], "yes" if replay[name]["endedSessionGoesOn"] else "no"]
                        for name in names]) + "\n")
    parts.append("### The size of client state\n")
    parts.append(table(["design", "Set-Cookie bytes", "session data it can hold"],
                       [[SERIES["outside"], size["outsideCookieBytes"],
                         f"{size['outsideMaxDataBytes']} bytes (SessionMaxDataBytes), stored in the table"],
                        [SERIES["memory"], size["memoryCookieBytes"], "the environment's memory, lost with it"],
                        [SERIES["signed"], f"{size['signedCookieBytesEmpty']} empty, {size['signedCookieBytesAtMax']} at"
                         f" the limit", f"{size['signedMaxDataBytes']} bytes within the {size['cookieLimitBytes']} bytes a"
                         f" browser keeps per cookie, sent with every request"]]) + "\n")

    # cost per million visits
    one = {(r["design"], r["scenario"]): r for r in d["latency"] if r["clients"] == 1}
    rows = []
    for (name, scenario), r in one.items():
        ms = max(1, math.ceil(r["handlerDuration"]["median"]))
        duration = ms / 1000 * d["memorySizeMb"] / 1024 * PRICES["lambdaArmGbSecond"] * 1e6
        store = 0.0
        if name == "outside":
            store = PRICES["rruPerMillion"] if "table" in scenario else 0.0 if "replica" in scenario else PRICES["wruPerMillion"]
        total = PRICES["httpApiPerMillion"] + PRICES["lambdaRequestsPerMillion"] + duration + store
        wrong = ""
        if name == "memory":
            m = by[("memory", 4)]
            wrong = f"{m['clients'] - m['clientsRight']} of {m['clients']} clients wrong at 4 environments"
        rows.append([SERIES[name], scenario, f"${PRICES['httpApiPerMillion']:.2f}", f"${PRICES['lambdaRequestsPerMillion']:.2f}",
                     f"${duration:.2f} ({ms} ms)", f"${store:.3f}", f"**${total:.2f}**", wrong])
    parts.append("### Cost per million requests\n\nPublished on-demand prices, us-east-1 (docs/performance.md's cost"
                 " model): HTTP API $1.00 and Lambda $0.20 per million requests, Lambda arm64 $0.0000133334 per"
                 f" GB-second at {d['memorySizeMb']} MB for the handler's p50 Duration at one client (billed in whole"
                 " milliseconds), DynamoDB $0.625 per million writes and $0.125 per million reads; logs, the stream"
                 " consumers and the cache node left out (docs/performance.md counts them for the product).\n")
    parts.append(table(["design", "request", "HTTP API", "Lambda requests", "Lambda duration", "store", "total",
                        "its wrong answers"], rows))
    return "\n".join(parts), plots, [text for text, holds in claims if not holds]


if __name__ == "__main__":
    if len(sys.argv) >= 3 and sys.argv[1] == "jmh":
        jmh(sys.argv[2], "--quick" in sys.argv)
    elif len(sys.argv) == 2 and sys.argv[1] == "render":
        render()
    elif len(sys.argv) == 3 and sys.argv[1:] == ["render", "--check"]:
        render(check=True)
    else:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
