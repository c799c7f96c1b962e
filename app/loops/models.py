"""Loops: one candidate for one requisition, moving through eight steps."""

from datetime import datetime
from enum import IntEnum, StrEnum

from sqlalchemy import Boolean, CheckConstraint, FetchedValue, ForeignKey, Index, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db_types import EnumString, UTCDateTime, one_of, utcnow
from app.extensions import db
from app.people.models import User


class Step(IntEnum):
    JOB_DESCRIPTION = 1
    RESUME_REVIEW = 2
    PHONE_SCREEN = 3
    IN_HOUSE_INTERVIEWS = 4
    WRITTEN_FEEDBACK = 5
    DEBRIEF = 6
    REFERENCE_CHECK = 7
    OFFER = 8

    @property
    def label(self) -> str:
        return STEP_LABELS[self]


STEP_LABELS = {
    Step.JOB_DESCRIPTION: "Job description",
    Step.RESUME_REVIEW: "Résumé review",
    Step.PHONE_SCREEN: "Phone screen",
    Step.IN_HOUSE_INTERVIEWS: "In-house interviews",
    Step.WRITTEN_FEEDBACK: "Written feedback",
    Step.DEBRIEF: "Debrief",
    Step.REFERENCE_CHECK: "Reference check",
    Step.OFFER: "Offer",
}


class LoopStatus(StrEnum):
    OPEN = "open"
    HIRED = "hired"
    NOT_HIRED = "not_hired"  # No hire or vetoed at the debrief
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"

    @property
    def label(self) -> str:
        return {
            "open": "Open",
            "hired": "Hired",
            "not_hired": "Not hired",
            "rejected": "Rejected",
            "withdrawn": "Withdrawn",
        }[self.value]


class LoopRole(StrEnum):
    """The parts a person plays in one loop; one person may hold several."""

    RECRUITER = "recruiter"
    HIRING_MANAGER = "hiring_manager"
    BAR_RAISER = "bar_raiser"
    SHADOW = "shadow"
    INTERVIEWER = "interviewer"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ")


# The roles held through a column of the loop itself, as opposed to an interview.
SEATED_ROLES = (LoopRole.RECRUITER, LoopRole.HIRING_MANAGER, LoopRole.BAR_RAISER, LoopRole.SHADOW)


