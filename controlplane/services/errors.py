"""The one exception family of the services; the API turns each into the envelope."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str


class ServiceError(Exception):
    status = 500
    code = "INTERNAL_ERROR"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Invalid(ServiceError):
    status = 400
    code = "VALIDATION_ERROR"

    def __init__(self, message: str, errors: list[FieldError] | None = None) -> None:
        super().__init__(message)
        self.errors = errors or []

    @classmethod
    def field(cls, field: str, message: str) -> Invalid:
        return cls(message, [FieldError(field, message)])


class Unauthorized(ServiceError):
    status = 401
    code = "UNAUTHORIZED"


class TokenExpired(Unauthorized):
    code = "TOKEN_EXPIRED"


class Forbidden(ServiceError):
    status = 403
    code = "FORBIDDEN"


class MissingScope(Forbidden):
    """An API key used where its scopes fall short: `scope` is the one it lacks."""

    code = "INSUFFICIENT_SCOPE"

    def __init__(self, scope: str) -> None:
        super().__init__(f"This API key lacks the scope {scope}")
        self.scope = scope


class RoleForbids(MissingScope):
    """The caller's role in the team acted in does not hold the scope a route of the team's
    resources needs (a VIEWER subscribing, a DEVELOPER topping up)."""

    code = "INSUFFICIENT_ROLE"

    def __init__(self, scope: str, role: str) -> None:
        Forbidden.__init__(self, f"Your role in this team ({role}) does not allow {scope}")
        self.scope = scope
        self.role = role


class EmailNotVerified(Forbidden):
    """The account's email address is not verified yet, and what was asked needs it."""

    code = "EMAIL_NOT_VERIFIED"


class NotFound(ServiceError):
    status = 404
    code = "NOT_FOUND"


class Conflict(ServiceError):
    status = 409
    code = "CONFLICT"


class RateLimited(ServiceError):
    status = 429
    code = "RATE_LIMITED"

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = max(1, int(retry_after))


class Unavailable(ServiceError):
    status = 503
    code = "SERVICE_UNAVAILABLE"

    def __init__(self, message: str, retry_after: int = 5) -> None:
        super().__init__(message)
        self.retry_after = max(1, int(retry_after))


class PaymentRequired(ServiceError):
    """The wallet cannot pay: `shortfall` (minor units of `currency`) is what is missing."""

    status = 402
    code = "PAYMENT_REQUIRED"

    def __init__(self, message: str, shortfall: int, currency: str) -> None:
        super().__init__(message)
        self.shortfall = shortfall
        self.currency = currency


class TooLarge(ServiceError):
    status = 413
    code = "PAYLOAD_TOO_LARGE"
