"""Debrief forms."""

from flask_wtf import FlaskForm
from wtforms import RadioField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional
from wtforms.widgets import HiddenInput

from app.debrief.models import Outcome, Verdict
from app.feedback.models import Vote
from app.forms_common import WholeNumberField, options


class FinalVoteForm(FlaskForm):
    vote = RadioField("Final vote", choices=options((v.value, v.label) for v in Vote),
                      validators=[InputRequired("Choose your final vote.")])
    reason = TextAreaField("Why it changed", validators=[Optional(), Length(max=5000)],
                           description="Needed when your final vote differs from your first.")
    submit = SubmitField("Record final vote")


class DecisionForm(FlaskForm):
    outcome = RadioField("Decision", choices=options((o.value, o.label) for o in Outcome),
                         validators=[InputRequired("Choose Hire or No hire.")])
    rationale = TextAreaField("Rationale", validators=[Optional(), Length(max=20000)],
                              description="What the panel's evidence showed, in a few sentences.")
    submit = SubmitField("Record decision")


class VerdictForm(FlaskForm):
    verdict = RadioField("Your verdict", choices=options((v.value, v.label) for v in Verdict),
                         validators=[InputRequired("Choose Concur or Veto.")])
    verdict_rationale = TextAreaField("Rationale", validators=[Optional(), Length(max=20000)],
                                      description="A veto is final: nobody can undo it.")
    submit = SubmitField("Record verdict")


class BriefForm(FlaskForm):
    body = TextAreaField("Summary for the debrief", validators=[Optional(), Length(max=20000)],
                         description="Drafted from the feedback: edit it into what the panel should discuss.")
    save = SubmitField("Save draft")
    ready = SubmitField("Mark ready for the debrief")


class AgendaNoteForm(FlaskForm):
    principle_id = WholeNumberField(validators=[InputRequired("Choose a principle.")], widget=HiddenInput())
    body = TextAreaField("What the discussion established", validators=[Optional(), Length(max=5000)])
    submit = SubmitField("Save note")


class PracticeVerdictForm(FlaskForm):
    verdict = RadioField("Your practice verdict", choices=options((v.value, v.label) for v in Verdict),
                         validators=[InputRequired("Choose Concur or Veto.")])
    verdict_rationale = TextAreaField("Rationale", validators=[Optional(), Length(max=20000)],
                                      description="Recorded before the decision and shown beside the real verdict; "
                                                  "it never counts.")
    submit = SubmitField("Record practice verdict")
