"""Interviews: who meets the candidate, when, and which principles they probe; their calendar events."""

import uuid
from datetime import datetime, timedelta
from enum import StrEnum

from flask import current_app
from sqlalchemy import CheckConstraint, Column, ForeignKey, Index, String, Table, Text, text
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
        Index("ix_interviews_starts_at", "starts_at"),  # a week's interviews, for the interviewer suggestions
        # One in-house interview per interviewer per loop (the picker and the service say why).
        Index("uq_interviews_in_house_interviewer", "loop_id", "interviewer_id", unique=True,
              sqlite_where=text("kind = 'in_house'"), postgresql_where=text("kind = 'in_house'")),
        Index("uq_interviews_calendar_uid", "calendar_uid", unique=True),
        CheckConstraint("calendar_sequence >= 0", name="calendar_sequence_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    loop_id: Mapped[int] = mapped_column(ForeignKey("loops.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(EnumString(InterviewKind))
    interviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    duration_minutes: Mapped[int] = mapped_column(default=60)
    location: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The calendar event's identity (RFC 5545 UID), fixed at scheduling; every invitation, update,
    # cancellation and feed entry names it, so calendars update one event instead of adding another.
    calendar_uid: Mapped[str] = mapped_column(String(255), default=lambda: new_calendar_uid())
    # Bumped by every change a calendar must show (time, length, place, cancellation): RFC 5546's SEQUENCE.
    calendar_sequence: Mapped[int] = mapped_column(default=0, server_default=text("0"))
    # When the event last changed (its DTSTAMP and LAST-MODIFIED); None until the first change.
    calendar_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

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
    def calendar_stamp(self) -> datetime:
        """When the calendar event was last written: scheduled, or changed since."""
        return self.calendar_changed_at or self.created_at

    @property
    def counted_feedback(self):
        """The interviewer's feedback, the one that counts; a shadow's practice feedback never does."""
        return next((f for f in self.feedbacks if not f.is_practice), None)

    @property
    def submitted_feedback(self):
        """The counted feedback once it is submitted and sealed, else None."""
        feedback = self.counted_feedback
        return feedback if feedback is not None and feedback.is_submitted else None


def new_calendar_uid() -> str:
    """A UID no other event will ever have, under the instance's calendar domain.

    Random rather than the interview's id: SQLite hands a deleted row's id to the
    next row, and a calendar would take the new interview for the cancelled one.
    """
    return f"interview-{uuid.uuid4().hex}@{current_app.config['CALENDAR_DOMAIN']}"


class CancelledInterview(db.Model):
    """What calendars still need of an interview after it was cancelled (and deleted): its event.

    The private feeds list it as CANCELLED, with the same UID and a higher
    SEQUENCE, until its time has passed long enough; the interviewer's
    cancellation mail is written from it.
    """

    __tablename__ = "cancelled_interviews"
    __table_args__ = (
        one_of("kind", InterviewKind),
        CheckConstraint("duration_minutes BETWEEN 15 AND 480", name="duration_range"),
        CheckConstraint("calendar_sequence > 0", name="calendar_sequence_positive"),
        Index("ix_cancelled_interviews_interviewer_starts", "interviewer_id", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    loop_id: Mapped[int] = mapped_column(ForeignKey("loops.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(EnumString(InterviewKind))
    interviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    duration_minutes: Mapped[int]
    location: Mapped[str] = mapped_column(Text, default="")
    calendar_uid: Mapped[str] = mapped_column(String(255), unique=True)
    calendar_sequence: Mapped[int]
    cancelled_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    cancelled_by_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))

    loop = relationship("Loop")
    interviewer: Mapped[User] = relationship(foreign_keys=[interviewer_id])

    def __repr__(self) -> str:
        return f"<CancelledInterview {self.id} {self.calendar_uid}>"

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + timedelta(minutes=self.duration_minutes)

    @property
    def calendar_stamp(self) -> datetime:
        return self.cancelled_at


class CalendarFeed(db.Model):
    """A person's private calendar feed: the digest of the secret in its URL (app/tokens.py), one per person."""

    __tablename__ = "calendar_feeds"
    __table_args__ = (
        CheckConstraint("length(token_digest) = 64", name="token_digest_length"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    token_digest: Mapped[str] = mapped_column(String(64), unique=True)
    token_hint: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<CalendarFeed {self.id} user={self.user_id}>"
