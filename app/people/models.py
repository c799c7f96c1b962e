"""People: org units and users."""

import secrets
from datetime import datetime
from enum import StrEnum

from flask import current_app
from flask_login import UserMixin
from sqlalchemy import Boolean, CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from app.db_types import EnumString, UTCDateTime, not_blank, one_of, utcnow
from app.extensions import db


class Certification(StrEnum):
    NONE = "none"
    IN_TRAINING = "in_training"
    CERTIFIED = "certified"

    @property
    def label(self) -> str:
        return {"none": "None", "in_training": "In training", "certified": "Certified"}[self.value]


class OrgUnit(db.Model):
    __tablename__ = "org_units"
    __table_args__ = (not_blank("name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<OrgUnit {self.name}>"


def new_session_token() -> str:
    """Return a fresh token; rotating it signs the user out everywhere."""
    return secrets.token_urlsafe(32)


class User(UserMixin, db.Model):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint("email = lower(email)", name="email_lowercase"),
        not_blank("email"),
        not_blank("name"),
        one_of("certification", Certification),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    org_unit_id: Mapped[int | None] = mapped_column(
        ForeignKey("org_units.id", ondelete="RESTRICT"), index=True
    )
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    is_recruiter: Mapped[bool] = mapped_column(Boolean, default=False)
    certification: Mapped[str] = mapped_column(EnumString(Certification), default=Certification.NONE)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    session_token: Mapped[str] = mapped_column(String(64), default=new_session_token)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    org_unit: Mapped[OrgUnit | None] = relationship(lazy="joined")

    def __repr__(self) -> str:
        return f"<User {self.email}>"

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_certified_bar_raiser(self) -> bool:
        return self.certification == Certification.CERTIFIED

    @property
    def is_bar_raiser_in_training(self) -> bool:
        return self.certification == Certification.IN_TRAINING

    def get_id(self) -> str:
        # The token in the id lets the server end every session of a user.
        return f"{self.id}:{self.session_token}"

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])
        self.session_token = new_session_token()

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)