class Loop(db.Model):
    __tablename__ = "loops"
    __table_args__ = (
        CheckConstraint("step BETWEEN 2 AND 8", name="step_range"),
        one_of("status", LoopStatus),
        CheckConstraint("(status = 'open') = (closed_at IS NULL)", name="closed_has_time"),
        CheckConstraint("status <> 'hired' OR step = 8", name="hired_at_offer"),
        CheckConstraint("status <> 'not_hired' OR step = 6", name="not_hired_at_debrief"),
        CheckConstraint(
            "status NOT IN ('rejected', 'not_hired') OR length(trim(close_reason)) > 0",
            name="closed_has_reason",
        ),
        CheckConstraint("step < 5 OR bar_raiser_id IS NOT NULL", name="bar_raiser_from_feedback"),
        CheckConstraint("bar_raiser_id <> hiring_manager_id", name="bar_raiser_not_hiring_manager"),
        CheckConstraint("bar_raiser_id <> recruiter_id", name="bar_raiser_not_recruiter"),
        CheckConstraint(
            "shadow_id <> bar_raiser_id AND shadow_id <> hiring_manager_id",
            name="shadow_distinct",
        ),
        # A reverse shadow acts as the loop's bar raiser while the certified bar raiser supervises.
        CheckConstraint("NOT is_reverse_shadow OR (shadow_id IS NOT NULL AND bar_raiser_id IS NOT NULL)",
                        name="reverse_shadow_has_people"),
        # One open loop per candidate and requisition; a closed one may be reopened as new.
        Index(
            "uq_loops_open_candidate_requisition",
            "requisition_id",
            "candidate_id",
            unique=True,
            sqlite_where=text("status = 'open'"),
            postgresql_where=text("status = 'open'"),
        ),
        Index("ix_loops_status_step", "status", "step"),
        Index("ix_loops_closed_at", "closed_at"),  # the loops closed since a moment (a week's interviews)
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    requisition_id: Mapped[int] = mapped_column(ForeignKey("requisitions.id", ondelete="RESTRICT"), index=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidates.id", ondelete="RESTRICT"), index=True)
    recruiter_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    hiring_manager_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    bar_raiser_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    shadow_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    is_reverse_shadow: Mapped[bool] = mapped_column(Boolean, default=False)
    step: Mapped[int] = mapped_column(default=Step.RESUME_REVIEW)
    status: Mapped[str] = mapped_column(EnumString(LoopStatus), default=LoopStatus.OPEN)
    close_reason: Mapped[str | None] = mapped_column(Text)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    step_entered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    version: Mapped[int] = mapped_column(default=1)
    # Moved by the database whenever anything the debrief report shows changes (migration 0016's triggers).
    report_version: Mapped[int] = mapped_column(server_default=text("1"), server_onupdate=FetchedValue())

    __mapper_args__ = {"version_id_col": version}

    requisition = relationship("Requisition")
    candidate = relationship("Candidate")
    recruiter: Mapped[User] = relationship(foreign_keys=[recruiter_id])
    hiring_manager: Mapped[User] = relationship(foreign_keys=[hiring_manager_id])
    bar_raiser: Mapped[User | None] = relationship(foreign_keys=[bar_raiser_id])
    shadow: Mapped[User | None] = relationship(foreign_keys=[shadow_id])
    closed_by: Mapped[User | None] = relationship(foreign_keys=[closed_by_id])
    interviews = relationship(
        "Interview", back_populates="loop", order_by="Interview.starts_at", passive_deletes=True
    )
    screen_decisions = relationship("ScreenDecision", back_populates="loop", order_by="ScreenDecision.step",
                                    passive_deletes=True)
    decision = relationship("DebriefDecision", back_populates="loop", uselist=False, passive_deletes=True)
    final_votes = relationship("FinalVote", back_populates="loop", passive_deletes=True)
    references = relationship("Reference", back_populates="loop", order_by="Reference.contacted_on",
                              passive_deletes=True)
    offer = relationship("Offer", back_populates="loop", uselist=False, passive_deletes=True)
    brief = relationship("DebriefBrief", back_populates="loop", uselist=False, passive_deletes=True)
    agenda_notes = relationship("AgendaNote", back_populates="loop", passive_deletes=True)
    practice_verdict = relationship("PracticeVerdict", back_populates="loop", uselist=False, passive_deletes=True)

    def __repr__(self) -> str:
        return f"<Loop {self.id} step={self.step} {self.status}>"

    @property
    def current_step(self) -> Step:
        return Step(self.step)

    @property
    def is_open(self) -> bool:
        return self.status == LoopStatus.OPEN

    def roles_of(self, user: User) -> set[LoopRole]:
        """Return the roles `user` holds in this loop; empty for anyone not taking part."""
        roles = {role for role in SEATED_ROLES if getattr(self, f"{role}_id") == user.id}
        if any(i.interviewer_id == user.id for i in self.interviews):
            roles.add(LoopRole.INTERVIEWER)
        return roles

    @property
    def participants(self) -> list[User]:
        """Everyone who takes part in the loop, each once, active accounts only, by id."""
        people = [getattr(self, role) for role in SEATED_ROLES]
        people += [interview.interviewer for interview in self.interviews]
        unique = {person.id: person for person in people if person is not None and person.active}
        return sorted(unique.values(), key=lambda person: person.id)


class ScreenOutcome(StrEnum):
    ADVANCE = "advance"
    REJECT = "reject"


class ScreenDecision(db.Model):
    """The résumé screen (step 2) or the phone-screen proceed decision (step 3)."""

    __tablename__ = "screen_decisions"
    __table_args__ = (
        UniqueConstraint("loop_id", "step"),
        CheckConstraint("step IN (2, 3)", name="step_screens"),
        one_of("outcome", ScreenOutcome),
        CheckConstraint(
            "outcome <> 'reject' OR length(trim(reason)) > 0", name="reject_has_reason"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    loop_id: Mapped[int] = mapped_column(ForeignKey("loops.id", ondelete="CASCADE"))
    step: Mapped[int]
    outcome: Mapped[str] = mapped_column(EnumString(ScreenOutcome))
    reason: Mapped[str] = mapped_column(Text, default="")
    decided_by_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    loop: Mapped[Loop] = relationship(back_populates="screen_decisions")
    decided_by: Mapped[User] = relationship()


class LoopMember(db.Model):
    """One person taking part in one loop, with what the loop list sorts and filters by.

    The database keeps these rows (migration 0017's triggers on loops and
    interviews), so the loop list walks a person's own loops by index, a page
    at a time, however long their history. Taking part is what `roles_of`
    says: a seat (recruiter, hiring manager, bar raiser, shadow) or an
    interview. `flask rebuild-loop-members` makes them again from the loops.
    """

    __tablename__ = "loop_members"
    __table_args__ = (
        Index("ix_loop_members_person_status_waiting", "person_id", "status", "step_entered_at", "loop_id"),
        Index("ix_loop_members_person_waiting", "person_id", "step_entered_at", "loop_id"),
        Index("ix_loop_members_person_step_waiting", "person_id", "step", "step_entered_at", "loop_id"),
        one_of("status", LoopStatus),
    )

    person_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    loop_id: Mapped[int] = mapped_column(ForeignKey("loops.id", ondelete="CASCADE"), primary_key=True, index=True)
    requisition_id: Mapped[int] = mapped_column(ForeignKey("requisitions.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(EnumString(LoopStatus))
    step: Mapped[int]
    step_entered_at: Mapped[datetime] = mapped_column(UTCDateTime)
