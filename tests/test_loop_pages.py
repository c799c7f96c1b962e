"""Loop, requisition and candidate pages over HTTP: who gets what, and the actions."""

from datetime import timedelta
from io import BytesIO

import pytest
from icalendar import Calendar
from sqlalchemy import select

from app.audit.services import record
from app.candidates.models import Candidate
from app.db_types import utcnow
from app.extensions import db
from app.loops.models import Loop, LoopStatus, Step
from app.people.models import User
from app.requisitions.models import Requisition
from tests import factories

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def setup(app, recruiter, hiring_manager, bar_raiser, interviewer):
    """A loop at step 4 run by the role fixtures, plus an outsider loop."""
    with app.app_context():
        people = {p.id: db.session.get(User, p.id) for p in (recruiter, hiring_manager, bar_raiser, interviewer)}
        loop = factories.make_loop(
            step=Step.IN_HOUSE_INTERVIEWS, recruiter=people[recruiter.id], hiring_manager=people[hiring_manager.id],
            bar_raiser=people[bar_raiser.id],
            interviewers=[people[bar_raiser.id], people[interviewer.id]] + [factories.make_user() for _ in range(2)],
        )
        other = factories.make_loop(step=Step.WRITTEN_FEEDBACK)
        db.session.commit()
        return {"loop": loop.id, "other": other.id,
                "interview": loop.interviews[-1].id, "other_interview": other.interviews[-1].id}


def loop_paths(loop_id: int, interview_id: int) -> list[tuple[str, str]]:
    return [
        ("GET", f"/loops/{loop_id}"),
        ("GET", f"/loops/{loop_id}/history"),
        ("GET", f"/loops/{loop_id}/interviews/{interview_id}.ics"),
        ("GET", f"/loops/{loop_id}/people"),
        ("POST", f"/loops/{loop_id}/people"),
        ("POST", f"/loops/{loop_id}/screen/2"),
        ("POST", f"/loops/{loop_id}/advance"),
        ("GET", f"/loops/{loop_id}/close"),
        ("POST", f"/loops/{loop_id}/close"),
        ("POST", f"/loops/{loop_id}/interviews"),
        ("POST", f"/loops/{loop_id}/interviews/{interview_id}/cancel"),
    ]


def test_non_participants_get_404_for_everything_of_a_loop(app, client, auth, setup, interviewer, admin):
    for person in (interviewer, admin):
        auth.login(person)
        for method, path in loop_paths(setup["other"], setup["other_interview"]):
            assert client.open(path, method=method).status_code == 404, (person.email, path)
        auth.logout()


def test_an_interview_of_another_loop_is_404_through_this_loop(client, auth, setup, recruiter):
    auth.login(recruiter)
    assert client.get(f"/loops/{setup['loop']}/interviews/{setup['other_interview']}.ics").status_code == 404
    assert client.get("/loops/999999").status_code == 404


def test_participants_without_the_right_get_403(client, auth, setup, interviewer, bar_raiser):
    for person in (interviewer, bar_raiser):
        auth.login(person)
        assert client.get(f"/loops/{setup['loop']}").status_code == 200
        for path in ("people", "close", "interviews", f"interviews/{setup['interview']}/cancel"):
            assert client.post(f"/loops/{setup['loop']}/{path}").status_code == 403, (person.email, path)
        auth.logout()


def test_the_loop_page_shows_the_stepper_and_why_the_move_is_blocked(client, auth, setup, recruiter):
    auth.login(recruiter)
    html = client.get(f"/loops/{setup['loop']}").get_data(as_text=True)
    assert "In-house interviews" in html
    assert "4 in-house interviews have not taken place yet." in html
    refused = client.post(f"/loops/{setup['loop']}/advance", data={"to_step": "5"})
    assert refused.status_code == 409
    assert "4 in-house interviews have not taken place yet." in refused.get_data(as_text=True)


