"""The budgets of PRODUCT.md checked against one run's figures, and bench/RESULTS.md written from them."""

import os
import platform
import sqlite3
import subprocess
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from bench.load import ROUNDS
from bench.measure import BUDGETED

MAX_GROWTH = 1.3
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
        return sorted({backend for backend, _ in self.pages}, key=lambda b: b != "SQLite")


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


def growth_pair(sizes: list[int]) -> tuple[int, int] | None:
    """The sizes the growth budget compares: 1,000 and 10,000 loops, or the two largest measured."""
    if 1000 in sizes and 10000 in sizes:
        return 1000, 10000
    return (sizes[-2], sizes[-1]) if len(sizes) >= 2 else None


def check(run: Run) -> tuple[list[str], dict]:
    """Return the budgets missed, in words, and the ratios computed for the report."""
    missed, ratios = [], {"growth": {}}
    small, large = run.sizes[0], run.sizes[-1]
    pair = growth_pair(run.sizes)
    for backend in run.backends:
        for page in BUDGETED:
            low, high = run.pages[(backend, small)][page], run.pages[(backend, large)][page]
            if low.statements != high.statements:
                missed.append(f"{backend}, {page}: {low.statements} SQL statements at {small:,} loops but "
                              f"{high.statements} at {large:,}")
            if pair:
                before, after = run.pages[(backend, pair[0])][page], run.pages[(backend, pair[1])][page]
                growth = after.median / before.median
                ratios["growth"][(backend, page)] = growth
                if growth >= MAX_GROWTH:
                    missed.append(f"{backend}, {page}: page time grew {growth:.2f}x from {pair[0]:,} to "
                                  f"{pair[1]:,} loops (budget < {MAX_GROWTH}x)")
    for backend, figures in run.pdf.items():
        if figures.overhead > MAX_PDF_OVERHEAD:
            missed.append(f"{backend}: the PDF endpoint took {figures.overhead:.2f}x WeasyPrint alone "
                          f"(budget <= {MAX_PDF_OVERHEAD}x)")
        if figures.cache_speedup < MIN_CACHE_SPEEDUP:
            missed.append(f"{backend}: a cached repeat was only {figures.cache_speedup:.1f}x faster than a render "
                          f"(budget >= {MIN_CACHE_SPEEDUP}x)")
    if run.throughput:
        backend, routes = run.throughput
        share = routes["loop page, signed in"].per_second / routes["bare, signed in"].per_second
        ratios["throughput"] = share
        if share < MIN_THROUGHPUT_SHARE:
            missed.append(f"gunicorn ({backend}): the loop page served {share:.2f}x the bare route's requests/s "
                          f"(budget >= {MIN_THROUGHPUT_SHARE}x)")
    else:
        missed.append("gunicorn throughput was not measured")
    return missed, ratios


def mark(ok: bool) -> str:
    return "met" if ok else "**MISSED**"


