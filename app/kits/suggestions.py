"""Which bank questions an interview may be given: the rules that keep questions from repeating.

A question is suggested for a principle of an interview only if it is active,
suits the role's level, is planned for no interview of the same loop (the
database refuses that too), and was never planned for or asked of this
candidate in another loop, nor asked at this loop's phone screen.
"""

from sqlalchemy import select, union
from sqlalchemy.orm import selectinload

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
    """Return the current versions of the principle's questions this loop may still be given, in its order.

    Each loop takes the bank in an order of its own (a fixed shuffle by loop and
    question id), so the bank wears evenly and candidates who compare notes
    find different questions, without counting the company's history.
    """
    used = used_for_candidate(loop) if used is None else used
    level = loop.requisition.level
    questions = db.session.scalars(
        select(Question).where(Question.principle_id == principle.id, Question.is_active)
        .options(selectinload(Question.versions))
    ).all()
    fit = [q for q in questions if q.id not in used and q.versions and q.current.suits(level)]
    return [q.current for q in sorted(fit, key=lambda q: (shuffle(loop.id, q.id), q.id))]


def shuffle(loop_id: int, question_id: int) -> int:
    """A fixed pseudo-random rank of a question within a loop (a multiplicative hash; no randomness to seed)."""
    return ((loop_id * 2654435761) ^ (question_id * 40503)) % 1000003


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
