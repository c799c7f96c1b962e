"""Background jobs on a huey queue: an embedded SQLite store by default, Redis in production.

A job is asked for inside the transaction that makes it necessary and
enqueued only once that transaction commits (`enqueue_after_commit`), so a
change that rolls back never starts one. Every job is idempotent (it reads
the database to see what is left to do) and retried with exponential
backoff; one that still fails lands on the dead-letter list admins read.
"""
