"""Every change the debrief report shows moves the loop's report version, and the next download renders anew.

The version is moved by the database (migration 0016), so each change below is
made the plainest way, by the ORM or by one bulk statement as erasure does;
each case first proves the change is one the report shows (its data's
fingerprint changes), then that the version moved and that the next PDF is
rendered rather than served from the cache.
"""

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from flask import current_app
from sqlalchemy import select, update

from app.audit.models import AuditEntry
from app.audit.services import record
from app.audit.wording import NOT_HISTORY
from app.db_types import utcnow
from app.debrief.models import AgendaNote, DebriefBrief, DebriefDecision, FinalVote, Outcome, PracticeVerdict, Verdict
from app.extensions import db
from app.feedback.models import Amendment, Vote
from app.interviews.models import Interview, InterviewKind
from app.loops.models import Loop, LoopStatus, Step
from app.notifications.models import Notification
from app.people.models import OrgUnit, User
from app.references.models import Reference, ReferenceOutcome
from app.reports import pdf
from app.reports.cache import PdfCache
from app.reports.data import fingerprint, report_data
from app.retention.erasure import REDACTED
from tests import factories

ZONE = ZoneInfo("Europe/Berlin")
CACHED = b"%PDF-1.4 a copy rendered earlier"


def in_house(loop: Loop) -> list[Interview]:
    return [i for i in loop.interviews if i.kind == InterviewKind.IN_HOUSE]


def submit_one(loop):
    interview = in_house(loop)[0]
    factories.submit_feedback(interview, interview.interviewer, Vote.NOT_INCLINED)


def amend(loop):
    feedback = in_house(loop)[0].feedbacks[0]
    db.session.add(Amendment(feedback=feedback, author=feedback.author, body="One more thing I noticed."))


def final_vote(loop):
    interviewer = in_house(loop)[1].interviewer
    db.session.add(FinalVote(loop=loop, interviewer=interviewer, first_vote=Vote.INCLINED,
                             vote=Vote.NOT_INCLINED, reason="The debrief changed my mind."))


def decide(loop):
    db.session.add(DebriefDecision(loop=loop, outcome=Outcome.NO_HIRE, rationale="Not enough depth.",
                                   decided_by=loop.hiring_manager))


def veto(loop):
    bar_raiser = loop.bar_raiser
    decision = db.session.scalar(select(DebriefDecision).where(DebriefDecision.loop_id == loop.id))
    decision.verdict_by, decision.verdict_at = bar_raiser, utcnow()
    decision.verdict, decision.verdict_rationale = Verdict.VETO, "Below the bar on ownership."


def agenda_note(loop):
    db.session.add(AgendaNote(loop=loop, principle=loop.requisition.principles[0], author=loop.bar_raiser,
                              body="We agreed the ledger story shows ownership."))


def brief_ready(loop):
    db.session.add(DebriefBrief(loop=loop, author=loop.bar_raiser, body="Two data points on Dive Deep.",
                                status="ready", ready_at=utcnow()))


def practice_verdict(loop):
    db.session.add(PracticeVerdict(loop=loop, trainee=loop.shadow, verdict=Verdict.CONCUR,
                                   rationale="I would have concurred."))


def reference(loop):
    db.session.add(Reference(loop=loop, name="Robin Former-Peer", relation="Former peer", contacted_on=utcnow().date(),
                             summary="Would work with again.", outcome=ReferenceOutcome.SUPPORTS,
                             recorded_by=loop.recruiter))


def offer_recorded(loop):
    from app.offers.services import extend_offer

    for n in range(2):
        db.session.add(Reference(loop=loop, name=f"Referee {n}", relation="Former manager",
                                 contacted_on=utcnow().date(), summary="Yes.", outcome=ReferenceOutcome.SUPPORTS,
                                 recorded_by=loop.recruiter))
    loop.step = Step.OFFER
    db.session.flush()
    extend_offer(loop, loop.recruiter, "Base and equity as approved.")


def schedule(loop):
    db.session.add(Interview(loop=loop, kind=InterviewKind.IN_HOUSE, interviewer=factories.make_user(),
                             starts_at=utcnow() + timedelta(days=1), principles=loop.requisition.principles[:1]))


def close(loop):
    loop.status, loop.closed_at, loop.close_reason = LoopStatus.WITHDRAWN, utcnow(), "Took another offer."


def change_shadow(loop):
    loop.shadow = factories.make_user(certification="in_training", org_unit="Ads")


def rename_candidate(loop):
    loop.candidate.name = "Zoë Renamed"


def retitle_requisition(loop):
    loop.requisition.title = "Staff Engineer, Payments"


def rename_org_unit(loop):
    db.session.get(OrgUnit, loop.requisition.org_unit_id).name = "Payments and Billing"


def rename_interviewer(loop):
    in_house(loop)[2].interviewer.name = "Ivana Renamed"


