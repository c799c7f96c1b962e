"""The metrics filter: a GET form, so a filtered page can be bookmarked and its CSVs keep the filters."""


from datetime import date, timedelta
from functools import cache

from flask_wtf import FlaskForm
from sqlalchemy import Integer, bindparam, or_, select, union
from wtforms import DateField, SelectField
from wtforms.validators import Optional

from app.db_types import among, utcnow
from app.extensions import db
from app.forms_common import DateRange, OnePassSelect, options
from app.integers import coerce_int
from app.metrics.models import MetricRollup
from app.metrics.scope import Filters, Scope
from app.metrics.tally import month_of
from app.people.models import Certification, OrgUnit, User
from app.requisitions.models import Requisition, RequisitionStatus


def counted(*conditions) -> set[tuple[int, int]]:
    """The (requisition, bar raiser) pairs of the rollup rows that still count a loop: a loop that moved to
    another month, requisition or bar raiser leaves its old row at zero, kept in place for the next one.
    The database reads the count out of each row: the rest of a row (its distributions) is not sent."""
    loops = MetricRollup.data["c"]["loops"].as_integer()
    rows = db.session.execute(select(MetricRollup.requisition_id, MetricRollup.bar_raiser_id).distinct()
                              .where(*conditions, loops > 0))
    return {(requisition, bar_raiser) for requisition, bar_raiser in rows}


@cache
def _everyones_choices() -> tuple:
    """The statements listing an admin's or recruiter's choices (org units, requisitions, bar raisers), built once:
    their parameters are the dates and the ids a bookmarked filter names. Each reads by index, never loop by loop:
    the requisitions by status and by closing time, the bar raisers from the rollup rows of whole years
    (app/metrics/rolled.py). A big company closes more requisitions in a year than a list can usefully offer."""
    units = select(OrgUnit.id, OrgUnit.name).order_by(OrgUnit.name)
    # Each part read by its own index and the rows united (as ids, then the rows of those ids, PostgreSQL read
    # every requisition ever to find them).
    offered = (Requisition.id, Requisition.title, Requisition.level)
    recently_closed = (select(*offered).where(Requisition.closed_at >= bindparam("closed_since"))
                       .order_by(Requisition.closed_at.desc()).limit(bindparam("how_many", type_=Integer)).subquery())
    requisitions = union(
        select(*offered).where(Requisition.status.in_([RequisitionStatus.DRAFT, RequisitionStatus.APPROVED])),
        select(recently_closed), select(*offered).where(Requisition.id == bindparam("requisition", type_=Integer)))
    listed = requisitions.selected_columns
    requisitions = requisitions.order_by(listed.title, listed.level, listed.id)
    raised = select(MetricRollup.bar_raiser_id).where(
        MetricRollup.grain == "bar_raiser", MetricRollup.span == "year", MetricRollup.month >= bindparam("years_from"),
        MetricRollup.bar_raiser_id > 0, MetricRollup.loops > 0)
    people = (select(User.id, User.name)
              .where(or_(User.id.in_(raised), User.certification == Certification.CERTIFIED,
                         User.id == bindparam("bar_raiser")))
              .order_by(User.name))
    return units, requisitions, people


# How many closed requisitions the filter offers beside the open ones (the rest are a link away).
REQUISITION_CHOICES = 200
FIELDS = ("org_unit", "requisition", "bar_raiser", "date_from", "date_to")


class MetricsFilterForm(DateRange, FlaskForm):
    class Meta:
        csrf = False  # a GET form that changes nothing

    # Every requisition ever is a long list for a recruiter: the one-pass widget writes it quickly.
    org_unit = SelectField("Org unit", coerce=coerce_int, default=0, widget=OnePassSelect())
    requisition = SelectField("Requisition", coerce=coerce_int, default=0, widget=OnePassSelect())
    bar_raiser = SelectField("Bar raiser", coerce=coerce_int, default=0, widget=OnePassSelect())
    date_from = DateField("Created from", validators=[Optional()])
    date_to = DateField("Created to", validators=[Optional()])

    def fill_choices(self, scope: Scope) -> None:
        """Offer a bounded list: for admins and recruiters the company's open requisitions and the
        REQUISITION_CHOICES most recently closed within twelve months, and the certified bar raisers and those of
        this year's and last year's loops (three statements, `_everyones_choices`); for anyone else what their own
        loops of the last twelve months name. A requisition or bar raiser not offered stays selectable by its link
        (a requisition's page links its metrics), so a bookmarked filter still works."""
        self.requisition_hint = ""
        if scope.sees_every_loop:
            self.requisition_hint = ("Requisitions listed: the open ones and those closed most recently; a "
                                     "requisition's page links its metrics.")
            now = utcnow()
            params = {"closed_since": now - timedelta(days=366), "how_many": REQUISITION_CHOICES,
                      "years_from": date(now.year - 1, 1, 1), "requisition": self._chosen(self.requisition) or 0,
                      "bar_raiser": self._chosen(self.bar_raiser) or 0}
            units, requisitions, people = (db.session.execute(query, params) for query in _everyones_choices())
        else:
            pairs = counted(MetricRollup.grain == "member_requisition_bar_raiser",
                            MetricRollup.person_id == scope.viewer.id, MetricRollup.span == "month",
                            MetricRollup.month >= month_of(utcnow() - timedelta(days=366)))
            requisition_ids, bar_raiser_ids = {r for r, _ in pairs}, {b for _, b in pairs}
            units = db.session.execute(
                select(OrgUnit.id, OrgUnit.name).order_by(OrgUnit.name)
                .where(OrgUnit.id.in_(select(Requisition.org_unit_id).where(among(Requisition.id, requisition_ids)))))
            # Rows of the columns shown, not ORM objects; looked up by key, a few hundred at most.
            requisitions = db.session.execute(
                select(Requisition.id, Requisition.title, Requisition.level)
                .where(among(Requisition.id, requisition_ids))
                .order_by(Requisition.title, Requisition.level, Requisition.id))
            people = db.session.execute(select(User.id, User.name).where(among(User.id, bar_raiser_ids))
                                        .order_by(User.name))
        self.org_unit.choices = options([(0, "Any org unit")] + [(u.id, u.name) for u in units])
        self.requisition.choices = options([(0, "Any requisition")] + [
            (r.id, f"{r.title} ({r.level})") for r in requisitions])
        self.bar_raiser.choices = options([(0, "Any bar raiser")] + [(u.id, u.name) for u in people])

    @staticmethod
    def _chosen(field) -> int | None:
        """The id a bookmarked filter names, so it stays a choice (the scope still decides what it shows)."""
        return field.data if isinstance(field.data, int) and field.data > 0 else None

    def filters(self) -> Filters:
        """Read the validated form; dates are whole days in the viewer's zone, both ends included."""
        created_from, created_before = self.utc_bounds()
        return Filters(
            org_unit_id=self.org_unit.data or None,
            requisition_id=self.requisition.data or None,
            bar_raiser_id=self.bar_raiser.data or None,
            created_from=created_from,
            created_before=created_before,
        )
