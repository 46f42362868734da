"""The domain error: a rule refused what the user asked for, with a Swedish message to show.

Services raise a subclass (a move the cycle's guards refuse, a stale edit, a quality rule);
views turn it into a message next to what caused it. Anything else is a bug and a 500.
"""


class DomainError(Exception):
    """A refusal with a message for the user, in Swedish."""

    def __init__(self, message: str = ""):
        super().__init__(message)
        self.message = message
