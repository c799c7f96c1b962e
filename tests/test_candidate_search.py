"""The candidate search and the new-loop form's candidate list: what a person finds, and never the whole history."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.candidates import queries
from app.candidates.models import Candidate
from app.db_types import utcnow
from app.extensions import db
from app.loops.models import Loop
from app.people.models import User
from tests import factories


def add_candidates(app, *people: tuple[str, str | None], days_ago_from: int = 0) -> list[int]:
    """Add candidates oldest first (the first named is the oldest); return their ids."""
    with app.app_context():
        now = utcnow()
        rows = [Candidate(name=name, email=email, created_at=now - timedelta(days=days_ago_from + len(people) - i))
                for i, (name, email) in enumerate(people)]
        db.session.add_all(rows)
        db.session.commit()
        return [row.id for row in rows]


def listed(html: str) -> list[str]:
    return re.findall(r'class="row-link" href="/candidates/\d+">([^<]+)</a>', html)


PEOPLE = [("Ada Okafor", "ada@okafor.example"), ("Brooke Lane", "brooke@example.test"),
          ("Chidi Okoye", "chidi@example.test"), ("Dana Smith", "okapi.fan@example.test"),
          ("Eve 50% Sure", "eve@example.test")]


@pytest.mark.parametrize("term, found", [
    ("OKAFOR", ["Ada Okafor"]),  # any case
    ("kafo", ["Ada Okafor"]),  # inside a word
    ("okapi.fan", ["Dana Smith"]),  # the e-mail
    ("ok", ["Dana Smith", "Chidi Okoye", "Ada Okafor"]),  # two: the start of a word or of the e-mail, not "Brooke"
    ("o_a", []),  # "_" is a character here, not a wildcard
    ("50%", ["Eve 50% Sure"]),
    ("  Ada   Okafor ", ["Ada Okafor"]),  # spaces as typed
])
def test_the_search_finds_names_and_e_mails_newest_first(app, client, auth, recruiter, term, found):
    add_candidates(app, *PEOPLE)
    auth.login(recruiter)
    response = client.get("/candidates/", query_string={"q": term})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert listed(html) == found
    if not found:
        assert "Nobody matches" in html


def test_one_character_is_refused_beside_the_field_and_the_newest_are_listed(app, client, auth, recruiter):
    add_candidates(app, *PEOPLE)
    auth.login(recruiter)
    response = client.get("/candidates/?q=o")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert queries.TOO_SHORT in html and 'aria-invalid="true"' in html
    assert listed(html) == [name for name, _ in reversed(PEOPLE)]


def test_a_common_term_shows_a_bounded_list_of_the_newest_matches(app, client, auth, recruiter, monkeypatch):
    """However many match, the page shows SHOWN of them, the newest, and says there are more without counting."""
    add_candidates(app, *[(f"Sam Common {n:02d}", None) for n in range(12)], ("Other Person", None))
    monkeypatch.setattr(queries, "SHOWN", 4)
    auth.login(recruiter)
    for sorted_here in (100, 5):  # sorted from the index's matches, or (too many match) read newest first
        monkeypatch.setattr(queries, "SORTED_HERE", sorted_here)
        html = client.get("/candidates/?q=common").get_data(as_text=True)
        assert listed(html) == ["Sam Common 11", "Sam Common 10", "Sam Common 09", "Sam Common 08"]
        assert '<span class="count">4+</span>' in html and "Showing the newest 4" in html
    html = client.get("/candidates/?q=other").get_data(as_text=True)
    assert listed(html) == ["Other Person"] and '<span class="count">1</span>' in html


def candidate_options(html: str) -> list[str]:
    select_ = re.search(r'<select[^>]*name="candidate_id".*?</select>', html, re.S).group(0)
    return re.findall(r'<option[^>]*value="(\d+)"', select_)


@pytest.fixture
def approved(app, recruiter, hiring_manager):
    with app.app_context():
        requisition = factories.make_requisition(db.session.get(User, hiring_manager.id),
                                                 db.session.get(User, recruiter.id))
        db.session.commit()
        return requisition.id


def test_the_new_loop_form_offers_the_newest_candidates_not_every_one(app, client, auth, recruiter, approved,
                                                                       monkeypatch):
    ids = add_candidates(app, *[(f"Person {n}", None) for n in range(5)])
    monkeypatch.setattr("app.loops.views.PICKER_SHOWN", 3)
    monkeypatch.setattr(queries, "PICKER_SHOWN", 3)
    auth.login(recruiter)
    html = client.get("/loops/new").get_data(as_text=True)
    assert candidate_options(html) == ["0", *map(str, ids[:1:-1])]  # the three newest
    assert "The newest 3" in html and "Start a loop" in html
    # Chosen on their page: the oldest comes first, then the newest.
    html = client.get(f"/loops/new?candidate_id={ids[0]}&requisition_id={approved}").get_data(as_text=True)
    assert candidate_options(html)[:2] == ["0", str(ids[0])]
    assert re.search(rf'<option selected value="{ids[0]}">Person 0</option>', html)
    # Found by the search field, which keeps the chosen requisition.
    html = client.get(f"/loops/new?candidate_q=person 1&requisition_id={approved}").get_data(as_text=True)
    assert candidate_options(html) == ["0", str(ids[1])]
    assert f'name="requisition_id" value="{approved}"' in html
    assert client.get("/loops/new?candidate_q=p").status_code == 422


def test_a_candidate_not_listed_can_still_be_posted_and_an_unknown_one_is_refused(app, client, auth, recruiter,
                                                                                  approved, monkeypatch):
    ids = add_candidates(app, *[(f"Person {n}", None) for n in range(4)])
    monkeypatch.setattr(queries, "PICKER_SHOWN", 1)
    auth.login(recruiter)
    form = {"requisition_id": approved, "recruiter_id": recruiter.id, "hiring_manager_id": 0, "bar_raiser_id": 0,
            "shadow_id": 0}
    refused = client.post("/loops/new", data={**form, "candidate_id": max(ids) + 100})
    assert refused.status_code == 422 and "Not a valid choice." in refused.get_data(as_text=True)
    with app.app_context():
        erased = db.session.get(Candidate, ids[1])
        erased.anonymized_at = utcnow()
        db.session.commit()
    refused = client.post("/loops/new", data={**form, "candidate_id": ids[1]})
    assert refused.status_code == 422 and "Not a valid choice." in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(Loop)) == 0
    assert client.post("/loops/new", data={**form, "candidate_id": ids[0]}).status_code == 302  # the oldest
    with app.app_context():
        assert db.session.scalar(select(Loop.candidate_id)) == ids[0]
