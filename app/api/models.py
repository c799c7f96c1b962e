"""Personal access tokens: a person's bearer secret for the JSON API, acting as them and never more."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db_types import EnumString, UTCDateTime, not_blank, one_of, utcnow
from app.extensions import db
from app.people.models import User
from app.tokens import DIGEST_LENGTH


class TokenScope(StrEnum):
    READ = "read"
    WRITE = "write"

    @property
    def label(self) -> str:
        return {"read": "Read only", "write": "Read and write"}[self.value]


class PersonalAccessToken(db.Model):
    __tablename__ = "personal_access_tokens"
    __table_args__ = (
        not_blank("name"),
        one_of("scope", TokenScope),
        CheckConstraint("expires_at > created_at", name="expires_after_creation"),
        CheckConstraint("revoked_at IS NULL OR revoked_at >= created_at", name="revoked_after_creation"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    scope: Mapped[str] = mapped_column(EnumString(TokenScope, 8))
    digest: Mapped[str] = mapped_column(String(DIGEST_LENGTH), unique=True)
    hint: Mapped[str] = mapped_column(String(24))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<PersonalAccessToken {self.id} {self.hint}…>"

    @property
    def can_write(self) -> bool:
        return self.scope == TokenScope.WRITE

    def is_live(self, now: datetime) -> bool:
        """Not revoked, not expired, and its person still has an active account."""
        return self.revoked_at is None and now < self.expires_at and self.user.active
