"""Who may sit on a loop's panel: the composition rules, in one place.

Each rule has a name, and a refusal starts with it, so a recruiter learns which
rule a panel breaks, not only that it breaks one. Checked whenever a loop's
people change (`loops.services`) and whenever an interview is booked
(`interviews.services`):

- Independent bar raiser: certified, not the hiring manager or the recruiter,
  not from the hiring manager's org unit (PRODUCT.md, "The bar raiser").
- Shadow on the path: an observing shadow is in training or shadowing; a
  reverse shadow is in reverse shadow and, acting as the bar raiser, is
  independent like one.
- Interviewer level: no in-house interviewer more than one level below the
  role (INTERVIEWER_MAX_LEVELS_BELOW; INTERVIEWER_LEVEL_RULE turns it off).
- Nobody who would report to the candidate: for a role that manages people,
  the hiring manager's reports would move under the new hire.
- Weekly interview load: at most MAX_INTERVIEWS_PER_WEEK interviews a week for
  one person (0: no limit); suggestions come least loaded first.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import and_, func, or_, select

from app.db_types import utcnow
from app.errors import ServiceError
from app.extensions import db
from app.interviews.models import Interview, InterviewKind
from app.loops.models import Loop, LoopStatus
from app.people.models import Certification, User
from app.requisitions.models import Requisition

INDEPENDENT = "Independent bar raiser"
SHADOW = "Shadow on the path"
DISTINCT = "Distinct roles"
LEVEL = "Interviewer level"
REPORTS = "Nobody who would report to the candidate"
LOAD = "Weekly interview load"


@dataclass(frozen=True)
class Breach:
    rule: str
    field: str
    detail: str

    @property
    def message(self) -> str:
        return f"{self.rule}: {self.detail}"


def require_none(breaches: list[Breach]) -> None:
    """Refuse with the first breach, naming its rule."""
    if breaches:
        raise ServiceError(breaches[0].message, field=breaches[0].field)


def would_report_to_candidate(person: User, requisition: Requisition | None, hiring_manager: User) -> bool:
    """For a role that manages people, the hiring manager's reports would move under the new hire."""
    return bool(requisition is not None and requisition.manages_people and person.manager_id == hiring_manager.id)


def reports_breach(person: User, field: str, requisition: Requisition | None, hiring_manager: User) -> list[Breach]:
    if not would_report_to_candidate(person, requisition, hiring_manager):
        return []
    return [Breach(REPORTS, field, f"{person.name} reports to {hiring_manager.name} and would report to the "
                                   "new hire; choose someone else.")]


def bar_raiser_breaches(bar_raiser: User, hiring_manager: User, recruiter: User, *,
                        field: str = "bar_raiser_id", acting: str = "The bar raiser") -> list[Breach]:
    """The independence rules, for the bar raiser or a reverse shadow acting as one."""
    breaches = []
    if bar_raiser.id == hiring_manager.id:
        breaches.append(Breach(INDEPENDENT, field, f"{acting} cannot be the hiring manager."))
    if bar_raiser.id == recruiter.id:
        breaches.append(Breach(INDEPENDENT, field, f"{acting} cannot be the loop's recruiter."))
    if hiring_manager.org_unit_id is not None and bar_raiser.org_unit_id == hiring_manager.org_unit_id:
        breaches.append(Breach(INDEPENDENT, field, f"{acting} cannot be from the hiring manager's org unit "
                                                   f"({hiring_manager.org_unit.name})."))
    if not bar_raiser.active:
        breaches.append(Breach(INDEPENDENT, field, f"{bar_raiser.name}'s account is deactivated."))
    return breaches


