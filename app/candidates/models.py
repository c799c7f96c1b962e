"""Candidates and their résumés."""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db_types import UTCDateTime, not_blank, utcnow
from app.extensions import db
from app.people.models import User


class Candidate(db.Model):
    __tablename__ = "candidates"
    __table_args__ = (
        not_blank("name"),
        CheckConstraint("email = lower(email)", name="email_lowercase"),
        CheckConstraint(
            "(resume_file IS NULL) = (resume_filename IS NULL)", name="resume_file_named"
        ),
        # An applicant-tracking system's own id for the candidate: one candidate per id.
        Index("uq_candidates_external_id", "external_id", unique=True),
        # The search's substring match of names and e-mails, read through trigrams on PostgreSQL (pg_trgm).
        Index("ix_candidates_name_trgm", "name", postgresql_using="gist", postgresql_ops={"name": "gist_trgm_ops"})
        .ddl_if(dialect="postgresql"),
        Index("ix_candidates_email_trgm", "email", postgresql_using="gist", postgresql_ops={"email": "gist_trgm_ops"})
        .ddl_if(dialect="postgresql"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    # Not unique: a second candidate with the same e-mail is flagged, not refused.
    email: Mapped[str | None] = mapped_column(String(254), index=True)
    phone: Mapped[str | None] = mapped_column(String(40))
    external_id: Mapped[str | None] = mapped_column(String(120))
    source: Mapped[str | None] = mapped_column(String(120))
    resume_url: Mapped[str | None] = mapped_column(String(2000))
    resume_file: Mapped[str | None] = mapped_column(String(80))
    resume_filename: Mapped[str | None] = mapped_column(String(255))
    notes: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    anonymized_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    created_by: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<Candidate {self.id} {self.name}>"

    @property
    def is_erased(self) -> bool:
        """Whether retention erased this candidate's personal data: the row is then never written again."""
        return self.anonymized_at is not None
