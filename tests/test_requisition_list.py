"""The requisitions page: every open requisition, and the closed ones a page at a time, newest first."""

import re

from app.db_types import utcnow
from app.extensions import db
from app.people.models import User
from app.requisitions.models import RequisitionStatus
from app.requisitions.views import CLOSED_PAGE
from tests import factories


def titles(html: str) -> list[str]:
    return re.findall(r'class="row-link" href="/requisitions/\d+">([^<]+)</a>', html)


def make_requisitions(app, recruiter, hiring_manager, n_closed: int) -> None:
    with app.app_context():
        rita, hank = db.session.get(User, recruiter.id), db.session.get(User, hiring_manager.id)
        for n in range(n_closed):
            requisition = factories.make_requisition(hank, rita)
            requisition.title = f"Closed role {n:03d}"
            requisition.status, requisition.closed_at = RequisitionStatus.CLOSED, utcnow()
        factories.make_requisition(hank, rita).title = "Open role"
        factories.make_requisition(hank, rita, approved=False).title = "Draft role"
        db.session.commit()


def test_open_requisitions_come_first_and_closed_ones_a_page_at_a_time(app, client, auth, recruiter, hiring_manager):
    make_requisitions(app, recruiter, hiring_manager, CLOSED_PAGE + 3)
    auth.login(recruiter)
    first = client.get("/requisitions/")
    assert first.status_code == 200
    shown = titles(first.get_data(as_text=True))
    newest = [f"Closed role {n:03d}" for n in range(CLOSED_PAGE + 2, -1, -1)]
    assert shown == ["Draft role", "Open role"] + newest[:CLOSED_PAGE]
    older = re.search(r'href="(/requisitions/\?closed_before=\d+)"', first.get_data(as_text=True)).group(1)
    second = client.get(older)
    assert titles(second.get_data(as_text=True)) == ["Draft role", "Open role"] + newest[CLOSED_PAGE:]
    assert "closed_before=" not in second.get_data(as_text=True)


def test_a_page_of_closed_requisitions_by_a_bad_id_is_refused(app, client, auth, recruiter):
    auth.login(recruiter)
    response = client.get("/requisitions/?closed_before=soon")
    assert response.status_code == 400
    assert "closed_before" in response.get_data(as_text=True)
