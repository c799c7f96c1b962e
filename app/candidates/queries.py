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


# A search that matches at most this many is answered from the trigram index and sorted here; one that matches
# more finds its newest soon enough walking back from the newest candidate.
SORTED_HERE = 1000
# What the list and the picker show of a candidate: rows, not objects, since a search may read a thousand.
COLUMNS = (Candidate.id, Candidate.name, Candidate.email, Candidate.phone, Candidate.source, Candidate.resume_file,
           Candidate.resume_url, Candidate.created_at, Candidate.anonymized_at)


@dataclass
class Found:
    candidates: list  # rows of COLUMNS, newest first
    has_more: bool  # more than SHOWN matched; the count is never taken
    problem: str = ""  # why the search was not run, for the search field


def search_term(raw: str | None) -> str:
    """A search as typed, its spaces collapsed and its length bounded."""
    return " ".join((raw or "").split())[:200]


def _like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _matches(patterns: list[str], names: list[str]):
    """Names matched case-insensitively by `names` patterns, e-mails (kept lower case) by `patterns`."""
    if db.engine.dialect.name == "postgresql":  # ILIKE is what the trigram indexes on name and email answer
        name_match = [Candidate.name.ilike(p, escape="\\") for p in names]
    else:
        name_match = [db.func.lower(Candidate.name).like(p, escape="\\") for p in names]
    return or_(*name_match, *(Candidate.email.like(p, escape="\\") for p in patterns))


def _newest(rows) -> list:
    return sorted(rows, key=lambda row: (row.created_at, row.id), reverse=True)


def search(term: str) -> Found:
    """Return the newest candidates whose name or e-mail holds `term` (at most SHOWN); without a term, the newest.

    Two characters match the start of a word of the name or the start of the
    e-mail (a substring that short would read every row); one is refused with
    `problem`, the newest listed.
    """
    newest = (Candidate.created_at.desc(), Candidate.id.desc())
    term, problem = term.lower(), ""
    if term and len(term) < SHORTEST:
        term, problem = "", TOO_SHORT
    if not term:
        rows = db.session.execute(select(*COLUMNS).order_by(*newest).limit(SHOWN + 1)).all()
        return Found(rows[:SHOWN], len(rows) > SHOWN, problem)
    if len(term) >= SUBSTRING_FROM:
        anywhere = f"%{_like(term)}%"
        match = _matches([anywhere], [anywhere])
    else:
        start = f"{_like(term)}%"
        match = _matches([start], [start, f"% {start}"])
    # Every match, from the trigram index, sorted here: ordering by date in SQL invites walking every candidate
    # back from the newest, looking for a rare name.
    rows = db.session.execute(select(*COLUMNS).where(match).limit(SORTED_HERE + 1)).all()
    if len(rows) > SORTED_HERE:  # common enough that the newest matches are among the newest candidates
        rows = db.session.execute(select(*COLUMNS).where(match).order_by(*newest).limit(SHOWN + 1)).all()
    rows = _newest(rows)
    return Found(rows[:SHOWN], len(rows) > SHOWN, problem)


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
        rows = [row for row in rows if row.anonymized_at is None]
    else:
        rows = db.session.execute(
            select(*COLUMNS).where(Candidate.anonymized_at.is_(None))
            .order_by(Candidate.created_at.desc(), Candidate.id.desc()).limit(PICKER_SHOWN)).all()
    chosen = db.session.execute(select(*COLUMNS).where(Candidate.id == chosen_id, Candidate.anonymized_at.is_(None))
                                ).first() if chosen_id else None
    if chosen is not None:
        rows = [chosen] + [row for row in rows if row.id != chosen.id]
    return [(c.id, f"{c.name} <{c.email}>" if c.email else c.name) for c in rows], problem
