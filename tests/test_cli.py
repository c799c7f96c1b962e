"""`flask create-user` through the CLI runner."""

from sqlalchemy import select

from app.extensions import db
from app.people.models import User


def create(runner, *extra, email="new@example.test", password="a-long-password-1"):
    return runner.invoke(args=["create-user", "--email", email, "--name", "New Person",
                               "--password", password, *extra])


def test_create_user_with_roles_can_then_sign_in(app, runner, auth):
    result = create(runner, "--admin", "--recruiter", "--org-unit", "Talent", email="New@Example.TEST")
    assert result.exit_code == 0, result.output
    assert "Created new@example.test (admin, recruiter)." in result.output
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "new@example.test"))
        assert user.is_admin and user.is_recruiter and user.org_unit.name == "Talent"
    assert auth.login(email="new@example.test", password="a-long-password-1").status_code == 302


def test_create_user_without_flags_has_no_roles(app, runner):
    result = create(runner)
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "new@example.test"))
        assert not user.is_admin and not user.is_recruiter


def test_create_user_refuses_a_taken_e_mail_and_a_short_password(app, runner):
    assert create(runner).exit_code == 0
    duplicate = create(runner, email="NEW@example.test")
    assert duplicate.exit_code != 0
    assert "already exists" in duplicate.output
    short = create(runner, email="other@example.test", password="short")
    assert short.exit_code != 0
    assert "at least 12 characters" in short.output
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(User)) == 1
