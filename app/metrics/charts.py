"""Bar charts drawn on the server as SVG: no script, no style attribute, words and numbers inside.

Each row puts its label on a line of its own above the bar, so long names fit
and the chart stays legible when a phone shrinks it. Colours come from SVG
presentation attributes (the Content-Security-Policy allows no inline style);
every number also sits in the table beside the chart.
"""

from collections.abc import Sequence

from markupsafe import Markup, escape

WIDTH = 360
FONT = "system-ui, -apple-system, Segoe UI, Roboto, Helvetica Neue, Arial, sans-serif"
LABEL_SIZE = 13
VALUE_SIZE = 12
BAR_HEIGHT = 14
VALUE_ROOM = 100  # room right of the longest bar for its number
INK = "#16181d"
MUTED = "#555d6b"
ACCENT = "#4f46e5"
SOFT = "#c7c9f9"
AXIS = "#c9ced6"


def _fit(text: str, width: float, size: float = LABEL_SIZE) -> str:
    """Shorten text to about `width` pixels, with an ellipsis."""
    limit = max(int(width / (size * 0.52)), 4)
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _text(x: float, y: float, text: str, *, size: float = LABEL_SIZE, fill: str = INK, anchor: str = "start",
          weight: str | None = None) -> str:
    extra = f' font-weight="{weight}"' if weight else ""
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" fill="{fill}" text-anchor="{anchor}"{extra}>'
            f"{escape(text)}</text>")


def _rect(x: float, y: float, width: float, height: float, fill: str, stroke: str | None = None) -> str:
    outline = f' stroke="{stroke}" stroke-width="1"' if stroke else ""
    return f'<rect x="{x:.1f}" y="{y:.1f}" width="{max(width, 0):.1f}" height="{height}" fill="{fill}"{outline}/>'


def _svg(name: str, title: str, height: float, body: list[str]) -> Markup:
    title_id = f"chart-{name}-title"
    # Labels and the title are escaped where they are written (escape() above); the rest is our markup.
    return Markup(  # nosec
        f'<svg xmlns="http://www.w3.org/2000/svg" class="metrics-chart__svg" role="img" '
        f'aria-labelledby="{title_id}" width="{WIDTH}" height="{height:.0f}" viewBox="0 0 {WIDTH} {height:.0f}" '
        f'font-family="{FONT}"><title id="{title_id}">{escape(title)}</title>{"".join(body)}</svg>'
    )


def _legend(y: float, entries: Sequence[tuple[str, str, str | None]], columns: int = 2) -> tuple[list[str], float]:
    """Draw swatches with their names, `columns` to a line; return the parts and the height used."""
    parts, column_width = [], WIDTH / columns
    for index, (name, fill, stroke) in enumerate(entries):
        x, top = (index % columns) * column_width, y + (index // columns) * 18
        parts.append(_rect(x + 0.5, top + 2, 11, 11, fill, stroke))
        parts.append(_text(x + 17, top + 11.5, _fit(name, column_width - 20, VALUE_SIZE), size=VALUE_SIZE))
    lines = (len(entries) + columns - 1) // columns
    return parts, lines * 18 + 8


def bar_chart(name: str, title: str, bars: Sequence[tuple[str, float, str]], largest: float | None = None) -> Markup:
    """Draw one horizontal bar per (label, value, value text); `largest` fixes the scale (100 for percents)."""
    largest = largest or max([value for _, value, _ in bars] + [0]) or 1
    span = WIDTH - VALUE_ROOM
    parts, y = [], 0.0
    for label, value, shown in bars:
        width = span * value / largest
        parts.append(_text(0, y + 13, _fit(label, WIDTH)))
        parts.append(_rect(0.5, y + 19, width, BAR_HEIGHT, ACCENT))
        parts.append(_text(width + 6, y + 30, shown, size=VALUE_SIZE, weight="600"))
        y += 42
    parts.append(f'<line x1="0.5" y1="16" x2="0.5" y2="{max(y - 4, 16):.1f}" stroke="{AXIS}" stroke-width="1"/>')
    summary = "; ".join(f"{label}: {shown}" for label, _, shown in bars)
    return _svg(name, f"{title}. {summary}", y + 2, parts)


def paired_bar_chart(name: str, title: str, legend: tuple[str, str],
                     rows: Sequence[tuple[str, tuple[float, str], tuple[float, str]]]) -> Markup:
    """Draw two bars per label, a solid one and an outlined one, named by the legend."""
    largest = max([max(a, b) for _, (a, _), (b, _) in rows] + [0]) or 1
    span = WIDTH - VALUE_ROOM
    parts, y = _legend(0, [(legend[0], ACCENT, None), (legend[1], SOFT, ACCENT)])
    for label, (first, first_text), (second, second_text) in rows:
        parts.append(_text(0, y + 13, _fit(label, WIDTH)))
        for offset, value, shown, fill, stroke in ((19, first, first_text, ACCENT, None),
                                                    (19 + BAR_HEIGHT + 3, second, second_text, SOFT, ACCENT)):
            width = span * value / largest
            parts.append(_rect(0.5, y + offset, width, BAR_HEIGHT, fill, stroke))
            parts.append(_text(width + 6, y + offset + 11, shown, size=VALUE_SIZE, weight="600"))
        y += 19 + 2 * BAR_HEIGHT + 3 + 12
    summary = "; ".join(f"{label}: {a} {legend[0].lower()}, {b} {legend[1].lower()}" for label, (_, a), (_, b) in rows)
    return _svg(name, f"{title}. {summary}", y, parts)


def stacked_bar_chart(name: str, title: str, series: Sequence[tuple[str, str, str]],
                      rows: Sequence[tuple[str, str, Sequence[int]]]) -> Markup:
    """Draw one full-width bar per (label, note, counts), split by series (name, fill, text colour).

    Each bar shows a row's own distribution (it always spans the width); the
    note on the right carries the row's totals, and each wide enough segment
    its count.
    """
    parts, y = _legend(0, [(label, fill, None) for label, fill, _ in series])
    for label, note, counts in rows:
        total = sum(counts) or 1
        parts.append(_text(WIDTH, y + 13, note, size=VALUE_SIZE, fill=MUTED, anchor="end"))
        parts.append(_text(0, y + 13, _fit(label, WIDTH - len(note) * VALUE_SIZE * 0.55 - 10)))
        x = 0.5
        for count, (_, fill, ink) in zip(counts, series, strict=True):
            width = (WIDTH - 1) * count / total
            if count:
                parts.append(_rect(x, y + 19, width, BAR_HEIGHT + 4, fill))
                if width >= 16:
                    parts.append(_text(x + width / 2, y + 32, str(count), size=VALUE_SIZE, fill=ink, anchor="middle",
                                       weight="600"))
            x += width
        y += 46
    summary = "; ".join(
        f"{label}: " + ", ".join(f"{n} {series_name.lower()}" for n, (series_name, _, _) in zip(counts, series,
                                                                                                 strict=True))
        for label, _, counts in rows)
    return _svg(name, f"{title}. {summary}", y, parts)
