"""The JSON API: tokens, every endpoint, every refusal as problem details, and the pages' permissions for tokens."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from app import tokens
from app.api import services as token_services
from app.api.models import PersonalAccessToken
from app.audit.models import AuditEntry
from app.db_types import utcnow
from app.extensions import db
from app.loops.models import Loop, Step
from app.people.models import User
from tests import factories
from tests.conftest import PASSWORD
from tests.factories import build_world

PROBLEM = "application/problem+json"


def make_token(app, email: str, scope: str = "write", days: int = 30) -> str:
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == email))
        _, plaintext = token_services.create_token(user, name=f"{scope} token", scope=scope,
                                                   expires_at=utcnow() + timedelta(days=days))
        db.session.commit()
        return plaintext


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def is_problem(response, status: int) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == PROBLEM
    body = response.get_json(force=True)
    assert body["status"] == status and body["title"]
    return body


@pytest.fixture
def world(app):
    return build_world(app)


@pytest.fixture
def rec(app, world):
    return bearer(make_token(app, world["emails"]["recruiter"]))


# ---------- tokens ----------

def test_a_token_is_shown_once_and_only_its_digest_is_kept(app, client, recruiter, auth):
    auth.login(recruiter)
    day = (utcnow() + timedelta(days=30)).date().isoformat()
    page = client.post("/account/tokens", data={"name": "Greenhouse sync", "scope": "write", "expires_on": day})
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    start = html.index("hrt_pat_")
    secret = html[start:html.index("<", start)]
    with app.app_context():
        stored = db.session.scalar(sa.select(PersonalAccessToken))
        assert stored.digest == tokens.digest_of(secret) and secret not in repr(stored.__dict__)
        assert stored.name == "Greenhouse sync" and stored.scope == "write"
    again = client.get("/account/").get_data(as_text=True)
    assert secret not in again and stored.hint in again
    assert client.get("/api/v1/loops", headers=bearer(secret)).status_code == 200


@pytest.mark.parametrize("days, message", [(400, "at most a year"), (-1, "in the future")])
def test_a_token_needs_an_expiry_within_a_year(client, recruiter, auth, days, message):
    auth.login(recruiter)
    day = (utcnow() + timedelta(days=days)).date().isoformat()
    page = client.post("/account/tokens", data={"name": "x", "scope": "read", "expires_on": day})
    assert page.status_code == 422 and message in page.get_data(as_text=True)
    page = client.post("/account/tokens", data={"name": "x", "scope": "read"})
    assert page.status_code == 422 and "Choose when the token expires" in page.get_data(as_text=True)


def test_expired_revoked_and_deactivated_tokens_are_refused(app, client, world):
    email = world["emails"]["recruiter"]
    token = make_token(app, email)
    assert client.get("/api/v1/loops", headers=bearer(token)).status_code == 200
    with app.app_context():
        row = db.session.scalar(sa.select(PersonalAccessToken))
        row.created_at, row.expires_at = utcnow() - timedelta(days=2), utcnow() - timedelta(days=1)
        db.session.commit()
    assert "expired" in is_problem(client.get("/api/v1/loops", headers=bearer(token)), 401)["detail"]
    token = make_token(app, email)
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == email))
        row = db.session.scalar(sa.select(PersonalAccessToken)
                                .where(PersonalAccessToken.digest == tokens.digest_of(token)))
        token_services.revoke_token(row, user)
        db.session.commit()
    assert "revoked" in is_problem(client.get("/api/v1/loops", headers=bearer(token)), 401)["detail"]
    token = make_token(app, email)
    with app.app_context():
        db.session.scalar(sa.select(User).where(User.email == email)).active = False
        db.session.commit()
    assert "deactivated" in is_problem(client.get("/api/v1/loops", headers=bearer(token)), 401)["detail"]


def test_revoking_from_the_account_page_stops_the_token_and_only_the_owner_may(app, client, world):
    token = make_token(app, world["emails"]["recruiter"])
    with app.app_context():
        token_id = db.session.scalar(sa.select(PersonalAccessToken.id))
    client.post("/login", data={"email": world["emails"]["hm"], "password": PASSWORD})
    assert client.post(f"/account/tokens/{token_id}/revoke").status_code == 404
    assert client.get("/api/v1/loops", headers=bearer(token)).status_code == 200
    client.post("/logout")
    client.post("/login", data={"email": world["emails"]["recruiter"], "password": PASSWORD})
    assert client.post(f"/account/tokens/{token_id}/revoke").status_code == 302
    is_problem(client.get("/api/v1/loops", headers=bearer(token)), 401)


def test_no_token_a_wrong_token_and_a_cookie_are_all_401(client, world, recruiter, auth):
    assert is_problem(client.get("/api/v1/loops"), 401)
    assert client.get("/api/v1/loops").headers["WWW-Authenticate"].startswith("Bearer")
    is_problem(client.get("/api/v1/loops", headers=bearer("hrt_pat_not-a-real-one")), 401)
    is_problem(client.get("/api/v1/loops", headers={"Authorization": "Basic abc"}), 401)
    auth.login(recruiter)  # a signed-in browser session is no API credential
    is_problem(client.get("/api/v1/loops"), 401)
    is_problem(client.post("/api/v1/candidates", json={"name": "Via cookie"}), 401)


def test_a_read_token_cannot_write(app, client, world):
    read = bearer(make_token(app, world["emails"]["recruiter"], scope="read"))
    assert client.get("/api/v1/candidates", headers=read).status_code == 200
    is_problem(client.post("/api/v1/candidates", json={"name": "Ana"}, headers=read), 403)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).where(
            sa.literal_column("name") == "Ana").select_from(sa.table("candidates"))) == 0


def test_writes_are_audited_per_request_and_reads_without_flooding(app, client, rec):
    with app.app_context():
        before = db.session.scalar(sa.select(sa.func.count(AuditEntry.id)))
    for _ in range(5):
        assert client.get("/api/v1/loops", headers=rec).status_code == 200
    assert client.post("/api/v1/candidates", json={"name": "Ana Lima"}, headers=rec).status_code == 201
    with app.app_context():
        actions = db.session.scalars(sa.select(AuditEntry.action).order_by(AuditEntry.id)
                                     .offset(before)).all()
        assert actions.count("api.read") == 1
        assert actions.count("api.write") == 1 and "candidate.created" in actions
        assert db.session.scalar(sa.select(PersonalAccessToken.last_used_at)) is not None


def test_a_token_is_rate_limited_with_a_problem_and_retry_after(database, tmp_path):
    from tests.conftest import dispose, make_app

    app = make_app(database, tmp_path, API_RATE_LIMIT="3 per minute")
    try:
        world = build_world(app)
        client = app.test_client()
        token = bearer(make_token(app, world["emails"]["iv"]))
        for _ in range(3):
            assert client.get("/api/v1/loops", headers=token).status_code == 200
        refused = client.get("/api/v1/loops", headers=token)
        is_problem(refused, 429)
        assert int(refused.headers["Retry-After"]) > 0
        other = bearer(make_token(app, world["emails"]["hm"]))
        assert client.get("/api/v1/loops", headers=other).status_code == 200  # per token, not per address
    finally:
        dispose(app)


# ---------- endpoints ----------

def test_requisitions_list_get_create_and_update_with_etags(app, client, world):
    rec = bearer(make_token(app, world["emails"]["recruiter"]))
    hm = bearer(make_token(app, world["emails"]["hm"]))
    with app.app_context():
        hm_user = db.session.scalar(sa.select(User).where(User.email == world["emails"]["hm"]))
        hm_id, unit_id = hm_user.id, hm_user.org_unit_id
    created = client.post("/api/v1/requisitions", headers=rec, json={
        "title": "Staff Engineer, Ledger", "level": "L7", "org_unit_id": unit_id, "hiring_manager_id": hm_id})
    assert created.status_code == 201 and created.json["status"] == "draft"
    url = created.headers["Location"]
    listed = client.get("/api/v1/requisitions?status=draft", headers=hm).json["items"]
    assert [r["id"] for r in listed] == [created.json["id"]]
    read = client.get(url, headers=hm)
    etag = read.headers["ETag"]
    body = {"job_description": "Own the ledger.", "principle_ids": [p["id"] for p in read.json["principles"]] or [1]}
    is_problem(client.patch(url, headers=hm, json=body), 428)
    is_problem(client.patch(url, headers={**hm, "If-Match": '"stale"'}, json=body), 412)
    described = client.patch(url, headers={**hm, "If-Match": etag}, json=body)
    assert described.status_code == 200 and described.json["job_description"] == "Own the ledger."
    is_problem(client.patch(url, headers={**hm, "If-Match": etag}, json={"status": "approved"}), 412)
    approved = client.patch(url, headers={**hm, "If-Match": described.headers["ETag"]}, json={"status": "approved"})
    assert approved.json["status"] == "approved" and approved.json["approved_at"]
    is_problem(client.patch(url, headers={**rec, "If-Match": approved.headers["ETag"]},
                            json={"job_description": "Mine now"}), 403)  # the hiring manager's to write
    closed = client.patch(url, headers={**rec, "If-Match": approved.headers["ETag"]}, json={"status": "closed"})
    assert closed.status_code == 200 and closed.json["status"] == "closed"


def test_each_listed_requisition_carries_its_own_principles_however_the_page_is_read(app, client, world, rec):
    """A page is read with its principles in one statement: by its span of ids when dense, by its ids when
    sparse; either way each requisition lists its own target principles, in order, and no neighbour's."""
    from app.principles.models import Principle

    with app.app_context():
        hm, other, recruiter = (db.session.scalar(sa.select(User).where(User.email == world["emails"][role]))
                                for role in ("hm", "other_iv", "recruiter"))
        principles = db.session.scalars(sa.select(Principle).order_by(Principle.position)).all()
        made = []
        for n in range(14):  # the hiring manager's are 0, 2, 4 (a dense page) and 13 (after a gap)
            requisition = factories.make_requisition(hm if n in (0, 2, 4, 13) else other, recruiter)
            requisition.principles = [principles[(n + k) % len(principles)] for k in range(1 + n % 3)]
            made.append(requisition)
        db.session.commit()
        expected = {r.id: sorted((p.name for p in r.principles),
                                 key=lambda name: next(p.position for p in principles if p.name == name))
                    for r in made}
        mine = [made[n].id for n in (0, 2, 4, 13)]
    assert len({tuple(v) for v in expected.values()}) > 3

    def walk(url: str, headers: dict) -> list[dict]:
        items = []
        while url:
            page = client.get(url, headers=headers)
            assert page.status_code == 200
            items += page.json["items"]
            url = page.json["next"]
        return items

    everything = walk("/api/v1/requisitions?limit=5", rec)
    assert {r["id"] for r in everything} >= set(expected)
    for item in everything:
        assert item["principles"] == client.get(f"/api/v1/requisitions/{item['id']}", headers=rec).json["principles"]
    hm_token = bearer(make_token(app, world["emails"]["hm"]))
    own = [r for r in walk("/api/v1/requisitions?limit=2", hm_token) if r["id"] in expected]
    assert [r["id"] for r in own] == mine
    assert {r["id"]: [p["name"] for p in r["principles"]] for r in own} == {i: expected[i] for i in mine}


