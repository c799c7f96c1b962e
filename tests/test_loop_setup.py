"""Setting up loops: requisitions, candidates, independence, scheduling, coverage, calendars."""

from datetime import timedelta

import pytest
from icalendar import Calendar

from app.candidates.services import is_pdf, same_email_candidates, save_candidate
from app.db_types import utcnow
from app.errors import ServiceError
from app.extensions import db
from app.interviews import calendar
from app.interviews.models import InterviewKind
from app.interviews.services import coverage, schedule_interview
from app.loops.models import Step
from app.loops.services import create_loop, independence_problems, set_loop_people, suggest_bar_raisers
from app.requisitions import services as requisitions
from tests import factories

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def people(ctx):
    return {
        "recruiter": factories.make_user(is_recruiter=True, org_unit="Talent"),
        "hm": factories.make_user(org_unit="Payments"),
        "br": factories.make_user(certification="certified", org_unit="Search"),
    }


def test_a_requisition_is_written_and_approved_by_its_hiring_manager(people):
    requisition = requisitions.open_requisition(
        people["recruiter"], title="Staff Engineer", level="L7", org_unit=people["hm"].org_unit,
        hiring_manager=people["hm"], recruiter=people["recruiter"])
    assert requisitions.approval_gate(requisition) == [
        "Write the job description.",
        "Pick at least one target leadership principle (three to six is typical).",
    ]
    with pytest.raises(ServiceError, match="Only the requisition's hiring manager"):
        requisitions.approve_requisition(requisition, people["recruiter"])
    with pytest.raises(ServiceError, match="Write the job description"):
        requisitions.approve_requisition(requisition, people["hm"])
    requisitions.write_job_description(requisition, people["hm"], job_description="Lead the ledger rewrite.",
                                       principles=factories.principles(4))
    requisitions.approve_requisition(requisition, people["hm"])
    assert requisition.is_approved
    with pytest.raises(ServiceError, match="fixed"):
        requisitions.write_job_description(requisition, people["hm"], job_description="x", principles=[])


def test_only_recruiters_open_requisitions(people):
    with pytest.raises(ServiceError, match="Only recruiters"):
        requisitions.open_requisition(people["hm"], title="X", level="L5", org_unit=people["hm"].org_unit,
                                      hiring_manager=people["hm"], recruiter=people["recruiter"])


def test_loops_start_only_on_an_approved_requisition_at_step_two(people):
    draft = factories.make_requisition(people["hm"], people["recruiter"], approved=False)
    candidate = save_candidate(None, people["recruiter"], name="Jo Park", email="jo@example.test", phone="",
                               source="", resume_url="", notes="")
    with pytest.raises(ServiceError, match="approved requisition"):
        create_loop(draft, candidate, people["recruiter"], recruiter=people["recruiter"],
                    hiring_manager=people["hm"])
    approved = factories.make_requisition(people["hm"], people["recruiter"])
    loop = create_loop(approved, candidate, people["recruiter"], recruiter=people["recruiter"],
                       hiring_manager=people["hm"], bar_raiser=people["br"])
    assert loop.step == Step.RESUME_REVIEW
    with pytest.raises(ServiceError, match="already has an open loop"):
        create_loop(approved, candidate, people["recruiter"], recruiter=people["recruiter"],
                    hiring_manager=people["hm"])


def test_closing_a_requisition_rejects_its_open_loops_when_asked(people):
    loop = factories.make_loop(step=Step.PHONE_SCREEN, recruiter=people["recruiter"], hiring_manager=people["hm"])
    requisition = loop.requisition
    with pytest.raises(ServiceError, match="Say why"):
        requisitions.close_requisition(requisition, people["recruiter"], open_loops="reject", reason="")
    assert requisitions.close_requisition(requisition, people["recruiter"], open_loops="reject",
                                          reason="Headcount withdrawn.") == 1
    assert loop.status == "rejected" and loop.close_reason == "Headcount withdrawn."


@pytest.mark.parametrize("who, message", [
    ("hm", "The bar raiser cannot be the hiring manager."),
    ("recruiter", "The bar raiser cannot be the loop's recruiter."),
    ("same_unit", "The bar raiser cannot be from the hiring manager's org unit (Payments)."),
    ("uncertified", "is not a certified bar raiser."),
    ("in_training", "is not a certified bar raiser."),
])
def test_independence_rules_name_the_rule_that_failed(people, who, message):
    hm, recruiter = people["hm"], people["recruiter"]
    hm.certification = recruiter.certification = "certified"
    bar_raiser = {
        "hm": hm, "recruiter": recruiter,
        "same_unit": factories.make_user(certification="certified", org_unit="Payments"),
        "uncertified": factories.make_user(org_unit="Search"),
        "in_training": factories.make_user(certification="in_training", org_unit="Search"),
    }[who]
    problems = independence_problems(bar_raiser=bar_raiser, hiring_manager=hm, recruiter=recruiter)
    assert any(message in text for _, text in problems)
    loop = factories.make_loop(step=Step.RESUME_REVIEW, recruiter=recruiter, hiring_manager=hm)
    with pytest.raises(ServiceError) as refusal:
        set_loop_people(loop, recruiter, recruiter=recruiter, hiring_manager=hm, bar_raiser=bar_raiser, shadow=None)
    assert message in str(refusal.value)
    assert loop.bar_raiser_id is None


