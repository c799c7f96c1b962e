"""Admin pages: users, org units, principles; every change audited."""

import pytest
from sqlalchemy import func, select

from app.audit.models import AuditEntry
from app.extensions import db
from app.people.models import Certification, OrgUnit, User
from app.principles.models import Principle
from tests import factories

ADMIN_PAGES = ["/admin/users", "/admin/users/new", "/admin/org-units", "/admin/principles"]


def audit_actions(app, subject_type: str, subject_id: int) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(
            select(AuditEntry.action)
            .where(AuditEntry.subject_type == subject_type, AuditEntry.subject_id == subject_id)
            .order_by(AuditEntry.id)
        ))


@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_admin_pages_need_the_admin_role(client, auth, admin, recruiter, path):
    assert client.get(path).status_code == 302  # anonymous: sign in first
    auth.login(recruiter)
    assert client.get(path).status_code == 403
    auth.logout()
    auth.login(admin)
    assert client.get(path).status_code == 200


def test_admin_creates_a_user_who_can_sign_in(app, client, auth, admin):
    auth.login(admin)
    with app.app_context():
        unit_id = factories.org_unit("Search").id
        db.session.commit()
    response = client.post("/admin/users/new", data={
        "name": "Nora New", "email": "Nora@Example.test", "org_unit_id": unit_id, "timezone": "Europe/Berlin",
        "password": "a-long-password-1", "certification": "certified", "is_recruiter": "y",
    })  # a new account starts outside the bar-raiser program, whatever the form claims
    assert response.status_code == 302
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "nora@example.test"))
        assert user.is_recruiter and not user.is_admin
        assert user.certification == Certification.NONE and user.org_unit.name == "Search"
        user_id = user.id
    assert audit_actions(app, "User", user_id) == ["user.created"]
    auth.logout()
    assert auth.login(email="nora@example.test", password="a-long-password-1").status_code == 302


@pytest.mark.parametrize("changes, message", [
    ({"email": "admin@example.test"}, "A user with this e-mail already exists."),
    ({"email": "not-an-e-mail"}, "Enter a valid e-mail address."),
    ({"password": "short"}, "Use at least 12 characters."),
    ({"name": ""}, "Enter the person&#39;s name."),
    ({"org_unit_id": "999"}, "Not a valid choice"),
    ({"timezone": "Mars/Olympus"}, "Not a valid choice"),
])
def test_bad_new_user_input_gets_a_field_message_and_writes_nothing(app, client, auth, admin, changes, message):
    auth.login(admin)
    form = {"name": "Nora New", "email": "nora@example.test", "org_unit_id": "0", "timezone": "UTC",
            "password": "a-long-password-1", "certification": "none", **changes}
    response = client.post("/admin/users/new", data=form)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == 1


def test_editing_roles_and_org_unit_is_audited_with_the_change(app, client, auth, admin, interviewer):
    auth.login(admin)
    with app.app_context():
        unit_id = factories.org_unit("Search").id
        db.session.commit()
    response = client.post(f"/admin/users/{interviewer.id}", data={
        "name": interviewer.name, "email": interviewer.email, "org_unit_id": unit_id,
        "timezone": "UTC", "is_recruiter": "y",
    })
    assert response.status_code == 302
    with app.app_context():
        user = db.session.get(User, interviewer.id)
        assert user.is_recruiter and user.org_unit.name == "Search"
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "user.updated"))
        assert entry.actor_id == admin.id
        assert entry.details["changes"]["roles"] == [[], ["recruiter"]]
        assert entry.details["changes"]["org_unit"] == ["Payments", "Search"]


