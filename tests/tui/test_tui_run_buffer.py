"""RunBuffer: fast run events are merged between flushes and a flood stays bounded."""

from __future__ import annotations

from nnlearn.kernel.events import LossPoints
from nnlearn.tui.run_buffer import RunBuffer


def test_chunks_of_the_same_stream_are_joined_in_order():
    buffer = RunBuffer()
    buffer.add_stream("stdout", "a")
    buffer.add_stream("stdout", "b\n")
    buffer.add_stream("stderr", "oops\n")
    buffer.add_stream("stdout", "c\n")
    drained = buffer.drain()
    assert drained.streams == [("stdout", "ab\n"), ("stderr", "oops\n"), ("stdout", "c\n")]
    assert not buffer.drain()


def test_loss_points_are_merged_per_series():
    buffer = RunBuffer()
    buffer.add_loss(LossPoints("loss", ((0, 1.0), (1, 0.5))))
    buffer.add_loss(LossPoints("val", ((0, 2.0),)))
    buffer.add_loss(LossPoints("loss", ((2, 0.25),)))
    drained = buffer.drain()
    assert drained.loss == [
        LossPoints("loss", ((0, 1.0), (1, 0.5), (2, 0.25))),
        LossPoints("val", ((0, 2.0),)),
    ]


def test_a_flood_keeps_the_end_and_counts_what_it_dropped():
    buffer = RunBuffer(max_chars=1000)
    text = "".join(f"line {i}\n" for i in range(10_000))
    for start in range(0, len(text), 777):
        buffer.add_stream("stdout", text[start : start + 777])
    drained = buffer.drain()
    kept = "".join(chunk for _, chunk in drained.streams)
    assert len(kept) <= 1000
    assert kept.endswith("line 9999\n")
    assert kept.startswith("line ")  # cut at a line break, not mid-line
    assert drained.dropped_chars + len(kept) == len(text)
    # The feedback line counts what was printed, shown or not: 10,000 lines, not the tail.
    assert drained.dropped_stdout_lines + kept.count("\n") == 10_000


def test_dropped_error_lines_are_not_counted_as_printed_ones():
    buffer = RunBuffer(max_chars=100)
    buffer.add_stream("stderr", "warning\n" * 50)
    buffer.add_stream("stdout", "ok\n" * 10)
    drained = buffer.drain()
    assert drained.dropped_lines > 0 and drained.dropped_stdout_lines == 0


def test_a_flood_of_short_lines_keeps_a_bounded_tail_of_whole_lines():
    buffer = RunBuffer(max_lines=50)
    text = "".join(f"{i}\n" for i in range(1_000_000))
    # As ipykernel sends a flood: a few big chunks, cut anywhere.
    for start in range(0, len(text), 300_001):
        buffer.add_stream("stdout", text[start : start + 300_001])
    drained = buffer.drain()
    kept = "".join(chunk for _, chunk in drained.streams)
    assert kept == "".join(f"{i}\n" for i in range(999_950, 1_000_000))
    assert drained.dropped_lines == 999_950
    assert drained.dropped_chars + len(kept) == len(text)


def test_line_bound_across_streams_and_partial_lines():
    buffer = RunBuffer(max_lines=3)
    buffer.add_stream("stdout", "a\nb\n")
    buffer.add_stream("stderr", "c\nd")
    buffer.add_stream("stdout", "e\nf\n")
    buffer.add_stream("stdout", "g\n")
    drained = buffer.drain()
    assert drained.streams == [("stderr", "d"), ("stdout", "e\nf\ng\n")]
    assert drained.dropped_lines == 3
    assert not buffer.drain().dropped_lines  # the count starts again after a flush


def test_a_burst_is_shown_whole_and_a_flood_gets_a_steady_rate():
    now = [0.0]
    buffer = RunBuffer(max_lines=1000, lines_per_second=2000, clock=lambda: now[0])
    buffer.add_stream("stdout", "".join(f"{i}\n" for i in range(800)))
    burst = buffer.drain()
    assert burst.dropped_lines == 0 and burst.streams[0][1].count("\n") == 800
    shown = []
    for flush in range(20):  # two seconds of a flood: 5,000 lines per tenth of a second
        now[0] += 0.1
        buffer.add_stream("stdout", "".join(f"{flush}:{i}\n" for i in range(5000)))
        drained = buffer.drain()
        kept = "".join(text for _, text in drained.streams)
        assert kept.endswith(f"{flush}:4999\n")  # the end of every burst is kept
        shown.append(kept.count("\n"))
        assert kept.count("\n") + drained.dropped_lines == 5000
    assert max(shown[2:]) <= 201  # the steady rate: 2,000 lines a second
    assert sum(shown) <= 200 + 2000 * 2 + 1


def test_a_progress_bar_longer_than_a_flush_keeps_its_latest_state():
    """A tqdm-style bar rewrites one line with ``\\r`` and no newline: the whole line was
    dropped as too long, and the Output tab never showed where the bar ended."""
    buffer = RunBuffer(max_chars=1000)
    bar = "".join(f"\r{i:5d} [{'#' * (i % 20):<20}]" for i in range(2000))
    for start in range(0, len(bar), 5000):  # the kernel sends what was written in 0.2 s
        buffer.add_stream("stderr", bar[start : start + 5000])
    drained = buffer.drain()
    kept = "".join(chunk for _, chunk in drained.streams)
    assert len(kept) <= 1000 and drained.dropped_chars > 0
    assert kept.startswith("\r") and kept.endswith(f"\r 1999 [{'#' * 19} ]")
    buffer.add_stream("stdout", "x" * 5000)  # one long line without \r: dropped whole, as before
    assert buffer.drain().streams == []
