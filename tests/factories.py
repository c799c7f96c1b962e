"""Factories for tests: call them inside an app context; they flush, never commit."""

from datetime import timedelta
from itertools import count

from sqlalchemy import select

from app.candidates.models import Candidate
from app.candidates.services import store_resume
from app.db_types import utcnow
from app.debrief.models import DebriefDecision, Outcome, Verdict
from app.extensions import db
from app.feedback.models import Feedback, FeedbackRating, FeedbackStatus, Rating, Vote
from app.interviews.models import Interview, InterviewKind
from app.kits import services as kits
from app.loops.models import Loop, LoopStatus, ScreenDecision, ScreenOutcome, Step
from app.offers.models import Offer
from app.people.models import OrgUnit, User
from app.people.services import create_user
from app.principles.models import Principle
from app.references.models import Reference, ReferenceOutcome
from app.requisitions.models import Requisition, RequisitionStatus
from app.retention.models import LegalHold, RetentionPolicy
from app.retention.rules import refresh_dates

_serial = count(1)


def org_unit(name: str) -> OrgUnit:
    unit = db.session.scalar(select(OrgUnit).where(OrgUnit.name == name))
    if unit is None:
        unit = OrgUnit(name=name)
        db.session.add(unit)
        db.session.flush()
    return unit


def make_user(email: str | None = None, name: str | None = None, password: str = "correct-horse-battery",
              org_unit: str | None = "Engineering", **kwargs) -> User:
    n = next(_serial)
    return create_user(
        email=email or f"person{n}@example.test",
        name=name or f"Person {n}",
        password=password,
        org_unit=globals()["org_unit"](org_unit) if org_unit else None,
        **kwargs,
    )


def principles(n: int) -> list[Principle]:
    return list(db.session.scalars(select(Principle).order_by(Principle.position).limit(n)))


def make_requisition(hiring_manager: User, recruiter: User, n_principles: int = 4,
                     approved: bool = True) -> Requisition:
    requisition = Requisition(
        title="Senior Software Engineer, Payments", level="L6", org_unit_id=hiring_manager.org_unit_id,
        hiring_manager=hiring_manager, recruiter=recruiter,
        job_description="Own the ledger service end to end." if approved else "",
    )
    requisition.principles = principles(n_principles)
    if approved:
        requisition.status = RequisitionStatus.APPROVED
        requisition.approved_at = utcnow()
        requisition.approved_by = hiring_manager
    db.session.add(requisition)
    db.session.flush()
    return requisition


