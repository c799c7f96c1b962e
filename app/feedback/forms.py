"""The feedback form: a rating and evidence per principle, the vote, the bar question."""

from flask_wtf import FlaskForm
from wtforms import FieldList, Form, FormField, HiddenField, RadioField, StringField, SubmitField, TextAreaField
from wtforms.validators import Length, Optional

from app.feedback.models import Rating, Vote
from app.forms_common import CheckboxListField, options
from app.integers import coerce_int


class RatingForm(Form):
    rating = RadioField("Rating", choices=options((r.value, r.label) for r in Rating), validators=[Optional()])
    evidence = TextAreaField("Evidence", validators=[Optional(), Length(max=20000)],
                             description="What the candidate did: the situation, their actions, the result.")
    # The kit's questions for this principle (planned-question ids) the interviewer ticks as asked.
    asked = CheckboxListField("Questions you asked", coerce=coerce_int, validate_choice=False)
    own_question = StringField("A question of your own", validators=[Optional(), Length(max=1000)],
                               description="If you asked something not in your kit, write it here.")


class FeedbackForm(FlaskForm):
    ratings = FieldList(FormField(RatingForm), min_entries=0)
    vote = RadioField("Overall vote", choices=options((v.value, v.label) for v in Vote), validators=[Optional()])
    raises_bar = RadioField(
        "Is the candidate better than half of current peers at this level?",
        choices=options([("yes", "Yes"), ("no", "No")]), validators=[Optional()],
    )
    summary = TextAreaField("Summary", validators=[Optional(), Length(max=20000)],
                            description="Your overall read, in a few sentences.")
    version = HiddenField()
    save = SubmitField("Save draft")
    submit = SubmitField("Submit feedback")


class AmendmentForm(FlaskForm):
    body = TextAreaField("Amendment", validators=[Optional(), Length(max=10000)],
                         description="Added below your submitted feedback with today's date; the original stays "
                                     "as it was.")
    submit = SubmitField("Add amendment")
