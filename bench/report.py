"""The budgets of PRODUCT.md checked against one run's figures, and bench/RESULTS.md written from them."""

import os
import platform
import sqlite3
import subprocess
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from bench.company import SHAPES
from bench.explain import is_bounded
from bench.load import ROUNDS
from bench.measure import BUDGETED, FAST_PAGES, YEARS_BACK, YEARS_PAGES

MAX_GROWTH = 1.3  # from 1,000 to 10,000 loops
MAX_GROWTH_LARGE = 1.2  # from 10,000 to 100,000 loops
MAX_P95_MS = 50  # on PostgreSQL at 100,000 loops
LARGE = 100_000
PROJECT_TO = 1_000_000
MAX_PDF_OVERHEAD = 1.1
MIN_CACHE_SPEEDUP = 20
MIN_THROUGHPUT_SHARE = 0.25


@dataclass
class Run:
    sizes: list[int]
    shapes: list[str]
    args: dict
    companies: dict = field(default_factory=dict)  # (shape, backend, size) -> cache.Company
    plans: dict = field(default_factory=dict)
    http_pages: dict = field(default_factory=dict)
    dataset: dict = field(default_factory=dict)  # (backend, size) -> row counts
    pages: dict = field(default_factory=dict)  # (backend, size) -> {page: Timing}
    pdf: dict = field(default_factory=dict)  # backend -> PdfFigures
    throughput: dict = field(default_factory=dict)
    versions: dict = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def backends(self) -> list[str]:
        return sorted({backend for _, backend, _ in self.pages}, key=lambda b: b != "SQLite")

    def sizes_of(self, shape: str, backend: str) -> list[int]:
        return sorted(size for s, b, size in self.pages if (s, b) == (shape, backend))


def merge(runs: list[Run]) -> Run:
    """One run's figures from several saved ones (say, one shape each); a later run's figure wins a tie."""
    first = runs[0]
    merged = Run(sizes=sorted({size for run in runs for size in run.sizes}),
                 shapes=list(dict.fromkeys(shape for run in runs for shape in run.shapes)), args=dict(first.args))
    for run in runs:
        for name in ("companies", "plans", "http_pages", "dataset", "pages", "pdf", "throughput", "versions"):
            getattr(merged, name).update(getattr(run, name))
        merged.notes += [note for note in run.notes if note not in merged.notes]
        merged.seconds = max(merged.seconds, run.seconds)
    if len(runs) > 1:
        merged.args["shapes"] = ",".join(merged.shapes)
    return merged


def git(*args: str) -> str:
    try:
        return subprocess.run(["git", *args], capture_output=True, text=True, check=True,
                              cwd=Path(__file__).parent).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return ""


def memory() -> str:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    return "unknown"


def has_growth(shape: str, page: str, size: int) -> bool:
    """Whether a page's growth (its time and its statements) from a company of `size` loops is measured: a period
    years ago needs the smaller company to hold those years (the older company at 10,000 loops does; the bigger
    one's 10,000 are one year, before which the period holds nothing to read)."""
    return page not in YEARS_PAGES or size / SHAPES[shape].loops_per_year >= YEARS_BACK


def growth_pairs(sizes: list[int]) -> list[tuple[int, int, float]]:
    """The size pairs a growth budget compares, with its limit: 1,000 to 10,000 and 10,000 to 100,000 loops."""
    return [(a, b, limit) for a, b, limit in ((1000, 10000, MAX_GROWTH), (10000, LARGE, MAX_GROWTH_LARGE))
            if a in sizes and b in sizes]