def test_independence_is_checked_again_when_the_hiring_manager_changes(people):
    loop = factories.make_loop(step=Step.RESUME_REVIEW, recruiter=people["recruiter"], hiring_manager=people["hm"],
                               bar_raiser=people["br"])
    new_hm = factories.make_user(org_unit="Search")  # the bar raiser's own unit
    with pytest.raises(ServiceError, match="org unit \\(Search\\)"):
        set_loop_people(loop, people["recruiter"], recruiter=people["recruiter"], hiring_manager=new_hm,
                        bar_raiser=people["br"], shadow=None)


def test_a_shadow_must_be_in_training(people):
    loop = factories.make_loop(step=Step.RESUME_REVIEW, recruiter=people["recruiter"], hiring_manager=people["hm"])
    with pytest.raises(ServiceError, match="not a bar raiser in training"):
        set_loop_people(loop, people["recruiter"], recruiter=people["recruiter"], hiring_manager=people["hm"],
                        bar_raiser=people["br"], shadow=factories.make_user())
    shadow = factories.make_user(certification="in_training", org_unit="Ads")
    set_loop_people(loop, people["recruiter"], recruiter=people["recruiter"], hiring_manager=people["hm"],
                    bar_raiser=people["br"], shadow=shadow)
    assert loop.shadow_id == shadow.id


def test_suggestions_are_certified_independent_and_least_loaded_first(people):
    busy = factories.make_user(name="Busy Bee", certification="certified", org_unit="Ads")
    for _ in range(2):
        factories.make_loop(step=Step.IN_HOUSE_INTERVIEWS, bar_raiser=busy)
    factories.make_user(name="Same Unit", certification="certified", org_unit="Payments")
    factories.make_user(name="Not Certified", org_unit="Ads")
    suggested = suggest_bar_raisers(people["hm"], people["recruiter"])
    names = [user.name for user, _ in suggested]
    assert "Same Unit" not in names and "Not Certified" not in names
    assert names.index(people["br"].name) < names.index("Busy Bee")
    assert dict((u.name, n) for u, n in suggested)["Busy Bee"] == 2


def schedule(loop, interviewer, start, minutes=60, principles=None):
    return schedule_interview(loop, loop.recruiter, kind=InterviewKind.IN_HOUSE, interviewer=interviewer,
                              starts_at=start, duration_minutes=minutes, location="Room 4",
                              principles=principles if principles is not None else loop.requisition.principles[:1])


def test_an_interviewer_cannot_be_booked_into_overlapping_interviews(people):
    loop = factories.make_loop(step=Step.IN_HOUSE_INTERVIEWS, interviewers=[])
    other = factories.make_loop(step=Step.IN_HOUSE_INTERVIEWS, interviewers=[])
    person = factories.make_user()
    start = utcnow().replace(microsecond=0) + timedelta(days=2)
    schedule(loop, person, start, minutes=90)
    with pytest.raises(ServiceError, match="already interviewing"):
        schedule(other, person, start + timedelta(minutes=89))
    with pytest.raises(ServiceError, match="already interviewing"):
        schedule(other, person, start - timedelta(minutes=30))
    schedule(other, person, start + timedelta(minutes=90))  # back to back is fine


def test_in_house_interviews_need_target_principles(people):
    loop = factories.make_loop(step=Step.IN_HOUSE_INTERVIEWS, interviewers=[])
    start = utcnow() + timedelta(days=2)
    with pytest.raises(ServiceError, match="at least one principle"):
        schedule(loop, factories.make_user(), start, principles=[])
    stranger = [p for p in factories.principles(16) if p not in loop.requisition.principles][0]
    with pytest.raises(ServiceError, match="Not a target principle"):
        schedule(loop, factories.make_user(), start, principles=[stranger])


def test_coverage_marks_gaps_and_principles_everybody_covers(people):
    loop = factories.make_loop(step=Step.IN_HOUSE_INTERVIEWS, interviewers=[])
    first, second, *rest = loop.requisition.principles
    start = utcnow() + timedelta(days=2)
    a, b = factories.make_user(name="Ann"), factories.make_user(name="Ben")
    schedule(loop, a, start, principles=[first, second])
    schedule(loop, b, start + timedelta(hours=2), principles=[first])
    db.session.expire(loop)
    report = coverage(loop)
    assert [[u.name for u in row.interviewers] for row in report.rows] == [["Ann", "Ben"], ["Ann"]] + [[]] * len(rest)
    assert [row.principle for row in report.gaps] == rest
    assert [row.principle for row in report.covered_by_everybody] == [first]
    assert not report.is_complete


