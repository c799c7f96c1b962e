"""`flask seed-demo`: fills an empty database with a demo company that stages every step, and refuses twice."""

from datetime import timedelta
from zoneinfo import available_timezones

from sqlalchemy import func, select

from app.audit.models import AuditEntry
from app.candidates.models import Candidate
from app.db_types import utcnow
from app.debrief.agenda import build_agenda
from app.debrief.models import DebriefDecision, FinalVote, Outcome, Verdict
from app.debrief.summary import summarize
from app.demo import DEMO_PASSWORD
from app.extensions import db
from app.feedback.models import Amendment, Feedback, FeedbackStatus
from app.interviews.models import Interview, InterviewKind
from app.loops import composition
from app.loops.models import Loop, LoopStatus, ScreenDecision, ScreenOutcome, Step
from app.offers.models import Offer, OfferStatus
from app.people.models import Certification, OrgUnit, User
from app.program import certification as path
from app.references.models import Reference
from app.requisitions.models import Requisition, RequisitionStatus

DEMO_LOGINS = ["admin@demo.test", "recruiter@demo.test", "hm@demo.test", "barraiser@demo.test",
               "interviewer@demo.test", "shadow@demo.test"]
TABLES = [User, OrgUnit, Requisition, Candidate, Loop, Interview, Feedback, DebriefDecision, AuditEntry]


def seed(runner):
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    return result


def row_counts(app) -> dict[str, int]:
    with app.app_context():
        return {model.__name__: db.session.scalar(select(func.count()).select_from(model)) for model in TABLES}


def test_seed_demo_fills_an_empty_database_lists_the_logins_and_refuses_a_second_run(app, runner):
    output = seed(runner).output
    assert DEMO_PASSWORD in output
    positions = [output.index(email) for email in DEMO_LOGINS]
    assert positions == sorted(positions)
    before = row_counts(app)
    assert before["Loop"] >= 10

    again = runner.invoke(args=["seed-demo"])

    assert again.exit_code != 0
    assert "already has users" in again.output
    assert row_counts(app) == before


def test_every_demo_login_signs_in_with_the_demo_password(app, runner):
    seed(runner)
    for email in DEMO_LOGINS:
        response = app.test_client().post("/login", data={"email": email, "password": DEMO_PASSWORD})
        assert response.status_code == 302, email
        assert "/login" not in response.headers["Location"]


def test_seeded_company_stages_every_scenario_the_demo_promises(app, runner):
    seed(runner)
    with app.app_context():
        people = {user.email: user for user in db.session.scalars(select(User))}
        loops = list(db.session.scalars(select(Loop).order_by(Loop.id)))
        check_people(people)
        check_requisitions_and_candidates()
        check_loop_positions(loops, people)
        check_some_debriefed_feedback_came_in_late()
        check_the_bar_raiser_program(people, loops)
        for loop in loops:
            check_bar_raiser_is_certified_and_independent(loop)
            check_loop_gates(loop)
            check_timeline(loop)


def check_people(people: dict[str, User]) -> None:
    assert people["admin@demo.test"].is_admin
    assert people["recruiter@demo.test"].is_recruiter
    assert people["barraiser@demo.test"].certification == Certification.CERTIFIED
    assert people["barraiser@demo.test"].org_unit_id != people["hm@demo.test"].org_unit_id
    assert people["shadow@demo.test"].certification == Certification.IN_TRAINING
    certified = [u for u in people.values() if u.certification == Certification.CERTIFIED]
    assert len(certified) >= 2
    assert len({u.org_unit_id for u in people.values()}) >= 4
    assert all(u.timezone in available_timezones() for u in people.values())


def check_requisitions_and_candidates() -> None:
    requisitions = list(db.session.scalars(select(Requisition)))
    approved = [r for r in requisitions if r.status == RequisitionStatus.APPROVED]
    assert len(approved) >= 3
    assert all(3 <= len(r.principles) <= 6 and len(r.job_description) > 200 for r in approved)
    assert any(r.status == RequisitionStatus.DRAFT for r in requisitions)
    candidates = list(db.session.scalars(select(Candidate)))
    emails = [c.email for c in candidates]
    assert len(set(emails)) < len(emails), "two candidates should share an e-mail"
    assert all(c.resume_url.startswith("https://") and c.notes for c in candidates)


def participants(loop: Loop) -> set[int]:
    ids = {loop.recruiter_id, loop.hiring_manager_id, loop.bar_raiser_id, loop.shadow_id}
    return ids | {i.interviewer_id for i in loop.interviews}


def decision_of(loop: Loop) -> DebriefDecision | None:
    return db.session.scalar(select(DebriefDecision).where(DebriefDecision.loop_id == loop.id))


