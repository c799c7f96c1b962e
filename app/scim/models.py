"""The bearer tokens an identity provider presents to /scim/v2."""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db_types import UTCDateTime, not_blank, utcnow
from app.extensions import db
from app.people.models import User
from app.tokens import DIGEST_LENGTH


class ScimToken(db.Model):
    """A provisioning token: shown once when made, kept as its digest, revoked but never deleted."""

    __tablename__ = "scim_tokens"
    __table_args__ = (
        not_blank("hint"),
        CheckConstraint(f"length(digest) = {DIGEST_LENGTH}", name="digest_length"),
        CheckConstraint("(revoked_at IS NULL) = (revoked_by_id IS NULL)", name="revoked_whole"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    digest: Mapped[str] = mapped_column(String(DIGEST_LENGTH), unique=True)
    hint: Mapped[str] = mapped_column(String(32))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))

    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])
    revoked_by: Mapped[User | None] = relationship(foreign_keys=[revoked_by_id])

    def __repr__(self) -> str:
        return f"<ScimToken {self.hint}>"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None