def test_candidates_create_find_update_and_refuse_a_duplicate_external_id(app, client, rec):
    created = client.post("/api/v1/candidates", headers=rec, json={
        "name": "Ana Lima", "email": "Ana@Example.test", "external_id": "gh-1001"})
    assert created.status_code == 201 and created.json["email"] == "ana@example.test"
    duplicate = client.post("/api/v1/candidates", headers=rec, json={"name": "Other", "external_id": "gh-1001"})
    assert is_problem(duplicate, 409)["errors"]["external_id"]
    found = client.get("/api/v1/candidates?external_id=gh-1001", headers=rec).json["items"]
    assert [c["name"] for c in found] == ["Ana Lima"]
    by_mail = client.get("/api/v1/candidates?email=ANA@example.test", headers=rec).json["items"]
    assert [c["id"] for c in by_mail] == [created.json["id"]]
    url = created.headers["Location"]
    etag = client.get(url, headers=rec).headers["ETag"]
    assert etag == created.headers["ETag"]
    updated = client.patch(url, headers={**rec, "If-Match": etag}, json={"phone": "+44 20 7946 0321"})
    assert updated.json["phone"] == "+44 20 7946 0321" and updated.json["external_id"] == "gh-1001"
    assert updated.json["name"] == "Ana Lima"
    is_problem(client.patch(url, headers={**rec, "If-Match": etag}, json={"phone": "1"}), 412)


