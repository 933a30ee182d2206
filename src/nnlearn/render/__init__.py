"""Pure functions that turn run events into things a terminal can show.

Rich tables for shapes and parameters, a plotext string for the loss curve,
panels for errors and checks. Both the CLI (``nnlearn run``) and the TUI use
them, so this package imports neither textual nor torch.
"""

from nnlearn.render.params import format_bytes, params_summary, params_table
from nnlearn.render.plot import loss_plot, series_summary
from nnlearn.render.report import (
    kernel_event_message,
    render_check,
    render_error,
    render_finished,
)
from nnlearn.render.sanitize import sanitize, sanitize_fields, strip_sgr
from nnlearn.render.scatter import PlotSeries, plot_summary, scatter_plot
from nnlearn.render.series import LossSeries, downsample
from nnlearn.render.shapes import format_shape, shapes_table

__all__ = [
    "LossSeries",
    "PlotSeries",
    "downsample",
    "format_bytes",
    "format_shape",
    "kernel_event_message",
    "loss_plot",
    "params_summary",
    "params_table",
    "plot_summary",
    "render_check",
    "render_error",
    "render_finished",
    "sanitize",
    "sanitize_fields",
    "scatter_plot",
    "series_summary",
    "shapes_table",
    "strip_sgr",
]
