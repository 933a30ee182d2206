"""Reading one field of a report off the wire: checked, never guessed.

Why: ``from_json`` of every event must refuse a report that does not hold
together (the learner's code can publish display data of our type too), so
the checks it shares live here once.
"""

from __future__ import annotations

import math
from typing import Any


def str_field(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected text, got {type(value).__name__}")
    return value


def optional_str(value: Any) -> str | None:
    return None if value is None else str_field(value)


def optional_int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def count_or_none(value: Any) -> int | None:
    """A count from the wire: a non-negative int, else None (never a guess)."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        return None
    return value


def float_or_none(value: Any) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


# JSON has no NaN or infinity; a measurement that is not finite says so in words.
NOT_FINITE = {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}


def measurement_json(value: float | None) -> float | str | None:
    """A measured number for JSON: itself, or ``"nan"``, ``"inf"``, ``"-inf"``; None is null.

    Why: a NaN gradient norm is news (the training broke), not a missing value;
    null already means "not measured" (no ``.grad``), so the two must differ.
    """
    if value is None or math.isfinite(value):
        return value
    if math.isnan(value):
        return "nan"
    return "inf" if value > 0 else "-inf"


def measurement_or_none(value: Any) -> float | None:
    """``measurement_json`` read back: a number (NaN and inf included), or None for anything else."""
    if isinstance(value, str):
        return NOT_FINITE.get(value)
    if value is None or isinstance(value, bool):
        return None
    try:
        return float(value)
    except (TypeError, ValueError, OverflowError):
        return None
