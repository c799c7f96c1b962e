"""Inline icons: decorative SVG, hidden from assistive technology.

A function rather than a template macro: pages draw dozens of them, and a macro
call costs Jinja far more than a dictionary lookup.
"""

from markupsafe import Markup

OPEN = ('<svg viewBox="0 0 20 20" fill="none" stroke="currentColor" stroke-width="1.7" stroke-linecap="round" '
        'stroke-linejoin="round" aria-hidden="true" focusable="false">')
PATHS = {
    'mark': '<path d="M4 16v-4M8 16V10M12 16V7M16 16V4"/>',
    'up': '<path d="M10 15V5M5.5 9.5 10 5l4.5 4.5"/>',
    'down': '<path d="M10 5v10M5.5 10.5 10 15l4.5-4.5"/>',
    'plus': '<path d="M10 4.5v11M4.5 10h11"/>',
    'check': '<circle cx="10" cy="10" r="7.5"/><path d="m6.8 10.2 2.2 2.2 4.2-4.6"/>',
    'info': '<circle cx="10" cy="10" r="7.5"/><path d="M10 9v4.5M10 6.5v.01"/>',
    'alert': '<circle cx="10" cy="10" r="7.5"/><path d="M10 6v4.5M10 13.5v.01"/>',
    'calendar': '<rect x="3.5" y="4.5" width="13" height="12" rx="2"/><path d="M3.5 8.5h13M7 3v3M13 3v3"/>',
    'loops': '<path d="M4 10a6 6 0 0 1 10.2-4.3L16 7.5M16 4v3.5h-3.5M16 10a6 6 0 0 1-10.2 4.3L4 12.5M4 16v-3.5h3.5"/>',
    'signout': '<path d="M8 4H5.5A1.5 1.5 0 0 0 4 5.5v9A1.5 1.5 0 0 0 5.5 16H8M12.5 13.5 16 10l-3.5-3.5M16 10H8"/>',
    'arrow-left': '<path d="M15 10H5M9.5 5.5 5 10l4.5 4.5"/>',
    'list': '<path d="M7.5 6h8M7.5 10h8M7.5 14h8M4.5 6h.01M4.5 10h.01M4.5 14h.01"/>',
}
# Our own constant markup, looked up by name; nothing from a request reaches it.
ICONS = {name: Markup(f"{OPEN}{path}</svg>") for name, path in PATHS.items()}  # nosec


def icon(name: str) -> Markup:
    return ICONS[name]
