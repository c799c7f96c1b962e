"""Private calendar feeds: one secret URL per person (kept as a digest, app/tokens.py) and what it lists."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from app.audit.services import record
from app.db_types import utcnow
from app.extensions import db
from app.interviews import calendar
from app.interviews.models import CalendarFeed, CancelledInterview, Interview
from app.loops.models import Loop
from app.people.models import User
from app.tokens import digest_of, issue

# However long a person's history, a feed lists at most this many events of each sort.
MAX_EVENTS = 500


def feed_of(person: User) -> CalendarFeed | None:
    return db.session.scalar(select(CalendarFeed).where(CalendarFeed.user_id == person.id))


def issue_feed(person: User) -> str:
    """Give the person a new feed URL's secret, revoking the one they had; return it (shown once)."""
    token = issue("hrt_cal_")  # recognisable if it leaks
    feed = feed_of(person)
    replaced = feed is not None
    if feed is None:
        feed = CalendarFeed(user_id=person.id)
        db.session.add(feed)
    feed.token_digest, feed.token_hint, feed.created_at = token.digest, token.hint, utcnow()
    db.session.flush()
    record("calendar_feed.reset" if replaced else "calendar_feed.created", person, person)
    return token.plaintext


def revoke_feed(person: User) -> bool:
    """Turn the person's feed off; return whether there was one."""
    feed = feed_of(person)
    if feed is None:
        return False
    db.session.delete(feed)
    db.session.flush()
    record("calendar_feed.revoked", person, person)
    return True


def owner_of(token: str) -> User | None:
    """The active person whose feed this secret opens, or None.

    One indexed lookup by digest whatever is presented, so an unknown secret
    costs what a known one does and says nothing about which are close.
    """
    feed = db.session.scalar(select(CalendarFeed).options(joinedload(CalendarFeed.user))
                             .where(CalendarFeed.token_digest == digest_of(token)))
    if feed is None or not feed.user.active:
        return None
    return feed.user


@dataclass
class FeedContent:
    body: bytes
    last_modified: datetime | None


def since(now: datetime) -> datetime:
    return now - timedelta(days=current_app.config["CALENDAR_FEED_DAYS"])


def interviews_of(person: User, now: datetime) -> list[Interview]:
    """The person's interviews from the feed's window on, by time (the interviewer-and-time index)."""
    return list(db.session.scalars(
        select(Interview)
        .options(joinedload(Interview.loop).joinedload(Loop.candidate),
                 joinedload(Interview.loop).joinedload(Loop.requisition), selectinload(Interview.principles))
        .where(Interview.interviewer_id == person.id, Interview.starts_at >= since(now))
        .order_by(Interview.starts_at, Interview.id).limit(MAX_EVENTS)))


def cancellations_of(person: User, now: datetime) -> list[CancelledInterview]:
    """The person's cancelled interviews whose time is still in the feed's window."""
    return list(db.session.scalars(
        select(CancelledInterview)
        .options(joinedload(CancelledInterview.loop).joinedload(Loop.candidate),
                 joinedload(CancelledInterview.loop).joinedload(Loop.requisition))
        .where(CancelledInterview.interviewer_id == person.id, CancelledInterview.starts_at >= since(now))
        .order_by(CancelledInterview.starts_at, CancelledInterview.id).limit(MAX_EVENTS)))


def loops_taking_part(person: User, loop_ids: set[int]) -> set[int]:
    """Which of these loops the person still takes part in (seated, or with an interview)."""
    if not loop_ids:
        return set()
    seated = db.session.scalars(select(Loop.id).where(Loop.id.in_(loop_ids)).where(
        (Loop.recruiter_id == person.id) | (Loop.hiring_manager_id == person.id)
        | (Loop.bar_raiser_id == person.id) | (Loop.shadow_id == person.id))).all()
    interviewing = db.session.scalars(select(Interview.loop_id).where(
        Interview.loop_id.in_(loop_ids), Interview.interviewer_id == person.id)).all()
    return set(seated) | set(interviewing)


def build_feed(person: User, loop_url) -> FeedContent:
    """The person's calendar: their interviews, those whose loop closed first and cancelled ones as CANCELLED.

    `loop_url(loop_id)` makes the link to a loop's page. Candidates are named
    only on loops the person takes part in, as their pages name them.
    """
    now = utcnow()
    events, stamps = [], []
    for interview in interviews_of(person, now):
        links = calendar.Links(loop_url(interview.loop_id))
        loop = interview.loop
        if not loop.is_open and loop.closed_at is not None and interview.starts_at >= loop.closed_at:
            events.append(calendar.closed_loop_event(interview, links))
            stamps.append(loop.closed_at)
        else:
            events.append(calendar.interview_event(interview, links))
            stamps.append(interview.calendar_stamp)
    cancellations = cancellations_of(person, now)
    taking_part = loops_taking_part(person, {c.loop_id for c in cancellations})
    for cancelled in cancellations:
        names = cancelled.loop_id in taking_part
        links = calendar.Links(loop_url(cancelled.loop_id) if names else None)
        events.append(calendar.cancelled_event(cancelled, links, names_candidate=names))
        stamps.append(cancelled.cancelled_at)
    body = calendar.feed(f"Interviews · {person.name}", events)
    return FeedContent(body, max(stamps, default=None))