def test_loops_create_list_get_and_outcome_before_the_debrief(app, client, world, rec):
    candidate = client.post("/api/v1/candidates", headers=rec, json={"name": "Bo Chen"}).json
    requisition_id = world["values"]["requisition_id"]
    created = client.post("/api/v1/loops", headers=rec,
                          json={"requisition_id": requisition_id, "candidate_id": candidate["id"]})
    assert created.status_code == 201 and created.json["step"] == Step.RESUME_REVIEW
    assert created.json["step_label"] == "Résumé review"
    again = client.post("/api/v1/loops", headers=rec,
                        json={"requisition_id": requisition_id, "candidate_id": candidate["id"]})
    assert "already has an open loop" in is_problem(again, 422)["detail"]
    mine = client.get(f"/api/v1/loops?candidate_id={candidate['id']}", headers=rec).json
    assert [loop["id"] for loop in mine["items"]] == [created.json["id"]] and mine["next"] is None
    assert client.get(created.headers["Location"], headers=rec).json["status"] == "open"
    outcome = client.get(f"/api/v1/loops/{created.json['id']}/outcome", headers=rec).json
    assert outcome["outcome"] == "pending" and outcome["decision"] is None


def test_a_loop_only_against_an_approved_requisition(app, client, world, rec):
    with app.app_context():
        people = {r: db.session.scalar(sa.select(User).where(User.email == e)) for r, e in world["emails"].items()}
        draft = factories.make_requisition(people["hm"], people["recruiter"], approved=False)
        db.session.commit()
        draft_id = draft.id
    refused = client.post("/api/v1/loops", headers=rec,
                          json={"requisition_id": draft_id, "candidate_id": world["values"]["candidate_id"]})
    assert "approved requisition" in is_problem(refused, 422)["errors"]["requisition_id"][0]


