"""The append-only, hash-chained audit trail, and the personal data its entries refer to."""

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, event, func, select
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from app.db_types import UTCDateTime, not_blank, utcnow
from app.extensions import db
from app.people.models import User


class AuditPersonalData(db.Model):
    """What an entry says about a candidate (a rationale, a close reason, their name), kept apart.

    The entry holds only a salted digest of this row's content, so erasing the
    candidate clears the row (content and salt) while the chain stays intact
    and the digest can no longer be matched against a guessed name. The
    database admits one change to a row: its erasure.
    """

    __tablename__ = "audit_personal_data"
    __table_args__ = (
        CheckConstraint("(erased_at IS NULL) = (salt IS NOT NULL)", name="erased_has_no_salt"),
        CheckConstraint("erased_at IS NULL OR (reason IS NULL AND details IS NULL)", name="erased_is_empty"),
    )

    entry_id: Mapped[int] = mapped_column(ForeignKey("audit_entries.id", ondelete="RESTRICT"), primary_key=True)
    candidate_id: Mapped[int | None] = mapped_column(ForeignKey("candidates.id", ondelete="RESTRICT"), index=True)
    salt: Mapped[str | None] = mapped_column(String(32))
    reason: Mapped[str | None] = mapped_column(Text)
    details: Mapped[dict | None] = mapped_column(JSON(none_as_null=True))
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def is_erased(self) -> bool:
        return self.erased_at is not None


class AuditEntry(db.Model):
    """Who did what, when, from which state to which, and why.

    Rows are only ever inserted: the ORM refuses updates and deletes, and
    database triggers refuse them too, but one: sealing an entry into the
    chain (`seq`, `prev_hash`, `entry_hash`) when its transaction commits,
    once (see app/audit/chain.py).
    """

    __tablename__ = "audit_entries"
    __table_args__ = (
        not_blank("action"),
        Index("ix_audit_entries_loop_at", "loop_id", "at"),
        Index("ix_audit_entries_subject", "subject_type", "subject_id"),
        CheckConstraint("(seq IS NULL) = (entry_hash IS NULL) AND (seq IS NULL) = (prev_hash IS NULL)",
                        name="sealed_whole"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    action: Mapped[str] = mapped_column(String(64))
    subject_type: Mapped[str] = mapped_column(String(40))
    subject_id: Mapped[int | None]
    loop_id: Mapped[int | None] = mapped_column(ForeignKey("loops.id", ondelete="RESTRICT"))
    from_state: Mapped[str | None] = mapped_column(String(64))
    to_state: Mapped[str | None] = mapped_column(String(64))
    # Reasons about no candidate; a candidate's go to AuditPersonalData (see `reason`).
    stored_reason: Mapped[str] = mapped_column("reason", Text, default="")
    details: Mapped[dict] = mapped_column(JSON, default=dict)
    personal_digest: Mapped[str | None] = mapped_column(String(64))
    # The chain: position, the previous entry's hash, this entry's hash; set when the transaction commits.
    seq: Mapped[int | None] = mapped_column(unique=True)
    prev_hash: Mapped[str | None] = mapped_column(String(64))
    entry_hash: Mapped[str | None] = mapped_column(String(64))

    actor: Mapped[User | None] = relationship()
    personal: Mapped[AuditPersonalData | None] = relationship(lazy="selectin", cascade="save-update")

    def __repr__(self) -> str:
        return f"<AuditEntry {self.id} {self.action} {self.subject_type}:{self.subject_id}>"

    @hybrid_property
    def reason(self) -> str:
        """The entry's reason, wherever it is kept; empty once the candidate it named was erased."""
        if self.personal is not None:
            return self.personal.reason or ""
        return self.stored_reason

    @reason.inplace.expression
    @classmethod
    def _reason_expression(cls):
        personal = (select(AuditPersonalData.reason).where(AuditPersonalData.entry_id == cls.id)
                    .scalar_subquery())
        return func.coalesce(personal, cls.stored_reason)

    @property
    def is_erased(self) -> bool:
        return self.personal is not None and self.personal.is_erased

    @property
    def actor_label(self) -> str:
        """Who acted, in words: a person, the identity provider's token, or the system."""
        if self.actor is not None:
            return self.actor.name
        if (self.details or {}).get("via") == "scim":
            return f"SCIM token {self.details.get('scim_token', '')}…"
        return "the system"


class AuditChain(db.Model):
    """The chain's head: how many entries are sealed and the last one's hash (one row, id 1).

    Every commit that adds entries locks this row to number them, so two
    transactions never chain onto the same predecessor.
    """

    __tablename__ = "audit_chain"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"), CheckConstraint("length >= 0",
                                                                                    name="length_not_negative"))

    id: Mapped[int] = mapped_column(primary_key=True)
    length: Mapped[int] = mapped_column(default=0)
    head_hash: Mapped[str] = mapped_column(String(64))


class AuditTrailIsAppendOnly(RuntimeError):
    """Raised when code tries to change or remove an audit entry."""


@event.listens_for(Session, "before_flush")
def _refuse_audit_changes(session, flush_context, instances):
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, AuditEntry | AuditPersonalData) and (obj in session.deleted
                                                                 or session.is_modified(obj)):
            raise AuditTrailIsAppendOnly("audit entries cannot be changed or deleted")
