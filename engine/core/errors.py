"""Small domain exceptions; webui maps them to HTTP answers in one place."""
from __future__ import annotations


class DomainError(Exception):
    """Base class: a user-facing refusal with a clear message."""


class NotFound(DomainError):
    pass


class PermissionDenied(DomainError):
    pass


class Conflict(DomainError):
    """The object changed under the caller: already handled, or edited meanwhile."""


class Busy(Conflict):
    """The database stayed locked by other writers longer than the wait allows."""


class FileUnavailable(DomainError):
    """A stored file is missing, or its bytes no longer match the hash it was stored under."""


class Unanswered(DomainError):
    """The database did not answer (twice, or at the commit): whether the step was recorded must be looked at."""


class InvalidSubmission(DomainError):
    """Submitted data failed validation; `errors` maps field name to messages."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        self.errors = errors
        super().__init__("; ".join(f"{k}: {', '.join(v)}" for k, v in errors.items()))


class ConfigError(Exception):
    """A workflow or roles file is wrong. The message names the file and the element or line."""

    def __init__(self, file: str, where: str, message: str) -> None:
        self.file, self.where, self.message = file, where, message
        super().__init__(f"{file}: {where}: {message}" if where else f"{file}: {message}")


class RateLimited(DomainError):
    """Too many requests from one address: a clear refusal, not an error."""
