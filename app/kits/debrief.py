"""What the debrief shows of the kits: the questions asked per principle, and coaching flags per interviewer.

Built from sealed, counted feedback only; callers check the blind rule first,
as for the rest of the debrief.
"""

from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.feedback.models import Feedback
from app.interviews.models import InterviewKind
from app.kits.coaching import RULES, Rule
from app.kits.models import AskedQuestion, CoachingFlag
from app.loops.models import Loop
from app.people.models import User
from app.principles.models import Principle


@dataclass
class Asked:
    text: str
    version: int | None  # None: a question the interviewer made up
    by: str
    is_phone_screen: bool


@dataclass
class PrincipleQuestions:
    principle: Principle
    asked: list[Asked] = field(default_factory=list)


def sealed_counted(loop: Loop) -> list[Feedback]:
    return [f for i in loop.interviews for f in i.feedbacks if f.is_submitted and not f.is_practice]


def questions_asked(loop: Loop) -> list[PrincipleQuestions]:
    """Return, per principle in the catalogue's order, the questions each interviewer's sealed feedback cites."""
    feedbacks = {f.id: f for f in sealed_counted(loop)}
    if not feedbacks:
        return []
    rows = db.session.scalars(
        select(AskedQuestion).where(AskedQuestion.feedback_id.in_(feedbacks))
        .options(selectinload(AskedQuestion.version), selectinload(AskedQuestion.principle))
        .order_by(AskedQuestion.id)
    ).all()
    by_principle: dict[int, PrincipleQuestions] = {}
    for row in rows:
        feedback = feedbacks[row.feedback_id]
        part = by_principle.setdefault(row.principle_id, PrincipleQuestions(row.principle))
        part.asked.append(Asked(row.text, row.version.number if row.version else None,
                                feedback.interview.interviewer.name,
                                feedback.interview.kind == InterviewKind.PHONE_SCREEN))
    return sorted(by_principle.values(), key=lambda p: (p.principle.position, p.principle.id))


@dataclass
class FlagRow:
    interviewer: User
    counts: dict[str, int]  # rule name -> flags in this interviewer's sealed feedback

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def flag_table(loop: Loop) -> tuple[list[Rule], list[FlagRow]]:
    """Return the coaching rules and, per in-house interviewer, how many flags their sealed feedback carried."""
    feedbacks = [f for f in sealed_counted(loop) if f.interview.kind == InterviewKind.IN_HOUSE]
    counts = db.session.execute(
        select(CoachingFlag.feedback_id, CoachingFlag.rule, func.count())
        .where(CoachingFlag.feedback_id.in_([f.id for f in feedbacks]))
        .group_by(CoachingFlag.feedback_id, CoachingFlag.rule)
    ).all() if feedbacks else []
    per_feedback: dict[int, dict[str, int]] = {}
    for feedback_id, rule, n in counts:
        per_feedback.setdefault(feedback_id, {})[rule] = n
    rows = [FlagRow(f.interview.interviewer, per_feedback.get(f.id, {})) for f in feedbacks]
    return RULES, rows
