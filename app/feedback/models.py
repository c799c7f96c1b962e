"""Written feedback: per-principle ratings with evidence, a vote, amendments."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db_types import EnumString, UTCDateTime, not_blank, one_of, utcnow
from app.extensions import db
from app.people.models import User
from app.principles.models import Principle


class Rating(StrEnum):
    RAISES_THE_BAR = "raises_the_bar"
    MEETS_THE_BAR = "meets_the_bar"
    BELOW_THE_BAR = "below_the_bar"
    STRONG_CONCERN = "strong_concern"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


class Vote(StrEnum):
    """The overall vote; there is deliberately no neutral option."""

    STRONGLY_INCLINED = "strongly_inclined"
    INCLINED = "inclined"
    NOT_INCLINED = "not_inclined"
    STRONGLY_NOT_INCLINED = "strongly_not_inclined"

    @property
    def label(self) -> str:
        return {
            "strongly_inclined": "Strongly inclined to hire",
            "inclined": "Inclined to hire",
            "not_inclined": "Not inclined",
            "strongly_not_inclined": "Strongly not inclined",
        }[self.value]

    @property
    def is_positive(self) -> bool:
        return self in (Vote.STRONGLY_INCLINED, Vote.INCLINED)


class FeedbackStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"


class Feedback(db.Model):
    __tablename__ = "feedback"
    __table_args__ = (
        UniqueConstraint("interview_id", "author_id"),
        # One counted feedback per interview; a shadow's practice feedback sits beside it.
        Index(
            "uq_feedback_counted_interview",
            "interview_id",
            unique=True,
            sqlite_where=text("is_practice = 0"),
            postgresql_where=text("is_practice = false"),
        ),
        one_of("status", FeedbackStatus),
        one_of("vote", Vote),
        CheckConstraint(
            "status <> 'submitted' OR (submitted_at IS NOT NULL AND vote IS NOT NULL"
            " AND raises_bar IS NOT NULL)",
            name="submitted_is_complete",
        ),
        CheckConstraint("status = 'submitted' OR submitted_at IS NULL", name="draft_not_submitted"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    interview_id: Mapped[int] = mapped_column(ForeignKey("interviews.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    is_practice: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(EnumString(FeedbackStatus), default=FeedbackStatus.DRAFT)
    vote: Mapped[str | None] = mapped_column(EnumString(Vote, 24))
    # "Better than half of current peers at this level?"
    raises_bar: Mapped[bool | None] = mapped_column(Boolean)
    summary: Mapped[str] = mapped_column(Text, default="")
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    interview = relationship("Interview", back_populates="feedbacks")
    author: Mapped[User] = relationship()
    ratings: Mapped[list["FeedbackRating"]] = relationship(
        back_populates="feedback", cascade="all, delete-orphan", passive_deletes=True
    )
    amendments: Mapped[list["Amendment"]] = relationship(
        back_populates="feedback", order_by="Amendment.created_at", passive_deletes=True
    )

    def __repr__(self) -> str:
        return f"<Feedback {self.id} interview={self.interview_id} {self.status}>"

    @property
    def is_submitted(self) -> bool:
        return self.status == FeedbackStatus.SUBMITTED


class FeedbackRating(db.Model):
    __tablename__ = "feedback_ratings"
    __table_args__ = (UniqueConstraint("feedback_id", "principle_id"), one_of("rating", Rating))

    id: Mapped[int] = mapped_column(primary_key=True)
    feedback_id: Mapped[int] = mapped_column(ForeignKey("feedback.id", ondelete="CASCADE"))
    principle_id: Mapped[int] = mapped_column(ForeignKey("principles.id", ondelete="RESTRICT"), index=True)
    rating: Mapped[str | None] = mapped_column(EnumString(Rating, 24))
    evidence: Mapped[str] = mapped_column(Text, default="")

    feedback: Mapped[Feedback] = relationship(back_populates="ratings")
    principle: Mapped[Principle] = relationship()


class Amendment(db.Model):
    """A dated note appended to sealed feedback; the original stays as it was."""

    __tablename__ = "amendments"
    __table_args__ = (not_blank("body"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    feedback_id: Mapped[int] = mapped_column(ForeignKey("feedback.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    feedback: Mapped[Feedback] = relationship(back_populates="amendments")
    author: Mapped[User] = relationship()
