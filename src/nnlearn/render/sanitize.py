"""Make any text safe to put on a terminal: colours kept, every other control shown, not obeyed.

Why: text that is not ours reaches the screen all the time: what the
learner's code prints, exception messages and tracebacks, lesson files shared
between people, file names. A terminal obeys control characters and escape
sequences wherever they appear, so ``print("\\x1b#8")`` would fill the screen
with E's, ``\\x1bc`` reset the terminal, and an OSC 52 sequence write to the
clipboard. Every piece of such text goes through ``sanitize`` before it is
drawn (by the TUI or by ``nnlearn run``).

What survives: printable text, newlines and tabs, and (when asked) SGR
colour sequences, ``ESC [ <digits ; :> m``, which Rich turns into styles. Every
other control character is replaced by a visible stand-in (the Unicode
"control pictures": ESC becomes ``␛``, BEL ``␇``; C1 controls and DEL
become ``�`` and ``␡``), so the learner sees that something was there and
nothing acts on it. A carriage return that ends a line (``\\r\\n``) is a line
break; with ``keep_cr`` a lone one is kept for a caller that rewrites lines
itself, otherwise it is shown as ``␍``. Such a caller also gets the
erase-in-line sequences that progress bars write after it (``ESC [ K``,
``ESC [ 2K``): they touch only the line being rewritten, and ``erase_in_line``
does what a terminal does with them; the cursor hiding and showing around
them (``ESC [ ? 25 l``, ``h``) is dropped, since it changes no text.

``sanitize_fields`` does the same to every string inside a dataclass (a
lesson, a run event), so a whole lesson file is made safe once, where it
enters the app. This module uses only the standard library.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any, TypeVar

T = TypeVar("T")

# An SGR sequence: ESC [ then parameters (digits, ';' and ':' for 256/true colour) then 'm'.
# The length is bounded so that a megabyte of parameters is not one "colour".
_SGR = r"\x1b\[[0-9;:]{0,64}m"
# Erase in line: ESC [ K (or 0K) from the cursor to the end, 1K from the start, 2K all of it.
_ERASE = r"\x1b\[([012]?)K"
# Hide or show the cursor (DEC private mode 25): progress bars (rich's) wrap their
# rewrites in them. They change no text, so a caller that rewrites lines drops them.
_CURSOR_VISIBILITY = r"\x1b\[\?25[hl]"
_CONTROL_CHARACTER = r"[\x00-\x08\x0b-\x1f\x7f-\x9f]"
SGR = re.compile(_SGR)
ERASE_IN_LINE = re.compile(_ERASE)
_CONTROL = re.compile(_CONTROL_CHARACTER)
_CONTROL_OR_SGR = re.compile(f"{_SGR}|{_CONTROL_CHARACTER}")
_CONTROL_SGR_OR_ERASE = re.compile(
    f"(?P<cursor>{_CURSOR_VISIBILITY})|{_SGR}|{_ERASE}|{_CONTROL_CHARACTER}"
)

ESC_PICTURE = "\u241b"  # ␛


def _picture(character: str) -> str:
    code = ord(character)
    if code < 0x20:
        return chr(0x2400 + code)  # ␀ ... ␟
    if code == 0x7F:
        return "\u2421"  # ␡
    return "\ufffd"  # C1 controls (0x80-0x9f), 8-bit CSI included


_PICTURES = {chr(code): _picture(chr(code)) for code in [*range(0x20), *range(0x7F, 0xA0)]}


def _replace(match: re.Match[str]) -> str:
    found = match.group()
    if len(found) == 1:
        return _PICTURES[found]
    return "" if match.lastgroup == "cursor" else found


def sanitize(text: str, *, keep_sgr: bool = True, keep_cr: bool = False) -> str:
    """``text`` with every control character shown visibly instead of obeyed.

    ``keep_sgr`` keeps SGR colour sequences (learner output); lesson text and
    messages pass ``False``. ``keep_cr`` keeps lone carriage returns for a
    caller that handles them as a terminal would (the Output tab).
    """
    if not isinstance(text, str):
        text = str(text)
    text = text.replace("\r\n", "\n")
    if keep_cr:
        parts = text.split("\r")
        return "\r".join(_sanitize_part(part, keep_sgr, keep_erase=True) for part in parts)
    return _sanitize_part(text, keep_sgr)


def _sanitize_part(text: str, keep_sgr: bool, keep_erase: bool = False) -> str:
    if keep_sgr and keep_erase:
        return _CONTROL_SGR_OR_ERASE.sub(_replace, text)
    if keep_sgr:
        return _CONTROL_OR_SGR.sub(_replace, text)
    return _CONTROL.sub(_replace, text)


def erase_in_line(line: str) -> str:
    """A line (no carriage return left in it) as a terminal shows it after its erase-in-line
    sequences: the cursor is at the end of what was written so far, so ``ESC [ K`` erases
    nothing, and ``1K``/``2K`` blank what came before (the cursor stays in its column)."""
    if "\x1b[" not in line:
        return line
    shown = ""
    written_to = 0
    for match in ERASE_IN_LINE.finditer(line):
        shown += line[written_to : match.start()]
        if match.group(1) in ("1", "2"):
            shown = " " * len(strip_sgr(shown))
        written_to = match.end()
    return shown + line[written_to:]


def has_controls(text: str) -> bool:
    """Whether ``text`` holds anything ``sanitize`` would change (SGR included; tab excepted)."""
    return _CONTROL.search(text) is not None


def strip_sgr(text: str) -> str:
    """``text`` without its SGR sequences (what a reader sees, less the colours)."""
    return SGR.sub("", text)


def sanitize_fields(value: T, *, keep_sgr: bool = False) -> T:
    """``value`` with every string in it (through dataclasses, tuples, lists, dicts) sanitised.

    Objects without anything to change are returned as they are, so a clean
    lesson costs one regular-expression scan per string.
    """
    return _sanitize_any(value, keep_sgr)


# Numbers and None hold no text: the shapes of a 20,000-module model are mostly ints.
_NO_TEXT = (int, float, bool, type(None))


def _sanitize_any(value: Any, keep_sgr: bool) -> Any:
    if type(value) in _NO_TEXT:
        return value
    if isinstance(value, str):
        return value if _CONTROL.search(value) is None else sanitize(value, keep_sgr=keep_sgr)
    if isinstance(value, (list, tuple)):
        if all(type(item) is int for item in value):  # a tensor's shape
            return value
        items = [_sanitize_any(item, keep_sgr) for item in value]
        if all(new is old for new, old in zip(items, value, strict=True)):
            return value
        if hasattr(value, "_fields"):  # a named tuple
            return type(value)(*items)
        return type(value)(items)
    if isinstance(value, dict):
        pairs = [(_sanitize_any(k, keep_sgr), _sanitize_any(v, keep_sgr)) for k, v in value.items()]
        if all(
            k is old_k and v is old_v
            for (k, v), (old_k, old_v) in zip(pairs, value.items(), strict=True)
        ):
            return value
        return type(value)(pairs)
    names = _init_fields(type(value))
    if names:
        changes = {}
        for name in names:
            old = getattr(value, name)
            new = _sanitize_any(old, keep_sgr)
            if new is not old:
                changes[name] = new
        return dataclasses.replace(value, **changes) if changes else value
    return value


_FIELDS: dict[type, tuple[str, ...]] = {}


def _init_fields(kind: type) -> tuple[str, ...]:
    """The fields a dataclass takes in ``__init__`` (none for anything else), looked up once."""
    names = _FIELDS.get(kind)
    if names is None:
        names = ()
        if dataclasses.is_dataclass(kind) and not issubclass(kind, type):
            names = tuple(field.name for field in dataclasses.fields(kind) if field.init)
        _FIELDS[kind] = names
    return names
