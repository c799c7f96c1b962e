"""References taken at step 7."""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db_types import EnumString, UTCDateTime, not_blank, one_of, utcnow
from app.extensions import db
from app.people.models import User


class ReferenceOutcome(StrEnum):
    SUPPORTS = "supports"
    CONCERNS = "concerns"

    @property
    def label(self) -> str:
        return {"supports": "Supports", "concerns": "Concerns"}[self.value]


class Reference(db.Model):
    __tablename__ = "loop_references"
    __table_args__ = (
        not_blank("name"),
        not_blank("relation"),
        not_blank("summary"),
        one_of("outcome", ReferenceOutcome),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    loop_id: Mapped[int] = mapped_column(ForeignKey("loops.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    relation: Mapped[str] = mapped_column(String(200))  # e.g. "former manager"
    contacted_on: Mapped[date]
    summary: Mapped[str] = mapped_column(Text)
    outcome: Mapped[str] = mapped_column(EnumString(ReferenceOutcome))
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    loop = relationship("Loop", back_populates="references")
    recorded_by: Mapped[User] = relationship()
