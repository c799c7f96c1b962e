"""Interviews: who meets the candidate, when, and which principles they probe."""

from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import CheckConstraint, Column, ForeignKey, Index, Table, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db_types import EnumString, UTCDateTime, one_of, utcnow
from app.extensions import db
from app.people.models import User
from app.principles.models import Principle


class InterviewKind(StrEnum):
    PHONE_SCREEN = "phone_screen"
    IN_HOUSE = "in_house"

    @property
    def label(self) -> str:
        return {"phone_screen": "Phone screen", "in_house": "In-house"}[self.value]


interview_principles = Table(
    "interview_principles",
    db.metadata,
    Column("interview_id", ForeignKey("interviews.id", ondelete="CASCADE"), primary_key=True),
    Column("principle_id", ForeignKey("principles.id", ondelete="RESTRICT"), primary_key=True, index=True),
)


class Interview(db.Model):
    __tablename__ = "interviews"
    __table_args__ = (
        one_of("kind", InterviewKind),
        CheckConstraint("duration_minutes BETWEEN 15 AND 480", name="duration_range"),
        Index("ix_interviews_interviewer_starts", "interviewer_id", "starts_at"),
        # One in-house interview per interviewer per loop (the picker and the service say why).
        Index("uq_interviews_in_house_interviewer", "loop_id", "interviewer_id", unique=True,
              sqlite_where=text("kind = 'in_house'"), postgresql_where=text("kind = 'in_house'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    loop_id: Mapped[int] = mapped_column(ForeignKey("loops.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(EnumString(InterviewKind))
    interviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    duration_minutes: Mapped[int] = mapped_column(default=60)
    location: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    loop = relationship("Loop", back_populates="interviews")
    interviewer: Mapped[User] = relationship()
    principles: Mapped[list[Principle]] = relationship(
        secondary=interview_principles, order_by=Principle.position
    )
    feedbacks = relationship("Feedback", back_populates="interview", passive_deletes=True)

    def __repr__(self) -> str:
        return f"<Interview {self.id} {self.kind} loop={self.loop_id}>"

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + timedelta(minutes=self.duration_minutes)

    @property
    def counted_feedback(self):
        """The interviewer's feedback, the one that counts; a shadow's practice feedback never does."""
        return next((f for f in self.feedbacks if not f.is_practice), None)

    @property
    def submitted_feedback(self):
        """The counted feedback once it is submitted and sealed, else None."""
        feedback = self.counted_feedback
        return feedback if feedback is not None and feedback.is_submitted else None
