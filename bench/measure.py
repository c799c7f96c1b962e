"""In-process measurements with the Flask test client: SQL statements and time per page, and the PDF."""

import gc
import re
import shutil
import statistics
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import sqlalchemy as sa
from flask import Flask
from sqlalchemy import event

from app.db_types import utcnow
from app.extensions import db
from app.metrics.views import twelve_months_from
from bench.company import PASSWORD, RECRUITER_EMAIL, SHOWCASE_CANDIDATE

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


@dataclass
class Timing:
    """Times of repeated requests in milliseconds, and the SQL statements of one of them."""

    times: list[float] = field(default_factory=list)
    statements: int = 0

    @property
    def median(self) -> float:
        return statistics.median(self.times)

    @property
    def p95(self) -> float:
        ordered = sorted(self.times)
        return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


class StatementCounter:
    """Count every statement the engine sends to the database."""

    def __init__(self, engine: sa.Engine):
        self.count = 0
        event.listen(engine, "before_cursor_execute", self.seen)

    def seen(self, *args, **kwargs) -> None:
        self.count += 1


def sign_in(app: Flask, email: str):
    """Return a test client signed in through the real login form (CSRF token and all)."""
    client = app.test_client()
    form = client.get("/login")
    match = CSRF.search(form.get_data(as_text=True))
    data = {"email": email, "password": PASSWORD}
    if match:
        data["csrf_token"] = match.group(1)
    response = client.post("/login", data=data)
    if response.status_code != 302:
        raise RuntimeError(f"could not sign in {email}: {response.status_code}")
    return client


def showcase_loop_id() -> int:
    return db.session.execute(sa.text(
        "SELECT loops.id FROM loops JOIN candidates ON candidates.id = loops.candidate_id WHERE candidates.name = :n"
    ), {"n": SHOWCASE_CANDIDATE}).scalar_one()


