"""Lesson Markdown read the same everywhere: dunder names kept, inline code and emphasis styled."""

from __future__ import annotations

from nnlearn.render.markup import STYLES, inline_text, protect_names


def test_dunder_names_outside_code_are_escaped_and_code_is_left_alone():
    text = "nn.Module.__init__ runs; `__call__` too\n```python\nsuper().__init__()\n```\n"
    protected = protect_names(text)
    assert "nn.Module.\\_\\_init\\_\\_ runs" in protected
    assert "`__call__`" in protected
    assert "super().__init__()" in protected


def test_inline_text_shows_names_as_written_and_styles_code_and_emphasis():
    text = inline_text("The *pre*-hook runs before `forward`; nn.Module.__init__ makes [4, 3]")
    assert text.plain == "The pre-hook runs before forward; nn.Module.__init__ makes [4, 3]"
    styled = {text.plain[span.start : span.end]: span.style for span in text.spans}
    assert styled["pre"] == STYLES["em"]
    assert styled["forward"] == STYLES["code_inline"]


def test_inline_text_with_nothing_to_render():
    assert inline_text("").plain == ""
    assert inline_text("plain words").plain == "plain words"


def test_arithmetic_stars_are_not_emphasis():
    text = inline_text("The first layer has 2*5 weights + 5 biases = 15, the second 5*1 + 1 = 6")
    assert text.plain == "The first layer has 2*5 weights + 5 biases = 15, the second 5*1 + 1 = 6"
    assert not text.spans
    assert inline_text("x**2 grows").plain == "x**2 grows"
