"""Write each e-mail from its outbox row: subject, plain-text body, attachments.

What a mail may say: who, which loop, when, what to do, and a link. Never
feedback content, ratings, votes or the debrief's outcome; those are read on
the pages, where the blind-feedback rule is checked at the moment of reading.
"""

from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import current_app, render_template

from app.db_types import utcnow
from app.feedback.services import due_at
from app.interviews import calendar
from app.interviews.models import InterviewKind
from app.loops.models import Step
from app.notifications.models import Notification, NotificationKind
from app.people.models import User

SUBJECTS = {
    NotificationKind.INTERVIEW_ASSIGNED: "Interview assigned: {candidate} ({requisition})",
    NotificationKind.FEEDBACK_REMINDER: "Feedback due soon: {candidate} ({requisition})",
    NotificationKind.FEEDBACK_ESCALATION: "Late feedback: {interviewer} on {candidate} ({requisition})",
    NotificationKind.DEBRIEF_READY: "Debrief ready: {candidate} ({requisition})",
    NotificationKind.DECISION_RECORDED: "Debrief decision recorded: {candidate} ({requisition})",
    NotificationKind.INTERVIEW_RESCHEDULED: "Interview moved: {candidate} ({requisition})",
    NotificationKind.INTERVIEW_CANCELLED: "Interview cancelled: {candidate} ({requisition})",
}


@dataclass
class Attachment:
    filename: str
    content: bytes
    maintype: str
    subtype: str
    params: dict[str, str] = field(default_factory=dict)  # Content-Type parameters, like an iTIP method


@dataclass
class OutgoingMail:
    to: str
    subject: str
    body: str
    attachments: list[Attachment] = field(default_factory=list)


def zone_of(user: User) -> ZoneInfo:
    """Return the user's time zone, UTC when unset or unknown."""
    try:
        return ZoneInfo(user.timezone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def in_zone(value: datetime, zone: ZoneInfo, fmt: str = "%a %d %b %Y, %H:%M") -> str:
    """Format an aware time in `zone`, with the zone's abbreviation."""
    local = value.astimezone(zone)
    return f"{local.strftime(fmt)} {local.tzname()}"


def absolute_url(endpoint: str, **values) -> str:
    """Build a link for outside the app (no request to take the host from), rooted at APP_BASE_URL."""
    base = urlsplit(current_app.config["APP_BASE_URL"])
    adapter = current_app.url_map.bind(base.netloc, script_name=base.path.rstrip("/") or "/",
                                       url_scheme=base.scheme or "http")
    return adapter.build(endpoint, values, force_external=True)


def one_line(text: str) -> str:
    """Collapse whitespace, so that no name can break a header."""
    return " ".join(text.split())


def compose(notification: Notification) -> OutgoingMail:
    """Return the e-mail for an outbox row, as of now."""
    kind = NotificationKind(notification.kind)
    recipient, loop, interview = notification.recipient, notification.loop, notification.interview
    cancelled = notification.cancelled_interview
    zone = zone_of(recipient)
    context = {
        "recipient": recipient,
        "loop": loop,
        "candidate": loop.candidate,
        "requisition": loop.requisition,
        "interview": interview,
        "loop_url": absolute_url("loops.show", loop_id=loop.id),
        "debrief_url": absolute_url("debrief.show", loop_id=loop.id),
        # Only the bar raiser is told of a Hire that waits for them (services.decision_recorded).
        "awaiting_verdict": (loop.is_open and loop.step == Step.DEBRIEF and loop.decision is not None
                             and loop.decision.verdict is None and recipient.id == loop.bar_raiser_id),
    }
    if interview is not None:
        context.update(
            kind_label=InterviewKind(interview.kind).label,
            when=span(interview.starts_at, interview.ends_at, zone),
            due=in_zone(due_at(interview), zone),
            feedback_url=absolute_url("feedback.write", loop_id=loop.id, interview_id=interview.id),
            kit_url=absolute_url("kits.kit", loop_id=loop.id, interview_id=interview.id),
        )
    if cancelled is not None:
        context.update(kind_label=InterviewKind(cancelled.kind).label,
                       when=span(cancelled.starts_at, cancelled.ends_at, zone))
    if kind == NotificationKind.INTERVIEW_CANCELLED:
        context["place"] = (cancelled or interview).location
    subject = SUBJECTS[kind].format(candidate=loop.candidate.name, requisition=loop.requisition.title,
                                    interviewer=interview.interviewer.name if interview is not None else "")
    mail = OutgoingMail(to=recipient.email, subject=one_line(subject),
                        body=render_template(f"mail/{kind.value}.txt", **context))
    if kind in (NotificationKind.INTERVIEW_ASSIGNED, NotificationKind.INTERVIEW_RESCHEDULED):
        links = calendar.Links(context["loop_url"], context["kit_url"])
        mail.attachments.append(Attachment("invite.ics", calendar.invitation(interview, links, utcnow()),
                                           "text", "calendar", {"method": "REQUEST"}))
    if kind == NotificationKind.INTERVIEW_CANCELLED:
        links = calendar.Links(context["loop_url"])
        body = (calendar.cancellation(cancelled, links, utcnow()) if cancelled is not None
                else calendar.closing_cancellation(interview, links, utcnow()))
        mail.attachments.append(Attachment("cancel.ics", body, "text", "calendar", {"method": "CANCEL"}))
    return mail


def span(starts_at: datetime, ends_at: datetime, zone: ZoneInfo) -> str:
    """From start to end in `zone`, the end's date left out when it is the same day."""
    starts, ends = starts_at.astimezone(zone), ends_at.astimezone(zone)
    if starts.date() == ends.date():
        return f"{in_zone(starts, zone)} to {in_zone(ends, zone, '%H:%M')}"
    return f"{in_zone(starts, zone)} to {in_zone(ends, zone)}"
