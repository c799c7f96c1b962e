"""The bar-raiser certification path: one table of moves, one function that makes them.

    none → nominated → in training → shadowing → reverse shadow → certified ⇄ paused
                                                      anyone on the path → retired → nominated again

Each move names who may make it, whether it needs a note, and its
requirements: named checks returning what is still unmet, in plain words. The
program pages show them beside the disabled button, and `move` refuses with the
same words. Every move is audited.
"""

from collections.abc import Callable
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import distinct, func, select, update
from sqlalchemy.orm import joinedload

from app.audit.services import record
from app.db_types import utcnow
from app.debrief.models import PracticeVerdict
from app.errors import Conflict, ServiceError
from app.extensions import db
from app.feedback.models import Feedback, FeedbackStatus
from app.interviews.models import Interview
from app.loops.models import Loop, LoopStatus
from app.people.models import Certification as C
from app.people.models import User
from app.program.models import SignOff


class PathError(ServiceError):
    """A move the path refuses; `unmet` lists the requirements still missing."""

    def __init__(self, message: str, unmet: list[str] | None = None, field: str | None = None):
        super().__init__(message, field=field)
        self.unmet = unmet or []


# --- what a person has done on the path, counted from the records ----------------------------

def shadowed_loops(person: User) -> int:
    """Loops the person observed as a shadow and wrote submitted practice feedback on."""
    return shadowed_loops_of([person]).get(person.id, 0)


def shadowed_loops_of(people: list[User]) -> dict[int, int]:
    """`shadowed_loops` of each of several people, in one statement."""
    if not people:
        return {}
    return dict(db.session.execute(
        select(Loop.shadow_id, func.count(distinct(Loop.id)))
        .join(Interview, Interview.loop_id == Loop.id)
        .join(Feedback, Feedback.interview_id == Interview.id)
        .where(Loop.shadow_id.in_([p.id for p in people]), Loop.is_reverse_shadow.is_(False),
               Feedback.author_id == Loop.shadow_id, Feedback.is_practice.is_(True),
               Feedback.status == FeedbackStatus.SUBMITTED)
        .group_by(Loop.shadow_id)
    ).all())


def reverse_shadowed_loops(person: User) -> int:
    """Loops the person ran as a reverse shadow, through to their own (practice) verdict."""
    return reverse_shadowed_loops_of([person]).get(person.id, 0)


def reverse_shadowed_loops_of(people: list[User]) -> dict[int, int]:
    """`reverse_shadowed_loops` of each of several people, in one statement."""
    if not people:
        return {}
    return dict(db.session.execute(
        select(PracticeVerdict.trainee_id, func.count())
        .where(PracticeVerdict.trainee_id.in_([p.id for p in people])).group_by(PracticeVerdict.trainee_id)
    ).all())


def sign_offs(person: User) -> list[SignOff]:
    """The sign-offs of the person's current round in reverse shadow."""
    return sign_offs_of([person]).get(person.id, [])


def sign_offs_of(people: list[User]) -> dict[int, list[SignOff]]:
    """`sign_offs` of each of several people, with their signers, in one statement."""
    rounds = {p.id: p.certification_since for p in people
              if p.certification == C.REVERSE_SHADOW and p.certification_since is not None}
    if not rounds:
        return {}
    result: dict[int, list[SignOff]] = {}
    for signoff in db.session.scalars(
            select(SignOff).where(SignOff.trainee_id.in_(list(rounds))).options(joinedload(SignOff.signer))
            .order_by(SignOff.created_at, SignOff.id)):
        if signoff.round_started_at == rounds[signoff.trainee_id]:
            result.setdefault(signoff.trainee_id, []).append(signoff)
    return result


def open_loops_as(person: User, column) -> int:
    return db.session.scalar(
        select(func.count()).select_from(Loop).where(column == person.id, Loop.status == LoopStatus.OPEN)
    ) or 0


def required(setting: str) -> int:
    return current_app.config[setting]


# --- requirements: each returns what is unmet, in words --------------------------------------

def account_is_active(person: User) -> list[str]:
    return [] if person.active else [f"{person.name}'s account is deactivated."]


def level_and_unit_recorded(person: User) -> list[str]:
    unmet = []
    if person.job_level is None:
        unmet.append(f"Record {person.name}'s job level (the composition rules need it).")
    if person.org_unit_id is None:
        unmet.append(f"Record {person.name}'s org unit (independence is judged by it).")
    return unmet


def shadowing_done(person: User) -> list[str]:
    need, done = required("BAR_RAISER_SHADOW_LOOPS"), shadowed_loops(person)
    if done >= need:
        return []
    return [f"Shadow {need} loops with practice feedback submitted ({done} so far)."]


def reverse_shadowing_done(person: User) -> list[str]:
    need, done = required("BAR_RAISER_REVERSE_SHADOW_LOOPS"), reverse_shadowed_loops(person)
    if done >= need:
        return []
    loops = "loop" if need == 1 else "loops"
    return [f"Run {need} {loops} as reverse shadow through to a practice verdict ({done} so far)."]


def signed_off(person: User) -> list[str]:
    need, done = required("BAR_RAISER_SIGN_OFFS"), len(sign_offs(person))
    if done >= need:
        return []
    return [f"Be signed off by {need} certified bar raisers ({done} so far)."]


def no_open_loops_as_bar_raiser(person: User) -> list[str]:
    count = open_loops_as(person, Loop.bar_raiser_id)
    if not count:
        return []
    return [f"Hand over {count} open loop{'s' if count > 1 else ''} where {person.name} is the bar raiser."]


def no_open_loops_as_shadow(person: User) -> list[str]:
    count = open_loops_as(person, Loop.shadow_id)
    if not count:
        return []
    return [f"Take {person.name} off {count} open loop{'s' if count > 1 else ''} where they shadow."]


