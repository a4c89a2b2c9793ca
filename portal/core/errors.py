"""The error a service raises when one of the portal's rules refuses an action."""

from django.core.exceptions import ValidationError


class RuleError(Exception):
    """A rule refused the action. ``code`` is stable (tests assert on it); ``message``
    is for the user. Each area lists its codes and Dutch messages in ``MESSAGES``;
    ``params`` fill a message's placeholders."""

    MESSAGES = {}

    def __init__(self, code, **params):
        self.code = code
        message = self.MESSAGES[code]
        self.message = message % params if params else message
        super().__init__(code)

    def as_validation_error(self):
        """The same refusal as a form error, with its code."""
        return ValidationError(self.message, code=self.code)