def test_interviews_schedule_list_and_get_through_the_page_service(app, client, rec):
    with app.app_context():
        recruiter = db.session.scalar(sa.select(User).where(User.email == "recruiter@m.test"))
        loop = factories.make_loop(Step.IN_HOUSE_INTERVIEWS, recruiter=recruiter, interviewers=[])
        person = factories.make_user(org_unit="Payments")
        db.session.commit()
        loop_id, person_id = loop.id, person.id
        principle_id = loop.requisition.principles[0].id
    starts = (utcnow() + timedelta(days=7)).replace(microsecond=0).isoformat()
    body = {"kind": "in_house", "interviewer_id": person_id, "starts_at": starts, "principle_ids": [principle_id]}
    scheduled = client.post(f"/api/v1/loops/{loop_id}/interviews", headers=rec, json=body)
    assert scheduled.status_code == 201, scheduled.json
    assert scheduled.json["principles"][0]["id"] == principle_id
    assert scheduled.json["feedback_submitted_at"] is None  # the recruiter sees who submitted
    clash = client.post(f"/api/v1/loops/{loop_id}/interviews", headers=rec, json=body)
    assert is_problem(clash, 422)["errors"]["interviewer_id"]  # one in-house interview each, as the page says
    naive = client.post(f"/api/v1/loops/{loop_id}/interviews", headers=rec, json={**body, "starts_at": starts[:19]})
    assert "starts_at" in is_problem(naive, 422)["errors"]
    listed = client.get(f"/api/v1/loops/{loop_id}/interviews", headers=rec).json["items"]
    assert [i["id"] for i in listed if i["kind"] == "in_house"] == [scheduled.json["id"]]
    assert client.get(scheduled.headers["Location"], headers=rec).json["interviewer"]["id"] == person_id


