"""Forms of the question bank and the kit."""

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import Length, Optional

from app.integers import coerce_int


class QuestionForm(FlaskForm):
    principle_id = SelectField("Leadership principle", coerce=coerce_int)
    text = TextAreaField("Question", validators=[Optional(), Length(max=1000)],
                         description="A behavioural question: “Tell me about a time you…”.")
    probes = TextAreaField("Follow-up probes", validators=[Optional(), Length(max=4000)],
                           description="One per line: what to ask when the answer stays general.")
    strong_evidence = TextAreaField("What strong evidence sounds like", validators=[Optional(), Length(max=4000)])
    weak_evidence = TextAreaField("What weak evidence sounds like", validators=[Optional(), Length(max=4000)])
    levels = StringField("Levels it suits", validators=[Optional(), Length(max=200)],
                         description="Level codes separated by spaces, e.g. L6 L7. Leave empty for every level.")
    submit = SubmitField("Save")


class ImportForm(FlaskForm):
    file = FileField("CSV file", description="UTF-8 CSV with the columns principle, question, probes, "
                                             "strong_evidence, weak_evidence, levels, status.")
    submit = SubmitField("Import")


class SwapForm(FlaskForm):
    plan_id = SelectField("Question to replace", coerce=coerce_int)
    question_id = SelectField("Replace with", coerce=coerce_int, validate_choice=False)
    submit = SubmitField("Swap")


class ActionForm(FlaskForm):
    """A button that posts nothing but its CSRF token."""