def check(run: Run) -> tuple[list[str], dict]:
    """Return the budgets missed, in words, and the figures computed for the report."""
    missed, ratios = [], {"growth": {}, "p95": {}, "throughput": {}}
    for shape in run.shapes:
        for backend in run.backends:
            sizes = run.sizes_of(shape, backend)
            if not sizes:
                continue
            small, large = sizes[0], sizes[-1]
            for page in BUDGETED:
                low, high = run.pages[(shape, backend, small)][page], run.pages[(shape, backend, large)][page]
                if low.statements != high.statements and has_growth(shape, page, small):
                    missed.append(f"{backend}, {shape}, {page}: {low.statements} SQL statements at {small:,} loops "
                                  f"but {high.statements} at {large:,}")
                for a, b, limit in growth_pairs(sizes):
                    if not has_growth(shape, page, a):
                        continue
                    growth = run.pages[(shape, backend, b)][page].median / run.pages[(shape, backend, a)][page].median
                    ratios["growth"][(shape, backend, page, a, b)] = growth
                    if growth >= limit:
                        missed.append(f"{backend}, {shape}, {page}: page time grew {growth:.2f}x from {a:,} to "
                                      f"{b:,} loops (budget < {limit}x)")
            if backend == "PostgreSQL" and LARGE in sizes:
                for page in FAST_PAGES:
                    p95 = run.pages[(shape, backend, LARGE)][page].p95
                    ratios["p95"][(shape, page)] = p95
                    if p95 >= MAX_P95_MS:
                        missed.append(f"PostgreSQL, {shape}, {page}: p95 {p95:.0f} ms at {LARGE:,} loops "
                                      f"(budget < {MAX_P95_MS} ms)")
    for (shape, backend), figures in run.pdf.items():
        if figures.overhead > MAX_PDF_OVERHEAD:
            missed.append(f"{backend}, {shape}: the PDF endpoint took {figures.overhead:.2f}x WeasyPrint alone "
                          f"(budget <= {MAX_PDF_OVERHEAD}x)")
        if figures.cache_speedup < MIN_CACHE_SPEEDUP:
            missed.append(f"{backend}, {shape}: a cached repeat was only {figures.cache_speedup:.1f}x faster than a "
                          f"render (budget >= {MIN_CACHE_SPEEDUP}x)")
    for (shape, backend, size), routes in run.throughput.items():
        share = routes["loop page, signed in"].per_second / routes["bare, signed in"].per_second
        ratios["throughput"][(shape, backend, size)] = share
        if share < MIN_THROUGHPUT_SHARE:
            missed.append(f"gunicorn ({backend}, {shape}, {size:,} loops): the loop page served {share:.2f}x the "
                          f"bare route's requests/s (budget >= {MIN_THROUGHPUT_SHARE}x)")
    if not run.throughput:
        missed.append("gunicorn throughput was not measured")
    return missed, ratios


def mark(ok: bool) -> str:
    return "met" if ok else "**MISSED**"


def ms(value: float) -> str:
    return f"{value:,.1f}" if value < 100 else f"{value:,.0f}"


def mib(n: int) -> str:
    return f"{n / 2**20:,.0f} MiB"


