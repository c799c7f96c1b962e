"""Evidence coaching per interviewer: how many sealed feedbacks carried each coaching flag.

Under the same blind rule as the votes' calibration: only loops whose feedback
the viewer may read count.
"""

from dataclasses import dataclass, field

from sqlalchemy import and_, distinct, func, select
from sqlalchemy.orm import aliased

from app.extensions import db
from app.feedback.models import Feedback, FeedbackStatus
from app.interviews.models import Interview, InterviewKind
from app.kits.coaching import RULES
from app.kits.models import CoachingFlag
from app.loops.models import Loop
from app.metrics.calibration import others_readable
from app.metrics.scope import Scope
from app.people.models import User


@dataclass
class InterviewerCoaching:
    interviewer: User
    sealed: int = 0  # sealed in-house feedbacks counted
    flagged: dict[str, int] = field(default_factory=dict)  # rule name -> feedbacks carrying it

    @property
    def per_rule(self) -> list[int]:
        return [self.flagged.get(rule.name, 0) for rule in RULES]


def coaching(scope: Scope) -> list[InterviewerCoaching]:
    """Return, per interviewer, sealed feedbacks and how many carried each flag; most flagged first."""
    interview, feedback = aliased(Interview), aliased(Feedback)
    base = (select(interview.interviewer_id, feedback.id.label("feedback_id")).select_from(Loop)
            .join(interview, interview.loop_id == Loop.id)
            .join(feedback, and_(feedback.interview_id == interview.id, feedback.is_practice.is_(False)))
            .where(interview.kind == InterviewKind.IN_HOUSE, feedback.status == FeedbackStatus.SUBMITTED,
                   *scope.readable_loops(), others_readable(scope.viewer))).subquery()
    sealed = dict(db.session.execute(
        select(base.c.interviewer_id, func.count()).group_by(base.c.interviewer_id)).all())
    if not sealed:
        return []
    flagged = db.session.execute(
        select(base.c.interviewer_id, CoachingFlag.rule, func.count(distinct(CoachingFlag.feedback_id)))
        .join(CoachingFlag, CoachingFlag.feedback_id == base.c.feedback_id)
        .group_by(base.c.interviewer_id, CoachingFlag.rule)).all()
    people = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(sealed)))}
    rows = {person: InterviewerCoaching(people[person], n) for person, n in sealed.items()}
    for person, rule, n in flagged:
        rows[person].flagged[rule] = n
    return sorted(rows.values(), key=lambda r: (-sum(r.flagged.values()), r.interviewer.name))
