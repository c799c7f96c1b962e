"""The debrief: final votes, the hiring manager's decision, the bar raiser's verdict."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db_types import EnumString, UTCDateTime, not_blank, one_of, utcnow
from app.extensions import db
from app.feedback.models import Vote
from app.people.models import User


class Outcome(StrEnum):
    HIRE = "hire"
    NO_HIRE = "no_hire"

    @property
    def label(self) -> str:
        return {"hire": "Hire", "no_hire": "No hire"}[self.value]


class Verdict(StrEnum):
    CONCUR = "concur"
    VETO = "veto"

    @property
    def label(self) -> str:
        return {"concur": "Concur", "veto": "Veto"}[self.value]


class FinalVote(db.Model):
    """An interviewer's vote at the debrief; the first vote is kept beside it."""

    __tablename__ = "final_votes"
    __table_args__ = (
        UniqueConstraint("loop_id", "interviewer_id"),
        one_of("vote", Vote),
        one_of("first_vote", Vote, name="first_vote_valid"),
        CheckConstraint(
            "vote = first_vote OR length(trim(reason)) > 0", name="change_has_reason"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    loop_id: Mapped[int] = mapped_column(ForeignKey("loops.id", ondelete="CASCADE"))
    interviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    first_vote: Mapped[str] = mapped_column(EnumString(Vote, 24))
    vote: Mapped[str] = mapped_column(EnumString(Vote, 24))
    reason: Mapped[str] = mapped_column(Text, default="")
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    loop = relationship("Loop", back_populates="final_votes")
    interviewer: Mapped[User] = relationship()


class DebriefDecision(db.Model):
    """The hiring manager's Hire / No hire and, for Hire, the bar raiser's verdict.

    The veto only says no: a verdict exists only on a Hire.
    """

    __tablename__ = "debrief_decisions"
    __table_args__ = (
        one_of("outcome", Outcome),
        one_of("verdict", Verdict),
        not_blank("rationale"),
        CheckConstraint("outcome = 'hire' OR verdict IS NULL", name="verdict_only_on_hire"),
        CheckConstraint(
            "verdict IS NULL OR (verdict_at IS NOT NULL AND verdict_by_id IS NOT NULL"
            " AND length(trim(verdict_rationale)) > 0)",
            name="verdict_is_complete",
        ),
        CheckConstraint("verdict IS NOT NULL OR verdict_at IS NULL", name="verdict_time_with_verdict"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    loop_id: Mapped[int] = mapped_column(ForeignKey("loops.id", ondelete="CASCADE"), unique=True)
    outcome: Mapped[str] = mapped_column(EnumString(Outcome))
    rationale: Mapped[str] = mapped_column(Text)
    decided_by_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    verdict: Mapped[str | None] = mapped_column(EnumString(Verdict))
    verdict_rationale: Mapped[str | None] = mapped_column(Text)
    verdict_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    verdict_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    loop = relationship("Loop", back_populates="decision")
    decided_by: Mapped[User] = relationship(foreign_keys=[decided_by_id])
    verdict_by: Mapped[User | None] = relationship(foreign_keys=[verdict_by_id])

    @property
    def is_vetoed(self) -> bool:
        return self.verdict == Verdict.VETO


class BriefStatus(StrEnum):
    DRAFT = "draft"
    READY = "ready"


class DebriefBrief(db.Model):
    """The bar raiser's pre-debrief summary: drafted once every feedback is in, then marked ready.

    Once ready it is what the loop's people read at the debrief and what the PDF
    prints, so it is never changed again (a trigger keeps it so).
    """

    __tablename__ = "debrief_briefs"
    __table_args__ = (
        one_of("status", BriefStatus),
        CheckConstraint("(status = 'ready') = (ready_at IS NOT NULL)", name="ready_has_time"),
        CheckConstraint("status <> 'ready' OR length(trim(body)) > 0", name="ready_has_body"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    loop_id: Mapped[int] = mapped_column(ForeignKey("loops.id", ondelete="CASCADE"), unique=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    body: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(EnumString(BriefStatus), default=BriefStatus.DRAFT)
    ready_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    loop = relationship("Loop", back_populates="brief")
    author: Mapped[User] = relationship()

    @property
    def is_ready(self) -> bool:
        return self.status == BriefStatus.READY


class AgendaNote(db.Model):
    """What the debrief's discussion of one principle established, in the bar raiser's words."""

    __tablename__ = "agenda_notes"
    __table_args__ = (UniqueConstraint("loop_id", "principle_id"), not_blank("body"))

    id: Mapped[int] = mapped_column(primary_key=True)
    loop_id: Mapped[int] = mapped_column(ForeignKey("loops.id", ondelete="CASCADE"))
    principle_id: Mapped[int] = mapped_column(ForeignKey("principles.id", ondelete="RESTRICT"))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    body: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    loop = relationship("Loop", back_populates="agenda_notes")
    author: Mapped[User] = relationship()
    principle = relationship("Principle")


class PracticeVerdict(db.Model):
    """A reverse shadow's Concur or Veto: recorded before the decision, shown beside the real one, never counted."""

    __tablename__ = "practice_verdicts"
    __table_args__ = (one_of("verdict", Verdict), not_blank("rationale"))

    id: Mapped[int] = mapped_column(primary_key=True)
    loop_id: Mapped[int] = mapped_column(ForeignKey("loops.id", ondelete="CASCADE"), unique=True)
    trainee_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    verdict: Mapped[str] = mapped_column(EnumString(Verdict))
    rationale: Mapped[str] = mapped_column(Text)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    loop = relationship("Loop", back_populates="practice_verdict")
    trainee: Mapped[User] = relationship()
