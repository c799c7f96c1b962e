"""Personal access tokens: made on a person's account page, shown once, revoked there; and the note of each use."""

from datetime import datetime, timedelta

from sqlalchemy import select

from app import tokens
from app.api.models import PersonalAccessToken, TokenScope
from app.audit.services import record
from app.db_types import utcnow
from app.errors import ServiceError
from app.extensions import db
from app.people.models import User

PREFIX = "hrt_pat_"
MAX_LIFETIME = timedelta(days=366)  # "at most a year", a leap year included
# A read is noted (last used, one audit entry) at most this often per token: reads never flood the trail.
READ_NOTE_INTERVAL = timedelta(minutes=5)


def tokens_of(user: User) -> list[PersonalAccessToken]:
    """The person's tokens, newest first, revoked and expired ones included (the list says which)."""
    return list(db.session.scalars(select(PersonalAccessToken).where(PersonalAccessToken.user_id == user.id)
                                   .order_by(PersonalAccessToken.created_at.desc(), PersonalAccessToken.id.desc())))


def create_token(actor: User, *, name: str, scope: str, expires_at: datetime,
                 now: datetime | None = None) -> tuple[PersonalAccessToken, str]:
    """Make a token for `actor`; return it and its plaintext, which is never stored and never shown again."""
    now = now or utcnow()
    name = " ".join((name or "").split())
    if not name:
        raise ServiceError("Name the token after what will use it.", field="name")
    if len(name) > 100:
        raise ServiceError("A token's name is at most 100 characters.", field="name")
    if scope not in {s.value for s in TokenScope}:
        raise ServiceError("Choose read or write.", field="scope")
    if expires_at is None or expires_at.tzinfo is None:
        raise ServiceError("Choose when the token expires.", field="expires_at")
    if expires_at <= now:
        raise ServiceError("Choose an expiry in the future.", field="expires_at")
    if expires_at > now + MAX_LIFETIME:
        raise ServiceError("A token lives at most a year; choose an earlier expiry.", field="expires_at")
    if not actor.active:
        raise ServiceError("A deactivated account makes no tokens.")
    issued = tokens.issue(PREFIX)
    token = PersonalAccessToken(user=actor, name=name, scope=TokenScope(scope), digest=issued.digest,
                                hint=issued.hint, created_at=now, expires_at=expires_at)
    db.session.add(token)
    db.session.flush()
    record("api.token_created", token, actor, name=name, scope=token.scope.value, hint=issued.hint,
           expires_at=expires_at.isoformat())
    return token, issued.plaintext


def revoke_token(token: PersonalAccessToken, actor: User) -> None:
    """Revoke one of the actor's own tokens; it stops working at once."""
    if token.user_id != actor.id:
        raise ServiceError("Only a token's owner revokes it.")
    if token.revoked_at is not None:
        raise ServiceError("This token is already revoked.")
    token.revoked_at = utcnow()
    record("api.token_revoked", token, actor, name=token.name, hint=token.hint)


def token_by_secret(presented: str) -> PersonalAccessToken | None:
    """The token a presented secret names, whatever its state; None for a secret we never issued."""
    if not presented.startswith(PREFIX):
        return None
    digest = tokens.digest_of(presented)
    return db.session.scalar(select(PersonalAccessToken).where(PersonalAccessToken.digest == digest))


def note_use(token: PersonalAccessToken, *, writes: bool, method: str, path: str) -> None:
    """Record a use: every write request gets an audit entry; reads at most one per READ_NOTE_INTERVAL.

    The trail is hash-chained, so each entry is a write that every other
    writer waits behind; an entry per GET would turn an integration's polling
    into the bulk of the trail. `last_used_at` is kept to the same interval.
    """
    now = utcnow()
    if writes:
        token.last_used_at = now
        record("api.write", token, token.user, method=method, path=path[:500], token=token.hint)
    elif token.last_used_at is None or now - token.last_used_at >= READ_NOTE_INTERVAL:
        token.last_used_at = now
        record("api.read", token, token.user, method=method, path=path[:500], token=token.hint)