def test_a_skip_is_refused_with_the_allowed_move(client, auth, setup, recruiter):
    auth.login(recruiter)
    refused = client.post(f"/loops/{setup['loop']}/advance", data={"to_step": "6"})
    assert refused.status_code == 409
    assert "can only move to Written feedback" in refused.get_data(as_text=True)


def test_scheduling_refuses_an_overlap_with_a_field_message(app, client, auth, setup, recruiter, interviewer):
    auth.login(recruiter)
    with app.app_context():
        loop = db.session.get(Loop, setup["loop"])
        busy = next(i for i in loop.interviews if i.interviewer_id == interviewer.id)
        start = busy.starts_at + timedelta(minutes=30)
        principle_id = loop.requisition.principles[0].id
    form = {"kind": "in_house", "interviewer_id": interviewer.id, "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
            "duration_minutes": "60", "location": "Room 2", "principle_ids": [principle_id]}
    response = client.post(f"/loops/{setup['loop']}/interviews", data=form)
    assert response.status_code == 422
    assert "already has an in-house interview on this loop" in response.get_data(as_text=True)
    someone = factories_user(app)
    form["interviewer_id"] = someone
    with app.app_context():
        loop = db.session.get(Loop, setup["loop"])
        db.session.add(factories.Interview(loop=factories.make_loop(step=3), kind="phone_screen",
                                           interviewer=db.session.get(User, someone), starts_at=start))
        db.session.commit()
    response = client.post(f"/loops/{setup['loop']}/interviews", data=form)
    assert response.status_code == 422
    assert "is already interviewing" in response.get_data(as_text=True)
    form["starts_at"] = (start + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    assert client.post(f"/loops/{setup['loop']}/interviews", data=form).status_code == 302


def factories_user(app) -> int:
    with app.app_context():
        user = factories.make_user()
        db.session.commit()
        return user.id


@pytest.mark.parametrize("field, value, message", [
    ("starts_at", "", "Enter the start date and time."),
    ("starts_at", "tomorrow-ish", "Enter a date and time, like 2026-12-01 14:30."),
    ("duration_minutes", "5", "Between 15 and 480 minutes."),
    ("interviewer_id", "999999", "Not a valid choice"),
    ("principle_ids", "999999", "not a valid choice"),
])
def test_bad_interview_input_gets_a_field_message_and_writes_nothing(app, client, auth, setup, recruiter,
                                                                     field, value, message):
    auth.login(recruiter)
    start = (utcnow() + timedelta(days=5)).strftime("%Y-%m-%dT%H:%M")
    form = {"kind": "in_house", "interviewer_id": recruiter.id, "starts_at": start, "duration_minutes": "60",
            field: value}
    response = client.post(f"/loops/{setup['loop']}/interviews", data=form)
    assert response.status_code == 422
    assert message.lower() in response.get_data(as_text=True).lower()
    with app.app_context():
        assert len(db.session.get(Loop, setup["loop"]).interviews) == 5  # phone screen + four


def test_the_calendar_file_downloads_for_a_participant(client, auth, setup, interviewer):
    auth.login(interviewer)
    response = client.get(f"/loops/{setup['loop']}/interviews/{setup['interview']}.ics")
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    assert "attachment" in response.headers["Content-Disposition"]
    event = Calendar.from_ical(response.data).walk("VEVENT")[0]
    assert "Principles to probe" in str(event.get("description"))


def test_the_recruiter_changes_people_on_their_own_page(app, client, auth, setup, recruiter, hiring_manager,
                                                        bar_raiser, shadow):
    auth.login(hiring_manager)
    page = client.get(f"/loops/{setup['loop']}").get_data(as_text=True)
    assert "Change people" not in page  # the hiring manager reads who is on the loop, and changes nobody
    assert client.get(f"/loops/{setup['loop']}/people").status_code == 403
    auth.logout()

    auth.login(recruiter)
    page = client.get(f"/loops/{setup['loop']}").get_data(as_text=True)
    assert f'href="/loops/{setup["loop"]}/people"' in page and "Change people" in page
    form = client.get(f"/loops/{setup['loop']}/people").get_data(as_text=True)
    assert f'<option selected value="{bar_raiser.id}">' in form  # today's people are chosen
    assert "Suggested bar raisers" in form
    response = client.post(f"/loops/{setup['loop']}/people", data={
        "recruiter_id": recruiter.id, "hiring_manager_id": hiring_manager.id, "bar_raiser_id": bar_raiser.id,
        "shadow_id": shadow.id})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/loops/{setup['loop']}#people")
    page = client.get(f"/loops/{setup['loop']}").get_data(as_text=True)
    assert "People saved." in page
    # The history says what changed, in words.
    assert "People changed" in page
    assert f'Shadow: <span class="from">nobody</span> → <span class="to">{shadow.name}</span>' in page
    with app.app_context():
        assert db.session.get(Loop, setup["loop"]).shadow_id == shadow.id


def test_the_loop_page_shows_the_latest_history_and_links_to_the_whole_of_it(app, client, auth, setup, recruiter,
                                                                                 bar_raiser, interviewer):
    with app.app_context():
        loop = db.session.get(Loop, setup["loop"])
        for n in range(12):
            record("loop.people_changed", loop, db.session.get(User, recruiter.id), loop=loop,
                   changes={"shadow": [f"Before {n:02d}", f"After {n:02d}"]})
        interview = next(i for i in loop.interviews if i.interviewer_id != interviewer.id)
        record("feedback.submitted", interview, interview.interviewer, loop=loop)
        record("report.downloaded", loop, db.session.get(User, recruiter.id), loop=loop)  # not the loop's story
        db.session.commit()
    auth.login(recruiter)
    page = client.get(f"/loops/{setup['loop']}").get_data(as_text=True)
    assert "After 11" in page and "After 03" in page and "After 02" not in page  # the newest ten
    assert "See the whole history (13 entries)" in page
    whole = client.get(f"/loops/{setup['loop']}/history").get_data(as_text=True)
    assert all(f"After {n:02d}" in whole for n in range(12)) and "Feedback submitted" in whole
    assert "report downloaded" not in (page + whole).lower()
    auth.logout()
    # Who has submitted is for the recruiter, the hiring manager and the bar raiser, on this page too.
    auth.login(bar_raiser)
    assert "Feedback submitted" in client.get(f"/loops/{setup['loop']}/history").get_data(as_text=True)
    auth.logout()
    auth.login(interviewer)
    whole = client.get(f"/loops/{setup['loop']}/history").get_data(as_text=True)
    assert "After 00" in whole and "Feedback submitted" not in whole


def test_people_changes_are_refused_when_independence_breaks(app, client, auth, setup, recruiter, hiring_manager,
                                                              bar_raiser):
    auth.login(recruiter)
    form = {"recruiter_id": recruiter.id, "hiring_manager_id": hiring_manager.id,
            "bar_raiser_id": hiring_manager.id, "shadow_id": 0}
    with app.app_context():
        db.session.get(User, hiring_manager.id).certification = "certified"
        db.session.commit()
    response = client.post(f"/loops/{setup['loop']}/people", data=form)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "The bar raiser cannot be the hiring manager." in html
    assert "People on this loop" in html and "Save people" in html  # the form again, with what was chosen
    with app.app_context():
        assert db.session.get(Loop, setup["loop"]).bar_raiser_id == bar_raiser.id


def test_closing_needs_a_reason_for_a_rejection_and_then_the_loop_is_read_only(app, client, auth, setup,
                                                                                 recruiter):
    auth.login(recruiter)
    page = client.get(f"/loops/{setup['loop']}").get_data(as_text=True)
    assert f'href="/loops/{setup["loop"]}/close"' in page  # the danger zone links to its own page
    form = client.get(f"/loops/{setup['loop']}/close").get_data(as_text=True)
    assert "Closing is final" in form and "Withdrawn by the candidate" in form
    response = client.post(f"/loops/{setup['loop']}/close", data={"status": "rejected", "reason": ""})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Say why the candidate is rejected." in html and 'aria-invalid="true"' in html
    with app.app_context():
        assert db.session.get(Loop, setup["loop"]).is_open
    assert client.post(f"/loops/{setup['loop']}/close",
                       data={"status": "rejected", "reason": "Found a stronger finalist."}).status_code == 302
    with app.app_context():
        loop = db.session.get(Loop, setup["loop"])
        assert loop.status == LoopStatus.REJECTED
    assert client.post(f"/loops/{setup['loop']}/interviews", data={}).status_code == 403
    html = client.get(f"/loops/{setup['loop']}").get_data(as_text=True)
    assert "Found a stronger finalist." in html
    assert "Close this loop" not in html
    assert client.get(f"/loops/{setup['loop']}/close").status_code == 403  # closed is closed


def test_an_interviewer_lists_the_open_loops_they_interview_on_and_no_others(app, client, auth, setup,
                                                                             interviewer):
    with app.app_context():
        mine = db.session.get(Loop, setup["loop"]).candidate.name
        other = db.session.get(Loop, setup["other"]).candidate.name
    auth.login(interviewer)
    for path in ("/loops/", "/loops/?status=", "/"):
        html = client.get(path).get_data(as_text=True)
        assert mine in html and other not in html, path


def test_the_loop_list_shows_only_my_loops_longest_waiting_first(app, client, auth, setup, recruiter):
    with app.app_context():
        older = factories.make_loop(step=Step.RESUME_REVIEW, recruiter=db.session.get(User, recruiter.id))
        older.step_entered_at = utcnow() - timedelta(days=30)
        older_candidate = older.candidate.name
        db.session.commit()
        other_candidate = db.session.get(Loop, setup["other"]).candidate.name
        mine = db.session.get(Loop, setup["loop"]).candidate.name
    auth.login(recruiter)
    html = client.get("/loops/").get_data(as_text=True)
    assert older_candidate in html and mine in html and other_candidate not in html
    assert html.index(older_candidate) < html.index(mine)
    filtered = client.get("/loops/?step=2").get_data(as_text=True)
    assert older_candidate in filtered and mine not in filtered


def test_a_recruiter_takes_a_requisition_to_a_loop(app, client, auth, recruiter, hiring_manager, bar_raiser):
    auth.login(recruiter)
    with app.app_context():
        unit = db.session.get(User, hiring_manager.id).org_unit_id
    response = client.post("/requisitions/new", data={
        "title": "Senior Engineer, Ledger", "level": "L6", "org_unit_id": unit,
        "hiring_manager_id": hiring_manager.id, "recruiter_id": recruiter.id})
    assert response.status_code == 302
    with app.app_context():
        requisition_id = db.session.scalar(select(Requisition.id))
        principle_ids = [p.id for p in factories.principles(3)]
    auth.logout()
    auth.login(hiring_manager)
    refused = client.post(f"/requisitions/{requisition_id}/approve")
    assert refused.status_code == 409  # nothing typed: the requisition's state refuses it
    assert "Write the job description." in refused.get_data(as_text=True)
    client.post(f"/requisitions/{requisition_id}/description",
                data={"job_description": "Own the ledger.", "principle_ids": principle_ids})
    assert client.post(f"/requisitions/{requisition_id}/approve").status_code == 302
    auth.logout()
    auth.login(recruiter)
    response = client.post("/candidates/new", data={
        "name": "Jo Park", "email": "jo@example.test", "resume_url": "",
        "resume_pdf": (BytesIO(PDF), "jo.pdf")}, content_type="multipart/form-data")
    assert response.status_code == 302
    with app.app_context():
        candidate_id = db.session.scalar(select(Candidate.id))
    response = client.post("/loops/new", data={
        "requisition_id": requisition_id, "candidate_id": candidate_id, "recruiter_id": recruiter.id,
        "hiring_manager_id": hiring_manager.id, "bar_raiser_id": bar_raiser.id, "shadow_id": 0})
    assert response.status_code == 302
    with app.app_context():
        loop = db.session.scalar(select(Loop))
        assert loop.step == Step.RESUME_REVIEW and loop.bar_raiser_id == bar_raiser.id
        loop_id = loop.id
    assert client.post(f"/loops/{loop_id}/screen/2", data={"outcome": "advance"}).status_code == 302
    with app.app_context():
        assert db.session.get(Loop, loop_id).step == Step.PHONE_SCREEN


def test_resumes_are_served_only_to_loop_participants(app, client, auth, setup, recruiter, interviewer):
    with app.app_context():
        loop = db.session.get(Loop, setup["loop"])
        other = db.session.get(Loop, setup["other"])
        from app.candidates.services import store_resume

        for candidate in (loop.candidate, other.candidate):
            store_resume(candidate, PDF, "cv.pdf")
        db.session.commit()
        mine, theirs = loop.candidate_id, other.candidate_id
    auth.login(interviewer)
    response = client.get(f"/candidates/{mine}/resume.pdf")
    assert response.status_code == 200 and response.data == PDF
    assert response.mimetype == "application/pdf"
    response.close()
    assert client.get(f"/candidates/{theirs}/resume.pdf").status_code == 404
    assert client.get(f"/candidates/{theirs}").status_code == 404


def test_a_resume_is_served_under_a_name_the_app_makes_never_the_uploaders(app, client, auth, recruiter):
    auth.login(recruiter)
    response = client.post("/candidates/new", data={
        "name": "Zoë Ångström-Lee", "resume_pdf": (BytesIO(PDF), '<img src=x onerror=alert(1)>".html')},
        content_type="multipart/form-data")
    assert response.status_code == 302
    with app.app_context():
        candidate_id = db.session.scalar(select(Candidate.id))
    response = client.get(f"/candidates/{candidate_id}/resume.pdf")
    assert response.status_code == 200 and response.data == PDF
    disposition = response.headers["Content-Disposition"]
    assert disposition == ("inline; filename=\"resume-zoe-angstrom-lee.pdf\"; "
                           "filename*=UTF-8''resume-zo%C3%AB-%C3%A5ngstr%C3%B6m-lee.pdf")
    response.close()
    page = client.get(f"/candidates/{candidate_id}").get_data(as_text=True)
    assert "onerror" not in page and "resume-zoë-ångström-lee.pdf" in page


def test_a_fake_pdf_upload_is_refused_beside_the_field(app, client, auth, recruiter):
    auth.login(recruiter)
    response = client.post("/candidates/new", data={
        "name": "Jo Park", "resume_pdf": (BytesIO(b"<html>not a pdf</html>"), "cv.pdf")},
        content_type="multipart/form-data")
    assert response.status_code == 422
    assert "The résumé must be a PDF file." in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(Candidate)) is None


