"""The question bank, the questions planned for each interview, and the questions feedback says were asked.

A question's words live in its versions. A version is never changed once
written (the database refuses it): an edit adds a new version, so feedback
always cites the words that were asked.
"""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db_types import UTCDateTime, not_blank, one_of, utcnow
from app.extensions import db
from app.people.models import User
from app.principles.models import Principle


def split_levels(text: str) -> list[str]:
    """Read "L5, L6 l7" as ["L5", "L6", "L7"]: levels are compared upper-case, without spaces."""
    seen: list[str] = []
    for part in text.replace(",", " ").split():
        level = part.strip().upper()
        if level and level not in seen:
            seen.append(level)
    return seen


class Question(db.Model):
    """One behavioural question of a principle's bank; its words are in `versions`."""

    __tablename__ = "questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    principle_id: Mapped[int] = mapped_column(ForeignKey("principles.id", ondelete="RESTRICT"), index=True)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))

    principle: Mapped[Principle] = relationship()
    created_by: Mapped[User | None] = relationship()
    versions: Mapped[list["QuestionVersion"]] = relationship(
        back_populates="question", order_by="QuestionVersion.number", passive_deletes=True)

    def __repr__(self) -> str:
        return f"<Question {self.id} principle={self.principle_id}>"

    @property
    def current(self) -> "QuestionVersion":
        return self.versions[-1]


class QuestionVersion(db.Model):
    """The words of a question as written at one time: never changed, cited by the feedback that asked it."""

    __tablename__ = "question_versions"
    __table_args__ = (
        UniqueConstraint("question_id", "number"),
        CheckConstraint("number >= 1", name="number_positive"),
        not_blank("text"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id", ondelete="CASCADE"))
    number: Mapped[int]
    text: Mapped[str] = mapped_column(Text)
    probes: Mapped[str] = mapped_column(Text, default="")  # one follow-up probe per line
    strong_evidence: Mapped[str] = mapped_column(Text, default="")
    weak_evidence: Mapped[str] = mapped_column(Text, default="")
    levels: Mapped[str] = mapped_column(String(200), default="")  # "L5 L6"; empty suits every level
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))

    question: Mapped[Question] = relationship(back_populates="versions")
    created_by: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<QuestionVersion {self.question_id}v{self.number}>"

    @property
    def probe_list(self) -> list[str]:
        return [line.strip() for line in self.probes.splitlines() if line.strip()]

    @property
    def level_list(self) -> list[str]:
        return split_levels(self.levels)

    def suits(self, level: str) -> bool:
        """Return whether the question suits a role's level; one with no levels suits all."""
        levels = self.level_list
        return not levels or "".join(level.split()).upper() in levels


class PlannedQuestion(db.Model):
    """A question of an interview's kit. One loop never holds a question twice, across all its interviews."""

    __tablename__ = "planned_questions"
    __table_args__ = (
        UniqueConstraint("loop_id", "question_id"),
        Index("ix_planned_questions_interview_principle", "interview_id", "principle_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The loop is the interview's (a trigger checks it), repeated here so the database can keep the rule above.
    loop_id: Mapped[int] = mapped_column(ForeignKey("loops.id", ondelete="CASCADE"))
    interview_id: Mapped[int] = mapped_column(ForeignKey("interviews.id", ondelete="CASCADE"))
    principle_id: Mapped[int] = mapped_column(ForeignKey("principles.id", ondelete="RESTRICT"))
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id", ondelete="RESTRICT"), index=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("question_versions.id", ondelete="RESTRICT"), index=True)
    chosen_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    interview = relationship("Interview")
    principle: Mapped[Principle] = relationship()
    question: Mapped[Question] = relationship()
    version: Mapped[QuestionVersion] = relationship()
    chosen_by: Mapped[User | None] = relationship()


class AskedQuestion(db.Model):
    """A question a feedback says was asked: a bank version, or one the interviewer made up."""

    __tablename__ = "asked_questions"
    __table_args__ = (
        UniqueConstraint("feedback_id", "question_id"),
        CheckConstraint("(question_id IS NULL) = (version_id IS NULL)", name="bank_question_has_version"),
        CheckConstraint("(version_id IS NULL) = (own_text IS NOT NULL)", name="bank_or_own"),
        CheckConstraint("own_text IS NULL OR length(trim(own_text)) > 0", name="own_text_not_blank"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    feedback_id: Mapped[int] = mapped_column(ForeignKey("feedback.id", ondelete="CASCADE"), index=True)
    principle_id: Mapped[int] = mapped_column(ForeignKey("principles.id", ondelete="RESTRICT"))
    question_id: Mapped[int | None] = mapped_column(ForeignKey("questions.id", ondelete="RESTRICT"), index=True)
    version_id: Mapped[int | None] = mapped_column(ForeignKey("question_versions.id", ondelete="RESTRICT"),
                                                   index=True)
    own_text: Mapped[str | None] = mapped_column(Text)

    feedback = relationship("Feedback")
    principle: Mapped[Principle] = relationship()
    question: Mapped[Question | None] = relationship()
    version: Mapped[QuestionVersion | None] = relationship()

    @property
    def text(self) -> str:
        return self.version.text if self.version is not None else (self.own_text or "")


class CoachingRule(StrEnum):
    """The names of the evidence-coaching rules (app/kits/coaching.py explains each)."""

    TOO_SHORT = "too_short"
    EXTREME_WITHOUT_EXAMPLE = "extreme_without_example"
    OPINION_ONLY = "opinion_only"
    PROTECTED_CHARACTERISTIC = "protected_characteristic"


class CoachingFlag(db.Model):
    """A coaching flag a feedback carried when it was sealed, kept so calibration can count them."""

    __tablename__ = "coaching_flags"
    __table_args__ = (one_of("rule", CoachingRule),)

    id: Mapped[int] = mapped_column(primary_key=True)
    feedback_id: Mapped[int] = mapped_column(ForeignKey("feedback.id", ondelete="CASCADE"), index=True)
    principle_id: Mapped[int | None] = mapped_column(ForeignKey("principles.id", ondelete="RESTRICT"))
    rule: Mapped[str] = mapped_column(String(32))
