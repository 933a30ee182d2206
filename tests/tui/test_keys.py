"""The key map: every action once in the key bar's order, whichever pane shows."""

from __future__ import annotations

import pytest

from nnlearn.tui import keys
from nnlearn.tui.screens.main import MainScreen
from nnlearn.tui.screens.pane_layout import PANES

ACTIONS = [item.action.removeprefix("app.") for item in keys.MAIN_ACTIONS]


@pytest.mark.parametrize("pane", PANES)
def test_key_bar_order_names_every_action_once_with_help_first(pane):
    order = keys.key_bar_order(pane)
    assert sorted(order) == sorted(ACTIONS)
    assert order[0] == "help"


def test_each_pane_puts_its_own_keys_early():
    assert keys.key_bar_order("lesson")[1:3] == ("next_step", "previous_step")
    assert keys.key_bar_order("editor")[1:3] == ("run", "check")
    assert keys.key_bar_order("results")[1] == "next_tab"


def test_every_screen_action_has_a_binding_and_a_method():
    bound = {binding.action for binding in keys.screen_bindings()}
    assert bound == {action for action in ACTIONS if action not in ("help", "quit")}
    for action in bound:
        assert callable(getattr(MainScreen, f"action_{action}", None)), action