def test_a_duplicate_candidate_e_mail_is_flagged(app, client, auth, recruiter):
    auth.login(recruiter)
    client.post("/candidates/new", data={"name": "Jo Park", "email": "jo@example.test"})
    response = client.post("/candidates/new", data={"name": "Joanne Park", "email": "JO@example.test"},
                           follow_redirects=True)
    assert "Another candidate already has this e-mail" in response.get_data(as_text=True)


def test_my_work_shows_each_role_what_is_theirs_to_do(app, client, auth, recruiter, hiring_manager, bar_raiser,
                                                      interviewer):
    with app.app_context():
        people = {p.id: db.session.get(User, p.id) for p in (recruiter, hiring_manager, bar_raiser, interviewer)}
        screening = factories.make_loop(step=Step.RESUME_REVIEW, recruiter=people[recruiter.id],
                                        hiring_manager=people[hiring_manager.id])
        scheduled = factories.make_loop(
            step=Step.IN_HOUSE_INTERVIEWS, recruiter=people[recruiter.id], hiring_manager=people[hiring_manager.id],
            bar_raiser=people[bar_raiser.id], interviewers=[people[bar_raiser.id], people[interviewer.id]])
        draft = factories.make_requisition(people[hiring_manager.id], people[recruiter.id], approved=False)
        draft.title = "Principal Engineer, Risk"
        names = {"screening": screening.candidate.name, "scheduled": scheduled.candidate.name}
        db.session.commit()
    auth.login(hiring_manager)
    html = client.get("/").get_data(as_text=True)
    assert "Screen the résumé" in html and names["screening"] in html
    assert "Write and approve the job description" in html and "Principal Engineer, Risk" in html
    auth.logout()
    auth.login(recruiter)
    html = client.get("/").get_data(as_text=True)
    assert "Loops you recruit for, by step" in html
    assert "Attach the candidate&#39;s résumé (a PDF or a link)." in html
    auth.logout()
    auth.login(bar_raiser)
    html = client.get("/").get_data(as_text=True)
    assert "Check the loop" in html and names["scheduled"] in html
    auth.logout()
    auth.login(interviewer)
    html = client.get("/").get_data(as_text=True)
    assert "Upcoming interviews" in html and names["scheduled"] in html and names["screening"] not in html


