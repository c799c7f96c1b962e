"""Requisitions (step 1): opened by a recruiter, written and approved by the hiring manager."""

from app.audit.services import record
from app.db_types import utcnow
from app.errors import ServiceError
from app.extensions import db
from app.loops.models import LoopStatus
from app.loops.workflow import end_loop
from app.people.models import OrgUnit, User
from app.principles.models import Principle
from app.requisitions.models import Requisition, RequisitionStatus


def open_requisition(actor: User, *, title: str, level: str, org_unit: OrgUnit, hiring_manager: User,
                     recruiter: User, location: str = "") -> Requisition:
    """Open a draft requisition for the hiring manager to write and approve."""
    if not actor.is_recruiter:
        raise ServiceError("Only recruiters open requisitions.")
    if not recruiter.is_recruiter:
        raise ServiceError(f"{recruiter.name} is not a recruiter.", field="recruiter_id")
    if hiring_manager.id == recruiter.id:
        raise ServiceError("The hiring manager and the recruiter must be different people.",
                           field="hiring_manager_id")
    for person, field in ((hiring_manager, "hiring_manager_id"), (recruiter, "recruiter_id")):
        if not person.active:
            raise ServiceError(f"{person.name}'s account is deactivated.", field=field)
    requisition = Requisition(title=" ".join(title.split()), level=level.strip(), org_unit=org_unit,
                              hiring_manager=hiring_manager, recruiter=recruiter,
                              location=" ".join(location.split()) or None)
    db.session.add(requisition)
    db.session.flush()
    record("requisition.opened", requisition, actor, to_state=RequisitionStatus.DRAFT, title=requisition.title)
    return requisition


def approval_gate(requisition: Requisition) -> list[str]:
    """Return what keeps the requisition from being approved, in plain words."""
    unmet = []
    if not requisition.job_description.strip():
        unmet.append("Write the job description.")
    if not requisition.principles:
        unmet.append("Pick at least one target leadership principle (three to six is typical).")
    return unmet


def write_job_description(requisition: Requisition, actor: User, *, job_description: str,
                          principles: list[Principle]) -> None:
    """Let the hiring manager write the description and pick principles while it is a draft."""
    require_hiring_manager(requisition, actor)
    if requisition.status != RequisitionStatus.DRAFT:
        raise ServiceError("An approved requisition's description and principles are fixed.")
    inactive = [p.name for p in principles if not p.is_active]
    if inactive:
        raise ServiceError(f"Inactive principle: {', '.join(inactive)}.", field="principle_ids")
    requisition.job_description = job_description.strip()
    requisition.principles = principles
    record("requisition.described", requisition, actor, principles=[p.name for p in principles])


def approve_requisition(requisition: Requisition, actor: User) -> None:
    require_hiring_manager(requisition, actor)
    if requisition.status != RequisitionStatus.DRAFT:
        raise ServiceError("This requisition is not a draft.")
    unmet = approval_gate(requisition)
    if unmet:
        raise ServiceError(" ".join(unmet))
    requisition.status = RequisitionStatus.APPROVED
    requisition.approved_at, requisition.approved_by = utcnow(), actor
    record("requisition.approved", requisition, actor, from_state=RequisitionStatus.DRAFT,
           to_state=RequisitionStatus.APPROVED)


def close_requisition(requisition: Requisition, actor: User, *, open_loops: str, reason: str) -> int:
    """Close a requisition; its open loops are kept running or rejected, as the closer chose.

    Returns the number of loops rejected.
    """
    if actor.id not in (requisition.recruiter_id, requisition.hiring_manager_id):
        raise ServiceError("Only the requisition's recruiter or hiring manager closes it.")
    if requisition.status == RequisitionStatus.CLOSED:
        raise ServiceError("This requisition is already closed.")
    loops = [loop for loop in open_loops_of(requisition)]
    if loops and open_loops not in ("keep", "reject"):
        raise ServiceError("Choose what happens to the open loops.", field="open_loops")
    if loops and open_loops == "reject" and not reason.strip():
        raise ServiceError("Say why the open loops are rejected.", field="reason")
    if open_loops == "reject":
        for loop in loops:
            end_loop(loop, actor, LoopStatus.REJECTED, reason, system=True)
    record("requisition.closed", requisition, actor, from_state=requisition.status,
           to_state=RequisitionStatus.CLOSED, reason=reason.strip(), open_loops=open_loops, loops=len(loops))
    requisition.status, requisition.closed_at = RequisitionStatus.CLOSED, utcnow()
    return len(loops) if open_loops == "reject" else 0


def open_loops_of(requisition: Requisition):
    from sqlalchemy import select

    from app.loops.models import Loop

    return db.session.scalars(
        select(Loop).where(Loop.requisition_id == requisition.id, Loop.status == LoopStatus.OPEN)
    ).all()


def require_hiring_manager(requisition: Requisition, actor: User) -> None:
    if actor.id != requisition.hiring_manager_id:
        raise ServiceError("Only the requisition's hiring manager writes and approves it.")
