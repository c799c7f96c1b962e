"""Retention policies (a default and overrides per org unit or location) and legal holds."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db_types import EnumString, UTCDateTime, not_blank, one_of, utcnow
from app.extensions import db
from app.people.models import OrgUnit, User

# How a loop closed, and the policy column that says how long after it a candidate's data is kept.
KEEP_COLUMNS = {"hired": "hired_days", "not_hired": "not_hired_days", "rejected": "rejected_days",
                "withdrawn": "withdrawn_days"}
MAX_DAYS = 36500


class PolicyScope(StrEnum):
    DEFAULT = "default"
    ORG_UNIT = "org_unit"
    LOCATION = "location"


class RetentionPolicy(db.Model):
    """How many days after a loop closes, by how it closed, a candidate's personal data is kept."""

    __tablename__ = "retention_policies"
    __table_args__ = (
        one_of("scope", PolicyScope),
        CheckConstraint(
            "(scope = 'default' AND org_unit_id IS NULL AND location IS NULL)"
            " OR (scope = 'org_unit' AND org_unit_id IS NOT NULL AND location IS NULL)"
            " OR (scope = 'location' AND location IS NOT NULL AND org_unit_id IS NULL)",
            name="scope_matches",
        ),
        *(CheckConstraint(f"{column} BETWEEN 0 AND {MAX_DAYS}", name=f"{column}_range")
          for column in KEEP_COLUMNS.values()),
        Index("uq_retention_policies_default", "scope", unique=True, sqlite_where=text("scope = 'default'"),
              postgresql_where=text("scope = 'default'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    scope: Mapped[str] = mapped_column(EnumString(PolicyScope))
    org_unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id", ondelete="CASCADE"), unique=True)
    location: Mapped[str | None] = mapped_column(String(120), unique=True)
    hired_days: Mapped[int]
    not_hired_days: Mapped[int]
    rejected_days: Mapped[int]
    withdrawn_days: Mapped[int]
    updated_by_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    org_unit: Mapped[OrgUnit | None] = relationship()
    updated_by: Mapped[User] = relationship()

    @property
    def label(self) -> str:
        if self.scope == PolicyScope.DEFAULT:
            return "Default policy"
        if self.scope == PolicyScope.ORG_UNIT:
            return f"Org unit {self.org_unit.name}"
        return f"Location {self.location}"

    def days_for(self, status: str) -> int:
        return getattr(self, KEEP_COLUMNS[str(status)])


class LegalHold(db.Model):
    """Nothing under a hold (a candidate, a requisition's candidates, an org unit's) is erased until released."""

    __tablename__ = "legal_holds"
    __table_args__ = (
        not_blank("reason"),
        CheckConstraint(
            "(CASE WHEN candidate_id IS NULL THEN 0 ELSE 1 END) + (CASE WHEN requisition_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN org_unit_id IS NULL THEN 0 ELSE 1 END) = 1",
            name="holds_one_thing",
        ),
        CheckConstraint("(released_at IS NULL) = (released_by_id IS NULL)", name="released_has_actor"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int | None] = mapped_column(ForeignKey("candidates.id", ondelete="RESTRICT"), index=True)
    requisition_id: Mapped[int | None] = mapped_column(ForeignKey("requisitions.id", ondelete="RESTRICT"),
                                                       index=True)
    org_unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id", ondelete="RESTRICT"), index=True)
    reason: Mapped[str] = mapped_column(Text)
    placed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    placed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    released_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    candidate = relationship("Candidate")
    requisition = relationship("Requisition")
    org_unit: Mapped[OrgUnit | None] = relationship()
    placed_by: Mapped[User] = relationship(foreign_keys=[placed_by_id])
    released_by: Mapped[User | None] = relationship(foreign_keys=[released_by_id])

    @property
    def is_active(self) -> bool:
        return self.released_at is None

    @property
    def target(self) -> str:
        """What the hold covers, in words."""
        if self.candidate_id is not None:
            return f"candidate {self.candidate.name}"
        if self.requisition_id is not None:
            return f"requisition “{self.requisition.title}” ({self.requisition.level})"
        return f"org unit {self.org_unit.name}"


class RetentionDate(db.Model):
    """When a candidate whose loops have all closed may be erased: the retention page and the purge read these
    rows by their indexes instead of computing every candidate's status.

    A row exists only for a candidate not yet erased whose every loop is closed;
    `rules.refresh_dates` writes it when a loop closes or a policy changes and
    removes it when a loop opens or the candidate is erased. `erase_on` is the
    policies' date, legal holds aside; NULL when no policy covers one of the loops.
    """

    __tablename__ = "retention_dates"
    __table_args__ = (
        CheckConstraint("erase_on IS NULL OR erase_on >= loops_closed_at", name="erased_after_closing"),
        Index("ix_retention_dates_erase_on", "erase_on", "candidate_id"),
        Index("ix_retention_dates_loops_closed_at", "loops_closed_at", "candidate_id"),
    )

    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidates.id", ondelete="CASCADE"), primary_key=True)
    loops_closed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    erase_on: Mapped[datetime | None] = mapped_column(UTCDateTime)
