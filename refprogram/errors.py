"""Domain errors shared by every app."""


class RuleViolation(Exception):
    """A business rule refused the action. ``code`` is the machine-readable reason (API.md)."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message

    def __str__(self) -> str:
        return self.message