def test_pagination_is_cursor_based_bounded_and_refuses_a_forged_cursor(app, client, rec):
    for n in range(5):
        assert client.post("/api/v1/candidates", headers=rec, json={"name": f"Page {n}"}).status_code == 201
    seen, url = [], "/api/v1/candidates?limit=2"
    while url:
        page = client.get(url, headers=rec)
        assert len(page.json["items"]) <= 2 and page.headers["ETag"]
        seen += [c["name"] for c in page.json["items"]]
        url = page.json["next"]
        if url:
            assert page.headers["Link"] == f'<{url}>; rel="next"'
    assert [n for n in seen if n.startswith("Page")] == [f"Page {n}" for n in range(5)]
    assert "limit" in is_problem(client.get("/api/v1/candidates?limit=1000", headers=rec), 422)["errors"]
    assert "cursor" in is_problem(client.get("/api/v1/candidates?cursor=abc", headers=rec), 422)["errors"]
    assert "page" in is_problem(client.get("/api/v1/candidates?page=2", headers=rec), 422)["errors"]


# ---------- refusals: problem details, 4xx, nothing written ----------

def candidate_count(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.text("SELECT count(*) FROM candidates"))


@pytest.mark.parametrize("send, status, field", [
    (lambda c, h: c.post("/api/v1/candidates", headers={**h, "Content-Type": "application/json"},
                         data="{not json"), 400, "body"),
    (lambda c, h: c.post("/api/v1/candidates", headers=h, json={"name": 42}), 422, "name"),
    (lambda c, h: c.post("/api/v1/candidates", headers=h, json={"name": "A", "salary": 1}), 422, "salary"),
    (lambda c, h: c.post("/api/v1/candidates", headers=h, json={"email": "a@b.test"}), 422, "name"),
    (lambda c, h: c.post("/api/v1/candidates", headers=h, json={"name": "A", "email": "nope"}), 422, "email"),
    (lambda c, h: c.post("/api/v1/candidates", headers=h, json=["A"]), 422, None),
    (lambda c, h: c.post("/api/v1/candidates", headers=h, data="name=A"), 415, None),
    (lambda c, h: c.post("/api/v1/candidates", headers=h, json={"name": "A", "notes": "x" * 70000}), 413, None),
    (lambda c, h: c.put("/api/v1/candidates", headers=h, json={"name": "A"}), 405, None),
    (lambda c, h: c.post("/api/v1/candidates", headers=h, json={"name": "A", "resume_url": "ftp://x"}), 422,
     "resume_url"),
    (lambda c, h: c.get("/api/v1/nothing-here", headers=h), 404, None),
    (lambda c, h: c.post("/api/v1/candidates", headers=h, json={"name": "A\x00B"}), 422, "name"),
    (lambda c, h: c.post("/api/v1/candidates", headers={**h, "Content-Type": "application/json"},
                         data='{"name": "A", "notes": "\\ud800"}'), 422, "notes"),
    (lambda c, h: c.post("/api/v1/candidates", headers=h, json={"name": "A", "external_id": 7}), 422, "external_id"),
    (lambda c, h: c.post("/api/v1/loops", headers=h, json={"requisition_id": "1", "candidate_id": 2**40}), 422,
     "candidate_id"),
    (lambda c, h: c.get("/api/v1/candidates/99999999999", headers=h), 404, None),
])
def test_every_refusal_is_a_problem_and_writes_nothing(app, client, rec, send, status, field):
    before = candidate_count(app)
    body = is_problem(send(client, rec), status)
    if field:
        assert field in body["errors"]
    assert candidate_count(app) == before


def test_a_refusal_by_the_service_is_a_problem_in_its_words(app, client, world):
    hm = bearer(make_token(app, world["emails"]["hm"]))
    url = f"/api/v1/requisitions/{world['values']['requisition_id']}"
    etag = client.get(url, headers=hm).headers["ETag"]
    refused = client.patch(url, headers={**hm, "If-Match": etag}, json={"status": "approved"})
    assert "not a draft" in is_problem(refused, 422)["detail"]