def budget_rows(run: Run, missed: list[str], ratios: dict) -> list[str]:
    lines = ["| budget | result |", "|---|---|"]
    same = not any("SQL statements" in m for m in missed)
    lines.append(f"| SQL statements per page the same at every size of a company | {mark(same)} |")
    for a, b, limit in ((1000, 10000, MAX_GROWTH), (10000, LARGE, MAX_GROWTH_LARGE)):
        values = {k: v for k, v in ratios["growth"].items() if (k[3], k[4]) == (a, b)}
        if values:
            (shape, backend, page, _, _), worst = max(values.items(), key=lambda item: item[1])
            lines.append(f"| page time grows < {limit}x from {a:,} to {b:,} loops | {mark(worst < limit)}: worst "
                         f"{worst:.2f}x ({page}, {shape}, {backend}) |")
        else:
            lines.append(f"| page time grows < {limit}x from {a:,} to {b:,} loops | not measured in this run |")
    if ratios["p95"]:
        (shape, page), worst = max(ratios["p95"].items(), key=lambda item: item[1])
        over = sum(1 for value in ratios["p95"].values() if value >= MAX_P95_MS)
        lines.append(f"| every page < {MAX_P95_MS} ms at p95 on PostgreSQL at {LARGE:,} loops (test client) | "
                     f"{mark(not over)}: worst {ms(worst)} ms ({page}, {shape}); {over} of {len(ratios['p95'])} "
                     "pages over |")
    else:
        lines.append(f"| every page < {MAX_P95_MS} ms at p95 on PostgreSQL at {LARGE:,} loops | not measured in "
                     "this run |")
    for (shape, backend), figures in run.pdf.items():
        lines.append(f"| PDF endpoint <= {MAX_PDF_OVERHEAD}x WeasyPrint alone ({backend}, {shape}) | "
                     f"{mark(figures.overhead <= MAX_PDF_OVERHEAD)}: {figures.overhead:.3f}x |")
        lines.append(f"| cached repeat >= {MIN_CACHE_SPEEDUP}x faster than a render ({backend}, {shape}) | "
                     f"{mark(figures.cache_speedup >= MIN_CACHE_SPEEDUP)}: {figures.cache_speedup:.0f}x |")
    if ratios["throughput"]:
        worst_key, worst = min(ratios["throughput"].items(), key=lambda item: item[1])
        lines.append(f"| gunicorn loop page >= {MIN_THROUGHPUT_SHARE}x the bare route's requests/s (every company) | "
                     f"{mark(worst >= MIN_THROUGHPUT_SHARE)}: lowest {worst:.2f}x ({worst_key[1]}, {worst_key[0]}, "
                     f"{worst_key[2]:,} loops) |")
    return lines


def company_rows(run: Run) -> list[str]:
    keys = sorted(run.companies, key=lambda k: (run.shapes.index(k[0]), k[1] != "SQLite", k[2]))
    if not keys:
        return []
    tables = ["users", "org_units", "requisitions", "loops", "open loops", "interviews", "feedback", "feedback_ratings",
              "final_votes", "debrief_decisions", "audit_entries", "audit_personal_data"]
    lines = ["| | " + " | ".join(f"{shape}, {size:,}, {backend}" for shape, backend, size in keys) + " |",
             "|---|" + "---:|" * len(keys)]
    for table in tables:
        lines.append(f"| {table.replace('_', ' ')} | " + " | ".join(
            f"{run.companies[k].counts.get(table, 0):,}" for k in keys) + " |")
    lines.append("| built (s) | " + " | ".join(f"{run.companies[k].build_seconds:,.0f}" for k in keys) + " |")
    lines.append("| built at | " + " | ".join(run.companies[k].built_at for k in keys) + " |")
    lines.append("| cache file | " + " | ".join(mib(run.companies[k].cache_bytes) for k in keys) + " |")
    lines.append("| this run: restored (s) | " + " | ".join(
        "built" if run.companies[k].restored_seconds is None else f"{run.companies[k].restored_seconds:,.0f}"
        for k in keys) + " |")
    return lines


def page_table(run: Run, shape: str, backend: str) -> list[str]:
    sizes = run.sizes_of(shape, backend)
    pairs = growth_pairs(sizes)
    header = ("| page | " + " | ".join(f"SQL @ {s:,}" for s in sizes) + " | "
              + " | ".join(f"median / p95 @ {s:,}" for s in sizes) + " | requests"
              + "".join(f" | growth {a // 1000:,}k→{b // 1000:,}k" for a, b, _ in pairs) + " |")
    lines = [header, "|---|" + "---:|" * (2 * len(sizes) + 1 + len(pairs))]
    for page in run.pages[(shape, backend, sizes[0])]:
        timings = [run.pages[(shape, backend, s)][page] for s in sizes]
        growths = [run.pages[(shape, backend, b)][page].median / run.pages[(shape, backend, a)][page].median
                   if has_growth(shape, page, a) else None for a, b, _ in pairs]
        lines.append(f"| {page} | " + " | ".join(str(t.statements) for t in timings) + " | " + " | ".join(
            f"{ms(t.median)} / {ms(t.p95)}" for t in timings) + " | "
            + "/".join(str(len(t.times)) for t in timings)
            + "".join(" | n/a (history too short)" if g is None else f" | {g:.2f}x" for g in growths) + " |")
    return lines


