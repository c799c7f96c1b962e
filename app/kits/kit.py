"""What an interview's kit page shows, gathered for one reader under the blind rule."""

from dataclasses import dataclass, field

from flask import current_app

from app.feedback.models import Feedback, Rating
from app.interviews.models import Interview
from app.kits import suggestions
from app.kits.models import PlannedQuestion, QuestionVersion
from app.kits.services import planned_for
from app.loops.models import Loop
from app.people.models import User
from app.permissions import can_see_submissions, can_swap_questions, feedback_access, is_kit_open
from app.principles.models import Principle

RATING_MEANINGS = {
    Rating.RAISES_THE_BAR: "Better than most people already doing this job at this level: the evidence shows "
                           "judgment or results you would hold up as an example to the team.",
    Rating.MEETS_THE_BAR: "Solid evidence at the level of the role; you would be glad to have them on the team.",
    Rating.BELOW_THE_BAR: "Thin, second-hand or below what the level asks: the examples did not show it.",
    Rating.STRONG_CONCERN: "Behaviour that would hurt customers or the team; write exactly what they said or did.",
}


@dataclass
class Slot:
    label: str
    minutes: int


def time_plan(duration: int, principles: list[Principle]) -> list[Slot]:
    """Split an interview's minutes: a short welcome, the principles in turn, the candidate's questions."""
    welcome = 5 if duration >= 30 else 2
    close = 10 if duration >= 60 else 5 if duration >= 30 else 3
    left = duration - welcome - close
    slots = [Slot("Welcome; say how the interview will run", welcome)]
    if principles:
        each, extra = divmod(left, len(principles))
        slots += [Slot(p.name, each + (1 if i < extra else 0)) for i, p in enumerate(principles)]
    else:
        slots.append(Slot("Questions", left))
    slots.append(Slot("The candidate's questions; what happens next", close))
    return slots


@dataclass
class PrincipleKit:
    principle: Principle
    planned: list[PlannedQuestion]
    alternatives: list[QuestionVersion] = field(default_factory=list)


@dataclass
class EarlierStep:
    interview: Interview
    feedback: Feedback | None  # set only when the reader may read it
    status: str  # what the reader may know of it: "readable", "submitted", "not submitted", "sealed"


@dataclass
class Kit:
    loop: Loop
    interview: Interview
    principles: list[PrincipleKit]
    plan: list[Slot]
    earlier: list[EarlierStep]
    can_swap: bool
    unlocked: bool
    can_fill: bool = False  # the bank has questions for a principle the kit holds too few of

def build_kit(loop: Loop, interview: Interview, reader: User) -> Kit:
    """Gather the kit of `interview` as `reader` may see it."""
    plans = planned_for(interview)
    swap = can_swap_questions(loop, reader) and is_kit_open(interview)
    used = suggestions.used_for_candidate(loop)
    principles = [
        PrincipleKit(p, [plan for plan in plans if plan.principle_id == p.id], suggestions.eligible(loop, p, used))
        for p in interview.principles
    ]
    per_principle = current_app.config["KIT_QUESTIONS_PER_PRINCIPLE"]
    fillable = is_kit_open(interview) and any(
        len(part.planned) < per_principle and part.alternatives for part in principles)
    access = feedback_access(loop, reader)
    watcher = can_see_submissions(loop, reader)
    earlier = []
    for other in loop.interviews:
        if other.id == interview.id or other.starts_at >= interview.starts_at:
            continue
        sealed = other.submitted_feedback
        if sealed is not None and access.can_read(sealed):
            earlier.append(EarlierStep(other, sealed, "readable"))
        elif watcher:
            earlier.append(EarlierStep(other, None, "submitted" if sealed is not None else "not submitted"))
        else:
            earlier.append(EarlierStep(other, None, "sealed"))
    return Kit(loop, interview, principles, time_plan(interview.duration_minutes, interview.principles),
               earlier, swap, access.can_read_others, fillable)