def rename_bar_raiser(loop):
    loop.bar_raiser.name = "Bea Renamed"


def rename_principle(loop):
    loop.requisition.principles[0].name = "Customer Obsession, renamed"


def audited_move(loop):
    record("loop.people_changed", loop, loop.recruiter, loop=loop,
           changes={"recruiter": ["Rita Recruiter", "Rob Recruiter"]})


def erase_text(loop):
    """What erasure does to a closed loop's records: bulk statements, no ORM objects."""
    db.session.execute(update(DebriefDecision).where(DebriefDecision.loop_id == loop.id).values(rationale=REDACTED))


CHANGES = {
    "feedback submitted": (Step.WRITTEN_FEEDBACK, submit_one),
    "feedback amended": (Step.DEBRIEF, amend),
    "final vote": (Step.DEBRIEF, final_vote),
    "debrief decision": (Step.DEBRIEF, decide),
    "veto": ("hire decided", veto),
    "agenda note": (Step.DEBRIEF, agenda_note),
    "bar raiser's summary": (Step.DEBRIEF, brief_ready),
    "practice verdict": (Step.DEBRIEF, practice_verdict),
    "reference": (Step.REFERENCE_CHECK, reference),
    "offer extended": (Step.REFERENCE_CHECK, offer_recorded),
    "interview scheduled": (Step.DEBRIEF, schedule),
    "loop closed": (Step.DEBRIEF, close),
    "shadow changed": (Step.DEBRIEF, change_shadow),
    "candidate renamed": (Step.DEBRIEF, rename_candidate),
    "requisition retitled": (Step.DEBRIEF, retitle_requisition),
    "org unit renamed": (Step.DEBRIEF, rename_org_unit),
    "interviewer renamed": (Step.DEBRIEF, rename_interviewer),
    "bar raiser renamed": (Step.DEBRIEF, rename_bar_raiser),
    "principle renamed": (Step.DEBRIEF, rename_principle),
    "audited change of people": (Step.DEBRIEF, audited_move),
    "closed loop's text erased": ("closed", erase_text),
    "closed loop's candidate renamed": ("closed", rename_candidate),
}


def make(kind) -> Loop:
    shadow = factories.make_user(certification="in_training", org_unit="Ads")
    if kind == "hire decided":
        return factories.make_loop(step=Step.DEBRIEF, outcome=Outcome.HIRE, shadow=shadow)
    if kind == "closed":
        return factories.make_loop(step=Step.DEBRIEF, outcome=Outcome.NO_HIRE, status=LoopStatus.NOT_HIRED,
                                   shadow=shadow)
    return factories.make_loop(step=kind, shadow=shadow)


def version_of(loop_id: int) -> int:
    return db.session.scalar(sa.text("SELECT report_version FROM loops WHERE id = :id"), {"id": loop_id})


def fresh(loop_id: int) -> Loop:
    db.session.expire_all()
    return db.session.get(Loop, loop_id)


@pytest.mark.parametrize("change", CHANGES)
def test_a_change_the_report_shows_moves_the_version_and_the_next_download_renders(ctx, change):
    kind, apply = CHANGES[change]
    loop_id = make(kind).id
    db.session.commit()
    loop = fresh(loop_id)
    before, version = fingerprint(report_data(loop)), version_of(loop_id)
    # A copy of this state of the report in the cache (rendering is proven below, once, end to end).
    cache = PdfCache.for_app(current_app, pdf.layout_version())
    cache.put(pdf.cache_key(loop, ZONE), CACHED, before)
    assert pdf.debrief_pdf(loop, ZONE) == pdf.Report(CACHED, before, True)

    apply(fresh(loop_id))
    db.session.flush()
    loop = fresh(loop_id)
    assert fingerprint(report_data(loop)) != before, "the change is one the report shows"
    assert version_of(loop_id) > version
    assert cache.get(pdf.cache_key(loop, ZONE)) is None, "the next download renders"


def test_the_download_after_a_change_is_rendered_then_cached(app, client, auth, hiring_manager, recruiter, bar_raiser):
    with app.app_context():
        loop = factories.make_loop(step=Step.DEBRIEF, **{
            role: db.session.get(User, person.id) for role, person in (
                ("hiring_manager", hiring_manager), ("recruiter", recruiter), ("bar_raiser", bar_raiser))})
        db.session.commit()
        loop_id = loop.id
    auth.login(hiring_manager)
    first = client.get(f"/loops/{loop_id}/debrief.pdf")
    again = client.get(f"/loops/{loop_id}/debrief.pdf")
    with app.app_context():
        amend(db.session.get(Loop, loop_id))
        db.session.commit()
    changed = client.get(f"/loops/{loop_id}/debrief.pdf")
    last = client.get(f"/loops/{loop_id}/debrief.pdf")
    assert {first.status_code, again.status_code, changed.status_code, last.status_code} == {200}
    assert again.data == first.data and last.data == changed.data and changed.data != first.data
    with app.app_context():
        downloads = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "report.downloaded")
                                       .order_by(AuditEntry.id)).all()
        assert [d.details["from_cache"] for d in downloads] == [False, True, False, True]
        fingerprints = [d.details["fingerprint"] for d in downloads]
        assert fingerprints[0] == fingerprints[1] != fingerprints[2] == fingerprints[3]
        assert fingerprints[3] == fingerprint(report_data(db.session.get(Loop, loop_id)))


