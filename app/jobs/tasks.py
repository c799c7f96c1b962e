"""The jobs: mail from the outbox, reminders, the debrief PDF rendered before anyone asks, and retention.

Run the workers with `python -m huey.bin.huey_consumer app.jobs.tasks.huey` (`make run` starts one).
Each job imports what it needs when it runs: the areas that ask for jobs import this module.
"""

import logging

from huey import crontab
from huey.exceptions import TaskLockedException

from app.jobs.queue import huey, job

__all__ = ["huey", "deliver_outbox", "send_reminders", "prerender_debrief", "purge_candidates", "deliver_webhooks",
           "retry_webhooks"]
log = logging.getLogger(__name__)
OUTBOX_LOCK = "deliver-outbox"
PURGE_LOCK = "purge-candidates"


@job
def deliver_outbox() -> None:
    """Send every waiting e-mail; one worker at a time, and a busy outbox is tried again shortly."""
    from app.notifications.delivery import deliver_pending

    try:
        with huey.lock_task(OUTBOX_LOCK):
            deliver_pending()
    except TaskLockedException:
        deliver_outbox.schedule(delay=30)  # the other run may have listed its rows before ours were written


@job(periodic=crontab(minute="*/5"))
def send_reminders() -> None:
    """Queue due reminders and escalations (what `flask send-reminders` does from cron), then send them."""
    from app.db_types import utcnow
    from app.extensions import db
    from app.notifications.reminders import queue_feedback_reminders

    queue_feedback_reminders(utcnow())
    db.session.commit()
    deliver_outbox.call_local()


@job
def prerender_debrief(loop_id: int) -> None:
    """Render the loop's debrief PDF into the cache for each reader's time zone, so the first download is quick."""
    from zoneinfo import ZoneInfo

    from app.extensions import db
    from app.loops.models import Loop, Step
    from app.reports.pdf import debrief_pdf

    loop = db.session.get(Loop, loop_id)
    if loop is None or loop.step < Step.DEBRIEF:
        return
    readers = [loop.hiring_manager, loop.bar_raiser, loop.recruiter]
    for zone in sorted({person.timezone for person in readers if person is not None}):
        debrief_pdf(loop, ZoneInfo(zone))
    db.session.rollback()  # a read: nothing to keep


@job(periodic=crontab(hour="3", minute="15"))
def purge_candidates() -> None:
    """Erase the candidates whose retention ran out (as `flask purge-candidates` does); one run at a time."""
    from app.retention.erasure import purge

    try:
        with huey.lock_task(PURGE_LOCK):
            result = purge(echo=log.info)
    except TaskLockedException:
        return  # another worker is purging; each candidate is its own transaction, so nothing is lost
    if result.failed:  # retried, then listed under Failed jobs: a candidate left unerased must be seen
        raise RuntimeError("Could not erase " + ", ".join(f"candidate {cid} ({why})" for cid, why in result.failed))


@job
def deliver_webhooks() -> None:
    """Send the webhook and chat deliveries that are due; each is claimed, so several runs at once are safe."""
    from app.webhooks.delivery import deliver_due

    deliver_due()


@job(periodic=crontab(minute="*"))
def retry_webhooks() -> None:
    """Every minute, send the deliveries whose next try has come (failed tries wait 30 s, 2 min, 8 min, ...)."""
    deliver_webhooks.call_local()
