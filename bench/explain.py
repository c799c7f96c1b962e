"""What each page's statements read, from PostgreSQL's own plans (EXPLAIN ANALYZE), to project growth.

Each page is requested once while its statements are recorded; every SELECT
among them is then run again under `EXPLAIN (ANALYZE, FORMAT JSON)` in a
transaction that is rolled back. A statement's "rows read" are the rows its
scans produced or filtered away, summed over the plan: what the database had
to touch. Compared between two sizes of a company, a statement whose rows read
stay put is bounded (an index range independent of history); one whose rows
read follow the number of loops reads history. The rule is per table
(`reads_history`): the open pipeline, a page of 25 or one loop read the same
share of a bigger table, while a table read whole, or everything one person
ever did, grows with it.
"""

import re
from dataclasses import dataclass, field

from flask import Flask
from sqlalchemy import event

from app.extensions import db
from bench.company import RECRUITER_EMAIL
from bench.measure import sign_in

SCAN_TYPES = ("Seq Scan", "Index Scan", "Index Only Scan", "Bitmap Heap Scan", "Bitmap Index Scan")


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


def rows_by_relation(plan: StatementPlan) -> dict[str, int]:
    totals: dict[str, int] = {}
    for scan in plan.scans:
        if scan.node != "Bitmap Index Scan":  # its heap scan counts the table's rows
            totals[scan.relation] = totals.get(scan.relation, 0) + scan.rows
    return totals


def reads_history(relation: str, small_rows: int | None, large_rows: int, small_table: int | None,
                  large_table: int, ratio: float) -> bool:
    """Whether one table's part of a statement follows the company's history.

    It does when the table itself grows with history, the rows read of it grow about as fast (by at least the
    square root of the companies' size ratio), and they are a noticeable share of the table (0.1% or more).
    With one size, a read of 5% or more of a table of 10,000 rows or more counts as reading history.
    """
    if small_rows is None or small_table is None:
        return large_table >= 10_000 and large_rows >= 0.05 * large_table
    threshold = ratio ** 0.5
    grows = large_table >= threshold * max(small_table, 1)
    return grows and large_rows >= threshold * max(small_rows, 1) and large_rows >= 0.001 * large_table


def is_bounded(small: StatementPlan | None, large: StatementPlan, small_counts: dict | None,
               large_counts: dict, ratio: float) -> bool:
    """Whether no table's rows read by the statement follow history (see `reads_history`)."""
    if not large.explained:
        return True
    before = rows_by_relation(small) if small is not None else {}
    for relation, rows in rows_by_relation(large).items():
        table = large_counts.get(relation, 0)
        if reads_history(relation, before.get(relation) if small is not None else None, rows,
                         (small_counts or {}).get(relation) if small is not None else None, table, ratio):
            return False
    return True
