"""Which bank questions an interview may be given: the rules that keep questions from repeating.

A question is suggested for a principle of an interview only if it is active,
suits the role's level, is planned for no interview of the same loop (the
database refuses that too), and was never planned for or asked of this
candidate in another loop, nor asked at this loop's phone screen.
"""

from sqlalchemy import func, select, union

from app.extensions import db
from app.feedback.models import Feedback
from app.interviews.models import Interview
from app.kits.models import AskedQuestion, PlannedQuestion, Question, QuestionVersion
from app.loops.models import Loop
from app.principles.models import Principle


def used_for_candidate(loop: Loop) -> set[int]:
    """Return the ids of questions this loop holds, or this candidate met in any loop (planned or asked)."""
    planned = (select(PlannedQuestion.question_id).join(Loop, Loop.id == PlannedQuestion.loop_id)
               .where((Loop.candidate_id == loop.candidate_id) | (Loop.id == loop.id)))
    asked = (select(AskedQuestion.question_id)
             .join(Feedback, Feedback.id == AskedQuestion.feedback_id)
             .join(Interview, Interview.id == Feedback.interview_id)
             .join(Loop, Loop.id == Interview.loop_id)
             .where(Loop.candidate_id == loop.candidate_id, AskedQuestion.question_id.is_not(None)))
    return set(db.session.scalars(union(planned, asked)))


def eligible(loop: Loop, principle: Principle, used: set[int] | None = None) -> list[QuestionVersion]:
    """Return the current versions of the principle's questions this loop may still be given, best first.

    Best first: the question planned least often across the company, so the
    bank wears evenly and candidates compare notes less; then the oldest.
    """
    used = used_for_candidate(loop) if used is None else used
    level = loop.requisition.level
    times_planned = (select(PlannedQuestion.question_id, func.count().label("n"))
                     .group_by(PlannedQuestion.question_id).subquery())
    questions = db.session.execute(
        select(Question, func.coalesce(times_planned.c.n, 0))
        .outerjoin(times_planned, times_planned.c.question_id == Question.id)
        .where(Question.principle_id == principle.id, Question.is_active)
        .order_by(func.coalesce(times_planned.c.n, 0), Question.id)
    ).all()
    return [q.current for q, _ in questions if q.id not in used and q.versions and q.current.suits(level)]


def suggest(loop: Loop, interview: Interview, per_principle: int,
            used: set[int] | None = None) -> dict[int, list[QuestionVersion]]:
    """Return, per principle of the interview, the versions to add so it holds `per_principle` questions.

    `used` is updated with what is suggested, so suggesting for several
    interviews in turn never gives two of them the same question.
    """
    used = used_for_candidate(loop) if used is None else used
    held: dict[int, int] = {}
    for plan in db.session.scalars(select(PlannedQuestion).where(PlannedQuestion.interview_id == interview.id)):
        held[plan.principle_id] = held.get(plan.principle_id, 0) + 1
    suggestions = {}
    for principle in interview.principles:
        wanted = per_principle - held.get(principle.id, 0)
        picked = eligible(loop, principle, used)[:max(wanted, 0)]
        used.update(version.question_id for version in picked)
        suggestions[principle.id] = picked
    return suggestions