def check_loop_positions(loops: list[Loop], people: dict[str, User]) -> None:
    open_steps = {loop.step for loop in loops if loop.status == LoopStatus.OPEN}
    assert open_steps == set(range(Step.RESUME_REVIEW, Step.OFFER + 1))

    barraiser, interviewer = people["barraiser@demo.test"], people["interviewer@demo.test"]
    assert any(is_written_feedback_demo(loop, barraiser, interviewer) for loop in loops)

    hired = [loop for loop in loops if loop.status == LoopStatus.HIRED]
    assert hired and all(offer_of(loop).status == OfferStatus.ACCEPTED for loop in hired)
    not_hired = [(loop, decision_of(loop)) for loop in loops if loop.status == LoopStatus.NOT_HIRED]
    assert any(d.outcome == Outcome.NO_HIRE for _, d in not_hired)
    assert any(d.outcome == Outcome.HIRE and d.verdict == Verdict.VETO and d.verdict_by_id == barraiser.id
               for _, d in not_hired)
    for status in (LoopStatus.WITHDRAWN, LoopStatus.REJECTED):
        assert any(loop.status == status and loop.close_reason for loop in loops)

    assert any(interviewer.id not in participants(loop) for loop in loops)
    assert sum(loop.shadow_id == people["shadow@demo.test"].id for loop in loops) >= 2
    assert db.session.scalar(select(func.count()).select_from(Amendment)) >= 1
    changed = list(db.session.scalars(select(FinalVote).where(FinalVote.vote != FinalVote.first_vote)))
    assert changed and all(vote.reason.strip() for vote in changed)


def is_written_feedback_demo(loop: Loop, barraiser: User, interviewer: User) -> bool:
    """Return whether the loop is in written feedback, the bar raiser submitted, and interviewer@ did not."""
    if loop.status != LoopStatus.OPEN or loop.step != Step.WRITTEN_FEEDBACK or loop.bar_raiser_id != barraiser.id:
        return False
    by_author = {i.interviewer_id: counted_feedback(i) for i in in_house(loop)}
    mine = by_author.get(barraiser.id)
    return (mine is not None and mine.is_submitted and interviewer.id in by_author
            and not (by_author[interviewer.id] and by_author[interviewer.id].is_submitted))


def in_house(loop: Loop) -> list[Interview]:
    return [i for i in loop.interviews if i.kind == InterviewKind.IN_HOUSE]


def counted_feedback(interview: Interview) -> Feedback | None:
    return next((f for f in interview.feedbacks if not f.is_practice), None)


def offer_of(loop: Loop) -> Offer | None:
    return db.session.scalar(select(Offer).where(Offer.loop_id == loop.id))


def check_bar_raiser_is_certified_and_independent(loop: Loop) -> None:
    if loop.step >= Step.IN_HOUSE_INTERVIEWS:
        assert loop.bar_raiser is not None, loop
    if loop.bar_raiser is None:
        return
    assert loop.bar_raiser.certification == Certification.CERTIFIED
    assert loop.bar_raiser_id not in (loop.hiring_manager_id, loop.recruiter_id)
    assert loop.bar_raiser.org_unit_id != loop.hiring_manager.org_unit_id
    if loop.shadow is not None:  # on the path: observing then, perhaps further along now
        assert Certification(loop.shadow.certification).is_trainee
        if loop.is_reverse_shadow:
            assert loop.shadow.certification == Certification.REVERSE_SHADOW
            assert loop.shadow.org_unit_id != loop.hiring_manager.org_unit_id
    for interview in in_house(loop):  # the composition rules hold for every panel
        assert not composition.level_breach(interview.interviewer, loop.requisition), interview
        assert not composition.would_report_to_candidate(interview.interviewer, loop.requisition,
                                                         loop.hiring_manager), interview


def check_loop_gates(loop: Loop) -> None:
    """Check the loop holds everything the gates behind it required."""
    decisions = db.session.scalars(select(ScreenDecision).where(ScreenDecision.loop_id == loop.id))
    screens = {decision.step: decision.outcome for decision in decisions}
    if loop.step >= Step.IN_HOUSE_INTERVIEWS:
        assert screens == {2: ScreenOutcome.ADVANCE, 3: ScreenOutcome.ADVANCE}, loop
        phone = [i for i in loop.interviews if i.kind == InterviewKind.PHONE_SCREEN]
        assert len(phone) == 1 and phone[0].interviewer_id == loop.hiring_manager_id
        assert counted_feedback(phone[0]).is_submitted
        panel = in_house(loop)
        assert len(panel) >= 4, loop
        assert loop.bar_raiser_id in {i.interviewer_id for i in panel}
        assert all(i.principles for i in panel)
        covered = {p.id for i in panel for p in i.principles}
        assert {p.id for p in loop.requisition.principles} <= covered, loop
    if loop.step >= Step.WRITTEN_FEEDBACK:
        assert all(i.ends_at <= utcnow() for i in in_house(loop))
    if loop.step >= Step.DEBRIEF:
        feedback = [counted_feedback(i) for i in in_house(loop)]
        assert all(f is not None and f.is_submitted for f in feedback), loop
        for f in feedback:
            assert {r.principle_id for r in f.ratings} == {p.id for p in f.interview.principles}
            assert all(r.rating and len(r.evidence) > 80 for r in f.ratings)
            assert f.summary and f.vote and f.raises_bar is not None
    if loop.step >= Step.REFERENCE_CHECK or loop.status == LoopStatus.NOT_HIRED:
        assert decision_of(loop) is not None and decision_of(loop).rationale
    references = db.session.scalar(select(func.count()).select_from(Reference).where(Reference.loop_id == loop.id))
    if loop.step == Step.REFERENCE_CHECK:
        assert references >= 1
    if loop.step == Step.OFFER:
        assert references >= 2 and offer_of(loop) is not None
    if loop.status == LoopStatus.OPEN and loop.step in (Step.PHONE_SCREEN, Step.IN_HOUSE_INTERVIEWS):
        upcoming = [i for i in loop.interviews if i.starts_at > utcnow()]
        assert upcoming, f"{loop} should have interviews coming up"


