"""Calendar events of interviews (RFC 5545), built with icalendar: invitations, their updates and cancellations
(RFC 5546 REQUEST and CANCEL), and a person's private feed.

Every event of an interview has its UID and SEQUENCE, whichever way it travels,
so a calendar that met it by mail and by feed knows it as one event. Times are
written in UTC. No event says anything of feedback.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from icalendar import Calendar, Event, vCalAddress, vDuration, vText

from app.interviews.models import CancelledInterview, Interview, InterviewKind
from app.loops.models import Loop
from app.people.models import User

PRODID = "-//Bar Raiser//hiring loops//EN"
FEED_REFRESH = timedelta(hours=1)


@dataclass(frozen=True)
class Links:
    """Where an event points: the loop's page and, for its interviewer, the interview's kit."""

    loop_url: str | None
    kit_url: str | None = None


def summary(kind: str, loop: Loop, *, cancelled: bool = False) -> str:
    text = f"{InterviewKind(kind).label} interview: {loop.candidate.name} ({loop.requisition.title})"
    return f"Cancelled: {text}" if cancelled else text


def description(interview: Interview, links: Links) -> str:
    lines = ["Principles to probe:"]
    lines += [f"- {p.name}: {p.description}" for p in interview.principles] or ["- (none assigned yet)"]
    if links.kit_url:
        lines += ["", f"Interview kit (questions, rating scale, time plan): {links.kit_url}"]
    if links.loop_url:
        lines += ["", f"Loop: {links.loop_url}"]
    return "\n".join(lines)


def utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


def address(person: User, **params) -> vCalAddress:
    """A person as ORGANIZER or ATTENDEE: their mailto: address and name."""
    value = vCalAddress(f"mailto:{person.email}")
    value.params["CN"] = vText(person.name)
    for name, param in params.items():
        value.params[name.replace("_", "-").upper()] = vText(param)
    return value


def _event(uid: str, sequence: int, starts_at: datetime, ends_at: datetime, location: str, stamp: datetime) -> Event:
    event = Event()
    event.add("uid", uid)
    event.add("sequence", sequence)
    event.add("dtstamp", utc(stamp))
    event.add("dtstart", utc(starts_at))
    event.add("dtend", utc(ends_at))
    if location:
        event.add("location", location)
    return event


def interview_event(interview: Interview, links: Links, stamp: datetime | None = None) -> Event:
    """The interview as it stands: confirmed, at its time and place, with its principles and links."""
    event = _event(interview.calendar_uid, interview.calendar_sequence, interview.starts_at, interview.ends_at,
                   interview.location, stamp or interview.calendar_stamp)
    event.add("created", utc(interview.created_at))
    event.add("last-modified", utc(interview.calendar_stamp))
    event.add("summary", summary(interview.kind, interview.loop))
    event.add("description", description(interview, links))
    event.add("status", "CONFIRMED")
    if links.loop_url:
        event.add("url", links.loop_url)
    return event


def cancelled_event(cancelled: CancelledInterview, links: Links, *, names_candidate: bool,
                    stamp: datetime | None = None) -> Event:
    """A cancelled interview's event: same UID, the sequence its cancellation reached, STATUS:CANCELLED."""
    event = _event(cancelled.calendar_uid, cancelled.calendar_sequence, cancelled.starts_at, cancelled.ends_at,
                   cancelled.location, stamp or cancelled.cancelled_at)
    event.add("last-modified", utc(cancelled.cancelled_at))
    title = (summary(cancelled.kind, cancelled.loop, cancelled=True) if names_candidate
             else f"Cancelled: {InterviewKind(cancelled.kind).label} interview")
    event.add("summary", title)
    event.add("status", "CANCELLED")
    if links.loop_url and names_candidate:
        event.add("url", links.loop_url)
        event.add("description", f"This interview was cancelled.\n\nLoop: {links.loop_url}")
    else:
        event.add("description", "This interview was cancelled.")
    return event


def closed_loop_event(interview: Interview, links: Links, stamp: datetime | None = None) -> Event:
    """An interview whose loop closed before it took place: it will not happen, so it is cancelled.

    Its SEQUENCE is one past the interview's (a closed loop is never written again, so it stays so).
    """
    closed_at = interview.loop.closed_at
    event = _event(interview.calendar_uid, interview.calendar_sequence + 1, interview.starts_at, interview.ends_at,
                   interview.location, stamp or closed_at)
    event.add("last-modified", utc(closed_at))
    event.add("summary", summary(interview.kind, interview.loop, cancelled=True))
    event.add("status", "CANCELLED")
    if links.loop_url:
        event.add("url", links.loop_url)
        event.add("description", f"This interview was cancelled.\n\nLoop: {links.loop_url}")
    else:
        event.add("description", "This interview was cancelled.")
    return event


def _calendar(method: str | None = None) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if method:
        calendar.add("method", method)
    return calendar


def invitation(interview: Interview, links: Links, now: datetime) -> bytes:
    """An iTIP REQUEST to the interviewer: a new interview, or an update of the same event (same UID)."""
    event = interview_event(interview, links, stamp=now)
    event.add("organizer", address(interview.loop.recruiter))
    event.add("attendee", address(interview.interviewer, role="REQ-PARTICIPANT", partstat="NEEDS-ACTION",
                                  rsvp="FALSE", cutype="INDIVIDUAL"))
    calendar = _calendar("REQUEST")
    calendar.add_component(event)
    return calendar.to_ical()


def cancellation(cancelled: CancelledInterview, links: Links, now: datetime) -> bytes:
    """An iTIP CANCEL to the interviewer: the same UID with a higher SEQUENCE, STATUS:CANCELLED."""
    event = cancelled_event(cancelled, links, names_candidate=True, stamp=now)
    event.add("organizer", address(cancelled.loop.recruiter))
    event.add("attendee", address(cancelled.interviewer, role="REQ-PARTICIPANT", cutype="INDIVIDUAL"))
    calendar = _calendar("CANCEL")
    calendar.add_component(event)
    return calendar.to_ical()


def closing_cancellation(interview: Interview, links: Links, now: datetime) -> bytes:
    """An iTIP CANCEL for an interview its loop closed before: the event as the feed shows it."""
    event = closed_loop_event(interview, links, stamp=now)
    event.add("organizer", address(interview.loop.recruiter))
    event.add("attendee", address(interview.interviewer, role="REQ-PARTICIPANT", cutype="INDIVIDUAL"))
    calendar = _calendar("CANCEL")
    calendar.add_component(event)
    return calendar.to_ical()


def download(interview: Interview, links: Links) -> bytes:
    """The interview's event on its own, to add to a calendar by hand (PUBLISH)."""
    calendar = _calendar("PUBLISH")
    calendar.add_component(interview_event(interview, links))
    return calendar.to_ical()


def feed(name: str, events: Iterable[Event]) -> bytes:
    """A subscribed calendar: its name, how often to fetch it again, and its events."""
    calendar = _calendar()
    calendar.add("x-wr-calname", name)
    calendar.add("name", name)
    calendar.add("refresh-interval", FEED_REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", vDuration(FEED_REFRESH))
    for event in events:
        calendar.add_component(event)
    return calendar.to_ical()
