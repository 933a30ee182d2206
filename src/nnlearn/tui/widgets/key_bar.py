"""The bottom line of key hints: ``F1 Help  F5 Run  F6 Stop …  ^p palette``.

Textual's ``Footer`` builds one widget per binding and recomposes them all
whenever the bindings change, which happens many times during start-up and on
every focus change. ``KeyBar`` is a single widget that keeps a list of entries
and renders them as one line of text, so those updates stay cheap. Entries that
do not fit are dropped whole from the end; the command palette key stays. A
screen may leave a key that still works off the bar (``KeyBar.offers``): a key
that only says "this step has none" should not take the place of one that does
something.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text
from textual import events
from textual.widget import Widget

if TYPE_CHECKING:
    from textual.screen import Screen

ENTRY_GAP = 2
EDGE_PAD = 1


@dataclass(frozen=True)
class KeyBarEntry:
    """One key hint: the key to press, how it is shown, and what it does."""

    key: str
    key_display: str
    description: str
    action: str
    enabled: bool = True
    tooltip: str = ""

    @property
    def label(self) -> str:
        return f"{self.key_display} {self.description}" if self.description else self.key_display

    @property
    def width(self) -> int:
        return cell_len(self.label)


class PlacedEntry(NamedTuple):
    entry: KeyBarEntry
    start: int
    end: int


class KeyBar(Widget, can_focus=False):
    """One line of the screen's key bindings; click an entry to press its key."""

    ALLOW_SELECT = False
    COMPONENT_CLASSES = {
        "key-bar--key",
        "key-bar--description",
        "key-bar--hover",
    }
    DEFAULT_CSS = """
    KeyBar {
        dock: bottom;
        height: 1;
        color: $footer-foreground;
        background: $footer-background;
        text-wrap: nowrap;
        & > .key-bar--key {
            color: $footer-key-foreground;
            background: $footer-key-background;
            text-style: bold;
        }
        & > .key-bar--description {
            color: $footer-description-foreground;
            background: $footer-description-background;
        }
        & > .key-bar--hover {
            background: $block-hover-background;
        }
    }
    """

    def __init__(
        self,
        *,
        show_command_palette: bool = True,
        first_actions: tuple[str, ...] = (),
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.show_command_palette = show_command_palette
        self._first_actions = first_actions
        self._entries: tuple[KeyBarEntry, ...] = ()
        self._palette_entry: KeyBarEntry | None = None
        self._placed: list[PlacedEntry] = []
        self._rebuild_pending = False
        self._hover_x: int | None = None

    @property
    def entries(self) -> tuple[KeyBarEntry, ...]:
        """Every binding to show: ``first_actions`` first, then in bindings order.

        The palette key is not included.
        """
        return self._entries

    @property
    def first_actions(self) -> tuple[str, ...]:
        """Actions shown before all others, in this order (what matters most where the focus is)."""
        return self._first_actions

    @first_actions.setter
    def first_actions(self, actions: tuple[str, ...]) -> None:
        if actions != self._first_actions:
            self._first_actions = actions
            if self.is_attached:
                self._schedule_rebuild()

    @property
    def palette_entry(self) -> KeyBarEntry | None:
        """The command palette key shown at the right end, if any."""
        return self._palette_entry

    @property
    def shown_entries(self) -> list[KeyBarEntry]:
        """The entries that fit at the current width, the palette key last."""
        return [placed.entry for placed in self._place(self.size.width)]

    @property
    def plain_text(self) -> str:
        """The line as it is rendered at the current width, without styles."""
        return self.render().plain

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)
        self._schedule_rebuild()

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def on_resize(self) -> None:
        self.refresh()

    def _bindings_changed(self, screen: Screen) -> None:
        if screen.app.app_focus and self.is_attached and screen is self.screen:
            self._schedule_rebuild()

    def _schedule_rebuild(self) -> None:
        if not self._rebuild_pending:
            self._rebuild_pending = True
            self.call_after_refresh(self._rebuild)

    def _rebuild(self) -> None:
        self._rebuild_pending = False
        if not self.is_attached:
            return
        entries, palette_entry = self._collect_entries()
        if (entries, palette_entry) != (self._entries, self._palette_entry):
            self._entries = entries
            self._palette_entry = palette_entry
            self.refresh()

    def _collect_entries(self) -> tuple[tuple[KeyBarEntry, ...], KeyBarEntry | None]:
        app = self.app
        active_bindings = self.screen.active_bindings
        palette_entry = None
        if self.show_command_palette and app.ENABLE_COMMAND_PALETTE:
            palette = active_bindings.get(app.COMMAND_PALETTE_BINDING)
            if palette is not None:
                palette_entry = KeyBarEntry(
                    palette.binding.key,
                    app.get_key_display(palette.binding),
                    palette.binding.description,
                    palette.binding.action,
                    palette.enabled,
                    palette.tooltip or palette.binding.description,
                )
        offers = getattr(self.screen, "key_bar_offers", None)
        by_action: dict[str, KeyBarEntry] = {}
        for _node, binding, enabled, tooltip in active_bindings.values():
            if not binding.show or binding.action in by_action:
                continue
            if offers is not None and not offers(binding.action):
                continue
            if palette_entry is not None and binding.action == palette_entry.action:
                continue
            by_action[binding.action] = KeyBarEntry(
                binding.key,
                app.get_key_display(binding),
                binding.description,
                binding.action,
                enabled,
                tooltip,
            )
        first = [by_action.pop(action) for action in self._first_actions if action in by_action]
        return (*first, *by_action.values()), palette_entry

    def _place(self, width: int) -> list[PlacedEntry]:
        palette_entry = self._palette_entry
        right_limit = width - EDGE_PAD
        placed_palette = None
        if palette_entry is not None:
            palette_start = max(0, right_limit - palette_entry.width)
            placed_palette = PlacedEntry(palette_entry, palette_start, right_limit)
            right_limit = palette_start - ENTRY_GAP
        placed: list[PlacedEntry] = []
        x = EDGE_PAD
        for entry in self._entries:
            end = x + entry.width
            if end > right_limit:
                break
            placed.append(PlacedEntry(entry, x, end))
            x = end + ENTRY_GAP
        if placed_palette is not None:
            placed.append(placed_palette)
        return placed

    def render(self) -> Text:
        width = self.size.width
        self._placed = self._place(width)
        key_style = self.get_component_rich_style("key-bar--key")
        description_style = self.get_component_rich_style("key-bar--description")
        hover_style = Style(bgcolor=self.get_component_rich_style("key-bar--hover").bgcolor)
        disabled_style = Style(dim=True)
        hovered = self._entry_at(self._hover_x)
        line = Text(no_wrap=True, overflow="crop", end="")
        for entry, start, _end in self._placed:
            line.append(" " * (start - line.cell_len))
            extra = Style()
            if not entry.enabled:
                extra += disabled_style
            if entry is hovered:
                extra += hover_style
            line.append(entry.key_display, key_style + extra)
            if entry.description:
                line.append(" ", extra)
                line.append(entry.description, description_style + extra)
        line.append(" " * max(0, width - line.cell_len))
        return line

    def _entry_at(self, x: int | None) -> KeyBarEntry | None:
        if x is None:
            return None
        for entry, start, end in self._placed:
            if start <= x < end:
                return entry
        return None

    def on_click(self, event: events.Click) -> None:
        entry = self._entry_at(event.x)
        if entry is None:
            return
        event.stop()
        if entry.enabled:
            self.app.simulate_key(entry.key)
        else:
            self.app.bell()

    def on_mouse_move(self, event: events.MouseMove) -> None:
        if self._entry_at(event.x) is not self._entry_at(self._hover_x):
            self.refresh()
        self._hover_x = event.x

    def on_leave(self) -> None:
        if self._entry_at(self._hover_x) is not None:
            self.refresh()
        self._hover_x = None
