"""The parameter table lists every weight and buffer and states exact totals."""

from __future__ import annotations

import pytest

from nnlearn.kernel.events import ParamRow, Params
from nnlearn.render import format_bytes, params_table


def param(name, shape, numel, *, trainable=True, buffer=False, dtype="float32") -> ParamRow:
    return ParamRow(name, shape, numel, dtype, "cpu", trainable and not buffer, buffer)


MLP_41 = Params(
    model="model",
    cls="MLP",
    total=41,
    trainable=41,
    frozen=0,
    buffers=0,
    bytes=164,
    rows=(
        param("fc1.weight", [8, 3], 24),
        param("fc1.bias", [8], 8),
        param("fc2.weight", [1, 8], 8),
        param("fc2.bias", [1], 1),
    ),
)


@pytest.mark.parametrize(
    ("size", "text"),
    [
        (0, "0 B"),
        (164, "164 B"),
        (1023, "1023 B"),
        (1024, "1.0 KiB"),
        (1_258_291, "1.2 MiB"),
        (3 * 1024**3, "3.0 GiB"),
    ],
)
def test_format_bytes(size, text):
    assert format_bytes(size) == text


def test_format_bytes_rejects_negative():
    with pytest.raises(ValueError, match="negative"):
        format_bytes(-1)


def test_mlp_41_table_names_model_and_shows_totals(to_text):
    text = to_text(params_table(MLP_41))
    assert "model (MLP)" in text
    assert "fc1.weight" in text
    assert "(8, 3)" in text
    assert "(8,)" in text
    assert "41 parameters (41 trainable, 0 frozen)" in text
    assert "164 B" in text
    assert text.count("✓ trainable") == 4


def test_numel_has_thousands_separators(to_text):
    big = Params(
        "net", "Big", 1_049_600, 1_049_600, 0, 0, 4_198_400, (param("w", [1024, 1025], 1_049_600),)
    )
    text = to_text(params_table(big))
    assert "1,049,600" in text
    assert "4.0 MiB" in text


def test_frozen_and_buffers_are_marked(to_text):
    params = Params(
        "model",
        "Net",
        total=20,
        trainable=8,
        frozen=12,
        buffers=9,
        bytes=200,
        rows=(
            param("backbone.weight", [3, 4], 12, trainable=False),
            param("head.weight", [2, 4], 8),
            param("bn.running_mean", [8], 8, buffer=True),
            param("bn.num_batches_tracked", [], 1, buffer=True, dtype="int64"),
        ),
    )
    text = to_text(params_table(params), width=100)
    backbone_line = next(line for line in text.splitlines() if "backbone.weight" in line)
    assert "frozen" in backbone_line
    buffer_line = next(line for line in text.splitlines() if "num_batches_tracked" in line)
    assert "buffer" in buffer_line
    assert "()" in buffer_line
    assert "int64" in buffer_line
    assert "20 parameters (8 trainable, 12 frozen)" in text
    assert "9 buffer values" in text


def test_model_without_parameters_says_so(to_text):
    empty = Params("act", "ReLU", 0, 0, 0, 0, 0, ())
    text = to_text(params_table(empty))
    assert "act (ReLU)" in text
    assert "no parameters" in text


def test_max_rows_cuts_and_counts(to_text):
    text = to_text(params_table(MLP_41, max_rows=1))
    assert "fc1.weight" in text
    assert "fc2.bias" not in text
    assert "3 more rows" in text
    assert "41 parameters" in text
