"""The queue, where jobs wait after commit, and the dead-letter list of jobs that kept failing."""

import functools
import logging
import os
from datetime import UTC, datetime
from pathlib import Path

from flask import current_app, has_app_context
from huey import RedisHuey, SqliteHuey, signals
from sqlalchemy import event
from sqlalchemy.orm import Session

from config import Config

log = logging.getLogger(__name__)
DEAD_LETTER = "dead-letter:"
RETRIES, RETRY_DELAY, RETRY_BACKOFF = 5, 30, 2  # 30 s, 1, 2, 4, 8 minutes


def make_huey(settings=Config):
    """Build the queue the settings name: Redis with JOBS_REDIS_URL, else the SQLite file JOBS_SQLITE_PATH."""
    if settings.JOBS_REDIS_URL:
        return RedisHuey(settings.JOBS_QUEUE_NAME, url=settings.JOBS_REDIS_URL, utc=True)
    Path(settings.JOBS_SQLITE_PATH).parent.mkdir(parents=True, exist_ok=True)
    return SqliteHuey(settings.JOBS_QUEUE_NAME, filename=settings.JOBS_SQLITE_PATH, utc=True)


huey = make_huey()


@functools.cache
def worker_app():
    """The Flask app a worker process runs its jobs in, configured as `wsgi` is."""
    from app import create_app
    from config import ProductionConfig

    return create_app(ProductionConfig if os.environ.get("APP_ENV") == "production" else Config)


def job(fn=None, *, periodic=None, retries: int = RETRIES, retry_delay: int = RETRY_DELAY):
    """Declare a job: run in an app context, retried with exponential backoff; `periodic` for a schedule."""
    def declare(fn):
        @functools.wraps(fn)
        def in_app(*args, **kwargs):
            if has_app_context():
                return fn(*args, **kwargs)
            with worker_app().app_context():
                return fn(*args, **kwargs)

        options = {"retries": retries, "retry_delay": retry_delay, "retry_backoff": RETRY_BACKOFF}
        if periodic is not None:
            return huey.periodic_task(periodic, **options)(in_app)
        return huey.task(**options)(in_app)

    return declare(fn) if fn is not None else declare


def enqueue_after_commit(task, *args) -> None:
    """Ask for `task(*args)` once the current transaction commits; the same call twice runs once.

    JOBS_MODE decides what happens then: "queue" (the default) hands it to the
    workers, "immediate" runs it in this process right after the commit, "off"
    drops it (for tests that do not look at jobs).
    """
    from app.extensions import db

    mode = current_app.config.get("JOBS_MODE", "queue")
    if mode == "off":
        return
    session = db.session()
    session.connection()  # begin the transaction now, so its end (commit or rollback) is seen
    pending = session.info.setdefault("jobs_after_commit", {})
    pending.setdefault((task.name, args), (task, args, mode))


@event.listens_for(Session, "after_commit")
def _enqueue_pending(session: Session) -> None:
    pending = session.info.pop("jobs_after_commit", None)
    for task, args, mode in (pending or {}).values():
        try:
            if mode == "immediate":
                with current_app.app_context():  # its own session: this one is finishing its commit
                    task.call_local(*args)
            else:
                task(*args)
        except Exception:  # noqa: BLE001 - the change is committed; the periodic jobs and cron catch up
            log.exception("could not start job %s%r after commit", task.name, args)


@event.listens_for(Session, "after_transaction_end")
def _drop_pending(session: Session, transaction) -> None:
    """Forget the jobs of a transaction that ended without committing (a commit took them already)."""
    if transaction.parent is None:
        session.info.pop("jobs_after_commit", None)


@huey.signal(signals.SIGNAL_ERROR)
def _dead_letter(signal, task, exc=None) -> None:
    """Keep a job that failed its last try where an admin can see it."""
    if task.retries:
        return  # it will be tried again
    huey.put(DEAD_LETTER + task.id, {
        "id": task.id, "job": task.name, "args": repr(task.args)[:500],
        "error": f"{type(exc).__name__}: {exc}"[:2000] if exc else "", "failed_at": datetime.now(UTC).isoformat(),
    })


def dead_letters() -> list[dict]:
    """Every job that failed all its tries and was not cleared, newest first."""
    letters = []
    for key, value in huey.storage.result_items().items():
        key = key.decode() if isinstance(key, bytes) else str(key)
        if key.startswith(DEAD_LETTER):
            letter = dict(huey.serializer.deserialize(value) if isinstance(value, bytes) else value)
            letter["failed_at"] = datetime.fromisoformat(letter["failed_at"])
            letters.append(letter)
    return sorted(letters, key=lambda letter: letter["failed_at"], reverse=True)


def clear_dead_letter(job_id: str) -> bool:
    """Remove one dead letter; return whether it was there."""
    return huey.get(DEAD_LETTER + job_id, peek=False) is not None
