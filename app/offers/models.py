"""The offer at step 8."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db_types import EnumString, UTCDateTime, one_of, utcnow
from app.extensions import db
from app.people.models import User


class OfferStatus(StrEnum):
    EXTENDED = "extended"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    RESCINDED = "rescinded"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class Offer(db.Model):
    __tablename__ = "offers"
    __table_args__ = (
        one_of("status", OfferStatus),
        CheckConstraint(
            "(status = 'extended') = (resolved_at IS NULL)", name="resolved_has_time"
        ),
        CheckConstraint(
            "resolved_at IS NULL OR resolved_by_id IS NOT NULL", name="resolved_has_actor"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    loop_id: Mapped[int] = mapped_column(ForeignKey("loops.id", ondelete="CASCADE"), unique=True)
    status: Mapped[str] = mapped_column(EnumString(OfferStatus), default=OfferStatus.EXTENDED)
    terms: Mapped[str] = mapped_column(Text, default="")
    extended_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    extended_by_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    loop = relationship("Loop", back_populates="offer")
    extended_by: Mapped[User] = relationship(foreign_keys=[extended_by_id])
    resolved_by: Mapped[User | None] = relationship(foreign_keys=[resolved_by_id])