def test_the_docs_are_a_valid_openapi_31_document_and_a_page_without_a_cdn(client):
    from openapi_spec_validator import validate

    document = client.get("/api/v1/openapi.json").json
    validate(document)
    assert document["openapi"] == "3.1.0"
    assert {"/api/v1/loops/{loop_id}/outcome", "/api/v1/candidates/{candidate_id}"} <= set(document["paths"])
    page = client.get("/api/v1/docs")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "GET /api/v1/loops/{loop_id}/outcome" in html
    assert "https://" not in html.replace("https://.", "") and "<script" not in html.split("</head>")[1]
    assert "default-src 'self'" in page.headers["Content-Security-Policy"]


# ---------- a token acts as its person: the pages' permissions, route by route ----------

ROLES = ("anon", "admin", "recruiter", "hm", "br", "iv", "other_iv", "shadow")
PARTICIPANTS = ("recruiter", "hm", "br", "iv", "shadow")


def row(ok=(), refuse=(), rule=(), default=404):
    answers = {role: default for role in ROLES}
    answers.update({role: "ok" for role in ok})
    answers.update({role: 403 for role in refuse})
    answers.update({role: "rule" for role in rule})
    answers["anon"] = 401
    return answers


EVERY = ("admin", "recruiter", "hm", "br", "iv", "other_iv", "shadow")
NON_RECRUITERS = tuple(r for r in EVERY if r != "recruiter")


def api_matrix(values: dict) -> list:
    """(method, route, url, body, answers per role), as the pages decide them for the same person."""
    loop, req, cand, iv = values["loop_id"], values["requisition_id"], values["candidate_id"], values["interview_id"]
    requisition, candidate = "/api/v1/requisitions/{requisition_id}", "/api/v1/candidates/{candidate_id}"
    a_loop, interviews = "/api/v1/loops/{loop_id}", "/api/v1/loops/{loop_id}/interviews"
    return [
        ("GET", "/api/v1/requisitions", "/api/v1/requisitions", None, row(ok=EVERY)),
        ("GET", requisition, f"/api/v1/requisitions/{req}", None, row(ok=("recruiter", "hm", "admin"))),
        ("POST", "/api/v1/requisitions", "/api/v1/requisitions",
         {"title": "T", "level": "L5", "org_unit_id": 2**31 - 1, "hiring_manager_id": 1},
         row(rule=("recruiter",), refuse=NON_RECRUITERS)),
        ("PATCH", requisition, f"/api/v1/requisitions/{req}", {"status": "closed"},
         row(rule=("recruiter", "hm"), refuse=("admin",))),
        ("GET", "/api/v1/candidates", "/api/v1/candidates", None, row(ok=("recruiter",), refuse=NON_RECRUITERS)),
        ("GET", candidate, f"/api/v1/candidates/{cand}", None, row(ok=PARTICIPANTS)),
        ("POST", "/api/v1/candidates", "/api/v1/candidates", {"name": "X", "resume_url": "ftp://x"},
         row(rule=("recruiter",), refuse=NON_RECRUITERS)),
        ("PATCH", candidate, f"/api/v1/candidates/{cand}", {"notes": "x"},
         row(rule=("recruiter",), refuse=("hm", "br", "iv", "shadow"))),
        ("GET", "/api/v1/loops", "/api/v1/loops", None, row(ok=EVERY)),
        ("GET", a_loop, f"/api/v1/loops/{loop}", None, row(ok=PARTICIPANTS)),
        ("GET", a_loop + "/outcome", f"/api/v1/loops/{loop}/outcome", None, row(ok=PARTICIPANTS)),
        ("POST", "/api/v1/loops", "/api/v1/loops", {"requisition_id": req, "candidate_id": cand},
         row(rule=("recruiter",), refuse=NON_RECRUITERS)),
        ("GET", interviews, f"/api/v1/loops/{loop}/interviews", None, row(ok=PARTICIPANTS)),
        ("GET", interviews + "/{interview_id}", f"/api/v1/loops/{loop}/interviews/{iv}", None, row(ok=PARTICIPANTS)),
        ("POST", interviews, f"/api/v1/loops/{loop}/interviews",
         {"kind": "in_house", "interviewer_id": 1, "starts_at": "2030-01-07T10:00:00+00:00", "principle_ids": []},
         row(rule=("recruiter",), refuse=("hm", "br", "iv", "shadow"))),
    ]