def test_the_calendar_file_has_the_time_place_and_principles_but_no_feedback(people):
    loop = factories.make_loop(step=Step.DEBRIEF)
    interview = loop.interviews[-1]
    ics = calendar.download(interview, calendar.Links("https://hiring.example/loops/1"))
    event = Calendar.from_ical(ics).walk("VEVENT")[0]
    assert event.decoded("dtstart") == interview.starts_at.replace(microsecond=0)
    assert event.decoded("dtend") == interview.ends_at.replace(microsecond=0)
    description = str(event.get("description"))
    for principle in interview.principles:
        assert principle.name in description
    assert "Led the ledger migration" not in ics.decode()  # the feedback's evidence
    assert loop.candidate.name in str(event.get("summary"))


def test_a_second_candidate_with_the_same_e_mail_is_flagged(people):
    first = save_candidate(None, people["recruiter"], name="Jo Park", email="Jo@Example.test", phone="",
                           source="", resume_url="", notes="")
    second = save_candidate(None, people["recruiter"], name="Joanne Park", email="jo@example.test", phone="",
                            source="", resume_url="", notes="")
    assert same_email_candidates(second) == [first]


def test_resumes_are_judged_by_content_and_size(people, ctx):
    recruiter = people["recruiter"]
    with pytest.raises(ServiceError, match="must be a PDF"):
        save_candidate(None, recruiter, name="Jo", email="", phone="", source="", resume_url="", notes="",
                       resume_pdf=b"MZ\x90\x00 not a pdf", resume_filename="cv.pdf")
    ctx.config["RESUME_MAX_BYTES"] = 1024
    with pytest.raises(ServiceError, match="larger than"):
        save_candidate(None, recruiter, name="Jo", email="", phone="", source="", resume_url="", notes="",
                       resume_pdf=PDF + b"0" * 2048, resume_filename="cv.pdf")
    candidate = save_candidate(None, recruiter, name="Jo", email="", phone="", source="", resume_url="",
                               notes="", resume_pdf=PDF, resume_filename="../../etc/cv.PDF")
    assert candidate.resume_filename == "cv.PDF" and candidate.resume_file.endswith(".pdf")
    assert is_pdf(PDF) and not is_pdf(b"%PDF-1.4 truncated")


def test_an_interview_on_a_closed_loop_frees_the_interviewer(people):
    from app.loops.workflow import end_loop

    closed = factories.make_loop(step=Step.IN_HOUSE_INTERVIEWS, interviewers=[])
    other = factories.make_loop(step=Step.IN_HOUSE_INTERVIEWS, interviewers=[])
    person = factories.make_user()
    start = utcnow().replace(microsecond=0) + timedelta(days=5)
    schedule(closed, person, start)
    end_loop(closed, closed.recruiter, "withdrawn", "")
    db.session.flush()
    schedule(other, person, start)  # no refusal: the closed loop's interview will not happen


def test_services_refuse_people_who_do_not_run_the_loop(people):
    from app.interviews.services import cancel_interview
    from app.loops.workflow import WorkflowError, end_loop

    loop = factories.make_loop(step=Step.IN_HOUSE_INTERVIEWS)
    stranger = factories.make_user()
    with pytest.raises(ServiceError, match="Only the loop's recruiter schedules"):
        schedule_interview(loop, stranger, kind=InterviewKind.IN_HOUSE, interviewer=factories.make_user(),
                           starts_at=utcnow() + timedelta(days=9), duration_minutes=60, location="",
                           principles=loop.requisition.principles[:1])
    with pytest.raises(ServiceError, match="Only the loop's recruiter cancels"):
        cancel_interview(loop.interviews[-1], loop.hiring_manager)
    with pytest.raises(WorkflowError, match="Only the loop's recruiter changes its people"):
        set_loop_people(loop, loop.hiring_manager, recruiter=loop.recruiter, hiring_manager=loop.hiring_manager,
                        bar_raiser=loop.bar_raiser, shadow=None)
    with pytest.raises(WorkflowError, match="Only the loop's recruiter or hiring manager closes it"):
        end_loop(loop, loop.bar_raiser, "withdrawn", "")
    assert loop.is_open
    candidate = save_candidate(None, loop.recruiter, name="Jo Park", email="", phone="", source="",
                               resume_url="", notes="")
    with pytest.raises(ServiceError, match="Only recruiters start loops"):
        create_loop(factories.make_requisition(loop.hiring_manager, loop.recruiter), candidate, stranger,
                    recruiter=loop.recruiter, hiring_manager=loop.hiring_manager)
