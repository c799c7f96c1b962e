"""The bar-raiser program's records beyond a person's state: sign-offs."""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db_types import UTCDateTime, not_blank, utcnow
from app.extensions import db
from app.people.models import User


class SignOff(db.Model):
    """A certified bar raiser's sign-off on a reverse shadow, with a note; never changed or withdrawn.

    `round_started_at` is when the trainee entered reverse shadow: a person who
    comes round the path again is signed off afresh, each signer once a round.
    """

    __tablename__ = "certification_signoffs"
    __table_args__ = (
        UniqueConstraint("trainee_id", "signer_id", "round_started_at"),
        CheckConstraint("trainee_id <> signer_id", name="not_self"),
        not_blank("note"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    trainee_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    signer_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    round_started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    note: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    trainee: Mapped[User] = relationship(foreign_keys=[trainee_id])
    signer: Mapped[User] = relationship(foreign_keys=[signer_id])
