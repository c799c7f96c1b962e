"""What the metrics page reads instead of the company's history: each loop's tally, and their sums per month.

A loop's tally (`LoopTally`) holds what the loop adds to the figures: counts and
durations in microseconds. `MetricRollup` rows are the sums of the tallies of
the loops created in one span of time (a UTC month, a year, or all time), at one grain: the whole company, one org
unit, one bar raiser, one org unit and bar raiser, or one requisition and bar
raiser; the same per person for the loops they take part in (`member_...`: what
a certified bar raiser, who counts only their own loops, reads); and, for the
votes and coaching flags the blind rule lets one person read, the same per
reader (`reader_...`). Key columns a grain does not use hold 0. A reader's all-time counts for the
whole company are not a rollup row but a row per interviewer (`ReadableCounts`), so that the database ranks
and pages the interviewer tables. A page reads
a period as its whole years, the months around them and the days around
those, so it reads a few dozen rows per grain however long the history
(a requisition's rows are kept by month alone: its loops span months). The services keep both in the
transaction that changes a loop (app/metrics/rollups.py); `flask
rebuild-metrics` makes them again from the records.
"""

from datetime import date, datetime
from typing import Literal

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from app.db_types import UTCDateTime
from app.extensions import db

GRAINS = ("all", "unit", "bar_raiser", "unit_bar_raiser", "requisition_bar_raiser",
          "member_unit_bar_raiser", "member_requisition_bar_raiser",
          "reader", "reader_unit_bar_raiser", "reader_requisition_bar_raiser")


SPANS = ("month", "year", "all")
ALL_TIME = date(1970, 1, 1)  # the `month` of an all-time row


def periods(month: date) -> tuple[tuple[Literal["month", "year", "all"], date], ...]:
    """The rows a loop created in `month` adds to: (span, the span's first day), month first."""
    return ("month", month), ("year", date(month.year, 1, 1)), ("all", ALL_TIME)


class LoopTally(db.Model):
    __tablename__ = "metric_loop_tallies"

    loop_id: Mapped[int] = mapped_column(ForeignKey("loops.id", ondelete="CASCADE"), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    org_unit_id: Mapped[int]
    requisition_id: Mapped[int]
    bar_raiser_id: Mapped[int]  # 0: none yet
    data: Mapped[dict] = mapped_column(JSON)  # every count but the readers' (`c`), and the durations (`v`)
    # The counts each participant may read (`r:<reader>:...`): most of a loop's names, and only the interviewer
    # tables read them, so a period's loops are read for the other figures without them.
    readers: Mapped[dict] = mapped_column(JSON, default=dict, server_default=text("'{}'"))


class MetricRollup(db.Model):
    __tablename__ = "metric_rollups"
    __table_args__ = (
        UniqueConstraint("grain", "span", "month", "org_unit_id", "requisition_id", "bar_raiser_id", "person_id",
                         name="uq_metric_rollups_key"),
        CheckConstraint("span IN ('month', 'year', 'all')", name="span"),
        CheckConstraint("grain IN ('all', 'unit', 'bar_raiser', 'unit_bar_raiser', 'requisition_bar_raiser', "
                        "'member_unit_bar_raiser', 'member_requisition_bar_raiser', "
                        "'reader', 'reader_unit_bar_raiser', 'reader_requisition_bar_raiser')", name="grain"),
        CheckConstraint("org_unit_id >= 0 AND requisition_id >= 0 AND bar_raiser_id >= 0 AND person_id >= 0",
                        name="keys"),
        CheckConstraint("(grain LIKE 'reader%' OR grain LIKE 'member%') = (person_id > 0)", name="person"),
        CheckConstraint("loops >= 0 AND open_loops >= 0 AND verdicts >= 0 AND vetoes >= 0 AND (grain IN ('unit', "
                        "'bar_raiser') OR loops + open_loops + verdicts + vetoes = 0)", name="breakdown"),
        Index("ix_metric_rollups_grain_person_span_month", "grain", "person_id", "span", "month"),
        Index("ix_metric_rollups_grain_unit_span_month", "grain", "org_unit_id", "span", "month"),
        Index("ix_metric_rollups_grain_requisition_span_month", "grain", "requisition_id", "span", "month"),
        Index("ix_metric_rollups_grain_bar_raiser_span_month", "grain", "bar_raiser_id", "span", "month"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    grain: Mapped[str] = mapped_column(String(32))
    span: Mapped[str] = mapped_column(String(8), default="month")
    month: Mapped[date] = mapped_column(Date)  # the first day of the span the loops were created in (see ALL_TIME)
    org_unit_id: Mapped[int] = mapped_column(default=0)
    requisition_id: Mapped[int] = mapped_column(default=0)
    bar_raiser_id: Mapped[int] = mapped_column(default=0)
    person_id: Mapped[int] = mapped_column(default=0)
    data: Mapped[dict] = mapped_column(JSON)
    # The counts of the per-org-unit and per-bar-raiser rows (grains `unit` and `bar_raiser`, read for them alone,
    # thousands in a long period: summed by the database), as in `data` (`tally.BREAKDOWN`); 0 on other grains.
    loops: Mapped[int] = mapped_column(default=0, server_default=text("0"))
    open_loops: Mapped[int] = mapped_column(default=0, server_default=text("0"))
    verdicts: Mapped[int] = mapped_column(default=0, server_default=text("0"))
    vetoes: Mapped[int] = mapped_column(default=0, server_default=text("0"))


class ReadableCounts(db.Model):
    """What one reader may read of one interviewer's first votes, over all time and the whole company.

    The interviewer tables of a reader's all-time view rank every interviewer they ever read (thousands in a
    big company's history): kept a row per interviewer, the database counts, ranks and pages them, and a page
    reads the rows it shows. `counts` holds the named counts (`vote:<vote>:<result>`, `flag:<rule>`); `votes`,
    `sealed` and `flags` are what the tables list and rank by: all first votes, the sealed feedbacks carrying
    them, and all coaching flags. The same counts for a period or a filter are in the `reader...` rollup rows.
    """

    __tablename__ = "metric_readable_counts"
    __table_args__ = (
        CheckConstraint("votes >= 0 AND sealed >= 0 AND flags >= 0", name="counts"),
        CheckConstraint("reader_id > 0 AND interviewer_id > 0", name="people"),
    )

    reader_id: Mapped[int] = mapped_column(primary_key=True)
    interviewer_id: Mapped[int] = mapped_column(primary_key=True)
    votes: Mapped[int] = mapped_column(default=0)
    sealed: Mapped[int] = mapped_column(default=0)
    flags: Mapped[int] = mapped_column(default=0)
    counts: Mapped[dict] = mapped_column(JSON)
