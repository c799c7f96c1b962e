"""What is waiting for a person: the home page's "My work"."""

from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.attributes import set_committed_value

from app.db_types import utcnow
from app.extensions import db
from app.interviews.models import Interview
from app.interviews.services import coverage
from app.loops.models import Loop, LoopStatus, Step
from app.loops.workflow import screen_decision, unmet_conditions
from app.offers.models import Offer
from app.people.models import User
from app.permissions import takes_part
from app.requisitions.models import Requisition, RequisitionStatus


@dataclass
class Task:
    """One thing for the person to do, with the loop or requisition it is about."""

    text: str
    loop: Loop | None = None
    requisition: Requisition | None = None
    page: str = "loops.show"  # where the task is done: the loop page, or its debrief


@dataclass
class MyWork:
    feedback_due: list[Interview] = field(default_factory=list)  # interviews over, their feedback not submitted
    upcoming: list[Interview] = field(default_factory=list)
    decisions: list[Task] = field(default_factory=list)
    bar_raising: list[Task] = field(default_factory=list)
    recruiting: dict[Step, list[tuple[Loop, list[str]]]] = field(default_factory=dict)
    loops: list[Loop] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not (self.feedback_due or self.upcoming or self.decisions or self.bar_raising or self.recruiting
                    or self.loops)


def load_offers(loops) -> None:
    """Load the offers of the loops at the offer step, the only step a loop can have one at (what is pending
    there): a lookup by key of those loops alone, however many offers the company has made."""
    at_offer = [loop for loop in loops if loop.step == Step.OFFER]
    offers = {}
    if at_offer:
        offers = {offer.loop_id: offer for offer in db.session.scalars(
            select(Offer).where(Offer.loop_id.in_([loop.id for loop in at_offer])))}
    for loop in loops:
        set_committed_value(loop, "offer", offers.get(loop.id))


def my_work(user: User) -> MyWork:
    """Gather, in a fixed number of queries, what each of the user's roles asks of them now."""
    loops = db.session.scalars(
        select(Loop).where(Loop.status == LoopStatus.OPEN, takes_part(user))
        .options(
            selectinload(Loop.candidate), selectinload(Loop.requisition).selectinload(Requisition.principles),
            selectinload(Loop.interviews).selectinload(Interview.principles),
            selectinload(Loop.interviews).selectinload(Interview.interviewer),
            selectinload(Loop.interviews).selectinload(Interview.feedbacks),
            selectinload(Loop.screen_decisions), selectinload(Loop.references), selectinload(Loop.decision),
        )
        .order_by(Loop.step_entered_at, Loop.id)
    ).all()
    load_offers(loops)
    work = MyWork(loops=list(loops))
    now = utcnow()
    mine = [i for loop in loops for i in loop.interviews if i.interviewer_id == user.id]
    work.feedback_due = sorted((i for i in mine if i.ends_at <= now and i.submitted_feedback is None),
                               key=lambda i: i.starts_at)
    work.upcoming = sorted((i for i in mine if i.ends_at >= now - timedelta(hours=1) and i not in work.feedback_due),
                           key=lambda i: i.starts_at)
    for requisition in db.session.scalars(
        select(Requisition).where(Requisition.hiring_manager_id == user.id,
                                  Requisition.status == RequisitionStatus.DRAFT)
    ):
        work.decisions.append(Task("Write and approve the job description", requisition=requisition))
    for loop in loops:
        step = Step(loop.step)
        if loop.hiring_manager_id == user.id:
            if step == Step.RESUME_REVIEW and screen_decision(loop, step) is None:
                work.decisions.append(Task("Screen the résumé", loop=loop))
            elif step == Step.PHONE_SCREEN and screen_decision(loop, step) is None:
                work.decisions.append(Task("Decide whether to proceed after the phone screen", loop=loop))
            elif step == Step.DEBRIEF and loop.decision is None:
                work.decisions.append(Task("Decide Hire or No hire at the debrief", loop=loop, page="debrief.show"))
        if loop.bar_raiser_id == user.id:
            if step <= Step.IN_HOUSE_INTERVIEWS:
                report = coverage(loop)
                text = ("Coverage complete; check the panel" if report.is_complete
                        else f"Check the loop: {len(report.gaps)} principle(s) not covered")
                work.bar_raising.append(Task(text, loop=loop))
            elif step == Step.DEBRIEF:
                verdict_due = loop.decision is not None and loop.decision.verdict is None
                work.bar_raising.append(Task("Concur or veto" if verdict_due else "Run the debrief", loop=loop,
                                             page="debrief.show"))
        if loop.recruiter_id == user.id:
            work.recruiting.setdefault(step, []).append((loop, unmet_conditions(loop)))
    work.recruiting = dict(sorted(work.recruiting.items()))
    return work
