"""The metrics filter: a GET form, so a filtered page can be bookmarked and its CSVs keep the filters."""


from flask_wtf import FlaskForm
from sqlalchemy import or_, select
from wtforms import DateField, SelectField
from wtforms.validators import Optional

from app.extensions import db
from app.forms_common import DateRange, OnePassSelect, options
from app.integers import coerce_int
from app.loops.models import Loop
from app.metrics.models import MetricRollup
from app.metrics.scope import Filters, Scope
from app.people.models import Certification, OrgUnit, User
from app.requisitions.models import Requisition

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
        """Offer only what the viewer's own loops (all loops, for admins and recruiters) contain."""
        # The viewer's own loops, by the requisitions and bar raisers of their rollup rows (app/metrics/rolled.py):
        # their history is read a month at a time, never loop by loop.
        own = select(MetricRollup.requisition_id).where(MetricRollup.grain == "member_requisition_bar_raiser",
                                                        MetricRollup.person_id == scope.viewer.id)
        mine = own.distinct()
        # Rows of the columns shown, not ORM objects: there may be thousands of requisitions.
        units = select(OrgUnit.id, OrgUnit.name).order_by(OrgUnit.name)
        requisitions = (select(Requisition.id, Requisition.title, Requisition.level)
                        .order_by(Requisition.title, Requisition.level, Requisition.id))
        bar_raisers = select(User.id, User.name).where(
            User.id.in_(own.with_only_columns(MetricRollup.bar_raiser_id).distinct()))
        if scope.sees_every_loop:
            bar_raisers = select(User.id, User.name).where(or_(User.id.in_(select(Loop.bar_raiser_id)),
                                                               User.certification == Certification.CERTIFIED))
        else:
            units = units.where(OrgUnit.id.in_(select(Requisition.org_unit_id).where(Requisition.id.in_(mine))))
            requisitions = requisitions.where(Requisition.id.in_(mine))
        self.org_unit.choices = options([(0, "Any org unit")] + [(u.id, u.name) for u in db.session.execute(units)])
        self.requisition.choices = options([(0, "Any requisition")] + [
            (r.id, f"{r.title} ({r.level})") for r in db.session.execute(requisitions)])
        self.bar_raiser.choices = options([(0, "Any bar raiser")] + [
            (u.id, u.name) for u in db.session.execute(bar_raisers.order_by(User.name))])

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
