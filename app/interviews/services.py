"""Scheduling, rescheduling and cancelling interviews, and principle coverage."""

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo

from sqlalchemy import select

from app.audit.services import record
from app.db_types import utcnow
from app.errors import ServiceError
from app.extensions import db
from app.interviews.models import CancelledInterview, Interview, InterviewKind
from app.kits import services as kits
from app.loops import composition
from app.loops.models import Loop, LoopStatus, Step
from app.loops.workflow import LAST_SCHEDULING_STEP, WorkflowError, require_open
from app.notifications import services as notifications
from app.people.models import User
from app.principles.models import Principle
from app.webhooks import events as webhooks

MAX_DURATION = timedelta(minutes=480)


@dataclass
class CoverageRow:
    principle: Principle
    interviewers: list[User] = field(default_factory=list)

    @property
    def is_gap(self) -> bool:
        return not self.interviewers


@dataclass
class Coverage:
    rows: list[CoverageRow]
    interviewer_count: int
    without_principles: list[Interview]

    @property
    def gaps(self) -> list[CoverageRow]:
        return [row for row in self.rows if row.is_gap]

    @property
    def covered_by_everybody(self) -> list[CoverageRow]:
        """Principles every in-house interviewer probes: the panel is asking the same thing."""
        if self.interviewer_count < 2:
            return []
        return [row for row in self.rows if len(row.interviewers) == self.interviewer_count]

    @property
    def is_complete(self) -> bool:
        return bool(self.rows) and not self.gaps and not self.without_principles


def coverage(loop: Loop) -> Coverage:
    """Show who probes each target principle in the loop's in-house interviews."""
    in_house = [i for i in loop.interviews if i.kind == InterviewKind.IN_HOUSE]
    rows = []
    for principle in loop.requisition.principles:
        people = {i.interviewer_id: i.interviewer for i in in_house if principle in i.principles}
        rows.append(CoverageRow(principle, sorted(people.values(), key=lambda u: u.name)))
    return Coverage(
        rows=rows,
        interviewer_count=len({i.interviewer_id for i in in_house}),
        without_principles=[i for i in in_house if not i.principles],
    )


def overlapping_interview(interviewer: User, starts_at: datetime, ends_at: datetime,
                          exclude: Interview | None = None) -> Interview | None:
    """Return an interview of this interviewer's that overlaps the given time, if any.

    Interviews on closed loops will not happen, so they free the time.
    """
    query = select(Interview).join(Interview.loop).where(
        Loop.status == LoopStatus.OPEN,
        Interview.interviewer_id == interviewer.id,
        Interview.starts_at < ends_at,
        Interview.starts_at > starts_at - MAX_DURATION,
    )
    if exclude is not None and exclude.id is not None:
        query = query.where(Interview.id != exclude.id)
    return next((i for i in db.session.scalars(query) if i.ends_at > starts_at), None)


def why_cannot_interview(loop: Loop, person_id: int, kind: str) -> str | None:
    """Say why a person cannot take an interview of `kind` on the loop, or None if they can.

    The scheduling form's picker and `schedule_interview` ask the same question.
    """
    if person_id == loop.shadow_id:
        return "the loop's shadow observes"
    if kind == InterviewKind.IN_HOUSE:
        if person_id == loop.recruiter_id:
            return "the loop's recruiter runs the loop"
        if any(i.interviewer_id == person_id and i.kind == InterviewKind.IN_HOUSE for i in loop.interviews):
            return "already has an in-house interview on this loop"
    return None


def schedule_interview(loop: Loop, actor: User, *, kind: str, interviewer: User, starts_at: datetime,
                       duration_minutes: int, location: str, principles: list[Principle],
                       zone: tzinfo = UTC) -> Interview:
    """Book an interviewer for the loop, refusing overlaps and an unfit panel."""
    kind = InterviewKind(kind)
    require_open(loop)
    if actor.id != loop.recruiter_id:
        raise ServiceError("Only the loop's recruiter schedules its interviews.")
    if loop.step > LAST_SCHEDULING_STEP[kind]:
        raise ServiceError(f"{kind.label} interviews are scheduled before "
                           f"{Step(LAST_SCHEDULING_STEP[kind] + 1).label}; this loop is past that.")
    if starts_at.tzinfo is None:
        raise ServiceError("Give the start time with its time zone.", field="starts_at")
    if not interviewer.active:
        raise ServiceError(f"{interviewer.name}'s account is deactivated.", field="interviewer_id")
    if reason := why_cannot_interview(loop, interviewer.id, kind):
        raise ServiceError(f"{interviewer.name} cannot take this interview: {reason}.", field="interviewer_id")
    if kind == InterviewKind.IN_HOUSE:
        if not principles:
            raise ServiceError("Assign at least one principle to probe.", field="principle_ids")
        stray = [p.name for p in principles if p not in loop.requisition.principles]
        if stray:
            raise ServiceError(f"Not a target principle of this requisition: {', '.join(stray)}.",
                               field="principle_ids")
    if not 15 <= duration_minutes <= 480:
        raise ServiceError("An interview lasts between 15 minutes and 8 hours.", field="duration_minutes")
    ends_at = starts_at + timedelta(minutes=duration_minutes)
    composition.require_none(composition.interviewer_breaches(loop, interviewer, starts_at, kind))
    clash = overlapping_interview(interviewer, starts_at, ends_at)
    if clash is not None:
        start, end = clash.starts_at.astimezone(zone), clash.ends_at.astimezone(zone)
        raise ServiceError(
            f"{interviewer.name} is already interviewing from {start:%d %b %H:%M} to {end:%H:%M} {end.tzname()}.",
            field="starts_at")
    interview = Interview(loop=loop, kind=kind, interviewer=interviewer, starts_at=starts_at,
                          duration_minutes=duration_minutes, location=location.strip(), principles=principles)
    db.session.add(interview)
    db.session.flush()
    record("interview.scheduled", interview, actor, loop=loop, interviewer=interviewer.name,
           kind=kind.value, starts_at=starts_at.isoformat(), principles=[p.name for p in principles])
    kits.plan_interview(interview)  # its kit's questions, before the invitation points at it
    notifications.interview_scheduled(interview)
    webhooks.interview_scheduled(interview)
    return interview


