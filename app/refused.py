"""The one domain error: a rule refuses what was asked, with a message a person can act on.

A service raises `Refused(message, field=None)`; app/errors.py turns it into the response in one
place (the form again with the message beside `field`, a flash on the page, or 409/422 JSON for an
offline replay), so routes do not translate exceptions by hand.
"""

from __future__ import annotations


class Refused(Exception):
    """What was asked breaks a rule; `message` says why in plain English, `field` names the input."""

    status_code = 422

    def __init__(self, message: str = "", field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return self.message


class WrongCase(Refused):
    """An id that belongs to another case (a forged or mixed-up replay): answered as not found,
    storing nothing (a success answer would tell a device its item was kept)."""

    status_code = 404
