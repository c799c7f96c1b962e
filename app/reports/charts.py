"""Charts drawn on the server as inline SVG: the same markup serves the web page and the PDF.

The SVG carries its own text (labels, counts, a legend) so it reads without
colour, has a <title> for screen readers, and refers to nothing outside itself.
"""

from collections.abc import Iterable

from markupsafe import Markup, escape

from app.feedback.models import Vote

LABEL_WIDTH = 172
BAR_X = LABEL_WIDTH + 10
BAR_SPAN = 250
WIDTH = BAR_X + BAR_SPAN + 78
LEGEND_HEIGHT = 30
ROW_HEIGHT = 40
BAR_HEIGHT = 13
INK = "#2f3e4e"
FINAL_FILL = "#dfe6ee"
WEB_FONT = "system-ui, -apple-system, Segoe UI, Roboto, Helvetica Neue, Arial, sans-serif"


def _rows(tally) -> list[tuple[Vote, int, int]]:
    """Accept a debrief Tally (with .rows()) or its rows: (vote, first, final) triples."""
    rows: Iterable = tally.rows() if hasattr(tally, "rows") else tally
    return [(Vote(vote), int(first), int(final)) for vote, first, final in rows]


def _bar(y: float, count: int, scale: float, kind: str) -> str:
    width = count * scale
    if kind == "first":
        shape = (f'<rect x="{BAR_X}" y="{y}" width="{width:.1f}" height="{BAR_HEIGHT}" fill="{INK}"/>'
                 if count else "")
    else:
        shape = (f'<rect x="{BAR_X}" y="{y}" width="{width:.1f}" height="{BAR_HEIGHT}" fill="{FINAL_FILL}" '
                 f'stroke="{INK}" stroke-width="1.2"/>' if count else "")
    text = (f'<text x="{BAR_X + width + 6:.1f}" y="{y + BAR_HEIGHT - 2.5}" font-size="10.5" fill="{INK}">'
            f'{count} {kind}</text>')
    return shape + text


def vote_chart_svg(tally, font_family: str = WEB_FONT) -> Markup:
    """Return a bar chart of first and final votes per vote option as inline SVG markup."""
    rows = _rows(tally)
    largest = max([1] + [max(first, final) for _, first, final in rows])
    scale = BAR_SPAN / largest
    height = LEGEND_HEIGHT + ROW_HEIGHT * len(rows) + 4
    summary = "; ".join(f"{vote.label}: {first} first, {final} final" for vote, first, final in rows)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="vote-chart" role="img" width="{WIDTH}" '
        f'height="{height}" viewBox="0 0 {WIDTH} {height}" font-family="{escape(font_family)}">',
        f"<title>Votes, first and final. {escape(summary)}</title>",
        # The legend names both bar styles in words, so the chart does not rely on colour.
        f'<rect x="{BAR_X}" y="6" width="12" height="12" fill="{INK}"/>',
        f'<text x="{BAR_X + 18}" y="16" font-size="10.5" fill="{INK}">First vote (written feedback)</text>',
        f'<rect x="{BAR_X + 190}" y="6" width="12" height="12" fill="{FINAL_FILL}" stroke="{INK}" '
        'stroke-width="1.2"/>',
        f'<text x="{BAR_X + 208}" y="16" font-size="10.5" fill="{INK}">Final vote</text>',
    ]
    for index, (vote, first, final) in enumerate(rows):
        top = LEGEND_HEIGHT + index * ROW_HEIGHT
        parts.append(f'<text x="{LABEL_WIDTH}" y="{top + BAR_HEIGHT + 4}" font-size="11" text-anchor="end" '
                     f'fill="{INK}">{escape(vote.label)}</text>')
        parts.append(f'<line x1="{BAR_X}" y1="{top - 2}" x2="{BAR_X}" y2="{top + 2 * BAR_HEIGHT + 4}" '
                     'stroke="#8a96a3" stroke-width="1"/>')
        parts.append(_bar(top, first, scale, "first"))
        parts.append(_bar(top + BAR_HEIGHT + 2, final, scale, "final"))
    parts.append("</svg>")
    # Every piece of text above went through escape(); the rest is numbers and our own markup.
    return Markup("".join(parts))  # nosec
