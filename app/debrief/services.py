"""The debrief: final votes, the hiring manager's decision, the bar raiser's verdict."""

from app.audit.services import record
from app.db_types import utcnow
from app.debrief.models import DebriefDecision, FinalVote, Outcome, Verdict
from app.errors import Conflict, ServiceError
from app.extensions import db
from app.feedback.models import Vote
from app.interviews.models import InterviewKind
from app.jobs.queue import enqueue_after_commit
from app.jobs.tasks import prerender_debrief
from app.loops.models import Loop, LoopStatus, Step
from app.loops.workflow import Ending, WorkflowError, advance_loop, end_loop, require_open
from app.notifications import services as notifications
from app.people.models import User
from app.webhooks import events as webhooks


class DecisionConflict(Conflict):
    """Another decision or verdict was recorded first."""


def require_debrief(loop: Loop) -> None:
    require_open(loop)
    if loop.step != Step.DEBRIEF:
        raise WorkflowError("This happens at the debrief (step 6); the loop is at "
                            f"{Step(loop.step).label}.")


def record_final_vote(loop: Loop, interviewer: User, vote: str, reason: str) -> FinalVote:
    """Record (or change, until the decision) an interviewer's final vote; a change needs a reason."""
    require_debrief(loop)
    if loop.decision is not None:
        raise DecisionConflict("The hiring manager has decided; final votes are closed.")
    mine = [i for i in loop.interviews if i.kind == InterviewKind.IN_HOUSE and i.interviewer_id == interviewer.id]
    feedback = next((f for i in mine if (f := i.submitted_feedback)), None)
    if feedback is None:
        raise ServiceError("Only the loop's in-house interviewers record a final vote.")
    vote, reason = Vote(vote), reason.strip()
    if vote != feedback.vote and not reason:
        raise ServiceError(f"Your first vote was “{feedback.vote.label}”; say why it changed.", field="reason")
    existing = next((v for v in loop.final_votes if v.interviewer_id == interviewer.id), None)
    if existing is None:
        existing = FinalVote(loop=loop, interviewer=interviewer, first_vote=feedback.vote, vote=vote, reason=reason)
        db.session.add(existing)
    else:
        existing.vote, existing.reason, existing.recorded_at = vote, reason, utcnow()
    db.session.flush()
    record("debrief.final_vote", loop, interviewer, loop=loop)  # the vote itself stays out of the trail
    return existing


def decide(loop: Loop, actor: User, outcome: str, rationale: str) -> DebriefDecision:
    """Record the hiring manager's Hire or No hire; No hire closes the loop as not hired."""
    if actor.id != loop.hiring_manager_id:
        raise WorkflowError("Only the loop's hiring manager decides Hire or No hire.")
    if loop.decision is not None:  # checked first: a second tab is told what happened, not that the loop closed
        raise DecisionConflict("The hiring manager's decision was already recorded; it is made once.")
    require_debrief(loop)
    outcome, rationale = Outcome(outcome), rationale.strip()
    if not rationale:
        raise ServiceError("Write the rationale for the decision.", field="rationale")
    decision = DebriefDecision(loop=loop, outcome=outcome, rationale=rationale, decided_by=actor)
    db.session.add(decision)
    db.session.flush()
    record("debrief.decided", loop, actor, loop=loop, to_state=outcome.label, reason=rationale)
    if outcome == Outcome.NO_HIRE:
        end_loop(loop, actor, LoopStatus.NOT_HIRED, f"No hire: {rationale}", how=Ending.DEBRIEF)
        webhooks.debrief_decided(loop, decision)  # a Hire is final only with the bar raiser's verdict
    notifications.decision_recorded(loop, actor)
    enqueue_after_commit(prerender_debrief, loop.id)  # the hiring manager's first download is already rendered
    return decision


def record_verdict(loop: Loop, actor: User, verdict: str, rationale: str) -> DebriefDecision:
    """Record the bar raiser's Concur (the loop moves on) or Veto (final: the loop closes)."""
    if actor.id != loop.bar_raiser_id:
        raise WorkflowError("Only the loop's bar raiser concurs or vetoes.")
    if not actor.is_certified_bar_raiser:
        raise WorkflowError("Only a certified bar raiser holds the veto.")
    decision = loop.decision
    if decision is not None and decision.verdict is not None:
        raise DecisionConflict(f"The bar raiser already recorded {decision.verdict.label}; it is final.")
    require_debrief(loop)
    if decision is None:
        raise WorkflowError("The hiring manager decides first.")
    if decision.outcome != Outcome.HIRE:
        raise WorkflowError("The veto only says no: there is nothing to concur with or veto on a No hire.")
    if decision.verdict is not None:
        raise DecisionConflict(f"The bar raiser already recorded {decision.verdict.label}; it is final.")
    verdict, rationale = Verdict(verdict), rationale.strip()
    if not rationale:
        raise ServiceError("Write the rationale for your verdict.", field="verdict_rationale")
    decision.verdict, decision.verdict_rationale = verdict, rationale
    decision.verdict_by, decision.verdict_at = actor, utcnow()
    db.session.flush()
    record("debrief.vetoed" if verdict == Verdict.VETO else "debrief.concurred", loop, actor, loop=loop,
           to_state=verdict.label, reason=rationale)
    if verdict == Verdict.VETO:
        end_loop(loop, actor, LoopStatus.NOT_HIRED, f"Vetoed by the bar raiser: {rationale}", how=Ending.DEBRIEF)
    else:
        advance_loop(loop, actor, Step.REFERENCE_CHECK, system=True)
    webhooks.debrief_decided(loop, decision)
    notifications.decision_recorded(loop, actor)
    enqueue_after_commit(prerender_debrief, loop.id)
    return decision

