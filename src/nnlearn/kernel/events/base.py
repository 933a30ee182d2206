"""The base of every event, the registry of kinds, and the display-data form they travel in.

Why one module: an event class registers its ``kind`` by being defined
(``Event.__init_subclass__``), and reading a report back (``event_from_report``)
or wrapping reports for the wire (``batch_data``) needs nothing but that
registry, so the probe and the client share this part unchanged.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar

MIME = "application/vnd.nnlearn.v1+json"
BATCH_KIND = "batch"

_BY_KIND: dict[str, type[Event]] = {}


class Event:
    """Base of every report: ``kind`` names it on the wire and in ``--json``.

    ``from_probe`` is False for the events the client makes itself (the kernel's
    status, its death): a report claiming one of those kinds is not believed.
    """

    kind: ClassVar[str] = ""
    from_probe: ClassVar[bool] = True

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.kind:
            if cls.kind in _BY_KIND:
                raise TypeError(f"two event classes for the kind {cls.kind!r}")
            _BY_KIND[cls.kind] = cls

    def to_json(self) -> dict[str, Any]:
        raise NotImplementedError

    def to_wire(self) -> dict[str, Any]:
        """What the probe sends: ``to_json()``, or a compact form ``from_json()`` reads too."""
        return self.to_json()

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Event:
        raise NotImplementedError


def event_kinds() -> dict[str, type[Event]]:
    """Every kind of event and its class (for tests and documentation)."""
    return dict(_BY_KIND)


def event_from_report(report: Any) -> Event | None:
    """One probe report (a JSON dict with ``kind``) as its event.

    None for an unknown kind (a newer probe never breaks an older client), for a
    kind only the client makes, and for a report that does not hold together:
    the learner's code can publish display data of our type too.
    """
    if not isinstance(report, dict):
        return None
    event_class = _BY_KIND.get(str(report.get("kind")))
    if event_class is None or not event_class.from_probe:
        return None
    try:
        return event_class.from_json(report)
    except (KeyError, TypeError, ValueError, IndexError, AttributeError, OverflowError):
        return None  # OverflowError: float() of an int past 1e308, which JSON allows


def batch_data(events: Iterable[Event]) -> dict[str, Any]:
    """The display-data ``data`` that carries ``events`` (the probe's one encoding)."""
    return wire_data([event.to_wire() for event in events])


def wire_data(reports: list[dict[str, Any]]) -> dict[str, Any]:
    """The display-data ``data`` for reports already in their wire form (``to_wire()``)."""
    return {MIME: {"kind": BATCH_KIND, "reports": reports}}


def reports_in_data(data: Any) -> list[dict[str, Any]]:
    """The reports in a display-data ``data`` dict (none when it is not ours)."""
    payload = data.get(MIME) if isinstance(data, dict) else None
    if not isinstance(payload, dict):
        return []
    if payload.get("kind") == BATCH_KIND:
        reports = payload.get("reports", [])
        return [r for r in reports if isinstance(r, dict)] if isinstance(reports, list) else []
    return [payload]
