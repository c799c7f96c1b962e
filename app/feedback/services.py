"""Writing feedback: drafts, the seal on submit, amendments, due times."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app

from app.audit.services import record
from app.db_types import utcnow
from app.errors import Conflict, ServiceError
from app.extensions import db
from app.feedback.models import Amendment, Feedback, FeedbackRating, FeedbackStatus, Rating, Vote
from app.interviews.models import Interview
from app.kits import services as kits
from app.loops.models import Step
from app.loops.workflow import require_open
from app.people.models import User
from app.permissions.feedback import WriterRole, writer_role


class FeedbackConflict(Conflict):
    """Someone (often the same person in another tab) saved this feedback first."""


@dataclass
class RatingInput:
    principle_id: int
    rating: str | None
    evidence: str


@dataclass
class FeedbackInput:
    ratings: list[RatingInput]
    vote: str | None
    raises_bar: bool | None
    summary: str
    asked: list = field(default_factory=list)  # app.kits.services.AskedInput per principle


def coaching_of(data: FeedbackInput) -> list:
    """Return the evidence-coaching flags of what the author wrote (they never block)."""
    return kits.coaching_flags([(r.principle_id, r.rating, r.evidence) for r in data.ratings], data.summary)


def due_at(interview: Interview) -> datetime:
    return interview.ends_at + timedelta(hours=current_app.config["FEEDBACK_DUE_HOURS"])


def is_late(interview: Interview, feedback: Feedback | None, now: datetime | None = None) -> bool:
    """Late: submitted after the due time, or still unsubmitted once it has passed."""
    if feedback is not None and feedback.is_submitted:
        return feedback.submitted_at > due_at(interview)
    return (now or utcnow()) > due_at(interview)


def feedback_of(interview: Interview, user: User) -> Feedback | None:
    return next((f for f in interview.feedbacks if f.author_id == user.id), None)


def blank_feedback(interview: Interview, author: User) -> Feedback:
    """Return an unsaved feedback to show an empty form; version 0 means "no draft yet"."""
    is_practice = writer_role(interview, author) == WriterRole.PRACTICE
    return Feedback(author=author, author_id=author.id, interview_id=interview.id, is_practice=is_practice,
                    status=FeedbackStatus.DRAFT, summary="", version=0, amendments=[],
                    ratings=[FeedbackRating(principle=p, principle_id=p.id, evidence="") for p in interview.principles])


def start_feedback(interview: Interview, author: User) -> Feedback:
    """Return the author's feedback for the interview, starting a draft if there is none."""
    role = writer_role(interview, author)
    if role is None:
        raise ServiceError("Only the interview's interviewer writes its feedback.")
    existing = feedback_of(interview, author)
    if existing is not None:
        return existing
    require_open(interview.loop)
    feedback = Feedback(author=author, is_practice=role == WriterRole.PRACTICE,
                        ratings=[FeedbackRating(principle=p, evidence="") for p in interview.principles])
    db.session.add(feedback)
    feedback.interview = interview
    db.session.flush()
    return feedback


def _check_writable(feedback: Feedback, author: User, expected_version: int | None) -> None:
    if feedback.author_id != author.id:
        raise ServiceError("Only its author edits a feedback.")
    if feedback.is_submitted:
        raise FeedbackConflict("This feedback was already submitted and is sealed; nothing you typed was saved. "
                               "You can add an amendment instead.")
    if expected_version is not None and expected_version != feedback.version:
        raise FeedbackConflict("This draft was saved elsewhere (another tab or window) after you opened it; "
                               "nothing you typed was saved over it.")
    require_open(feedback.interview.loop)


def _apply(feedback: Feedback, data: FeedbackInput) -> None:
    by_principle = {r.principle_id: r for r in feedback.ratings}
    for item in data.ratings:
        rating = by_principle.get(item.principle_id)
        if rating is None:
            raise ServiceError("That principle is not assigned to this interview.")
        rating.rating = Rating(item.rating) if item.rating else None
        rating.evidence = item.evidence.strip()
    feedback.vote = Vote(data.vote) if data.vote else None
    feedback.raises_bar = data.raises_bar
    feedback.summary = data.summary.strip()
    if not feedback.is_practice:
        db.session.flush()
        kits.record_asked(feedback, data.asked)


def save_draft(feedback: Feedback, author: User, data: FeedbackInput, expected_version: int | None) -> None:
    """Save a private draft; as often as the author likes."""
    _check_writable(feedback, author, expected_version)
    feedback.updated_at = utcnow()  # before _apply's flush, so that one save is one version
    _apply(feedback, data)
    db.session.flush()


def submission_problems(feedback: Feedback, data: FeedbackInput) -> list[tuple[str, str]]:
    """Return (field, message) for everything that keeps this feedback from being submitted."""
    problems = []
    names = {r.principle_id: r.principle.name for r in feedback.ratings}
    given = {item.principle_id: item for item in data.ratings}
    for index, (principle_id, name) in enumerate(names.items()):
        item = given.get(principle_id)
        if item is None or not item.rating:
            problems.append((f"ratings-{index}-rating", f"Rate “{name}”."))
        if item is None or not item.evidence.strip():
            problems.append((f"ratings-{index}-evidence",
                             f"Write the evidence for “{name}”: what the candidate did (situation, action, result)."))
    if not data.vote:
        problems.append(("vote", "Choose your overall vote."))
    if data.raises_bar is None:
        problems.append(("raises_bar", "Say whether the candidate is better than half of current peers at this "
                                       "level."))
    return problems


def submit_feedback(feedback: Feedback, author: User, data: FeedbackInput, expected_version: int | None) -> None:
    """Validate everything, then seal and timestamp the feedback."""
    _check_writable(feedback, author, expected_version)
    interview = feedback.interview
    if interview.starts_at > utcnow():
        raise ServiceError("Submit feedback after the interview has taken place; you can save a draft now.")
    problems = submission_problems(feedback, data)
    if problems:
        error = ServiceError(problems[0][1], field=problems[0][0])
        error.problems = problems
        raise error
    _apply(feedback, data)
    db.session.flush()  # the ratings are written while the feedback is still a draft
    kits.keep_flags(feedback, coaching_of(data))  # so are the coaching flags it carries, for calibration
    feedback.status = FeedbackStatus.SUBMITTED
    feedback.submitted_at = feedback.updated_at = utcnow()
    db.session.flush()
    record("feedback.practice_submitted" if feedback.is_practice else "feedback.submitted", feedback, author,
           loop=interview.loop, to_state=FeedbackStatus.SUBMITTED, late=is_late(interview, feedback))


def add_amendment(feedback: Feedback, author: User, body: str) -> Amendment:
    """Append a dated note to sealed feedback, until the debrief decision."""
    if feedback.author_id != author.id:
        raise ServiceError("Only its author amends a feedback.")
    if not feedback.is_submitted:
        raise ServiceError("Edit the draft instead; amendments are for submitted feedback.")
    loop = feedback.interview.loop
    if loop.decision is not None or loop.step > Step.DEBRIEF or not loop.is_open:
        raise ServiceError("The debrief decision has been made; feedback can no longer be amended.")
    body = body.strip()
    if not body:
        raise ServiceError("Write the amendment.", field="body")
    amendment = Amendment(feedback=feedback, author=author, body=body)
    db.session.add(amendment)
    db.session.flush()
    record("feedback.amended", feedback, author, loop=loop)
    return amendment
