"""References (step 7)."""

from datetime import date

from app.audit.services import record
from app.errors import ServiceError
from app.extensions import db
from app.loops.models import Loop, Step
from app.loops.workflow import WorkflowError, require_open
from app.people.models import User
from app.references.models import Reference, ReferenceOutcome


def record_reference(loop: Loop, actor: User, *, name: str, relation: str, contacted_on: date, summary: str,
                     outcome: str) -> Reference:
    """Record a referee's account; the loop's recruiter or hiring manager does this at step 7."""
    require_open(loop)
    if loop.step != Step.REFERENCE_CHECK:
        raise WorkflowError("References are recorded while the loop is at the reference check.")
    if actor.id not in (loop.recruiter_id, loop.hiring_manager_id):
        raise WorkflowError("Only the loop's recruiter or hiring manager records references.")
    for value, field, message in ((name, "name", "Enter the referee's name."),
                                  (relation, "relation", "Say how the referee knows the candidate."),
                                  (summary, "summary", "Summarize what the referee said.")):
        if not value.strip():
            raise ServiceError(message, field=field)
    if contacted_on > date.today():
        raise ServiceError("The contact date cannot be in the future.", field="contacted_on")
    reference = Reference(loop=loop, name=name.strip(), relation=relation.strip(), contacted_on=contacted_on,
                          summary=summary.strip(), outcome=ReferenceOutcome(outcome), recorded_by=actor)
    db.session.add(reference)
    db.session.flush()
    record("reference.recorded", reference, actor, loop=loop, to_state=ReferenceOutcome(outcome).label)
    return reference