def test_the_role_badges_read_once_as_your_roles(client, auth, setup, bar_raiser, interviewer):
    auth.login(bar_raiser)
    html = client.get(f"/loops/{setup['loop']}").get_data(as_text=True)
    assert '<span class="visually-hidden">Your roles: bar raiser, interviewer</span>' in html
    assert "Your role: " not in html
    assert html.count('aria-hidden="true">You: ') == 2
    auth.logout()
    auth.login(interviewer)
    html = client.get(f"/loops/{setup['loop']}").get_data(as_text=True)
    assert '<span class="visually-hidden">Your role: interviewer</span>' in html


def test_the_interviewers_home_opens_with_the_feedback_they_owe(app, client, auth, bar_raiser, interviewer):
    with app.app_context():
        people = {p.id: db.session.get(User, p.id) for p in (bar_raiser, interviewer)}
        owed = factories.make_loop(step=Step.WRITTEN_FEEDBACK, bar_raiser=people[bar_raiser.id],
                                   interviewers=[people[bar_raiser.id], people[interviewer.id]])
        upcoming = factories.make_loop(step=Step.IN_HOUSE_INTERVIEWS, interviewers=[
            factories.make_user(certification="certified", org_unit="Search"), people[interviewer.id]])
        interview = next(i for i in owed.interviews if i.interviewer_id == interviewer.id)
        form_url = f"/loops/{owed.id}/interviews/{interview.id}/feedback"
        names = (owed.candidate.name, upcoming.candidate.name)
        db.session.commit()
    auth.login(interviewer)
    html = client.get("/").get_data(as_text=True)
    assert "Feedback to write" in html
    sections = [html.index(heading) for heading in ("Feedback to write", "Upcoming interviews", "Your open loops")]
    assert sections == sorted(sections)
    owed_section = html[sections[0]:sections[1]]
    assert f'href="{form_url}"' in owed_section and f"Write your feedback on {names[0]}" in owed_section
    assert "Due <time" in owed_section and ">Late</span>" in owed_section
    assert names[1] not in owed_section and names[1] in html[sections[1]:sections[2]]


