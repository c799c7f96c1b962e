"""Finding candidates: the search of names and e-mails, and the short lists pickers offer."""

from dataclasses import dataclass

from sqlalchemy import or_, select

from app.candidates.models import Candidate
from app.extensions import db

SHOWN = 200
# Trigram indexes answer a substring of three characters or more; two characters match the start of a word.
SUBSTRING_FROM = 3
SHORTEST = 2
TOO_SHORT = f"Type at least {SHORTEST} characters of a name or e-mail."


@dataclass
class Found:
    candidates: list[Candidate]
    has_more: bool  # more than SHOWN matched; the count is never taken
    problem: str = ""  # why the search was not run, for the search field


def _like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _matches(patterns: list[str], names: list[str]):
    """Names matched case-insensitively by `names` patterns, e-mails (kept lower case) by `patterns`."""
    if db.engine.dialect.name == "postgresql":  # ILIKE is what the trigram indexes on name and email answer
        name_match = [Candidate.name.ilike(p, escape="\\") for p in names]
    else:
        name_match = [db.func.lower(Candidate.name).like(p, escape="\\") for p in names]
    return or_(*name_match, *(Candidate.email.like(p, escape="\\") for p in patterns))


def search(term: str) -> Found:
    """Return the newest candidates whose name or e-mail holds `term` (at most SHOWN); without a term, the newest.

    Two characters match the start of a word of the name or the start of the
    e-mail (a substring that short would read every row); one is refused with `problem`, the newest listed.
    """
    query = select(Candidate).order_by(Candidate.created_at.desc(), Candidate.id.desc())
    term, problem = term.lower(), ""
    if term and len(term) < SHORTEST:
        term, problem = "", TOO_SHORT  # the newest are listed under the message
    if len(term) >= SUBSTRING_FROM:
        anywhere = f"%{_like(term)}%"
        query = query.where(_matches([anywhere], [anywhere]))
    elif term:
        start = f"{_like(term)}%"
        query = query.where(_matches([start], [start, f"% {start}"]))
    rows = db.session.scalars(query.limit(SHOWN + 1)).all()
    return Found(list(rows[:SHOWN]), len(rows) > SHOWN, problem)


PICKER_SHOWN = 50


def picker_choices(chosen_id: int | None, term: str = "") -> tuple[list[tuple[int, str]], str]:
    """Return (id, label) of the candidates a loop form offers, and a problem with `term` if any.

    The candidate already chosen (from their page, or the form as posted) comes
    first if they exist; then the newest not erased, or those matching `term`, at
    most PICKER_SHOWN: never the whole history.
    """
    problem = ""
    if term:
        found = search(term)
        problem, rows = found.problem, found.candidates[:PICKER_SHOWN] if not found.problem else []
        rows = [row for row in rows if not row.is_erased]
    else:
        rows = list(db.session.scalars(
            select(Candidate).where(Candidate.anonymized_at.is_(None))
            .order_by(Candidate.created_at.desc(), Candidate.id.desc()).limit(PICKER_SHOWN)))
    chosen = db.session.get(Candidate, chosen_id) if chosen_id else None
    if chosen is not None and chosen.is_erased:
        chosen = None
    if chosen is not None:
        rows = [chosen] + [row for row in rows if row.id != chosen.id]
    return [(c.id, f"{c.name} <{c.email}>" if c.email else c.name) for c in rows], problem
