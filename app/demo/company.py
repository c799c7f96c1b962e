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
        stamp_pending_audit(joined)
        if person.certification != Certification.NONE:
            _certify(user, person.certification, admin, calendar, joined)
        admin = admin or user
        people[person.email] = user
    return people


def _certify(user: User, certification: str, admin: User, calendar: Calendar, joined: datetime) -> None:
    """Take a user through training to `certification`, as an admin would, with the changes audited."""
    trained = joined + timedelta(days=120) if certification == Certification.CERTIFIED else calendar.day(-40, 10)
    record("user.certification_changed", user, admin, from_state=Certification.NONE,
           to_state=Certification.IN_TRAINING, reason="Nominated by their director; shadowing starts next month.")
    stamp_pending_audit(trained)
    user.certification = Certification.IN_TRAINING
    if certification == Certification.CERTIFIED:
        certified = trained + timedelta(days=150)
        record("user.certification_changed", user, admin, from_state=Certification.IN_TRAINING,
               to_state=Certification.CERTIFIED,
               reason="Shadowed six loops and ran two debriefs under supervision; signed off by the bar raiser "
                      "council.")
        stamp_pending_audit(certified)
        user.certification = Certification.CERTIFIED
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
