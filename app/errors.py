"""The error a service raises when a rule refuses a change (shown by `forms_common.attempt`)."""


class ServiceError(ValueError):
    """A change refused by a product rule; `field` names the form field at fault."""

    status = 422  # what was typed is at fault

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field



class Conflict(ServiceError):
    """Someone else changed the same thing first; the loser is told what happened."""

    status = 409