def test_certification_moves_along_the_path_and_is_audited_from_and_to(app, client, auth, admin, interviewer):
    with app.app_context():
        db.session.get(User, interviewer.id).job_level = 6
        db.session.commit()
    auth.login(admin)
    for state, note in (("nominated", "Asks for evidence in every review."), ("in_training", "Course in March.")):
        response = client.post(f"/program/people/{interviewer.id}/move", data={"to": state, "note": note})
        assert response.status_code == 302
    skipped = client.post(f"/program/people/{interviewer.id}/move", data={"to": "certified", "note": "Skip ahead."})
    assert skipped.status_code == 422 and "not to certified" in skipped.get_data(as_text=True)
    with app.app_context():
        entries = db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == "user.certification_changed").order_by(AuditEntry.id)
        ).all()
        assert [(e.from_state, e.to_state) for e in entries] == [("none", "nominated"), ("nominated", "in_training")]
        assert entries[0].reason == "Asks for evidence in every review."
        assert db.session.get(User, interviewer.id).certification == Certification.IN_TRAINING


def test_unknown_certification_is_refused(app, client, auth, admin, interviewer):
    auth.login(admin)
    response = client.post(f"/program/people/{interviewer.id}/move", data={"to": "wizard", "note": "Magic."})
    assert response.status_code == 400
    with app.app_context():
        assert db.session.get(User, interviewer.id).certification == Certification.NONE


def test_admin_records_a_level_and_a_manager_but_no_management_loop(app, client, auth, admin, interviewer,
                                                                   hiring_manager):
    auth.login(admin)
    with app.app_context():
        hm = db.session.get(User, hiring_manager.id)
        data = {"name": hm.name, "email": hm.email, "org_unit_id": hm.org_unit_id, "timezone": "UTC",
                "job_level": 7, "manager_id": interviewer.id}
    assert client.post(f"/admin/users/{hiring_manager.id}", data=data).status_code == 302
    with app.app_context():
        iv = db.session.get(User, interviewer.id)
        data = {"name": iv.name, "email": iv.email, "org_unit_id": iv.org_unit_id, "timezone": "UTC",
                "job_level": 5, "manager_id": hiring_manager.id}
    refused = client.post(f"/admin/users/{interviewer.id}", data=data)
    assert refused.status_code == 422
    assert "cannot report to themselves, directly or through others" in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, hiring_manager.id).job_level == 7
        assert db.session.get(User, hiring_manager.id).manager_id == interviewer.id
        assert db.session.get(User, interviewer.id).manager_id is None


def test_deactivating_a_user_ends_their_sessions(app, client, auth, admin, interviewer):
    theirs = app.test_client()
    theirs.post("/login", data={"email": interviewer.email, "password": interviewer.password})
    assert theirs.get("/").status_code == 200
    auth.login(admin)
    assert client.post(f"/admin/users/{interviewer.id}/deactivate").status_code == 302
    assert theirs.get("/").status_code == 302
    assert theirs.post("/login", data={"email": interviewer.email,
                                       "password": interviewer.password}).status_code == 401
    assert client.post(f"/admin/users/{interviewer.id}/activate").status_code == 302
    assert [a for a in audit_actions(app, "User", interviewer.id) if a.startswith("user.")] == [
        "user.created", "user.deactivated", "user.activated"]


def test_the_last_admin_cannot_deactivate_or_demote_themselves(app, client, auth, admin):
    auth.login(admin)
    response = client.post(f"/admin/users/{admin.id}/deactivate")
    assert response.status_code == 422
    response = client.post(f"/admin/users/{admin.id}", data={
        "name": admin.name, "email": admin.email, "org_unit_id": "0", "timezone": "UTC",
    })
    assert response.status_code == 422
    assert "last active admin" in response.get_data(as_text=True)
    with app.app_context():
        user = db.session.get(User, admin.id)
        assert user.active and user.is_admin


def test_admin_sets_a_password_and_the_old_one_stops_working(app, client, auth, admin, interviewer):
    auth.login(admin)
    assert client.post(f"/admin/users/{interviewer.id}/password", data={"password": "short"}).status_code == 422
    assert client.post(f"/admin/users/{interviewer.id}/password",
                       data={"password": "a-brand-new-password"}).status_code == 302
    other = app.test_client()
    assert other.post("/login", data={"email": interviewer.email,
                                      "password": interviewer.password}).status_code == 401
    assert other.post("/login", data={"email": interviewer.email,
                                      "password": "a-brand-new-password"}).status_code == 302


