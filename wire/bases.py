"""The bases of every protocol message: the ``ref`` that matches a reply to its request.

Their own module so that message modules (:mod:`wire.booking_messages` and the two unions)
share one base per direction without importing each other.
"""

from __future__ import annotations

from wire.types import Ref, WireModel

__all__ = ["ClientBase", "ServerBase"]


class ClientBase(WireModel):
    """Fields every client message may carry."""

    ref: Ref | None = None


class ServerBase(WireModel):
    """Fields every server message may carry: the ``ref`` of the request it answers."""

    ref: Ref | None = None
