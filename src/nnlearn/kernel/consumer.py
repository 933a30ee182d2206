"""EventHandler: one way to consume a Run's events, shared by the TUI, the CLI and the checker.

Each consumer subclasses it and writes ``on_<kind>`` only for the kinds it
cares about (``on_stream``, ``on_error``, ``on_done``…, named after
``Event.kind``); ``handle`` calls it, and a kind the consumer has no method
for goes to ``on_other``, which ignores it. A new kind of event therefore
needs no change here: a consumer that shows it adds its ``on_<kind>``.
"""

from __future__ import annotations

from nnlearn.kernel.events import (
    CheckResult,
    Event,
    KernelDied,
    KernelInfo,
    KernelRestarted,
    KernelStatus,
    LossPoints,
    Params,
    PlotPoints,
    RunError,
    RunFinished,
    Shapes,
    Stream,
)


class EventHandler:
    """Calls ``on_<event.kind>`` for each event handed to ``handle``."""

    def handle(self, event: Event) -> None:
        method = getattr(self, f"on_{event.kind}", None)
        if method is None:
            self.on_other(event)
        else:
            method(event)

    def on_other(self, event: Event) -> None:
        """A kind this consumer does not show."""

    def on_stream(self, event: Stream) -> None:
        pass

    def on_shapes(self, event: Shapes) -> None:
        pass

    def on_params(self, event: Params) -> None:
        pass

    def on_loss(self, event: LossPoints) -> None:
        pass

    def on_plot(self, event: PlotPoints) -> None:
        pass

    def on_error(self, event: RunError) -> None:
        pass

    def on_check(self, event: CheckResult) -> None:
        pass

    def on_done(self, event: RunFinished) -> None:
        pass

    def on_status(self, event: KernelStatus) -> None:
        pass

    def on_kernel_died(self, event: KernelDied) -> None:
        pass

    def on_kernel_restarted(self, event: KernelRestarted) -> None:
        pass

    def on_ready(self, event: KernelInfo) -> None:
        pass
