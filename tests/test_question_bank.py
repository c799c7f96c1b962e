"""The question bank: versions, retirement, who curates, and CSV import (all or nothing) and export."""

import csv
import io

import pytest
from sqlalchemy import func, select

from app.audit.models import AuditEntry
from app.extensions import db
from app.kits import csv_io, services
from app.kits.models import Question, QuestionVersion
from app.kits.services import QuestionError, QuestionInput
from app.people.models import User
from app.principles.catalogue import LEADERSHIP_PRINCIPLES
from app.principles.models import Principle
from tests import factories


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield app
        db.session.rollback()


def principle(name="Ownership") -> Principle:
    return db.session.scalar(select(Principle).where(Principle.name == name))


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def as_csv(*rows, header=("principle", "question", "probes", "strong_evidence", "weak_evidence", "levels",
                          "status")) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode()


def test_an_edit_adds_a_version_and_keeps_the_words_feedback_cited(ctx):
    admin = factories.make_user(is_admin=True)
    question = services.add_question(principle(), QuestionInput("Tell me about a time you owned a failure.",
                                                                probes="What did you change?\n\n  Who knew? "),
                                     admin)
    first = question.current
    assert first.number == 1 and first.probe_list == ["What did you change?", "Who knew?"]
    second = services.edit_question(question, QuestionInput("Tell me about a failure you owned end to end.",
                                                            levels="l6, L7"), admin)
    assert second.number == 2 and question.current is second and second.level_list == ["L6", "L7"]
    assert first.text == "Tell me about a time you owned a failure."
    assert services.edit_question(question, QuestionInput(second.text, levels="L6 L7"), admin) is None
    actions = db.session.scalars(select(AuditEntry.action).where(AuditEntry.subject_type == "Question")).all()
    assert actions == ["question.added", "question.edited"]


def test_retiring_and_restoring_are_audited(ctx):
    bar_raiser = factories.make_user(certification="certified")
    question = services.add_question(principle(), QuestionInput("Tell me about a shortcut you refused."),
                                     bar_raiser)
    services.set_question_active(question, False, bar_raiser)
    services.set_question_active(question, True, bar_raiser)
    actions = db.session.scalars(select(AuditEntry.action).where(AuditEntry.subject_type == "Question")
                                 .order_by(AuditEntry.id)).all()
    assert actions == ["question.added", "question.retired", "question.restored"]


@pytest.mark.parametrize("kwargs", [{}, {"certification": "in_training"}, {"is_recruiter": True}])
def test_only_admins_and_certified_bar_raisers_curate(ctx, kwargs):
    someone = factories.make_user(**kwargs)
    with pytest.raises(QuestionError, match="admins and certified bar raisers"):
        services.add_question(principle(), QuestionInput("Tell me about a time."), someone)
    with pytest.raises(QuestionError):
        csv_io.import_starter_bank(someone)
    assert count(Question) == 0


@pytest.mark.parametrize("data, field", [
    (QuestionInput("   "), "text"),
    (QuestionInput("x" * 1001), "text"),
    (QuestionInput("Fine question?", levels="L6 senior!"), "levels"),
    (QuestionInput("Fine question?", weak_evidence="w" * 4001), "weak_evidence"),
])
def test_bad_questions_are_refused_field_by_field(ctx, data, field):
    with pytest.raises(QuestionError) as refusal:
        services.add_question(principle(), data, factories.make_user(is_admin=True))
    assert refusal.value.field == field


def test_the_starter_bank_has_five_questions_for_each_of_the_sixteen_principles_and_imports_once(ctx):
    admin = factories.make_user(is_admin=True)
    result = csv_io.import_starter_bank(admin)
    assert result.added == count(Question) >= 80
    per_principle = dict(db.session.execute(select(Principle.name, func.count(Question.id))
                                            .join(Question, Question.principle_id == Principle.id)
                                            .group_by(Principle.name)).all())
    assert set(per_principle) == {name for name, _ in LEADERSHIP_PRINCIPLES}
    assert min(per_principle.values()) >= 5
    for version in db.session.scalars(select(QuestionVersion)):
        assert len(version.probe_list) >= 2 and version.strong_evidence and version.weak_evidence
    again = csv_io.import_starter_bank(admin)
    assert (again.added, again.skipped) == (0, result.added)


def test_an_import_with_bad_rows_adds_nothing_and_names_each_line_and_column(ctx):
    admin = factories.make_user(is_admin=True)
    data = as_csv(
        ("Ownership", "Tell me about a time you took over a failing project.", "", "", "", "", ""),
        ("Ownershp", "Tell me about a handover.", "", "", "", "", ""),
        ("Dive Deep", "", "", "", "", "", "active"),
        ("Dive Deep", "Tell me about a metric that lied.", "", "", "", "L6 !!", "paused"),
        ("ownership", "tell me about a time you took over a failing project.", "", "", "", "", ""),
    )
    with pytest.raises(csv_io.ImportRefused) as refusal:
        csv_io.import_csv(data, admin)
    found = [(p.line, p.column) for p in refusal.value.line_problems]
    assert found == [(3, "principle"), (4, "question"), (5, "levels"), (5, "status"), (6, "question")]
    assert "same question as line 2" in str(refusal.value.line_problems[-1])
    assert count(Question) == 0


@pytest.mark.parametrize("data, message", [
    (b"\xff\xfe not utf-8", "not UTF-8"),
    (b"", "empty"),
    (b"principle,text\nOwnership,Hi\n", "Unknown column"),
    (b"principle\nOwnership\n", "missing"),
    (b"principle,question\nOwnership,One?,extra\n", "cells"),
])
def test_a_file_that_is_not_a_bank_is_refused_with_a_reason(ctx, data, message):
    with pytest.raises(csv_io.ImportRefused) as refusal:
        csv_io.import_csv(data, factories.make_user(is_admin=True))
    assert message in str(refusal.value.line_problems[0])


def test_export_then_import_elsewhere_gives_the_same_bank_and_keeps_formulas_out(ctx):
    admin = factories.make_user(is_admin=True)
    services.add_question(principle(), QuestionInput("=HYPERLINK(\"x\") Tell me about ownership.",
                                                     probes="First?\nSecond?", levels="L6"), admin)
    retired = services.add_question(principle("Dive Deep"), QuestionInput("Tell me about a deep dive."), admin)
    services.set_question_active(retired, False, admin)
    exported = csv_io.export_csv()
    rows = list(csv.DictReader(io.StringIO(exported)))
    assert rows[0]["question"].startswith("'=HYPERLINK") and rows[0]["probes"] == "First?\nSecond?"
    assert rows[1]["status"] == "retired"
    db.session.execute(QuestionVersion.__table__.delete().where(QuestionVersion.id > 0)
                       .execution_options(synchronize_session=False))
    db.session.execute(Question.__table__.delete())
    db.session.expire_all()
    result = csv_io.import_csv(exported.encode(), db.session.get(User, admin.id))
    assert result.added == 2
    texts = {q.current.text: q.is_active for q in db.session.scalars(select(Question))}
    assert texts == {"=HYPERLINK(\"x\") Tell me about ownership.": True, "Tell me about a deep dive.": False}