def http_table(run: Run, shape: str, backend: str) -> list[str]:
    sizes = [s for s in run.sizes_of(shape, backend) if (shape, backend, s) in run.http_pages]
    if not sizes:
        return []
    lines = ["| page | " + " | ".join(f"median / p95 @ {s:,}" for s in sizes) + " | errors |",
             "|---|" + "---:|" * (len(sizes) + 1)]
    for page in run.pages[(shape, backend, sizes[0])]:
        values = [run.http_pages[(shape, backend, s)].get(page) for s in sizes]
        lines.append(f"| {page} | " + " | ".join(
            f"{ms(v.median)} / {ms(v.p95)}" if v else "not requested (slow)" for v in values) + " | "
            + str(sum(v.errors for v in values if v)) + " |")
    lines += ["", "| route, requests/s | " + " | ".join(f"@ {s:,}" for s in sizes) + " |",
              "|---|" + "---:|" * len(sizes)]
    for route in run.throughput[(shape, backend, sizes[0])]:
        lines.append(f"| {route} | " + " | ".join(
            f"{run.throughput[(shape, backend, s)][route].per_second:,.0f}" for s in sizes) + " |")
    lines.append("| loop page / bare, signed in | " + " | ".join(
        f"{run.throughput[(shape, backend, s)]['loop page, signed in'].per_second / run.throughput[(shape, backend, s)]['bare, signed in'].per_second:.2f}x"  # noqa: E501
        for s in sizes) + " |")
    return lines


def growth_section(run: Run, shape: str) -> list[str]:
    """Per page: each statement's access path and rows read at each size, and the projection to 1,000,000 loops."""
    sizes = sorted(size for s, b, size in run.plans if s == shape)
    if not sizes:
        return [f"No PostgreSQL plans for the {shape} company in this run (the growth projection needs them).", ""]
    small, large = sizes[0], sizes[-1]
    lines = []
    timings_small = run.pages.get((shape, "PostgreSQL", small), {})
    timings_large = run.pages[(shape, "PostgreSQL", large)]
    summary = ["| page | statements | bounded | median @ " + f"{large:,} | projected @ {PROJECT_TO:,} |",
               "|---|---:|---:|---:|---|"]
    details = []
    for page, plans_large in run.plans[(shape, "PostgreSQL", large)].items():
        plans_small = run.plans.get((shape, "PostgreSQL", small), {}).get(page) if small != large else None
        if plans_small is not None and len(plans_small) != len(plans_large):
            plans_small = None
        counts_small = run.companies[(shape, "PostgreSQL", small)].counts if plans_small else None
        counts_large = run.companies[(shape, "PostgreSQL", large)].counts
        bounded = [is_bounded(plans_small[n] if plans_small else None, plan, counts_small, counts_large,
                              large / small) for n, plan in enumerate(plans_large)]
        t_large = timings_large[page].median
        if all(bounded):
            projection = f"stays flat: about {ms(t_large)} ms"
        elif page in timings_small and small != large:
            t_small = timings_small[page].median
            slope = max(0.0, (t_large - t_small) / (large - small))
            projection = (f"grows with history: about {ms(t_large + slope * (PROJECT_TO - large))} ms "
                          f"(linear from {small:,} and {large:,})")
        else:
            projection = "grows with history"
        summary.append(f"| {page} | {len(plans_large)} | {sum(bounded)} of {len(bounded)} | {ms(t_large)} ms | "
                       f"{projection} |")
        details += [f"#### {page}", "",
                    "| # | statement | access (tables, scans, indexes) | rows read" +
                    (f" @ {small:,}" if plans_small else "") + f" | rows read @ {large:,} | bounded |",
                    "|---:|---|---|" + ("---:|" if plans_small else "") + "---:|---|"]
        for n, plan in enumerate(plans_large):
            before = f" {plans_small[n].rows_read:,} |" if plans_small else ""
            details.append(f"| {n + 1} | `{plan.text}` | {plan.access} |{before} {plan.rows_read:,} | "
                           f"{'yes' if bounded[n] else '**no**'} |")
        details.append("")
    lines += summary + [""] + details
    return lines


