"""Group repeated identical blocks ("× 12") so that huge models stay readable.

A transformer's 12 layers, or 5,000 copies of one small block, would fill
thousands of lines with the same rows. Here runs of sibling blocks that are
identical (same class, and every module or tensor inside them the same:
relative names, classes, shapes, calls, placement) become one block shown
once, labelled ``model.blocks.{0..11}`` and marked ``×12``. Grouping nests:
identical heads inside identical layers multiply.

Pure functions over the events; the tables in ``shapes.py`` and ``params.py``
draw the result. ``--json`` is never grouped: it stays complete.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from nnlearn.kernel.events import ParamRow, ShapeRow

# Two identical siblings read better written out; three or more are a repeated block.
MIN_GROUP = 3

Row = TypeVar("Row")


@dataclass(frozen=True)
class Grouped(Generic[Row]):
    """One row to draw: its label (path with ``{a..b}`` ranges), the row, and its copies."""

    label: str
    row: Row
    copies: int = 1

    @property
    def depth(self) -> int:
        """How deep the row sits below its model: ``model`` is 0, ``model.fc1`` is 1."""
        return _depth(self.label)


def split_label(label: str) -> list[str]:
    """The parts of a label between dots, a ``{0..11}`` range kept whole."""
    parts = [""]
    braces = 0
    for char in label:
        if char == "{":
            braces += 1
        elif char == "}":
            braces -= 1
        elif char == "." and braces == 0:
            parts.append("")
            continue
        parts[-1] += char
    return parts


def _depth(label: str) -> int:
    return len(split_label(label)) - 1


def range_label(names: Sequence[str]) -> str:
    """``{0..11}`` for consecutive indices, else ``{first,…,last}``."""
    if all(name.isdigit() for name in names):
        numbers = [int(name) for name in names]
        if numbers == list(range(numbers[0], numbers[0] + len(numbers))):
            return f"{{{names[0]}..{names[-1]}}}"
    if len(names) == 2:
        return f"{{{names[0]},{names[1]}}}"
    return f"{{{names[0]},…,{names[-1]}}}"


# ---- shapes -----------------------------------------------------------------------------


def _shape_fingerprint(row: ShapeRow) -> Hashable:
    """What must match, apart from the path, for two module calls to count as identical."""
    # repr is exact for these lists of ints, strings and None, and far cheaper than a walk.
    signatures = tuple(
        (repr(s.inputs), repr(s.kwargs), repr(s.outputs), s.calls) for s in row.signatures
    )
    return (
        row.cls,
        repr(row.inputs),
        repr(row.kwargs),
        repr(row.outputs),
        row.dtype,
        row.device,
        row.calls,
        signatures,
    )


def _shape_units(rows: Sequence[ShapeRow], start: int, end: int) -> list[tuple[int, int]]:
    """(first, past-last) index of each module in rows[start:end] with the rows inside it."""
    units = []
    index = start
    while index < end:
        prefix = rows[index].path + "."
        after = index + 1
        while after < end and rows[after].path.startswith(prefix):
            after += 1
        units.append((index, after))
        index = after
    return units


def group_shape_rows(rows: Sequence[ShapeRow]) -> list[Grouped[ShapeRow]]:
    """The shapes rows with runs of identical sibling modules shown once."""
    out: list[Grouped[ShapeRow]] = []
    own = [_shape_fingerprint(row) for row in rows]
    fingerprints: dict[int, Hashable] = {}

    def fingerprint(first: int, past: int) -> Hashable:
        if first not in fingerprints:
            base = len(rows[first].path)
            fingerprints[first] = tuple((rows[k].path[base:], own[k]) for k in range(first, past))
        return fingerprints[first]

    def walk(start: int, end: int, old: str, new: str, copies: int) -> None:
        units = _shape_units(rows, start, end)
        index = 0
        while index < len(units):
            first, past = units[index]
            path = rows[first].path
            parent = path.rpartition(".")[0]
            run = index + 1
            if parent:
                while run < len(units):
                    other = rows[units[run][0]].path
                    if other.rpartition(".")[0] != parent or fingerprint(
                        *units[run]
                    ) != fingerprint(first, past):
                        break
                    run += 1
            count = run - index
            if count >= MIN_GROUP:
                names = [rows[units[k][0]].path.rpartition(".")[2] for k in range(index, run)]
                label = new + parent[len(old) :] + "." + range_label(names)
                out.append(Grouped(label, rows[first], copies * count))
                walk(first + 1, past, path, label, copies * count)
                index = run
            else:
                out.append(Grouped(new + path[len(old) :], rows[first], copies))
                walk(first + 1, past, old, new, copies)
                index += 1

    walk(0, len(rows), "", "", 1)
    return out


# ---- parameters -------------------------------------------------------------------------


def _param_fingerprint(row: ParamRow, relative: str) -> Hashable:
    return (relative, tuple(row.shape), row.dtype, row.device, row.requires_grad, row.buffer)


def group_param_rows(rows: Sequence[ParamRow]) -> list[Grouped[ParamRow]]:
    """Parameter rows with runs of identical sibling submodules shown once.

    Parameters and buffers are grouped apart (a model lists all its parameters
    before its buffers), each keeping its order.
    """
    params = [row for row in rows if not row.buffer]
    buffers = [row for row in rows if row.buffer]
    return _group_names(params) + _group_names(buffers)


def _group_names(rows: Sequence[ParamRow]) -> list[Grouped[ParamRow]]:
    out: list[Grouped[ParamRow]] = []

    def walk(items: Sequence[ParamRow], skip: int, label: str, copies: int) -> None:
        # items share the first `skip` characters of their names; split on the next part.
        parts: list[tuple[str, list[ParamRow]]] = []
        for row in items:
            rest = row.name[skip:]
            head, dot, _ = rest.partition(".")
            key = head if dot else rest + "\0leaf"
            if parts and parts[-1][0] == key:
                parts[-1][1].append(row)
            else:
                parts.append((key, [row]))
        index = 0
        while index < len(parts):
            key, members = parts[index]
            if key.endswith("\0leaf"):
                out.append(Grouped(label + members[0].name[skip:], members[0], copies))
                index += 1
                continue
            inner = skip + len(key) + 1
            mark = tuple(_param_fingerprint(r, r.name[inner:]) for r in members)
            run = index + 1
            while run < len(parts) and not parts[run][0].endswith("\0leaf"):
                other_skip = skip + len(parts[run][0]) + 1
                other = tuple(_param_fingerprint(r, r.name[other_skip:]) for r in parts[run][1])
                if other != mark:
                    break
                run += 1
            count = run - index
            if count >= MIN_GROUP:
                names = [parts[k][0] for k in range(index, run)]
                walk(members, inner, label + range_label(names) + ".", copies * count)
                index = run
            else:
                walk(members, inner, label + key + ".", copies)
                index += 1

    walk(rows, 0, "", 1)
    return out
