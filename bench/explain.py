"""What each page's statements read, from PostgreSQL's own plans (EXPLAIN ANALYZE), to project growth.

Each page is requested once while its statements are recorded; every SELECT
among them is then run again under `EXPLAIN (ANALYZE, FORMAT JSON)` in a
transaction that is rolled back. A statement's "rows read" are the rows its
scans produced or filtered away, summed over the plan: what the database had
to touch. Compared between two sizes of a company, a statement whose rows read
stay put is bounded (an index range independent of history); one whose rows
read follow the number of loops reads history.
"""

import re
from dataclasses import dataclass, field

from flask import Flask
from sqlalchemy import event

from app.extensions import db
from bench.company import RECRUITER_EMAIL
from bench.measure import sign_in

SCAN_TYPES = ("Seq Scan", "Index Scan", "Index Only Scan", "Bitmap Heap Scan", "Bitmap Index Scan")
# A statement is bounded when its rows read at the larger size are at most this much more than at the smaller.
BOUNDED_FACTOR, BOUNDED_SLACK = 1.5, 20
# With one size measured, a statement reading this many rows or more is taken to read history.
ONE_SIZE_LIMIT = 5000


@dataclass
class Scan:
    relation: str
    node: str
    index: str | None
    rows: int


@dataclass
class StatementPlan:
    """One statement of a page: its first words, the scans of its plan, and the rows it read."""

    text: str
    scans: list[Scan] = field(default_factory=list)
    rows_read: int = 0
    milliseconds: float = 0.0
    explained: bool = True

    @property
    def access(self) -> str:
        seen = []
        for scan in self.scans:
            if scan.node == "Bitmap Index Scan":
                continue  # its heap scan names the table
            how = f"{scan.relation}: {scan.node}" + (f" on {scan.index}" if scan.index else "")
            if how not in seen:
                seen.append(how)
        return "; ".join(seen) or ("no table" if self.explained else "not a SELECT")


def walk(node: dict, scans: list[Scan]) -> None:
    if node.get("Node Type") in SCAN_TYPES:
        loops = node.get("Actual Loops", 1) or 1
        touched = (node.get("Actual Rows", 0) + node.get("Rows Removed by Filter", 0)
                   + node.get("Rows Removed by Index Recheck", 0)) * loops
        relation = node.get("Relation Name") or node.get("Index Name", "?")
        scans.append(Scan(relation, node["Node Type"], node.get("Index Name"), int(touched)))
    for child in node.get("Plans", []):
        walk(child, scans)


def summary(statement: str) -> str:
    """The statement's first words and the tables after FROM, short enough for a table cell."""
    text = " ".join(statement.split())
    tables = re.findall(r"\bFROM ([a-z_]+)", text)
    head = text.split(" ", 1)[0].upper()
    return f"{head} … FROM {', '.join(dict.fromkeys(tables))}" if tables else text[:60]


def capture_plans(app: Flask, paths: dict[str, str]) -> dict[str, list[StatementPlan]]:
    """Return, for each page, its statements in order with their plans (PostgreSQL only)."""
    client = sign_in(app, RECRUITER_EMAIL)
    with app.app_context():
        engine = db.engine
    seen: list[tuple[str, object]] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        seen.append((statement, parameters))

    plans = {}
    for name, path in paths.items():
        seen.clear()
        event.listen(engine, "before_cursor_execute", record)
        try:
            response = client.get(path)
        finally:
            event.remove(engine, "before_cursor_execute", record)
        if response.status_code != 200:
            raise RuntimeError(f"{path} answered {response.status_code}")
        plans[name] = explain_all(engine, list(seen))
    return plans


def explain_all(engine, statements: list[tuple[str, object]]) -> list[StatementPlan]:
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        out = []
        for statement, parameters in statements:
            plan = StatementPlan(summary(statement))
            if not statement.lstrip().upper().startswith(("SELECT", "WITH")):
                plan.explained = False
                out.append(plan)
                continue
            cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + statement, parameters or None)
            result = cursor.fetchone()[0][0]
            walk(result["Plan"], plan.scans)
            plan.rows_read = sum(scan.rows for scan in plan.scans if scan.node != "Bitmap Index Scan")
            plan.milliseconds = result.get("Execution Time", 0.0)
            out.append(plan)
        return out
    finally:
        raw.rollback()
        raw.close()


def is_bounded(small: StatementPlan | None, large: StatementPlan) -> bool:
    """Whether a statement's rows read stay put from the smaller company to the larger (or are few at one size)."""
    if not large.explained:
        return True
    if small is None:
        return large.rows_read < ONE_SIZE_LIMIT
    return large.rows_read <= BOUNDED_FACTOR * small.rows_read + BOUNDED_SLACK
