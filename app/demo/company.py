"""The demo company: people, requisitions, candidates and fifteen loops, dated relative to today.

Every loop is built forward through its steps, the way the app would have
moved it, so its rows, its audit trail and its step_entered_at agree.
"""

from datetime import datetime, timedelta

from sqlalchemy import select

from app.audit.services import record
from app.candidates.models import Candidate
from app.db_types import utcnow
from app.demo import DEMO_PASSWORD
from app.demo.roster import CANDIDATES, PEOPLE, REQUISITIONS
from app.demo.stories import STORIES
from app.demo.writer import Calendar, Company, stamp_pending_audit
from app.extensions import db
from app.kits.csv_io import import_starter_bank
from app.people.models import Certification, OrgUnit, User
from app.people.services import create_user
from app.principles.models import Principle
from app.requisitions.models import Requisition, RequisitionStatus


def build() -> list[User]:
    """Create the demo company, flush it, and return its people with the demo logins first."""
    company = Company(Calendar(utcnow()))
    company.people = _people(company.calendar)
    company.principles = {p.name: p for p in db.session.scalars(select(Principle))}
    company.requisitions = _requisitions(company.people, company.principles, company.calendar)
    company.candidates = _candidates(company.people, company.calendar)
    admin = next(user for user in company.people.values() if user.is_admin)
    import_starter_bank(admin, check_actor=False)
    stamp_pending_audit(company.calendar.day(-200, 9))
    for story in STORIES:
        story(company)
    db.session.flush()
    return list(company.people.values())


def _people(calendar: Calendar) -> dict[str, User]:
    units: dict[str, OrgUnit] = {}
    people: dict[str, User] = {}
    admin = None
    for person in PEOPLE:
        joined = calendar.day(-person.joined_days_ago, 9)
        unit = units.get(person.org_unit)
        if unit is None:
            unit = units[person.org_unit] = OrgUnit(name=person.org_unit, created_at=joined)
            db.session.add(unit)
            db.session.flush()
            record("org_unit.created", unit, admin, name=unit.name)
            stamp_pending_audit(joined)
        user = create_user(
            email=person.email, name=person.name, password=DEMO_PASSWORD, actor=admin, org_unit=unit,
            is_admin=person.is_admin, is_recruiter=person.is_recruiter, timezone=person.timezone,
        )
        user.created_at = joined
        user.job_level = person.level
        stamp_pending_audit(joined)
        admin = admin or user
        people[person.email] = user
    for person in PEOPLE:
        if person.manager:
            people[person.email].manager = people[person.manager]
    for person in PEOPLE:
        if person.certification != Certification.NONE:
            _walk_the_path(people[person.email], person.certification, people, calendar,
                           calendar.day(-person.joined_days_ago, 9))
    return people


# Each step of the bar-raiser path as the demo tells it: who made the move, with what note, how many days
# after the step before (certified people walked it long ago; trainees recently).
PATH_STORY = [
    (Certification.NOMINATED, "barraiser@demo.test",
     "Runs the on-call reviews like a debrief: asks for the evidence before the opinion, and says so when the "
     "evidence is thin. Would make a strong bar raiser."),
    (Certification.IN_TRAINING, "admin@demo.test", "Nomination accepted; booked on the next bar-raiser course."),
    (Certification.SHADOWING, "admin@demo.test",
     "Completed the two-day bar-raiser course (interviewing for evidence, running a debrief)."),
    (Certification.REVERSE_SHADOW, "admin@demo.test",
     "Shadowed three loops with practice feedback; ready to run a debrief under supervision."),
    (Certification.CERTIFIED, "admin@demo.test",
     "Ran two debriefs under supervision; signed off by two certified bar raisers."),
]
STEP_DAYS = {"certified": 60, "trainee": 14}


def _walk_the_path(user: User, target: str, people: dict[str, User], calendar: Calendar, joined: datetime) -> None:
    """Move a person along the bar-raiser path to `target`, as the program's pages would, each move audited.

    Certified bar raisers walked it in their first year; trainees are on it now, so their latest move is recent.
    """
    db.session.flush()  # nothing else pending, so the stamps below date only the path's moves
    steps = PATH_STORY[:[state for state, _, _ in PATH_STORY].index(target) + 1]
    gap = STEP_DAYS["certified" if target == Certification.CERTIFIED else "trainee"]
    # A trainee's latest move was four weeks ago, before the loops they shadow now.
    at = joined + timedelta(days=120) if target == Certification.CERTIFIED else calendar.day(
        -gap * (len(steps) + 1), 10)
    for state, actor, note in steps:
        if state == Certification.NOMINATED and target == Certification.CERTIFIED:
            actor = "admin@demo.test"  # the first bar raisers were nominated by the people team
        record("user.certification_changed", user, people[actor], from_state=user.certification, to_state=state,
               reason=note)
        stamp_pending_audit(at)
        db.session.flush()  # stamped now, or the next move's stamp would re-date this one
        user.certification = state
        user.certification_since = at
        at += timedelta(days=gap)
    db.session.flush()


def _requisitions(people, principles, calendar: Calendar) -> dict[str, Requisition]:
    requisitions = {}
    for opening in REQUISITIONS:
        manager = people[opening.hiring_manager]
        drafted = calendar.day(-opening.drafted_days_ago, 17)
        requisition = Requisition(
            title=opening.title, level=opening.level, org_unit=manager.org_unit, hiring_manager=manager,
            recruiter=people[opening.recruiter], job_description=opening.job_description,
            status=RequisitionStatus.DRAFT, created_at=drafted,
            principles=[principles[name] for name in opening.principles],
        )
        if opening.approved_days_ago is not None:
            requisition.status = RequisitionStatus.APPROVED
            requisition.approved_at = calendar.day(-opening.approved_days_ago, 18, 30)
            requisition.approved_by = manager
        db.session.add(requisition)
        db.session.flush()
        record("requisition.created", requisition, manager, to_state=RequisitionStatus.DRAFT)
        stamp_pending_audit(drafted)
        if requisition.approved_at:
            record("requisition.approved", requisition, manager, from_state=RequisitionStatus.DRAFT,
                   to_state=RequisitionStatus.APPROVED)
            stamp_pending_audit(requisition.approved_at)
        requisitions[opening.key] = requisition
    return requisitions


# Days before today each candidate was added: a little before their loop opened.
ADDED_DAYS_AGO = {
    "jon": 71, "hana": 23, "tyler": 41, "priyanka": 46, "diego": 61, "lucas": 51, "rebecca": 41,
    "kwame": 31, "marta": 26, "wei": 19, "samuel": 15, "aaliyah": 13, "elena": 7, "nadia": 3, "jonathan": 2,
}


def _candidates(people, calendar: Calendar) -> dict[str, Candidate]:
    candidates = {}
    for applicant in CANDIDATES:
        added = calendar.day(-ADDED_DAYS_AGO[applicant.key], 14)
        candidate = Candidate(
            name=applicant.name, email=applicant.email, phone=applicant.phone, source=applicant.source,
            resume_url=applicant.resume_url, notes=applicant.notes, created_by=people[applicant.added_by],
            created_at=added,
        )
        db.session.add(candidate)
        db.session.flush()
        record("candidate.created", candidate, people[applicant.added_by], personal={"name": candidate.name})
        stamp_pending_audit(added)
        candidates[applicant.key] = candidate
    return candidates
