"""A shape table's ``(4, 3) → (4, 8)`` cell, broken where a reader expects it.

At 80 columns the shape table often has less room than its flows need, and
Rich wraps text at any space: ``(3, 2) → (3,`` on one line and ``1)`` on the
next, which no longer reads as a shape. ``FlowCell`` breaks after the arrow
first, then between tensors, and cuts inside a shape only when a single shape
is wider than the whole column.
"""

from __future__ import annotations

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, RenderResult
from rich.measure import Measurement
from rich.text import Text

ARROW = " → "
COMMA = ", "


def flow_pieces(flow: str) -> list[str]:
    """The pieces a line may end after: ``["(4, 3) →", "(4, 8)"]``; a comma stays with its tensor.

    Only separators outside parentheses and brackets split: ``(4, 3)`` is one piece.
    """
    pieces: list[str] = []
    depth = 0
    start = 0
    index = 0
    while index < len(flow):
        char = flow[index]
        if char in "([":
            depth += 1
        elif char in ")]":
            depth = max(depth - 1, 0)
        elif depth == 0:
            for separator in (ARROW, COMMA):
                if flow.startswith(separator, index):
                    pieces.append(flow[start:index] + separator.rstrip())
                    index += len(separator)
                    start = index
                    break
            else:
                index += 1
            continue
        index += 1
    pieces.append(flow[start:])
    return [piece for piece in pieces if piece]


class FlowCell:
    """One flow in a table cell: whole on one line when it fits, else broken between pieces."""

    def __init__(self, flow: str) -> None:
        self.flow = flow
        self.pieces = flow_pieces(flow)

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        widest = max((cell_len(piece) for piece in self.pieces), default=0)
        return Measurement(widest, cell_len(self.flow)).clamp(max_width=options.max_width)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        width = options.max_width
        lines: list[str] = []
        for piece in self.pieces:
            if lines and cell_len(lines[-1]) + 1 + cell_len(piece) <= width:
                lines[-1] += " " + piece
            else:
                lines.append(piece)
        # A piece wider than the column (a very long shape) is still cut, by Rich.
        yield Text("\n".join(lines), overflow="fold")