def test_debrief_tasks_link_to_the_debrief_and_the_offer_says_what_is_pending(
        app, client, auth, recruiter, hiring_manager, bar_raiser):
    with app.app_context():
        people = {p.id: db.session.get(User, p.id) for p in (recruiter, hiring_manager, bar_raiser)}
        debrief = factories.make_loop(step=Step.DEBRIEF, recruiter=people[recruiter.id],
                                      hiring_manager=people[hiring_manager.id], bar_raiser=people[bar_raiser.id])
        offer = factories.make_loop(step=Step.OFFER, recruiter=people[recruiter.id])
        extended = factories.make_loop(step=Step.OFFER, recruiter=people[recruiter.id])
        assert extended.offer is not None
        debrief_id = debrief.id
        db.session.delete(offer.offer)
        db.session.commit()
    for person, task in ((hiring_manager, "Decide Hire or No hire at the debrief"), (bar_raiser, "Run the debrief")):
        auth.login(person)
        html = client.get("/").get_data(as_text=True)
        assert f'<a href="/loops/{debrief_id}/debrief"><strong>{task}</strong></a>' in html
        auth.logout()
    auth.login(recruiter)
    html = client.get("/").get_data(as_text=True)
    assert "The loop ends at the offer" not in html
    assert "Extend the offer, then record the candidate&#39;s answer." in html
    # The other loop at the offer step has its offer out: the page read it.
    assert "Record the candidate&#39;s answer to the offer: accepted, declined or rescinded." in html


