"""Cut large reports into parts, each sent as its own message.

A model with 5,000 modules made one 700 KB shapes report and a 1.4 MB params
report: one huge line for ``--json`` consumers, and a client that could parse
nothing until the kernel had encoded all of it. A report with more than
``ROWS_PER_PART`` rows is cut into parts that carry ``first_row`` and
``rows_total`` (``kernel/parts.py`` joins them again), and the reports of one
publish go out as messages of at most ``ROWS_PER_PART`` rows, in order.
"""

from __future__ import annotations

from typing import Any

ROWS_PER_PART = 1000  # the same as nnlearn.kernel.parts.ROWS_PER_PART
_CUT_KINDS = ("shapes", "params")


def split_report(
    report: dict[str, Any], rows_per_part: int = ROWS_PER_PART
) -> list[dict[str, Any]]:
    """The report itself when it is small, else its parts in order."""
    rows = report.get("rows")
    if report.get("kind") not in _CUT_KINDS or not isinstance(rows, list):
        return [report]
    if len(rows) <= rows_per_part:
        return [report]
    total = len(rows)
    return [
        report
        | {"rows": rows[first : first + rows_per_part], "first_row": first, "rows_total": total}
        for first in range(0, total, rows_per_part)
    ]


def messages(
    reports: list[dict[str, Any]], rows_per_part: int = ROWS_PER_PART
) -> list[list[dict[str, Any]]]:
    """The reports, cut, grouped in order into messages of at most ``rows_per_part`` rows."""
    batches: list[list[dict[str, Any]]] = [[]]
    rows_in_batch = 0
    for report in reports:
        for part in split_report(report, rows_per_part):
            rows = len(part["rows"]) if part.get("kind") in _CUT_KINDS else 0
            if batches[-1] and rows and rows_in_batch + rows > rows_per_part:
                batches.append([])
                rows_in_batch = 0
            batches[-1].append(part)
            rows_in_batch += rows
    return batches