Check = Callable[[User], list[str]]


@dataclass(frozen=True)
class Move:
    label: str  # the button
    by_bar_raisers: bool  # certified bar raisers may make it too, not only admins
    note: str  # what the note must say; every move keeps one
    checks: tuple[Check, ...]


NOMINATE = Move("Nominate", True, "Say why this person would make a good bar raiser.", (account_is_active,))
LEAVE = Move("Take off the path", False, "Say why they leave the program.", (no_open_loops_as_shadow,))
RETIRE = Move("Retire", False, "Say why they retire as a bar raiser.", (no_open_loops_as_bar_raiser,))

# The allowed moves and their requirements. Anything not here is refused.
MOVES: dict[tuple[C, C], Move] = {
    (C.NONE, C.NOMINATED): NOMINATE,
    (C.RETIRED, C.NOMINATED): NOMINATE,
    (C.NOMINATED, C.IN_TRAINING): Move(
        "Accept the nomination", False, "Note the training they will take.",
        (account_is_active, level_and_unit_recorded)),
    (C.IN_TRAINING, C.SHADOWING): Move(
        "Training completed", False, "Name the training they completed.", (account_is_active,)),
    (C.SHADOWING, C.REVERSE_SHADOW): Move(
        "Start reverse shadowing", False, "Note anything their supervisors should watch for.",
        (account_is_active, shadowing_done)),
    (C.REVERSE_SHADOW, C.CERTIFIED): Move(
        "Certify", False, "Note what the sign-offs agreed on.",
        (account_is_active, reverse_shadowing_done, signed_off)),
    (C.CERTIFIED, C.PAUSED): Move(
        "Pause", False, "Say why, and until when.", (no_open_loops_as_bar_raiser,)),
    (C.PAUSED, C.CERTIFIED): Move("Resume", False, "Note what changed.", (account_is_active,)),
    (C.CERTIFIED, C.RETIRED): RETIRE,
    (C.PAUSED, C.RETIRED): RETIRE,
    (C.NOMINATED, C.RETIRED): LEAVE,
    (C.IN_TRAINING, C.RETIRED): LEAVE,
    (C.SHADOWING, C.RETIRED): LEAVE,
    (C.REVERSE_SHADOW, C.RETIRED): LEAVE,
}


def next_states(state: str) -> list[C]:
    """The states a person in `state` may move to, in the path's order."""
    return [to for (frm, to) in MOVES if frm == state]


def unmet_requirements(person: User, to: str) -> list[str]:
    """Return what keeps the person from moving to `to`, in plain words (empty: ready)."""
    move = MOVES.get((C(person.certification), C(to)))
    if move is None:
        return [refusal(person, C(to))]
    return [problem for check in move.checks for problem in check(person)]


def refusal(person: User, to: C) -> str:
    current = C(person.certification)
    if current == to:
        return f"{person.name} is already {to.label.lower()}."
    allowed = next_states(current)
    names = " or ".join(s.label.lower() for s in allowed) or "nothing"
    return f"From {current.label.lower()}, {person.name} can move to {names}; not to {to.label.lower()}."


def can_make(move: Move, actor: User) -> bool:
    if not actor.active:
        return False
    return actor.is_admin or (move.by_bar_raisers and actor.certification == C.CERTIFIED)


def move(person: User, to: str, actor: User, note: str) -> None:
    """Move a person along the path, or refuse and say why; the move is audited with its note."""
    to = C(to)
    current = C(person.certification)
    step = MOVES.get((current, to))
    if step is None:
        raise PathError(refusal(person, to))
    if not can_make(step, actor):
        who = "an admin or a certified bar raiser" if step.by_bar_raisers else "an admin"
        raise PathError(f"Only {who} can {step.label.lower()}.")
    if actor.id == person.id:
        raise PathError("Nobody moves themselves along the path.")
    note = (note or "").strip()
    if not note:
        raise PathError(step.note, field="note")
    unmet = unmet_requirements(person, to)
    if unmet:
        raise PathError(f"{person.name} cannot move to {to.label.lower()} yet.", unmet)
    # Only from the state the requirements were checked in: of two moves made at once, one wins.
    since = utcnow()
    moved = db.session.execute(
        update(User).where(User.id == person.id, User.certification == current)
        .values(certification=to, certification_since=since).execution_options(synchronize_session=False)
    ).rowcount
    if not moved:
        raise Conflict(f"Someone moved {person.name} along the path a moment ago; look again before moving them.")
    db.session.expire(person, ["certification", "certification_since"])
    record("user.certification_changed", person, actor, from_state=current, to_state=to, reason=note)
    db.session.flush()


def sign_off(trainee: User, signer: User, note: str) -> SignOff:
    """Record a certified bar raiser's sign-off on a reverse shadow, once per signer and round."""
    if trainee.certification != C.REVERSE_SHADOW:
        raise PathError(f"{trainee.name} is not in reverse shadow; sign-offs come at that stage.")
    if signer.certification != C.CERTIFIED or not signer.active:
        raise PathError("Only certified bar raisers sign off.")
    if signer.id == trainee.id:
        raise PathError("Nobody signs themselves off.")
    note = (note or "").strip()
    if not note:
        raise PathError("Say what you saw that makes them ready.", field="note")
    if any(s.signer_id == signer.id for s in sign_offs(trainee)):
        raise PathError(f"You have already signed off {trainee.name}.")
    signoff = SignOff(trainee=trainee, signer=signer, note=note, round_started_at=trainee.certification_since)
    db.session.add(signoff)
    db.session.flush()
    record("user.signed_off", trainee, signer, reason=note)
    return signoff
