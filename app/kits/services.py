"""Changes to the question bank and to interview kits; each takes the acting user and checks it.

The bank: adding a question, editing it (a new version; the old words stay
for the feedback that cites them), retiring and restoring it. Kits: planning
an interview's questions from the suggestion rules, swapping one, and
recording which questions a feedback says were asked.
"""

import re
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import delete, func, select

from app.audit.services import record
from app.errors import ServiceError
from app.extensions import db
from app.feedback.models import Feedback
from app.interviews.models import Interview
from app.kits import suggestions
from app.kits.coaching import Flag, coach
from app.kits.models import AskedQuestion, CoachingFlag, PlannedQuestion, Question, QuestionVersion, split_levels
from app.loops.models import Loop
from app.people.models import User
from app.permissions.kits import can_curate_questions, can_swap_questions, is_kit_open
from app.principles.models import Principle

MAX_QUESTION = 1000
MAX_NOTE = 4000
LEVEL = re.compile(r"^[A-Z0-9][A-Z0-9+.-]{0,9}$")


class QuestionError(ServiceError):
    """A change to the question bank or a kit was refused."""


def _require_curator(actor: User) -> None:
    if not can_curate_questions(actor):
        raise QuestionError("Only admins and certified bar raisers curate the question bank.")


@dataclass
class QuestionInput:
    text: str
    probes: str = ""
    strong_evidence: str = ""
    weak_evidence: str = ""
    levels: str = ""


def checked(data: QuestionInput) -> QuestionInput:
    """Return the input tidied (spaces, one probe per line, levels upper-case), or refuse it field by field."""
    text = " ".join(data.text.split())
    if not text:
        raise QuestionError("Write the question.", field="text")
    if len(text) > MAX_QUESTION:
        raise QuestionError(f"Keep the question under {MAX_QUESTION} characters.", field="text")
    probes = "\n".join(" ".join(line.split()) for line in data.probes.splitlines() if line.strip())
    for name, value in (("probes", probes), ("strong_evidence", data.strong_evidence),
                        ("weak_evidence", data.weak_evidence)):
        if len(value) > MAX_NOTE:
            raise QuestionError(f"Keep this under {MAX_NOTE} characters.", field=name)
    levels = split_levels(data.levels)
    bad = [level for level in levels if not LEVEL.match(level)]
    if bad:
        raise QuestionError(f"Levels are short codes such as L5 or L6, separated by spaces or commas; "
                            f"not {', '.join(bad)}.", field="levels")
    return QuestionInput(text, probes, data.strong_evidence.strip(), data.weak_evidence.strip(), " ".join(levels))


def current_texts(principle_id: int | None = None):
    """A select of (principle id, text, question id) of every question's current version (of one principle)."""
    latest = select(QuestionVersion.question_id, func.max(QuestionVersion.number).label("number"))
    if principle_id is not None:
        latest = latest.join(Question, Question.id == QuestionVersion.question_id).where(
            Question.principle_id == principle_id)
    latest = latest.group_by(QuestionVersion.question_id).subquery()
    return (select(Question.principle_id, QuestionVersion.text, Question.id)
            .join(latest, (latest.c.question_id == QuestionVersion.question_id)
                  & (latest.c.number == QuestionVersion.number))
            .join(Question, Question.id == QuestionVersion.question_id))


def _same_text_exists(principle: Principle, text: str, exclude: Question | None = None) -> bool:
    query = current_texts(principle.id).where(func.lower(QuestionVersion.text) == text.lower())
    if exclude is not None:
        query = query.where(Question.id != exclude.id)
    return db.session.execute(query.limit(1)).first() is not None


def add_question(principle: Principle, data: QuestionInput, actor: User | None, *, active: bool = True,
                 check_actor: bool = True) -> Question:
    """Add a question to a principle's bank, as its version 1."""
    if check_actor:
        _require_curator(actor)
    data = checked(data)
    if _same_text_exists(principle, data.text):
        raise QuestionError(f"“{principle.name}” already has this question.", field="text")
    question = Question(principle=principle, is_active=active, created_by=actor)
    db.session.add(question)
    version = QuestionVersion(question=question, number=1, created_by=actor, **vars(data))
    db.session.add(version)
    db.session.flush()
    record("question.added", question, actor, principle=principle.name, version=1)
    return question


def edit_question(question: Question, data: QuestionInput, actor: User) -> QuestionVersion | None:
    """Write the edit as a new version; return it, or None when nothing changed."""
    _require_curator(actor)
    data = checked(data)
    current = question.current
    if all(getattr(current, name) == value for name, value in vars(data).items()):
        return None
    if _same_text_exists(question.principle, data.text, exclude=question):
        raise QuestionError(f"“{question.principle.name}” already has this question.", field="text")
    version = QuestionVersion(question=question, number=current.number + 1, created_by=actor, **vars(data))
    db.session.add(version)
    db.session.flush()
    record("question.edited", question, actor, from_state=current.number, to_state=version.number,
           changed=[name for name, value in vars(data).items() if getattr(current, name) != value])
    return version