def make_loop(step: int = Step.RESUME_REVIEW, *, recruiter: User | None = None,
              hiring_manager: User | None = None, bar_raiser: User | None = None,
              interviewers: list[User] | None = None, shadow: User | None = None,
              status: str = LoopStatus.OPEN, outcome: str | None = None, verdict: str | None = None,
              phone_screen_evidence: str = "Led the ledger migration; cut p99 by half.",
              closed_at=None) -> Loop:
    """Make a loop standing at `step` with everything the earlier gates needed."""
    recruiter = recruiter or make_user(is_recruiter=True, org_unit="Talent")
    hiring_manager = hiring_manager or make_user(org_unit="Payments")
    if bar_raiser is None and step >= Step.IN_HOUSE_INTERVIEWS:
        bar_raiser = make_user(certification="certified", org_unit="Search")
    requisition = make_requisition(hiring_manager, recruiter)
    n = next(_serial)
    candidate = Candidate(name=f"Candidate {n}", email=f"candidate{n}@example.test")
    loop = Loop(requisition=requisition, candidate=candidate, recruiter=recruiter,
                hiring_manager=hiring_manager, bar_raiser=bar_raiser, shadow=shadow, step=step)
    db.session.add(loop)
    db.session.flush()
    now = utcnow()
    if step > Step.RESUME_REVIEW:
        db.session.add(ScreenDecision(loop=loop, step=2, outcome=ScreenOutcome.ADVANCE, decided_by=hiring_manager))
    if step > Step.PHONE_SCREEN:
        phone = Interview(loop=loop, kind=InterviewKind.PHONE_SCREEN, interviewer=hiring_manager,
                          starts_at=now - timedelta(days=10), principles=requisition.principles[:2])
        db.session.add(phone)
        db.session.flush()
        submit_feedback(phone, hiring_manager, Vote.INCLINED, evidence=phone_screen_evidence)
        db.session.add(ScreenDecision(loop=loop, step=3, outcome=ScreenOutcome.ADVANCE, decided_by=hiring_manager))
    if step >= Step.IN_HOUSE_INTERVIEWS:
        panel = interviewers if interviewers is not None else (
            [bar_raiser] + [make_user(org_unit="Payments") for _ in range(3)])
        targets = requisition.principles
        past = step >= Step.WRITTEN_FEEDBACK
        for i, person in enumerate(panel):
            interview = Interview(
                loop=loop, kind=InterviewKind.IN_HOUSE, interviewer=person,
                starts_at=(now - timedelta(days=3) if past else now + timedelta(days=3)) + timedelta(hours=i),
                principles=[targets[i % len(targets)]],
            )
            db.session.add(interview)
            db.session.flush()
            if step >= Step.DEBRIEF:
                submit_feedback(interview, person, Vote.INCLINED)
    if step >= Step.REFERENCE_CHECK:
        db.session.add(DebriefDecision(loop=loop, outcome=Outcome.HIRE, rationale="Strong on ownership.",
                                       decided_by=hiring_manager, verdict=Verdict.CONCUR,
                                       verdict_rationale="Raises the bar.", verdict_by=bar_raiser,
                                       verdict_at=now))
    if step >= Step.OFFER:
        for name in ("Pat Former-Manager", "Lee Former-Peer"):
            db.session.add(Reference(loop=loop, name=name, relation="Former manager", contacted_on=now.date(),
                                     summary="Would hire again.", outcome=ReferenceOutcome.SUPPORTS,
                                     recorded_by=recruiter))
        db.session.add(Offer(loop=loop, extended_by=recruiter))
    db.session.flush()
    if outcome is not None:
        db.session.add(DebriefDecision(loop=loop, outcome=outcome, rationale="Decided at the debrief.",
                                       decided_by=hiring_manager))
        db.session.flush()
    if verdict is not None:
        decision = db.session.scalar(select(DebriefDecision).where(DebriefDecision.loop_id == loop.id))
        decision.verdict, decision.verdict_rationale = verdict, "The bar raiser's call."
        decision.verdict_by, decision.verdict_at = bar_raiser, now
        db.session.flush()
    if status != LoopStatus.OPEN:
        loop.status, loop.closed_at = status, closed_at or now
        loop.close_reason = "Closed by the test."
        db.session.flush()
        refresh_dates([candidate.id])  # as every ending through the workflow does
    return loop


def submit_feedback(interview: Interview, author: User, vote: str, raises_bar: bool = True,
                    evidence: str = "Led the ledger migration; cut p99 by half.", practice: bool = False,
                    rating: str = Rating.MEETS_THE_BAR) -> Feedback:
    """Write and submit feedback the way the service must: ratings first, then the seal."""
    ratings = [
        FeedbackRating(principle=p, rating=rating, evidence=evidence)
        for p in interview.principles
    ]
    feedback = Feedback(author=author, summary="Clear, specific examples.", ratings=ratings, is_practice=practice)
    db.session.add(feedback)
    feedback.interview = interview
    db.session.flush()
    feedback.status, feedback.vote, feedback.raises_bar = FeedbackStatus.SUBMITTED, vote, raises_bar
    feedback.submitted_at = interview.ends_at + timedelta(hours=2)
    db.session.flush()
    return feedback


def screen(loop: Loop, step: int) -> ScreenDecision:
    decision = ScreenDecision(loop=loop, step=step, outcome=ScreenOutcome.ADVANCE, decided_by=loop.hiring_manager)
    db.session.add(decision)
    db.session.flush()
    return decision


def add_references(loop: Loop, n: int) -> None:
    for i in range(n):
        db.session.add(Reference(loop=loop, name=f"Referee {i + 1}", relation="Former manager",
                                 contacted_on=utcnow().date(), summary="Would hire again.",
                                 outcome=ReferenceOutcome.SUPPORTS, recorded_by=loop.recruiter))
    db.session.flush()


