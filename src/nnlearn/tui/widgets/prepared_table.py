"""Which request for a results table is the newest, while tables are made off the event loop.

Why: sanitising and grouping the shapes or params report of a huge model
(20,000 rows) is about a second of pure Python, during which no key would
answer on the event loop. The Shapes and Params views make their tables in a
thread worker (which touches no widget) and post them back; a newer report, a
fold or a reset asks again before an older table is back, and ``Generations``
makes sure that only the answer to the newest request is drawn.
"""

from __future__ import annotations


class Generations:
    """Numbers the requests for a table; the answer to an older one is dropped."""

    def __init__(self) -> None:
        self.asked = 0
        self.answered = 0

    def ask(self) -> int:
        """A new request: its number, which every older one's answer now falls behind."""
        self.asked += 1
        return self.asked

    def answer(self, generation: int) -> bool:
        """Whether the answer to ``generation`` is the newest, and so is to be drawn."""
        if generation != self.asked:
            return False
        self.answered = generation
        return True

    def forget(self) -> None:
        """Nothing asked so far is wanted any more (the view was cleared)."""
        self.asked += 1
        self.answered = self.asked

    @property
    def pending(self) -> bool:
        """A table was asked for and is not drawn yet."""
        return self.answered != self.asked