def why_cannot_change(interview: Interview) -> list[str]:
    """Say why an interview can no longer be rescheduled or cancelled; empty when it can.

    The reschedule page shows these beside its disabled button and the services refuse with the same words.
    """
    loop = interview.loop
    reasons = []
    if not loop.is_open:
        reasons.append("The loop is closed.")
    if interview.feedbacks:
        reasons.append("Feedback has been written for this interview.")
    if loop.step > LAST_SCHEDULING_STEP[InterviewKind(interview.kind)]:
        reasons.append("The loop has moved past this interview's step.")
    return reasons


def _require_changeable(interview: Interview, actor: User, verb: str) -> None:
    loop = interview.loop
    require_open(loop)
    if actor.id != loop.recruiter_id:
        raise ServiceError(f"Only the loop's recruiter {verb} its interviews.")
    if reasons := why_cannot_change(interview):
        raise WorkflowError(" ".join(reasons))  # the interview's state, not what was typed: 409


def calendar_changed(interview: Interview) -> None:
    """Note a change every calendar holding the interview's event must take: a higher SEQUENCE, a new stamp."""
    # Counted by the database, so two changes racing each other still leave two steps.
    interview.calendar_sequence = Interview.calendar_sequence + 1
    interview.calendar_changed_at = utcnow()


def reschedule_interview(interview: Interview, actor: User, *, starts_at: datetime, duration_minutes: int,
                         location: str, zone: tzinfo = UTC) -> list[str]:
    """Move an interview nobody has written feedback for; return what changed (nothing: no update is sent).

    The interviewer gets the updated invitation: the same event, its SEQUENCE one higher.
    """
    _require_changeable(interview, actor, "reschedules")
    if starts_at.tzinfo is None:
        raise ServiceError("Give the start time with its time zone.", field="starts_at")
    if not 15 <= duration_minutes <= 480:
        raise ServiceError("An interview lasts between 15 minutes and 8 hours.", field="duration_minutes")
    location = location.strip()
    before = {"starts_at": interview.starts_at, "duration_minutes": interview.duration_minutes,
              "location": interview.location}
    after = {"starts_at": starts_at.astimezone(UTC), "duration_minutes": duration_minutes, "location": location}
    changed = [name for name in before if before[name] != after[name]]
    if not changed:
        return []
    interviewer, ends_at = interview.interviewer, starts_at + timedelta(minutes=duration_minutes)
    if not interviewer.active:
        raise ServiceError(f"{interviewer.name}'s account is deactivated; cancel this interview instead.")
    if composition.week_of(after["starts_at"]) != composition.week_of(interview.starts_at):
        composition.require_none(composition.load_breach(interviewer, after["starts_at"], field="starts_at"))
    clash = overlapping_interview(interviewer, starts_at, ends_at, exclude=interview)
    if clash is not None:
        start, end = clash.starts_at.astimezone(zone), clash.ends_at.astimezone(zone)
        raise ServiceError(
            f"{interviewer.name} is already interviewing from {start:%d %b %H:%M} to {end:%H:%M} {end.tzname()}.",
            field="starts_at")
    interview.starts_at, interview.duration_minutes, interview.location = (
        after["starts_at"], duration_minutes, location)
    calendar_changed(interview)
    db.session.flush()
    record("interview.rescheduled", interview, actor, loop=interview.loop, interviewer=interviewer.name,
           **{f"{name}_from": _plain(before[name]) for name in changed},
           **{f"{name}_to": _plain(after[name]) for name in changed})
    notifications.interview_rescheduled(interview)
    webhooks.interview_scheduled(interview)  # the same event at its new time: receivers keep one interview by id
    return changed


def _plain(value):
    return value.isoformat() if isinstance(value, datetime) else value


def cancel_interview(interview: Interview, actor: User) -> CancelledInterview:
    """Remove an interview nobody has written feedback for; calendars keep its event, cancelled.

    The interviewer, if an invitation reached them, gets the cancellation: the same event, its SEQUENCE higher.
    """
    _require_changeable(interview, actor, "cancels")
    loop = interview.loop
    was_invited = notifications.invitation_went_out(interview)
    cancelled = CancelledInterview(
        loop=loop, kind=interview.kind, interviewer=interview.interviewer, starts_at=interview.starts_at,
        duration_minutes=interview.duration_minutes, location=interview.location,
        calendar_uid=interview.calendar_uid, calendar_sequence=interview.calendar_sequence + 1,
        cancelled_by_id=actor.id)
    record("interview.cancelled", interview, actor, loop=loop, interviewer=interview.interviewer.name,
           starts_at=interview.starts_at.isoformat())
    webhooks.interview_cancelled(interview)
    db.session.delete(interview)
    db.session.add(cancelled)
    db.session.flush()
    if was_invited:
        notifications.interview_cancelled(cancelled)
    return cancelled
