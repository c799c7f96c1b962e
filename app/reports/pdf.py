"""Render the debrief report to PDF with WeasyPrint, fetching nothing but the app's bundled assets.

The template names its assets by an internal scheme (`report-asset:fonts/…`).
`BundledAssetFetcher` serves exactly those URLs from app/static and refuses
every other one (file paths, http, data: URLs, relative paths) by raising;
it never opens a URL itself, so it cannot follow a redirect. It is built with
`fail_on_errors`, so a refusal stops the render instead of becoming a warning,
and `render_pdf` also refuses the result if any refusal was recorded on a path
where WeasyPrint swallows errors.
"""

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from pathlib import Path
from zoneinfo import ZoneInfo

from flask import current_app, render_template
from weasyprint import HTML, URLFetcher
from weasyprint.urls import FatalURLFetchingError, URLFetcherResponse

from app.db_types import utcnow
from app.feedback.models import Vote
from app.loops.models import Loop
from app.reports import signing
from app.reports.cache import PdfCache
from app.reports.charts import vote_chart_svg
from app.reports.data import FORMAT, fingerprint, report_data

TEMPLATE = "reports/debrief.html"
SCHEME = "report-asset"
BASE_URL = f"{SCHEME}:/"
FONT_FAMILY = "Debrief Sans"  # the bundled DejaVu faces, as debrief.css names them
# Every URL the renderer may fetch, and the file under app/static that answers it.
ASSETS = {
    f"{SCHEME}:reports/debrief.css": ("reports/debrief.css", "text/css"),
    f"{SCHEME}:fonts/DejaVuSans.ttf": ("fonts/DejaVuSans.ttf", "font/ttf"),
    f"{SCHEME}:fonts/DejaVuSans-Bold.ttf": ("fonts/DejaVuSans-Bold.ttf", "font/ttf"),
    f"{SCHEME}:fonts/DejaVuSans-Oblique.ttf": ("fonts/DejaVuSans-Oblique.ttf", "font/ttf"),
}


class AssetRefused(Exception):
    """The renderer asked for something other than one of the app's bundled assets."""


class BundledAssetFetcher(URLFetcher):
    """Serve the report's bundled fonts and CSS; refuse every other URL by raising.

    `requested` and `refused` list what the renderer asked for, so tests can
    prove nothing else was fetched.
    """

    def __init__(self, static_folder: str | Path):
        super().__init__(allowed_protocols={SCHEME}, allow_redirects=False, fail_on_errors=True)
        self.static_folder = Path(static_folder)
        self.requested: list[str] = []
        self.refused: list[str] = []

    def fetch(self, url, headers=None):
        self.requested.append(url)
        asset = ASSETS.get(url)
        if asset is None:
            self.refused.append(url)
            raise AssetRefused(f"the debrief renderer fetches only bundled assets; refused {url[:200]!r}")
        relative, media_type = asset
        return URLFetcherResponse(url, (self.static_folder / relative).read_bytes(), {"Content-Type": media_type})


def render_pdf(html: str) -> bytes:
    """Render report HTML to PDF bytes; raise AssetRefused if it asked for anything but bundled assets."""
    fetcher = BundledAssetFetcher(current_app.static_folder)
    try:
        document = HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher).write_pdf()
    except FatalURLFetchingError as error:  # a BaseException: turn it into an ordinary error
        raise AssetRefused(f"refused to fetch {fetcher.refused}") from error
    if fetcher.refused:
        # WeasyPrint swallows errors in some paths (an SVG's <image>); the refusal is recorded all the same.
        raise AssetRefused(f"refused to fetch {fetcher.refused}")
    return document


LONG_RUN = re.compile(r"\S{60,}")
ZERO_WIDTH_SPACE = "\u200b"


def breakable(text: str | None) -> str:
    """Let long unbroken runs (pasted hashes, URLs, a held-down key) wrap every 30 characters.

    WeasyPrint lays out one unbreakable 100 KB word in about a minute; with a
    zero-width break opportunity every 30 characters it takes under a second.
    Returns plain text: autoescape still escapes it.
    """
    if not text:
        return text or ""
    return LONG_RUN.sub(lambda m: ZERO_WIDTH_SPACE.join(m[0][i:i + 30] for i in range(0, len(m[0]), 30)), text)


def format_time(value: str | None, fmt: str = "%d %b %Y, %H:%M", *, zone: ZoneInfo) -> str:
    """Format an ISO 8601 time from the report data in `zone`, with the zone's abbreviation."""
    if not value:
        return "—"
    local = datetime.fromisoformat(value).astimezone(zone)
    return f"{local.strftime(fmt)} {local.tzname()}"


def format_date(value: str | None) -> str:
    return datetime.fromisoformat(value).strftime("%d %b %Y") if value else "—"


def render_html(data: dict, *, report_fingerprint: str, generated_at: datetime, zone: ZoneInfo) -> str:
    """Render the print template for the report data (user text escaped by Jinja's autoescape)."""
    chart = vote_chart_svg([(Vote(row["vote"]), row["first"], row["final"]) for row in data["tally"]],
                           font_family=FONT_FAMILY)
    return render_template(TEMPLATE, report=data, fingerprint=report_fingerprint, chart=chart,
                           generated_at=generated_at.isoformat(), when=partial(format_time, zone=zone),
                           on_date=format_date, zone_name=zone.key, breakable=breakable)


def layout_version() -> str:
    """Hash the template, the CSS, the data format and the signing certificate, so a changed layout or a
    new signing key never serves an old cached PDF."""
    signer = signing.certificate_fingerprint().encode()
    return hashlib.sha256(b"%d\0%s\0%s" % (FORMAT, _layout_digest(), signer)).hexdigest()[:16]


def _layout_digest() -> bytes:
    """Hash the template and the CSS once per process; in debug they are read anew, as templates are."""
    app = current_app._get_current_object()
    digest = app.extensions.get("debrief_layout_digest")
    if digest is None or app.debug:
        env = app.jinja_env
        source = env.loader.get_source(env, TEMPLATE)[0].encode()
        css = (Path(app.static_folder) / ASSETS[f"{SCHEME}:reports/debrief.css"][0]).read_bytes()
        digest = app.extensions["debrief_layout_digest"] = hashlib.sha256(source + b"\0" + css).digest()
    return digest


def cache_key(loop: Loop, zone: ZoneInfo) -> str:
    """Name one state of the loop's report in one zone: the database moves `report_version` with every change
    the report shows (migration 0016), so finding a cached copy needs none of the report's data."""
    return f"{loop.id}-v{loop.report_version}.{zone.key.replace('/', '~')}"


@dataclass
class Report:
    pdf: bytes
    fingerprint: str
    from_cache: bool


def debrief_pdf(loop: Loop, zone: ZoneInfo) -> Report:
    """Return the loop's signed debrief PDF, from the cache when this state of the report was rendered before.

    The version is read (with the loop) before the data: a change committed in between leaves a copy under
    the older version, which nobody asks for any more, never older data under the newer version.
    """
    cache = PdfCache.for_app(current_app, layout_version())
    key = cache_key(loop, zone)
    cached = cache.get(key)
    if cached is not None:
        return Report(cached.pdf, cached.fingerprint, True)
    data = report_data(loop)
    report_fingerprint = fingerprint(data)
    generated_at = utcnow()
    html = render_html(data, report_fingerprint=report_fingerprint, generated_at=generated_at, zone=zone)
    pdf = signing.sign_pdf(render_pdf(html))
    cache.put(key, pdf, report_fingerprint)
    return Report(pdf, report_fingerprint, False)