# A small company with one loop at the debrief, for tests that call every route as every kind of person.
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
EXEMPT_ENDPOINTS = {"static"}


def routes(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint in EXEMPT_ENDPOINTS:
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule, method


def build_world(app) -> dict:
    with app.app_context():
        make = make_user
        people = {
            "admin": make(email="admin@m.test", is_admin=True, org_unit="People Ops"),
            "recruiter": make(email="recruiter@m.test", is_recruiter=True, org_unit="Talent"),
            "hm": make(email="hm@m.test", org_unit="Payments"),
            "br": make(email="br@m.test", certification="certified", org_unit="Search"),
            "iv": make(email="iv@m.test", org_unit="Payments"),
            "other_iv": make(email="other@m.test", org_unit="Ads"),
            "shadow": make(email="shadow@m.test", certification="in_training", org_unit="Ads"),
        }
        loop = make_loop(
            step=Step.DEBRIEF, recruiter=people["recruiter"], hiring_manager=people["hm"], bar_raiser=people["br"],
            shadow=people["shadow"], interviewers=[people["br"], people["iv"]] + [make() for _ in range(2)])
        make_loop(step=Step.WRITTEN_FEEDBACK, interviewers=[
            make(certification="certified", org_unit="Ads"), people["other_iv"]])
        store_resume(loop.candidate, PDF, "cv.pdf")
        question = kits.add_question(loop.requisition.principles[0], kits.QuestionInput("Tell me about a time."),
                                     people["admin"])
        interview = next(i for i in loop.interviews if i.interviewer_id == people["iv"].id)
        policy = RetentionPolicy(scope="default", hired_days=730, not_hired_days=365, rejected_days=180,
                                 withdrawn_days=180, updated_by=people["admin"])
        hold = LegalHold(candidate=loop.candidate, reason="Discrimination claim filed.", placed_by=people["admin"])
        db.session.add_all([policy, hold])
        endpoint_id, delivery_id = webhook_world(people["admin"])
        db.session.commit()
        return {
            "emails": {role: user.email for role, user in people.items()},
            "values": {
                "loop_id": loop.id, "interview_id": interview.id, "candidate_id": loop.candidate_id,
                "requisition_id": loop.requisition_id, "user_id": people["iv"].id,
                "token": "hrt_cal_no-such-feed",
                "unit_id": people["iv"].org_unit_id, "principle_id": loop.requisition.principles[0].id,
                "step": 2, "name": "funnel", "job_id": "no-such-job", "question_id": question.id,
                "policy_id": policy.id, "hold_id": hold.id, "endpoint_id": endpoint_id, "delivery_id": delivery_id,
                "token_id": 987654, "schema_id": "urn:ietf:params:scim:schemas:core:2.0:User", "rest": "Groups",
            },
        }


def webhook_world(admin: User) -> tuple[int, int]:
    """Two endpoints: one for the endpoint pages, another with a failed delivery to redeliver."""
    from app.webhooks import services as webhooks
    from app.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEvent

    endpoint, _ = webhooks.create_endpoint(admin, url="https://93.184.215.14/hooks", description="CRM",
                                           events=["loop.closed"])
    other, _ = webhooks.create_endpoint(admin, url="https://93.184.215.14/other", description="Payroll",
                                        events=["loop.closed"])
    event = WebhookEvent(type="loop.closed", payload='{"data":{},"timestamp":"2026-01-01T00:00:00Z","type":"x"}')
    delivery = WebhookDelivery(event=event, endpoint=other, message_id="msg_world", status=DeliveryStatus.FAILED,
                               attempts=1, last_status_code=500, last_error="The receiver answered 500.")
    db.session.add_all([event, delivery])
    db.session.flush()
    return endpoint.id, delivery.id


def url_for_rule(rule, values: dict) -> str:
    args = {name: values[name] for name in rule.arguments if name in values}
    if "action" in rule.arguments:
        args["action"] = "activate" if "activate" in str(rule.rule) and "up" not in str(rule.rule) else "up"
    return rule.build(args, append_unknown=False)[1]