def test_what_the_report_does_not_show_leaves_the_version_alone(ctx):
    loop = factories.make_loop(step=Step.DEBRIEF)
    db.session.commit()
    loop_id, version = loop.id, version_of(loop.id)
    record("report.downloaded", loop, loop.hiring_manager, loop=loop, fingerprint="0" * 64, from_cache=True)
    loop.hiring_manager.last_login_at = utcnow()  # a sign-in
    loop.hiring_manager.timezone = "Asia/Tokyo"
    db.session.add(Notification(kind="debrief_ready", recipient=loop.hiring_manager, loop=loop,
                                dedupe_key=f"ready-{loop.id}"))
    db.session.flush()
    assert version_of(loop_id) == version


def test_the_trigger_skips_exactly_the_actions_the_timeline_leaves_out():
    """Migration 0016 names the report's own downloads; the timeline's NOT_HISTORY must say the same."""
    assert NOT_HISTORY == {"report.downloaded"}


def test_an_audited_download_stays_out_of_the_version_even_in_bulk(ctx):
    loop = factories.make_loop(step=Step.DEBRIEF)
    db.session.commit()
    version = version_of(loop.id)
    for _ in range(3):
        record("report.downloaded", loop, loop.recruiter, loop=loop, fingerprint="0" * 64, from_cache=True)
    db.session.commit()
    assert version_of(loop.id) == version
    assert db.session.scalar(select(sa.func.count()).select_from(AuditEntry)
                             .where(AuditEntry.action == "report.downloaded")) == 3


def test_a_closed_loop_still_refuses_every_change_but_its_version(ctx):
    loop = make("closed")
    db.session.commit()
    loop_id = loop.id
    db.session.execute(sa.text("UPDATE loops SET report_version = report_version + 5 WHERE id = :id"), {"id": loop_id})
    db.session.commit()
    for statement in ("UPDATE loops SET step = 7 WHERE id = :id",
                      "UPDATE loops SET close_reason = 'rewritten' WHERE id = :id",
                      "UPDATE loops SET report_version = report_version + 1, close_reason = 'x' WHERE id = :id"):
        with pytest.raises(sa.exc.DatabaseError, match="closed loop is read-only"):
            db.session.execute(sa.text(statement), {"id": loop_id})
        db.session.rollback()


def test_a_person_renamed_moves_only_the_loops_that_name_them(ctx):
    named = factories.make_loop(step=Step.DEBRIEF)
    other = factories.make_loop(step=Step.DEBRIEF)
    db.session.commit()
    versions = {named.id: version_of(named.id), other.id: version_of(other.id)}
    db.session.get(User, in_house(named)[1].interviewer_id).name = "Someone Else Entirely"
    db.session.flush()
    assert version_of(named.id) > versions[named.id]
    assert version_of(other.id) == versions[other.id]


def statements_of(app, client, path: str) -> int:
    with app.app_context():
        engine = db.engine
    seen = []
    listener = lambda *args: seen.append(args[2])  # noqa: E731 - the statement
    sa.event.listen(engine, "before_cursor_execute", listener)
    try:
        response = client.get(path)
    finally:
        sa.event.remove(engine, "before_cursor_execute", listener)
    assert response.status_code == 200
    return len(seen)


def test_a_cached_download_costs_at_most_twice_the_statements_of_the_loop_page(app, client, auth, hiring_manager,
                                                                               recruiter, bar_raiser):
    """Finding the cached copy reads the loop and nothing of its report; the rest is the download's audit entry."""
    with app.app_context():
        panel = [db.session.get(User, bar_raiser.id)] + [factories.make_user(org_unit="Ads") for _ in range(7)]
        loop = factories.make_loop(step=Step.REFERENCE_CHECK, hiring_manager=db.session.get(User, hiring_manager.id),
                                   recruiter=db.session.get(User, recruiter.id), bar_raiser=panel[0],
                                   interviewers=panel)
        db.session.commit()
        loop_id = loop.id
    auth.login(hiring_manager)
    rendered = statements_of(app, client, f"/loops/{loop_id}/debrief.pdf")
    page = statements_of(app, client, f"/loops/{loop_id}")
    cached = statements_of(app, client, f"/loops/{loop_id}/debrief.pdf")
    assert cached <= 2 * page < rendered