def day_months_ago(now, months: int, day: int) -> str:
    """The `day`th of the month `months` before `now`'s, as the filter writes a date."""
    month = now.year * 12 + now.month - 1 - months
    return date(month // 12, month % 12 + 1, day).isoformat()


def pages(loop_id: int) -> dict[str, str]:
    """The measured pages, as the recruiter of the showcase loop (and about a third of all loops) sees them.

    Besides the two periods a metrics page opens on, two a user types: months and years, each starting and
    ending inside a month (the days at either end are read loop by loop, or taken away from their months)."""
    now = utcnow()
    year_ago = twelve_months_from(now)  # the page's own default: this month and the eleven before it
    months = f"date_from={day_months_ago(now, 10, 15)}&date_to={day_months_ago(now, 1, 16)}"
    years = f"date_from={day_months_ago(now, 57, 20)}&date_to={day_months_ago(now, 16, 10)}"
    return {
        "home": "/",
        "loop list": "/loops/",
        "loop page": f"/loops/{loop_id}",
        "debrief page": f"/loops/{loop_id}/debrief",
        "metrics (last 12 months)": f"/metrics?date_from={year_ago}",
        "metrics (all time)": "/metrics?date_from=",
        "interviewers (last 12 months)": f"/metrics/interviewers?date_from={year_ago}",
        "interviewers (all time)": "/metrics/interviewers?date_from=",
        "metrics (months, mid-month)": f"/metrics?{months}",
        "metrics (years, mid-month)": f"/metrics?{years}",
        "interviewers (years, mid-month)": f"/metrics/interviewers?{years}",
        "debrief PDF": f"/loops/{loop_id}/debrief.pdf",
    }


# Every page is budgeted; the PDF (a download that renders a document) has budgets of its own, not the 50 ms.
BUDGETED = ("home", "loop list", "loop page", "debrief page", "metrics (last 12 months)", "metrics (all time)",
            "interviewers (last 12 months)", "interviewers (all time)", "metrics (months, mid-month)",
            "metrics (years, mid-month)", "interviewers (years, mid-month)", "debrief PDF")
# The pages of a period years ago (back to 57 months ago), and how many years of history a company needs for its
# growth to be measured: a smaller company whose history is shorter holds fewer of the period's loops, or none.
YEARS_PAGES, YEARS_BACK = ("metrics (years, mid-month)", "interviewers (years, mid-month)"), 5
FAST_PAGES = tuple(page for page in BUDGETED if page != "debrief PDF")
MIN_TIMED = 5


def clear(folder: str) -> None:
    shutil.rmtree(folder, ignore_errors=True)
    Path(folder).mkdir(parents=True, exist_ok=True)


def measure_pages(app: Flask, repeats: int, page_seconds: float, pdf_repeats: int, progress,
                  min_timed: int = MIN_TIMED, warm_ups: int = 2) -> dict[str, Timing]:
    """Time each page `repeats` times (the PDF fresh, its cache emptied before each) and count its statements.

    A page that has taken `page_seconds` stops early, once it has at least `min_timed` timed requests.
    """
    with app.app_context():
        loop_id = showcase_loop_id()
        counter = StatementCounter(db.engine)
    client = sign_in(app, RECRUITER_EMAIL)
    cache = app.config["PDF_CACHE_DIR"]
    # Every page once before any is timed: a company just restored or built is read from disk on its first
    # requests, and that would fall on whichever page is timed first and read as growth.
    for path in pages(loop_id).values():
        if not path.endswith(".pdf"):
            client.get(path)
    results = {}
    for name, path in pages(loop_id).items():
        is_pdf = path.endswith(".pdf")
        timing = Timing()
        n = pdf_repeats if is_pdf else repeats
        began = time.monotonic()
        for attempt in range(n + warm_ups):
            if attempt >= warm_ups + min_timed and time.monotonic() - began > page_seconds:
                break
            if is_pdf:
                clear(cache)
            before = counter.count
            started = time.perf_counter()
            response = client.get(path)
            elapsed = (time.perf_counter() - started) * 1000
            if response.status_code != 200:
                raise RuntimeError(f"{path} answered {response.status_code}")
            if attempt >= warm_ups:
                timing.times.append(elapsed)
                timing.statements = counter.count - before
        results[name] = timing
        progress(f"    {name:<26} {timing.statements:>3} statements, median {timing.median:8.1f} ms, "
                 f"p95 {timing.p95:8.1f} ms ({len(timing.times)} requests)")
    return results


@dataclass
class PdfFigures:
    endpoint: Timing
    weasyprint: Timing
    cached: Timing

    @property
    def overhead(self) -> float:
        return self.endpoint.median / self.weasyprint.median

    @property
    def cache_speedup(self) -> float:
        return self.endpoint.median / self.cached.median


def measure_pdf(app: Flask, repeats: int, progress) -> PdfFigures:
    """Compare the PDF endpoint (fresh render) with WeasyPrint alone on the same HTML, and with a cached repeat."""
    from weasyprint import HTML

    from app.formatting import viewer_zone
    from app.loops.models import Loop
    from app.reports import pdf

    with app.app_context():
        loop_id = showcase_loop_id()
    client = sign_in(app, RECRUITER_EMAIL)
    cache = app.config["PDF_CACHE_DIR"]
    path = f"/loops/{loop_id}/debrief.pdf"

    with app.test_request_context():
        loop = db.session.get(Loop, loop_id)
        data = pdf.report_data(loop)
        html = pdf.render_html(data, report_fingerprint=pdf.fingerprint(data), generated_at=utcnow(),
                               zone=viewer_zone())
        static = app.static_folder
        db.session.remove()

    def weasyprint_alone() -> float:
        fetcher = pdf.BundledAssetFetcher(static)
        gc.collect()  # each timed render starts from a clean heap, not with the other's garbage to collect
        started = time.perf_counter()
        HTML(string=html, base_url=pdf.BASE_URL, url_fetcher=fetcher).write_pdf()
        return (time.perf_counter() - started) * 1000

    def endpoint(fresh: bool) -> float:
        if fresh:
            clear(cache)
            gc.collect()
        started = time.perf_counter()
        response = client.get(path)
        elapsed = (time.perf_counter() - started) * 1000
        if response.status_code != 200 or not response.data.startswith(b"%PDF"):
            raise RuntimeError(f"{path} answered {response.status_code}")
        return elapsed

    endpoint(True), weasyprint_alone()  # warm up fonts and templates
    figures = PdfFigures(Timing(), Timing(), Timing())
    for _ in range(repeats):  # alternate, so drift in the machine's speed falls on both alike
        figures.endpoint.times.append(endpoint(True))
        figures.weasyprint.times.append(weasyprint_alone())
    endpoint(False)
    for _ in range(max(repeats * 4, 20)):
        figures.cached.times.append(endpoint(False))
    progress(f"    PDF endpoint {figures.endpoint.median:.0f} ms, WeasyPrint alone {figures.weasyprint.median:.0f} ms "
             f"({figures.overhead:.3f}x); cached repeat {figures.cached.median:.1f} ms ({figures.cache_speedup:.0f}x)")
    return figures
