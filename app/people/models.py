"""People: org units and users."""

import secrets
from datetime import datetime
from enum import StrEnum

from flask import current_app
from flask_login import UserMixin
from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates
from werkzeug.security import check_password_hash, generate_password_hash

from app.db_types import EnumString, UTCDateTime, not_blank, one_of, utcnow
from app.extensions import db
from app.integers import parse_int


class Certification(StrEnum):
    """Where a person stands on the bar-raiser path (app/program/certification.py moves them)."""

    NONE = "none"
    NOMINATED = "nominated"
    IN_TRAINING = "in_training"
    SHADOWING = "shadowing"
    REVERSE_SHADOW = "reverse_shadow"
    CERTIFIED = "certified"
    PAUSED = "paused"
    RETIRED = "retired"

    @property
    def label(self) -> str:
        return CERTIFICATION_LABELS[self]

    @property
    def is_trainee(self) -> bool:
        """On the path to certification, past the nomination."""
        return self in (Certification.IN_TRAINING, Certification.SHADOWING, Certification.REVERSE_SHADOW)

    @property
    def can_shadow(self) -> bool:
        """May join a loop as an observing shadow who writes practice feedback."""
        return self in (Certification.IN_TRAINING, Certification.SHADOWING)


CERTIFICATION_LABELS = {
    Certification.NONE: "None",
    Certification.NOMINATED: "Nominated",
    Certification.IN_TRAINING: "In training",
    Certification.SHADOWING: "Shadowing",
    Certification.REVERSE_SHADOW: "Reverse shadow",
    Certification.CERTIFIED: "Certified",
    Certification.PAUSED: "Paused",
    Certification.RETIRED: "Retired",
}

# Job levels run L1 to L12, the scale requisitions name their level on ("L6").
LEVEL_RANGE = (1, 12)


def level_number(level: str | None) -> int | None:
    """Read a requisition's level ("L6", "l 7", "6") as its number on the scale, or None."""
    digits = "".join(ch for ch in (level or "") if ch in "0123456789")  # ASCII only: "L²" is no level
    return parse_int(digits, minimum=LEVEL_RANGE[0], maximum=LEVEL_RANGE[1])


class OrgUnit(db.Model):
    __tablename__ = "org_units"
    __table_args__ = (not_blank("name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<OrgUnit {self.name}>"


# The password hash of an account that signs in at the provider only: Werkzeug matches no password to it.
UNUSABLE_HASH = ""


def new_session_token() -> str:
    """Return a fresh token; rotating it signs the user out everywhere."""
    return secrets.token_urlsafe(32)


class User(UserMixin, db.Model):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint("email = lower(email)", name="email_lowercase"),
        not_blank("email"),
        not_blank("name"),
        CheckConstraint("external_id IS NULL OR length(trim(external_id)) > 0", name="external_id_not_blank"),
        one_of("certification", Certification),
        CheckConstraint(f"job_level BETWEEN {LEVEL_RANGE[0]} AND {LEVEL_RANGE[1]}", name="job_level_range"),
        CheckConstraint("manager_id <> id", name="not_own_manager"),
        CheckConstraint("certification = 'none' OR certification_since IS NOT NULL",
                        name="certification_has_since"),
        # A person's identity at the sign-in provider is whole (both parts) or absent, and names one account.
        CheckConstraint("(oidc_issuer IS NULL) = (oidc_subject IS NULL)", name="oidc_identity_whole"),
        Index("uq_users_oidc_issuer_oidc_subject", "oidc_issuer", "oidc_subject", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))  # empty: no password, signs in at the provider
    # Who the sign-in provider says this is: its issuer and the subject it gives the person there.
    oidc_issuer: Mapped[str | None] = mapped_column(String(255))
    oidc_subject: Mapped[str | None] = mapped_column(String(255))
    # May sign in with a password while password sign-in is turned off (PASSWORD_SIGN_IN=false).
    is_break_glass: Mapped[bool] = mapped_column(Boolean, default=False)
    # The identity provider's own id for the person (SCIM `externalId`), set when it provisions them.
    external_id: Mapped[str | None] = mapped_column(String(255), unique=True, index=True)
    org_unit_id: Mapped[int | None] = mapped_column(
        ForeignKey("org_units.id", ondelete="RESTRICT"), index=True
    )
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    is_recruiter: Mapped[bool] = mapped_column(Boolean, default=False)
    certification: Mapped[str] = mapped_column(EnumString(Certification), default=Certification.NONE)
    certification_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    job_level: Mapped[int | None]
    manager_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    session_token: Mapped[str] = mapped_column(String(64), default=new_session_token)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    org_unit: Mapped[OrgUnit | None] = relationship(lazy="joined")
    manager: Mapped["User | None"] = relationship(remote_side=[id])

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
        return Certification(self.certification).is_trainee

    @property
    def level_label(self) -> str:
        return f"L{self.job_level}" if self.job_level else "—"

    @validates("certification")
    def _stamp_certification(self, key, value):
        # Every change of state restarts the clock its requirements (sign-offs) count from.
        if value != self.certification:
            self.certification_since = utcnow()
        return value

    def get_id(self) -> str:
        # The token in the id lets the server end every session of a user.
        return f"{self.id}:{self.session_token}"

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])
        self.session_token = new_session_token()

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)
