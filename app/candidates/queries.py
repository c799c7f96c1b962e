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
