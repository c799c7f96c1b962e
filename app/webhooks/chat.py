"""Chat notices: the e-mails' notices, sent as `{"text": ...}` to a person's or a requisition's chat channel.

A person sets a Slack-compatible incoming-webhook address on their own chat
page and hears what their e-mail says; a requisition's hiring manager sets one
for the requisition's channel, which hears its loops' interview assignments,
feedback reminders and "debrief ready" (once per loop, not once per person).
A notice says who, which loop, when and a link: never feedback, ratings, votes
or the debrief's outcome. Notices go through the webhook outbox, with its
retries and its address checks.
"""

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.audit.services import record
from app.db_types import utcnow
from app.errors import ServiceError
from app.extensions import db
from app.notifications.models import Notification, NotificationKind
from app.people.models import User
from app.permissions.records import can_edit_requisition
from app.requisitions.models import Requisition
from app.webhooks.crypto import seal
from app.webhooks.events import new_message_id
from app.webhooks.models import ChatHook, DeliveryStatus, WebhookDelivery
from app.webhooks.services import checked_url

# What a requisition's channel hears; a person's own channel hears every notice their e-mail does.
CHANNEL_KINDS = frozenset({NotificationKind.INTERVIEW_ASSIGNED, NotificationKind.FEEDBACK_REMINDER,
                           NotificationKind.DEBRIEF_READY})


def hint_of(url: str) -> str:
    """Show where an address points without the secret part of its path."""
    scheme, _, rest = url.partition("://")
    host = rest.split("/", 1)[0]
    return f"{scheme}://{host}/…"


def personal_hook(user: User) -> ChatHook | None:
    return db.session.scalar(select(ChatHook).where(ChatHook.user_id == user.id))


def requisition_hook(requisition: Requisition) -> ChatHook | None:
    return db.session.scalar(select(ChatHook).where(ChatHook.requisition_id == requisition.id))


def _save(hook: ChatHook | None, url: str, owner: dict, actor: User, subject) -> ChatHook | None:
    url = (url or "").strip()
    if not url:
        if hook is not None:
            db.session.delete(hook)
            record("chat.hook_removed", subject, actor)
        db.session.flush()
        return None
    url = checked_url(url)
    if hook is None:
        hook = ChatHook(**owner)
        db.session.add(hook)
    hook.url_ciphertext, hook.url_hint, hook.updated_at = seal(url), hint_of(url), utcnow()
    db.session.flush()
    record("chat.hook_set", subject, actor, address=hook.url_hint)
    return hook


def set_personal_hook(user: User, actor: User, url: str) -> ChatHook | None:
    """Set (or, with an empty address, remove) the person's own chat address."""
    if actor.id != user.id:
        raise ServiceError("Only the person sets their own chat address.")
    return _save(personal_hook(user), url, {"user_id": user.id}, actor, user)


def set_requisition_hook(requisition: Requisition, actor: User, url: str) -> ChatHook | None:
    """Set (or remove) the requisition's chat address; whoever may edit the requisition may."""
    if not can_edit_requisition(requisition, actor):
        raise ServiceError("Only the requisition's hiring manager sets its chat address.")
    return _save(requisition_hook(requisition), url, {"requisition_id": requisition.id}, actor, requisition)


def _add(hook: ChatHook, notification: Notification, topic: str) -> bool:
    delivery = WebhookDelivery(chat_hook=hook, notification=notification, topic=topic,
                               message_id=new_message_id(), status=DeliveryStatus.PENDING, next_attempt_at=utcnow())
    try:
        with db.session.begin_nested():
            db.session.add(delivery)
    except IntegrityError:  # the channel already has this notice (another participant's copy)
        return False
    return True


def notification_queued(notification: Notification) -> None:
    """Queue the chat copies of a notice just put in the mail outbox, in the same transaction."""
    kind = NotificationKind(notification.kind)
    added = False
    personal = db.session.scalar(select(ChatHook).where(ChatHook.user_id == notification.recipient_id))
    if personal is not None:
        added |= _add(personal, notification, notification.dedupe_key)
    if kind in CHANNEL_KINDS:
        channel = db.session.scalar(select(ChatHook).where(
            ChatHook.requisition_id == notification.loop.requisition_id))
        if channel is not None:
            subject = (f"interview-{notification.interview_id}" if notification.interview_id is not None
                       else f"loop-{notification.loop_id}")
            added |= _add(channel, notification, f"{kind.value}:{subject}")
    if added:
        from app.jobs.queue import enqueue_after_commit
        from app.jobs.tasks import deliver_webhooks

        enqueue_after_commit(deliver_webhooks)


def escape(text: str) -> str:
    """Escape the three characters Slack's message format reserves, in text we did not write."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def link(url: str, label: str) -> str:
    return f"<{url}|{label}>"


def compose_text(notification: Notification, *, for_channel: bool) -> str:
    """Write the notice for a chat channel, as of now: what the e-mail's subject says, when, and links."""
    from zoneinfo import ZoneInfo

    from app.feedback.services import due_at
    from app.notifications.messages import SUBJECTS, absolute_url, in_zone, one_line, zone_of

    kind = NotificationKind(notification.kind)
    loop, interview = notification.loop, notification.interview
    zone = ZoneInfo("UTC") if for_channel else zone_of(notification.recipient)
    subject = one_line(SUBJECTS[kind].format(
        candidate=loop.candidate.name, requisition=loop.requisition.title,
        interviewer=interview.interviewer.name if interview is not None else ""))
    loop_link = link(absolute_url("loops.show", loop_id=loop.id), "Loop")
    lines = [f"*{escape(subject)}*"]
    if kind == NotificationKind.INTERVIEW_ASSIGNED:
        who = f"{escape(interview.interviewer.name)}, " if for_channel else ""
        lines.append(f"{who}{in_zone(interview.starts_at, zone)} to {in_zone(interview.ends_at, zone, '%H:%M')}"
                     + (f", {escape(interview.location)}" if interview.location else ""))
        kit = absolute_url("kits.kit", loop_id=loop.id, interview_id=interview.id)
        lines.append(f"{link(kit, 'Interview kit')} · {loop_link}")
    elif kind in (NotificationKind.FEEDBACK_REMINDER, NotificationKind.FEEDBACK_ESCALATION):
        word = "Due" if kind == NotificationKind.FEEDBACK_REMINDER else "Was due"
        lines.append(f"{word} {in_zone(due_at(interview), zone)}")
        write = absolute_url("feedback.write", loop_id=loop.id, interview_id=interview.id)
        lines.append(f"{link(write, 'Write feedback')} · {loop_link}" if kind == NotificationKind.FEEDBACK_REMINDER
                     else loop_link)
    else:
        lines.append(f"{link(absolute_url('debrief.show', loop_id=loop.id), 'Open the debrief')} · {loop_link}")
    return "\n".join(lines)