def test_the_interviewer_picker_lists_who_can_interview_and_says_why_the_others_cannot(
        app, client, auth, setup, recruiter, hiring_manager, interviewer):
    import re

    auth.login(recruiter)
    html = client.get(f"/loops/{setup['loop']}").get_data(as_text=True)
    picker = re.search(r'<select[^>]*name="interviewer_id".*?</select>', html, re.S).group(0)
    can, cannot = picker.split('<optgroup label="Cannot interview">')
    assert '<optgroup label="Can interview">' in can and hiring_manager.name in can
    assert recruiter.name not in can and interviewer.name not in can
    assert re.search(rf'<option disabled value="{recruiter.id}">{recruiter.name} \(Talent\): '
                     r"the loop&#39;s recruiter runs the loop</option>", cannot)
    assert f"{interviewer.name} (Payments): already has an in-house interview on this loop" in cannot
    start = (utcnow() + timedelta(days=5)).strftime("%Y-%m-%dT%H:%M")
    with app.app_context():
        principle_id = db.session.get(Loop, setup["loop"]).requisition.principles[0].id
    response = client.post(f"/loops/{setup['loop']}/interviews", data={
        "kind": "in_house", "interviewer_id": recruiter.id, "starts_at": start, "duration_minutes": "60",
        "principle_ids": principle_id})
    assert response.status_code == 422
    assert "Rita Recruiter cannot take this interview: the loop&#39;s recruiter runs the loop." in \
        response.get_data(as_text=True)


def test_starting_a_loop_from_a_candidates_page_suggests_bar_raisers(app, client, auth, recruiter, hiring_manager,
                                                                     bar_raiser):
    import re

    with app.app_context():
        people = {p.id: db.session.get(User, p.id) for p in (recruiter, hiring_manager)}
        requisition = factories.make_requisition(people[hiring_manager.id], people[recruiter.id])
        candidate = Candidate(name="Jo Park", created_by=people[recruiter.id])
        db.session.add(candidate)
        db.session.commit()
        requisition_id, candidate_id, title = requisition.id, candidate.id, requisition.title
    auth.login(recruiter)
    html = client.get(f"/candidates/{candidate_id}").get_data(as_text=True)
    form = re.search(r'<form class="start-loop" method="get" action="/loops/new">.*?</form>', html, re.S).group(0)
    assert f'name="candidate_id" value="{candidate_id}"' in form
    assert f'<option value="{requisition_id}">{title}' in form
    html = client.get(f"/loops/new?candidate_id={candidate_id}&requisition_id={requisition_id}").get_data(as_text=True)
    suggestions = html[html.index("Suggested bar raisers"):]
    assert bar_raiser.name in suggestions
