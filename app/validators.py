"""Form validators of our own."""

from email_validator import EmailNotValidError, validate_email
from wtforms.validators import ValidationError


class EmailAddress:
    """Check an address's syntax; no DNS look-up, and reserved names such as .test pass.

    WTForms' Email() refuses special-use domains, which would lock out the demo
    company and any company that uses an internal domain.
    """

    def __init__(self, message: str = "Enter a valid e-mail address."):
        self.message = message

    def __call__(self, form, field):
        if not field.data:
            return
        try:
            validate_email(field.data, check_deliverability=False, test_environment=True)
        except EmailNotValidError:
            raise ValidationError(self.message) from None
