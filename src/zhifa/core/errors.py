"""The one hierarchy of business errors. Services raise these with a Chinese
message; the doors (workbench, portal, API) turn them into a form error or an
HTTP status without knowing the rule behind them."""

from __future__ import annotations


class ZhifaError(Exception):
    """A business rule refused the action. ``code`` is stable for clients."""

    status = 400
    default_code = "invalid"

    def __init__(self, message: str, *, code: str | None = None, details=None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code or self.default_code
        self.details = details or []


class InvalidInput(ZhifaError):
    """The input is malformed or breaks a rule about the data itself."""


class Forbidden(ZhifaError):
    """The actor may not do this."""

    status = 403
    default_code = "forbidden"


class NotFound(ZhifaError):
    """The object does not exist or is outside what the actor may see."""

    status = 404
    default_code = "not_found"


class Conflict(ZhifaError):
    """The object's current state does not allow the action."""

    status = 409
    default_code = "conflict"