def duration_note(run: Run) -> str:
    """Say what building the largest companies took, from the cache's records."""
    largest = [(key, company) for key, company in run.companies.items() if key[2] == max(run.sizes)]
    if not largest:
        return ""
    builds = ", ".join(f"{shape} on {backend} {company.build_seconds / 60:.0f} min" for (shape, backend, _), company
                       in largest)
    restores = [company.restored_seconds for _, company in largest if company.restored_seconds is not None]
    restored = (f"; restoring one from the cache took {min(restores):.0f} to {max(restores):.0f} s"
                if restores else "")
    return f"Building a {max(run.sizes):,}-loop company took {builds}{restored}. "


def write_results(run: Run, path: Path) -> list[str]:
    """Write RESULTS.md and return the budgets missed."""
    missed, ratios = check(run)
    commit = git("rev-parse", "--short", "HEAD") or "unknown"
    if git("status", "--porcelain", "--untracked-files=no"):
        commit += " (with uncommitted changes)"
    settings = ", ".join(f"{k}={v}" for k, v in run.args.items()
                         if k not in ("skip_postgres", "quick", "build_only", "report_only", "merge", "note"))
    lines = [
        "# Benchmark results",
        "",
        "Written by `make bench` (`python -m bench`); every figure below comes from the run described under "
        "\"Machine\" (or the runs its notes name), on companies built by the bench (or restored from its "
        "cache, `$BENCH_CACHE`, default `bench/.cache/`). The budgets are PRODUCT.md's \"Budgets\".",
        "",
        f"This run took {run.seconds / 60:.0f} minutes for {len(run.pages)} companies "
        f"({', '.join(run.backends) or 'no database'}). {duration_note(run)}A full `make bench` measures eight "
        "companies (two shapes, 10,000 and 100,000 loops, SQLite and PostgreSQL), the first time after building "
        "each; most of its time goes to the pages that read history, each requested at least 5 times however "
        "slow, so it takes hours on a busy two-core machine while those pages read history. "
        "`python -m bench --quick` (CI, a laptop) measures both shapes at 1,000 and 10,000 loops with fewer "
        "repeats in about ten minutes: it checks the statement counts, the 1.3x growth from 1,000 to 10,000 "
        "loops, the PDF and gunicorn budgets, but not the 100,000-loop ones. `--shapes`, `--sizes` and `--db` "
        "run a part (`python -m bench --shapes older --sizes 10000,100000 --db postgres`).",
        "",
        "## Machine",
        "",
        "| | |",
        "|---|---|",
        f"| date | {datetime.now(UTC):%Y-%m-%d %H:%M} UTC |",
        f"| git commit | {commit} |",
        f"| CPUs (`nproc`) | {os.cpu_count()} |",
        f"| memory | {memory()} |",
        f"| Python | {platform.python_version()} |",
        f"| SQLite | {sqlite3.sqlite_version} |",
        f"| PostgreSQL | {run.versions.get('PostgreSQL', 'not measured')} |",
        f"| run took | {run.seconds / 60:.1f} minutes |",
        f"| settings | {settings} |",
        "",
    ]
    lines += [f"> {note}" for note in run.notes] + ([""] if run.notes else [])
    lines += ["## Budgets", ""] + budget_rows(run, missed, ratios) + [""]
    if missed:
        lines += ["Missed:", ""] + [f"- {m}" for m in missed] + [""]

    lines += ["## The companies", "",
              "Loops are played through the eight steps with résumé and phone-screen rejections, withdrawals, "
              "No hire, vetoes and declined offers; a loop that reaches the in-house day has a phone screen and "
              "6-8 in-house interviews, each with written feedback, two rated principles with evidence and a "
              "vote, and the audit trail the services write (chained, its personal data apart). After the rows, "
              "every `flask rebuild-*` command the app has is run, so derived data is what the services would "
              "have kept. Pages are requested as `recruiter@bench.test`; the loop page, debrief page and PDF are "
              "of the showcase loop (identical at every size and in both shapes: at the debrief, eight in-house "
              "interviewers).", ""]
    for shape in run.shapes:
        lines += [f"- **{shape}**: {SHAPES[shape].about}"]
    lines += [""] + company_rows(run) + [""]

    for shape in run.shapes:
        lines += [f"## The {shape} company", "", SHAPES[shape].about, ""]
        for backend in run.backends:
            if not run.sizes_of(shape, backend):
                continue
            lines += [f"### {backend}: pages with the test client", "",
                      "SQL statements per request, and median / 95th-percentile time in milliseconds with the "
                      f"Flask test client over {run.args['repeats']} requests ({run.args['pdf_repeats']} for the "
                      f"PDF, each a fresh render) after {run.args.get('warm_ups', 2)} untimed ones, fewer (at least "
                      f"{run.args.get('min_requests', 5)}) for a page that took over "
                      f"{run.args['page_seconds']:.0f} s (the \"requests\" column); growth is the median's ratio.",
                      ""]
            lines += page_table(run, shape, backend) + [""]
            http = http_table(run, shape, backend)
            if http:
                lines += [f"### {backend}: under gunicorn", "",
                          "gunicorn with 2 workers on 127.0.0.1. First each page requested one after the other "
                          "over HTTP (a new connection per request; the PDF is served from its cache after the "
                          f"first; a page over {run.args.get('http_skip_over', 10):.0f} s with the test client is "
                          f"not requested again); then {run.args['connections']} concurrent connections, "
                          f"{run.args['seconds']:.0f} s per route in {ROUNDS} turns taken in rotation, on the bare "
                          "route (bench-only, bench/wsgi.py: the layout with a fixed body) anonymous and under the "
                          "recruiter's session, and the loop page under the same session; the load generator runs "
                          "on the same two cores.", ""] + http + [""]

    if run.pdf:
        lines += ["## The debrief PDF", "",
                  "The showcase loop's PDF at the largest size measured: the endpoint with an empty cache (data, "
                  "HTML, render, audit entry, cache write) against WeasyPrint alone rendering the same HTML in the "
                  "same process, alternated; then repeat downloads served from the cache.", "",
                  "| company | endpoint, fresh (median ms) | WeasyPrint alone (median ms) | endpoint / WeasyPrint | "
                  "cached repeat (median ms) | render / cached |",
                  "|---|---:|---:|---:|---:|---:|"]
        for (shape, backend), f in run.pdf.items():
            lines.append(f"| {shape}, {backend} | {f.endpoint.median:.0f} | {f.weasyprint.median:.0f} | "
                         f"{f.overhead:.3f}x | {f.cached.median:.1f} | {f.cache_speedup:.0f}x |")
        lines.append("")

    lines += ["## Growth", "",
              "Where each page goes past the sizes measured, from PostgreSQL's plans of its statements: every "
              "SELECT a page sends is run again under `EXPLAIN (ANALYZE, FORMAT JSON)` (rolled back) at each "
              "size, and its rows read (rows its scans return or filter away) compared table by table. A "
              "statement reads history when, for some table that grows with history, the rows it reads there "
              "grow at least by the square root of the size ratio (3.2x from 10,000 to 100,000 loops) and are "
              "0.1% of the table or more; otherwise it is bounded (an index range independent of history: the "
              "open pipeline, a page of 25, one loop, the people). With one size measured, reading 5% or more of "
              f"a table of 10,000 rows counts as reading history. A page is projected to stay flat at "
              f"{PROJECT_TO:,} loops only when all its statements are bounded; otherwise its median is "
              "extrapolated linearly from the two sizes. Writes (the PDF's audit entry, the session's touch) are "
              "not explained.", ""]
    for shape in run.shapes:
        lines += [f"### The {shape} company", ""] + growth_section(run, shape)
    path.write_text("\n".join(lines))
    return missed