def people_breaches(*, bar_raiser: User | None, hiring_manager: User, recruiter: User, shadow: User | None = None,
                    reverse_shadow: bool = False, requisition: Requisition | None = None) -> list[Breach]:
    """Return every rule the loop's people break (bar raiser, shadow, recruiter, hiring manager)."""
    breaches = []
    if bar_raiser is not None:
        if bar_raiser.certification != Certification.CERTIFIED:
            breaches.append(Breach(INDEPENDENT, "bar_raiser_id", f"{bar_raiser.name} is not a certified bar raiser."))
        breaches += bar_raiser_breaches(bar_raiser, hiring_manager, recruiter)
        breaches += reports_breach(bar_raiser, "bar_raiser_id", requisition, hiring_manager)
    if shadow is not None:
        if shadow.id in {hiring_manager.id, recruiter.id, getattr(bar_raiser, "id", None)}:
            breaches.append(Breach(SHADOW, "shadow_id",
                                   "The shadow cannot also be the hiring manager, recruiter or bar raiser."))
        if reverse_shadow:
            if shadow.certification != Certification.REVERSE_SHADOW:
                breaches.append(Breach(SHADOW, "shadow_id",
                                       f"{shadow.name} is not in reverse shadow on the bar-raiser path."))
            if bar_raiser is None:
                breaches.append(Breach(SHADOW, "bar_raiser_id",
                                       "A reverse shadow needs a certified bar raiser to supervise."))
            breaches += bar_raiser_breaches(shadow, hiring_manager, recruiter, field="shadow_id",
                                            acting="A reverse shadow")
        elif not Certification(shadow.certification).can_shadow:
            breaches.append(Breach(SHADOW, "shadow_id", f"{shadow.name} is not a bar raiser in training."))
        breaches += reports_breach(shadow, "shadow_id", requisition, hiring_manager)
    elif reverse_shadow:
        breaches.append(Breach(SHADOW, "shadow_id", "Choose the trainee who acts as the bar raiser."))
    if hiring_manager.id == recruiter.id:
        breaches.append(Breach(DISTINCT, "recruiter_id",
                               "The recruiter and the hiring manager must be different people."))
    for person, name in ((hiring_manager, "hiring_manager_id"), (recruiter, "recruiter_id")):
        if not person.active:
            breaches.append(Breach(DISTINCT, name, f"{person.name}'s account is deactivated."))
    if not recruiter.is_recruiter:
        breaches.append(Breach(DISTINCT, "recruiter_id", f"{recruiter.name} is not a recruiter."))
    return breaches


def level_breach(person: User, requisition: Requisition, field: str = "interviewer_id") -> list[Breach]:
    config = current_app.config
    role = requisition.level_number
    if not config["INTERVIEWER_LEVEL_RULE"] or role is None or person.job_level is None:
        return []
    most = config["INTERVIEWER_MAX_LEVELS_BELOW"]
    if person.job_level >= role - most:
        return []
    levels = "level" if most == 1 else "levels"
    return [Breach(LEVEL, field, f"{person.name} is L{person.job_level}, more than {most} {levels} below the "
                                 f"role ({requisition.level}).")]


def week_of(moment: datetime) -> tuple[datetime, datetime]:
    """The Monday-to-Monday week (UTC) a moment falls in."""
    start = (moment - timedelta(days=moment.weekday())).replace(hour=0, minute=0, second=0, microsecond=0)
    return start, start + timedelta(days=7)


def happening(since: datetime | None = None):
    """Interviews that take place: on open loops, or held before their loop closed.

    Given `since`, the interviews start then or later, so a closed loop counts only
    if it closed after it: said here, the loops are read as the open ones and the
    ones closed since (indexed), not every loop the company closed.
    """
    if since is None:
        return or_(Loop.status == LoopStatus.OPEN, Interview.starts_at < Loop.closed_at)
    return or_(Loop.status == LoopStatus.OPEN, and_(Loop.closed_at > since, Interview.starts_at < Loop.closed_at))


def weekly_loads(moment: datetime, people_ids=None) -> dict[int, int]:
    """Return each person's number of interviews in the week of `moment`."""
    start, end = week_of(moment)
    query = (select(Interview.interviewer_id, func.count()).join(Loop, Loop.id == Interview.loop_id)
             .where(Interview.starts_at >= start, Interview.starts_at < end, happening())
             .group_by(Interview.interviewer_id))
    if people_ids is not None:
        query = query.where(Interview.interviewer_id.in_(people_ids))
    return dict(db.session.execute(query).all())