def category(status: int):
    if status in (200, 201):
        return "ok"
    if status in (409, 412, 422, 428):
        return "rule"
    return status


def snapshot(app) -> str:
    from tests.test_authorization_matrix import snapshot as tables_but_audit

    with app.app_context():  # a token's last use is noted on reads: everything else must stay as it was
        db.session.execute(sa.update(PersonalAccessToken).values(last_used_at=None))
        db.session.commit()
    return tables_but_audit(app)


def test_every_api_route_answers_every_role_as_the_pages_do(app):
    world = build_world(app)
    client = app.test_client()
    headers = {role: bearer(make_token(app, email)) for role, email in world["emails"].items()}
    headers["anon"] = {}
    matrix = api_matrix(world["values"])
    documented = {(method.upper(), path) for path, item in client.get("/api/v1/openapi.json").json["paths"].items()
                  for method in item if method != "parameters"}
    assert {(method, route) for method, route, *_ in matrix} == documented  # every API route has its row
    before = snapshot(app)
    wrong, cells = [], 0
    for method, _, url, body, answers in matrix:
        for role in ROLES:
            cells += 1
            response = client.open(url, method=method, headers=headers[role], json=body)
            got = category(response.status_code)
            if got != answers[role]:
                wrong.append(f"{role} {method} {url}: expected {answers[role]}, got {response.status_code}")
            if response.status_code >= 400:
                assert response.mimetype == PROBLEM
    assert wrong == []
    assert cells == 15 * 8
    assert snapshot(app) == before


def test_an_interviewer_token_reads_nothing_built_from_others_feedback_before_submitting(app, client):
    with app.app_context():
        interviewer = factories.make_user(email="late@m.test", org_unit="Payments")
        bar_raiser = factories.make_user(certification="certified", org_unit="Search")
        loop = factories.make_loop(Step.WRITTEN_FEEDBACK, bar_raiser=bar_raiser,
                                   interviewers=[bar_raiser, interviewer] + [factories.make_user() for _ in range(2)])
        for interview in loop.interviews:
            if interview.kind == "in_house" and interview.interviewer_id != interviewer.id:
                factories.submit_feedback(interview, interview.interviewer, "strongly_inclined")
        db.session.commit()
        loop_id, interviewer_id = loop.id, interviewer.id
    token = bearer(make_token(app, "late@m.test"))
    interviews = client.get(f"/api/v1/loops/{loop_id}/interviews", headers=token).json["items"]
    others = [i for i in interviews if i["interviewer"]["id"] != interviewer_id]
    assert others and all("feedback_submitted_at" not in i for i in others)
    text = client.get(f"/api/v1/loops/{loop_id}/interviews", headers=token).get_data(as_text=True)
    assert "strongly_inclined" not in text and "vote" not in text and "rating" not in text
    with app.app_context():
        db.session.execute(sa.update(Loop).where(Loop.id == loop_id).values(step=Step.DEBRIEF))
        db.session.commit()
    is_problem(client.get(f"/api/v1/loops/{loop_id}/outcome", headers=token), 403)  # not until theirs is in


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
def test_with_csrf_on_the_api_takes_a_token_without_a_csrf_token(database, tmp_path):
    from tests.conftest import dispose, make_app

    app = make_app(database, tmp_path, WTF_CSRF_ENABLED=True)
    try:
        world = build_world(app)
        client = app.test_client()
        token = bearer(make_token(app, world["emails"]["recruiter"]))
        assert client.post("/api/v1/candidates", headers=token, json={"name": "Ana Lima"}).status_code == 201
        assert client.post("/candidates/new", data={"name": "Ana Lima"}).status_code != 201  # the pages keep CSRF
    finally:
        dispose(app)