def check_timeline(loop: Loop) -> None:
    """Check the audit trail tells the loop's story and agrees with its step and dates."""
    entries = list(db.session.scalars(select(AuditEntry).where(AuditEntry.loop_id == loop.id).order_by(AuditEntry.at)))
    actions = [e.action for e in entries]
    assert actions[0] == "loop.created" and entries[0].actor_id == loop.recruiter_id
    moves = [e for e in entries if e.action == "loop.advanced"]
    assert [(e.from_state, e.to_state) for e in moves] == [
        (Step(s).label, Step(s + 1).label) for s in range(2, loop.step)]
    last_move = moves[-1] if moves else entries[0]
    assert last_move.at == loop.step_entered_at
    assert all(e.at <= utcnow() and e.actor_id for e in entries)
    if loop.status != LoopStatus.OPEN:
        closing = entries[-1]
        assert closing.action == "loop.closed" and closing.to_state == LoopStatus(loop.status).label
        assert closing.at == loop.closed_at
    if loop.step >= Step.DEBRIEF:
        assert all(f.submitted_at >= f.interview.ends_at for f in (counted_feedback(i) for i in in_house(loop)))


def check_some_debriefed_feedback_came_in_late() -> None:
    submitted = db.session.scalars(
        select(Feedback).join(Interview).join(Loop)
        .where(Loop.step >= Step.DEBRIEF, Feedback.status == FeedbackStatus.SUBMITTED,
               Interview.kind == InterviewKind.IN_HOUSE, ~Feedback.is_practice)
    )
    assert any(f.submitted_at - f.interview.ends_at > timedelta(hours=24) for f in submitted)


def check_the_bar_raiser_program(people: dict[str, User], loops: list[Loop]) -> None:
    """A nominated person, a shadow with one loop to go, a reverse shadow on an open loop at written feedback,
    people with levels and managers, and a debrief with the bar raiser's summary ready."""
    by_state = {}
    for person in people.values():
        by_state.setdefault(person.certification, []).append(person)
    assert by_state[Certification.NOMINATED]
    shadowing = by_state[Certification.SHADOWING]
    assert any(path.shadowed_loops(p) == 2 and path.unmet_requirements(p, Certification.REVERSE_SHADOW) == [
        "Shadow 3 loops with practice feedback submitted (2 so far)."] for p in shadowing)
    reverse = [loop for loop in loops if loop.is_reverse_shadow]
    assert any(loop.status == LoopStatus.OPEN and loop.step == Step.WRITTEN_FEEDBACK
               and loop.shadow.certification == Certification.REVERSE_SHADOW for loop in reverse)
    assert people["shadow@demo.test"].certification == Certification.IN_TRAINING
    assert sum(1 for p in people.values() if p.job_level) == len(people)
    assert sum(1 for p in people.values() if p.manager_id) >= 10
    for person in people.values():  # everyone on the path got there move by move, each audited
        if person.certification != Certification.NONE:
            moves = db.session.scalars(select(AuditEntry).where(
                AuditEntry.action == "user.certification_changed", AuditEntry.subject_id == person.id)).all()
            assert moves and moves[-1].to_state == person.certification and all(m.reason for m in moves)
    at_debrief = [loop for loop in loops if loop.status == LoopStatus.OPEN and loop.step == Step.DEBRIEF]
    assert any(loop.brief is not None and loop.brief.is_ready for loop in at_debrief)


def test_the_demo_debrief_opens_on_the_principle_the_interviewers_disagree_on_most(app, runner):
    seed(runner)
    client = app.test_client()
    client.post("/login", data={"email": "hm@demo.test", "password": DEMO_PASSWORD})
    with app.app_context():
        loop = next(loop for loop in db.session.scalars(select(Loop).where(Loop.step == Step.DEBRIEF,
                                                                           Loop.status == LoopStatus.OPEN))
                    if loop.brief is not None)
        agenda = build_agenda(summarize(loop))
        first = agenda.first
        assert first is not None and first.spread == max(item.spread for item in agenda.items)
        loop_id, hiring_manager, name = loop.id, loop.hiring_manager.email, first.principle.name
    client.post("/logout")
    client.post("/login", data={"email": hiring_manager, "password": DEMO_PASSWORD})
    html = client.get(f"/loops/{loop_id}/debrief").get_data(as_text=True)
    agenda_html = html[html.index('id="agenda-heading"'):]
    first_item = agenda_html[agenda_html.index('<h4 id="agenda-'):][:300]
    assert name.replace("'", "&#39;") in first_item
    assert "The bar raiser's summary" in html and "Start here." in html
