"""A job for the two-worker test: each number it is given writes one audit entry, so a number done twice shows."""

import os
import time

from app.jobs.queue import huey, job

__all__ = ["huey", "probe"]


@job
def probe(number: int) -> None:
    from app.audit.services import record
    from app.extensions import db

    time.sleep(0.05)  # long enough that both workers take a share
    record("job.probe", None, None, number=number, worker=os.getpid())
    db.session.commit()
