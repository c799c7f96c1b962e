"""What a debrief looks at, computed once for the page and the PDF.

Built only from counted, submitted feedback of in-house interviews; callers
check the blind rule (PRODUCT.md, "Who may read what") before showing it.
"""

from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from app.extensions import db
from app.feedback.models import Amendment, Feedback, Rating, Vote
from app.feedback.services import is_late
from app.interviews.models import Interview, InterviewKind
from app.loops.models import Loop
from app.people.models import User
from app.principles.models import Principle


@dataclass
class Column:
    """One interviewer's in-house interview and feedback."""

    interview: Interview
    feedback: Feedback | None
    is_late: bool
    final_vote: Vote | None = None
    final_reason: str = ""

    @property
    def interviewer(self) -> User:
        return self.interview.interviewer

    @property
    def first_vote(self) -> Vote | None:
        return self.feedback.vote if self.feedback else None


@dataclass
class GridRow:
    principle: Principle
    ratings: list[Rating | None]  # one per column; None: not assigned to that interviewer or not rated

    @property
    def is_uncovered(self) -> bool:
        return all(r is None for r in self.ratings)


@dataclass
class Tally:
    """First and final votes; a final count carries the first vote of whoever recorded no final vote."""

    first: Counter = field(default_factory=Counter)
    final: Counter = field(default_factory=Counter)
    finals_not_recorded: int = 0  # final votes counted as the first vote, as the PDF's note says

    def rows(self) -> list[tuple[Vote, int, int]]:
        return [(vote, self.first[vote], self.final[vote]) for vote in Vote]


@dataclass
class DebriefSummary:
    columns: list[Column]
    grid: list[GridRow]
    tally: Tally
    raises_bar_yes: int
    raises_bar_answered: int
    practice: list[Feedback]

    @property
    def uncovered(self) -> list[Principle]:
        return [row.principle for row in self.grid if row.is_uncovered]

    @property
    def late_count(self) -> int:
        return sum(1 for c in self.columns if c.is_late)


def load_feedback(loop: Loop) -> None:
    """Load the ratings and amendments of every feedback of the loop at once: a few statements, not some per
    interview. The loop's own loader leaves them to load on first use, which most loop pages never make."""
    ids = [f.id for i in loop.interviews for f in i.feedbacks]
    if ids:
        db.session.scalars(
            select(Feedback).where(Feedback.id.in_(ids))
            .options(joinedload(Feedback.author), selectinload(Feedback.ratings),
                     selectinload(Feedback.amendments).joinedload(Amendment.author))
        ).all()


def summarize(loop: Loop) -> DebriefSummary:
    """Gather the grid, votes, bar answers and late flags of the loop's in-house feedback."""
    load_feedback(loop)
    finals = {v.interviewer_id: v for v in loop.final_votes}
    columns = []
    for interview in loop.interviews:
        if interview.kind != InterviewKind.IN_HOUSE:
            continue
        feedback = interview.submitted_feedback
        final = finals.get(interview.interviewer_id)
        columns.append(Column(interview, feedback, is_late(interview, feedback),
                              final.vote if final else None, final.reason if final else ""))
    grid = []
    for principle in loop.requisition.principles:
        ratings = []
        for column in columns:
            rating = None
            if column.feedback is not None:
                rating = next((r.rating for r in column.feedback.ratings if r.principle_id == principle.id), None)
            ratings.append(rating)
        grid.append(GridRow(principle, ratings))
    tally = Tally()
    for column in columns:
        if column.first_vote:
            tally.first[column.first_vote] += 1
            tally.final[column.final_vote or column.first_vote] += 1
            tally.finals_not_recorded += column.final_vote is None
    answered = [c.feedback.raises_bar for c in columns if c.feedback is not None]
    practice = [f for i in loop.interviews for f in i.feedbacks if f.is_practice and f.is_submitted]
    return DebriefSummary(columns, grid, tally, sum(1 for a in answered if a), len(answered), practice)