def load_breach(person: User, starts_at: datetime, field: str = "interviewer_id") -> list[Breach]:
    limit = current_app.config["MAX_INTERVIEWS_PER_WEEK"]
    if not limit:
        return []
    booked = weekly_loads(starts_at, [person.id]).get(person.id, 0)
    if booked < limit:
        return []
    start, _ = week_of(starts_at)
    return [Breach(LOAD, field, f"{person.name} already has {booked} interviews in the week of {start:%d %b} "
                                f"(the limit is {limit}).")]


def interviewer_breaches(loop: Loop, interviewer: User, starts_at: datetime, kind: str) -> list[Breach]:
    """Return the rules booking `interviewer` on this loop at `starts_at` would break."""
    breaches = []
    if kind == InterviewKind.IN_HOUSE:
        breaches += level_breach(interviewer, loop.requisition)
        breaches += reports_breach(interviewer, "interviewer_id", loop.requisition, loop.hiring_manager)
    breaches += load_breach(interviewer, starts_at)
    return breaches


def panel_breaches(loop: Loop, hiring_manager: User) -> list[Breach]:
    """The rules the loop's booked interviewers break under a (possibly new) hiring manager."""
    breaches = []
    for interview in loop.interviews:
        if interview.kind == InterviewKind.IN_HOUSE:
            breaches += reports_breach(interview.interviewer, "hiring_manager_id", loop.requisition, hiring_manager)
    return breaches


def active_loop_counts() -> dict[int, int]:
    """Return each bar raiser's number of open loops."""
    rows = db.session.execute(
        select(Loop.bar_raiser_id, func.count())
        .where(Loop.status == LoopStatus.OPEN, Loop.bar_raiser_id.is_not(None))
        .group_by(Loop.bar_raiser_id)
    )
    return dict(rows.all())


def suggest_bar_raisers(hiring_manager: User, recruiter: User, limit: int = 5,
                        requisition: Requisition | None = None) -> list[tuple[User, int]]:
    """Certified, independent of this loop, fewest open loops first."""
    counts = active_loop_counts()
    candidates = db.session.scalars(
        select(User).where(User.certification == Certification.CERTIFIED, User.active)
    ).all()
    # Only the rules about the bar raiser: a form whose other people are still wrong keeps its suggestions.
    fit = [u for u in candidates if not bar_raiser_breaches(u, hiring_manager, recruiter)
           and not reports_breach(u, "bar_raiser_id", requisition, hiring_manager)]
    fit.sort(key=lambda u: (counts.get(u.id, 0), u.name))
    return [(u, counts.get(u.id, 0)) for u in fit[:limit]]


def suggest_interviewers(loop: Loop, starts_at: datetime | None = None, limit: int = 5) -> list[tuple[User, int]]:
    """People who may interview on this loop that week, least loaded first, with their load.

    Ordered and cut in SQL, so the loop page pays for a handful of people, not the company.
    """
    start, end = week_of(starts_at or utcnow())
    taken = {loop.hiring_manager_id, loop.recruiter_id, loop.shadow_id}
    taken |= {i.interviewer_id for i in loop.interviews if i.kind == InterviewKind.IN_HOUSE}
    load = (select(Interview.interviewer_id.label("person_id"), func.count().label("booked"))
            .join(Loop, Loop.id == Interview.loop_id)
            .where(Interview.starts_at >= start, Interview.starts_at < end, happening(since=start))
            .group_by(Interview.interviewer_id).subquery())
    booked = func.coalesce(load.c.booked, 0)
    query = (select(User, booked).outerjoin(load, load.c.person_id == User.id)
             .where(User.active, User.id.not_in([t for t in taken if t]))
             .order_by(booked, User.name).limit(limit * 4))
    cap = current_app.config["MAX_INTERVIEWS_PER_WEEK"]
    if cap:
        query = query.where(booked < cap)
    fit = [(person, n) for person, n in db.session.execute(query).all()
           if not level_breach(person, loop.requisition)
           and not reports_breach(person, "interviewer_id", loop.requisition, loop.hiring_manager)]
    return fit[:limit]