def test_org_units_are_created_renamed_and_kept_unique(app, client, auth, admin):
    auth.login(admin)
    assert client.post("/admin/org-units", data={"name": "  Risk   Platform "}).status_code == 302
    duplicate = client.post("/admin/org-units", data={"name": "risk platform"})
    assert duplicate.status_code == 422
    assert "already exists" in duplicate.get_data(as_text=True)
    with app.app_context():
        unit = db.session.scalar(select(OrgUnit).where(OrgUnit.name == "Risk Platform"))
        unit_id = unit.id
    assert client.post(f"/admin/org-units/{unit_id}", data={"name": "Risk"}).status_code == 302
    assert client.post(f"/admin/org-units/{unit_id}", data={"name": ""}).status_code == 422
    assert audit_actions(app, "OrgUnit", unit_id) == ["org_unit.created", "org_unit.renamed"]
    assert client.get("/admin/org-units/99999").status_code == 404


def principle_names(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(Principle.name).order_by(Principle.position, Principle.id)))


def test_the_catalogue_starts_with_the_sixteen_principles(app, client, auth, admin):
    names = principle_names(app)
    assert len(names) == 16
    assert names[0] == "Customer Obsession" and names[-1] == "Success and Scale Bring Broad Responsibility"
    auth.login(admin)
    html = client.get("/admin/principles").get_data(as_text=True)
    assert "Have Backbone; Disagree and Commit" in html


def test_principles_are_added_edited_reordered_and_deactivated(app, client, auth, admin):
    auth.login(admin)
    assert client.post("/admin/principles", data={"name": "Own the Outcome",
                                                  "description": "Follow through."}).status_code == 302
    assert principle_names(app)[-1] == "Own the Outcome"
    with app.app_context():
        new_id = db.session.scalar(select(Principle.id).where(Principle.name == "Own the Outcome"))
    assert client.post(f"/admin/principles/{new_id}/up").status_code == 302
    assert principle_names(app)[-2] == "Own the Outcome"
    assert client.post(f"/admin/principles/{new_id}",
                       data={"name": "Own Outcomes", "description": "Follow through."}).status_code == 302
    assert client.post(f"/admin/principles/{new_id}/deactivate").status_code == 302
    with app.app_context():
        principle = db.session.get(Principle, new_id)
        assert principle.name == "Own Outcomes" and not principle.is_active
    assert audit_actions(app, "Principle", new_id) == [
        "principle.created", "principle.moved", "principle.updated", "principle.deactivated"]


def test_a_duplicate_or_empty_principle_is_refused(app, client, auth, admin):
    auth.login(admin)
    response = client.post("/admin/principles", data={"name": "ownership", "description": "Again."})
    assert response.status_code == 422
    assert "already exists" in response.get_data(as_text=True)
    response = client.post("/admin/principles", data={"name": "Something", "description": "  "})
    assert response.status_code == 422
    assert len(principle_names(app)) == 16


def test_a_principle_in_use_is_never_deleted(app, client, auth, admin):
    with app.app_context():
        loop = factories.make_loop(step=2)
        used_id = loop.requisition.principles[0].id
        unused_id = db.session.scalar(select(Principle.id).order_by(Principle.position.desc()))
        db.session.commit()
    auth.login(admin)
    refused = client.post(f"/admin/principles/{used_id}/delete")
    assert refused.status_code == 409
    assert "deactivate it instead" in refused.get_data(as_text=True)
    assert client.post(f"/admin/principles/{unused_id}/delete").status_code == 302
    with app.app_context():
        assert db.session.get(Principle, used_id) is not None
        assert db.session.get(Principle, unused_id) is None


def test_refused_requests_are_audited(app, client, auth, recruiter):
    auth.login(recruiter)
    assert client.get("/admin/users").status_code == 403
    with app.app_context():
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "auth.refused"))
        assert entry.actor_id == recruiter.id and entry.details == {"method": "GET", "path": "/admin/users"}