def set_question_active(question: Question, active: bool, actor: User) -> None:
    """Retire a question (never suggested again; kits and feedback that hold it keep it) or restore it."""
    _require_curator(actor)
    if question.is_active != active:
        question.is_active = active
        record("question.restored" if active else "question.retired", question, actor)


# Kits ---------------------------------------------------------------------------------------------


def planned_for(interview: Interview) -> list[PlannedQuestion]:
    return plans_of(interview.id)


def plans_of(interview_id: int | None) -> list[PlannedQuestion]:
    """Return an interview's kit questions, in the order they were planned."""
    return list(db.session.scalars(
        select(PlannedQuestion).where(PlannedQuestion.interview_id == interview_id).order_by(PlannedQuestion.id)))


def plan_interview(interview: Interview, actor: User | None = None, used: set[int] | None = None) -> int:
    """Fill the interview's kit up to the configured number of questions per principle; return how many were added.

    Anyone who may open the kit may fill it: filling only applies the rules.
    """
    loop = interview.loop
    if not is_kit_open(interview):
        return 0  # a closed loop's, or a sealed interview's, kit stays as it was asked
    per_principle = current_app.config["KIT_QUESTIONS_PER_PRINCIPLE"]
    added = 0
    for principle_id, versions in suggestions.suggest(loop, interview, per_principle, used).items():
        for version in versions:
            db.session.add(PlannedQuestion(loop_id=loop.id, interview_id=interview.id, principle_id=principle_id,
                                           question_id=version.question_id, version_id=version.id))
            added += 1
    db.session.flush()
    return added


def plan_loop(loop: Loop) -> int:
    """Fill every interview's kit of a loop, earliest interview first."""
    used = suggestions.used_for_candidate(loop)
    return sum(plan_interview(interview, used=used) for interview in loop.interviews)


def swap_question(plan: PlannedQuestion, question: Question, actor: User) -> None:
    """Give the interview another question of the same principle, within the suggestion rules."""
    interview = plan.interview
    loop = interview.loop
    if not can_swap_questions(loop, actor):
        raise QuestionError("Only the loop's recruiter or bar raiser swaps kit questions, while the loop is open.")
    if not is_kit_open(interview):
        raise QuestionError("This interview's feedback is submitted; its kit stays as it was asked.")
    if question.principle_id != plan.principle_id:
        raise QuestionError("Swap a question for another of the same principle.", field="question_id")
    allowed = {v.question_id for v in suggestions.eligible(loop, plan.principle)}
    if question.id not in allowed:
        raise QuestionError("That question is retired, does not suit this level, is already in this loop, or was "
                            "asked of this candidate before.", field="question_id")
    old = plan.question_id
    plan.question_id, plan.version_id, plan.chosen_by_id = question.id, question.current.id, actor.id
    db.session.flush()
    record("kit.question_swapped", interview, actor, loop=loop, from_state=old, to_state=question.id)


@dataclass
class AskedInput:
    principle_id: int
    planned_ids: list[int]  # PlannedQuestion ids of this interview the interviewer ticked
    own_text: str = ""


def record_asked(feedback: Feedback, asked: list[AskedInput]) -> None:
    """Replace a draft's list of questions asked; the service that saves the draft calls this."""
    interview = feedback.interview
    plans = {p.id: p for p in planned_for(interview)}
    principles = {p.id for p in interview.principles}
    db.session.execute(delete(AskedQuestion).where(AskedQuestion.feedback_id == feedback.id))
    for item in asked:
        if item.principle_id not in principles:
            raise QuestionError("That principle is not assigned to this interview.")
        for plan_id in item.planned_ids:
            plan = plans.get(plan_id)
            if plan is None or plan.principle_id != item.principle_id:
                raise QuestionError("That question is not in this interview's kit; reload the page.")
            db.session.add(AskedQuestion(feedback_id=feedback.id, principle_id=item.principle_id,
                                         question_id=plan.question_id, version_id=plan.version_id))
        own = " ".join(item.own_text.split())
        if len(own) > MAX_QUESTION:
            raise QuestionError(f"Keep the question under {MAX_QUESTION} characters.")
        if own:
            db.session.add(AskedQuestion(feedback_id=feedback.id, principle_id=item.principle_id, own_text=own))
    db.session.flush()


def asked_of(feedback: Feedback) -> list[AskedQuestion]:
    if feedback.id is None:
        return []
    return list(db.session.scalars(
        select(AskedQuestion).where(AskedQuestion.feedback_id == feedback.id).order_by(AskedQuestion.id)))


def coaching_flags(ratings, summary: str = "") -> list[Flag]:
    """Coach (principle id, rating, evidence) triples and a summary with the configured minimum length."""
    return coach(ratings, summary, min_words=current_app.config["COACHING_MIN_EVIDENCE_WORDS"])


def keep_flags(feedback: Feedback, flags: list[Flag]) -> None:
    """Store the coaching flags a feedback carries as it is sealed (call before the seal)."""
    for flag in flags:
        db.session.add(CoachingFlag(feedback_id=feedback.id, principle_id=flag.principle_id, rule=flag.rule.name))
    db.session.flush()
