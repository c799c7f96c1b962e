"""Requisitions: an approved job description with its target principles."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, CheckConstraint, Column, ForeignKey, Index, String, Table, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db_types import EnumString, UTCDateTime, not_blank, one_of, utcnow
from app.extensions import db
from app.people.models import OrgUnit, User, level_number
from app.principles.models import Principle


class RequisitionStatus(StrEnum):
    DRAFT = "draft"
    APPROVED = "approved"
    CLOSED = "closed"


requisition_principles = Table(
    "requisition_principles",
    db.metadata,
    Column("requisition_id", ForeignKey("requisitions.id", ondelete="CASCADE"), primary_key=True),
    Column("principle_id", ForeignKey("principles.id", ondelete="RESTRICT"), primary_key=True, index=True),
)


class Requisition(db.Model):
    __tablename__ = "requisitions"
    __table_args__ = (
        not_blank("title"),
        not_blank("level"),
        one_of("status", RequisitionStatus),
        CheckConstraint(
            "status = 'draft' OR (approved_at IS NOT NULL AND approved_by_id IS NOT NULL"
            " AND length(trim(job_description)) > 0)",
            name="approved_has_approval",
        ),
        CheckConstraint("(status = 'closed') = (closed_at IS NOT NULL)", name="closed_has_time"),
        # The open ones, for the requisitions page: as many as the pipeline holds, however many have closed.
        Index("ix_requisitions_open_created_at", "created_at", sqlite_where=text("status IN ('draft', 'approved')"),
              postgresql_where=text("status IN ('draft', 'approved')")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    level: Mapped[str] = mapped_column(String(40))
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id", ondelete="RESTRICT"), index=True)
    hiring_manager_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    recruiter_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    job_description: Mapped[str] = mapped_column(Text, default="")
    # The new hire will manage people: the hiring manager's reports would move under them.
    manages_people: Mapped[bool] = mapped_column(Boolean, default=False)
    # Where the role is based; retention policies may differ by location.
    location: Mapped[str | None] = mapped_column(String(120), index=True)
    status: Mapped[str] = mapped_column(EnumString(RequisitionStatus), default=RequisitionStatus.DRAFT, index=True)
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)  # the metrics filter's latest
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    org_unit: Mapped[OrgUnit] = relationship()
    hiring_manager: Mapped[User] = relationship(foreign_keys=[hiring_manager_id])
    recruiter: Mapped[User] = relationship(foreign_keys=[recruiter_id])
    approved_by: Mapped[User | None] = relationship(foreign_keys=[approved_by_id])
    principles: Mapped[list[Principle]] = relationship(
        secondary=requisition_principles, order_by=Principle.position
    )

    def __repr__(self) -> str:
        return f"<Requisition {self.id} {self.title}>"

    @property
    def level_number(self) -> int | None:
        return level_number(self.level)

    @property
    def is_approved(self) -> bool:
        return self.status == RequisitionStatus.APPROVED