def write_results(run: Run, path: Path) -> list[str]:
    """Write RESULTS.md and return the budgets missed."""
    missed, ratios = check(run)
    small, large = run.sizes[0], run.sizes[-1]
    pair = growth_pair(run.sizes)
    commit = git("rev-parse", "--short", "HEAD") or "unknown"
    if git("status", "--porcelain", "--untracked-files=no"):
        commit += " (with uncommitted changes)"
    lines = [
        "# Benchmark results",
        "",
        "Written by `make bench` (`python -m bench`); every figure below comes from one run. "
        "The budgets are PRODUCT.md's \"Budgets\".",
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
        f"| settings | {', '.join(f'{k}={v}' for k, v in run.args.items())} |",
        "",
    ]
    lines += [f"> {note}" for note in run.notes] + ([""] if run.notes else [])
    lines += ["## Budgets", "", "| budget | result |", "|---|---|"]
    same = not any("SQL statements" in m for m in missed)
    lines.append(f"| SQL statements per page the same at {small:,} and {large:,} loops | {mark(same)} |")
    if pair:
        worst = max(ratios["growth"].values(), default=0)
        lines.append(f"| page time grows < {MAX_GROWTH}x from {pair[0]:,} to {pair[1]:,} loops | "
                     f"{mark(worst < MAX_GROWTH)}: worst {worst:.2f}x |")
    for backend, figures in run.pdf.items():
        lines.append(f"| PDF endpoint <= {MAX_PDF_OVERHEAD}x WeasyPrint alone ({backend}) | "
                     f"{mark(figures.overhead <= MAX_PDF_OVERHEAD)}: {figures.overhead:.3f}x |")
        lines.append(f"| cached repeat >= {MIN_CACHE_SPEEDUP}x faster than a render ({backend}) | "
                     f"{mark(figures.cache_speedup >= MIN_CACHE_SPEEDUP)}: {figures.cache_speedup:.0f}x |")
    if run.throughput:
        share = ratios["throughput"]
        lines.append(f"| gunicorn loop page >= {MIN_THROUGHPUT_SHARE}x the bare route's requests/s "
                     f"({run.throughput[0]}) | {mark(share >= MIN_THROUGHPUT_SHARE)}: {share:.2f}x |")
    lines.append("")
    if missed:
        lines += ["Missed:", ""] + [f"- {m}" for m in missed] + [""]

    lines += ["## The synthetic company", "",
              "A fixed staff (an admin, 6 recruiters, 30 hiring managers, 24 certified bar raisers, 6 in training, "
              "200 interviewers) hiring at a steady 1,000 loops a year, so a bigger company is an older one. "
              "Loops are played through the eight steps with résumé and phone-screen rejections, withdrawals, "
              "No hire, vetoes and declined offers; a loop that reaches the in-house day has a phone screen and "
              "6-8 in-house interviews, each with written feedback, two rated principles with evidence and a "
              "vote. Pages are requested as `recruiter@bench.test`, the recruiter of about a third of all loops; "
              "the loop page, debrief page and PDF are of the showcase loop (identical at every size: at the "
              "debrief, eight in-house interviewers).", ""]
    tables = ["loops", "open loops", "requisitions", "interviews", "feedback", "feedback_ratings", "final_votes",
              "debrief_decisions", "audit_entries"]
    backend0 = run.backends[0] if run.backends else "SQLite"
    lines += ["| rows | " + " | ".join(f"{s:,} loops" for s in run.sizes) + " |",
              "|---|" + "---:|" * len(run.sizes)]
    for table in tables:
        lines.append(f"| {table.replace('_', ' ')} | " + " | ".join(
            f"{run.dataset.get((backend0, s), {}).get(table, 0):,}" for s in run.sizes) + " |")
    lines.append("")

    for backend in run.backends:
        lines += [f"## Pages on {backend}", "",
                  "SQL statements per request, and median / 95th-percentile time in milliseconds over "
                  f"{run.args['repeats']} requests ({run.args['pdf_repeats']} for the PDF, each a fresh render) "
                  "with the Flask test client. Growth is the median's ratio"
                  + (f" from {pair[0]:,} to {pair[1]:,} loops." if pair else "."), ""]
        header = "| page | " + " | ".join(f"SQL @ {s:,}" for s in run.sizes) + " | " + " | ".join(
            f"median / p95 @ {s:,}" for s in run.sizes) + " | growth |"
        lines += [header, "|---|" + "---:|" * (2 * len(run.sizes) + 1)]
        for page in run.pages[(backend, small)]:
            timings = [run.pages[(backend, s)][page] for s in run.sizes]
            growth = (run.pages[(backend, pair[1])][page].median / run.pages[(backend, pair[0])][page].median
                      if pair else None)
            label = page if page in BUDGETED else f"{page} (not budgeted)"
            lines.append(f"| {label} | " + " | ".join(str(t.statements) for t in timings) + " | " + " | ".join(
                f"{t.median:.1f} / {t.p95:.1f}" for t in timings) + " | "
                + (f"{growth:.2f}x" if growth else "—") + " |")
        lines.append("")

    if run.pdf:
        lines += ["## The debrief PDF", "",
                  f"The showcase loop's PDF at {large:,} loops: the endpoint with an empty cache (data, HTML, "
                  "render, audit entry, cache write) against WeasyPrint alone rendering the same HTML in the same "
                  "process, alternated; then repeat downloads served from the cache.", "",
                  "| backend | endpoint, fresh (median ms) | WeasyPrint alone (median ms) | endpoint / WeasyPrint | "
                  "cached repeat (median ms) | render / cached |",
                  "|---|---:|---:|---:|---:|---:|"]
        for backend, f in run.pdf.items():
            lines.append(f"| {backend} | {f.endpoint.median:.0f} | {f.weasyprint.median:.0f} | {f.overhead:.3f}x | "
                         f"{f.cached.median:.1f} | {f.cache_speedup:.0f}x |")
        lines.append("")

    if run.throughput:
        backend, routes = run.throughput
        lines += ["## Under gunicorn", "",
                  f"gunicorn with 2 workers on 127.0.0.1, {run.args['connections']} concurrent connections, "
                  f"{run.args['seconds']:.0f} s per route in {ROUNDS} turns taken in rotation (so a slow spell of the "
                  f"shared machine falls on every route alike), in one run on the {large:,}-loop "
                  f"{backend} database; the load generator (Python threads, a new connection per request) runs "
                  "on the same two cores. The bare route is bench-only (bench/wsgi.py): the app's layout with a "
                  "fixed body, no queries of its own. The budget compares the loop page with it requested under "
                  "the same session (both pay what every signed-in request pays: the session, loading the user, "
                  "the layout); the anonymous figure is the floor of the server and the load generator.", "",
                  "| route | requests | requests/s | errors |", "|---|---:|---:|---:|"]
        lines += [f"| {name} | {t.requests} | {t.per_second:.0f} | {t.errors} |" for name, t in routes.items()]
        lines += ["", f"The signed-in loop page serves {ratios['throughput']:.2f}x the signed-in bare route's "
                  "requests per second.", ""]
    path.write_text("\n".join(lines))
    return missed
