"""The blind-feedback rule on every read path, over every submission order and reader.

A loop with three in-house interviewers (one of them the bar raiser), a hiring
manager who ran the phone screen, a recruiter, a shadow, an outsider on another
loop and an admin. Every subset of the in-house feedback is submitted, the rest
left as drafts; the loop stands at written feedback or at the debrief. Each
feedback's evidence carries its author's marker, so a page shows a feedback
exactly when the marker appears in it.
"""

import itertools

import pytest

from app.extensions import db
from app.feedback.models import Feedback, FeedbackRating, FeedbackStatus, Rating
from app.loops.models import Loop, Step
from app.people.models import User
from app.permissions import feedback_access
from tests import factories
from tests.conftest import PASSWORD

PANEL = ("bar_raiser", "ann", "bo")
AUTHORS = ("hiring_manager",) + PANEL
READERS = ("recruiter", "hiring_manager", "bar_raiser", "ann", "bo", "shadow", "outsider", "admin")
SUBSETS = [frozenset(c) for n in range(len(PANEL) + 1) for c in itertools.combinations(PANEL, n)]


def marker(name: str) -> str:
    return f"EVIDENCE-MARKER-{name.upper()}"


def expected_readable(reader: str, author: str, submitted: frozenset, step: int) -> bool:
    """The rule as PRODUCT.md states it, written out apart from the code under test."""
    if reader == author:
        return True
    if reader in ("outsider", "admin"):
        return False  # not participants
    if not (author == "hiring_manager" or author in submitted):
        return False  # drafts are private; the phone screen is submitted
    if reader in PANEL:
        return reader in submitted
    if reader == "hiring_manager":
        return True  # their own feedback (the phone screen) is all in
    return step >= Step.DEBRIEF  # recruiter and shadow have no interviews


def build(app, submitted: frozenset, step: int) -> dict:
    with app.app_context():
        make = factories.make_user
        people = {
            "recruiter": make(email="r@x.test", is_recruiter=True, org_unit="Talent"),
            "hiring_manager": make(email="hm@x.test", org_unit="Payments"),
            "bar_raiser": make(email="br@x.test", certification="certified", org_unit="Search"),
            "ann": make(email="ann@x.test"),
            "bo": make(email="bo@x.test"),
            "shadow": make(email="shadow@x.test", certification="in_training", org_unit="Ads"),
            "outsider": make(email="out@x.test"),
            "admin": make(email="admin@x.test", is_admin=True),
        }
        loop = factories.make_loop(
            step=Step.WRITTEN_FEEDBACK, recruiter=people["recruiter"], hiring_manager=people["hiring_manager"],
            bar_raiser=people["bar_raiser"], shadow=people["shadow"],
            interviewers=[people[name] for name in PANEL], phone_screen_evidence=marker("hiring_manager"),
        )
        factories.make_loop(step=Step.DEBRIEF, interviewers=[
            factories.make_user(certification="certified", org_unit="Ads"), people["outsider"]])
        for interview in loop.interviews:
            author = next(n for n in AUTHORS if people[n].id == interview.interviewer_id)
            if author == "hiring_manager":
                continue
            feedback = Feedback(author=people[author], summary="",
                                ratings=[FeedbackRating(principle=p, rating=Rating.MEETS_THE_BAR,
                                                        evidence=marker(author)) for p in interview.principles])
            db.session.add(feedback)
            feedback.interview = interview
            db.session.flush()
            if author in submitted:
                feedback.status, feedback.vote, feedback.raises_bar = FeedbackStatus.SUBMITTED, "inclined", True
                feedback.submitted_at = interview.ends_at
                db.session.flush()
        loop.step = step
        db.session.commit()
        return {
            "loop": loop.id,
            "emails": {n: u.email for n, u in people.items()},
            "ids": {n: u.id for n, u in people.items()},
            "interviews": [i.id for i in loop.interviews],
        }


@pytest.mark.parametrize("step", [Step.WRITTEN_FEEDBACK, Step.DEBRIEF], ids=["written-feedback", "debrief"])
@pytest.mark.parametrize("submitted", SUBSETS, ids=lambda s: "+".join(sorted(s)) or "none")
def test_every_reader_sees_exactly_what_the_rule_allows_on_every_page(app, client, submitted, step):
    world = build(app, submitted, step)
    loop_id = world["loop"]
    pages = [f"/loops/{loop_id}/feedback", f"/loops/{loop_id}", f"/loops/{loop_id}/history", "/", "/loops/?status="]
    pages += [f"/loops/{loop_id}/interviews/{i}/feedback" for i in world["interviews"]]
    pages += [f"/loops/{loop_id}/interviews/{i}.ics" for i in world["interviews"]]
    for reader in READERS:
        client.post("/login", data={"email": world["emails"][reader], "password": PASSWORD})
        seen = " ".join(client.get(path).get_data(as_text=True) for path in pages)
        for author in AUTHORS:
            allowed = expected_readable(reader, author, submitted, step)
            assert (marker(author) in seen) == allowed, (
                f"{reader} {'should' if allowed else 'should not'} read {author}'s feedback")
        client.post("/logout")

    with app.app_context():  # the policy object every other read path asks
        loop = db.session.get(Loop, loop_id)
        names = {uid: name for name, uid in world["ids"].items()}
        for reader in READERS:
            access = feedback_access(loop, db.session.get(User, world["ids"][reader]))
            for interview in loop.interviews:
                for feedback in interview.feedbacks:
                    author = names[feedback.author_id]
                    assert access.can_read(feedback) == expected_readable(reader, author, submitted, step)


def test_demo_interviewer_sees_nothing_of_the_feedback_on_the_loop_they_have_not_submitted(app, client, runner):
    from app.demo import DEMO_PASSWORD

    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    with app.app_context():
        me = db.session.scalar(db.select(User).where(User.email == "interviewer@demo.test"))
        loop = next(
            loop for loop in db.session.scalars(db.select(Loop).where(Loop.step == Step.WRITTEN_FEEDBACK))
            if any(i.interviewer_id == me.id for i in loop.interviews)
        )
        others = [f for i in loop.interviews for f in i.feedbacks if f.author_id != me.id and f.is_submitted]
        assert others, "the demo loop should have someone else's submitted feedback"
        secrets = {r.evidence for f in others for r in f.ratings} | {f.summary for f in others if f.summary}
        pages = [f"/loops/{loop.id}", f"/loops/{loop.id}/history", f"/loops/{loop.id}/feedback", "/", "/loops/"]
        pages += [f"/loops/{loop.id}/interviews/{i.id}/feedback" for i in loop.interviews]
    client.post("/login", data={"email": "interviewer@demo.test", "password": DEMO_PASSWORD})
    responses = [client.get(path) for path in pages]
    assert [r.status_code for r in responses[:4]] == [200, 200, 200, 200]
    seen = " ".join(r.get_data(as_text=True) for r in responses)
    from markupsafe import escape

    for secret in secrets:
        assert str(escape(secret)) not in seen and secret not in seen
